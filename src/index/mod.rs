//! The tantivy index: schema, writer/reader lifecycle, search with its query syntax, filters,
//! highlights and facets, person look-up, the audit log of look-ups, and candidate retrieval
//! for the duplicate check.

mod audit;
mod bigram_tokenizer;
mod candidates;
mod facets;
mod highlight;
mod idf;
mod person;
mod query;
mod schema;
mod search;
mod store;

pub use audit::{AuditEntry, AuditLog, AuditOutcome, AuditRecord, AuditReport};
pub use bigram_tokenizer::bigrams;
pub use candidates::CandidateQuery;
pub use person::{KeyKind, MatchLevel, PersonHit, PersonQuery, mask_key, name_key};
pub use query::{LONG_TERM_WORDS, ParsedQuery, QueryError, Ranking, Scope, Unit, synonyms_of};
pub use schema::{CaseFields, StoredCase};
pub use search::{
    Bucket, CountyCount, FacetValue, Highlight, Histogram, Rerank, SearchFacets, SearchHit,
    SearchRequest, SearchResults, parse as parse_query,
};
pub use store::{CaseIndex, CaseWriter, Upsert};
