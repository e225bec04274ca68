//! Narrative comparator. Character bigrams of the normalised text with formula phrases of
//! hotline and web intake removed (来电人诉求, 请有关部门…), each weighted by how rare it is
//! (inverse document frequency over the index or the batch), compared by weighted
//! containment |A∩B| / min(|A|,|B|) blended with the weighted cosine: a short hotline
//! summary of a long letter still scores high, and two residents who write about one estate
//! in their own words share its rare name, not common words.

use super::levels::levels;
use crate::analysis::{ObjectName, WeightedBigrams, object_names};
pub use crate::analysis::{bigram_hash, distinct_bigrams, idf, says_repeated};

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
/// The sorted distinct bigrams of a narrative, each hashed to 32 bits (collisions among a
/// few million distinct bigrams are too rare to move a score), with their weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextSignature {
    bigrams: Vec<u32>,
    weights: Vec<f32>,
    total: f32,
    norm: f32,
    /// the narrative says it was filed before
    pub says_repeated: bool,
    /// every reading of the object names the narrative mentions
    object_readings: Vec<ObjectName>,
    /// the keys of the specific ones (rare in the collection), sorted
    objects: Vec<u32>,
    /// the object (group, see `ObjectName::group`) each of `objects` names
    object_groups: Vec<u16>,
}

/// A name is specific when its rarest bigram is in at most about 1% of the collection
/// (idf ≥ 1 + ln 100): 金桂苑小区 is, 该小区 and 物业公司 are not.
const SPECIFIC_IDF: f32 = 5.6;

levels! {
    /// Whether two narratives name one specific object (estate, village, company, road …):
    /// `same_and_others` when, beside the shared one, each names an object the other does
    /// not (one estate, two shops in it).
    pub enum ObjectLevel {
        Same => "same",
        SameAndOthers => "same_and_others",
        Different => "different",
        Missing => "missing",
    }
}

impl TextSignature {
    /// The signature of normalised text (see `analysis::normalize`), every bigram weighing 1.
    pub fn of(normalized: &str) -> TextSignature {
        Self::weighted(normalized, |_, _, _| 1.0)
    }

    /// The signature with each bigram weighted by `weight(key, first char, second char)`.
    pub fn weighted(normalized: &str, weight: impl Fn(u32, char, char) -> f32) -> TextSignature {
        let grams = distinct_bigrams(normalized);
        let mut sig = TextSignature {
            bigrams: grams.iter().map(|g| g.0).collect(),
            weights: grams.iter().map(|&(h, a, b)| weight(h, a, b)).collect(),
            says_repeated: says_repeated(normalized),
            object_readings: object_names(normalized),
            ..TextSignature::default()
        };
        sig.totals();
        sig
    }

    /// The signature from bigrams weighted elsewhere (the index's document frequencies).
    pub fn from_weighted(w: WeightedBigrams) -> TextSignature {
        let mut sig = TextSignature {
            bigrams: w.keys,
            weights: w.weights,
            says_repeated: w.says_repeated,
            object_readings: w.objects,
            ..TextSignature::default()
        };
        sig.totals();
        sig
    }

    /// Sets every weight from its key (batch dedupe: document frequencies over the batch).
    pub fn reweight(&mut self, weight: impl Fn(u32) -> f32) {
        for (w, &h) in self.weights.iter_mut().zip(&self.bigrams) {
            *w = weight(h);
        }
        self.totals();
    }

    fn totals(&mut self) {
        self.total = self.weights.iter().sum();
        self.norm = self.weights.iter().map(|w| w * w).sum::<f32>().sqrt();
        let weight = |h: &u32| {
            self.bigrams
                .binary_search(h)
                .map_or(0.0, |i| self.weights[i])
        };
        (self.objects, self.object_groups) = self
            .object_readings
            .iter()
            .filter(|o| o.bigrams.iter().map(weight).fold(0.0, f32::max) >= SPECIFIC_IDF)
            .map(|o| (o.key, o.group))
            .unzip();
    }

