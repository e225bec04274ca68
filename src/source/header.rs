//! Column names: the header aliases of platform exports, the `--map` TOML mapping, and
//! finding the header row below title rows.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// How many leading rows may hold titles, notes or blanks before the header.
pub const HEADER_SEARCH_ROWS: usize = 10;

/// Header aliases seen in platform exports, mapped to the field names of docs/FORMAT.md.
/// `contact` is not a case field: a mixed 联系方式 cell, split into phone and address.
pub const HEADER_ALIASES: [(&str, &[&str]); 17] = [
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
            "电话",
            "来电号码",
        ],
    ),
    (
        "contact",
        &[
            "contact",
            "联系方式",
            "联系信息",
            "联系方式及地址",
            "联系电话及地址",
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

    /// Whether a column name is mapped explicitly or is a known alias.
    pub fn recognises(&self, column: &str) -> bool {
        let c = column.trim().trim_start_matches('\u{feff}');
        !c.is_empty()
            && (self.columns.contains_key(c)
                || HEADER_ALIASES
                    .iter()
                    .any(|(_, aliases)| aliases.iter().any(|a| a.eq_ignore_ascii_case(c))))
    }
}

/// Whether a row reads as a header: two recognised column names, or a lone `id` column.
pub fn is_header(map: &ColumnMap, cells: &[String]) -> bool {
    let recognised = cells.iter().filter(|c| map.recognises(c)).count();
    let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
    recognised >= 2
        || (recognised == 1 && filled == 1 && cells.iter().any(|c| map.field_for(c) == "id"))
}

/// The index of the header among the first rows: the first that reads as a header.
/// Title rows ("2024年1月信访登记表"), notes and blank rows above it are skipped.
pub fn find_header_row(map: &ColumnMap, rows: &[Vec<String>]) -> Option<usize> {
    rows.iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|row| is_header(map, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn header_row_is_found_below_titles() {
        let map = ColumnMap::default();
        let header = row(&["编号", "姓名", "联系方式", "诉求内容"]);
        let data = row(&["W1", "张伟", "13912345678", "噪音"]);
        let table: [(Vec<Vec<String>>, Option<usize>); 7] = [
            (vec![header.clone(), data.clone()], Some(0)),
            (
                vec![
                    row(&["2024年1月信访登记表", "", "", ""]),
                    row(&["", "", "", ""]),
                    header.clone(),
                    data.clone(),
                ],
                Some(2),
            ),
            (
                vec![
                    row(&["制表单位：某某局"]),
                    row(&["说明：本表按登记时间排列"]),
                    header.clone(),
                ],
                Some(2),
            ),
            // one known column among unknown ones is a data row, not a header
            (vec![row(&["W1", "姓名不详", "x"]), header.clone()], Some(1)),
            (vec![row(&["id"]), row(&["A1"])], Some(0)),
            (vec![row(&["甲", "乙", "丙"]), data.clone()], None),
            (
                std::iter::repeat_n(row(&["标题"]), HEADER_SEARCH_ROWS)
                    .chain([header.clone()])
                    .collect(),
                None,
            ),
        ];
        for (rows, expected) in table {
            assert_eq!(find_header_row(&map, &rows), expected, "{rows:?}");
        }
    }

    #[test]
    fn mapped_columns_count_as_header() {
        let map: ColumnMap =
            toml::from_str("[columns]\n\"反映事项\" = \"content\"\n\"件号x\" = \"id\"\n").unwrap();
        assert_eq!(
            find_header_row(&map, &[row(&["件号x", "反映事项"])]),
            Some(0)
        );
        assert_eq!(
            find_header_row(&ColumnMap::default(), &[row(&["件号x", "反映事项"])]),
            None
        );
    }

    #[test]
    fn explicit_mapping_wins() {
        let map: ColumnMap =
            toml::from_str("[columns]\n\"反映人\" = \"name\"\n\"备注\" = \"content\"\n").unwrap();
        assert_eq!(map.field_for("备注"), "content");
        assert_eq!(map.field_for("来信人"), "name");
        assert_eq!(map.field_for("联系方式"), "contact");
        assert_eq!(map.field_for("其他"), "其他");
    }

    #[test]
    fn format_doc_lists_every_alias() {
        let doc = include_str!("../../docs/FORMAT.md");
        let table: Vec<&str> = doc
            .lines()
            .skip_while(|l| !l.starts_with("| field | Chinese headers recognised |"))
            .take_while(|l| !l.is_empty())
            .collect();
        for (field, aliases) in HEADER_ALIASES {
            let row = table
                .iter()
                .find(|l| l.starts_with(&format!("| `{field}` | ")))
                .unwrap_or_else(|| panic!("docs/FORMAT.md has no alias row for {field}"));
            for alias in &aliases[1..] {
                assert!(
                    row.split(['|', ',']).any(|cell| cell.trim() == *alias),
                    "docs/FORMAT.md: {alias} missing from the {field} row"
                );
            }
        }
    }
}
