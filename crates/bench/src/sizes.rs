//! The page's first-load bytes: every file of the release build in `dist/` (the page fetches
//! them all on first load), raw, gzip (`gzip -9`) and brotli (`brotli -q 11`), as a CDN would
//! serve them.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::BenchError;

/// One file's sizes in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSize {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Every first-load file, largest first, and their total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeTable {
    pub files: Vec<FileSize>,
}

impl SizeTable {
    /// Measures every file directly in `dist` (precompressed `.gz`/`.br` siblings excluded:
    /// they are other encodings of a file already counted).
    pub fn measure(dist: &Path) -> Result<Self, BenchError> {
        let entries = std::fs::read_dir(dist).map_err(|error| {
            BenchError::new(format!(
                "cannot read {} (build the page first): {error}",
                dist.display()
            ))
        })?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| {
                BenchError::new(format!("cannot read {}: {error}", dist.display()))
            })?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !path.is_file() || name.ends_with(".gz") || name.ends_with(".br") {
                continue;
            }
            let raw = entry
                .metadata()
                .map_err(|error| BenchError::new(format!("cannot stat {name}: {error}")))?
                .len();
            files.push(FileSize {
                name,
                raw,
                gzip: compressed_len("gzip", &["-9", "-c"], &path)?,
                brotli: compressed_len("brotli", &["-q", "11", "-c"], &path)?,
            });
        }
        if files.is_empty() {
            return Err(BenchError::new(format!(
                "{} holds no files",
                dist.display()
            )));
        }
        Ok(Self::new(files))
    }

    /// A table of `files`, largest (brotli) first.
    pub fn new(mut files: Vec<FileSize>) -> Self {
        files.sort_by(|a, b| b.brotli.cmp(&a.brotli).then_with(|| a.name.cmp(&b.name)));
        Self { files }
    }

    pub fn total(&self) -> FileSize {
        FileSize {
            name: "total".to_owned(),
            raw: self.files.iter().map(|file| file.raw).sum(),
            gzip: self.files.iter().map(|file| file.gzip).sum(),
            brotli: self.files.iter().map(|file| file.brotli).sum(),
        }
    }

    /// A Markdown table: one row a file, then the total in bold.
    pub fn markdown(&self) -> String {
        let mut table =
            String::from("| file | raw | gzip -9 | brotli -q 11 |\n| --- | ---: | ---: | ---: |\n");
        for file in &self.files {
            table.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                file.name,
                bytes(file.raw),
                bytes(file.gzip),
                bytes(file.brotli)
            ));
        }
        let total = self.total();
        table.push_str(&format!(
            "| **total** | **{}** | **{}** | **{}** |\n",
            bytes(total.raw),
            bytes(total.gzip),
            bytes(total.brotli)
        ));
        table
    }
}

/// Bytes with thousands separators, and kB (1,000 bytes) from 10,000 up.
pub fn bytes(count: u64) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if count >= 10_000 {
        #[allow(clippy::cast_precision_loss)]
        let kilobytes = count as f64 / 1000.0;
        format!("{grouped} B ({kilobytes:.1} kB)")
    } else {
        format!("{grouped} B")
    }
}

/// The sections of a wasm module with their sizes in bytes, largest first: where the bytes
/// of the page's module go (`code` is compiled Rust, `data` its constants and strings, custom
/// sections by name). An error for bytes that are not a wasm module.
pub fn wasm_sections(module: &[u8]) -> Result<Vec<(String, u64)>, BenchError> {
    const MAGIC: &[u8] = b"\0asm";
    if module.len() < 8 || &module[..4] != MAGIC {
        return Err(BenchError::new("not a wasm module"));
    }
    let mut sections: Vec<(String, u64)> = Vec::new();
    let mut at = 8;
    while at < module.len() {
        let id = module[at];
        at += 1;
        let (size, read) = leb128_u32(&module[at..])
            .ok_or_else(|| BenchError::new("a wasm section size is malformed"))?;
        at += read;
        let size =
            usize::try_from(size).map_err(|_| BenchError::new("a wasm section over usize"))?;
        let payload = module
            .get(at..at + size)
            .ok_or_else(|| BenchError::new("a wasm section runs past the end of the module"))?;
        let name = match id {
            0 => {
                let (length, read) = leb128_u32(payload)
                    .ok_or_else(|| BenchError::new("a custom section name is malformed"))?;
                let length = usize::try_from(length).unwrap_or(usize::MAX);
                let custom = payload
                    .get(read..read.saturating_add(length))
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default();
                format!("custom `{custom}`")
            }
            1 => "type".into(),
            2 => "import".into(),
            3 => "function".into(),
            4 => "table".into(),
            5 => "memory".into(),
            6 => "global".into(),
            7 => "export".into(),
            8 => "start".into(),
            9 => "element".into(),
            10 => "code".into(),
            11 => "data".into(),
            12 => "data count".into(),
            other => format!("section {other}"),
        };
        // Header bytes (id and size) count with their section.
        let whole = u64::try_from(1 + read + size).unwrap_or(u64::MAX);
        sections.push((name, whole));
        at += size;
    }
    sections.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(sections)
}

