//! The AIR prover on the device: `zkprove-air`'s [`AirOps`] for [`GpuBackend`] (CUDA and
//! OpenCL), over the field pairs of [`GpuExtension`] (M31/QM31, BabyBear/BabyBear⁴,
//! Goldilocks/Goldilocks²). The CPU backend's `impl AirOps for CpuBackend` is the specification:
//! every operation gives its results bit for bit (`tests/air_common`).
//!
//! Every operation runs as kernels of `air_ops.cu` (beside this file, part of the pair's
//! sumcheck program) on device columns; the only read-backs are the scalar results of
//! [`AirOps::logup_sum`], [`AirOps::dot`] and [`AirOps::product_round_base`] (one download of one
//! or two extension elements each, after the sumcheck's `sc_reduce` of the per-group partials).
//! Scalars go to the kernels as arguments; the weights of
//! [`AirOps::outer_product`] and [`AirOps::combine_stacked`] as one small parameter buffer.
//! [`AirOps::logup_column`] is [`crate::logup_column`] (one read-back of its zero flag).
//!
//! [`AirOps::zerocheck_round`] is [`zerocheck::zerocheck_round`]: the AIR's constraints recorded
//! once as a [`zkprove_air::ConstraintProgram`] and interpreted by `zerocheck.cu` on the device
//! (the round's sums are the only read-back).
//!
//! Shapes the CPU would index out of bounds (columns shorter than the rows asked for, too many
//! columns for a stack, a dot of different lengths) are [`DeviceError`]s, never panics.

pub(crate) mod zerocheck;

use std::sync::Arc;

use zkprove_air::{
    Air, AirError, AirOps, AirShape, Interaction, LinearExpr, ZerocheckChallenges, ZerocheckRound,
    ZerocheckSums,
};
use zkprove_poly::DeviceError;

use crate::runtime::{KernelArg, Launch, Runtime};
use crate::sumcheck::{ext_words, geometry, reduce_partials, u32_of, upload_words};
use crate::{GpuBackend, GpuBuffer, GpuError, GpuExtension, GpuField, device_error};

/// The four argument words of a base-field scalar (its embedding in `E`: `air_base_from_words`
/// reads the first coefficient).
fn base_words<F: GpuField, E: GpuExtension<F>>(c: F) -> [u32; 4] {
    ext_words::<F, E>(E::from(c))
}

/// The argument words of extension scalars, one after the other (a parameter buffer).
fn ext_param_words<F: GpuField, E: GpuExtension<F>>(xs: &[E]) -> Vec<u32> {
    xs.iter().flat_map(|&x| ext_words::<F, E>(x)).collect()
}

/// `Err` unless every buffer lives on `device`.
fn same_device<R: Runtime, T>(device: &Arc<R>, bufs: &[&GpuBuffer<R, T>]) -> Result<(), GpuError> {
    if bufs.iter().all(|b| Arc::ptr_eq(b.device(), device)) {
        Ok(())
    } else {
        Err(GpuError::WrongDevice)
    }
}

/// A launch of kernel `kernel` of the pair's program over `global` work-items.
fn launch<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    device: &Arc<R>,
    kernel: &'static str,
    args: &[KernelArg<'_, R::Mem>],
    global: usize,
    local: Option<usize>,
) -> Result<(), GpuError> {
    device.launch_program(E::SUMCHECK_PROGRAM, kernel, args, global, local)
}

/// The device of the first buffer, or the runtime's default device without buffers; every
/// buffer must be on it.
fn device_of<R: Runtime, T>(bufs: &[&GpuBuffer<R, T>]) -> Result<Arc<R>, GpuError> {
    let device = match bufs.first() {
        Some(b) => b.device().clone(),
        None => R::default_device()?,
    };
    same_device(&device, bufs)?;
    Ok(device)
}

