//! The two formats of the exports, each written piece by piece as rows arrive:
//! - CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read the accents);
//! - XLSX: a ZIP written as a stream (each entry's sizes and CRC in a data descriptor after
//!   its data, the central directory at the end), holding one sheet of inline strings. The
//!   sheet is deflated entry by entry, so nothing but the current batch sits in memory.

use flate2::Compression;
use flate2::write::DeflateEncoder;
use std::io::Write;

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A writer of one export: `start` with the header, `rows` for each batch, `finish`; each
/// returns the bytes to send next.
pub enum ExportWriter {
    Csv,
    Xlsx(Box<Xlsx>),
}

impl ExportWriter {
    pub fn new(format: Format) -> Self {
        match format {
            Format::Csv => Self::Csv,
            Format::Xlsx => Self::Xlsx(Box::default()),
        }
    }

    pub fn start(&mut self, header: &[String]) -> Vec<u8> {
        match self {
            Self::Csv => {
                let mut out = "\u{feff}".as_bytes().to_vec();
                csv_row(&mut out, header);
                out
            }
            Self::Xlsx(x) => x.start(header),
        }
    }

    pub fn rows(&mut self, rows: &[Vec<String>]) -> Vec<u8> {
        match self {
            Self::Csv => {
                let mut out = Vec::new();
                for row in rows {
                    csv_row(&mut out, row);
                }
                out
            }
            Self::Xlsx(x) => x.rows(rows),
        }
    }

    pub fn finish(&mut self) -> Vec<u8> {
        match self {
            Self::Csv => Vec::new(),
            Self::Xlsx(x) => x.finish(),
        }
    }
}

/// A field as CSV: quoted when it holds a comma, a quote or a line break; a leading `=`, `+`,
/// `-` or `@` is prefixed with `'` so a spreadsheet does not run it as a formula.
fn csv_field(out: &mut Vec<u8>, field: &str) {
    let guarded;
    let field = if field.starts_with(['=', '+', '-', '@']) {
        guarded = format!("'{field}");
        guarded.as_str()
    } else {
        field
    };
    if field.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

fn csv_row(out: &mut Vec<u8>, row: &[String]) {
    for (i, field) in row.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_field(out, field);
    }
    out.extend_from_slice(b"\r\n");
}

/// Text for XML: escaped, without the control characters XML forbids.
fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// An entry already written: what the central directory repeats.
struct Entry {
    name: &'static str,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
}

/// The XLSX stream: fixed parts stored at the start, the sheet deflated as it comes, the
/// rest at the end.
#[derive(Default)]
pub struct Xlsx {
    written: u32,
    entries: Vec<Entry>,
    /// The sheet being written: its deflater (output taken after each batch), CRC and size.
    sheet: Option<(DeflateEncoder<Vec<u8>>, crc32fast::Hasher, u32, u32)>,
    row: u32,
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="export" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_END: &str = "</sheetData></worksheet>";
const SHEET: &str = "xl/worksheets/sheet1.xml";

/// A local file header: with `known` sizes and CRC, or with them in a data descriptor after
/// the data (flag bit 3).
fn local_header(out: &mut Vec<u8>, name: &str, method: u16, known: Option<(u32, u32, u32)>) {
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // version needed
    let flags: u16 = 0x0800 | if known.is_none() { 0x0008 } else { 0 }; // UTF-8 names
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&method.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // time
    out.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
    let (crc, compressed, size) = known.unwrap_or((0, 0, 0));
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&compressed.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
}

impl Xlsx {
    /// A small part, stored whole.
    fn stored(&mut self, out: &mut Vec<u8>, name: &'static str, data: &str) {
        let mut crc = crc32fast::Hasher::new();
        crc.update(data.as_bytes());
        let (crc, size) = (crc.finalize(), data.len() as u32);
        let offset = self.written + out.len() as u32;
        local_header(out, name, 0, Some((crc, size, size)));
        out.extend_from_slice(data.as_bytes());
        self.entries.push(Entry {
            name,
            crc,
            compressed: size,
            size,
            offset,
        });
    }

