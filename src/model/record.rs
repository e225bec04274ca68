//! Turning raw records (a JSON object or a CSV row already mapped to field names) into a
//! [`Case`], with an error that names the field and says what is wrong.

use super::case::{Case, Status};
use super::channel::normalize_channel;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde_json::{Map, Value};

/// Why one record cannot be loaded. The reader adds the file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct RecordError {
    pub field: Option<String>,
    pub reason: String,
}

impl RecordError {
    fn field(field: &str, reason: impl Into<String>) -> Self {
        RecordError {
            field: Some(field.to_string()),
            reason: reason.into(),
        }
    }
    fn record(reason: impl Into<String>) -> Self {
        RecordError {
            field: None,
            reason: reason.into(),
        }
    }
}

/// A raw field value: JSON values keep their type, CSV cells are text.
#[derive(Debug, Clone)]
pub enum FieldValue {
    Json(Value),
    Text(String),
}

/// China Standard Time, the default offset of timestamps without one.
const CST: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// Full-width ASCII (２０２３－０５－１４, ideographic space) to half-width, so dates and
/// numbers typed on a Chinese keyboard parse. `model` is the bottom layer and imports nothing
/// of the crate; `analysis::fold_width_char` folds the same way for the index.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The years a date may fall in: complaint records are of this era, and outside it a
/// timestamp in nanoseconds (the index's date type) would overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// Parses the date formats seen in platform exports; times without an offset are China time.
/// A date outside [`YEARS`] is refused.
pub fn parse_datetime(raw: &str) -> Option<DateTime<FixedOffset>> {
    use chrono::Datelike;
    parse_any_datetime(raw).filter(|t| YEARS.contains(&t.year()))
}

fn parse_any_datetime(raw: &str) -> Option<DateTime<FixedOffset>> {
    let s: String = raw.trim().chars().map(half_width).collect();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Some(t);
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%d %H:%M:%S %z"] {
        if let Ok(t) = DateTime::parse_from_str(&s, fmt) {
            return Some(t);
        }
    }
    let s = s
        .replace(['年', '月', '/', '.'], "-")
        .replace('日', " ")
        .replace(['时', '点'], ":")
        .replace('分', ":")
        .replace('秒', "")
        .replace('T', " ");
    let s = s.trim().trim_end_matches(':').to_string();
    const DT: [&str; 5] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d  %H:%M:%S",
        "%Y-%m-%d  %H:%M",
        "%Y%m%d%H%M%S",
    ];
    for fmt in DT {
        if let Ok(n) = NaiveDateTime::parse_from_str(&s, fmt) {
            return CST.from_local_datetime(&n).single();
        }
    }
    for fmt in ["%Y-%m-%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(&s, fmt) {
            return CST.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single();
        }
    }
    None
}

/// A date filter bound in seconds since the epoch; a bare date as an upper bound includes
/// its whole day.
pub fn parse_date_bound(raw: &str, end_of_day: bool) -> Option<i64> {
    let t = parse_datetime(raw)?;
    // a bare date (2023-05-14, 2023年05月14日, full-width or not) names its whole day
    let date_only = !raw
        .chars()
        .any(|c| matches!(c, ':' | '：' | '时' | '点' | 'T' | 't'));
    Some(t.timestamp() + if end_of_day && date_only { 86_399 } else { 0 })
}

fn text_of(field: &str, v: &FieldValue) -> Result<Option<String>, RecordError> {
    match v {
        FieldValue::Text(s) => Ok(non_empty(s)),
        FieldValue::Json(Value::Null) => Ok(None),
        FieldValue::Json(Value::String(s)) => Ok(non_empty(s)),
        FieldValue::Json(Value::Number(n)) => Ok(Some(n.to_string())),
        FieldValue::Json(other) => Err(RecordError::field(
            field,
            format!("expected a string, found {}", json_type(other)),
        )),
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn headcount_of(v: &FieldValue) -> Result<Option<u32>, RecordError> {
    let bad = |what: String| RecordError::field("headcount", what);
    match v {
        FieldValue::Json(Value::Null) => Ok(None),
        FieldValue::Json(Value::Number(n)) => n
            .as_u64()
            // 12.0 is an integer too (JSON Schema says so; some exporters write it)
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| bad(format!("expected a non-negative integer, found {n}"))),
        FieldValue::Json(Value::String(s)) | FieldValue::Text(s) => {
            let t: String = s.trim().chars().map(half_width).collect();
            if t.is_empty() {
                return Ok(None);
            }
            t.trim_end_matches('人')
                .parse::<u32>()
                .map(Some)
                .map_err(|_| bad(format!("expected a non-negative integer, found {s:?}")))
        }
        FieldValue::Json(other) => Err(bad(format!(
            "expected a non-negative integer, found {}",
            json_type(other)
        ))),
    }
}

/// Builds a case from named fields. Unknown fields go to `extra`.
pub fn case_from_fields<I>(fields: I) -> Result<Case, RecordError>
where
    I: IntoIterator<Item = (String, FieldValue)>,
{
    let mut case = Case::default();
    let mut has_id = false;
    for (key, value) in fields {
        match key.as_str() {
            "id" => {
                case.id =
                    text_of("id", &value)?.ok_or_else(|| RecordError::field("id", "is empty"))?;
                has_id = true;
            }
            "platform" => case.platform = text_of(&key, &value)?,
            "channel" => case.channel = text_of(&key, &value)?.map(|c| normalize_channel(&c)),
            "received_at" => {
                case.received_at = match text_of(&key, &value)? {
                    None => None,
                    Some(s) => Some(parse_datetime(&s).ok_or_else(|| {
                        RecordError::field("received_at", format!("unparseable date {s:?}"))
                    })?),
                }
            }
            "name" => case.name = text_of(&key, &value)?,
            "id_number" => case.id_number = text_of(&key, &value)?,
            "phone" => case.phone = text_of(&key, &value)?,
            "address" => case.address = text_of(&key, &value)?,
            "location" => case.location = text_of(&key, &value)?,
            "headcount" => case.headcount = headcount_of(&value)?,
            "title" => case.title = text_of(&key, &value)?,
            "content" => case.content = text_of(&key, &value)?,
            "category" => case.category = text_of(&key, &value)?,
            "handler" => case.handler = text_of(&key, &value)?,
            "account" => case.account = text_of(&key, &value)?,
            "status" => {
                case.status = match text_of(&key, &value)? {
                    None => None,
                    Some(s) => Some(Status::parse(&s).ok_or_else(|| {
                        RecordError::field(
                            "status",
                            format!("unknown status {s:?} (受理/办理中/办结)"),
                        )
                    })?),
                }
            }
            _ => {
                let v = match value {
                    FieldValue::Json(v) => v,
                    FieldValue::Text(s) => Value::String(s),
                };
                if !v.is_null() {
                    case.extra.insert(key, v);
                }
            }
        }
    }
    if !has_id {
        return Err(RecordError::field("id", "is missing"));
    }
    Ok(case)
}

/// Parses one JSONL line into a case.
pub fn case_from_json_line(line: &str) -> Result<Case, RecordError> {
    let value: Value = serde_json::from_str(line)
        .map_err(|e| RecordError::record(format!("invalid JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(RecordError::record(format!(
            "expected a JSON object, found {}",
            json_type(&value)
        )));
    };
    case_from_map(map)
}