fn stack<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    columns: &[&GpuBuffer<R, F>],
    log_cols: usize,
) -> Result<GpuBuffer<R, F>, GpuError> {
    let rows = columns.first().map_or(0, |c| c.len());
    let n_cols = u32::try_from(log_cols).ok().and_then(|l| 1usize.checked_shl(l));
    let bad = || GpuError::Unsupported {
        what: format!("stacking {} columns of {rows} into 2^{log_cols}", columns.len()),
    };
    let n_cols = n_cols.ok_or_else(bad)?;
    if columns.len() > n_cols || columns.iter().any(|c| c.len() != rows) {
        return Err(bad());
    }
    let total = rows.checked_mul(n_cols).ok_or_else(bad)?;
    u32_of(total)?;
    let device = device_of(columns)?;
    let out = GpuBuffer::<R, F>::zeroed_raw(&device, total)?;
    if rows == 0 {
        return Ok(out);
    }
    for (j, c) in columns.iter().enumerate() {
        let args = [
            KernelArg::Mem(c.mem()),
            KernelArg::Mem(out.mem()),
            KernelArg::U32(u32_of(j * rows)?),
            KernelArg::U32(u32_of(rows)?),
        ];
        launch::<R, F, E>(&device, "air_copy", &args, rows, None)?;
    }
    Ok(out)
}

fn next_rows<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    column: &GpuBuffer<R, F>,
) -> Result<GpuBuffer<R, F>, GpuError> {
    let n = column.len();
    let device = column.device();
    let out = GpuBuffer::<R, F>::zeroed_raw(device, n)?;
    if n > 0 {
        let args =
            [KernelArg::Mem(column.mem()), KernelArg::Mem(out.mem()), KernelArg::U32(u32_of(n)?)];
        launch::<R, F, E>(device, "air_rotate", &args, n, None)?;
    }
    Ok(out)
}

fn row_selector<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    len: usize,
    row: usize,
) -> Result<GpuBuffer<R, F>, GpuError> {
    if row >= len {
        return Err(GpuError::Unsupported { what: format!("row {row} of {len}") });
    }
    u32_of(len)?;
    let device = R::default_device()?;
    let out = GpuBuffer::<R, F>::zeroed_raw(&device, len)?;
    let args = [KernelArg::Mem(out.mem()), KernelArg::U32(u32_of(row)?)];
    launch::<R, F, E>(&device, "air_set_one", &args, 1, None)?;
    Ok(out)
}

/// `eq(point, ·)`: a one at entry 0, then the variables from the last (the lowest index bit, as
/// `zkprove_poly::eq_table` orders them) to the first, each doubling the table in place.
fn eq_table<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    point: &[E],
) -> Result<GpuBuffer<R, E>, GpuError> {
    let n = u32::try_from(point.len())
        .ok()
        .and_then(|l| 1usize.checked_shl(l))
        .filter(|&n| u32::try_from(n).is_ok())
        .ok_or_else(|| GpuError::Unsupported {
            what: format!("an eq table of {} variables", point.len()),
        })?;
    let device = R::default_device()?;
    let out = GpuBuffer::<R, E>::zeroed_raw(&device, n)?;
    let args = [KernelArg::Mem(out.mem()), KernelArg::U32(0)];
    launch::<R, F, E>(&device, "air_ext_set_one", &args, 1, None)?;
    let mut size = 1usize;
    for &r in point.iter().rev() {
        let [r0, r1, r2, r3] = ext_words::<F, E>(r);
        let args = [
            KernelArg::Mem(out.mem()),
            KernelArg::U32(u32_of(size)?),
            KernelArg::U32(r0),
            KernelArg::U32(r1),
            KernelArg::U32(r2),
            KernelArg::U32(r3),
        ];
        launch::<R, F, E>(&device, "air_eq_expand", &args, size, None)?;
        size *= 2;
    }
    Ok(out)
}

