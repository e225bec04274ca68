//! The binary end to end: exit codes, summaries and JSON output.

use std::io::Write;
use std::process::Command;

fn casematch() -> Command {
    Command::new(env!("CARGO_BIN_EXE_casematch"))
}

#[test]
fn ingest_reports_bad_lines_and_exits_3_then_search_and_check_work() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.csv");
    let mut f = std::fs::File::create(&input).unwrap();
    writeln!(f, "编号,姓名,联系电话,问题属地,诉求内容,登记时间,首办单位").unwrap();
    writeln!(f, "C1,张伟,13912345678,湖南省长沙市岳麓区,小区旁边工地夜间施工噪音扰民严重影响休息,2023-05-01 09:00,岳麓区住建局").unwrap();
    writeln!(
        f,
        "C2,李四,13800000000,湖南省长沙市开福区,饭店油烟扰民,不是日期,开福区城管局"
    )
    .unwrap();
    writeln!(
        f,
        "C3,王五,13700000000,湖南省株洲市芦淞区,道路破损无人修,2023-05-03,芦淞区交通局"
    )
    .unwrap();
    drop(f);
    let index = dir.path().join("ix");
    let out = casematch()
        .args(["ingest", "--index"])
        .arg(&index)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cases.csv:3: field `received_at`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("read 3 · added 2 · replaced 0 · rejected 1"),
        "{stderr}"
    );

    let out = casematch()
        .args(["search", "--index"])
        .arg(&index)
        .args(["噪音擾民", "--place", "长沙", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["case"]["id"], "C1");
    assert!(
        v["hits"][0]["highlights"][0]["html"]
            .as_str()
            .unwrap()
            .contains("<em>")
    );

    let out = casematch()
        .args(["search", "--index"])
        .arg(&index)
        .args(["噪音", "--place", "鼓楼区"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ambiguous"));

    let mut child = casematch()
        .args(["check", "--json", "--index"])
        .arg(&index)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("{\"id\":\"Q1\",\"name\":\"张伟\",\"phone\":\"+86 139 1234 5678\",\"location\":\"长沙市岳麓区\",\"content\":\"来电人反映：小区旁边工地夜间施工噪音扰民严重影响休息\",\"received_at\":\"2023-05-02\"}\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "Q1");
    assert_eq!(v["verdict"], "DUPLICATE", "{v}");
    assert_eq!(v["matches"][0]["id"], "C1");
    assert!(v["matches"][0]["score"].as_f64().unwrap() > 0.5);
}

#[test]
fn show_prints_the_case_and_fails_for_unknown_ids() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("c.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"A1\",\"content\":\"路灯坏了\",\"location\":\"长沙岳麓\"}\n",
    )
    .unwrap();
    let index = dir.path().join("ix");
    assert!(
        casematch()
            .args(["ingest", "--index"])
            .arg(&index)
            .arg(&input)
            .status()
            .unwrap()
            .success()
    );
    let out = casematch()
        .args(["show", "--index"])
        .arg(&index)
        .args(["A1", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["case"]["content"], "路灯坏了");
    assert_eq!(v["profile"]["place"]["county"], "430104");
    let out = casematch()
        .args(["show", "--index"])
        .arg(&index)
        .arg("NOPE")
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// `serve --help` shows each setting's default as the code has it, and a bad
/// CASEMATCH_KEYS stops the server before it binds, saying what the format is.
#[test]
fn serve_help_shows_the_defaults_and_bad_keys_are_refused() {
    let out = casematch().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for shown in [
        "[default: 127.0.0.1:7700]",
        "[default: 1200]",
        "[default: 10485760]",
        "[default: 30000]",
        "--log-format",
    ] {
        assert!(help.contains(shown), "{shown} missing from:\n{help}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = casematch()
        .args(["serve", "--addr", "127.0.0.1:0", "--index"])
        .arg(dir.path().join("ix"))
        .env("CASEMATCH_KEYS", "desk:intake:a,b")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CASEMATCH_KEYS"), "{err}");
}
