//! Fitting the model on a deployment's own cases without labels: expectation–maximisation
//! over candidate pairs (Fellegi–Sunter, as record linkers do), starting from a model (the
//! bundled one by default). All four relations' level distributions are re-estimated from
//! each pair's posterior. Unlike two-class linkers, u is not taken from random pairs: the
//! model is conditioned on blocking, and random pairs (texts unlike, places apart) would make
//! every candidate look related. The same rules as the labelled fit hold: absent and rare
//! levels are neutral, ordered levels monotone, every level capped.

use super::comparison::{Comparison, level_names};
use super::fit::{candidate_comparisons, weights_from_counts};
use super::levels::Comparator;
use super::model::{Model, PerRelation};
use std::collections::BTreeMap;

type Counts = BTreeMap<String, [f64; 4]>;

fn empty_counts(c: Comparator) -> Counts {
    level_names(c)
        .into_iter()
        .map(|n| (n.to_string(), [0.0; 4]))
        .collect()
}

/// The posterior over (DUPLICATE, RELATED, SAME_PERSON, DISTINCT) of one pair.
fn posterior(model: &Model, levels: &[&'static str]) -> [f64; 4] {
    let mut t = model.priors.to_array();
    for (&c, level) in Comparator::ALL.iter().zip(levels) {
        for (x, w) in t.iter_mut().zip(model.weight(c, level).to_array()) {
            *x += w;
        }
    }
    let m = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = t.map(|x| (x - m).exp2());
    let s: f64 = e.iter().sum();
    e.map(|x| x / s)
}

/// Fits a model by EM. `pairs` are candidate pairs of the user's cases; `start` gives the
/// initial weights and keeps its thresholds (the trade-off between missed and false
/// duplicates is a policy, not something unlabelled data can tell).
pub fn fit_unlabelled(
    pairs: &[Comparison],
    start: &Model,
    iterations: usize,
    source: String,
) -> Model {
    let levels: Vec<Vec<&'static str>> = pairs
        .iter()
        .map(|p| Comparator::ALL.iter().map(|&c| p.level(c)).collect())
        .collect();
    let mut model = start.clone();
    model.source = source;
    for _ in 0..iterations {
        let mut counts: BTreeMap<Comparator, Counts> = Comparator::ALL
            .iter()
            .map(|&c| (c, empty_counts(c)))
            .collect();
        let mut rel = [1.0; 4];
        for lv in &levels {
            let post = posterior(&model, lv);
            for r in 0..4 {
                rel[r] += post[r];
            }
            for (&c, level) in Comparator::ALL.iter().zip(lv) {
                if let Some(row) = counts.get_mut(&c).and_then(|t| t.get_mut(*level)) {
                    for r in 0..4 {
                        row[r] += post[r];
                    }
                }
            }
        }
        let mut weights = BTreeMap::new();
        for &c in &Comparator::ALL {
            let table = counts.remove(&c).unwrap_or_default();
            weights.insert(c, weights_from_counts(c, &table));
        }
        // the priors move only halfway from the start's: with four latent relations, free
        // priors let one relation swallow the rest
        let total: f64 = rel.iter().sum();
        let start_p = start.priors.to_array();
        let mut pr = [0.0; 4];
        for r in 0..4 {
            pr[r] = (0.5 * rel[r] / total + 0.5 * start_p[r].exp2()).log2();
        }
        model.priors = PerRelation::from_array(pr);
        model.weights = weights;
        model.enforce_rules();
    }
    model
}

/// Candidate pairs of every case (each pair once), compared with the index's text weights:
/// the input of `fit_unlabelled`.
pub fn unlabelled_pairs(
    index: &crate::index::CaseIndex,
    cases: &[crate::index::StoredCase],
    q: &crate::index::CandidateQuery,
) -> crate::error::Result<Vec<Comparison>> {
    use rayon::prelude::*;
    let searcher = index.searcher();
    // each pair once: from the case with the smaller id
    let per_case: Vec<Vec<(crate::index::StoredCase, Comparison)>> = cases
        .par_iter()
        .map(|s| candidate_comparisons(index, &searcher, s, q, |other| other.case.id > s.case.id))
        .collect::<crate::error::Result<_>>()?;
    Ok(per_case.into_iter().flatten().map(|(_, cmp)| cmp).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::account::AccountLevel;
    use crate::matching::category::CategoryLevel;
    use crate::matching::channel::ChannelLevel;
    use crate::matching::home::HomeLevel;
    use crate::matching::id_number::IdLevel;
    use crate::matching::name::NameLevel;
    use crate::matching::phone::PhoneLevel;
    use crate::matching::place::PlaceLevel;
    use crate::matching::recurrence::RecurrenceLevel;
    use crate::matching::text::{ObjectLevel, TextLevel};
    use crate::matching::time_gap::TimeLevel;

    /// A pair whose person fields (name, phone, ID) and matter fields (text, place,
    /// category) each agree with probability 0.9 when the relation holds and 0.1 otherwise.
    fn pair(same_person: bool, same_matter: bool, noise: &mut impl FnMut() -> bool) -> Comparison {
        let mut agree = |truth: bool| truth != noise();
        Comparison {
            name: if agree(same_person) {
                NameLevel::Exact
            } else {
                NameLevel::Different
            },
            id_number: if agree(same_person) {
                IdLevel::Exact
            } else {
                IdLevel::Different
            },
            phone: if agree(same_person) {
                PhoneLevel::Exact
            } else {
                PhoneLevel::Different
            },
            home: HomeLevel::Unknown,
            text: if agree(same_matter) {
                TextLevel::VeryHigh
            } else {
                TextLevel::None
            },
            text_similarity: 0.0,
            place: if agree(same_matter) {
                PlaceLevel::SameTown
            } else {
                PlaceLevel::Different
            },
            time_gap: TimeLevel::Unknown,
            category: if agree(same_matter) {
                CategoryLevel::Same
            } else {
                CategoryLevel::Different
            },
            channel: ChannelLevel::Unknown,
            account: AccountLevel::Missing,
            recurrence: RecurrenceLevel::Unknown,
            object: ObjectLevel::Missing,
        }
    }

    #[test]
    fn em_separates_the_four_relations_from_a_flat_start() {
        let mut state = 7u64;
        let mut noise = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33).is_multiple_of(10)
        };
        let mut pairs = Vec::new();
        for i in 0..8000 {
            pairs.push(pair(i % 4 < 2, i % 2 == 0, &mut noise));
        }
        let mut flat = Model::bundled().unwrap();
        for levels in flat.weights.values_mut() {
            for w in levels.values_mut() {
                *w = PerRelation::default();
            }
        }
        flat.priors = PerRelation::from_array([-2.0; 4]);
        // a nudge: the start knows a same name and phone hints at the same person
        flat.weights
            .get_mut(&Comparator::NamePhone)
            .unwrap()
            .insert(
                "name_same+phone_same".into(),
                PerRelation::from_array([2.0, -2.0, 2.0, -2.0]),
            );
        for place in ["place_consistent", "place_apart"] {
            flat.weights.get_mut(&Comparator::Text).unwrap().insert(
                format!("very_high+{place}"),
                PerRelation::from_array([2.0, 2.0, -2.0, -2.0]),
            );
        }
        let m = fit_unlabelled(&pairs, &flat, 20, "test".into());
        let mut clean = || false;
        let dup = m.score(&pair(true, true, &mut clean));
        let rel = m.score(&pair(false, true, &mut clean));
        let sp = m.score(&pair(true, false, &mut clean));
        let dist = m.score(&pair(false, false, &mut clean));
        assert!(dup.person > 0.0 && dup.matter > 0.0, "{dup:?}");
        assert!(rel.person < 0.0 && rel.matter > 0.0, "{rel:?}");
        assert!(sp.person > 0.0 && sp.matter < 0.0, "{sp:?}");
        assert!(dist.person < 0.0 && dist.matter < 0.0, "{dist:?}");
        // three fields agreeing at 0.9 against 0.1 are worth about 9.5 bits: far more than
        // the nudge the start had
        assert!(sp.person > 6.0 && dist.matter < -6.0, "{sp:?} {dist:?}");
    }
}
