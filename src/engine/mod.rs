//! The one door the entry points (CLI, server, bindings, batch jobs) go through: open an
//! index, read records, ingest, write, search, show, check, compare two records, dedupe a
//! batch, fit and store the scoring model, look up places, generate synthetic cases.
//! Each piece is a thin wrapper over the module that does the work; the types an entry point
//! handles are re-exported here (and from the crate root), so no entry point imports
//! `index`, `matching`, `analysis`, `source`, `dedupe` or `synth` itself.

mod compare;
mod dedupe;
mod fit;
mod history;
mod person;
mod places;
mod records;
mod search;
mod ticket;

pub use compare::PairScore;
pub use dedupe::{Deduped, PairRecall};
pub use fit::{BlockingRecall, Fitted, Truth};
pub use history::{History, HistoryRecord, Relation};
pub use person::{Actor, KeyMatch, MatterHistory, PersonCase, PersonHistory, PersonLookup};
pub use places::{Division, Places};
pub use records::{
    BadRecord, ColumnMap, FIELD_NAMES, Format, Preview, ReadOptions, RecordSource, TextEncoding,
};
pub use ticket::TicketFields;

pub use crate::analysis::{Profile, mask_middle};
pub use crate::dedupe::{
    BlockingConfig, BlockingStats, DedupeOptions, DedupeRecord, GroupRow, ManualLinks,
    PreviousGroups, Report, Stage,
};
pub use crate::index::{
    AuditEntry, AuditOutcome, AuditReport, Bucket, CaseWriter, CountyCount, FacetValue, Highlight,
    Histogram, KeyKind, MatchLevel, Ranking, SearchFacets, SearchHit, SearchRequest, SearchResults,
    StoredCase, Upsert,
};
pub use crate::matching::{
    CheckOptions, CheckResult, DEFAULT_MATTER_MERGE_SLACK, Evidence, FieldEvidence, Match, Model,
    Routing, TextSignature,
};
pub use crate::synth::{Generator, GeneratorConfig, Profile as SynthProfile, SynthRecord};

