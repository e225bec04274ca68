//! Fitting the model from labelled pairs: per level, the log2 ratio of its frequency among
//! matching pairs (m) to its frequency among non-matching pairs (u), with add-one smoothing;
//! each threshold is the score that maximises F1 on the same pairs.
//!
//! The pairs come from the candidate generator, so u reflects the hard negatives the model
//! meets in practice rather than random pairs.

use super::comparison::{Comparison, condition_of, level_names};
use super::levels::{Comparator, LevelName};
use super::model::{Model, PerRelation, Relation, default_caps, is_absent};
use super::time_gap::TimeLevel;
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

/// Pseudo-count pulling each relation's level frequency toward the level's pooled frequency:
/// a relation with few pairs cannot make a level strong evidence by chance.
const SHRINK: f64 = 20.0;
/// A level seen in fewer candidate pairs than this (over all relations) weighs nothing: the
/// sample cannot say what it means. Ordered comparators take their neighbour's weights.
const MIN_PAIRS: f64 = 20.0;

/// Levels that speak of one person's matters only. `object = same_and_others` (one estate,
/// and each letter names a thing the other does not) tells one person's two matters about
/// one place from one matter restated; between two people, each describing their own part
/// of one estate's problem is what collective petitions do, so the level does not tell
/// RELATED from DISTINCT: their counts are pooled, and its ratio between them is 0.
const ONE_PERSON_LEVELS: &[(Comparator, &str)] = &[(Comparator::Object, "same_and_others")];

fn relation(p: &LabelledPair) -> usize {
    Relation::of(p.same_person, p.same_matter).index()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Levels whose meaning is ordered (a longer gap is never more alike than a shorter one).
fn ordered_levels(c: Comparator) -> Option<Vec<&'static str>> {
    match c {
        Comparator::TimeGap => Some(
            TimeLevel::ALL
                .iter()
                .filter(|l| **l != TimeLevel::Unknown)
                .map(|l| l.name())
                .collect(),
        ),
        _ => None,
    }
}

/// log2 P(level | relation) from per-relation level counts (rows: level, columns: DUP, REL,
/// SP, DIST), shrunk toward the pooled frequency; absent and rare levels are neutral. Joint
/// levels of a conditional comparator (text given the place class) are normalised within
/// their class: log2 P(level | class, relation).
pub fn weights_from_counts(
    c: Comparator,
    counts: &BTreeMap<String, [f64; 4]>,
) -> BTreeMap<String, PerRelation> {
    // per conditioning class: relation totals and the number of levels
    let mut classes: BTreeMap<Option<&str>, ([f64; 4], f64)> = BTreeMap::new();
    for (level, row) in counts {
        let (totals, k) = classes.entry(condition_of(c, level)).or_default();
        for r in 0..4 {
            totals[r] += row[r];
        }
        *k += 1.0;
    }
    let mut out: BTreeMap<String, PerRelation> = BTreeMap::new();
    let mut rare: Vec<String> = Vec::new();
    for (level, row) in counts {
        let seen: f64 = row.iter().sum();
        if is_absent(level) || seen < MIN_PAIRS {
            rare.push(level.clone());
            out.insert(level.clone(), PerRelation::default());
            continue;
        }
        let (totals, k) = classes
            .get(&condition_of(c, level))
            .copied()
            .unwrap_or_default();
        let all: f64 = totals.iter().sum();
        let pooled = (seen + 1.0) / (all + k.max(1.0));
        let mut w = [0.0; 4];
        for r in 0..4 {
            w[r] = round3(((row[r] + SHRINK * pooled) / (totals[r] + SHRINK)).log2());
        }
        if ONE_PERSON_LEVELS.contains(&(c, level.as_str())) {
            // RELATED (1) and DISTINCT (3) from their pooled counts
            let (rel, dist) = (Relation::Related.index(), Relation::Distinct.index());
            let both = ((row[rel] + row[dist] + SHRINK * pooled)
                / (totals[rel] + totals[dist] + SHRINK))
                .log2();
            w[rel] = round3(both);
            w[dist] = round3(both);
        }
        out.insert(level.clone(), PerRelation::from_array(w));
    }
    if let Some(order) = ordered_levels(c) {
        monotone(&order, &rare, &mut out);
    }
    out
}

