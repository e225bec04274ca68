//! Load test of the HTTP service over loopback, bounded in time: `/v1/check`, `/v1/search`
//! and `GET /v1/cases/{id}` from concurrent keep-alive connections; prints requests/s and
//! latency percentiles, and for the case reads the share served from the case cache: once as
//! a desk reads them (the original of each checked submission, so one matter's original is
//! read again and again), once cold (every case once, the cache emptied first).
//!
//! Default: an index of 50,000 generated cases in memory. For the 1M scenario:
//! `CASEMATCH_BENCH_INDEX=/tmp/ix1m cargo bench --bench load`
//! Knobs: CASEMATCH_LOAD_SECONDS (default 20 per endpoint), CASEMATCH_LOAD_CONNECTIONS (8).

mod common;
mod http;

use http::{env_num, request};

use casematch::server::{AppState, Config, app};
use casematch::synth::Rng;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::BufReader;
use tokio::net::TcpStream;

async fn load(
    addr: std::net::SocketAddr,
    name: &str,
    requests: Arc<Vec<(String, String, String)>>,
    seconds: u64,
    connections: u64,
) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let requests = requests.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = BufReader::new(TcpStream::connect(addr).await.expect("connect"));
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut i = c as usize;
            while Instant::now() < deadline {
                let (m, p, b) = &requests[i % requests.len()];
                i += connections as usize;
                let t = Instant::now();
                match request(&mut conn, m, p, b).await {
                    Ok(200) => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let (all, errors) = http::gather(tasks).await;
    if all.is_empty() {
        println!("{name:<8} no answered requests, errors {errors}");
        return;
    }
    let p = |q: f64| http::quantile(&all, q);
    println!(
        "{name:<8} {connections} connections, {seconds}s: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {errors}",
        all.len() as f64 / seconds as f64,
        p(0.5),
        p(0.99),
        p(1.0)
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let engine = common::engine();
    println!("index: {} cases", engine.index().num_cases());
    let seconds = env_num("CASEMATCH_LOAD_SECONDS", 20);
    let connections = env_num("CASEMATCH_LOAD_CONNECTIONS", 8);
    let sample = common::submissions(4242, 2000);
    // what a desk opens after each check: the original its matter goes back to
    let originals: Vec<String> = sample
        .iter()
        .filter_map(|c| engine.check(c).ok()?.routing.map(|r| r.original_id))
        .collect();
    let stored: Vec<String> = match std::env::var_os("CASEMATCH_BENCH_INDEX") {
        Some(_) => originals.clone(),
        None => casematch::synth::Generator::new(casematch::synth::GeneratorConfig::default())
            .take(50_000)
            .map(|r| r.case.id)
            .collect(),
    };
    let reads = |ids: &[String]| -> Arc<Vec<(String, String, String)>> {
        Arc::new(
            ids.iter()
                .map(|id| ("GET".into(), format!("/v1/cases/{id}"), String::new()))
                .collect(),
        )
    };
    let (desk_reads, cold_reads) = (reads(&originals), reads(&stored));
    let checks: Vec<(String, String, String)> = sample
        .iter()
        .map(|c| {
            (
                "POST".into(),
                "/v1/check".into(),
                serde_json::to_string(c).expect("json"),
            )
        })
        .collect();
    let mut rng = Rng::new(9);
    let searches: Vec<(String, String, String)> = sample
        .iter()
        .map(|c| {
            let q = common::query_from(c, &mut rng, 2);
            let body = serde_json::json!({ "q": q, "limit": 10 }).to_string();
            ("POST".into(), "/v1/search".into(), body)
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let settings = Config {
            rate_limit_per_minute: Some(u32::MAX),
            ..Config::default()
        }
        .settings()
        .expect("settings");
        let (state, _writer) = AppState::new(engine, settings).expect("state");
        let (cache, metrics) = (state.cache.clone(), state.metrics.clone());
        let hit_rate = |name: &str, before: (u64, u64)| {
            let (h, m) = (
                metrics.cache_hits.get() - before.0,
                metrics.cache_misses.get() - before.1,
            );
            println!(
                "{name:<8} cache: {h} hits, {m} misses, hit rate {:.3}",
                h as f64 / (h + m).max(1) as f64
            );
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(axum::serve(listener, app(state)).into_future());
        load(addr, "check", Arc::new(checks), seconds, connections).await;
        load(addr, "search", Arc::new(searches), seconds, connections).await;
        let before = (metrics.cache_hits.get(), metrics.cache_misses.get());
        load(addr, "case", desk_reads, seconds, connections).await;
        hit_rate("case", before);
        cache.invalidate_all();
        let before = (metrics.cache_hits.get(), metrics.cache_misses.get());
        load(addr, "cold", cold_reads, seconds, connections).await;
        hit_rate("cold", before);
    });
}
