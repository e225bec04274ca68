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
use super::person::{MAX_AUDIT_ENTRIES, MAX_CASES};
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

/// A `from`/`to` bound: a date or an RFC 3339 time in the years 1900–2199.
fn date_bound() -> Value {
    json!({ "anyOf": [{ "type": "string", "format": "date", "pattern": ERA }, { "type": "string", "format": "date-time", "pattern": ERA }] })
}

/// The query parameters of `GET /v1/search` (`export: false`) or `GET /v1/search/export`.
fn search_params(export: bool) -> Value {
    let (limit_max, limit_default) = if export {
        (MAX_WINDOW, MAX_WINDOW)
    } else {
        (MAX_LIMIT, 10)
    };
    let mut params = vec![
        text_param(
            "q",
            "The query: words, \"phrases\", -exclusion, OR, title:/content:/location:/handler: (docs/SEARCH.md); empty: list by date. Malformed syntax is a 400 that names the character",
            MAX_QUERY_CHARS,
        ),
        text_param(
            "channel",
            "网上, 电话, 来信, 来访, 微信, 手机APP, 短信 (aliases folded)",
            MAX_FIELD_CHARS,
        ),
        text_param(
            "place",
            "A division name or code (the facets' six-digit codes too: 430000, 430100); includes everything below it (长沙 → its counties)",
            MAX_FIELD_CHARS,
        ),
        json!({ "name": "from", "in": "query", "required": false, "description": "Received on or after", "schema": date_bound() }),
        json!({ "name": "to", "in": "query", "required": false, "description": "Received on or before (a bare date includes its day)", "schema": date_bound() }),
        text_param(
            "handler",
            "First-handling department, exact",
            MAX_FIELD_CHARS,
        ),
        text_param("category", "Category, exact", MAX_FIELD_CHARS),
        json!({ "name": "limit", "in": "query", "required": false, "description": if export { "Rows, at most 10000 (default: the rest of the window from `offset`)" } else { "Hits per page" },
                "schema": { "type": "integer", "minimum": 1, "maximum": limit_max, "default": limit_default } }),
        json!({ "name": "offset", "in": "query", "required": false, "description": format!("Hits to skip; `offset + limit` at most {MAX_WINDOW}"),
                "schema": { "type": "integer", "minimum": 0, "maximum": MAX_WINDOW - 1, "default": 0 } }),
    ];
    params[0]["example"] = json!("噪音扰民");
    params[2]["example"] = json!("长沙");
    if export {
        params.push(json!({ "name": "format", "in": "query", "required": false, "description": "csv (UTF-8 with a BOM, the default) or xlsx",
                            "schema": { "type": "string", "enum": ["csv", "xlsx"], "default": "csv" } }));
    } else {
        params.extend([
            text_param("similar_to", "A case id: cases with a similar narrative instead of a word search", MAX_FIELD_CHARS),
            json!({ "name": "counties", "in": "query", "required": false, "schema": { "type": "boolean" }, "description": "Also count the matching cases per county (`counties`)" }),
            json!({ "name": "facets", "in": "query", "required": false, "schema": { "type": "boolean" },
                    "description": "Also count the matching cases per channel, category, handler and month, a time histogram (day, week or month buckets) and per province, city and county (`facets`)" }),
        ]);
    }
    Value::Array(params)
}

