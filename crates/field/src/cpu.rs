//! Which CPU code paths this process may use, decided at run time.
//!
//! The field kernels that are compiled for every x86-64 CPU and chosen at run time ask [`level`]
//! which path to take: the MULX/ADCX/ADOX Montgomery multiplication of [`crate::bn254`] (inline
//! assembly, [`adx`]), the BN254 IFMA NTT kernels and the eight-lane BN254 arithmetic of
//! [`crate::bn254::with_fp256x8`] (the MSM's batch-affine additions in `zkprove-curve`), the last
//! two as `#[target_feature]` entry points in builds without the IFMA target features. [`level`] is
//! the detected level of this CPU ([`detected_level`]) lowered by a process-wide cap that only the
//! binary sets ([`set_max_cpu_level`], e.g. from a `--cpu` flag): the libraries never read flags
//! or environment variables themselves. Lowering the cap lets one machine run, test and benchmark
//! every lower path side by side.
//!
//! So the whole BN254 stack (field multiplication, NTT, MSM, hence Groth16) runs at full speed in
//! a baseline x86-64 build. The small fields with SIMD packings (BabyBear, KoalaBear, M31,
//! Goldilocks) pick AVX-512, AVX2 or one lane at run time: any [`crate::PackedKernel`] runs through
//! [`crate::Field::with_packing`] on the packing of [`level`] — the NTT butterflies
//! ([`crate::ntt_packed`]), `zkprove-poly`'s row and batched NTTs, circle FFT and pointwise
//! products, `zkprove-sumcheck`'s base-field rounds, Poseidon2 batches and Merkle layers in
//! `zkprove-hash`. Only `Field::Packing` itself is still chosen at compile time by
//! `cfg(target_feature)` (the packing a baseline build names is one lane); the hot paths do not
//! use it, so `target-cpu=native` is an opt-in that buys no kernel speed, and the cap reaches
//! every path.

use core::fmt;
use core::str::FromStr;
use core::sync::atomic::{AtomicU8, Ordering};

/// An x86-64 capability level; each level includes every level below it.
///
/// The order is the order of speed for BN254 arithmetic: 64-bit carry chains with MULX/ADCX/ADOX
/// are the first step up from portable code, then 256-bit vectors, 512-bit vectors, and 52-bit
/// multiply-accumulate in 512-bit vectors (IFMA). A CPU with AVX2 but without ADX (Haswell) is
/// [`CpuLevel::Portable`] here: every level requires the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum CpuLevel {
    /// Plain 64-bit code, any CPU (and every non-x86-64 target).
    Portable = 0,
    /// BMI2 (`mulx`) and ADX (`adcx`, `adox`): two independent carry chains.
    Adx = 1,
    /// [`CpuLevel::Adx`] plus AVX2 and FMA (x86-64-v3).
    Avx2 = 2,
    /// [`CpuLevel::Avx2`] plus AVX-512 F, DQ, BW and VL (x86-64-v4).
    Avx512 = 3,
    /// [`CpuLevel::Avx512`] plus AVX-512 IFMA (52-bit multiply-accumulate).
    Ifma = 4,
}

impl CpuLevel {
    /// Every level, lowest first.
    pub const ALL: [CpuLevel; 5] =
        [CpuLevel::Portable, CpuLevel::Adx, CpuLevel::Avx2, CpuLevel::Avx512, CpuLevel::Ifma];

    /// The lower-case name used by `--cpu` (`portable`, `adx`, `avx2`, `avx512`, `ifma`).
    pub const fn name(self) -> &'static str {
        match self {
            CpuLevel::Portable => "portable",
            CpuLevel::Adx => "adx",
            CpuLevel::Avx2 => "avx2",
            CpuLevel::Avx512 => "avx512",
            CpuLevel::Ifma => "ifma",
        }
    }

    const fn from_u8(v: u8) -> CpuLevel {
        match v {
            0 => CpuLevel::Portable,
            1 => CpuLevel::Adx,
            2 => CpuLevel::Avx2,
            3 => CpuLevel::Avx512,
            _ => CpuLevel::Ifma,
        }
    }
}

