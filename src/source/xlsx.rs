//! Excel workbooks (.xlsx, .xls, .xlsb, .ods) through calamine: every sheet, or the one named
//! by `--sheet`, each read whole in its turn, its header found below any title rows.

use super::header::{ColumnMap, HEADER_SEARCH_ROWS, find_header_row};
use super::row::{Columns, case_from_row};
use super::serial_date::{china_time_text, excel_datetime_text, serial_to_datetime};
use crate::error::{Error, Result};
use crate::model::{Case, RecordError};
use calamine::{Data, Range, Reader, Sheets};
use std::collections::VecDeque;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

type Book = Sheets<Cursor<Arc<[u8]>>>;

/// The rows of a workbook's sheets, one sheet in memory at a time.
pub struct WorkbookRows {
    path: PathBuf,
    book: Book,
    map: ColumnMap,
    /// Sheets still to read, after `current`.
    queue: VecDeque<String>,
    current: Option<SheetRows>,
}

struct SheetRows {
    name: String,
    range: Range<Data>,
    columns: Columns,
    /// The next row to read, relative to the range.
    next: usize,
    /// The sheet row number (1-based) of the range's first row.
    first_row: u32,
}

/// One row read: its sheet, its row number on the sheet, and the case or what is wrong.
pub struct SheetRow {
    pub sheet: String,
    pub row: u32,
    pub case: Result<Case, RecordError>,
}

impl WorkbookRows {
    /// Opens a workbook and checks, before any row is read, that every sheet to read has a
    /// header; empty sheets are passed over.
    pub fn open(
        bytes: Vec<u8>,
        path: &Path,
        map: ColumnMap,
        sheet: Option<&str>,
    ) -> Result<WorkbookRows> {
        let bytes: Arc<[u8]> = Arc::from(bytes);
        let book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
            Error::Invalid(format!(
                "{}: cannot read the workbook ({e}); is it an Excel file?",
                path.display()
            ))
        })?;
        let names = book.sheet_names();
        let selected: Vec<String> = match sheet {
            Some(s) if names.iter().any(|n| n == s) => vec![s.to_string()],
            Some(s) => {
                return Err(Error::Invalid(format!(
                    "{}: no sheet named {s:?}; pass --sheet with one of: {}",
                    path.display(),
                    names.join(", ")
                )));
            }
            None => names,
        };
        let mut rows = WorkbookRows {
            path: path.to_path_buf(),
            book,
            map,
            queue: VecDeque::new(),
            current: None,
        };
        for name in selected {
            let Some(sheet) = rows.load(&name)? else {
                continue;
            };
            if rows.current.is_none() {
                rows.current = Some(sheet);
            } else {
                // read again in its turn, so that one sheet at a time is in memory
                rows.queue.push_back(name);
            }
        }
        Ok(rows)
    }

    /// Reads a sheet and finds its header; `None` for an empty sheet.
    fn load(&mut self, name: &str) -> Result<Option<SheetRows>> {
        let range = self.book.worksheet_range(name).map_err(|e| {
            Error::Invalid(format!(
                "{}[{name}]: cannot read the sheet: {e}",
                self.path.display()
            ))
        })?;
        let Some((first_row, _)) = range.start() else {
            return Ok(None);
        };
        let head: Vec<Vec<String>> = range
            .rows()
            .take(HEADER_SEARCH_ROWS)
            .map(|r| r.iter().map(|c| cell_text(c, false)).collect())
            .collect();
        if head.iter().flatten().all(|c| c.trim().is_empty()) {
            return Ok(None);
        }
        let Some(h) = find_header_row(&self.map, &head) else {
            return Err(Error::Invalid(format!(
                "{}[{name}]: no header row in the first {HEADER_SEARCH_ROWS} rows (column names such as 编号, 姓名, 联系电话, 诉求内容, 登记时间); name the columns with --map FILE, or read only the other sheets with --sheet NAME",
                self.path.display()
            )));
        };
        let mut headers = head[h].clone();
        // trailing blank header cells are formatting, not columns
        while headers.last().is_some_and(|c| c.trim().is_empty()) {
            headers.pop();
        }
        Ok(Some(SheetRows {
            name: name.to_string(),
            columns: Columns::new(&self.map, &headers),
            range,
            next: h + 1,
            first_row: first_row + 1,
        }))
    }
}

impl Iterator for WorkbookRows {
    /// A row, or a sheet that cannot be read (reading stops).
    type Item = Result<SheetRow>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(sheet) = self.current.as_mut() else {
                let name = self.queue.pop_front()?;
                match self.load(&name) {
                    Ok(s) => self.current = s,
                    Err(e) => return Some(Err(e)),
                }
                continue;
            };
            if sheet.next >= sheet.range.height() {
                self.current = None;
                continue;
            }
            let r = sheet.next;
            sheet.next += 1;
            let columns = &sheet.columns;
            let range = &sheet.range;
            let cells = (0..columns.fields.len()).map(|c| {
                range
                    .get((r, c))
                    .map_or_else(String::new, |cell| cell_text(cell, columns.is_date(c)))
            });
            if let Some(case) = case_from_row(columns, cells) {
                return Some(Ok(SheetRow {
                    sheet: sheet.name.clone(),
                    row: sheet.first_row + r as u32,
                    case,
                }));
            }
        }
    }
}

/// A cell as text; in a date column numbers are serial dates, and date cells are dates
/// in any column.
pub fn cell_text(cell: &Data, date_column: bool) -> String {
    let number = |f: f64| {
        if date_column && let Some(t) = serial_to_datetime(f) {
            return china_time_text(t);
        }
        number_text(f)
    };
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => number(*f),
        Data::Int(i) => number(*i as f64),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            excel_datetime_text(d).unwrap_or_else(|| number_text(d.as_f64()))
        }
        Data::DateTime(d) => number_text(d.as_f64()),
    }
}

/// Whole numbers without ".0": ids and phones typed as numbers.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn cells_as_text() {
        let date = ExcelDateTime::new(45292.5, ExcelDateTimeType::DateTime, false);
        let table: [(Data, bool, &str); 8] = [
            (Data::Float(13912345678.0), false, "13912345678"),
            (Data::Float(2.5), false, "2.5"),
            (Data::Float(45292.5), true, "2024-01-01T12:00:00+08:00"),
            (Data::Int(45292), true, "2024-01-01T00:00:00+08:00"),
            (Data::DateTime(date), false, "2024-01-01T12:00:00+08:00"),
            (Data::String("45292.5".into()), false, "45292.5"),
            (Data::Empty, true, ""),
            (Data::Float(-3.0), true, "-3"),
        ];
        for (cell, date_column, expected) in table {
            assert_eq!(cell_text(&cell, date_column), expected, "{cell:?}");
        }
    }
}
