//! The process's log: `tracing` lines as plain text on standard output (colour codes only for
//! a person at a terminal), filtered by `RUST_LOG` (default `info`).
//!
//! Each request writes one access line (`edge::observe`), so the cost of a line is paid per
//! request: its fields are written by [`PlainFields`], which writes a plain string value
//! as it is instead of through `Debug` (the default's per-character escaping was most of a
//! line's cost), with the same text as a result; and access lines are written out in batches
//! (at most [`ACCESS_LINE_DELAY`] late) by [`WholeLines`], every other line at once.

use std::fmt;
use std::fs::File;
use std::io::{self, IsTerminal as _, Write};
use std::os::fd::AsFd as _;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::{Level, Metadata};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime as DefaultTime};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// The target of the access line, one `info` line per request (`edge::observe`): the edge's
/// module, as the line has always named it. The edge's other `info` line (a body sent too
/// slowly) has it too, and is written with the access lines.
pub const ACCESS_TARGET: &str = "stopover_signer::edge";

/// The longest an access line waits in memory before it is written (as nginx's
/// `access_log ... flush=` or Envoy's access log flush interval): a log collector sees it that
/// much later, and a process killed outright (`SIGKILL`, an abort) loses at most that much of
/// the access log. Every other line, and every access line pending before it, is written at once.
pub const ACCESS_LINE_DELAY: Duration = Duration::from_millis(100);

/// Pending access lines are written as soon as they reach this many bytes (about a hundred
/// lines).
const BATCH_BYTES: usize = 16 * 1024;

/// Installs the signer's log subscriber for the whole process. Keep the returned guard for as
/// long as the process serves: dropping it writes the access lines still pending.
#[must_use = "dropping the guard writes the pending access lines; keep it until the process ends"]
pub fn init() -> PendingLines {
    let lines = WholeLines::stdout();
    lines.write_pending_every(ACCESS_LINE_DELAY);
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .fmt_fields(PlainFields)
        .with_timer(UtcMicros)
        // Colour codes only for a person at a terminal; log files and collectors get plain
        // text (and writing them cost a measurable share of each request).
        .with_ansi(std::io::stdout().is_terminal())
        .with_writer(lines.clone())
        .init();
    PendingLines(lines)
}

/// Writes the pending access lines when dropped ([`init`]).
#[derive(Debug)]
pub struct PendingLines(WholeLines);

impl Drop for PendingLines {
    fn drop(&mut self) {
        self.0.write_pending();
    }
}

/// Where log lines go: standard output (a duplicate of its descriptor, without std's `Stdout`
/// lock), each line whole.
///
/// The formatter writes an event into one buffer and hands it over once. An access line is
/// appended to the pending lines; any other line is appended and everything pending is
/// written at once, so the lines keep their order. Pending lines are written by one
/// `write(2)` when they reach [`BATCH_BYTES`], when another line comes, or by a thread of
/// their own ([`WholeLines::write_pending_every`]). One `write(2)` per access line cost about
/// 15 % of the signer's throughput with its output on a pipe, the reader woken for every line
/// (`crates/bench/NOTES.md`, stop 33); and the lock around std's `Stdout` had the two runtime
/// workers queue on it for every line, the one that waited sleeping in the kernel while the
/// other wrote (BENCHMARKS.md, "Signer"): here a line is only copied under a lock, and the
/// lock is let go before the write. The kernel does not interleave concurrent writes to a
/// regular file, nor those of up to `PIPE_BUF` (4,096) bytes to a pipe; a batch larger than
/// that to a pipe is written by one `write(2)`, read whole by the reader unless it reads less.
#[derive(Debug, Clone)]
pub struct WholeLines(Option<Arc<Lines>>);

/// The pending lines and their way out.
#[derive(Debug)]
struct Lines {
    pending: Mutex<Vec<u8>>,
    /// Wakes the writing thread when a batch starts.
    started: Condvar,
    /// Held while a batch is written, so that batches leave in the order they were taken.
    out: Mutex<File>,
}

/// The lines are bytes, valid after any panic: a poisoned lock is used anyway.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Lines {
    fn add(&self, line: &[u8], defer: bool) {
        let mut pending = lock(&self.pending);
        let starts_batch = pending.is_empty();
        pending.extend_from_slice(line);
        if !defer || pending.len() >= BATCH_BYTES {
            self.write_out(pending);
        } else if starts_batch {
            self.started.notify_one();
        }
    }

    /// Writes out what `pending` holds, letting go of its lock before the write.
    fn write_out(&self, mut pending: MutexGuard<'_, Vec<u8>>) {
        if pending.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut *pending);
        let mut out = lock(&self.out);
        drop(pending);
        // Nowhere to say that the log cannot be written; the lines are dropped, as std's
        // `Stdout` drops writes to a closed descriptor.
        let _ = out.write_all(&batch);
    }

    /// Waits for a batch to start, gives it `delay` to fill, writes it; for ever.
    fn write_batches(&self, delay: Duration) {
        loop {
            let pending = lock(&self.pending);
            let pending = self
                .started
                .wait_while(pending, |pending| pending.is_empty())
                .unwrap_or_else(PoisonError::into_inner);
            drop(pending);
            std::thread::sleep(delay);
            self.write_out(lock(&self.pending));
        }
    }
}

