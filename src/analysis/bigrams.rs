//! Character bigrams of normalised narratives: formula phrases of intake (来电人诉求,
//! 请有关部门…) cut out first, each bigram keyed by a 32-bit hash; their inverse document
//! frequency; and the phrases with which a submission says it was filed before.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::LazyLock;

const BOILERPLATE_TXT: &str = include_str!("../../dictionaries/boilerplate.txt");
const RECURRENCE_TXT: &str = include_str!("../../dictionaries/recurrence.txt");

fn phrase_matcher(list: &str) -> Option<AhoCorasick> {
    let phrases: Vec<String> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(super::normalize)
        .collect();
    // leftmost-longest: 来电人诉求 wins over 来电人
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(phrases)
        .ok()
}

static BOILERPLATE: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| phrase_matcher(BOILERPLATE_TXT));
static RECURRENCE: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| phrase_matcher(RECURRENCE_TXT));

/// Whether a normalised narrative says the matter was filed before (此事已反映多次,
/// 再次反映, 上次反映后没有回复, 第三次反映 …).
pub fn says_repeated(normalized: &str) -> bool {
    RECURRENCE.as_ref().is_some_and(|m| m.is_match(normalized))
}

/// Inverse document frequency of a bigram seen in `df` of `docs` documents. Small
/// collections count as 1,000 documents, so that in a tiny index every bigram weighs about
/// the same instead of its weight swinging with each added case.
pub fn idf(df: u64, docs: u64) -> f32 {
    let n = docs.max(1000) as f32;
    ((n + 1.0) / (df as f32 + 1.0)).ln() + 1.0
}

/// The 32-bit key of a bigram.
pub fn bigram_hash(a: char, b: char) -> u32 {
    let x = (u64::from(a as u32) << 21) | u64::from(b as u32);
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

/// The distinct bigrams of normalised text after formula phrases are cut out, with their
/// keys, sorted by key.
pub fn distinct_bigrams(normalized: &str) -> Vec<(u32, char, char)> {
    let mut cut = String::with_capacity(normalized.len());
    match BOILERPLATE.as_ref() {
        // every formula phrase becomes a break, without a replacement list per call
        Some(m) => m.replace_all_with(normalized, &mut cut, |_, _, dst| {
            dst.push('|');
            true
        }),
        None => cut.push_str(normalized),
    }
    let mut out = Vec::with_capacity(cut.len() / 3);
    let mut prev: Option<char> = None;
    for c in cut.chars() {
        if c.is_alphanumeric() {
            if let Some(p) = prev {
                out.push((bigram_hash(p, c), p, c));
            }
            prev = Some(c);
        } else {
            prev = None;
        }
    }
    out.sort_unstable_by_key(|g| g.0);
    out.dedup_by_key(|g| g.0);
    out
}

/// The distinct bigram keys of a narrative (sorted) with a weight each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeightedBigrams {
    pub keys: Vec<u32>,
    pub weights: Vec<f32>,
    /// the object names the narrative mentions (see `object_names`)
    pub objects: Vec<super::ObjectName>,
    /// the narrative says it was filed before
    pub says_repeated: bool,
}