    fn sent(&mut self, out: Vec<u8>) -> Vec<u8> {
        self.written += out.len() as u32;
        out
    }

    fn sheet_write(&mut self, xml: &str) {
        if let Some((encoder, crc, size, _)) = &mut self.sheet {
            crc.update(xml.as_bytes());
            *size += xml.len() as u32;
            // Writing to a Vec cannot fail.
            let _ = encoder.write_all(xml.as_bytes());
        }
    }

    /// The deflated bytes ready so far (counted in the entry's compressed size).
    fn sheet_take(&mut self) -> Vec<u8> {
        match &mut self.sheet {
            Some((encoder, _, _, compressed)) => {
                let bytes = std::mem::take(encoder.get_mut());
                *compressed += bytes.len() as u32;
                bytes
            }
            None => Vec::new(),
        }
    }

    fn row_xml(&mut self, row: &[String]) -> String {
        self.row += 1;
        let mut xml = format!("<row r=\"{}\">", self.row);
        for field in row {
            xml.push_str("<c t=\"inlineStr\"><is><t xml:space=\"preserve\">");
            xml.push_str(&xml_text(field));
            xml.push_str("</t></is></c>");
        }
        xml.push_str("</row>");
        xml
    }

    fn start(&mut self, header: &[String]) -> Vec<u8> {
        let mut out = Vec::new();
        self.stored(&mut out, "[Content_Types].xml", CONTENT_TYPES);
        self.stored(&mut out, "_rels/.rels", RELS);
        self.stored(&mut out, "xl/workbook.xml", WORKBOOK);
        self.stored(&mut out, "xl/_rels/workbook.xml.rels", WORKBOOK_RELS);
        self.entries.push(Entry {
            name: SHEET,
            crc: 0,
            compressed: 0,
            size: 0,
            offset: self.written + out.len() as u32,
        });
        local_header(&mut out, SHEET, 8, None);
        self.sheet = Some((
            DeflateEncoder::new(Vec::new(), Compression::fast()),
            crc32fast::Hasher::new(),
            0,
            0,
        ));
        self.sheet_write(SHEET_START);
        let header = self.row_xml(header);
        self.sheet_write(&header);
        out.extend(self.sheet_take());
        self.sent(out)
    }

    fn rows(&mut self, rows: &[Vec<String>]) -> Vec<u8> {
        for row in rows {
            let xml = self.row_xml(row);
            self.sheet_write(&xml);
        }
        let out = self.sheet_take();
        self.sent(out)
    }

