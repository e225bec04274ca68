//! Dedupe at scale with blocking settings from the environment, for sweeping them on a
//! generated file without rebuilding: blocking recall per relation, candidate pairs,
//! seconds, and the groups written for `benches/eval/score.py dedupe`.
//!
//! `casematch generate --profile mixed --records 100000 --seed 11 --truth T.tsv > D.jsonl`
//! `SCALE_INPUT=D.jsonl SCALE_TRUTH=T.tsv SCALE_OUTPUT=G.jsonl BLOCK_ANCHORS=16 \
//!  BLOCK_MAX_POSTING=0 BLOCK_TEXT_CANDIDATES=50 BLOCK_MEMORY_LIMIT=0 cargo bench --bench dedupe_scale`
//! Without SCALE_INPUT it does nothing (so `cargo bench` over every bench stays short).

use casematch::Engine;
use casematch::dedupe::{BlockingConfig, DedupeOptions, DedupeRecord, blocking_recall, dedupe};
use casematch::matching::{Model, read_truth};
use casematch::source::{ColumnMap, RecordSource};
use rayon::prelude::*;
use std::io::Write;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(input) = std::env::var("SCALE_INPUT") else {
        eprintln!("dedupe_scale: set SCALE_INPUT (and SCALE_TRUTH, SCALE_OUTPUT) to run");
        return Ok(());
    };
    let d = BlockingConfig::default();
    let cfg = BlockingConfig {
        anchors: env_or("BLOCK_ANCHORS", d.anchors as u64) as usize,
        max_posting: env_or("BLOCK_MAX_POSTING", d.max_posting as u64) as usize,
        text_candidates: env_or("BLOCK_TEXT_CANDIDATES", d.text_candidates as u64) as usize,
        memory_limit: env_or("BLOCK_MEMORY_LIMIT", 0),
        ..d
    };
    let started = std::time::Instant::now();
    let source = RecordSource::open(std::path::Path::new(&input), ColumnMap::default())?;
    let mut cases = Vec::new();
    for item in source {
        if let Ok(case) = item? {
            cases.push(case);
        }
    }
    let mut records: Vec<DedupeRecord> = cases.into_par_iter().map(Engine::dedupe_record).collect();
    let read = started.elapsed().as_secs_f64();
    let model = Model::bundled()?;
    let opts = DedupeOptions {
        blocking: cfg.clone(),
        ..DedupeOptions::default()
    };
    let result = dedupe(&mut records, &model, &opts, &|_, _, _| {});
    let secs = started.elapsed().as_secs_f64();
    if let Ok(out) = std::env::var("SCALE_OUTPUT") {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
        for row in &result.rows {
            serde_json::to_writer(&mut w, row)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
    }
    let share = |(f, t): (u64, u64)| f as f64 / t.max(1) as f64;
    let mut line = serde_json::json!({
        "records": records.len(), "anchors": cfg.anchors, "max_posting": cfg.max_posting,
        "text_candidates": cfg.text_candidates, "memory_limit": cfg.memory_limit,
        "candidate_pairs": result.candidate_pairs, "postings": result.blocking.postings,
        "spilled_bytes": result.blocking.spilled_bytes, "read_seconds": read, "seconds": secs,
    });
    if let Ok(t) = std::env::var("SCALE_TRUTH") {
        let truth = read_truth(std::path::Path::new(&t))?;
        let r = blocking_recall(&records, &result, &truth);
        line["blocking_recall"] = serde_json::json!({
            "duplicate": share(r.duplicate), "related": share(r.related),
            "same_person": share(r.same_person),
        });
    }
    println!("{line}");
    Ok(())
}
