//! Person names: simplified, spaces and middle dots removed, honorific forms (张女士, 王先生,
//! 老李, 刘某) recognised as surname-only.

use super::normalize::normalize;
use serde::{Deserialize, Serialize};

const COMPOUND_SURNAMES: [&str; 20] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "南宫", "西门", "独孤",
];
const HONORIFIC_SUFFIXES: [&str; 12] = [
    "女士", "先生", "小姐", "同志", "师傅", "阿姨", "大爷", "大妈", "老师", "某某", "某", "氏",
];

/// A normalised person name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    /// The full given name, absent for surname-only forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
    pub surname: String,
}

fn split_surname(name: &str) -> &str {
    COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(*s) && name.chars().count() > 2)
        .map_or_else(
            || name.char_indices().nth(1).map_or(name, |(i, _)| &name[..i]),
            |s| &name[..s.len()],
        )
}

impl PersonName {
    /// Normalises a raw name; `None` for empty or placeholder names (匿名, 无).
    pub fn parse(raw: &str) -> Option<PersonName> {
        let cleaned: String = normalize(raw)
            .chars()
            .filter(|c| {
                !c.is_whitespace() && !matches!(c, '·' | '•' | '・' | '.' | '．' | '-' | '‧')
            })
            .collect();
        if cleaned.is_empty()
            || matches!(cleaned.as_str(), "匿名" | "无" | "不详" | "未知" | "群众")
        {
            return None;
        }
        for suffix in HONORIFIC_SUFFIXES {
            if let Some(stem) = cleaned.strip_suffix(suffix) {
                let n = stem.chars().count();
                let is_surname = n == 1 || (n == 2 && COMPOUND_SURNAMES.contains(&stem));
                if is_surname {
                    return Some(PersonName {
                        full: None,
                        surname: stem.to_string(),
                    });
                }
            }
        }
        let mut chars = cleaned.chars();
        if let (Some('老' | '小'), Some(s), None) = (chars.next(), chars.next(), chars.next()) {
            return Some(PersonName {
                full: None,
                surname: s.to_string(),
            });
        }
        Some(PersonName {
            surname: split_surname(&cleaned).to_string(),
            full: Some(cleaned),
        })
    }

    /// The full name if known, else the surname.
    pub fn display(&self) -> &str {
        self.full.as_deref().unwrap_or(&self.surname)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(s: &str) -> Option<String> {
        PersonName::parse(s).and_then(|n| n.full)
    }

    #[test]
    fn folds_script_spacing_and_dots() {
        assert_eq!(full("張偉"), Some("张伟".into()));
        assert_eq!(full(" 张 伟 "), Some("张伟".into()));
        assert_eq!(full("阿卜杜·热合曼"), Some("阿卜杜热合曼".into()));
        assert_eq!(PersonName::parse("欧阳娜娜").unwrap().surname, "欧阳");
        assert_eq!(PersonName::parse("张伟").unwrap().surname, "张");
    }

    #[test]
    fn honorifics_are_surname_only() {
        for (raw, surname) in [
            ("张女士", "张"),
            ("王先生", "王"),
            ("老李", "李"),
            ("刘某", "刘"),
            ("欧阳先生", "欧阳"),
        ] {
            let n = PersonName::parse(raw).unwrap();
            assert_eq!(n.full, None, "{raw}");
            assert_eq!(n.surname, surname, "{raw}");
        }
        assert_eq!(full("李先生明"), Some("李先生明".into()));
    }

    #[test]
    fn placeholders_are_no_name() {
        assert_eq!(PersonName::parse(""), None);
        assert_eq!(PersonName::parse("匿名"), None);
        assert_eq!(PersonName::parse(" · "), None);
    }
}