impl fmt::Display for CpuLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--cpu` value that names no level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown CPU level `{given}` (expected portable, adx, avx2, avx512 or ifma)")]
pub struct UnknownCpuLevel {
    /// The text that was given.
    pub given: String,
}

impl FromStr for CpuLevel {
    type Err = UnknownCpuLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CpuLevel::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownCpuLevel { given: s.to_string() })
    }
}

/// The highest level this CPU supports (each level requiring all the lower ones).
pub fn detected_level() -> CpuLevel {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if !(has!("bmi2") && has!("adx")) {
            return CpuLevel::Portable;
        }
        if !(has!("avx2") && has!("fma")) {
            return CpuLevel::Adx;
        }
        if !(has!("avx512f") && has!("avx512dq") && has!("avx512bw") && has!("avx512vl")) {
            return CpuLevel::Avx2;
        }
        if !has!("avx512ifma") {
            return CpuLevel::Avx512;
        }
        CpuLevel::Ifma
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        CpuLevel::Portable
    }
}

/// The level in use plus one; 0 while not yet decided. One byte, read with a relaxed load by the
/// per-multiplication dispatch, so that the check is a load and a compare.
static LEVEL_PLUS_ONE: AtomicU8 = AtomicU8::new(0);

/// The level the kernels use: the detected level, lowered by [`set_max_cpu_level`] if the binary
/// set a cap. Detected once, then one relaxed atomic load.
#[inline(always)]
pub fn level() -> CpuLevel {
    match LEVEL_PLUS_ONE.load(Ordering::Relaxed) {
        0 => init_level(),
        v => CpuLevel::from_u8(v - 1),
    }
}

#[cold]
#[inline(never)]
fn init_level() -> CpuLevel {
    let l = detected_level();
    // A concurrent `set_max_cpu_level` wins: only replace "undecided".
    match LEVEL_PLUS_ONE.compare_exchange(0, l as u8 + 1, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => l,
        Err(v) => CpuLevel::from_u8(v - 1),
    }
}

/// Caps the level used by this process at `max` (it never rises above [`detected_level`]) and
/// returns the level now in use. Meant for the binary (`--cpu`) and for tests that run every path;
/// set it before heavy work starts: kernels already running finish on the path they began with.
pub fn set_max_cpu_level(max: CpuLevel) -> CpuLevel {
    let l = max.min(detected_level());
    LEVEL_PLUS_ONE.store(l as u8 + 1, Ordering::Relaxed);
    l
}

/// Whether the MULX/ADCX/ADOX BN254 multiplication is in use ([`level`] ≥ [`CpuLevel::Adx`]).
#[inline(always)]
pub fn adx() -> bool {
    // Undecided (0) goes the slow way once; afterwards Adx means a stored value ≥ 2.
    match LEVEL_PLUS_ONE.load(Ordering::Relaxed) {
        0 => init_level() >= CpuLevel::Adx,
        v => v > CpuLevel::Adx as u8,
    }
}

/// Plain (not field-specific) code that should be compiled for the vector extensions this
/// process may use, run by [`with_cpu_features`]. The int8 GEMM of `zkprove-ml` is one: its
/// fixed-length dot products auto-vectorise to `vpmaddwd` with AVX2 and to `vpdpwssd` with
/// AVX-512 VNNI, but only inside a function compiled with those features.
///
/// As with [`crate::PackedKernel`], `run` and what it calls on the hot path should be
/// `#[inline(always)]` (only code inlined into the `#[target_feature]` entry point gets the
/// features), and work handed to other threads must dispatch again inside each task.
pub trait CpuKernel {
    /// What the computation returns.
    type Output;
    /// The computation.
    fn run(self) -> Self::Output;
}

/// Whether this CPU has AVX-512 VNNI (checked once; the std macro caches it).
#[cfg(target_arch = "x86_64")]
fn has_vnni() -> bool {
    std::arch::is_x86_feature_detected!("avx512vnni")
}

/// Runs `kernel` compiled for the widest vector extensions [`level`] allows: AVX-512 F/BW/DQ/VL
/// with VNNI (where the CPU has VNNI and the level is [`CpuLevel::Avx512`] or above), AVX-512
/// without it, AVX2 + FMA, or the build's own target (baseline x86-64: SSE2) below that.
#[inline(always)]
pub fn with_cpu_features<K: CpuKernel>(kernel: K) -> K::Output {
    #[cfg(target_arch = "x86_64")]
    {
        /// # Safety
        /// The CPU must have AVX-512 F, BW, DQ, VL and VNNI.
        #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")]
        unsafe fn run_vnni<K: CpuKernel>(kernel: K) -> K::Output {
            kernel.run()
        }
        /// # Safety
        /// The CPU must have AVX-512 F, BW, DQ and VL.
        #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
        unsafe fn run_avx512<K: CpuKernel>(kernel: K) -> K::Output {
            kernel.run()
        }
        /// # Safety
        /// The CPU must have AVX2 and FMA.
        #[target_feature(enable = "avx2,fma")]
        unsafe fn run_avx2<K: CpuKernel>(kernel: K) -> K::Output {
            kernel.run()
        }
        let l = level();
        if l >= CpuLevel::Avx512 {
            if has_vnni() {
                // SAFETY: `level()` never exceeds `detected_level()`, which reports `Avx512` or
                // above only where the CPU has AVX-512 F, BW, DQ and VL; VNNI was just detected.
                return unsafe { run_vnni(kernel) };
            }
            // SAFETY: as above, without VNNI.
            return unsafe { run_avx512(kernel) };
        }
        if l >= CpuLevel::Avx2 {
            // SAFETY: `Avx2` is detected only where the CPU has AVX2 and FMA.
            return unsafe { run_avx2(kernel) };
        }
        kernel.run()
    }
    #[cfg(not(target_arch = "x86_64"))]
    kernel.run()
}
