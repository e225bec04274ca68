//! `casematch search`: BM25 search with filters, pagination and highlights.

use super::{IndexArg, terminal};
use anyhow::Context;
use casematch::Engine;
use casematch::analysis::Gazetteer;
use casematch::index::SearchRequest;
use casematch::model::{normalize_channel, parse_date_bound};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// Words to search for in title, content and location (empty: list by date)
    #[arg(default_value = "")]
    pub query: String,
    /// Channel (网上, 电话, 来信, 来访, 微信, 手机APP, 短信)
    #[arg(long)]
    pub channel: Option<String>,
    /// Place: a division name or code; includes every division below it (长沙 → all its counties)
    #[arg(long)]
    pub place: Option<String>,
    /// Received on or after this date (2023-05-01 or 2023-05-01T08:00:00+08:00)
    #[arg(long)]
    pub from: Option<String>,
    /// Received on or before this date (a bare date includes the whole day)
    #[arg(long)]
    pub to: Option<String>,
    /// First-handling department (首办单位), exact
    #[arg(long)]
    pub handler: Option<String>,
    /// Category, exact
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// JSON output with `<em>` highlights
    #[arg(long)]
    pub json: bool,
    /// Also count the matching cases per county
    #[arg(long)]
    pub counties: bool,
}

fn resolve_place(raw: &str) -> anyhow::Result<String> {
    Gazetteer::global()
        .resolve_filter(raw)
        .map_err(|e| anyhow::anyhow!("--place: {e}"))
}

fn parse_bound(raw: &str, end_of_day: bool) -> anyhow::Result<i64> {
    parse_date_bound(raw, end_of_day).with_context(|| format!("unparseable date {raw:?}"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.index.index)
        .with_context(|| format!("opening index {}", args.index.index.display()))?;
    let request = SearchRequest {
        query: args.query.clone(),
        channel: args.channel.as_deref().map(normalize_channel),
        place: args.place.as_deref().map(resolve_place).transpose()?,
        from: args
            .from
            .as_deref()
            .map(|d| parse_bound(d, false))
            .transpose()?,
        to: args
            .to
            .as_deref()
            .map(|d| parse_bound(d, true))
            .transpose()?,
        handler: args.handler.clone(),
        category: args.category.clone(),
        limit: args.limit,
        offset: args.offset,
        facet_counties: args.counties,
    };
    let started = std::time::Instant::now();
    let results = engine.search(&request)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if args.json {
        println!("{}", serde_json::to_string(&results)?);
        return Ok(ExitCode::SUCCESS);
    }
    let colour = terminal::stdout_is_terminal();
    println!(
        "{} cases match{} ({ms:.1} ms); showing {}–{}",
        results.total,
        if args.query.is_empty() {
            String::new()
        } else {
            format!(" {:?}", args.query)
        },
        (results.offset + 1).min(results.total),
        results.offset + results.hits.len()
    );
    for c in results.counties.iter().take(20) {
        println!("  {:>6}  {} ({})", c.count, c.name, c.code);
    }
    for hit in &results.hits {
        let c = &hit.case;
        println!();
        println!(
            "{}  {}  {}  {}  score {:.2}",
            c.id,
            c.received_at
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            c.channel.as_deref().unwrap_or("-"),
            c.handler.as_deref().unwrap_or("-"),
            hit.score
        );
        if let Some(t) = &c.title {
            println!("  {t}");
        }
        for h in &hit.highlights {
            println!(
                "  {}: {}",
                h.field,
                terminal::colour_ranges(&h.text, &h.ranges, colour)
            );
        }
        if hit.highlights.is_empty() {
            let snippet: String = c
                .content
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(80)
                .collect();
            println!("  {snippet}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
