//! The HTTP service: every route and error path through `app()` without a socket, and one
//! end-to-end request over loopback.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use casematch::Engine;
use casematch::server::{AppState, Config, KeyConfig, Settings, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

fn key(name: &str, role: &str) -> KeyConfig {
    KeyConfig {
        name: name.into(),
        role: role.into(),
        key: Some(format!("{name}-key")),
        sha256: None,
    }
}

fn state_with(config: Config) -> AppState {
    let base = Config {
        keys: Some(vec![
            key("desk", "intake"),
            key("sup", "supervisor"),
            key("boss", "admin"),
        ]),
        commit_interval_ms: Some(30),
        ..Config::default()
    };
    let settings = Settings::from_layers([base, config]).unwrap();
    AppState::new(Engine::in_memory().unwrap(), settings)
        .unwrap()
        .0
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    who: Option<&str>,
    ctype: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value, String) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", ctype);
    if let Some(w) = who {
        req = req.header("authorization", format!("Bearer {w}-key"));
    }
    let resp = app(state.clone())
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    )
}

async fn json_call(
    state: &AppState,
    method: &str,
    uri: &str,
    who: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let (s, v, _) = call(
        state,
        method,
        uri,
        who,
        "application/json",
        body.to_string(),
    )
    .await;
    (s, v)
}

fn assert_error(v: &Value, status: u16, code: &str) {
    assert_eq!(v["error"]["status"], status, "{v}");
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

const NOISE: &str = "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，希望有关部门依法查处夜间违规施工。";

fn noise_case(id: &str) -> Value {
    json!({"id": id, "name": "张伟", "phone": "13912345678", "id_number": "430104198807152329",
           "location": "湖南省长沙市岳麓区望月湖街道", "content": NOISE, "channel": "网上",
           "received_at": "2023-05-01T09:00:00+08:00", "handler": "岳麓区住建局"})
}

#[tokio::test]
async fn health_readiness_metrics_and_openapi_are_public() {
    let s = state_with(Config::default());
    let (st, v) = json_call(&s, "GET", "/healthz", None, Value::Null).await;
    assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (st, v) = json_call(&s, "GET", "/readyz", None, Value::Null).await;
    assert_eq!((st, v["documents"].as_u64()), (StatusCode::OK, Some(0)));
    let (st, _, text) = call(&s, "GET", "/metrics", None, "text/plain", Body::empty()).await;
    assert_eq!(st, StatusCode::OK);
    assert!(text.contains("casematch_documents 0") && text.contains("casematch_cache_hits_total"));
    assert!(
        text.contains(
            "casematch_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"
        ),
        "{text}"
    );
    let (st, v) = json_call(&s, "GET", "/openapi.json", None, Value::Null).await;
    assert_eq!(st, StatusCode::OK);
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/v1/cases",
        "/v1/cases/{id}",
        "/v1/check",
        "/v1/search",
        "/v1/dedupe/jobs",
        "/v1/dedupe/jobs/{id}/report",
    ] {
        assert!(v["paths"][path].is_object(), "{path} missing from OpenAPI");
    }
}

#[tokio::test]
async fn keys_roles_and_unknown_routes() {
    let s = state_with(Config::default());
    let (st, v) = json_call(&s, "POST", "/v1/cases", None, noise_case("A")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, 401, "unauthorized");
    let (st, v) = json_call(&s, "POST", "/v1/cases", Some("nobody"), noise_case("A")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, 401, "unauthorized");
    let (st, v) = json_call(&s, "POST", "/v1/cases", Some("sup"), noise_case("A")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_error(&v, 403, "forbidden");
    let (st, v) = json_call(&s, "GET", "/v1/search?q=噪音", Some("desk"), Value::Null).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_error(&v, 403, "forbidden");
    let (st, v) = json_call(&s, "GET", "/v1/nothing", Some("boss"), Value::Null).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, 404, "not_found");
    let (st, v) = json_call(&s, "DELETE", "/v1/check", Some("boss"), Value::Null).await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&v, 405, "method_not_allowed");
}

