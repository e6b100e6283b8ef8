//! GPU runtime for zkprove: device discovery, device buffers, and field and NTT kernels for CUDA
//! (through `cudarc`, loaded dynamically) and OpenCL (through `opencl3`), from one kernel source.
//!
//! - [`list_devices`]: every CUDA and OpenCL device found. A machine without a GPU, driver, ICD
//!   or OpenCL platform gets an empty list, never a panic: the CUDA driver library is probed with
//!   `is_culib_present` before any other cudarc call, and [`GpuConfig::disable_cuda`] turns CUDA off.
//! - [`CudaDevice`] / [`ClDevice`]: one context and one explicit stream (command queue) per
//!   device, opened once per process ([`CudaDevice::get`], [`ClDevice::get`]); CUDA adds a
//!   transfer stream on which new buffers are allocated and uploaded ([`Runtime::upload_bytes`]),
//!   so an upload does not wait behind kernels already queued (cudarc orders each buffer's later
//!   uses and its free across the two streams with events).
//! - [`DeviceBuffer`] (CUDA) and [`ClBuffer`] (OpenCL), both [`GpuBuffer`]: owned device memory,
//!   freed exactly once when dropped, typed uploads and downloads; the device layout of an element
//!   is crates/field's in-memory layout ([`GpuField`]), so an upload copies `&[F]`'s bytes.
//!   Allocations are checked against free device memory first ([`GpuError::OutOfMemory`]).
//!   On CUDA, transfers of at least [`PINNED_TRANSFER_MIN_BYTES`] go through two alternating
//!   pinned (page-locked) staging buffers per direction, so copies and host work overlap.
//! - Kernels (beside their host code, see Layout): `common.h` is the portability layer (qualifier macros; 256-bit carry
//!   chains as inline PTX under CUDA, portable C under OpenCL), one header per field (BN254 Fr and
//!   Fq, Goldilocks, BabyBear, M31) and the kernels written once against it: element-wise
//!   arithmetic ([`FieldOp`]) and the NTT (bit reversal, radix-2 stages in global memory, up to
//!   nine stages per pass in local/shared memory, coset and `1/n` scaling, batched columns).
//! - [`GpuBackend<R>`]: one zero-sized [`zkprove_poly::Backend`] generic over the runtime
//!   ([`CudaBackend`] = `GpuBackend<CudaDevice>`, [`OpenClBackend`] = `GpuBackend<ClDevice>`),
//!   whose columns are device buffers on the runtime's default device; every concept's GPU
//!   implementation is written once against it: [`zkprove_poly::ColumnOps`] (upload, download,
//!   ranges), [`zkprove_poly::PointwiseOps`], [`zkprove_poly::NttOps`] with the CPU backend's
//!   conventions, [`zkprove_curve::MsmOps`] for BN254 G1 and G2 ([`GpuBases`]: bases uploaded once
//!   and kept resident; Pippenger with signed digits, a counting sort by bucket, XYZZ bucket sums
//!   and split running-sum reductions on the device, from `msm/curve.h` + `msm/msm.cu`;
//!   an MSM reads its scalars in place from a device column and queues the read-back of its window
//!   sums), and zkprove-groth16's `Groth16Backend` (this crate depends on the protocol crates whose
//!   traits it implements, never the other way round). Failures reach callers as the backends'
//!   common [`zkprove_poly::DeviceError`] ([`device_error`]); a driver failure marks the device
//!   unhealthy for the process ([`unhealthy_reason`]). The MSM programs are named programs
//!   ([`ProgramSource`]), cached per device like the fields'.
//! - Kernel launches: [`Runtime::launch_raw`] is `unsafe` (untyped arguments); this crate's
//!   kernels are reached only through typed wrappers that check every buffer length first.
//! - Configuration: [`GpuConfig`], installed once by the binary ([`configure`]); the library reads
//!   no environment variable ([`GpuConfig::from_vars`] parses the `ZKPROVE_*` names the `zkprove`
//!   binary passes it). Device MSM phase profiles ([`GpuConfig::profile`]) are `tracing` events.
//! - [`zkprove_sumcheck::SumcheckOps`] for both backends (M31/QM31, BabyBear/BabyBear⁴,
//!   Goldilocks/Goldilocks², [`GpuExtension`]): MLE folds and one fused round kernel per round
//!   (`field/ext.h` + `sumcheck/sumcheck.cu`), and [`zkprove_hash::MerkleOps`] for the Poseidon2
//!   Merkle hash over device digest columns ([`digest_download`]).
//! - LogUp columns ([`logup_column`]): `1/(β − Σ_k γ_k·col_k)` over the same extensions, the
//!   denominators accumulated column by column and inverted by Montgomery's trick per chunk of
//!   [`LOGUP_CHUNK`] rows (`logup/logup.cu`, part of the sumcheck programs); a zero denominator
//!   is [`GpuError::ZeroDenominator`], as the CPU refuses it (`tests/logup_opencl.rs`). The
//!   device `AirOps::logup_column` below uses it, and through it the zkVM's shard LogUp columns
//!   (`zkprove_vm::logup::LogUpColumns::compute_on`, `bench vm --device`).
//! - `zkprove-air`'s [`zkprove_air::AirOps`] for both backends (`src/air/`, kernels in
//!   `air/air_ops.cu`, part of the sumcheck programs), so [`zkprove_air::AirProver::prove_on`]
//!   and `prove_tables_on` run on [`GpuBackend`] with the CPU's proofs, byte for byte
//!   (`tests/air_opencl.rs`: Fibonacci, range check by LogUp, Poseidon2, a multi-table bus
//!   proof). On the device: stacking, next-row columns, selectors, `eq` tables, LogUp columns and
//!   sums, linear (bus) columns, coordinates, dot products, the opening's shift kernel, outer
//!   product and stacked combination, scaling and the first product round; the only read-backs
//!   are their scalar results. Extension columns are [`GpuBuffer`]s of `E` ([`DeviceElem`]:
//!   `ColumnOps<E>` for QM31, BabyBear⁴ and Goldilocks²). The zerocheck round too
//!   ([`zerocheck_round`]: the AIR's [`zkprove_air::ConstraintProgram`] interpreted by
//!   `air/zerocheck.cu`, ≤ [`ZC_MAX_REGS`] registers). Still on the host: WHIR (each commitment
//!   downloads its stacked column, one whole-column download per commitment).
//! - Whole proofs in device memory (zkprove-groth16's generic proof on [`GpuBackend`]): [`GpuBases::msm_device`] reads
//!   its scalars in place from a device column (from an offset, so several MSMs share one upload
//!   of a witness), [`GpuBases::msm_enqueue`] queues an MSM with the read-back of its window sums
//!   right behind its kernels ([`GpuBuffer::download_enqueue`], [`Runtime::read_enqueue`]: into
//!   reused pinned memory on CUDA, a non-blocking read on OpenCL) and returns a [`PendingMsm`]
//!   whose `finish` waits for it, so several MSMs run back to back with one host wait, and work
//!   queued after them (the next proof) does not delay their results; [`CosetNtt`] moves columns from a domain to a coset (iNTT, `shiftⁱ/n`, NTT) with every
//!   table resident, and [`mul_sub_assign`] forms `a·b − c` in place. On that path the only
//!   transfers are the witness (up) and the MSMs' window sums (down): no `n`-sized array comes
//!   back. The kernels are queued on the device's one compute stream (queue) with one host wait
//!   per proof; on CUDA uploads go on the transfer stream.
//! - zkprove-ml's [`zkprove_ml::MlBackend`] for both backends (`src/ml.rs`): the zkML prover's
//!   weight commitment (row-major circle FFT, `circle_transpose` around the column FFTs, and the
//!   Poseidon2 Merkle tree) and its sumchecks on the device; its proofs are the CPU's bytes
//!   (`tests/ml_opencl.rs`).
//! - The M31 circle FFT ([`zkprove_poly::CircleFftOps`] and
//!   [`zkprove_poly::RowMajorCircleFftOps`] for both backends, [`circle_fft_batch_on`]
//!   for a batch of columns in one buffer, [`circle_lde_on`]): the CPU backend's conventions and
//!   results bit for bit (circle basis, natural or bit-reversed order, `1/n` in the inverse, any
//!   twin coset); its own named program [`CIRCLE_PROGRAM`] (the M31 field program +
//!   `circle/circle.cu`), twiddles built on the host from the domain and kept on the device per
//!   (domain, direction). Bad shapes are [`zkprove_poly::PolyError`]s, never panics.
//! - Several devices: [`DeviceSet`] holds every usable device of one runtime
//!   ([`DeviceSet::all`]). Throughput: [`DeviceSet::run`] runs one job on the least busy healthy
//!   device, given the device and its index, with that device as the thread's default device
//!   ([`with_default_device`]) so that [`GpuBackend`] code (a whole Groth16 proof) runs there:
//!   a service loads one prover per device (its key resident there, through
//!   [`DeviceSet::split`] with one part per device) and runs each proof as a job with the
//!   prover of the device it got (`tests/device_set_opencl.rs` does this); latency: [`DeviceSet::split`]
//!   runs one part per device on its own host thread, [`DeviceSet::split_bases`] /
//!   [`SplitBases::msm`] split one MSM (each device keeps a slice of the bases resident; the host
//!   adds the partial sums), [`DeviceSet::ntt_batch`] / [`DeviceSet::circle_fft_batch`] split a
//!   batch of host columns, [`DeviceSet::merkle_root`] a Poseidon2 Merkle tree (subtrees on the
//!   devices, the top joined on the host). A device failure (driver error, invalid read-back, out of memory)
//!   takes that device out of the set and the job or part runs again on another one; errors are
//!   [`DeviceSetError`]s naming the device. Per-device health is the set's own: the runtime-wide
//!   health of [`unhealthy_reason`] is for the zero-sized backends' default device.
//!
//! # Layout
//!
//! `src/runtime/` is what every concept runs on: the [`Runtime`] trait, [`GpuBuffer`], launches,
//! kernel arguments and named programs ([`ProgramSource`]) in `mod.rs`; the CUDA (`cuda.rs`,
//! `nvrtc.rs`) and OpenCL (`opencl.rs`) runtimes with their devices, streams and per-device
//! program caches; device discovery (`devices.rs`), [`GpuConfig`] (`config.rs`) and
//! [`GpuBackend`] with the [`zkprove_poly::DeviceError`] conversion and device health
//! (`backend.rs`). Each concept then has one folder with its host code beside its kernels:
//! `src/field/` (the field programs: `common.h`, one header per field, `ext.h`, `field_ops.cu`,
//! and the element-wise wrappers in `ops.rs`), `src/ntt/` (`ntt.cu`), `src/msm/` (`curve.h`,
//! `msm.cu`), `src/circle/` (`circle.cu`), `src/merkle/` (`poseidon2.cu`; `MerkleOps` in `ops.rs`), `src/sumcheck/`
//! (`sumcheck.cu`) and `src/groth16/` (the quotient and the CSR matrices, `csr.rs`, on the field
//! and NTT kernels). [`kernels`] embeds every `.cu`/`.h` file and names the kernel entry points.
//!
//! # Kernel build: NVRTC at runtime, cached per process
//!
//! Each field's program (constants generated from crates/field + headers + kernels) is compiled
//! the first time a device needs it and cached for the life of the process, per (device, field).
//! CUDA programs are compiled by NVRTC (loaded dynamically like the driver) straight to a CUBIN for
//! the device's own architecture (`sm_XY` from its compute capability). Chosen over shipping
//! ahead-of-time PTX/cubin because (1) nothing needs to be generated or committed at build time, so
//! `cargo build` needs no CUDA toolkit and the kernels cannot go stale; (2) a CUBIN for the exact
//! architecture avoids the driver's PTX JIT and the PTX-version trap (a newer NVRTC writes PTX an
//! older driver refuses); (3) it costs about 0.1–0.3 s once per field and process. The price is
//! that the GPU machine needs `libnvrtc` (part of every CUDA install, or `pip install
//! nvidia-cuda-nvrtc`). For machines with only the driver, CUBINs can be built ahead of time
//! anywhere (`cargo run -p zkprove-gpu --example build_cubins -- DIR sm_90`, NVRTC from PyPI) and
//! are loaded from [`GpuConfig::cubin_dir`] (the binary's `ZKPROVE_CUDA_CUBIN_DIR`, [`CUBIN_DIR_ENV`]) first; their file names carry a hash
//! of the program source ([`FieldKind::program_id`]), so a stale file is ignored. With neither, the
//! CUDA backend reports [`GpuError::NoNvrtc`]. OpenCL programs are built from the same source by
//! the OpenCL driver at runtime and cached the same way.
//!
//! # Tests without a GPU
//!
//! `tests/nvrtc.rs` compiles every program to PTX and to an `sm_90` CUBIN with NVRTC from PyPI and
//! prints registers and spills; `tests/opencl.rs` runs every kernel on PoCL (OpenCL on the CPU)
//! against crates/field and zkprove-poly's CPU backend; `tests/cuda.rs` runs the same differential
//! tests on a CUDA device and skips where there is none. The MSM has its own three:
//! `tests/nvrtc_msm.rs`, `tests/msm_opencl.rs` (against crates/curve's CPU MSM, sizes 0..2^12)
//! and `tests/msm_cuda.rs`. Poseidon2-16 (M31, BabyBear) and the Poseidon2 Merkle commit
//! ([`gpu_merkle_root`], `merkle/poseidon2.cu`) likewise: `tests/nvrtc_merkle.rs`,
//! `tests/merkle_opencl.rs` (against crates/hash) and `tests/merkle_cuda.rs`. The device pieces
//! of the Groth16 quotient and the MSMs over device-resident scalars: `tests/quotient_opencl.rs`.
//! Sumcheck: `tests/nvrtc_sumcheck.rs` (fails on spills), `tests/sumcheck_opencl.rs` (against
//! crates/sumcheck's CPU backend, whole proofs included) and `tests/sumcheck_cuda.rs`; GPU
//! `MerkleOps`: `tests/merkle_ops_opencl.rs`. `AirOps`: `tests/air_opencl.rs` and
//! `tests/air_cuda.rs` (`tests/air_common`: each operation against the CPU backend, then whole
//! AIR proofs compared with the CPU's), compiled by `tests/nvrtc_sumcheck.rs`. The circle FFT: `tests/nvrtc_circle.rs` (fails on
//! spills), `tests/circle_opencl.rs` (against the CPU backend and the O(n²) oracle, 2^1..2^16)
//! and `tests/circle_cuda.rs`. [`DeviceSet`]: `tests/device_set_opencl.rs`, run in CI with PoCL
//! exposing two devices (`POCL_DEVICES="pthread pthread"`) and `ZKPROVE_REQUIRE_DEVICES=2`, so that
//! one device fails the run instead of passing it; `tests/device_set_cuda.rs` on GPUs.

