//! Intake channels and their common aliases in platform exports.

/// The channels of FORMAT.md.
pub const CHANNELS: [&str; 7] = ["网上", "电话", "来信", "来访", "微信", "手机APP", "短信"];

/// Maps a channel label from any export to one of [`CHANNELS`]; unknown labels are kept trimmed.
pub fn normalize_channel(raw: &str) -> String {
    let t = raw.trim();
    let lower = t.to_lowercase();
    let canonical = match lower.as_str() {
        "网上" | "网络" | "网上信访" | "web" | "网站" | "留言板" | "网上投诉" => {
            "网上"
        }
        "电话" | "热线" | "12345" | "12345热线" | "来电" | "phone" | "hotline" => "电话",
        "来信" | "信件" | "书信" | "letter" | "mail" => "来信",
        "来访" | "走访" | "visit" => "来访",
        "微信" | "wechat" | "微信公众号" => "微信",
        "手机app" | "app" | "客户端" => "手机APP",
        "短信" | "sms" => "短信",
        _ => return t.to_string(),
    };
    canonical.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_to_canonical_channels() {
        assert_eq!(normalize_channel(" 12345热线 "), "电话");
        assert_eq!(normalize_channel("App"), "手机APP");
        assert_eq!(normalize_channel("手机APP"), "手机APP");
        assert_eq!(normalize_channel("信箱"), "信箱");
    }
}
