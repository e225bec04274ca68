//! Duplicate-check latency, single thread: each iteration checks one generated submission
//! against an index of generated cases.
//!
//! By default the index holds 50,000 cases built in memory. For the 1,000,000-case scenario
//! build an index once and point the bench at it:
//!
//! ```sh
//! casematch generate --records 1000000 --seed 7 > /tmp/1m.jsonl
//! casematch ingest --index /tmp/ix1m /tmp/1m.jsonl
//! CASEMATCH_BENCH_INDEX=/tmp/ix1m cargo bench --bench check
//! ```

mod common;

use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let engine = common::engine();
    // submissions from another seed: new ids, partly repeating matters of the index
    let queries = common::submissions(99, 500);
    let mut i = 0;
    c.bench_function("check", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            engine.check(&queries[i]).expect("check")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
