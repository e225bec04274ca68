//! Fitting the scoring model on the user's cases: from labelled pairs, or by EM without
//! labels.

use super::Engine;
use crate::error::Result;
use crate::index::{CandidateQuery, StoredCase};
use crate::matching::{Model, fit_model, fit_unlabelled, labelled_pairs, unlabelled_pairs};
use crate::model::Case;
use std::path::Path;

pub use crate::matching::{BlockingRecall, Truth};

/// A fitted model and what the fit saw.
pub struct Fitted {
    pub model: Model,
    /// candidate pairs the model was fitted on
    pub pairs: usize,
    /// with labels: how many true pairs the candidates reached
    pub recall: Option<BlockingRecall>,
}

impl Engine {
    /// Reads labels: `id<TAB>person<TAB>matter` per line.
    pub fn read_truth(path: &Path) -> Result<Truth> {
        crate::matching::read_truth(path)
    }

    /// Fits a model from labelled candidate pairs of `cases`, which must be in this engine's
    /// index (ingest them into an engine in memory first). `source(pairs)` says how it was made.
    pub fn fit_labelled(
        &self,
        cases: &[Case],
        truth: &Truth,
        source: impl FnOnce(usize) -> String,
    ) -> Result<Fitted> {
        let stored = stored(cases);
        let (queries, recall) =
            labelled_pairs(&self.index, &stored, truth, &CandidateQuery::default())?;
        let pairs = queries.iter().map(|q| q.pairs.len()).sum::<usize>();
        Ok(Fitted {
            model: fit_model(&queries, source(pairs)),
            pairs,
            recall: Some(recall),
        })
    }

    /// Fits a model by expectation–maximisation over the candidate pairs of `cases` (in
    /// this engine's index), starting from `start` and keeping its thresholds.
    pub fn fit_em(
        &self,
        cases: &[Case],
        start: &Model,
        iterations: usize,
        source: impl FnOnce(usize) -> String,
    ) -> Result<Fitted> {
        let stored = stored(cases);
        let pairs = unlabelled_pairs(&self.index, &stored, &CandidateQuery::default())?;
        let model = fit_unlabelled(&pairs, start, iterations, source(pairs.len()));
        Ok(Fitted {
            model,
            pairs: pairs.len(),
            recall: None,
        })
    }
}

fn stored(cases: &[Case]) -> Vec<StoredCase> {
    use rayon::prelude::*;
    cases
        .par_iter()
        .map(|c| Engine::normalise(c.clone()))
        .collect()
}
