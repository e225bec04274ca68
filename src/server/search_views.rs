//! `GET|POST /v1/search` (the query syntax, filters, facets, similar cases) and
//! `GET|POST /v1/search/export` (the result list as CSV or XLSX).

use super::AppState;
use super::auth::{Caller, Role};
use super::error::{ApiError, ApiJson, ApiQuery};
use super::limits;
use crate::engine::{Engine, SearchRequest, mask_middle};
use crate::model::{Case, normalize_channel, parse_date_bound};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// Rows an export holds at most (the deepest a search may page).
pub const MAX_EXPORT_ROWS: usize = limits::MAX_WINDOW;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// the query: words, "phrases", -exclusions, OR, title:/content:/location:/handler: (docs/SEARCH.md)
    #[serde(default)]
    q: Option<String>,
    channel: Option<String>,
    /// division name or code; includes everything below it
    place: Option<String>,
    /// received on or after (date or RFC 3339)
    from: Option<String>,
    /// received on or before (a bare date includes the day)
    to: Option<String>,
    handler: Option<String>,
    category: Option<String>,
    /// default 10, at most 100 (export: default and at most 10000)
    #[serde(default, deserialize_with = "whole_number")]
    limit: Option<usize>,
    /// default 0; `offset + limit` at most 10000
    #[serde(default, deserialize_with = "whole_number")]
    offset: Option<usize>,
    /// a case id: return cases with a similar narrative instead of a word search
    similar_to: Option<String>,
    /// also count the matching cases per county
    #[serde(default)]
    counties: bool,
    /// also count per channel, category, handler, month, a time histogram and per division
    #[serde(default)]
    facets: bool,
    /// export only: csv (default) or xlsx
    format: Option<String>,
}

/// A non-negative integer as JSON writes it (`10`, or `10.0`, which JSON Schema counts as an
/// integer too) or as a query string does (`"10"`).
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    use serde::de::Error;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Unsigned(u64),
        Float(f64),
        Text(String),
    }
    let bad = || D::Error::custom("expected a non-negative integer");
    match Option::<Number>::deserialize(d)? {
        None => Ok(None),
        Some(Number::Unsigned(n)) => usize::try_from(n).map(Some).map_err(|_| bad()),
        Some(Number::Float(f)) if f.fract() == 0.0 && (0.0..9.0e15).contains(&f) => {
            Ok(Some(f as usize))
        }
        Some(Number::Text(t)) => t.trim().parse().map(Some).map_err(|_| bad()),
        Some(Number::Float(_)) => Err(bad()),
    }
}

/// ID numbers and phones masked for roles that need not see them.
pub fn visible(case: &Case, role: Role) -> Case {
    let mut c = case.clone();
    if !role.sees_personal_data() {
        c.id_number = c.id_number.as_deref().map(|s| mask_middle(s, 4, 4));
        c.phone = c.phone.as_deref().map(|s| mask_middle(s, 3, 4));
        c.account = c.account.as_deref().map(|s| mask_middle(s, 2, 2));
    }
    c
}

/// The filters of a search or a person look-up, the way both take them.
pub struct Filters<'a> {
    pub channel: &'a Option<String>,
    pub place: &'a Option<String>,
    pub from: &'a Option<String>,
    pub to: &'a Option<String>,
    pub handler: &'a Option<String>,
    pub category: &'a Option<String>,
}

/// A filter with something in it: a blank one (a form's empty field) filters nothing.
fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.trim().is_empty())
}

/// A province or city code as the facets write it, padded to six digits (430000 for 43,
/// 430100 for 4301), read as the division it pads; any other place is left as given.
fn unpadded_division(raw: &str) -> &str {
    let t = raw.trim();
    if t.len() != 6 || !t.bytes().all(|b| b.is_ascii_digit()) || Engine::places().get(t).is_some() {
        return raw;
    }
    let short = if t.ends_with("0000") {
        &t[..2]
    } else if t.ends_with("00") {
        &t[..4]
    } else {
        t
    };
    if Engine::places().get(short).is_some() {
        short
    } else {
        raw
    }
}

