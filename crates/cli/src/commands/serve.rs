//! `zkprove serve` (HTTP API, queue and workers in one process) and `zkprove worker` (workers
//! only, on a shared PostgreSQL queue): see `zkprove_service` for the design.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use zkprove_gpu::{CudaBackend, OpenClBackend};
use zkprove_poly::CpuBackend;
use zkprove_service::engine::{BackendEngine, ProofEngine};
use zkprove_service::{Config, Service};

use crate::device::{Device, resolve_device};

/// Arguments of `zkprove serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The configuration file (TOML; every field has a default). Flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Where the SQLite database and the blobs live (default `zkprove-data`).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The queue: `sqlite:PATH` or `postgres://…` (default: SQLite in the data directory).
    #[arg(long)]
    db: Option<String>,
    /// The HTTP address (default 127.0.0.1:8547; anything but loopback needs tenant tokens).
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Where to prove: `auto` is the CUDA GPU when one is usable, else the CPU.
    #[arg(long, value_enum, default_value_t = Device::Auto)]
    device: Device,
    /// Seconds to finish the jobs in hand after SIGTERM or Ctrl-C before exiting.
    #[arg(long, default_value_t = 30)]
    grace: u64,
}

/// Arguments of `zkprove worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The shared queue (`postgres://…`; `sqlite:PATH` works for a second process on one machine).
    #[arg(long)]
    db: String,
    /// The configuration file (TOML). Flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The data directory whose `blobs/` the serving nodes share.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Where to prove (`cuda`, `opencl`, `cpu`, or `auto`).
    #[arg(long, value_enum, default_value_t = Device::Auto)]
    device: Device,
    /// Seconds to finish the jobs in hand after SIGTERM or Ctrl-C before exiting.
    #[arg(long, default_value_t = 30)]
    grace: u64,
}

fn load_config(path: Option<&PathBuf>) -> Result<Config> {
    Ok(match path {
        Some(p) => Config::from_file(p)?,
        None => Config::default(),
    })
}

/// The engines for a device choice: one per GPU, or `cpu_workers` CPU engines.
fn engines(device: Device, config: &Config) -> Result<Vec<Arc<dyn ProofEngine>>> {
    let budget = config.key_cache_bytes;
    Ok(match resolve_device(device)? {
        Device::Cuda => vec![Arc::new(BackendEngine::<CudaBackend>::new("cuda:0", false, budget))],
        Device::Opencl => {
            vec![Arc::new(BackendEngine::<OpenClBackend>::new("opencl:0", false, budget))]
        }
        Device::Cpu | Device::Auto => (0..config.cpu_workers.max(1))
            .map(|_| {
                Arc::new(BackendEngine::<CpuBackend>::new("cpu", true, budget))
                    as Arc<dyn ProofEngine>
            })
            .collect(),
    })
}

/// Runs the service until SIGTERM or Ctrl-C, then drains.
fn run_service(config: Config, device: Device, http: bool, grace: u64) -> Result<()> {
    let engines = engines(device, &config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let service = Service::start(&config, engines, http).await?;
        if let Some(addr) = service.addr {
            eprintln!(
                "zkprove serve: listening on http://{addr} (queue {})",
                redact(&config.database_url())
            );
        } else {
            eprintln!("zkprove worker: proving jobs of {}", redact(&config.database_url()));
        }
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("installing the SIGTERM handler")?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        eprintln!("draining: no new claims, up to {grace} s for the jobs in hand");
        service.shutdown(Duration::from_secs(grace)).await;
        Ok(())
    })
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Runs `zkprove serve`.
pub fn serve(args: ServeArgs) -> Result<()> {
    let mut config = load_config(args.config.as_ref())?;
    if let Some(d) = args.data_dir {
        config.data_dir = d;
    }
    if let Some(db) = args.db {
        config.db = Some(db);
    }
    if let Some(bind) = args.bind {
        config.bind = bind;
    }
    run_service(config, args.device, true, args.grace)
}

/// Runs `zkprove worker`.
pub fn worker(args: WorkerArgs) -> Result<()> {
    let mut config = load_config(args.config.as_ref())?;
    if let Some(d) = args.data_dir {
        config.data_dir = d;
    }
    if !(args.db.starts_with("postgres") || args.db.starts_with("sqlite:")) {
        bail!("--db {}: expected postgres://… (or sqlite:PATH)", redact(&args.db));
    }
    config.db = Some(args.db);
    run_service(config, args.device, false, args.grace)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("sqlite://x.db?mode=rwc"), "sqlite://x.db?mode=rwc");
    }
}
