//! The dedupe report: totals per platform and channel, duplicate rate and repeat-petition
//! rate (重信重访率) per county and channel, the largest collective matters, and a sample of
//! duplicate groups with their evidence. JSON for machines, one HTML page for people.

use super::{DedupeRecord, DedupeResult};
use crate::analysis::Gazetteer;
use crate::matching::{Model, compare};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Rate {
    pub key: String,
    pub label: String,
    pub records: u64,
    /// records that repeat an earlier record of their duplicate group
    pub repeats: u64,
    pub duplicate_rate: f64,
    pub matters: u64,
    /// matters that one complainant filed more than once
    pub repeated_matters: u64,
    pub repeat_petition_rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CollectiveMatter {
    pub matter_group: String,
    pub original: String,
    pub summary: String,
    pub location: Option<String>,
    pub handler: Option<String>,
    pub records: u32,
    pub complainants: u32,
    pub channels: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SampleMember {
    pub id: String,
    pub received_at: Option<String>,
    pub channel: Option<String>,
    pub summary: String,
    /// comparator levels against the group's original
    pub evidence: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SampleGroup {
    pub duplicate_group: String,
    pub matter_group: String,
    pub members: Vec<SampleMember>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub records: u64,
    pub duplicate_groups: u64,
    pub matter_groups: u64,
    pub candidate_pairs: u64,
    pub duplicate_rate: f64,
    pub repeat_petition_rate: f64,
    pub by_platform: Vec<Rate>,
    pub by_channel: Vec<Rate>,
    pub by_county: Vec<Rate>,
    pub largest_collective_matters: Vec<CollectiveMatter>,
    pub sample_groups: Vec<SampleGroup>,
}

#[derive(Default)]
struct Tally {
    records: u64,
    repeats: u64,
    matters: BTreeSet<u32>,
    repeated: BTreeSet<u32>,
}

fn rates(tallies: BTreeMap<String, Tally>, label: impl Fn(&str) -> String) -> Vec<Rate> {
    let mut out: Vec<Rate> = tallies
        .into_iter()
        .map(|(key, t)| Rate {
            label: label(&key),
            records: t.records,
            repeats: t.repeats,
            duplicate_rate: t.repeats as f64 / t.records.max(1) as f64,
            matters: t.matters.len() as u64,
            repeated_matters: t.repeated.len() as u64,
            repeat_petition_rate: t.repeated.len() as f64 / t.matters.len().max(1) as f64,
            key,
        })
        .collect();
    out.sort_by(|a, b| b.records.cmp(&a.records).then(a.key.cmp(&b.key)));
    out
}

/// Record indexes per cluster label, each list in received order (then id).
fn members_of(records: &[DedupeRecord], labels: &[u32]) -> HashMap<u32, Vec<usize>> {
    let mut members: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, &l) in labels.iter().enumerate().take(records.len()) {
        members.entry(l).or_default().push(i);
    }
    for m in members.values_mut() {
        m.sort_by_key(|&i| order_key(records, i));
    }
    members
}

fn order_key(records: &[DedupeRecord], i: usize) -> (i64, &str) {
    (
        records[i].timestamp.unwrap_or(i64::MAX),
        records[i].id.as_str(),
    )
}

/// Tallies per platform, channel and county (the city where no county is known).
struct Tallies {
    platform: BTreeMap<String, Tally>,
    channel: BTreeMap<String, Tally>,
    county: BTreeMap<String, Tally>,
}

fn tally(
    records: &[DedupeRecord],
    matter_labels: &[u32],
    repeated_matters: &BTreeSet<u32>,
    is_repeat: impl Fn(usize) -> bool,
) -> Tallies {
    let ml = matter_labels;
    let mut platform: BTreeMap<String, Tally> = BTreeMap::new();
    let mut channel: BTreeMap<String, Tally> = BTreeMap::new();
    let mut county: BTreeMap<String, Tally> = BTreeMap::new();
    let unknown = || "未知".to_string();
    for (i, r) in records.iter().enumerate() {
        let keys = [
            (
                &mut platform,
                r.platform.as_deref().map_or_else(unknown, str::to_string),
            ),
            (
                &mut channel,
                r.channel.as_deref().map_or_else(unknown, str::to_string),
            ),
            (
                &mut county,
                r.profile
                    .place
                    .county
                    .clone()
                    .or_else(|| r.profile.place.city.clone())
                    .unwrap_or_else(unknown),
            ),
        ];
        for (map, k) in keys {
            let t = map.entry(k).or_default();
            t.records += 1;
            t.repeats += u64::from(is_repeat(i));
            t.matters.insert(ml[i]);
            if repeated_matters.contains(&ml[i]) {
                t.repeated.insert(ml[i]);
            }
        }
    }
    Tallies {
        platform,
        channel,
        county,
    }
}

/// The 15 matters with most complainants (then most records), of those with more than one.
fn collective_matters(
    records: &[DedupeRecord],
    result: &DedupeResult,
    matter_members: &HashMap<u32, Vec<usize>>,
) -> Vec<CollectiveMatter> {
    let dl = &result.duplicate_labels;
    let mut collective: Vec<CollectiveMatter> = matter_members
        .values()
        .map(|m| {
            let persons: BTreeSet<u32> = m.iter().map(|&i| dl[i]).collect();
            let first = &records[m[0]];
            CollectiveMatter {
                matter_group: result.rows[m[0]].matter_group.clone(),
                original: first.id.clone(),
                summary: first.summary.to_string(),
                location: first.location.as_deref().map(str::to_string),
                handler: m
                    .iter()
                    .find_map(|&i| records[i].handler.as_deref().map(str::to_string)),
                records: m.len() as u32,
                complainants: persons.len() as u32,
                channels: m
                    .iter()
                    .filter_map(|&i| records[i].channel.as_deref().map(str::to_string))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            }
        })
        .filter(|c| c.complainants > 1)
        .collect();
    collective.sort_by(|a, b| {
        b.complainants
            .cmp(&a.complainants)
            .then(b.records.cmp(&a.records))
            .then(a.original.cmp(&b.original))
    });
    collective.truncate(15);
    collective
}

/// The 12 largest duplicate groups (ties by earliest record), up to 8 members each.
fn sample_groups(
    records: &[DedupeRecord],
    result: &DedupeResult,
    model: &Model,
    dup_members: &HashMap<u32, Vec<usize>>,
) -> Vec<SampleGroup> {
    let key = |i: usize| order_key(records, i);
    let mut groups: Vec<&Vec<usize>> = dup_members.values().filter(|m| m.len() > 1).collect();
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(key(a[0]).cmp(&key(b[0]))));
    groups
        .into_iter()
        .take(12)
        .map(|m| SampleGroup {
            duplicate_group: result.rows[m[0]].duplicate_group.clone(),
            matter_group: result.rows[m[0]].matter_group.clone(),
            members: m
                .iter()
                .take(8)
                .map(|&i| sample_member(records, result, model, m[0], i))
                .collect(),
        })
        .collect()
}

/// Record `i` with its comparator levels against `original` (none for the original itself).
fn sample_member(
    records: &[DedupeRecord],
    result: &DedupeResult,
    model: &Model,
    original: usize,
    i: usize,
) -> SampleMember {
    let (orig, r) = (&records[original], &records[i]);
    let evidence = if i == original {
        Vec::new()
    } else {
        let text = |r: &DedupeRecord| r.text.signature(|h| result.vocabulary.weight(h));
        let (ta, tb) = (text(orig), text(r));
        let cmp = compare(&orig.prepared(&ta), &r.prepared(&tb));
        model
            .score(&cmp)
            .evidence
            .into_iter()
            .map(|e| (e.field.to_string(), e.level.to_string()))
            .collect()
    };
    SampleMember {
        id: r.id.clone(),
        received_at: r.received(),
        channel: r.channel.as_deref().map(str::to_string),
        summary: r.summary.to_string(),
        evidence,
    }
}

impl Report {
    pub fn build(records: &[DedupeRecord], result: &DedupeResult, model: &Model) -> Report {
        let (dl, ml) = (&result.duplicate_labels, &result.matter_labels);
        let dup_members = members_of(records, dl);
        let matter_members = members_of(records, ml);
        // a matter is repeated when one of its duplicate groups has two or more records
        let repeated_matters: BTreeSet<u32> = dup_members
            .values()
            .filter(|m| m.len() > 1)
            .map(|m| ml[m[0]])
            .collect();
        let is_repeat = |i: usize| dup_members[&dl[i]][0] != i;
        let tallies = tally(records, ml, &repeated_matters, is_repeat);
        let g = Gazetteer::global();
        let total_repeats = (0..records.len()).filter(|&i| is_repeat(i)).count() as u64;
        let n = records.len().max(1) as f64;
        Report {
            records: records.len() as u64,
            duplicate_groups: dup_members.len() as u64,
            matter_groups: matter_members.len() as u64,
            candidate_pairs: result.candidate_pairs as u64,
            duplicate_rate: total_repeats as f64 / n,
            repeat_petition_rate: repeated_matters.len() as f64
                / matter_members.len().max(1) as f64,
            by_platform: rates(tallies.platform, |k| k.to_string()),
            by_channel: rates(tallies.channel, |k| k.to_string()),
            by_county: rates(tallies.county, |k| {
                let name = g.full_name(k);
                if name.is_empty() { k.to_string() } else { name }
            }),
            largest_collective_matters: collective_matters(records, result, &matter_members),
            sample_groups: sample_groups(records, result, model, &dup_members),
        }
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

const STYLE: &str = "body{font:14px/1.5 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}\
td.n{text-align:right;font-variant-numeric:tabular-nums}.bar{height:10px;background:#4a7bd0}\
.kpi{display:inline-block;margin:0 2em 1em 0}.kpi b{display:block;font-size:26px}small{color:#666}";

fn rate_table(title: &str, rows: &[Rate], limit: usize) -> maud::Markup {
    let max = rows.iter().map(|r| r.records).max().unwrap_or(1).max(1) as f64;
    maud::html! {
        h2 { (title) }
        table {
            tr {
                th { (title.split(' ').next_back().unwrap_or("")) }
                th { "records" } th {} th { "duplicate rate" } th { "matters" } th { "重信重访率" }
            }
            @for r in rows.iter().take(limit) {
                tr {
                    td { (r.label) }
                    td.n { (r.records) }
                    td { div.bar style=(format!("width:{:.0}px", 160.0 * r.records as f64 / max)) {} }
                    td.n { (pct(r.duplicate_rate)) }
                    td.n { (r.matters) }
                    td.n { (pct(r.repeat_petition_rate)) }
                }
            }
            @if rows.len() > limit {
                tr { td colspan="6" { "… " (rows.len() - limit) " more in report.json" } }
            }
        }
    }
}

fn collective_table(matters: &[CollectiveMatter]) -> maud::Markup {
    maud::html! {
        h2 { "Largest collective matters" }
        table {
            tr {
                th { "original" } th { "complainants" } th { "records" } th { "channels" }
                th { "location" } th { "handler" } th { "summary" }
            }
            @for c in matters {
                tr {
                    td { (c.original) }
                    td.n { (c.complainants) }
                    td.n { (c.records) }
                    td { (c.channels.join(" ")) }
                    td { (c.location.as_deref().unwrap_or("")) }
                    td { (c.handler.as_deref().unwrap_or("")) }
                    td { (c.summary) }
                }
            }
        }
    }
}

/// A sample group's heading and its members, each with its evidence against the original.
fn sample_table(g: &SampleGroup) -> maud::Markup {
    maud::html! {
        h3 { (g.duplicate_group) " " small { "in " (g.matter_group) } }
        table {
            tr {
                th { "id" } th { "received" } th { "channel" } th { "summary" }
                th { "evidence against the original" }
            }
            @for m in &g.members {
                tr {
                    td { (m.id) }
                    td { (m.received_at.as_deref().unwrap_or("")) }
                    td { (m.channel.as_deref().unwrap_or("")) }
                    td { (m.summary) }
                    td { small {
                        @if m.evidence.is_empty() {
                            "original"
                        } @else {
                            @for (i, (field, level)) in m.evidence.iter().enumerate() {
                                @if i > 0 { br; }
                                (field) ": " (level)
                            }
                        }
                    } }
                }
            }
        }
    }
}

/// One self-contained HTML page (no scripts, no external assets). Every value is escaped by
/// the template (maud), so a case's text cannot inject markup.
pub fn render_html(r: &Report) -> String {
    let kpis = [
        ("records", r.records.to_string()),
        ("duplicate groups", r.duplicate_groups.to_string()),
        ("matters", r.matter_groups.to_string()),
        ("duplicate rate", pct(r.duplicate_rate)),
        (
            "重信重访率 (repeat-petition rate)",
            pct(r.repeat_petition_rate),
        ),
    ];
    let page = maud::html! {
        (maud::DOCTYPE)
        html lang="zh" {
            head {
                meta charset="utf-8";
                title { "casematch dedupe report" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                h1 { "Duplicate report" }
                @for (label, value) in &kpis {
                    div.kpi { b { (value) } (label) }
                }
                p { small {
                    "Duplicate rate: records repeating an earlier record of the same person and matter. \
                     重信重访率: matters one complainant filed more than once."
                } }
                (rate_table("By platform", &r.by_platform, 30))
                (rate_table("By channel", &r.by_channel, 30))
                (rate_table("By county", &r.by_county, 40))
                (collective_table(&r.largest_collective_matters))
                h2 { "Sample duplicate groups" }
                @for g in &r.sample_groups {
                    (sample_table(g))
                }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

#[cfg(test)]
mod html_tests {
    use super::*;

    #[test]
    fn the_page_escapes_what_cases_say() {
        let report = Report {
            records: 2,
            duplicate_groups: 1,
            matter_groups: 1,
            candidate_pairs: 1,
            duplicate_rate: 0.5,
            repeat_petition_rate: 1.0,
            by_platform: vec![Rate {
                key: "p".into(),
                label: "<b>平台</b>".into(),
                records: 2,
                ..Rate::default()
            }],
            by_channel: Vec::new(),
            by_county: Vec::new(),
            largest_collective_matters: vec![CollectiveMatter {
                matter_group: "M-1".into(),
                original: "A1".into(),
                summary: "<script>alert(1)</script>噪音".into(),
                location: Some("长沙 & 岳麓".into()),
                handler: Some("\"街道\"".into()),
                records: 2,
                complainants: 2,
                channels: vec!["网上".into()],
            }],
            sample_groups: vec![SampleGroup {
                duplicate_group: "D-<1>".into(),
                matter_group: "M-1".into(),
                members: vec![SampleMember {
                    id: "A2".into(),
                    received_at: None,
                    channel: None,
                    summary: "x".into(),
                    evidence: vec![("name<".into(), "exact".into())],
                }],
            }],
        };
        let html = render_html(&report);
        assert!(
            !html.contains("<script>")
                && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;噪音")
        );
        assert!(html.contains("&lt;b&gt;平台&lt;/b&gt;") && html.contains("长沙 &amp; 岳麓"));
        assert!(html.contains("D-&lt;1&gt;") && html.contains("name&lt;: exact"));
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("重信重访率"));
    }
}
