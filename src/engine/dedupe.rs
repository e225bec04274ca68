//! Batch dedupe of records in memory: duplicate and matter groups, with progress and the
//! report.

use super::Engine;
use crate::dedupe::{DedupeOptions, DedupeRecord, DedupeResult, GroupRow, Report, Stage};
use crate::matching::Model;
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
