//! The library's error type.

use std::path::PathBuf;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the index at {path} cannot be opened: {reason}")]
    IndexOpen { path: PathBuf, reason: String },
    #[error("query error: {0}")]
    Query(String),
    #[error("{0}")]
    Record(#[from] crate::model::RecordError),
    #[error("{path}: {reason}")]
    Config { path: PathBuf, reason: String },
    #[error("dictionary {name}: {reason}")]
    Dictionary { name: &'static str, reason: String },
    #[error("stored case {id} is unreadable: {reason}")]
    Stored { id: String, reason: String },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