    fn finish(&mut self) -> Vec<u8> {
        self.sheet_write(SHEET_END);
        let mut out = Vec::new();
        if let Some((encoder, crc, size, compressed)) = self.sheet.take() {
            let rest = encoder.finish().unwrap_or_default();
            let compressed = compressed + rest.len() as u32;
            out.extend(rest);
            let crc = crc.finalize();
            out.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&compressed.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            if let Some(entry) = self.entries.iter_mut().find(|e| e.name == SHEET) {
                entry.crc = crc;
                entry.compressed = compressed;
                entry.size = size;
            }
        }
        let directory_at = self.written + out.len() as u32;
        let mut directory = Vec::new();
        for e in &self.entries {
            let (method, flags): (u16, u16) = if e.name == SHEET {
                (8, 0x0808)
            } else {
                (0, 0x0800)
            };
            directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            directory.extend_from_slice(&20u16.to_le_bytes()); // made by
            directory.extend_from_slice(&20u16.to_le_bytes()); // needed
            directory.extend_from_slice(&flags.to_le_bytes());
            directory.extend_from_slice(&method.to_le_bytes());
            directory.extend_from_slice(&0u16.to_le_bytes());
            directory.extend_from_slice(&0x21u16.to_le_bytes());
            directory.extend_from_slice(&e.crc.to_le_bytes());
            directory.extend_from_slice(&e.compressed.to_le_bytes());
            directory.extend_from_slice(&e.size.to_le_bytes());
            directory.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
            directory.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            directory.extend_from_slice(&e.offset.to_le_bytes());
            directory.extend_from_slice(e.name.as_bytes());
        }
        let count = self.entries.len() as u16;
        out.extend_from_slice(&directory);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // disk numbers
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        out.extend_from_slice(&directory_at.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        self.sent(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let mut w = ExportWriter::new(Format::Csv);
        let mut out = w.start(&row(&["id", "titre"]));
        out.extend(w.rows(&[
            row(&["1", "Atelier, « lecture »"]),
            row(&["2", "=HYPERLINK(\"x\")"]),
        ]));
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "\u{feff}id,titre\r\n1,\"Atelier, « lecture »\"\r\n2,\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
    }

    /// The XLSX is a ZIP any reader opens: its directory lists the five parts and the sheet
    /// inflates to the rows written, batch after batch.
    #[test]
    fn xlsx_is_a_zip_whose_sheet_holds_every_row() {
        let mut w = ExportWriter::new(Format::Xlsx);
        let mut out = w.start(&row(&["id", "nom"]));
        for batch in 0..3 {
            let rows: Vec<Vec<String>> = (0..500)
                .map(|i| row(&[&format!("{}", batch * 500 + i), "Café & <thé>"]))
                .collect();
            out.extend(w.rows(&rows));
        }
        out.extend(w.finish());
        // End of central directory: 5 entries, the directory where it says.
        let end = out.len() - 22;
        assert_eq!(&out[end..end + 4], &0x0605_4b50u32.to_le_bytes());
        assert_eq!(u16::from_le_bytes([out[end + 10], out[end + 11]]), 5);
        let at = u32::from_le_bytes(out[end + 16..end + 20].try_into().expect("4")) as usize;
        assert_eq!(&out[at..at + 4], &0x0201_4b50u32.to_le_bytes());
        // Each directory entry in place: 46 bytes, its name, then the next one.
        let mut entry = at;
        let mut names = Vec::new();
        for _ in 0..5 {
            assert_eq!(&out[entry..entry + 4], &0x0201_4b50u32.to_le_bytes());
            let len = u16::from_le_bytes([out[entry + 28], out[entry + 29]]) as usize;
            names
                .push(String::from_utf8(out[entry + 46..entry + 46 + len].to_vec()).expect("name"));
            let local =
                u32::from_le_bytes(out[entry + 42..entry + 46].try_into().expect("4")) as usize;
            assert_eq!(&out[local..local + 4], &0x0403_4b50u32.to_le_bytes());
            entry += 46 + len;
        }
        assert_eq!(entry, end, "the directory ends where the end record starts");
        assert_eq!(names[0], "[Content_Types].xml");
        assert_eq!(names[4], SHEET);
        // The sheet: find its local header, inflate its data, compare sizes and CRC.
        let name = SHEET.as_bytes();
        let signature = 0x0403_4b50u32.to_le_bytes();
        let header = (0..out.len() - 30)
            .find(|&i| out[i..i + 4] == signature && out[i + 30..].starts_with(name))
            .expect("the sheet's local header");
        let data_at = header + 30 + name.len();
        let mut inflater = flate2::read::DeflateDecoder::new(&out[data_at..]);
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut inflater, &mut xml).expect("inflate");
        assert!(xml.starts_with("<?xml"));
        assert!(xml.ends_with("</sheetData></worksheet>"));
        assert_eq!(xml.matches("<row ").count(), 1501);
        assert!(xml.contains("<t xml:space=\"preserve\">Café &amp; &lt;thé&gt;</t>"));
        assert!(xml.contains("<row r=\"1501\">"));
        let mut crc = crc32fast::Hasher::new();
        crc.update(xml.as_bytes());
        let crc = crc.finalize();
        let descriptor = out
            .windows(4)
            .rposition(|w| w == 0x0807_4b50u32.to_le_bytes())
            .expect("data descriptor");
        assert_eq!(
            u32::from_le_bytes(out[descriptor + 4..descriptor + 8].try_into().expect("4")),
            crc
        );
        assert_eq!(
            u32::from_le_bytes(out[descriptor + 12..descriptor + 16].try_into().expect("4"))
                as usize,
            xml.len()
        );
    }
}
