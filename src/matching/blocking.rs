//! Blocking for batch dedupe: candidate pairs from shared person keys and from rare text
//! bigrams, never all pairs, in memory bounded by a budget.
//!
//! Person keys are hashed to 64 bits and grouped by sorting (key, record) pairs; groups up
//! to `key_group_all_pairs` are compared all-pairs, larger ones by neighbours in time.
//!
//! Text: each record is posted under its bigrams that occur in at most `max_posting`
//! records, and looks up its `anchors` rarest ones. A record that shares anchors with it is
//! ranked by the *weighted* (idf) mass of the shared anchors, not by their count: one shared
//! estate name outweighs two shared typos or numbers. Records sharing at least two anchors
//! (one when it has a single anchor) are candidates, the `text_candidates` heaviest kept. A
//! hotline summary's rare bigrams are also in the long letter it summarises, so containment
//! pairs are found from the short side.
//!
//! The postings (record ids per posted bigram) are the one structure that grows with the
//! narratives' length; past `memory_limit` bytes they are written to a temporary file and
//! read through a memory map, so the kernel pages them in and out instead of the heap
//! holding them.

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
    /// bigrams in more records than this are not posted (0: max(500, n / 2000)); a matter's
    /// own bigrams are also in unrelated records, so too low a cap drops the very ones that
    /// pair a collective complaint's residents
    pub max_posting: usize,
    /// text candidates kept per record
    pub text_candidates: usize,
    /// key groups up to this size are compared all-pairs; larger ones by time window
    pub key_group_all_pairs: usize,
    /// neighbours in time compared within a large key group
    pub key_window: usize,
    /// bytes the postings may take on the heap before they are spilled to a temporary file
    /// (0: no limit)
    pub memory_limit: u64,
}

impl Default for BlockingConfig {
    fn default() -> Self {
        BlockingConfig {
            anchors: 16,
            max_posting: 0,
            text_candidates: 50,
            key_group_all_pairs: 60,
            key_window: 20,
            memory_limit: 0,
        }
    }
}

/// What blocking needs of a record.
pub struct BlockInput<'a> {
    /// exact person keys (ID number, phone, name in county), hashed (see [`key_hash`])
    pub keys: Vec<u64>,
    /// sorted distinct bigram hashes of the narrative
    pub bigrams: &'a [u32],
    pub timestamp: i64,
}

/// The 64-bit key of a person key string (collisions among a few million keys are too rare
/// to matter: they only add a candidate pair, which scoring then rejects).
pub fn key_hash(key: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in key.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3);
    }
    // final mix so that keys differing in their last bytes spread over the high bits
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^ (h >> 33)
}

/// What blocking did, for the run's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockingStats {
    /// record ids held in postings
    pub postings: u64,
    /// bytes of postings written to a temporary file (0: held on the heap)
    pub spilled_bytes: u64,
    /// why the postings stayed on the heap though they were over the limit (the temporary
    /// file could not be made); the groups are the same, only the memory is not bounded
    pub spill_error: Option<String>,
}

/// The postings array: on the heap, or in a memory-mapped temporary file.
enum Postings {
    Heap(Vec<u32>),
    Spilled {
        map: memmap2::MmapMut,
        // the file stays open while mapped; it is deleted when dropped
        _file: std::fs::File,
    },
}

impl Postings {
    /// Postings of `len` ids, spilled when over `memory_limit` bytes; the error says why
    /// they could not be spilled.
    fn new(len: usize, memory_limit: u64) -> (Postings, Option<std::io::Error>) {
        let bytes = (len * 4) as u64;
        if memory_limit == 0 || bytes <= memory_limit {
            return (Postings::Heap(vec![0; len]), None);
        }
        match Self::spilled(bytes) {
            Ok(p) => (p, None),
            Err(e) => (Postings::Heap(vec![0; len]), Some(e)),
        }
    }

    fn spilled(bytes: u64) -> std::io::Result<Postings> {
        let file = tempfile::tempfile()?;
        file.set_len(bytes.max(4))?;
        // SAFETY: the file is private to this process (unnamed, never shared) and outlives
        // the map; nothing else resizes or writes it while mapped.
        let map = unsafe { memmap2::MmapMut::map_mut(&file)? };
        Ok(Postings::Spilled { map, _file: file })
    }

    fn ids_mut(&mut self) -> &mut [u32] {
        match self {
            Postings::Heap(v) => v,
            Postings::Spilled { map, .. } => cast_mut(map),
        }
    }

    fn ids(&self) -> &[u32] {
        match self {
            Postings::Heap(v) => v,
            Postings::Spilled { map, .. } => cast(map),
        }
    }

    fn spilled_bytes(&self) -> u64 {
        match self {
            Postings::Heap(_) => 0,
            Postings::Spilled { map, .. } => map.len() as u64,
        }
    }
}

fn cast(bytes: &[u8]) -> &[u32] {
    // a page-aligned map of a whole number of u32s: the aligned middle is all of it
    // SAFETY: u32 has no invalid bit patterns; align_to only yields aligned elements.
    let (head, body, _) = unsafe { bytes.align_to::<u32>() };
    debug_assert!(head.is_empty());
    body
}

