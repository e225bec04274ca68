//! Person names as they arrive: Chinese characters (simplified, spaces and middle dots
//! removed); forms of address that give only the surname (张女士, 王师傅, 老李, 小王, 刘老,
//! 刘某, 刘某某); masks from other platforms' exports (张**, 张X, 张*明); names in Latin
//! script (Zhang Wei, WEI ZHANG, zhangwei) and initials (ZW).

use super::normalize::normalize;
use serde::{Deserialize, Serialize};

/// Two-character surnames.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "南宫", "西门", "独孤", "万俟",
];

/// Forms of address after a surname. Multi-character ones may also follow a full name
/// (张伟先生); single characters only ever follow a bare surname (张总, 刘老, 李姐).
const ADDRESS_SUFFIXES: &[&str] = &[
    "老先生",
    "老太太",
    "老大爷",
    "老奶奶",
    "女士",
    "先生",
    "小姐",
    "同志",
    "师傅",
    "老师",
    "阿姨",
    "大爷",
    "大妈",
    "大娘",
    "大姐",
    "大哥",
    "大叔",
    "大伯",
    "大婶",
    "奶奶",
    "爷爷",
    "婆婆",
    "老太",
    "老伯",
    "老人",
    "叔叔",
    "伯伯",
    "老板",
    "经理",
    "主任",
    "书记",
    "医生",
    "律师",
    "市民",
    "群众",
    "居民",
    "村民",
    "业主",
    "某某",
    "某",
    "老",
    "总",
    "氏",
];
/// Single-character suffixes that only count after a bare surname.
const SURNAME_ONLY_SUFFIXES: &[&str] = &["姐", "哥", "叔", "伯", "姓"];
/// Values that name nobody.
const PLACEHOLDERS: &[&str] = &[
    "匿名",
    "无",
    "不详",
    "未知",
    "群众",
    "市民",
    "来电人",
    "来访人",
    "投诉人",
    "反映人",
    "本人",
    "某某",
    "某",
    "无名",
];
/// Latin-script words of address dropped before reading the name.
const LATIN_TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "dr", "mx"];

/// How a name was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NameForm {
    /// Chinese characters: a full name, or a surname alone when `full` is `None`.
    #[default]
    Chinese,
    /// A Chinese name with masked characters, each shown as `*` (张**, 张*明).
    Masked { pattern: String },
    /// Latin script, lower case, words separated by one space (`zhang wei`, `weizhang`).
    Latin { letters: String },
    /// Initials only, lower case (`zw`).
    Initials { letters: String },
}

impl NameForm {
    fn is_chinese(&self) -> bool {
        matches!(self, NameForm::Chinese)
    }
}

/// A normalised person name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    /// The full name in Chinese characters; absent for surname-only, masked and Latin forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
    /// The surname in Chinese characters; empty when not known (Latin, masked surname).
    #[serde(default)]
    pub surname: String,
    /// The form; absent in profiles stored before forms were told apart (then Chinese).
    #[serde(default, skip_serializing_if = "NameForm::is_chinese")]
    pub form: NameForm,
}

/// The surname at the start of a Chinese name (compound surnames only when a given name
/// follows).
fn split_surname(name: &str) -> &str {
    COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(*s) && name.chars().count() > 2)
        .map_or_else(
            || name.char_indices().nth(1).map_or(name, |(i, _)| &name[..i]),
            |s| &name[..s.len()],
        )
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Characters exports use to mask a name's characters (`x` is `X` after normalising).
fn is_mask(c: char) -> bool {
    matches!(c, '*' | 'x' | '×' | '✱' | '○' | '□')
}

fn is_surname(stem: &str) -> bool {
    let mut chars = stem.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(c), None, _) => is_han(c),
        (Some(_), Some(_), None) => COMPOUND_SURNAMES.contains(&stem),
        _ => false,
    }
}

fn surname_only(surname: &str) -> PersonName {
    PersonName {
        full: None,
        surname: surname.to_string(),
        form: NameForm::Chinese,
    }
}

fn is_latin_separator(c: char) -> bool {
    // the dots a Chinese name may carry too (the Chinese path drops the same ones)
    c.is_whitespace()
        || matches!(
            c,
            '.' | '-' | ',' | '\'' | '_' | '·' | '•' | '・' | '．' | '‧'
        )
}