/// The CPU's `logup_column` contract: `columns` and `gamma_pows` zipped (extra columns ignored),
/// rows from the first column; no columns give an empty column.
fn logup_column<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    columns: &[&GpuBuffer<R, F>],
    beta: E,
    gamma_pows: &[E],
) -> Result<GpuBuffer<R, E>, AirError> {
    let Some(first) = columns.first() else {
        let device = R::default_device().map_err(device_error::<R>)?;
        return Ok(GpuBuffer::<R, E>::zeroed_raw(&device, 0).map_err(device_error::<R>)?);
    };
    let k = columns.len().min(gamma_pows.len());
    let result = if k == 0 {
        // `h = 1/β` on every row: the first column with a zero coefficient.
        crate::logup_column::<R, F, E>(&[first], beta, &[E::ZERO])
    } else {
        crate::logup_column::<R, F, E>(&columns[..k], beta, &gamma_pows[..k])
    };
    result.map_err(|e| match e {
        GpuError::ZeroDenominator => AirError::LogUpDenominatorZero,
        e => AirError::Device(device_error::<R>(e)),
    })
}

/// One extension value (or two): the partials of `n_groups` groups summed and read back.
fn read_sums<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    device: &Arc<R>,
    partials: &GpuBuffer<R, E>,
    n_groups: usize,
    slots: usize,
    block: usize,
) -> Result<Vec<E>, GpuError> {
    let sums = reduce_partials::<R, F, E>(device, partials, n_groups, slots, block)?;
    if sums.len() != slots {
        return Err(GpuError::LengthMismatch { expected: slots, got: sums.len() });
    }
    Ok(sums)
}

fn logup_sum<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    h: &[GpuBuffer<R, E>],
    multiplicities: &[Option<&GpuBuffer<R, F>>],
    negate: &[bool],
) -> Result<E, GpuError> {
    let n_terms = h.len().min(multiplicities.len()).min(negate.len());
    let Some(first) = h.first() else { return Ok(E::ZERO) };
    let rows = first.len();
    if n_terms == 0 || rows == 0 {
        return Ok(E::ZERO);
    }
    let device = first.device().clone();
    for (t, (ht, mt)) in h.iter().zip(multiplicities).take(n_terms).enumerate() {
        let m_len = mt.map_or(rows, |m| m.len());
        if ht.len() < rows || m_len < rows {
            return Err(GpuError::Unsupported {
                what: format!("LogUp term {t}: columns shorter than {rows} rows"),
            });
        }
        same_device(&device, &[ht])?;
        if let Some(m) = mt {
            same_device(&device, &[*m])?;
        }
    }
    let n = u32_of(rows)?;
    let (n_groups, block) = geometry(&*device, rows);
    let partials = GpuBuffer::<R, E>::zeroed_raw(&device, n_groups)?;
    for (t, ((ht, mt), &neg)) in h.iter().zip(multiplicities).zip(negate).take(n_terms).enumerate()
    {
        let m_mem = mt.map_or(ht.mem(), |m| m.mem());
        let args = [
            KernelArg::Mem(ht.mem()),
            KernelArg::Mem(m_mem),
            KernelArg::Mem(partials.mem()),
            KernelArg::U32(n),
            KernelArg::U32(u32::from(mt.is_some())),
            KernelArg::U32(u32::from(neg)),
            KernelArg::U32(u32::from(t == 0)),
            KernelArg::U32(u32_of(n_groups * block)?),
        ];
        launch::<R, F, E>(&device, "air_logup_sum_term", &args, n_groups * block, Some(block))?;
    }
    Ok(read_sums::<R, F, E>(&device, &partials, n_groups, 1, block)?[0])
}

