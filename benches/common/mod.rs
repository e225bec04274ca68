//! Shared bench fixture: the index named by CASEMATCH_BENCH_INDEX, or 50,000 generated cases
//! in memory.

// each bench compiles this module on its own and uses only part of it
#![allow(dead_code)]

use casematch::Engine;
use casematch::engine::IngestOptions;
use casematch::synth::{Generator, GeneratorConfig};

pub fn engine() -> Engine {
    match std::env::var_os("CASEMATCH_BENCH_INDEX") {
        Some(dir) => Engine::open(std::path::Path::new(&dir)).expect("open index"),
        None => {
            let e = Engine::in_memory().expect("index");
            let cases = Generator::new(GeneratorConfig::default())
                .take(50_000)
                .map(|r| Ok(Ok(r.case)));
            e.ingest(cases, &IngestOptions::default(), |_| {})
                .expect("ingest");
            e
        }
    }
}

/// Generated submissions from another seed than the index: new ids, partly repeating matters.
pub fn submissions(seed: u64, n: usize) -> Vec<casematch::Case> {
    Generator::new(GeneratorConfig {
        seed,
        ..GeneratorConfig::default()
    })
    .take(n)
    .map(|r| r.case)
    .collect()
}

/// A search of 1..=`max_words` words (two characters or more) drawn from a narrative.
pub fn query_from(
    case: &casematch::Case,
    rng: &mut casematch::synth::Rng,
    max_words: usize,
) -> String {
    let words: Vec<String> = casematch::analysis::analyze_terms(&case.narrative())
        .into_iter()
        .filter(|w| w.chars().count() >= 2)
        .collect();
    let n = 1 + rng.below(max_words);
    (0..n)
        .map(|_| words[rng.below(words.len())].clone())
        .collect::<Vec<_>>()
        .join(" ")
}