fn case_from_map(map: Map<String, Value>) -> Result<Case, RecordError> {
    case_from_fields(map.into_iter().map(|(k, v)| (k, FieldValue::Json(v))))
}

#[cfg(test)]
mod tests {

    #[test]
    fn dates_outside_the_era_are_refused_and_whole_floats_are_counts() {
        assert!(super::parse_datetime("0076-05-19T16:58:03Z").is_none());
        assert!(super::parse_datetime("9999-12-31").is_none());
        assert!(super::parse_datetime("1899-12-31T23:59:59+08:00").is_none());
        assert!(super::parse_datetime("1900-01-01").is_some());
        assert!(super::parse_datetime("2199-12-31T23:59:59Z").is_some());
        let case = super::case_from_json_line(r#"{"id":"A","headcount":12.0}"#).unwrap();
        assert_eq!(case.headcount, Some(12));
        assert!(super::case_from_json_line(r#"{"id":"A","headcount":1.5}"#).is_err());
        assert!(super::case_from_json_line(r#"{"id":"A","received_at":"0001-01-01"}"#).is_err());
    }

    #[test]
    fn full_width_dates_parse_as_their_half_width_spelling() {
        let full = super::parse_datetime("２０２３－０５－１４　０８：３０：００");
        assert!(full.is_some());
        assert_eq!(full, super::parse_datetime("2023-05-14 08:30:00"));
        assert_eq!(super::half_width('中'), '中');
    }

    #[test]
    fn a_bare_date_bound_covers_its_whole_day_in_every_spelling() {
        for raw in [
            "2023-05-14",
            "2023年5月14日",
            "2023年05月14日",
            "２０２３年０５月１４日",
        ] {
            let start = parse_date_bound(raw, false).unwrap();
            assert_eq!(parse_date_bound(raw, true), Some(start + 86_399), "{raw}");
        }
        let t = parse_date_bound("2023-05-14 10:00:00", true).unwrap();
        assert_eq!(parse_date_bound("2023-05-14 10:00:00", false), Some(t));
    }

    use super::*;

    #[test]
    fn parses_a_full_record() {
        let c = case_from_json_line(
            r#"{"id":"A1","channel":"12345","received_at":"2023-05-14T09:31:00+08:00","headcount":"3","status":"办结","foo":1}"#,
        )
        .unwrap();
        assert_eq!(c.id, "A1");
        assert_eq!(c.channel.as_deref(), Some("电话"));
        assert_eq!(c.headcount, Some(3));
        assert_eq!(c.status, Some(Status::Closed));
        assert_eq!(c.extra.get("foo"), Some(&Value::from(1)));
    }

    #[test]
    fn errors_name_the_field() {
        let e = case_from_json_line(r#"{"id":"A1","received_at":"yesterday"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("received_at"));
        let e = case_from_json_line(r#"{"name":"张伟"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id"));
        let e = case_from_json_line(r#"{"id":"A","headcount":[1]}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("headcount"));
        let e = case_from_json_line(r#"{"id":"A","content":{"x":1}}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("content"));
        let e = case_from_json_line("{not json").unwrap_err();
        assert!(e.field.is_none() && e.reason.contains("invalid JSON"));
    }

    #[test]
    fn parses_export_date_formats() {
        let expect = parse_datetime("2023-05-14T09:31:00+08:00").unwrap();
        for s in [
            "2023-05-14 09:31:00",
            "2023/05/14 09:31",
            "2023年05月14日 09:31",
            "２０２３-０５-１４ ０９:３１",
            "20230514093100",
        ] {
            assert_eq!(parse_datetime(s), Some(expect), "{s}");
        }
        assert_eq!(
            parse_datetime("2023-05-14").map(|t| t.timestamp()),
            parse_datetime("2023-05-14T00:00:00+08:00").map(|t| t.timestamp())
        );
        assert_eq!(parse_datetime("2023-13-45"), None);
        assert_eq!(parse_datetime("soon"), None);
    }
}
