//! Kill tests on the real binary: an acknowledged write survives SIGKILL the moment it is
//! answered, and an ingest killed mid-file leaves an index that opens and a re-run that ends
//! with every record exactly once.

use casematch::Engine;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_casematch");

/// Starts `casematch serve` on a free port; returns the child and its address.
fn serve(index: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--index"])
        .arg(index)
        .env_remove("CASEMATCH_KEYS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // keep draining stderr (access logs) so the server never blocks on a full pipe
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    (child, addr)
}

/// One request on a keep-alive connection: status and body.
fn request(conn: &mut BufReader<TcpStream>, method: &str, path: &str, body: &str) -> (u16, String) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.get_mut().write_all(req.as_bytes()).unwrap();
    let mut line = String::new();
    conn.read_line(&mut line).unwrap();
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0;
    loop {
        line.clear();
        conn.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut buf = vec![0; length];
    conn.read_exact(&mut buf).unwrap();
    (status, String::from_utf8_lossy(&buf).into_owned())
}

fn connect(addr: &str) -> BufReader<TcpStream> {
    BufReader::new(TcpStream::connect(addr).unwrap())
}

fn case(id: &str) -> String {
    serde_json::json!({
        "id": id, "name": "李娜", "location": "湖南省长沙市岳麓区望月湖街道",
        "content": format!("{id}：小区门口夜市油烟和噪音扰民，晚上十二点后仍在营业，请城管处理。"),
        "channel": "网上", "received_at": "2024-03-01T09:00:00+08:00"
    })
    .to_string()
}

#[test]
fn acknowledged_writes_survive_sigkill_at_the_last_answer() {
    const N: usize = 200;
    const CLIENTS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let (mut child, addr) = serve(&index);
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut conn = connect(&addr);
                for i in (c..N).step_by(CLIENTS) {
                    let (status, body) =
                        request(&mut conn, "POST", "/v1/cases", &case(&format!("K{i:04}")));
                    assert_eq!(status, 201, "{body}");
                }
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    // SIGKILL the moment the last answer is in: no shutdown, no final commit
    child.kill().unwrap();
    let elapsed = started.elapsed();
    child.wait().unwrap();
    eprintln!(
        "{N} acknowledged writes from {CLIENTS} clients in {:.0} ms, then SIGKILL",
        elapsed.as_secs_f64() * 1000.0
    );
    let (mut child, addr) = serve(&index);
    let mut conn = connect(&addr);
    let missing: Vec<String> = (0..N)
        .map(|i| format!("K{i:04}"))
        .filter(|id| request(&mut conn, "GET", &format!("/v1/cases/{id}"), "").0 != 200)
        .collect();
    let (_, ready) = request(&mut conn, "GET", "/readyz", "");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(missing.is_empty(), "lost after SIGKILL: {missing:?}");
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(ready["documents"], N as u64);
}

#[test]
fn an_ingest_killed_mid_file_reopens_and_a_rerun_has_every_record_once() {
    const RECORDS: u64 = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cases.jsonl");
    let index = dir.path().join("index");
    let out = std::fs::File::create(&file).unwrap();
    let generated = Command::new(BIN)
        .args(["generate", "--records", &RECORDS.to_string()])
        .stdout(out)
        .status()
        .unwrap();
    assert!(generated.success());
    let ingest = || {
        Command::new(BIN)
            .args(["ingest", "--json", "--commit-every", "1000", "--index"])
            .arg(&index)
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut child = ingest();
    // kill once the first commits are in: mid-file, with a batch in flight
    let deadline = Instant::now() + Duration::from_secs(300);
    let at_kill = loop {
        let committed = Engine::open(&index).map_or(0, |e| e.index().num_cases());
        if committed >= 3_000 {
            child.kill().unwrap();
            break committed;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "ingest ended before the kill"
        );
        assert!(Instant::now() < deadline, "no commit within the deadline");
        std::thread::sleep(Duration::from_millis(20));
    };
    child.wait().unwrap();
    let reopened = Engine::open(&index).unwrap();
    let after_kill = reopened.index().num_cases();
    eprintln!("ingest killed with {at_kill} cases committed ({after_kill} on reopening)");
    assert!(
        after_kill >= at_kill && after_kill < RECORDS,
        "{after_kill}"
    );
    drop(reopened);
    let rerun = ingest().wait().unwrap();
    assert!(rerun.success());
    let engine = Engine::open(&index).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let ids: std::collections::HashSet<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len() as u64, RECORDS);
    // as many documents as distinct ids, and every id found: each exactly once
    assert_eq!(engine.index().num_cases(), RECORDS);
    let missing = ids
        .iter()
        .filter(|id| engine.get(id).unwrap().is_none())
        .count();
    assert_eq!(missing, 0);
}
