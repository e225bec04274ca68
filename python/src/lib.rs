//! `casematch._native`: the Python binding of the casematch engine (pyo3). Records cross the
//! boundary as JSON text and results come back as JSON text, which the pure-Python layer
//! (`casematch/__init__.py`) turns into dicts; every long call releases the GIL.
//!
//! Everything here goes through `casematch::Engine` and the types it re-exports (records
//! are read with `casematch::model::case_from_json_line`, as the server reads them), except
//! the distributed-dedupe stages in `stages.rs` (see the note there).

mod stages;

use casematch::{Case, Engine};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use rayon::prelude::*;
use std::path::PathBuf;

create_exception!(
    _native,
    CasematchError,
    PyException,
    "An engine failure: I/O, index, model file."
);
create_exception!(
    _native,
    RecordError,
    PyValueError,
    "A record that cannot be read as a case (missing id, wrong type, unparseable date)."
);

pub(crate) fn engine_err(e: casematch::Error) -> PyErr {
    CasematchError::new_err(e.to_string())
}

fn json_err(e: serde_json::Error) -> PyErr {
    CasematchError::new_err(format!("serialising a result: {e}"))
}

/// Parses one record (a JSON object) into a case; the error names the record and field.
pub(crate) fn parse_case(json: &str) -> Result<Case, casematch::model::RecordError> {
    casematch::model::case_from_json_line(json)
}

fn parse_one(json: &str) -> PyResult<Case> {
    parse_case(json).map_err(|e| RecordError::new_err(e.to_string()))
}

/// Parses records in parallel; the first bad one is an error naming its position.
fn parse_all(records: &[String]) -> PyResult<Vec<Case>> {
    records
        .par_iter()
        .enumerate()
        .map(|(i, r)| parse_case(r).map_err(|e| format!("record {i}: {e}")))
        .collect::<Result<Vec<Case>, String>>()
        .map_err(RecordError::new_err)
}

fn parse_now(now: Option<&str>) -> PyResult<Option<chrono::DateTime<chrono::FixedOffset>>> {
    match now {
        None => Ok(None),
        Some(s) => casematch::model::parse_datetime(s)
            .map(Some)
            .ok_or_else(|| PyValueError::new_err(format!("unparseable time {s:?}"))),
    }
}

/// The scoring model: weights per comparator and level, and the two thresholds.
#[pyclass(module = "casematch._native", frozen)]
#[derive(Clone)]
pub struct Model {
    pub(crate) inner: casematch::Model,
}

#[pymethods]
impl Model {
    /// The model bundled with casematch.
    #[staticmethod]
    fn bundled() -> PyResult<Model> {
        Ok(Model {
            inner: Engine::bundled_model().map_err(engine_err)?,
        })
    }

    /// Reads a model file (TOML written by `casematch fit` or `Model.save`).
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Model> {
        Ok(Model {
            inner: Engine::load_model(&path).map_err(engine_err)?,
        })
    }

    /// A model from TOML text; its rules (caps, missing levels weigh 0) are enforced.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<Model> {
        let mut inner = casematch::Model::from_toml(text).map_err(CasematchError::new_err)?;
        inner.enforce_rules();
        Ok(Model { inner })
    }

    fn to_toml(&self) -> String {
        self.inner.to_toml()
    }

    /// Writes the model file (TOML).
    fn save(&self, path: PathBuf) -> PyResult<()> {
        Engine::save_model(&self.inner, &path).map_err(engine_err)
    }

    /// The same weights with other thresholds (log2 odds).
    #[pyo3(signature = (person=None, matter=None))]
    fn with_thresholds(&self, person: Option<f64>, matter: Option<f64>) -> Model {
        let mut inner = self.inner.clone();
        if let Some(t) = person {
            inner.person_threshold = t;
        }
        if let Some(t) = matter {
            inner.matter_threshold = t;
        }
        Model { inner }
    }

    #[getter]
    fn person_threshold(&self) -> f64 {
        self.inner.person_threshold
    }

    #[getter]
    fn matter_threshold(&self) -> f64 {
        self.inner.matter_threshold
    }

    /// Bits by which the average link between two matter groups may fall below the matter
    /// threshold and the groups still merge (batch grouping).
    #[getter]
    fn matter_merge_slack(&self) -> f64 {
        self.inner.matter_merge_slack
    }

    #[getter]
    fn source(&self) -> String {
        self.inner.source.clone()
    }

    fn __eq__(&self, other: &Model) -> bool {
        self.inner == other.inner
    }
}

