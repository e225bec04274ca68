//! The HTTP service: axum routes, the JSON error shape, API keys and roles, rate limits,
//! metrics, the writer task and graceful shutdown. `app(state)` builds the router so tests
//! can call it without a socket.

mod auth;
mod config;
mod error;
mod history;
mod jobs;
mod limits;
mod metrics;
mod openapi;
mod routes;
mod wal;
mod writer;

pub use auth::{Caller, Role};
pub use config::{Config, KeyConfig, Settings};
pub use error::{ApiError, ErrorResponse};
pub use writer::{WriteError, WriterHandle, WriterHealth, WriterOptions, WriterThread};

use crate::engine::Engine;
use crate::engine::StoredCase;
use crate::error::Result;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
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
        (_, "/v1/cases/{id}/history" | "/v1/ticket" | "/v1/model") => {
            Some(&[Role::Intake, Role::Supervisor, Role::Admin])
        }
        _ => Some(SUPERVISOR),
    }
}

/// The client's address, when the server was started with connection info (tests that call
/// the router directly have none and share one bucket).
fn client_addr(req: &Request) -> String {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "addr:unknown".into(), |c| format!("addr:{}", c.0.ip()))
}

fn too_many(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!("rate limit exceeded; retry in {} s", secs.max(1)),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    response
}

/// Credentials, rate limit and roles. Every request counts against a limit: an
/// authenticated caller's own, else its client address's (so 401s, unknown routes and the
/// public routes are limited too).
async fn authorize(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let presented = if state.keys.is_open() {
        Ok(None)
    } else {
        let h = req.headers();
        auth::credentials(
            &state.keys,
            h.get(header::AUTHORIZATION).map(HeaderValue::as_bytes),
            h.get("x-api-key").map(HeaderValue::as_bytes),
        )
    };
    let bucket = match &presented {
        Ok(Some(caller)) => format!("key:{}", caller.name),
        _ => client_addr(&req),
    };
    if let Err(wait) = state.limiter.check(&bucket) {
        return too_many(wait);
    }
    let presented = match presented {
        Ok(p) => p,
        Err(refused) => return unauthorized(refused.message()),
    };
    // unmatched requests go on to the JSON 404 / 405
    let Some(route) = route else {
        return next.run(req).await;
    };
    let Some(roles) = required_roles(req.method(), &route) else {
        return next.run(req).await;
    };
    let caller = match presented {
        Some(c) => c,
        None if state.keys.is_open() => Caller {
            name: "anonymous".into(),
            role: Role::Admin,
        },
        None => {
            return unauthorized(
                "an API key is required: Authorization: Bearer <key> or X-API-Key: <key>",
            );
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
    req.extensions_mut().insert(caller);
    next.run(req).await
}

fn unauthorized(message: &str) -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, message).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"casematch\""),
    );
    response
}

/// Request metrics: method (bounded), route template, status, latency.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = route_of(&req).to_string();
    let response = next.run(req).await;
    state.metrics.record(
        method.as_str(),
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// The route template a request matched (`/v1/cases/{id}`), never its path or query, which
/// may hold ids, names or phone numbers.
fn route_of<B>(req: &axum::http::Request<B>) -> &str {
    req.extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
}

/// The request id to log: the client's `x-request-id` when it is a plain token, else the
/// one the server gave.
fn request_id<B>(req: &axum::http::Request<B>) -> &str {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        .unwrap_or("-")
}

const REQUEST_ID: &str = "x-request-id";

/// Request ids: a per-process random start plus a counter, as hex.
#[derive(Clone)]
struct NextRequestId(Arc<std::sync::atomic::AtomicU64>);

impl NextRequestId {
    fn new() -> NextRequestId {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()).rotate_left(32);
        NextRequestId(Arc::new(std::sync::atomic::AtomicU64::new(seed)))
    }
}

impl tower_http::request_id::MakeRequestId for NextRequestId {
    fn make_request_id<B>(
        &mut self,
        _: &axum::http::Request<B>,
    ) -> Option<tower_http::request_id::RequestId> {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HeaderValue::from_str(&format!("{n:016x}"))
            .ok()
            .map(tower_http::request_id::RequestId::new)
    }
}

/// The access log through `tracing`: one span per request with method, route template and
/// request id, one event when it is answered with status and latency. Nothing of the path,
/// query, headers or body is logged.
fn access_log<B>(req: &axum::http::Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %metrics::MethodLabel::of(req.method().as_str()).as_str(),
        route = route_of(req),
        request_id = request_id(req),
    )
}

fn log_response<B>(res: &axum::http::Response<B>, latency: Duration, _: &tracing::Span) {
    let status = res.status().as_u16();
    let ms = latency.as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(target: "casematch::access", status, ms, "answered");
    } else if status >= 400 {
        tracing::warn!(target: "casematch::access", status, ms, "answered");
    } else {
        tracing::info!(target: "casematch::access", status, ms, "answered");
    }
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
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(access_log as fn(&Request) -> tracing::Span)
                .on_request(())
                .on_response(log_response as fn(&Response, Duration, &tracing::Span))
                .on_failure(()),
        )
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            NextRequestId::new(),
        ))
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
        tracing::warn!("no API keys configured; every request is treated as admin");
    }
    // panic messages may quote a request: log where, not what
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        tracing::error!("a thread panicked{at}");
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
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| crate::error::Error::io(&addr, e))?;
    drop(state);
    tracing::info!("shutting down: committing pending writes");
    tokio::task::spawn_blocking(move || writer_thread.join())
        .await
        .map_err(|e| crate::error::Error::Invalid(e.to_string()))?
}
