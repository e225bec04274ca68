//! The stages of batch dedupe one at a time, for a job that runs them on many machines
//! (`spark/casematch_spark.py`): per-record features (person keys, narrative bigrams), text
//! anchors given the batch's document frequencies, pair scores, and the clustering of one
//! connected component. Each stage computes exactly what `casematch dedupe` computes in
//! memory (`src/dedupe/mod.rs`), so the job's groups are the single-machine groups.
//! The engine offers each stage (`Engine::batch_signature`, `score_pair`,
//! `cluster_component`); this file only moves data between them and Python.

use crate::{CasematchError, Model, RecordError, engine_err, parse_case};
use casematch::Engine;
use casematch::engine::{DEFAULT_MATTER_MERGE_SLACK, DedupeRecord, TextSignature};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use rayon::prelude::*;
use std::collections::HashMap;

fn le_u32(values: &[u8]) -> PyResult<Vec<u32>> {
    if !values.len().is_multiple_of(4) {
        return Err(CasematchError::new_err(
            "a bigram buffer is not a whole number of u32",
        ));
    }
    Ok(values
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

fn le_i64(values: &[u8]) -> PyResult<Vec<i64>> {
    if !values.len().is_multiple_of(8) {
        return Err(CasematchError::new_err(
            "a count buffer is not a whole number of i64",
        ));
    }
    Ok(values
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

/// One record's features for the job.
struct Features {
    id: String,
    timestamp: Option<i64>,
    channel: Option<String>,
    platform: Option<String>,
    county: Option<String>,
    handler: Option<String>,
    location: Option<String>,
    summary: String,
    keys: Vec<String>,
    bigrams: Vec<u32>,
}

impl Features {
    fn of(json: &str) -> Result<Features, String> {
        let rec = Engine::dedupe_record(parse_case(json).map_err(|e| e.to_string())?);
        let text = |s: &Option<Box<str>>| s.as_deref().map(str::to_string);
        Ok(Features {
            keys: rec.person_keys(),
            bigrams: rec.text.bigrams().to_vec(),
            county: rec
                .profile
                .place
                .county
                .clone()
                .or_else(|| rec.profile.place.city.clone()),
            channel: text(&rec.channel),
            platform: text(&rec.platform),
            handler: text(&rec.handler),
            location: text(&rec.location),
            summary: rec.summary.to_string(),
            timestamp: rec.timestamp,
            id: rec.id,
        })
    }
}

/// Features of records (JSON objects), as a dict of columns: `id`, `ts` (seconds),
/// `channel` (folded), `platform`, `county` (code, else the city's), `handler`, `location`,
/// `summary` (the report's: the first 60 characters of title or content), `keys` (person
/// blocking keys), `bigram_values` and `bigram_offsets` (the narrative's sorted distinct
/// bigram hashes: u32 little-endian values and i32 offsets, the Arrow list layout) and
/// `error` (why a record was rejected; None when it was read). A rejected record has None
/// in every other column and no bigrams.
#[pyfunction]
pub fn features<'py>(py: Python<'py>, records: Vec<String>) -> PyResult<Bound<'py, PyDict>> {
    let parsed: Vec<Result<Features, String>> =
        py.detach(|| records.par_iter().map(|r| Features::of(r)).collect());
    let n = parsed.len();
    let mut values: Vec<u8> = Vec::new();
    let mut offsets: Vec<u8> = Vec::with_capacity(4 * (n + 1));
    let mut at: i32 = 0;
    offsets.extend_from_slice(&at.to_le_bytes());
    let mut ok: Vec<Option<Features>> = Vec::with_capacity(n);
    let mut errors: Vec<Option<String>> = Vec::with_capacity(n);
    for item in parsed {
        match item {
            Ok(f) => {
                for b in &f.bigrams {
                    values.extend_from_slice(&b.to_le_bytes());
                }
                at = i32::try_from(f.bigrams.len())
                    .ok()
                    .and_then(|len| at.checked_add(len))
                    .ok_or_else(|| CasematchError::new_err("too many bigrams in one batch"))?;
                ok.push(Some(f));
                errors.push(None);
            }
            Err(e) => {
                ok.push(None);
                errors.push(Some(e));
            }
        }
        offsets.extend_from_slice(&at.to_le_bytes());
    }
    let out = PyDict::new(py);
    macro_rules! column {
        ($name:literal, $f:expr) => {
            out.set_item(
                $name,
                ok.iter()
                    .map(|f| f.as_ref().and_then($f))
                    .collect::<Vec<_>>(),
            )?;
        };
    }
    column!("id", |f: &Features| Some(f.id.clone()));
    column!("ts", |f: &Features| f.timestamp);
    column!("channel", |f: &Features| f.channel.clone());
    column!("platform", |f: &Features| f.platform.clone());
    column!("county", |f: &Features| f.county.clone());
    column!("handler", |f: &Features| f.handler.clone());
    column!("location", |f: &Features| f.location.clone());
    column!("summary", |f: &Features| Some(f.summary.clone()));
    out.set_item(
        "keys",
        ok.iter()
            .map(|f| f.as_ref().map(|f| f.keys.clone()).unwrap_or_default())
            .collect::<Vec<_>>(),
    )?;
    out.set_item("bigram_values", PyBytes::new(py, &values))?;
    out.set_item("bigram_offsets", PyBytes::new(py, &offsets))?;
    out.set_item("error", errors)?;
    Ok(out)
}

/// Document frequencies of narrative bigrams over a whole batch.
#[pyclass(module = "casematch._native", frozen)]
pub struct DocFreq {
    df: HashMap<u32, u32>,
    docs: u64,
}

#[pymethods]
impl DocFreq {
    /// From the batch's counts: `keys` u32 little-endian, `counts` i64 little-endian, and
    /// the number of records in the batch.
    #[new]
    fn new(keys: &[u8], counts: &[u8], docs: u64) -> PyResult<DocFreq> {
        let (keys, counts) = (le_u32(keys)?, le_i64(counts)?);
        if keys.len() != counts.len() {
            return Err(CasematchError::new_err("keys and counts differ in length"));
        }
        let df = keys
            .into_iter()
            .zip(counts)
            .map(|(k, c)| (k, c.clamp(0, i64::from(u32::MAX)) as u32))
            .collect();
        Ok(DocFreq { df, docs })
    }

    fn __len__(&self) -> usize {
        self.df.len()
    }

    #[getter]
    fn docs(&self) -> u64 {
        self.docs
    }

    /// Bigrams in more records than this are not posted: max(500, records / 2000), as in
    /// `casematch dedupe` (or `max_posting` when not 0).
    #[pyo3(signature = (max_posting=0))]
    fn posting_cap(&self, max_posting: usize) -> u32 {
        posting_cap(self.docs, max_posting)
    }

    /// Per record (bigrams in the Arrow list layout of `features`): the bigrams it is posted
    /// under (in 2..=cap records) and its `anchors` rarest of those (by frequency, then key),
    /// both in the same layout.
    #[pyo3(signature = (values, offsets, anchors=16, max_posting=0))]
    fn anchors<'py>(
        &self,
        py: Python<'py>,
        values: &[u8],
        offsets: &[u8],
        anchors: usize,
        max_posting: usize,
    ) -> PyResult<Lists<'py>> {
        let values = le_u32(values)?;
        let offsets: Vec<usize> = le_u32(offsets)?.into_iter().map(|o| o as usize).collect();
        if offsets.windows(2).any(|w| w[0] > w[1])
            || offsets.last().is_some_and(|&l| l > values.len())
        {
            return Err(CasematchError::new_err(
                "offsets do not fit the bigram values",
            ));
        }
        let cap = posting_cap(self.docs, max_posting);
        let out = py.detach(|| {
            let (mut pv, mut po, mut av, mut ao) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let (mut pn, mut an) = (0u32, 0u32);
            po.extend_from_slice(&pn.to_le_bytes());
            ao.extend_from_slice(&an.to_le_bytes());
            for w in offsets.windows(2) {
                let mut posted: Vec<(u32, u32)> = values[w[0]..w[1]]
                    .iter()
                    .filter_map(|b| {
                        let c = self.df.get(b).copied().unwrap_or(0);
                        (2..=cap).contains(&c).then_some((c, *b))
                    })
                    .collect();
                for (_, b) in &posted {
                    pv.extend_from_slice(&b.to_le_bytes());
                }
                pn += posted.len() as u32;
                posted.sort_unstable();
                posted.truncate(anchors);
                for (_, b) in &posted {
                    av.extend_from_slice(&b.to_le_bytes());
                }
                an += posted.len() as u32;
                po.extend_from_slice(&pn.to_le_bytes());
                ao.extend_from_slice(&an.to_le_bytes());
            }
            (pv, po, av, ao)
        });
        Ok((
            PyBytes::new(py, &out.0),
            PyBytes::new(py, &out.1),
            PyBytes::new(py, &out.2),
            PyBytes::new(py, &out.3),
        ))
    }
}

