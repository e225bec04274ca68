//! A complainant's history: look-up by name, phone, ID number and account in every format
//! the matching reads, masked values as possible matches, the history grouped by matter, the
//! audit log (CLI, library and HTTP), roles, and access logs without the looked-up values.

use super::fixtures::ok;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use casematch::analysis::id_check_char;
use casematch::engine::IngestOptions;
use casematch::engine::{Actor, PersonHistory, PersonLookup};
use casematch::index::{AuditOutcome, KeyKind, MatchLevel, SearchRequest};
use casematch::model::parse_datetime;
use casematch::server::{AppState, Config, KeyConfig, app};
use casematch::{Case, Engine};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

const ME: Actor<'static> = Actor {
    who: "tester",
    role: "cli",
    via: "cli",
};

/// The 18-digit ID number with its check digit for 17 digits.
fn id18(first17: &str) -> String {
    format!("{first17}{}", id_check_char(first17).unwrap())
}

const FIRST17: &str = "43010419880715232";

fn case(id: &str, at: &str, channel: &str, content: &str) -> Case {
    Case {
        id: id.into(),
        channel: Some(channel.into()),
        received_at: parse_datetime(at),
        location: Some("湖南省长沙市岳麓区望月湖街道".into()),
        content: Some(content.into()),
        handler: Some("岳麓区住建局".into()),
        ..Case::default()
    }
}

const NOISE: &str = "小区旁边工地每天夜间施工到凌晨两点，噪音扰民严重影响休息，多次反映无人处理。";
const WAGES: &str =
    "本人在某建筑公司工地务工八个月，老板拖欠工资三万二千元至今未付，要求劳动监察督促支付。";
const LAMP: &str = "枫林路与桃子湖路口的路灯坏了一个多月，晚上行人看不清路，请尽快维修。";

/// One complainant, 杨东辉, in many spellings and formats, and others sharing a key or not.
fn cases() -> Vec<Case> {
    let id = id18(FIRST17);
    let mut out = Vec::new();
    let mut a1 = case("A1", "2023-03-01T09:00:00+08:00", "网上", NOISE);
    a1.name = Some("杨东辉".into());
    a1.phone = Some("15708825598".into());
    a1.id_number = Some(id.clone());
    a1.title = Some("工地夜间施工噪音扰民".into());
    a1.status = casematch::model::Status::parse("办结");
    out.push(a1);
    // the same matter by phone: traditional name, formatted phone, 15-digit ID, another handler
    let mut a2 = case("A2", "2023-03-09T10:00:00+08:00", "电话", NOISE);
    a2.name = Some("楊東輝".into());
    a2.phone = Some("+86 157-0882-5598".into());
    a2.id_number = Some(format!("{}{}", &FIRST17[..6], &FIRST17[8..]));
    a2.handler = Some("岳麓区城管局".into());
    a2.status = casematch::model::Status::parse("办理中");
    out.push(a2);
    // another matter of his, later: the phone among several numbers, the ID in lower case
    let mut b1 = case("B1", "2024-06-01T09:00:00+08:00", "来访", WAGES);
    b1.name = Some("杨东辉".into());
    b1.phone = Some("0731-88776655转12、13900001111/15708825598".into());
    b1.id_number = Some(id.to_lowercase());
    b1.handler = Some("岳麓区人社局".into());
    b1.platform = Some("网上".into());
    b1.account = Some("yang2023".into());
    out.push(b1);
    // masked values on another platform's export, newest of all: a possible match
    let mut m1 = case("M1", "2025-01-05T09:00:00+08:00", "网上", LAMP);
    m1.name = Some("杨**".into());
    m1.phone = Some("157****5598".into());
    m1.id_number = Some("4301**********2329".into());
    out.push(m1);
    // someone else with the same name, another phone and ID
    let mut o1 = case("O1", "2024-01-01T09:00:00+08:00", "网上", LAMP);
    o1.name = Some("杨东辉".into());
    o1.phone = Some("13800001234".into());
    o1.id_number = Some(id18("11010519491231002"));
    out.push(o1);
    // a letter signed with his name and no number: nothing to confirm or refute it
    let mut n1 = case("N1", "2022-11-01T09:00:00+08:00", "来信", LAMP);
    n1.name = Some("杨东辉".into());
    out.push(n1);
    // someone else entirely
    let mut z1 = case("Z1", "2024-02-01T09:00:00+08:00", "网上", NOISE);
    z1.name = Some("张伟".into());
    z1.phone = Some("13912345678".into());
    out.push(z1);
    out
}

