//! Prometheus metrics (base units: seconds, bytes), served as text at `/metrics`. Counters and
//! histograms are updated by the workers and the API of this process; the queue gauges are read
//! from the database at each scrape, so every node reports the whole queue.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use crate::error::{Result, ServiceError};
use crate::queue::Queue;

/// The service's metrics.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    names: Vec<String>,
    /// Jobs that reached a final status, by circuit and status (`zkprove_jobs_total`).
    pub jobs: IntCounterVec,
    /// Queued jobs by priority (`zkprove_queue_depth`).
    pub queue_depth: IntGaugeVec,
    /// Jobs by current status (`zkprove_jobs`).
    pub jobs_by_status: IntGaugeVec,
    /// Time from submission to claim (`zkprove_queue_wait_seconds`).
    pub queue_wait: Histogram,
    /// Proving time, key loading included (`zkprove_proving_seconds`).
    pub proving: Histogram,
    /// Verification time (`zkprove_verification_seconds`).
    pub verification: Histogram,
    /// Jobs claimed after their deadline (`zkprove_deadline_misses_total`).
    pub deadline_misses: IntCounter,
    /// Proofs that failed verification, by device (`zkprove_invalid_proofs_total`).
    pub invalid_proofs: IntCounterVec,
    /// Jobs requeued for another attempt, by failure class (`zkprove_retries_total`).
    pub retries: IntCounterVec,
    /// Verified proofs stored, by device (`zkprove_proofs_completed_total`).
    pub proofs_completed: IntCounterVec,
    /// Results refused because the worker's lease was lost (`zkprove_leases_lost_total`).
    pub leases_lost: IntCounter,
    /// Quarantined devices of this process (`zkprove_devices_quarantined`).
    pub quarantined: IntGauge,
    /// Key cache hits (`zkprove_zkey_cache_hits_total`).
    pub cache_hits: IntCounter,
    /// Key cache misses (loads) (`zkprove_zkey_cache_misses_total`).
    pub cache_misses: IntCounter,
}

fn reg<T: prometheus::core::Collector + Clone + 'static>(r: &Registry, m: T) -> Result<T> {
    r.register(Box::new(m.clone())).map_err(|source| ServiceError::Metrics { source })?;
    Ok(m)
}

/// The names of the metrics of some collectors (vectors with no series yet included).
fn names_of(collectors: &[&dyn prometheus::core::Collector]) -> Vec<String> {
    collectors.iter().flat_map(|c| c.desc()).map(|d| d.fq_name.clone()).collect()
}

fn metric_err(source: prometheus::Error) -> ServiceError {
    ServiceError::Metrics { source }
}

impl Metrics {
    /// A fresh registry with every metric.
    ///
    /// # Errors
    /// [`ServiceError::Metrics`] (only on a programming error: a duplicate name).
    pub fn new() -> Result<Self> {
        let r = Registry::new();
        let mut m = Self::unnamed(&r)?;
        m.names = names_of(&[
            &m.jobs,
            &m.queue_depth,
            &m.jobs_by_status,
            &m.queue_wait,
            &m.proving,
            &m.verification,
            &m.deadline_misses,
            &m.invalid_proofs,
            &m.retries,
            &m.proofs_completed,
            &m.leases_lost,
            &m.quarantined,
            &m.cache_hits,
            &m.cache_misses,
        ]);
        Ok(m)
    }

