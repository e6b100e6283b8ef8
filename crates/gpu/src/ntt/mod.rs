//! NTTs on device buffers, and the CUDA / OpenCL backends' [`NttOps`].
//!
//! Same conventions as zkprove-poly's CPU backend: a column of `n = 2^log_n` coefficients maps to
//! its evaluations `p(s·ωⁱ)` on the coset `s·H`, `ω = F::two_adic_generator(log_n)`; the inverse
//! includes `1/n`; [`Order`] names the input → output order of the transform as called.
//!
//! Plan: the coset (forward) is applied to the coefficients first and the `s⁻ⁱ/n` factors (inverse)
//! to the coefficients last, entry `i` scaled by `sᵉ` with `e` its coefficient index (`rev(i)`
//! where the coefficient side is bit-reversed). Natural input runs Gentleman–Sande stages (natural
//! → bit-reversed), bit-reversed input runs Cooley–Tukey stages (bit-reversed → natural), and
//! natural → natural adds one bit-reversal pass in front of Cooley–Tukey. The nine stages nearest
//! the butterfly width 1 run in one local/shared-memory pass; the others run three per global pass
//! (radix 8, in registers), the one or two left over as radix-2 passes.

use std::sync::Arc;

use zkprove_field::TwoAdicField;
use zkprove_poly::{Direction, NttOps, Order, PolyError};

use crate::kernels::NTT_LOCAL_LOG;
use crate::runtime::{KernelArg, Launch, Runtime};
use crate::{GpuBackend, GpuBuffer, GpuError, GpuField, device_error};

/// The NTT of every column, each on its own device buffer.
impl<F: GpuField + TwoAdicField, R: Runtime> NttOps<F> for GpuBackend<R> {
    fn ntt_batch(
        cols: &mut [GpuBuffer<R, F>],
        direction: Direction,
        order: Order,
        shift: F,
    ) -> Result<(), PolyError> {
        ntt_columns(cols, direction, order, shift)
    }
}

fn ntt_columns<R: Runtime, F: GpuField + TwoAdicField>(
    cols: &mut [GpuBuffer<R, F>],
    direction: Direction,
    order: Order,
    shift: F,
) -> Result<(), PolyError> {
    let Some(first) = cols.first() else { return Ok(()) };
    let n = first.len();
    if let Some(bad) = cols.iter().find(|c| c.len() != n) {
        return Err(PolyError::LengthMismatch { expected: n, got: bad.len() });
    }
    if !n.is_power_of_two() {
        return Err(PolyError::NotPowerOfTwo { len: n });
    }
    let log_n = n.trailing_zeros() as usize;
    for c in cols.iter_mut() {
        ntt_batch_on(c, log_n, direction, order, shift)?;
    }
    Ok(())
}

fn backend_err<R: Runtime>(e: GpuError) -> PolyError {
    PolyError::Device(device_error::<R>(e))
}

/// Transforms in place every column of `buf`, which holds `buf.len() / 2^log_n` columns of
/// `2^log_n` elements one after the other (a batch in one buffer), over the coset `shift·H`.
///
/// # Errors
/// [`PolyError::NotPowerOfTwo`] when the length is not a multiple of `2^log_n`,
/// [`PolyError::TooLarge`], [`PolyError::ZeroShift`], and [`PolyError::Device`] for device errors.
pub fn ntt_batch_on<R: Runtime, F: GpuField + TwoAdicField>(
    buf: &mut GpuBuffer<R, F>,
    log_n: usize,
    direction: Direction,
    order: Order,
    shift: F,
) -> Result<(), PolyError> {
    if shift.is_zero() {
        return Err(PolyError::ZeroShift);
    }
    if log_n > F::TWO_ADICITY {
        return Err(PolyError::TooLarge { log_n, two_adicity: F::TWO_ADICITY });
    }
    let n = 1usize << log_n;
    if !buf.len().is_multiple_of(n) {
        return Err(PolyError::NotPowerOfTwo { len: buf.len() });
    }
    if buf.is_empty() || log_n == 0 {
        // Size 1: the transform, the shift power s⁰ and 1/n are all the identity.
        return Ok(());
    }
    run_ntt(buf, log_n as u32, direction, order, shift).map_err(backend_err::<R>)
}

fn u32_of(n: usize) -> Result<u32, GpuError> {
    u32::try_from(n)
        .map_err(|_| GpuError::Unsupported { what: format!("NTT batch of {n} elements") })
}

