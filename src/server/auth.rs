//! API keys with roles, stored as SHA-256 and compared in constant time, the one rule for
//! the credentials a request presents, and the per-caller rate limit.

use super::config::KeyConfig;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::time::Duration;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// This caller as the audit log records a look-up made over HTTP.
    pub fn actor(&self) -> crate::engine::Actor<'_> {
        crate::engine::Actor {
            who: &self.name,
            role: self.role.as_str(),
            via: "http",
        }
    }
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

/// Why the credentials of a request were refused (answered 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// an `X-API-Key` that is no configured key
    UnknownApiKey,
    /// an `Authorization` header that is not `Bearer <configured key>`
    BadAuthorization,
}

impl Refused {
    pub fn message(&self) -> &'static str {
        match self {
            Refused::UnknownApiKey => "the X-API-Key header holds no valid API key",
            Refused::BadAuthorization => {
                "the Authorization header is not `Bearer <key>` with a valid API key"
            }
        }
    }
}

/// The one rule for credentials: a request may send `Authorization: Bearer <key>`,
/// `X-API-Key: <key>`, or both. Every credential sent must be valid, else the request is
/// refused (401), never authenticated by the other header. When both are valid, the
/// `Authorization` header wins (its key's name and role are the caller's). `Ok(None)`: no
/// credential was sent.
pub fn credentials(
    keys: &Keyring,
    authorization: Option<&[u8]>,
    api_key: Option<&[u8]>,
) -> std::result::Result<Option<Caller>, Refused> {
    let bearer = authorization
        .map(|v| {
            let v = std::str::from_utf8(v).map_err(|_| Refused::BadAuthorization)?;
            let (scheme, key) = v.trim().split_once(' ').ok_or(Refused::BadAuthorization)?;
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(Refused::BadAuthorization);
            }
            keys.authenticate(key.trim())
                .ok_or(Refused::BadAuthorization)
        })
        .transpose()?;
    let by_key = api_key
        .map(|v| {
            let v = std::str::from_utf8(v).map_err(|_| Refused::UnknownApiKey)?;
            keys.authenticate(v.trim()).ok_or(Refused::UnknownApiKey)
        })
        .transpose()?;
    Ok(bearer.or(by_key))
}

/// Per-caller request limits (GCRA from `governor`, lock-free: nothing to poison, so it
/// cannot fail open). A caller is a key's name once authenticated, else the client address,
/// so unauthenticated requests, 401s and the public routes are limited per address too.
pub struct RateLimiter {
    limiter: governor::DefaultKeyedRateLimiter<String>,
    clock: governor::clock::DefaultClock,
}

/// Callers kept before idle ones (whose buckets are full again) are dropped.
const MAX_TRACKED: usize = 10_000;

impl RateLimiter {
    /// `per_minute` requests a minute per caller, in bursts of up to the same number.
    pub fn new(per_minute: u32) -> RateLimiter {
        let n = std::num::NonZeroU32::new(per_minute.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        RateLimiter {
            limiter: governor::RateLimiter::keyed(governor::Quota::per_minute(n)),
            clock: governor::clock::DefaultClock::default(),
        }
    }

    /// Takes one request for `caller`; when the limit is reached, how long until the next
    /// is allowed.
    pub fn check(&self, caller: &str) -> std::result::Result<(), Duration> {
        use governor::clock::Clock;
        if self.limiter.len() > MAX_TRACKED {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(&caller.to_string())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Whether one more request of `caller` is allowed now (and takes it).
    pub fn allow(&self, caller: &str) -> bool {
        self.check(caller).is_ok()
    }

    /// Callers tracked (for tests: idle ones are dropped past a bound).
    pub fn tracked(&self) -> usize {
        self.limiter.len()
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
    fn any_invalid_credential_refuses_and_authorization_wins() {
        let ring = Keyring::new(&[
            key("desk", "intake", "desk-key"),
            key("boss", "admin", "boss-key"),
        ])
        .unwrap();
        let c = |a: Option<&str>, k: Option<&str>| {
            credentials(&ring, a.map(str::as_bytes), k.map(str::as_bytes))
        };
        assert_eq!(c(None, None), Ok(None));
        assert_eq!(c(None, Some("desk-key")).unwrap().unwrap().name, "desk");
        assert_eq!(
            c(Some("Bearer boss-key"), None).unwrap().unwrap().name,
            "boss"
        );
        assert_eq!(
            c(Some("bearer  boss-key "), None).unwrap().unwrap().name,
            "boss"
        );
        // both valid: Authorization wins
        assert_eq!(
            c(Some("Bearer boss-key"), Some("desk-key"))
                .unwrap()
                .unwrap()
                .name,
            "boss"
        );
        // one invalid refuses the request whatever the other holds
        assert_eq!(
            c(Some("Bearer nope"), Some("desk-key")),
            Err(Refused::BadAuthorization)
        );
        assert_eq!(
            c(Some("Bearer boss-key"), Some("nope")),
            Err(Refused::UnknownApiKey)
        );
        assert_eq!(
            c(Some("Basic Ym9zcy1rZXk="), None),
            Err(Refused::BadAuthorization)
        );
        assert_eq!(c(Some("boss-key"), None), Err(Refused::BadAuthorization));
        assert_eq!(c(Some("Bearer "), None), Err(Refused::BadAuthorization));
    }

    #[test]
    fn rate_limit_empties_the_bucket() {
        let rl = RateLimiter::new(3);
        assert!(rl.allow("a") && rl.allow("a") && rl.allow("a"));
        let wait = rl.check("a").unwrap_err();
        // 3 a minute: the next one is about 20 s away
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(rl.allow("b"));
    }
}
