//! Latency percentiles (p50/p95/p99) of search with highlights and of the duplicate check,
//! single thread, warm reader. Criterion reports means; service targets are percentiles.
//!
//! Default: 50,000 generated cases in memory. For 1M cases, build an index once and run
//! `CASEMATCH_BENCH_INDEX=/tmp/ix1m cargo bench --bench latency` (see benches/check.rs).

mod common;

use casematch::index::SearchRequest;
use casematch::synth::Rng;
use std::time::Instant;

fn percentiles(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<28} n={:<5} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        ms.len(),
        p(0.5),
        p(0.95),
        p(0.99),
        ms[ms.len() - 1]
    );
}

fn main() {
    // cargo bench passes --bench; cargo test --benches runs this with no timing wanted
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let engine = common::engine();
    println!("index: {} cases", engine.index().num_cases());
    let sample = common::submissions(99, 1000);
    let mut rng = Rng::new(5);
    let queries: Vec<String> = sample
        .iter()
        .map(|c| common::query_from(c, &mut rng, 3))
        .collect();
    let run = |name: &str, f: &dyn Fn(usize)| {
        for i in 0..100 {
            f(i); // warm-up
        }
        let ms: Vec<f64> = (0..queries.len())
            .map(|i| {
                let t = Instant::now();
                f(i);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        percentiles(name, ms);
    };
    run("search top-10 + highlights", &|i| {
        let r = SearchRequest {
            query: queries[i].clone(),
            limit: 10,
            ..SearchRequest::default()
        };
        engine.search(&r).expect("search");
    });
    run("search + place filter", &|i| {
        let r = SearchRequest {
            query: queries[i].clone(),
            limit: 10,
            place: Some("43".into()),
            ..SearchRequest::default()
        };
        engine.search(&r).expect("search");
    });
    run("check", &|i| {
        engine.check(&sample[i]).expect("check");
    });
}
