//! Batch dedupe across merged platform exports: normalise, block, score, cluster into
//! duplicate groups (same person, same matter) nested in matter groups, with stable ids and a
//! report.

mod narrative;
mod report;

pub use narrative::{Narrative, Vocabulary};

pub use crate::matching::{BlockingConfig, BlockingStats};
pub use report::{Report, render_html};

use crate::analysis::Profile;
use crate::matching::{
    BlockInput, Comparator, Constraints, Edge, Linkage, Model, Prepared, TextSignature,
    candidate_pairs, cluster, compare, key_hash,
};
use crate::model::Case;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// What dedupe keeps of a record: a few raw fields, the profile without its text, and the
/// narrative's distinct bigram keys (4 bytes each, no weights: see [`Narrative`]).
#[derive(Debug, Clone)]
pub struct DedupeRecord {
    pub id: String,
    pub timestamp: Option<i64>,
    pub channel: Option<Box<str>>,
    pub platform: Option<Box<str>>,
    pub category: Option<Box<str>>,
    pub handler: Option<Box<str>>,
    pub location: Option<Box<str>>,
    pub profile: Profile,
    pub text: Narrative,
    /// the first characters of the title or content, for the report
    pub summary: Box<str>,
}

impl DedupeRecord {
    pub fn new(case: Case) -> DedupeRecord {
        let mut profile = Profile::of(&case);
        let text = Narrative::of(&profile.matter_text());
        profile.text = String::new();
        profile.identity = String::new();
        let summary: String = case
            .title
            .as_deref()
            .or(case.content.as_deref())
            .unwrap_or("")
            .chars()
            .take(60)
            .collect();
        let boxed = |s: Option<String>| s.map(String::into_boxed_str);
        DedupeRecord {
            timestamp: case.timestamp(),
            channel: boxed(case.channel),
            platform: boxed(case.platform),
            category: boxed(case.category),
            handler: boxed(case.handler),
            location: boxed(case.location),
            id: case.id,
            profile,
            text,
            summary: summary.into_boxed_str(),
        }
    }

    pub(crate) fn prepared<'a>(&'a self, text: &'a TextSignature) -> Prepared<'a> {
        Prepared {
            profile: &self.profile,
            text,
            timestamp: self.timestamp,
            category: self.category.as_deref(),
            channel: self.channel.as_deref(),
        }
    }

    /// The exact person keys blocking pairs records by: valid ID number, each phone, name in
    /// county, platform account.
    pub fn person_keys(&self) -> Vec<String> {
        let p = &self.profile;
        let mut keys: Vec<String> = Vec::with_capacity(3);
        if let Some(k) = p.id_key() {
            keys.push(format!("id:{k}"));
        }
        keys.extend(p.phone_keys().into_iter().map(|k| format!("phone:{k}")));
        keys.extend(p.name_place_keys().into_iter().map(|k| format!("name:{k}")));
        if let Some(a) = &p.account {
            keys.push(format!("account:{a}"));
        }
        // a masked value from another platform's export meets the full value it hides, and
        // other masks of it, through one coarse shape: the head and tail most masks leave
        for ph in &p.phones {
            keys.extend(mask_shape(&ph.digits, 3, 4).map(|k| format!("phone~{k}")));
        }
        if let Some(id) = p.id_number.as_ref().and_then(|i| i.pattern18()) {
            keys.extend(mask_shape(&id, 4, 4).map(|k| format!("id~{k}")));
        }
        keys
    }

    /// Received time in China time, for display.
    pub fn received(&self) -> Option<String> {
        let t = chrono::DateTime::from_timestamp(self.timestamp?, 0)?;
        let cst = chrono::FixedOffset::east_opt(8 * 3600)?;
        Some(t.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string())
    }
}

/// `len:head:tail` of a full or masked value when its first `head` and last `tail`
/// characters are visible and something lies between them.
fn mask_shape(value: &str, head: usize, tail: usize) -> Option<String> {
    let n = value.len();
    if !value.is_ascii() || n <= head + tail {
        return None;
    }
    let (h, t) = (&value[..head], &value[n - tail..]);
    (!h.contains('*') && !t.contains('*')).then(|| format!("{n}:{h}:{t}"))
}

/// One output line (FORMAT.md task 1, plus the groups' originals, sizes and channels).
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub id: String,
    pub duplicate_group: String,
    pub matter_group: String,
    /// earliest record of the duplicate group
    pub original: String,
    pub size: u32,
    pub channels: Vec<String>,
    pub matter_original: String,
    pub matter_size: u32,
}

