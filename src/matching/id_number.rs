//! ID number comparator. Only two equal checksum-valid numbers are `exact` (15-digit forms
//! are already converted to 18). A mask is compared position by position with the other
//! value: visible digits that disagree make it `different`; agreement beyond the region
//! prefix (birth date, sequence, check digit) is `masked_consistent`; agreement on the
//! region alone is `masked_weak`. Two identical masks are only `masked_consistent`, since
//! many people share one mask. Two equal invalid numbers are `invalid_same`.

use super::levels::levels;
use crate::analysis::IdNumber;

levels! {
    pub enum IdLevel {
        Exact => "exact",
        Consistent => "masked_consistent",
        Weak => "masked_weak",
        InvalidSame => "invalid_same",
        Different => "different",
        InvalidDifferent => "invalid_different",
        Missing => "missing",
    }
}

/// Shared visible digits after the six-digit region needed for `masked_consistent`.
const MIN_SHARED_PERSONAL: usize = 4;
/// Shared visible digits (anywhere) needed for `masked_weak`.
const MIN_SHARED_WEAK: usize = 4;
/// Shorter invalid values (`1234`, `0`) carry no identity even when equal.
const MIN_INVALID_LEN: usize = 15;

fn compare_masked(a: &IdNumber, b: &IdNumber) -> IdLevel {
    let (Some(pa), Some(pb)) = (a.pattern18(), b.pattern18()) else {
        return IdLevel::Missing;
    };
    let (mut shared, mut personal) = (0, 0);
    for (i, (x, y)) in pa.chars().zip(pb.chars()).enumerate() {
        if x == '*' || y == '*' {
            continue;
        }
        if x != y {
            return IdLevel::Different;
        }
        shared += 1;
        if i >= 6 {
            personal += 1;
        }
    }
    if personal >= MIN_SHARED_PERSONAL {
        IdLevel::Consistent
    } else if shared >= MIN_SHARED_WEAK {
        IdLevel::Weak
    } else {
        IdLevel::Missing
    }
}

pub fn compare(a: Option<&IdNumber>, b: Option<&IdNumber>) -> IdLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return IdLevel::Missing;
    };
    match (a, b) {
        (IdNumber::Masked(_), _) | (_, IdNumber::Masked(_)) => compare_masked(a, b),
        (IdNumber::Valid(x), IdNumber::Valid(y)) if x == y => IdLevel::Exact,
        (IdNumber::Valid(_), IdNumber::Valid(_)) => IdLevel::Different,
        (IdNumber::Invalid(x), IdNumber::Invalid(y)) if x == y => {
            if x.chars().count() >= MIN_INVALID_LEN {
                IdLevel::InvalidSame
            } else {
                IdLevel::Missing
            }
        }
        _ => IdLevel::InvalidDifferent,
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
        use IdLevel::*;
        let full = "430104198807152329";
        let table = [
            (full, full, Exact),
            ("11010519491231002X", "110105491231002", Exact),
            (
                "１１０１０５１９４９１２３１００２ｘ",
                "11010519491231002X",
                Exact,
            ),
            ("110105 19491231 002x", "11010519491231002X", Exact),
            // masks consistent with the full number
            ("4301**********2329", full, Consistent),
            ("430104********2329", full, Consistent),
            ("4301XXXXXXXXXX2329", full, Consistent),
            ("4301****2329", full, Consistent),
            ("43010419880715****", full, Consistent),
            ("******19880715****", full, Consistent),
            // identical masks: many people share one
            ("4301**********2315", "4301**********2315", Consistent),
            ("4301**********2315", "430104********2315", Consistent),
            // only the region is visible
            ("430104************", full, Weak),
            ("4301**************", "4301**********2315", Weak),
            ("430104************", "430104************", Weak),
            // nothing visible in common
            ("**************2329", "430104************", Missing),
            // visible digits disagree
            ("4301**********2328", full, Different),
            ("4302**********2329", full, Different),
            ("43010419890715****", full, Different),
            ("4301**********2315", "4301**********2316", Different),
            (full, "11010519491231002X", Different),
            // invalid numbers
            ("430104198807152320", full, InvalidDifferent),
            ("430104198807152320", "430104198807152320", InvalidSame),
            ("1234", "1234", Missing),
            ("1234", full, InvalidDifferent),
            // missing on either side
            ("", full, Missing),
            ("无", full, Missing),
            ("", "4301**********2315", Missing),
            ("", "", Missing),
        ];
        for level in IdLevel::ALL {
            assert!(table.iter().any(|r| r.2 == *level), "{level:?} untested");
        }
        for (a, b, want) in table {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want, "{b} vs {a}");
        }
    }
}
