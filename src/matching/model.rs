//! The scoring model: for each comparator level, log2 of its frequency among candidate pairs
//! of each relation (DUPLICATE, RELATED, SAME_PERSON, DISTINCT), plus the relations' priors.
//!
//! Two questions are answered from it separately:
//! * same person? log-odds of {DUPLICATE, SAME_PERSON} against {RELATED, DISTINCT};
//! * same matter? log-odds of {DUPLICATE, RELATED} against {SAME_PERSON, DISTINCT};
//!
//! each compared with its own configurable threshold. Conditioning on all four relations
//! (rather than fitting the person and matter questions independently) lets the model learn
//! that a shared name means less among cases of one collective matter than elsewhere, and
//! that near-identical text means more between one person's submissions than between
//! strangers'. The parameters live in one TOML file (src/matching/model.toml by default,
//! written by `casematch fit`).

use super::comparison::Comparison;
use super::levels::Comparator;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULT_MODEL: &str = include_str!("model.toml");

const DUP: usize = 0;
const REL: usize = 1;
const SP: usize = 2;
const DIST: usize = 3;

/// log2 values per relation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PerRelation {
    pub duplicate: f64,
    pub related: f64,
    pub same_person: f64,
    pub distinct: f64,
}

impl PerRelation {
    pub fn get(&self, i: usize) -> f64 {
        [
            self.duplicate,
            self.related,
            self.same_person,
            self.distinct,
        ][i]
    }
    pub fn from_array(a: [f64; 4]) -> PerRelation {
        PerRelation {
            duplicate: a[0],
            related: a[1],
            same_person: a[2],
            distinct: a[3],
        }
    }
}

/// Weights per comparator and level, relation priors and the decision thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// How the parameters were obtained (data set, command).
    #[serde(default)]
    pub source: String,
    /// Person log-odds (log2) at or above which two cases come from one complainant.
    pub person_threshold: f64,
    /// Matter log-odds (log2) at or above which two cases concern one matter.
    pub matter_threshold: f64,
    /// log2 prior of each relation among candidate pairs.
    pub priors: PerRelation,
    /// comparator → level → log2 P(level | relation)
    pub weights: BTreeMap<String, BTreeMap<String, PerRelation>>,
}

/// One comparator's contribution to the two answers (log2 likelihood ratios).
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub field: &'static str,
    pub level: &'static str,
    /// toward the same person (given the matter answer)
    pub person: f64,
    /// toward the same matter (given the person answer)
    pub matter: f64,
}

/// A pair's two answers and the evidence behind them.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    /// log2 odds of the same person
    pub person: f64,
    /// log2 odds of the same matter
    pub matter: f64,
    pub same_person: bool,
    pub same_matter: bool,
    pub evidence: Vec<Evidence>,
}

fn log2_sum(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp2() + (b - m).exp2()).log2()
}

impl Model {
    /// The model shipped with the binary.
    pub fn bundled() -> Result<Model> {
        Self::from_toml(DEFAULT_MODEL).map_err(|reason| Error::Config {
            path: "src/matching/model.toml".into(),
            reason,
        })
    }

    pub fn from_toml(text: &str) -> std::result::Result<Model, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    pub fn load(path: &Path) -> Result<Model> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml(&text).map_err(|reason| Error::Config {
            path: path.to_path_buf(),
            reason,
        })
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// log2 P(level | relation); unknown levels weigh nothing.
    pub fn weight(&self, c: Comparator, level: &str) -> PerRelation {
        self.weights
            .get(c.name())
            .and_then(|l| l.get(level))
            .copied()
            .unwrap_or_default()
    }

    /// Scores a comparison on both questions.
    pub fn score(&self, cmp: &Comparison) -> Scored {
        let mut total = [0.0; 4];
        for (i, t) in total.iter_mut().enumerate() {
            *t = self.priors.get(i);
        }
        let levels: Vec<(Comparator, &'static str, PerRelation)> = Comparator::ALL
            .iter()
            .map(|&c| {
                let level = cmp.level(c);
                (c, level, self.weight(c, level))
            })
            .collect();
        for (_, _, w) in &levels {
            for (i, t) in total.iter_mut().enumerate() {
                *t += w.get(i);
            }
        }
        let person = log2_sum(total[DUP], total[SP]) - log2_sum(total[REL], total[DIST]);
        let matter = log2_sum(total[DUP], total[REL]) - log2_sum(total[SP], total[DIST]);
        let same_person = person >= self.person_threshold;
        let same_matter = matter >= self.matter_threshold;
        // evidence: each field's ratio between the relations the other answer leaves open
        let (p_yes, p_no) = if same_matter { (DUP, REL) } else { (SP, DIST) };
        let (m_yes, m_no) = if same_person { (DUP, SP) } else { (REL, DIST) };
        let round = |x: f64| (x * 100.0).round() / 100.0;
        let evidence = levels
            .into_iter()
            .map(|(c, level, w)| Evidence {
                field: c.name(),
                level,
                person: round(w.get(p_yes) - w.get(p_no)),
                matter: round(w.get(m_yes) - w.get(m_no)),
            })
            .collect();
        Scored {
            person,
            matter,
            same_person,
            same_matter,
            evidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_model_has_weights_for_every_comparator() {
        let m = Model::bundled().unwrap();
        for c in Comparator::ALL {
            assert!(m.weights.contains_key(c.name()), "{}", c.name());
        }
        let back = Model::from_toml(&m.to_toml()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn log2_sum_adds_probabilities() {
        assert!((log2_sum(1.0, 1.0) - 2.0).abs() < 1e-12);
        assert_eq!(log2_sum(f64::NEG_INFINITY, 3.0), 3.0);
    }
}
