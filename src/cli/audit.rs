//! `casematch audit`: the audit log of person look-ups, oldest first; exit code 1 when its
//! chain of hashes is broken (a line removed or edited).

use super::IndexArg;
use anyhow::Context;
use casematch::Engine;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// Only the newest N entries
    #[arg(long)]
    pub limit: Option<usize>,
    /// One JSON line per entry
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.index.index)
        .with_context(|| format!("opening index {}", args.index.index.display()))?;
    let report = engine.audit_report()?;
    let n = report.entries.len();
    let shown = &report.entries[n.saturating_sub(args.limit.unwrap_or(n))..];
    for e in shown {
        if args.json {
            println!("{}", serde_json::to_string(e)?);
        } else {
            println!(
                "{:>6}  {}  {:<12} {:<10} {:<4} {:<7} {:>5} cases  {}",
                e.seq,
                e.time,
                e.who,
                e.role,
                e.via,
                format!("{:?}", e.outcome).to_lowercase(),
                e.cases,
                e.kinds.join("+")
            );
        }
    }
    if report.intact {
        eprintln!("{n} entries; the chain of hashes holds");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{n} entries; the chain of hashes is BROKEN at {} (a line was removed or edited)",
            report.broken_at.as_deref().unwrap_or("?")
        );
        Ok(ExitCode::FAILURE)
    }
}
