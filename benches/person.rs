//! Person look-up over HTTP (`POST /v1/person`): latency percentiles from one connection and
//! from four, each look-up grouped by matter and audited (answered once its audit entry is
//! synced; concurrent look-ups share a sync). Keys are the phones, ID numbers and names of stored cases.
//!
//! Default: 50,000 generated cases in memory. For 1M cases:
//! `CASEMATCH_BENCH_INDEX=/tmp/ix1m cargo bench --bench person` (the audit log goes to the
//! index's `audit/`). Knob: CASEMATCH_LOAD_SECONDS (default 10 per run).

mod common;
mod http;

use casematch::server::{AppState, Config, app};
use casematch::synth::Rng;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::BufReader;
use tokio::net::TcpStream;

async fn run(
    addr: std::net::SocketAddr,
    name: &str,
    bodies: Arc<Vec<String>>,
    seconds: u64,
    connections: usize,
) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let bodies = bodies.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = BufReader::new(TcpStream::connect(addr).await.expect("connect"));
            let (mut lat, mut errors, mut i) = (Vec::new(), 0u64, c);
            while Instant::now() < deadline {
                let t = Instant::now();
                match http::request(&mut conn, "POST", "/v1/person", &bodies[i % bodies.len()])
                    .await
                {
                    Ok(200) => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                    _ => errors += 1,
                }
                i += connections;
            }
            (lat, errors)
        }));
    }
    let (all, errors) = http::gather(tasks).await;
    let p = |q: f64| http::quantile(&all, q);
    println!(
        "{name:<22} {connections} conn, {seconds}s: {:.0} look-ups/s, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {errors}",
        all.len() as f64 / seconds as f64,
        p(0.5),
        p(0.95),
        p(0.99),
        p(1.0)
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let engine = common::engine();
    let n = engine.index().num_cases();
    println!("index: {n} cases");
    let seconds = http::env_num("CASEMATCH_LOAD_SECONDS", 10);
    // keys of stored cases, drawn at random
    let searcher = engine.index().searcher();
    let mut rng = Rng::new(21);
    let (mut phones, mut ids, mut names) = (Vec::new(), Vec::new(), Vec::new());
    let segments = searcher.segment_readers();
    while phones.len() < 2000 && (ids.len() + phones.len() + names.len()) < 20_000 {
        let s = rng.below(segments.len());
        let max = segments[s].max_doc();
        if max == 0 {
            continue;
        }
        let addr = tantivy::DocAddress::new(s as u32, rng.below(max as usize) as u32);
        let Ok(stored) = engine.index().stored(&searcher, addr) else {
            continue;
        };
        let c = stored.case;
        if let Some(p) = c.phone.filter(|p| !p.contains('*')) {
            phones.push(serde_json::json!({ "phone": p }).to_string());
        }
        if let Some(i) = c.id_number.filter(|i| !i.contains('*')) {
            ids.push(serde_json::json!({ "id_number": i }).to_string());
        }
        if let Some(nm) = c
            .name
            .filter(|n| n.chars().count() >= 2 && !n.contains('*'))
        {
            names.push(serde_json::json!({ "name": nm, "phone": "13800000000" }).to_string());
        }
    }
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
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(axum::serve(listener, app(state)).into_future());
        let (phones, ids, names) = (Arc::new(phones), Arc::new(ids), Arc::new(names));
        // warm-up
        run(addr, "warm-up", phones.clone(), 2, 1).await;
        run(addr, "phone", phones.clone(), seconds, 1).await;
        run(addr, "id_number", ids.clone(), seconds, 1).await;
        run(addr, "name + phone", names.clone(), seconds, 1).await;
        run(addr, "phone", phones, seconds, 4).await;
    });
}