impl WholeLines {
    /// Standard output; when it is closed the lines go nowhere (as through `Stdout`, which
    /// drops writes to a closed descriptor).
    pub fn stdout() -> Self {
        match io::stdout().as_fd().try_clone_to_owned() {
            Ok(descriptor) => Self::to(File::from(descriptor)),
            Err(_) => Self(None),
        }
    }

    /// `file` instead.
    pub fn to(file: File) -> Self {
        Self(Some(Arc::new(Lines {
            pending: Mutex::new(Vec::new()),
            started: Condvar::new(),
            out: Mutex::new(file),
        })))
    }

    /// Writes the pending access lines now.
    pub fn write_pending(&self) {
        if let Some(lines) = &self.0 {
            lines.write_out(lock(&lines.pending));
        }
    }

    /// Starts a thread that writes each batch of access lines at most `delay` after its first
    /// line, for as long as the process runs.
    pub fn write_pending_every(&self, delay: Duration) {
        if let Some(lines) = &self.0 {
            let lines = Arc::clone(lines);
            // Without the thread, pending lines still leave with the next other line, a full
            // batch or the guard of `init`.
            let _ = std::thread::Builder::new()
                .name("log-writer".into())
                .spawn(move || lines.write_batches(delay));
        }
    }
}

impl<'a> MakeWriter<'a> for WholeLines {
    type Writer = LineOut<'a>;

    fn make_writer(&'a self) -> LineOut<'a> {
        LineOut {
            lines: self.0.as_deref(),
            defer: false,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> LineOut<'a> {
        LineOut {
            lines: self.0.as_deref(),
            defer: *meta.level() == Level::INFO && meta.target() == ACCESS_TARGET,
        }
    }
}

/// One log line's way out ([`WholeLines`]).
#[derive(Debug)]
pub struct LineOut<'a> {
    lines: Option<&'a Lines>,
    /// An access line: it may wait for the next batch.
    defer: bool,
}

impl Write for LineOut<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if let Some(lines) = self.lines {
            lines.add(bytes, self.defer);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes an event's fields as the default formatter does (`message` first as it is, then
/// `name=value` separated by spaces, strings quoted), without `Debug` for strings that need
/// no escaping.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainFields;

impl<'writer> MakeVisitor<Writer<'writer>> for PlainFields {
    type Visitor = PlainVisitor<'writer>;

    fn make_visitor(&self, writer: Writer<'writer>) -> Self::Visitor {
        PlainVisitor {
            writer,
            empty: true,
            result: Ok(()),
        }
    }
}

/// The visitor of [`PlainFields`] for one event.
#[derive(Debug)]
pub struct PlainVisitor<'writer> {
    writer: Writer<'writer>,
    /// Nothing written yet (no separator before the first field).
    empty: bool,
    result: fmt::Result,
}

impl PlainVisitor<'_> {
    fn separate(&mut self) {
        if !self.empty {
            self.result = self.result.and_then(|()| self.writer.write_char(' '));
        }
        self.empty = false;
    }
}

impl Visit for PlainVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() != "message" && is_plain(value) {
            self.separate();
            let writer = &mut self.writer;
            self.result = self.result.and_then(|()| {
                writer.write_str(field.name())?;
                writer.write_str("=\"")?;
                writer.write_str(value)?;
                writer.write_char('"')
            });
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let name = field.name();
        // As the default formatter: `log` crate metadata is not repeated.
        if name.starts_with("log.") {
            return;
        }
        self.separate();
        let writer = &mut self.writer;
        self.result = self.result.and_then(|()| {
            if name == "message" {
                write!(writer, "{value:?}")
            } else {
                write!(
                    writer,
                    "{}={value:?}",
                    name.strip_prefix("r#").unwrap_or(name)
                )
            }
        });
    }
}

impl VisitOutput<fmt::Result> for PlainVisitor<'_> {
    fn finish(self) -> fmt::Result {
        self.result
    }
}

impl VisitFmt for PlainVisitor<'_> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        &mut self.writer
    }
}