/// Previous run's group ids, to keep ids of groups that persist.
#[derive(Debug, Clone, Default)]
pub struct PreviousGroups {
    /// record id → (duplicate group, matter group)
    pub by_record: HashMap<String, (String, String)>,
}

/// Manual decisions: `must` (same person, same matter) and `cannot` (not the same matter).
#[derive(Debug, Clone, Default)]
pub struct ManualLinks {
    pub must: Vec<(String, String)>,
    pub cannot: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct DedupeOptions {
    pub blocking: BlockingConfig,
    pub previous: PreviousGroups,
    pub links: ManualLinks,
}

/// Stages reported to a progress callback: (stage, done, total).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Blocking,
    Scoring,
    Clustering,
}

/// A scored candidate pair.
#[derive(Debug, Clone, Copy)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub person: f32,
    pub matter: f32,
}

pub struct DedupeResult {
    pub rows: Vec<GroupRow>,
    pub pairs: Vec<ScoredPair>,
    pub candidate_pairs: usize,
    /// postings held and spilled by blocking
    pub blocking: BlockingStats,
    pub matter_labels: Vec<u32>,
    pub duplicate_labels: Vec<u32>,
    /// the batch's bigrams with their weights
    pub vocabulary: Vocabulary,
}

fn order_key(r: &DedupeRecord) -> (i64, &str) {
    (r.timestamp.unwrap_or(i64::MAX), r.id.as_str())
}

/// Names clusters: the previous run's id held by most members, else a prefix and the id of
/// the earliest member.
fn name_groups(
    records: &[DedupeRecord],
    labels: &[u32],
    prefix: &str,
    previous: impl Fn(&str) -> Option<String>,
) -> (Vec<String>, HashMap<u32, usize>) {
    let mut members: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, &l) in labels.iter().enumerate() {
        members.entry(l).or_default().push(i);
    }
    let mut clusters: Vec<(u32, Vec<usize>)> = members.into_iter().collect();
    // bigger clusters choose first, ties by earliest member: deterministic
    for (_, m) in &mut clusters {
        m.sort_by(|&a, &b| order_key(&records[a]).cmp(&order_key(&records[b])));
    }
    clusters.sort_by(|a, b| {
        b.1.len()
            .cmp(&a.1.len())
            .then(order_key(&records[a.1[0]]).cmp(&order_key(&records[b.1[0]])))
    });
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut names = vec![String::new(); records.len()];
    let mut original: HashMap<u32, usize> = HashMap::new();
    for (label, m) in &clusters {
        let mut votes: HashMap<String, usize> = HashMap::new();
        for &i in m {
            if let Some(old) = previous(&records[i].id) {
                *votes.entry(old).or_default() += 1;
            }
        }
        let mut ranked: Vec<(String, usize)> = votes.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let name = ranked
            .into_iter()
            .map(|(n, _)| n)
            .find(|n| !taken.contains(n))
            .unwrap_or_else(|| {
                let base = format!("{prefix}-{}", records[m[0]].id);
                let mut name = base.clone();
                let mut k = 2;
                while taken.contains(&name) {
                    name = format!("{base}~{k}");
                    k += 1;
                }
                name
            });
        taken.insert(name.clone());
        for &i in m {
            names[i] = name.clone();
        }
        original.insert(*label, m[0]);
    }
    (names, original)
}

fn resolve_links(records: &[DedupeRecord], links: &[(String, String)]) -> Vec<(u32, u32)> {
    let index: HashMap<&str, u32> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i as u32))
        .collect();
    links
        .iter()
        .filter_map(|(a, b)| Some((*index.get(a.as_str())?, *index.get(b.as_str())?)))
        .collect()
}

/// Whether the model gives the object comparator any weight (the bundled one does not).
fn weighs_objects(model: &Model) -> bool {
    model
        .weights
        .get(&Comparator::Object)
        .is_some_and(|levels| {
            levels
                .values()
                .any(|w| w.to_array().iter().any(|&x| x != 0.0))
        })
}

