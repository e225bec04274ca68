//! Dedupe jobs: run in the background on uploaded records or server-side files, polled for
//! status and progress, with groups and report kept in memory when done. At most `workers`
//! jobs run at once and `queue` more wait; a panicking job ends `failed`; finished jobs are
//! forgotten after the time to live.

use crate::engine::{
    ColumnMap, DedupeOptions, Engine, Format, GroupRow, Model, ReadOptions, RecordSource, Report,
    Stage,
};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

/// Where a job is: waiting for a worker, reading its records, one of the dedupe stages, done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStage {
    Queued,
    Reading,
    Blocking,
    Scoring,
    Clustering,
    Done,
}

impl From<Stage> for JobStage {
    fn from(stage: Stage) -> JobStage {
        match stage {
            Stage::Blocking => JobStage::Blocking,
            Stage::Scoring => JobStage::Scoring,
            Stage::Clustering => JobStage::Clustering,
        }
    }
}

/// What a poll returns.
#[derive(Debug, Clone, Serialize)]
pub struct JobStatus {
    pub id: String,
    pub state: JobState,
    pub stage: JobStage,
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
    /// shared so responses serialise them without holding the job's lock
    pub rows: Arc<Vec<GroupRow>>,
    pub report: Option<Arc<Report>>,
    finished_at: Option<Instant>,
}

/// A job's input: a file uploaded in the request, or files under the dedupe directory.
pub enum JobInput {
    Upload(Upload),
    Files(Vec<(PathBuf, ColumnMap)>),
}

/// An uploaded JSONL, CSV or workbook, kept in a temporary file until its job has read it.
pub struct Upload {
    pub file: TempFile,
    /// names the upload in errors (`upload.csv`); its extension picks the CSV delimiter
    pub name: PathBuf,
    pub format: Format,
    pub map: ColumnMap,
    pub opts: ReadOptions,
}

/// A file under the temporary directory, removed when dropped.
pub struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// Writes `bytes` to a new file (never an existing one) named with `extension`.
    pub fn write(bytes: &[u8], extension: &str) -> std::io::Result<TempFile> {
        use std::io::Write;
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "casematch-upload-{}-{n}-{nanos}.{extension}",
            std::process::id()
        ));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        let temp = TempFile { path };
        file.write_all(bytes)?;
        file.sync_all()?;
        Ok(temp)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The queue is full: answer 429.
#[derive(Debug)]
pub struct QueueFull {
    pub limit: usize,
}

pub struct Jobs {
    jobs: Mutex<HashMap<String, Arc<Mutex<Job>>>>,
    next: std::sync::atomic::AtomicU64,
    /// jobs queued or running
    slots: Arc<(Mutex<Slots>, Condvar)>,
    workers: usize,
    queue: usize,
    ttl: Duration,
}

#[derive(Default)]
struct Slots {
    running: usize,
    waiting: usize,
}

/// Why a server-side file cannot be read.
#[derive(Debug)]
pub enum Confinement {
    /// the directory itself is unreadable (the server's fault)
    Directory(String),
    /// nothing by that name under the directory (404)
    Missing(String),
    /// the name leads out of the directory (400)
    Outside(String),
}

/// Resolves `relative` inside `dir`, refusing anything that escapes it.
pub fn confined(dir: &Path, relative: &str) -> Result<PathBuf, Confinement> {
    let root = dir
        .canonicalize()
        .map_err(|e| Confinement::Directory(format!("dedupe directory {}: {e}", dir.display())))?;
    let path = root
        .join(relative)
        .canonicalize()
        .map_err(|e| Confinement::Missing(format!("{relative}: {e}")))?;
    if path.starts_with(&root) {
        Ok(path)
    } else {
        Err(Confinement::Outside(format!(
            "{relative}: outside the dedupe directory"
        )))
    }
}

impl Jobs {
    pub fn new(workers: usize, queue: usize, ttl: Duration) -> Jobs {
        Jobs {
            jobs: Mutex::new(HashMap::new()),
            next: std::sync::atomic::AtomicU64::new(0),
            slots: Arc::new((Mutex::new(Slots::default()), Condvar::new())),
            workers: workers.max(1),
            queue,
            ttl,
        }
    }

    pub fn get(&self, id: &str) -> Option<Arc<Mutex<Job>>> {
        self.expire();
        self.jobs.lock().ok()?.get(id).cloned()
    }

    /// Forgets jobs finished longer ago than the time to live.
    fn expire(&self) {
        let Ok(mut jobs) = self.jobs.lock() else {
            return;
        };
        jobs.retain(|_, job| {
            job.lock()
                .map(|j| j.finished_at.is_none_or(|t| t.elapsed() < self.ttl))
                .unwrap_or(false)
        });
    }

    /// Queues a dedupe job and returns its id, or refuses when the queue is full.
    pub fn start(&self, input: JobInput, model: Model) -> Result<String, QueueFull> {
        self.start_with(move |job| run(job, input, &model))
    }

