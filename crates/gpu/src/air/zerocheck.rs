//! The AIR zerocheck round on the device: zkprove-air's `AirOps::zerocheck_round` for
//! [`GpuBackend`], by interpreting the AIR's constraint program
//! ([`zkprove_air::ConstraintProgram`]) in a kernel (`zerocheck.cu`, part of the pair's sumcheck
//! program).
//!
//! Per call:
//! 1. The program is recorded from the AIR (one `Air::eval` with the recording builder, plus the
//!    round's LogUp interactions) and encoded: two `u32` words per instruction and the constants
//!    (Poseidon2-16 over BabyBear: 2,813 instructions, 156 constants, ~23 KB; Fibonacci ~0.2 KB).
//!    It is uploaded per call, not cached: the trait's method has no per-proof state to hang a
//!    cache on, the AIR has no identity beyond its name and public values, and recording plus the
//!    upload are small next to a round over `2^k` rows (a cache keyed by the encoded words would
//!    save only the upload).
//! 2. The row tables are packed into one buffer (table `t` at `t·len`), and the LogUp columns
//!    into another, by device-side copies (`zc_pack`, one launch per table): a kernel takes a
//!    fixed argument list, and a device array of pointers is not portable (OpenCL 1.2 buffers
//!    have no device addresses). The copy reads and writes every live table entry once per round
//!    (the kernel then reads them `degree − 1` times): a backend that keeps its row tables packed
//!    (one stacked buffer, folded in place with a stride) would pass it directly.
//! 3. One launch of `zc_round_base` (round 1, base-field rows) or `zc_round_ext`: a grid-stride
//!    loop over the pairs, the program run at each point with its registers in private memory
//!    ([`ZC_MAX_REGS`]; a program needing more is refused with [`DeviceError::Unsupported`]
//!    naming the count), one partial per work-group and slot; then `zc_reduce` in one group and a
//!    download of `degree − 1 + 3` extension elements.
//!
//! The result is exactly the CPU's (`tests/zerocheck_common`): field arithmetic is exact, so the
//! program's order of operations and the device's summation order do not change the sums.

use std::sync::Arc;

use zkprove_air::{
    Air, AirShape, ConstraintProgram, Interaction, RowTables, ZerocheckChallenges, ZerocheckRound,
    ZerocheckSums,
};
use zkprove_poly::DeviceError;

use crate::runtime::{KernelArg, Launch, Runtime};
use crate::{GpuBackend, GpuBuffer, GpuError, GpuExtension, GpuField, device_error};
use crate::{ext_download, ext_upload};

/// Register file entries per work-item (`ZC_MAX_REGS` in `zerocheck.cu`): zkprove-air compiles
/// programs to fit [`zkprove_air::program::TARGET_REGS`] where it can (reloading columns rather
/// than holding them).
pub const ZC_MAX_REGS: usize = 64;

const _: () = assert!(ZC_MAX_REGS >= zkprove_air::program::TARGET_REGS);

/// Round slots: points plus `L(0), L(1), L(2)` (`ZC_MAX_SLOTS` in `zerocheck.cu`).
const ZC_MAX_SLOTS: usize = 16;

/// The largest work-group of the round kernels (`ZC_BLOCK` in `zerocheck.cu`).
const ZC_BLOCK: usize = 64;

/// At most this many work-groups per round launch (a grid-stride loop covers the rest).
const MAX_GROUPS: usize = 1024;

fn unsupported<R: Runtime>(what: String) -> DeviceError {
    DeviceError::Unsupported { backend: R::BACKEND, what }
}

fn u32_of(n: usize) -> Result<u32, GpuError> {
    u32::try_from(n)
        .map_err(|_| GpuError::Unsupported { what: format!("{n} ≥ 2^32 in a zerocheck launch") })
}

/// The first `n` tables (each of at least `len` entries of `words` base-field words) one after
/// the other, `len` entries each.
fn pack<R: Runtime, F: GpuField, E: GpuExtension<F>, T>(
    device: &Arc<R>,
    tables: &[GpuBuffer<R, T>],
    len: usize,
    words: usize,
) -> Result<GpuBuffer<R, T>, GpuError> {
    let total = tables.len() * len;
    u32_of(total * words)?;
    let out = GpuBuffer::<R, T>::zeroed_raw(device, total.max(1))?;
    let n = u32_of(len * words)?;
    for (t, table) in tables.iter().enumerate() {
        if !Arc::ptr_eq(table.device(), device) {
            return Err(GpuError::WrongDevice);
        }
        if table.len() < len {
            return Err(GpuError::LengthMismatch { expected: len, got: table.len() });
        }
        device.launch_program(
            E::SUMCHECK_PROGRAM,
            "zc_pack",
            &[
                KernelArg::Mem(table.mem()),
                KernelArg::Mem(out.mem()),
                KernelArg::U32(n),
                KernelArg::U32(u32_of(t * len * words)?),
            ],
            len * words,
            None,
        )?;
    }
    Ok(out)
}