/// The JSON body of `POST /v1/search` (`export: false`) or `POST /v1/search/export`: the
/// query parameters as properties, nothing else.
fn search_body(export: bool) -> Value {
    let (limit_max, limit_default) = if export {
        (MAX_WINDOW, MAX_WINDOW)
    } else {
        (MAX_LIMIT, 10)
    };
    let bound = json!({ "anyOf": [{ "type": "string", "format": "date", "pattern": ERA }, { "type": "string", "format": "date-time", "pattern": ERA }, { "type": "null" }] });
    let mut properties = json!({
        "q": { "type": ["string", "null"], "maxLength": MAX_QUERY_CHARS, "description": "The query syntax (docs/SEARCH.md)" },
        "channel": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
        "place": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
        "from": bound,
        "to": bound,
        "handler": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
        "category": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
        "limit": { "type": ["integer", "null"], "minimum": 1, "maximum": limit_max, "default": limit_default },
        "offset": { "type": ["integer", "null"], "minimum": 0, "maximum": MAX_WINDOW - 1, "default": 0 }
    });
    if export {
        properties["format"] =
            json!({ "type": ["string", "null"], "enum": ["csv", "xlsx", null], "default": "csv" });
    } else {
        properties["similar_to"] =
            json!({ "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS });
        properties["counties"] =
            json!({ "type": "boolean", "description": "Also count the matching cases per county" });
        properties["facets"] = json!({ "type": "boolean", "description": "Also count per channel, category, handler, month, a time histogram and per division" });
    }
    json!({ "type": "object", "additionalProperties": false, "properties": properties,
            "example": if export { json!({ "q": "\"拖欠工资\" -建筑", "place": "长沙", "format": "xlsx", "limit": 500 }) }
                       else { json!({ "q": "噪音扰民", "place": "长沙", "from": "2024-01-01", "limit": 5, "facets": true }) } })
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

/// Every schema of the components.
fn schemas() -> Value {
    merged([
        case_schemas(),
        check_schemas(),
        search_schemas(),
        person_request_schema(),
        person_history_schemas(),
        job_schemas(),
    ])
}

/// The objects of `groups` as one object (their keys are distinct).
fn merged<const N: usize>(groups: [Value; N]) -> Value {
    let mut all = serde_json::Map::new();
    for group in groups {
        if let Value::Object(entries) = group {
            all.extend(entries);
        }
    }
    Value::Object(all)
}

/// The error body, and a case as added and as stored.
fn case_schemas() -> Value {
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
                "account": { "type": "string", "description": "masked unless the caller is admin" },
                "extra": { "type": "object" }
            }
        }
    })
}

/// A verdict and the check's answer.
fn check_schemas() -> Value {
    json!({
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
                        "via_group": { "type": "boolean", "description": "same matter through the matter's several cases on file (each close to the submission, none alone above the threshold); absent when false" },
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
        }
    })
}

/// The search and export bodies, and the search's answer with its facets.
fn search_schemas() -> Value {
    json!({
        "SearchRequest": search_body(false),
        "ExportRequest": search_body(true),
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
                "counties": { "type": "array", "items": schema_ref("DivisionCount") },
                "facets": schema_ref("SearchFacets")
            },
            "required": ["total", "hits"],
            "example": { "total": 1, "offset": 0, "hits": [{ "score": 7.3,
                "case": { "id": "C20240215-117", "channel": "网上", "location": "湖南省长沙市岳麓区",
                          "title": "望月湖小区工地夜间施工", "phone": "139****5678" },
                "highlights": [{ "field": "title", "text": "望月湖小区工地夜间施工", "html": "望月湖小区工地夜间<em>施工</em>" }] }] }
        },
        "DivisionCount": {
            "type": "object", "required": ["code", "name", "count"],
            "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "count": { "type": "integer", "minimum": 0 } }
        },
        "FacetValue": {
            "type": "object", "required": ["value", "count"],
            "properties": { "value": { "type": "string" }, "count": { "type": "integer", "minimum": 0 } }
        },
        "SearchFacets": {
            "description": "Counts of all the matching cases (not just the page), largest first; `months` and the histogram in time order",
            "type": "object",
            "required": ["channels", "categories", "handlers", "months", "histogram", "provinces", "cities", "counties"],
            "properties": {
                "channels": { "type": "array", "items": schema_ref("FacetValue") },
                "categories": { "type": "array", "items": schema_ref("FacetValue") },
                "handlers": { "type": "array", "items": schema_ref("FacetValue") },
                "months": { "type": "array", "items": schema_ref("FacetValue"), "description": "`value` is YYYY-MM" },
                "histogram": { "type": "object", "required": ["interval", "buckets"], "properties": {
                    "interval": { "type": "string", "enum": ["day", "week", "month"], "description": "day for a span up to 92 days, week (from Monday) up to two years, else month" },
                    "buckets": { "type": "array", "description": "Consecutive buckets from the first to the last matching case, empty ones included",
                        "items": { "type": "object", "required": ["start", "count"],
                            "properties": { "start": { "type": "string", "format": "date" }, "count": { "type": "integer", "minimum": 0 } } } }
                }},
                "provinces": { "type": "array", "items": schema_ref("DivisionCount") },
                "cities": { "type": "array", "items": schema_ref("DivisionCount") },
                "counties": { "type": "array", "items": schema_ref("DivisionCount") }
            }
        }
    })
}

