//! Service configuration: defaults < file (TOML) < environment (CASEMATCH_*) < flags.
//! Every setting is an `Option` so layers merge field by field; defaults live in one place.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One API key as configured: a name, a role and the key itself or its SHA-256.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct KeyConfig {
    pub name: String,
    /// `intake`, `supervisor` or `admin`
    pub role: String,
    /// the key in clear (hashed at load and dropped)
    #[serde(default)]
    pub key: Option<String>,
    /// hex SHA-256 of the key
    #[serde(default)]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Listen address. Default `127.0.0.1:7700`.
    pub addr: Option<String>,
    /// Index directory. Default `./index`.
    pub index: Option<PathBuf>,
    /// API keys. Default none: every request is treated as admin (a warning is logged).
    pub keys: Option<Vec<KeyConfig>>,
    /// Largest request body in bytes. Default 10 MiB.
    pub body_limit_bytes: Option<usize>,
    /// Requests per minute per key (token bucket, bursts up to the same number). Default 1200.
    pub rate_limit_per_minute: Option<u32>,
    /// Group commit window in milliseconds: the longest a write waits for the commit that
    /// acknowledges it; under sustained load the writer commits at least this often. Default 2.
    pub commit_interval_ms: Option<u64>,
    /// Commit before the window ends once this many cases are pending. Default 1000.
    pub commit_batch_max: Option<usize>,
    /// How often an index on disk is committed, in milliseconds (writes are durable in the
    /// write log before; reads see them after). Default 1000.
    pub index_commit_ms: Option<u64>,
    /// Longest a request may take before it is answered 503. Default 30000.
    pub request_timeout_ms: Option<u64>,
    /// Dedupe jobs run at the same time. Default 1.
    pub job_workers: Option<usize>,
    /// Dedupe jobs waiting for a worker; more are refused with 429. Default 4.
    pub job_queue: Option<usize>,
    /// Seconds a finished dedupe job (status, groups, report) is kept. Default 3600.
    pub job_ttl_secs: Option<u64>,
    /// Cases kept in the read cache. Default 10000.
    pub cache_capacity: Option<u64>,
    /// Origins allowed by CORS (`*` for any). Default none (no CORS headers).
    pub cors_origins: Option<Vec<String>>,
    /// Directory from which dedupe jobs may read server-side files. Default none (uploads only).
    pub dedupe_dir: Option<PathBuf>,
}

/// Settings with every default applied.
#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: String,
    pub index: PathBuf,
    pub keys: Vec<KeyConfig>,
    pub body_limit_bytes: usize,
    pub rate_limit_per_minute: u32,
    pub commit_interval_ms: u64,
    pub commit_batch_max: usize,
    pub index_commit_ms: u64,
    pub request_timeout_ms: u64,
    pub job_workers: usize,
    pub job_queue: usize,
    pub job_ttl_secs: u64,
    pub cache_capacity: u64,
    pub cors_origins: Vec<String>,
    pub dedupe_dir: Option<PathBuf>,
}

impl Config {
    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        toml::from_str(&text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }

