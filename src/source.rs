//! Streaming record sources: JSONL and CSV (with a header) files read one record at a time,
//! with each bad record reported by file, line and field while the rest keep coming.

use crate::error::{Error, Result};
use crate::model::{Case, FieldValue, RecordError, case_from_fields, case_from_json_line};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// A record that could not be loaded, and where it is.
#[derive(Debug, Clone)]
pub struct BadRecord {
    pub path: PathBuf,
    pub line: u64,
    pub error: RecordError,
}

impl fmt::Display for BadRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.error)
    }
}

/// Header aliases seen in platform exports, mapped to FORMAT.md field names.
const HEADER_ALIASES: [(&str, &[&str]); 16] = [
    (
        "account",
        &["account", "账号", "用户账号", "用户ID", "留言用户"],
    ),
    (
        "id",
        &[
            "id",
            "编号",
            "信访编号",
            "工单号",
            "工单编号",
            "案件编号",
            "件号",
        ],
    ),
    ("platform", &["platform", "平台", "来源平台", "系统"]),
    (
        "channel",
        &[
            "channel",
            "渠道",
            "信访形式",
            "来源渠道",
            "来源",
            "登记方式",
        ],
    ),
    (
        "received_at",
        &[
            "received_at",
            "登记时间",
            "受理时间",
            "来信日期",
            "来访日期",
            "投诉时间",
            "来电时间",
            "提交时间",
            "时间",
        ],
    ),
    (
        "name",
        &[
            "name",
            "姓名",
            "来信人",
            "信访人",
            "投诉人",
            "联系人",
            "来电人",
            "反映人",
        ],
    ),
    (
        "id_number",
        &[
            "id_number",
            "身份证号",
            "身份证号码",
            "证件号码",
            "证件号",
            "身份证",
        ],
    ),
    (
        "phone",
        &[
            "phone",
            "联系电话",
            "手机",
            "手机号",
            "手机号码",
            "联系方式",
            "电话",
            "来电号码",
        ],
    ),
    (
        "address",
        &[
            "address",
            "地址",
            "住址",
            "联系地址",
            "家庭住址",
            "通讯地址",
        ],
    ),
    (
        "location",
        &[
            "location",
            "问题属地",
            "事发地",
            "事发地点",
            "问题发生地",
            "所属区域",
            "属地",
        ],
    ),
    ("headcount", &["headcount", "人数", "来访人数", "联名人数"]),
    ("title", &["title", "标题", "主题", "信件标题"]),
    (
        "content",
        &[
            "content",
            "诉求内容",
            "反映内容",
            "内容",
            "问题描述",
            "来电内容",
            "投诉内容",
            "信访内容",
        ],
    ),
    (
        "category",
        &["category", "类别", "问题分类", "问题类别", "分类"],
    ),
    (
        "handler",
        &["handler", "首办单位", "承办单位", "办理单位", "责任单位"],
    ),
    ("status", &["status", "状态", "办理状态"]),
];

/// How the columns (or JSON keys) of one input map to case fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ColumnMap {
    /// source column → field name
    #[serde(default)]
    pub columns: HashMap<String, String>,
}

impl ColumnMap {
    /// Reads a TOML mapping: `[columns]` then `来信人 = "name"` lines.
    pub fn from_toml_file(path: &Path) -> Result<ColumnMap> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let map: ColumnMap = toml::from_str(&text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        for (column, field) in &map.columns {
            if !HEADER_ALIASES.iter().any(|(f, _)| f == field) {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    reason: format!("column {column:?} maps to unknown field {field:?}"),
                });
            }
        }
        Ok(map)
    }

    /// The field a source column holds: the explicit mapping first, then the known aliases.
    pub fn field_for(&self, column: &str) -> String {
        let c = column.trim().trim_start_matches('\u{feff}');
        if let Some(f) = self.columns.get(c) {
            return f.clone();
        }
        HEADER_ALIASES
            .iter()
            .find(|(_, aliases)| aliases.iter().any(|a| a.eq_ignore_ascii_case(c)))
            .map_or_else(|| c.to_string(), |(f, _)| (*f).to_string())
    }
}

/// The format of an input file, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
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
            _ => Format::Jsonl,
        }
    }
}

/// A streaming source of cases from one reader.
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
    Csv {
        reader: Box<csv::Reader<Box<dyn Read>>>,
        fields: Vec<String>,
        record: csv::StringRecord,
    },
}

impl RecordSource {
    /// Opens a file; the format follows the extension (.csv/.tsv, otherwise JSONL).
    pub fn open(path: &Path, map: ColumnMap) -> Result<RecordSource> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Self::from_reader(Box::new(file), path, Format::of(path), map)
    }

    /// Reads records from any reader; `path` names it in errors.
    pub fn from_reader(
        reader: Box<dyn Read>,
        path: &Path,
        format: Format,
        map: ColumnMap,
    ) -> Result<RecordSource> {
        let inner = match format {
            Format::Jsonl => Inner::Jsonl {
                reader: Box::new(BufReader::with_capacity(1 << 16, reader)),
                line: 0,
                buf: Vec::new(),
                map,
            },
            Format::Csv => {
                let delimiter = if path.extension().is_some_and(|e| e == "tsv") {
                    b'\t'
                } else {
                    b','
                };
                let mut reader = csv::ReaderBuilder::new()
                    .delimiter(delimiter)
                    .flexible(true)
                    .from_reader(reader);
                let headers = reader.headers().map_err(|e| {
                    Error::Invalid(format!(
                        "{}: cannot read the CSV header: {e}",
                        path.display()
                    ))
                })?;
                let fields = headers.iter().map(|h| map.field_for(h)).collect();
                Inner::Csv {
                    reader: Box::new(reader),
                    fields,
                    record: csv::StringRecord::new(),
                }
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
            line,
            error,
        }
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
                Inner::Csv {
                    reader,
                    fields,
                    record,
                } => match reader.read_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        let line = record.position().map_or(0, |p| p.line());
                        let parsed = case_from_fields(
                            fields
                                .iter()
                                .zip(record.iter())
                                .map(|(f, v)| (f.clone(), FieldValue::Text(v.to_string()))),
                        );
                        (line, parsed)
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                            return Some(Err(Error::Invalid(format!(
                                "{}: {e}",
                                self.path.display()
                            ))));
                        }
                        (line, Err(record_error(e.to_string())))
                    }
                },
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

    #[test]
    fn explicit_mapping_wins() {
        let map: ColumnMap =
            toml::from_str("[columns]\n\"反映人\" = \"name\"\n\"备注\" = \"content\"\n").unwrap();
        assert_eq!(map.field_for("备注"), "content");
        assert_eq!(map.field_for("来信人"), "name");
        assert_eq!(map.field_for("其他"), "其他");
    }
}