/// (posted values, posted offsets, anchor values, anchor offsets): two lists in the Arrow
/// layout of `features`.
type Lists<'py> = (
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
);

fn posting_cap(docs: u64, max_posting: usize) -> u32 {
    if max_posting == 0 {
        (docs as usize / 2000).max(500) as u32
    } else {
        max_posting as u32
    }
}

/// Scores candidate pairs with the model, narrative bigrams weighted by the batch's
/// document frequencies, as `casematch dedupe` does.
#[pyclass(module = "casematch._native", frozen)]
pub struct Scorer {
    model: casematch::Model,
    df: Py<DocFreq>,
}

#[pymethods]
impl Scorer {
    #[new]
    #[pyo3(signature = (df, model=None))]
    fn new(df: Py<DocFreq>, model: Option<&Model>) -> PyResult<Scorer> {
        let model = match model {
            Some(m) => m.inner.clone(),
            None => Engine::bundled_model().map_err(engine_err)?,
        };
        Ok(Scorer { model, df })
    }

    /// Scores pairs (`a[k]`, `b[k]`) of records given as (`nodes[i]`, `records[i]` JSON).
    /// Returns per pair the person and matter edge scores (log2 odds minus the model's
    /// threshold, in f32 as clustering reads them).
    fn score(
        &self,
        py: Python<'_>,
        nodes: Vec<i64>,
        records: Vec<String>,
        a: Vec<i64>,
        b: Vec<i64>,
    ) -> PyResult<(Vec<f32>, Vec<f32>)> {
        if nodes.len() != records.len() || a.len() != b.len() {
            return Err(CasematchError::new_err(
                "nodes/records or a/b differ in length",
            ));
        }
        let df = self.df.get();
        let model = &self.model;
        py.detach(|| {
            let parsed: Vec<(DedupeRecord, TextSignature)> = records
                .par_iter()
                .enumerate()
                .map(|(i, r)| {
                    let rec = Engine::dedupe_record(
                        parse_case(r).map_err(|e| format!("record {}: {e}", nodes[i]))?,
                    );
                    let text = Engine::batch_signature(
                        &rec,
                        |h| df.df.get(&h).copied().map_or(0, u64::from),
                        df.docs,
                    );
                    Ok((rec, text))
                })
                .collect::<Result<_, String>>()
                .map_err(RecordError::new_err)?;
            let at: HashMap<i64, usize> = nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
            let pairs: Vec<(usize, usize)> = a
                .iter()
                .zip(&b)
                .map(|(x, y)| match (at.get(x), at.get(y)) {
                    (Some(&i), Some(&j)) => Ok((i, j)),
                    _ => Err(CasematchError::new_err(format!(
                        "pair ({x}, {y}) names a record not given"
                    ))),
                })
                .collect::<PyResult<_>>()?;
            let side = |i: usize| (&parsed[i].0, &parsed[i].1);
            Ok(pairs
                .par_iter()
                .map(|&(i, j)| Engine::score_pair(model, side(i), side(j)))
                .unzip())
        })
    }
}