fn cast_mut(bytes: &mut [u8]) -> &mut [u32] {
    // SAFETY: as in `cast`.
    let (head, body, _) = unsafe { bytes.align_to_mut::<u32>() };
    debug_assert!(head.is_empty());
    body
}

fn push_pair(out: &mut Vec<(u32, u32)>, a: u32, b: u32) {
    if a != b {
        out.push((a.min(b), a.max(b)));
    }
}

fn key_pairs(records: &[BlockInput<'_>], cfg: &BlockingConfig, pairs: &mut Vec<(u32, u32)>) {
    // (key, time, record), sorted: each key's members are a run, in time order
    let mut keyed: Vec<(u64, i64, u32)> = records
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.keys.iter().map(move |&k| (k, r.timestamp, i as u32)))
        .collect();
    keyed.par_sort_unstable();
    for run in keyed.chunk_by(|x, y| x.0 == y.0) {
        if run.len() <= cfg.key_group_all_pairs {
            for (x, a) in run.iter().enumerate() {
                for b in &run[x + 1..] {
                    push_pair(pairs, a.2, b.2);
                }
            }
        } else {
            for (x, a) in run.iter().enumerate() {
                for b in run.iter().skip(x + 1).take(cfg.key_window) {
                    push_pair(pairs, a.2, b.2);
                }
            }
        }
    }
}

/// The `keep` records that share the most idf mass of record `i`'s anchors ((postings
/// length, start) each), among those sharing at least two (one when `i` has one anchor).
fn heaviest(i: u32, anchors: &[(u32, u32)], postings: &[u32], docs: f32, keep: usize) -> Vec<u32> {
    let need = if anchors.len() >= 2 { 2 } else { 1 };
    // per candidate: (shared anchors, shared idf mass)
    let mut hits: U32Map<(u32, f32)> = U32Map::default();
    for &(len, start) in anchors {
        let w = (docs / len as f32).ln();
        for &j in &postings[start as usize..(start + len) as usize] {
            if j != i {
                let h = hits.entry(j).or_default();
                h.0 += 1;
                h.1 += w;
            }
        }
    }
    let mut best: Vec<(u32, f32)> = hits
        .into_iter()
        .filter(|&(_, (count, _))| count >= need)
        .map(|(j, (_, mass))| (j, mass))
        .collect();
    best.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    best.truncate(keep);
    best.into_iter().map(|(j, _)| j).collect()
}