/// A person look-up's body.
fn person_request_schema() -> Value {
    // a person look-up names at least one key that can identify someone: a phone holds
    // digits, an account something after its PLATFORM: prefix (not blank as Rust's `trim`
    // reads blanks); what else a key must be is checked by value
    let key_given: Vec<Value> = [
        ("name", "\\S"),
        ("phone", "[0-9０-９]"),
        ("id_number", "\\S"),
        (
            "account",
            "[:：][\\s\\S]*[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
        ),
    ]
    .iter()
    .chain(&[("case_id", "\\S")])
    .map(|(key, pattern)| {
        json!({ "required": [key], "properties": { *key: { "type": "string", "pattern": pattern } } })
    })
    .collect();
    json!({
        "PersonRequest": {
            "description": "At least one of name, phone, id_number, account (an intake key: one of phone, id_number, account), or instead of them case_id: the person of that stored case, its keys read server-side (what a page that shows the case masked links to). The values stay in the body, out of URLs and logs.",
            "type": "object", "additionalProperties": false,
            "properties": {
                "name": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS, "description": "Simplified or traditional; a masked name (张**) finds the full names it fits; a placeholder (匿名, 某某) is refused" },
                "phone": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS, "description": "One or several numbers in any format (+86 157-0882-5598, a landline with or without its area code); service numbers (12345, 110) identify nobody and are refused" },
                "id_number": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS, "description": "18 characters with a valid check digit or 15 digits, lower-case x or full-width allowed; a mask (4301**********2329) finds the numbers it fits" },
                "account": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS, "description": "PLATFORM:ACCOUNT (网上:zhang123)" },
                "case_id": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS, "description": "The person of this stored case: its name, phone, ID number and account are the keys (not combined with the keys above; an intake key needs the case to record a phone, ID number or account)" },
                "q": { "type": ["string", "null"], "maxLength": MAX_QUERY_CHARS, "description": "Words the cases must also match (the search syntax)" },
                "channel": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
                "place": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
                "from": { "anyOf": [{ "type": "string", "format": "date", "pattern": ERA }, { "type": "string", "format": "date-time", "pattern": ERA }, { "type": "null" }] },
                "to": { "anyOf": [{ "type": "string", "format": "date", "pattern": ERA }, { "type": "string", "format": "date-time", "pattern": ERA }, { "type": "null" }] },
                "handler": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
                "category": { "type": ["string", "null"], "maxLength": MAX_FIELD_CHARS },
                "max_cases": { "type": ["integer", "null"], "minimum": 1, "maximum": MAX_CASES, "default": 500,
                               "description": "Cases read per key kind and level (`truncated` says when a key matched more)" }
            },
            "anyOf": key_given,
            "example": { "phone": "+86 157-0882-5598", "id_number": "430104198807152329" }
        }
    })
}

