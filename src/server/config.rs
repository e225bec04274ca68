//! Service configuration: defaults < file (TOML) < environment (CASEMATCH_*) < flags.
//! A layer (`Config`) holds the settings it sets; `Settings::default()` holds every default,
//! and layers are overlaid on it through serde, so no field is merged by hand.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One API key as configured: a name, a role and the key itself or its SHA-256.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    pub name: String,
    /// `intake`, `supervisor` or `admin`
    pub role: String,
    /// the key in clear (hashed at load and dropped)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// hex SHA-256 of the key
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Listen address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
    /// Index directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<PathBuf>,
    /// API keys; none makes the service open (every request is treated as admin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<KeyConfig>>,
    /// Largest request body in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_limit_bytes: Option<usize>,
    /// Requests per minute per key (GCRA, bursts up to the same number); callers
    /// without a key are limited per client address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_minute: Option<u32>,
    /// Group commit window in milliseconds: the longest a write waits for the commit that
    /// acknowledges it; under sustained load the writer commits at least this often.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_interval_ms: Option<u64>,
    /// Commit before the window ends once this many cases are pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_batch_max: Option<usize>,
    /// How often an index on disk is committed, in milliseconds (writes are durable in the
    /// write log before; reads see them after).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_commit_ms: Option<u64>,
    /// Longest a request may take before it is answered 503.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout_ms: Option<u64>,
    /// Dedupe jobs run at the same time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_workers: Option<usize>,
    /// Dedupe jobs waiting for a worker; more are refused with 429.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_queue: Option<usize>,
    /// Seconds a finished dedupe job (status, groups, report) is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_ttl_secs: Option<u64>,
    /// Cases kept in the read cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_capacity: Option<u64>,
    /// Origins allowed by CORS (`*` for any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors_origins: Option<Vec<String>>,
    /// Directory from which dedupe jobs may read server-side files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedupe_dir: Option<PathBuf>,
}

/// Settings with every default applied. `Settings::default()` is the one place the defaults
/// are written; README's settings table is checked against it by a test.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
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

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            addr: "127.0.0.1:7700".into(),
            index: PathBuf::from("index"),
            keys: Vec::new(),
            body_limit_bytes: 10 * 1024 * 1024,
            rate_limit_per_minute: 1200,
            commit_interval_ms: 2,
            commit_batch_max: 1000,
            index_commit_ms: 1000,
            request_timeout_ms: 30_000,
            job_workers: 1,
            job_queue: 4,
            job_ttl_secs: 3600,
            cache_capacity: 10_000,
            cors_origins: Vec::new(),
            dedupe_dir: None,
        }
    }
}

impl Settings {
    /// The defaults overlaid by each layer in turn (file, environment, flags): a layer's
    /// value wins where it has one.
    pub fn from_layers(layers: impl IntoIterator<Item = Config>) -> Result<Settings> {
        let invalid = |e: serde_json::Error| Error::Invalid(format!("settings: {e}"));
        let mut merged = serde_json::to_value(Settings::default()).map_err(invalid)?;
        for layer in layers {
            if let (Some(into), serde_json::Value::Object(from)) = (
                merged.as_object_mut(),
                serde_json::to_value(layer).map_err(invalid)?,
            ) {
                into.extend(from);
            }
        }
        let mut s: Settings = serde_json::from_value(merged).map_err(invalid)?;
        s.commit_batch_max = s.commit_batch_max.max(1);
        s.request_timeout_ms = s.request_timeout_ms.max(1);
        s.job_workers = s.job_workers.max(1);
        Ok(s)
    }
}

