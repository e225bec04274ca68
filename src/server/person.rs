//! `POST /v1/person`: a complainant's history (the keys stay in the body, out of URLs and
//! access logs), and `GET /v1/audit`: the audit log of look-ups, for admins.
//!
//! Who may look: admin and supervisor with any key; intake only with an identifier the
//! person at the desk presents (ID number, phone or platform account) — a name alone from
//! the intake role is refused (403). Every look-up, answered or refused, is audited.

use super::AppState;
use super::auth::{Caller, Role};
use super::error::{ApiError, ApiJson, ApiQuery};
use super::limits;
use super::search_views::{Filters, filtered, visible, whole_number};
use crate::engine::{Engine, PersonHistory, PersonLookup};
use crate::model::Case;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The most cases one look-up reads per key kind and level.
pub const MAX_CASES: usize = 2_000;
/// The most audit entries one `GET /v1/audit` returns.
pub const MAX_AUDIT_ENTRIES: usize = 10_000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonParams {
    /// simplified or traditional; a masked name (张**) finds full names it fits
    name: Option<String>,
    /// one or several numbers in any format (+86 157-0882-5598, landline with or without area code)
    phone: Option<String>,
    /// 18 or 15 digits, lower-case x or full-width; a mask (4301**********2329) finds numbers it fits
    id_number: Option<String>,
    /// PLATFORM:ACCOUNT
    account: Option<String>,
    /// the person of this stored case (its keys are read server-side); not with the keys above
    case_id: Option<String>,
    /// words the cases must also match (the search syntax)
    q: Option<String>,
    channel: Option<String>,
    place: Option<String>,
    from: Option<String>,
    to: Option<String>,
    handler: Option<String>,
    category: Option<String>,
    /// cases read per key kind and level, default 500, at most 2000
    #[serde(default, deserialize_with = "whole_number")]
    max_cases: Option<usize>,
}

fn role_may(role: Role, lookup: &PersonLookup) -> bool {
    match role {
        Role::Admin | Role::Supervisor => true,
        Role::Intake => lookup.has_identifier(),
    }
}

/// A complainant's cases grouped by matter.
pub async fn look_up(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(p): ApiJson<PersonParams>,
) -> Result<Json<Value>, ApiError> {
    check_lengths(&p)?;
    let max_cases = max_cases(p.max_cases)?;
    let within = filtered(
        &p.q,
        Filters {
            channel: &p.channel,
            place: &p.place,
            from: &p.from,
            to: &p.to,
            handler: &p.handler,
            category: &p.category,
        },
    )?;
    let engine = state.engine.clone();
    let of_case = match p.case_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(stored_case(&engine, id).await?),
    };
    let lookup = PersonLookup {
        name: p.name,
        phone: p.phone,
        id_number: p.id_number,
        account: p.account,
        within,
        max_cases: Some(max_cases),
        of_case,
    };
    if lookup.of_case.is_some() {
        // a case that records no key, or keys typed beside it: a bad request, not a refusal
        lookup.query()?;
    }
    if !role_may(caller.role, &lookup) {
        audit_denied(engine, lookup, caller).await?;
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "the intake role may look up a person by the ID number, phone or account they present, not by a name alone",
        ));
    }
    let history = visible_history(engine, lookup, caller).await?;
    Ok(Json(
        serde_json::to_value(&history).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

/// Every text parameter within its length limit.
fn check_lengths(p: &PersonParams) -> Result<(), ApiError> {
    for (name, value) in [
        ("name", &p.name),
        ("phone", &p.phone),
        ("id_number", &p.id_number),
        ("account", &p.account),
        ("case_id", &p.case_id),
        ("channel", &p.channel),
        ("place", &p.place),
        ("from", &p.from),
        ("to", &p.to),
        ("handler", &p.handler),
        ("category", &p.category),
    ] {
        limits::text(name, value.as_deref(), limits::MAX_FIELD_CHARS)?;
    }
    limits::text("q", p.q.as_deref(), limits::MAX_QUERY_CHARS)?;
    Ok(())
}

/// The cases to read per key kind and level: 500 unless given, at most `MAX_CASES`.
fn max_cases(given: Option<usize>) -> Result<usize, ApiError> {
    let max_cases = given.unwrap_or(500);
    if !(1..=MAX_CASES).contains(&max_cases) {
        return Err(ApiError::bad_request(format!(
            "max_cases must be between 1 and {MAX_CASES}, got {max_cases}"
        )));
    }
    Ok(max_cases)
}

/// The stored case whose person to look up (404 when there is none).
async fn stored_case(engine: &Arc<Engine>, id: &str) -> Result<Case, ApiError> {
    let (engine, id) = (engine.clone(), id.to_string());
    let stored = tokio::task::spawn_blocking(move || engine.get(&id).map(|c| (id, c))).await??;
    match stored {
        (_, Some(s)) => Ok(s.case),
        (id, None) => Err(ApiError::not_found(format!("case_id: no case {id}"))),
    }
}

/// Writes the refused look-up to the audit log.
async fn audit_denied(
    engine: Arc<Engine>,
    lookup: PersonLookup,
    caller: Caller,
) -> Result<(), ApiError> {
    tokio::task::spawn_blocking(move || engine.audit_denied(&lookup, caller.actor())).await??;
    Ok(())
}

/// The person's history (the look-up audited), each case masked for the caller's role.
async fn visible_history(
    engine: Arc<Engine>,
    lookup: PersonLookup,
    caller: Caller,
) -> Result<PersonHistory, ApiError> {
    let role = caller.role;
    let mut history =
        tokio::task::spawn_blocking(move || engine.person_history(&lookup, caller.actor()))
            .await??;
    for m in &mut history.matters {
        for c in &mut m.cases {
            c.case = visible(&c.case, role);
        }
    }
    Ok(history)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// the newest entries only (default 1000, at most 10000)
    #[serde(default, deserialize_with = "whole_number")]
    limit: Option<usize>,
}

/// The audit log of person look-ups (admin only), newest last.
pub async fn audit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<Value>, ApiError> {
    if caller.role != Role::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "only the admin role reads the audit log",
        ));
    }
    let limit = p.limit.unwrap_or(1000);
    if limit > MAX_AUDIT_ENTRIES {
        return Err(ApiError::bad_request(format!(
            "limit must be at most {MAX_AUDIT_ENTRIES}, got {limit}; `casematch audit` reads the whole log"
        )));
    }
    let engine = state.engine.clone();
    let report = tokio::task::spawn_blocking(move || engine.audit_report()).await??;
    let total = report.entries.len();
    let entries = &report.entries[total.saturating_sub(limit)..];
    Ok(Json(json!({
        "intact": report.intact,
        "broken_at": report.broken_at,
        "total": total,
        "entries": entries,
    })))
}