/// A person's history, and the audit log of look-ups.
fn person_history_schemas() -> Value {
    json!({
        "PersonHistory": {
            "type": "object", "required": ["keys", "total", "exact", "possible", "truncated", "matters"],
            "properties": {
                "keys": { "type": "array", "items": { "type": "string", "enum": ["id_number", "phone", "account", "name"] } },
                "total": { "type": "integer", "minimum": 0 }, "exact": { "type": "integer", "minimum": 0 },
                "possible": { "type": "integer", "minimum": 0 },
                "truncated": { "type": "boolean", "description": "A key matched more cases than `max_cases`" },
                "matters": { "type": "array", "description": "Matters with an exact match first, then possible ones; newest matter first in each",
                    "items": { "type": "object",
                        "required": ["matter", "match", "first_received", "last_received", "submissions", "channels", "first_handler", "latest_status", "title", "cases"],
                        "properties": {
                            "matter": { "type": "string", "description": "M- plus the id of the matter's first case" },
                            "match": { "type": "string", "enum": ["exact", "possible"] },
                            "first_received": { "type": ["string", "null"] }, "last_received": { "type": ["string", "null"] },
                            "submissions": { "type": "integer", "minimum": 1 },
                            "channels": { "type": "array", "items": { "type": "string" } },
                            "first_handler": { "type": ["string", "null"], "description": "首办: the handler of the matter's first case that names one" },
                            "latest_status": { "type": ["string", "null"] }, "title": { "type": ["string", "null"] },
                            "cases": { "type": "array", "description": "Newest first", "items": { "type": "object",
                                "required": ["id", "match", "matched", "case"],
                                "properties": {
                                    "id": { "type": "string" },
                                    "match": { "type": "string", "enum": ["exact", "possible"] },
                                    "matched": { "type": "array", "items": { "type": "object", "required": ["key", "level"], "properties": {
                                        "key": { "type": "string", "enum": ["id_number", "phone", "account", "name"] },
                                        "level": { "type": "string", "enum": ["exact", "possible"] } } } },
                                    "received_at": { "type": ["string", "null"] }, "channel": { "type": ["string", "null"] },
                                    "handler": { "type": ["string", "null"] }, "status": { "type": ["string", "null"] },
                                    "title": { "type": ["string", "null"] }, "location": { "type": ["string", "null"] },
                                    "case": schema_ref("Case")
                                }
                            }}
                        }
                    }
                }
            }
        },
        "AuditLog": {
            "type": "object", "required": ["intact", "total", "entries"],
            "properties": {
                "intact": { "type": "boolean", "description": "false when a line was removed, edited or cannot be read" },
                "broken_at": { "type": ["string", "null"], "description": "The first entry (seq) whose `prev` does not match, or the unreadable line" },
                "total": { "type": "integer", "minimum": 0, "description": "Entries in the log" },
                "entries": { "type": "array", "description": "The newest `limit` entries, oldest first", "items": { "type": "object",
                    "required": ["seq", "time", "who", "role", "via", "kinds", "hashes", "outcome", "cases", "prev"],
                    "properties": {
                        "seq": { "type": "integer", "minimum": 1 },
                        "time": { "type": "string", "format": "date-time" },
                        "who": { "type": "string", "description": "The API key's name, or the operating-system user of a CLI look-up" },
                        "role": { "type": "string" },
                        "via": { "type": "string", "enum": ["http", "cli"] },
                        "kinds": { "type": "array", "items": { "type": "string", "enum": ["id_number", "phone", "account", "name"] } },
                        "hashes": { "type": "array", "items": { "type": "string" }, "description": "kind:HMAC-SHA-256 of each normalised value under the index's audit key (128 bits, hex); never the value" },
                        "outcome": { "type": "string", "enum": ["allowed", "denied"] },
                        "cases": { "type": "integer", "minimum": 0 },
                        "prev": { "type": "string", "description": "SHA-256 of the previous line (hex); empty for the first" }
                    }
                }}
            }
        }
    })
}

/// A dedupe job's request, creation and status.
fn job_schemas() -> Value {
    json!({
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
                "stage": { "type": "string", "enum": ["queued", "reading", "blocking", "scoring", "clustering", "done"] }, "done": { "type": "integer" }, "total": { "type": "integer" },
                "records": { "type": "integer" }, "rejected": { "type": "integer" },
                "rejections": { "type": "array", "items": { "type": "string" } },
                "error": { "type": "string" }
            }
        }
    })
}

/// The roles that may search, read cases and run dedupe jobs.
const SUPERVISOR: &[&str] = &["supervisor", "admin"];
/// The roles that may check and add cases.
const INTAKE: &[&str] = &["intake", "admin"];
/// Every role of the desk.
const DESK: &[&str] = &["intake", "supervisor", "admin"];

/// The links from a created dedupe job to its resources.
fn job_links() -> Value {
    json!({
        "GetJobStatus": { "operationId": "job_status", "parameters": { "id": "$response.body#/id" },
                          "description": "Poll the job" },
        "GetJobGroups": { "operationId": "job_groups", "parameters": { "id": "$response.body#/id" },
                          "description": "The groups, once done" },
        "GetJobReport": { "operationId": "job_report", "parameters": { "id": "$response.body#/id" },
                          "description": "The report, once done" }
    })
}

