//! Phone comparator over every number of each side (a person known under two numbers
//! matches on either), strongest level first: exact (landline extensions, when both have
//! one, must agree); same_local (the same local number, one side without area code);
//! masked_consistent (a mask such as 138****1234 whose visible digits agree); different
//! (including the same local number under different area codes); missing.

use super::levels::levels;
use crate::analysis::{Phone, PhoneKind};

levels! {
    pub enum PhoneLevel {
        Exact => "exact",
        SameLocal => "same_local",
        MaskedConsistent => "masked_consistent",
        Different => "different",
        Missing => "missing",
    }
}

/// Visible digits two masks must share to count as consistent.
const MIN_SHARED_VISIBLE: usize = 4;

/// `pattern` against `other`, `*` unknown on either side; a pattern with one run of `*`
/// shorter than `other` (`****1234`) has the run widened. `None` when they cannot align,
/// `Some(None)` when visible digits disagree, else the number of shared visible digits.
fn align(pattern: &str, other: &str) -> Option<Option<usize>> {
    let widened;
    let pattern = if pattern.len() < other.len() {
        let first = pattern.find('*')?;
        let last = pattern.rfind('*')?;
        if !pattern[first..=last].bytes().all(|b| b == b'*') {
            return None;
        }
        let stars = other.len() - (pattern.len() - (last + 1 - first));
        widened = format!(
            "{}{}{}",
            &pattern[..first],
            "*".repeat(stars),
            &pattern[last + 1..]
        );
        widened.as_str()
    } else {
        pattern
    };
    if pattern.len() != other.len() {
        return None;
    }
    let mut shared = 0;
    for (p, q) in pattern.bytes().zip(other.bytes()) {
        if p == b'*' || q == b'*' {
            continue;
        }
        if p != q {
            return Some(None);
        }
        shared += 1;
    }
    Some(Some(shared))
}

fn masked(a: &Phone, b: &Phone) -> PhoneLevel {
    let (m, o) = if a.kind == PhoneKind::Masked {
        (a, b)
    } else {
        (b, a)
    };
    let aligned = align(&m.digits, &o.digits)
        .or_else(|| align(&o.digits, &m.digits))
        .or_else(|| match (m.local.as_deref(), o.local.as_deref()) {
            (Some(x), Some(y)) => align(x, y).or_else(|| align(y, x)),
            _ => None,
        });
    match aligned {
        Some(Some(shared)) if shared >= MIN_SHARED_VISIBLE => PhoneLevel::MaskedConsistent,
        Some(Some(_)) => PhoneLevel::Missing,
        _ => PhoneLevel::Different,
    }
}

fn landlines(a: &Phone, b: &Phone) -> PhoneLevel {
    if a.local != b.local {
        return PhoneLevel::Different;
    }
    if let (Some(x), Some(y)) = (&a.extension, &b.extension)
        && x != y
    {
        return PhoneLevel::Different;
    }
    match (a.area(), b.area()) {
        (Some(x), Some(y)) if x != y => PhoneLevel::Different,
        (Some(_), None) | (None, Some(_)) => PhoneLevel::SameLocal,
        _ => PhoneLevel::Exact,
    }
}

/// Two single numbers.
/// Mobile or landline, read from a masked number's shape where it shows (11 digits from 1, or
/// an area code); `None` when it does not.
fn shape(p: &Phone) -> Option<PhoneKind> {
    match p.kind {
        PhoneKind::Mobile | PhoneKind::Landline => Some(p.kind),
        PhoneKind::Masked if p.digits.len() == 11 && p.digits.starts_with('1') => {
            Some(PhoneKind::Mobile)
        }
        PhoneKind::Masked if p.local.is_some() => Some(PhoneKind::Landline),
        _ => None,
    }
}

pub fn compare_one(a: &Phone, b: &Phone) -> PhoneLevel {
    // a mobile and a landline say nothing of each other: one person often has both (the
    // hotline registers the number a call came from, a letter gives the mobile)
    if let (Some(x), Some(y)) = (shape(a), shape(b))
        && x != y
    {
        return PhoneLevel::Missing;
    }
    match (a.kind, b.kind) {
        (PhoneKind::Masked, _) | (_, PhoneKind::Masked) => masked(a, b),
        (PhoneKind::Landline, PhoneKind::Landline) => landlines(a, b),
        _ if a.kind == b.kind && a.digits == b.digits => PhoneLevel::Exact,
        _ if a.kind != b.kind => PhoneLevel::Missing,
        _ => PhoneLevel::Different,
    }
}