fn engine_at(dir: &std::path::Path) -> Engine {
    let e = Engine::open(dir).unwrap();
    e.ingest(ok(cases()), &IngestOptions::default(), |_| {})
        .unwrap();
    e
}

fn lookup(name: Option<&str>, phone: Option<&str>, id: Option<&str>) -> PersonLookup {
    PersonLookup {
        name: name.map(String::from),
        phone: phone.map(String::from),
        id_number: id.map(String::from),
        ..PersonLookup::default()
    }
}

/// (case id, match level) of every case, in the order of the history.
fn listed(h: &PersonHistory) -> Vec<(String, MatchLevel)> {
    h.matters
        .iter()
        .flat_map(|m| m.cases.iter().map(|c| (c.id.clone(), c.level)))
        .collect()
}

fn ids(h: &PersonHistory) -> Vec<String> {
    let mut v: Vec<String> = listed(h).into_iter().map(|(id, _)| id).collect();
    v.sort();
    v
}

#[test]
fn a_phone_in_any_format_finds_every_case_and_masks_come_last_as_possible() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_at(dir.path());
    for phone in [
        "15708825598",
        "+86 157-0882-5598",
        "157 0882 5598",
        "0086 15708825598",
        "１５７０８８２５５９８",
    ] {
        let h = e
            .person_history(&lookup(None, Some(phone), None), ME)
            .unwrap();
        assert_eq!(ids(&h), ["A1", "A2", "B1", "M1"], "{phone}");
        let l = listed(&h);
        // the masked case is newest but listed last, as possible
        assert_eq!(l.last().unwrap(), &("M1".to_string(), MatchLevel::Possible));
        assert!(
            l[..3].iter().all(|(_, lv)| *lv == MatchLevel::Exact),
            "{l:?}"
        );
        assert_eq!((h.exact, h.possible), (3, 1));
    }
    // a landline with or without its area code; several numbers in one field
    for phone in ["88776655", "0731-88776655", "(0731) 8877 6655"] {
        let h = e
            .person_history(&lookup(None, Some(phone), None), ME)
            .unwrap();
        assert_eq!(ids(&h), ["B1"], "{phone}");
    }
    let h = e
        .person_history(&lookup(None, Some("13800001234/15708825598"), None), ME)
        .unwrap();
    assert_eq!(ids(&h), ["A1", "A2", "B1", "M1", "O1"]);
    // a masked look-up finds the full numbers it fits, as possible matches
    let h = e
        .person_history(&lookup(None, Some("157****5598"), None), ME)
        .unwrap();
    assert_eq!(ids(&h), ["A1", "A2", "B1", "M1"]);
    assert!(listed(&h).iter().all(|(_, l)| *l == MatchLevel::Possible));
    // a service number identifies nobody: an error, not everything
    assert!(
        e.person_history(&lookup(None, Some("12345"), None), ME)
            .is_err()
    );
}

#[test]
fn an_id_number_in_15_or_18_digits_lower_case_or_full_width() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_at(dir.path());
    let id = id18(FIRST17);
    let full_width: String = id
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
        .collect();
    let fifteen = format!("{}{}", &FIRST17[..6], &FIRST17[8..]);
    for form in [id.clone(), id.to_lowercase(), full_width, fifteen] {
        let h = e
            .person_history(&lookup(None, None, Some(&form)), ME)
            .unwrap();
        assert_eq!(ids(&h), ["A1", "A2", "B1", "M1"], "{form}");
        let m1 = listed(&h).into_iter().find(|(id, _)| id == "M1").unwrap();
        assert_eq!(m1.1, MatchLevel::Possible, "the masked ID on file");
    }
    // a number that fails its checksum is refused, not guessed
    let bad = format!("{FIRST17}{}", if id.ends_with('0') { '1' } else { '0' });
    assert!(
        e.person_history(&lookup(None, None, Some(&bad)), ME)
            .is_err()
    );
}