fn linear_column<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    columns: &[GpuBuffer<R, F>],
    expr: &LinearExpr<F>,
    rows: usize,
) -> Result<GpuBuffer<R, F>, GpuError> {
    for &(j, _) in &expr.terms {
        let Some(c) = columns.get(j) else {
            return Err(GpuError::Unsupported { what: format!("column {j} of {}", columns.len()) });
        };
        if c.len() < rows {
            return Err(GpuError::Unsupported {
                what: format!("{rows} rows of column {j} of {} entries", c.len()),
            });
        }
    }
    let refs: Vec<&GpuBuffer<R, F>> = columns.iter().collect();
    let device = device_of(&refs)?;
    let n = u32_of(rows)?;
    let out = GpuBuffer::<R, F>::zeroed_raw(&device, rows)?;
    if rows == 0 {
        return Ok(out);
    }
    let [c0, c1, _, _] = base_words::<F, E>(expr.constant);
    let args =
        [KernelArg::Mem(out.mem()), KernelArg::U32(n), KernelArg::U32(c0), KernelArg::U32(c1)];
    launch::<R, F, E>(&device, "air_linear_fill", &args, rows, None)?;
    for &(j, c) in &expr.terms {
        let [c0, c1, _, _] = base_words::<F, E>(c);
        let args = [
            KernelArg::Mem(out.mem()),
            KernelArg::Mem(columns[j].mem()),
            KernelArg::U32(n),
            KernelArg::U32(c0),
            KernelArg::U32(c1),
        ];
        launch::<R, F, E>(&device, "air_linear_axpy", &args, rows, None)?;
    }
    Ok(out)
}

fn coordinates<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    column: &GpuBuffer<R, E>,
) -> Result<Vec<GpuBuffer<R, F>>, GpuError> {
    let n = column.len();
    let device = column.device();
    let rows = u32_of(n)?;
    (0..E::DEGREE)
        .map(|k| {
            let out = GpuBuffer::<R, F>::zeroed_raw(device, n)?;
            if n > 0 {
                let args = [
                    KernelArg::Mem(column.mem()),
                    KernelArg::Mem(out.mem()),
                    KernelArg::U32(rows),
                    KernelArg::U32(u32_of(k)?),
                ];
                launch::<R, F, E>(device, "air_coordinate", &args, n, None)?;
            }
            Ok(out)
        })
        .collect()
}

fn dot<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    a: &GpuBuffer<R, E>,
    b: &GpuBuffer<R, F>,
) -> Result<E, GpuError> {
    if a.len() != b.len() {
        return Err(GpuError::Unsupported {
            what: format!("dot of {} and {} entries", a.len(), b.len()),
        });
    }
    let device = a.device().clone();
    same_device(&device, &[b])?;
    let n = a.len();
    if n == 0 {
        return Ok(E::ZERO);
    }
    let (n_groups, block) = geometry(&*device, n);
    let partials = GpuBuffer::<R, E>::zeroed_raw(&device, n_groups)?;
    let args = [
        KernelArg::Mem(a.mem()),
        KernelArg::Mem(b.mem()),
        KernelArg::Mem(partials.mem()),
        KernelArg::U32(u32_of(n)?),
        KernelArg::U32(u32_of(n_groups * block)?),
    ];
    launch::<R, F, E>(&device, "air_dot", &args, n_groups * block, Some(block))?;
    Ok(read_sums::<R, F, E>(&device, &partials, n_groups, 1, block)?[0])
}

fn shift_kernel<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    eq_r: &GpuBuffer<R, E>,
    mu: E,
) -> Result<GpuBuffer<R, E>, GpuError> {
    let n = eq_r.len();
    let device = eq_r.device();
    let out = GpuBuffer::<R, E>::zeroed_raw(device, n)?;
    if n > 0 {
        let [m0, m1, m2, m3] = ext_words::<F, E>(mu);
        let args = [
            KernelArg::Mem(eq_r.mem()),
            KernelArg::Mem(out.mem()),
            KernelArg::U32(u32_of(n)?),
            KernelArg::U32(m0),
            KernelArg::U32(m1),
            KernelArg::U32(m2),
            KernelArg::U32(m3),
        ];
        launch::<R, F, E>(device, "air_shift_kernel", &args, n, None)?;
    }
    Ok(out)
}

