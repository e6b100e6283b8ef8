//! The kernels run through OpenCL (PoCL on the CPU in CI) against crates/field and zkprove-poly's
//! CPU backend. Skips without an OpenCL device unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use crate::common;

use std::sync::Arc;
use std::time::Instant;

use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::m31::M31;
use zkprove_gpu::{ClDevice, GpuBackendKind, OpenClBackend, list_devices};

fn device() -> Option<Arc<ClDevice>> {
    let d = common::opencl_device()?;
    eprintln!(
        "OpenCL device: {} ({})",
        d.name().unwrap_or_default(),
        d.version().unwrap_or_default()
    );
    Some(d)
}

#[test]
fn devices_are_listed() {
    let Some(_dev) = device() else { return };
    let devices = list_devices();
    assert!(devices.iter().any(|d| d.backend == GpuBackendKind::OpenCl), "{devices:?}");
}

#[test]
fn field_kernels_match_crates_field() {
    let Some(dev) = device() else { return };
    let t = Instant::now();
    common::check_field_ops::<_, Fr>(&dev, &common::fr_edges(), 256);
    common::check_field_ops::<_, Fq>(&dev, &common::fq_edges(), 256);
    common::check_field_ops::<_, Goldilocks>(&dev, &common::goldilocks_edges(), 1024);
    common::check_field_ops::<_, BabyBear>(&dev, &common::babybear_edges(), 1024);
    common::check_field_ops::<_, M31>(&dev, &common::m31_edges(), 1024);
    eprintln!("field kernels: {:.2?}", t.elapsed());
}

#[test]
fn ntt_bn254_fr_matches_cpu_backend() {
    let Some(dev) = device() else { return };
    common::check_ntt::<_, OpenClBackend, Fr>(&dev, 14);
}

#[test]
fn ntt_goldilocks_matches_cpu_backend() {
    let Some(dev) = device() else { return };
    common::check_ntt::<_, OpenClBackend, Goldilocks>(&dev, 14);
}

#[test]
fn ntt_babybear_matches_cpu_backend() {
    let Some(dev) = device() else { return };
    common::check_ntt::<_, OpenClBackend, BabyBear>(&dev, 14);
}

#[test]
fn allocation_beyond_the_device_limit_is_an_error() {
    let Some(dev) = device() else { return };
    match zkprove_gpu::ClBuffer::<Fr>::zeros(&dev, usize::MAX / 64) {
        Err(zkprove_gpu::GpuError::OutOfMemory { .. }) => {}
        other => panic!("expected OutOfMemory, got {other:?}"),
    }
    match zkprove_gpu::ClBuffer::<Fr>::zeros(&dev, usize::MAX) {
        Err(zkprove_gpu::GpuError::OutOfMemory { .. }) => {}
        other => panic!("expected OutOfMemory on overflow, got {other:?}"),
    }
    // A wrong-length copy is an error, not a partial write.
    let mut buf = zkprove_gpu::ClBuffer::<Fr>::zeros(&dev, 4).expect("alloc");
    assert!(buf.copy_from_host(&[Fr::from_u64(1); 3]).is_err());
}
