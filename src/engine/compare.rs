//! Comparing and scoring two records directly, with the evidence per field.

use super::Engine;
use crate::analysis::Profile;
use crate::matching::{Evidence, Prepared, TextSignature, compare};
use crate::model::{Case, Verdict};
use serde::Serialize;

/// Two records compared: the two answers, the verdict they give and the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct PairScore {
    pub verdict: Verdict,
    /// log2 odds of the same complainant
    pub person_score: f64,
    /// log2 odds of the same matter
    pub matter_score: f64,
    pub text_similarity: f64,
    pub evidence: Vec<Evidence>,
}

impl Engine {
    /// Compares `a` with `b` with the engine's model; narrative bigrams are weighted by the
    /// index's document frequencies (an empty index weighs them alike).
    pub fn compare(&self, a: &Case, b: &Case) -> PairScore {
        let (pa, pb) = (Profile::of(a), Profile::of(b));
        let searcher = self.index.searcher();
        let ta =
            TextSignature::from_weighted(self.index.text_weights(&searcher, &pa.matter_text()));
        let tb =
            TextSignature::from_weighted(self.index.text_weights(&searcher, &pb.matter_text()));
        let cmp = compare(&Prepared::new(a, &pa, &ta), &Prepared::new(b, &pb, &tb));
        let s = self.model.score(&cmp);
        let verdict = match (s.same_person, s.same_matter) {
            (true, true) => Verdict::Duplicate,
            (false, true) => Verdict::Related,
            (true, false) => Verdict::SamePerson,
            (false, false) => Verdict::New,
        };
        PairScore {
            verdict,
            person_score: s.person,
            matter_score: s.matter,
            text_similarity: cmp.text_similarity,
            evidence: s.evidence,
        }
    }
}
