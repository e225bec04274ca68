//! Record sources: JSONL, CSV (UTF-8 or GB18030, header below any title rows) and Excel
//! workbooks, read one record at a time, with each bad record reported by file, line (or
//! sheet and row) and field while the rest keep coming. JSONL and CSV are streamed.

mod contact;
mod encoding;
mod header;
mod preview;
mod row;
mod serial_date;
mod xlsx;

pub use contact::{Contact, split_contact};
pub use encoding::{Detected, TextEncoding, detect};
pub use header::{ColumnMap, HEADER_ALIASES, HEADER_SEARCH_ROWS, find_header_row, is_header};
pub use preview::{Preview, preview};
pub use serial_date::serial_to_datetime;

use crate::error::{Error, Result};
use crate::model::{Case, FieldValue, RecordError, case_from_fields, case_from_json_line};
use row::{Columns, case_from_row};
use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// A record that could not be loaded, and where it is.
#[derive(Debug, Clone)]
pub struct BadRecord {
    pub path: PathBuf,
    /// The sheet of a workbook; `None` for JSONL and CSV.
    pub sheet: Option<String>,
    /// The line of a JSONL or CSV file, the row of a sheet (1-based, as Excel shows it).
    pub line: u64,
    pub error: RecordError,
}

impl fmt::Display for BadRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sheet {
            Some(sheet) => write!(
                f,
                "{}[{sheet}]:row {}: {}",
                self.path.display(),
                self.line,
                self.error
            ),
            None => write!(f, "{}:{}: {}", self.path.display(), self.line, self.error),
        }
    }
}

/// The format of an input file, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    /// .xlsx, .xlsm, .xls, .xlsb, .ods
    Workbook,
}

impl Format {
    pub fn of(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") | Some("tsv") => Format::Csv,
            Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods") => Format::Workbook,
            _ => Format::Jsonl,
        }
    }
}

/// How to read a file beyond its column mapping.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Read only this sheet of a workbook (every sheet otherwise).
    pub sheet: Option<String>,
    /// The encoding of CSV (and JSONL) text, instead of detecting it.
    pub encoding: Option<TextEncoding>,
}

/// A source of cases from one file or reader.
pub struct RecordSource {
    inner: Inner,
    path: PathBuf,
}

enum Inner {
    Jsonl {
        reader: Box<dyn BufRead>,
        line: u64,
        buf: Vec<u8>,
        map: ColumnMap,
    },
    Csv(Box<CsvRows>),
    Workbook(Box<xlsx::WorkbookRows>),
}

struct CsvRows {
    reader: csv::Reader<Box<dyn Read>>,
    columns: Columns,
    record: csv::StringRecord,
    /// Rows read while looking for the header, not yet returned.
    queued: VecDeque<std::result::Result<csv::StringRecord, (u64, String)>>,
    encoding: TextEncoding,
}

impl RecordSource {
    /// Opens a file; the format follows the extension (.csv/.tsv, .xlsx/.xls, otherwise JSONL).
    pub fn open(path: &Path, map: ColumnMap) -> Result<RecordSource> {
        Self::open_with(path, map, &ReadOptions::default())
    }

    /// Opens a file with a sheet or an encoding chosen.
    pub fn open_with(path: &Path, map: ColumnMap, opts: &ReadOptions) -> Result<RecordSource> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Self::from_reader_with(Box::new(file), path, Format::of(path), map, opts)
    }

    /// Reads records from any reader; `path` names it in errors.
    pub fn from_reader(
        reader: Box<dyn Read>,
        path: &Path,
        format: Format,
        map: ColumnMap,
    ) -> Result<RecordSource> {
        Self::from_reader_with(reader, path, format, map, &ReadOptions::default())
    }

    /// Reads records from any reader with a sheet or an encoding chosen. A workbook is read
    /// into memory first (its sheets are zip members); JSONL and CSV are streamed.
    pub fn from_reader_with(
        reader: Box<dyn Read>,
        path: &Path,
        format: Format,
        map: ColumnMap,
        opts: &ReadOptions,
    ) -> Result<RecordSource> {
        let inner = match format {
            Format::Jsonl => {
                let reader = match opts.encoding {
                    Some(told) => encoding::utf8_reader(reader, path, Some(told))?.0,
                    None => reader,
                };
                Inner::Jsonl {
                    reader: Box::new(BufReader::with_capacity(1 << 16, reader)),
                    line: 0,
                    buf: Vec::new(),
                    map,
                }
            }
            Format::Csv => Inner::Csv(Box::new(open_csv(reader, path, &map, opts)?)),
            Format::Workbook => {
                let mut bytes = Vec::new();
                let mut reader = reader;
                reader
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io(path, e))?;
                Inner::Workbook(Box::new(xlsx::WorkbookRows::open(
                    bytes,
                    path,
                    map,
                    opts.sheet.as_deref(),
                )?))
            }
        };
        Ok(RecordSource {
            inner,
            path: path.to_path_buf(),
        })
    }

    fn bad(&self, line: u64, error: RecordError) -> BadRecord {
        BadRecord {
            path: self.path.clone(),
            sheet: None,
            line,
            error,
        }
    }
}

