//! `casematch ingest`: stream JSONL/CSV files and Excel workbooks into the index.

use super::{EXIT_REJECTED, IndexArg, terminal};
use anyhow::Context;
use casematch::engine::{IngestEvent, IngestOptions, IngestStats};
use casematch::{ColumnMap, Engine, Format, ReadOptions, TextEncoding};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// JSONL (.jsonl/.json), CSV (.csv/.tsv, with a header) or Excel (.xlsx/.xls) files
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// TOML column mapping for CSV/sheet headers or JSON keys ([columns] 来信人 = "name")
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Read only this sheet of each workbook (default: every sheet)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Text encoding of CSV files: utf-8, gb18030 or gbk (default: detected)
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<TextEncoding>,
    /// Cases per commit (a crash loses at most the uncommitted batch)
    #[arg(long, default_value_t = 100_000)]
    pub commit_every: usize,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
    /// Print at most this many rejected records (all are counted)
    #[arg(long, default_value_t = 100)]
    pub max_errors: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.index.index)
        .with_context(|| format!("opening index {}", args.index.index.display()))?;
    let map = match &args.map {
        Some(p) => ColumnMap::from_toml_file(p)?,
        None => ColumnMap::default(),
    };
    let read = ReadOptions {
        sheet: args.sheet.clone(),
        encoding: args.encoding,
    };
    let opts = IngestOptions {
        commit_every: args.commit_every.max(1),
    };
    let mut total = IngestStats::default();
    let mut printed = 0usize;
    let started = std::time::Instant::now();
    for path in &args.files {
        let size = std::fs::metadata(path)
            .with_context(|| format!("reading {}", path.display()))?
            .len();
        let pb = terminal::byte_progress(size, args.json);
        pb.set_message(path.display().to_string());
        let file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let source = Engine::read_from(
            Box::new(pb.wrap_read(file)),
            path,
            Format::of(path),
            map.clone(),
            &read,
        )?;
        let stats = engine.ingest(source, &opts, |event| match event {
            IngestEvent::Rejected(bad) => {
                if printed < args.max_errors {
                    pb.suspend(|| eprintln!("rejected {bad}"));
                }
                printed += 1;
            }
            IngestEvent::Committed(_) => {}
        })?;
        pb.finish_and_clear();
        total.read += stats.read;
        total.added += stats.added;
        total.replaced += stats.replaced;
        total.rejected += stats.rejected;
    }
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "read": total.read, "added": total.added, "replaced": total.replaced,
                "rejected": total.rejected, "seconds": secs, "cases_in_index": engine.num_cases(),
            })
        );
    } else {
        if printed > args.max_errors {
            eprintln!(
                "... {} more rejected records not shown",
                printed - args.max_errors
            );
        }
        eprintln!(
            "read {} · added {} · replaced {} · rejected {} in {:.1}s ({:.0} cases/s); index holds {} cases",
            total.read,
            total.added,
            total.replaced,
            total.rejected,
            secs,
            total.read as f64 / secs.max(1e-9),
            engine.num_cases()
        );
    }
    Ok(if total.rejected > 0 {
        ExitCode::from(EXIT_REJECTED)
    } else {
        ExitCode::SUCCESS
    })
}
