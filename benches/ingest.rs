//! Ingest throughput in cases/s: generated cases (about 300 characters of narrative each)
//! normalised, analysed and committed to an index on disk.

use casematch::Engine;
use casematch::engine::IngestOptions;
use casematch::synth::{Generator, GeneratorConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let n = 20_000;
    let cases: Vec<_> = Generator::new(GeneratorConfig::default())
        .take(n)
        .map(|r| r.case)
        .collect();
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function("20k_cases_to_disk", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let engine = Engine::open(dir.path()).expect("open");
            engine
                .ingest(
                    cases.iter().cloned().map(|c| Ok(Ok(c))),
                    &IngestOptions::default(),
                    |_| {},
                )
                .expect("ingest")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