fn upload_words<R: Runtime>(device: &Arc<R>, words: &[u32]) -> Result<GpuBuffer<R, u32>, GpuError> {
    let mut buf = GpuBuffer::<R, u32>::zeroed_raw(device, words.len().max(1))?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    buf.write_bytes(&bytes)?;
    Ok(buf)
}

/// The work-group size: `ZC_BLOCK`, or the device's largest power of two below it.
fn group_size<R: Runtime>(device: &R) -> usize {
    let m = device.max_group_size().clamp(1, ZC_BLOCK);
    1 << (usize::BITS - 1 - m.leading_zeros())
}

/// One zerocheck round on the device: exactly `<CpuBackend as AirOps>::zerocheck_round` (see the
/// module documentation), the method `AirOps::zerocheck_round` of [`GpuBackend`] delegates to.
///
/// # Errors
/// [`DeviceError::Unsupported`] for inputs the CPU refuses or would panic on (an eq table of the
/// wrong length, too few row or LogUp tables, too few `α` powers for the LogUp terms), a round
/// degree beyond `ZC_MAX_SLOTS − 2`, a program of more than [`ZC_MAX_REGS`] registers, tables on
/// another device; the runtime's errors.
pub fn zerocheck_round<R: Runtime, F: GpuField, E: GpuExtension<F>, A: Air<F> + ?Sized>(
    air: &A,
    shape: &AirShape,
    lookups: &[Interaction<F>],
    challenges: &ZerocheckChallenges<E>,
    round: ZerocheckRound<'_, GpuBackend<R>, F, E>,
) -> Result<ZerocheckSums<E>, DeviceError> {
    let len = round.len;
    let m = round.n_columns;
    if len < 2 || !len.is_power_of_two() {
        return Err(unsupported::<R>(format!("a zerocheck round over {len} entries")));
    }
    if round.eq.len() * 2 != len {
        return Err(unsupported::<R>(format!("eq table of {} for {len} rows", round.eq.len())));
    }
    if shape.n_columns != m {
        return Err(unsupported::<R>(format!("{m} columns for an AIR of {}", shape.n_columns)));
    }
    let n_points = round.degree.max(2) - 1;
    if n_points + 3 > ZC_MAX_SLOTS {
        return Err(unsupported::<R>(format!(
            "round degree {} (the device round takes at most {})",
            round.degree,
            ZC_MAX_SLOTS - 2
        )));
    }
    let n_rows = if round.uses_next { 2 * m + 2 } else { m + 2 };
    let n_rows_given = match round.rows {
        RowTables::Base(t) => t.len(),
        RowTables::Ext(t) => t.len(),
    };
    if n_rows_given < n_rows {
        return Err(unsupported::<R>(format!("{n_rows_given} row tables, {n_rows} needed")));
    }
    if round.ext.len() < lookups.len() {
        return Err(unsupported::<R>(format!(
            "{} LogUp columns for {} interactions",
            round.ext.len(),
            lookups.len()
        )));
    }
    if !lookups.is_empty() && challenges.alpha_pows.len() < shape.n_constraints + lookups.len() {
        return Err(unsupported::<R>(format!(
            "{} α powers for {} constraints and {} LogUp terms",
            challenges.alpha_pows.len(),
            shape.n_constraints,
            lookups.len()
        )));
    }
    let program = ConstraintProgram::record(air, shape, lookups, challenges.gamma_pows.len())
        .map_err(|e| unsupported::<R>(e.to_string()))?;
    let encoded = program.encode(round.uses_next).map_err(|e| unsupported::<R>(e.to_string()))?;
    // Every α index the program names: constraints k < n_constraints, LogUp terms K + t.
    let n_alpha = program.n_constraints().max(shape.n_constraints) + lookups.len();
    if encoded.n_regs > ZC_MAX_REGS {
        return Err(unsupported::<R>(format!(
            "a constraint program of {} registers (the device round holds {ZC_MAX_REGS})",
            encoded.n_regs
        )));
    }
    let sums =
        run::<R, F, E>(&round, n_rows, lookups.len(), n_points, challenges, &encoded, n_alpha)
            .map_err(device_error::<R>)?;
    let mut logup_part = [sums[n_points], sums[n_points + 1], sums[n_points + 2]];
    if !lookups.is_empty() && n_points < 2 {
        // As the CPU: L(2) = 2·L(1) − L(0), summed row by row there and here at once.
        logup_part[2] = logup_part[1].double() - logup_part[0];
    }
    Ok(ZerocheckSums { eq_part: sums[..n_points].to_vec(), logup_part })
}

