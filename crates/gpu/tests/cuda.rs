//! The differential tests of `tests/opencl.rs` on a CUDA device (inline-PTX arithmetic included).
//! Skips when there is no CUDA device (no driver library, no device, or `ZKPROVE_DISABLE_CUDA`),
//! unless `ZKPROVE_REQUIRE_CUDA=1`. On a GPU machine: NVRTC on the library path, or prebuilt CUBINs
//! in `ZKPROVE_CUDA_CUBIN_DIR` (`scripts/gpu-carry.sh`).

#![cfg(feature = "cuda")]

use crate::common;

use std::sync::Arc;
use std::time::Instant;

use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::m31::M31;
use zkprove_gpu::{CudaBackend, CudaDevice, GpuBackendKind, cuda_available, list_devices};

fn device() -> Option<Arc<CudaDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    if !cuda_available() {
        // Optional: a GPU session sets it so that a missing driver cannot pass as a skip.
        assert!(
            !common::required("ZKPROVE_REQUIRE_CUDA"),
            "ZKPROVE_REQUIRE_CUDA=1 but no CUDA device"
        );
        eprintln!("skipped: no CUDA device (set ZKPROVE_REQUIRE_CUDA=1 to make this a failure)");
        return None;
    }
    let d = CudaDevice::get().expect("a CUDA device is present but could not be opened");
    eprintln!("CUDA device: {} ({})", d.name().unwrap_or_default(), d.arch());
    Some(d)
}

#[test]
fn devices_are_listed() {
    let Some(_dev) = device() else { return };
    let devices = list_devices();
    assert!(devices.iter().any(|d| d.backend == GpuBackendKind::Cuda), "{devices:?}");
}

#[test]
fn field_kernels_match_crates_field() {
    let Some(dev) = device() else { return };
    let t = Instant::now();
    common::check_field_ops::<_, Fr>(&dev, &common::fr_edges(), 1 << 12);
    common::check_field_ops::<_, Fq>(&dev, &common::fq_edges(), 1 << 12);
    common::check_field_ops::<_, Goldilocks>(&dev, &common::goldilocks_edges(), 1 << 14);
    common::check_field_ops::<_, BabyBear>(&dev, &common::babybear_edges(), 1 << 14);
    common::check_field_ops::<_, M31>(&dev, &common::m31_edges(), 1 << 14);
    eprintln!("field kernels: {:.2?}", t.elapsed());
}

#[test]
fn ntt_bn254_fr_matches_cpu_backend() {
    let Some(dev) = device() else { return };
    common::check_ntt::<_, CudaBackend, Fr>(&dev, 16);
}

#[test]
fn ntt_goldilocks_matches_cpu_backend() {
    let Some(dev) = device() else { return };
    common::check_ntt::<_, CudaBackend, Goldilocks>(&dev, 16);
}

#[test]
fn ntt_babybear_matches_cpu_backend() {
    let Some(dev) = device() else { return };
    common::check_ntt::<_, CudaBackend, BabyBear>(&dev, 16);
}

#[test]
fn allocation_beyond_free_memory_is_an_error() {
    let Some(dev) = device() else { return };
    let (free, _) = dev.memory().expect("memory info");
    let too_many = free / core::mem::size_of::<Fr>() + 1;
    match zkprove_gpu::DeviceBuffer::<Fr>::zeros(&dev, too_many) {
        Err(zkprove_gpu::GpuError::OutOfMemory { .. }) => {}
        other => panic!("expected OutOfMemory, got {other:?}"),
    }
}

#[test]
fn large_transfers_round_trip_through_pinned_staging() {
    let Some(dev) = device() else { return };
    // Above the pinned-transfer threshold, with a tail that is not a whole staging buffer.
    let n = zkprove_gpu::PINNED_TRANSFER_MIN_BYTES / core::mem::size_of::<BabyBear>() * 5 + 12_345;
    let data: Vec<BabyBear> =
        (0..n as u32).map(|i| BabyBear::from_u64(u64::from(i) * 7 + 1)).collect();
    let t = Instant::now();
    let buf = zkprove_gpu::DeviceBuffer::<BabyBear>::upload(&dev, &data).expect("upload");
    let back = buf.download().expect("download");
    eprintln!("{} MiB up and down: {:.2?}", (n * 4) >> 20, t.elapsed());
    assert!(back == data, "round trip changed the data");
}
