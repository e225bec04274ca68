//! The scoring model: a weight per comparator level (log2 likelihood ratio) for the person
//! question and for the matter question, and the two thresholds. The parameters live in one
//! TOML file (src/matching/model.toml by default, produced by `casematch fit`).

use super::comparison::Comparison;
use super::levels::Comparator;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULT_MODEL: &str = include_str!("model.toml");

/// Weights per comparator and level, and the decision thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// How the weights were obtained (data set, date, command).
    #[serde(default)]
    pub source: String,
    /// Person score at or above which two cases come from one complainant.
    pub person_threshold: f64,
    /// Matter score at or above which two cases concern one matter.
    pub matter_threshold: f64,
    /// comparator → level → weight
    pub weights: BTreeMap<String, BTreeMap<String, f64>>,
}

/// One comparator's contribution to a score.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub field: &'static str,
    pub level: &'static str,
    pub weight: f64,
}

/// A pair's scores and the evidence behind them.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    pub person: f64,
    pub matter: f64,
    pub same_person: bool,
    pub same_matter: bool,
    pub evidence: Vec<Evidence>,
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
        Self::from_toml(&text).map_err(|reason| Error::Config { path: path.to_path_buf(), reason })
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    pub fn weight(&self, c: Comparator, level: &str) -> f64 {
        self.weights
            .get(c.name())
            .and_then(|l| l.get(level))
            .copied()
            .unwrap_or(0.0)
    }

    fn sum(&self, cmp: &Comparison, comparators: &[Comparator], evidence: &mut Vec<Evidence>) -> f64 {
        comparators
            .iter()
            .map(|&c| {
                let level = cmp.level(c);
                let weight = self.weight(c, level);
                evidence.push(Evidence { field: c.name(), level, weight });
                weight
            })
            .sum()
    }

    /// Scores a comparison on both questions.
    pub fn score(&self, cmp: &Comparison) -> Scored {
        let mut evidence = Vec::with_capacity(9);
        let person = self.sum(cmp, &Comparator::PERSON, &mut evidence);
        let matter = self.sum(cmp, &Comparator::MATTER, &mut evidence);
        Scored {
            person,
            matter,
            same_person: person >= self.person_threshold,
            same_matter: matter >= self.matter_threshold,
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
        for c in Comparator::PERSON.iter().chain(Comparator::MATTER.iter()) {
            assert!(m.weights.contains_key(c.name()), "{}", c.name());
        }
        let back = Model::from_toml(&m.to_toml()).unwrap();
        assert_eq!(back, m);
    }
}
