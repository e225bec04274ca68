//! Traditional → simplified Chinese with opencc-fmmseg (MIT), built once per process.
//! The conversion is kept character-aligned so token offsets map back to the original text.

use opencc_fmmseg::OpenCC;
use std::sync::LazyLock;

static OPENCC: LazyLock<OpenCC> = LazyLock::new(|| {
    let mut cc = OpenCC::new();
    // per-document calls gain nothing from rayon (CRATES.md)
    cc.set_parallel(false);
    cc
});

/// Converts to simplified Chinese with exactly one output char per input char.
///
/// OpenCC's phrase tables may change the length in rare cases; then each char is converted
/// on its own, which keeps the alignment the tokenizer relies on.
///
/// A few table entries chain (薴 → 苧 → 苎): the conversion repeats until the text converts
/// to itself, so that normalising normalised text changes nothing.
pub fn to_simplified(s: &str) -> String {
    let mut out = convert_once(s);
    for _ in 0..3 {
        if out == s {
            break;
        }
        let again = convert_once(&out);
        if again == out {
            break;
        }
        out = again;
    }
    out
}

fn convert_once(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let converted = OPENCC.t2s(s, false);
    if converted.chars().count() == s.chars().count() {
        return converted;
    }
    let mut out = String::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let one = OPENCC.t2s(c.encode_utf8(&mut buf), false);
        let mut chars = one.chars();
        match (chars.next(), chars.next()) {
            (Some(first), None) => out.push(first),
            _ => out.push(c),
        }
    }
    out
}

/// Converts simplified to traditional Chinese (used to make degraded synthetic records).
pub fn to_traditional(s: &str) -> String {
    OPENCC.s2t(s, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chained_entries_convert_to_the_end_of_the_chain() {
        let once = to_simplified("薴麻");
        assert_eq!(to_simplified(&once), once);
        assert_eq!(once.chars().count(), 2);
    }

    #[test]
    fn converts_traditional_keeping_length() {
        assert_eq!(
            to_simplified("張偉反映會同縣噪音擾民"),
            "张伟反映会同县噪音扰民"
        );
        assert_eq!(to_simplified("简体不变"), "简体不变");
        assert_eq!(to_simplified("abc 123"), "abc 123");
        let s = "懷化市會同縣炮團侗族苗族鄉，來電人訴求";
        assert_eq!(to_simplified(s).chars().count(), s.chars().count());
    }
}