/// Each line's timestamp as the default timer writes it (`2026-12-05T07:26:39.612649Z`, UTC
/// to the microsecond), its digits put in place instead of formatted one by one through
/// `fmt` (that was a quarter of the access line's cost); chrono finds the date. Instants
/// before 1970 or after 9999, which the default writes differently, are left to it.
#[derive(Debug, Clone, Copy, Default)]
pub struct UtcMicros;

impl FormatTime for UtcMicros {
    fn format_time(&self, writer: &mut Writer<'_>) -> fmt::Result {
        let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        match since_epoch.ok().and_then(utc_micros) {
            Some(text) => writer.write_str(text.as_str()),
            None => DefaultTime.format_time(writer),
        }
    }
}

/// A timestamp's text, on the stack.
struct Timestamp([u8; 27]);

impl Timestamp {
    fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` for a time after the Unix epoch, up to the end of 9999.
fn utc_micros(since_epoch: std::time::Duration) -> Option<Timestamp> {
    use chrono::{Datelike as _, Timelike as _};
    let time = chrono::DateTime::from_timestamp(
        i64::try_from(since_epoch.as_secs()).ok()?,
        since_epoch.subsec_nanos(),
    )?;
    if time.year() > 9999 {
        return None;
    }
    let mut text = *b"0000-00-00T00:00:00.000000Z";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for index in (at..at + width).rev() {
            // A digit: `value % 10` is below 10.
            text[index] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, time.year().unsigned_abs());
    put(5, 2, time.month());
    put(8, 2, time.day());
    put(11, 2, time.hour());
    put(14, 2, time.minute());
    put(17, 2, time.second());
    put(20, 6, since_epoch.subsec_micros());
    Some(Timestamp(text))
}

/// Whether `Debug` would write `value` unchanged between quotes: printable ASCII other than
/// `"` and `\`.
fn is_plain(value: &str) -> bool {
    value
        .bytes()
        .all(|byte| (b' '..=b'~').contains(&byte) && byte != b'"' && byte != b'\\')
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The fields of one event written by `fields`, after the level and target.
    fn line(plain: bool, event: impl FnOnce()) -> String {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let builder = tracing_subscriber::fmt()
            .without_time()
            .with_ansi(false)
            .with_writer(move || writer.clone());
        if plain {
            tracing::subscriber::with_default(builder.fmt_fields(PlainFields).finish(), event);
        } else {
            tracing::subscriber::with_default(builder.finish(), event);
        }
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text.trim_end().to_owned()
    }

    /// A log file in the temporary directory, removed when dropped.
    struct LogFile(std::path::PathBuf);

    impl LogFile {
        fn new(name: &str) -> Self {
            Self(std::env::temp_dir().join(format!("stopover-{name}-{}.log", std::process::id())))
        }

        fn lines(&self) -> WholeLines {
            WholeLines::to(File::create(&self.0).unwrap())
        }

        fn text(&self) -> String {
            std::fs::read_to_string(&self.0).unwrap()
        }
    }

    impl Drop for LogFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn subscriber(lines: WholeLines) -> tracing::Dispatch {
        tracing::Dispatch::new(
            tracing_subscriber::fmt()
                .with_ansi(false)
                .fmt_fields(PlainFields)
                .with_writer(lines)
                .finish(),
        )
    }

    #[test]
    fn lines_written_at_once_by_two_threads_come_out_whole_and_in_each_threads_order() {
        let file = LogFile::new("lines");
        let lines = file.lines();
        let dispatch = subscriber(lines.clone());
        const EACH: usize = 2_000;
        std::thread::scope(|scope| {
            for thread in 0..2 {
                let dispatch = dispatch.clone();
                scope.spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        for n in 0..EACH {
                            let padding = "x".repeat(n % 300);
                            // Mostly access lines, which wait for a batch; now and then
                            // another, which takes the pending ones out with it.
                            if n % 97 == 0 {
                                tracing::info!(thread, n, padding, "line");
                            } else {
                                tracing::info!(target: ACCESS_TARGET, thread, n, padding, "line");
                            }
                        }
                    });
                });
            }
        });
        lines.write_pending();
        let text = file.text();
        let mut last = [None::<usize>; 2];
        for line in text.lines() {
            let field = |name: &str| -> usize {
                let start = line.find(&format!(" {name}=")).unwrap() + name.len() + 2;
                line[start..].split(' ').next().unwrap().parse().unwrap()
            };
            let (thread, n) = (field("thread"), field("n"));
            assert!(
                line.ends_with(&format!("padding=\"{}\"", "x".repeat(n % 300))),
                "{line}"
            );
            assert_eq!(last[thread].map_or(0, |last| last + 1), n, "{line}");
            last[thread] = Some(n);
        }
        assert_eq!(last, [Some(EACH - 1); 2]);
    }

    #[test]
    fn access_lines_wait_for_another_line_a_full_batch_or_the_guard() {
        let file = LogFile::new("pending");
        let lines = file.lines();
        let dispatch = subscriber(lines.clone());
        let access = |n: usize| {
            tracing::dispatcher::with_default(&dispatch, || {
                tracing::info!(target: ACCESS_TARGET, n, "request");
            });
        };
        access(1);
        access(2);
        assert_eq!(file.text(), "", "access lines wait");
        tracing::dispatcher::with_default(&dispatch, || tracing::warn!("store unavailable"));
        let text = file.text();
        let order: Vec<&str> = text
            .lines()
            .map(|line| line.split_once(": ").unwrap().1)
            .collect();
        assert_eq!(order, ["request n=1", "request n=2", "store unavailable"]);

        access(3);
        assert_eq!(file.text(), text, "the next access line waits again");
        drop(PendingLines(lines.clone()));
        assert!(file.text().ends_with(": request n=3\n"), "{}", file.text());

        // A full batch leaves without waiting.
        let line_bytes = {
            access(4);
            let before = file.text().len();
            lines.write_pending();
            file.text().len() - before
        };
        // Lines of one length: one short of a batch, then the one that fills it.
        let short_of_a_batch = (BATCH_BYTES - 1) / line_bytes;
        for _ in 0..short_of_a_batch {
            access(4);
        }
        assert_eq!(file.text().lines().count(), 5, "one short of a batch");
        access(4);
        assert_eq!(file.text().lines().count(), 5 + short_of_a_batch + 1);
    }

    #[test]
    fn the_writing_thread_writes_an_access_line_within_its_delay() {
        let file = LogFile::new("delay");
        let lines = file.lines();
        lines.write_pending_every(Duration::from_millis(10));
        tracing::dispatcher::with_default(&subscriber(lines), || {
            tracing::info!(target: ACCESS_TARGET, "request");
        });
        // Polled, not timed: the thread only has to get there.
        let written = (0..500).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            file.text().ends_with(": request\n")
        });
        assert!(written, "{}", file.text());
    }

    #[test]
    fn timestamps_are_placed_digit_for_digit_as_chrono_formats_them() {
        let mut seconds: Vec<u64> = vec![
            0,
            59,
            86_399,
            951_782_400,     // 2000-02-29
            1_709_164_800,   // 2024-02-29
            1_735_689_599,   // 2024-12-31T23:59:59
            4_107_542_400,   // 2100-03-01
            253_402_300_799, // 9999-12-31T23:59:59
        ];
        // And a spread across the years in between.
        seconds.extend((0..2_000u64).map(|n| n * 126_700_037 % 253_402_300_800));
        for (index, second) in seconds.into_iter().enumerate() {
            let micros = (index as u32 * 7_919) % 1_000_000;
            let since_epoch = std::time::Duration::new(second, micros * 1_000);
            let ours = utc_micros(since_epoch).unwrap();
            let expected = chrono::DateTime::from_timestamp(second as i64, micros * 1_000)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string();
            assert_eq!(ours.as_str(), expected);
        }
        // After 9999 the default timer's own form is kept.
        assert!(utc_micros(std::time::Duration::from_secs(253_402_300_800)).is_none());
    }

    #[test]
    fn the_timestamp_has_the_default_timers_form_to_the_second() {
        let written = |timer: &dyn FormatTime| {
            let mut text = String::new();
            timer.format_time(&mut Writer::new(&mut text)).unwrap();
            text
        };
        // Two clock readings a second apart only at a second's turn: then read again.
        let same_second = (0..3).any(|_| {
            let ours = written(&UtcMicros);
            let default = written(&DefaultTime);
            assert_eq!(ours.len(), default.len(), "{ours} {default}");
            assert!(ours.ends_with('Z'), "{ours}");
            ours[..19] == default[..19]
        });
        assert!(same_second);
    }

    #[test]
    fn plain_fields_write_what_the_default_formatter_writes() {
        let events: [fn(); 3] = [
            || {
                tracing::info!(
                    method = "POST",
                    status = 200u16,
                    latency_ms = 3u64,
                    issuer = Some("tenant.example.com"),
                    form = None::<&str>,
                    "request"
                )
            },
            || tracing::warn!(error = %"a \"quoted\" reason", "store unavailable"),
            || tracing::info!(odd = "tab\there, quote \" and é", flag = true, "escaped"),
        ];
        for event in events {
            assert_eq!(line(true, event), line(false, event));
        }
        assert!(line(true, events[0]).ends_with(
            r#"request method="POST" status=200 latency_ms=3 issuer="tenant.example.com""#
        ));
    }
}
