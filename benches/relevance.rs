//! Precedent search measured on generated data, where the truth is known.
//!
//! 1. Relevance: queries are one record's title, its first sentence, or 2–3 keywords drawn
//!    from them; the relevant cases are the other records of the same matter. recall@10 =
//!    relevant in the top 10 / min(10, relevant); nDCG@10 with binary gains. The query's own
//!    record is left out of its results. Ranking choices (fields and boosts, bigram weight,
//!    the word tier, literals off) are compared; `similar_to` is measured the same way.
//! 2. The share of 2–4-character strings copied from stored narratives that find nothing,
//!    with words only (before bigrams) and with literals (now).
//! 3. Latency percentiles of keyword and phrase searches with highlights and facets.
//! 4. Index size per field group (tantivy's space usage): words, bigrams, person keys, store.
//!
//! `cargo bench --bench relevance` builds an index of RELEVANCE_RECORDS (default 100,000)
//! generated records (seed RELEVANCE_SEED, default 7) in a temporary directory. For 1M, build
//! once with `casematch generate --records 1000000 --seed 7 > 1m.jsonl && casematch ingest
//! --index /tmp/ix1m 1m.jsonl` and run with `CASEMATCH_BENCH_INDEX=/tmp/ix1m
//! RELEVANCE_RECORDS=1000000`. RELEVANCE_QUERIES (default 300) queries per type;
//! RELEVANCE_ONLY=1 stops after the relevance figures.

use casematch::Engine;
use casematch::engine::IngestOptions;
use casematch::index::{Ranking, SearchRequest};
use casematch::synth::{Generator, GeneratorConfig, Rng};
use std::collections::HashMap;
use std::time::Instant;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentiles(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<44} n={:<5} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        ms.len(),
        p(0.5),
        p(0.95),
        p(0.99),
        ms[ms.len() - 1]
    );
}

struct Query {
    id: String,
    matter: String,
    text: String,
}

/// recall@10 and nDCG@10 of one ranked list (the query's own id dropped).
fn score(
    ranked: &[String],
    q: &Query,
    matter_of: &HashMap<String, String>,
    relevant: usize,
) -> (f64, f64) {
    let top: Vec<&String> = ranked.iter().filter(|id| **id != q.id).take(10).collect();
    let mut hits = 0;
    let mut dcg = 0.0;
    for (i, id) in top.iter().enumerate() {
        if matter_of.get(*id) == Some(&q.matter) {
            hits += 1;
            dcg += 1.0 / ((i + 2) as f64).log2();
        }
    }
    let ideal_n = relevant.min(10);
    let idcg: f64 = (0..ideal_n).map(|i| 1.0 / ((i + 2) as f64).log2()).sum();
    (hits as f64 / ideal_n as f64, dcg / idcg)
}

fn first_sentence(content: &str) -> String {
    content
        .split(['。', '！', '？', '；'])
        .find(|s| s.chars().count() >= 8)
        .unwrap_or(content)
        .chars()
        .take(60)
        .collect()
}

