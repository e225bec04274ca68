//! Fitting the model from labelled pairs: per level, the log2 ratio of its frequency among
//! matching pairs (m) to its frequency among non-matching pairs (u), with add-one smoothing;
//! each threshold is the score that maximises F1 on the same pairs.
//!
//! The pairs come from the candidate generator, so u reflects the hard negatives the model
//! meets in practice rather than random pairs.

use super::comparison::{Comparison, level_names};
use super::levels::Comparator;
use super::model::Model;
use std::collections::BTreeMap;

/// A compared pair with its truth.
#[derive(Debug, Clone, Copy)]
pub struct LabelledPair {
    pub cmp: Comparison,
    pub same_person: bool,
    pub same_matter: bool,
}

const SMOOTHING: f64 = 1.0;
const WEIGHT_LIMIT: f64 = 12.0;

fn level_weights(
    pairs: &[LabelledPair],
    c: Comparator,
    label: fn(&LabelledPair) -> bool,
) -> BTreeMap<String, f64> {
    let names = level_names(c);
    let mut m: BTreeMap<&str, f64> = names.iter().map(|n| (*n, 0.0)).collect();
    let mut u = m.clone();
    for p in pairs {
        let side = if label(p) { &mut m } else { &mut u };
        *side.entry(p.cmp.level(c)).or_default() += 1.0;
    }
    let (mt, ut): (f64, f64) = (m.values().sum(), u.values().sum());
    let k = names.len() as f64;
    names
        .iter()
        .map(|n| {
            let pm = (m[n] + SMOOTHING) / (mt + SMOOTHING * k);
            let pu = (u[n] + SMOOTHING) / (ut + SMOOTHING * k);
            let w = (pm / pu).log2().clamp(-WEIGHT_LIMIT, WEIGHT_LIMIT);
            ((*n).to_string(), (w * 1000.0).round() / 1000.0)
        })
        .collect()
}

/// The score threshold that maximises F1 of `scores` against `labels`.
fn best_threshold(mut scored: Vec<(f64, bool)>) -> f64 {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = scored.iter().filter(|s| s.1).count() as f64;
    let (mut tp, mut fp) = (0.0, 0.0);
    let (mut best_f1, mut best_t) = (-1.0, 0.0);
    for (i, (score, label)) in scored.iter().enumerate() {
        if *label { tp += 1.0 } else { fp += 1.0 }
        // only cut between distinct scores
        if scored.get(i + 1).is_some_and(|n| n.0 == *score) {
            continue;
        }
        let f1 = 2.0 * tp / (tp + fp + positives);
        if f1 > best_f1 {
            best_f1 = f1;
            let next = scored.get(i + 1).map_or(score - 1.0, |n| n.0);
            best_t = (score + next) / 2.0;
        }
    }
    (best_t * 1000.0).round() / 1000.0
}

/// Fits weights and thresholds.
pub fn fit_model(pairs: &[LabelledPair], source: String) -> Model {
    let mut weights = BTreeMap::new();
    for c in Comparator::PERSON {
        weights.insert(c.name().to_string(), level_weights(pairs, c, |p| p.same_person));
    }
    for c in Comparator::MATTER {
        weights.insert(c.name().to_string(), level_weights(pairs, c, |p| p.same_matter));
    }
    let mut model = Model { source, person_threshold: 0.0, matter_threshold: 0.0, weights };
    let scores: Vec<_> = pairs.iter().map(|p| (model.score(&p.cmp), p)).collect();
    model.person_threshold = best_threshold(scores.iter().map(|(s, p)| (s.person, p.same_person)).collect());
    model.matter_threshold = best_threshold(scores.iter().map(|(s, p)| (s.matter, p.same_matter)).collect());
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_separates_clean_scores() {
        let t = best_threshold(vec![(5.0, true), (4.0, true), (1.0, false), (0.0, false)]);
        assert!(t > 1.0 && t < 4.0, "{t}");
    }
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
) -> crate::error::Result<(Vec<LabelledPair>, BlockingRecall)> {
    use super::comparison::{Prepared, compare};
    use rayon::prelude::*;
    use std::collections::{HashMap, HashSet};
    let per_case: Vec<Vec<(String, LabelledPair)>> = cases
        .par_iter()
        .map(|s| {
            let query = Prepared::new(&s.case, &s.profile);
            let Some(tq) = truth.get(&s.case.id) else { return Ok(Vec::new()) };
            let mut out = Vec::new();
            for (other, _) in index.candidates(&s.profile, q)? {
                if other.case.id == s.case.id {
                    continue;
                }
                let Some(to) = truth.get(&other.case.id) else { continue };
                let cmp = compare(&query, &Prepared::new(&other.case, &other.profile));
                out.push((
                    other.case.id.clone(),
                    LabelledPair { cmp, same_person: tq.0 == to.0, same_matter: tq.1 == to.1 },
                ));
            }
            Ok(out)
        })
        .collect::<crate::error::Result<_>>()?;
    let mut found: HashSet<(String, String)> = HashSet::new();
    let mut pairs = Vec::new();
    for (s, list) in cases.iter().zip(per_case) {
        for (other, p) in list {
            let key = if s.case.id < other { (s.case.id.clone(), other) } else { (other, s.case.id.clone()) };
            found.insert(key);
            pairs.push(p);
        }
    }
    let mut recall = BlockingRecall { candidate_pairs: found.len() as u64, ..Default::default() };
    let mut by_matter: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut by_person: HashMap<&str, Vec<&str>> = HashMap::new();
    for s in cases {
        if let Some((p, m)) = truth.get(&s.case.id) {
            by_matter.entry(m).or_default().push(&s.case.id);
            by_person.entry(p).or_default().push(&s.case.id);
        }
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
    Ok((pairs, recall))
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
