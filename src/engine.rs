//! The façade the outside world calls: open an index, ingest, search, show, check.

use crate::analysis::Profile;
use crate::error::Result;
use crate::index::{CaseIndex, SearchRequest, SearchResults, StoredCase, Upsert};
use crate::matching::{CheckOptions, CheckResult, Model, check_profile};
use crate::model::Case;
use crate::source::BadRecord;
use chrono::{DateTime, FixedOffset, Offset, Utc};
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;

/// Counts of an ingest run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IngestStats {
    pub read: u64,
    pub added: u64,
    pub replaced: u64,
    pub rejected: u64,
}

/// What an ingest run reports while it goes.
pub enum IngestEvent<'a> {
    Rejected(&'a BadRecord),
    Committed(&'a IngestStats),
}

/// Ingest tuning.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Cases per commit: the unit that a crash can lose.
    pub commit_every: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            commit_every: 100_000,
        }
    }
}

/// Records normalised in parallel per chunk, then written in order.
const CHUNK: usize = 2048;

/// The current time in China time (UTC+8), the zone the platforms record in.
pub fn now_in_china() -> DateTime<FixedOffset> {
    let cst = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix());
    Utc::now().with_timezone(&cst)
}

pub struct Engine {
    index: CaseIndex,
    model: Model,
    check: CheckOptions,
}

impl Engine {
    /// Opens (or creates) the index in `dir`.
    pub fn open(dir: &Path) -> Result<Engine> {
        Self::with_index(CaseIndex::open(dir)?)
    }

    /// An engine over an index in memory.
    pub fn in_memory() -> Result<Engine> {
        Self::with_index(CaseIndex::in_memory()?)
    }

    fn with_index(index: CaseIndex) -> Result<Engine> {
        Ok(Engine {
            index,
            model: Model::bundled()?,
            check: CheckOptions::default(),
        })
    }

    pub fn index(&self) -> &CaseIndex {
        &self.index
    }

    /// Replaces the scoring model (e.g. one loaded with `Model::load`).
    pub fn with_model(mut self, model: Model) -> Engine {
        self.model = model;
        self
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn set_check_options(&mut self, opts: CheckOptions) {
        self.check = opts;
    }

    /// Checks a submission against the cases on file; one without `received_at` is taken
    /// as received now.
    pub fn check(&self, case: &Case) -> Result<CheckResult> {
        self.check_at(case, now_in_china())
    }

    /// Checks a submission; time gaps are measured from `now` when it has no `received_at`
    /// (the desk's request time, or `casematch check --now`).
    pub fn check_at(&self, case: &Case, now: DateTime<FixedOffset>) -> Result<CheckResult> {
        let profile = Profile::of(case);
        if case.received_at.is_some() {
            return check_profile(&self.index, &self.model, case, &profile, &self.check);
        }
        let dated = Case {
            received_at: Some(now),
            ..case.clone()
        };
        check_profile(&self.index, &self.model, &dated, &profile, &self.check)
    }

    /// Loads records, replacing cases whose id is known. Bad records are reported through
    /// `on_event` and counted; an I/O error stops the run after committing what was read.
    pub fn ingest<I>(
        &self,
        records: I,
        opts: &IngestOptions,
        mut on_event: impl FnMut(IngestEvent<'_>),
    ) -> Result<IngestStats>
    where
        I: Iterator<Item = Result<std::result::Result<Case, BadRecord>>>,
    {
        let mut writer = self.index.writer()?;
        let mut stats = IngestStats::default();
        let mut chunk: Vec<Case> = Vec::with_capacity(CHUNK);
        let mut failure = None;
        let mut records = records.peekable();
        while records.peek().is_some() {
            chunk.clear();
            for item in records.by_ref() {
                match item {
                    Ok(Ok(case)) => chunk.push(case),
                    Ok(Err(bad)) => {
                        stats.read += 1;
                        stats.rejected += 1;
                        on_event(IngestEvent::Rejected(&bad));
                    }
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
                if chunk.len() >= CHUNK {
                    break;
                }
            }
            let stored: Vec<StoredCase> = std::mem::take(&mut chunk)
                .into_par_iter()
                .map(|case| StoredCase {
                    profile: Profile::of(&case),
                    case,
                })
                .collect();
            for s in &stored {
                stats.read += 1;
                match writer.upsert(s)? {
                    Upsert::Added => stats.added += 1,
                    Upsert::Replaced => stats.replaced += 1,
                }
            }
            if writer.uncommitted() >= opts.commit_every {
                writer.commit()?;
                on_event(IngestEvent::Committed(&stats));
            }
            if failure.is_some() {
                break;
            }
        }
        writer.finish()?;
        on_event(IngestEvent::Committed(&stats));
        match failure {
            Some(e) => Err(e),
            None => Ok(stats),
        }
    }

    /// Normalises and writes single cases (intake), committing at the end.
    pub fn add(&self, cases: &[Case]) -> Result<Vec<Upsert>> {
        let mut writer = self.index.writer()?;
        let mut out = Vec::with_capacity(cases.len());
        for case in cases {
            let stored = StoredCase {
                profile: Profile::of(case),
                case: case.clone(),
            };
            out.push(writer.upsert(&stored)?);
        }
        writer.commit()?;
        Ok(out)
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.index.search(request)
    }

    pub fn get(&self, id: &str) -> Result<Option<StoredCase>> {
        self.index.get(id)
    }

    /// Cases whose narratives resemble the case `id`, best first; `None` if `id` is unknown.
    pub fn similar(&self, id: &str, limit: usize) -> Result<Option<Vec<(StoredCase, f32)>>> {
        let Some(stored) = self.index.get(id)? else {
            return Ok(None);
        };
        self.index.similar(&stored.profile, id, limit).map(Some)
    }
}