#[test]
fn a_name_in_traditional_characters_and_masked_names_on_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_at(dir.path());
    let h = e
        .person_history(&lookup(Some("楊東輝"), None, None), ME)
        .unwrap();
    assert_eq!(ids(&h), ["A1", "A2", "B1", "M1", "N1", "O1"]);
    let l = listed(&h);
    assert_eq!(
        l.iter().find(|(id, _)| id == "M1").map(|x| x.1),
        Some(MatchLevel::Possible)
    );
    assert_eq!(
        l.iter().find(|(id, _)| id == "O1").map(|x| x.1),
        Some(MatchLevel::Exact),
        "the same full name is an exact name match"
    );
    // with a phone, the name adds only cases that record no number of their own, as
    // possible matches: the namesake with other numbers (O1) is someone else, and the
    // masked name on file (M1) is found by its masked phone, not by 杨**
    let h = e
        .person_history(&lookup(Some("杨东辉"), Some("15708825598"), None), ME)
        .unwrap();
    assert_eq!(ids(&h), ["A1", "A2", "B1", "M1", "N1"]);
    let n1 = listed(&h).into_iter().find(|(id, _)| id == "N1").unwrap();
    assert_eq!(n1.1, MatchLevel::Possible);
    let m1 = h
        .matters
        .iter()
        .flat_map(|m| &m.cases)
        .find(|c| c.id == "M1")
        .unwrap();
    assert!(
        m1.matched.iter().all(|k| k.key != KeyKind::Name),
        "{:?}",
        m1.matched
    );
    let a1 = h
        .matters
        .iter()
        .flat_map(|m| &m.cases)
        .find(|c| c.id == "A1")
        .unwrap();
    let keys: Vec<KeyKind> = a1.matched.iter().map(|k| k.key).collect();
    assert_eq!(keys, [KeyKind::Phone, KeyKind::Name]);
}

#[test]
fn an_account_is_scoped_by_its_platform() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_at(dir.path());
    let by = |a: &str| {
        e.person_history(
            &PersonLookup {
                account: Some(a.into()),
                ..PersonLookup::default()
            },
            ME,
        )
    };
    assert_eq!(ids(&by("网上:yang2023").unwrap()), ["B1"]);
    assert!(by("微信:yang2023").unwrap().matters.is_empty());
    assert!(by("yang2023").is_err(), "PLATFORM:ACCOUNT is required");
}

#[test]
fn the_history_groups_by_matter_newest_first_with_first_handler_and_latest_status() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_at(dir.path());
    let h = e
        .person_history(&lookup(None, None, Some(&id18(FIRST17))), ME)
        .unwrap();
    assert_eq!(h.matters.len(), 3, "{:#?}", h.matters);
    // exact matters newest first: the wages matter (2024), then the noise matter (2023)
    let wages = &h.matters[0];
    assert_eq!(wages.cases.len(), 1);
    assert_eq!(wages.cases[0].id, "B1");
    let noise = &h.matters[1];
    assert_eq!(noise.matter, "M-A1");
    assert_eq!(noise.submissions, 2);
    assert_eq!(noise.channels, ["网上", "电话"]);
    assert_eq!(noise.first_handler.as_deref(), Some("岳麓区住建局"));
    assert_eq!(noise.latest_status.as_deref(), Some("办理中"));
    assert!(
        noise
            .first_received
            .as_deref()
            .unwrap()
            .starts_with("2023-03-01")
    );
    assert!(
        noise
            .last_received
            .as_deref()
            .unwrap()
            .starts_with("2023-03-09")
    );
    let order: Vec<&str> = noise.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(order, ["A2", "A1"], "newest first");
    // the possible matter comes after the exact ones although it is the newest
    assert_eq!(h.matters[2].level, MatchLevel::Possible);
    assert_eq!(h.matters[2].cases[0].id, "M1");
}

#[test]
fn a_look_up_combines_with_filters_and_words() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_at(dir.path());
    let mut l = lookup(None, Some("15708825598"), None);
    l.within = SearchRequest {
        channel: Some("电话".into()),
        ..SearchRequest::default()
    };
    assert_eq!(ids(&e.person_history(&l, ME).unwrap()), ["A2"]);
    l.within = SearchRequest {
        query: "拖欠工资".into(),
        ..SearchRequest::default()
    };
    assert_eq!(ids(&e.person_history(&l, ME).unwrap()), ["B1"]);
    l.within.query = "\"未闭合".into();
    assert!(e.person_history(&l, ME).is_err(), "malformed syntax");
}

