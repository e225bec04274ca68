//! ID number comparator: exact (15-digit forms already converted to 18); masked pattern
//! consistent with the other number; different; an invalid number that differs; missing.

use super::levels::levels;
use crate::analysis::IdNumber;

levels! {
    pub enum IdLevel {
        Exact => "exact",
        Consistent => "masked_consistent",
        Different => "different",
        InvalidDifferent => "invalid_different",
        Missing => "missing",
    }
}

/// Minimum known positions two patterns must share before they count as consistent.
const MIN_SHARED_KNOWN: usize = 6;

pub fn compare(a: Option<&IdNumber>, b: Option<&IdNumber>) -> IdLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return IdLevel::Missing;
    };
    if a.as_str() == b.as_str() {
        return IdLevel::Exact;
    }
    let masked = matches!(a, IdNumber::Masked(_)) || matches!(b, IdNumber::Masked(_));
    if masked {
        let (Some(pa), Some(pb)) = (a.pattern18(), b.pattern18()) else {
            return IdLevel::Missing;
        };
        let mut shared = 0;
        for (x, y) in pa.chars().zip(pb.chars()) {
            if x == '*' || y == '*' {
                continue;
            }
            if x != y {
                return IdLevel::Different;
            }
            shared += 1;
        }
        return if shared >= MIN_SHARED_KNOWN {
            IdLevel::Consistent
        } else {
            IdLevel::Missing
        };
    }
    if matches!(a, IdNumber::Invalid(_)) || matches!(b, IdNumber::Invalid(_)) {
        IdLevel::InvalidDifferent
    } else {
        IdLevel::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> IdLevel {
        compare(IdNumber::parse(a).as_ref(), IdNumber::parse(b).as_ref())
    }

    #[test]
    fn conformance() {
        let table = [
            ("430104198807152329", "430104198807152329", IdLevel::Exact),
            ("11010519491231002X", "110105491231002", IdLevel::Exact),
            (
                "１１０１０５１９４９１２３１００２ｘ",
                "11010519491231002X",
                IdLevel::Exact,
            ),
            (
                "4301**********2329",
                "430104198807152329",
                IdLevel::Consistent,
            ),
            (
                "430104********2329",
                "430104198807152329",
                IdLevel::Consistent,
            ),
            (
                "4301**********2328",
                "430104198807152329",
                IdLevel::Different,
            ),
            (
                "430104198807152329",
                "11010519491231002X",
                IdLevel::Different,
            ),
            (
                "430104198807152320",
                "430104198807152329",
                IdLevel::InvalidDifferent,
            ),
            ("", "430104198807152329", IdLevel::Missing),
        ];
        for (a, b, want) in table {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want, "{b} vs {a}");
        }
    }
}