/// The engine's request restricted by the filters; a place must name a known division and
/// a bound must be a date (a blank bound is refused: no date was given by mistake).
pub fn filtered(query: &Option<String>, f: Filters<'_>) -> Result<SearchRequest, ApiError> {
    let bound = |raw: &str, end_of_day: bool| {
        parse_date_bound(raw, end_of_day)
            .ok_or_else(|| ApiError::bad_request(format!("unparseable date {raw:?}")))
    };
    Ok(SearchRequest {
        query: query.clone().unwrap_or_default(),
        channel: filled(f.channel).map(normalize_channel),
        place: filled(f.place)
            .map(|raw| {
                Engine::places()
                    .resolve_filter(unpadded_division(raw))
                    .map_err(ApiError::bad_request)
            })
            .transpose()?,
        from: f.from.as_deref().map(|d| bound(d, false)).transpose()?,
        to: f.to.as_deref().map(|d| bound(d, true)).transpose()?,
        handler: filled(f.handler).map(str::to_string),
        category: filled(f.category).map(str::to_string),
        ..SearchRequest::default()
    })
}

fn check_texts(p: &SearchParams) -> Result<(), ApiError> {
    limits::text("q", p.q.as_deref(), limits::MAX_QUERY_CHARS)?;
    for (name, value) in [
        ("channel", &p.channel),
        ("place", &p.place),
        ("from", &p.from),
        ("to", &p.to),
        ("handler", &p.handler),
        ("category", &p.category),
        ("similar_to", &p.similar_to),
        ("format", &p.format),
    ] {
        limits::text(name, value.as_deref(), limits::MAX_FIELD_CHARS)?;
    }
    Ok(())
}

/// The engine's request for the parameters (the query's syntax is checked by the engine).
pub fn request_of(
    p: &SearchParams,
    limit: usize,
    offset: usize,
) -> Result<SearchRequest, ApiError> {
    let filters = Filters {
        channel: &p.channel,
        place: &p.place,
        from: &p.from,
        to: &p.to,
        handler: &p.handler,
        category: &p.category,
    };
    Ok(SearchRequest {
        limit,
        offset,
        facet_counties: p.counties,
        facets: p.facets,
        ..filtered(&p.q, filters)?
    })
}

async fn run_search(
    state: AppState,
    caller: Caller,
    p: SearchParams,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = limits::page(p.limit, p.offset)?;
    check_texts(&p)?;
    if p.format.is_some() {
        return Err(ApiError::bad_request(
            "format is a parameter of /v1/search/export",
        ));
    }
    if let Some(id) = p.similar_to {
        let engine = state.engine.clone();
        let key = id.clone();
        let similar = tokio::task::spawn_blocking(move || engine.similar(&key, limit)).await??;
        let hits = similar.ok_or_else(|| ApiError::not_found(format!("no case with id {id:?}")))?;
        let hits: Vec<Value> = hits
            .into_iter()
            .map(|(s, score)| json!({ "score": score, "case": visible(&s.case, caller.role) }))
            .collect();
        return Ok(Json(
            json!({ "similar_to": id, "total": hits.len(), "hits": hits }),
        ));
    }
    let request = request_of(&p, limit, offset)?;
    let engine = state.engine.clone();
    let mut results = tokio::task::spawn_blocking(move || engine.search(&request)).await??;
    for hit in &mut results.hits {
        hit.case = visible(&hit.case, caller.role);
    }
    Ok(Json(
        serde_json::to_value(&results).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

/// Search with the query syntax, filters, pagination, highlights (`<em>`) and facets, or
/// similar cases to one id.
pub async fn search_get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<Value>, ApiError> {
    run_search(state, caller, p).await
}

/// The same search with the parameters as a JSON body.
pub async fn search_post(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(p): ApiJson<SearchParams>,
) -> Result<Json<Value>, ApiError> {
    run_search(state, caller, p).await
}

/// The columns of an export, in order.
pub const EXPORT_COLUMNS: [&str; 14] = [
    "id",
    "received_at",
    "channel",
    "platform",
    "name",
    "phone",
    "id_number",
    "location",
    "title",
    "content",
    "category",
    "handler",
    "status",
    "score",
];

fn row(case: &Case, score: f32) -> [String; 14] {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        case.id.clone(),
        case.received_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        o(&case.channel),
        o(&case.platform),
        o(&case.name),
        o(&case.phone),
        o(&case.id_number),
        o(&case.location),
        o(&case.title),
        o(&case.content),
        o(&case.category),
        o(&case.handler),
        case.status
            .map(|s| s.label().to_string())
            .unwrap_or_default(),
        format!("{score:.3}"),
    ]
}

/// A cell that a spreadsheet would run as a formula is written as text.
fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn csv_of(rows: &[[String; 14]]) -> Result<Vec<u8>, ApiError> {
    // a BOM, so that Excel reads the UTF-8 as such
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let fail = |e: csv::Error| ApiError::internal(format!("csv: {e}"));
        w.write_record(EXPORT_COLUMNS).map_err(fail)?;
        for r in rows {
            w.write_record(r.iter().map(|c| defuse(c))).map_err(fail)?;
        }
        w.flush()
            .map_err(|e| ApiError::internal(format!("csv: {e}")))?;
    }
    Ok(out)
}

fn xlsx_of(rows: &[[String; 14]]) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("cases").map_err(fail)?;
    let bold = Format::new().set_bold();
    for (c, name) in EXPORT_COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *name, &bold)
            .map_err(fail)?;
    }
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            // strings, never formulas: a narrative starting with = stays text
            sheet
                .write_string((r + 1) as u32, c as u16, v)
                .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