mod air;
mod circle;
mod device_set;
mod field;
mod groth16;
pub mod kernels;
mod logup;
mod merkle;
mod ml;
mod msm;
mod ntt;
mod runtime;
mod sumcheck;

// `zkprove_gpu::nvrtc` stays a public module under its old name.
#[cfg(feature = "cuda")]
pub use runtime::nvrtc;

#[cfg(feature = "cuda")]
pub use runtime::backend::CudaBackend;
#[cfg(feature = "opencl")]
pub use runtime::backend::OpenClBackend;
pub use runtime::backend::{DeviceElem, GpuBackend, device_error, unhealthy_reason};

/// Whether a CUDA device can be used: never in a build without the `cuda` feature.
#[cfg(not(feature = "cuda"))]
pub fn cuda_available() -> bool {
    false
}
pub use air::zerocheck::{ZC_MAX_REGS, zerocheck_round};
pub use circle::{CIRCLE_PROGRAM, circle_fft_batch_on, circle_lde_on, circle_program_source};
pub use device_set::{DeviceSet, DeviceSetError, SplitBases};
pub use field::ops::{FieldOp, batch_inverse, field_op, mul_sub_assign};
pub use field::{FieldKind, GpuField};
pub use groth16::DeviceMatrices;
pub use groth16::csr::GpuCsr;
pub use logup::{LOGUP_CHUNK, logup_column};
pub use merkle::ops::digest_download;
pub use merkle::{
    MERKLE_OUT, MERKLE_RATE, POSEIDON2_PROGRAMS, POSEIDON2_WIDTH, Poseidon2GpuField,
    gpu_merkle_layers, gpu_merkle_root, gpu_merkle_root_resident, gpu_poseidon2_permute,
    poseidon2_program_source,
};
pub use msm::{
    GpuBases, GpuCurve, MIN_CHUNK, MSM_PROGRAMS, PendingMsm, gpu_window_bits,
    max_precompute_levels, msm_program_source,
};
pub use ntt::{CosetNtt, ntt_batch_on};
pub use runtime::config::{
    AlreadyConfigured, ConfigVarError, GpuConfig, MsmAccumulate, config, configure,
};
#[cfg(feature = "cuda")]
pub use runtime::cuda::{
    CUBIN_DIR_ENV, CudaDevice, CudaReadback, DeviceBuffer, PINNED_TRANSFER_MIN_BYTES,
    cuda_available,
};
pub use runtime::devices::{DeviceInfo, GpuBackendKind, list_devices};
#[cfg(feature = "opencl")]
pub use runtime::opencl::{ClBuffer, ClDevice, ClReadback};
pub use runtime::{
    GpuBuffer, KernelArg, PendingDownload, ProgramSource, Runtime, ThreadDefault,
    with_default_device,
};
pub use sumcheck::{
    GpuExtension, SC_MAX_TABLES, SUMCHECK_PROGRAMS, ext_download, ext_upload,
    sumcheck_program_source,
};

