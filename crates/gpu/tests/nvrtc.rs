//! Compile-only check of every kernel program with NVRTC (no GPU needed): PTX for `compute_90` and
//! an `sm_90` CUBIN (ptxas runs inside NVRTC), with registers and spills per kernel printed.
//!
//! Skips when NVRTC cannot be loaded, unless `ZKPROVE_REQUIRE_NVRTC=1` (CI), which makes its
//! absence a failure. NVRTC from PyPI: `pip install nvidia-cuda-nvrtc==13.0.88` and its
//! `nvidia/cu13/lib` on `LD_LIBRARY_PATH`.

#![cfg(feature = "cuda")]

use zkprove_gpu::nvrtc::{self, Target};
use zkprove_gpu::{FieldKind, kernels};

fn nvrtc_or_skip() -> bool {
    if nvrtc::is_available() {
        return true;
    }
    if std::env::var("ZKPROVE_REQUIRE_NVRTC").is_ok_and(|v| v == "1") {
        panic!("ZKPROVE_REQUIRE_NVRTC=1 but libnvrtc could not be loaded (LD_LIBRARY_PATH?)");
    }
    eprintln!("skipped: NVRTC not found (set ZKPROVE_REQUIRE_NVRTC=1 to make this a failure)");
    false
}

#[test]
fn every_program_compiles_to_ptx_and_sm90_without_spills() {
    if !nvrtc_or_skip() {
        return;
    }
    let (major, minor) = nvrtc::version().expect("NVRTC version");
    println!("NVRTC {major}.{minor}");
    println!(
        "{:<12} {:<22} {:>5} {:>7} {:>7} {:>6}",
        "field", "kernel", "regs", "spill-st", "spill-ld", "stack"
    );
    let mut failures = Vec::new();
    for field in FieldKind::ALL {
        let src = field.program_source();
        let ptx = nvrtc::compile(&src, field.name(), &Target::Ptx("compute_90"))
            .unwrap_or_else(|e| panic!("{}: PTX compilation failed: {e}", field.name()));
        let ptx_text = String::from_utf8_lossy(&ptx.image);
        assert!(ptx_text.contains(".version"), "{}: not PTX", field.name());
        for k in kernels::KERNEL_NAMES {
            assert!(ptx_text.contains(k), "{}: kernel {k} missing from the PTX", field.name());
        }
        let cubin = nvrtc::compile(&src, field.name(), &Target::Cubin("sm_90".to_string()))
            .unwrap_or_else(|e| panic!("{}: sm_90 CUBIN compilation failed: {e}", field.name()));
        assert_eq!(&cubin.image[..4], b"\x7fELF", "{}: CUBIN is not an ELF image", field.name());
        let resources = nvrtc::parse_ptxas_log(&cubin.log);
        assert_eq!(
            resources.len(),
            kernels::KERNEL_NAMES.len(),
            "{}: ptxas log lists {} kernels:\n{}",
            field.name(),
            resources.len(),
            cubin.log
        );
        for r in &resources {
            println!(
                "{:<12} {:<22} {:>5} {:>7} {:>7} {:>6}",
                field.name(),
                r.name,
                r.registers,
                r.spill_stores,
                r.spill_loads,
                r.stack
            );
            if r.spill_stores > 0 || r.spill_loads > 0 {
                failures.push(format!("{}::{} spills", field.name(), r.name));
            }
        }
    }
    assert!(failures.is_empty(), "register spills: {failures:?}");
}

#[test]
fn a_broken_program_is_a_compile_error_with_its_log() {
    if !nvrtc_or_skip() {
        return;
    }
    let err = nvrtc::compile(
        "extern \"C\" __global__ void k() { undefined_fn(); }",
        "broken",
        &Target::Ptx("compute_90"),
    )
    .expect_err("must not compile");
    match err {
        zkprove_gpu::GpuError::Compile { log } => assert!(log.contains("undefined_fn"), "{log}"),
        e => panic!("unexpected error {e}"),
    }
}