/// Candidate pairs (i < j), sorted and distinct; `progress(done, total)` counts the records
/// whose text candidates are chosen.
pub fn candidate_pairs(
    records: &[BlockInput<'_>],
    cfg: &BlockingConfig,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> (Vec<(u32, u32)>, BlockingStats) {
    let mut pairs = Vec::new();
    key_pairs(records, cfg, &mut pairs);
    // text
    let (mut slots, total) = posting_slots(records, posting_cap(records.len(), cfg));
    let (mut store, spill_error) = Postings::new(total, cfg.memory_limit);
    fill_postings(records, &mut slots, store.ids_mut());
    let text_pairs = text_pairs(records, cfg, &slots, store.ids(), progress);
    let stats = BlockingStats {
        postings: total as u64,
        spilled_bytes: store.spilled_bytes(),
        spill_error: spill_error.map(|e| e.to_string()),
    };
    drop(store);
    pairs.reserve(text_pairs.iter().map(Vec::len).sum());
    for list in text_pairs {
        pairs.extend(list);
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    (pairs, stats)
}

/// Bigrams in more records than this are not posted.
fn posting_cap(n: usize, cfg: &BlockingConfig) -> u32 {
    let cap = if cfg.max_posting == 0 {
        (n / 2000).max(500)
    } else {
        cfg.max_posting
    };
    cap as u32
}

/// The posted bigrams (in 2..=`cap` records): (start, 0) each into a postings array of
/// the returned length; the rest are dropped.
fn posting_slots(records: &[BlockInput<'_>], cap: u32) -> (U32Map<(u32, u32)>, usize) {
    let mut df: U32Map<u32> = U32Map::default();
    for r in records {
        for &b in r.bigrams {
            *df.entry(b).or_default() += 1;
        }
    }
    let mut slots: U32Map<(u32, u32)> = U32Map::default();
    let mut total = 0usize;
    for (&b, &count) in &df {
        if (2..=cap).contains(&count) {
            slots.insert(b, (total as u32, 0));
            total += count as usize;
        }
    }
    (slots, total)
}

/// Posts each record under its posted bigrams; each slot's second value goes from 0 to
/// its postings' length.
fn fill_postings(records: &[BlockInput<'_>], slots: &mut U32Map<(u32, u32)>, postings: &mut [u32]) {
    for (i, r) in records.iter().enumerate() {
        for b in r.bigrams {
            if let Some((start, filled)) = slots.get_mut(b) {
                postings[(*start + *filled) as usize] = i as u32;
                *filled += 1;
            }
        }
    }
}

/// Each record's text candidate pairs, from its `cfg.anchors` rarest posted bigrams
/// ((start, length) per bigram in `slots`).
fn text_pairs(
    records: &[BlockInput<'_>],
    cfg: &BlockingConfig,
    slots: &U32Map<(u32, u32)>,
    postings: &[u32],
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Vec<Vec<(u32, u32)>> {
    let n = records.len();
    let docs = n.max(1000) as f32;
    let done = std::sync::atomic::AtomicU64::new(0);
    records
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if d.is_multiple_of(4096) {
                progress(d, n as u64);
            }
            let mut anchors: Vec<(u32, u32)> = r
                .bigrams
                .iter()
                .filter_map(|b| slots.get(b).map(|&(start, len)| (len, start)))
                .collect();
            anchors.sort_unstable();
            anchors.truncate(cfg.anchors);
            let best = heaviest(i as u32, &anchors, postings, docs, cfg.text_candidates);
            let mut out = Vec::with_capacity(best.len());
            for j in best {
                push_pair(&mut out, i as u32, j);
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize;
    use crate::matching::TextSignature;

    const TEXTS: [&str; 4] = [
        "望月湖小区旁边的工地每天晚上施工到凌晨三点噪音很大严重影响居民休息",
        "来电反映望月湖小区旁边工地晚上施工到凌晨三点噪音很大",
        "华兴建筑公司拖欠十二名工人工资共计八万六千元多次讨要未果",
        "城北菜市场门口的下水道堵塞污水横流气味难闻",
    ];

    fn inputs(sigs: &[TextSignature]) -> Vec<BlockInput<'_>> {
        let mut inputs: Vec<BlockInput<'_>> = sigs
            .iter()
            .enumerate()
            .map(|(i, s)| BlockInput {
                keys: Vec::new(),
                bigrams: s.bigrams(),
                timestamp: i as i64,
            })
            .collect();
        inputs[2].keys.push(key_hash("phone:13912345678"));
        inputs[3].keys.push(key_hash("phone:13912345678"));
        inputs
    }

    #[test]
    fn finds_key_and_text_pairs_but_not_unrelated_ones() {
        let sigs: Vec<TextSignature> = TEXTS
            .iter()
            .map(|t| TextSignature::of(&normalize(t)))
            .collect();
        let (pairs, stats) =
            candidate_pairs(&inputs(&sigs), &BlockingConfig::default(), &|_, _| {});
        assert!(pairs.contains(&(0, 1)), "{pairs:?}");
        assert!(pairs.contains(&(2, 3)), "{pairs:?}");
        assert!(
            !pairs.contains(&(0, 2)) && !pairs.contains(&(1, 3)),
            "{pairs:?}"
        );
        assert_eq!(stats.spilled_bytes, 0);
    }

    #[test]
    fn spilled_postings_give_the_same_pairs() {
        let sigs: Vec<TextSignature> = TEXTS
            .iter()
            .cycle()
            .take(40)
            .enumerate()
            .map(|(i, t)| TextSignature::of(&normalize(&format!("{t}第{i}次"))))
            .collect();
        let input = inputs(&sigs);
        let (heap, h) = candidate_pairs(&input, &BlockingConfig::default(), &|_, _| {});
        let tiny = BlockingConfig {
            memory_limit: 1,
            ..BlockingConfig::default()
        };
        let (spilled, s) = candidate_pairs(&input, &tiny, &|_, _| {});
        assert_eq!(h.spilled_bytes, 0);
        assert!(s.spilled_bytes >= 4 * s.postings && s.postings > 0, "{s:?}");
        assert!(!heap.is_empty());
        assert_eq!(heap, spilled);
    }

    #[test]
    fn a_rare_shared_name_outranks_more_shared_noise() {
        // record 0's anchors: a bigram only it and record 1 hold, and three bigrams 3,000
        // records hold (record 1 holds one of them, record 2 all three). By count record 2
        // would win; by idf mass record 1 does.
        let mut postings = vec![0, 1];
        postings.extend(0..3000u32);
        for _ in 0..2 {
            postings.extend((0..3001u32).filter(|&j| j != 1));
        }
        let anchors = [(2, 0), (3000, 2), (3000, 3002), (3000, 6002)];
        assert_eq!(heaviest(0, &anchors, &postings, 100_000.0, 1), vec![1]);
        assert_eq!(heaviest(0, &anchors, &postings, 100_000.0, 2), vec![1, 2]);
    }

    #[test]
    fn one_shared_anchor_is_enough_only_for_a_record_with_one() {
        let postings = [0, 7, 0, 1];
        assert!(heaviest(0, &[(2, 0), (2, 2)], &postings, 1000.0, 5).is_empty());
        assert_eq!(heaviest(0, &[(2, 0)], &postings, 1000.0, 5), vec![7]);
    }

    #[test]
    fn key_hashes_differ_for_near_keys() {
        assert_ne!(key_hash("phone:13912345678"), key_hash("phone:13912345679"));
        assert_eq!(key_hash("id:x"), key_hash("id:x"));
    }
}
