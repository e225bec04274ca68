//! Route handlers and the OpenAPI document generated from their annotations.

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use super::jobs::{Confinement, JobInput, JobState, TempFile, Upload, confined};
use super::limits;
use super::search_views::visible;
use crate::engine::{
    ColumnMap, Engine, FIELD_NAMES, Format, ReadOptions, StoredCase, TextEncoding, Upsert,
};
use crate::model::{Case, case_from_json_line};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/cases", post(add_cases))
        .route("/v1/cases/{id}", get(get_case))
        .route("/v1/check", post(check))
        .route(
            "/v1/search",
            get(super::search_views::search_get).post(super::search_views::search_post),
        )
        .route(
            "/v1/search/export",
            get(super::search_views::export_get).post(super::search_views::export_post),
        )
        .route("/v1/person", post(super::person::look_up))
        .route("/v1/audit", get(super::person::audit))
        .route("/v1/dedupe/jobs", post(start_job))
        .route("/v1/dedupe/preview", post(preview_upload))
        .route("/v1/dedupe/jobs/{id}", get(job_status))
        .route("/v1/dedupe/jobs/{id}/groups", get(job_groups))
        .route("/v1/dedupe/jobs/{id}/report", get(job_report))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/v1/places", get(places))
        .merge(super::history::router())
        .route("/", get(|| async { Html(include_str!("web/index.html")) }))
        .route(
            "/ui/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    include_str!("web/app.js"),
                )
            }),
        )
        .route(
            "/ui/style.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    include_str!("web/style.css"),
                )
            }),
        )
}

fn body_error(e: BytesRejection) -> ApiError {
    ApiError::new(e.status(), e.body_text())
}

fn is_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.starts_with("application/x-ndjson") || ct.starts_with("application/jsonl")
        })
}

fn upsert_label(u: Upsert) -> &'static str {
    match u {
        Upsert::Added => "added",
        Upsert::Replaced => "replaced",
    }
}

/// Add or replace cases: one JSON case, or NDJSON with a result per line. Answered after
/// the commit that holds the cases.
async fn add_cases(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(body_error)?;
    let started = std::time::Instant::now();
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::bad_request(format!("body is not UTF-8: {e}")))?;
    if !is_ndjson(&headers) {
        limits::case_bytes(text.len())?;
        let case = case_from_json_line(text).map_err(|e| ApiError::bad_request(e.to_string()))?;
        let id = case.id.clone();
        let stored = tokio::task::spawn_blocking(move || Engine::normalise(case)).await?;
        let result = state.writer.upsert(vec![stored]).await?;
        state.cache.invalidate(&id);
        let label = result.first().copied().map_or("added", upsert_label);
        return Ok((
            StatusCode::CREATED,
            Json(json!({ "id": id, "result": label })),
        )
            .into_response());
    }
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    if lines == 0 {
        return Err(ApiError::bad_request("the NDJSON body holds no case"));
    }
    limits::ndjson_lines(lines)?;
    let mut items = Vec::new();
    let mut good = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if let Err(e) = limits::case_bytes(line.len()) {
            items.push(json!({
                "line": n + 1, "status": 400,
                "error": { "status": 400, "code": "bad_request", "message": e.message }
            }));
            continue;
        }
        match case_from_json_line(line) {
            Ok(case) => {
                items.push(json!({ "line": n + 1, "id": case.id, "status": 201 }));
                good.push((items.len() - 1, case));
            }
            Err(e) => items.push(json!({
                "line": n + 1, "status": 400,
                "error": { "status": 400, "code": "bad_request", "message": e.to_string() }
            })),
        }
    }
    let (slots, cases): (Vec<usize>, Vec<Case>) = good.into_iter().unzip();
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let stored = tokio::task::spawn_blocking(move || {
        cases.into_iter().map(Engine::normalise).collect::<Vec<_>>()
    })
    .await?;
    let results = state.writer.upsert(stored).await?;
    for (slot, r) in slots.iter().zip(results) {
        items[*slot]["result"] = json!(upsert_label(r));
    }
    for id in &ids {
        state.cache.invalidate(id);
    }
    let errors = items.iter().any(|i| i["status"] != 201);
    Ok((StatusCode::OK, Json(json!({ "took_ms": started.elapsed().as_millis() as u64, "errors": errors, "items": items }))).into_response())
}

async fn load_case(state: &AppState, id: String) -> Result<Option<Arc<StoredCase>>, ApiError> {
    if let Some(hit) = state.cache.get(&id) {
        state.metrics.cache_hits.inc();
        return Ok(Some(hit));
    }
    state.metrics.cache_misses.inc();
    let engine = state.engine.clone();
    let key = id.clone();
    let found = tokio::task::spawn_blocking(move || engine.get(&key))
        .await??
        .map(Arc::new);
    if let Some(s) = &found {
        state.cache.insert(id, s.clone());
    }
    Ok(found)
}

