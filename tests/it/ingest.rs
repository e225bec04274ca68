use super::fixtures::{case, ok};
use casematch::Engine;
use casematch::engine::IngestOptions;
use casematch::source::{ColumnMap, RecordSource};
use std::io::Write;

#[test]
fn reingesting_an_id_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    let first = engine
        .ingest(
            ok(vec![
                case("A", "长沙市岳麓区", "", "旧内容"),
                case("B", "长沙", "", "别的"),
            ]),
            &IngestOptions::default(),
            |_| {},
        )
        .unwrap();
    assert_eq!((first.added, first.replaced), (2, 0));
    let second = engine
        .ingest(
            ok(vec![case("A", "长沙市岳麓区", "", "新内容")]),
            &IngestOptions::default(),
            |_| {},
        )
        .unwrap();
    assert_eq!((second.added, second.replaced), (0, 1));
    assert_eq!(engine.index().num_cases(), 2);
    assert_eq!(
        engine.get("A").unwrap().unwrap().case.content.as_deref(),
        Some("新内容")
    );
}

#[test]
fn duplicate_ids_within_one_batch_do_not_double() {
    let engine = Engine::in_memory().unwrap();
    let s = engine
        .ingest(
            ok(vec![case("A", "", "", "一"), case("A", "", "", "二")]),
            &IngestOptions::default(),
            |_| {},
        )
        .unwrap();
    assert_eq!((s.added, s.replaced), (1, 1));
    assert_eq!(engine.index().num_cases(), 1);
    assert_eq!(
        engine.get("A").unwrap().unwrap().case.content.as_deref(),
        Some("二")
    );
}

#[test]
fn committed_state_survives_reopen_and_uncommitted_writes_do_not_leak() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = Engine::open(dir.path()).unwrap();
        engine
            .ingest(
                ok(vec![case("A", "", "", "已提交")]),
                &IngestOptions::default(),
                |_| {},
            )
            .unwrap();
        // a writer dropped without commit stands for a process killed mid-batch
        let mut w = engine.index().writer().unwrap();
        let stored = casematch::index::StoredCase {
            profile: casematch::analysis::Profile::of(&case("B", "", "", "未提交")),
            case: case("B", "", "", "未提交"),
        };
        w.upsert(&stored).unwrap();
        drop(w);
    }
    let engine = Engine::open(dir.path()).unwrap();
    assert_eq!(engine.index().num_cases(), 1);
    assert!(engine.get("A").unwrap().is_some());
    assert!(engine.get("B").unwrap().is_none());
}

#[test]
fn bad_records_are_reported_and_the_rest_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, r#"{{"id":"A","content":"甲"}}"#).unwrap();
    writeln!(f, r#"{{"content":"没有编号"}}"#).unwrap();
    writeln!(f, r#"{{"id":"C","headcount":"很多"}}"#).unwrap();
    writeln!(f, r#"{{"id":"D","content":"丁"}}"#).unwrap();
    drop(f);
    let engine = Engine::open(&dir.path().join("ix")).unwrap();
    let mut bad = Vec::new();
    let stats = engine
        .ingest(
            RecordSource::open(&path, ColumnMap::default()).unwrap(),
            &IngestOptions::default(),
            |e| {
                if let casematch::engine::IngestEvent::Rejected(b) = e {
                    bad.push(b.to_string());
                }
            },
        )
        .unwrap();
    assert_eq!((stats.read, stats.added, stats.rejected), (4, 2, 2));
    assert!(
        bad[0].ends_with("in.jsonl:2: field `id`: is missing"),
        "{}",
        bad[0]
    );
    assert!(
        bad[1].contains("in.jsonl:3: field `headcount`"),
        "{}",
        bad[1]
    );
}
