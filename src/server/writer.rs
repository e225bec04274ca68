//! The one index writer, owned by one thread, with group commit: writes are applied to the
//! index writer as they arrive, gathered for at most the commit interval (or until a batch
//! is full), committed, and only then acknowledged — an acknowledged write is on disk.
//! A failed commit is retried on a fresh index writer with the batch applied again; when
//! the retries are spent the writer fails loudly: readiness turns false, the waiting writes
//! and every later one answer 503, and nothing is acknowledged that was not committed.

use super::error::ApiError;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::index::{CaseIndex, CaseWriter, StoredCase, Upsert};
use axum::http::StatusCode;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Why a write was not acknowledged.
#[derive(Debug)]
pub enum WriteError {
    /// The writer cannot commit (stopped, or commits failed): a 503, retry elsewhere or later.
    Unavailable(String),
    /// The write itself failed inside the index: a 500.
    Failed(Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Unavailable(m) => write!(f, "the index writer is unavailable: {m}"),
            WriteError::Failed(e) => write!(f, "the write failed: {e}"),
        }
    }
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> ApiError {
        match e {
            WriteError::Unavailable(_) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
            }
            WriteError::Failed(_) => ApiError::internal(e.to_string()),
        }
    }
}

type Reply = oneshot::Sender<Result<Vec<Upsert>, WriteError>>;

enum Command {
    Upsert(Vec<StoredCase>, Reply),
    Commit(oneshot::Sender<Result<(), WriteError>>),
}

/// How the writer groups and retries commits.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Longest a write waits for the commit that acknowledges it (the group window).
    pub interval: Duration,
    /// Commit sooner once this many cases are pending.
    pub max_batch: usize,
    /// Attempts after a failed commit before the writer gives up.
    pub retries: u32,
    /// Pause before the first retry, doubled for each further one.
    pub backoff: Duration,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            interval: Duration::from_millis(2),
            max_batch: 1000,
            retries: 3,
            backoff: Duration::from_millis(50),
        }
    }
}

/// What the writer reports to readiness and metrics.
#[derive(Default)]
pub struct WriterHealth {
    failed: AtomicBool,
    reason: Mutex<Option<String>>,
    commits: AtomicU64,
    commit_failures: AtomicU64,
    /// test hook: the next this-many commits fail
    inject_failures: AtomicU32,
}

impl WriterHealth {
    /// Why the writer refuses writes, if it does.
    pub fn failure(&self) -> Option<String> {
        if !self.failed.load(Ordering::Acquire) {
            return None;
        }
        Some(
            self.reason
                .lock()
                .ok()
                .and_then(|r| r.clone())
                .unwrap_or_else(|| "commits failed".into()),
        )
    }

    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    pub fn commit_failures(&self) -> u64 {
        self.commit_failures.load(Ordering::Relaxed)
    }

    fn fail(&self, reason: String) {
        if let Ok(mut r) = self.reason.lock() {
            *r = Some(reason);
        }
        self.failed.store(true, Ordering::Release);
    }

    fn injected_failure(&self) -> bool {
        self.inject_failures
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// Handle to the writer thread.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Command>,
    health: Arc<WriterHealth>,
}

/// Joins the writer thread after its final commit.
pub struct WriterThread {
    handle: Option<std::thread::JoinHandle<Result<()>>>,
}

impl WriterThread {
    /// Waits for the final commit; call after every handle has been dropped.
    pub fn join(mut self) -> Result<()> {
        match self.handle.take().map(|h| h.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(Error::Invalid("the writer thread panicked".into())),
            None => Ok(()),
        }
    }
}

/// Writes applied to the index writer and waiting for their commit.
struct Pending {
    cases: Vec<StoredCase>,
    results: Vec<Upsert>,
    reply: Reply,
}

struct Worker<'a, F> {
    index: &'a CaseIndex,
    writer: Option<CaseWriter<'a>>,
    batch: Vec<Pending>,
    batch_cases: usize,
    /// when the oldest pending write must be committed
    deadline: Option<Instant>,
    options: WriterOptions,
    health: Arc<WriterHealth>,
    on_commit: F,
}

impl<'a, F: Fn(&[String])> Worker<'a, F> {
    fn apply(&mut self, cases: Vec<StoredCase>, reply: Reply) {
        if let Some(reason) = self.health.failure() {
            let _ = reply.send(Err(WriteError::Unavailable(reason)));
            return;
        }
        if cases.is_empty() {
            let _ = reply.send(Ok(Vec::new()));
            return;
        }
        let Some(writer) = self.writer.as_mut() else {
            let _ = reply.send(Err(WriteError::Unavailable("no index writer".into())));
            return;
        };
        match cases
            .iter()
            .map(|c| writer.upsert(c))
            .collect::<Result<Vec<_>>>()
        {
            Ok(results) => {
                self.batch_cases += cases.len();
                self.batch.push(Pending {
                    cases,
                    results,
                    reply,
                });
                self.deadline
                    .get_or_insert_with(|| Instant::now() + self.options.interval);
                if self.batch_cases >= self.options.max_batch {
                    self.commit();
                }
            }
            Err(e) => {
                let _ = reply.send(Err(WriteError::Failed(e)));
            }
        }
    }

    fn try_commit(&mut self) -> Result<()> {
        if self.health.injected_failure() {
            return Err(Error::Invalid("injected commit failure".into()));
        }
        match self.writer.as_mut() {
            Some(w) => w.commit(),
            None => Err(Error::Invalid("no index writer".into())),
        }
    }