#[test]
fn every_look_up_is_audited_without_its_values_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let e = engine_at(dir.path());
        e.person_history(&lookup(None, Some("15708825598"), None), ME)
            .unwrap();
        e.person_history(&lookup(Some("杨东辉"), None, Some(&id18(FIRST17))), ME)
            .unwrap();
    }
    let e = Engine::open(dir.path()).unwrap();
    e.person_history(&lookup(None, Some("+86 157-0882-5598"), None), ME)
        .unwrap();
    let report = e.audit_report().unwrap();
    assert!(report.intact);
    assert_eq!(report.entries.len(), 3);
    let first = &report.entries[0];
    assert_eq!((first.who.as_str(), first.role.as_str()), ("tester", "cli"));
    assert_eq!(first.kinds, ["phone"]);
    assert_eq!(first.cases, 4);
    assert_eq!(first.outcome, AuditOutcome::Allowed);
    assert_eq!(report.entries[1].kinds, ["id_number", "name"]);
    // the same number in another format hashes the same: one person looked up twice
    assert_eq!(first.hashes, report.entries[2].hashes);
    for f in std::fs::read_dir(dir.path().join("audit")).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap_or_default();
        for value in ["15708825598", "0882", "杨东辉", FIRST17] {
            assert!(!text.contains(value), "{value} in the audit log");
        }
    }
}

#[test]
fn concurrent_look_ups_are_each_audited_once_and_the_chain_verifies_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let e = engine_at(dir.path());
        std::thread::scope(|s| {
            for t in 0..4 {
                let e = &e;
                s.spawn(move || {
                    for n in 0..10 {
                        let phone = if (t + n) % 2 == 0 {
                            "15708825598"
                        } else {
                            "+86 157-0882-5598"
                        };
                        let h = e
                            .person_history(&lookup(None, Some(phone), None), ME)
                            .unwrap();
                        assert_eq!(h.total, 4);
                    }
                });
            }
        });
        let report = e.audit_report().unwrap();
        assert!(report.intact, "{:?}", report.broken_at);
        assert_eq!(report.entries.len(), 40);
    }
    let e = Engine::open(dir.path()).unwrap();
    let report = e.audit_report().unwrap();
    assert!(report.intact, "{:?}", report.broken_at);
    let mut seqs: Vec<u64> = report.entries.iter().map(|e| e.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
    assert!(report.entries.iter().all(|e| e.cases == 4));
}