/// Along an ordered comparator: a rare level takes the weights of the nearest well-seen
/// level before it (a gap longer than any seen counts as the longest seen), and each
/// relation's ratio to DISTINCT never rises as the levels grow apart.
fn monotone(order: &[&str], rare: &[String], w: &mut BTreeMap<String, PerRelation>) {
    let mut last: Option<PerRelation> = None;
    for level in order {
        let is_rare = rare.iter().any(|r| r == level);
        match (is_rare, last) {
            (true, Some(prev)) => {
                w.insert(level.to_string(), prev);
            }
            (false, _) => last = w.get(*level).copied(),
            (true, None) => {}
        }
    }
    let mut best = [f64::INFINITY; 3];
    for level in order {
        let Some(v) = w.get_mut(*level) else { continue };
        let mut a = [v.duplicate, v.related, v.same_person, v.distinct];
        if a == [0.0; 4] {
            continue;
        }
        for r in 0..3 {
            let ratio = (a[r] - a[3]).min(best[r]);
            best[r] = ratio;
            a[r] = round3(a[3] + ratio);
        }
        *v = PerRelation::from_array(a);
    }
}

/// Per level, how many candidate pairs of each relation show it.
fn level_counts(pairs: &[LabelledPair], c: Comparator) -> BTreeMap<String, [f64; 4]> {
    let mut counts: BTreeMap<String, [f64; 4]> = level_names(c)
        .into_iter()
        .map(|n| (n.to_string(), [0.0; 4]))
        .collect();
    for p in pairs {
        if let Some(row) = counts.get_mut(p.cmp.level(c)) {
            row[relation(p)] += 1.0;
        }
    }
    counts
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
        .map(|&c| (c, weights_from_counts(c, &level_counts(&pairs, c))))
        .collect();
    let mut counts = [1.0; 4];
    for p in &pairs {
        counts[relation(p)] += 1.0;
    }
    let total: f64 = counts.iter().sum();
    let priors = PerRelation::from_array(counts.map(|c| round3((c / total).log2())));
    let mut model = Model {
        source,
        person_threshold: 0.0,
        matter_threshold: 0.0,
        matter_merge_slack: super::model::DEFAULT_MATTER_MERGE_SLACK,
        priors,
        caps: default_caps(),
        weights,
    };
    model.enforce_rules();
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
    use rayon::prelude::*;
    let searcher = index.searcher();
    let per_case: Vec<Vec<(String, LabelledPair)>> = cases
        .par_iter()
        .map(|s| compared_candidates(index, &searcher, s, truth, q))
        .collect::<crate::error::Result<_>>()?;
    let (mut queries, found) = queries_and_found(cases, per_case);
    let members = Members::of(cases, truth);
    for q in &mut queries {
        if let Some((p, m)) = truth.get(&q.id) {
            (q.truth_rank, q.true_duplicates) = members.rank(p, m);
        }
    }
    let recall = members.blocking_recall(truth, &found);
    Ok((queries, recall))
}

/// One case compared with each of its labelled candidates (itself and unlabelled cases
/// left out).
fn compared_candidates(
    index: &crate::index::CaseIndex,
    searcher: &tantivy::Searcher,
    s: &crate::index::StoredCase,
    truth: &Truth,
    q: &crate::index::CandidateQuery,
) -> crate::error::Result<Vec<(String, LabelledPair)>> {
    let Some(tq) = truth.get(&s.case.id) else {
        return Ok(Vec::new());
    };
    let compared = candidate_comparisons(index, searcher, s, q, |other| {
        other.case.id != s.case.id && truth.contains_key(&other.case.id)
    })?;
    Ok(compared
        .into_iter()
        .filter_map(|(other, cmp)| {
            let to = truth.get(&other.case.id)?;
            let pair = LabelledPair {
                cmp,
                same_person: tq.0 == to.0,
                same_matter: tq.1 == to.1,
            };
            Some((other.case.id, pair))
        })
        .collect())
}

/// One case compared with those of its candidates that `keep` admits, each with the text
/// signature the index's term weights give it.
pub(super) fn candidate_comparisons(
    index: &crate::index::CaseIndex,
    searcher: &tantivy::Searcher,
    s: &crate::index::StoredCase,
    q: &crate::index::CandidateQuery,
    keep: impl Fn(&crate::index::StoredCase) -> bool,
) -> crate::error::Result<Vec<(crate::index::StoredCase, Comparison)>> {
    use super::comparison::{Prepared, compare};
    use super::text::TextSignature;
    let signature = |profile: &crate::analysis::Profile| {
        TextSignature::from_weighted(index.text_weights(searcher, &profile.matter_text()))
    };
    let query_text = signature(&s.profile);
    let query = Prepared::new(&s.case, &s.profile, &query_text);
    let mut out = Vec::new();
    for (other, _) in index.candidates(&s.profile, q)? {
        if !keep(&other) {
            continue;
        }
        let other_text = signature(&other.profile);
        let cmp = compare(
            &query,
            &Prepared::new(&other.case, &other.profile, &other_text),
        );
        out.push((other, cmp));
    }
    Ok(out)
}