fn keywords(text: &str, rng: &mut Rng) -> String {
    let words: Vec<String> = casematch::analysis::analyze_terms(text)
        .into_iter()
        .filter(|w| w.chars().count() >= 2)
        .collect();
    if words.is_empty() {
        return text.chars().take(4).collect();
    }
    let n = 2 + rng.below(2);
    let mut picked: Vec<String> = Vec::new();
    for _ in 0..n * 3 {
        let w = &words[rng.below(words.len())];
        if !picked.contains(w) {
            picked.push(w.clone());
        }
        if picked.len() == n {
            break;
        }
    }
    picked.join(" ")
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    let m = e
                        .metadata()
                        .map(|m| (m.is_dir(), m.len()))
                        .unwrap_or((false, 0));
                    if m.0 { dir_size(&e.path()) } else { m.1 }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let records = env_num("RELEVANCE_RECORDS", 100_000);
    let seed = env_num("RELEVANCE_SEED", 7) as u64;
    let n_queries = env_num("RELEVANCE_QUERIES", 300);
    let cfg = GeneratorConfig {
        seed,
        expected_records: records,
        ..GeneratorConfig::default()
    };
    // the truth: matter of every record, and the records of a sample to draw queries from
    let mut matter_of: HashMap<String, String> = HashMap::with_capacity(records);
    let mut size_of: HashMap<String, usize> = HashMap::new();
    let mut pool: Vec<casematch::Case> = Vec::new();
    let mut rng = Rng::new(11);
    let keep_every = (records / (n_queries * 20)).max(1);
    for (i, r) in Generator::new(cfg.clone()).take(records).enumerate() {
        *size_of.entry(r.matter.clone()).or_default() += 1;
        matter_of.insert(r.case.id.clone(), r.matter);
        if i % keep_every == 0 {
            pool.push(r.case);
        }
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (engine, dir) = match std::env::var_os("CASEMATCH_BENCH_INDEX") {
        Some(d) => {
            let d = std::path::PathBuf::from(d);
            (Engine::open(&d).expect("open index"), d)
        }
        None => {
            let d = tmp.path().join("ix");
            let e = Engine::open(&d).expect("index");
            let t = Instant::now();
            let cases = Generator::new(cfg).take(records).map(|r| Ok(Ok(r.case)));
            e.ingest(cases, &IngestOptions::default(), |_| {})
                .expect("ingest");
            println!(
                "ingested {records} generated records in {:.1} s ({:.0}/s)",
                t.elapsed().as_secs_f64(),
                records as f64 / t.elapsed().as_secs_f64()
            );
            (e, d)
        }
    };
    println!(
        "index: {} cases, {:.1} MB on disk",
        engine.index().num_cases(),
        dir_size(&dir) as f64 / 1e6
    );
    space(&engine);
    // queries from records whose matter has other records
    let mut qs: Vec<(&'static str, Query)> = Vec::new();
    let candidates: Vec<&casematch::Case> = pool
        .iter()
        .filter(|c| size_of.get(&matter_of[&c.id]).copied().unwrap_or(0) >= 2)
        .collect();
    for c in candidates.iter().take(n_queries) {
        let matter = matter_of[&c.id].clone();
        let title = c.title.clone().unwrap_or_default();
        let first = first_sentence(c.content.as_deref().unwrap_or(""));
        let base = if title.chars().count() >= 4 {
            title.clone()
        } else {
            first.clone()
        };
        for (kind, text) in [
            ("title", title),
            ("first sentence", first),
            ("keywords", keywords(&base, &mut rng)),
        ] {
            if text.trim().is_empty() {
                continue;
            }
            qs.push((
                kind,
                Query {
                    id: c.id.clone(),
                    matter: matter.clone(),
                    text,
                },
            ));
        }
    }
    println!(
        "{} queries from {} records with a matter of 2+ records",
        qs.len(),
        candidates.len().min(n_queries)
    );
    // query text as plain words: quotes and syntax characters would make it a syntax test
    let plain = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if matches!(c, '"' | '“' | '”' | '(' | ')' | '-' | ':' | '：') {
                    ' '
                } else {
                    c
                }
            })
            .collect()
    };
    // the ranking before the second stage: all of a term's words or its literal, BM25
    let before = Ranking {
        word_tier: 100.0,
        min_word_share: 1.0,
        rerank_depth: 0,
        rare_bigram_share: 0.0,
        ..Ranking::default()
    };
    let one_stage = Ranking {
        rerank_depth: 0,
        ..Ranking::default()
    };
    let mut choices: Vec<(&str, Ranking)> = vec![
        ("default (two stages)", Ranking::default()),
        ("first stage only (before)", before),
        (
            "words only, one stage (before bigrams)",
            Ranking {
                literals: false,
                ..before
            },
        ),
    ];
    if std::env::var_os("RELEVANCE_CHOICES").is_some() {
        choices.extend([
            (
                "before, bigram weight 1.0",
                Ranking {
                    bigram_weight: 1.0,
                    ..before
                },
            ),
            (
                "before, no word tier",
                Ranking {
                    word_tier: 0.0,
                    ..before
                },
            ),
            (
                "before, title boost 1",
                Ranking {
                    title_boost: 1.0,
                    ..before
                },
            ),
            ("one stage (long terms: half, rare bigrams)", one_stage),
            (
                "one stage, no rare bigrams",
                Ranking {
                    rare_bigram_share: 0.0,
                    ..one_stage
                },
            ),
            (
                "two stages, no rare bigrams",
                Ranking {
                    rare_bigram_share: 0.0,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, rare = df 0.1%",
                Ranking {
                    rare_bigram_share: 0.001,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, rare = df 5%",
                Ranking {
                    rare_bigram_share: 0.05,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, all of a long term",
                Ranking {
                    min_word_share: 1.0,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, 30% of a long term",
                Ranking {
                    min_word_share: 0.3,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, title boost 1",
                Ranking {
                    title_boost: 1.0,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, tiers kept",
                Ranking {
                    rerank_tiers: true,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, text only",
                Ranking {
                    rerank_first: 0.0,
                    rerank_objects: 0.0,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, first stage 0.3",
                Ranking {
                    rerank_first: 0.3,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, objects 0",
                Ranking {
                    rerank_objects: 0.0,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, objects 1.0",
                Ranking {
                    rerank_objects: 1.0,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, depth 50",
                Ranking {
                    rerank_depth: 50,
                    ..Ranking::default()
                },
            ),
            (
                "two stages, depth 500",
                Ranking {
                    rerank_depth: 500,
                    ..Ranking::default()
                },
            ),
        ]);
    }
    let latency_only = std::env::var_os("RELEVANCE_LATENCY_ONLY").is_some();
    if latency_only {
        choices.clear();
    }
    println!("\nrelevance (recall@10 / nDCG@10) per query type");
    for (name, rank) in &choices {
        let mut by_kind: HashMap<&str, (f64, f64, usize)> = HashMap::new();
        let t = Instant::now();
        for (kind, q) in &qs {
            let r = engine
                .search(&SearchRequest {
                    query: plain(&q.text),
                    limit: 11,
                    no_highlights: true,
                    ranking: Some(*rank),
                    ..SearchRequest::default()
                })
                .expect("search");
            let ranked: Vec<String> = r.hits.into_iter().map(|h| h.case.id).collect();
            let (rc, nd) = score(&ranked, q, &matter_of, size_of[&q.matter] - 1);
            let e = by_kind.entry(kind).or_default();
            e.0 += rc;
            e.1 += nd;
            e.2 += 1;
        }
        let mut line = format!("{name:<38}");
        let (mut rs, mut ns, mut cnt) = (0.0, 0.0, 0);
        for kind in ["title", "first sentence", "keywords"] {
            if let Some((r, n, c)) = by_kind.get(kind) {
                line += &format!("  {kind} {:.3}/{:.3}", r / *c as f64, n / *c as f64);
                rs += r;
                ns += n;
                cnt += c;
            }
        }
        println!(
            "{line}  all {:.3}/{:.3}  ({:.1} ms/query)",
            rs / cnt as f64,
            ns / cnt as f64,
            t.elapsed().as_secs_f64() * 1000.0 / qs.len() as f64
        );
    }
    // similar_to: the record itself is the query
    let (mut rs, mut ns, mut cnt) = (0.0, 0.0, 0);
    for c in candidates
        .iter()
        .take(if latency_only { 0 } else { n_queries })
    {
        let q = Query {
            id: c.id.clone(),
            matter: matter_of[&c.id].clone(),
            text: String::new(),
        };
        let Some(similar) = engine.similar(&c.id, 10).expect("similar") else {
            continue;
        };
        let ranked: Vec<String> = similar.into_iter().map(|(s, _)| s.case.id).collect();
        let (r, n) = score(&ranked, &q, &matter_of, size_of[&q.matter] - 1);
        rs += r;
        ns += n;
        cnt += 1;
    }
    if cnt > 0 {
        println!(
            "{:<38}  {:.3}/{:.3}  ({cnt} records)",
            "similar_to=ID",
            rs / cnt as f64,
            ns / cnt as f64
        );
    }

    if std::env::var_os("RELEVANCE_ONLY").is_some() {
        return;
    }
    // substrings of stored narratives: zero-hit rate before and after
    let mut subs: Vec<String> = Vec::new();
    let mut srng = Rng::new(3);
    while subs.len() < 1000 {
        let c = &pool[srng.below(pool.len())];
        let text: Vec<char> = c.content.as_deref().unwrap_or("").chars().collect();
        let len = 2 + srng.below(3);
        if text.len() <= len {
            continue;
        }
        let start = srng.below(text.len() - len);
        let s: String = text[start..start + len].iter().collect();
        if s.chars().all(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)) {
            subs.push(s);
        }
    }
    println!("\nsubstrings (2-4 CJK chars) of stored narratives that find nothing:");
    for (name, literals) in [
        ("words only (before)", false),
        ("words + bigrams (now)", true),
    ] {
        let zero = subs
            .iter()
            .filter(|s| {
                engine
                    .search(&SearchRequest {
                        query: (*s).clone(),
                        limit: 1,
                        no_highlights: true,
                        ranking: Some(Ranking {
                            literals,
                            ..Ranking::default()
                        }),
                        ..SearchRequest::default()
                    })
                    .map(|r| r.total == 0)
                    .unwrap_or(true)
            })
            .inspect(|s| {
                if literals {
                    println!("  finds nothing: {s}");
                }
            })
            .count();
        println!(
            "  {name:<24} {zero} of {} ({:.1}%)",
            subs.len(),
            100.0 * zero as f64 / subs.len() as f64
        );
    }

    // latency with highlights and facets
    println!("\nlatency, top-10 with highlights and facets, 1 thread, warm:");
    let mut lrng = Rng::new(5);
    let keyword_qs: Vec<String> = pool
        .iter()
        .take(1000)
        .map(|c| keywords(&c.narrative(), &mut lrng))
        .collect();
    let phrase_qs: Vec<String> = subs.iter().map(|s| format!("\"{s}\"")).collect();
    let long_phrase_qs: Vec<String> = pool
        .iter()
        .take(1000)
        .filter_map(|c| {
            let t: Vec<char> = c.content.as_deref()?.chars().collect();
            (t.len() > 12).then(|| {
                let start = lrng.below(t.len() - 8);
                let s: String = t[start..start + 6].iter().collect();
                format!("\"{}\"", s.replace(['"', '“', '”'], ""))
            })
        })
        .collect();
    let title_qs: Vec<String> = pool
        .iter()
        .filter_map(|c| c.title.clone())
        .filter(|t| t.chars().count() >= 8)
        .take(300)
        .map(|t| plain(&t))
        .collect();
    for (name, list) in [
        ("keywords (2-3 words)", &keyword_qs),
        ("pasted title (two stages)", &title_qs),
        ("phrase (2-4 chars)", &phrase_qs),
        ("phrase (6 chars)", &long_phrase_qs),
    ] {
        for facets in [false, true] {
            let run = |q: &String| {
                engine
                    .search(&SearchRequest {
                        query: q.clone(),
                        limit: 10,
                        facets,
                        ..SearchRequest::default()
                    })
                    .map(|r| r.total)
                    .unwrap_or(0)
            };
            for q in list.iter().take(100) {
                run(q);
            }
            let ms: Vec<f64> = list
                .iter()
                .map(|q| {
                    let t = Instant::now();
                    run(q);
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            percentiles(
                &format!("{name}{}", if facets { " + facets" } else { "" }),
                ms,
            );
        }
    }
}

/// Bytes per field group, summed over segments (postings, positions, terms, fast fields).
fn space(engine: &Engine) {
    let usage = match engine.index().searcher().space_usage() {
        Ok(u) => u,
        Err(e) => {
            println!("space usage unavailable: {e}");
            return;
        }
    };
    let mut per_field: HashMap<String, u64> = HashMap::new();
    let mut store = 0u64;
    for seg in usage.segments() {
        for part in [
            seg.termdict(),
            seg.postings(),
            seg.positions(),
            seg.fast_fields(),
            seg.fieldnorms(),
        ] {
            for f in part.fields() {
                *per_field.entry(f.field_name().to_string()).or_default() += f.total().get_bytes();
            }
        }
        store += seg.store().total().get_bytes();
    }
    let group = |names: &[&str]| -> u64 {
        names
            .iter()
            .map(|n| per_field.get(*n).copied().unwrap_or(0))
            .sum()
    };
    let bigrams = group(&["title_bi", "content_bi", "location_bi"]);
    let person = group(&["name_key", "name_mask", "phone_mask", "id_mask"]);
    let total: u64 = usage.total().get_bytes();
    let without_bigrams = total - bigrams;
    let without_person = total - person;
    println!(
        "space: total {:.1} MB; stored records {:.1} MB; words (title, content, location) {:.1} MB",
        total as f64 / 1e6,
        store as f64 / 1e6,
        group(&["title", "content", "location"]) as f64 / 1e6
    );
    println!(
        "space: bigram fields {:.1} MB = +{:.1}% over the index without them",
        bigrams as f64 / 1e6,
        100.0 * bigrams as f64 / without_bigrams as f64
    );
    println!(
        "space: person keys (name_key, name_mask, phone_mask, id_mask) {:.2} MB = +{:.2}% over the index without them",
        person as f64 / 1e6,
        100.0 * person as f64 / without_person as f64
    );
}
