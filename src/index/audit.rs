//! The audit log of person look-ups: one JSON line per look-up (time, who, role, the kinds of
//! identifier used, a keyed hash of each value — never the value — the outcome and the
//! number of cases returned), appended and synced before the answer, in `audit/` of the
//! index directory. Syncs are grouped: a look-up whose entry was written while another
//! look-up's sync ran waits for the next sync, which covers every entry written so far, so
//! concurrent look-ups share one sync and none is answered before its entry is on disk. The
//! active file is preallocated (zeros, synced once per MiB), so that a sync writes the data
//! only and not the file's size; readers skip the zero tail. Each line carries the SHA-256 of the line before it, so a removed or
//! edited line shows when the log is read. The active file is rotated at a size limit; the
//! rotated files are kept and read in order. The hash key is `CASEMATCH_AUDIT_KEY` or a
//! random key kept in `audit/audit.key` (mode 0600): the same value looked up twice hashes
//! the same, so an admin can tell that one person was looked up again, without the log
//! holding the value.

use crate::error::{Error, Result};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufRead, Write};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

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

/// The active file: written up to `end`, zeros (preallocated) up to `allocated`.
struct Active {
    file: Arc<File>,
    end: u64,
    allocated: u64,
}

enum Store {
    Dir {
        dir: PathBuf,
        active: Option<Active>,
    },
    Memory(Vec<String>),
}

struct State {
    store: Store,
    seq: u64,
    last_hash: String,
}

/// Which entries are on disk, and whether a sync is running.
#[derive(Default)]
struct Synced {
    upto: u64,
    running: bool,
}

/// The audit log of one index.
pub struct AuditLog {
    state: Mutex<State>,
    synced: Mutex<Synced>,
    sync_done: Condvar,
    key: [u8; 32],
    max_bytes: u64,
}

/// Zeros written ahead of the entries, synced with the file's new size once per chunk.
const PREALLOCATE: u64 = 1 << 20;

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
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    std::io::BufReader::new(f)
        .lines()
        .map(|l| l.map_err(|e| Error::io(path, e)))
        // the preallocated tail of the active file is zeros
        .filter(|l| !matches!(l, Ok(s) if s.trim_matches(|c: char| c == '\0' || c.is_whitespace()).is_empty()))
        .collect()
}

fn poisoned() -> Error {
    Error::Invalid("the audit log is poisoned".into())
}

/// Syncs a directory so that a file created or renamed in it stays after a crash.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Opens (or creates) the active file and finds the end of its entries: the byte after the
/// last newline before the zero tail. A torn line after it (a look-up never answered:
/// its sync had not returned) is zeroed.
fn open_active(dir: &Path) -> Result<Active> {
    let path = dir.join(ACTIVE);
    let existed = path.exists();
    let mut file = private(
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true),
    )
    .open(&path)
    .map_err(|e| Error::io(&path, e))?;
    if !existed {
        sync_dir(dir)?;
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| Error::io(&path, e))?;
    let written = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let end = bytes[..written]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    if written > end {
        (&file)
            .seek(SeekFrom::Start(end as u64))
            .and_then(|_| (&file).write_all(&vec![0u8; written - end]))
            .and_then(|_| file.sync_data())
            .map_err(|e| Error::io(&path, e))?;
    }
    Ok(Active {
        file: Arc::new(file),
        end: end as u64,
        allocated: bytes.len() as u64,
    })
}

impl Active {
    /// Writes `line` at the end, preallocating first when it would not fit; not synced.
    fn write(&mut self, line: &[u8], path: &Path) -> Result<()> {
        let mut f = &*self.file;
        let need = self.end + line.len() as u64;
        if need > self.allocated {
            let grow = (need - self.allocated).div_ceil(PREALLOCATE) * PREALLOCATE;
            f.seek(SeekFrom::Start(self.allocated))
                .and_then(|_| f.write_all(&vec![0u8; grow as usize]))
                .and_then(|_| f.sync_all())
                .map_err(|e| Error::io(path, e))?;
            self.allocated += grow;
        }
        f.seek(SeekFrom::Start(self.end))
            .and_then(|_| f.write_all(line))
            .map_err(|e| Error::io(path, e))?;
        self.end = need;
        Ok(())
    }
}

