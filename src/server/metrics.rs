//! Prometheus metrics: requests and latency histograms per route and status, documents, cache
//! hits and misses.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

const BUCKETS_MS: [f64; 12] = [
    1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS_MS.len()],
    sum_ms: f64,
    total: u64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
}

impl Metrics {
    pub fn record(&self, method: &str, route: &str, status: u16, ms: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry(route.to_string()).or_default();
            for (i, b) in BUCKETS_MS.iter().enumerate() {
                if ms <= *b {
                    h.counts[i] += 1;
                }
            }
            h.sum_ms += ms;
            h.total += 1;
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self, documents: u64, writer: &super::WriterHealth) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP casematch_requests_total HTTP requests by method, route and status."
        );
        let _ = writeln!(out, "# TYPE casematch_requests_total counter");
        if let Ok(r) = self.requests.lock() {
            for ((method, route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "casematch_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP casematch_request_duration_seconds Request latency by route."
        );
        let _ = writeln!(out, "# TYPE casematch_request_duration_seconds histogram");
        if let Ok(l) = self.latency.lock() {
            for (route, h) in l.iter() {
                for (i, b) in BUCKETS_MS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "casematch_request_duration_seconds_bucket{{route=\"{route}\",le=\"{}\"}} {}",
                        b / 1000.0,
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "casematch_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.total
                );
                let _ = writeln!(
                    out,
                    "casematch_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum_ms / 1000.0
                );
                let _ = writeln!(
                    out,
                    "casematch_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.total
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP casematch_documents Cases in the index (committed)."
        );
        let _ = writeln!(out, "# TYPE casematch_documents gauge");
        let _ = writeln!(out, "casematch_documents {documents}");
        let _ = writeln!(
            out,
            "# HELP casematch_cache_hits_total Case reads served from the cache."
        );
        let _ = writeln!(out, "# TYPE casematch_cache_hits_total counter");
        let _ = writeln!(
            out,
            "casematch_cache_hits_total {}",
            self.cache_hits.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP casematch_cache_misses_total Case reads that went to the index."
        );
        let _ = writeln!(out, "# TYPE casematch_cache_misses_total counter");
        let _ = writeln!(
            out,
            "casematch_cache_misses_total {}",
            self.cache_misses.load(Ordering::Relaxed)
        );
        for (name, help, kind, value) in [
            (
                "casematch_commits_total",
                "Index commits (reads see writes after them).",
                "counter",
                writer.commits(),
            ),
            (
                "casematch_commit_failures_total",
                "Index commit attempts that failed.",
                "counter",
                writer.commit_failures(),
            ),
            (
                "casematch_writer_failed",
                "1 once commits failed past their retries (writes refused).",
                "gauge",
                u64::from(writer.failure().is_some()),
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        }
        out
    }
}
