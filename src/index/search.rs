//! Full-text search: the query syntax (`query.rs`) over words and character bigrams of title,
//! content and location, filters, pagination, highlights and facet counts.

use super::facets::{CountyCounts, FacetCounts, Facets};
use super::highlight;
use super::query::{ParsedQuery, Ranking, build};
use super::schema::{CaseFields, StoredCase};
use super::store::CaseIndex;
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, DocAddress, Order, Term};

/// A search with its filters. Empty `query` lists the filtered cases, newest first.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// the query syntax of `index::query` (words, "phrases", -exclusions, OR, fields)
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
    /// also count per channel, category, handler, month, day/week/month histogram and division
    pub facets: bool,
    /// leave highlights out (exports)
    pub no_highlights: bool,
    /// how clauses are weighed; `None` for the default
    pub ranking: Option<Ranking>,
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

/// Matching cases in one division (county, city or province).
#[derive(Debug, Clone, Serialize)]
pub struct CountyCount {
    pub code: String,
    pub name: String,
    pub count: u64,
}

/// A facet value and its count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// One bar of the time histogram: the bucket's first day and its count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Bucket {
    pub start: String,
    pub count: u64,
}

/// The time histogram, at an interval chosen from the span of the matching cases.
#[derive(Debug, Clone, Serialize)]
pub struct Histogram {
    /// day (span ≤ 92 days), week (≤ 2 years, weeks start on Monday) or month
    pub interval: &'static str,
    /// consecutive buckets from the first to the last matching case (empty ones included)
    pub buckets: Vec<Bucket>,
}

/// Counts of the matching cases beside the results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchFacets {
    /// most cases first, then by value
    pub channels: Vec<FacetValue>,
    pub categories: Vec<FacetValue>,
    pub handlers: Vec<FacetValue>,
    /// `2023-05`, in order of time
    pub months: Vec<FacetValue>,
    pub histogram: Histogram,
    pub provinces: Vec<CountyCount>,
    pub cities: Vec<CountyCount>,
    pub counties: Vec<CountyCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub offset: usize,
    pub hits: Vec<SearchHit>,
    /// per county, most cases first (when asked for)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counties: Vec<CountyCount>,
    /// when asked for
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<SearchFacets>,
}

fn divisions(counts: HashMap<u64, u64>) -> Vec<CountyCount> {
    let g = crate::analysis::Gazetteer::global();
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
    out
}