/// An export's answer: the rows as CSV or XLSX.
fn export_ok() -> Value {
    json!({
        "description": "The rows: CSV (UTF-8 with a BOM) or XLSX (one sheet, `cases`), as an attachment",
        "headers": { "Content-Disposition": { "description": "attachment; filename=\"cases.csv\" (or cases.xlsx)", "schema": { "type": "string" } } },
        "content": {
            "text/csv": { "schema": { "type": "string" },
                "example": "\u{feff}id,received_at,channel,platform,name,phone,id_number,location,title,content,category,handler,status,score\nC20240215-117,2024-02-15T10:02:00+08:00,网上,,张伟,139****5678,,湖南省长沙市岳麓区,望月湖小区工地夜间施工,工地每天晚上施工到凌晨,,岳麓区住房和城乡建设局,办结,7.300\n" },
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "contentMediaType": "application/octet-stream" } }
        }
    })
}

/// A body of one case.
fn case_body() -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema_ref("CaseInput") } } })
}

/// The routes of cases: adding, reading and a case's matter history.
fn case_paths() -> Value {
    json!({
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
        }), INTAKE) },
        "/v1/cases/{id}": { "get": op(json!({
            "tags": ["cases"], "operationId": "get_case", "summary": "One case by id",
            "description": "ID numbers, phones and platform accounts are masked unless the caller is admin.",
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
        }), SUPERVISOR) },
        "/v1/cases/{id}/history": { "get": op(json!({
            "tags": ["cases"], "operationId": "case_history", "summary": "The matter history of one case",
            "description": "The case's duplicate group and matter group on one timeline, newest first; `first` marks the earliest record (首办). No personal data.",
            "parameters": [ id_param("Case id") ],
            "responses": {
                "200": ok("`{id, original_id, duplicates, related, records: [{id, relation: self|duplicate|related, channel, platform, received_at, handler, status, title, location, summary, content, linked_to, first}]}`",
                    json!({ "type": "object", "required": ["id", "records"] })),
                "400": err("A parameter out of bounds"), "404": err("No case with this id")
            }
        }), DESK) }
    })
}

/// The routes of the check: the check, the model and reading a ticket.
fn check_paths() -> Value {
    json!({
        "/v1/check": { "post": op(json!({
            "tags": ["check"], "operationId": "check", "summary": "Is this submission a repeat?",
            "description": "Verdict (DUPLICATE, RELATED, SAME_PERSON, NEW), matches with evidence per field, routing hint. A submission without `received_at` is received now.",
            "parameters": [{ "name": "add", "in": "query", "required": false, "schema": { "type": "boolean" },
                "description": "Register the submission after the check (answered once durable)" }],
            "requestBody": case_body(),
            "responses": {
                "200": ok("The verdict", schema_ref("CheckResult")),
                "400": err("Not a valid case, or malformed JSON"),
                "413": err("The body is larger than body_limit_bytes"),
                "415": err("The body is not `application/json`")
            }
        }), INTAKE) },
        "/v1/model": { "get": op(json!({
            "tags": ["check"], "operationId": "model_summary", "summary": "The model's thresholds and priors (log2), for drawing the evidence",
            "responses": {
                "200": ok("`{person_threshold, matter_threshold, person_prior, matter_prior, source}`",
                    json!({ "type": "object", "required": ["person_threshold", "matter_threshold"] }))
            }
        }), DESK) },
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
        }), DESK) }
    })
}

