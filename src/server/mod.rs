//! The HTTP service: axum routes, the JSON error shape, API keys and roles, rate limits,
//! metrics, the writer task and graceful shutdown. `app(state)` builds the router so tests
//! can call it without a socket.

mod auth;
mod config;
mod error;
mod jobs;
mod limits;
mod metrics;
mod person;
mod routes;
mod search_views;
mod wal;
mod writer;

pub use auth::{Caller, Role};
pub use config::{Config, KeyConfig, Settings};
pub use error::{ApiError, ErrorResponse};
pub use writer::{WriteError, WriterHandle, WriterHealth, WriterOptions, WriterThread};

use crate::engine::Engine;
use crate::error::Result;
use crate::index::StoredCase;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Shared state of the service.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    pub writer: WriterHandle,
    pub cache: moka::sync::Cache<String, Arc<StoredCase>>,
    pub keys: Arc<auth::Keyring>,
    pub limiter: Arc<auth::RateLimiter>,
    pub metrics: Arc<metrics::Metrics>,
    pub jobs: Arc<jobs::Jobs>,
    pub settings: Arc<Settings>,
}

impl AppState {
    /// Builds the state and starts the writer thread (join it after the server stops).
    pub fn new(engine: Engine, settings: Settings) -> Result<(AppState, WriterThread)> {
        let engine = Arc::new(engine);
        let cache: moka::sync::Cache<String, Arc<StoredCase>> =
            moka::sync::Cache::new(settings.cache_capacity);
        // a read racing a commit may have cached the old version of a case just written
        let on_commit = {
            let cache = cache.clone();
            move |ids: &[String]| ids.iter().for_each(|id| cache.invalidate(id))
        };
        let options = WriterOptions {
            interval: Duration::from_millis(settings.commit_interval_ms),
            max_batch: settings.commit_batch_max,
            index_interval: Duration::from_millis(settings.index_commit_ms),
            ..WriterOptions::default()
        };
        let (writer, thread) = writer::start(engine.clone(), options, on_commit)?;
        let state = AppState {
            engine,
            writer,
            cache,
            keys: Arc::new(auth::Keyring::new(&settings.keys)?),
            limiter: Arc::new(auth::RateLimiter::new(settings.rate_limit_per_minute)),
            metrics: Arc::new(metrics::Metrics::default()),
            jobs: Arc::new(jobs::Jobs::new(
                settings.job_workers,
                settings.job_queue,
                Duration::from_secs(settings.job_ttl_secs),
            )),
            settings: Arc::new(settings),
        };
        Ok((state, thread))
    }
}

/// The role a route needs; `None` for public routes.
fn required_roles(method: &Method, route: &str) -> Option<&'static [Role]> {
    const INTAKE: &[Role] = &[Role::Intake, Role::Admin];
    const SUPERVISOR: &[Role] = &[Role::Supervisor, Role::Admin];
    match (method.as_str(), route) {
        (
            _,
            "/healthz" | "/readyz" | "/metrics" | "/openapi.json" | "/" | "/ui/app.js"
            | "/ui/style.css" | "/v1/places",
        ) => None,
        ("POST", "/v1/cases" | "/v1/check") => Some(INTAKE),
        ("POST", "/v1/person") => Some(&[Role::Intake, Role::Supervisor, Role::Admin]),
        _ => Some(SUPERVISOR),
    }
}

fn presented_key(req: &Request) -> Option<String> {
    let headers = req.headers();
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(v.trim().to_string());
    }
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|k| k.trim().to_string())
}

async fn authorize(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // unmatched requests go on to the JSON 404
    let Some(route) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
    else {
        return next.run(req).await;
    };
    let Some(roles) = required_roles(req.method(), &route) else {
        return next.run(req).await;
    };
    let caller = if state.keys.is_open() {
        Caller {
            name: "anonymous".into(),
            role: Role::Admin,
        }
    } else {
        match presented_key(&req).and_then(|k| state.keys.authenticate(&k)) {
            Some(c) => c,
            None => {
                return ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "missing or unknown API key (Authorization: Bearer <key> or X-API-Key)",
                )
                .into_response();
            }
        }
    };
    if !roles.contains(&caller.role) {
        let msg = format!(
            "the {} role may not use {} {}",
            caller.role.as_str(),
            req.method(),
            route
        );
        return ApiError::new(StatusCode::FORBIDDEN, msg).into_response();
    }
    if !state.limiter.allow(&caller.name) {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate limit exceeded; retry later",
        )
        .into_response();
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// Metrics and an access log line without personal data (route templates, not query strings).
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let response = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    state
        .metrics
        .record(method.as_str(), &route, response.status().as_u16(), ms);
    eprintln!(
        "{} {} {} {:.1}ms",
        method,
        route,
        response.status().as_u16(),
        ms
    );
    response
}

fn cors(settings: &Settings) -> Option<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, Any, CorsLayer};
    if settings.cors_origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new().allow_methods(Any).allow_headers(Any);
    Some(if settings.cors_origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        let origins: Vec<HeaderValue> = settings
            .cors_origins
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect();
        layer.allow_origin(AllowOrigin::list(origins))
    })
}

/// A handler that panicked: a 500 in the project's shape, the process lives on. The panic's
/// message stays out of the response (it may quote a request).
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("internal error: the request handler failed; it has been logged")
        .into_response()
}

/// Answers 503 when a request takes longer than `request_timeout_ms`. A write answered so is
/// not acknowledged: it may or may not land, and retrying it is safe (an id replaces).
async fn time_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ms = state.settings.request_timeout_ms;
    match tokio::time::timeout(Duration::from_millis(ms), next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the request took longer than {ms} ms and was abandoned"),
        )
        .into_response(),
    }
}

/// The router with every route, layer and the JSON fallbacks.
pub fn app(state: AppState) -> Router {
    app_with(Router::new(), state)
}

/// `app` with extra routes under the same layers (tests use it to reach failure paths).
#[doc(hidden)]
pub fn app_with(extra: Router<AppState>, state: AppState) -> Router {
    let limit = state.settings.body_limit_bytes;
    let cors = cors(&state.settings);
    let router = routes::router()
        .merge(extra)
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this route",
            )
        })
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), authorize))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state);
    match cors {
        Some(c) => router.layer(c),
        None => router,
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Serves until Ctrl-C/SIGTERM, then commits pending writes and returns.
pub async fn serve(engine: Engine, settings: Settings, on_ready: impl FnOnce(&str)) -> Result<()> {
    if settings.keys.is_empty() {
        eprintln!("warning: no API keys configured; every request is treated as admin");
    }
    // panic messages may quote a request: log where, not what
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!("error: a thread panicked{at}");
    }));
    let addr = settings.addr.clone();
    let (state, writer_thread) = AppState::new(engine, settings)?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| crate::error::Error::io(&addr, e))?;
    let local = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or(addr.clone());
    on_ready(&local);
    let router = app(state.clone());
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| crate::error::Error::io(&addr, e))?;
    drop(state);
    eprintln!("shutting down: committing pending writes");
    tokio::task::spawn_blocking(move || writer_thread.join())
        .await
        .map_err(|e| crate::error::Error::Invalid(e.to_string()))?
}