/// Clusters one connected component of the positive matter-edge graph: matter groups by
/// average linkage over every scored pair inside it, then duplicate groups inside each
/// matter group, as `casematch dedupe` does over the whole batch (it never links across
/// such components). `nodes` are the component's records; edges are (`a`, `b`) with their
/// person and matter edge scores; `matter_slack` is the model's matter merge slack (the
/// bundled model's when not given). Returns per node its matter and duplicate cluster as the
/// node of one member.
#[pyfunction]
#[pyo3(signature = (nodes, a, b, person, matter, matter_slack=None))]
pub fn cluster_component(
    py: Python<'_>,
    mut nodes: Vec<i64>,
    a: Vec<i64>,
    b: Vec<i64>,
    person: Vec<f32>,
    matter: Vec<f32>,
    matter_slack: Option<f32>,
) -> PyResult<(Vec<i64>, Vec<i64>, Vec<i64>)> {
    let slack = matter_slack.unwrap_or(DEFAULT_MATTER_MERGE_SLACK as f32);
    if a.len() != b.len() || a.len() != person.len() || a.len() != matter.len() {
        return Err(CasematchError::new_err("edge columns differ in length"));
    }
    py.detach(|| {
        // local numbers in the order of the global ones: ties between equal scores break
        // as they do over the whole batch
        nodes.sort_unstable();
        nodes.dedup();
        let local: HashMap<i64, u32> = nodes
            .iter()
            .enumerate()
            .map(|(i, &n)| (n, i as u32))
            .collect();
        let mut edges = Vec::with_capacity(a.len());
        for k in 0..a.len() {
            match (local.get(&a[k]), local.get(&b[k])) {
                (Some(&x), Some(&y)) => edges.push((x.min(y), x.max(y), person[k], matter[k])),
                _ => {
                    return Err(CasematchError::new_err(format!(
                        "edge ({}, {}) leaves the component",
                        a[k], b[k]
                    )));
                }
            }
        }
        edges.sort_unstable_by_key(|p| (p.0, p.1));
        let (ml, dl) = Engine::cluster_component(nodes.len(), &edges, slack);
        Ok((
            nodes.clone(),
            ml.iter().map(|&l| nodes[l as usize]).collect(),
            dl.iter().map(|&l| nodes[l as usize]).collect(),
        ))
    })
}

/// The county (or city) name the report shows for a division code.
#[pyfunction]
pub fn division_name(code: &str) -> String {
    let name = Engine::places().full_name(code);
    if name.is_empty() {
        code.to_string()
    } else {
        name
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<DocFreq>()?;
    m.add_class::<Scorer>()?;
    m.add_function(wrap_pyfunction!(features, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_component, m)?)?;
    m.add_function(wrap_pyfunction!(division_name, m)?)?;
    Ok(())
}