    /// Whether the two narratives name one specific object: missing when either names none;
    /// `same_and_others` when, beside the shared one, each names an object the other does not.
    pub fn objects(&self, other: &TextSignature) -> ObjectLevel {
        if self.objects.is_empty() || other.objects.is_empty() {
            return ObjectLevel::Missing;
        }
        // the groups of each side that the other names too, as bit sets (a text naming more
        // than 64 objects counts its later ones as shared: no evidence from them)
        let (mut mine, mut theirs, mut shared) = (0u64, 0u64, false);
        let bit = |g: u16| 1u64.checked_shl(u32::from(g)).unwrap_or(0);
        let (mut i, mut j) = (0, 0);
        while i < self.objects.len() && j < other.objects.len() {
            match self.objects[i].cmp(&other.objects[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared = true;
                    mine |= bit(self.object_groups[i]);
                    theirs |= bit(other.object_groups[j]);
                    i += 1;
                    j += 1;
                }
            }
        }
        if !shared {
            return ObjectLevel::Different;
        }
        let unshared =
            |groups: &[u16], shared: u64| groups.iter().any(|&g| g < 64 && shared & bit(g) == 0);
        if unshared(&self.object_groups, mine) && unshared(&other.object_groups, theirs) {
            ObjectLevel::SameAndOthers
        } else {
            ObjectLevel::Same
        }
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

    /// Sum of weights and of squared weights of the shared bigrams.
    fn shared(&self, other: &TextSignature) -> (f32, f32) {
        let (mut i, mut j) = (0, 0);
        let (mut sum, mut sq) = (0.0, 0.0);
        let (a, b) = (&self.bigrams, &other.bigrams);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let w = self.weights[i].min(other.weights[j]);
                    sum += w;
                    sq += self.weights[i] * other.weights[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        (sum, sq)
    }
}

/// Weighted similarity in 0..=1: the mean of the containment of the smaller text in the
/// larger and the cosine of the two.
pub fn text_similarity(a: &TextSignature, b: &TextSignature) -> f64 {
    let small = a.total.min(b.total);
    if small <= 0.0 || a.norm <= 0.0 || b.norm <= 0.0 {
        return 0.0;
    }
    let (sum, sq) = a.shared(b);
    let containment = (sum / small).min(1.0);
    let cosine = (sq / (a.norm * b.norm)).min(1.0);
    f64::from(0.5 * (containment + cosine))
}

pub fn compare(a: &TextSignature, b: &TextSignature) -> (TextLevel, f64) {
    if a.is_empty() || b.is_empty() {
        return (TextLevel::Missing, 0.0);
    }
    let sim = text_similarity(a, b);
    let level = if a.len().min(b.len()) < SHORT_BIGRAMS && sim < 0.999 {
        TextLevel::Short
    } else if sim >= 0.7 {
        TextLevel::VeryHigh
    } else if sim >= 0.5 {
        TextLevel::High
    } else if sim >= 0.35 {
        TextLevel::Medium
    } else if sim >= 0.22 {
        TextLevel::Low
    } else if sim >= 0.12 {
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
        assert!(s > 0.6, "{s}");
        assert!(
            matches!(level, TextLevel::VeryHigh | TextLevel::High),
            "{level:?}"
        );
        assert!(text_similarity(&hotline, &other) < 0.12);
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

    #[test]
    fn rare_shared_names_weigh_more_than_common_words() {
        // two residents of one estate in their own words, and a stranger about another
        // estate with the same common words
        let texts = [
            "金桂苑小区的电梯坏了三个月没人修，老人上下楼很不方便，物业不管。",
            "我住在金桂苑，电梯一直停用，找物业多次没有结果，请帮忙解决。",
            "翠湖雅苑的电梯坏了三个月没人修，老人上下楼很不方便，物业不管。",
        ];
        let norm: Vec<String> = texts.iter().map(|t| normalize(t)).collect();
        // document frequencies as if the common words were everywhere and the names rare
        let common: std::collections::HashSet<u32> = distinct_bigrams(&normalize(
            "电梯坏了三个月没人修，老人上下楼很不方便，物业不管，找物业多次没有结果，请帮忙解决，一直停用，我住在小区的",
        ))
        .into_iter()
        .map(|g| g.0)
        .collect();
        let weigh = |h: u32, _: char, _: char| {
            if common.contains(&h) {
                idf(5000, 10_000)
            } else {
                idf(3, 10_000)
            }
        };
        let s: Vec<TextSignature> = norm
            .iter()
            .map(|t| TextSignature::weighted(t, weigh))
            .collect();
        let plain: Vec<TextSignature> = norm.iter().map(|t| TextSignature::of(t)).collect();
        let same_estate = text_similarity(&s[0], &s[1]) / text_similarity(&plain[0], &plain[1]);
        let other_estate = text_similarity(&s[0], &s[2]) / text_similarity(&plain[0], &plain[2]);
        assert!(same_estate > 1.0, "{same_estate}");
        assert!(other_estate < 1.0, "{other_estate}");
    }

    #[test]
    fn a_name_shared_beyond_the_sixty_fourth_object_is_still_shared() {
        // every bigram rare: two texts name 70 villages each, the one in common last
        let village = |i: u32| {
            let c = |k: u32| char::from_u32(0x4e00 + 2 * i + k).unwrap_or('一');
            format!("{}{}村", c(0), c(1))
        };
        let text = |from: u32| {
            let mut names: Vec<String> = (from..from + 69).map(village).collect();
            names.push(village(500));
            normalize(&names.join("，"))
        };
        let rare = |_: u32, _: char, _: char| idf(1, 10_000);
        let a = TextSignature::weighted(&text(0), rare);
        let b = TextSignature::weighted(&text(100), rare);
        assert_eq!(a.objects(&b), ObjectLevel::SameAndOthers);
    }

    #[test]
    fn one_object_named_is_same_and_two_villages_of_one_template_are_different() {
        // every bigram rare except those of the shared template words
        let template: std::collections::HashSet<u32> = distinct_bigrams(&normalize(
            "村委会多年没有公开村级财务，请求纪检部门调查处理，我住在，电梯坏了没人修",
        ))
        .into_iter()
        .map(|g| g.0)
        .collect();
        let weigh = |h: u32, _: char, _: char| {
            if template.contains(&h) {
                idf(2000, 10_000)
            } else {
                idf(2, 10_000)
            }
        };
        let s = |t: &str| TextSignature::weighted(&normalize(t), weigh);
        let a = s("多吉新湾村村委会多年没有公开村级财务，请求纪检部门调查处理。");
        let b = s("株林东湾村村委会多年没有公开村级财务，请求纪检部门调查处理。");
        let c = s("我住在多吉新湾村，村里的账目一直不公开。");
        assert_eq!(a.objects(&b), ObjectLevel::Different);
        assert_eq!(a.objects(&c), ObjectLevel::Same);
        // one village, and each names a company the other does not: two matters of one place
        let e = s("多吉新湾村村委会把土地租给华信建材公司，多年没有公开村级财务。");
        let f = s("我住在多吉新湾村，村口的广源石料厂整夜施工。");
        assert_eq!(e.objects(&f), ObjectLevel::SameAndOthers);
        // only one side names more: the other may have left it out
        assert_eq!(e.objects(&c), ObjectLevel::Same);
        assert_eq!(c.objects(&e), ObjectLevel::Same);
        // nothing specific named, or weights that cannot tell: no evidence
        let d = s("电梯坏了没人修");
        assert_eq!(a.objects(&d), ObjectLevel::Missing);
        assert_eq!(
            sig("多吉新湾村村委会").objects(&sig("多吉新湾村")),
            ObjectLevel::Missing
        );
    }

    #[test]
    fn recurrence_phrases_are_recognised() {
        assert!(says_repeated(&normalize("此事已反映多次，至今无人处理。")));
        assert!(says_repeated(&normalize("这是我第三次反映这个问题")));
        assert!(!says_repeated(&normalize("小区电梯坏了，请尽快修理。")));
        assert!(sig("再次反映：路灯不亮").says_repeated);
    }

    #[test]
    fn reweighting_changes_the_score_not_the_bigrams() {
        let mut a = sig("小区门口的路灯坏了很久");
        let b = sig("小区门口的路灯坏了很久没人修");
        let before = text_similarity(&a, &b);
        let keys = a.bigrams().to_vec();
        a.reweight(|h| if h == keys[0] { 10.0 } else { 1.0 });
        assert_eq!(a.bigrams(), &keys[..]);
        assert!((text_similarity(&a, &b) - before).abs() > 1e-6);
    }
}
