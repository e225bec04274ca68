//! `casematch fit`: estimate the scoring model from the user's cases — from labelled pairs
//! when a truth file is given, else by expectation–maximisation without labels.

use anyhow::Context;
use casematch::engine::{BlockingRecall, ColumnMap, IngestOptions, ReadOptions};
use casematch::{Engine, Model};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The cases to fit on (JSONL or CSV)
    #[arg(long)]
    pub cases: PathBuf,
    /// Labels (id<TAB>person<TAB>matter); without them the model is fitted by EM
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// EM only: the model to start from and whose thresholds are kept (default: bundled)
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// EM only: iterations
    #[arg(long, default_value_t = 20)]
    pub iterations: usize,
    /// Where to write the model (TOML); standard output if absent
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write an HTML report: weights per level as bars, blocking recall with labels
    #[arg(long)]
    pub report: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::in_memory()?;
    let source = Engine::read_file(&args.cases, ColumnMap::default(), &ReadOptions::default())?;
    let mut cases = Vec::new();
    let records = source.inspect(|r| {
        if let Ok(Ok(c)) = r {
            cases.push(c.clone());
        }
    });
    let stats = engine.ingest(records, &IngestOptions::default(), |_| {})?;
    let (model, recall) = match &args.truth {
        Some(truth_path) => {
            let truth = Engine::read_truth(truth_path)?;
            let fitted = engine.fit_labelled(&cases, &truth, |pairs| {
                format!(
                    "fitted by `casematch fit --cases {} --truth {}` on {} cases, {pairs} candidate pairs",
                    args.cases.display(),
                    truth_path.display(),
                    stats.added,
                )
            })?;
            let recall = fitted.recall.unwrap_or_default();
            eprintln!(
                "blocking recall: {}/{} related pairs ({:.4}), {}/{} duplicate pairs ({:.4}); {} candidate pairs",
                recall.found_pairs,
                recall.true_pairs,
                recall.found_pairs as f64 / recall.true_pairs.max(1) as f64,
                recall.found_duplicate_pairs,
                recall.true_duplicate_pairs,
                recall.found_duplicate_pairs as f64 / recall.true_duplicate_pairs.max(1) as f64,
                recall.candidate_pairs
            );
            (fitted.model, Some(recall))
        }
        None => {
            let start = match &args.model {
                Some(p) => Engine::load_model(p)?,
                None => Engine::bundled_model()?,
            };
            let fitted = engine.fit_em(&cases, &start, args.iterations, |pairs| {
                format!(
                    "fitted without labels by `casematch fit --cases {}` (EM, {} iterations) on {} cases, {pairs} candidate pairs",
                    args.cases.display(),
                    args.iterations,
                    stats.added,
                )
            })?;
            eprintln!(
                "EM over {} candidate pairs, {} iterations",
                fitted.pairs, args.iterations
            );
            (fitted.model, None)
        }
    };
    let text = model.to_toml();
    match &args.out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?,
        None => print!("{text}"),
    }
    if let Some(p) = &args.report {
        std::fs::write(p, report_html(&model, recall.as_ref()))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One bar of a signed log-likelihood ratio, scaled to the comparator's cap.
fn bar(v: f64, cap: f64) -> maud::Markup {
    let width = (v.abs() / cap.max(1.0) * 120.0).min(120.0);
    let (colour, left) = if v >= 0.0 {
        ("#2e7d32", 120.0)
    } else {
        ("#c62828", 120.0 - width)
    };
    maud::html! {
        div.bar { span style=(format!("left:{left:.0}px;width:{width:.0}px;background:{colour}")) {} }
        " " (format!("{v:+.2}"))
    }
}

const STYLE: &str = "body{font:14px sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}.bar{position:relative;display:inline-block;width:240px;height:10px;background:#f3f3f3;vertical-align:middle}.bar span{position:absolute;top:0;height:10px}";

/// The fit report: per comparator and level, the evidence toward the same person (among
/// cases of other matters) and toward the same matter (among other complainants), with caps.
/// maud escapes every value.
fn report_html(model: &Model, recall: Option<&BlockingRecall>) -> String {
    let share = |f: u64, t: u64| f as f64 / t.max(1) as f64;
    maud::html! {
        (maud::DOCTYPE)
        meta charset="utf-8";
        title { "casematch model" }
        style { (maud::PreEscaped(STYLE)) }
        h1 { "Scoring model" }
        p { (model.source) }
        p {
            (format!(
                "same-person threshold {:+.2} · same-matter threshold {:+.2} (log2 odds)",
                model.person_threshold, model.matter_threshold
            ))
        }
        @if let Some(r) = recall {
            p {
                (format!(
                    "blocking recall: {:.4} of related pairs ({}/{}), {:.4} of duplicate pairs ({}/{}); {} candidate pairs",
                    share(r.found_pairs, r.true_pairs), r.found_pairs, r.true_pairs,
                    share(r.found_duplicate_pairs, r.true_duplicate_pairs),
                    r.found_duplicate_pairs, r.true_duplicate_pairs, r.candidate_pairs
                ))
            }
        }
        @for (comparator, levels) in &model.weights {
            @let cap = model.caps.get(comparator).copied().unwrap_or(20.0);
            h2 { (comparator.name()) }
            p { "cap ±" (cap) " bits" }
            table {
                tr { th { "level" } th { "same person (other matters)" } th { "same matter (other complainants)" } }
                @for (level, w) in levels {
                    tr {
                        td { (level) }
                        td { (bar(w.same_person - w.distinct, cap)) }
                        td { (bar(w.related - w.distinct, cap)) }
                    }
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_escapes_and_draws_every_level() {
        let mut model = Engine::bundled_model().unwrap();
        model.source = "fitted on <script>alert(1)</script> & more".into();
        let html = report_html(&model, None);
        assert!(!html.contains("<script>"));
        assert!(html.contains("fitted on &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        let levels: usize = model.weights.values().map(|l| l.len()).sum();
        assert_eq!(html.matches("class=\"bar\"").count(), 2 * levels);
    }
}