/// The routes of search: search, export and place autocomplete.
fn search_paths() -> Value {
    json!({
        "/v1/search": {
            "get": op(json!({
                "tags": ["search"], "operationId": "search_get", "summary": "Search cases",
                "description": format!("The query syntax (words, \"phrases\", -exclusion, OR, field prefixes; every string of two or more characters of a title, narrative or location finds its case, word matches first) with synonyms, filters, pagination, highlights (`<em>`) and, on request, facets; or cases similar to one (`similar_to`). `offset + limit` must be at most {MAX_WINDOW}; `place` must name a known division (or give its code); `from`/`to` take the spellings of `received_at`."),
                "parameters": search_params(false),
                "responses": {
                    "200": { "description": "Hits", "content": { "application/json": { "schema": schema_ref("SearchResults"),
                        "example": { "total": 1, "offset": 0, "hits": [{ "score": 7.3,
                            "case": { "id": "C20240215-117", "title": "望月湖小区工地夜间施工" },
                            "highlights": [{ "field": "title", "text": "望月湖小区工地夜间施工", "html": "望月湖小区工地夜间<em>施工</em>" }] }] } } } },
                    "400": err("Malformed query syntax (the message names the character), a parameter out of bounds, an unknown parameter (`format` belongs to the export), an unknown or ambiguous place, an unparseable date"),
                    "404": err("`similar_to` names no case")
                }
            }), SUPERVISOR),
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
            }), SUPERVISOR)
        },
        "/v1/search/export": {
            "get": op(json!({
                "tags": ["search"], "operationId": "export_get", "summary": "Export a search's results as CSV or XLSX",
                "description": format!("The result list of a word search, best first, as CSV (UTF-8 with a BOM) or XLSX, at most {MAX_WINDOW} rows (`offset + limit`). Columns: id, received_at, channel, platform, name, phone, id_number, location, title, content, category, handler, status, score. ID numbers, phones and accounts are masked unless the caller is admin; a cell that a spreadsheet would run as a formula is written as text."),
                "parameters": search_params(true),
                "responses": {
                    "200": export_ok(),
                    "400": err("Malformed query syntax, a parameter out of bounds, an unknown parameter (`similar_to`, `counties` and `facets` are not exported), an unknown or ambiguous place, an unparseable date")
                }
            }), SUPERVISOR),
            "post": op(json!({
                "tags": ["search"], "operationId": "export_post", "summary": "Export a search's results (parameters as JSON)",
                "description": "As GET /v1/search/export.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": schema_ref("ExportRequest") } } },
                "responses": {
                    "200": export_ok(),
                    "400": err("As GET /v1/search/export, or malformed JSON"),
                    "413": err("The body is larger than body_limit_bytes"),
                    "415": err("The body is not `application/json`")
                }
            }), SUPERVISOR)
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
        }), &[]) }
    })
}

/// The routes of person look-ups and their audit log.
fn person_paths() -> Value {
    json!({
        "/v1/person": { "post": op(json!({
            "tags": ["person"], "operationId": "look_up_person", "summary": "A complainant's history, grouped by matter",
            "description": "Every case of one person found by name, phone, ID number or platform account (normalised as the check does; masked values on file are possible matches, ranked last), or the person of a stored case (`case_id`, what the pages link to: the keys are read server-side), optionally within the search's filters and words, grouped by matter with each matter's first handler (首办). Every look-up, answered or refused, is written to the audit log with keyed hashes of the values. The intake role may look up only by a number the person presents (ID number, phone, account): a name alone is refused with 403. ID numbers, phones and accounts in the cases are masked unless the caller is admin.",
            "requestBody": { "required": true, "content": { "application/json": { "schema": schema_ref("PersonRequest") } } },
            "responses": {
                "200": ok("The history", schema_ref("PersonHistory")),
                "400": err("No key given, an invalid ID number, a phone without a personal number, a placeholder name, an account not PLATFORM:ACCOUNT, malformed query syntax, a parameter out of bounds, an unknown place, malformed JSON"),
                "403": err("The key's role may not use this operation, or the intake role looked up a name alone (audited)"),
                "404": err("`case_id` names no stored case"),
                "413": err("The body is larger than body_limit_bytes"),
                "415": err("The body is not `application/json`")
            }
        }), DESK) },
        "/v1/audit": { "get": op(json!({
            "tags": ["person"], "operationId": "read_audit", "summary": "The audit log of person look-ups",
            "description": "Who looked up whom (as keyed hashes, never the values), when, through which door, with what outcome; the chain of hashes is checked (`intact`).",
            "parameters": [{ "name": "limit", "in": "query", "required": false, "description": "The newest entries only",
                             "schema": { "type": "integer", "minimum": 0, "maximum": MAX_AUDIT_ENTRIES, "default": 1000 } }],
            "responses": {
                "200": ok("The log", schema_ref("AuditLog")),
                "400": err("`limit` out of bounds")
            }
        }), &["admin"]) }
    })
}

