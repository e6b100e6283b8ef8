//! Poseidon2 (width 16, M31 and BabyBear) and Poseidon2 Merkle commitments on the device
//! (`kernels/poseidon2.cu`), equal to crates/hash's [`Poseidon2`] and
//! `Poseidon2Merkle<F, 16, 8, 8>`.
//!
//! The permutation's tables are generated into the program source from crates/hash's standard
//! instance ([`Poseidon2::m31_16`], [`Poseidon2::babybear_16`]): the S-box degree, the round counts
//! and the internal diagonal are read from it; its round constants, which crates/hash does not
//! expose, are drawn again from the Grain LFSR with the same seed (the procedure its
//! [`Poseidon2::new_grain`] documents). The differential tests (`tests/merkle_opencl.rs`) check
//! the result against crates/hash on random states.
//!
//! [`gpu_merkle_root`] uploads the rows, hashes them (one work-item per row: overwrite sponge of
//! rate 8, zero initial state, no padding, the first 8 cells as digest), then compresses layer by
//! layer (one launch per layer: `permute(left ‖ right)[0..8]`) and downloads the root.
//! [`gpu_merkle_root_resident`] does the same over rows already in device memory;
//! [`gpu_merkle_layers`] downloads every layer.
//!
//! Not done: a `MerkleOps` implementation for the GPU backends (their columns hold [`GpuField`]
//! elements, and a digest `[F; 8]` is not one, so crates/hash's trait does not fit unchanged).

use std::sync::Arc;

use core::fmt::Write as _;

use zkprove_field::PrimeField64;
use zkprove_field::babybear::BabyBear;
use zkprove_field::m31::M31;
use zkprove_hash::Poseidon2;

use crate::buffer::{KernelArg, ProgramSource, Runtime};
use crate::{FieldKind, GpuBuffer, GpuError, GpuField, kernels};

/// The permutation width.
pub const POSEIDON2_WIDTH: usize = 16;
/// The leaf sponge's rate (elements absorbed per permutation).
pub const MERKLE_RATE: usize = 8;
/// Elements per digest.
pub const MERKLE_OUT: usize = 8;

/// The Poseidon2 programs (M31, BabyBear), e.g. for building their CUBINs ahead of time.
pub const POSEIDON2_PROGRAMS: [ProgramSource; 2] = [M31::P2_PROGRAM, BabyBear::P2_PROGRAM];

mod sealed {
    pub trait Sealed {}
    impl Sealed for zkprove_field::m31::M31 {}
    impl Sealed for zkprove_field::babybear::BabyBear {}
}

/// A field with a device Poseidon2-16 program: M31 or BabyBear. Sealed.
pub trait Poseidon2GpuField: GpuField + PrimeField64 + sealed::Sealed {
    /// The field's Poseidon2 program.
    const P2_PROGRAM: ProgramSource;

    /// crates/hash's standard width-16 instance, which the device program computes.
    fn poseidon2() -> Poseidon2<Self, POSEIDON2_WIDTH>;
}

impl Poseidon2GpuField for M31 {
    const P2_PROGRAM: ProgramSource =
        ProgramSource { name: "poseidon2-m31-16", source: m31_source };

    fn poseidon2() -> Poseidon2<Self, POSEIDON2_WIDTH> {
        Poseidon2::m31_16()
    }
}

impl Poseidon2GpuField for BabyBear {
    const P2_PROGRAM: ProgramSource =
        ProgramSource { name: "poseidon2-babybear-16", source: babybear_source };

    fn poseidon2() -> Poseidon2<Self, POSEIDON2_WIDTH> {
        Poseidon2::babybear_16()
    }
}

fn m31_source() -> String {
    poseidon2_program_source::<M31>()
}

fn babybear_source() -> String {
    poseidon2_program_source::<BabyBear>()
}

/// The Grain LFSR of the Poseidon2 reference scripts (as crates/hash's `grain.rs`, which is
/// private there): an 80-bit register seeded with `(field_type, sbox, n, t, R_F, R_P)`, clocked
/// 160 times, then self-shrinking output.
struct Grain(u128);

impl Grain {
    fn new(n: u32, t: u32, r_f: u32, r_p: u32) -> Self {
        let fields = [(1u32, 2u32), (0, 4), (n, 12), (t, 12), (r_f, 10), (r_p, 10)];
        let mut state = 0u128;
        let mut pos = 0;
        for (value, width) in fields {
            for k in (0..width).rev() {
                state |= u128::from((value >> k) & 1) << pos;
                pos += 1;
            }
        }
        while pos < 80 {
            state |= 1u128 << pos;
            pos += 1;
        }
        let mut g = Self(state);
        for _ in 0..160 {
            g.clock();
        }
        g
    }