/// Every number of one side against every number of the other: the strongest level
/// (`different` only when no pair is stronger, `missing` when no pair tells anything).
pub fn compare(a: &[Phone], b: &[Phone]) -> PhoneLevel {
    let rank = |l: &PhoneLevel| PhoneLevel::ALL.iter().position(|x| x == l);
    a.iter()
        .flat_map(|x| b.iter().map(move |y| compare_one(x, y)))
        .min_by_key(rank)
        .unwrap_or(PhoneLevel::Missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PhoneLevel::*;

    fn cmp(a: &str, b: &str) -> PhoneLevel {
        compare(&Phone::parse_all(a), &Phone::parse_all(b))
    }

    fn check(table: &[(&str, &str, PhoneLevel)]) {
        for (a, b, want) in table {
            assert_eq!(cmp(a, b), *want, "{a} vs {b}");
            assert_eq!(cmp(b, a), *want, "{b} vs {a}");
        }
    }

    #[test]
    fn conformance() {
        let table = [
            ("+86 139-1234-5678", "13912345678", Exact),
            ("0086 139 1234 5678", "１３９１２３４５６７８", Exact),
            ("(0731)88889999", "0731-88889999", Exact),
            ("0731-88889999", "88889999", SameLocal),
            ("138****5678", "13812345678", MaskedConsistent),
            ("13912345678", "13912345679", Different),
            ("0731-88889999", "0732-88889999", Different),
            ("13912345678", "0731-88889999", Missing),
            ("139****5678", "0731-88889999", Missing),
            ("0731-8888****", "13912345678", Missing),
            ("13912345678/0731-88889999", "13800001111", Different),
            ("", "13912345678", Missing),
            ("12345", "12345", Missing),
        ];
        for level in PhoneLevel::ALL {
            assert!(table.iter().any(|r| r.2 == *level), "{level:?} untested");
        }
        check(&table);
    }

    #[test]
    fn masks() {
        check(&[
            ("138****1234", "13812341234", MaskedConsistent),
            ("138-XXXX-1234", "13856781234", MaskedConsistent),
            ("138xxxx1234", "+86 138 5678 1234", MaskedConsistent),
            ("138****1234", "138****1234", MaskedConsistent),
            ("138****1234", "1385***1234", MaskedConsistent),
            ("138****1234", "1385678****", Missing),
            ("****1234", "13856781234", MaskedConsistent),
            ("0731-8888****", "0731-88881234", MaskedConsistent),
            ("0731-8888****", "88881234", MaskedConsistent),
            ("138****1234", "13812341235", Different),
            ("138****1234", "13912341234", Different),
            ("138****1234", "138****1235", Different),
            ("138****1234", "0731-88881234", Missing),
            ("138****1234", "88881234", Missing),
            ("138********", "*******1234", Missing),
            ("", "138****1234", Missing),
        ]);
    }

    #[test]
    fn landlines() {
        check(&[
            ("0731-8888 8888", "073188888888", Exact),
            ("0731-88888888-123", "0731-8888 8888转123", Exact),
            ("0731-88888888-123", "(0731)88888888", Exact),
            ("88888888", "88888888", Exact),
            ("0731-88888888", "88888888", SameLocal),
            ("0731-88888888转123", "88888888", SameLocal),
            ("0731-88888888", "0730-88888888", Different),
            ("010-88888888", "021-88888888", Different),
            ("0731-88888888-123", "0731-88888888-456", Different),
            ("0731-88888888", "0731-88888889", Different),
            ("0731-88888888", "13912345678", Missing),
        ]);
    }

    #[test]
    fn several_numbers_match_on_any() {
        check(&[
            ("13912345678/13812345678", "13812345678", Exact),
            ("13912345678、0731-88888888", "88888888", SameLocal),
            ("13912345678 13812345678", "13712345678；13812345678", Exact),
            ("13912345678,138****5678", "13800005678", MaskedConsistent),
            ("13912345678/13812345678", "13712345678", Different),
            ("12345/13912345678", "12345", Missing),
            ("400-888-8888", "400-888-8888", Missing),
        ]);
    }
}