/// Unordered id pair, the smaller id first.
fn pair_key<T: Ord>(a: T, b: T) -> (T, T) {
    if a < b { (a, b) } else { (b, a) }
}

/// The per-case candidate lists as queries (truth ranks still to fill in), and every
/// candidate pair found.
fn queries_and_found(
    cases: &[crate::index::StoredCase],
    per_case: Vec<Vec<(String, LabelledPair)>>,
) -> (Vec<QueryPairs>, std::collections::HashSet<(String, String)>) {
    let mut found = std::collections::HashSet::new();
    let mut queries = Vec::with_capacity(cases.len());
    for (s, list) in cases.iter().zip(per_case) {
        let mut pairs = Vec::with_capacity(list.len());
        for (other, p) in list {
            found.insert(pair_key(s.case.id.clone(), other));
            pairs.push(p);
        }
        queries.push(QueryPairs {
            id: s.case.id.clone(),
            truth_rank: 0,
            true_duplicates: 0,
            pairs,
        });
    }
    (queries, found)
}

/// The labelled cases by matter, by person and by (person, matter).
struct Members<'a> {
    by_matter: std::collections::HashMap<&'a str, Vec<&'a str>>,
    by_person: std::collections::HashMap<&'a str, Vec<&'a str>>,
    group_size: std::collections::HashMap<(&'a str, &'a str), u32>,
}

