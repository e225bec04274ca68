//! Dedupe jobs: run in the background on uploaded records or server-side files, polled for
//! status and progress, with groups and report kept in memory when done.

use crate::dedupe::{DedupeOptions, DedupeRecord, GroupRow, Report, Stage, dedupe};
use crate::matching::Model;
use crate::source::{ColumnMap, Format, RecordSource};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Done,
    Failed,
}

/// What a poll returns.
#[derive(Debug, Clone, Serialize)]
pub struct JobStatus {
    pub id: String,
    pub state: JobState,
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
    pub records: u64,
    pub rejected: u64,
    pub rejections: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub struct Job {
    pub status: JobStatus,
    pub rows: Vec<GroupRow>,
    pub report: Option<Report>,
}

/// A job's input: records uploaded in the request, or files under the dedupe directory.
pub enum JobInput {
    Upload(Vec<u8>),
    Files(Vec<(PathBuf, ColumnMap)>),
}

#[derive(Default)]
pub struct Jobs {
    jobs: Mutex<HashMap<String, Arc<Mutex<Job>>>>,
    next: std::sync::atomic::AtomicU64,
}

/// Resolves `relative` inside `dir`, refusing anything that escapes it.
pub fn confined(dir: &Path, relative: &str) -> Result<PathBuf, String> {
    let root = dir
        .canonicalize()
        .map_err(|e| format!("dedupe directory {}: {e}", dir.display()))?;
    let path = root
        .join(relative)
        .canonicalize()
        .map_err(|e| format!("{relative}: {e}"))?;
    if path.starts_with(&root) {
        Ok(path)
    } else {
        Err(format!("{relative}: outside the dedupe directory"))
    }
}

impl Jobs {
    pub fn get(&self, id: &str) -> Option<Arc<Mutex<Job>>> {
        self.jobs.lock().ok()?.get(id).cloned()
    }

    /// Starts a job on its own thread and returns its id.
    pub fn start(&self, input: JobInput, model: Model) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let id = format!("job-{n}");
        let job = Arc::new(Mutex::new(Job {
            status: JobStatus {
                id: id.clone(),
                state: JobState::Running,
                stage: "reading",
                done: 0,
                total: 0,
                records: 0,
                rejected: 0,
                rejections: Vec::new(),
                error: None,
            },
            rows: Vec::new(),
            report: None,
        }));
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(id.clone(), job.clone());
        }
        std::thread::spawn(move || run(&job, input, &model));
        id
    }
}

fn update(job: &Mutex<Job>, f: impl FnOnce(&mut Job)) {
    if let Ok(mut j) = job.lock() {
        f(&mut j);
    }
}

fn run(job: &Mutex<Job>, input: JobInput, model: &Model) {
    let sources: Result<Vec<RecordSource>, String> = match input {
        JobInput::Upload(bytes) => RecordSource::from_reader(
            Box::new(std::io::Cursor::new(bytes)),
            Path::new("<upload>"),
            Format::Jsonl,
            ColumnMap::default(),
        )
        .map(|s| vec![s])
        .map_err(|e| e.to_string()),
        JobInput::Files(files) => files
            .into_iter()
            .map(|(p, map)| RecordSource::open(&p, map).map_err(|e| e.to_string()))
            .collect(),
    };
    let mut records = Vec::new();
    let outcome = sources.and_then(|sources| {
        for source in sources {
            for item in source {
                match item.map_err(|e| e.to_string())? {
                    Ok(case) => records.push(DedupeRecord::new(case)),
                    Err(bad) => update(job, |j| {
                        j.status.rejected += 1;
                        if j.status.rejections.len() < 100 {
                            j.status.rejections.push(bad.to_string());
                        }
                    }),
                }
            }
        }
        Ok(())
    });
    if let Err(e) = outcome {
        update(job, |j| {
            j.status.state = JobState::Failed;
            j.status.error = Some(e);
        });
        return;
    }
    update(job, |j| j.status.records = records.len() as u64);
    let result = dedupe(
        &mut records,
        model,
        &DedupeOptions::default(),
        &|stage, done, total| {
            update(job, |j| {
                j.status.stage = match stage {
                    Stage::Blocking => "blocking",
                    Stage::Scoring => "scoring",
                    Stage::Clustering => "clustering",
                };
                j.status.done = done;
                j.status.total = total;
            })
        },
    );
    let report = Report::build(&records, &result, model);
    update(job, |j| {
        j.status.state = JobState::Done;
        j.status.stage = "done";
        j.rows = result.rows;
        j.report = Some(report);
    });
}