impl AuditLog {
    /// The log in `dir` (created on first use); the sequence and chain go on from its end.
    pub fn open(dir: &Path) -> Result<AuditLog> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let key = load_key(dir)?;
        let active = open_active(dir)?;
        let (mut seq, mut last_hash) = (0, String::new());
        for file in files(dir)?.iter().rev() {
            if let Some(line) = lines_of(file)?.pop() {
                let e: AuditEntry = serde_json::from_str(&line).map_err(|e| {
                    Error::Invalid(format!("{}: last line unreadable: {e}", file.display()))
                })?;
                seq = e.seq;
                last_hash = sha256_hex(line.as_bytes());
                break;
            }
        }
        Ok(AuditLog {
            state: Mutex::new(State {
                store: Store::Dir {
                    dir: dir.to_path_buf(),
                    active: Some(active),
                },
                seq,
                last_hash,
            }),
            synced: Mutex::new(Synced {
                upto: seq,
                running: false,
            }),
            sync_done: Condvar::new(),
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
            synced: Mutex::new(Synced::default()),
            sync_done: Condvar::new(),
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

    /// Appends one entry and returns once it is on disk (its own sync, or one that another
    /// look-up ran after the entry was written).
    pub fn append(&self, r: &AuditRecord<'_>) -> Result<AuditEntry> {
        let entry = self.write(r)?;
        self.wait_synced(entry.seq)?;
        Ok(entry)
    }

    /// Writes the entry (not yet synced): the chain and sequence advance under the lock.
    fn write(&self, r: &AuditRecord<'_>) -> Result<AuditEntry> {
        let mut kinds: Vec<String> = r.values.iter().map(|(k, _)| k.to_string()).collect();
        kinds.dedup();
        let hashes = r
            .values
            .iter()
            .map(|(k, v)| format!("{k}:{}", self.hash(k, v)))
            .collect();
        let mut state = self.state.lock().map_err(|_| poisoned())?;
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
            Store::Dir { dir, active } => {
                let path = dir.join(ACTIVE);
                if let Some(a) = active.as_ref()
                    && a.end >= self.max_bytes
                {
                    // the rotated file keeps its entries only, synced, under its first seq
                    let rotated = dir.join(format!("audit-{:012}.jsonl", entry.seq));
                    a.file
                        .set_len(a.end)
                        .and_then(|_| a.file.sync_all())
                        .map_err(|e| Error::io(&path, e))?;
                    std::fs::rename(&path, &rotated).map_err(|e| Error::io(&rotated, e))?;
                    *active = None;
                }
                let a = match active {
                    Some(a) => a,
                    None => active.insert(open_active(dir)?),
                };
                a.write(format!("{line}\n").as_bytes(), &path)?;
            }
        }
        state.seq = entry.seq;
        state.last_hash = sha256_hex(line.as_bytes());
        Ok(entry)
    }

    /// Waits until entry `seq` is on disk, running the sync when none is running: one sync
    /// covers every entry written before it started.
    fn wait_synced(&self, seq: u64) -> Result<()> {
        let mut synced = self.synced.lock().map_err(|_| poisoned())?;
        loop {
            if synced.upto >= seq {
                return Ok(());
            }
            if synced.running {
                synced = self.sync_done.wait(synced).map_err(|_| poisoned())?;
                continue;
            }
            synced.running = true;
            drop(synced);
            let done = self.sync_now();
            synced = self.synced.lock().map_err(|_| poisoned())?;
            synced.running = false;
            if let Ok(upto) = done {
                synced.upto = synced.upto.max(upto);
            }
            self.sync_done.notify_all();
            done?;
        }
    }

    /// Syncs the active file; returns the last entry the sync covers.
    fn sync_now(&self) -> Result<u64> {
        let (file, upto, path) = {
            let state = self.state.lock().map_err(|_| poisoned())?;
            match &state.store {
                Store::Dir {
                    dir,
                    active: Some(a),
                } => (a.file.clone(), state.seq, dir.join(ACTIVE)),
                // in memory, or rotated and not reopened: nothing unsynced
                _ => return Ok(state.seq),
            }
        };
        file.sync_data().map_err(|e| Error::io(&path, e))?;
        Ok(upto)
    }

    /// Every entry, oldest first, with the chain checked.
    pub fn read(&self) -> Result<AuditReport> {
        let lines: Vec<String> = {
            let state = self.state.lock().map_err(|_| poisoned())?;
            match &state.store {
                Store::Memory(lines) => lines.clone(),
                Store::Dir { dir, .. } => {
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

    #[test]
    fn concurrent_look_ups_share_syncs_and_the_chain_holds_across_rotations() {
        let dir = tempfile::tempdir().unwrap();
        let log = std::sync::Arc::new(AuditLog::open(dir.path()).unwrap().with_rotation(4000));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let log = log.clone();
                std::thread::spawn(move || {
                    (0..40)
                        .map(|n| log.append(&record(t * 100 + n)).unwrap().seq)
                        .collect::<Vec<u64>>()
                })
            })
            .collect();
        let mut seqs: Vec<u64> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=320).collect::<Vec<u64>>(), "each seq once");
        // every answered look-up was synced: nothing is waiting
        assert_eq!(log.synced.lock().unwrap().upto, 320);
        let report = log.read().unwrap();
        assert!(report.intact, "{:?}", report.broken_at);
        assert_eq!(report.entries.len(), 320);
        assert!(files(dir.path()).unwrap().len() > 2, "rotated");
        drop(report);
        drop(log);
        let log = AuditLog::open(dir.path()).unwrap();
        assert_eq!(log.append(&record(1)).unwrap().seq, 321);
        assert!(log.read().unwrap().intact);
    }

    #[test]
    fn a_torn_last_line_of_an_unanswered_look_up_is_dropped_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(dir.path()).unwrap();
        log.append(&record(1)).unwrap();
        log.append(&record(2)).unwrap();
        drop(log);
        // a crash in the middle of writing the third line
        let active = dir.path().join(ACTIVE);
        let mut bytes = std::fs::read(&active).unwrap();
        let end = bytes.iter().rposition(|&b| b == b'\n').unwrap() + 1;
        assert!(bytes[end..].iter().all(|&b| b == 0), "preallocated zeros");
        // longer than the entry that will be written over it
        let torn = format!("{{\"seq\":3,\"who\":\"{}", "x".repeat(600));
        bytes[end..end + torn.len()].copy_from_slice(torn.as_bytes());
        std::fs::write(&active, &bytes).unwrap();
        let log = AuditLog::open(dir.path()).unwrap();
        assert_eq!(log.append(&record(3)).unwrap().seq, 3);
        let report = log.read().unwrap();
        assert!(report.intact, "{:?}", report.broken_at);
        assert_eq!(
            report.entries.iter().map(|e| e.cases).collect::<Vec<_>>(),
            [1, 2, 3]
        );
    }
}
