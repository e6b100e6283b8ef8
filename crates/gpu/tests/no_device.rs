//! A machine without any device (CUDA disabled, no OpenCL ICD): discovery is empty and opening a
//! device is an error, never a panic. Its own test binary, because it sets the environment before
//! the runtimes are first loaded.

#![cfg(all(feature = "cuda", feature = "opencl"))]

use zkprove_gpu::{
    ClDevice, CudaBackend, CudaDevice, GpuConfig, GpuError, OpenClBackend, cuda_available,
    list_devices,
};
use zkprove_poly::{ColumnOps, DeviceErrorKind};

#[test]
fn no_device_means_empty_list_and_errors() {
    let empty = std::env::temp_dir().join(format!("zkprove-no-icd-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("temp dir");
    // SAFETY: set before any other thread of this test binary exists (one test in the binary) and
    // before the OpenCL loader reads it.
    unsafe {
        std::env::set_var("OCL_ICD_VENDORS", &empty);
        std::env::set_var("OCL_ICD_FILENAMES", "");
    }
    zkprove_gpu::configure(GpuConfig { disable_cuda: true, ..GpuConfig::default() })
        .expect("first configuration");
    assert!(!cuda_available());
    assert_eq!(list_devices(), Vec::new());
    assert_eq!(CudaDevice::get().err(), Some(GpuError::NoDevice { backend: "cuda" }));
    assert_eq!(ClDevice::get().err(), Some(GpuError::NoDevice { backend: "opencl" }));
    // Through the backends: a typed "no device" error, never a panic.
    for err in [
        <CudaBackend as ColumnOps<zkprove_field::bn254::Fr>>::upload(&[]).err(),
        <OpenClBackend as ColumnOps<zkprove_field::bn254::Fr>>::upload(&[]).err(),
    ] {
        assert_eq!(err.map(|e| e.kind()), Some(DeviceErrorKind::NoDevice));
    }
    let _ = std::fs::remove_dir(&empty);
}
