//! Acknowledged single-case writes over loopback: `POST /v1/cases` from concurrent
//! keep-alive clients against an index on disk; prints writes/s, latency percentiles and
//! the number of commits (each write is answered after the commit that holds it).
//!
//! Knobs: CASEMATCH_WRITES_SECONDS (default 10), CASEMATCH_WRITES_CLIENTS (8),
//! CASEMATCH_WRITES_DIR (where the temporary index goes; default the system temp dir).

mod http;

use casematch::Engine;
use casematch::server::{AppState, Config, app};
use http::{env_num, request};
use std::time::{Duration, Instant};
use tokio::io::BufReader;
use tokio::net::TcpStream;

fn case(client: u64, i: u64) -> String {
    serde_json::json!({
        "id": format!("W{client}-{i}"), "name": "王芳", "phone": "13800001111",
        "location": "湖南省长沙市岳麓区望月湖街道",
        "content": format!("第{i}次反映：望月湖小区旁边工地夜间施工，打桩机噪音很大，影响休息。"),
        "channel": "网上", "received_at": "2024-05-01T09:00:00+08:00"
    })
    .to_string()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let seconds = env_num("CASEMATCH_WRITES_SECONDS", 10);
    let clients = env_num("CASEMATCH_WRITES_CLIENTS", 8);
    let dir = match std::env::var_os("CASEMATCH_WRITES_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    let engine = Engine::open(dir.path()).expect("index");
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
        tokio::spawn(axum::serve(listener, app(state.clone())).into_future());
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                tokio::spawn(async move {
                    let mut conn = BufReader::new(TcpStream::connect(addr).await.expect("connect"));
                    let (mut lat, mut errors, mut i) = (Vec::new(), 0u64, 0u64);
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        match request(&mut conn, "POST", "/v1/cases", &case(c, i)).await {
                            Ok(201) => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                            _ => errors += 1,
                        }
                        i += 1;
                    }
                    (lat, errors)
                })
            })
            .collect();
        let (all, errors) = http::gather(tasks).await;
        let p = |q: f64| http::quantile(&all, q);
        println!(
            "writes   {clients} clients, {seconds}s: {:.0} acknowledged writes/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {errors}, documents {}",
            all.len() as f64 / seconds as f64,
            p(0.5),
            p(0.99),
            p(1.0),
            state.engine.index().num_cases(),
        );
    });
}
