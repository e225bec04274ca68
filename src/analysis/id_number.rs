//! Resident ID numbers (GB 11643): 18 characters with a mod-11 check digit, old 15-digit
//! numbers converted to 18, masked exports (`4301**********2315`) kept as patterns.

use super::width::fold_width;
use serde::{Deserialize, Serialize};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A normalised ID number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum IdNumber {
    /// 18 characters with a valid check digit (15-digit numbers are converted).
    Valid(String),
    /// Partly masked with `*`; 15- or 18-character pattern.
    Masked(String),
    /// Digits that fail the checksum or have the wrong length.
    Invalid(String),
}

/// The GB 11643 check character of the first 17 digits, if they are digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(CHECK[(sum % 11) as usize])
}

/// Characters exports use to mask ID digits; `X` only when it cannot be the check digit.
fn is_mask_char(c: char) -> bool {
    matches!(c, '*' | '×' | '✱' | '●' | '#')
}

impl IdNumber {
    /// Normalises a raw ID number; `None` when nothing is left or it holds neither a digit
    /// nor a mask (placeholders such as 无, 不详).
    pub fn parse(raw: &str) -> Option<IdNumber> {
        let mut s: String = fold_width(raw)
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.'))
            .map(|c| {
                if is_mask_char(c) {
                    '*'
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
        // `X` is the check digit only as the last of 18; anywhere else it masks a digit
        let xs = s.chars().filter(|c| *c == 'X').count();
        let check_x = s.chars().count() == 18 && s.ends_with('X');
        if xs > 1 || (xs == 1 && !check_x) {
            let last = s.chars().count().saturating_sub(1);
            s = s
                .chars()
                .enumerate()
                .map(|(i, c)| match c {
                    'X' if !(check_x && i == last) => '*',
                    c => c,
                })
                .collect();
        }
        if !s.chars().any(|c| c.is_ascii_digit() || c == '*') {
            return None;
        }
        if s.contains('*') {
            return Some(IdNumber::Masked(s));
        }
        let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        if s.len() == 15 && digits(&s) {
            let first17 = format!("{}19{}", &s[..6], &s[6..]);
            return Some(match check_char(&first17) {
                Some(c) => IdNumber::Valid(format!("{first17}{c}")),
                None => IdNumber::Invalid(s),
            });
        }
        if s.len() == 18
            && s.is_ascii()
            && digits(&s[..17])
            && check_char(&s[..17]) == s.chars().last()
        {
            return Some(IdNumber::Valid(s));
        }
        Some(IdNumber::Invalid(s))
    }

    /// The characters as stored (18-digit form, pattern, or the invalid input).
    pub fn as_str(&self) -> &str {
        match self {
            IdNumber::Valid(s) | IdNumber::Masked(s) | IdNumber::Invalid(s) => s,
        }
    }

    /// The six-digit region code, where the first six characters are digits.
    pub fn region(&self) -> Option<&str> {
        let s = self.as_str();
        (s.len() >= 6 && s.is_ascii() && s[..6].chars().all(|c| c.is_ascii_digit()))
            .then(|| &s[..6])
    }

    /// The 18-character form, with `*` where masked. 15-char forms are widened to 18 with
    /// unknown century and check digit; a mask of other length with one run of `*` (exports
    /// that shorten the run, `4301****2315`) is widened by lengthening that run.
    pub fn pattern18(&self) -> Option<String> {
        let s = self.as_str();
        if !s.is_ascii() {
            return None;
        }
        match s.len() {
            18 => return Some(s.to_string()),
            15 => return Some(format!("{}**{}*", &s[..6], &s[6..])),
            _ => {}
        }
        let first = s.find('*')?;
        let last = s.rfind('*')?;
        let single_run = s[first..=last].bytes().all(|b| b == b'*');
        let visible = s.len() - (last + 1 - first);
        (single_run && visible <= 18).then(|| {
            format!(
                "{}{}{}",
                &s[..first],
                "*".repeat(18 - visible),
                &s[last + 1..]
            )
        })
    }

    /// A masked form for logs and responses: region prefix and last four only.
    pub fn masked(&self) -> String {
        mask_middle(self.as_str(), 4, 4)
    }
}

/// Keeps `head` leading and `tail` trailing chars and stars the rest.
pub fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= chars.len() - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_checksum() {
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(
            IdNumber::parse("11010519491231002x"),
            Some(IdNumber::Valid("11010519491231002X".into()))
        );
        assert!(matches!(
            IdNumber::parse("110105194912310021"),
            Some(IdNumber::Invalid(_))
        ));
        assert!(matches!(
            IdNumber::parse("1234"),
            Some(IdNumber::Invalid(_))
        ));
    }

    #[test]
    fn converts_fifteen_digits() {
        // 15-digit 110105491231002 is 11010519491231002X in 18-digit form
        assert_eq!(
            IdNumber::parse("110105491231002"),
            Some(IdNumber::Valid("11010519491231002X".into()))
        );
    }

    #[test]
    fn full_width_and_masks() {
        assert_eq!(
            IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ"),
            Some(IdNumber::Valid("11010519491231002X".into()))
        );
        let m = IdNumber::parse("4301**********2315").unwrap();
        assert_eq!(m, IdNumber::Masked("4301**********2315".into()));
        assert_eq!(m.region(), None);
        assert_eq!(IdNumber::parse("   "), None);
        assert_eq!(
            IdNumber::parse("430104198807152315").unwrap().masked(),
            "4301**********2315"
        );
    }

    #[test]
    fn spellings_of_one_number() {
        for raw in [
            "11010519491231002X",
            "11010519491231002x",
            "110105 19491231 002x",
            "110105-19491231-002X",
            "１１０１０５１９４９１２３１００２ｘ",
            "110105491231002",
        ] {
            assert_eq!(
                IdNumber::parse(raw),
                Some(IdNumber::Valid("11010519491231002X".into())),
                "{raw}"
            );
        }
        for raw in ["无", "不详", "  "] {
            assert_eq!(IdNumber::parse(raw), None, "{raw}");
        }
    }

    #[test]
    fn masks_in_any_run_and_spelling() {
        for (raw, want) in [
            ("4301**********2315", "4301**********2315"),
            ("4301＊＊＊＊＊＊＊＊＊＊2315", "4301**********2315"),
            ("4301XXXXXXXXXX2315", "4301**********2315"),
            ("4301xxxxxxxxxx2315", "4301**********2315"),
            ("43010419880715****", "43010419880715****"),
            ("430104********231X", "430104********231X"),
            ("******19880715****", "******19880715****"),
        ] {
            let m = IdNumber::parse(raw).unwrap();
            assert_eq!(m, IdNumber::Masked(want.into()), "{raw}");
            assert_eq!(m.pattern18().as_deref(), Some(want), "{raw}");
        }
        let short = IdNumber::parse("4301****2315").unwrap();
        assert_eq!(short.pattern18().as_deref(), Some("4301**********2315"));
        let fifteen = IdNumber::parse("430104*****2315").unwrap();
        assert_eq!(fifteen.pattern18().as_deref(), Some("430104*******2315*"));
        assert_eq!(IdNumber::parse("43*01*2315").unwrap().pattern18(), None);
    }

    #[test]
    fn masked_hides_the_middle() {
        assert_eq!(
            IdNumber::parse("43010419880715****").unwrap().masked(),
            "4301**************"
        );
        assert_eq!(IdNumber::parse("1234").unwrap().masked(), "****");
    }
}