use crate::error::Result;
use crate::index::CaseIndex;
use crate::matching::check_profile;
use crate::model::Case;
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

    /// Cases in the index (committed).
    pub fn num_cases(&self) -> u64 {
        self.index.num_cases()
    }

    /// The index directory; `None` for an index in memory.
    pub fn index_dir(&self) -> Option<&Path> {
        self.index.path()
    }

    /// A batched writer over the index (one at a time: tantivy holds a lock while it lives).
    /// The server's writer thread holds it for its lifetime.
    pub fn writer(&self) -> Result<CaseWriter<'_>> {
        self.index.writer()
    }

    /// The stored form of a case: the case with its normalised profile (names, ID numbers,
    /// phones, places, text), computed once.
    pub fn normalise(case: Case) -> StoredCase {
        StoredCase {
            profile: Profile::of(&case),
            case,
        }
    }

    /// The normalised profile of a case, without storing it.
    pub fn profile(case: &Case) -> Profile {
        Profile::of(case)
    }

    /// The check options in force.
    pub fn check_options(&self) -> &CheckOptions {
        &self.check
    }

    /// Replaces the scoring model (e.g. one loaded with `Model::load`).
    pub fn with_model(mut self, model: Model) -> Engine {
        self.model = model;
        self
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Replaces the model's two thresholds (log2 odds), keeping its weights.
    pub fn with_thresholds(mut self, person: Option<f64>, matter: Option<f64>) -> Engine {
        if let Some(t) = person {
            self.model.person_threshold = t;
        }
        if let Some(t) = matter {
            self.model.matter_threshold = t;
        }
        self
    }

    /// Reads a model file (TOML written by `casematch fit`); its rules are enforced on load.
    pub fn load_model(path: &Path) -> Result<Model> {
        Model::load(path)
    }

    /// The model bundled with the crate.
    pub fn bundled_model() -> Result<Model> {
        Model::bundled()
    }

    /// Writes a model file (TOML).
    pub fn save_model(model: &Model, path: &Path) -> Result<()> {
        std::fs::write(path, model.to_toml()).map_err(|e| crate::error::Error::io(path, e))
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

    pub fn get(&self, id: &str) -> Result<Option<StoredCase>> {
        self.index.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Verdict;

    fn case(id: &str, name: &str, phone: &str, content: &str, at: &str) -> Case {
        crate::model::case_from_json_line(
            &serde_json::json!({
                "id": id, "name": name, "phone": phone, "location": "湖南省长沙市岳麓区",
                "content": content, "received_at": at,
            })
            .to_string(),
        )
        .unwrap()
    }

    const NOISE: &str = "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，希望有关部门依法查处。";

    #[test]
    fn a_key_shared_beyond_the_cap_keeps_the_newest_cases_whatever_the_order_on_file() {
        // 60 letters of one phone (the key's cap is 50), each about another matter, filed in
        // date order in one index and in reverse order, one commit each, in the other: the
        // check meets the same candidates, the newest
        let dated: Vec<Case> = (0..60)
            .map(|i| {
                let day = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
                    + chrono::Duration::days(i * 20);
                case(
                    &format!("L{i:02}"),
                    "张伟",
                    "13912345678",
                    &format!("第{i}号事项：小区{i}栋的问题至今没有解决。"),
                    &day.format("%Y-%m-%d").to_string(),
                )
            })
            .collect();
        let in_order = Engine::in_memory().unwrap();
        in_order.add(&dated).unwrap();
        let reversed = Engine::in_memory().unwrap();
        for c in dated.iter().rev() {
            reversed.add(std::slice::from_ref(c)).unwrap();
        }
        let query = case("Q", "张伟", "13912345678", NOISE, "2023-06-01");
        let ids = |e: &Engine| -> Vec<String> {
            let r = e.check(&query).unwrap();
            r.matches.iter().map(|m| m.id.clone()).collect()
        };
        let (a, b) = (ids(&in_order), ids(&reversed));
        assert_eq!(a, b);
        assert!(a.contains(&"L59".to_string()), "{a:?}");
    }

    #[test]
    fn compare_scores_a_pair_with_its_evidence() {
        let engine = Engine::in_memory().unwrap();
        let a = case("A", "张伟", "13912345678", NOISE, "2024-03-01");
        let b = case("B", "张伟", "13912345678", NOISE, "2024-03-05");
        let c = case(
            "C",
            "李娜",
            "13800000000",
            "小区路灯坏了很久没人修，晚上出行很不方便。",
            "2024-03-05",
        );
        let same = engine.compare(&a, &b);
        assert_eq!(same.verdict, Verdict::Duplicate);
        assert!(same.person_score > 0.0 && same.matter_score > 0.0);
        assert!(
            same.evidence
                .iter()
                .any(|e| e.field == "name_phone" && e.person > 0.0)
        );
        let other = engine.compare(&a, &c);
        assert_eq!(other.verdict, Verdict::New);
    }

    #[test]
    fn dedupe_groups_an_in_memory_batch_and_keeps_previous_ids() {
        let engine = Engine::in_memory().unwrap();
        let cases = vec![
            case("A", "张伟", "13912345678", NOISE, "2024-03-01"),
            case("B", "张伟", "13912345678", NOISE, "2024-03-05"),
            case(
                "C",
                "李娜",
                "13800000000",
                "小区路灯坏了很久没人修，晚上出行很不方便。",
                "2024-03-05",
            ),
        ];
        let run = engine.dedupe(cases.clone(), &DedupeOptions::default(), &|_, _, _| {});
        let group = |d: &Deduped, id: &str| {
            d.rows
                .iter()
                .find(|r| r.id == id)
                .unwrap()
                .duplicate_group
                .clone()
        };
        assert_eq!(group(&run, "A"), group(&run, "B"));
        assert_ne!(group(&run, "A"), group(&run, "C"));
        assert_eq!(run.report.records, 3);
        let mut previous = PreviousGroups::default();
        previous
            .by_record
            .insert("A".into(), ("D-OLD".into(), "M-OLD".into()));
        let again = engine.dedupe(
            cases,
            &DedupeOptions {
                previous,
                ..DedupeOptions::default()
            },
            &|_, _, _| {},
        );
        assert_eq!(group(&again, "B"), "D-OLD");
    }
}
