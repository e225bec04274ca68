//! Pinyin readings for matching Chinese names with Latin-script ones: surnames read as
//! surnames (单 shan, 曾 zeng, 尉迟 yuchi, where the `pinyin` crate's first reading is the
//! common word's), given-name characters with every reading, and the set of pinyin
//! syllables for splitting `zhangxiaoming` into syllables.

use pinyin::{ToPinyin, ToPinyinMulti};
use std::collections::HashSet;
use std::sync::LazyLock;

/// Surnames read otherwise than the character's first reading, or in several ways; the
/// first reading is the usual one.
const SURNAME_READINGS: &[(&str, &[&str])] = &[
    ("单", &["shan"]),
    ("曾", &["zeng"]),
    ("区", &["ou"]),
    ("解", &["xie"]),
    ("仇", &["qiu"]),
    ("朴", &["piao"]),
    ("查", &["zha"]),
    ("盖", &["ge", "gai"]),
    ("乐", &["yue", "le"]),
    ("尉", &["wei", "yu"]),
    ("覃", &["qin", "tan"]),
    ("缪", &["miao"]),
    ("召", &["shao"]),
    ("种", &["chong"]),
    ("秘", &["bi"]),
    ("繁", &["po"]),
    ("黑", &["he"]),
    ("翟", &["zhai", "di"]),
    ("句", &["gou"]),
    ("员", &["yun"]),
    ("宓", &["mi", "fu"]),
    ("过", &["guo"]),
    ("隗", &["wei"]),
    ("沈", &["shen"]),
    ("任", &["ren"]),
    ("华", &["hua"]),
    ("纪", &["ji"]),
    ("燕", &["yan"]),
    ("那", &["na"]),
    ("祭", &["zhai"]),
    ("石", &["shi"]),
    ("尉迟", &["yuchi"]),
    ("万俟", &["moqi"]),
    ("长孙", &["zhangsun"]),
];

/// A reading as Latin letters: ü written `v`, `u` or `yu` (吕: lv, lu, lyu).
fn spellings(plain: &str, out: &mut Vec<String>) {
    if plain.contains('ü') {
        for v in ["v", "u", "yu"] {
            out.push(plain.replace('ü', v));
        }
    } else {
        out.push(plain.to_string());
    }
}

/// Every reading of one character, as Latin letters; empty for characters without one.
fn char_readings(c: char) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            spellings(p.plain(), &mut out);
        }
    }
    out.dedup();
    out
}

/// The first (usual) reading of one character, ü as `v`.
fn first_reading(c: char) -> Option<String> {
    c.to_pinyin().map(|p| p.plain().replace('ü', "v"))
}

/// The readings of a surname: from the table, else the characters' first readings.
pub fn surname_readings(surname: &str) -> Vec<String> {
    if let Some((_, r)) = SURNAME_READINGS.iter().find(|(s, _)| *s == surname) {
        return r.iter().map(|s| s.to_string()).collect();
    }
    let joined: Option<String> = surname
        .chars()
        .map(|c| c.to_pinyin().map(|p| p.plain()))
        .collect();
    let mut out = Vec::new();
    if let Some(j) = joined {
        spellings(&j, &mut out);
    }
    out
}

/// A Chinese name as units to be read in order: the surname, then each given-name
/// character with all its readings. `None` when a character has no reading.
pub fn units(full: &str, surname: &str) -> Option<Vec<Vec<String>>> {
    let given = full.strip_prefix(surname)?;
    let mut out = vec![surname_readings(surname)];
    for c in given.chars() {
        let r = char_readings(c);
        if r.is_empty() {
            return None;
        }
        out.push(r);
    }
    (!out[0].is_empty()).then_some(out)
}

/// The usual reading of a whole Chinese name, syllables separated by spaces (homophones).
pub fn usual_reading(full: &str, surname: &str) -> Option<String> {
    let given = full.strip_prefix(surname)?;
    let mut out = surname_readings(surname).into_iter().next()?;
    for c in given.chars() {
        out.push(' ');
        out.push_str(&first_reading(c)?);
    }
    Some(out)
}

/// How Latin text matched a name's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Every unit spelled out.
    Full,
    /// Some unit given by its initial only.
    Initials,
}