    fn clock(&mut self) -> u64 {
        let s = self.0;
        let bit = ((s >> 62) ^ (s >> 51) ^ (s >> 38) ^ (s >> 23) ^ (s >> 13) ^ s) & 1;
        self.0 = (s >> 1) | (bit << 79);
        bit as u64
    }

    fn next_bit(&mut self) -> u64 {
        loop {
            let a = self.clock();
            let b = self.clock();
            if a == 1 {
                return b;
            }
        }
    }

    fn next_below(&mut self, n: u32, modulus: u64) -> u64 {
        loop {
            let v = (0..n).fold(0u64, |acc, _| (acc << 1) | self.next_bit());
            if v < modulus {
                return v;
            }
        }
    }
}

/// An element's device representation (one 32-bit word for the 31-bit fields).
fn device_word<F: GpuField>(x: F) -> u32 {
    let bytes = F::as_bytes(core::slice::from_ref(&x));
    let mut w = [0u8; 4];
    for (d, s) in w.iter_mut().zip(bytes) {
        *d = *s;
    }
    u32::from_le_bytes(w)
}

fn c_array<F: GpuField>(name: &str, values: &[F]) -> String {
    let mut s = format!("CONSTANT fe {name}[{}] = {{", values.len());
    for (i, v) in values.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let nl = if i % 8 == 0 { "\n    " } else { " " };
        // Writing to a String cannot fail.
        let _ = write!(s, "{sep}{nl}0x{:08x}u", device_word(*v));
    }
    s.push_str("\n};\n");
    s
}

/// The complete Poseidon2 program of `F`: the field's program (common.h, the field header and its
/// kernels), the instance's parameters and tables, then `poseidon2.cu`. Compiled as CUDA (NVRTC)
/// and as OpenCL C.
pub fn poseidon2_program_source<F: Poseidon2GpuField>() -> String {
    let perm = F::poseidon2();
    let rf = perm.n_full_rounds();
    let rp = perm.n_partial_rounds();
    let mut grain = Grain::new(F::NUM_BITS, POSEIDON2_WIDTH as u32, rf as u32, rp as u32);
    let mut sample = || F::from_u64(grain.next_below(F::NUM_BITS, F::ORDER_U64));
    let mut ext: Vec<F> = (0..rf / 2 * POSEIDON2_WIDTH).map(|_| sample()).collect();
    let int: Vec<F> = (0..rp).map(|_| sample()).collect();
    ext.extend((0..rf / 2 * POSEIDON2_WIDTH).map(|_| sample()));
    let kind: FieldKind = F::KIND;
    let mut src = kind.program_source();
    let _ = writeln!(src, "\n// Generated by zkprove-gpu: Poseidon2-16 for {}", kind.name());
    let _ = writeln!(src, "#define P2_ALPHA {}", perm.sbox_degree());
    let _ = writeln!(src, "#define P2_RF_HALF {}", rf / 2);
    let _ = writeln!(src, "#define P2_RP {}", rp);
    src.push_str(&c_array("P2_RC_EXT", &ext));
    src.push_str(&c_array("P2_RC_INT", &int));
    src.push_str(&c_array("P2_DIAG", perm.internal_diag()));
    src.push_str(kernels::POSEIDON2_CU);
    src
}

fn to_u32(n: usize, what: &str) -> Result<u32, GpuError> {
    u32::try_from(n).map_err(|_| GpuError::Unsupported { what: format!("{what} {n} ≥ 2^32") })
}

/// Applies crates/hash's Poseidon2-16 of `F` to each state on the device.
///
/// # Errors
/// The runtime's errors ([`GpuError::Compile`], [`GpuError::OutOfMemory`], ...).
pub fn gpu_poseidon2_permute<R: Runtime, F: Poseidon2GpuField>(
    device: &Arc<R>,
    states: &[[F; POSEIDON2_WIDTH]],
) -> Result<Vec<[F; POSEIDON2_WIDTH]>, GpuError> {
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let n = to_u32(states.len(), "state count")?;
    let flat: Vec<F> = states.iter().flatten().copied().collect();
    let buf = GpuBuffer::upload(device, &flat)?;
    device.launch_program(
        F::P2_PROGRAM,
        "p2_permute_kernel",
        &[KernelArg::Mem(buf.mem()), KernelArg::U32(n)],
        states.len(),
        None,
    )?;
    let out = buf.download()?;
    Ok(out.chunks_exact(POSEIDON2_WIDTH).map(|c| core::array::from_fn(|i| c[i])).collect())
}

