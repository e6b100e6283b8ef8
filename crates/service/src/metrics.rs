//! Prometheus metrics (base units: seconds, bytes), served as text at `/metrics`. Counters and
//! histograms are updated by the workers and the API of this process; the queue gauges are read
//! from the database at each scrape, so every node reports the whole queue.

use std::sync::Arc;

use prometheus::{
    Encoder, GaugeVec, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

use crate::error::{Result, ServiceError};
use crate::queue::Queue;
use crate::telemetry::{GpuSample, GpuTelemetry};

/// The GPU series: DCGM exporter names and units (see [`crate::telemetry`]), one gauge vector
/// each, labelled `gpu`, `UUID`, `device`, `modelName`.
#[derive(Debug, Clone)]
pub struct GpuGauges {
    /// `DCGM_FI_DEV_GPU_UTIL` (%).
    pub util: GaugeVec,
    /// `DCGM_FI_DEV_MEM_COPY_UTIL` (%).
    pub mem_copy_util: GaugeVec,
    /// `DCGM_FI_DEV_FB_USED` (MiB).
    pub fb_used: GaugeVec,
    /// `DCGM_FI_DEV_FB_FREE` (MiB).
    pub fb_free: GaugeVec,
    /// `DCGM_FI_DEV_FB_TOTAL` (MiB).
    pub fb_total: GaugeVec,
    /// `DCGM_FI_DEV_GPU_TEMP` (°C).
    pub temp: GaugeVec,
    /// `DCGM_FI_DEV_POWER_USAGE` (W).
    pub power: GaugeVec,
    /// `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION` (mJ since the driver loaded).
    pub energy: GaugeVec,
    /// `DCGM_FI_DEV_PCIE_TX_THROUGHPUT` (KB/s).
    pub pcie_tx: GaugeVec,
    /// `DCGM_FI_DEV_PCIE_RX_THROUGHPUT` (KB/s).
    pub pcie_rx: GaugeVec,
    /// `DCGM_FI_DEV_ECC_SBE_VOL_TOTAL` (corrected ECC errors since the driver loaded).
    pub ecc_sbe: GaugeVec,
    /// `DCGM_FI_DEV_ECC_DBE_VOL_TOTAL` (uncorrected ECC errors since the driver loaded).
    pub ecc_dbe: GaugeVec,
}

const GPU_LABELS: [&str; 4] = ["gpu", "UUID", "device", "modelName"];

impl GpuGauges {
    fn new(r: &Registry) -> Result<Self> {
        let g = |name: &str, help: &str| -> Result<GaugeVec> {
            reg(r, GaugeVec::new(Opts::new(name, help), &GPU_LABELS).map_err(metric_err)?)
        };
        Ok(Self {
            util: g("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).")?,
            mem_copy_util: g("DCGM_FI_DEV_MEM_COPY_UTIL", "Memory utilization (in %).")?,
            fb_used: g("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).")?,
            fb_free: g("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB).")?,
            fb_total: g("DCGM_FI_DEV_FB_TOTAL", "Framebuffer memory total (in MiB).")?,
            temp: g("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).")?,
            power: g("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).")?,
            energy: g(
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
                "Total energy consumption since boot (in mJ).",
            )?,
            pcie_tx: g("DCGM_FI_DEV_PCIE_TX_THROUGHPUT", "PCIe transmit throughput (in KB/s).")?,
            pcie_rx: g("DCGM_FI_DEV_PCIE_RX_THROUGHPUT", "PCIe receive throughput (in KB/s).")?,
            ecc_sbe: g("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "Total single-bit volatile ECC errors.")?,
            ecc_dbe: g("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "Total double-bit volatile ECC errors.")?,
        })
    }

    fn all(&self) -> [&GaugeVec; 12] {
        [
            &self.util,
            &self.mem_copy_util,
            &self.fb_used,
            &self.fb_free,
            &self.fb_total,
            &self.temp,
            &self.power,
            &self.energy,
            &self.pcie_tx,
            &self.pcie_rx,
            &self.ecc_sbe,
            &self.ecc_dbe,
        ]
    }

    /// Replaces every series by those of `samples` (a reading a GPU does not support is left
    /// out; no GPU, no series).
    pub fn set(&self, samples: &[GpuSample]) {
        for v in self.all() {
            v.reset();
        }
        const MIB: f64 = (1u64 << 20) as f64;
        for s in samples {
            let index = s.index.to_string();
            let labels = [index.as_str(), s.uuid.as_str(), s.device.as_str(), s.name.as_str()];
            let put = |v: &GaugeVec, x: Option<f64>| {
                if let Some(x) = x {
                    v.with_label_values(&labels).set(x);
                }
            };
            put(&self.util, s.gpu_util_percent.map(f64::from));
            put(&self.mem_copy_util, s.mem_copy_util_percent.map(f64::from));
            put(&self.fb_used, s.memory_used_bytes.map(|b| b as f64 / MIB));
            put(&self.fb_free, s.memory_free_bytes.map(|b| b as f64 / MIB));
            put(&self.fb_total, s.memory_total_bytes.map(|b| b as f64 / MIB));
            put(&self.temp, s.temperature_celsius.map(f64::from));
            put(&self.power, s.power_milliwatts.map(|mw| f64::from(mw) / 1e3));
            put(&self.energy, s.energy_millijoules.map(|e| e as f64));
            put(&self.pcie_tx, s.pcie_tx_kbps.map(f64::from));
            put(&self.pcie_rx, s.pcie_rx_kbps.map(f64::from));
            put(&self.ecc_sbe, s.ecc_corrected_volatile.map(|e| e as f64));
            put(&self.ecc_dbe, s.ecc_uncorrected_volatile.map(|e| e as f64));
        }
    }
}

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
    /// Time a device waited between the end of a proof and the start of the next one, when the
    /// next job was claimed without the worker going idle: the gap of back-to-back proving
    /// (`zkprove_device_idle_seconds`).
    pub device_idle: Histogram,
    /// Jobs that ended (succeeded or failed for good) after their deadline
    /// (`zkprove_deadline_misses_total`).
    pub deadline_misses: IntCounter,
    /// Queued or running jobs whose deadline has passed (`zkprove_jobs_past_deadline`).
    pub past_deadline: IntGauge,
    /// Running jobs stopped and requeued for a more urgent job (`zkprove_preemptions_total`).
    pub preemptions: IntCounter,
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
    /// Finished jobs deleted by retention (`zkprove_jobs_purged_total`).
    pub jobs_purged: IntCounter,
    /// Key cache hits (`zkprove_zkey_cache_hits_total`).
    pub cache_hits: IntCounter,
    /// Key cache misses (loads) (`zkprove_zkey_cache_misses_total`).
    pub cache_misses: IntCounter,
    /// The GPU series (none without GPU telemetry).
    pub gpus: GpuGauges,
    telemetry: Option<Arc<GpuTelemetry>>,
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
            &m.device_idle,
            &m.deadline_misses,
            &m.past_deadline,
            &m.preemptions,
            &m.invalid_proofs,
            &m.retries,
            &m.proofs_completed,
            &m.leases_lost,
            &m.quarantined,
            &m.jobs_purged,
            &m.cache_hits,
            &m.cache_misses,
        ]);
        let gpu_names = names_of(&m.gpus.all().map(|v| v as &dyn prometheus::core::Collector));
        m.names.extend(gpu_names);
        Ok(m)
    }

    /// Every metric's name (the GPU series included).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// These metrics with GPU telemetry: each scrape (and the status page) reads the GPUs.
    pub fn with_gpu_telemetry(mut self, telemetry: GpuTelemetry) -> Self {
        self.telemetry = Some(Arc::new(telemetry));
        self
    }

    /// Reads the GPUs (none without telemetry) and updates their series.
    pub async fn sample_gpus(&self) -> Vec<GpuSample> {
        let Some(t) = self.telemetry.clone() else { return Vec::new() };
        let samples = tokio::task::spawn_blocking(move || t.sample()).await.unwrap_or_default();
        self.gpus.set(&samples);
        samples
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
            device_idle: reg(
                &r,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "zkprove_device_idle_seconds",
                        "Device idle time between consecutive proofs of back-to-back jobs.",
                    )
                    .buckets(vec![
                        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                        0.25, 1.0,
                    ]),
                )
                .map_err(metric_err)?,
            )?,
            deadline_misses: reg(
                &r,
                IntCounter::new(
                    "zkprove_deadline_misses_total",
                    "Jobs that ended after their deadline.",
                )
                .map_err(metric_err)?,
            )?,
            past_deadline: reg(
                &r,
                IntGauge::new(
                    "zkprove_jobs_past_deadline",
                    "Queued or running jobs whose deadline has passed.",
                )
                .map_err(metric_err)?,
            )?,
            preemptions: reg(
                &r,
                IntCounter::new(
                    "zkprove_preemptions_total",
                    "Running jobs stopped and requeued for a more urgent job.",
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
            jobs_purged: reg(
                &r,
                IntCounter::new(
                    "zkprove_jobs_purged_total",
                    "Finished jobs deleted by retention (job_retention_ms).",
                )
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
            gpus: GpuGauges::new(&r)?,
            telemetry: None,
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
        self.past_deadline.set(queue.past_deadline().await?);
        self.sample_gpus().await;
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

    /// GPU series come only from telemetry: none without NVML, one set per GPU sampled, and a GPU
    /// that went away loses its series.
    #[test]
    fn gpu_series_only_for_sampled_gpus() {
        let metrics = Metrics::new().expect("metrics");
        let registry = metrics.registry.clone();
        let text = || {
            let mut out = Vec::new();
            TextEncoder::new().encode(&registry.gather(), &mut out).expect("encode");
            String::from_utf8(out).expect("utf8")
        };
        assert!(!text().contains("DCGM_"), "{}", text());
        let missing = GpuTelemetry::from_library(std::ffi::OsStr::new("/nonexistent/libnvml.so"));
        let metrics = metrics.with_gpu_telemetry(missing);
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        assert!(rt.block_on(metrics.sample_gpus()).is_empty());
        assert!(!text().contains("DCGM_"));
        let sample = GpuSample {
            index: 0,
            device: "cuda:0".into(),
            name: "Test GPU".into(),
            uuid: "GPU-0".into(),
            gpu_util_percent: Some(87),
            memory_used_bytes: Some(3 << 20),
            memory_total_bytes: Some(80 << 30),
            temperature_celsius: Some(61),
            power_milliwatts: Some(312_500),
            ecc_uncorrected_volatile: Some(2),
            ..GpuSample::default()
        };
        metrics.gpus.set(std::slice::from_ref(&sample));
        let t = text();
        let labels = "{UUID=\"GPU-0\",device=\"cuda:0\",gpu=\"0\",modelName=\"Test GPU\"}";
        for line in [
            format!("DCGM_FI_DEV_GPU_UTIL{labels} 87"),
            format!("DCGM_FI_DEV_FB_USED{labels} 3"),
            format!("DCGM_FI_DEV_FB_TOTAL{labels} 81920"),
            format!("DCGM_FI_DEV_GPU_TEMP{labels} 61"),
            format!("DCGM_FI_DEV_POWER_USAGE{labels} 312.5"),
            format!("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{labels} 2"),
        ] {
            assert!(t.contains(&line), "lacks {line}:\n{t}");
        }
        assert!(!t.contains("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL{"), "unsupported readings left out");
        metrics.gpus.set(&[]);
        assert!(!text().contains("DCGM_FI_DEV_GPU_UTIL{"));
    }

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
        // The GPU panels query the DCGM-named series of the telemetry.
        let mut gpu = 0;
        for (i, _) in dashboard.match_indices("DCGM_FI_") {
            let name: String = dashboard[i..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            assert!(metrics.names().contains(&name), "dashboard queries {name}");
            gpu += 1;
        }
        assert!(gpu >= 4, "{gpu}");
    }
}
