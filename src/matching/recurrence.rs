//! Recurrence: the later of two submissions says its matter was filed before (再次反映,
//! 此事已反映多次, 上次反映后没有回复 …). That raises the odds of the same matter with an older
//! case, whatever the time between them.

use super::levels::levels;

levels! {
    pub enum RecurrenceLevel {
        LaterSaysRepeated => "later_says_repeated",
        NoClaim => "no_claim",
        Unknown => "unknown",
    }
}

/// `a` and `b`: (received time, says it was filed before).
pub fn compare(a: (Option<i64>, bool), b: (Option<i64>, bool)) -> RecurrenceLevel {
    let (Some(ta), Some(tb)) = (a.0, b.0) else {
        return RecurrenceLevel::Unknown;
    };
    let later_says = if ta >= tb { a.1 } else { b.1 };
    if later_says {
        RecurrenceLevel::LaterSaysRepeated
    } else {
        RecurrenceLevel::NoClaim
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformance() {
        let table = [
            (
                (Some(10), true),
                (Some(5), false),
                RecurrenceLevel::LaterSaysRepeated,
            ),
            ((Some(10), false), (Some(5), true), RecurrenceLevel::NoClaim),
            (
                (Some(10), false),
                (Some(5), false),
                RecurrenceLevel::NoClaim,
            ),
            ((None, true), (Some(5), false), RecurrenceLevel::Unknown),
        ];
        for (a, b, want) in table {
            assert_eq!(compare(a, b), want, "{a:?} vs {b:?}");
            assert_eq!(compare(b, a), want, "{b:?} vs {a:?}");
        }
    }
}
