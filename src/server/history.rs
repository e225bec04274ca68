//! The desk's reading aids over the engine: a case's matter history (its duplicate and matter
//! groups on one timeline, the earliest record marked as 首办), the fields of a pasted hotline
//! ticket, and the decision thresholds the page draws its evidence waterfall against.

use super::AppState;
use super::error::{ApiError, ApiJson};
use super::limits;
use crate::engine::{Engine, History, TicketFields};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/cases/{id}/history", get(history))
        .route("/v1/ticket", post(ticket))
        .route("/v1/model", get(model_summary))
}

/// The matter history of one case: its duplicate and matter groups on one timeline.
async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> std::result::Result<Json<History>, ApiError> {
    limits::text("id", Some(&id), limits::MAX_FIELD_CHARS)?;
    let engine = state.engine.clone();
    let key = id.clone();
    let h = tokio::task::spawn_blocking(move || engine.history(&key)).await??;
    h.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no case with id {id:?}")))
}

/// The model's decision thresholds and priors (log2), for drawing the evidence.
async fn model_summary(State(state): State<AppState>) -> Json<Value> {
    let m = state.engine.model();
    let p = m.priors;
    let lse = |a: f64, b: f64| {
        let hi = a.max(b);
        hi + ((a - hi).exp2() + (b - hi).exp2()).log2()
    };
    let round = |x: f64| (x * 100.0).round() / 100.0;
    Json(json!({
        "person_threshold": m.person_threshold,
        "matter_threshold": m.matter_threshold,
        "person_prior": round(lse(p.duplicate, p.same_person) - lse(p.related, p.distinct)),
        "matter_prior": round(lse(p.duplicate, p.related) - lse(p.same_person, p.distinct)),
        "source": m.source,
    }))
}

// ---- a pasted ticket

#[derive(Debug, Deserialize)]
struct TicketRequest {
    text: String,
}

/// Reads the fields of a pasted ticket for the desk to confirm. The text is not kept or logged.
async fn ticket(
    ApiJson(req): ApiJson<TicketRequest>,
) -> std::result::Result<Json<TicketFields>, ApiError> {
    limits::case_bytes(req.text.len())?;
    let fields = tokio::task::spawn_blocking(move || Engine::read_ticket(&req.text)).await?;
    Ok(Json(fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Case;

    const TICKET: &str = "工单编号：12345-2024-0003021\n来电时间：2024-03-02 09:15\n\
        来电人：张伟先生\n联系电话：139 1234 5678\n身份证号：430104198807152329\n\
        问题属地：湖南省长沙市岳麓区望月湖街道\n诉求内容：市民来电反映，望月湖小区旁工地每晚施工到凌晨，\n\
        噪音扰民，希望查处。";

    fn case(id: &str, day: &str, name: &str, phone: &str, channel: &str, text: &str) -> Case {
        Case {
            id: id.into(),
            channel: Some(channel.into()),
            received_at: chrono::DateTime::parse_from_rfc3339(&format!("{day}T09:00:00+08:00"))
                .ok(),
            name: Some(name.into()),
            phone: Some(phone.into()),
            location: Some("湖南省长沙市岳麓区望月湖街道".into()),
            content: Some(text.into()),
            handler: Some(format!("{id}-handler")),
            status: crate::model::Status::parse("办理中"),
            ..Case::default()
        }
    }

    const NOISE: &str = "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，\
        多次向工地反映无果，希望有关部门依法查处夜间违规施工。";

    async fn call(
        state: &AppState,
        method: &str,
        uri: &str,
        key: Option<&str>,
        body: Value,
    ) -> (axum::http::StatusCode, Value) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let mut req = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json");
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        let body = if body.is_null() {
            axum::body::Body::empty()
        } else {
            axum::body::Body::from(body.to_string())
        };
        let resp = super::super::app(state.clone())
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_desk_routes_answer_the_intake_role_and_refuse_strangers() {
        let key = |name: &str, role: &str| super::super::KeyConfig {
            name: name.into(),
            role: role.into(),
            key: Some(format!("{name}-key")),
            sha256: None,
        };
        let settings = super::super::Config {
            keys: Some(vec![key("desk", "intake"), key("sup", "supervisor")]),
            ..super::super::Config::default()
        }
        .settings()
        .unwrap();
        let (state, _writer) = AppState::new(Engine::in_memory().unwrap(), settings).unwrap();
        for c in [
            case("WEB-1", "2024-03-02", "张伟", "13912345678", "网上", NOISE),
            case("TEL-2", "2024-03-09", "张伟", "13912345678", "电话", NOISE),
        ] {
            let (s, _) = call(
                &state,
                "POST",
                "/v1/cases",
                Some("desk-key"),
                serde_json::to_value(&c).unwrap(),
            )
            .await;
            assert_eq!(s, 201);
        }
        // acknowledged writes are read after the index commit
        let mut h = Value::Null;
        for _ in 0..50 {
            let (s, v) = call(
                &state,
                "GET",
                "/v1/cases/TEL-2/history",
                Some("desk-key"),
                Value::Null,
            )
            .await;
            if s == 200 && v["records"].as_array().is_some_and(|r| r.len() == 2) {
                h = v;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(h["original_id"], "WEB-1", "{h}");
        assert_eq!(h["records"][0]["id"], "TEL-2");
        assert_eq!(h["records"][1]["relation"], "duplicate");
        assert_eq!(h["records"][1]["first"], true);
        // no personal data on the timeline
        let text = h.to_string();
        assert!(
            !text.contains("13912345678") && !text.contains("张伟"),
            "{text}"
        );
        let (s, _) = call(
            &state,
            "GET",
            "/v1/cases/TEL-2/history",
            Some("sup-key"),
            Value::Null,
        )
        .await;
        assert_eq!(s, 200);
        let (s, _) = call(&state, "GET", "/v1/cases/TEL-2/history", None, Value::Null).await;
        assert_eq!(s, 401);
        let (s, _) = call(
            &state,
            "GET",
            "/v1/cases/NOPE/history",
            Some("desk-key"),
            Value::Null,
        )
        .await;
        assert_eq!(s, 404);
        let (s, t) = call(
            &state,
            "POST",
            "/v1/ticket",
            Some("desk-key"),
            json!({ "text": TICKET }),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(t["phone"], "139 1234 5678");
        assert_eq!(t["id_number_check"], "valid");
        let (s, _) = call(
            &state,
            "POST",
            "/v1/ticket",
            Some("desk-key"),
            json!({ "words": 1 }),
        )
        .await;
        assert_eq!(s, 400);
        let (s, m) = call(&state, "GET", "/v1/model", Some("desk-key"), Value::Null).await;
        assert_eq!(s, 200);
        let model = crate::engine::Model::bundled().unwrap();
        assert_eq!(m["person_threshold"].as_f64(), Some(model.person_threshold));
        assert_eq!(m["matter_threshold"].as_f64(), Some(model.matter_threshold));
    }
}
