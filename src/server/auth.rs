//! API keys with roles, stored as SHA-256 and compared in constant time, and a per-key rate
//! limit (token bucket).

use super::config::KeyConfig;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// What a key may do. Admin may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// check submissions and add cases
    Intake,
    /// search, read cases, run dedupe jobs
    Supervisor,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "intake" => Some(Role::Intake),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Intake => "intake",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// Whether ID numbers and phones of cases are shown in clear.
    pub fn sees_personal_data(self) -> bool {
        self == Role::Admin
    }
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

struct Entry {
    name: String,
    role: Role,
    hash: [u8; 32],
}

/// The configured keys, hashed.
pub struct Keyring {
    entries: Vec<Entry>,
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Equality that takes the same time whichever byte differs.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Keyring {
    pub fn new(keys: &[KeyConfig]) -> Result<Keyring> {
        let entries = keys
            .iter()
            .map(|k| {
                let role = Role::parse(&k.role).ok_or_else(|| {
                    Error::Invalid(format!(
                        "key {:?}: unknown role {:?} (intake, supervisor, admin)",
                        k.name, k.role
                    ))
                })?;
                let hash = match (&k.key, &k.sha256) {
                    (Some(key), _) => sha256(key.as_bytes()),
                    (None, Some(hex)) => parse_hex32(hex).ok_or_else(|| {
                        Error::Invalid(format!("key {:?}: sha256 must be 64 hex digits", k.name))
                    })?,
                    (None, None) => {
                        return Err(Error::Invalid(format!(
                            "key {:?}: give key or sha256",
                            k.name
                        )));
                    }
                };
                Ok(Entry {
                    name: k.name.clone(),
                    role,
                    hash,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Keyring { entries })
    }

    /// No keys configured: the service is open (for local demos).
    pub fn is_open(&self) -> bool {
        self.entries.is_empty()
    }

    /// The caller a presented key belongs to. Every entry is compared, match or not.
    pub fn authenticate(&self, presented: &str) -> Option<Caller> {
        let hash = sha256(presented.as_bytes());
        let mut found = None;
        for e in &self.entries {
            if constant_time_eq(&hash, &e.hash) && found.is_none() {
                found = Some(Caller {
                    name: e.name.clone(),
                    role: e.role,
                });
            }
        }
        found
    }
}

/// Token buckets per key name.
pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; false when the bucket is empty.
    pub fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        let (tokens, last) = buckets
            .entry(key.to_string())
            .or_insert((self.per_minute, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.per_minute / 60.0)
            .min(self.per_minute);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, role: &str, key: &str) -> KeyConfig {
        KeyConfig {
            name: name.into(),
            role: role.into(),
            key: Some(key.into()),
            sha256: None,
        }
    }

    #[test]
    fn keys_authenticate_by_hash() {
        let hex: String = sha256(b"boss-key")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let ring = Keyring::new(&[
            key("desk", "intake", "desk-key"),
            KeyConfig {
                name: "boss".into(),
                role: "admin".into(),
                key: None,
                sha256: Some(hex),
            },
        ])
        .unwrap();
        assert_eq!(ring.authenticate("desk-key").unwrap().role, Role::Intake);
        assert_eq!(ring.authenticate("boss-key").unwrap().name, "boss");
        assert!(ring.authenticate("desk-kez").is_none());
        assert!(Keyring::new(&[key("x", "root", "k")]).is_err());
    }

    #[test]
    fn rate_limit_empties_the_bucket() {
        let rl = RateLimiter::new(3);
        assert!(rl.allow("a") && rl.allow("a") && rl.allow("a"));
        assert!(!rl.allow("a"));
        assert!(rl.allow("b"));
    }
}
