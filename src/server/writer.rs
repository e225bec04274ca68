//! The one index writer, owned by one thread: writes are queued, acknowledged once applied
//! to the writer, and committed in batches on an interval (readers reload after each
//! commit). Shutdown commits whatever is pending, so nothing acknowledged is lost.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::index::{StoredCase, Upsert};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

enum Command {
    Upsert(Vec<StoredCase>, oneshot::Sender<Result<Vec<Upsert>>>),
    Commit(oneshot::Sender<Result<()>>),
}

/// Handle to the writer thread.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Command>,
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

/// Starts the writer thread; `on_commit` runs after each commit (cache invalidation hooks).
pub fn start(
    engine: Arc<Engine>,
    interval: Duration,
    on_commit: impl Fn() + Send + 'static,
) -> Result<(WriterHandle, WriterThread)> {
    let (tx, rx) = mpsc::channel::<Command>();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<()>>();
    let handle = std::thread::Builder::new()
        .name("index-writer".into())
        .spawn(move || -> Result<()> {
            let mut writer = match engine.index().writer() {
                Ok(w) => {
                    let _ = ready_tx.send(Ok(()));
                    w
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(Error::Invalid(e.to_string())));
                    return Err(e);
                }
            };
            let mut last_commit = Instant::now();
            loop {
                let wait = interval.saturating_sub(last_commit.elapsed());
                match rx.recv_timeout(wait) {
                    Ok(Command::Upsert(cases, reply)) => {
                        let result = cases
                            .iter()
                            .map(|c| writer.upsert(c))
                            .collect::<Result<Vec<_>>>();
                        let _ = reply.send(result);
                    }
                    Ok(Command::Commit(reply)) => {
                        let r = writer.commit();
                        on_commit();
                        last_commit = Instant::now();
                        let _ = reply.send(r);
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if writer.uncommitted() > 0 {
                            writer.commit()?;
                            on_commit();
                        }
                        last_commit = Instant::now();
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        writer.finish()?;
                        on_commit();
                        return Ok(());
                    }
                }
            }
        })
        .map_err(|e| Error::Invalid(format!("cannot start the writer thread: {e}")))?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok((
            WriterHandle { tx },
            WriterThread {
                handle: Some(handle),
            },
        )),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(Error::Invalid("the writer thread stopped".into())),
    }
}

impl WriterHandle {
    /// Queues cases; resolves once they are in the writer (committed within the interval).
    pub async fn upsert(&self, cases: Vec<StoredCase>) -> Result<Vec<Upsert>> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Upsert(cases, reply))
            .map_err(|_| Error::Invalid("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| Error::Invalid("the writer has stopped".into()))?
    }

    /// Whether the writer thread still answers.
    pub async fn ping(&self) -> Result<()> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Upsert(Vec::new(), reply))
            .map_err(|_| Error::Invalid("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| Error::Invalid("the writer has stopped".into()))?
            .map(|_| ())
    }

    /// Commits now and makes everything written searchable.
    pub async fn commit(&self) -> Result<()> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Commit(reply))
            .map_err(|_| Error::Invalid("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| Error::Invalid("the writer has stopped".into()))?
    }
}
