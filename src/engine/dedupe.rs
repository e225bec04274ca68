//! Batch dedupe of records in memory: duplicate and matter groups, with progress and the
//! report.

use super::Engine;
use crate::dedupe::{
    DedupeOptions, DedupeRecord, DedupeResult, GroupRow, Report, ScoredPair, Stage,
};
use crate::matching::{Constraints, Model, TextSignature, compare, idf};
use crate::model::Case;

pub use crate::dedupe::PairRecall;

/// A finished dedupe run: one row per record, the report, and what blocking recall needs.
pub struct Deduped {
    pub rows: Vec<GroupRow>,
    pub report: Report,
    records: Vec<DedupeRecord>,
    result: DedupeResult,
}

impl Deduped {
    /// Blocking recall per relation against labels (id → (person, matter)).
    pub fn blocking_recall(&self, truth: &super::Truth) -> PairRecall {
        crate::dedupe::blocking_recall(&self.records, &self.result, truth)
    }

    /// What blocking held in memory and spilled to disk.
    pub fn blocking_stats(&self) -> &crate::dedupe::BlockingStats {
        &self.result.blocking
    }

    /// The HTML report.
    pub fn report_html(&self) -> String {
        crate::dedupe::render_html(&self.report)
    }
}

impl Engine {
    /// The compact record dedupe keeps of a case (about 2 KB); build them in parallel while
    /// reading a big input.
    pub fn dedupe_record(case: Case) -> DedupeRecord {
        DedupeRecord::new(case)
    }

    /// Groups `records` with `model`: blocking, scoring and clustering, reported through
    /// `progress(stage, done, total)`.
    pub fn dedupe_with(
        model: &Model,
        mut records: Vec<DedupeRecord>,
        opts: &DedupeOptions,
        progress: &(dyn Fn(Stage, u64, u64) + Sync),
    ) -> Deduped {
        let mut result = crate::dedupe::dedupe(&mut records, model, opts, progress);
        let report = Report::build(&records, &result, model);
        Deduped {
            // blocking recall reads the pairs, not the rows
            rows: std::mem::take(&mut result.rows),
            report,
            records,
            result,
        }
    }

    /// The HTML page of a report (the JSON is the report serialised).
    pub fn report_html(report: &Report) -> String {
        crate::dedupe::render_html(report)
    }

    /// Groups cases with the engine's model.
    pub fn dedupe(
        &self,
        cases: Vec<Case>,
        opts: &DedupeOptions,
        progress: &(dyn Fn(Stage, u64, u64) + Sync),
    ) -> Deduped {
        use rayon::prelude::*;
        let records = cases.into_par_iter().map(DedupeRecord::new).collect();
        Self::dedupe_with(&self.model, records, opts, progress)
    }
}

/// The stages of batch dedupe one at a time, for a job that runs them on many machines (the
/// Spark job): each computes what [`Engine::dedupe_with`] computes over the whole batch.
impl Engine {
    /// A record's narrative weighted by the batch's document frequencies: `df(bigram key)`
    /// records of `docs` hold each bigram.
    pub fn batch_signature(
        record: &DedupeRecord,
        df: impl Fn(u32) -> u64,
        docs: u64,
    ) -> TextSignature {
        record.text.signature(|h| idf(df(h), docs))
    }

    /// A candidate pair's two edge scores, person and matter: log2 odds less the model's
    /// thresholds, in f32 as clustering reads them.
    pub fn score_pair(
        model: &Model,
        a: (&DedupeRecord, &TextSignature),
        b: (&DedupeRecord, &TextSignature),
    ) -> (f32, f32) {
        let s = model.score(&compare(&a.0.prepared(a.1), &b.0.prepared(b.1)));
        (
            s.person as f32 - model.person_threshold as f32,
            s.matter as f32 - model.matter_threshold as f32,
        )
    }

    /// Clusters one connected component of the positive matter-edge graph: matter groups
    /// by average linkage with `matter_slack` over every scored pair (`a`, `b`, person
    /// edge, matter edge; nodes `0..n`), then duplicate groups inside each matter group.
    /// Returns per node its matter and its duplicate cluster as the index of one member.
    pub fn cluster_component(
        n: usize,
        edges: &[(u32, u32, f32, f32)],
        matter_slack: f32,
    ) -> (Vec<u32>, Vec<u32>) {
        let pairs: Vec<ScoredPair> = edges
            .iter()
            .map(|&(a, b, person, matter)| ScoredPair {
                a,
                b,
                person,
                matter,
            })
            .collect();
        crate::dedupe::nested_groups(
            n,
            &pairs,
            (0.0, 0.0),
            matter_slack,
            Constraints::default(),
            &|| {},
        )
    }
}
