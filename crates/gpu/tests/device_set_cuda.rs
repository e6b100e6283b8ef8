//! The [`zkprove_gpu::DeviceSet`] checks of `device_set_opencl.rs` over every CUDA device (one GPU
//! is a set of one). Skips without CUDA unless `ZKPROVE_REQUIRE_CUDA=1`; `ZKPROVE_REQUIRE_DEVICES=N`
//! fails on fewer than N GPUs.

#![cfg(feature = "cuda")]

use crate::device_set_common;

use zkprove_gpu::{CudaDevice, DeviceSet, cuda_available};

fn set() -> Option<DeviceSet<CudaDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    if !cuda_available() {
        assert!(
            !device_set_common::required("ZKPROVE_REQUIRE_CUDA"),
            "ZKPROVE_REQUIRE_CUDA=1 but no CUDA device"
        );
        eprintln!("skipped: no CUDA device");
        return None;
    }
    let s = DeviceSet::<CudaDevice>::all().expect("CUDA devices present but none opened");
    device_set_common::check_device_count(&s);
    Some(s)
}

#[test]
fn msm_split_across_devices_matches_cpu() {
    let Some(set) = set() else { return };
    device_set_common::msm_split(&set, 1 << 16);
}

#[test]
fn transform_batches_split_across_devices_match_cpu() {
    let Some(set) = set() else { return };
    device_set_common::transforms_split(&set);
    device_set_common::merkle_split(&set);
    device_set_common::parts_use_every_device(&set);
}

#[test]
fn jobs_run_on_every_device_and_fail_over() {
    let Some(set) = set() else { return };
    device_set_common::jobs_and_failover(&set);
}

#[test]
fn a_groth16_prover_per_device_serves_proofs() {
    let Some(set) = set() else { return };
    device_set_common::groth16_prover_per_device::<_, zkprove_gpu::CudaBackend>(&set);
}
