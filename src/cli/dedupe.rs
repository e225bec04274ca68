//! `casematch dedupe`: group the records of merged platform exports.

use super::terminal;
use anyhow::{Context, bail};
use casematch::engine::{BlockingConfig, DedupeRecord, PairRecall};
use casematch::{
    ColumnMap, DedupeOptions, Deduped, Engine, Format, GroupRow, ManualLinks, PreviousGroups,
    ReadOptions, Report, Stage, TextEncoding,
};
use indicatif::ProgressBar;
use rayon::prelude::*;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

#[derive(clap::Args)]
pub struct Args {
    /// JSONL, CSV or Excel (.xlsx/.xls) export (repeat for several platforms)
    #[arg(long = "input", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Read only this sheet of each workbook (default: every sheet)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Text encoding of CSV inputs: utf-8, gb18030 or gbk (default: detected)
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<TextEncoding>,
    /// Column mapping (TOML) per input, in the order of --input; one mapping applies to all
    #[arg(long = "map")]
    pub maps: Vec<PathBuf>,
    /// Groups as JSONL: id, duplicate_group, matter_group, original, size, channels …
    #[arg(long)]
    pub output: PathBuf,
    /// HTML report (a JSON report is written beside it with the .json extension)
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Worker threads (default: all cores)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output of an earlier run: groups that persist keep their ids
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Manual decisions, TSV lines `must<TAB>id<TAB>id` or `cannot<TAB>id<TAB>id`
    #[arg(long)]
    pub links: Option<PathBuf>,
    /// Scoring model (TOML); the bundled model otherwise
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Quiet; print the summary as JSON
    #[arg(long)]
    pub json: bool,
    /// Memory for blocking's postings before they are spilled to a temporary file, in bytes
    /// or with a unit (512M, 2G); default: no limit
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<u64>,
    /// Labels (id<TAB>person<TAB>matter): also print blocking recall per relation
    #[arg(long)]
    pub truth: Option<PathBuf>,
}

/// A size in bytes, with an optional K/M/G (powers of 1024) suffix and an optional B.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase();
    let t = t.strip_suffix('B').unwrap_or(&t);
    let (digits, unit) = match t.char_indices().last() {
        Some((i, 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'M')) => (&t[..i], 1 << 20),
        Some((i, 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let n: f64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a size (bytes, or a number with K, M or G)"))?;
    if !(n.is_finite() && n >= 0.0) {
        return Err(format!("`{s}` is not a size"));
    }
    Ok((n * unit as f64) as u64)
}

fn read_previous(path: &Path) -> anyhow::Result<PreviousGroups> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut prev = PreviousGroups::default();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: invalid JSON", path.display(), n + 1))?;
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        match (field("id"), field("duplicate_group"), field("matter_group")) {
            (Some(id), Some(d), Some(m)) => {
                prev.by_record.insert(id, (d, m));
            }
            _ => bail!(
                "{}:{}: expected id, duplicate_group and matter_group",
                path.display(),
                n + 1
            ),
        }
    }
    Ok(prev)
}

fn read_links(path: &Path) -> anyhow::Result<ManualLinks> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut links = ManualLinks::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').map(str::trim).collect();
        match parts[..] {
            ["must", a, b] => links.must.push((a.to_string(), b.to_string())),
            ["cannot", a, b] => links.cannot.push((a.to_string(), b.to_string())),
            _ => bail!(
                "{}:{}: expected `must|cannot<TAB>id<TAB>id`",
                path.display(),
                n + 1
            ),
        }
    }
    Ok(links)
}

/// Reads every input, skipping ids seen before; returns the records and how many were
/// rejected or skipped.
fn read_records(args: &Args, read: &ReadOptions) -> anyhow::Result<(Vec<DedupeRecord>, u64)> {
    let mut records: Vec<DedupeRecord> = Vec::new();
    let mut rejected = 0u64;
    let mut seen_ids = std::collections::HashSet::new();
    for (k, path) in args.inputs.iter().enumerate() {
        let map = match args.maps.get(if args.maps.len() == 1 { 0 } else { k }) {
            Some(p) => ColumnMap::from_toml_file(p)?,
            None => ColumnMap::default(),
        };
        let size = std::fs::metadata(path)
            .with_context(|| format!("reading {}", path.display()))?
            .len();
        let pb = terminal::byte_progress(size, args.json);
        pb.set_message(format!("reading {}", path.display()));
        let file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let mut source = Engine::read_from(
            Box::new(pb.wrap_read(file)),
            path,
            Format::of(path),
            map,
            read,
        )?;
        loop {
            let mut chunk = Vec::with_capacity(4096);
            for item in source.by_ref() {
                match item? {
                    Ok(case) => {
                        if seen_ids.insert(case.id.clone()) {
                            chunk.push(case);
                        } else {
                            pb.suspend(|| {
                                eprintln!("skipped {}: id {} seen before", path.display(), case.id)
                            });
                            rejected += 1;
                        }
                    }
                    Err(bad) => {
                        pb.suspend(|| eprintln!("rejected {bad}"));
                        rejected += 1;
                    }
                }
                if chunk.len() == 4096 {
                    break;
                }
            }
            if chunk.is_empty() {
                break;
            }
            records.par_extend(chunk.into_par_iter().map(Engine::dedupe_record));
        }
        pb.finish_and_clear();
    }
    Ok((records, rejected))
}

