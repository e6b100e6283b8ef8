//! `zkprove devices`: the GPUs (CUDA) and OpenCL devices this machine has, and (as text) what
//! `--device auto` picks here. None is not an error.

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::device::{Device, resolve_device};

/// Arguments of `zkprove devices`.
#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Print one JSON line (an array of devices) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct DeviceLine {
    backend: &'static str,
    index: usize,
    name: String,
    memory_bytes: u64,
    capability: String,
}

/// Runs `zkprove devices`.
pub fn run(args: DevicesArgs) -> Result<()> {
    let devices: Vec<DeviceLine> = zkprove_gpu::list_devices()
        .into_iter()
        .map(|d| DeviceLine {
            backend: d.backend.name(),
            index: d.index,
            name: d.name,
            memory_bytes: d.memory_bytes,
            capability: d.capability,
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string(&devices)?);
        return Ok(());
    }
    println!("cpu: {} threads", rayon::current_num_threads());
    if devices.is_empty() {
        println!("no GPU found (no CUDA device, no OpenCL device)");
    }
    for d in &devices {
        println!(
            "{} {}: {} ({:.1} GiB, {})",
            d.backend,
            d.index,
            d.name,
            d.memory_bytes as f64 / f64::from(1u32 << 30),
            d.capability
        );
    }
    let auto = resolve_device(Device::Auto)?;
    println!("--device auto: {}", auto.name());
    Ok(())
}
