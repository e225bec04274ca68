//! Channel pair: a repeat on one channel, or the same matter across platforms.

use super::levels::levels;

levels! {
    pub enum ChannelLevel {
        Same => "same_channel",
        Cross => "cross_channel",
        Unknown => "unknown",
    }
}

pub fn compare(a: Option<&str>, b: Option<&str>) -> ChannelLevel {
    match (a, b) {
        (Some(x), Some(y)) if x == y => ChannelLevel::Same,
        (Some(_), Some(_)) => ChannelLevel::Cross,
        _ => ChannelLevel::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformance() {
        assert_eq!(compare(Some("电话"), Some("电话")), ChannelLevel::Same);
        assert_eq!(compare(Some("电话"), Some("网上")), ChannelLevel::Cross);
        assert_eq!(compare(Some("电话"), None), ChannelLevel::Unknown);
    }
}
