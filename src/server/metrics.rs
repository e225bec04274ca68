//! Prometheus metrics through `prometheus-client`: requests per method, route and status,
//! latency histograms per route, cases in the index, cache hits and misses, commits. Every
//! label set is bounded: methods outside the standard ones count as `other`, routes are the
//! router's templates (`unmatched` for the rest), statuses are the ones the server answers.

use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabelSet, EncodeLabelValue, EncodeMetric, LabelValueEncoder,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::fmt::Write;

/// Latency buckets, in seconds (1 ms … 5 s).
const BUCKETS_S: [f64; 12] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
];

/// The `method` label: the standard methods, and `other` for any extension method a client
/// makes up (which would otherwise grow the label set without bound).
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum MethodLabel {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    Other,
}

impl MethodLabel {
    pub fn of(method: &str) -> MethodLabel {
        match method {
            "GET" => MethodLabel::Get,
            "HEAD" => MethodLabel::Head,
            "POST" => MethodLabel::Post,
            "PUT" => MethodLabel::Put,
            "PATCH" => MethodLabel::Patch,
            "DELETE" => MethodLabel::Delete,
            "OPTIONS" => MethodLabel::Options,
            _ => MethodLabel::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MethodLabel::Get => "GET",
            MethodLabel::Head => "HEAD",
            MethodLabel::Post => "POST",
            MethodLabel::Put => "PUT",
            MethodLabel::Patch => "PATCH",
            MethodLabel::Delete => "DELETE",
            MethodLabel::Options => "OPTIONS",
            MethodLabel::Other => "other",
        }
    }
}

impl EncodeLabelValue for MethodLabel {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.as_str())
    }
}

/// A label value escaped as the text format wants (`\`, `"` and line feeds); the encoder
/// writes values as they are.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct Escaped(pub String);

impl EncodeLabelValue for Escaped {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        for c in self.0.chars() {
            match c {
                '\\' => encoder.write_str("\\\\")?,
                '"' => encoder.write_str("\\\"")?,
                '\n' => encoder.write_str("\\n")?,
                c => encoder.write_char(c)?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: MethodLabel,
    route: Escaped,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Escaped,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pub cache_hits: Counter,
    pub cache_misses: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(BUCKETS_S)) as fn() -> Histogram,
        );
        let cache_hits = Counter::default();
        let cache_misses = Counter::default();
        registry.register(
            "casematch_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "casematch_request_duration_seconds",
            "Request latency by route",
            latency.clone(),
        );
        registry.register(
            "casematch_cache_hits",
            "Case reads served from the cache",
            cache_hits.clone(),
        );
        registry.register(
            "casematch_cache_misses",
            "Case reads that went to the index",
            cache_misses.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            cache_hits,
            cache_misses,
        }
    }
}

impl Metrics {
    /// Counts one answered request. `route` is the router's template, never the raw path.
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let route = Escaped(route.to_string());
        self.requests
            .get_or_create(&RequestLabels {
                method: MethodLabel::of(method),
                route: route.clone(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route })
            .observe(seconds);
    }

    /// The text exposition (OpenMetrics, which Prometheus reads).
    pub fn render(&self, documents: u64, writer: &super::WriterHealth) -> String {
        let mut out = String::new();
        let scrape = Scrape {
            documents,
            commits: writer.commits(),
            commit_failures: writer.commit_failures(),
            failed: writer.failure().is_some(),
        };
        let _ = prometheus_client::encoding::text::encode_registry(&mut out, &self.registry);
        let mut extra = String::new();
        let mut tail = Registry::default();
        tail.register_collector(Box::new(scrape));
        let _ = prometheus_client::encoding::text::encode_registry(&mut extra, &tail);
        out.push_str(&extra);
        out.push_str("# EOF\n");
        out
    }
}

/// Values read at scrape time from the index and the writer.
#[derive(Debug)]
struct Scrape {
    documents: u64,
    commits: u64,
    commit_failures: u64,
    failed: bool,
}

impl prometheus_client::collector::Collector for Scrape {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let gauge = |encoder: &mut DescriptorEncoder, name: &str, help: &str, v: i64| {
            let m = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
            ConstGauge::new(v).encode(m)
        };
        let counter = |encoder: &mut DescriptorEncoder, name: &str, help: &str, v: u64| {
            let m = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
            ConstCounter::new(v).encode(m)
        };
        let docs = i64::try_from(self.documents).unwrap_or(i64::MAX);
        gauge(
            &mut encoder,
            "casematch_documents",
            "Cases in the index (committed)",
            docs,
        )?;
        counter(
            &mut encoder,
            "casematch_commits",
            "Index commits (reads see writes after them)",
            self.commits,
        )?;
        counter(
            &mut encoder,
            "casematch_commit_failures",
            "Index commit attempts that failed",
            self.commit_failures,
        )?;
        gauge(
            &mut encoder,
            "casematch_writer_failed",
            "1 once commits failed past their retries (writes refused)",
            i64::from(self.failed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_and_methods_bounded() {
        let m = Metrics::default();
        m.record("BREW", "/a\"b\\c\nd", 200, 0.003);
        let health = crate::server::WriterHealth::default();
        let text = m.render(7, &health);
        assert!(
            text.contains(r#"route="/a\"b\\c\nd""#) && text.contains(r#"method="other""#),
            "{text}"
        );
        assert!(!text.contains("BREW") && text.contains("casematch_documents 7"));
        assert!(text.ends_with("# EOF\n"));
    }
}