fn model_or_bundled(model: Option<&Model>) -> PyResult<casematch::Model> {
    match model {
        Some(m) => Ok(m.inner.clone()),
        None => Engine::bundled_model().map_err(engine_err),
    }
}

/// An index of cases on disk (or in memory) and the model that scores checks against it.
#[pyclass(module = "casematch._native", frozen)]
pub struct Index {
    engine: Engine,
}

#[pymethods]
impl Index {
    /// Opens the index in `path`, creating it when missing; in memory when `path` is None.
    #[new]
    #[pyo3(signature = (path=None, model=None))]
    fn new(py: Python<'_>, path: Option<PathBuf>, model: Option<&Model>) -> PyResult<Index> {
        let model = model_or_bundled(model)?;
        let engine = py
            .detach(|| match &path {
                Some(p) => Engine::open(p),
                None => Engine::in_memory(),
            })
            .map_err(engine_err)?;
        Ok(Index {
            engine: engine.with_model(model),
        })
    }

    /// Loads records (JSON objects), replacing cases whose id is known; commits at the end.
    /// Returns (stats JSON, rejected records as (position, reason)).
    #[pyo3(signature = (records, commit_every=100_000))]
    fn ingest(
        &self,
        py: Python<'_>,
        records: Vec<String>,
        commit_every: usize,
    ) -> PyResult<(String, Vec<(usize, String)>)> {
        py.detach(|| {
            let mut rejected = Vec::new();
            let items = records.iter().enumerate().map(|(i, r)| {
                Ok(parse_case(r).map_err(|error| casematch::BadRecord {
                    path: PathBuf::from("<python>"),
                    sheet: None,
                    line: i as u64 + 1,
                    error,
                }))
            });
            let opts = casematch::IngestOptions {
                commit_every: commit_every.max(1),
            };
            let stats = self
                .engine
                .ingest(items, &opts, |ev| {
                    if let casematch::IngestEvent::Rejected(bad) = ev {
                        rejected.push((bad.line as usize - 1, bad.error.to_string()));
                    }
                })
                .map_err(engine_err)?;
            let json = serde_json::to_string(&stats).map_err(json_err)?;
            Ok((json, rejected))
        })
    }

    /// Checks one submission; returns the result as JSON. `now` dates a submission without
    /// `received_at` (RFC 3339 or a date; default: the current time).
    #[pyo3(signature = (record, now=None))]
    fn check(&self, py: Python<'_>, record: String, now: Option<String>) -> PyResult<String> {
        let case = parse_one(&record)?;
        let now = parse_now(now.as_deref())?;
        py.detach(|| {
            let result = match now {
                Some(t) => self.engine.check_at(&case, t),
                None => self.engine.check(&case),
            }
            .map_err(engine_err)?;
            serde_json::to_string(&result).map_err(json_err)
        })
    }

    /// Checks many submissions in parallel; results as JSON, in order.
    #[pyo3(signature = (records, now=None))]
    fn check_many(
        &self,
        py: Python<'_>,
        records: Vec<String>,
        now: Option<String>,
    ) -> PyResult<Vec<String>> {
        let now = parse_now(now.as_deref())?;
        py.detach(|| {
            let cases = parse_all(&records)?;
            cases
                .par_iter()
                .map(|case| {
                    let result = match now {
                        Some(t) => self.engine.check_at(case, t),
                        None => self.engine.check(case),
                    }
                    .map_err(engine_err)?;
                    serde_json::to_string(&result).map_err(json_err)
                })
                .collect()
        })
    }

    /// Writes single cases (intake) and commits; returns "added" or "replaced" per case.
    fn add(&self, py: Python<'_>, records: Vec<String>) -> PyResult<Vec<String>> {
        py.detach(|| {
            let cases = parse_all(&records)?;
            let out = self.engine.add(&cases).map_err(engine_err)?;
            Ok(out
                .into_iter()
                .map(|u| match u {
                    casematch::Upsert::Added => "added".to_string(),
                    casematch::Upsert::Replaced => "replaced".to_string(),
                })
                .collect())
        })
    }

