//! Integration tests: one binary, a module per feature.

mod fixtures;
mod ingest;
mod search;
