//! `casematch serve`: the HTTP service.

use anyhow::Context;
use casematch::Engine;
use casematch::server::{Config, Settings, serve};
use std::path::PathBuf;
use std::process::ExitCode;

/// "<what> [default: <value>]" with the value read from `Settings::default()`, the one place
/// the defaults are written.
fn with_default(what: &str, setting: &str) -> String {
    let defaults = serde_json::to_value(Settings::default()).unwrap_or_default();
    let shown = match defaults.get(setting) {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        _ => "none".into(),
    };
    format!("{what} [default: {shown}]")
}

/// How the service logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// one line per event, for people
    #[default]
    Text,
    /// one JSON object per event, for log collectors
    Json,
}

/// Flags override the environment (CASEMATCH_*), which overrides the config file.
#[derive(clap::Args, Default)]
pub struct Args {
    /// Log format; the level comes from CASEMATCH_LOG (`info` by default; e.g. `warn`,
    /// `casematch=debug`)
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[arg(long, help = with_default("Index directory", "index"))]
    pub index: Option<PathBuf>,
    #[arg(long, help = with_default("Listen address", "addr"))]
    pub addr: Option<String>,
    /// TOML configuration file (see README: every setting and its default)
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[arg(long, help = with_default("Largest request body in bytes", "body_limit_bytes"))]
    pub body_limit_bytes: Option<usize>,
    #[arg(long, help = with_default("Requests per minute per API key", "rate_limit_per_minute"))]
    pub rate_limit_per_minute: Option<u32>,
    #[arg(long, help = with_default("Group commit window: longest a write waits for its commit, in ms", "commit_interval_ms"))]
    pub commit_interval_ms: Option<u64>,
    #[arg(long, help = with_default("Commit before the window ends once this many cases are pending", "commit_batch_max"))]
    pub commit_batch_max: Option<usize>,
    #[arg(long, help = with_default("How often an index on disk is committed, in ms (reads see writes then)", "index_commit_ms"))]
    pub index_commit_ms: Option<u64>,
    #[arg(long, help = with_default("Longest a request may take before a 503, in ms", "request_timeout_ms"))]
    pub request_timeout_ms: Option<u64>,
    #[arg(long, help = with_default("Dedupe jobs run at the same time", "job_workers"))]
    pub job_workers: Option<usize>,
    #[arg(long, help = with_default("Dedupe jobs that may wait for a worker; more get 429", "job_queue"))]
    pub job_queue: Option<usize>,
    #[arg(long, help = with_default("Seconds a finished dedupe job is kept", "job_ttl_secs"))]
    pub job_ttl_secs: Option<u64>,
    #[arg(long, help = with_default("Cases held in the read cache", "cache_capacity"))]
    pub cache_capacity: Option<u64>,
    #[arg(long = "cors-origin", help = with_default("CORS origin allowed (repeat; `*` for any)", "cors_origins"))]
    pub cors_origins: Vec<String>,
    #[arg(long, help = with_default("Directory dedupe jobs may read server-side files from", "dedupe_dir"))]
    pub dedupe_dir: Option<PathBuf>,
    /// Scoring model (TOML written by `casematch fit`) [default: the bundled model]
    #[arg(long)]
    pub model: Option<PathBuf>,
}

pub fn settings(args: &Args) -> anyhow::Result<Settings> {
    let file = match &args.config {
        Some(p) => Config::from_file(p)?,
        None => Config::default(),
    };
    let env = Config::from_env(|k| std::env::var(k).ok())?;
    let flags = Config {
        addr: args.addr.clone(),
        index: args.index.clone(),
        keys: None,
        body_limit_bytes: args.body_limit_bytes,
        rate_limit_per_minute: args.rate_limit_per_minute,
        commit_interval_ms: args.commit_interval_ms,
        commit_batch_max: args.commit_batch_max,
        index_commit_ms: args.index_commit_ms,
        request_timeout_ms: args.request_timeout_ms,
        job_workers: args.job_workers,
        job_queue: args.job_queue,
        job_ttl_secs: args.job_ttl_secs,
        cache_capacity: args.cache_capacity,
        cors_origins: (!args.cors_origins.is_empty()).then(|| args.cors_origins.clone()),
        dedupe_dir: args.dedupe_dir.clone(),
    };
    Ok(Settings::from_layers([file, env, flags])?)
}

/// Runs the service until Ctrl-C/SIGTERM; `banner` prints once the socket is bound.
pub fn run_with(
    settings: Settings,
    model: Option<&std::path::Path>,
    banner: impl FnOnce(&str),
) -> anyhow::Result<ExitCode> {
    let mut engine = Engine::open(&settings.index)
        .with_context(|| format!("opening index {}", settings.index.display()))?;
    if let Some(p) = model {
        engine = engine.with_model(Engine::load_model(p)?);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(serve(engine, settings, banner))?;
    Ok(ExitCode::SUCCESS)
}

/// Sends `tracing` events (the access log among them) to standard error.
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("CASEMATCH_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // a second call (demo, then serve in one process) keeps the first subscriber
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging(args.log_format);
    let settings = settings(&args)?;
    run_with(settings, args.model.as_deref(), |addr| {
        eprintln!("casematch listening on http://{addr} (Ctrl-C to stop)")
    })
}
