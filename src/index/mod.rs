//! The tantivy index: schema, writer/reader lifecycle, search with filters and highlights,
//! and candidate retrieval for the duplicate check.

mod candidates;
mod facets;
mod highlight;
mod idf;
mod schema;
mod search;
mod store;

pub use candidates::CandidateQuery;
pub use schema::{CaseFields, StoredCase};
pub use search::{CountyCount, Highlight, SearchHit, SearchRequest, SearchResults};
pub use store::{CaseIndex, CaseWriter, Upsert};