/// Whether `text` (words joined by `|`) spells the units in order, with word breaks only
/// between units; a one-letter word may stand for a unit by its initial.
fn spell(text: &[u8], units: &[Vec<String>]) -> Option<Reading> {
    let Some((first, rest)) = units.split_first() else {
        return text.is_empty().then_some(Reading::Full);
    };
    let after = |t: &'_ [u8]| -> Option<Reading> {
        match t.split_first() {
            Some((b'|', t)) if !t.is_empty() => spell(t, rest),
            Some((b'|', _)) => None,
            _ => spell(t, rest),
        }
    };
    let mut found = None;
    for r in first {
        if let Some(t) = text.strip_prefix(r.as_bytes()) {
            match after(t) {
                Some(Reading::Full) => return Some(Reading::Full),
                Some(Reading::Initials) => found = Some(Reading::Initials),
                None => {}
            }
        }
    }
    if let Some((&c, t)) = text.split_first()
        && matches!(t.first(), None | Some(b'|'))
        && first.iter().any(|r| r.as_bytes().first() == Some(&c))
        && after(t).is_some()
    {
        found = Some(Reading::Initials);
    }
    found
}

/// Whether Latin words (space-separated) spell a Chinese name, surname first or last.
pub fn spells(latin: &str, units: &[Vec<String>]) -> Option<Reading> {
    let text = latin.replace(' ', "|");
    let forward = spell(text.as_bytes(), units);
    if forward == Some(Reading::Full) || units.len() < 2 {
        return forward;
    }
    let mut rotated = units[1..].to_vec();
    rotated.push(units[0].clone());
    match spell(text.as_bytes(), &rotated) {
        Some(Reading::Full) => Some(Reading::Full),
        other => forward.or(other),
    }
}

/// Every pinyin syllable, as spelled by `char_readings`.
static SYLLABLES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    ('\u{4E00}'..='\u{9FFF}')
        .flat_map(char_readings)
        .collect::<HashSet<_>>()
});

/// The longest pinyin syllable, in letters.
const MAX_SYLLABLE: usize = 6;

/// Splits one word into pinyin syllables, preferring longer syllables first.
pub fn syllables(word: &str) -> Option<Vec<&str>> {
    let n = word.len();
    if !word.is_ascii() {
        return None;
    }
    // next[i]: the length of the syllable starting at i in a split of word[i..]
    let mut next = vec![0usize; n + 1];
    let mut ok = vec![false; n + 1];
    ok[n] = true;
    for i in (0..n).rev() {
        for len in (1..=MAX_SYLLABLE.min(n - i)).rev() {
            if ok[i + len] && SYLLABLES.contains(&word[i..i + len]) {
                next[i] = len;
                ok[i] = true;
                break;
            }
        }
    }
    if !ok[0] {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        out.push(&word[i..i + next[i]]);
        i += next[i];
    }
    Some(out)
}

/// The initials of Latin words: each syllable's first letter, or each word's where a word
/// does not split into syllables.
pub fn initials_of(latin: &str) -> String {
    latin
        .split(' ')
        .flat_map(|w| match syllables(w) {
            Some(s) if !s.is_empty() => s.iter().filter_map(|x| x.chars().next()).collect(),
            _ => w.chars().next().into_iter().collect::<Vec<_>>(),
        })
        .collect()
}

/// Whether `b` is `a` turned at some point (`zhangwei` / `weizhang`, `zw` / `wz`).
pub fn is_rotation(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && (a == b
            || (1..a.len())
                .any(|i| a.is_char_boundary(i) && b.starts_with(&a[i..]) && b.ends_with(&a[..i])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_read_as_surnames() {
        assert_eq!(surname_readings("单"), vec!["shan"]);
        assert_eq!(surname_readings("尉迟"), vec!["yuchi"]);
        assert_eq!(surname_readings("张"), vec!["zhang"]);
        assert_eq!(surname_readings("欧阳"), vec!["ouyang"]);
        assert_eq!(surname_readings("吕"), vec!["lv", "lu", "lyu"]);
        assert_eq!(usual_reading("单伟", "单").as_deref(), Some("shan wei"));
    }

    #[test]
    fn splits_syllables() {
        assert_eq!(
            syllables("zhangxiaoming"),
            Some(vec!["zhang", "xiao", "ming"])
        );
        assert_eq!(syllables("qq"), None);
        assert_eq!(initials_of("zhang xiaoming"), "zxm");
        assert!(is_rotation("zhangwei", "weizhang"));
        assert!(!is_rotation("zhangwei", "zhangwai"));
    }
}
