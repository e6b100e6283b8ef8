//! Putting it together: [`Service::start`] connects to the queue, opens the blob store, starts a
//! worker per engine and (for `serve`) the HTTP server; [`Service::shutdown`] drains.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{AppState, router};
use crate::blob::BlobStore;
use crate::config::Config;
use crate::engine::ProofEngine;
use crate::error::{Result, ServiceError};
use crate::metrics::Metrics;
use crate::queue::{Queue, QueueOptions};
use crate::worker::{Devices, Worker, WorkerSettings};

/// A running service (HTTP server and/or workers).
#[derive(Debug)]
pub struct Service {
    /// The queue.
    pub queue: Queue,
    /// The blob store.
    pub blobs: BlobStore,
    /// The metrics.
    pub metrics: Metrics,
    /// The devices of this process.
    pub devices: Devices,
    /// Where the HTTP server listens (`None`: workers only).
    pub addr: Option<SocketAddr>,
    shutdown: watch::Sender<bool>,
    abort: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Service {
    /// Starts workers for `engines` and, with `http`, the API on `config.bind`.
    ///
    /// # Errors
    /// [`ServiceError::UnauthenticatedBind`], database, blob-store and bind errors.
    pub async fn start(
        config: &Config,
        engines: Vec<Arc<dyn ProofEngine>>,
        http: bool,
    ) -> Result<Self> {
        if http {
            config.check_bind()?;
        }
        std::fs::create_dir_all(&config.data_dir).map_err(ServiceError::io(&config.data_dir))?;
        let options = QueueOptions { durability: config.durability };
        let queue = Queue::connect_with(&config.database_url(), options).await?;
        let blobs = BlobStore::open(config.blob_dir())?.with_durability(config.durability);
        let metrics = Metrics::new()?.with_gpu_telemetry(crate::telemetry::GpuTelemetry::init());
        let devices: Devices = Arc::new(Mutex::new(Vec::new()));
        let (shutdown, rx) = watch::channel(false);
        let (abort, abort_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let node = config.node_name();
        for (i, engine) in engines.into_iter().enumerate() {
            let settings = WorkerSettings {
                owner: format!("{node}/{}#{i}", engine.device()),
                lease: config.lease(),
                heartbeat: Duration::from_millis(config.heartbeat_ms),
                poll: Duration::from_millis(config.poll_ms),
                known_answer_interval: Duration::from_millis(config.known_answer_interval_ms),
                affinity_window: Duration::from_millis(config.affinity_window_ms),
            };
            let worker = Worker::new(
                queue.clone(),
                blobs.clone(),
                metrics.clone(),
                engine,
                settings,
                devices.clone(),
            )
            .with_abort(abort_rx.clone());
            tasks.push(tokio::spawn(worker.run(rx.clone())));
        }
        let preempt_after =
            (config.preempt_after_ms > 0).then(|| Duration::from_millis(config.preempt_after_ms));
        tasks.push(tokio::spawn(crate::worker::housekeeper(
            queue.clone(),
            Duration::from_millis(config.poll_ms),
            preempt_after,
            rx.clone(),
        )));
        if let Some(settings) = crate::worker::JanitorSettings::from_config(config) {
            tasks.push(tokio::spawn(crate::worker::janitor(
                queue.clone(),
                blobs.clone(),
                metrics.clone(),
                settings,
                rx.clone(),
            )));
        }
        let mut addr = None;
        if http {
            let state = AppState::new(
                queue.clone(),
                blobs.clone(),
                metrics.clone(),
                devices.clone(),
                config,
            );
            let listener = tokio::net::TcpListener::bind(config.bind)
                .await
                .map_err(ServiceError::io(config.bind.to_string()))?;
            let local = listener.local_addr().map_err(ServiceError::io(config.bind.to_string()))?;
            addr = Some(local);
            let mut rx = rx.clone();
            tasks.push(tokio::spawn(async move {
                let serve =
                    axum::serve(listener, router(state)).with_graceful_shutdown(async move {
                        let _ = rx.wait_for(|stop| *stop).await;
                    });
                if let Err(e) = serve.await {
                    tracing::error!("HTTP server: {e}");
                }
            }));
            tracing::info!(%local, "listening");
        }
        Ok(Self { queue, blobs, metrics, devices, addr, shutdown, abort, tasks })
    }

    /// Stops claiming and serving; waits up to `grace` for the jobs in hand; then the jobs still
    /// running stop at their next phase boundary and are requeued without using an attempt
    /// (waiting up to 10 s more for that; a job still running after it is abandoned: its lease
    /// expires and another node requeues it).
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.shutdown.send(true);
        let mut all = Box::pin(futures_util::future::join_all(self.tasks));
        if tokio::time::timeout(grace, &mut all).await.is_err() {
            tracing::warn!("grace period over with jobs still running: requeueing them");
            let _ = self.abort.send(true);
            if tokio::time::timeout(Duration::from_secs(10), all).await.is_err() {
                tracing::warn!("jobs still running; their leases will expire");
            }
        }
    }
}
