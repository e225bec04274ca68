//! `casematch check`: is each submission a repeat of a case on file?

use super::IndexArg;
use anyhow::Context;
use casematch::engine::{CheckResult, ColumnMap, Format, ReadOptions};
use casematch::{Engine, Model};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// JSONL (or CSV) submissions; `-` or nothing reads standard input
    pub file: Option<PathBuf>,
    /// JSONL output, one line per submission (FORMAT.md task 2)
    #[arg(long)]
    pub json: bool,
    /// With --json, also print scores, evidence and the routing hint
    #[arg(long)]
    pub evidence: bool,
    /// Register each submission after its check (intake mode)
    #[arg(long)]
    pub add: bool,
    /// Scoring model (TOML written by `casematch fit`); the bundled model otherwise
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Override the model's same-person threshold (log2 odds; higher is stricter)
    #[arg(long, allow_hyphen_values = true)]
    pub person_threshold: Option<f64>,
    /// Override the model's same-matter threshold (log2 odds; higher is stricter)
    #[arg(long, allow_hyphen_values = true)]
    pub matter_threshold: Option<f64>,
    /// When a submission has no received_at, take it as received at this time (RFC 3339 or
    /// a date such as 2024-03-02); default: the current time
    #[arg(long)]
    pub now: Option<String>,
}

fn format_json(r: &CheckResult, evidence: bool) -> serde_json::Value {
    if evidence {
        return serde_json::to_value(r).unwrap_or_default();
    }
    serde_json::json!({
        "id": r.id,
        "verdict": r.verdict,
        "matches": r.matches.iter().map(|m| serde_json::json!({
            "id": m.id, "verdict": m.verdict, "score": m.score,
        })).collect::<Vec<_>>(),
    })
}

fn print_table(out: &mut impl Write, r: &CheckResult) -> std::io::Result<()> {
    writeln!(out, "{}  →  {}", r.id, r.verdict)?;
    if let Some(route) = &r.routing {
        writeln!(
            out,
            "  original case {} ({}), first handler: {}",
            route.original_id,
            route.received_at.as_deref().unwrap_or("date unknown"),
            route.handler.as_deref().unwrap_or("unknown")
        )?;
    }
    for m in r.matches.iter().take(5) {
        writeln!(
            out,
            "  {:<22} {:<11} score {:.3}  person {:+.1}  matter {:+.1}  {}",
            m.id,
            m.verdict.as_str(),
            m.score,
            m.person_score,
            m.matter_score,
            m.handler.as_deref().unwrap_or("")
        )?;
        for e in &m.evidence {
            if e.person.abs() < 0.05 && e.matter.abs() < 0.05 {
                continue;
            }
            writeln!(
                out,
                "      {:<10} {:<18} person {:+6.2}  matter {:+6.2}   {} | {}",
                e.field,
                e.level,
                e.person,
                e.matter,
                e.query.as_deref().unwrap_or("-"),
                e.candidate.as_deref().unwrap_or("-")
            )?;
        }
    }
    writeln!(out)
}

fn stdin_source() -> casematch::Result<casematch::engine::RecordSource> {
    Engine::read_from(
        Box::new(std::io::stdin()),
        Path::new("<stdin>"),
        Format::Jsonl,
        ColumnMap::default(),
        &ReadOptions::default(),
    )
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut engine = Engine::open(&args.index.index)
        .with_context(|| format!("opening index {}", args.index.index.display()))?;
    if let Some(p) = &args.model {
        engine = engine.with_model(Model::load(p)?);
    }
    let engine = engine.with_thresholds(args.person_threshold, args.matter_threshold);
    let now = match args.now.as_deref() {
        Some(s) => casematch::model::parse_datetime(s).with_context(|| {
            format!("--now: unparseable date {s:?} (try 2024-03-02 or RFC 3339)")
        })?,
        None => casematch::engine::now_in_china(),
    };
    let source = match args.file.as_deref() {
        None => stdin_source()?,
        Some(p) if p == Path::new("-") => stdin_source()?,
        Some(p) => Engine::read_file(p, ColumnMap::default(), &ReadOptions::default())?,
    };
    let mut writer = if args.add {
        Some(engine.writer()?)
    } else {
        None
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut rejected = 0u64;
    for item in source {
        let case = match item? {
            Ok(c) => c,
            Err(bad) => {
                eprintln!("rejected {bad}");
                rejected += 1;
                continue;
            }
        };
        let result = engine.check_at(&case, now)?;
        if args.json {
            serde_json::to_writer(&mut out, &format_json(&result, args.evidence))?;
            writeln!(out)?;
        } else {
            print_table(&mut out, &result)?;
        }
        if let Some(w) = writer.as_mut() {
            let mut case = case;
            case.received_at.get_or_insert(now);
            w.upsert(&Engine::normalise(case))?;
            w.commit()?;
        }
    }
    out.flush()?;
    if let Some(w) = writer {
        w.finish()?;
    }
    Ok(if rejected > 0 {
        ExitCode::from(super::EXIT_REJECTED)
    } else {
        ExitCode::SUCCESS
    })
}