fn outer_product<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    eq_s: &[E],
    kernel: &GpuBuffer<R, E>,
) -> Result<GpuBuffer<R, E>, GpuError> {
    let rows = kernel.len();
    let device = kernel.device();
    let total = eq_s.len().checked_mul(rows).ok_or_else(|| GpuError::Unsupported {
        what: format!("an outer product of {} by {rows}", eq_s.len()),
    })?;
    let n = u32_of(total)?;
    let out = GpuBuffer::<R, E>::zeroed_raw(device, total)?;
    if total == 0 {
        return Ok(out);
    }
    let params = upload_words(device, &ext_param_words::<F, E>(eq_s))?;
    let args = [
        KernelArg::Mem(kernel.mem()),
        KernelArg::Mem(params.mem()),
        KernelArg::Mem(out.mem()),
        KernelArg::U32(u32_of(rows)?),
        KernelArg::U32(n),
    ];
    launch::<R, F, E>(device, "air_outer_product", &args, total, None)?;
    Ok(out)
}

fn combine_stacked<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    stacked: &GpuBuffer<R, F>,
    weights: &[E],
    rows: usize,
) -> Result<GpuBuffer<R, E>, GpuError> {
    let need = weights.len().checked_mul(rows);
    if need.is_none_or(|need| stacked.len() < need) {
        return Err(GpuError::Unsupported {
            what: format!("{} columns of {rows} in a stack of {}", weights.len(), stacked.len()),
        });
    }
    let device = stacked.device();
    let n = u32_of(rows)?;
    u32_of(stacked.len())?;
    let out = GpuBuffer::<R, E>::zeroed_raw(device, rows)?;
    if rows == 0 || weights.is_empty() {
        return Ok(out);
    }
    let params = upload_words(device, &ext_param_words::<F, E>(weights))?;
    let args = [
        KernelArg::Mem(stacked.mem()),
        KernelArg::Mem(params.mem()),
        KernelArg::Mem(out.mem()),
        KernelArg::U32(n),
        KernelArg::U32(u32_of(weights.len())?),
    ];
    launch::<R, F, E>(device, "air_combine_stacked", &args, rows, None)?;
    Ok(out)
}

fn scale<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    column: &mut GpuBuffer<R, E>,
    s: E,
) -> Result<(), GpuError> {
    let n = column.len();
    if n == 0 {
        return Ok(());
    }
    let [s0, s1, s2, s3] = ext_words::<F, E>(s);
    let args = [
        KernelArg::Mem(column.mem()),
        KernelArg::U32(u32_of(n)?),
        KernelArg::U32(s0),
        KernelArg::U32(s1),
        KernelArg::U32(s2),
        KernelArg::U32(s3),
    ];
    launch::<R, F, E>(column.device(), "air_scale", &args, n, None)
}

fn product_round_base<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    p: &GpuBuffer<R, F>,
    w: &GpuBuffer<R, E>,
) -> Result<(E, E), GpuError> {
    if p.len() != w.len() || p.len() < 2 {
        return Err(GpuError::Unsupported {
            what: format!("product of {} and {} entries", p.len(), w.len()),
        });
    }
    let device = p.device().clone();
    same_device(&device, &[w])?;
    u32_of(p.len())?;
    let half = p.len() / 2;
    let (n_groups, block) = geometry(&*device, half);
    let partials = GpuBuffer::<R, E>::zeroed_raw(&device, 2 * n_groups)?;
    let args = [
        KernelArg::Mem(p.mem()),
        KernelArg::Mem(w.mem()),
        KernelArg::Mem(partials.mem()),
        KernelArg::U32(u32_of(half)?),
        KernelArg::U32(u32_of(n_groups * block)?),
    ];
    launch::<R, F, E>(&device, "air_product_round_base", &args, n_groups * block, Some(block))?;
    let s = read_sums::<R, F, E>(&device, &partials, n_groups, 2, block)?;
    Ok((s[0], s[1]))
}

