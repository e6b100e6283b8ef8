//! Compile-only check of the sumcheck programs (M31/QM31, BabyBear/BabyBear⁴,
//! Goldilocks/Goldilocks²) with NVRTC (no GPU needed): PTX for `compute_90` and an `sm_90` CUBIN,
//! registers, spills and stack per kernel printed; a kernel that spills registers fails the test.
//!
//! Skips when NVRTC cannot be loaded, unless `ZKPROVE_REQUIRE_NVRTC=1` (CI).

#![cfg(feature = "cuda")]

use zkprove_gpu::SUMCHECK_PROGRAMS;
use zkprove_gpu::kernels;
use zkprove_gpu::nvrtc::{self, Target};

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
fn sumcheck_programs_compile_to_ptx_and_sm90_without_spills() {
    if !nvrtc_or_skip() {
        return;
    }
    println!(
        "{:<26} {:<18} {:>5} {:>8} {:>8} {:>6}",
        "program", "kernel", "regs", "spill-st", "spill-ld", "stack"
    );
    for program in SUMCHECK_PROGRAMS {
        let name = program.name;
        let src = (program.source)();
        let t = std::time::Instant::now();
        let ptx = nvrtc::compile(&src, name, &Target::Ptx("compute_90"))
            .unwrap_or_else(|e| panic!("{name}: PTX compilation failed: {e}"));
        let text = String::from_utf8_lossy(&ptx.image);
        for k in kernels::SUMCHECK_KERNEL_NAMES {
            assert!(text.contains(k), "{name}: kernel {k} missing from the PTX");
        }
        let cubin = nvrtc::compile(&src, name, &Target::Cubin("sm_90".to_string()))
            .unwrap_or_else(|e| panic!("{name}: sm_90 CUBIN compilation failed: {e}"));
        assert_eq!(&cubin.image[..4], b"\x7fELF", "{name}: CUBIN is not an ELF image");
        println!("{name}: PTX + sm_90 CUBIN in {:.1?}", t.elapsed());
        let resources: Vec<_> = nvrtc::parse_ptxas_log(&cubin.log)
            .into_iter()
            .filter(|r| kernels::SUMCHECK_KERNEL_NAMES.contains(&r.name.as_str()))
            .collect();
        assert_eq!(
            resources.len(),
            kernels::SUMCHECK_KERNEL_NAMES.len(),
            "{name}: ptxas reported\n{}",
            cubin.log
        );
        for r in &resources {
            println!(
                "{:<26} {:<18} {:>5} {:>8} {:>8} {:>6}",
                name, r.name, r.registers, r.spill_stores, r.spill_loads, r.stack
            );
        }
        for r in &resources {
            assert!(
                r.spill_stores == 0 && r.spill_loads == 0,
                "{name}: {} spills ({} stores, {} loads)",
                r.name,
                r.spill_stores,
                r.spill_loads
            );
        }
    }
}
