//! Inverse document frequencies of narrative bigrams, read from the index's `bigram` field
//! and memoised per index size: a check looks up each bigram of the submission and of its
//! candidates, and most are the same few thousand.

use super::store::CaseIndex;
use crate::analysis::{WeightedBigrams, distinct_bigrams, idf};
use std::collections::HashMap;
use std::sync::RwLock;
use tantivy::{Searcher, Term};

/// Memoised bigram weights, valid for one index size.
#[derive(Debug, Default)]
pub struct IdfCache {
    state: RwLock<(u64, HashMap<u32, f32>)>,
}

/// The memo is dropped when the index has grown or shrunk by more than this share.
const DRIFT: f64 = 0.02;

impl IdfCache {
    fn current(&self, docs: u64) {
        let stale = self.state.read().map_or(true, |s| {
            let (then, _) = &*s;
            let diff = then.abs_diff(docs) as f64;
            diff > DRIFT * (*then).max(1) as f64 || (*then < 1000 && *then != docs)
        });
        if stale && let Ok(mut s) = self.state.write() {
            *s = (docs, HashMap::new());
        }
    }
}

impl CaseIndex {
    /// The weight of every distinct bigram of a normalised narrative: idf over the committed
    /// cases the searcher sees.
    pub fn text_weights(&self, searcher: &Searcher, normalized: &str) -> WeightedBigrams {
        let docs = searcher.num_docs();
        let cache = self.idf_cache();
        cache.current(docs);
        let grams = distinct_bigrams(normalized);
        let mut weights = Vec::with_capacity(grams.len());
        let mut missing: Vec<(usize, u32, char, char)> = Vec::new();
        if let Ok(s) = cache.state.read() {
            for (i, &(h, a, b)) in grams.iter().enumerate() {
                match s.1.get(&h) {
                    Some(w) => weights.push(*w),
                    None => {
                        weights.push(0.0);
                        missing.push((i, h, a, b));
                    }
                }
            }
        } else {
            weights.resize(grams.len(), 1.0);
        }
        if !missing.is_empty() {
            let field = self.fields().bigram;
            let mut gram = String::with_capacity(8);
            let mut found = Vec::with_capacity(missing.len());
            for &(i, h, a, b) in &missing {
                gram.clear();
                gram.push(a);
                gram.push(b);
                let df = searcher
                    .doc_freq(&Term::from_field_text(field, &gram))
                    .unwrap_or(0);
                let w = idf(df, docs);
                weights[i] = w;
                found.push((h, w));
            }
            if let Ok(mut s) = cache.state.write()
                && s.0 == docs
            {
                s.1.extend(found);
            }
        }
        WeightedBigrams {
            keys: grams.into_iter().map(|g| g.0).collect(),
            weights,
            objects: crate::analysis::object_names(normalized),
            says_repeated: crate::analysis::says_repeated(normalized),
        }
    }
}
