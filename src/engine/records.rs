//! Reading records: JSONL, CSV/TSV (UTF-8 or GB18030/GBK) and workbooks, with a column
//! mapping, streamed as `Result<Case, BadRecord>` items; and the preview of an upload.

use super::Engine;
use crate::error::Result;
use std::io::Read;
use std::path::Path;

pub use crate::source::{
    BadRecord, ColumnMap, Format, Preview, ReadOptions, RecordSource, TextEncoding,
};

/// The fields a column can map to (FORMAT.md), in the order of the alias table.
pub const FIELD_NAMES: [&str; crate::source::HEADER_ALIASES.len()] = {
    let mut out = [""; crate::source::HEADER_ALIASES.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = crate::source::HEADER_ALIASES[i].0;
        i += 1;
    }
    out
};

impl Engine {
    /// Opens a file; the format follows its extension (.csv/.tsv, .xlsx/.xls/.ods, else JSONL).
    pub fn read_file(path: &Path, map: ColumnMap, opts: &ReadOptions) -> Result<RecordSource> {
        RecordSource::open_with(path, map, opts)
    }

    /// Reads records from any reader; `name` names it in errors (its extension picks the
    /// CSV delimiter).
    pub fn read_from(
        reader: Box<dyn Read>,
        name: &Path,
        format: Format,
        map: ColumnMap,
        opts: &ReadOptions,
    ) -> Result<RecordSource> {
        RecordSource::from_reader_with(reader, name, format, map, opts)
    }

    /// The head of an input: its header, the field each column maps to, the first `rows`.
    pub fn preview(
        reader: Box<dyn Read>,
        name: &Path,
        format: Format,
        map: &ColumnMap,
        opts: &ReadOptions,
        rows: usize,
    ) -> Result<Preview> {
        crate::source::preview(reader, name, format, map, opts, rows)
    }

    /// Whether `field` is a field a column can map to.
    pub fn is_field(field: &str) -> bool {
        FIELD_NAMES.contains(&field)
    }
}
