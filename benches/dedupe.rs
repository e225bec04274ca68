//! Batch dedupe throughput (records/s): blocking, scoring and clustering of generated
//! records. The 1M scenario runs from the command line:
//! `casematch generate --records 1000000 --seed 7 > /tmp/1m.jsonl`
//! `/usr/bin/time -v casematch dedupe --input /tmp/1m.jsonl --output /tmp/g.jsonl`

use casematch::dedupe::{DedupeOptions, DedupeRecord, dedupe};
use casematch::matching::Model;
use casematch::synth::{Generator, GeneratorConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let n = 20_000;
    let mut records: Vec<DedupeRecord> = Generator::new(GeneratorConfig::default())
        .take(n)
        .map(|r| DedupeRecord::new(r.case))
        .collect();
    let model = Model::bundled().expect("model");
    let mut g = c.benchmark_group("dedupe");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function("20k_records", |b| {
        b.iter(|| {
            dedupe(
                &mut records,
                &model,
                &DedupeOptions::default(),
                &|_, _, _| {},
            )
            .rows
            .len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
