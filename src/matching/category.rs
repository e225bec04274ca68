//! Category comparator: the same complaint category or not.

use super::levels::levels;

levels! {
    pub enum CategoryLevel {
        Same => "same",
        Different => "different",
        Missing => "missing",
    }
}

pub fn compare(a: Option<&str>, b: Option<&str>) -> CategoryLevel {
    match (a, b) {
        (Some(x), Some(y)) if x.trim() == y.trim() => CategoryLevel::Same,
        (Some(_), Some(_)) => CategoryLevel::Different,
        _ => CategoryLevel::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformance() {
        assert_eq!(
            compare(Some("城乡建设"), Some("城乡建设 ")),
            CategoryLevel::Same
        );
        assert_eq!(
            compare(Some("城乡建设"), Some("环境保护")),
            CategoryLevel::Different
        );
        assert_eq!(compare(None, Some("环境保护")), CategoryLevel::Missing);
    }
}
