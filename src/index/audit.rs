//! The audit log of person look-ups: one JSON line per look-up (time, who, role, the kinds of
//! identifier used, a keyed hash of each value — never the value — the outcome and the
//! number of cases returned), appended and synced before the answer, in `audit/` of the
//! index directory. Each line carries the SHA-256 of the line before it, so a removed or
//! edited line shows when the log is read. The active file is rotated at a size limit; the
//! rotated files are kept and read in order. The hash key is `CASEMATCH_AUDIT_KEY` or a
//! random key kept in `audit/audit.key` (mode 0600): the same value looked up twice hashes
//! the same, so an admin can tell that one person was looked up again, without the log
//! holding the value.

use crate::error::{Error, Result};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Whether the look-up was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Allowed,
    /// refused for the caller's role (HTTP 403)
    Denied,
}

/// One look-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, … across rotations
    pub seq: u64,
    /// RFC 3339, UTC
    pub time: String,
    /// the API key's name, or the operating-system user of a CLI look-up
    pub who: String,
    pub role: String,
    /// `http` or `cli`
    pub via: String,
    /// identifier kinds used: id_number, phone, account, name
    pub kinds: Vec<String>,
    /// `kind:hmac` per normalised value (HMAC-SHA-256 under the audit key, 128 bits, hex)
    pub hashes: Vec<String>,
    pub outcome: AuditOutcome,
    /// cases returned (0 when denied)
    pub cases: usize,
    /// SHA-256 of the previous line (hex); empty for the first
    pub prev: String,
}

/// What an admin reads: the entries and whether the chain of hashes holds.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub entries: Vec<AuditEntry>,
    /// false when a line was removed, edited or is unreadable
    pub intact: bool,
    /// the first entry (seq) whose `prev` does not match, or the line that cannot be read
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<String>,
}

/// A look-up to record.
#[derive(Debug, Clone)]
pub struct AuditRecord<'a> {
    pub who: &'a str,
    pub role: &'a str,
    pub via: &'a str,
    /// (kind, normalised value)
    pub values: Vec<(&'static str, String)>,
    pub outcome: AuditOutcome,
    pub cases: usize,
}

enum Store {
    Dir(PathBuf),
    Memory(Vec<String>),
}

struct State {
    store: Store,
    seq: u64,
    last_hash: String,
}

/// The audit log of one index.
pub struct AuditLog {
    state: Mutex<State>,
    key: [u8; 32],
    max_bytes: u64,
}

/// Size at which the active file is rotated.
pub const DEFAULT_ROTATE_BYTES: u64 = 16 * 1024 * 1024;
const ACTIVE: &str = "audit.jsonl";

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_key() -> Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key)
        .map_err(|e| Error::Invalid(format!("no randomness for the audit key: {e}")))?;
    Ok(key)
}

#[cfg(unix)]
fn private(opts: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    opts.mode(0o600)
}

#[cfg(not(unix))]
fn private(opts: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    opts
}