/// One case by id (committed cases; writes become visible within the commit interval).
async fn get_case(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<CaseParams>,
) -> Result<Json<Value>, ApiError> {
    limits::text("id", Some(&id), limits::MAX_FIELD_CHARS)?;
    let stored = load_case(&state, id.clone())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no case with id {id:?}")))?;
    let division = stored
        .profile
        .place
        .code()
        .map(|c| json!({ "code": c, "name": Engine::places().full_name(c) }));
    let mut out = json!({ "case": visible(&stored.case, caller.role), "division": division });
    if p.related {
        let engine = state.engine.clone();
        let case = stored.case.clone();
        let result = tokio::task::spawn_blocking(move || engine.check(&case)).await??;
        out["related"] =
            serde_json::to_value(&result).map_err(|e| ApiError::internal(e.to_string()))?;
    }
    Ok(Json(out))
}

#[derive(Debug, Default, Deserialize)]
struct CaseParams {
    /// also return the case's duplicate group and related cases (a check of the case)
    #[serde(default)]
    related: bool,
}

#[derive(Debug, Deserialize)]
pub struct PlacesParams {
    /// the start of a division name (长沙, 岳麓)
    q: String,
}

/// Divisions whose name starts with `q`: place autocomplete.
async fn places(ApiQuery(p): ApiQuery<PlacesParams>) -> Result<Json<Value>, ApiError> {
    limits::text("q", Some(&p.q), limits::MAX_FIELD_CHARS)?;
    // a prefix scans the gazetteer's names: off the async runtime, like searches
    let list = tokio::task::spawn_blocking(move || {
        let g = Engine::places();
        g.suggest(&p.q, 20)
            .into_iter()
            .map(|d| json!({ "code": d.code, "name": g.full_name(&d.code) }))
            .collect::<Vec<Value>>()
    })
    .await?;
    Ok(Json(Value::Array(list)))
}

#[derive(Debug, Deserialize)]
pub struct CheckParams {
    /// register the submission after the check
    #[serde(default)]
    add: bool,
}

