//! Counts of the matching cases beside the results, from fast fields in one pass: per
//! channel, category and handler (term ordinals, resolved once per segment), per day in
//! China time (months and the time histogram are drawn from it) and per county (provinces
//! and cities are sums of their counties).

use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts per county code only (the supervisor page's chart).
pub struct CountyCounts;

pub struct CountySegment {
    column: Column<u64>,
    counts: HashMap<u64, u64>,
}

impl Collector for CountyCounts {
    type Fruit = HashMap<u64, u64>;
    type Child = CountySegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<CountySegment> {
        Ok(CountySegment {
            column: segment.fast_fields().u64("county")?,
            counts: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<u64, u64>>) -> tantivy::Result<HashMap<u64, u64>> {
        let mut all = HashMap::new();
        for f in fruits {
            for (k, v) in f {
                *all.entry(k).or_default() += v;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for CountySegment {
    type Fruit = HashMap<u64, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(code) = self.column.first(doc) {
            *self.counts.entry(code).or_default() += 1;
        }
    }

    fn harvest(self) -> HashMap<u64, u64> {
        self.counts
    }
}

/// Raw facet counts of the matching cases.
#[derive(Debug, Clone, Default)]
pub struct FacetCounts {
    pub channel: HashMap<String, u64>,
    pub category: HashMap<String, u64>,
    pub handler: HashMap<String, u64>,
    /// days since the epoch in China time (UTC+8)
    pub days: HashMap<i64, u64>,
    pub counties: HashMap<u64, u64>,
}

/// All facets in one pass.
pub struct Facets;

struct StrFacet {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl StrFacet {
    fn open(segment: &SegmentReader, field: &str) -> tantivy::Result<StrFacet> {
        let column = segment.fast_fields().str(field)?;
        let n = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(StrFacet {
            column,
            counts: vec![0; n],
        })
    }

    /// Counts a block of documents with one batched column read.
    fn collect_block(&mut self, docs: &[DocId], buf: &mut Vec<Option<u64>>) {
        let Some(c) = &self.column else {
            return;
        };
        buf.clear();
        buf.resize(docs.len(), None);
        c.ords().first_vals(docs, buf);
        for ord in buf.iter().flatten() {
            if let Some(n) = self.counts.get_mut(*ord as usize) {
                *n += 1;
            }
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        let mut out = HashMap::new();
        let Some(c) = self.column else {
            return out;
        };
        let mut s = String::new();
        for (ord, n) in self.counts.into_iter().enumerate() {
            if n > 0 {
                s.clear();
                if c.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                    out.insert(s.clone(), n);
                }
            }
        }
        out
    }
}

pub struct FacetSegment {
    channel: StrFacet,
    category: StrFacet,
    handler: StrFacet,
    received: Column<DateTime>,
    county: Column<u64>,
    /// per day since the epoch (a vector: a hash per matching case costs more than the rest)
    days: Vec<u32>,
    counties: HashMap<u64, u64>,
    buf: Vec<Option<u64>>,
    dates: Vec<Option<DateTime>>,
    /// documents handed over one at a time (a scoring pass), counted a block at a time
    pending: Vec<DocId>,
}

/// Documents gathered before one batched read of the columns.
const BLOCK: usize = 1024;

const CHINA_OFFSET_SECS: i64 = 8 * 3600;
/// Days counted in the vector (1970 to 2134); others are left out of the histogram.
const DAYS: usize = 60_000;

impl Collector for Facets {
    type Fruit = FacetCounts;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = segment.fast_fields();
        Ok(FacetSegment {
            channel: StrFacet::open(segment, "channel")?,
            category: StrFacet::open(segment, "category")?,
            handler: StrFacet::open(segment, "handler")?,
            received: ff.date("received_at")?,
            county: ff.u64("county")?,
            days: vec![0; DAYS],
            counties: HashMap::new(),
            buf: Vec::new(),
            dates: Vec::new(),
            pending: Vec::with_capacity(BLOCK),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        fn add<K: std::hash::Hash + Eq>(into: &mut HashMap<K, u64>, from: HashMap<K, u64>) {
            for (k, v) in from {
                *into.entry(k).or_default() += v;
            }
        }
        let mut all = FacetCounts::default();
        for f in fruits {
            add(&mut all.channel, f.channel);
            add(&mut all.category, f.category);
            add(&mut all.handler, f.handler);
            add(&mut all.days, f.days);
            add(&mut all.counties, f.counties);
        }
        Ok(all)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        // one batched column read per block costs far less than five reads per document
        self.pending.push(doc);
        if self.pending.len() >= BLOCK {
            let docs = std::mem::take(&mut self.pending);
            self.collect_block(&docs);
            self.pending = docs;
            self.pending.clear();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let mut buf = std::mem::take(&mut self.buf);
        self.channel.collect_block(docs, &mut buf);
        self.category.collect_block(docs, &mut buf);
        self.handler.collect_block(docs, &mut buf);
        self.dates.clear();
        self.dates.resize(docs.len(), None);
        self.received.first_vals(docs, &mut self.dates);
        for t in self.dates.iter().flatten() {
            let day = (t.into_timestamp_secs() + CHINA_OFFSET_SECS).div_euclid(86_400);
            if let Some(n) = usize::try_from(day).ok().and_then(|d| self.days.get_mut(d)) {
                *n += 1;
            }
        }
        buf.clear();
        buf.resize(docs.len(), None);
        self.county.first_vals(docs, &mut buf);
        // cases of one county often come together: count runs before hashing
        let mut run: Option<(u64, u64)> = None;
        for code in buf.iter().flatten() {
            match &mut run {
                Some((c, n)) if c == code => *n += 1,
                _ => {
                    if let Some((c, n)) = run.take() {
                        *self.counties.entry(c).or_default() += n;
                    }
                    run = Some((*code, 1));
                }
            }
        }
        if let Some((c, n)) = run {
            *self.counties.entry(c).or_default() += n;
        }
        self.buf = buf;
    }

    fn harvest(mut self) -> FacetCounts {
        if !self.pending.is_empty() {
            let docs = std::mem::take(&mut self.pending);
            self.collect_block(&docs);
        }
        FacetCounts {
            channel: self.channel.harvest(),
            category: self.category.harvest(),
            handler: self.handler.harvest(),
            days: self
                .days
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(d, n)| (d as i64, u64::from(*n)))
                .collect(),
            counties: self.counties,
        }
    }
}
