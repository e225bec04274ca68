//! Full-text search: BM25 over title, content and location, filters, pagination, highlights.

use super::highlight;
use super::schema::{CaseFields, StoredCase};
use super::store::CaseIndex;
use crate::analysis::analyze_terms;
use crate::error::Result;
use serde::Serialize;
use std::ops::Bound;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, Order, Term};

/// A search with its filters. Empty `query` lists the filtered cases, newest first.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub channel: Option<String>,
    /// A division code; every division below it matches too.
    pub place: Option<String>,
    /// Inclusive bounds, seconds since the epoch.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub handler: Option<String>,
    pub category: Option<String>,
    pub limit: usize,
    pub offset: usize,
    /// also count the matching cases per county
    pub facet_counties: bool,
}

/// A highlighted fragment: `html` marks hits with `<em>`, `ranges` are byte ranges in `text`.
#[derive(Debug, Clone, Serialize)]
pub struct Highlight {
    pub field: &'static str,
    pub text: String,
    pub html: String,
    #[serde(skip)]
    pub ranges: Vec<std::ops::Range<usize>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub score: f32,
    pub case: crate::model::Case,
    pub highlights: Vec<Highlight>,
}

/// Matching cases in one county.
#[derive(Debug, Clone, Serialize)]
pub struct CountyCount {
    pub code: String,
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub offset: usize,
    pub hits: Vec<SearchHit>,
    /// per county, most cases first (when asked for)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counties: Vec<CountyCount>,
}

fn county_counts(searcher: &tantivy::Searcher, query: &dyn Query) -> Result<Vec<CountyCount>> {
    let g = crate::analysis::Gazetteer::global();
    let counts = searcher.search(query, &super::facets::CountyCounts)?;
    let mut out: Vec<CountyCount> = counts
        .into_iter()
        .map(|(code, count)| {
            let code = format!("{code:06}");
            CountyCount {
                name: g.full_name(&code),
                code,
                count,
            }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    Ok(out)
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// One clause per query word (any of title/content/location); all required or any.
fn text_query(f: &CaseFields, terms: &[String], occur: Occur) -> BooleanQuery {
    let clauses = terms
        .iter()
        .map(|t| {
            let per_field: Vec<(Occur, Box<dyn Query>)> = [f.title, f.content, f.location]
                .into_iter()
                .map(|field| (Occur::Should, term_query(field, t)))
                .collect();
            (
                occur,
                Box::new(BooleanQuery::new(per_field)) as Box<dyn Query>,
            )
        })
        .collect();
    BooleanQuery::new(clauses)
}

fn filters(f: &CaseFields, r: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let exact = [
        (f.channel, &r.channel),
        (f.place, &r.place),
        (f.handler, &r.handler),
        (f.category, &r.category),
    ];
    for (field, value) in exact {
        if let Some(v) = value {
            out.push((Occur::Must, term_query(field, v)));
        }
    }
    if r.from.is_some() || r.to.is_some() {
        let bound = |t: Option<i64>, inclusive: fn(Term) -> Bound<Term>| match t {
            Some(secs) => inclusive(Term::from_field_date(
                f.received_at,
                DateTime::from_timestamp_secs(secs),
            )),
            None => Bound::Unbounded,
        };
        out.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                bound(r.from, Bound::Included),
                bound(r.to, Bound::Included),
            )),
        ));
    }
    out
}

impl CaseIndex {
    /// Runs a search. Words are all required; when that finds nothing, any word may match.
    pub fn search(&self, r: &SearchRequest) -> Result<SearchResults> {
        let f = self.fields();
        let searcher = self.searcher();
        let terms = analyze_terms(&r.query);
        let limit = r.limit.max(1);
        let with_filters = |q: Box<dyn Query>| -> Box<dyn Query> {
            let mut clauses = filters(f, r);
            if clauses.is_empty() {
                return q;
            }
            clauses.push((Occur::Must, q));
            Box::new(BooleanQuery::new(clauses))
        };
        if terms.is_empty() {
            let query = with_filters(Box::new(AllQuery));
            let total = searcher.search(&query, &Count)?;
            let top = searcher.search(
                &query,
                &TopDocs::with_limit(limit)
                    .and_offset(r.offset)
                    .order_by_fast_field::<DateTime>("received_at", Order::Desc),
            )?;
            let hits = top
                .into_iter()
                .map(|(_, addr)| {
                    Ok(SearchHit {
                        score: 0.0,
                        case: self.stored(&searcher, addr)?.case,
                        highlights: Vec::new(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let counties = if r.facet_counties {
                county_counts(&searcher, query.as_ref())?
            } else {
                Vec::new()
            };
            return Ok(SearchResults {
                total,
                offset: r.offset,
                hits,
                counties,
            });
        }
        let mut query = with_filters(Box::new(text_query(f, &terms, Occur::Must)));
        let mut total = searcher.search(&query, &Count)?;
        if total == 0 && terms.len() > 1 {
            query = with_filters(Box::new(text_query(f, &terms, Occur::Should)));
            total = searcher.search(&query, &Count)?;
        }
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(limit)
                .and_offset(r.offset)
                .order_by_score(),
        )?;
        let wanted: std::collections::HashSet<String> = terms.iter().cloned().collect();
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let StoredCase { case, .. } = self.stored(&searcher, addr)?;
            let fields = [
                ("title", case.title.as_deref(), 80),
                ("content", case.content.as_deref(), 160),
                ("location", case.location.as_deref(), 80),
            ];
            let highlights = fields
                .into_iter()
                .filter_map(|(field, source, max_chars)| {
                    let source = source?;
                    let (window, ranges) = highlight::snippet(source, &wanted, max_chars)?;
                    let text = source[window].to_string();
                    Some(Highlight {
                        field,
                        html: highlight::to_html(&text, &ranges),
                        text,
                        ranges,
                    })
                })
                .collect();
            hits.push(SearchHit {
                score,
                case,
                highlights,
            });
        }
        let counties = if r.facet_counties {
            county_counts(&searcher, query.as_ref())?
        } else {
            Vec::new()
        };
        Ok(SearchResults {
            total,
            offset: r.offset,
            hits,
            counties,
        })
    }
}
