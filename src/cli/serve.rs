//! `casematch serve`: the HTTP service.

use anyhow::Context;
use casematch::Engine;
use casematch::server::{Config, Settings, serve};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags override the environment (CASEMATCH_*), which overrides the config file.
#[derive(clap::Args, Default)]
pub struct Args {
    /// Index directory [default: ./index]
    #[arg(long)]
    pub index: Option<PathBuf>,
    /// Listen address [default: 127.0.0.1:7700]
    #[arg(long)]
    pub addr: Option<String>,
    /// TOML configuration file (see README: every setting and its default)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Largest request body in bytes [default: 10 MiB]
    #[arg(long)]
    pub body_limit_bytes: Option<usize>,
    /// Requests per minute per API key [default: 1200]
    #[arg(long)]
    pub rate_limit_per_minute: Option<u32>,
    /// Group commit window: longest a write waits for its commit, in ms [default: 2]
    #[arg(long)]
    pub commit_interval_ms: Option<u64>,
    /// Commit before the window ends once this many cases are pending [default: 1000]
    #[arg(long)]
    pub commit_batch_max: Option<usize>,
    /// How often an index on disk is committed, in ms (reads see writes then) [default: 1000]
    #[arg(long)]
    pub index_commit_ms: Option<u64>,
    /// Longest a request may take before a 503, in ms [default: 30000]
    #[arg(long)]
    pub request_timeout_ms: Option<u64>,
    /// Dedupe jobs run at the same time [default: 1]
    #[arg(long)]
    pub job_workers: Option<usize>,
    /// Dedupe jobs that may wait for a worker; more get 429 [default: 4]
    #[arg(long)]
    pub job_queue: Option<usize>,
    /// Seconds a finished dedupe job is kept [default: 3600]
    #[arg(long)]
    pub job_ttl_secs: Option<u64>,
    /// Cases held in the read cache [default: 10000]
    #[arg(long)]
    pub cache_capacity: Option<u64>,
    /// CORS origin allowed (repeat; `*` for any) [default: none]
    #[arg(long = "cors-origin")]
    pub cors_origins: Vec<String>,
    /// Directory dedupe jobs may read server-side files from [default: none]
    #[arg(long)]
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
    Ok(file.merge(env).merge(flags).settings())
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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let settings = settings(&args)?;
    run_with(settings, args.model.as_deref(), |addr| {
        eprintln!("casematch listening on http://{addr} (Ctrl-C to stop)")
    })
}
