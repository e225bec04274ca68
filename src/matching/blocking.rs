//! In-memory blocking for batch dedupe: candidate pairs from shared person keys and from
//! rare text bigrams, never all pairs.
//!
//! Text: each record is posted under its bigrams that occur in at most `max_posting`
//! records, and looks up its `anchors` rarest ones; records sharing at least two anchors
//! (one when it has a single anchor) are candidates, the `text_candidates` best kept. A
//! hotline summary's rare bigrams are also in the long letter it summarises, so containment
//! pairs are found from the short side.

use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiplicative hasher for u32 keys (bigram hashes are already well mixed).
#[derive(Default)]
pub struct U32Hasher(u64);

impl Hasher for U32Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01B3);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub type U32Map<V> = HashMap<u32, V, BuildHasherDefault<U32Hasher>>;

#[derive(Debug, Clone)]
pub struct BlockingConfig {
    /// rarest bigrams a record looks up
    pub anchors: usize,
    /// bigrams in more records than this are not posted (0: max(64, n / 2000))
    pub max_posting: usize,
    /// text candidates kept per record
    pub text_candidates: usize,
    /// key groups up to this size are compared all-pairs; larger ones by time window
    pub key_group_all_pairs: usize,
    /// neighbours in time compared within a large key group
    pub key_window: usize,
}

impl Default for BlockingConfig {
    fn default() -> Self {
        BlockingConfig {
            anchors: 12,
            max_posting: 0,
            text_candidates: 50,
            key_group_all_pairs: 60,
            key_window: 20,
        }
    }
}

/// What blocking needs of a record.
pub struct BlockInput<'a> {
    /// exact person keys (ID number, phone, name in county)
    pub keys: Vec<String>,
    /// sorted distinct bigram hashes of the narrative
    pub bigrams: &'a [u32],
    pub timestamp: i64,
}

fn push_pair(out: &mut Vec<(u32, u32)>, a: u32, b: u32) {
    if a != b {
        out.push((a.min(b), a.max(b)));
    }
}

/// Candidate pairs (i < j), sorted and distinct.
pub fn candidate_pairs(records: &[BlockInput<'_>], cfg: &BlockingConfig) -> Vec<(u32, u32)> {
    let n = records.len();
    let mut pairs = Vec::new();
    // person keys
    let mut groups: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for k in &r.keys {
            groups.entry(k.as_str()).or_default().push(i as u32);
        }
    }
    for members in groups.values_mut() {
        if members.len() <= cfg.key_group_all_pairs {
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    push_pair(&mut pairs, a, b);
                }
            }
        } else {
            members.sort_by_key(|&m| (records[m as usize].timestamp, m));
            for (x, &a) in members.iter().enumerate() {
                for &b in members.iter().skip(x + 1).take(cfg.key_window) {
                    push_pair(&mut pairs, a, b);
                }
            }
        }
    }
    drop(groups);
    // text
    let cap = if cfg.max_posting == 0 {
        (n / 2000).max(64)
    } else {
        cfg.max_posting
    } as u32;
    let mut df: U32Map<u32> = U32Map::default();
    for r in records {
        for &b in r.bigrams {
            *df.entry(b).or_default() += 1;
        }
    }
    let mut slots: U32Map<(u32, u32)> = U32Map::default();
    let mut total = 0u32;
    for (&b, &count) in &df {
        if (2..=cap).contains(&count) {
            slots.insert(b, (total, 0));
            total += count;
        }
    }
    let mut postings = vec![0u32; total as usize];
    for (i, r) in records.iter().enumerate() {
        for b in r.bigrams {
            if let Some((start, filled)) = slots.get_mut(b) {
                postings[(*start + *filled) as usize] = i as u32;
                *filled += 1;
            }
        }
    }
    let text_pairs: Vec<Vec<(u32, u32)>> = records
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut anchors: Vec<(u32, u32)> = r
                .bigrams
                .iter()
                .filter_map(|b| slots.get(b).map(|&(start, len)| (len, start)))
                .collect();
            anchors.sort_unstable();
            anchors.truncate(cfg.anchors);
            let need = if anchors.len() >= 2 { 2 } else { 1 };
            let mut hits: U32Map<u32> = U32Map::default();
            for &(len, start) in &anchors {
                for &j in &postings[start as usize..(start + len) as usize] {
                    if j != i as u32 {
                        *hits.entry(j).or_default() += 1;
                    }
                }
            }
            let mut best: Vec<(u32, u32)> = hits.into_iter().filter(|&(_, h)| h >= need).collect();
            best.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            best.truncate(cfg.text_candidates);
            let mut out = Vec::with_capacity(best.len());
            for (j, _) in best {
                push_pair(&mut out, i as u32, j);
            }
            out
        })
        .collect();
    for list in text_pairs {
        pairs.extend(list);
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize;
    use crate::matching::TextSignature;

    #[test]
    fn finds_key_and_text_pairs_but_not_unrelated_ones() {
        let texts = [
            "望月湖小区旁边的工地每天晚上施工到凌晨三点噪音很大严重影响居民休息",
            "来电反映望月湖小区旁边工地晚上施工到凌晨三点噪音很大",
            "华兴建筑公司拖欠十二名工人工资共计八万六千元多次讨要未果",
            "城北菜市场门口的下水道堵塞污水横流气味难闻",
        ];
        let sigs: Vec<TextSignature> = texts
            .iter()
            .map(|t| TextSignature::of(&normalize(t)))
            .collect();
        let mut inputs: Vec<BlockInput<'_>> = sigs
            .iter()
            .enumerate()
            .map(|(i, s)| BlockInput {
                keys: Vec::new(),
                bigrams: s.bigrams(),
                timestamp: i as i64,
            })
            .collect();
        inputs[2].keys.push("phone:13912345678".into());
        inputs[3].keys.push("phone:13912345678".into());
        let pairs = candidate_pairs(&inputs, &BlockingConfig::default());
        assert!(pairs.contains(&(0, 1)), "{pairs:?}");
        assert!(pairs.contains(&(2, 3)), "{pairs:?}");
        assert!(
            !pairs.contains(&(0, 2)) && !pairs.contains(&(1, 3)),
            "{pairs:?}"
        );
    }
}
