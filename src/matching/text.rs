//! Narrative comparator. Character bigrams of the normalised text with formula phrases of
//! hotline and web intake removed (来电人诉求, 请有关部门…), compared by containment
//! |A∩B| / min(|A|,|B|): a short hotline summary of a long letter still scores high.

use super::levels::levels;
use std::sync::LazyLock;

levels! {
    pub enum TextLevel {
        VeryHigh => "very_high",
        High => "high",
        Medium => "medium",
        Low => "low",
        Weak => "weak",
        None => "none",
        Short => "short",
        Missing => "missing",
    }
}

/// Texts with fewer distinct bigrams than this say too little to compare by share alone.
const SHORT_BIGRAMS: usize = 12;

const BOILERPLATE_TXT: &str = include_str!("../../dictionaries/boilerplate.txt");

static BOILERPLATE: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut phrases: Vec<String> = BOILERPLATE_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(crate::analysis::normalize)
        .collect();
    // longest first, so 来电人诉求 goes before 来电人
    phrases.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    phrases
});

/// The sorted distinct bigrams of a narrative, each hashed to 32 bits (collisions among a
/// few million distinct bigrams are too rare to move a containment score).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextSignature {
    bigrams: Vec<u32>,
}

fn bigram_hash(a: char, b: char) -> u32 {
    let x = (u64::from(a as u32) << 21) | u64::from(b as u32);
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

impl TextSignature {
    /// Builds the signature of normalised text (see `analysis::normalize`).
    pub fn of(normalized: &str) -> TextSignature {
        let mut text = normalized.to_string();
        for p in BOILERPLATE.iter() {
            if text.contains(p.as_str()) {
                text = text.replace(p.as_str(), "|");
            }
        }
        let mut bigrams = Vec::with_capacity(text.len() / 3);
        let mut prev: Option<char> = None;
        for c in text.chars() {
            if c.is_alphanumeric() {
                if let Some(p) = prev {
                    bigrams.push(bigram_hash(p, c));
                }
                prev = Some(c);
            } else {
                prev = None;
            }
        }
        bigrams.sort_unstable();
        bigrams.dedup();
        bigrams.shrink_to_fit();
        TextSignature { bigrams }
    }

    pub fn len(&self) -> usize {
        self.bigrams.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bigrams.is_empty()
    }

    /// The hashed bigrams, sorted and distinct.
    pub fn bigrams(&self) -> &[u32] {
        &self.bigrams
    }

    fn shared(&self, other: &TextSignature) -> usize {
        let (mut i, mut j, mut n) = (0, 0, 0);
        let (a, b) = (&self.bigrams, &other.bigrams);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }
}

/// Containment of the smaller bigram set in the larger, in 0..=1.
pub fn text_similarity(a: &TextSignature, b: &TextSignature) -> f64 {
    let small = a.len().min(b.len());
    if small == 0 {
        return 0.0;
    }
    a.shared(b) as f64 / small as f64
}

pub fn compare(a: &TextSignature, b: &TextSignature) -> (TextLevel, f64) {
    if a.is_empty() || b.is_empty() {
        return (TextLevel::Missing, 0.0);
    }
    let sim = text_similarity(a, b);
    let level = if a.len().min(b.len()) < SHORT_BIGRAMS && sim < 0.999 {
        TextLevel::Short
    } else if sim >= 0.85 {
        TextLevel::VeryHigh
    } else if sim >= 0.65 {
        TextLevel::High
    } else if sim >= 0.45 {
        TextLevel::Medium
    } else if sim >= 0.3 {
        TextLevel::Low
    } else if sim >= 0.15 {
        TextLevel::Weak
    } else {
        TextLevel::None
    };
    (level, sim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize;

    fn sig(s: &str) -> TextSignature {
        TextSignature::of(&normalize(s))
    }

    #[test]
    fn hotline_summary_matches_the_long_letter() {
        let letter = sig(
            "尊敬的领导：我们小区旁边的工地每天晚上施工到凌晨三点，噪音很大，严重影响居民休息，多次向工地反映无果，希望有关部门依法查处夜间违规施工，还我们一个安静的环境。",
        );
        let hotline = sig(
            "来电人反映：小区旁边的工地每天晚上施工到凌晨三点，噪音很大，严重影响居民休息。来电人诉求：请有关部门尽快处理。",
        );
        let other = sig(
            "本人在建筑公司务工，公司拖欠十名工人工资共计三万元，多次讨要未果，请求劳动监察部门帮助追讨欠薪。",
        );
        let (level, s) = compare(&hotline, &letter);
        assert!(s > 0.8, "{s}");
        assert_eq!(level, TextLevel::VeryHigh);
        assert!(text_similarity(&hotline, &other) < 0.15);
    }

    #[test]
    fn traditional_text_compares_equal() {
        let a = sig("樓下飯店油煙擾民，晚上無法開窗，請求有關部門依法處理。");
        let b = sig("楼下饭店油烟扰民，晚上无法开窗，请求有关部门依法处理。");
        assert_eq!(compare(&a, &b).0, TextLevel::VeryHigh);
    }

    #[test]
    fn formula_phrases_do_not_make_texts_similar() {
        let a = sig("来电人反映：路灯坏了。来电人诉求：请有关部门尽快处理。");
        let b = sig("来电人反映：井盖丢了。来电人诉求：请有关部门尽快处理。");
        assert!(text_similarity(&a, &b) < 0.5);
        assert_eq!(compare(&sig(""), &b).0, TextLevel::Missing);
    }
}
