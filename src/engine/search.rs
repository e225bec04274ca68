//! Search in two stages: the index's BM25 over words and character bigrams retrieves the
//! best `Ranking::rerank_depth` hits, then the matching's idf-weighted narrative similarity
//! (the duplicate check's own text comparator) reorders them. `similar_to` reorders its
//! more-like-this candidates by the check's same-matter score.

use super::Engine;
use crate::analysis::{Profile, normalize};
use crate::error::Result;
use crate::index::{ParsedQuery, Ranking, SearchRequest, SearchResults, StoredCase, Unit};
use crate::matching::{LevelName, Prepared, TextSignature, compare, text_similarity};

/// Candidates `similar_to` reads before it keeps the best by matter score.
const SIMILAR_DEPTH: usize = 100;

/// Distinct bigrams a query needs before its hits are reordered by narrative similarity: a
/// pasted title or sentence has them, two or three keywords say too little to compare a
/// narrative against (measured: no gain) and keep the first stage's cheaper order.
const RERANK_MIN_BIGRAMS: usize = 10;

/// The positive text of a query (words and phrases, not handlers or exclusions), normalised,
/// its terms kept apart so that no bigram bridges two of them.
fn query_text(parsed: &ParsedQuery) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in parsed.clauses.iter().filter(|c| !c.negated) {
        for u in &c.any_of {
            if let Unit::Words { text, .. } | Unit::Phrase { text, .. } = u {
                parts.push(normalize(text));
            }
        }
    }
    parts.join("|")
}

impl Engine {
    /// Runs a search; text hits are ranked in two stages (see the module notes).
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let rank = request.ranking.unwrap_or_default();
        let parsed = crate::index::parse_query(&request.query)?;
        let long =
            crate::analysis::distinct_bigrams(&query_text(&parsed)).len() >= RERANK_MIN_BIGRAMS;
        let rerank = |searcher: &tantivy::Searcher,
                      parsed: &ParsedQuery,
                      hits: &mut Vec<(f32, StoredCase)>| {
            self.rerank(searcher, parsed, &rank, hits);
        };
        self.index
            .search_reranked(request, long.then_some(&rerank as crate::index::Rerank<'_>))
    }

    /// The second stage: each hit scored by the weighted similarity of the query text to its
    /// narrative, plus its first-stage score scaled to 0..=1, plus a bonus when both name one
    /// specific object (estate, company, road …); word tiers kept when the ranking says so.
    fn rerank(
        &self,
        searcher: &tantivy::Searcher,
        parsed: &ParsedQuery,
        rank: &Ranking,
        hits: &mut Vec<(f32, StoredCase)>,
    ) {
        let text = query_text(parsed);
        let query = TextSignature::from_weighted(self.index.text_weights(searcher, &text));
        if query.is_empty() || hits.len() < 2 {
            return;
        }
        let tier_of = |score: f32| {
            if rank.word_tier > 0.0 {
                (score / rank.word_tier).floor()
            } else {
                0.0
            }
        };
        let first: Vec<f32> = hits
            .iter()
            .map(|(s, _)| s - tier_of(*s) * rank.word_tier)
            .collect();
        let top = first.iter().copied().fold(0.0, f32::max);
        let tier_step = rank.rerank_text + rank.rerank_first + rank.rerank_objects + 1.0;
        let mut scored: Vec<(f32, StoredCase)> = std::mem::take(hits)
            .into_iter()
            .zip(first)
            .map(|((score, stored), first)| {
                let doc = TextSignature::from_weighted(
                    self.index
                        .text_weights(searcher, &stored.profile.matter_text()),
                );
                let sim = text_similarity(&query, &doc) as f32;
                let same_object = query.objects(&doc).name() == "same";
                let mut s = rank.rerank_text * sim
                    + rank.rerank_first * if top > 0.0 { first / top } else { 0.0 }
                    + if same_object {
                        rank.rerank_objects
                    } else {
                        0.0
                    };
                if rank.rerank_tiers {
                    s += tier_of(score) * tier_step;
                }
                (s, stored)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        *hits = scored;
    }

    /// Cases of the same matter as the case `id` as far as its record tells, best first:
    /// more-like-this candidates ranked by the duplicate check's same-matter score (text,
    /// object names, place, time gap, category, channel). `None` if `id` is unknown.
    pub fn similar(&self, id: &str, limit: usize) -> Result<Option<Vec<(StoredCase, f32)>>> {
        let Some(stored) = self.index.get(id)? else {
            return Ok(None);
        };
        let candidates = self
            .index
            .similar(&stored.profile, id, limit.max(SIMILAR_DEPTH))?;
        let searcher = self.index.searcher();
        let signature = |p: &Profile| {
            TextSignature::from_weighted(self.index.text_weights(&searcher, &p.matter_text()))
        };
        let own = signature(&stored.profile);
        let this = Prepared::new(&stored.case, &stored.profile, &own);
        let mut scored: Vec<(StoredCase, f32)> = candidates
            .into_iter()
            .map(|(c, _)| {
                let text = signature(&c.profile);
                let cmp = compare(&this, &Prepared::new(&c.case, &c.profile, &text));
                let matter = self.model.score(&cmp).matter as f32;
                (c, matter)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(limit);
        Ok(Some(scored))
    }
}