/// Check a submission: verdict, matches with evidence, routing hint.
async fn check(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<CheckParams>,
    ApiJson(raw): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let raw = raw.to_string();
    limits::case_bytes(raw.len())?;
    let mut case = case_from_json_line(&raw).map_err(|e| ApiError::bad_request(e.to_string()))?;
    // a desk's submission without a date is received now: time gaps count from the request
    case.received_at
        .get_or_insert_with(crate::engine::now_in_china);
    let engine = state.engine.clone();
    let (case, result) =
        tokio::task::spawn_blocking(move || engine.check(&case).map(|r| (case, r))).await??;
    let mut out = serde_json::to_value(&result).map_err(|e| ApiError::internal(e.to_string()))?;
    if params.add {
        let id = case.id.clone();
        let stored = Engine::normalise(case);
        let r = state.writer.upsert(vec![stored]).await?;
        state.cache.invalidate(&id);
        out["added"] = json!(r.first().copied().map_or("added", upsert_label));
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobFile {
    /// path under the configured dedupe directory
    path: String,
    /// column mapping: source column → field
    #[serde(default)]
    columns: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobRequest {
    inputs: Vec<JobFile>,
}

/// How an uploaded file is to be read: the query of `POST /v1/dedupe/jobs` and
/// `POST /v1/dedupe/preview`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadParams {
    /// jsonl, csv, tsv, xlsx, xlsm, xls, xlsb or ods (else told by the content type)
    format: Option<String>,
    /// utf-8, gb18030 or gbk (else detected)
    encoding: Option<String>,
    /// the one sheet of a workbook to read
    sheet: Option<String>,
    /// column mapping as a JSON object: source column → field
    columns: Option<String>,
}

/// An upload's format and the extension its temporary file gets.
fn upload_format(
    headers: &HeaderMap,
    p: &UploadParams,
) -> Result<Option<(Format, &'static str)>, ApiError> {
    if let Some(f) = &p.format {
        return match f.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Ok(Some((Format::Jsonl, "jsonl"))),
            "csv" => Ok(Some((Format::Csv, "csv"))),
            "tsv" => Ok(Some((Format::Csv, "tsv"))),
            "xlsx" | "excel" => Ok(Some((Format::Workbook, "xlsx"))),
            "xlsm" => Ok(Some((Format::Workbook, "xlsm"))),
            "xls" => Ok(Some((Format::Workbook, "xls"))),
            "xlsb" => Ok(Some((Format::Workbook, "xlsb"))),
            "ods" => Ok(Some((Format::Workbook, "ods"))),
            other => Err(ApiError::bad_request(format!(
                "unknown format {other:?}: expected jsonl, csv, tsv, xlsx, xls or ods"
            ))),
        };
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Ok(match ct.as_str() {
        "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines" => {
            Some((Format::Jsonl, "jsonl"))
        }
        "text/csv" => Some((Format::Csv, "csv")),
        "text/tab-separated-values" => Some((Format::Csv, "tsv")),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            Some((Format::Workbook, "xlsx"))
        }
        "application/vnd.ms-excel.sheet.macroenabled.12" => Some((Format::Workbook, "xlsm")),
        "application/vnd.ms-excel" => Some((Format::Workbook, "xls")),
        "application/vnd.oasis.opendocument.spreadsheet" => Some((Format::Workbook, "ods")),
        _ => None,
    })
}

/// The format, column mapping and read options of an upload; `None` for a JSON job request.
fn upload_spec(
    headers: &HeaderMap,
    p: UploadParams,
) -> Result<Option<(Format, &'static str, ColumnMap, ReadOptions)>, ApiError> {
    let Some((format, ext)) = upload_format(headers, &p)? else {
        return Ok(None);
    };
    let encoding = p
        .encoding
        .as_deref()
        .map(str::parse::<TextEncoding>)
        .transpose()
        .map_err(ApiError::bad_request)?;
    let columns: HashMap<String, String> = match p.columns.as_deref() {
        None | Some("") => HashMap::new(),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            ApiError::bad_request(format!(
                "columns: expected a JSON object of source column → field: {e}"
            ))
        })?,
    };
    for (column, field) in &columns {
        // a column mapped to its own name is kept as an extra column
        if field != column && !Engine::is_field(field) {
            return Err(ApiError::bad_request(format!(
                "columns: {column:?} maps to unknown field {field:?}; the fields are {}",
                FIELD_NAMES.join(", ")
            )));
        }
    }
    let opts = ReadOptions {
        sheet: p.sheet,
        encoding,
    };
    Ok(Some((format, ext, ColumnMap { columns }, opts)))
}

fn upload_params(
    q: Result<Query<UploadParams>, axum::extract::rejection::QueryRejection>,
) -> Result<UploadParams, ApiError> {
    q.map(|Query(p)| p)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// Start a dedupe job on an uploaded file (NDJSON, CSV, Excel) or on server-side files.
async fn start_job(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<UploadParams>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(body_error)?;
    let params = upload_params(query)?;
    let input = if let Some((format, ext, map, opts)) = upload_spec(&headers, params)? {
        tokio::task::spawn_blocking(move || {
            let name = std::path::PathBuf::from(format!("upload.{ext}"));
            // refuse at once what cannot be read: the encoding, the header, the workbook
            if format != Format::Jsonl {
                Engine::read_from(
                    Box::new(std::io::Cursor::new(body.clone())),
                    &name,
                    format,
                    map.clone(),
                    &opts,
                )?;
            }
            let file = TempFile::write(&body, ext)
                .map_err(|e| ApiError::internal(format!("cannot keep the upload: {e}")))?;
            Ok::<_, ApiError>(JobInput::Upload(Upload {
                file,
                name,
                format,
                map,
                opts,
            }))
        })
        .await??
    } else {
        let req: JobRequest = serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("invalid job request: {e}")))?;
        limits::job_inputs(req.inputs.len())?;
        let dir = state.settings.dedupe_dir.as_deref().ok_or_else(|| {
            ApiError::bad_request(
                "server-side files are disabled (no dedupe_dir configured); upload a file instead",
            )
        })?;
        let files = req
            .inputs
            .into_iter()
            .map(|f| {
                let path = confined(dir, &f.path).map_err(|e| match e {
                    Confinement::Missing(m) => ApiError::not_found(m),
                    Confinement::Outside(m) => ApiError::bad_request(m),
                    Confinement::Directory(m) => ApiError::internal(m),
                })?;
                Ok((path, ColumnMap { columns: f.columns }))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        JobInput::Files(files)
    };
    let id = state
        .jobs
        .start(input, state.engine.model().clone())
        .map_err(|full| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "the dedupe queue is full ({} waiting); retry when a job has finished",
                    full.limit
                ),
            )
        })?;
    let url = format!("/v1/dedupe/jobs/{id}");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "id": id, "status_url": url })).into_response(),
    )
        .into_response())
}