    /// Reads CASEMATCH_* variables through `get` (the process environment in production).
    /// CASEMATCH_KEYS is `name:role:key` entries separated by commas.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let parse_num = |name: &str| -> Result<Option<u64>> {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| Error::Invalid(format!("{name}={v:?} is not a number")))
                })
                .transpose()
        };
        let keys = get("CASEMATCH_KEYS")
            .map(|v| {
                v.split(',')
                    .filter(|e| !e.trim().is_empty())
                    .map(|entry| {
                        let parts: Vec<&str> = entry.trim().splitn(3, ':').collect();
                        match parts[..] {
                            [name, role, key] => Ok(KeyConfig {
                                name: name.to_string(),
                                role: role.to_string(),
                                key: Some(key.to_string()),
                                sha256: None,
                            }),
                            _ => Err(Error::Invalid(
                                "CASEMATCH_KEYS entries are name:role:key".into(),
                            )),
                        }
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?;
        Ok(Config {
            addr: get("CASEMATCH_ADDR"),
            index: get("CASEMATCH_INDEX").map(PathBuf::from),
            keys,
            body_limit_bytes: parse_num("CASEMATCH_BODY_LIMIT_BYTES")?.map(|n| n as usize),
            rate_limit_per_minute: parse_num("CASEMATCH_RATE_LIMIT_PER_MINUTE")?.map(|n| n as u32),
            commit_interval_ms: parse_num("CASEMATCH_COMMIT_INTERVAL_MS")?,
            commit_batch_max: parse_num("CASEMATCH_COMMIT_BATCH_MAX")?.map(|n| n as usize),
            index_commit_ms: parse_num("CASEMATCH_INDEX_COMMIT_MS")?,
            request_timeout_ms: parse_num("CASEMATCH_REQUEST_TIMEOUT_MS")?,
            job_workers: parse_num("CASEMATCH_JOB_WORKERS")?.map(|n| n as usize),
            job_queue: parse_num("CASEMATCH_JOB_QUEUE")?.map(|n| n as usize),
            job_ttl_secs: parse_num("CASEMATCH_JOB_TTL_SECS")?,
            cache_capacity: parse_num("CASEMATCH_CACHE_CAPACITY")?,
            cors_origins: get("CASEMATCH_CORS_ORIGINS").map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
            dedupe_dir: get("CASEMATCH_DEDUPE_DIR").map(PathBuf::from),
        })
    }

    /// `other` wins where it has a value.
    pub fn merge(self, other: Config) -> Config {
        Config {
            addr: other.addr.or(self.addr),
            index: other.index.or(self.index),
            keys: other.keys.or(self.keys),
            body_limit_bytes: other.body_limit_bytes.or(self.body_limit_bytes),
            rate_limit_per_minute: other.rate_limit_per_minute.or(self.rate_limit_per_minute),
            commit_interval_ms: other.commit_interval_ms.or(self.commit_interval_ms),
            commit_batch_max: other.commit_batch_max.or(self.commit_batch_max),
            index_commit_ms: other.index_commit_ms.or(self.index_commit_ms),
            request_timeout_ms: other.request_timeout_ms.or(self.request_timeout_ms),
            job_workers: other.job_workers.or(self.job_workers),
            job_queue: other.job_queue.or(self.job_queue),
            job_ttl_secs: other.job_ttl_secs.or(self.job_ttl_secs),
            cache_capacity: other.cache_capacity.or(self.cache_capacity),
            cors_origins: other.cors_origins.or(self.cors_origins),
            dedupe_dir: other.dedupe_dir.or(self.dedupe_dir),
        }
    }

    /// Applies the defaults.
    pub fn settings(self) -> Settings {
        Settings {
            addr: self.addr.unwrap_or_else(|| "127.0.0.1:7700".into()),
            index: self.index.unwrap_or_else(|| PathBuf::from("index")),
            keys: self.keys.unwrap_or_default(),
            body_limit_bytes: self.body_limit_bytes.unwrap_or(10 * 1024 * 1024),
            rate_limit_per_minute: self.rate_limit_per_minute.unwrap_or(1200),
            commit_interval_ms: self.commit_interval_ms.unwrap_or(2),
            commit_batch_max: self.commit_batch_max.unwrap_or(1000).max(1),
            index_commit_ms: self.index_commit_ms.unwrap_or(1000),
            request_timeout_ms: self.request_timeout_ms.unwrap_or(30_000).max(1),
            job_workers: self.job_workers.unwrap_or(1).max(1),
            job_queue: self.job_queue.unwrap_or(4),
            job_ttl_secs: self.job_ttl_secs.unwrap_or(3600),
            cache_capacity: self.cache_capacity.unwrap_or(10_000),
            cors_origins: self.cors_origins.unwrap_or_default(),
            dedupe_dir: self.dedupe_dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_win_field_by_field() {
        let file: Config = toml::from_str("addr = \"0.0.0.0:1\"\ncache_capacity = 5\n").unwrap();
        let env = Config::from_env(|k| (k == "CASEMATCH_ADDR").then(|| "127.0.0.1:2".to_string()))
            .unwrap();
        let flags = Config {
            cache_capacity: Some(7),
            ..Config::default()
        };
        let s = file.merge(env).merge(flags).settings();
        assert_eq!(s.addr, "127.0.0.1:2");
        assert_eq!(s.cache_capacity, 7);
        assert_eq!(s.commit_interval_ms, 2);
    }

    #[test]
    fn env_keys_and_bad_numbers() {
        let c = Config::from_env(|k| {
            (k == "CASEMATCH_KEYS").then(|| "desk:intake:s3cret, boss:admin:x".to_string())
        })
        .unwrap();
        let keys = c.keys.unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(
            (keys[0].name.as_str(), keys[0].role.as_str()),
            ("desk", "intake")
        );
        assert!(
            Config::from_env(|k| (k == "CASEMATCH_CACHE_CAPACITY").then(|| "lots".to_string()))
                .is_err()
        );
        assert!(toml::from_str::<Config>("unknown = 1").is_err());
    }
}
