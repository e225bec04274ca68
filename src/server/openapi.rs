//! The OpenAPI 3.1 document served at `/openapi.json`: every route the router has, its
//! parameters where they go, every status it can answer with the JSON error body, request
//! schemas that accept exactly what the handlers accept, security as alternatives (bearer
//! or API key) with the roles each operation needs, links from a dedupe job's creation to
//! its resources, and Chinese examples. Written out rather than derived, so that what a
//! client generator or a fuzzer reads is what the server does; `tests/api.sh` holds it to
//! that with openapi-spec-validator and Schemathesis.

use super::limits::{
    MAX_CASE_BYTES, MAX_FIELD_CHARS, MAX_JOB_INPUTS, MAX_LIMIT, MAX_NDJSON_LINES, MAX_QUERY_CHARS,
    MAX_WINDOW,
};
use serde_json::{Value, json};

/// The years 1900–2199 a date may fall in (`model::YEARS`).
const ERA: &str = "^(19|20|21)[0-9]{2}-";

fn err(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorResponse" } } }
    })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The errors every operation can answer: a failing service, and the rate limit.
fn common(responses: &mut serde_json::Map<String, Value>, authed: bool) {
    let mut too_many = err(
        "Rate limit reached (per key, else per client address); `Retry-After` says when to retry",
    );
    too_many["headers"] = json!({ "Retry-After": {
        "description": "Seconds until the next request is allowed",
        "schema": { "type": "integer", "minimum": 1 }
    }});
    responses.insert("429".into(), too_many);
    responses.insert(
        "401".into(),
        err(if authed {
            "No credential, or an invalid one (every credential sent must be valid)"
        } else {
            "An invalid credential was sent (a public route needs none, but any sent must be valid)"
        }),
    );
    responses.insert(
        "503".into(),
        err("The request took longer than `request_timeout_ms`, or the writer cannot commit"),
    );
    responses.insert(
        "500".into(),
        err("An internal failure (never the client's mistake)"),
    );
    if authed {
        responses.insert(
            "403".into(),
            err("The key's role may not use this operation"),
        );
    }
}

/// An operation: its responses get the common errors; `roles` are the roles that may call
/// it (empty: public).
fn op(mut o: Value, roles: &[&str]) -> Value {
    let authed = !roles.is_empty();
    if let Some(responses) = o["responses"].as_object_mut() {
        common(responses, authed);
    }
    if authed {
        o["security"] = json!([{ "bearer": [] }, { "api_key": [] }]);
        o["x-roles"] = json!(roles);
        let text = o["description"].as_str().unwrap_or("").to_string();
        o["description"] = json!(format!(
            "{text}{}Roles: {}.",
            if text.is_empty() { "" } else { "\n\n" },
            roles.join(", ")
        ));
    } else {
        o["security"] = json!([{}, { "bearer": [] }, { "api_key": [] }]);
    }
    o
}

fn text_param(name: &str, description: &str, max: usize) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description,
            "schema": { "type": "string", "maxLength": max } })
}

fn id_param(description: &str) -> Value {
    json!({ "name": "id", "in": "path", "required": true, "description": description,
            "schema": { "type": "string", "minLength": 1, "maxLength": MAX_FIELD_CHARS } })
}

fn upload_params(sheet_doc: &str) -> Value {
    json!([
        { "name": "format", "in": "query", "required": false,
          "description": "The upload's format (else told by the content type)",
          "schema": { "type": "string", "enum": ["jsonl", "ndjson", "csv", "tsv", "xlsx", "excel", "xlsm", "xls", "xlsb", "ods"] } },
        { "name": "encoding", "in": "query", "required": false,
          "description": "CSV text encoding (else detected)",
          "schema": { "type": "string", "enum": ["utf-8", "utf8", "gb18030", "gbk"] } },
        { "name": "sheet", "in": "query", "required": false, "description": sheet_doc,
          "schema": { "type": "string" } },
        { "name": "columns", "in": "query", "required": false,
          "description": "Column mapping as a JSON object, source column → field (`{\"来信人\":\"name\"}`); a column mapped to its own name is kept as an extra column",
          "schema": { "type": "string" } }
    ])
}

