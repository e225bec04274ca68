//! One table row (a CSV record or a sheet row) to a case, by the columns of its header:
//! serial dates in the date column, a mixed contact column split, blank rows skipped.

use super::contact::split_contact;
use super::header::ColumnMap;
use super::serial_date::serial_text_to_date;
use crate::model::{Case, FieldValue, RecordError, case_from_fields};

/// The columns of a table, from its header row.
#[derive(Debug, Clone)]
pub struct Columns {
    /// Field name per column (the header itself for unknown columns).
    pub fields: Vec<String>,
    /// The header cells as written.
    pub headers: Vec<String>,
    /// Per column: whether it holds dates (see [`Columns::is_date`]).
    dates: Vec<bool>,
}

impl Columns {
    pub fn new(map: &ColumnMap, headers: &[String]) -> Columns {
        let fields: Vec<String> = headers.iter().map(|h| map.field_for(h)).collect();
        let dates = fields
            .iter()
            .map(|f| {
                f == "received_at"
                    || (!super::header::HEADER_ALIASES.iter().any(|(k, _)| k == f)
                        && (f.contains("时间") || f.contains("日期")))
            })
            .collect();
        Columns {
            fields,
            headers: headers.iter().map(|h| h.trim().to_string()).collect(),
            dates,
        }
    }

    /// Whether a column holds dates: `received_at`, or an extra column named as a date
    /// (办结时间, 回复日期 …).
    pub fn is_date(&self, col: usize) -> bool {
        self.dates.get(col).copied().unwrap_or(false)
    }
}

/// A case from the cells of one row; `None` for a row with no value at all.
pub fn case_from_row<I, S>(columns: &Columns, cells: I) -> Option<Result<Case, RecordError>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut fields: Vec<(String, FieldValue)> = Vec::with_capacity(columns.fields.len());
    let mut contacts: Vec<(usize, String)> = Vec::new();
    let (mut has_phone, mut has_address, mut any) = (false, false, false);
    for (col, (field, cell)) in columns.fields.iter().zip(cells).enumerate() {
        let text = cell.as_ref().trim();
        any |= !text.is_empty();
        match field.as_str() {
            "contact" if text.is_empty() => continue,
            "contact" => {
                contacts.push((col, text.to_string()));
                continue;
            }
            "phone" => has_phone |= !text.is_empty(),
            "address" => has_address |= !text.is_empty(),
            _ => {}
        }
        let value = match (field == "received_at").then(|| serial_text_to_date(text)) {
            Some(Some(date)) => date,
            _ => text.to_string(),
        };
        fields.push((field.clone(), FieldValue::Text(value)));
    }
    if !any {
        return None;
    }
    // a phone or address column of its own wins over what a contact column holds
    for (col, text) in contacts {
        let c = split_contact(&text);
        let mut rest = c.rest;
        match c.phone {
            Some(p) if !has_phone => fields.push(("phone".into(), FieldValue::Text(p))),
            Some(p) => rest = Some(rest.map_or(p.clone(), |r| format!("{p} {r}"))),
            None => {}
        }
        match c.address {
            Some(a) if !has_address => fields.push(("address".into(), FieldValue::Text(a))),
            Some(a) => rest = Some(rest.map_or(a.clone(), |r| format!("{r} {a}"))),
            None => {}
        }
        if let Some(r) = rest {
            fields.push((columns.headers[col].clone(), FieldValue::Text(r)));
        }
    }
    Some(case_from_fields(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(headers: &[&str]) -> Columns {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        Columns::new(&ColumnMap::default(), &h)
    }

    #[test]
    fn contact_column_fills_phone_and_address() {
        let cols = columns(&["编号", "联系方式", "登记时间"]);
        let c = case_from_row(
            &cols,
            ["W1", "13912345678 长沙市岳麓区麓山路12号", "45292.5"],
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.phone.as_deref(), Some("13912345678"));
        assert_eq!(c.address.as_deref(), Some("长沙市岳麓区麓山路12号"));
        assert_eq!(
            c.received_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-01-01T12:00:00+08:00")
        );
        assert!(c.extra.is_empty());
    }

    #[test]
    fn own_phone_column_wins_and_leftovers_are_kept() {
        let cols = columns(&["编号", "联系电话", "联系方式"]);
        let c = case_from_row(
            &cols,
            ["W1", "13800000000", "张先生 13912345678 长沙市天心区"],
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.phone.as_deref(), Some("13800000000"));
        assert_eq!(c.address.as_deref(), Some("长沙市天心区"));
        assert_eq!(
            c.extra.get("联系方式").and_then(|v| v.as_str()),
            Some("13912345678 张先生")
        );
    }

    #[test]
    fn blank_rows_are_skipped_and_date_columns_known() {
        let cols = columns(&["编号", "办结时间", "登记时间", "诉求内容"]);
        assert!(case_from_row(&cols, ["", " ", "", ""]).is_none());
        assert!(cols.is_date(1) && cols.is_date(2) && !cols.is_date(3) && !cols.is_date(0));
    }
}