async fn run_export(
    state: AppState,
    caller: Caller,
    p: SearchParams,
) -> Result<Response, ApiError> {
    check_texts(&p)?;
    if p.similar_to.is_some() {
        return Err(ApiError::bad_request(
            "similar_to cannot be exported; export a word search",
        ));
    }
    if p.facets || p.counties {
        return Err(ApiError::bad_request(
            "facets and counties are parameters of /v1/search; an export holds the cases only",
        ));
    }
    let xlsx = match p.format.as_deref() {
        None | Some("csv") => false,
        Some("xlsx") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "unknown format {other:?} (csv, xlsx)"
            )));
        }
    };
    let offset = p.offset.unwrap_or(0);
    // without a limit: the rest of the window from the offset
    let limit = p
        .limit
        .unwrap_or_else(|| MAX_EXPORT_ROWS.saturating_sub(offset));
    if limit == 0 || offset.saturating_add(limit) > MAX_EXPORT_ROWS {
        return Err(ApiError::bad_request(format!(
            "an export holds 1 to {MAX_EXPORT_ROWS} rows (offset + limit); narrow the search with filters"
        )));
    }
    let mut request = request_of(&p, limit, offset)?;
    request.no_highlights = true;
    request.facets = false;
    request.facet_counties = false;
    let engine = state.engine.clone();
    let role = caller.role;
    let body = tokio::task::spawn_blocking(move || {
        let results = engine.search(&request)?;
        let rows: Vec<[String; 14]> = results
            .hits
            .iter()
            .map(|h| row(&visible(&h.case, role), h.score))
            .collect();
        Ok::<_, ApiError>(if xlsx {
            xlsx_of(&rows)?
        } else {
            csv_of(&rows)?
        })
    })
    .await??;
    let (ct, name) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "cases.xlsx",
        )
    } else {
        ("text/csv; charset=utf-8", "cases.csv")
    };
    Ok((
        [
            (header::CONTENT_TYPE, ct.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The result list of a search as CSV (UTF-8 with BOM) or XLSX, best first, up to 10,000 rows;
/// ID numbers and phones masked unless admin.
pub async fn export_get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Response, ApiError> {
    run_export(state, caller, p).await
}

/// The same export with the parameters as a JSON body.
pub async fn export_post(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(p): ApiJson<SearchParams>,
) -> Result<Response, ApiError> {
    run_export(state, caller, p).await
}

#[cfg(test)]
mod tests {
    use super::unpadded_division;

    #[test]
    fn a_padded_province_or_city_code_is_the_division_it_pads() {
        assert_eq!(unpadded_division("430000"), "43");
        assert_eq!(unpadded_division("430100"), "4301");
        // a county code is itself; names and unknown codes are left for the gazetteer to judge
        assert_eq!(unpadded_division("430104"), "430104");
        assert_eq!(unpadded_division("长沙"), "长沙");
        assert_eq!(unpadded_division("990000"), "990000");
        assert_eq!(unpadded_division("43"), "43");
    }
}