#[tokio::test]
async fn cases_add_replace_read_with_masking_and_bulk() {
    let s = state_with(Config::default());
    let (st, v) = json_call(&s, "POST", "/v1/cases", Some("desk"), noise_case("A")).await;
    assert_eq!(
        (st, v["result"].as_str()),
        (StatusCode::CREATED, Some("added"))
    );
    let (_, v) = json_call(&s, "POST", "/v1/cases", Some("desk"), noise_case("A")).await;
    assert_eq!(v["result"], "replaced");
    let ndjson = format!(
        "{}\n{{broken\n{}\n",
        json!({"id": "B", "content": "路灯坏了"}),
        json!({"id": "C", "headcount": "many"})
    );
    let (st, v, _) = call(
        &s,
        "POST",
        "/v1/cases",
        Some("desk"),
        "application/x-ndjson",
        ndjson,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["errors"], true);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        (items[0]["status"].as_u64(), items[0]["result"].as_str()),
        (Some(201), Some("added"))
    );
    assert_eq!(
        (items[1]["line"].as_u64(), items[1]["status"].as_u64()),
        (Some(2), Some(400))
    );
    assert!(
        items[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("headcount")
    );
    s.writer.commit().await.unwrap();
    let (st, v) = json_call(&s, "GET", "/v1/cases/A", Some("sup"), Value::Null).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["case"]["phone"], "139****5678");
    assert_eq!(v["case"]["id_number"], "4301**********2329");
    assert!(
        v["division"]["code"]
            .as_str()
            .unwrap()
            .starts_with("430104"),
        "{v}"
    );
    let (_, v) = json_call(&s, "GET", "/v1/cases/A", Some("boss"), Value::Null).await;
    assert_eq!(v["case"]["phone"], "13912345678");
    let (st, v) = json_call(&s, "GET", "/v1/cases/ZZZ", Some("sup"), Value::Null).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, 404, "not_found");
    // a second read is served from the cache, and writes invalidate it
    let (_, _, metrics) = call(&s, "GET", "/metrics", None, "text/plain", Body::empty()).await;
    assert!(
        metrics.contains("casematch_cache_hits_total 1"),
        "{metrics}"
    );
    let mut changed = noise_case("A");
    changed["content"] = json!("内容已更新");
    json_call(&s, "POST", "/v1/cases", Some("boss"), changed).await;
    s.writer.commit().await.unwrap();
    let (_, v) = json_call(&s, "GET", "/v1/cases/A", Some("boss"), Value::Null).await;
    assert_eq!(v["case"]["content"], "内容已更新");
    // a platform account is an identifier too: masked for supervisors as in search and export
    let with_account = json!({"id": "D", "content": "路灯坏了", "platform": "问政平台", "account": "wx_openid_9876"});
    let (st, _) = json_call(&s, "POST", "/v1/cases", Some("desk"), with_account).await;
    assert_eq!(st, StatusCode::CREATED);
    s.writer.commit().await.unwrap();
    let (_, v) = json_call(&s, "GET", "/v1/cases/D", Some("sup"), Value::Null).await;
    let masked = v["case"]["account"].as_str().unwrap().to_string();
    assert!(
        masked.starts_with("wx") && masked.ends_with("76") && masked.contains('*'),
        "{masked}"
    );
    assert!(!masked.contains("openid"), "{masked}");
    let (_, v) = json_call(&s, "GET", "/v1/cases/D", Some("boss"), Value::Null).await;
    assert_eq!(v["case"]["account"], "wx_openid_9876");
}