    /// The stored case with its profile, as JSON; None when the id is unknown.
    fn get(&self, py: Python<'_>, id: String) -> PyResult<Option<String>> {
        py.detach(|| match self.engine.get(&id).map_err(engine_err)? {
            None => Ok(None),
            Some(stored) => serde_json::to_string(&stored).map(Some).map_err(json_err),
        })
    }

    /// Compares two records with the index's narrative weights; the PairScore as JSON.
    fn compare(&self, py: Python<'_>, a: String, b: String) -> PyResult<String> {
        let (a, b) = (parse_one(&a)?, parse_one(&b)?);
        py.detach(|| compare_json(&self.engine, &a, &b))
    }

    fn __len__(&self) -> usize {
        self.engine.num_cases() as usize
    }
}

fn compare_json(engine: &Engine, a: &Case, b: &Case) -> PyResult<String> {
    serde_json::to_string(&engine.compare(a, b)).map_err(json_err)
}

/// The normalised profile of a record (names, ID number, phones, places, text) as JSON.
#[pyfunction]
fn profile(py: Python<'_>, record: String) -> PyResult<String> {
    let case = parse_one(&record)?;
    py.detach(|| serde_json::to_string(&Engine::profile(&case)).map_err(json_err))
}

/// The case a record reads as (fields typed, channel folded, extras kept), as JSON.
#[pyfunction]
fn parse(record: String) -> PyResult<String> {
    let case = parse_one(&record)?;
    serde_json::to_string(&case).map_err(json_err)
}

/// Compares two records with `model` (narrative bigrams weighing alike); PairScore as JSON.
#[pyfunction]
#[pyo3(signature = (a, b, model=None))]
fn compare(py: Python<'_>, a: String, b: String, model: Option<&Model>) -> PyResult<String> {
    let (a, b) = (parse_one(&a)?, parse_one(&b)?);
    let model = model_or_bundled(model)?;
    py.detach(|| {
        let engine = Engine::in_memory().map_err(engine_err)?.with_model(model);
        compare_json(&engine, &a, &b)
    })
}

/// Groups records. `previous` is (id, duplicate_group, matter_group) rows of an earlier run;
/// `links` are ("must"|"cannot", id, id). Returns (rows JSON array, report JSON, report HTML).
#[pyfunction]
#[pyo3(signature = (records, model=None, previous=None, links=None))]
fn dedupe(
    py: Python<'_>,
    records: Vec<String>,
    model: Option<&Model>,
    previous: Option<Vec<(String, String, String)>>,
    links: Option<Vec<(String, String, String)>>,
) -> PyResult<(String, String, String)> {
    let model = model_or_bundled(model)?;
    let mut opts = casematch::DedupeOptions::default();
    for (id, d, m) in previous.unwrap_or_default() {
        opts.previous.by_record.insert(id, (d, m));
    }
    for (kind, a, b) in links.unwrap_or_default() {
        match kind.as_str() {
            "must" => opts.links.must.push((a, b)),
            "cannot" => opts.links.cannot.push((a, b)),
            other => {
                return Err(PyValueError::new_err(format!(
                    "link kind {other:?}: expected \"must\" or \"cannot\""
                )));
            }
        }
    }
    py.detach(|| {
        let cases = parse_all(&records)?;
        let mut seen = std::collections::HashSet::new();
        for c in &cases {
            if !seen.insert(c.id.as_str()) {
                return Err(RecordError::new_err(format!("id {} given twice", c.id)));
            }
        }
        let records = cases.into_par_iter().map(Engine::dedupe_record).collect();
        let out = Engine::dedupe_with(&model, records, &opts, &|_, _, _| {});
        Ok((
            serde_json::to_string(&out.rows).map_err(json_err)?,
            serde_json::to_string(&out.report).map_err(json_err)?,
            out.report_html(),
        ))
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CasematchError", m.py().get_type::<CasematchError>())?;
    m.add("RecordError", m.py().get_type::<RecordError>())?;
    m.add_class::<Model>()?;
    m.add_class::<Index>()?;
    m.add_function(wrap_pyfunction!(profile, m)?)?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(dedupe, m)?)?;
    stages::register(m)?;
    Ok(())
}
