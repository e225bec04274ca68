//! Time between two submissions.

use super::levels::levels;

levels! {
    pub enum TimeLevel {
        SameDay => "same_day",
        Week => "week",
        Month => "month",
        Quarter => "quarter",
        Year => "year",
        Longer => "longer",
        Unknown => "unknown",
    }
}

pub fn compare(a: Option<i64>, b: Option<i64>) -> TimeLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return TimeLevel::Unknown;
    };
    let days = (a - b).unsigned_abs() / 86_400;
    match days {
        0 => TimeLevel::SameDay,
        1..=7 => TimeLevel::Week,
        8..=31 => TimeLevel::Month,
        32..=92 => TimeLevel::Quarter,
        93..=366 => TimeLevel::Year,
        _ => TimeLevel::Longer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformance() {
        let d = 86_400;
        assert_eq!(compare(Some(0), Some(3600)), TimeLevel::SameDay);
        assert_eq!(compare(Some(10 * d), Some(0)), TimeLevel::Month);
        assert_eq!(compare(Some(0), Some(400 * d)), TimeLevel::Longer);
        assert_eq!(compare(None, Some(0)), TimeLevel::Unknown);
    }
}
