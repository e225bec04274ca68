//! The first rows of an input as text, with its header and the field each column maps to:
//! what a user checks (and corrects with a column mapping) before reading the whole file.
//! Encoding detection, title rows and serial dates are handled as the readers handle them.

use super::header::{ColumnMap, HEADER_SEARCH_ROWS, find_header_row};
use super::row::Columns;
use super::xlsx::cell_text;
use super::{Format, ReadOptions, encoding};
use crate::error::{Error, Result};
use calamine::Reader;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;

/// The head of an input.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The text encoding of CSV or JSONL (`None` for a workbook).
    pub encoding: Option<encoding::TextEncoding>,
    /// The sheet shown, and every sheet of a workbook.
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    /// The header's row among the leading rows (0-based; 0 for JSONL).
    pub header_row: usize,
    /// Column names as written (JSON keys for JSONL, in order of appearance).
    pub headers: Vec<String>,
    /// The field each column maps to: the mapping, else the alias table, else the header
    /// itself (an extra column).
    pub fields: Vec<String>,
    /// Up to the asked number of rows after the header, one cell per header.
    pub rows: Vec<Vec<String>>,
}

/// Reads the head of an input: up to `limit` records after its header.
pub fn preview(
    reader: Box<dyn Read>,
    path: &Path,
    format: Format,
    map: &ColumnMap,
    opts: &ReadOptions,
    limit: usize,
) -> Result<Preview> {
    match format {
        Format::Jsonl => preview_jsonl(reader, path, map, opts, limit),
        Format::Csv => preview_csv(reader, path, map, opts, limit),
        Format::Workbook => preview_workbook(reader, path, map, opts, limit),
    }
}

fn no_header(where_: &str, encoding: Option<encoding::TextEncoding>) -> Error {
    let read_as = encoding.map_or(String::new(), |e| format!("; read as {e}"));
    Error::Invalid(format!(
        "{where_}: no header row in the first {HEADER_SEARCH_ROWS} rows (column names such as 编号, 姓名, 联系电话, 诉求内容, 登记时间{read_as})"
    ))
}

fn preview_csv(
    reader: Box<dyn Read>,
    path: &Path,
    map: &ColumnMap,
    opts: &ReadOptions,
    limit: usize,
) -> Result<Preview> {
    let (reader, enc) = encoding::utf8_reader(reader, path, opts.encoding)?;
    let mut reader = super::csv_reader(reader, path);
    let mut head: Vec<Vec<String>> = Vec::new();
    let mut header: Option<usize> = None;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                return Err(Error::Invalid(format!("{}: {e}", path.display())));
            }
            Err(_) => continue,
        }
        // a bad byte shows as U+FFFD here; the reader rejects that record
        let cells: Vec<String> = record
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        match header {
            Some(_) => {
                if cells.iter().any(|c| !c.trim().is_empty()) {
                    rows.push(cells);
                    if rows.len() >= limit {
                        break;
                    }
                }
            }
            None => {
                head.push(cells);
                if let Some(h) = find_header_row(map, &head) {
                    header = Some(h);
                } else if head.len() >= HEADER_SEARCH_ROWS {
                    break;
                }
            }
        }
    }
    let Some(h) = header else {
        return Err(no_header(&path.display().to_string(), Some(enc)));
    };
    Ok(finish(
        map,
        head.swap_remove(h),
        rows,
        h,
        Some(enc),
        None,
        Vec::new(),
    ))
}

fn preview_workbook(
    reader: Box<dyn Read>,
    path: &Path,
    map: &ColumnMap,
    opts: &ReadOptions,
    limit: usize,
) -> Result<Preview> {
    let mut book = open_workbook(reader, path)?;
    let sheets = book.sheet_names();
    for name in wanted_sheets(opts, &sheets, path)? {
        let range = book.worksheet_range(&name).map_err(|e| {
            Error::Invalid(format!(
                "{}[{name}]: cannot read the sheet: {e}",
                path.display()
            ))
        })?;
        let head: Vec<Vec<String>> = range
            .rows()
            .take(HEADER_SEARCH_ROWS)
            .map(|r| r.iter().map(|c| cell_text(c, false)).collect())
            .collect();
        if head.iter().flatten().all(|c| c.trim().is_empty()) {
            continue;
        }
        let Some(h) = find_header_row(map, &head) else {
            return Err(no_header(&format!("{}[{name}]", path.display()), None));
        };
        let mut headers = head[h].clone();
        while headers.last().is_some_and(|c| c.trim().is_empty()) {
            headers.pop();
        }
        let rows = sheet_rows(&range, map, &headers, h, limit);
        return Ok(finish(
            map,
            headers,
            rows,
            h,
            None,
            Some(name),
            sheets.clone(),
        ));
    }
    Err(Error::Invalid(format!(
        "{}: every sheet is empty",
        path.display()
    )))
}

