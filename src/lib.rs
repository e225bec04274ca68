//! casematch: a full-text index of Chinese complaint and petition cases (信访, 12345 hotline)
//! that tells, when a submission arrives, whether it repeats a case already on file.
//!
//! Dependencies run one way: `model ← analysis ← index ← matching ← engine`.
//! The outside world calls [`Engine`] (see ARCHITECTURE.md, "Engine API"): the entry points
//! (`cli/`, `server/`) import the engine and the `model` types, never the modules below.
//!
//! Features (both on by default): `server`, the HTTP API (axum, tokio, tower-http), and `cli`,
//! the `casematch` command (clap). `--no-default-features` builds the engine alone.

#![recursion_limit = "512"]

pub mod analysis;
pub mod dedupe;
pub mod engine;
pub mod error;
pub mod index;
pub mod matching;
pub mod model;
#[cfg(feature = "server")]
pub mod server;
pub mod source;
pub mod synth;

pub use engine::{
    BadRecord, CheckOptions, CheckResult, ColumnMap, DedupeOptions, Deduped, Engine, Format,
    GroupRow, IngestEvent, IngestOptions, IngestStats, ManualLinks, Model, PairScore,
    PreviousGroups, ReadOptions, Report, SearchRequest, SearchResults, Stage, StoredCase,
    TextEncoding, Upsert,
};
pub use error::{Error, Result};
pub use model::{Case, Verdict};
