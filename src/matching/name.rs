//! Name comparator, strongest level first: exact; homophone (pinyin without tones, surnames
//! read as surnames); pinyin (a Latin-script name spelling the Chinese one, either order);
//! one character apart; masked_consistent (张** / 张*明 agreeing with every visible
//! character and the length); surname (a form of address, or a mask or Latin name, whose
//! surname agrees); initials (ZW); different; missing.

mod readings;

use super::levels::levels;
use crate::analysis::{NameForm, PersonName};
use readings::Reading;

levels! {
    pub enum NameLevel {
        Exact => "exact",
        Homophone => "homophone",
        Pinyin => "pinyin",
        Close => "close",
        MaskedConsistent => "masked_consistent",
        Surname => "surname",
        Initials => "initials",
        Different => "different",
        Missing => "missing",
    }
}

/// One name as the comparator sees it; the order of the variants orders the pair cases.
#[derive(Debug, Clone, Copy)]
enum View<'a> {
    Full {
        full: &'a str,
        surname: &'a str,
    },
    Surname(&'a str),
    /// Pattern with `*`, and the surname where it is visible (else empty).
    Masked {
        pattern: &'a str,
        surname: &'a str,
    },
    Latin(&'a str),
    Initials(&'a str),
}

impl<'a> View<'a> {
    fn of(n: &'a PersonName) -> View<'a> {
        match (&n.form, &n.full) {
            (NameForm::Masked { pattern }, _) => View::Masked {
                pattern,
                surname: &n.surname,
            },
            (NameForm::Latin { letters }, _) => View::Latin(letters),
            (NameForm::Initials { letters }, _) => View::Initials(letters),
            (NameForm::Chinese, Some(full)) => View::Full {
                full,
                surname: &n.surname,
            },
            (NameForm::Chinese, None) => View::Surname(&n.surname),
        }
    }

    fn rank(self) -> u8 {
        match self {
            View::Full { .. } => 0,
            View::Surname(_) => 1,
            View::Masked { .. } => 2,
            View::Latin(_) => 3,
            View::Initials(_) => 4,
        }
    }
}

fn agree(same: bool, level: NameLevel) -> NameLevel {
    if same { level } else { NameLevel::Different }
}

fn full_vs_full(a: (&str, &str), b: (&str, &str)) -> NameLevel {
    let ((x, sx), (y, sy)) = (a, b);
    if x == y {
        return NameLevel::Exact;
    }
    let (rx, ry) = (
        readings::usual_reading(x, sx),
        readings::usual_reading(y, sy),
    );
    if rx.is_some() && rx == ry {
        return NameLevel::Homophone;
    }
    let (xc, yc): (Vec<char>, Vec<char>) = (x.chars().collect(), y.chars().collect());
    let one_apart = xc.len() == yc.len()
        && xc.len() >= 2
        && sx == sy
        && xc.iter().zip(&yc).filter(|(p, q)| p != q).count() == 1;
    agree(
        one_apart || strsim::jaro_winkler(x, y) >= 0.9,
        NameLevel::Close,
    )
}

/// Two char sequences of equal length with `*` as unknown: `Some(shared visible)` when no
/// visible characters disagree.
fn align(pattern: &str, other: &str) -> Option<Option<usize>> {
    if pattern.chars().count() != other.chars().count() {
        return None;
    }
    let mut shared = 0;
    for (p, q) in pattern.chars().zip(other.chars()) {
        if p == '*' || q == '*' {
            continue;
        }
        if p != q {
            return Some(None);
        }
        shared += 1;
    }
    Some(Some(shared))
}

/// A mask against a full name or another mask: every visible character agreeing at equal
/// length is masked_consistent; otherwise the visible surnames decide.
fn masked(pattern: &str, surname: &str, other: &str, other_surname: &str) -> NameLevel {
    match align(pattern, other) {
        Some(Some(shared)) if shared > 0 => NameLevel::MaskedConsistent,
        Some(None) => NameLevel::Different,
        _ if surname.is_empty() || other_surname.is_empty() => NameLevel::Missing,
        _ => agree(surname == other_surname, NameLevel::Surname),
    }
}

/// Whether a Latin name starts or ends with a reading of the surname.
fn latin_has_surname(latin: &str, surname: &str) -> bool {
    let letters = latin.replace(' ', "");
    readings::surname_readings(surname)
        .iter()
        .any(|r| letters.starts_with(r.as_str()) || letters.ends_with(r.as_str()))
}

/// Whether initials start or end with a surname reading's initial.
fn initials_have_surname(initials: &str, surname: &str) -> bool {
    readings::surname_readings(surname).iter().any(|r| {
        let c = r.chars().next();
        c.is_some() && (initials.chars().next() == c || initials.chars().last() == c)
    })
}

fn spelled(latin: &str, full: &str, surname: &str) -> NameLevel {
    match readings::units(full, surname).and_then(|u| readings::spells(latin, &u)) {
        Some(Reading::Full) => NameLevel::Pinyin,
        Some(Reading::Initials) => NameLevel::Initials,
        None => NameLevel::Different,
    }
}

fn initials_text(letters: &str) -> String {
    letters
        .chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}

fn pair(a: View<'_>, b: View<'_>) -> NameLevel {
    use View::*;
    match (a, b) {
        (
            Full {
                full: x,
                surname: sx,
            },
            Full {
                full: y,
                surname: sy,
            },
        ) => full_vs_full((x, sx), (y, sy)),
        (Full { surname: x, .. } | Surname(x), Surname(y)) => agree(x == y, NameLevel::Surname),
        (Full { full, surname: s }, Masked { pattern, surname }) => {
            masked(pattern, surname, full, s)
        }
        (Full { full, surname }, Latin(latin)) => spelled(latin, full, surname),
        (Full { full, surname }, Initials(i)) => match spelled(&initials_text(i), full, surname) {
            NameLevel::Different => NameLevel::Different,
            _ => NameLevel::Initials,
        },
        (Surname(_), Masked { surname: "", .. }) => NameLevel::Missing,
        (Surname(x), Masked { surname: y, .. }) => agree(x == y, NameLevel::Surname),
        (Surname(s), Latin(latin)) => agree(latin_has_surname(latin, s), NameLevel::Surname),
        (Surname(s), Initials(i)) => agree(initials_have_surname(i, s), NameLevel::Initials),
        (
            Masked {
                pattern: p,
                surname: sp,
            },
            Masked {
                pattern: q,
                surname: sq,
            },
        ) => masked(p, sp, q, sq),
        (Masked { surname: "", .. }, Latin(_) | Initials(_)) => NameLevel::Missing,
        (Masked { surname, .. }, Latin(latin)) => {
            agree(latin_has_surname(latin, surname), NameLevel::Surname)
        }
        (Masked { surname, .. }, Initials(i)) => {
            agree(initials_have_surname(i, surname), NameLevel::Initials)
        }
        (Latin(x), Latin(y)) => agree(
            readings::is_rotation(&x.replace(' ', ""), &y.replace(' ', "")),
            NameLevel::Pinyin,
        ),
        (Latin(x), Initials(i)) => agree(
            readings::is_rotation(&readings::initials_of(x), i),
            NameLevel::Initials,
        ),
        (Initials(x), Initials(y)) => agree(readings::is_rotation(x, y), NameLevel::Initials),
        // the remaining orders are handled by swapping
        _ => pair(b, a),
    }
}

pub fn compare(a: Option<&PersonName>, b: Option<&PersonName>) -> NameLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return NameLevel::Missing;
    };
    let (va, vb) = (View::of(a), View::of(b));
    if va.rank() <= vb.rank() {
        pair(va, vb)
    } else {
        pair(vb, va)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NameLevel::*;

    fn cmp(a: &str, b: &str) -> NameLevel {
        compare(PersonName::parse(a).as_ref(), PersonName::parse(b).as_ref())
    }

    fn check(table: &[(&str, &str, NameLevel)]) {
        for (a, b, want) in table {
            assert_eq!(cmp(a, b), *want, "{a} vs {b}");
            assert_eq!(cmp(b, a), *want, "{b} vs {a}");
        }
    }

    #[test]
    fn conformance() {
        let table = [
            ("张伟", "张伟", Exact),
            ("張偉", "张伟", Exact),
            ("张 伟", "张伟", Exact),
            ("张伟先生", "张伟", Exact),
            ("张伟", "张玮", Homophone),
            ("张东桂", "张东贵", Homophone),
            ("单伟", "善伟", Homophone),
            ("张伟", "Zhang Wei", Pinyin),
            ("张东桂", "张东明", Close),
            ("张**", "张伟明", MaskedConsistent),
            ("张女士", "张伟", Surname),
            ("张伟", "ZW", Initials),
            ("王先生", "张伟", Different),
            ("李四", "张伟", Different),
            ("", "张伟", Missing),
            ("张伟", "匿名", Missing),
        ];
        for level in NameLevel::ALL {
            assert!(table.iter().any(|r| r.2 == *level), "{level:?} untested");
        }
        check(&table);
    }

    #[test]
    fn masks() {
        check(&[
            ("张**", "张伟明", MaskedConsistent),
            ("张X", "张伟", MaskedConsistent),
            ("张x", "张伟", MaskedConsistent),
            ("张*明", "张伟明", MaskedConsistent),
            ("*伟明", "张伟明", MaskedConsistent),
            ("欧阳*", "欧阳娜", MaskedConsistent),
            ("张**", "张**", MaskedConsistent),
            ("张*明", "张伟*", MaskedConsistent),
            // the length differs: the surname still agrees
            ("张**", "张伟", Surname),
            ("张X", "张伟明", Surname),
            ("张**", "张女士", Surname),
            ("张**", "张某某", Surname),
            ("张**", "张X", Surname),
            ("张**", "Zhang Weiming", Surname),
            // visible characters disagree
            ("张*明", "张伟华", Different),
            ("李**", "张伟明", Different),
            ("张**", "李女士", Different),
            ("*伟明", "张伟华", Different),
            ("张*", "Li Wei", Different),
            // nothing visible to compare
            ("*伟", "张女士", Missing),
            ("*伟明", "张伟", Missing),
            ("*伟", "Zhang Wei", Missing),
            ("", "张**", Missing),
        ]);
    }

    #[test]
    fn latin_script() {
        check(&[
            ("张伟", "Zhang Wei", Pinyin),
            ("张伟", "WEI ZHANG", Pinyin),
            ("张伟", "zhangwei", Pinyin),
            ("张伟", "weizhang", Pinyin),
            ("张伟", "Zhang-Wei", Pinyin),
            ("张小明", "Zhang Xiaoming", Pinyin),
            ("张小明", "Xiao Ming Zhang", Pinyin),
            ("欧阳娜娜", "Ouyang Nana", Pinyin),
            ("吕伟", "LYU Wei", Pinyin),
            ("吕伟", "Lv Wei", Pinyin),
            ("吕伟", "Lu Wei", Pinyin),
            // polyphonic surnames read as surnames
            ("单伟", "Shan Wei", Pinyin),
            ("曾伟", "Zeng Wei", Pinyin),
            ("区伟", "Ou Wei", Pinyin),
            ("解伟", "Xie Wei", Pinyin),
            ("仇伟", "Qiu Wei", Pinyin),
            ("朴伟", "Piao Wei", Pinyin),
            ("查伟", "Zha Wei", Pinyin),
            ("盖伟", "Ge Wei", Pinyin),
            ("乐伟", "Yue Wei", Pinyin),
            ("尉迟恭", "Yuchi Gong", Pinyin),
            ("单于明", "Shan Yuming", Pinyin),
            ("单伟", "Dan Wei", Different),
            ("曾伟", "Ceng Wei", Different),
            // given names with several readings
            ("张乐", "Zhang Le", Pinyin),
            ("张乐", "Zhang Yue", Pinyin),
            // Latin against Latin
            ("Zhang Wei", "WEI ZHANG", Pinyin),
            ("zhangwei", "Wei Zhang", Pinyin),
            ("Zhang Wei", "Zhang Min", Different),
            // Latin against a surname
            ("Zhang Wei", "张女士", Surname),
            ("Wei Zhang", "老张", Surname),
            ("Zhang Wei", "李先生", Different),
            // different people
            ("张伟", "Zhang Min", Different),
            ("张伟", "Li Wei", Different),
            ("张伟", "Wei", Different),
            ("", "Zhang Wei", Missing),
        ]);
    }

    #[test]
    fn initials() {
        check(&[
            ("张伟", "ZW", Initials),
            ("张伟", "WZ", Initials),
            ("张伟", "Z.W.", Initials),
            ("张小明", "ZXM", Initials),
            ("张小明", "Zhang X M", Initials),
            ("张伟", "Zhang W", Initials),
            ("单伟", "SW", Initials),
            ("ZW", "Zhang Wei", Initials),
            ("ZXM", "zhangxiaoming", Initials),
            ("ZW", "zw", Initials),
            ("ZW", "张女士", Initials),
            ("ZW", "张**", Initials),
            ("张伟", "LW", Different),
            ("单伟", "DW", Different),
            ("ZW", "Li Wei", Different),
            ("ZW", "LM", Different),
            ("ZW", "李女士", Different),
            ("ZW", "", Missing),
        ]);
    }

    #[test]
    fn forms_of_address() {
        for form in [
            "张女士",
            "张先生",
            "张同志",
            "张老师",
            "张师傅",
            "张大爷",
            "张大妈",
            "张阿姨",
            "老张",
            "小张",
            "张老",
            "张某",
            "张某某",
            "张总",
        ] {
            assert_eq!(cmp(form, "张伟"), Surname, "{form}");
            assert_eq!(cmp("张伟", form), Surname, "{form}");
            assert_eq!(cmp(form, "李伟"), Different, "{form}");
            assert_eq!(cmp(form, "张女士"), Surname, "{form}");
        }
    }
}
