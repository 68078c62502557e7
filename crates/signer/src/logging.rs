//! The process's log: `tracing` lines as plain text on standard output (colour codes only for
//! a person at a terminal), filtered by `RUST_LOG` (default `info`).
//!
//! Each request writes one access line (`edge::observe`), so the cost of a line is paid per
//! request: its fields are written by [`PlainFields`], which writes a plain string value
//! as it is instead of through `Debug` (the default's per-character escaping was most of a
//! line's cost), with the same text as a result.

use std::fmt;
use std::io::IsTerminal as _;

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::EnvFilter;

/// Installs the signer's log subscriber for the whole process.
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .fmt_fields(PlainFields)
        // Colour codes only for a person at a terminal; log files and collectors get plain
        // text (and writing them cost a measurable share of each request).
        .with_ansi(std::io::stdout().is_terminal())
        .init();
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