/// A dedupe upload's body: NDJSON or CSV text (workbooks go as their binary content types).
fn upload_body(json_inputs: bool) -> Value {
    let mut content = json!({
        "application/x-ndjson": { "schema": { "type": "string" },
            "example": "{\"id\":\"A1\",\"name\":\"张伟\",\"content\":\"小区夜间施工噪音扰民\"}\n{\"id\":\"A2\",\"name\":\"张伟\",\"content\":\"工地晚上施工太吵\"}\n" },
        "text/csv": { "schema": { "type": "string" },
            "example": "编号,来信人,问题属地,诉求内容\nA1,张伟,长沙市岳麓区,小区夜间施工噪音扰民\n" },
        "text/tab-separated-values": { "schema": { "type": "string" } },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "contentMediaType": "application/octet-stream" } },
        "application/vnd.ms-excel": { "schema": { "type": "string", "contentMediaType": "application/octet-stream" } },
        "application/vnd.oasis.opendocument.spreadsheet": { "schema": { "type": "string", "contentMediaType": "application/octet-stream" } }
    });
    if json_inputs {
        content["application/json"] = json!({ "schema": schema_ref("JobRequest") });
    }
    json!({ "required": true, "content": content })
}

fn schemas() -> Value {
    let text = json!({ "type": ["string", "number", "null"] });
    let blank = json!({ "type": "string", "pattern": "^\\s*$" });
    json!({
        "ErrorResponse": {
            "type": "object", "required": ["error"],
            "properties": { "error": {
                "type": "object", "required": ["status", "code", "message"],
                "properties": {
                    "status": { "type": "integer" },
                    "code": { "type": "string", "enum": ["bad_request", "unauthorized", "forbidden", "not_found", "method_not_allowed", "conflict", "payload_too_large", "unsupported_media_type", "rate_limited", "unavailable", "internal"] },
                    "message": { "type": "string" }
                }
            }}
        },
        "CaseInput": {
            "description": format!("A case (FORMAT.md): `id` and any of the known fields; other fields are kept as extras. Strings are trimmed and an empty one counts as missing; numbers are taken as text. At most {MAX_CASE_BYTES} bytes of JSON."),
            "type": "object", "required": ["id"],
            "properties": {
                "id": { "type": ["string", "number"], "pattern": "\\S", "description": "The case id (a known id replaces its case)" },
                "platform": text, "channel": text, "name": text, "id_number": text, "phone": text,
                "address": text, "location": text, "title": text, "content": text,
                "category": text, "handler": text, "account": text,
                "received_at": { "anyOf": [
                    { "type": "string", "format": "date-time", "pattern": ERA },
                    { "type": "string", "format": "date", "pattern": ERA },
                    blank, { "type": "null" }
                ], "description": "RFC 3339 or a date, in the years 1900–2199; exports' spellings (2023年5月14日 8时30分, 2023/05/14 08:30) are read too; no offset means China time" },
                "headcount": { "anyOf": [
                    { "type": "integer", "minimum": 0, "maximum": u32::MAX },
                    { "type": "string", "pattern": "^\\s*([0-9]{1,9}人*)?\\s*$" },
                    { "type": "null" }
                ]},
                "status": { "anyOf": [
                    { "type": "string", "enum": ["受理", "已受理", "accepted", "办理中", "在办", "in_progress", "办结", "已办结", "closed"] },
                    blank, { "type": "null" }
                ]}
            },
            "additionalProperties": true,
            "example": { "id": "Q20240302-001", "name": "张伟", "phone": "13912345678", "channel": "电话",
                         "location": "湖南省长沙市岳麓区", "title": "工地夜间施工噪音扰民",
                         "content": "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息。",
                         "received_at": "2024-03-02T09:15:00+08:00" }
        },
        "Case": {
            "type": "object", "required": ["id"],
            "properties": {
                "id": { "type": "string" },
                "platform": { "type": "string" }, "channel": { "type": "string" },
                "received_at": { "type": "string", "format": "date-time" },
                "name": { "type": "string" }, "id_number": { "type": "string", "description": "masked unless the caller is admin" },
                "phone": { "type": "string", "description": "masked unless the caller is admin" },
                "address": { "type": "string" }, "location": { "type": "string" },
                "headcount": { "type": "integer", "minimum": 0 },
                "title": { "type": "string" }, "content": { "type": "string" },
                "category": { "type": "string" }, "handler": { "type": "string" },
                "status": { "type": "string", "enum": ["受理", "办理中", "办结"] },
                "account": { "type": "string" },
                "extra": { "type": "object" }
            }
        },
        "Verdict": { "type": "string", "enum": ["DUPLICATE", "RELATED", "SAME_PERSON", "NEW"] },
        "CheckResult": {
            "type": "object", "required": ["id", "verdict", "matches"],
            "properties": {
                "id": { "type": "string" },
                "verdict": schema_ref("Verdict"),
                "matches": { "type": "array", "items": {
                    "type": "object",
                    "required": ["id", "verdict", "score", "person_score", "matter_score", "text_similarity", "summary", "evidence"],
                    "properties": {
                        "id": { "type": "string" }, "verdict": schema_ref("Verdict"),
                        "score": { "type": "number" }, "person_score": { "type": "number" },
                        "matter_score": { "type": "number" }, "text_similarity": { "type": "number" },
                        "received_at": { "type": ["string", "null"] }, "channel": { "type": ["string", "null"] },
                        "handler": { "type": ["string", "null"] }, "location": { "type": ["string", "null"] },
                        "title": { "type": ["string", "null"] }, "summary": { "type": "string" },
                        "evidence": { "type": "array", "items": {
                            "type": "object", "required": ["field", "level", "person", "matter"],
                            "properties": {
                                "field": { "type": "string" }, "level": { "type": "string" },
                                "person": { "type": "number" }, "matter": { "type": "number" },
                                "query": { "type": ["string", "null"] }, "candidate": { "type": ["string", "null"] }
                            }
                        }}
                    }
                }},
                "routing": { "type": "object", "required": ["original_id"], "properties": {
                    "original_id": { "type": "string" }, "received_at": { "type": ["string", "null"] },
                    "handler": { "type": ["string", "null"] }
                }},
                "added": { "type": "string", "enum": ["added", "replaced"] }
            },
            "example": { "id": "Q20240302-001", "verdict": "DUPLICATE",
                "matches": [{ "id": "C20240215-117", "verdict": "DUPLICATE", "score": 0.97, "person_score": 18.2,
                    "matter_score": 9.4, "text_similarity": 0.81, "received_at": "2024-02-15T10:02:00+08:00",
                    "channel": "网上", "handler": "岳麓区住房和城乡建设局", "location": "湖南省长沙市岳麓区",
                    "title": "望月湖小区工地夜间施工", "summary": "工地每天晚上施工到凌晨，噪音扰民……",
                    "evidence": [{ "field": "name_phone", "level": "same_name_same_phone", "person": 14.1, "matter": 0.0,
                        "query": "张* / 139****5678", "candidate": "张* / 139****5678" }] }],
                "routing": { "original_id": "C20240215-117", "received_at": "2024-02-15T10:02:00+08:00",
                    "handler": "岳麓区住房和城乡建设局" } }
        },
        "SearchRequest": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "q": { "type": ["string", "null"], "maxLength": MAX_QUERY_CHARS },
                "channel": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
                "place": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
                "from": { "anyOf": [{ "type": "string", "format": "date", "pattern": ERA }, { "type": "string", "format": "date-time", "pattern": ERA }, { "type": "null" }] },
                "to": { "anyOf": [{ "type": "string", "format": "date", "pattern": ERA }, { "type": "string", "format": "date-time", "pattern": ERA }, { "type": "null" }] },
                "handler": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
                "category": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
                "limit": { "type": ["integer", "null"], "minimum": 1, "maximum": MAX_LIMIT },
                "offset": { "type": ["integer", "null"], "minimum": 0, "maximum": MAX_WINDOW - 1 },
                "similar_to": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
                "counties": { "type": "boolean" }
            },
            "example": { "q": "噪音扰民", "place": "长沙", "from": "2024-01-01", "limit": 5 }
        },
        "SearchResults": {
            "type": "object",
            "properties": {
                "total": { "type": "integer" }, "offset": { "type": "integer" },
                "similar_to": { "type": "string" },
                "hits": { "type": "array", "items": {
                    "type": "object", "required": ["score", "case"],
                    "properties": {
                        "score": { "type": "number" }, "case": schema_ref("Case"),
                        "highlights": { "type": "array", "items": { "type": "object",
                            "required": ["field", "text", "html"],
                            "properties": { "field": { "type": "string" }, "text": { "type": "string" }, "html": { "type": "string" } } } }
                    }
                }},
                "counties": { "type": "array", "items": { "type": "object", "required": ["code", "name", "count"],
                    "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "count": { "type": "integer" } } } }
            },
            "required": ["total", "hits"],
            "example": { "total": 1, "offset": 0, "hits": [{ "score": 7.3,
                "case": { "id": "C20240215-117", "channel": "网上", "location": "湖南省长沙市岳麓区",
                          "title": "望月湖小区工地夜间施工", "phone": "139****5678" },
                "highlights": [{ "field": "title", "text": "望月湖小区工地夜间施工", "html": "望月湖小区工地夜间<em>施工</em>" }] }] }
        },
        "JobRequest": {
            "type": "object", "required": ["inputs"], "additionalProperties": false,
            "properties": { "inputs": { "type": "array", "minItems": 1, "maxItems": MAX_JOB_INPUTS, "items": {
                "type": "object", "required": ["path"], "additionalProperties": false,
                "properties": {
                    "path": { "type": "string", "description": "A file under the server's dedupe_dir" },
                    "columns": { "type": "object", "additionalProperties": { "type": "string" } }
                }
            }}}
        },
        "JobCreated": {
            "type": "object", "required": ["id", "status_url"],
            "properties": { "id": { "type": "string" }, "status_url": { "type": "string" } }
        },
        "JobStatus": {
            "type": "object", "required": ["id", "state", "stage", "done", "total", "records", "rejected", "rejections"],
            "properties": {
                "id": { "type": "string" },
                "state": { "type": "string", "enum": ["queued", "running", "done", "failed"] },
                "stage": { "type": "string" }, "done": { "type": "integer" }, "total": { "type": "integer" },
                "records": { "type": "integer" }, "rejected": { "type": "integer" },
                "rejections": { "type": "array", "items": { "type": "string" } },
                "error": { "type": "string" }
            }
        }
    })
}