/// Rows a preview shows.
const PREVIEW_ROWS: usize = 10;

/// The first rows of an upload with its header and the guessed mapping, to check before a job.
async fn preview_upload(
    headers: HeaderMap,
    query: Result<Query<UploadParams>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body.map_err(body_error)?;
    let params = upload_params(query)?;
    let Some((format, ext, map, opts)) = upload_spec(&headers, params)? else {
        return Err(ApiError::bad_request(
            "send the file as text/csv, an Excel content type or application/x-ndjson, or name its format with ?format=csv|tsv|xlsx|xls|ods|jsonl",
        ));
    };
    let p = tokio::task::spawn_blocking(move || {
        Engine::preview(
            Box::new(std::io::Cursor::new(body)),
            &std::path::PathBuf::from(format!("upload.{ext}")),
            format,
            &map,
            &opts,
            PREVIEW_ROWS,
        )
    })
    .await??;
    let columns: serde_json::Map<String, Value> = p
        .headers
        .iter()
        .zip(&p.fields)
        .filter(|(h, _)| !h.is_empty())
        .map(|(h, f)| (h.clone(), Value::String(f.clone())))
        .collect();
    Ok(Json(json!({
        "format": ext,
        "encoding": p.encoding.map(|e| e.label()),
        "sheet": p.sheet,
        "sheets": p.sheets,
        "header_row": p.header_row,
        "headers": p.headers,
        "fields": p.fields,
        "columns": columns,
        "rows": p.rows,
        "known_fields": FIELD_NAMES,
    })))
}

/// Runs `f` on the locked job `id`; with `done_only`, only once the job has finished.
/// `f` must be quick (copy out, never await): the job updates its status under this lock.
fn with_job<T>(
    state: &AppState,
    id: &str,
    done_only: bool,
    f: impl FnOnce(&super::jobs::Job) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let job = state
        .jobs
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("no job {id:?}")))?;
    let j = job.lock().unwrap_or_else(|p| p.into_inner());
    if done_only {
        finished(&j)?;
    }
    f(&j)
}

/// Status and progress of a dedupe job.
async fn job_status(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    with_job(&state, &id, false, |j| {
        serde_json::to_value(&j.status)
            .map(Json)
            .map_err(|e| ApiError::internal(e.to_string()))
    })
}

fn finished(j: &super::jobs::Job) -> Result<(), ApiError> {
    match j.status.state {
        JobState::Done => Ok(()),
        JobState::Queued | JobState::Running => Err(ApiError::new(
            StatusCode::CONFLICT,
            "the job is still running",
        )),
        JobState::Failed => Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "the job failed: {}",
                j.status.error.clone().unwrap_or_default()
            ),
        )),
    }
}

/// Groups of a finished job as NDJSON (FORMAT.md task 1 plus originals, sizes, channels).
async fn job_groups(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let rows = with_job(&state, &id, true, |j| Ok(j.rows.clone()))?;
    let out = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        for row in rows.iter() {
            out.push_str(
                &serde_json::to_string(row).map_err(|e| ApiError::internal(e.to_string()))?,
            );
            out.push('\n');
        }
        Ok::<_, ApiError>(out)
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], out).into_response())
}

#[derive(Debug, Deserialize)]
struct ReportParams {
    #[serde(default)]
    format: Option<String>,
}

/// Report of a finished job, JSON or `?format=html`.
async fn job_report(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> Result<Response, ApiError> {
    let html = match p.format.as_deref() {
        Some("html") => true,
        None | Some("json") => false,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "unknown format {other:?} (json, html)"
            )));
        }
    };
    let report = with_job(&state, &id, true, |j| {
        j.report
            .clone()
            .ok_or_else(|| ApiError::internal("report missing"))
    })?;
    tokio::task::spawn_blocking(move || {
        if html {
            Ok(Html(Engine::report_html(&report)).into_response())
        } else {
            serde_json::to_value(&*report)
                .map(|v| Json(v).into_response())
                .map_err(|e| ApiError::internal(e.to_string()))
        }
    })
    .await?
}

/// Liveness.
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the index answers and the writer runs and commits.
async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let engine = state.engine.clone();
    let docs = tokio::task::spawn_blocking(move || engine.num_cases()).await?;
    state.writer.ping().await?;
    Ok(Json(json!({ "status": "ready", "documents": docs })))
}

/// Prometheus metrics.
async fn metrics(State(state): State<AppState>) -> Response {
    let docs = state.engine.num_cases();
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(docs, state.writer.health()),
    )
        .into_response()
}

async fn openapi() -> Json<Value> {
    Json(super::openapi::document())
}
