//! `casematch generate` and `casematch demo`.

use super::IndexArg;
use anyhow::Context;
use casematch::engine::{Generator, GeneratorConfig, IngestOptions, SynthProfile as Profile};
use casematch::{Engine, SearchRequest};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Number of records
    #[arg(long, default_value_t = 1000)]
    pub records: usize,
    /// Random seed (the same seed gives the same records)
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Also write the truth labels (id, person, matter) as TSV to this file
    #[arg(long)]
    pub truth: Option<std::path::PathBuf>,
    /// Kind of data: default, hotline (12345 exports: calls, masked and sparse identifiers),
    /// longrun (matters returning months to years later, restated), mixed (a blend)
    #[arg(long, default_value = "default", value_parser = parse_profile)]
    pub profile: Profile,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
        format!(
            "unknown profile {s:?}, expected one of {}",
            names.join(", ")
        )
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let generator = Generator::new(GeneratorConfig {
        seed: args.seed,
        expected_records: args.records,
        ..GeneratorConfig::for_profile(args.profile)
    });
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut truth = match &args.truth {
        Some(p) => Some(BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    for rec in generator.take(args.records) {
        serde_json::to_writer(&mut out, &rec.case)?;
        out.write_all(b"\n")?;
        if let Some(t) = truth.as_mut() {
            writeln!(t, "{}\t{}\t{}", rec.case.id, rec.person, rec.matter)?;
        }
    }
    out.flush()?;
    if let Some(mut t) = truth {
        t.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub index: IndexArg,
    #[arg(long, default_value_t = 300)]
    pub records: usize,
    /// Stop after the sample search instead of serving on 127.0.0.1:7700
    #[arg(long)]
    pub no_serve: bool,
}

pub fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.index.index)
        .with_context(|| format!("opening index {}", args.index.index.display()))?;
    let generator = Generator::new(GeneratorConfig::default());
    let cases: Vec<_> = generator
        .take(args.records)
        .map(|r| Ok(Ok(r.case)))
        .collect();
    let stats = engine.ingest(cases.into_iter(), &IngestOptions::default(), |_| {})?;
    println!(
        "indexed {} synthetic cases into {} ({} new, {} replaced)",
        stats.read,
        args.index.index.display(),
        stats.added,
        stats.replaced
    );
    let query = "噪音扰民";
    let results = engine.search(&SearchRequest {
        query: query.into(),
        limit: 3,
        ..SearchRequest::default()
    })?;
    println!(
        "\n$ casematch search {query}\n{} cases match",
        results.total
    );
    for hit in &results.hits {
        let text = hit.highlights.first().map_or("", |h| h.text.as_str());
        println!(
            "  {}  {}  {}",
            hit.case.id,
            hit.case.channel.as_deref().unwrap_or("-"),
            text
        );
    }
    println!("\nTry: cargo run --release -- search 物业 --place 长沙 --limit 5");
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    drop(engine);
    super::serve::init_logging(super::serve::LogFormat::Text);
    let settings = super::serve::settings(&super::serve::Args {
        index: Some(args.index.index.clone()),
        ..super::serve::Args::default()
    })?;
    super::serve::run_with(settings, None, |addr| {
        println!(
            "\nServing on http://{addr} (Ctrl-C to stop). Open http://{addr}/ in a browser, or try:"
        );
        println!("  curl -s 'http://{addr}/v1/search?q=噪音扰民&limit=3'");
        println!("  curl -s http://{addr}/v1/check -H 'content-type: application/json' \\");
        println!(
            "       -d '{{\"id\":\"Q1\",\"name\":\"张伟\",\"phone\":\"13912345678\",\"location\":\"长沙市岳麓区\",\"content\":\"小区旁边工地夜间施工噪音扰民\"}}'"
        );
        println!("  curl -s http://{addr}/metrics | head");
        println!("  curl -s http://{addr}/openapi.json | head -c 300");
    })
}