/// Shows a stage's progress on `bar`; a new stage restarts the bar, so its ETA is that
/// stage's own rate.
fn show_stage(bar: &ProgressBar, seen: &Mutex<Option<Stage>>, stage: Stage, done: u64, total: u64) {
    let mut current = seen.lock().unwrap_or_else(|e| e.into_inner());
    if *current != Some(stage) {
        *current = Some(stage);
        bar.reset();
        bar.set_message(match stage {
            Stage::Blocking => "1/3 blocking",
            Stage::Scoring => "2/3 scoring",
            Stage::Clustering => "3/3 clustering",
        });
    }
    bar.set_length(total);
    bar.set_position(done);
}

fn write_groups(path: &Path, rows: &[GroupRow]) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    for row in rows {
        serde_json::to_writer(&mut out, row)?;
        out.write_all(b"\n")?;
    }
    out.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn print_recall(r: &PairRecall) {
    let share = |(f, t): (u64, u64)| f as f64 / t.max(1) as f64;
    eprintln!(
        "blocking recall: duplicate {:.4} ({}/{}), related {:.4} ({}/{}), same person {:.4} ({}/{})",
        share(r.duplicate),
        r.duplicate.0,
        r.duplicate.1,
        share(r.related),
        r.related.0,
        r.related.1,
        share(r.same_person),
        r.same_person.0,
        r.same_person.1
    );
}

/// The HTML report at `html` and the JSON report beside it.
fn write_report(html: &Path, result: &Deduped) -> anyhow::Result<()> {
    std::fs::write(html, result.report_html())
        .with_context(|| format!("writing {}", html.display()))?;
    let json = html.with_extension("json");
    std::fs::write(&json, serde_json::to_vec_pretty(&result.report)?)
        .with_context(|| format!("writing {}", json.display()))?;
    Ok(())
}

fn print_summary(report: &Report, rejected: u64, secs: f64, json: bool) {
    let summary = serde_json::json!({
        "records": report.records, "rejected": rejected, "candidate_pairs": report.candidate_pairs,
        "duplicate_groups": report.duplicate_groups, "matter_groups": report.matter_groups,
        "duplicate_rate": report.duplicate_rate, "repeat_petition_rate": report.repeat_petition_rate,
        "seconds": secs, "records_per_second": report.records as f64 / secs.max(1e-9),
    });
    if json {
        println!("{summary}");
    } else {
        eprintln!(
            "{} records ({} rejected) → {} duplicate groups in {} matters; {} candidate pairs; duplicate rate {:.1}%, 重信重访率 {:.1}%; {:.1}s ({:.0} records/s)",
            report.records,
            rejected,
            report.duplicate_groups,
            report.matter_groups,
            report.candidate_pairs,
            report.duplicate_rate * 100.0,
            report.repeat_petition_rate * 100.0,
            secs,
            report.records as f64 / secs.max(1e-9)
        );
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build_global()
            .context("setting up threads")?;
    }
    if args.maps.len() > 1 && args.maps.len() != args.inputs.len() {
        bail!(
            "give one --map for all inputs or one per --input ({} inputs, {} maps)",
            args.inputs.len(),
            args.maps.len()
        );
    }
    let model = match &args.model {
        Some(p) => Engine::load_model(p)?,
        None => Engine::bundled_model()?,
    };
    let read = ReadOptions {
        sheet: args.sheet.clone(),
        encoding: args.encoding,
    };
    let started = std::time::Instant::now();
    let (records, rejected) = read_records(&args, &read)?;
    let bar = terminal::count_progress(args.json);
    let stage_seen = Mutex::new(None::<Stage>);
    let result = Engine::dedupe_with(
        &model,
        records,
        &DedupeOptions {
            previous: match &args.previous {
                Some(p) => read_previous(p)?,
                None => PreviousGroups::default(),
            },
            links: match &args.links {
                Some(p) => read_links(p)?,
                None => ManualLinks::default(),
            },
            blocking: BlockingConfig {
                memory_limit: args.memory_limit.unwrap_or(0),
                ..BlockingConfig::default()
            },
        },
        &|stage, done, total| show_stage(&bar, &stage_seen, stage, done, total),
    );
    if let Some(e) = &result.blocking_stats().spill_error {
        eprintln!("warning: --memory-limit not kept, blocking postings stayed in memory: {e}");
    }
    bar.finish_and_clear();
    write_groups(&args.output, &result.rows)?;
    if let Some(t) = &args.truth {
        let truth = Engine::read_truth(t)?;
        print_recall(&result.blocking_recall(&truth));
    }
    if let Some(html) = &args.report {
        write_report(html, &result)?;
    }
    print_summary(
        &result.report,
        rejected,
        started.elapsed().as_secs_f64(),
        args.json,
    );
    Ok(if rejected > 0 {
        ExitCode::from(super::EXIT_REJECTED)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_read_with_and_without_units() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("1.5GB"), Ok(3 << 29));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("-1G").is_err());
    }
}