/// `CASEMATCH_KEYS`: either a JSON array of `{name, role, key}` (or `sha256`) objects, or
/// `name:role:key` entries separated by commas, where a key may hold `:` (everything after
/// the second colon is the key) and writes a comma as `\,` and a backslash as `\\`.
pub fn parse_env_keys(raw: &str) -> Result<Vec<KeyConfig>> {
    let raw = raw.trim();
    if raw.starts_with('[') {
        return serde_json::from_str(raw).map_err(|e| {
            Error::Invalid(format!("CASEMATCH_KEYS is not a JSON array of keys: {e}"))
        });
    }
    let mut entries = vec![String::new()];
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ (',' | '\\')) => entries.last_mut().map_or((), |s| s.push(e)),
                _ => {
                    return Err(Error::Invalid(
                        "CASEMATCH_KEYS: `\\` escapes only `,` and `\\`".into(),
                    ));
                }
            },
            ',' => entries.push(String::new()),
            c => entries.last_mut().map_or((), |s| s.push(c)),
        }
    }
    entries
        .iter()
        .filter(|e| !e.trim().is_empty())
        .map(|entry| match entry.trim().splitn(3, ':').collect::<Vec<_>>()[..] {
            [name, role, key] if !name.is_empty() && !key.is_empty() => Ok(KeyConfig {
                name: name.to_string(),
                role: role.to_string(),
                key: Some(key.to_string()),
                sha256: None,
            }),
            _ => Err(Error::Invalid(
                "CASEMATCH_KEYS entries are name:role:key (a comma inside a key is written \\,), or give a JSON array".into(),
            )),
        })
        .collect()
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

    /// Reads `CASEMATCH_<SETTING>` variables through `get` (the process environment in
    /// production), one per setting; lists are comma-separated, `CASEMATCH_KEYS` as
    /// [`parse_env_keys`] reads it.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let defaults =
            serde_json::to_value(Settings::default()).map_err(|e| Error::Invalid(e.to_string()))?;
        let mut layer = serde_json::Map::new();
        for (name, default) in defaults.as_object().into_iter().flatten() {
            let var = format!("CASEMATCH_{}", name.to_ascii_uppercase());
            let Some(raw) = get(&var) else { continue };
            let value = match (name.as_str(), default) {
                ("keys", _) => serde_json::to_value(parse_env_keys(&raw)?)
                    .map_err(|e| Error::Invalid(e.to_string()))?,
                (_, serde_json::Value::Array(_)) => raw
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| serde_json::Value::String(s.to_string()))
                    .collect(),
                (_, serde_json::Value::Number(_)) => raw
                    .trim()
                    .parse::<u64>()
                    .map(serde_json::Value::from)
                    .map_err(|_| Error::Invalid(format!("{var}={raw:?} is not a number")))?,
                _ => serde_json::Value::String(raw),
            };
            layer.insert(name.clone(), value);
        }
        serde_json::from_value(serde_json::Value::Object(layer))
            .map_err(|e| Error::Invalid(format!("environment: {e}")))
    }

    /// The settings of this layer over the defaults.
    pub fn settings(self) -> Result<Settings> {
        Settings::from_layers([self])
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
        let s = Settings::from_layers([file, env, flags]).unwrap();
        assert_eq!(s.addr, "127.0.0.1:2");
        assert_eq!(s.cache_capacity, 7);
        assert_eq!(s.commit_interval_ms, 2);
        assert_eq!(Config::default().settings().unwrap(), Settings::default());
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
        let c = Config::from_env(|k| {
            (k == "CASEMATCH_CORS_ORIGINS").then(|| "https://a.cn, https://b.cn".to_string())
        })
        .unwrap();
        assert_eq!(c.cors_origins.unwrap(), ["https://a.cn", "https://b.cn"]);
        assert!(toml::from_str::<Config>("unknown = 1").is_err());
    }

    #[test]
    fn env_keys_may_hold_colons_and_commas() {
        let keys = parse_env_keys(r"desk:intake:a:b\,c, boss:admin:x\\y").unwrap();
        assert_eq!(keys[0].key.as_deref(), Some(r"a:b,c"));
        assert_eq!(keys[1].key.as_deref(), Some(r"x\y"));
        let keys = parse_env_keys(r#"[{"name":"desk","role":"intake","key":"p,q:r\"s"}]"#).unwrap();
        assert_eq!(keys[0].key.as_deref(), Some(r#"p,q:r"s"#));
        // an unescaped comma inside a key leaves an entry without name:role:key
        assert!(parse_env_keys("desk:intake:a,b").is_err());
        assert!(parse_env_keys("desk:intake").is_err());
        assert!(parse_env_keys(r"desk:intake:a\q").is_err());
    }

    /// The README's settings table names every setting with its variable and default.
    #[test]
    fn readme_table_matches_the_defaults() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let defaults = serde_json::to_value(Settings::default()).unwrap();
        for (name, default) in defaults.as_object().unwrap() {
            let var = format!("`CASEMATCH_{}`", name.to_ascii_uppercase());
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{name}`")) && l.contains(&var))
                .unwrap_or_else(|| panic!("README has no settings row for {name} ({var})"));
            let shown = row.trim_end_matches('|').rsplit('|').next().unwrap().trim();
            let expected = match default {
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s.clone(),
                _ => "none".to_string(),
            };
            assert!(
                shown.contains(&expected),
                "README shows {shown:?} as the default of {name}, the code {expected:?}"
            );
        }
    }
}