/// An unsigned LEB128 number of at most 5 bytes, and how many bytes it took.
fn leb128_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    for (index, byte) in bytes.iter().take(5).enumerate() {
        value |= u32::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

fn compressed_len(program: &str, args: &[&str], path: &Path) -> Result<u64, BenchError> {
    let output = Command::new(program)
        .args(args)
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| {
            BenchError::new(format!(
                "cannot run {program} (cargo xtask setup installs it): {error}"
            ))
        })?;
    if !output.status.success() {
        return Err(BenchError::new(format!(
            "{program} failed on {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    u64::try_from(output.stdout.len()).map_err(|_| BenchError::new("a compressed file over u64"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, raw: u64, gzip: u64, brotli: u64) -> FileSize {
        FileSize {
            name: name.into(),
            raw,
            gzip,
            brotli,
        }
    }

    #[test]
    fn the_total_adds_every_file_in_each_encoding() {
        let table = SizeTable::new(vec![
            file("a.js", 100, 40, 30),
            file("b.wasm", 1000, 400, 300),
        ]);
        assert_eq!(table.total(), file("total", 1100, 440, 330));
    }

    #[test]
    fn the_table_lists_the_largest_file_first_and_ends_with_the_total() {
        let table = SizeTable::new(vec![
            file("index.html", 1411, 844, 693),
            file("page_bg.wasm", 612_537, 254_458, 206_226),
        ]);
        let markdown = table.markdown();
        let rows: Vec<&str> = markdown.lines().collect();
        assert_eq!(rows.len(), 5);
        assert!(
            rows[2].starts_with("| `page_bg.wasm` | 612,537 B (612.5 kB) |"),
            "{}",
            rows[2]
        );
        assert!(
            rows[3].starts_with("| `index.html` | 1,411 B |"),
            "{}",
            rows[3]
        );
        assert_eq!(rows[4], "| **total** | **613,948 B (613.9 kB)** | **255,302 B (255.3 kB)** | **206,919 B (206.9 kB)** |");
    }

    #[test]
    fn byte_counts_are_grouped_by_thousands() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1,000 B");
        assert_eq!(bytes(1_234_567), "1,234,567 B (1234.6 kB)");
    }

    #[test]
    fn wasm_sections_are_listed_largest_first_with_custom_sections_named() {
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        // type section: 3 bytes of payload
        module.extend([1, 3, 0, 0, 0]);
        // code section: 200 bytes of payload (size as two-byte LEB128: 200 = 0xC8 0x01)
        module.extend([10, 0xC8, 0x01]);
        module.extend(std::iter::repeat_n(0, 200));
        // custom section "name" with 2 more bytes
        module.extend([0, 7, 4, b'n', b'a', b'm', b'e', 0, 0]);
        let sections = wasm_sections(&module).unwrap();
        assert_eq!(
            sections,
            [
                ("code".to_owned(), 203),
                ("custom `name`".to_owned(), 9),
                ("type".to_owned(), 5)
            ]
        );
    }

    #[test]
    fn bytes_that_are_not_wasm_have_no_sections() {
        assert!(wasm_sections(b"<html>").is_err());
        assert!(wasm_sections(b"\0asm\x01\0\0\0\x0a\x10\0").is_err());
    }

    #[test]
    fn measuring_a_directory_compresses_each_file_and_skips_precompressed_siblings() {
        let dir = tempfile::tempdir().unwrap();
        let text = "stopover ".repeat(2000);
        std::fs::write(dir.path().join("page.js"), &text).unwrap();
        std::fs::write(dir.path().join("page.js.br"), "already compressed").unwrap();
        let table = SizeTable::measure(dir.path()).unwrap();
        assert_eq!(table.files.len(), 1);
        let page = &table.files[0];
        assert_eq!(page.raw, 18_000);
        assert!(page.gzip > 0 && page.gzip < 1000, "{page:?}");
        assert!(page.brotli > 0 && page.brotli < 1000, "{page:?}");
    }
}
