//! Candidate retrieval for the duplicate check: exact person keys and a more-like-this text
//! query, each capped. Never a scan.

use super::person::{KeyKind, MatchLevel, PersonQuery};
use super::schema::{CaseFields, StoredCase};
use super::store::CaseIndex;
use crate::analysis::{Profile, analyze_words};
use crate::error::Result;
use std::collections::{BTreeMap, HashMap};
use tantivy::collector::{Collector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DateTime, DocAddress, Executor, Order, Searcher, Term};

/// Caps of the candidate lists.
#[derive(Debug, Clone)]
pub struct CandidateQuery {
    /// per exact key (ID number, phone, name in county)
    pub per_key: usize,
    /// from the text query
    pub text: usize,
    /// distinct terms of the more-like-this query
    pub max_terms: usize,
    /// terms in more than this share of documents are dropped (they cost and say little)...
    pub max_df_ratio: f64,
    /// ...unless they are in at most this many: a small index keeps the words of a collective
    /// matter filed fifty times
    pub min_df_cap: u64,
}

impl Default for CandidateQuery {
    fn default() -> Self {
        CandidateQuery {
            per_key: 50,
            text: 30,
            max_terms: 24,
            max_df_ratio: 0.01,
            min_df_cap: 2000,
        }
    }
}

impl CaseIndex {
    /// Cases that may relate to `profile`: the union of the capped lists, with the best text
    /// score seen for each (0 when only a key matched), best first and then by id.
    pub fn candidates(
        &self,
        profile: &Profile,
        q: &CandidateQuery,
    ) -> Result<Vec<(StoredCase, f32)>> {
        let f = self.fields();
        let searcher = self.searcher();
        let mut found: HashMap<DocAddress, f32> = HashMap::new();
        let mut keys: Vec<Term> = Vec::new();
        if let Some(k) = profile.id_key() {
            keys.push(Term::from_field_text(f.id_key, k));
        }
        for k in profile.phone_keys() {
            keys.push(Term::from_field_text(f.phone_key, k));
        }
        for k in profile.name_place_keys() {
            keys.push(Term::from_field_text(f.name_place, &k));
        }
        if let Some(a) = &profile.account {
            keys.push(Term::from_field_text(f.account_key, a));
        }
        let mut lookups: Vec<Box<dyn Query>> = keys
            .into_iter()
            .map(|t| Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>)
            .collect();
        // masked values (138****1234, 4301**********2329) on either side: the phone and ID
        // number keys that a mask is consistent with; names are too common for this
        lookups.extend(
            PersonQuery::from_profile(profile)
                .clauses(f)
                .into_iter()
                .filter(|(kind, level, clauses)| {
                    *level == MatchLevel::Possible
                        && matches!(kind, KeyKind::Phone | KeyKind::IdNumber)
                        && !clauses.is_empty()
                })
                .map(|(_, _, clauses)| {
                    Box::new(BooleanQuery::new(
                        clauses.into_iter().map(|c| (Occur::Should, c)).collect(),
                    )) as Box<dyn Query>
                }),
        );
        // a key shared by more cases than the cap keeps the newest: the same ones however
        // the index's segments were laid out
        for query in lookups {
            for (_, addr) in search_here(
                &searcher,
                &query,
                &TopDocs::with_limit(q.per_key)
                    .order_by_fast_field::<DateTime>("received_at", Order::Desc),
            )? {
                found.entry(addr).or_insert(0.0);
            }
        }
        let mut out: Vec<(StoredCase, f32)> = Vec::with_capacity(found.len() + q.text);
        if let Some(text) = more_like_this(f, &searcher, &profile.matter_text(), q)? {
            // a few more than the cap, cut after ordering by score and id: cases tied at the
            // cut are kept by id, not by where a segment put them
            let mut fetched = search_here(
                &searcher,
                &text,
                &TopDocs::with_limit(q.text + TIE_MARGIN).order_by_score(),
            )?
            .into_iter()
            .map(|(score, addr)| Ok(((self.stored(&searcher, addr)?, score), addr)))
            .collect::<Result<Vec<((StoredCase, f32), DocAddress)>>>()?;
            fetched.sort_by(|a, b| best_first(&a.0, &b.0));
            for (candidate, addr) in fetched.into_iter().take(q.text) {
                found.remove(&addr);
                out.push(candidate);
            }
        }
        // found by a key only (or below the text cut)
        for (addr, score) in found {
            out.push((self.stored(&searcher, addr)?, score));
        }
        // best text score first, then by id: the same list whatever the hash map's order
        out.sort_by(best_first);
        Ok(out)
    }
}