/// Packs, uploads, launches and reduces: the `n_points + 3` slot sums.
fn run<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    round: &ZerocheckRound<'_, GpuBackend<R>, F, E>,
    n_rows: usize,
    n_lookups: usize,
    n_points: usize,
    ch: &ZerocheckChallenges<E>,
    encoded: &zkprove_air::EncodedProgram<F>,
    n_alpha: usize,
) -> Result<Vec<E>, GpuError> {
    let len = round.len;
    let half = len / 2;
    let device = round.eq.device();
    let e_words = E::DEGREE;
    // The row tables packed, and the round's kernel.
    let (rows_base, rows_ext, kernel) = match round.rows {
        RowTables::Base(t) => {
            (Some(pack::<R, F, E, F>(device, &t[..n_rows], len, 1)?), None, "zc_round_base")
        }
        RowTables::Ext(t) => {
            (None, Some(pack::<R, F, E, E>(device, &t[..n_rows], len, e_words)?), "zc_round_ext")
        }
    };
    let rows_mem = match (&rows_base, &rows_ext) {
        (Some(b), _) => b.mem(),
        (None, Some(e)) => e.mem(),
        (None, None) => return Err(GpuError::Unsupported { what: "no row tables".into() }),
    };
    let ext = if n_lookups > 0 {
        Some(pack::<R, F, E, E>(device, &round.ext[..n_lookups], len, e_words)?)
    } else {
        None
    };
    let code = upload_words(device, &encoded.words)?;
    let consts = if encoded.constants.is_empty() {
        GpuBuffer::<R, F>::zeros(device, 1)?
    } else {
        GpuBuffer::upload(device, &encoded.constants)?
    };
    // [β, γ…, α…], the α powers zero-padded to every index the program names (a constraint
    // beyond the given powers contributes nothing, as the CPU's zip).
    let mut chal = Vec::with_capacity(1 + ch.gamma_pows.len() + n_alpha);
    chal.push(ch.beta);
    chal.extend_from_slice(&ch.gamma_pows);
    let alpha_off = chal.len();
    chal.extend_from_slice(&ch.alpha_pows);
    chal.resize(alpha_off + n_alpha.max(ch.alpha_pows.len()), E::ZERO);
    let chal = ext_upload::<R, F, E>(device, &chal)?;
    if !Arc::ptr_eq(chal.device(), device) {
        return Err(GpuError::WrongDevice);
    }
    let block = group_size(&**device);
    let n_groups = half.div_ceil(block).clamp(1, MAX_GROUPS);
    let n_slots = n_points + 3;
    let partials = GpuBuffer::<R, E>::zeroed_raw(device, n_groups * n_slots)?;
    let ext_mem = ext.as_ref().map_or(round.eq.mem(), GpuBuffer::mem);
    let args = [
        KernelArg::Mem(rows_mem),
        KernelArg::U32(u32_of(len)?),
        KernelArg::Mem(ext_mem),
        KernelArg::U32(u32_of(if ext.is_some() { len } else { 0 })?),
        KernelArg::Mem(round.eq.mem()),
        KernelArg::Mem(code.mem()),
        KernelArg::Mem(consts.mem()),
        KernelArg::Mem(chal.mem()),
        KernelArg::Mem(partials.mem()),
        KernelArg::U32(u32_of(half)?),
        KernelArg::U32(u32_of(encoded.n_main)?),
        KernelArg::U32(u32_of(encoded.n_sum)?),
        KernelArg::U32(u32_of(n_points)?),
        KernelArg::U32(1),
        KernelArg::U32(u32_of(alpha_off)?),
        KernelArg::U32(u32_of(n_groups * block)?),
    ];
    device.launch_program(E::SUMCHECK_PROGRAM, kernel, &args, n_groups * block, Some(block))?;
    if n_groups == 1 {
        return ext_download::<R, F, E>(&partials, n_slots);
    }
    let out = GpuBuffer::<R, E>::zeroed_raw(device, n_slots)?;
    device.launch_program(
        E::SUMCHECK_PROGRAM,
        "zc_reduce",
        &[
            KernelArg::Mem(partials.mem()),
            KernelArg::Mem(out.mem()),
            KernelArg::U32(u32_of(n_groups)?),
            KernelArg::U32(u32_of(n_slots)?),
        ],
        block,
        Some(block),
    )?;
    ext_download::<R, F, E>(&out, n_slots)
}