    /// Drops the index writer (discarding what it holds) and applies the batch again.
    fn reopen(&mut self) -> Result<()> {
        self.writer = None;
        let mut writer = self.index.writer()?;
        for p in &mut self.batch {
            p.results = p
                .cases
                .iter()
                .map(|c| writer.upsert(c))
                .collect::<Result<Vec<_>>>()?;
        }
        self.writer = Some(writer);
        Ok(())
    }

    /// Commits the batch (retrying), then answers every write in it.
    fn commit(&mut self) {
        self.deadline = None;
        if self.health.failure().is_some() {
            return self.refuse_batch();
        }
        let mut attempt = 0;
        let outcome = loop {
            match self.try_commit() {
                Ok(()) => break Ok(()),
                Err(e) => {
                    self.health.commit_failures.fetch_add(1, Ordering::Relaxed);
                    if attempt >= self.options.retries {
                        break Err(e);
                    }
                    eprintln!(
                        "index commit failed (attempt {} of {}): {e}; retrying",
                        attempt + 1,
                        self.options.retries + 1
                    );
                    std::thread::sleep(self.options.backoff * 2u32.saturating_pow(attempt));
                    attempt += 1;
                    if let Err(e) = self.reopen() {
                        eprintln!("cannot reopen the index writer: {e}");
                    }
                }
            }
        };
        match outcome {
            Ok(()) => {
                self.health.commits.fetch_add(1, Ordering::Relaxed);
                let ids: Vec<String> = self
                    .batch
                    .iter()
                    .flat_map(|p| p.cases.iter().map(|c| c.case.id.clone()))
                    .collect();
                (self.on_commit)(&ids);
                self.batch_cases = 0;
                for p in self.batch.drain(..) {
                    let _ = p.reply.send(Ok(p.results));
                }
            }
            Err(e) => {
                let reason = format!(
                    "index commits failed {} times, last: {e}; writes are refused until restart",
                    self.options.retries + 1
                );
                eprintln!("error: {reason}");
                self.health.fail(reason);
                self.refuse_batch();
            }
        }
    }

    fn refuse_batch(&mut self) {
        let reason = self.health.failure().unwrap_or_default();
        self.batch_cases = 0;
        for p in self.batch.drain(..) {
            let _ = p.reply.send(Err(WriteError::Unavailable(reason.clone())));
        }
    }

    fn run(mut self, rx: mpsc::Receiver<Command>) -> Result<()> {
        loop {
            let received = match self.deadline {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
            };
            match received {
                Ok(Command::Upsert(cases, reply)) => self.apply(cases, reply),
                Ok(Command::Commit(reply)) => {
                    self.commit();
                    let _ = reply.send(match self.health.failure() {
                        Some(reason) => Err(WriteError::Unavailable(reason)),
                        None => Ok(()),
                    });
                }
                Err(RecvTimeoutError::Timeout) => self.commit(),
                Err(RecvTimeoutError::Disconnected) => {
                    self.commit();
                    if let Some(reason) = self.health.failure() {
                        return Err(Error::Invalid(reason));
                    }
                    if let Some(w) = self.writer.take() {
                        w.finish()?;
                    }
                    return Ok(());
                }
            }
        }
    }
}

/// Starts the writer thread; `on_commit` runs after each commit with the ids it contained.
pub fn start(
    engine: Arc<Engine>,
    options: WriterOptions,
    on_commit: impl Fn(&[String]) + Send + 'static,
) -> Result<(WriterHandle, WriterThread)> {
    let (tx, rx) = mpsc::channel::<Command>();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<()>>();
    let health = Arc::new(WriterHealth::default());
    let thread_health = health.clone();
    let handle = std::thread::Builder::new()
        .name("index-writer".into())
        .spawn(move || -> Result<()> {
            let index = engine.index();
            let writer = match index.writer() {
                Ok(w) => {
                    let _ = ready_tx.send(Ok(()));
                    w
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(Error::Invalid(e.to_string())));
                    return Err(e);
                }
            };
            let worker = Worker {
                index,
                writer: Some(writer),
                batch: Vec::new(),
                batch_cases: 0,
                deadline: None,
                options,
                health: thread_health,
                on_commit,
            };
            worker.run(rx)
        })
        .map_err(|e| Error::Invalid(format!("cannot start the writer thread: {e}")))?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok((
            WriterHandle { tx, health },
            WriterThread {
                handle: Some(handle),
            },
        )),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(Error::Invalid("the writer thread stopped".into())),
    }
}

fn stopped() -> WriteError {
    WriteError::Unavailable("the writer has stopped".into())
}

impl WriterHandle {
    /// Queues cases; resolves once the commit that contains them is on disk.
    pub async fn upsert(&self, cases: Vec<StoredCase>) -> Result<Vec<Upsert>, WriteError> {
        if let Some(reason) = self.health.failure() {
            return Err(WriteError::Unavailable(reason));
        }
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Upsert(cases, reply))
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// Whether the writer thread still answers and can commit.
    pub async fn ping(&self) -> Result<(), WriteError> {
        self.upsert(Vec::new()).await.map(|_| ())
    }

    /// Commits now whatever is pending.
    pub async fn commit(&self) -> Result<(), WriteError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Commit(reply))
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// Commit counters and failure state.
    pub fn health(&self) -> &WriterHealth {
        &self.health
    }

    /// Test hook: the next `n` commits fail as if the disk refused them.
    #[doc(hidden)]
    pub fn inject_commit_failures(&self, n: u32) {
        self.health.inject_failures.store(n, Ordering::Release);
    }
}
