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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SizeTable {
    pub files: Vec<FileSize>,
}

impl SizeTable {
    /// Measures every file directly in `dist` that a browser fetches (see
    /// [`is_first_load_file`]).
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
            if !path.is_file() || !is_first_load_file(&name) {
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

/// Whether the page's first load fetches this `dist/` file: not precompressed `.gz`/`.br`
/// siblings (other encodings of a file already counted), and not host configuration such as
/// `_headers` or hidden files, which are never sent to the browser.
pub fn is_first_load_file(name: &str) -> bool {
    !(name.ends_with(".gz")
        || name.ends_with(".br")
        || name.starts_with('_')
        || name.starts_with('.'))
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
    let mut sections: Vec<(String, u64)> = sections(module)?
        .iter()
        .map(|section| {
            let name = match section.id {
                0 => format!("custom `{}`", section.custom_name),
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
            (name, section.whole_bytes)
        })
        .collect();
    sections.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(sections)
}

/// Code bytes by crate, largest first, read from a module that still has its `name` section
/// (the page's wasm before wasm-bindgen and wasm-opt strip it): which crates the compiled
/// code comes from. Functions without a name count as `(unnamed)`.
pub fn code_by_crate(module: &[u8]) -> Result<Vec<(String, u64)>, BenchError> {
    let sections = sections(module)?;
    let malformed = || BenchError::new("the wasm module is malformed");
    let imported_functions = match sections.iter().find(|section| section.id == 2) {
        Some(section) => count_function_imports(section.payload).ok_or_else(malformed)?,
        None => 0,
    };
    let names = sections
        .iter()
        .find(|section| section.id == 0 && section.custom_name == "name")
        .map(|section| function_names(section.payload).ok_or_else(malformed))
        .transpose()?
        .ok_or_else(|| BenchError::new("the wasm module has no name section"))?;
    let code = sections
        .iter()
        .find(|section| section.id == 10)
        .ok_or_else(|| BenchError::new("the wasm module has no code section"))?;
    let mut by_crate: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    let mut reader = Reader::new(code.payload);
    let count = reader.leb().ok_or_else(malformed)?;
    for index in 0..count {
        let before = reader.at;
        let size = reader.leb().ok_or_else(malformed)?;
        reader.skip(size).ok_or_else(malformed)?;
        let name = names
            .get(&(imported_functions + index))
            .map_or("", String::as_str);
        *by_crate.entry(crate_of(name)).or_default() +=
            u64::try_from(reader.at - before).unwrap_or(0);
    }
    let mut list: Vec<(String, u64)> = by_crate.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(list)
}

/// The crate a function name belongs to: its first path segment, from a demangled name
/// (`<&mut serde_json::de::X as serde::Y>::f` is serde_json's) or a legacy-mangled one
/// (`_ZN10serde_json2de5parse17h..E`, `_ZN53_$LT$serde_json..de..X$u20$as$u20$..$GT$..E`).
pub fn crate_of(name: &str) -> String {
    let path = match name.strip_prefix("_ZN") {
        Some(mangled) => first_mangled_segment(mangled).unwrap_or_default(),
        None => name.to_owned(),
    };
    let mut rest = path.as_str();
    loop {
        let trimmed = rest
            .trim_start_matches(['<', '&', '(', '*', ' ', '_'])
            .trim_start_matches("$LT$")
            .trim_start_matches("$RF$")
            .trim_start_matches("mut ")
            .trim_start_matches("mut$u20$")
            .trim_start_matches("dyn ")
            .trim_start_matches("dyn$u20$")
            .trim_start_matches("const ");
        if trimmed.len() == rest.len() {
            break;
        }
        rest = trimmed;
    }
    let segment: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let after = &rest[segment.len()..];
    let is_path = after.starts_with("::") || after.starts_with("..") || after.starts_with('[');
    if segment.is_empty() {
        "(unnamed)".into()
    } else if is_path || name.starts_with("_ZN") && after.is_empty() && path.len() < name.len() {
        segment
    } else {
        // A bare name (`memcpy`, `T`, `str`): not a crate path.
        format!("(other: {segment})")
    }
}

/// The first `<length><identifier>` of a legacy-mangled path.
fn first_mangled_segment(mangled: &str) -> Option<String> {
    let digits: String = mangled.chars().take_while(char::is_ascii_digit).collect();
    let length: usize = digits.parse().ok()?;
    mangled
        .get(digits.len()..digits.len() + length)
        .map(str::to_owned)
}

struct Section<'m> {
    id: u8,
    custom_name: String,
    payload: &'m [u8],
    whole_bytes: u64,
}

fn sections(module: &[u8]) -> Result<Vec<Section<'_>>, BenchError> {
    const MAGIC: &[u8] = b"\0asm";
    if module.len() < 8 || &module[..4] != MAGIC {
        return Err(BenchError::new("not a wasm module"));
    }
    let malformed = || BenchError::new("a wasm section is malformed or runs past the end");
    let mut reader = Reader::new(module);
    reader.at = 8;
    let mut sections = Vec::new();
    while reader.at < module.len() {
        let start = reader.at;
        let id = reader.byte().ok_or_else(malformed)?;
        let size = reader.leb().ok_or_else(malformed)?;
        let payload = reader.take(size).ok_or_else(malformed)?;
        let custom_name = if id == 0 {
            let mut custom = Reader::new(payload);
            custom.name().ok_or_else(malformed)?
        } else {
            String::new()
        };
        sections.push(Section {
            id,
            custom_name,
            payload,
            // Header bytes (id and size) count with their section.
            whole_bytes: u64::try_from(reader.at - start).unwrap_or(u64::MAX),
        });
    }
    Ok(sections)
}

fn count_function_imports(payload: &[u8]) -> Option<u32> {
    let mut reader = Reader::new(payload);
    let mut functions = 0;
    for _ in 0..reader.leb()? {
        reader.name()?;
        reader.name()?;
        match reader.byte()? {
            0 => {
                reader.leb()?;
                functions += 1;
            }
            1 => {
                reader.byte()?;
                reader.limits()?;
            }
            2 => reader.limits()?,
            3 => {
                reader.byte()?;
                reader.byte()?;
            }
            4 => {
                reader.byte()?;
                reader.leb()?;
            }
            _ => return None,
        }
    }
    Some(functions)
}

/// Subsection 1 of the `name` section: function index -> name.
fn function_names(payload: &[u8]) -> Option<std::collections::HashMap<u32, String>> {
    let mut reader = Reader::new(payload);
    reader.name()?;
    let mut names = std::collections::HashMap::new();
    while reader.at < payload.len() {
        let id = reader.byte()?;
        let size = reader.leb()?;
        let body = reader.take(size)?;
        if id == 1 {
            let mut map = Reader::new(body);
            for _ in 0..map.leb()? {
                let index = map.leb()?;
                names.insert(index, map.name()?);
            }
        }
    }
    Some(names)
}

/// A cursor over wasm bytes.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn new(bytes: &'b [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn leb(&mut self) -> Option<u32> {
        let (value, read) = leb128_u32(self.bytes.get(self.at..)?)?;
        self.at += read;
        Some(value)
    }

    fn take(&mut self, size: u32) -> Option<&'b [u8]> {
        let end = self.at.checked_add(usize::try_from(size).ok()?)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn skip(&mut self, size: u32) -> Option<()> {
        self.take(size).map(|_| ())
    }

    fn name(&mut self) -> Option<String> {
        let size = self.leb()?;
        self.take(size)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }

    fn limits(&mut self) -> Option<()> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Some(())
    }
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
    fn code_is_attributed_to_crates_through_the_name_section() {
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        // import section: one function import ("env" "f", type 0)
        module.extend([2, 9, 1, 3, b'e', b'n', b'v', 1, b'f', 0, 0]);
        // code section: two bodies of 4 and 2 payload bytes
        module.extend([10, 9, 2, 4, 0, 0, 0, 0x0b, 2, 0, 0x0b]);
        // name section: function 1 in serde_json, function 2 in core (behind `<`)
        let names: &[(u8, &str)] = &[
            (1, "serde_json::de::parse::h1"),
            (2, "<core::fmt::X as T>::f"),
        ];
        let mut map = vec![2];
        for (index, name) in names {
            map.push(*index);
            map.push(u8::try_from(name.len()).unwrap());
            map.extend(name.bytes());
        }
        let mut payload = vec![
            4,
            b'n',
            b'a',
            b'm',
            b'e',
            1,
            u8::try_from(map.len()).unwrap(),
        ];
        payload.extend(map);
        module.push(0);
        module.push(u8::try_from(payload.len()).unwrap());
        module.extend(payload);
        assert_eq!(
            code_by_crate(&module).unwrap(),
            [("serde_json".to_owned(), 5), ("core".to_owned(), 3)]
        );
    }

    #[test]
    fn a_functions_crate_is_its_first_path_segment() {
        assert_eq!(crate_of("tachys::view::Render::build::h12"), "tachys");
        assert_eq!(
            crate_of("<&mut serde_json::de::Deserializer<R> as serde::X>::f"),
            "serde_json"
        );
        assert_eq!(crate_of("<dlmalloc[e24a]::Dlmalloc>::malloc"), "dlmalloc");
        assert_eq!(crate_of("memcpy"), "(other: memcpy)");
        assert_eq!(crate_of("_ZN6tachys14reactive_graph52_h1E"), "tachys");
        assert_eq!(
            crate_of("_ZN50_$LT$serde_json..de..Deserializer$u20$as$u20$X$GT$3foo17hE"),
            "serde_json"
        );
        assert_eq!(
            crate_of("_ZN58_$LT$$RF$mut$u20$alloc..vec..Vec$LT$T$GT$$u20$as$u20$X$GT$1fE"),
            "alloc"
        );
        assert_eq!(crate_of(""), "(unnamed)");
    }

    #[test]
    fn bytes_that_are_not_wasm_have_no_sections() {
        assert!(wasm_sections(b"<html>").is_err());
        assert!(wasm_sections(b"\0asm\x01\0\0\0\x0a\x10\0").is_err());
    }

    #[test]
    fn measuring_a_directory_compresses_each_file_and_skips_precompressed_and_host_files() {
        let dir = tempfile::tempdir().unwrap();
        let text = "stopover ".repeat(2000);
        std::fs::write(dir.path().join("page.js"), &text).unwrap();
        std::fs::write(dir.path().join("page.js.br"), "already compressed").unwrap();
        std::fs::write(
            dir.path().join("_headers"),
            "/*\n  Referrer-Policy: no-referrer\n",
        )
        .unwrap();
        let table = SizeTable::measure(dir.path()).unwrap();
        assert_eq!(table.files.len(), 1);
        let page = &table.files[0];
        assert_eq!(page.raw, 18_000);
        assert!(page.gzip > 0 && page.gzip < 1000, "{page:?}");
        assert!(page.brotli > 0 && page.brotli < 1000, "{page:?}");
    }
}
