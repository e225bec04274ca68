//! `casematch show ID`: print one case.

use super::IndexArg;
use anyhow::Context;
use casematch::Engine;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub index: IndexArg,
    /// Case id
    pub id: String,
    /// Print the stored case and its normalised profile as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.index.index)
        .with_context(|| format!("opening index {}", args.index.index.display()))?;
    let Some(stored) = engine.get(&args.id)? else {
        eprintln!(
            "no case with id {:?} in {}",
            args.id,
            args.index.index.display()
        );
        return Ok(ExitCode::FAILURE);
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stored)?);
        return Ok(ExitCode::SUCCESS);
    }
    let c = &stored.case;
    let g = Engine::places();
    let row = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            println!("{k:<10} {v}");
        }
    };
    row("id", Some(c.id.clone()));
    row("received", c.received_at.map(|t| t.to_rfc3339()));
    row("channel", c.channel.clone());
    row("platform", c.platform.clone());
    row("name", c.name.clone());
    row("id_number", c.id_number.clone());
    row("phone", c.phone.clone());
    row("address", c.address.clone());
    row("location", c.location.clone());
    row(
        "division",
        stored
            .profile
            .place
            .code()
            .map(|code| format!("{} ({code})", g.full_name(code))),
    );
    row("headcount", c.headcount.map(|h| h.to_string()));
    row("category", c.category.clone());
    row("handler", c.handler.clone());
    row("status", c.status.map(|s| s.label().to_string()));
    row("title", c.title.clone());
    row("content", c.content.clone());
    Ok(ExitCode::SUCCESS)
}
