//! Integration tests: one binary, a module per feature.

mod check;
mod cli;
mod dedupe;
mod durability;
mod fixtures;
mod import;
mod ingest;
mod layering;
mod person;
mod properties;
mod search;
mod server;
