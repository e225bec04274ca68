//! Platform account comparator: the poster's user id on a web board, app or WeChat account
//! identifies one person on that platform; on two platforms the ids say nothing.

use super::levels::levels;

levels! {
    pub enum AccountLevel {
        Same => "same",
        Different => "different",
        OtherPlatform => "other_platform",
        Missing => "missing",
    }
}

/// Compares two `platform:account` keys (see `Profile::account`).
pub fn compare(a: Option<&str>, b: Option<&str>) -> AccountLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return AccountLevel::Missing;
    };
    if a == b {
        return AccountLevel::Same;
    }
    let platform = |k: &str| k.rsplit_once(':').map_or("", |(p, _)| p).to_string();
    if platform(a) == platform(b) {
        AccountLevel::Different
    } else {
        AccountLevel::OtherPlatform
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformance() {
        let table = [
            (Some("问政平台:a1"), Some("问政平台:a1"), AccountLevel::Same),
            (
                Some("问政平台:a1"),
                Some("问政平台:a2"),
                AccountLevel::Different,
            ),
            (
                Some("问政平台:a1"),
                Some("微信:a1"),
                AccountLevel::OtherPlatform,
            ),
            (None, Some("问政平台:a1"), AccountLevel::Missing),
            (None, None, AccountLevel::Missing),
        ];
        for (a, b, want) in table {
            assert_eq!(compare(a, b), want, "{a:?} vs {b:?}");
            assert_eq!(compare(b, a), want, "{b:?} vs {a:?}");
        }
    }
}