impl<'a> Members<'a> {
    fn of(cases: &'a [crate::index::StoredCase], truth: &'a Truth) -> Members<'a> {
        let mut m = Members {
            by_matter: Default::default(),
            by_person: Default::default(),
            group_size: Default::default(),
        };
        for s in cases {
            if let Some((p, mt)) = truth.get(&s.case.id) {
                m.by_matter.entry(mt).or_default().push(&s.case.id);
                m.by_person.entry(p).or_default().push(&s.case.id);
                *m.group_size.entry((p, mt)).or_default() += 1;
            }
        }
        m
    }

    /// The strongest true relation of a case of person `p` and matter `m` to any other case
    /// (3 DUPLICATE, 2 RELATED, 1 SAME_PERSON, 0 NEW) and its true duplicates.
    fn rank(&self, p: &str, m: &str) -> (u8, u32) {
        let dups = self.group_size.get(&(p, m)).map_or(0, |n| n - 1);
        let rank = if dups > 0 {
            3
        } else if self.by_matter.get(m).is_some_and(|g| g.len() > 1) {
            2
        } else if self.by_person.get(p).is_some_and(|g| g.len() > 1) {
            1
        } else {
            0
        };
        (rank, dups)
    }

    /// How many true pairs (one person or one matter) the candidate lists reached.
    fn blocking_recall(
        &self,
        truth: &Truth,
        found: &std::collections::HashSet<(String, String)>,
    ) -> BlockingRecall {
        let mut recall = BlockingRecall {
            candidate_pairs: found.len() as u64,
            ..Default::default()
        };
        let mut seen: std::collections::HashSet<(&str, &str)> = Default::default();
        for group in self.by_matter.values().chain(self.by_person.values()) {
            for (i, a) in group.iter().enumerate() {
                for b in &group[i + 1..] {
                    let key = pair_key(*a, *b);
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
        recall
    }
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

    fn counts(rows: &[(&str, [f64; 4])]) -> BTreeMap<String, [f64; 4]> {
        rows.iter().map(|(l, r)| (l.to_string(), *r)).collect()
    }

    #[test]
    fn unseen_and_absent_levels_are_neutral() {
        // `unknown` is common in some relations only, `rare` seen 3 times: neither may weigh
        let w = weights_from_counts(
            Comparator::Category,
            &counts(&[
                ("same", [500.0, 50.0, 10.0, 100.0]),
                ("different", [20.0, 5.0, 400.0, 5000.0]),
                ("unknown", [0.0, 0.0, 300.0, 10.0]),
                ("rare", [3.0, 0.0, 0.0, 0.0]),
            ]),
        );
        assert_eq!(w["unknown"], PerRelation::default());
        assert_eq!(w["rare"], PerRelation::default());
        assert!(w["same"].duplicate > w["same"].distinct);
    }

    #[test]
    fn a_one_person_level_does_not_tell_related_from_distinct() {
        let w = weights_from_counts(
            Comparator::Object,
            &counts(&[
                ("same", [400.0, 300.0, 20.0, 200.0]),
                ("same_and_others", [30.0, 10.0, 300.0, 400.0]),
                ("different", [20.0, 30.0, 500.0, 4000.0]),
            ]),
        );
        let o = w["same_and_others"];
        assert_eq!(o.related, o.distinct);
        // it still tells one person's matters apart
        assert!(o.same_person > o.duplicate + 1.0, "{o:?}");
        // other levels keep their own ratios
        assert!(w["same"].related > w["same"].distinct + 1.0);
    }

    #[test]
    fn a_gap_longer_than_any_seen_is_no_worse_than_the_longest_seen() {
        let w = weights_from_counts(
            Comparator::TimeGap,
            &counts(&[
                ("same_day", [300.0, 40.0, 20.0, 100.0]),
                ("week", [200.0, 30.0, 40.0, 300.0]),
                ("month", [100.0, 20.0, 80.0, 900.0]),
                ("quarter", [5.0, 1.0, 60.0, 1500.0]),
                ("year", [30.0, 0.0, 200.0, 2000.0]),
                ("longer", [0.0, 0.0, 0.0, 0.0]),
                ("unknown", [50.0, 5.0, 50.0, 500.0]),
            ]),
        );
        let ratio = |l: &str| w[l].duplicate - w[l].distinct;
        let order = ["same_day", "week", "month", "quarter", "year", "longer"];
        for pair in order.windows(2) {
            assert!(ratio(pair[1]) <= ratio(pair[0]) + 1e-9, "{pair:?}");
        }
        assert_eq!(ratio("longer"), ratio("year"));
        assert_eq!(w["unknown"], PerRelation::default());
    }

    #[test]
    fn text_levels_are_normalised_within_their_place_class() {
        // placed apart, template-like texts of other matters are common; placed alike, rare.
        // Within each class the relation's level frequencies sum to one, so the many
        // distinct pairs placed apart do not dilute what high text means placed alike.
        let w = weights_from_counts(
            Comparator::Text,
            &counts(&[
                ("high+place_consistent", [900.0, 900.0, 10.0, 30.0]),
                ("none+place_consistent", [100.0, 100.0, 990.0, 970.0]),
                ("high+place_apart", [10.0, 10.0, 5.0, 5000.0]),
                ("none+place_apart", [2.0, 2.0, 500.0, 5000.0]),
                ("missing", [50.0, 50.0, 50.0, 50.0]),
            ]),
        );
        let matter = |l: &str| w[l].related - w[l].distinct;
        assert!(matter("high+place_consistent") > 4.0);
        assert!(matter("high+place_consistent") > matter("high+place_apart"));
        for class in ["place_consistent", "place_apart"] {
            let sum: f64 = ["high", "none"]
                .iter()
                .map(|t| w[&format!("{t}+{class}")].distinct.exp2())
                .sum();
            assert!((sum - 1.0).abs() < 0.01, "{class}: {sum}");
        }
        assert_eq!(w["missing"], PerRelation::default());
    }

    #[test]
    fn a_shared_county_says_little_once_the_names_agree() {
        // namesakes are often neighbours: among distinct pairs with one name, a shared county
        // is as common as among one person's pairs, while among strangers it is rare
        let w = weights_from_counts(
            Comparator::Home,
            &counts(&[
                ("same_county+name_alike", [40.0, 2.0, 300.0, 80.0]),
                ("same_address+name_alike", [30.0, 1.0, 200.0, 2.0]),
                ("different+name_alike", [1.0, 1.0, 10.0, 120.0]),
                ("same_county+name_other", [2.0, 300.0, 40.0, 600.0]),
                ("different+name_other", [1.0, 100.0, 2.0, 20000.0]),
                ("unknown", [50.0, 50.0, 50.0, 50.0]),
            ]),
        );
        let person = |l: &str| w[l].same_person - w[l].distinct;
        assert!(person("same_county+name_alike").abs() < 1.0);
        assert!(person("same_address+name_alike") > 3.0);
        assert!(person("same_county+name_other") > 3.0);
        for class in ["name_alike", "name_other"] {
            let sum: f64 = ["same_county", "same_address", "different"]
                .iter()
                .filter_map(|h| w.get(&format!("{h}+{class}")))
                .map(|x| x.distinct.exp2())
                .sum();
            assert!((sum - 1.0).abs() < 0.01, "{class}: {sum}");
        }
        assert_eq!(w["unknown"], PerRelation::default());
    }

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