/// The transform of [`ntt_batch_on`] after its checks (`log_n ≥ 1`, a non-empty buffer whose
/// length is a multiple of `2^log_n`, `log_n` within the two-adicity, a non-zero shift), with the
/// runtime's error (no device marked unhealthy: [`crate::DeviceSet`] keeps its own health).
pub(crate) fn run_ntt<R: Runtime, F: GpuField + TwoAdicField>(
    buf: &mut GpuBuffer<R, F>,
    log_n: u32,
    direction: Direction,
    order: Order,
    shift: F,
) -> Result<(), GpuError> {
    let dev = buf.device().clone();
    let total = buf.len();
    let n_cols = u32_of(total >> log_n)?;
    u32_of(total)?;
    let inverse = direction == Direction::Inverse;
    let tw = twiddles::<R, F>(&dev, log_n, inverse)?;

    // The coefficient side is bit-reversed for a forward BitReversedToNatural and an inverse
    // NaturalToBitReversed transform (as in the CPU backend).
    let coeffs_rev = matches!(
        (direction, order),
        (Direction::Forward, Order::BitReversedToNatural)
            | (Direction::Inverse, Order::NaturalToBitReversed)
    );
    if !inverse && !shift.is_one() {
        scale_by_powers(buf, log_n, n_cols, shift, F::ONE, coeffs_rev)?;
    }
    match order {
        Order::NaturalToBitReversed => dif(buf, &tw, log_n, n_cols)?,
        Order::BitReversedToNatural => dit(buf, &tw, log_n, n_cols)?,
        Order::NaturalToNatural => {
            let args = [KernelArg::Mem(buf.mem()), KernelArg::U32(log_n), KernelArg::U32(n_cols)];
            dev.launch(F::KIND, "ntt_bit_reverse", &args, total, None)?;
            dit(buf, &tw, log_n, n_cols)?;
        }
    }
    if inverse {
        let n_inv = F::from_u64(1u64 << log_n).inverse().ok_or(GpuError::Unsupported {
            what: "NTT size not invertible in the field".to_string(),
        })?;
        let shift_inv = shift
            .inverse()
            .ok_or(GpuError::Unsupported { what: "zero coset shift".to_string() })?;
        scale_by_powers(buf, log_n, n_cols, shift_inv, n_inv, coeffs_rev)?;
    }
    Ok(())
}

/// Multiplies entry `i` of every column by `start · base^e`, `e = i` or `rev(i)`.
fn scale_by_powers<R: Runtime, F: GpuField>(
    buf: &mut GpuBuffer<R, F>,
    log_n: u32,
    n_cols: u32,
    base: F,
    start: F,
    rev: bool,
) -> Result<(), GpuError> {
    // pw[k] = base^(2^k) for k < n_pows, then `start`; a base of one needs no powers.
    let n_pows = if base.is_one() { 0 } else { log_n };
    let mut pw = Vec::with_capacity(n_pows as usize + 1);
    let mut p = base;
    for _ in 0..n_pows {
        pw.push(p);
        p = p.square();
    }
    pw.push(start);
    let pw = GpuBuffer::<R, F>::upload(buf.device(), &pw)?;
    let args = [
        KernelArg::Mem(buf.mem()),
        KernelArg::Mem(pw.mem()),
        KernelArg::U32(log_n),
        KernelArg::U32(n_pows),
        KernelArg::U32(n_cols),
        KernelArg::U32(rev as u32),
    ];
    buf.device().launch(F::KIND, "ntt_scale_powers", &args, buf.len(), None)
}

/// `ω^t` for `t < n/2` (ω⁻¹ for the inverse), on the device, built once per (device, field, size,
/// direction) and kept.
fn twiddles<R: Runtime, F: GpuField + TwoAdicField>(
    dev: &Arc<R>,
    log_n: u32,
    inverse: bool,
) -> Result<Arc<R::Mem>, GpuError> {
    let key = (F::KIND, log_n, inverse, 0);
    if let Some(t) = dev.twiddle_cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(t.clone());
    }
    let too_large = || GpuError::Unsupported { what: format!("NTT of size 2^{log_n}") };
    let omega = F::two_adic_generator(log_n as usize).ok_or_else(too_large)?;
    let omega = if inverse { omega.inverse().ok_or_else(too_large)? } else { omega };
    let host = omega.powers(1usize << (log_n - 1));
    let bytes = F::as_bytes(&host);
    let mut mem = dev.alloc(bytes.len())?;
    dev.write(&mut mem, bytes)?;
    let mem = Arc::new(mem);
    dev.twiddle_cache().lock().unwrap_or_else(|e| e.into_inner()).insert(key, mem.clone());
    Ok(mem)
}