fn values(counts: HashMap<String, u64>) -> Vec<FacetValue> {
    let mut out: Vec<FacetValue> = counts
        .into_iter()
        .map(|(value, count)| FacetValue { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    out
}

fn date_of_day(day: i64) -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp(day * 86_400, 0)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

fn month_start(d: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    d.with_day(1).unwrap_or(d)
}

fn histogram(days: &HashMap<i64, u64>) -> Histogram {
    use chrono::Datelike;
    let (Some(&first), Some(&last)) = (days.keys().min(), days.keys().max()) else {
        return Histogram {
            interval: "day",
            buckets: Vec::new(),
        };
    };
    let span = last - first;
    let (interval, bucket_of): (&'static str, Box<dyn Fn(i64) -> chrono::NaiveDate>) = if span <= 92
    {
        ("day", Box::new(date_of_day))
    } else if span <= 731 {
        (
            "week",
            Box::new(|d| {
                let date = date_of_day(d);
                date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday()))
            }),
        )
    } else {
        ("month", Box::new(|d| month_start(date_of_day(d))))
    };
    let mut counts: HashMap<chrono::NaiveDate, u64> = HashMap::new();
    for (&d, &n) in days {
        *counts.entry(bucket_of(d)).or_default() += n;
    }
    let mut buckets = Vec::new();
    let (mut at, end) = (bucket_of(first), bucket_of(last));
    while at <= end {
        buckets.push(Bucket {
            start: at.format("%Y-%m-%d").to_string(),
            count: counts.get(&at).copied().unwrap_or(0),
        });
        at = match interval {
            "day" => at + chrono::Days::new(1),
            "week" => at + chrono::Days::new(7),
            _ => at
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(chrono::NaiveDate::MAX),
        };
    }
    Histogram { interval, buckets }
}

fn facets_of(c: FacetCounts) -> SearchFacets {
    let mut months: HashMap<String, u64> = HashMap::new();
    for (&d, &n) in &c.days {
        *months
            .entry(date_of_day(d).format("%Y-%m").to_string())
            .or_default() += n;
    }
    let mut months: Vec<FacetValue> = months
        .into_iter()
        .map(|(value, count)| FacetValue { value, count })
        .collect();
    months.sort_by(|a, b| a.value.cmp(&b.value));
    let (mut provinces, mut cities) = (HashMap::new(), HashMap::new());
    for (&code, &n) in &c.counties {
        *provinces.entry(code / 10_000 * 10_000).or_default() += n;
        *cities.entry(code / 100 * 100).or_default() += n;
    }
    SearchFacets {
        channels: values(c.channel),
        categories: values(c.category),
        handlers: values(c.handler),
        histogram: histogram(&c.days),
        months,
        provinces: divisions(provinces),
        cities: divisions(cities),
        counties: divisions(c.counties),
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
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

/// Parses the query text; syntax errors are the caller's (HTTP 400).
pub fn parse(query: &str) -> Result<ParsedQuery> {
    ParsedQuery::parse(query).map_err(|e| Error::Query(e.to_string()))
}

impl CaseIndex {
    /// The filters and words of a request as one query (`None` when it has neither): what
    /// a person look-up is restricted to.
    pub fn restriction(&self, r: &SearchRequest) -> Result<Option<Box<dyn Query>>> {
        let f = self.fields();
        let parsed = parse(&r.query)?;
        let mut clauses = filters(f, r);
        if !parsed.is_empty() {
            let rank = r.ranking.unwrap_or_default();
            clauses.push((Occur::Must, build(f, &parsed, rank, false, None)));
        }
        Ok((!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>))
    }

    /// Runs a search. Clauses are all required; when that finds nothing, any may match.
    pub fn search(&self, r: &SearchRequest) -> Result<SearchResults> {
        self.search_reranked(r, None)
    }

    /// Runs a search whose best `ranking.rerank_depth` text hits are reordered by `rerank`
    /// (the second ranking stage) before the page is cut; hits beyond the depth follow in
    /// the first stage's order, and searches without words are newest first. Only the page
    /// is highlighted.
    pub fn search_reranked(
        &self,
        r: &SearchRequest,
        rerank: Option<Rerank<'_>>,
    ) -> Result<SearchResults> {
        let searcher = self.searcher();
        let parsed = parse(&r.query)?;
        let stage = Stage {
            f: self.fields(),
            r,
            parsed: &parsed,
            rank: r.ranking.unwrap_or_default(),
            searcher: &searcher,
            limit: r.limit.max(1),
        };
        let by_date = !parsed.has_text();
        let rerank = rerank.filter(|_| !by_date && stage.rank.rerank_depth > 0);
        // facets come from the same pass as the hits: the query is evaluated once
        let first = if by_date {
            stage.by_date()?
        } else {
            stage.by_score(rerank.is_some())?
        };
        let mut stored = Vec::with_capacity(first.top.len());
        for (score, addr) in first.top {
            stored.push((score, self.stored(&searcher, addr)?));
        }
        if let Some(rerank) = rerank {
            stored = stage.reranked(rerank, stored);
        }
        let hits = search_hits(stored, &parsed, !(r.no_highlights || by_date));
        let counties = if r.facet_counties {
            divisions(searcher.search(first.query.as_ref(), &CountyCounts)?)
        } else {
            Vec::new()
        };
        Ok(SearchResults {
            total: first.total,
            offset: r.offset,
            hits,
            counties,
            facets: first.facets.map(facets_of),
        })
    }
}

/// What a search's first ranking stage reads.
struct Stage<'a> {
    f: &'a CaseFields,
    r: &'a SearchRequest,
    parsed: &'a ParsedQuery,
    rank: Ranking,
    searcher: &'a tantivy::Searcher,
    /// the page size (at least 1)
    limit: usize,
}

/// What the first ranking stage found.
struct FirstStage {
    /// the query that was run, filters included
    query: Box<dyn Query>,
    total: usize,
    top: Vec<(f32, DocAddress)>,
    /// when asked for
    facets: Option<FacetCounts>,
}

impl Stage<'_> {
    /// `q` under the request's filters (`q` itself when there are none).
    fn with_filters(&self, q: Box<dyn Query>) -> Box<dyn Query> {
        let mut clauses = filters(self.f, self.r);
        if clauses.is_empty() {
            return q;
        }
        clauses.push((Occur::Must, q));
        Box::new(BooleanQuery::new(clauses))
    }

    /// A search without words: the page of the matching cases, newest first (scores 0).
    fn by_date(&self) -> Result<FirstStage> {
        let query = self.with_filters(if self.parsed.is_empty() {
            Box::new(AllQuery)
        } else {
            build(self.f, self.parsed, self.rank, false, Some(self.searcher))
        });
        let top_docs = TopDocs::with_limit(self.limit)
            .and_offset(self.r.offset)
            .order_by_fast_field::<DateTime>("received_at", Order::Desc);
        let (total, top, facets) = self.count(query.as_ref(), top_docs)?;
        let top = top.into_iter().map(|(_, a)| (0.0, a)).collect();
        Ok(FirstStage {
            query,
            total,
            top,
            facets,
        })
    }

    /// A search with words, best score first: every clause required, and when that finds
    /// nothing and more than one clause is positive, any may match. `reranked` keeps the
    /// best `rerank_depth` (at least to the page's end) from the start instead of the page.
    fn by_score(&self, reranked: bool) -> Result<FirstStage> {
        let (n, skip) = if reranked {
            (self.rank.rerank_depth.max(self.r.offset + self.limit), 0)
        } else {
            (self.limit, self.r.offset)
        };
        let run = |any_clause: bool| -> Result<FirstStage> {
            let query = self.with_filters(build(
                self.f,
                self.parsed,
                self.rank,
                any_clause,
                Some(self.searcher),
            ));
            let top_docs = TopDocs::with_limit(n).and_offset(skip).order_by_score();
            let (total, top, facets) = self.count(query.as_ref(), top_docs)?;
            Ok(FirstStage {
                query,
                total,
                top,
                facets,
            })
        };
        let first = run(false)?;
        let positive = self.parsed.clauses.iter().filter(|c| !c.negated).count();
        if first.total == 0 && positive > 1 {
            return run(true);
        }
        Ok(first)
    }

    /// Runs `query` once for its count, its `top_docs` and (when asked for) its facets.
    fn count<C: Collector>(
        &self,
        query: &dyn Query,
        top_docs: C,
    ) -> Result<(usize, C::Fruit, Option<FacetCounts>)> {
        if self.r.facets {
            let (total, top, fc) = self.searcher.search(query, &(Count, top_docs, Facets))?;
            Ok((total, top, Some(fc)))
        } else {
            let (total, top) = self.searcher.search(query, &(Count, top_docs))?;
            Ok((total, top, None))
        }
    }

    /// The page after the second stage: the best `rerank_depth` reordered, the rest after
    /// them in the first stage's order, so that pages line up across the depth.
    fn reranked(
        &self,
        rerank: Rerank<'_>,
        mut stored: Vec<(f32, StoredCase)>,
    ) -> Vec<(f32, StoredCase)> {
        let rest = stored.split_off(stored.len().min(self.rank.rerank_depth));
        rerank(self.searcher, self.parsed, &mut stored);
        stored.extend(rest);
        stored
            .into_iter()
            .skip(self.r.offset)
            .take(self.limit)
            .collect()
    }
}

/// The page's hits, highlighted unless `highlighted` is false.
fn search_hits(
    stored: Vec<(f32, StoredCase)>,
    parsed: &ParsedQuery,
    highlighted: bool,
) -> Vec<SearchHit> {
    let (words, literals) = parsed.highlight_terms();
    let wanted: HashSet<String> = words.into_iter().collect();
    stored
        .into_iter()
        .map(|(score, StoredCase { case, .. })| {
            let highlights = if highlighted {
                highlights(&case, &wanted, &literals)
            } else {
                Vec::new()
            };
            SearchHit {
                score,
                case,
                highlights,
            }
        })
        .collect()
}

/// The second ranking stage: given the searcher, the parsed query and the first stage's
/// best hits (best first, with their scores), reorders them and sets their scores.
pub type Rerank<'a> = &'a dyn Fn(&tantivy::Searcher, &ParsedQuery, &mut Vec<(f32, StoredCase)>);

fn highlights(
    case: &crate::model::Case,
    words: &HashSet<String>,
    literals: &[String],
) -> Vec<Highlight> {
    let fields = [
        ("title", case.title.as_deref(), 80),
        ("content", case.content.as_deref(), 160),
        ("location", case.location.as_deref(), 80),
    ];
    fields
        .into_iter()
        .filter_map(|(field, source, max_chars)| {
            let source = source?;
            let (window, ranges) = highlight::snippet(source, words, literals, max_chars)?;
            let text = source[window].to_string();
            Some(Highlight {
                field,
                html: highlight::to_html(&text, &ranges),
                text,
                ranges,
            })
        })
        .collect()
}