/// The document.
pub fn document() -> Value {
    let job_links = json!({
        "GetJobStatus": { "operationId": "job_status", "parameters": { "id": "$response.body#/id" },
                          "description": "Poll the job" },
        "GetJobGroups": { "operationId": "job_groups", "parameters": { "id": "$response.body#/id" },
                          "description": "The groups, once done" },
        "GetJobReport": { "operationId": "job_report", "parameters": { "id": "$response.body#/id" },
                          "description": "The report, once done" }
    });
    let supervisor = ["supervisor", "admin"];
    let intake = ["intake", "admin"];
    let desk = ["intake", "supervisor", "admin"];
    let case_body = json!({ "required": true, "content": { "application/json": { "schema": schema_ref("CaseInput") } } });
    let paths = json!({
        "/v1/cases": { "post": op(json!({
            "tags": ["cases"], "operationId": "add_cases", "summary": "Add or replace cases",
            "description": format!("One case as JSON, or NDJSON (at least one case) (`application/x-ndjson`, at most {MAX_NDJSON_LINES} lines) with a result per line. Answered once the write is durable."),
            "requestBody": { "required": true, "content": {
                "application/json": { "schema": schema_ref("CaseInput") },
                "application/x-ndjson": { "schema": { "type": "string", "pattern": "\\S" },
                    "example": "{\"id\":\"Q1\",\"name\":\"张伟\",\"content\":\"路灯坏了\"}\n{\"id\":\"Q2\",\"name\":\"李娜\",\"content\":\"噪音扰民\"}\n" }
            }},
            "responses": {
                "201": ok("One case: added or replaced", json!({ "type": "object", "required": ["id", "result"],
                    "properties": { "id": { "type": "string" }, "result": { "type": "string", "enum": ["added", "replaced"] } } })),
                "200": ok("NDJSON: one item per line", json!({ "type": "object", "required": ["took_ms", "errors", "items"],
                    "properties": { "took_ms": { "type": "integer" }, "errors": { "type": "boolean" },
                        "items": { "type": "array", "items": { "type": "object", "required": ["line", "status"] } } } })),
                "400": err("Not a valid case, not UTF-8, or too many lines"),
                "413": err("The body is larger than body_limit_bytes")
            }
        }), &intake) },
        "/v1/cases/{id}": { "get": op(json!({
            "tags": ["cases"], "operationId": "get_case", "summary": "One case by id",
            "description": "ID numbers and phones are masked unless the caller is admin.",
            "parameters": [ id_param("Case id"),
                { "name": "related", "in": "query", "required": false, "schema": { "type": "boolean" },
                  "description": "Also check the case against the others (`related` holds verdict and matches)" } ],
            "responses": {
                "200": ok("The case and its division", json!({ "type": "object", "required": ["case"],
                    "properties": { "case": schema_ref("Case"),
                        "division": { "type": ["object", "null"], "properties": { "code": { "type": "string" }, "name": { "type": "string" } } },
                        "related": schema_ref("CheckResult") } })),
                "400": err("A parameter out of bounds"), "404": err("No case with this id")
            }
        }), &supervisor) },
        "/v1/check": { "post": op(json!({
            "tags": ["check"], "operationId": "check", "summary": "Is this submission a repeat?",
            "description": "Verdict (DUPLICATE, RELATED, SAME_PERSON, NEW), matches with evidence per field, routing hint. A submission without `received_at` is received now.",
            "parameters": [{ "name": "add", "in": "query", "required": false, "schema": { "type": "boolean" },
                "description": "Register the submission after the check (answered once durable)" }],
            "requestBody": case_body,
            "responses": {
                "200": ok("The verdict", schema_ref("CheckResult")),
                "400": err("Not a valid case, or malformed JSON"),
                "413": err("The body is larger than body_limit_bytes"),
                "415": err("The body is not `application/json`")
            }
        }), &intake) },
        "/v1/search": {
            "get": op(json!({
                "tags": ["search"], "operationId": "search_get", "summary": "Search cases",
                "description": format!("BM25 over title, content and location, with filters, pagination and highlights (`<em>`); or cases similar to one (`similar_to`). `offset + limit` must be at most {MAX_WINDOW}; `place` must name a known division (or give its code); `from`/`to` take the spellings of `received_at`."),
                "parameters": [
                    text_param("q", "Words to find (empty: list by date)", MAX_QUERY_CHARS),
                    text_param("channel", "网上, 电话, 来信, 来访, 微信, 手机APP, 短信 (aliases folded)", MAX_FIELD_CHARS),
                    text_param("place", "A division name or code; includes everything below it (长沙 → its counties)", MAX_FIELD_CHARS),
                    { "name": "from", "in": "query", "required": false, "description": "Received on or after",
                      "schema": { "anyOf": [{ "type": "string", "format": "date", "pattern": ERA }, { "type": "string", "format": "date-time", "pattern": ERA }] } },
                    { "name": "to", "in": "query", "required": false, "description": "Received on or before (a bare date includes its day)",
                      "schema": { "anyOf": [{ "type": "string", "format": "date", "pattern": ERA }, { "type": "string", "format": "date-time", "pattern": ERA }] } },
                    text_param("handler", "First-handling department, exact", MAX_FIELD_CHARS),
                    text_param("category", "Category, exact", MAX_FIELD_CHARS),
                    { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10 } },
                    { "name": "offset", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 0, "maximum": MAX_WINDOW - 1, "default": 0 } },
                    text_param("similar_to", "A case id: cases with a similar narrative instead of a word search", MAX_FIELD_CHARS),
                    { "name": "counties", "in": "query", "required": false, "schema": { "type": "boolean" }, "description": "Also count the matching cases per county" }
                ],
                "responses": {
                    "200": { "description": "Hits", "content": { "application/json": { "schema": schema_ref("SearchResults"),
                        "example": { "total": 1, "offset": 0, "hits": [{ "score": 7.3,
                            "case": { "id": "C20240215-117", "title": "望月湖小区工地夜间施工" },
                            "highlights": [{ "field": "title", "text": "望月湖小区工地夜间施工", "html": "望月湖小区工地夜间<em>施工</em>" }] }] } } } },
                    "400": err("A parameter out of bounds, an unknown parameter, an unknown or ambiguous place, an unparseable date"),
                    "404": err("`similar_to` names no case")
                }
            }), &supervisor),
            "post": op(json!({
                "tags": ["search"], "operationId": "search_post", "summary": "Search cases (parameters as JSON)",
                "description": "As GET /v1/search.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": schema_ref("SearchRequest") } } },
                "responses": {
                    "200": ok("As GET /v1/search", schema_ref("SearchResults")),
                    "400": err("As GET /v1/search, or malformed JSON"),
                    "404": err("`similar_to` names no case"),
                    "413": err("The body is larger than body_limit_bytes"),
                    "415": err("The body is not `application/json`")
                }
            }), &supervisor)
        },
        "/v1/places": { "get": op(json!({
            "tags": ["search"], "operationId": "places", "summary": "Place autocomplete",
            "description": "Divisions whose name starts with `q`, provinces first, at most 20.",
            "parameters": [{ "name": "q", "in": "query", "required": true, "schema": { "type": "string", "maxLength": MAX_FIELD_CHARS },
                             "example": "长沙" }],
            "responses": {
                "200": ok("Divisions", json!({ "type": "array", "items": { "type": "object", "required": ["code", "name"],
                    "properties": { "code": { "type": "string" }, "name": { "type": "string" } } } })),
                "400": err("`q` missing or too long")
            }
        }), &[]) },
        "/v1/dedupe/jobs": { "post": op(json!({
            "tags": ["dedupe"], "operationId": "start_job", "summary": "Start a dedupe job",
            "description": "On an uploaded file (NDJSON, CSV/TSV in UTF-8 or GB18030/GBK, a workbook) or, as JSON, on files under the server's dedupe_dir. Poll the job through the links.",
            "parameters": upload_params("Read only this sheet of a workbook"),
            "requestBody": upload_body(true),
            "responses": {
                "202": { "description": "Queued", "content": { "application/json": { "schema": schema_ref("JobCreated") } },
                         "links": job_links },
                "400": err("Unknown format or encoding, a bad mapping, no header row, not a workbook, a name leading out of dedupe_dir, or server-side files disabled (no dedupe_dir)"),
                "404": err("A named file is not under dedupe_dir"),
                "413": err("The body is larger than body_limit_bytes")
            }
        }), &supervisor) },
        "/v1/dedupe/preview": { "post": op(json!({
            "tags": ["dedupe"], "operationId": "preview_upload", "summary": "The head of an upload",
            "description": "The header, the guessed header → field mapping and the first 10 rows, to check before a job.",
            "parameters": upload_params("The sheet to show (else the first with rows)"),
            "requestBody": upload_body(false),
            "responses": {
                "200": ok("The preview", json!({ "type": "object",
                    "required": ["format", "sheets", "header_row", "headers", "fields", "columns", "rows", "known_fields"] })),
                "400": err("Unknown format or encoding, a bad mapping, no header row, not a workbook"),
                "413": err("The body is larger than body_limit_bytes")
            }
        }), &supervisor) },
        "/v1/dedupe/jobs/{id}": { "get": op(json!({
            "tags": ["dedupe"], "operationId": "job_status", "summary": "Status and progress of a job",
            "parameters": [id_param("Job id")],
            "responses": { "200": ok("The status", schema_ref("JobStatus")), "404": err("No such job (or forgotten after its time to live)") }
        }), &supervisor) },
        "/v1/dedupe/jobs/{id}/groups": { "get": op(json!({
            "tags": ["dedupe"], "operationId": "job_groups", "summary": "Groups of a finished job",
            "parameters": [id_param("Job id")],
            "responses": {
                "200": { "description": "NDJSON, one line per record: id, duplicate_group, matter_group, original, size, channels, matter_original, matter_size",
                         "content": { "application/x-ndjson": { "schema": { "type": "string" } } } },
                "404": err("No such job"), "409": err("The job is still running, or failed")
            }
        }), &supervisor) },
        "/v1/dedupe/jobs/{id}/report": { "get": op(json!({
            "tags": ["dedupe"], "operationId": "job_report", "summary": "Report of a finished job",
            "parameters": [id_param("Job id"),
                { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "html"] } }],
            "responses": {
                "200": { "description": "The report (JSON, or one HTML page)", "content": {
                    "application/json": { "schema": { "type": "object" } },
                    "text/html": { "schema": { "type": "string" } } } },
                "400": err("Unknown format"), "404": err("No such job"), "409": err("The job is still running, or failed")
            }
        }), &supervisor) },
        "/v1/cases/{id}/history": { "get": op(json!({
            "tags": ["cases"], "operationId": "case_history", "summary": "The matter history of one case",
            "description": "The case's duplicate group and matter group on one timeline, newest first; `first` marks the earliest record (首办). No personal data.",
            "parameters": [ id_param("Case id") ],
            "responses": {
                "200": ok("`{id, original_id, duplicates, related, records: [{id, relation: self|duplicate|related, channel, platform, received_at, handler, status, title, location, summary, content, linked_to, first}]}`",
                    json!({ "type": "object", "required": ["id", "records"] })),
                "400": err("A parameter out of bounds"), "404": err("No case with this id")
            }
        }), &desk) },
        "/v1/model": { "get": op(json!({
            "tags": ["check"], "operationId": "model_summary", "summary": "The model's thresholds and priors (log2), for drawing the evidence",
            "responses": {
                "200": ok("`{person_threshold, matter_threshold, person_prior, matter_prior, source}`",
                    json!({ "type": "object", "required": ["person_threshold", "matter_threshold"] }))
            }
        }), &desk) },
        "/v1/ticket": { "post": op(json!({
            "tags": ["check"], "operationId": "read_ticket", "summary": "Read the fields of a pasted ticket for the desk to confirm",
            "description": "The text is not kept or logged.",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["text"], "properties": { "text": { "type": "string", "maxLength": MAX_CASE_BYTES } } },
                "example": { "text": "来电人：张先生，联系电话：13912345678，问题属地：长沙市岳麓区，诉求内容：小区夜间施工噪音扰民" } } } },
            "responses": {
                "200": ok("`{name, phone, id_number, id_number_check: valid|masked|invalid, location, division, address, title, content, channel, labelled}`: each field absent when not found",
                    json!({ "type": "object" })),
                "400": err("Not valid JSON, or no `text`"),
                "413": err("The body is larger than body_limit_bytes"),
                "415": err("The body is not `application/json`")
            }
        }), &desk) },
        "/healthz": { "get": op(json!({ "tags": ["ops"], "operationId": "healthz", "summary": "Liveness",
            "responses": { "200": ok("Alive", json!({ "type": "object", "required": ["status"], "properties": { "status": { "const": "ok" } } })) } }), &[]) },
        "/readyz": { "get": op(json!({ "tags": ["ops"], "operationId": "readyz", "summary": "Readiness: the index answers and the writer commits",
            "responses": { "200": ok("Ready", json!({ "type": "object", "required": ["status", "documents"],
                "properties": { "status": { "const": "ready" }, "documents": { "type": "integer" } } })) } }), &[]) },
        "/metrics": { "get": op(json!({ "tags": ["ops"], "operationId": "metrics", "summary": "Prometheus metrics (OpenMetrics text)",
            "responses": { "200": { "description": "The exposition", "content": { "application/openmetrics-text": { "schema": { "type": "string" } } } } } }), &[]) },
        "/openapi.json": { "get": op(json!({ "tags": ["ops"], "operationId": "openapi", "summary": "This document",
            "responses": { "200": ok("OpenAPI 3.1", json!({ "type": "object" })) } }), &[]) }
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "casematch",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Index Chinese complaint and petition cases (信访, 12345) and tell whether a submission repeats a case on file.\n\nAuthentication: send `Authorization: Bearer <key>` or `X-API-Key: <key>`. Every credential sent must be valid, else 401; when both are valid, `Authorization` wins. Roles: intake (check, add cases), supervisor (search, read cases, dedupe jobs), admin (everything; the only role that sees ID numbers and phones in clear). Every error is `{\"error\": {\"status\", \"code\", \"message\"}}`.",
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" }
        },
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "Authorization: Bearer <API key>" },
                "api_key": { "type": "apiKey", "in": "header", "name": "X-API-Key" }
            }
        }
    })
}