/// Matter groups by average linkage with `matter_slack`, then duplicate groups inside each
/// matter group by strict average linkage: the clustering of a whole batch, or of one
/// component of it. Pair scores are log2 odds, compared with `thresholds` (person, matter);
/// `matter_done` is called between the two. Returns per node its matter and its duplicate
/// cluster as the index of one member.
pub(crate) fn nested_groups(
    n: usize,
    pairs: &[ScoredPair],
    thresholds: (f32, f32),
    matter_slack: f32,
    constraints: Constraints,
    matter_done: &dyn Fn(),
) -> (Vec<u32>, Vec<u32>) {
    let (person_threshold, matter_threshold) = thresholds;
    let matter_edges: Vec<Edge> = pairs
        .iter()
        .map(|p| Edge {
            a: p.a,
            b: p.b,
            score: p.matter - matter_threshold,
        })
        .collect();
    let matter = cluster(
        n,
        &matter_edges,
        Linkage {
            threshold: 0.0,
            slack: matter_slack,
        },
        &constraints,
    );
    drop(matter_edges);
    matter_done();
    let person_edges: Vec<Edge> = pairs
        .iter()
        .filter(|p| matter[p.a as usize] == matter[p.b as usize])
        .map(|p| Edge {
            a: p.a,
            b: p.b,
            score: p.person - person_threshold,
        })
        .collect();
    let duplicate = cluster(n, &person_edges, Linkage::strict(0.0), &constraints);
    (matter, duplicate)
}

/// Candidate pairs by person keys and narrative bigrams.
fn block(
    records: &[DedupeRecord],
    cfg: &BlockingConfig,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> (Vec<(u32, u32)>, BlockingStats) {
    let inputs: Vec<BlockInput<'_>> = records
        .iter()
        .map(|r| BlockInput {
            keys: r.person_keys().iter().map(|k| key_hash(k)).collect(),
            bigrams: r.text.bigrams(),
            timestamp: r.timestamp.unwrap_or(0),
        })
        .collect();
    candidate_pairs(&inputs, cfg, &|d, t| progress(Stage::Blocking, d, t))
}

/// Scores the candidate pairs of records whose narratives hold their ranks in `vocab`.
fn score_pairs(
    ranked: &[DedupeRecord],
    vocab: &Vocabulary,
    model: &Model,
    candidates: &[(u32, u32)],
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> Vec<ScoredPair> {
    let signature = |i: u32| ranked[i as usize].text.ranked_signature(vocab);
    let total = candidates.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    candidates
        .par_chunks(4096)
        .flat_map_iter(|chunk| {
            // pairs are sorted: one record's pairs follow each other
            let mut first: Option<(u32, TextSignature)> = None;
            let out: Vec<ScoredPair> = chunk
                .iter()
                .map(|&(a, b)| {
                    let ta = match first.take() {
                        Some((i, t)) if i == a => t,
                        _ => signature(a),
                    };
                    let tb = signature(b);
                    let cmp = compare(
                        &ranked[a as usize].prepared(&ta),
                        &ranked[b as usize].prepared(&tb),
                    );
                    first = Some((a, ta));
                    let s = model.score(&cmp);
                    ScoredPair {
                        a,
                        b,
                        person: s.person as f32,
                        matter: s.matter as f32,
                    }
                })
                .collect();
            let d = done.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
            progress(Stage::Scoring, d + chunk.len() as u64, total);
            out
        })
        .collect()
}

/// One row per record: its groups' names (kept from `previous` where they persist),
/// originals, sizes and the duplicate group's channels.
fn group_rows(
    records: &[DedupeRecord],
    matter_labels: &[u32],
    duplicate_labels: &[u32],
    previous: &PreviousGroups,
) -> Vec<GroupRow> {
    let prev = &previous.by_record;
    let (matter_names, matter_orig) = name_groups(records, matter_labels, "M", |id| {
        prev.get(id).map(|p| p.1.clone())
    });
    let (dup_names, dup_orig) = name_groups(records, duplicate_labels, "D", |id| {
        prev.get(id).map(|p| p.0.clone())
    });
    let mut dup_size: HashMap<u32, u32> = HashMap::new();
    let mut dup_channels: HashMap<u32, BTreeSet<String>> = HashMap::new();
    let mut matter_size: HashMap<u32, u32> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        *dup_size.entry(duplicate_labels[i]).or_default() += 1;
        *matter_size.entry(matter_labels[i]).or_default() += 1;
        if let Some(c) = &r.channel {
            dup_channels
                .entry(duplicate_labels[i])
                .or_default()
                .insert(c.to_string());
        }
    }
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (d, m) = (duplicate_labels[i], matter_labels[i]);
            GroupRow {
                id: r.id.clone(),
                duplicate_group: dup_names[i].clone(),
                matter_group: matter_names[i].clone(),
                original: records[dup_orig[&d]].id.clone(),
                size: dup_size[&d],
                channels: dup_channels
                    .get(&d)
                    .map(|s| s.iter().cloned().collect())
                    .unwrap_or_default(),
                matter_original: records[matter_orig[&m]].id.clone(),
                matter_size: matter_size[&m],
            }
        })
        .collect()
}

