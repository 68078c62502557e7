//! The process's log: `tracing` lines as plain text on standard output (colour codes only for
//! a person at a terminal), filtered by `RUST_LOG` (default `info`).
//!
//! Each request writes one access line (`edge::observe`), so the cost of a line is paid per
//! request: its fields are written by [`PlainFields`], which writes a plain string value
//! as it is instead of through `Debug` (the default's per-character escaping was most of a
//! line's cost), with the same text as a result.

use std::fmt;
use std::fs::File;
use std::io::{self, IsTerminal as _, Write};
use std::os::fd::AsFd as _;

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime as DefaultTime};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Installs the signer's log subscriber for the whole process.
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .fmt_fields(PlainFields)
        .with_timer(UtcMicros)
        // Colour codes only for a person at a terminal; log files and collectors get plain
        // text (and writing them cost a measurable share of each request).
        .with_ansi(std::io::stdout().is_terminal())
        .with_writer(WholeLines::stdout())
        .init();
}

/// Where log lines go: standard output, each line handed to the kernel whole by one
/// `write(2)` on a duplicate of the descriptor, without std's `Stdout` lock. The formatter
/// writes an event into one buffer and then writes it once, so a line is one write either
/// way; but through `Stdout` the two runtime workers queued on its lock for every access line,
/// and the one that waited slept in the kernel while the other wrote (64 % of the signer's
/// `futex` calls under load; BENCHMARKS.md, "Signer"). The kernel does not interleave
/// concurrent writes to a regular file, nor those of up to `PIPE_BUF` (4,096) bytes to a pipe.
#[derive(Debug)]
pub struct WholeLines(Option<File>);

impl WholeLines {
    /// Standard output; when it is closed the lines go nowhere (as through `Stdout`, which
    /// drops writes to a closed descriptor).
    pub fn stdout() -> Self {
        Self(
            io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .ok()
                .map(File::from),
        )
    }

    /// `file` instead.
    pub fn to(file: File) -> Self {
        Self(Some(file))
    }
}

impl<'a> MakeWriter<'a> for WholeLines {
    type Writer = LineOut<'a>;

    fn make_writer(&'a self) -> LineOut<'a> {
        LineOut(self.0.as_ref())
    }
}

/// One log line's way out ([`WholeLines`]).
#[derive(Debug)]
pub struct LineOut<'a>(Option<&'a File>);

impl Write for LineOut<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self.0 {
            Some(mut file) => file.write(bytes),
            None => Ok(bytes.len()),
        }
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

    #[test]
    fn lines_written_at_once_by_two_threads_come_out_whole() {
        let path = std::env::temp_dir().join(format!("stopover-lines-{}.log", std::process::id()));
        let file = File::create(&path).unwrap();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .fmt_fields(PlainFields)
            .with_writer(WholeLines::to(file))
            .finish();
        let dispatch = tracing::Dispatch::new(subscriber);
        const EACH: usize = 2_000;
        std::thread::scope(|scope| {
            for thread in 0..2 {
                let dispatch = dispatch.clone();
                scope.spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        for n in 0..EACH {
                            tracing::info!(thread, n, padding = "x".repeat(n % 300), "line");
                        }
                    });
                });
            }
        });
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let mut seen = std::collections::BTreeSet::new();
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
            assert!(seen.insert((thread, n)), "{line}");
        }
        assert_eq!(seen.len(), 2 * EACH);
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