/// A CSV reader for decoded text: tab-separated for `.tsv`, rows of any width, no header
/// assumed (it is searched for below title rows).
pub(super) fn csv_reader<R: Read>(reader: R, path: &Path) -> csv::Reader<R> {
    let delimiter = if path.extension().is_some_and(|e| e == "tsv") {
        b'\t'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(reader)
}

/// Decodes the text, reads up to [`HEADER_SEARCH_ROWS`] rows to find the header, and keeps
/// the rows after it for the iterator.
fn open_csv(
    reader: Box<dyn Read>,
    path: &Path,
    map: &ColumnMap,
    opts: &ReadOptions,
) -> Result<CsvRows> {
    let (reader, encoding) = encoding::utf8_reader(reader, path, opts.encoding)?;
    let mut reader = csv_reader(reader, path);
    let mut head = Vec::new();
    while head.len() < HEADER_SEARCH_ROWS {
        let mut record = csv::StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => head.push(Ok(record)),
            Err(e) => match csv_row_error(&e, encoding) {
                Some(bad) => head.push(Err(bad)),
                None => return Err(Error::Invalid(format!("{}: {e}", path.display()))),
            },
        }
    }
    let cells: Vec<Vec<String>> = head
        .iter()
        .map(|r| match r {
            Ok(r) => r.iter().map(str::to_string).collect(),
            Err(_) => Vec::new(),
        })
        .collect();
    let (columns, queued) = match find_header_row(map, &cells) {
        Some(h) => (
            Columns::new(map, &cells[h]),
            head.into_iter().skip(h + 1).collect(),
        ),
        // an empty file has no records, and needs no header
        None if head.iter().all(|r| {
            r.as_ref()
                .is_ok_and(|r| r.iter().all(|c| c.trim().is_empty()))
        }) =>
        {
            (Columns::new(map, &[]), VecDeque::new())
        }
        None => {
            return Err(Error::Invalid(format!(
                "{}: no header row in the first {HEADER_SEARCH_ROWS} rows (column names such as 编号, 姓名, 联系电话, 诉求内容, 登记时间; read as {encoding}); name the columns with --map FILE, or pass --encoding utf-8|gb18030|gbk if the text came out garbled",
                path.display()
            )));
        }
    };
    Ok(CsvRows {
        reader,
        columns,
        record: csv::StringRecord::new(),
        queued,
        encoding,
    })
}

/// A CSV error that spoils one record (reading goes on), with its line; `None` for an I/O
/// error, which stops reading.
fn csv_row_error(e: &csv::Error, encoding: TextEncoding) -> Option<(u64, String)> {
    let line = e.position().map_or(0, |p| p.line());
    match e.kind() {
        csv::ErrorKind::Io(_) => None,
        csv::ErrorKind::Utf8 { err, .. } => Some((
            line,
            format!("invalid {encoding} text in column {}", err.field() + 1),
        )),
        _ => Some((line, e.to_string())),
    }
}

fn record_error(reason: String) -> RecordError {
    RecordError {
        field: None,
        reason,
    }
}

