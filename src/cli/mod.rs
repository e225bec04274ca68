//! clap commands. Exit codes: 0 success, 1 error, 2 usage error (clap), 3 finished with
//! rejected records.

mod audit;
mod check;
mod dedupe;
mod fit;
mod generate;
mod ingest;
mod search;
mod serve;
mod show;
mod terminal;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when a run finished but rejected some records.
pub const EXIT_REJECTED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "casematch",
    version,
    about = "Index Chinese complaint and petition cases and find repeats"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
pub struct IndexArg {
    /// Index directory (created on first use)
    #[arg(long, default_value = "index", global = true)]
    pub index: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Load JSONL or CSV files into the index (a known id replaces its case)
    Ingest(ingest::Args),
    /// Full-text search with filters and highlights
    Search(search::Args),
    /// Print one case
    Show(show::Args),
    /// Print the audit log of person look-ups (and whether its chain of hashes holds)
    Audit(audit::Args),
    /// Check submissions against the index: DUPLICATE, RELATED, SAME_PERSON or NEW
    Check(check::Args),
    /// Group the records of merged exports into duplicate and matter groups, with a report
    Dedupe(dedupe::Args),
    /// Serve the HTTP API (intake check, search, cases, dedupe jobs, metrics)
    Serve(serve::Args),
    /// Fit the scoring model on labelled cases (cases.jsonl + truth.tsv)
    Fit(fit::Args),
    /// Write synthetic cases as JSONL to standard output
    Generate(generate::Args),
    /// Generate a few hundred cases, index them into ./index and run a sample search
    Demo(generate::DemoArgs),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ingest(a) => ingest::run(a),
        Command::Search(a) => search::run(a),
        Command::Show(a) => show::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Check(a) => check::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Dedupe(a) => dedupe::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Demo(a) => generate::demo(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