/// Whether a normalised name is written in Latin script (ASCII letters, ü, separators).
fn is_latin(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphabetic() || c == 'ü' || is_latin_separator(c))
}

/// A Latin-script name: lower-case words; initials when every word is one letter or the
/// only word has no vowel (`zw`). `None` when only titles are left.
fn parse_latin(s: &str) -> Option<PersonName> {
    let words: Vec<String> = s
        .split(is_latin_separator)
        .filter(|w| !w.is_empty() && !LATIN_TITLES.contains(w))
        .map(|w| w.replace('ü', "v"))
        .collect();
    if words.is_empty() {
        return None;
    }
    let has_vowel = |w: &str| {
        w.chars()
            .any(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'v'))
    };
    let initials =
        words.iter().all(|w| w.len() == 1) || (words.len() == 1 && !has_vowel(&words[0]));
    let form = if initials {
        NameForm::Initials {
            letters: words.concat(),
        }
    } else {
        NameForm::Latin {
            letters: words.join(" "),
        }
    };
    Some(PersonName {
        full: None,
        surname: String::new(),
        form,
    })
}

/// A masked Chinese name: Han characters and at least one mask character.
fn parse_masked(s: &str) -> Option<PersonName> {
    if !s.chars().any(is_mask)
        || !s.chars().any(is_han)
        || !s.chars().all(|c| is_mask(c) || is_han(c))
    {
        return None;
    }
    let pattern: String = s
        .chars()
        .map(|c| if is_mask(c) { '*' } else { c })
        .collect();
    let visible: String = pattern.chars().take_while(|c| *c != '*').collect();
    let surname = match COMPOUND_SURNAMES.iter().find(|s| visible.starts_with(*s)) {
        Some(s) => s.to_string(),
        None => visible.chars().next().map(String::from).unwrap_or_default(),
    };
    Some(PersonName {
        full: None,
        surname,
        form: NameForm::Masked { pattern },
    })
}

/// Strips forms of address: the surname alone (张女士, 老张, 张某某), a full name before a
/// multi-character form of address (张伟先生), or `None` when the name carries none.
fn strip_address(s: &str) -> Option<PersonName> {
    let mut chars = s.chars();
    if let (Some('老' | '小'), Some(c), None) = (chars.next(), chars.next(), chars.next())
        && is_han(c)
    {
        return Some(surname_only(&s[s.len() - c.len_utf8()..]));
    }
    let mut stem = s;
    let mut stripped = false;
    while let Some((rest, suffix)) = ADDRESS_SUFFIXES
        .iter()
        .chain(SURNAME_ONLY_SUFFIXES.iter())
        .find_map(|x| {
            stem.strip_suffix(x)
                .filter(|r| !r.is_empty())
                .map(|r| (r, *x))
        })
    {
        if is_surname(rest) {
            return Some(surname_only(rest));
        }
        if suffix.chars().count() == 1 {
            // 李姐姐, 张伟老: a single character after a given name belongs to the name
            break;
        }
        stem = rest;
        stripped = true;
    }
    let n = stem.chars().count();
    (stripped && (2..=4).contains(&n) && stem.chars().all(is_han)).then(|| PersonName {
        surname: split_surname(stem).to_string(),
        full: Some(stem.to_string()),
        form: NameForm::Chinese,
    })
}

/// Words that may follow 等 in a collective petition's name field (张伟等15人, 李娜等村民).
const COLLECTIVE_WORDS: &[&str] = &[
    "人",
    "名",
    "位",
    "户",
    "群众",
    "村民",
    "居民",
    "业主",
    "职工",
    "工人",
    "农民工",
    "家属",
];

