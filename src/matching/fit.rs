//! Fitting the model from labelled pairs: per level, the log2 ratio of its frequency among
//! matching pairs (m) to its frequency among non-matching pairs (u), with add-one smoothing;
//! each threshold is the score that maximises F1 on the same pairs.
//!
//! The pairs come from the candidate generator, so u reflects the hard negatives the model
//! meets in practice rather than random pairs.

use super::comparison::{Comparison, level_names};
use super::levels::Comparator;
use super::model::{Model, PerRelation};
use std::collections::BTreeMap;

/// A compared pair with its truth.
#[derive(Debug, Clone, Copy)]
pub struct LabelledPair {
    pub cmp: Comparison,
    pub same_person: bool,
    pub same_matter: bool,
}

/// One case checked against its candidates, with its truth.
#[derive(Debug, Clone)]
pub struct QueryPairs {
    pub id: String,
    /// strongest true relation to any other case: 3 DUPLICATE, 2 RELATED, 1 SAME_PERSON, 0 NEW
    pub truth_rank: u8,
    /// true duplicates among all other cases (found or not)
    pub true_duplicates: u32,
    pub pairs: Vec<LabelledPair>,
}

const SMOOTHING: f64 = 1.0;

fn relation(p: &LabelledPair) -> usize {
    match (p.same_person, p.same_matter) {
        (true, true) => 0,
        (false, true) => 1,
        (true, false) => 2,
        (false, false) => 3,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// log2 P(level | relation) with add-one smoothing.
fn level_weights(pairs: &[LabelledPair], c: Comparator) -> BTreeMap<String, PerRelation> {
    let names = level_names(c);
    let mut counts: BTreeMap<&str, [f64; 4]> = names.iter().map(|n| (*n, [0.0; 4])).collect();
    let mut totals = [0.0; 4];
    for p in pairs {
        let r = relation(p);
        if let Some(row) = counts.get_mut(p.cmp.level(c)) {
            row[r] += 1.0;
            totals[r] += 1.0;
        }
    }
    let k = names.len() as f64;
    counts
        .into_iter()
        .map(|(level, row)| {
            let mut w = [0.0; 4];
            for r in 0..4 {
                w[r] = round3(((row[r] + SMOOTHING) / (totals[r] + SMOOTHING * k)).log2());
            }
            (level.to_string(), PerRelation::from_array(w))
        })
        .collect()
}

fn rank(same_person: bool, same_matter: bool) -> u8 {
    match (same_person, same_matter) {
        (true, true) => 3,
        (false, true) => 2,
        (true, false) => 1,
        (false, false) => 0,
    }
}

/// A query's truth rank, its true duplicate count, and per candidate
/// (person score, matter score, same person, same matter).
type ScoredQuery = (u8, u32, Vec<(f64, f64, bool, bool)>);

/// Query-level accuracy of the verdict plus F1 of the pairs flagged DUPLICATE: the two
/// figures an intake desk lives by.
fn objective(scored: &[ScoredQuery], tp: f64, tm: f64) -> f64 {
    let (mut correct, mut dup_tp, mut dup_fp, mut dup_true) = (0u64, 0u64, 0u64, 0u64);
    for (truth_rank, true_dups, pairs) in scored {
        let mut best = 0;
        for &(p, m, sp, sm) in pairs {
            let r = rank(p >= tp, m >= tm);
            best = best.max(r);
            if r == 3 {
                if sp && sm { dup_tp += 1 } else { dup_fp += 1 }
            }
        }
        correct += u64::from(best == *truth_rank);
        dup_true += u64::from(*true_dups);
    }
    let accuracy = correct as f64 / scored.len().max(1) as f64;
    let f1 = 2.0 * dup_tp as f64 / (dup_tp + dup_fp + dup_true).max(1) as f64;
    accuracy + f1
}

/// The grid value of one threshold that maximises the objective, the other held fixed.
fn best_on_grid(grid: &[f64], score: impl Fn(f64) -> f64) -> f64 {
    let mut best = (f64::NEG_INFINITY, 0.0);
    for &t in grid {
        let s = score(t);
        if s > best.0 {
            best = (s, t);
        }
    }
    best.1
}

/// Fits level weights and priors on the candidate pairs, then the two thresholds on the
/// query-level objective.
pub fn fit_model(queries: &[QueryPairs], source: String) -> Model {
    let pairs: Vec<LabelledPair> = queries
        .iter()
        .flat_map(|q| q.pairs.iter().copied())
        .collect();
    let weights = Comparator::ALL
        .iter()
        .map(|&c| (c.name().to_string(), level_weights(&pairs, c)))
        .collect();
    let mut counts = [SMOOTHING; 4];
    for p in &pairs {
        counts[relation(p)] += 1.0;
    }
    let total: f64 = counts.iter().sum();
    let priors = PerRelation::from_array(counts.map(|c| round3((c / total).log2())));
    let mut model = Model {
        source,
        person_threshold: 0.0,
        matter_threshold: 0.0,
        priors,
        weights,
    };
    let scored: Vec<ScoredQuery> = queries
        .iter()
        .map(|q| {
            let pairs = q
                .pairs
                .iter()
                .map(|p| {
                    let s = model.score(&p.cmp);
                    (s.person, s.matter, p.same_person, p.same_matter)
                })
                .collect();
            (q.truth_rank, q.true_duplicates, pairs)
        })
        .collect();
    // coordinate search on a grid of log2 odds from -10 to 20
    let grid: Vec<f64> = (-40..=80).map(|i| f64::from(i) * 0.25).collect();
    let (mut tp, mut tm) = (0.0, 0.0);
    for _ in 0..3 {
        tp = best_on_grid(&grid, |t| objective(&scored, t, tm));
        tm = best_on_grid(&grid, |t| objective(&scored, tp, t));
    }
    model.person_threshold = tp;
    model.matter_threshold = tm;
    model
}

/// Truth labels of a benchmark: id → (person, matter).
pub type Truth = std::collections::HashMap<String, (String, String)>;

/// How many true related pairs (same person and/or same matter) the candidate lists reach.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct BlockingRecall {
    pub true_pairs: u64,
    pub found_pairs: u64,
    pub true_duplicate_pairs: u64,
    pub found_duplicate_pairs: u64,
    pub candidate_pairs: u64,
}

/// Compares every indexed case with its candidates and labels the pairs from `truth`.
pub fn labelled_pairs(
    index: &crate::index::CaseIndex,
    cases: &[crate::index::StoredCase],
    truth: &Truth,
    q: &crate::index::CandidateQuery,
) -> crate::error::Result<(Vec<QueryPairs>, BlockingRecall)> {
    use super::comparison::{Prepared, compare};
    use super::text::TextSignature;
    use rayon::prelude::*;
    use std::collections::{HashMap, HashSet};
    let per_case: Vec<Vec<(String, LabelledPair)>> = cases
        .par_iter()
        .map(|s| {
            let query_text = TextSignature::of(&s.profile.text);
            let query = Prepared::new(&s.case, &s.profile, &query_text);
            let Some(tq) = truth.get(&s.case.id) else {
                return Ok(Vec::new());
            };
            let mut out = Vec::new();
            for (other, _) in index.candidates(&s.profile, q)? {
                if other.case.id == s.case.id {
                    continue;
                }
                let Some(to) = truth.get(&other.case.id) else {
                    continue;
                };
                let other_text = TextSignature::of(&other.profile.text);
                let cmp = compare(
                    &query,
                    &Prepared::new(&other.case, &other.profile, &other_text),
                );
                out.push((
                    other.case.id.clone(),
                    LabelledPair {
                        cmp,
                        same_person: tq.0 == to.0,
                        same_matter: tq.1 == to.1,
                    },
                ));
            }
            Ok(out)
        })
        .collect::<crate::error::Result<_>>()?;
    let mut found: HashSet<(String, String)> = HashSet::new();
    let mut queries = Vec::with_capacity(cases.len());
    for (s, list) in cases.iter().zip(per_case) {
        let mut pairs = Vec::with_capacity(list.len());
        for (other, p) in list {
            let key = if s.case.id < other {
                (s.case.id.clone(), other)
            } else {
                (other, s.case.id.clone())
            };
            found.insert(key);
            pairs.push(p);
        }
        queries.push(QueryPairs {
            id: s.case.id.clone(),
            truth_rank: 0,
            true_duplicates: 0,
            pairs,
        });
    }
    let mut recall = BlockingRecall {
        candidate_pairs: found.len() as u64,
        ..Default::default()
    };
    let mut by_matter: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut by_person: HashMap<&str, Vec<&str>> = HashMap::new();
    for s in cases {
        if let Some((p, m)) = truth.get(&s.case.id) {
            by_matter.entry(m).or_default().push(&s.case.id);
            by_person.entry(p).or_default().push(&s.case.id);
        }
    }
    let mut group_size: HashMap<(&str, &str), u32> = HashMap::new();
    for s in cases {
        if let Some((p, m)) = truth.get(&s.case.id) {
            *group_size.entry((p, m)).or_default() += 1;
        }
    }
    for q in &mut queries {
        let Some((p, m)) = truth.get(&q.id) else {
            continue;
        };
        let dups = group_size
            .get(&(p.as_str(), m.as_str()))
            .map_or(0, |n| n - 1);
        q.true_duplicates = dups;
        q.truth_rank = if dups > 0 {
            3
        } else if by_matter.get(m.as_str()).is_some_and(|g| g.len() > 1) {
            2
        } else if by_person.get(p.as_str()).is_some_and(|g| g.len() > 1) {
            1
        } else {
            0
        };
    }
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for group in by_matter.values().chain(by_person.values()) {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                let key = if a < b { (*a, *b) } else { (*b, *a) };
                if !seen.insert(key) {
                    continue;
                }
                let hit = found.contains(&(key.0.to_string(), key.1.to_string()));
                recall.true_pairs += 1;
                recall.found_pairs += u64::from(hit);
                if truth[key.0] == truth[key.1] {
                    recall.true_duplicate_pairs += 1;
                    recall.found_duplicate_pairs += u64::from(hit);
                }
            }
        }
    }
    Ok((queries, recall))
}

/// Reads a truth.tsv (`id<TAB>person<TAB>matter`).
pub fn read_truth(path: &std::path::Path) -> crate::error::Result<Truth> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::error::Error::io(path, e))?;
    let mut truth = Truth::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        let [id, person, matter] = parts[..] else {
            return Err(crate::error::Error::Invalid(format!(
                "{}:{}: expected id<TAB>person<TAB>matter",
                path.display(),
                n + 1
            )));
        };
        truth.insert(id.to_string(), (person.to_string(), matter.to_string()));
    }
    Ok(truth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objective_rewards_the_right_verdicts() {
        // one query whose only candidate is a true duplicate scoring (5, 5)
        let scored = vec![(3u8, 1u32, vec![(5.0, 5.0, true, true)])];
        assert_eq!(objective(&scored, 0.0, 0.0), 2.0);
        // thresholds above the scores call it NEW: wrong verdict, no duplicate found
        assert_eq!(objective(&scored, 6.0, 6.0), 0.0);
        assert_eq!(
            best_on_grid(&[0.0, 6.0], |t| objective(&scored, t, 0.0)),
            0.0
        );
    }
}
