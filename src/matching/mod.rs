//! Duplicate detection: comparators (one file per field kind), the scoring model, verdicts
//! with evidence, the intake check, model fitting and clustering.
//!
//! Two questions are answered separately — same person? same matter? — each as a sum of
//! per-level log-likelihood-ratio weights (Fellegi–Sunter, as Splink does).

mod account;
mod blocking;
mod category;
mod channel;
mod check;
mod cluster;
mod comparison;
mod em;
mod fit;
mod home;
mod id_number;
mod levels;
mod model;
mod name;
mod phone;
mod place;
mod recurrence;
mod text;
mod time_gap;

pub use blocking::{BlockInput, BlockingConfig, BlockingStats, candidate_pairs, key_hash};
pub use check::{CheckOptions, CheckResult, FieldEvidence, Match, Routing, check_profile};
pub use cluster::{Constraints, Edge, Linkage, cluster};
pub use comparison::{Comparison, Prepared, compare};
pub use em::{fit_unlabelled, unlabelled_pairs};
pub use fit::{
    BlockingRecall, LabelledPair, QueryPairs, Truth, fit_model, labelled_pairs, read_truth,
};
pub use levels::{Comparator, LevelName};
pub use model::{DEFAULT_MATTER_MERGE_SLACK, Evidence, Model, Scored};
pub use text::{TextSignature, bigram_hash, distinct_bigrams, idf, text_similarity};