/// Checks the shape of a commitment: `row_len > 0` dividing `rows.len()`, a power-of-two number
/// of rows below 2^32 (`len` elements in all). Returns the number of rows.
fn check_shape(len: usize, row_len: usize) -> Result<usize, GpuError> {
    if row_len == 0 || !len.is_multiple_of(row_len) {
        return Err(GpuError::Unsupported { what: format!("{len} elements in rows of {row_len}") });
    }
    let n = len / row_len;
    if !n.is_power_of_two() {
        return Err(GpuError::Unsupported {
            what: format!("Merkle tree over {n} rows (a positive power of two is required)"),
        });
    }
    to_u32(n, "row count")?;
    to_u32(row_len, "row length")?;
    Ok(n)
}

/// Builds the tree over the rows resident in `rows`, handing each layer's buffer (leaves first)
/// to `visit`.
fn build<R: Runtime, F: Poseidon2GpuField>(
    rows: &GpuBuffer<R, F>,
    row_len: usize,
    mut visit: impl FnMut(&GpuBuffer<R, F>) -> Result<(), GpuError>,
) -> Result<GpuBuffer<R, F>, GpuError> {
    let n = check_shape(rows.len(), row_len)?;
    let device = rows.device();
    let mut layer = GpuBuffer::<R, F>::zeros(device, n * MERKLE_OUT)?;
    device.launch_program(
        F::P2_PROGRAM,
        "p2_hash_rows",
        &[
            KernelArg::Mem(rows.mem()),
            KernelArg::Mem(layer.mem()),
            KernelArg::U32(to_u32(n, "row count")?),
            KernelArg::U32(to_u32(row_len, "row length")?),
        ],
        n,
        None,
    )?;
    visit(&layer)?;
    let mut width = n;
    while width > 1 {
        width /= 2;
        let next = GpuBuffer::<R, F>::zeros(device, width * MERKLE_OUT)?;
        device.launch_program(
            F::P2_PROGRAM,
            "p2_compress",
            &[
                KernelArg::Mem(layer.mem()),
                KernelArg::Mem(next.mem()),
                KernelArg::U32(to_u32(width, "layer width")?),
            ],
            width,
            None,
        )?;
        layer = next;
        visit(&layer)?;
    }
    Ok(layer)
}

fn digests<F: Copy>(flat: &[F]) -> Vec<[F; MERKLE_OUT]> {
    flat.chunks_exact(MERKLE_OUT).map(|c| core::array::from_fn(|i| c[i])).collect()
}

/// The root of the Merkle tree over the row-major `rows` (`row_len` elements per row), equal to
/// `MerkleTree::commit(Poseidon2Merkle::<F, 16, 8, 8>::new(perm)?, rows, row_len)?.root()` with
/// crates/hash's standard instance.
///
/// # Errors
/// [`GpuError::Unsupported`] when `row_len` is zero or does not divide `rows.len()`, or the row
/// count is not a power of two (or not below 2^32); the runtime's errors.
pub fn gpu_merkle_root<R: Runtime, F: Poseidon2GpuField>(
    device: &Arc<R>,
    rows: &[F],
    row_len: usize,
) -> Result<[F; MERKLE_OUT], GpuError> {
    check_shape(rows.len(), row_len)?;
    gpu_merkle_root_resident(&GpuBuffer::upload(device, rows)?, row_len)
}

/// [`gpu_merkle_root`] over rows already in device memory (row-major, `row_len` elements per
/// row), e.g. a prover's committed table: nothing is uploaded, only the root is downloaded.
///
/// # Errors
/// As [`gpu_merkle_root`].
pub fn gpu_merkle_root_resident<R: Runtime, F: Poseidon2GpuField>(
    rows: &GpuBuffer<R, F>,
    row_len: usize,
) -> Result<[F; MERKLE_OUT], GpuError> {
    let root = build(rows, row_len, |_| Ok(()))?.download()?;
    digests(&root)
        .first()
        .copied()
        .ok_or(GpuError::LengthMismatch { expected: MERKLE_OUT, got: root.len() })
}

/// Every layer of the tree of [`gpu_merkle_root`], leaves first, root last (downloaded after each
/// launch).
///
/// # Errors
/// As [`gpu_merkle_root`].
pub fn gpu_merkle_layers<R: Runtime, F: Poseidon2GpuField>(
    device: &Arc<R>,
    rows: &[F],
    row_len: usize,
) -> Result<Vec<Vec<[F; MERKLE_OUT]>>, GpuError> {
    check_shape(rows.len(), row_len)?;
    let rows = GpuBuffer::upload(device, rows)?;
    let mut layers = Vec::new();
    build(&rows, row_len, |layer| {
        layers.push(digests(&layer.download()?));
        Ok(())
    })?;
    Ok(layers)
}
