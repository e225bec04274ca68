//! Shared bench fixture: the index named by CASEMATCH_BENCH_INDEX, or 50,000 generated cases
//! in memory.

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
