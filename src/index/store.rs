//! Opening the index directory, the reader, and the batched writer.
//!
//! Writes are atomic per commit: tantivy publishes a new segment set only on commit, so a
//! process killed mid-batch leaves the last committed state, and reopening works.

use super::schema::{CaseFields, StoredCase};
use crate::error::{Error, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

/// Writer memory budget shared by its threads.
const WRITER_HEAP_BYTES: usize = 512 * 1024 * 1024;

/// An opened case index.
pub struct CaseIndex {
    index: Index,
    reader: IndexReader,
    fields: CaseFields,
    path: Option<PathBuf>,
    idf: super::idf::IdfCache,
    /// the audit log of person look-ups, opened on first use
    audit: std::sync::Mutex<Option<std::sync::Arc<super::audit::AuditLog>>>,
}

/// Whether a write added a new case or replaced one with the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Added,
    Replaced,
}

impl CaseIndex {
    /// Opens the index in `dir`, creating the directory and an empty index on first use.
    pub fn open(dir: &Path) -> Result<CaseIndex> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let (schema, fields) = CaseFields::schema();
        let mmap = MmapDirectory::open(dir).map_err(|e| Error::IndexOpen {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
        let index = Index::open_or_create(mmap, schema).map_err(|e| Error::IndexOpen {
            path: dir.to_path_buf(),
            reason: format!("{e} (is it a casematch index of this version?)"),
        })?;
        Self::from_index(index, fields, Some(dir.to_path_buf()))
    }

    /// An index held in memory (tests, benchmarks).
    pub fn in_memory() -> Result<CaseIndex> {
        let (schema, fields) = CaseFields::schema();
        Self::from_index(Index::create_in_ram(schema), fields, None)
    }

    fn from_index(
        mut index: Index,
        fields: CaseFields,
        path: Option<PathBuf>,
    ) -> Result<CaseIndex> {
        CaseFields::register_tokenizers(&index);
        // segments are searched two at a time: a search over a million cases is several
        // segments, and its latency is the slowest one's
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(CaseIndex {
            index,
            reader,
            fields,
            path,
            idf: Default::default(),
            audit: Default::default(),
        })
    }

    /// The audit log of person look-ups: `audit/` in the index directory, or in memory.
    pub fn audit_log(&self) -> Result<std::sync::Arc<super::audit::AuditLog>> {
        let mut slot = self
            .audit
            .lock()
            .map_err(|_| Error::Invalid("the audit log is poisoned".into()))?;
        if let Some(log) = slot.as_ref() {
            return Ok(log.clone());
        }
        let log = std::sync::Arc::new(match &self.path {
            Some(dir) => super::audit::AuditLog::open(&dir.join("audit"))?,
            None => super::audit::AuditLog::in_memory()?,
        });
        *slot = Some(log.clone());
        Ok(log)
    }

    pub(super) fn idf_cache(&self) -> &super::idf::IdfCache {
        &self.idf
    }

    pub fn fields(&self) -> &CaseFields {
        &self.fields
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Makes the last commit visible to searches.
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Number of committed cases.
    pub fn num_cases(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// Starts a batched writer; only one may exist at a time per index directory.
    pub fn writer(&self) -> Result<CaseWriter<'_>> {
        let writer: IndexWriter = self.index.writer(WRITER_HEAP_BYTES)?;
        Ok(CaseWriter {
            index: self,
            writer,
            searcher: self.searcher(),
            pending: HashSet::new(),
            uncommitted: 0,
        })
    }

    /// The stored case with this id, if any.
    pub fn get(&self, id: &str) -> Result<Option<StoredCase>> {
        let searcher = self.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
        )?;
        match top.first() {
            Some((_, addr)) => Ok(Some(self.stored(&searcher, *addr)?)),
            None => Ok(None),
        }
    }

    /// Reads the stored record of a document.
    pub fn stored(&self, searcher: &Searcher, addr: tantivy::DocAddress) -> Result<StoredCase> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let json = doc
            .get_first(self.fields.record)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Stored {
                id: format!("{addr:?}"),
                reason: "no stored record".into(),
            })?;
        serde_json::from_str(json).map_err(|e| Error::Stored {
            id: format!("{addr:?}"),
            reason: e.to_string(),
        })
    }

    fn contains_committed(&self, searcher: &Searcher, id: &str) -> Result<bool> {
        let term = Term::from_field_text(self.fields.id, id);
        Ok(searcher.doc_freq(&term)? > 0 && {
            let q = TermQuery::new(term, IndexRecordOption::Basic);
            searcher.search(&q, &tantivy::collector::Count)? > 0
        })
    }
}

/// A batched writer: add or replace cases, then commit.
pub struct CaseWriter<'a> {
    index: &'a CaseIndex,
    writer: IndexWriter,
    /// the committed state when the batch began, to tell adds from replacements
    searcher: Searcher,
    pending: HashSet<String>,
    uncommitted: usize,
}

impl CaseWriter<'_> {
    /// Adds a case, replacing any case with the same id.
    pub fn upsert(&mut self, stored: &StoredCase) -> Result<Upsert> {
        let f = self.index.fields();
        let id = &stored.case.id;
        let existed =
            self.pending.contains(id) || self.index.contains_committed(&self.searcher, id)?;
        if existed {
            self.writer.delete_term(Term::from_field_text(f.id, id));
        }
        let doc = f.document(stored).map_err(|e| Error::Stored {
            id: id.clone(),
            reason: e.to_string(),
        })?;
        self.writer.add_document(doc)?;
        self.pending.insert(id.clone());
        self.uncommitted += 1;
        Ok(if existed {
            Upsert::Replaced
        } else {
            Upsert::Added
        })
    }

    /// Cases written since the last commit.
    pub fn uncommitted(&self) -> usize {
        self.uncommitted
    }

    /// Publishes everything written so far atomically and makes it searchable.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit()?;
        self.index.reload()?;
        self.searcher = self.index.searcher();
        self.pending.clear();
        self.uncommitted = 0;
        Ok(())
    }

    /// Commits and waits for merges to finish.
    pub fn finish(mut self) -> Result<()> {
        self.commit()?;
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}
