//! Integration tests: one binary, a module per feature.

mod check;
mod fixtures;
mod ingest;
mod search;