/// log2 of the block done in local memory: at most `NTT_LOCAL_LOG`, `log_n`, and what the
/// device's work-group size allows (`2^(L − 1)` threads).
fn local_log<R: Runtime>(dev: &R, log_n: u32) -> u32 {
    let max_threads_log = usize::BITS - 1 - dev.max_group_size().max(1).leading_zeros();
    NTT_LOCAL_LOG.min(log_n).min(max_threads_log + 1)
}

/// Cooley–Tukey, bit-reversed → natural: the low stages in local memory, then radix-8 passes, then
/// the one or two stages left as radix-2 passes.
fn dit<R: Runtime, F: GpuField>(
    buf: &GpuBuffer<R, F>,
    tw: &R::Mem,
    log_n: u32,
    n_cols: u32,
) -> Result<(), GpuError> {
    let l = local_log(buf.device().as_ref(), log_n);
    local_stages(buf, tw, log_n, l, false)?;
    let mut s = l;
    while s + 3 <= log_n {
        global_pass(buf, tw, log_n, s, n_cols, false, true)?;
        s += 3;
    }
    for log_half in s..log_n {
        global_pass(buf, tw, log_n, log_half, n_cols, false, false)?;
    }
    Ok(())
}

/// Gentleman–Sande, natural → bit-reversed: the mirror image of [`dit`].
fn dif<R: Runtime, F: GpuField>(
    buf: &GpuBuffer<R, F>,
    tw: &R::Mem,
    log_n: u32,
    n_cols: u32,
) -> Result<(), GpuError> {
    let l = local_log(buf.device().as_ref(), log_n);
    let n_radix8 = (log_n - l) / 3;
    let top = l + 3 * n_radix8;
    for log_half in (top..log_n).rev() {
        global_pass(buf, tw, log_n, log_half, n_cols, true, false)?;
    }
    for i in (0..n_radix8).rev() {
        global_pass(buf, tw, log_n, l + 3 * i, n_cols, true, true)?;
    }
    local_stages(buf, tw, log_n, l, true)
}

/// One pass over global memory: the radix-2 stage `log_half = s`, or (`radix8`) the three stages
/// `s, s + 1, s + 2`.
fn global_pass<R: Runtime, F: GpuField>(
    buf: &GpuBuffer<R, F>,
    tw: &R::Mem,
    log_n: u32,
    s: u32,
    n_cols: u32,
    dif: bool,
    radix8: bool,
) -> Result<(), GpuError> {
    let args = [
        KernelArg::Mem(buf.mem()),
        KernelArg::Mem(tw),
        KernelArg::U32(log_n),
        KernelArg::U32(s),
        KernelArg::U32(n_cols),
        KernelArg::U32(dif as u32),
    ];
    let (kernel, threads) = if radix8 {
        ("ntt_radix8_pass", buf.len() / 8)
    } else {
        ("ntt_radix2_stage", buf.len() / 2)
    };
    buf.device().launch(F::KIND, kernel, &args, threads, None)
}

fn local_stages<R: Runtime, F: GpuField>(
    buf: &GpuBuffer<R, F>,
    tw: &R::Mem,
    log_n: u32,
    log_block: u32,
    dif: bool,
) -> Result<(), GpuError> {
    if log_block == 0 {
        return Ok(());
    }
    let args = [
        KernelArg::Mem(buf.mem()),
        KernelArg::Mem(tw),
        KernelArg::U32(log_n),
        KernelArg::U32(log_block),
        KernelArg::U32(dif as u32),
    ];
    let threads = 1usize << (log_block - 1);
    buf.device().launch(F::KIND, "ntt_local_stages", &args, buf.len() / 2, Some(threads))
}

/// Inverse and forward twiddle tables of one size.
type TwiddlePair<M> = (Arc<M>, Arc<M>);

/// Evaluations on the domain `H` (size `2^log_n`, natural order) → evaluations on the coset
/// `shift·H` (natural order), in place on device columns: the move that the Groth16 quotient
/// makes with each of `A·w`, `B·w` and `C·w` (snarkjs: iNTT, coefficient `i` times `shiftⁱ`,
/// NTT).
///
/// The same result as `ntt_batch(Inverse, NaturalToBitReversed, 1)` followed by
/// `ntt_batch(Forward, BitReversedToNatural, shift)`, with the `1/n` and the `shiftⁱ` factors
/// merged into one pass over the (bit-reversed) coefficients, and with every table it needs (both
/// twiddle tables and `shift^(2^k)`) uploaded once by [`CosetNtt::new`]: [`CosetNtt::apply`] only
/// queues kernels, it never waits on the device, so a pipeline of transforms runs without a host
/// round trip.
pub struct CosetNtt<R: Runtime, F: GpuField> {
    device: Arc<R>,
    log_n: u32,
    /// `(inverse, forward)` twiddles; `None` for `log_n = 0` (the identity).
    twiddles: Option<TwiddlePair<R::Mem>>,
    /// `shift^(2^k)` for `k < log_n`, then `1/n`.
    powers: GpuBuffer<R, F>,
}

