//! `casematch fit`: estimate the scoring model from labelled cases.

use anyhow::Context;
use casematch::Engine;
use casematch::engine::IngestOptions;
use casematch::index::{CandidateQuery, StoredCase};
use casematch::matching::{fit_model, labelled_pairs, read_truth};
use casematch::source::{ColumnMap, RecordSource};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Labelled cases (JSONL)
    #[arg(long)]
    pub cases: PathBuf,
    /// Labels: id<TAB>person<TAB>matter
    #[arg(long)]
    pub truth: PathBuf,
    /// Where to write the model (TOML); standard output if absent
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let truth = read_truth(&args.truth)?;
    let engine = Engine::in_memory()?;
    let source = RecordSource::open(&args.cases, ColumnMap::default())?;
    let mut cases = Vec::new();
    let records = source.inspect(|r| {
        if let Ok(Ok(c)) = r {
            cases.push(c.clone());
        }
    });
    let stats = engine.ingest(records, &IngestOptions::default(), |_| {})?;
    let stored: Vec<StoredCase> = cases
        .into_iter()
        .map(|case| StoredCase {
            profile: casematch::analysis::Profile::of(&case),
            case,
        })
        .collect();
    let (queries, recall) =
        labelled_pairs(engine.index(), &stored, &truth, &CandidateQuery::default())?;
    let source = format!(
        "fitted by `casematch fit --cases {} --truth {}` on {} cases, {} candidate pairs",
        args.cases.display(),
        args.truth.display(),
        stats.added,
        queries.iter().map(|q| q.pairs.len()).sum::<usize>()
    );
    let model = fit_model(&queries, source);
    eprintln!(
        "blocking recall: {}/{} related pairs ({:.4}), {}/{} duplicate pairs ({:.4}); {} candidate pairs",
        recall.found_pairs,
        recall.true_pairs,
        recall.found_pairs as f64 / recall.true_pairs.max(1) as f64,
        recall.found_duplicate_pairs,
        recall.true_duplicate_pairs,
        recall.found_duplicate_pairs as f64 / recall.true_duplicate_pairs.max(1) as f64,
        recall.candidate_pairs
    );
    let text = model.to_toml();
    match &args.out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?,
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