    /// Every metric's name.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    fn unnamed(r: &Registry) -> Result<Self> {
        let r = r.clone();
        let seconds = |name: &str, help: &str| {
            HistogramOpts::new(name, help).buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                60.0, 300.0,
            ])
        };
        Ok(Self {
            jobs: reg(
                &r,
                IntCounterVec::new(
                    Opts::new("zkprove_jobs_total", "Jobs that reached a final status."),
                    &["circuit", "status"],
                )
                .map_err(metric_err)?,
            )?,
            queue_depth: reg(
                &r,
                IntGaugeVec::new(
                    Opts::new("zkprove_queue_depth", "Queued jobs by priority."),
                    &["priority"],
                )
                .map_err(metric_err)?,
            )?,
            jobs_by_status: reg(
                &r,
                IntGaugeVec::new(Opts::new("zkprove_jobs", "Jobs by status."), &["status"])
                    .map_err(metric_err)?,
            )?,
            queue_wait: reg(
                &r,
                Histogram::with_opts(seconds(
                    "zkprove_queue_wait_seconds",
                    "Time from submission to claim.",
                ))
                .map_err(metric_err)?,
            )?,
            proving: reg(
                &r,
                Histogram::with_opts(seconds(
                    "zkprove_proving_seconds",
                    "Proving time (key loading included).",
                ))
                .map_err(metric_err)?,
            )?,
            verification: reg(
                &r,
                Histogram::with_opts(seconds(
                    "zkprove_verification_seconds",
                    "Verification time of each proof before release.",
                ))
                .map_err(metric_err)?,
            )?,
            deadline_misses: reg(
                &r,
                IntCounter::new(
                    "zkprove_deadline_misses_total",
                    "Jobs claimed after their deadline.",
                )
                .map_err(metric_err)?,
            )?,
            invalid_proofs: reg(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "zkprove_invalid_proofs_total",
                        "Proofs caught failing verification, by device.",
                    ),
                    &["device"],
                )
                .map_err(metric_err)?,
            )?,
            retries: reg(
                &r,
                IntCounterVec::new(
                    Opts::new("zkprove_retries_total", "Jobs requeued for another attempt."),
                    &["class"],
                )
                .map_err(metric_err)?,
            )?,
            proofs_completed: reg(
                &r,
                IntCounterVec::new(
                    Opts::new("zkprove_proofs_completed_total", "Verified proofs stored."),
                    &["device"],
                )
                .map_err(metric_err)?,
            )?,
            leases_lost: reg(
                &r,
                IntCounter::new(
                    "zkprove_leases_lost_total",
                    "Results refused because the worker's lease was lost.",
                )
                .map_err(metric_err)?,
            )?,
            quarantined: reg(
                &r,
                IntGauge::new("zkprove_devices_quarantined", "Quarantined devices.")
                    .map_err(metric_err)?,
            )?,
            cache_hits: reg(
                &r,
                IntCounter::new("zkprove_zkey_cache_hits_total", "Proofs with the key resident.")
                    .map_err(metric_err)?,
            )?,
            cache_misses: reg(
                &r,
                IntCounter::new("zkprove_zkey_cache_misses_total", "Key loads.")
                    .map_err(metric_err)?,
            )?,
            registry: r,
            names: Vec::new(),
        })
    }

    /// The Prometheus text exposition, with the queue gauges read from `queue` first.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn render(&self, queue: &Queue) -> Result<String> {
        let depth = queue.queue_depth().await?;
        let counts = queue.status_counts().await?;
        self.queue_depth.reset();
        for (priority, n) in depth {
            self.queue_depth.with_label_values(&[&priority.to_string()]).set(n);
        }
        self.jobs_by_status.reset();
        for status in ["queued", "running", "succeeded", "failed", "cancelled"] {
            let n = counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
            self.jobs_by_status.with_label_values(&[status]).set(n);
        }
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(|source| ServiceError::Metrics { source })?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every series the shipped Grafana dashboard queries is one this service exports.
    #[test]
    fn dashboard_queries_exported_metrics() {
        let metrics = Metrics::new().expect("metrics");
        let dashboard = include_str!("../grafana/zkprove-service.json");
        let mut seen = 0;
        for (i, _) in dashboard.match_indices("zkprove_") {
            let name: String = dashboard[i..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if name == "zkprove_" {
                continue;
            }
            let base = ["_bucket", "_count", "_sum"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(&name);
            assert!(metrics.names().iter().any(|n| n == base), "dashboard queries {name}");
            seen += 1;
        }
        assert!(seen > 10, "{seen}");
    }
}
