//! The one index writer, owned by one thread, with group commit: writes are applied to the
//! index writer as they arrive, gathered for at most the commit interval (or until a group
//! is full), made durable together, and only then acknowledged — an acknowledged write is
//! on disk. For an index on disk, durable means synced to the writer's log (`wal.rs`) and
//! the index is committed every index interval (reads see writes then); in memory, each
//! group is an index commit. A failed commit or sync is retried (an index commit on a fresh
//! index writer with the writes applied again); when the retries are spent the writer fails
//! loudly: readiness turns false, the waiting writes and every later one answer 503, and
//! nothing is acknowledged that was not durable.

use super::error::ApiError;
use super::wal::Wal;
use crate::engine::Engine;
use crate::engine::{CaseWriter, StoredCase, Upsert};
use crate::error::{Error, Result};
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
    /// How often an index on disk is committed (writes are durable in the log before).
    pub index_interval: Duration,
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
            index_interval: Duration::from_millis(1000),
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
    log_syncs: AtomicU64,
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

    pub fn log_syncs(&self) -> u64 {
        self.log_syncs.load(Ordering::Relaxed)
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
    engine: &'a Engine,
    writer: Option<CaseWriter<'a>>,
    batch: Vec<Pending>,
    batch_cases: usize,
    /// when the oldest pending write must be committed
    deadline: Option<Instant>,
    /// the log, for an index on disk
    wal: Option<Wal>,
    /// durable in the log, not yet in an index commit (applied again on a fresh writer)
    unindexed: Vec<StoredCase>,
    /// when the oldest unindexed write must be committed to the index
    index_deadline: Option<Instant>,
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
        let mut writer = self.engine.writer()?;
        for c in &self.unindexed {
            writer.upsert(c)?;
        }
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

    /// Retries `step` with backoff; `reopen` between index commit attempts.
    fn retry(&mut self, what: &str, reopen: bool, step: fn(&mut Self) -> Result<()>) -> Result<()> {
        let mut attempt = 0;
        loop {
            match step(self) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    self.health.commit_failures.fetch_add(1, Ordering::Relaxed);
                    if attempt >= self.options.retries {
                        return Err(e);
                    }
                    tracing::warn!(
                        "{what} failed (attempt {} of {}): {e}; retrying",
                        attempt + 1,
                        self.options.retries + 1
                    );
                    std::thread::sleep(self.options.backoff * 2u32.saturating_pow(attempt));
                    attempt += 1;
                    if reopen && let Err(e) = self.reopen() {
                        tracing::warn!("cannot reopen the index writer: {e}");
                    }
                }
            }
        }
    }

    fn fail_loudly(&mut self, what: &str, e: Error) {
        let reason = format!(
            "{what} failed {} times, last: {e}; writes are refused until restart",
            self.options.retries + 1
        );
        tracing::error!("{reason}");
        self.health.fail(reason);
        self.refuse_batch();
    }

    fn sync_log(&mut self) -> Result<()> {
        if self.health.injected_failure() {
            return Err(Error::Invalid("injected commit failure".into()));
        }
        let Some(wal) = self.wal.as_mut() else {
            return Ok(());
        };
        let path = wal.path().to_path_buf();
        wal.append(self.batch.iter().flat_map(|p| p.cases.iter()))
            .map_err(|e| Error::io(path, e))
    }

    /// Makes the group durable (retrying), then answers every write in it.
    fn commit(&mut self) {
        self.deadline = None;
        if self.health.failure().is_some() {
            return self.refuse_batch();
        }
        if self.batch.is_empty() {
            return;
        }
        if self.wal.is_none() {
            return self.commit_index();
        }
        if let Err(e) = self.retry("syncing the write log", false, Self::sync_log) {
            return self.fail_loudly("syncing the write log", e);
        }
        self.health.log_syncs.fetch_add(1, Ordering::Relaxed);
        self.batch_cases = 0;
        for p in self.batch.drain(..) {
            self.unindexed.extend(p.cases);
            let _ = p.reply.send(Ok(p.results));
        }
        self.index_deadline
            .get_or_insert_with(|| Instant::now() + self.options.index_interval);
    }

    /// Commits the index (retrying): the group and what the log holds; empties the log.
    fn commit_index(&mut self) {
        self.index_deadline = None;
        if self.health.failure().is_some() {
            return self.refuse_batch();
        }
        if let Err(e) = self.retry("the index commit", true, Self::try_commit) {
            return self.fail_loudly("the index commit", e);
        }
        self.health.commits.fetch_add(1, Ordering::Relaxed);
        let ids: Vec<String> = self
            .unindexed
            .iter()
            .chain(self.batch.iter().flat_map(|p| p.cases.iter()))
            .map(|c| c.case.id.clone())
            .collect();
        (self.on_commit)(&ids);
        self.unindexed.clear();
        if let Some(wal) = self.wal.as_mut()
            && let Err(e) = wal.reset()
        {
            // the log only grows; replaying it again is harmless
            tracing::warn!("cannot empty the write log: {e}");
        }
        self.batch_cases = 0;
        for p in self.batch.drain(..) {
            let _ = p.reply.send(Ok(p.results));
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
            let next = match (self.deadline, self.index_deadline) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let received = match next {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
            };
            match received {
                Ok(Command::Upsert(cases, reply)) => self.apply(cases, reply),
                Ok(Command::Commit(reply)) => {
                    self.commit();
                    self.commit_index();
                    let _ = reply.send(match self.health.failure() {
                        Some(reason) => Err(WriteError::Unavailable(reason)),
                        None => Ok(()),
                    });
                }
                Err(RecvTimeoutError::Timeout) => {
                    let now = Instant::now();
                    if self.deadline.is_some_and(|d| d <= now) {
                        self.commit();
                    }
                    if self.index_deadline.is_some_and(|d| d <= now) {
                        self.commit_index();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.commit();
                    self.commit_index();
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

/// The index writer and, for an index on disk, its log, after replaying what the log held.
fn open_writer(engine: &Engine) -> Result<(CaseWriter<'_>, Option<Wal>)> {
    let mut writer = engine.writer()?;
    let Some(dir) = engine.index_dir() else {
        return Ok((writer, None));
    };
    let (mut wal, pending) = Wal::open(dir).map_err(|e| Error::io(dir, e))?;
    if !pending.is_empty() {
        for c in &pending {
            writer.upsert(c)?;
        }
        writer.commit()?;
        wal.reset()
            .map_err(|e| Error::io(wal.path().to_path_buf(), e))?;
        tracing::info!(
            "replayed {} acknowledged writes from the write log",
            pending.len()
        );
    }
    Ok((writer, Some(wal)))
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
            let opened = open_writer(&engine);
            let (writer, wal) = match opened {
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
                engine: &engine,
                writer: Some(writer),
                batch: Vec::new(),
                batch_cases: 0,
                deadline: None,
                wal,
                unindexed: Vec::new(),
                index_deadline: None,
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