type Workbook = calamine::Sheets<Cursor<Arc<[u8]>>>;

/// The whole input read as a workbook.
fn open_workbook(mut reader: Box<dyn Read>, path: &Path) -> Result<Workbook> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let bytes: Arc<[u8]> = Arc::from(bytes);
    calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        Error::Invalid(format!(
            "{}: cannot read the workbook ({e}); is it an Excel file?",
            path.display()
        ))
    })
}

/// The sheet asked for (an error when the workbook has none of that name), else every
/// sheet in order.
fn wanted_sheets(opts: &ReadOptions, sheets: &[String], path: &Path) -> Result<Vec<String>> {
    if let Some(s) = &opts.sheet
        && !sheets.contains(s)
    {
        return Err(Error::Invalid(format!(
            "{}: no sheet named {s:?}; the sheets are: {}",
            path.display(),
            sheets.join(", ")
        )));
    }
    Ok(match &opts.sheet {
        Some(s) => vec![s.clone()],
        None => sheets.to_vec(),
    })
}

/// Up to `limit` non-blank rows after the header row `h`, one cell per header (dates
/// read as dates in the columns that map to a date field).
fn sheet_rows(
    range: &calamine::Range<calamine::Data>,
    map: &ColumnMap,
    headers: &[String],
    h: usize,
    limit: usize,
) -> Vec<Vec<String>> {
    let columns = Columns::new(map, headers);
    range
        .rows()
        .skip(h + 1)
        .map(|r| {
            (0..headers.len())
                .map(|c| {
                    r.get(c)
                        .map_or_else(String::new, |cell| cell_text(cell, columns.is_date(c)))
                })
                .collect::<Vec<_>>()
        })
        .filter(|cells| cells.iter().any(|c| !c.trim().is_empty()))
        .take(limit)
        .collect()
}

fn preview_jsonl(
    reader: Box<dyn Read>,
    path: &Path,
    map: &ColumnMap,
    opts: &ReadOptions,
    limit: usize,
) -> Result<Preview> {
    let (reader, enc) = encoding::utf8_reader(reader, path, opts.encoding)?;
    let mut headers: Vec<String> = Vec::new();
    let mut objects = Vec::new();
    for (n, line) in BufReader::new(reader).split(b'\n').enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| {
            Error::Invalid(format!("{}:{}: invalid JSON: {e}", path.display(), n + 1))
        })?;
        let serde_json::Value::Object(obj) = value else {
            return Err(Error::Invalid(format!(
                "{}:{}: expected a JSON object per line",
                path.display(),
                n + 1
            )));
        };
        for k in obj.keys() {
            if !headers.contains(k) {
                headers.push(k.clone());
            }
        }
        objects.push(obj);
        if objects.len() >= limit {
            break;
        }
    }
    let rows = objects
        .iter()
        .map(|o| {
            headers
                .iter()
                .map(|h| match o.get(h) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                })
                .collect()
        })
        .collect();
    Ok(finish(map, headers, rows, 0, Some(enc), None, Vec::new()))
}

fn finish(
    map: &ColumnMap,
    headers: Vec<String>,
    mut rows: Vec<Vec<String>>,
    header_row: usize,
    encoding: Option<encoding::TextEncoding>,
    sheet: Option<String>,
    sheets: Vec<String>,
) -> Preview {
    let headers: Vec<String> = headers
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    for row in &mut rows {
        row.resize(headers.len(), String::new());
    }
    Preview {
        encoding,
        sheet,
        sheets,
        header_row,
        fields: headers.iter().map(|h| map.field_for(h)).collect(),
        headers,
        rows,
    }
}
