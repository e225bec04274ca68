//! Phone comparator: exact; the same landline with and without area code; different; missing.

use super::levels::levels;
use crate::analysis::Phone;

levels! {
    pub enum PhoneLevel {
        Exact => "exact",
        SameLocal => "same_local",
        Different => "different",
        Missing => "missing",
    }
}

pub fn compare(a: Option<&Phone>, b: Option<&Phone>) -> PhoneLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return PhoneLevel::Missing;
    };
    if a.digits == b.digits {
        PhoneLevel::Exact
    } else if a.key() == b.key() {
        PhoneLevel::SameLocal
    } else {
        PhoneLevel::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> PhoneLevel {
        compare(Phone::parse(a).as_ref(), Phone::parse(b).as_ref())
    }

    #[test]
    fn conformance() {
        let table = [
            ("+86 139-1234-5678", "13912345678", PhoneLevel::Exact),
            (
                "0086 139 1234 5678",
                "１３９１２３４５６７８",
                PhoneLevel::Exact,
            ),
            ("0731-88889999", "88889999", PhoneLevel::SameLocal),
            ("(0731)88889999", "0731-88889999", PhoneLevel::Exact),
            ("13912345678", "13912345679", PhoneLevel::Different),
            ("", "13912345678", PhoneLevel::Missing),
        ];
        for (a, b, want) in table {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want, "{b} vs {a}");
        }
    }
}
