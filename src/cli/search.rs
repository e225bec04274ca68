//! `casematch search`: BM25 search with filters, pagination, highlights and facets; with
//! `--name/--phone/--id-number/--account`, a complainant's history (audited).

use super::{IndexArg, terminal};
use anyhow::Context;
use casematch::engine::{
    Actor, CountyCount, Engine, FacetValue, MatchLevel, MatterHistory, PersonHistory, PersonLookup,
    SearchFacets, SearchHit, SearchRequest, SearchResults,
};
use casematch::model::{normalize_channel, parse_date_bound};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// Query: words, "phrases", -exclusions, OR, title:/content:/location:/handler: (empty: list by date)
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
    /// Also count per channel, category, handler and month, and per province and county
    #[arg(long)]
    pub facets: bool,
    /// Person look-up: the complainant's name (simplified or traditional; 张** finds fits)
    #[arg(long)]
    pub name: Option<String>,
    /// Person look-up: phone number(s) in any format
    #[arg(long)]
    pub phone: Option<String>,
    /// Person look-up: ID number (18 or 15 digits; a mask finds fits)
    #[arg(long = "id-number")]
    pub id_number: Option<String>,
    /// Person look-up: PLATFORM:ACCOUNT (网上:zhang123)
    #[arg(long)]
    pub account: Option<String>,
}

fn resolve_place(raw: &str) -> anyhow::Result<String> {
    Engine::places()
        .resolve_filter(raw)
        .map_err(|e| anyhow::anyhow!("--place: {e}"))
}

fn parse_bound(raw: &str, end_of_day: bool) -> anyhow::Result<i64> {
    parse_date_bound(raw, end_of_day).with_context(|| format!("unparseable date {raw:?}"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.index.index)
        .with_context(|| format!("opening index {}", args.index.index.display()))?;
    let request = search_request(&args)?;
    if args.name.is_some()
        || args.phone.is_some()
        || args.id_number.is_some()
        || args.account.is_some()
    {
        return person(&engine, &args, request);
    }
    let started = std::time::Instant::now();
    let results = engine.search(&request)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if args.json {
        println!("{}", serde_json::to_string(&results)?);
        return Ok(ExitCode::SUCCESS);
    }
    let colour = terminal::stdout_is_terminal();
    print_summary(&args.query, &results, ms);
    for c in results.counties.iter().take(20) {
        println!("  {:>6}  {} ({})", c.count, c.name, c.code);
    }
    if let Some(f) = &results.facets {
        print_facets(f);
    }
    for hit in &results.hits {
        print_hit(hit, colour);
    }
    Ok(ExitCode::SUCCESS)
}

/// The search the arguments ask for (the place resolved, the dates parsed).
fn search_request(args: &Args) -> anyhow::Result<SearchRequest> {
    Ok(SearchRequest {
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
        facets: args.facets,
        ..SearchRequest::default()
    })
}

/// The first line: how many cases match, how long it took and which are shown.
fn print_summary(query: &str, results: &SearchResults, ms: f64) {
    println!(
        "{} cases match{} ({ms:.1} ms); showing {}–{}",
        results.total,
        if query.is_empty() {
            String::new()
        } else {
            format!(" {query:?}")
        },
        (results.offset + 1).min(results.total),
        results.offset + results.hits.len()
    );
}

/// One line per facet: its first eight values with their counts (months newest first).
fn print_facets(f: &SearchFacets) {
    let line = |label: &str, values: Vec<(String, u64)>| {
        let shown: Vec<String> = values
            .into_iter()
            .take(8)
            .map(|(v, n)| format!("{v} {n}"))
            .collect();
        if !shown.is_empty() {
            println!("  {label:<9} {}", shown.join(" · "));
        }
    };
    let vals = |v: &[FacetValue]| {
        v.iter()
            .map(|x| (x.value.clone(), x.count))
            .collect::<Vec<_>>()
    };
    let places = |v: &[CountyCount]| {
        v.iter()
            .map(|x| (x.name.clone(), x.count))
            .collect::<Vec<_>>()
    };
    line("channel", vals(&f.channels));
    line("category", vals(&f.categories));
    line("handler", vals(&f.handlers));
    line("month", vals(&f.months).into_iter().rev().collect());
    line("province", places(&f.provinces));
    line("county", places(&f.counties));
}

/// A hit: its header line, title, and highlights (or the content's first 80 characters).
fn print_hit(hit: &SearchHit, colour: bool) {
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

/// Who runs the CLI, for the audit log.
fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

fn person(engine: &Engine, args: &Args, within: SearchRequest) -> anyhow::Result<ExitCode> {
    let lookup = PersonLookup {
        name: args.name.clone(),
        phone: args.phone.clone(),
        id_number: args.id_number.clone(),
        account: args.account.clone(),
        within,
        max_cases: None,
        of_case: None,
    };
    let who = os_user();
    let history = engine.person_history(
        &lookup,
        Actor {
            who: &who,
            role: "cli",
            via: "cli",
        },
    )?;
    if args.json {
        println!("{}", serde_json::to_string(&history)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_history_summary(&history);
    for m in &history.matters {
        print_matter(m);
    }
    Ok(ExitCode::SUCCESS)
}

/// The first line of a history: how many cases by which keys, in how many matters.
fn print_history_summary(history: &PersonHistory) {
    let keys: Vec<&str> = history.keys.iter().map(|k| k.as_str()).collect();
    println!(
        "{} cases of this person by {} ({} exact, {} possible) in {} matters{}",
        history.total,
        keys.join(" + "),
        history.exact,
        history.possible,
        history.matters.len(),
        if history.truncated {
            "; more matched than were read"
        } else {
            ""
        }
    );
}

/// A matter's summary line and title, then a line per case with the keys it matched
/// (`?` after a key that matched only possibly).
fn print_matter(m: &MatterHistory) {
    println!();
    println!(
        "{}  {} → {}  {} submissions  {}  首办 {}  {}{}",
        m.matter,
        day(&m.first_received),
        day(&m.last_received),
        m.submissions,
        m.channels.join("/"),
        m.first_handler.as_deref().unwrap_or("-"),
        m.latest_status.as_deref().unwrap_or("-"),
        if m.level == MatchLevel::Possible {
            "  (possible: masked values on file)"
        } else {
            ""
        }
    );
    if let Some(t) = &m.title {
        println!("  {t}");
    }
    for c in &m.cases {
        let keys: Vec<String> = c
            .matched
            .iter()
            .map(|k| match k.level {
                MatchLevel::Exact => k.key.as_str().to_string(),
                MatchLevel::Possible => format!("{}?", k.key.as_str()),
            })
            .collect();
        println!(
            "    {}  {}  {}  {}  {}  [{}]",
            c.id,
            day(&c.received_at),
            c.channel.as_deref().unwrap_or("-"),
            c.handler.as_deref().unwrap_or("-"),
            c.status.as_deref().unwrap_or("-"),
            keys.join(", ")
        );
    }
}

/// The date part of an RFC 3339 time, or `-`.
fn day(d: &Option<String>) -> String {
    d.as_deref()
        .map(|s| s.chars().take(10).collect::<String>())
        .unwrap_or_else(|| "-".into())
}