/// Errors from the GPU runtime.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// No device of the requested kind (no driver library, no device, disabled by environment).
    #[error("no {backend} device found")]
    NoDevice {
        /// `"cuda"` or `"opencl"`.
        backend: &'static str,
    },
    /// A driver call failed.
    #[error("{backend} driver call {call} failed: {message}")]
    Driver {
        /// `"cuda"` or `"opencl"`.
        backend: &'static str,
        /// The API call or step that failed.
        call: String,
        /// The driver's error.
        message: String,
    },
    /// NVRTC (the CUDA runtime compiler) could not be loaded.
    #[error(
        "NVRTC (libnvrtc.so) not found: install the CUDA toolkit or `pip install nvidia-cuda-nvrtc` and add its lib directory to LD_LIBRARY_PATH"
    )]
    NoNvrtc,
    /// An NVRTC call other than the compilation itself failed.
    #[error("NVRTC call {call} failed: {code}")]
    Nvrtc {
        /// The API call.
        call: String,
        /// NVRTC's result code.
        code: String,
    },
    /// The device was marked unhealthy after a driver failure earlier in this process.
    #[error("{backend} device marked unhealthy after: {reason}")]
    Unhealthy {
        /// `"cuda"` or `"opencl"`.
        backend: &'static str,
        /// The failure that marked it.
        reason: String,
    },
    /// A kernel program did not compile.
    #[error("kernel compilation failed:\n{log}")]
    Compile {
        /// The compiler's log.
        log: String,
    },
    /// An allocation larger than the device's free memory.
    #[error("device out of memory: {requested} bytes requested, {free} bytes free")]
    OutOfMemory {
        /// Bytes asked for.
        requested: usize,
        /// Bytes free (CUDA) or the largest allocation allowed (OpenCL).
        free: usize,
    },
    /// Operands of different lengths.
    #[error("length mismatch: expected {expected}, got {got}")]
    LengthMismatch {
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A buffer from another device than the one running the operation.
    #[error("buffer belongs to another device")]
    WrongDevice,
    /// An element read back from the device that is not a valid representation.
    #[error("device returned an invalid field element at index {index}")]
    InvalidElement {
        /// Index of the first invalid element.
        index: usize,
    },
    /// A LogUp denominator `β − Σ γ_k·col_k` vanished on some row (the column would need its
    /// inverse): the caller draws new challenges or refuses the trace, as on the CPU.
    #[error("a LogUp denominator is zero")]
    ZeroDenominator,
    /// An operation or size this runtime does not support.
    #[error("unsupported: {what}")]
    Unsupported {
        /// What was asked.
        what: String,
    },
}