/// The routes of dedupe jobs.
fn dedupe_paths() -> Value {
    json!({
        "/v1/dedupe/jobs": { "post": op(json!({
            "tags": ["dedupe"], "operationId": "start_job", "summary": "Start a dedupe job",
            "description": "On an uploaded file (NDJSON, CSV/TSV in UTF-8 or GB18030/GBK, a workbook) or, as JSON, on files under the server's dedupe_dir. Poll the job through the links.",
            "parameters": upload_params("Read only this sheet of a workbook"),
            "requestBody": upload_body(true),
            "responses": {
                "202": { "description": "Queued", "content": { "application/json": { "schema": schema_ref("JobCreated") } },
                         "links": job_links() },
                "400": err("Unknown format or encoding, a bad mapping, no header row, not a workbook, a name leading out of dedupe_dir, or server-side files disabled (no dedupe_dir)"),
                "404": err("A named file is not under dedupe_dir"),
                "413": err("The body is larger than body_limit_bytes")
            }
        }), SUPERVISOR) },
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
        }), SUPERVISOR) },
        "/v1/dedupe/jobs/{id}": { "get": op(json!({
            "tags": ["dedupe"], "operationId": "job_status", "summary": "Status and progress of a job",
            "parameters": [id_param("Job id")],
            "responses": { "200": ok("The status", schema_ref("JobStatus")), "404": err("No such job (or forgotten after its time to live)") }
        }), SUPERVISOR) },
        "/v1/dedupe/jobs/{id}/groups": { "get": op(json!({
            "tags": ["dedupe"], "operationId": "job_groups", "summary": "Groups of a finished job",
            "parameters": [id_param("Job id")],
            "responses": {
                "200": { "description": "NDJSON, one line per record: id, duplicate_group, matter_group, original, size, channels, matter_original, matter_size",
                         "content": { "application/x-ndjson": { "schema": { "type": "string" } } } },
                "404": err("No such job"), "409": err("The job is still running, or failed")
            }
        }), SUPERVISOR) },
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
        }), SUPERVISOR) }
    })
}

/// The routes of operations.
fn ops_paths() -> Value {
    json!({
        "/healthz": { "get": op(json!({ "tags": ["ops"], "operationId": "healthz", "summary": "Liveness",
            "responses": { "200": ok("Alive", json!({ "type": "object", "required": ["status"], "properties": { "status": { "const": "ok" } } })) } }), &[]) },
        "/readyz": { "get": op(json!({ "tags": ["ops"], "operationId": "readyz", "summary": "Readiness: the index answers and the writer commits",
            "responses": { "200": ok("Ready", json!({ "type": "object", "required": ["status", "documents"],
                "properties": { "status": { "const": "ready" }, "documents": { "type": "integer" } } })) } }), &[]) },
        "/metrics": { "get": op(json!({ "tags": ["ops"], "operationId": "metrics", "summary": "Prometheus metrics (OpenMetrics text)",
            "responses": { "200": { "description": "The exposition", "content": { "application/openmetrics-text": { "schema": { "type": "string" } } } } } }), &[]) },
        "/openapi.json": { "get": op(json!({ "tags": ["ops"], "operationId": "openapi", "summary": "This document",
            "responses": { "200": ok("OpenAPI 3.1", json!({ "type": "object" })) } }), &[]) }
    })
}

/// The document.
pub fn document() -> Value {
    let paths = merged([
        case_paths(),
        check_paths(),
        search_paths(),
        person_paths(),
        dedupe_paths(),
        ops_paths(),
    ]);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "casematch",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Index Chinese complaint and petition cases (信访, 12345) and tell whether a submission repeats a case on file.\n\nAuthentication: send `Authorization: Bearer <key>` or `X-API-Key: <key>`. Every credential sent must be valid, else 401; when both are valid, `Authorization` wins. Roles: intake (check, add cases, a person's history by a number the person presents), supervisor (search and export, read cases, person look-ups, dedupe jobs), admin (everything, the audit log of look-ups; the only role that sees ID numbers, phones and accounts in clear). Every error is `{\"error\": {\"status\", \"code\", \"message\"}}`.",
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