impl<R: Runtime, F: GpuField> core::fmt::Debug for CosetNtt<R, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CosetNtt")
            .field("backend", &R::BACKEND)
            .field("log_n", &self.log_n)
            .finish()
    }
}

impl<R: Runtime, F: GpuField + TwoAdicField> CosetNtt<R, F> {
    /// Prepares the move from `H` to `shift·H` for columns of `2^log_n` elements on `device`.
    ///
    /// # Errors
    /// [`PolyError::TooLarge`] beyond the field's two-adicity (or 2^32), [`PolyError::ZeroShift`],
    /// and [`PolyError::Device`] for device errors.
    pub fn new(device: &Arc<R>, log_n: usize, shift: F) -> Result<Self, PolyError> {
        if shift.is_zero() {
            return Err(PolyError::ZeroShift);
        }
        if log_n > F::TWO_ADICITY || log_n >= 32 {
            return Err(PolyError::TooLarge { log_n, two_adicity: F::TWO_ADICITY });
        }
        let log_n32 = log_n as u32;
        let n_inv = F::from_u64(1u64 << log_n).inverse().ok_or_else(|| {
            backend_err::<R>(GpuError::Unsupported {
                what: "NTT size not invertible in the field".to_string(),
            })
        })?;
        let mut pw = Vec::with_capacity(log_n + 1);
        let mut p = shift;
        for _ in 0..log_n {
            pw.push(p);
            p = p.square();
        }
        pw.push(n_inv);
        let twiddles = if log_n == 0 {
            None
        } else {
            let inv = twiddles::<R, F>(device, log_n32, true).map_err(backend_err::<R>)?;
            let fwd = twiddles::<R, F>(device, log_n32, false).map_err(backend_err::<R>)?;
            Some((inv, fwd))
        };
        let powers = GpuBuffer::upload(device, &pw).map_err(backend_err::<R>)?;
        Ok(Self { device: device.clone(), log_n: log_n32, twiddles, powers })
    }

    /// log2 of the column length.
    pub fn log_n(&self) -> usize {
        self.log_n as usize
    }

    /// Moves every column of `buf` (a batch of columns of `2^log_n` elements one after the other)
    /// from `H` to `shift·H`, queued on the device's stream/queue without waiting.
    ///
    /// # Errors
    /// [`PolyError::NotPowerOfTwo`] when the length is not a multiple of `2^log_n`, and
    /// [`PolyError::Device`] for a buffer of another device or device errors.
    pub fn apply(&self, buf: &mut GpuBuffer<R, F>) -> Result<(), PolyError> {
        let n = 1usize << self.log_n;
        if !buf.len().is_multiple_of(n) {
            return Err(PolyError::NotPowerOfTwo { len: buf.len() });
        }
        if !Arc::ptr_eq(buf.device(), &self.device) {
            return Err(backend_err::<R>(GpuError::WrongDevice));
        }
        let Some((inv, fwd)) = &self.twiddles else { return Ok(()) };
        if buf.is_empty() {
            return Ok(());
        }
        let run = || -> Result<(), GpuError> {
            let n_cols = u32_of(buf.len() >> self.log_n)?;
            u32_of(buf.len())?;
            // iNTT without its 1/n: natural evaluations → bit-reversed coefficients.
            dif(buf, inv, self.log_n, n_cols)?;
            // Coefficient e (at position i, e = rev(i)) times shift^e / n.
            let args = [
                KernelArg::Mem(buf.mem()),
                KernelArg::Mem(self.powers.mem()),
                KernelArg::U32(self.log_n),
                KernelArg::U32(self.log_n),
                KernelArg::U32(n_cols),
                KernelArg::U32(1),
            ];
            self.device.launch(F::KIND, "ntt_scale_powers", &args, buf.len(), None)?;
            // NTT: bit-reversed coefficients → natural evaluations on shift·H.
            dit(buf, fwd, self.log_n, n_cols)
        };
        run().map_err(backend_err::<R>)
    }
}