#[tokio::test]
async fn malformed_bodies_and_oversized_requests_are_json_errors() {
    let s = state_with(Config {
        body_limit_bytes: Some(2048),
        ..Config::default()
    });
    let (st, v, _) = call(
        &s,
        "POST",
        "/v1/check",
        Some("desk"),
        "application/json",
        "{\"id\": ",
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_error(&v, 400, "bad_request");
    let (st, v) = json_call(
        &s,
        "POST",
        "/v1/check",
        Some("desk"),
        json!({"id": "X", "content": {"not": "text"}}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap().contains("content"));
    let (st, v) = json_call(
        &s,
        "POST",
        "/v1/cases",
        Some("desk"),
        json!({"content": "没有编号"}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap().contains("id"));
    let big = json!({"id": "BIG", "content": "很长".repeat(2000)});
    let (st, v) = json_call(&s, "POST", "/v1/cases", Some("desk"), big.clone()).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&v, 413, "payload_too_large");
    let (st, v) = json_call(&s, "POST", "/v1/check", Some("desk"), big).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&v, 413, "payload_too_large");
    let (st, v, _) = call(&s, "POST", "/v1/check", Some("desk"), "text/plain", "{}").await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_error(&v, 415, "unsupported_media_type");
}

#[tokio::test]
async fn check_finds_the_duplicate_and_add_registers_the_submission() {
    let s = state_with(Config::default());
    json_call(&s, "POST", "/v1/cases", Some("desk"), noise_case("WEB-1")).await;
    s.writer.commit().await.unwrap();
    let mut q = noise_case("TEL-2");
    q["channel"] = json!("电话");
    q["received_at"] = json!("2023-05-09T10:00:00+08:00");
    q["content"] = json!(format!("来电人反映：{NOISE}"));
    let (st, v) = json_call(&s, "POST", "/v1/check?add=true", Some("desk"), q).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["verdict"], "DUPLICATE", "{v}");
    assert_eq!(v["matches"][0]["id"], "WEB-1");
    assert_eq!(v["routing"]["original_id"], "WEB-1");
    assert_eq!(v["routing"]["handler"], "岳麓区住建局");
    assert_eq!(v["added"], "added");
    let evidence = v["matches"][0]["evidence"].to_string();
    assert!(
        !evidence.contains("13912345678") && !evidence.contains("430104198807152329"),
        "{evidence}"
    );
    s.writer.commit().await.unwrap();
    let (st, _) = json_call(&s, "GET", "/v1/cases/TEL-2", Some("sup"), Value::Null).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn search_with_filters_pagination_highlights_and_similar() {
    let s = state_with(Config::default());
    let mut lines = String::new();
    for i in 0..15 {
        let mut c = noise_case(&format!("N{i:02}"));
        c["name"] = json!(format!("居民{i}"));
        c["phone"] = json!(format!("1370000{i:04}"));
        lines.push_str(&c.to_string());
        lines.push('\n');
    }
    lines.push_str(&json!({"id": "Z1", "location": "湖南省株洲市芦淞区", "content": "夜间施工噪音扰民", "channel": "电话"}).to_string());
    call(
        &s,
        "POST",
        "/v1/cases",
        Some("desk"),
        "application/x-ndjson",
        lines,
    )
    .await;
    s.writer.commit().await.unwrap();
    let (st, v) = json_call(
        &s,
        "GET",
        "/v1/search?q=%E5%99%AA%E9%9F%B3&place=%E9%95%BF%E6%B2%99&limit=10",
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 15);
    assert_eq!(v["hits"].as_array().unwrap().len(), 10);
    assert!(
        v["hits"][0]["highlights"][0]["html"]
            .as_str()
            .unwrap()
            .contains("<em>噪音</em>")
    );
    assert_eq!(
        v["hits"][0]["case"]["phone"]
            .as_str()
            .unwrap()
            .matches('*')
            .count(),
        4
    );
    let (_, v) = json_call(
        &s,
        "POST",
        "/v1/search",
        Some("sup"),
        json!({"q": "噪音", "channel": "电话"}),
    )
    .await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["case"]["id"], "Z1");
    let (_, v) = json_call(
        &s,
        "POST",
        "/v1/search",
        Some("sup"),
        json!({"q": "噪音", "limit": 5, "offset": 10}),
    )
    .await;
    assert_eq!(v["hits"].as_array().unwrap().len(), 5);
    let (st, v) = json_call(
        &s,
        "GET",
        "/v1/search?q=x&from=yesterday",
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_error(&v, 400, "bad_request");
    let (st, _) = json_call(
        &s,
        "GET",
        "/v1/search?q=x&colour=red",
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, v) = json_call(
        &s,
        "GET",
        "/v1/search?q=x&place=%E9%BC%93%E6%A5%BC%E5%8C%BA",
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ambiguous")
    );
    let (st, v) = json_call(
        &s,
        "GET",
        "/v1/search?similar_to=N00&limit=3",
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["hits"].as_array().unwrap().len(), 3);
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["case"]["id"] != "N00")
    );
    let (st, _) = json_call(
        &s,
        "GET",
        "/v1/search?similar_to=NOPE",
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn dedupe_jobs_upload_poll_and_fetch_results() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("export.jsonl"),
        format!("{}\n", noise_case("F1")),
    )
    .unwrap();
    let s = state_with(Config {
        dedupe_dir: Some(dir.path().to_path_buf()),
        ..Config::default()
    });
    let mut upload = String::new();
    for id in ["U1", "U2"] {
        upload.push_str(&noise_case(id).to_string());
        upload.push('\n');
    }
    upload.push_str("{not json\n");
    let (st, v, _) = call(
        &s,
        "POST",
        "/v1/dedupe/jobs",
        Some("sup"),
        "application/x-ndjson",
        upload,
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let url = v["status_url"].as_str().unwrap().to_string();
    let mut status = Value::Null;
    for _ in 0..200 {
        status = json_call(&s, "GET", &url, Some("sup"), Value::Null).await.1;
        if status["state"] == "done" || status["state"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(
        (status["records"].as_u64(), status["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    let (st, _, groups) = call(
        &s,
        "GET",
        &format!("{url}/groups"),
        Some("sup"),
        "application/json",
        Body::empty(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let rows: Vec<Value> = groups
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["duplicate_group"], rows[1]["duplicate_group"]);
    let (st, v) = json_call(
        &s,
        "GET",
        &format!("{url}/report"),
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!((st, v["records"].as_u64()), (StatusCode::OK, Some(2)));
    let (_, _, html) = call(
        &s,
        "GET",
        &format!("{url}/report?format=html"),
        Some("sup"),
        "text/html",
        Body::empty(),
    )
    .await;
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"));
    let (st, _) = json_call(
        &s,
        "POST",
        "/v1/dedupe/jobs",
        Some("sup"),
        json!({"inputs": [{"path": "export.jsonl"}]}),
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, v) = json_call(
        &s,
        "POST",
        "/v1/dedupe/jobs",
        Some("sup"),
        json!({"inputs": [{"path": "../../etc/passwd"}]}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    let (st, _) = json_call(
        &s,
        "GET",
        "/v1/dedupe/jobs/job-999",
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let no_dir = state_with(Config::default());
    let (st, v) = json_call(
        &no_dir,
        "POST",
        "/v1/dedupe/jobs",
        Some("sup"),
        json!({"inputs": [{"path": "x.jsonl"}]}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("dedupe_dir")
    );
}

/// Polls a job until it is done or failed.
async fn finished_job(s: &AppState, url: &str) -> Value {
    let mut status = Value::Null;
    for _ in 0..500 {
        status = json_call(s, "GET", url, Some("sup"), Value::Null).await.1;
        if status["state"] == "done" || status["state"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    status
}

/// The groups of a finished job, record id → duplicate group.
async fn job_groups(s: &AppState, url: &str) -> std::collections::HashMap<String, String> {
    let (st, _, text) = call(
        s,
        "GET",
        &format!("{url}/groups"),
        Some("sup"),
        "application/json",
        Body::empty(),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{text}");
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["duplicate_group"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn query_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const WAGES: &str = "华兴建筑公司拖欠十二名工人工资共计八万六千元，多次讨要未果。";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[tokio::test]
async fn dedupe_csv_upload_in_gb18030_with_a_title_row_previews_and_runs_with_a_mapping() {
    let s = state_with(Config::default());
    // 反映事项 is no known header: the preview keeps it as an extra column, the job maps it
    let mut text =
        String::from("2024年5月信访登记表,,,,,\n编号,来信人,联系电话,问题属地,反映事项,登记时间\n");
    for id in ["C1", "C2"] {
        text.push_str(&format!(
            "{id},张伟,13912345678,湖南省长沙市岳麓区望月湖街道,{NOISE},2023/05/01 09:00\n"
        ));
    }
    text.push_str(&format!(
        "C3,王强,13600002222,湖南省株洲市芦淞区,{WAGES},2023/05/02 10:00\n"
    ));
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let gbk = gbk.into_owned();

    let (st, p, _) = call(
        &s,
        "POST",
        "/v1/dedupe/preview",
        Some("sup"),
        "text/csv",
        gbk.clone(),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["format"], "csv");
    assert_eq!(p["encoding"], "GB18030");
    assert_eq!(p["header_row"], 1);
    assert_eq!(p["headers"][1], "来信人");
    assert_eq!(p["fields"][1], "name");
    assert_eq!(p["columns"]["编号"], "id");
    assert_eq!(p["columns"]["登记时间"], "received_at");
    assert_eq!(p["columns"]["反映事项"], "反映事项", "an extra column");
    assert_eq!(p["rows"].as_array().unwrap().len(), 3);
    assert_eq!(p["rows"][2][0], "C3");
    assert_eq!(p["rows"][0][1], "张伟");
    assert!(
        p["known_fields"]
            .as_array()
            .unwrap()
            .contains(&json!("content"))
    );

    let columns = json!({"编号": "id", "来信人": "name", "反映事项": "content"}).to_string();
    let (st, v, _) = call(
        &s,
        "POST",
        &format!("/v1/dedupe/jobs?columns={}", query_escape(&columns)),
        Some("sup"),
        "text/csv; charset=gb18030",
        gbk,
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let url = v["status_url"].as_str().unwrap().to_string();
    let status = finished_job(&s, &url).await;
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(
        (status["records"].as_u64(), status["rejected"].as_u64()),
        (Some(3), Some(0)),
        "{status}"
    );
    let groups = job_groups(&s, &url).await;
    assert_eq!(groups.len(), 3);
    assert_eq!(groups["C1"], groups["C2"], "{groups:?}");
    assert_ne!(groups["C1"], groups["C3"], "{groups:?}");
    let (st, report) = json_call(
        &s,
        "GET",
        &format!("{url}/report"),
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!((st, report["records"].as_u64()), (StatusCode::OK, Some(3)));
}

#[tokio::test]
async fn dedupe_xlsx_upload_with_serial_dates_and_a_contact_column_runs_to_done() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("登记").unwrap();
    sheet.write_string(0, 0, "2024年5月来电登记").unwrap();
    for (c, h) in [
        "工单号",
        "来电人",
        "联系方式",
        "问题属地",
        "来电内容",
        "来电时间",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let rows = [
        (
            "X1",
            "张伟",
            "13912345678 长沙市岳麓区麓山路12号",
            "湖南省长沙市岳麓区望月湖街道",
            NOISE,
        ),
        (
            "X2",
            "张伟",
            "13912345678",
            "湖南省长沙市岳麓区望月湖街道",
            NOISE,
        ),
        ("X3", "王强", "13600002222", "湖南省株洲市芦淞区", WAGES),
    ];
    for (r, (id, name, contact, place, content)) in rows.iter().enumerate() {
        let r = 3 + r as u32;
        sheet.write_string(r, 0, *id).unwrap();
        sheet.write_string(r, 1, *name).unwrap();
        sheet.write_string(r, 2, *contact).unwrap();
        sheet.write_string(r, 3, *place).unwrap();
        sheet.write_string(r, 4, *content).unwrap();
        // 2023-05-01 09:00 and later, as a serial number
        sheet.write_number(r, 5, 45047.375 + r as f64).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let s = state_with(Config::default());

    let (st, p, _) = call(
        &s,
        "POST",
        "/v1/dedupe/preview",
        Some("sup"),
        XLSX,
        bytes.clone(),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(
        (p["format"].as_str(), p["sheet"].as_str()),
        (Some("xlsx"), Some("登记"))
    );
    assert_eq!(p["header_row"], 2);
    assert_eq!(p["columns"]["工单号"], "id");
    assert_eq!(p["columns"]["联系方式"], "contact");
    assert_eq!(p["columns"]["来电时间"], "received_at");
    assert!(
        p["rows"][0][5].as_str().unwrap().starts_with("2023-05-0"),
        "a serial date shown as a date: {p}"
    );

    let (st, v, _) = call(
        &s,
        "POST",
        "/v1/dedupe/jobs?format=xlsx",
        Some("sup"),
        "application/octet-stream",
        bytes,
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let url = v["status_url"].as_str().unwrap().to_string();
    let status = finished_job(&s, &url).await;
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(status["records"], 3, "{status}");
    let groups = job_groups(&s, &url).await;
    assert_eq!(groups["X1"], groups["X2"], "{groups:?}");
    assert_ne!(groups["X1"], groups["X3"], "{groups:?}");
}

#[tokio::test]
async fn bad_uploads_are_json_errors_naming_the_problem() {
    let s = state_with(Config::default());
    let cases: [(&str, &str, Vec<u8>, &str); 7] = [
        ("", "text/csv", "甲,乙,丙\n1,2,3\n".into(), "no header row"),
        (
            "",
            "text/csv",
            [b"id,name\n".as_slice(), &[0xff; 300]].concat(),
            "unknown text encoding",
        ),
        (
            "?encoding=latin1",
            "text/csv",
            "编号,姓名\nA,张伟\n".into(),
            "unknown encoding",
        ),
        ("", XLSX, "编号,姓名\n".into(), "cannot read the workbook"),
        (
            "?format=pdf",
            "application/octet-stream",
            "x".into(),
            "unknown format",
        ),
        (
            "?columns=%7B%22x%22%3A%22nosuch%22%7D",
            "text/csv",
            "编号,姓名\nA,张伟\n".into(),
            "unknown field",
        ),
        (
            "?columns=notjson",
            "text/csv",
            "编号,姓名\nA,张伟\n".into(),
            "columns",
        ),
    ];
    for route in ["/v1/dedupe/preview", "/v1/dedupe/jobs"] {
        for (query, ctype, body, expected) in &cases {
            let (st, v, text) = call(
                &s,
                "POST",
                &format!("{route}{query}"),
                Some("sup"),
                ctype,
                body.clone(),
            )
            .await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{route}{query}: {text}");
            assert_error(&v, 400, "bad_request");
            let message = v["error"]["message"].as_str().unwrap();
            assert!(message.contains(expected), "{route}{query}: {message}");
        }
    }
    // JSONL: the keys of the first lines, in order, with the mapping applied
    let jsonl = format!(
        "{}\n{}\n",
        json!({"id": "J1", "来信人": "张伟"}),
        json!({"id": "J2", "备注": 3})
    );
    let (st, p, _) = call(
        &s,
        "POST",
        &format!(
            "/v1/dedupe/preview?format=jsonl&columns={}",
            query_escape(r#"{"备注":"content"}"#)
        ),
        Some("sup"),
        "application/octet-stream",
        jsonl,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["headers"], json!(["id", "来信人", "备注"]));
    assert_eq!(p["fields"], json!(["id", "name", "content"]));
    assert_eq!(p["rows"], json!([["J1", "张伟", ""], ["J2", "", "3"]]));
    // a preview needs a file type; JSON is a job request
    let (st, v) = json_call(
        &s,
        "POST",
        "/v1/dedupe/preview",
        Some("sup"),
        json!({"inputs": []}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("format"),
        "{v}"
    );
    let (st, _, _) = call(
        &s,
        "POST",
        "/v1/dedupe/preview",
        Some("desk"),
        "text/csv",
        "编号,姓名\n",
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn rate_limit_answers_429() {
    let s = state_with(Config {
        rate_limit_per_minute: Some(2),
        ..Config::default()
    });
    for _ in 0..2 {
        let (st, _) = json_call(&s, "GET", "/v1/search?q=x", Some("sup"), Value::Null).await;
        assert_eq!(st, StatusCode::OK);
    }
    let (st, v) = json_call(&s, "GET", "/v1/search?q=x", Some("sup"), Value::Null).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert_error(&v, 429, "rate_limited");
    // another key has its own bucket
    let (st, _) = json_call(&s, "GET", "/v1/search?q=x", Some("boss"), Value::Null).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn cors_headers_only_for_configured_origins() {
    let s = state_with(Config {
        cors_origins: Some(vec!["https://desk.example".into()]),
        ..Config::default()
    });
    let req = Request::builder()
        .uri("/healthz")
        .header("origin", "https://desk.example")
        .body(Body::empty())
        .unwrap();
    let resp = app(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://desk.example"
    );
    let req = Request::builder()
        .uri("/healthz")
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    let resp = app(s).oneshot(req).await.unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_to_end_over_a_loopback_socket() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = state_with(Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, app(s)).into_future());
    let body = noise_case("E1").to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer desk-key\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let json_start = response.find("\r\n\r\n").unwrap() + 4;
    let v: Value = serde_json::from_str(response[json_start..].trim()).unwrap_or_else(|_| {
        // chunked encoding: take the JSON between the first '{' and the last '}'
        let (a, b) = (response.find('{').unwrap(), response.rfind('}').unwrap());
        serde_json::from_str(&response[a..=b]).unwrap()
    });
    assert_eq!(v["id"], "E1");
    assert_eq!(v["verdict"], "NEW");
    server.abort();
}

#[tokio::test]
async fn acknowledged_writes_survive_shutdown_before_the_index_commit() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Config {
        index: Some(dir.path().to_path_buf()),
        index_commit_ms: Some(3_600_000),
        keys: Some(vec![key("desk", "intake")]),
        ..Config::default()
    }
    .settings()
    .unwrap();
    let (state, writer) = AppState::new(Engine::open(dir.path()).unwrap(), settings).unwrap();
    let (st, _) = json_call(
        &state,
        "POST",
        "/v1/cases",
        Some("desk"),
        noise_case("KEEP"),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(
        state.engine.index().num_cases(),
        0,
        "in the write log, not the index yet"
    );
    assert_eq!(state.writer.health().log_syncs(), 1);
    drop(state);
    tokio::task::spawn_blocking(move || writer.join())
        .await
        .unwrap()
        .unwrap();
    let reopened = Engine::open(dir.path()).unwrap();
    assert!(reopened.get("KEEP").unwrap().is_some());
}

#[tokio::test]
async fn web_page_places_and_related_cases() {
    let s = state_with(Config::default());
    let (st, _, html) = call(&s, "GET", "/", None, "text/html", Body::empty()).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("/ui/app.js") && html.contains("intake-form"));
    let (st, _, js) = call(
        &s,
        "GET",
        "/ui/app.js",
        None,
        "text/javascript",
        Body::empty(),
    )
    .await;
    assert!(st == StatusCode::OK && js.contains("/v1/check"));
    let (_, v) = json_call(
        &s,
        "GET",
        "/v1/places?q=%E9%95%BF%E6%B2%99",
        None,
        Value::Null,
    )
    .await;
    assert_eq!(v[0]["code"], "4301", "{v}");
    json_call(&s, "POST", "/v1/cases", Some("desk"), noise_case("R1")).await;
    let mut second = noise_case("R2");
    second["received_at"] = json!("2023-05-08T09:00:00+08:00");
    json_call(&s, "POST", "/v1/cases", Some("desk"), second).await;
    s.writer.commit().await.unwrap();
    let (st, v) = json_call(
        &s,
        "GET",
        "/v1/cases/R2?related=true",
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["related"]["verdict"], "DUPLICATE", "{v}");
    assert_eq!(v["related"]["matches"][0]["id"], "R1");
}

#[tokio::test]
async fn parameters_out_of_bounds_are_400_not_a_dead_process() {
    let s = state_with(Config::default());
    let (st, v) = json_call(
        &s,
        "GET",
        "/v1/search?q=%E5%99%AA%E9%9F%B3&offset=100000000000",
        Some("sup"),
        Value::Null,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_error(&v, 400, "bad_request");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("offset + limit must be at most 10000"),
        "{v}"
    );
    for uri in [
        "/v1/search?q=x&limit=0",
        "/v1/search?q=x&limit=1000",
        "/v1/search?q=x&offset=9995&limit=10",
        "/v1/search?q=x&offset=-1",
        "/v1/search?similar_to=N00&limit=101",
    ] {
        let (st, v) = json_call(&s, "GET", uri, Some("sup"), Value::Null).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_error(&v, 400, "bad_request");
    }
    let (st, v) = json_call(
        &s,
        "POST",
        "/v1/search",
        Some("sup"),
        json!({"q": "噪".repeat(1001)}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("q must be")
    );
    let (st, _) = json_call(
        &s,
        "POST",
        "/v1/search",
        Some("sup"),
        json!({"q": "噪音", "offset": 9_990, "limit": 10}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "the deepest page allowed is served");
    let lines = "{\"id\":\"L\"}\n".repeat(10_001);
    let (st, v, _) = call(
        &s,
        "POST",
        "/v1/cases",
        Some("desk"),
        "application/x-ndjson",
        lines,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("10000 cases")
    );
}

async fn call_router(router: axum::Router, uri: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .uri(uri)
        .header("authorization", "Bearer sup-key")
        .body(Body::empty())
        .unwrap();
    let resp = router.oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_handler_panic_is_a_500_json_and_the_next_request_is_served() {
    use axum::routing::get;
    let s = state_with(Config::default());
    let extra = axum::Router::new().route(
        "/v1/boom",
        get(|| async {
            let v: Vec<u8> = Vec::new();
            #[allow(clippy::out_of_bounds_indexing, unconditional_panic)]
            let _ = v[3];
            "unreachable"
        }),
    );
    let router = casematch::server::app_with(extra, s.clone());
    let (st, v) = call_router(router.clone(), "/v1/boom").await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
    assert_error(&v, 500, "internal");
    let (st, v) = call_router(router, "/v1/search?q=x").await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn a_slow_request_is_a_503_json_after_the_timeout() {
    use axum::routing::get;
    let s = state_with(Config {
        request_timeout_ms: Some(50),
        ..Config::default()
    });
    let extra = axum::Router::new().route(
        "/v1/slow",
        get(|| async {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            "late"
        }),
    );
    let started = std::time::Instant::now();
    let (st, v) = call_router(casematch::server::app_with(extra, s), "/v1/slow").await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&v, 503, "unavailable");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_share_commits_and_each_is_committed_when_acknowledged() {
    let s = state_with(Config::default());
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let (st, _) = json_call(
                &s,
                "POST",
                "/v1/cases",
                Some("desk"),
                noise_case(&format!("G{i}")),
            )
            .await;
            assert_eq!(st, StatusCode::CREATED);
            // acknowledged means committed: readable at once, no explicit commit
            assert!(s.engine.get(&format!("G{i}")).unwrap().is_some());
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let commits = s.writer.health().commits();
    assert!(
        (1..40).contains(&commits),
        "{commits} commits for 40 writes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_commits_every_interval_under_sustained_load() {
    let s = state_with(Config {
        commit_interval_ms: Some(40),
        commit_batch_max: Some(1_000_000),
        ..Config::default()
    });
    // each client writes one case after another: every write waits for a commit, so a
    // writer that held writes for a full batch (a million cases) would never answer
    const ROUNDS: u64 = 8;
    let mut tasks = Vec::new();
    for c in 0..4 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut worst = std::time::Duration::ZERO;
            for i in 0..ROUNDS {
                let t = std::time::Instant::now();
                let (st, _) = json_call(
                    &s,
                    "POST",
                    "/v1/cases",
                    Some("desk"),
                    noise_case(&format!("S{c}-{i}")),
                )
                .await;
                assert_eq!(st, StatusCode::CREATED);
                worst = worst.max(t.elapsed());
            }
            worst
        }));
    }
    let mut worst = std::time::Duration::ZERO;
    for t in tasks {
        worst = worst.max(t.await.unwrap());
    }
    assert!(
        s.writer.health().commits() >= ROUNDS,
        "{}",
        s.writer.health().commits()
    );
    // the window (40 ms) plus one commit of a debug build on a shared machine
    assert!(worst < std::time::Duration::from_secs(3), "{worst:?}");
}

#[tokio::test]
async fn a_failed_commit_is_retried_then_the_writer_fails_loudly() {
    let s = state_with(Config::default());
    s.writer.inject_commit_failures(1);
    let (st, _) = json_call(&s, "POST", "/v1/cases", Some("desk"), noise_case("RETRY")).await;
    assert_eq!(st, StatusCode::CREATED, "one failure is retried");
    assert!(s.engine.get("RETRY").unwrap().is_some());
    assert_eq!(s.writer.health().commit_failures(), 1);
    s.writer.inject_commit_failures(100);
    let (st, v) = json_call(&s, "POST", "/v1/cases", Some("desk"), noise_case("LOST")).await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_error(&v, 503, "unavailable");
    assert!(
        s.engine.get("LOST").unwrap().is_none(),
        "not acknowledged, not committed"
    );
    let (st, v) = json_call(&s, "GET", "/readyz", None, Value::Null).await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&v, 503, "unavailable");
    let (st, _) = json_call(
        &s,
        "POST",
        "/v1/check?add=true",
        Some("desk"),
        noise_case("C"),
    )
    .await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    let (st, _) = json_call(&s, "GET", "/v1/cases/RETRY", Some("sup"), Value::Null).await;
    assert_eq!(st, StatusCode::OK, "reads go on");
    let (_, _, metrics) = call(&s, "GET", "/metrics", None, "text/plain", Body::empty()).await;
    assert!(metrics.contains("casematch_writer_failed 1"), "{metrics}");
}

#[tokio::test]
async fn a_full_dedupe_queue_is_429_and_results_are_served_after() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("slow.jsonl");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let s = state_with(Config {
        dedupe_dir: Some(dir.path().to_path_buf()),
        job_workers: Some(1),
        job_queue: Some(1),
        ..Config::default()
    });
    let start = |s: AppState| async move {
        json_call(
            &s,
            "POST",
            "/v1/dedupe/jobs",
            Some("sup"),
            json!({"inputs": [{"path": "slow.jsonl"}]}),
        )
        .await
    };
    // the first job blocks reading the pipe, the second waits for the worker
    let (st, first) = start(s.clone()).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, second) = start(s.clone()).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, v) = start(s.clone()).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_error(&v, 429, "rate_limited");
    let url = second["status_url"].as_str().unwrap().to_string();
    // whichever thread takes the worker first runs; the other waits
    let mut states = Vec::new();
    for u in [first["status_url"].as_str().unwrap(), url.as_str()] {
        let (_, status) = json_call(&s, "GET", u, Some("sup"), Value::Null).await;
        states.push(status["state"].as_str().unwrap().to_string());
    }
    states.sort();
    assert!(states.contains(&"queued".to_string()), "{states:?}");
    // one record to each reader that opens the pipe, until both jobs are done
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let feeder = {
        let (fifo, stop) = (fifo.clone(), stop.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            const O_NONBLOCK: i32 = 0o4000;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // fails at once while no job has the pipe open for reading
                match std::fs::OpenOptions::new()
                    .write(true)
                    .custom_flags(O_NONBLOCK)
                    .open(&fifo)
                {
                    Ok(mut f) => {
                        let _ = writeln!(f, "{}", noise_case("P1"));
                        drop(f);
                        // the reader sees the end of the file once no writer holds the pipe
                        std::thread::sleep(std::time::Duration::from_millis(300));
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        })
    };
    for url in [first["status_url"].as_str().unwrap(), url.as_str()] {
        let mut status = Value::Null;
        for _ in 0..500 {
            status = json_call(&s, "GET", url, Some("sup"), Value::Null).await.1;
            if status["state"] == "done" || status["state"] == "failed" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(status["state"], "done", "{status}");
        let (st, _, groups) = call(
            &s,
            "GET",
            &format!("{url}/groups"),
            Some("sup"),
            "application/json",
            Body::empty(),
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert!(groups.contains("P1"), "{groups}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    feeder.join().unwrap();
}

/// A request with raw headers, for the credential and rate-limit rules.
async fn raw_call(
    state: &AppState,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
) -> axum::response::Response {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app(state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn any_invalid_credential_is_refused_and_authorization_wins() {
    let s = state_with(Config::default());
    let search = "/v1/search?q=x";
    // an invalid bearer beside a valid X-API-Key: refused, not authenticated by the other
    let r = raw_call(
        &s,
        "GET",
        search,
        &[("authorization", "Bearer nope"), ("x-api-key", "boss-key")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().contains_key("www-authenticate"));
    let r = raw_call(
        &s,
        "GET",
        search,
        &[("authorization", "Bearer boss-key"), ("x-api-key", "nope")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // both valid: Authorization's key is the caller (the intake desk may not search)
    let r = raw_call(
        &s,
        "GET",
        search,
        &[
            ("authorization", "Bearer desk-key"),
            ("x-api-key", "boss-key"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = raw_call(&s, "GET", search, &[("x-api-key", "sup-key")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    // an invalid credential on a public route is refused too
    let r = raw_call(&s, "GET", "/healthz", &[("x-api-key", "nope")]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = raw_call(&s, "GET", "/healthz", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn unauthenticated_and_public_requests_are_limited_with_retry_after() {
    let s = state_with(Config {
        rate_limit_per_minute: Some(3),
        ..Config::default()
    });
    // failed logins count against the client's address
    for _ in 0..3 {
        let r = raw_call(&s, "GET", "/v1/search?q=x", &[("x-api-key", "guess")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = raw_call(&s, "GET", "/v1/search?q=x", &[("x-api-key", "guess")]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    // the public place suggestions share the address's bucket
    let r = raw_call(&s, "GET", "/v1/places?q=长沙", &[]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // a valid key has its own bucket
    let r = raw_call(
        &s,
        "GET",
        "/v1/places?q=%E9%95%BF%E6%B2%99",
        &[("x-api-key", "sup-key")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_labels_stay_bounded() {
    let s = state_with(Config::default());
    for m in ["FOO", "BAR", "X-ANYTHING", "GET"] {
        raw_call(&s, m, "/healthz", &[]).await;
    }
    raw_call(&s, "GET", "/no/such/\"route\"", &[]).await;
    let (_, _, text) = call(&s, "GET", "/metrics", None, "text/plain", Body::empty()).await;
    assert!(!text.contains("FOO") && !text.contains("BAR") && !text.contains("X-ANYTHING"));
    assert!(text.contains("method=\"other\""), "{text}");
    assert!(text.contains("route=\"unmatched\""), "{text}");
    assert!(!text.contains("no/such"), "{text}");
    assert!(text.contains("casematch_requests_total{"), "{text}");
    assert!(
        text.contains("casematch_request_duration_seconds_bucket{"),
        "{text}"
    );
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_access_log_has_request_ids_and_no_personal_data() {
    let s = state_with(Config::default());
    // one subscriber for the whole test binary: a thread-local one misses events while other
    // tests register the same call sites; every test's log lands here, and none may hold
    // personal data either
    static LOG: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    let buf = LOG
        .get_or_init(|| {
            let buf = Captured::default();
            let writer = buf.clone();
            let subscriber = tracing_subscriber::fmt()
                .json()
                .with_max_level(tracing::Level::INFO)
                .with_writer(move || writer.clone())
                .finish();
            let _ = tracing::subscriber::set_global_default(subscriber);
            buf
        })
        .clone();
    let (st, _) = json_call(
        &s,
        "POST",
        "/v1/check",
        Some("desk"),
        json!({"id": "Q1", "name": "张伟", "phone": "13912345678", "id_number": "430104198001011234",
               "content": NOISE}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let r = raw_call(
        &s,
        "GET",
        "/v1/cases/%E5%BC%A0%E4%BC%9F-13912345678?related=true",
        &[("x-api-key", "sup-key"), ("x-request-id", "trace-42")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["x-request-id"], "trace-42");
    let r = raw_call(&s, "GET", "/healthz", &[]).await;
    let given = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(given.len(), 16);
    let log = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    for secret in [
        "张伟",
        "13912345678",
        "430104198001011234",
        "%E5%BC%A0",
        "related=true",
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    assert!(
        log.contains("/v1/cases/{id}") && log.contains("/v1/check"),
        "{log}"
    );
    assert!(log.contains("trace-42") && log.contains(&given), "{log}");
    assert!(
        log.lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{log}"
    );
}

/// Every operation the OpenAPI document names is a route of the router, with the method
/// the document gives, and the document is OpenAPI 3.1 with both security schemes.
#[tokio::test]
async fn the_openapi_document_names_only_routes_that_exist() {
    let s = state_with(Config::default());
    let (st, doc, _) = call(
        &s,
        "GET",
        "/openapi.json",
        None,
        "application/json",
        Body::empty(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["api_key"]["name"], "X-API-Key");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 13, "{}", paths.len());
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let uri = path.replace("{id}", "no-such-id");
            let r = raw_call(
                &s,
                &method.to_uppercase(),
                &uri,
                &[("x-api-key", "boss-key")],
            )
            .await;
            let status = r.status();
            let body = r.into_body().collect().await.unwrap().to_bytes();
            let text = String::from_utf8_lossy(&body);
            assert!(
                status != StatusCode::METHOD_NOT_ALLOWED && !text.contains("no such route"),
                "{method} {path}: {status} {text}"
            );
            // every status the server gave is documented for the operation
            assert!(
                op["responses"].get(status.as_str()).is_some(),
                "{method} {path}: {status} is not documented"
            );
            if op.get("x-roles").is_some() {
                assert_eq!(
                    op["security"],
                    json!([{"bearer": []}, {"api_key": []}]),
                    "{path}"
                );
            }
        }
    }
    let links = &paths["/v1/dedupe/jobs"]["post"]["responses"]["202"]["links"];
    for id in ["job_status", "job_groups", "job_report"] {
        assert!(
            links
                .as_object()
                .unwrap()
                .values()
                .any(|l| l["operationId"] == id),
            "{links}"
        );
    }
}