    /// Queues `work` as a job (it updates the job as it goes and marks it done).
    pub fn start_with(
        &self,
        work: impl FnOnce(&Mutex<Job>) + Send + 'static,
    ) -> Result<String, QueueFull> {
        self.expire();
        {
            let (lock, _) = &*self.slots;
            let mut slots = lock.lock().unwrap_or_else(|p| p.into_inner());
            if slots.running + slots.waiting >= self.workers + self.queue {
                return Err(QueueFull { limit: self.queue });
            }
            slots.waiting += 1;
        }
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let id = format!("job-{n}");
        let job = Arc::new(Mutex::new(Job {
            status: JobStatus {
                id: id.clone(),
                state: JobState::Queued,
                stage: JobStage::Queued,
                done: 0,
                total: 0,
                records: 0,
                rejected: 0,
                rejections: Vec::new(),
                error: None,
            },
            rows: Arc::new(Vec::new()),
            report: None,
            finished_at: None,
        }));
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(id.clone(), job.clone());
        }
        let slots = self.slots.clone();
        let workers = self.workers;
        std::thread::spawn(move || {
            let (lock, cv) = &*slots;
            {
                let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
                while s.running >= workers {
                    s = cv.wait(s).unwrap_or_else(|p| p.into_inner());
                }
                s.waiting -= 1;
                s.running += 1;
            }
            update(&job, |j| {
                j.status.state = JobState::Running;
                j.status.stage = JobStage::Reading;
            });
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&job)));
            // a panic while the job's lock was held poisons it; the state is still readable
            let mut j = job.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(payload) = outcome {
                let reason = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown cause".into());
                j.status.state = JobState::Failed;
                j.status.error = Some(format!("the job panicked: {reason}"));
            } else if j.status.state == JobState::Running {
                j.status.state = JobState::Failed;
                j.status.error = Some("the job ended without a result".into());
            }
            j.finished_at = Some(Instant::now());
            drop(j);
            lock.lock().unwrap_or_else(|p| p.into_inner()).running -= 1;
            cv.notify_all();
        });
        Ok(id)
    }
}

fn update(job: &Mutex<Job>, f: impl FnOnce(&mut Job)) {
    let mut j = job.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut j);
}

fn run(job: &Mutex<Job>, input: JobInput, model: &Model) {
    // the upload's temporary file lives until its records are read
    let mut upload_file = None;
    let sources: Result<Vec<RecordSource>, String> = match input {
        JobInput::Upload(up) => std::fs::File::open(up.file.path())
            .map_err(|e| format!("{}: {e}", up.name.display()))
            .and_then(|file| {
                upload_file = Some(up.file);
                Engine::read_from(Box::new(file), &up.name, up.format, up.map, &up.opts)
                    .map_err(|e| e.to_string())
            })
            .map(|s| vec![s]),
        JobInput::Files(files) => files
            .into_iter()
            .map(|(p, map)| {
                Engine::read_file(&p, map, &ReadOptions::default()).map_err(|e| e.to_string())
            })
            .collect(),
    };
    let mut records = Vec::new();
    let outcome = sources.and_then(|sources| {
        for source in sources {
            for item in source {
                match item.map_err(|e| e.to_string())? {
                    Ok(case) => records.push(Engine::dedupe_record(case)),
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
    drop(upload_file);
    if let Err(e) = outcome {
        update(job, |j| {
            j.status.state = JobState::Failed;
            j.status.error = Some(e);
        });
        return;
    }
    update(job, |j| j.status.records = records.len() as u64);
    let result = Engine::dedupe_with(
        model,
        records,
        &DedupeOptions::default(),
        &|stage, done, total| {
            update(job, |j| {
                j.status.stage = stage.into();
                j.status.done = done;
                j.status.total = total;
            })
        },
    );
    update(job, |j| {
        j.status.state = JobState::Done;
        j.status.stage = JobStage::Done;
        j.rows = Arc::new(result.rows);
        j.report = Some(Arc::new(result.report));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_finished(jobs: &Jobs, id: &str) -> JobStatus {
        for _ in 0..500 {
            let status = jobs.get(id).map(|j| j.lock().unwrap().status.clone());
            if let Some(s) = &status
                && !matches!(s.state, JobState::Queued | JobState::Running)
            {
                return s.clone();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("job {id} did not finish");
    }

    #[test]
    fn stages_keep_their_json_names() {
        let names: Vec<String> = [
            JobStage::Queued,
            JobStage::Reading,
            Stage::Blocking.into(),
            Stage::Scoring.into(),
            Stage::Clustering.into(),
            JobStage::Done,
        ]
        .iter()
        .map(|s| serde_json::to_string(s).unwrap())
        .collect();
        assert_eq!(
            names,
            [
                "\"queued\"",
                "\"reading\"",
                "\"blocking\"",
                "\"scoring\"",
                "\"clustering\"",
                "\"done\""
            ]
        );
    }

    #[test]
    fn a_panicking_job_fails_with_its_reason_and_frees_its_slot() {
        let jobs = Jobs::new(1, 0, Duration::from_secs(60));
        let id = jobs.start_with(|_| panic!("boom in scoring")).unwrap();
        let status = wait_finished(&jobs, &id);
        assert_eq!(status.state, JobState::Failed);
        assert!(status.error.unwrap().contains("boom in scoring"));
        let id = jobs
            .start_with(|job| update(job, |j| j.status.state = JobState::Done))
            .unwrap();
        assert_eq!(wait_finished(&jobs, &id).state, JobState::Done);
    }

    #[test]
    fn the_queue_is_bounded_and_finished_jobs_expire() {
        let jobs = Jobs::new(1, 1, Duration::from_millis(50));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let blocker = jobs
            .start_with(move |job| {
                let _ = rx.recv();
                update(job, |j| j.status.state = JobState::Done);
            })
            .unwrap();
        let queued = jobs
            .start_with(|job| update(job, |j| j.status.state = JobState::Done))
            .unwrap();
        assert!(
            jobs.start_with(|_| {}).is_err(),
            "one running, one queued: full"
        );
        assert_eq!(
            jobs.get(&queued).unwrap().lock().unwrap().status.state,
            JobState::Queued
        );
        tx.send(()).unwrap();
        wait_finished(&jobs, &blocker);
        wait_finished(&jobs, &queued);
        std::thread::sleep(Duration::from_millis(80));
        assert!(jobs.get(&blocker).is_none() && jobs.get(&queued).is_none());
    }
}