/// Device columns, kernels of `air_ops.cu`: see the module documentation.
impl<F: GpuField, E: GpuExtension<F>, R: Runtime> AirOps<F, E> for GpuBackend<R> {
    fn stack(
        columns: &[&GpuBuffer<R, F>],
        log_cols: usize,
    ) -> Result<GpuBuffer<R, F>, DeviceError> {
        stack::<R, F, E>(columns, log_cols).map_err(device_error::<R>)
    }

    fn next_rows(column: &GpuBuffer<R, F>) -> Result<GpuBuffer<R, F>, DeviceError> {
        next_rows::<R, F, E>(column).map_err(device_error::<R>)
    }

    fn row_selector(len: usize, row: usize) -> Result<GpuBuffer<R, F>, DeviceError> {
        row_selector::<R, F, E>(len, row).map_err(device_error::<R>)
    }

    fn eq_table(point: &[E]) -> Result<GpuBuffer<R, E>, DeviceError> {
        eq_table::<R, F, E>(point).map_err(device_error::<R>)
    }

    fn logup_column(
        columns: &[&GpuBuffer<R, F>],
        beta: E,
        gamma_pows: &[E],
    ) -> Result<GpuBuffer<R, E>, AirError> {
        logup_column::<R, F, E>(columns, beta, gamma_pows)
    }

    fn logup_sum(
        h: &[GpuBuffer<R, E>],
        multiplicities: &[Option<&GpuBuffer<R, F>>],
        negate: &[bool],
    ) -> Result<E, DeviceError> {
        logup_sum::<R, F, E>(h, multiplicities, negate).map_err(device_error::<R>)
    }

    fn linear_column(
        columns: &[GpuBuffer<R, F>],
        expr: &LinearExpr<F>,
        rows: usize,
    ) -> Result<GpuBuffer<R, F>, DeviceError> {
        linear_column::<R, F, E>(columns, expr, rows).map_err(device_error::<R>)
    }

    fn coordinates(column: &GpuBuffer<R, E>) -> Result<Vec<GpuBuffer<R, F>>, DeviceError> {
        coordinates::<R, F, E>(column).map_err(device_error::<R>)
    }

    fn dot(a: &GpuBuffer<R, E>, b: &GpuBuffer<R, F>) -> Result<E, DeviceError> {
        dot::<R, F, E>(a, b).map_err(device_error::<R>)
    }

    fn shift_kernel(eq_r: &GpuBuffer<R, E>, mu: E) -> Result<GpuBuffer<R, E>, DeviceError> {
        shift_kernel::<R, F, E>(eq_r, mu).map_err(device_error::<R>)
    }

    fn outer_product(eq_s: &[E], kernel: &GpuBuffer<R, E>) -> Result<GpuBuffer<R, E>, DeviceError> {
        outer_product::<R, F, E>(eq_s, kernel).map_err(device_error::<R>)
    }

    fn combine_stacked(
        stacked: &GpuBuffer<R, F>,
        weights: &[E],
        rows: usize,
    ) -> Result<GpuBuffer<R, E>, DeviceError> {
        combine_stacked::<R, F, E>(stacked, weights, rows).map_err(device_error::<R>)
    }

    fn scale(column: &mut GpuBuffer<R, E>, s: E) -> Result<(), DeviceError> {
        scale::<R, F, E>(column, s).map_err(device_error::<R>)
    }

    fn product_round_base(p: &GpuBuffer<R, F>, w: &GpuBuffer<R, E>) -> Result<(E, E), DeviceError> {
        product_round_base::<R, F, E>(p, w).map_err(device_error::<R>)
    }

    fn zerocheck_round<A: Air<F> + ?Sized>(
        air: &A,
        shape: &AirShape,
        lookups: &[Interaction<F>],
        challenges: &ZerocheckChallenges<E>,
        round: ZerocheckRound<'_, Self, F, E>,
    ) -> Result<ZerocheckSums<E>, DeviceError> {
        zerocheck::zerocheck_round::<R, F, E, A>(air, shape, lookups, challenges, round)
    }
}
