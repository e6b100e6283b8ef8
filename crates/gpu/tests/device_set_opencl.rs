//! [`zkprove_gpu::DeviceSet`] over every OpenCL device: an MSM, NTT / circle-FFT batches and a
//! Poseidon2 Merkle tree split across devices against one device and the CPU, jobs (Groth16
//! proofs with a prover per device) on every device, failover. CI runs it with
//! PoCL exposing two CPU devices (`POCL_DEVICES="pthread pthread"`) and
//! `ZKPROVE_REQUIRE_DEVICES=2`, so it fails rather than pass on one device; the plain workspace run
//! uses whatever devices there are. Skips without OpenCL unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use crate::device_set_common;

use zkprove_gpu::{ClDevice, DeviceSet};

fn set() -> Option<DeviceSet<ClDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    match DeviceSet::<ClDevice>::all() {
        Ok(s) => {
            device_set_common::check_device_count(&s);
            Some(s)
        }
        Err(e) => {
            assert!(
                !device_set_common::required("ZKPROVE_REQUIRE_OPENCL"),
                "ZKPROVE_REQUIRE_OPENCL=1 but: {e}"
            );
            eprintln!("skipped: {e}");
            None
        }
    }
}

#[test]
fn msm_split_across_devices_matches_cpu() {
    let Some(set) = set() else { return };
    device_set_common::msm_split(&set, 1 << 10);
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
    device_set_common::groth16_prover_per_device::<_, zkprove_gpu::OpenClBackend>(&set);
}
