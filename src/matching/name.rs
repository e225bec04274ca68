//! Name comparator: exact; homophone (pinyin without tones); one character apart; surname-only
//! forms such as 张女士 agreeing with the surname; different; missing.

use super::levels::levels;
use crate::analysis::PersonName;
use pinyin::ToPinyin;

levels! {
    pub enum NameLevel {
        Exact => "exact",
        Homophone => "homophone",
        Close => "close",
        Surname => "surname",
        Different => "different",
        Missing => "missing",
    }
}

fn plain_pinyin(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_pinyin() {
            Some(p) => p.plain().to_string(),
            None => c.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn compare(a: Option<&PersonName>, b: Option<&PersonName>) -> NameLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return NameLevel::Missing;
    };
    match (&a.full, &b.full) {
        (Some(x), Some(y)) => {
            if x == y {
                return NameLevel::Exact;
            }
            if plain_pinyin(x) == plain_pinyin(y) {
                return NameLevel::Homophone;
            }
            let (xc, yc): (Vec<char>, Vec<char>) = (x.chars().collect(), y.chars().collect());
            let one_apart = xc.len() == yc.len()
                && xc.len() >= 2
                && a.surname == b.surname
                && xc.iter().zip(&yc).filter(|(p, q)| p != q).count() == 1;
            if one_apart || strsim::jaro_winkler(x, y) >= 0.9 {
                NameLevel::Close
            } else {
                NameLevel::Different
            }
        }
        _ if a.surname == b.surname => NameLevel::Surname,
        _ => NameLevel::Different,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> NameLevel {
        compare(PersonName::parse(a).as_ref(), PersonName::parse(b).as_ref())
    }

    #[test]
    fn conformance() {
        let table = [
            ("张伟", "张伟", NameLevel::Exact),
            ("張偉", "张伟", NameLevel::Exact),
            ("张 伟", "张伟", NameLevel::Exact),
            ("张伟", "张玮", NameLevel::Homophone),
            ("张东桂", "张东贵", NameLevel::Homophone),
            ("张东桂", "张东明", NameLevel::Close),
            ("张女士", "张伟", NameLevel::Surname),
            ("王先生", "张伟", NameLevel::Different),
            ("李四", "张伟", NameLevel::Different),
            ("", "张伟", NameLevel::Missing),
            ("张伟", "匿名", NameLevel::Missing),
        ];
        for (a, b, want) in table {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want, "{b} vs {a}");
        }
    }
}