/// The one name a name field gives for the complainant: registers annotate names (张伟（化名）,
/// 李娜(代)), write a collective petition under its lead petitioner (张伟等15人, 张伟等村民)
/// and list co-signers (张伟、李娜): the annotation goes, the first name stays, and a group
/// becomes its lead petitioner's name with 等 (张伟等), whatever its head count.
fn lead_name(normalized: &str) -> String {
    let mut out = String::with_capacity(normalized.len());
    let mut depth = 0usize;
    for c in normalized.chars() {
        match c {
            '(' | '（' | '[' | '【' | '〔' => depth += 1,
            ')' | '）' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let first = out
        .split(['、', '，', ',', ';', '；', '/', '|'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .to_string();
    if let Some((lead, rest)) = first.split_once('等') {
        let rest = rest.trim_start_matches(|c: char| {
            c.is_ascii_digit() || "一二三四五六七八九十百千几多数余".contains(c)
        });
        let collective = rest.is_empty()
            || COLLECTIVE_WORDS.contains(&rest)
            || COLLECTIVE_WORDS.iter().any(|w| {
                rest.strip_prefix(w)
                    .is_some_and(|r| COLLECTIVE_WORDS.contains(&r))
            });
        if collective && lead.chars().count() >= 2 {
            // a group under its lead petitioner: the head count is dropped so that two
            // registrations of one group compare as one name, and the 等 kept so that the
            // group is not taken for the lead petitioner alone
            return format!("{}等", lead.trim());
        }
    }
    first
}

impl PersonName {
    /// Normalises a raw name; `None` for empty or placeholder names (匿名, 无, 某某).
    pub fn parse(raw: &str) -> Option<PersonName> {
        let normalized = lead_name(&normalize(raw));
        if is_latin(&normalized) {
            return parse_latin(&normalized);
        }
        let cleaned: String = normalized
            .chars()
            .filter(|c| {
                !c.is_whitespace() && !matches!(c, '·' | '•' | '・' | '.' | '．' | '-' | '‧')
            })
            .collect();
        if cleaned.is_empty()
            || PLACEHOLDERS.contains(&cleaned.as_str())
            || ADDRESS_SUFFIXES.contains(&cleaned.as_str())
        {
            return None;
        }
        if let Some(name) = strip_address(&cleaned) {
            // what is left once a form of address is gone reads as if typed alone: 小明先生
            // as 小明 (a form of address itself), 匿名先生 as 匿名 (nobody)
            return match name.full.as_deref() {
                Some(stem) if stem != cleaned => PersonName::parse(stem),
                _ => Some(name),
            };
        }
        if cleaned.chars().any(is_mask) {
            return parse_masked(&cleaned);
        }
        Some(PersonName {
            surname: split_surname(&cleaned).to_string(),
            full: Some(cleaned),
            form: NameForm::Chinese,
        })
    }

    /// The full name if known, else the pattern, Latin letters or surname.
    pub fn display(&self) -> &str {
        match &self.form {
            NameForm::Masked { pattern } => pattern,
            NameForm::Latin { letters } | NameForm::Initials { letters } => letters,
            NameForm::Chinese => self.full.as_deref().unwrap_or(&self.surname),
        }
    }

    /// A masked form for logs and responses: the first character of each word, then `*`.
    pub fn masked(&self) -> String {
        self.display()
            .split(' ')
            .map(|w| {
                w.chars()
                    .enumerate()
                    .map(|(i, c)| if i == 0 { c } else { '*' })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(s: &str) -> Option<String> {
        PersonName::parse(s).and_then(|n| n.full)
    }

    #[test]
    fn annotations_collective_and_listed_names_give_the_lead_name() {
        for raw in [
            "张伟等15人",
            "张伟等十五人",
            "张伟等",
            "张伟等村民",
            "张伟等30名业主",
        ] {
            assert_eq!(full(raw).as_deref(), Some("张伟等"), "{raw}");
        }
        for raw in [
            "张伟（化名）",
            "张伟(化名)",
            "张伟【代】",
            "张伟、李娜",
            "张伟,李娜,王强",
            "张伟；李娜",
        ] {
            assert_eq!(full(raw).as_deref(), Some("张伟"), "{raw}");
        }
        // 等 inside a name that is not a collective petition stays
        assert_eq!(full("等等").as_deref(), Some("等等"));
        assert_eq!(full("（匿名）"), None);
    }

    fn form(s: &str) -> NameForm {
        PersonName::parse(s).unwrap().form
    }

    #[test]
    fn folds_script_spacing_and_dots() {
        assert_eq!(full("張偉"), Some("张伟".into()));
        assert_eq!(full(" 张 伟 "), Some("张伟".into()));
        assert_eq!(full("阿卜杜·热合曼"), Some("阿卜杜热合曼".into()));
        assert_eq!(PersonName::parse("欧阳娜娜").unwrap().surname, "欧阳");
        assert_eq!(PersonName::parse("张伟").unwrap().surname, "张");
        assert_eq!(PersonName::parse("欧阳").unwrap().surname, "欧");
    }

    #[test]
    fn forms_of_address_are_surname_only() {
        for (raw, surname) in [
            ("张女士", "张"),
            ("王先生", "王"),
            ("赵小姐", "赵"),
            ("钱同志", "钱"),
            ("孙老师", "孙"),
            ("李师傅", "李"),
            ("周大爷", "周"),
            ("吴大妈", "吴"),
            ("郑阿姨", "郑"),
            ("老李", "李"),
            ("小王", "王"),
            ("刘老", "刘"),
            ("刘某", "刘"),
            ("刘某某", "刘"),
            ("陈总", "陈"),
            ("杨姐", "杨"),
            ("欧阳先生", "欧阳"),
            ("诸葛老师", "诸葛"),
            ("张姓市民", "张"),
            ("王老先生", "王"),
        ] {
            let n = PersonName::parse(raw).unwrap();
            assert_eq!(n.full, None, "{raw}");
            assert_eq!(n.surname, surname, "{raw}");
            assert_eq!(n.form, NameForm::Chinese, "{raw}");
        }
        assert_eq!(full("李先生明"), Some("李先生明".into()));
        assert_eq!(full("张伟先生"), Some("张伟".into()));
        assert_eq!(full("王小明同志"), Some("王小明".into()));
        assert_eq!(full("李姐姐"), Some("李姐姐".into()));
    }

    #[test]
    fn masks_keep_the_visible_characters() {
        for (raw, pattern, surname) in [
            ("张**", "张**", "张"),
            ("张＊＊", "张**", "张"),
            ("张X", "张*", "张"),
            ("张x", "张*", "张"),
            ("张*明", "张*明", "张"),
            ("欧阳*", "欧阳*", "欧阳"),
            ("*伟", "*伟", ""),
        ] {
            let n = PersonName::parse(raw).unwrap();
            assert_eq!(
                n.form,
                NameForm::Masked {
                    pattern: pattern.into()
                },
                "{raw}"
            );
            assert_eq!(n.surname, surname, "{raw}");
            assert_eq!(n.full, None, "{raw}");
        }
        assert_eq!(PersonName::parse("**"), None);
    }

    #[test]
    fn latin_names_and_initials() {
        let latin = |s: &str| NameForm::Latin { letters: s.into() };
        let initials = |s: &str| NameForm::Initials { letters: s.into() };
        assert_eq!(form("Zhang Wei"), latin("zhang wei"));
        assert_eq!(form("WEI  ZHANG"), latin("wei zhang"));
        assert_eq!(form("zhangwei"), latin("zhangwei"));
        assert_eq!(form("Zhang-Wei"), latin("zhang wei"));
        assert_eq!(form("Ｚｈａｎｇ Ｗｅｉ"), latin("zhang wei"));
        assert_eq!(form("Mr. Zhang"), latin("zhang"));
        assert_eq!(form("LÜ Wei"), latin("lv wei"));
        assert_eq!(form("ZW"), initials("zw"));
        assert_eq!(form("Z.W."), initials("zw"));
        assert_eq!(form("z w m"), initials("zwm"));
        assert_eq!(PersonName::parse("Mr."), None);
    }

    #[test]
    fn placeholders_are_no_name() {
        for raw in ["", "匿名", " · ", "某某", "先生", "来电人", "无"] {
            assert_eq!(PersonName::parse(raw), None, "{raw}");
        }
    }

    #[test]
    fn masked_hides_all_but_first_characters() {
        let m = |s: &str| PersonName::parse(s).unwrap().masked();
        assert_eq!(m("张伟明"), "张**");
        assert_eq!(m("张女士"), "张");
        assert_eq!(m("Zhang Wei"), "z**** w**");
    }

    #[test]
    fn old_profiles_still_load() {
        let n: PersonName = serde_json::from_str(r#"{"full":"张伟","surname":"张"}"#).unwrap();
        assert_eq!(n, PersonName::parse("张伟").unwrap());
        for raw in ["张伟", "张**", "Zhang Wei", "ZW", "张女士"] {
            let n = PersonName::parse(raw).unwrap();
            let back: PersonName =
                serde_json::from_str(&serde_json::to_string(&n).unwrap()).unwrap();
            assert_eq!(back, n, "{raw}");
        }
    }
}