/// Runs blocking, scoring and clustering over the records, narrative bigrams weighted by
/// their idf over the batch (a name that few records share says more than a word every
/// record uses).
pub fn dedupe(
    records: &mut [DedupeRecord],
    model: &Model,
    opts: &DedupeOptions,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> DedupeResult {
    if !weighs_objects(model) {
        records.iter_mut().for_each(|r| r.text.drop_objects());
    }
    let n = records.len();
    progress(Stage::Blocking, 0, n as u64);
    let (candidates, blocking) = block(records, &opts.blocking, progress);
    // while scored, the narratives hold their bigrams' ranks in the batch's vocabulary,
    // whose weights make each pair's signatures
    let vocab = Vocabulary::of(records.iter().map(|r| &r.text));
    records.par_iter_mut().for_each(|r| r.text.rank(&vocab));
    let candidate_count = candidates.len();
    progress(Stage::Blocking, n as u64, n as u64);
    let pairs = score_pairs(records, &vocab, model, &candidates, progress);
    drop(candidates);
    records.par_iter_mut().for_each(|r| r.text.unrank(&vocab));
    let records: &[DedupeRecord] = records;
    progress(Stage::Clustering, 0, 2);
    let must = resolve_links(records, &opts.links.must);
    let cannot = resolve_links(records, &opts.links.cannot);
    let (matter_labels, duplicate_labels) = nested_groups(
        n,
        &pairs,
        (model.person_threshold as f32, model.matter_threshold as f32),
        model.matter_merge_slack as f32,
        Constraints {
            must_link: must,
            cannot_link: cannot,
        },
        &|| progress(Stage::Clustering, 1, 2),
    );
    progress(Stage::Clustering, 2, 2);
    let rows = group_rows(records, &matter_labels, &duplicate_labels, &opts.previous);
    DedupeResult {
        rows,
        pairs,
        candidate_pairs: candidate_count,
        blocking,
        matter_labels,
        duplicate_labels,
        vocabulary: vocab,
    }
}

/// Of the true pairs of each relation, how many blocking made candidates (and so could be
/// scored at all): (DUPLICATE, RELATED, SAME_PERSON) as (found, true).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct PairRecall {
    pub duplicate: (u64, u64),
    pub related: (u64, u64),
    pub same_person: (u64, u64),
}

/// Blocking recall per relation of a dedupe run against labels (id → (person, matter)).
pub fn blocking_recall(
    records: &[DedupeRecord],
    result: &DedupeResult,
    truth: &HashMap<String, (String, String)>,
) -> PairRecall {
    let label: Vec<Option<&(String, String)>> = records.iter().map(|r| truth.get(&r.id)).collect();
    let mut out = PairRecall::default();
    for p in &result.pairs {
        let (Some(a), Some(b)) = (label[p.a as usize], label[p.b as usize]) else {
            continue;
        };
        match (a.0 == b.0, a.1 == b.1) {
            (true, true) => out.duplicate.0 += 1,
            (false, true) => out.related.0 += 1,
            (true, false) => out.same_person.0 += 1,
            (false, false) => {}
        }
    }
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let mut dup: HashMap<(&str, &str), u64> = HashMap::new();
    let mut matter: HashMap<&str, u64> = HashMap::new();
    let mut person: HashMap<&str, u64> = HashMap::new();
    for (p, m) in label.iter().flatten() {
        *dup.entry((p, m)).or_default() += 1;
        *matter.entry(m).or_default() += 1;
        *person.entry(p).or_default() += 1;
    }
    let d: u64 = dup.values().map(|&n| pairs(n)).sum();
    out.duplicate.1 = d;
    out.related.1 = matter.values().map(|&n| pairs(n)).sum::<u64>() - d;
    out.same_person.1 = person.values().map(|&n| pairs(n)).sum::<u64>() - d;
    out
}