#[test]
fn cli_look_up_prints_the_same_structure_as_json_and_audit_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    drop(engine_at(&index));
    let bin = env!("CARGO_BIN_EXE_casematch");
    let out = Command::new(bin)
        .args(["search", "--phone", "157-0882-5598", "--json", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 4);
    assert_eq!(v["matters"][0]["cases"][0]["matched"][0]["key"], "phone");
    for k in [
        "matter",
        "match",
        "first_received",
        "last_received",
        "submissions",
        "channels",
        "first_handler",
        "latest_status",
        "cases",
    ] {
        assert!(v["matters"][0].get(k).is_some(), "{k}");
    }
    let text = Command::new(bin)
        .args(["search", "--name", "楊東輝", "--channel", "电话", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("A2") && !stdout.contains("B1"), "{stdout}");
    let audit = Command::new(bin)
        .args(["audit", "--json", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    assert!(audit.status.success(), "{audit:?}");
    let lines: Vec<Value> = String::from_utf8_lossy(&audit.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["via"], "cli");
    assert_eq!(lines[1]["kinds"], json!(["name"]));
}

fn key(name: &str, role: &str) -> KeyConfig {
    KeyConfig {
        name: name.into(),
        role: role.into(),
        key: Some(format!("{name}-key")),
        sha256: None,
    }
}

async fn post(state: &AppState, uri: &str, who: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(if body.is_null() { "GET" } else { "POST" })
        .uri(uri)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {who}-key"))
        .body(Body::from(if body.is_null() {
            String::new()
        } else {
            body.to_string()
        }))
        .unwrap();
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn http_roles_a_refused_look_up_is_audited_and_only_admins_read_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(dir.path());
    let settings = Config {
        keys: Some(vec![
            key("desk", "intake"),
            key("sup", "supervisor"),
            key("boss", "admin"),
        ]),
        ..Config::default()
    }
    .settings()
    .unwrap();
    let (state, _writer) = AppState::new(engine, settings).unwrap();
    // the desk may look up the person in front of it by a number they present
    let (s, v) = post(
        &state,
        "/v1/person",
        "desk",
        json!({"phone": "157 0882 5598"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 4);
    let shown = v["matters"][0]["cases"][0]["case"]["phone"]
        .as_str()
        .unwrap();
    assert!(!shown.contains("0882"), "masked for intake: {shown}");
    // ... not browse by a name alone
    let (s, v) = post(&state, "/v1/person", "desk", json!({"name": "杨东辉"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "forbidden");
    // the supervisor may; with filters and words
    let (s, v) = post(
        &state,
        "/v1/person",
        "sup",
        json!({"name": "楊東輝", "channel": "电话"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 1);
    let (s, _) = post(&state, "/v1/person", "sup", json!({"q": "噪音"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "no key");
    let (s, _) = post(
        &state,
        "/v1/person",
        "sup",
        json!({"phone": "x", "bogus": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "unknown field");
    // the log: supervisors may not read it, admins may
    let (s, _) = post(&state, "/v1/audit", "sup", Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, log) = post(&state, "/v1/audit", "boss", Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{log}");
    assert_eq!(log["intact"], true);
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{log}");
    assert_eq!(entries[0]["who"], "desk");
    assert_eq!(entries[0]["role"], "intake");
    assert_eq!(entries[0]["outcome"], "allowed");
    assert_eq!(entries[0]["cases"], 4);
    assert_eq!(entries[1]["outcome"], "denied");
    assert_eq!(entries[1]["kinds"], json!(["name"]));
    assert_eq!(entries[1]["cases"], 0);
    assert_eq!(entries[2]["who"], "sup");
    assert!(!log.to_string().contains("杨东辉"));
}

#[tokio::test]
async fn http_the_person_of_a_stored_case_is_looked_up_by_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(dir.path());
    let settings = Config {
        keys: Some(vec![key("desk", "intake"), key("boss", "admin")]),
        ..Config::default()
    }
    .settings()
    .unwrap();
    let (state, _writer) = AppState::new(engine, settings).unwrap();
    // A2 carries the traditional name, a formatted phone and the 15-digit ID: the page shows
    // them masked, the server reads them from the stored case
    let (s, v) = post(&state, "/v1/person", "desk", json!({"case_id": "A2"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let found: Vec<&str> = v["matters"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["cases"].as_array().unwrap())
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in ["A1", "A2", "B1", "M1"] {
        assert!(found.contains(&id), "{id} in {found:?}");
    }
    assert!(!found.contains(&"Z1"), "{found:?}");
    let mut keys: Vec<&str> = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["id_number", "name", "phone"], "{v}");
    // the keys and a case together are ambiguous; an unknown case is not found
    let (s, v) = post(
        &state,
        "/v1/person",
        "desk",
        json!({"case_id": "A2", "phone": "13912345678"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = post(&state, "/v1/person", "desk", json!({"case_id": "NOPE"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    // audited like any look-up: the kinds the case carried, no values
    let (_, log) = post(&state, "/v1/audit", "boss", Value::Null).await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["who"], "desk");
    assert_eq!(entries[0]["outcome"], "allowed");
    assert_eq!(entries[0]["cases"], found.len());
    assert!(!log.to_string().contains("5598"), "{log}");
}

#[test]
fn the_access_log_never_holds_the_looked_up_values() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    drop(engine_at(&index));
    let mut child = Command::new(env!("CARGO_BIN_EXE_casematch"))
        .args([
            "serve",
            "--log-format",
            "json",
            "--addr",
            "127.0.0.1:0",
            "--index",
        ])
        .arg(&index)
        .env(
            "CASEMATCH_KEYS",
            "desk:intake:desk-key,sup:supervisor:sup-key",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
                lines.lock().unwrap().push(line);
            }
        });
    }
    let addr = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
    let bodies = [
        (
            "desk",
            json!({"phone": "15708825598", "id_number": id18(FIRST17)}),
        ),
        ("desk", json!({"name": "杨东辉"})),
        ("sup", json!({"name": "杨东辉", "phone": "157-0882-5598"})),
    ];
    let mut statuses = Vec::new();
    for (who, body) in bodies {
        let body = body.to_string();
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        let req = format!(
            "POST /v1/person HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {who}-key\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(req.as_bytes()).unwrap();
        let mut resp = String::new();
        conn.read_to_string(&mut resp).unwrap();
        statuses.push(resp.split_whitespace().nth(1).unwrap_or("").to_string());
    }
    assert_eq!(statuses, ["200", "403", "200"]);
    // the refused look-up is logged with its route and status, as every request is; the
    // log line may follow the response, so wait for it (a loaded machine takes its time)
    let refused = || {
        lines.lock().unwrap().iter().any(|line| {
            serde_json::from_str::<Value>(line)
                .is_ok_and(|v| v["status"] == 403 && v.to_string().contains("\"/v1/person\""))
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !refused() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // and the last look-up's line too, before the server stops
    std::thread::sleep(std::time::Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let log = lines.lock().unwrap().join("\n");
    assert!(refused(), "{log}");
    for value in ["15708825598", "0882", "5598", "杨东辉", FIRST17] {
        assert!(!log.contains(value), "{value} in the access log:\n{log}");
    }
}
