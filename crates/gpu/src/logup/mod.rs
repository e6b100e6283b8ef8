//! LogUp columns on the device: `h[i] = 1/(β − Σ_k γ_k·col_k[i])` over an extension `E` of the
//! device field `F`, the lookup/permutation columns of the AIR prover (`zkprove-air`'s
//! `AirOps::logup_column`) and of the zkVM's LogUp tables, with the inversions batched by
//! Montgomery's trick as on the CPU (`zkprove_field::batch_inverse`).
//!
//! Kernels (`logup.cu`, part of the pair's sumcheck program): `air_logup_accumulate` once per
//! tuple position (the denominators, column by column, so a tuple may have any width), then
//! `air_ext_batch_inverse` with [`LOGUP_CHUNK`] rows per work-item — one extension inversion
//! (Fermat, `x^(|E| − 2)`) per chunk and three extension products per row. The only read-back
//! is one word: whether a denominator was zero, which the CPU refuses too.

use crate::runtime::{KernelArg, Launch, Runtime};
use crate::sumcheck::ext_words;
use crate::{GpuBuffer, GpuError, GpuExtension, GpuField};

/// Rows per work-item of the batch inversion: one inversion (~190 extension products for a
/// 124–128-bit exponent) amortized over this many rows.
pub const LOGUP_CHUNK: usize = 64;

fn n_u32(n: usize) -> Result<u32, GpuError> {
    u32::try_from(n)
        .map_err(|_| GpuError::Unsupported { what: format!("{n} rows (max 2^32 − 1)") })
}

/// `h[i] = 1/(β − Σ_k gamma_pows[k]·columns[k][i])` for every row `i`, on the columns' device
/// (the CPU's `logup_column` contract: `columns` and `gamma_pows` are zipped, so `gamma_pows[0]`
/// is usually 1).
///
/// # Errors
/// [`GpuError::ZeroDenominator`] when some row's denominator is zero (no column is returned);
/// [`GpuError::Unsupported`] without columns, or for fewer powers than columns;
/// [`GpuError::LengthMismatch`] for columns of different lengths; [`GpuError::WrongDevice`];
/// the runtime's errors.
pub fn logup_column<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    columns: &[&GpuBuffer<R, F>],
    beta: E,
    gamma_pows: &[E],
) -> Result<GpuBuffer<R, E>, GpuError> {
    let Some(first) = columns.first() else {
        return Err(GpuError::Unsupported { what: "a LogUp column of no tuple columns".into() });
    };
    if gamma_pows.len() < columns.len() {
        return Err(GpuError::Unsupported {
            what: format!(
                "{} tuple columns but {} challenge powers",
                columns.len(),
                gamma_pows.len()
            ),
        });
    }
    let (device, n) = (first.device(), first.len());
    for c in columns {
        if c.len() != n {
            return Err(GpuError::LengthMismatch { expected: n, got: c.len() });
        }
        if !std::sync::Arc::ptr_eq(c.device(), device) {
            return Err(GpuError::WrongDevice);
        }
    }
    let out = GpuBuffer::<R, E>::zeroed_raw(device, n)?;
    if n == 0 {
        return Ok(out);
    }
    let rows = n_u32(n)?;
    let denominators = GpuBuffer::<R, E>::zeroed_raw(device, n)?;
    let [b0, b1, b2, b3] = ext_words::<F, E>(beta);
    for (k, (c, &g)) in columns.iter().zip(gamma_pows).enumerate() {
        let [g0, g1, g2, g3] = ext_words::<F, E>(g);
        let args = [
            KernelArg::Mem(c.mem()),
            KernelArg::Mem(denominators.mem()),
            KernelArg::U32(rows),
            KernelArg::U32(u32::from(k == 0)),
            KernelArg::U32(b0),
            KernelArg::U32(b1),
            KernelArg::U32(b2),
            KernelArg::U32(b3),
            KernelArg::U32(g0),
            KernelArg::U32(g1),
            KernelArg::U32(g2),
            KernelArg::U32(g3),
        ];
        device.launch_program(E::SUMCHECK_PROGRAM, "air_logup_accumulate", &args, n, None)?;
    }
    let e = E::inverse_exponent();
    let words = [e as u32, (e >> 32) as u32, (e >> 64) as u32, (e >> 96) as u32];
    let mut zero_found = GpuBuffer::<R, u32>::zeroed_raw(device, 1)?;
    zero_found.write_bytes(&0u32.to_le_bytes())?;
    let args = [
        KernelArg::Mem(denominators.mem()),
        KernelArg::Mem(out.mem()),
        KernelArg::U32(rows),
        KernelArg::U32(n_u32(LOGUP_CHUNK)?),
        KernelArg::U32(words[0]),
        KernelArg::U32(words[1]),
        KernelArg::U32(words[2]),
        KernelArg::U32(words[3]),
        KernelArg::Mem(zero_found.mem()),
    ];
    device.launch_program(
        E::SUMCHECK_PROGRAM,
        "air_ext_batch_inverse",
        &args,
        n.div_ceil(LOGUP_CHUNK),
        None,
    )?;
    let flag = zero_found.read_bytes(1)?;
    if flag.iter().any(|&b| b != 0) {
        return Err(GpuError::ZeroDenominator);
    }
    Ok(out)
}
