//! The writer's log: each group of writes is appended as NDJSON and synced to disk before
//! it is acknowledged, so the index itself can be committed seldom (a tantivy commit costs
//! tens of milliseconds, a log sync one or two). At start the log is replayed into the index
//! (replaying upserts, so twice is harmless) and it is emptied after each index commit.

use crate::engine::StoredCase;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// File name of the log inside the index directory (tantivy leaves unknown files alone).
pub const WAL_FILE: &str = "casematch-writes.wal";

pub struct Wal {
    file: File,
    path: PathBuf,
    /// bytes known to be complete and synced
    len: u64,
}

impl Wal {
    /// Opens (or creates) the log in `dir` and returns the writes it holds. A torn last line
    /// (a crash mid-append, never acknowledged) is skipped.
    pub fn open(dir: &Path) -> std::io::Result<(Wal, Vec<StoredCase>)> {
        let path = dir.join(WAL_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            // appends land at the end even after the log was cut back
            .append(true)
            .open(&path)?;
        let mut pending = Vec::new();
        for line in BufReader::new(&file).lines() {
            let line = line?;
            if let Ok(stored) = serde_json::from_str::<StoredCase>(&line) {
                pending.push(stored);
            }
        }
        let len = file.metadata()?.len();
        Ok((Wal { file, path, len }, pending))
    }

    /// Appends the cases and syncs; on failure the log is cut back to its last good length.
    pub fn append<'a>(
        &mut self,
        cases: impl Iterator<Item = &'a StoredCase>,
    ) -> std::io::Result<()> {
        let mut buf = Vec::new();
        for c in cases {
            serde_json::to_writer(&mut buf, c)?;
            buf.push(b'\n');
        }
        let result = self
            .file
            .write_all(&buf)
            .and_then(|()| self.file.sync_data());
        match result {
            Ok(()) => {
                self.len += buf.len() as u64;
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.len);
                Err(e)
            }
        }
    }

    /// Empties the log once the index holds everything in it.
    pub fn reset(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.sync_all()?;
        self.len = 0;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::model::case_from_json_line;

    fn stored(id: &str) -> StoredCase {
        let case =
            case_from_json_line(&format!("{{\"id\":\"{id}\",\"content\":\"路灯坏了\"}}")).unwrap();
        Engine::normalise(case)
    }

    #[test]
    fn the_log_replays_whole_lines_and_empties_after_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, pending) = Wal::open(dir.path()).unwrap();
        assert!(pending.is_empty());
        wal.append([stored("A"), stored("B")].iter()).unwrap();
        drop(wal);
        // a crash mid-append leaves a torn line, which was never acknowledged
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.path().join(WAL_FILE))
            .unwrap();
        f.write_all(b"{\"case\":{\"id\":\"C\"").unwrap();
        drop(f);
        let (mut wal, pending) = Wal::open(dir.path()).unwrap();
        let ids: Vec<&str> = pending.iter().map(|s| s.case.id.as_str()).collect();
        assert_eq!(ids, ["A", "B"]);
        wal.reset().unwrap();
        wal.append([stored("D")].iter()).unwrap();
        let (_, pending) = Wal::open(dir.path()).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].case.id, "D");
    }
}