impl Iterator for RecordSource {
    /// A case, a bad record (reading goes on), or an I/O error (reading stops).
    type Item = Result<Result<Case, BadRecord>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (line_no, outcome) = match &mut self.inner {
                Inner::Jsonl {
                    reader,
                    line,
                    buf,
                    map,
                } => {
                    buf.clear();
                    match reader.read_until(b'\n', buf) {
                        Ok(0) => return None,
                        Ok(_) => {}
                        Err(e) => return Some(Err(Error::io(&self.path, e))),
                    }
                    *line += 1;
                    let text = match std::str::from_utf8(buf) {
                        Ok(t) => t.trim(),
                        Err(e) => {
                            let reason = format!("invalid UTF-8 at byte {}", e.valid_up_to());
                            let line = *line;
                            return Some(Ok(Err(self.bad(line, record_error(reason)))));
                        }
                    };
                    if text.is_empty() {
                        continue;
                    }
                    let parsed = if map.columns.is_empty() {
                        case_from_json_line(text)
                    } else {
                        remap_json(text, map)
                    };
                    (*line, parsed)
                }
                Inner::Csv(rows) => {
                    let row = match rows.queued.pop_front() {
                        Some(row) => row,
                        None => match rows.reader.read_record(&mut rows.record) {
                            Ok(false) => return None,
                            Ok(true) => Ok(std::mem::take(&mut rows.record)),
                            Err(e) => match csv_row_error(&e, rows.encoding) {
                                Some(bad) => Err(bad),
                                None => {
                                    return Some(Err(Error::Invalid(format!(
                                        "{}: {e}",
                                        self.path.display()
                                    ))));
                                }
                            },
                        },
                    };
                    match row {
                        Ok(record) => {
                            let line = record.position().map_or(0, |p| p.line());
                            let parsed = case_from_row(&rows.columns, record.iter());
                            rows.record = record;
                            match parsed {
                                Some(parsed) => (line, parsed),
                                None => continue,
                            }
                        }
                        Err((line, reason)) => (line, Err(record_error(reason))),
                    }
                }
                Inner::Workbook(book) => {
                    return match book.next()? {
                        Ok(row) => Some(Ok(row.case.map_err(|error| BadRecord {
                            path: self.path.clone(),
                            sheet: Some(row.sheet),
                            line: u64::from(row.row),
                            error,
                        }))),
                        Err(e) => Some(Err(e)),
                    };
                }
            };
            return Some(Ok(outcome.map_err(|e| self.bad(line_no, e))));
        }
    }
}

fn remap_json(text: &str, map: &ColumnMap) -> Result<Case, RecordError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| record_error(format!("invalid JSON: {e}")))?;
    let serde_json::Value::Object(obj) = value else {
        return Err(record_error("expected a JSON object".into()));
    };
    case_from_fields(
        obj.into_iter()
            .map(|(k, v)| (map.field_for(&k), FieldValue::Json(v))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, path: &str) -> Vec<Result<Case, BadRecord>> {
        let reader: Box<dyn Read> = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let p = Path::new(path);
        RecordSource::from_reader(reader, p, Format::of(p), ColumnMap::default())
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn jsonl_reports_bad_lines_and_keeps_going() {
        let out = read(
            "{\"id\":\"A\"}\n\n{bad\n{\"id\":\"B\",\"received_at\":\"never\"}\n{\"id\":\"C\"}\n",
            "x.jsonl",
        );
        assert_eq!(out.len(), 4);
        assert_eq!(out[0].as_ref().unwrap().id, "A");
        let bad = out[1].as_ref().unwrap_err();
        assert_eq!(bad.line, 3);
        let bad = out[2].as_ref().unwrap_err();
        assert_eq!(
            (bad.line, bad.error.field.as_deref()),
            (4, Some("received_at"))
        );
        assert!(
            bad.to_string()
                .starts_with("x.jsonl:4: field `received_at`")
        );
        assert_eq!(out[3].as_ref().unwrap().id, "C");
    }

    #[test]
    fn jsonl_invalid_utf8_is_one_bad_record() {
        let mut bytes = b"{\"id\":\"A\"}\n".to_vec();
        bytes.extend_from_slice(b"{\"id\":\"\xff\"}\n{\"id\":\"B\"}\n");
        let reader: Box<dyn Read> = Box::new(std::io::Cursor::new(bytes));
        let out: Vec<_> = RecordSource::from_reader(
            reader,
            Path::new("u.jsonl"),
            Format::Jsonl,
            ColumnMap::default(),
        )
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
        assert_eq!(out.len(), 3);
        assert!(out[1].as_ref().unwrap_err().error.reason.contains("UTF-8"));
        assert_eq!(out[2].as_ref().unwrap().id, "B");
    }

    #[test]
    fn csv_with_chinese_headers() {
        let out = read(
            "编号,姓名,身份证号,联系电话,问题属地,诉求内容,登记时间\nW1,张伟,430104198807152315,13912345678,长沙岳麓,噪音扰民,2023/05/14 09:31\nW2,李四,,,,,昨天\n",
            "x.csv",
        );
        let c = out[0].as_ref().unwrap();
        assert_eq!(c.name.as_deref(), Some("张伟"));
        assert_eq!(c.location.as_deref(), Some("长沙岳麓"));
        assert_eq!(c.content.as_deref(), Some("噪音扰民"));
        assert!(c.received_at.is_some());
        let bad = out[1].as_ref().unwrap_err();
        assert_eq!(bad.line, 3);
        assert_eq!(bad.error.field.as_deref(), Some("received_at"));
    }
}