fn load_key(dir: &Path) -> Result<[u8; 32]> {
    if let Ok(k) = std::env::var("CASEMATCH_AUDIT_KEY")
        && !k.is_empty()
    {
        return Ok(Sha256::digest(k.as_bytes()).into());
    }
    let path = dir.join("audit.key");
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() == 32 => {
            let mut key = [0u8; 32];
            key.copy_from_slice(&bytes);
            Ok(key)
        }
        Ok(_) => Err(Error::Invalid(format!(
            "{}: the audit key must be 32 bytes",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = random_key()?;
            let mut f = private(std::fs::OpenOptions::new().write(true).create_new(true))
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            f.write_all(&key).map_err(|e| Error::io(&path, e))?;
            f.sync_all().map_err(|e| Error::io(&path, e))?;
            Ok(key)
        }
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// The log files of a directory, oldest first: rotated `audit-<seq>.jsonl`, then the active.
fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut rotated: Vec<(u64, PathBuf)> = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for e in entries {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(n) = name
            .strip_prefix("audit-")
            .and_then(|r| r.strip_suffix(".jsonl"))
            .and_then(|n| n.parse::<u64>().ok())
        {
            rotated.push((n, e.path()));
        }
    }
    rotated.sort();
    let mut out: Vec<PathBuf> = rotated.into_iter().map(|(_, p)| p).collect();
    let active = dir.join(ACTIVE);
    if active.exists() {
        out.push(active);
    }
    Ok(out)
}

fn lines_of(path: &Path) -> Result<Vec<String>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    std::io::BufReader::new(f)
        .lines()
        .map(|l| l.map_err(|e| Error::io(path, e)))
        .filter(|l| !matches!(l, Ok(s) if s.trim().is_empty()))
        .collect()
}

impl AuditLog {
    /// The log in `dir` (created on first use); the sequence and chain go on from its end.
    pub fn open(dir: &Path) -> Result<AuditLog> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let key = load_key(dir)?;
        let (mut seq, mut last_hash) = (0, String::new());
        if let Some(last_file) = files(dir)?.last()
            && let Some(line) = lines_of(last_file)?.pop()
        {
            let e: AuditEntry = serde_json::from_str(&line).map_err(|e| {
                Error::Invalid(format!(
                    "{}: last line unreadable: {e}",
                    last_file.display()
                ))
            })?;
            seq = e.seq;
            last_hash = sha256_hex(line.as_bytes());
        }
        Ok(AuditLog {
            state: Mutex::new(State {
                store: Store::Dir(dir.to_path_buf()),
                seq,
                last_hash,
            }),
            key,
            max_bytes: std::env::var("CASEMATCH_AUDIT_ROTATE_BYTES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_ROTATE_BYTES),
        })
    }

    /// A log held in memory (an index in memory).
    pub fn in_memory() -> Result<AuditLog> {
        Ok(AuditLog {
            state: Mutex::new(State {
                store: Store::Memory(Vec::new()),
                seq: 0,
                last_hash: String::new(),
            }),
            key: random_key()?,
            max_bytes: DEFAULT_ROTATE_BYTES,
        })
    }

    /// Rotates the active file once it holds `bytes` or more.
    pub fn with_rotation(mut self, bytes: u64) -> AuditLog {
        self.max_bytes = bytes.max(1);
        self
    }

    /// The keyed hash of one normalised value.
    pub fn hash(&self, kind: &str, value: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return String::new();
        };
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex(&mac.finalize().into_bytes()[..16])
    }

    /// Appends one entry and syncs it to disk before returning.
    pub fn append(&self, r: &AuditRecord<'_>) -> Result<AuditEntry> {
        let mut kinds: Vec<String> = r.values.iter().map(|(k, _)| k.to_string()).collect();
        kinds.dedup();
        let hashes = r
            .values
            .iter()
            .map(|(k, v)| format!("{k}:{}", self.hash(k, v)))
            .collect();
        let mut state = self
            .state
            .lock()
            .map_err(|_| Error::Invalid("the audit log is poisoned".into()))?;
        let entry = AuditEntry {
            seq: state.seq + 1,
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            who: r.who.to_string(),
            role: r.role.to_string(),
            via: r.via.to_string(),
            kinds,
            hashes,
            outcome: r.outcome,
            cases: r.cases,
            prev: state.last_hash.clone(),
        };
        let line = serde_json::to_string(&entry)
            .map_err(|e| Error::Invalid(format!("audit entry: {e}")))?;
        match &mut state.store {
            Store::Memory(lines) => lines.push(line.clone()),
            Store::Dir(dir) => {
                let active = dir.join(ACTIVE);
                let size = std::fs::metadata(&active).map_or(0, |m| m.len());
                if size >= self.max_bytes {
                    let rotated = dir.join(format!("audit-{:012}.jsonl", entry.seq));
                    std::fs::rename(&active, &rotated).map_err(|e| Error::io(&rotated, e))?;
                }
                let mut f = private(std::fs::OpenOptions::new().append(true).create(true))
                    .open(&active)
                    .map_err(|e| Error::io(&active, e))?;
                f.write_all(format!("{line}\n").as_bytes())
                    .and_then(|_| f.sync_data())
                    .map_err(|e| Error::io(&active, e))?;
            }
        }
        state.seq = entry.seq;
        state.last_hash = sha256_hex(line.as_bytes());
        Ok(entry)
    }

    /// Every entry, oldest first, with the chain checked.
    pub fn read(&self) -> Result<AuditReport> {
        let lines: Vec<String> = {
            let state = self
                .state
                .lock()
                .map_err(|_| Error::Invalid("the audit log is poisoned".into()))?;
            match &state.store {
                Store::Memory(lines) => lines.clone(),
                Store::Dir(dir) => {
                    let mut all = Vec::new();
                    for f in files(dir)? {
                        all.extend(lines_of(&f)?);
                    }
                    all
                }
            }
        };
        let mut report = AuditReport {
            entries: Vec::with_capacity(lines.len()),
            intact: true,
            broken_at: None,
        };
        let mut prev = String::new();
        for (i, line) in lines.iter().enumerate() {
            match serde_json::from_str::<AuditEntry>(line) {
                Ok(e) => {
                    if report.intact && e.prev != prev {
                        report.intact = false;
                        report.broken_at = Some(format!("seq {}", e.seq));
                    }
                    report.entries.push(e);
                }
                Err(_) => {
                    if report.intact {
                        report.intact = false;
                        report.broken_at = Some(format!("line {}", i + 1));
                    }
                }
            }
            prev = sha256_hex(line.as_bytes());
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cases: usize) -> AuditRecord<'static> {
        AuditRecord {
            who: "desk",
            role: "intake",
            via: "http",
            values: vec![("phone", "15708825598".into())],
            outcome: AuditOutcome::Allowed,
            cases,
        }
    }

    #[test]
    fn entries_survive_reopening_and_rotation_and_the_chain_holds() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(dir.path()).unwrap().with_rotation(300);
        for n in 0..5 {
            log.append(&record(n)).unwrap();
        }
        drop(log);
        let log = AuditLog::open(dir.path()).unwrap().with_rotation(300);
        let e = log.append(&record(9)).unwrap();
        assert_eq!(e.seq, 6);
        let report = log.read().unwrap();
        assert!(report.intact, "{report:?}");
        assert_eq!(report.entries.len(), 6);
        assert!(files(dir.path()).unwrap().len() > 1, "rotated");
        // the value is never written, its keyed hash is, the same each time
        for f in files(dir.path()).unwrap() {
            let text = std::fs::read_to_string(f).unwrap();
            assert!(!text.contains("15708825598"));
        }
        let h = &report.entries[0].hashes[0];
        assert!(report.entries.iter().all(|e| &e.hashes[0] == h));
        // editing a line breaks the chain at the next one
        let first = files(dir.path()).unwrap()[0].clone();
        let text = std::fs::read_to_string(&first).unwrap();
        let edited = text.replacen("\"cases\":0", "\"cases\":7", 1);
        assert_ne!(text, edited);
        std::fs::write(&first, edited).unwrap();
        let report = AuditLog::open(dir.path()).unwrap().read().unwrap();
        assert_eq!(report.broken_at.as_deref(), Some("seq 2"));
        assert!(!report.intact);
    }
}