/// Text candidates fetched beyond the cap, so that the cases tied at the cut are chosen by
/// id rather than by their place in the index.
const TIE_MARGIN: usize = 8;

fn best_first(a: &(StoredCase, f32), b: &(StoredCase, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1)
        .then_with(|| a.0.case.id.cmp(&b.0.case.id))
}

/// Searches on the calling thread. Candidates are looked up from inside rayon's pool (fit,
/// EM): the index's multi-threaded executor would park that worker on another pool, and
/// while parked it steals more look-ups, nesting them until the stack overflows.
fn search_here<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    searcher.search_with_executor(query, collector, &Executor::single_thread(), scoring)
}

/// A disjunction of the narrative's most distinctive terms, weighted by tf·idf.
fn more_like_this(
    f: &CaseFields,
    searcher: &tantivy::Searcher,
    text: &str,
    q: &CandidateQuery,
) -> Result<Option<Box<dyn Query>>> {
    let n = searcher.num_docs().max(1) as f64;
    // in term order, so that the stable sort below breaks ties in weight the same way every
    // time (a hash map's order changes from one process to the next, and with it the terms
    // kept at the cut and the candidates found)
    let mut tf: BTreeMap<String, u32> = BTreeMap::new();
    for t in analyze_words(text) {
        *tf.entry(t).or_default() += 1;
    }
    let mut weighted = Vec::with_capacity(tf.len());
    for (t, count) in tf {
        if t.chars().count() < 2 {
            continue;
        }
        let term = Term::from_field_text(f.content, &t);
        let df = searcher.doc_freq(&term)? as f64;
        if df == 0.0 || (df / n > q.max_df_ratio && df > q.min_df_cap as f64) {
            continue;
        }
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        weighted.push((f64::from(count).sqrt() * idf, term));
    }
    if weighted.is_empty() {
        return Ok(None);
    }
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
    weighted.truncate(q.max_terms);
    let clauses: Vec<(Occur, Box<dyn Query>)> = weighted
        .into_iter()
        .map(|(w, term)| {
            let tq: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            (
                Occur::Should,
                Box::new(BoostQuery::new(tq, w as f32)) as Box<dyn Query>,
            )
        })
        .collect();
    Ok(Some(Box::new(BooleanQuery::new(clauses))))
}

impl CaseIndex {
    /// Cases whose narratives resemble `profile`'s (more-like-this), best first.
    pub fn similar(
        &self,
        profile: &Profile,
        exclude_id: &str,
        limit: usize,
    ) -> Result<Vec<(StoredCase, f32)>> {
        let searcher = self.searcher();
        let q = CandidateQuery::default();
        let Some(query) = more_like_this(self.fields(), &searcher, &profile.matter_text(), &q)?
        else {
            return Ok(Vec::new());
        };
        let top = search_here(
            &searcher,
            &query,
            &TopDocs::with_limit(limit + 1).order_by_score(),
        )?;
        let mut out = Vec::with_capacity(limit);
        for (score, addr) in top {
            let stored = self.stored(&searcher, addr)?;
            if stored.case.id != exclude_id && out.len() < limit {
                out.push((stored, score));
            }
        }
        Ok(out)
    }
}
