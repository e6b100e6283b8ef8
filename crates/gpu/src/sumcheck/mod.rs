//! Sumcheck rounds on the device: [`SumcheckOps`] for [`crate::GpuBackend`] (CUDA and OpenCL), from
//! `src/field/ext.h` (the extension fields as device structs) and `sumcheck.cu` (beside this file).
//!
//! Field pairs ([`GpuExtension`]): M31 → QM31, BabyBear → BabyBear⁴, Goldilocks → Goldilocks²,
//! one named program per pair ([`SUMCHECK_PROGRAMS`]), built and cached per device like the other
//! programs. Conventions are crates/sumcheck's: the first variable is the most significant index
//! bit (`f(0, ·)` is the first half of a table), folds fix it to `r` (`lo + r·(hi − lo)`), round
//! values are sent at `X = 0, 2, …, d`.
//!
//! Columns stay on the device: extension-field tables are device buffers of `E` in crates/field's
//! coefficient order (`as_base_slice`, lowest first), so [`ext_upload`] / [`ext_download`] copy the
//! coefficients' bytes. Each round:
//! - one launch of `sc_round_base` / `sc_round_ext` (or `sc_fold_round_ext`, which folds every
//!   table in place and evaluates the next round in the same pass): a grid-stride loop over the
//!   pairs `(x, x + half)`, per work-item sums of `Σ_t c_t Π_{j∈t} f_j(X, x)` at the `d` slots in
//!   registers, then a work-group reduction in local/shared memory to one partial per group;
//! - one launch of `sc_reduce` (one work-group) when there was more than one group, then a
//!   download of the `d` values.
//!
//! The terms travel in a small parameter buffer (one descriptor word per term: the number of
//! factors and the table slot of each, then the coefficients), so one launch serves any sum of
//! products over at most [`SC_MAX_TABLES`] distinct tables; terms over more tables are split into
//! groups of at most that many tables, one launch each, summed on the host. The fused fold + round
//! needs every table in one launch: with more tables it folds and evaluates in two passes.
//!
//! Not done: the deferred first fold (the small-value optimisation of the CPU backend:
//! [`SumcheckOps::defers_first_fold`] keeps its default `false` here), base-field challenges
//! (`E = F`), and reuse of the per-round scratch buffers (parameters, partials) across rounds.

use std::sync::Arc;

use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::m31::{M31, QM31};
use zkprove_field::{ExtensionField, PrimeField64};
use zkprove_sumcheck::{MAX_DEGREE, SumcheckError, SumcheckOps, Term};

use crate::runtime::backend::DeviceElem;
use crate::runtime::{KernelArg, Launch, ProgramSource, Runtime};
use crate::{GpuBackend, GpuBuffer, GpuError, GpuField, device_error, kernels};

/// The most distinct tables one round launch reads (`SC_MAX_TABLES` in `sumcheck.cu`).
pub const SC_MAX_TABLES: usize = 8;

/// The largest work-group of the round kernels (`SC_BLOCK` in `sumcheck.cu`).
const SC_BLOCK: usize = 128;

/// At most this many work-groups per round launch (a grid-stride loop covers the rest), so the
/// partials stay few.
const MAX_GROUPS: usize = 1024;

/// The sumcheck programs (M31/QM31, BabyBear/BabyBear⁴, Goldilocks/Goldilocks²), e.g. for building
/// their CUBINs ahead of time.
pub const SUMCHECK_PROGRAMS: [ProgramSource; 3] = [
    <QM31 as GpuExtension<M31>>::SUMCHECK_PROGRAM,
    <BabyBearExt4 as GpuExtension<BabyBear>>::SUMCHECK_PROGRAM,
    <GoldilocksExt2 as GpuExtension<Goldilocks>>::SUMCHECK_PROGRAM,
];

mod sealed {
    pub trait Sealed<F> {}
    impl Sealed<zkprove_field::m31::M31> for zkprove_field::m31::QM31 {}
    impl Sealed<zkprove_field::babybear::BabyBear> for zkprove_field::babybear::BabyBearExt4 {}
    impl Sealed<zkprove_field::goldilocks::Goldilocks> for zkprove_field::goldilocks::GoldilocksExt2 {}
}

/// An extension of a device field with a device sumcheck program: QM31 over M31, BabyBear⁴ over
/// BabyBear, Goldilocks² over Goldilocks. Sealed.
pub trait GpuExtension<F: GpuField>: ExtensionField<F> + DeviceElem + sealed::Sealed<F> {
    /// The pair's sumcheck program.
    const SUMCHECK_PROGRAM: ProgramSource;

    /// The `#define`s that select this extension in `ext.h`.
    fn ext_defines() -> String;

    /// `|E| − 2 = p^[E:F] − 2`: the exponent of the inversion by Fermat on the device.
    fn inverse_exponent() -> u128;
}

/// `p^d − 2` (fits: `p^d < 2^128` for the three extensions here).
const fn order_minus_two(p: u64, d: u32) -> u128 {
    (p as u128).pow(d) - 2
}

impl GpuExtension<M31> for QM31 {
    const SUMCHECK_PROGRAM: ProgramSource =
        ProgramSource { name: "sumcheck-m31-qm31", source: sumcheck_program_source::<M31, QM31> };

    fn ext_defines() -> String {
        "#define EXT_QM31\n".to_string()
    }

    fn inverse_exponent() -> u128 {
        order_minus_two(M31::ORDER_U64, 4)
    }
}

impl GpuExtension<BabyBear> for BabyBearExt4 {
    const SUMCHECK_PROGRAM: ProgramSource = ProgramSource {
        name: "sumcheck-babybear-ext4",
        source: sumcheck_program_source::<BabyBear, BabyBearExt4>,
    };

    fn ext_defines() -> String {
        // X⁴ = W = 11, in the Montgomery form the device holds.
        format!("#define EXT_BB4\n#define EXT_W 0x{:08x}u\n", BabyBear::new(11).to_monty())
    }

    fn inverse_exponent() -> u128 {
        order_minus_two(BabyBear::ORDER_U64, 4)
    }
}

impl GpuExtension<Goldilocks> for GoldilocksExt2 {
    const SUMCHECK_PROGRAM: ProgramSource = ProgramSource {
        name: "sumcheck-goldilocks-ext2",
        source: sumcheck_program_source::<Goldilocks, GoldilocksExt2>,
    };

    fn ext_defines() -> String {
        "#define EXT_GL2\n".to_string()
    }

    fn inverse_exponent() -> u128 {
        order_minus_two(Goldilocks::ORDER_U64, 2)
    }
}

/// Extension columns on a [`GpuBackend`]: the coefficients over the base field, in order.
macro_rules! ext_device_elem {
    ($e:ty, $f:ty) => {
        impl DeviceElem for $e {
            fn to_device_bytes(elems: &[Self]) -> std::borrow::Cow<'_, [u8]> {
                std::borrow::Cow::Owned(ext_bytes::<$f, $e>(elems))
            }

            fn from_device_bytes(bytes: &[u8]) -> Result<Vec<Self>, GpuError> {
                ext_from_bytes::<$f, $e>(bytes)
            }
        }
    };
}

ext_device_elem!(QM31, M31);
ext_device_elem!(BabyBearExt4, BabyBear);
ext_device_elem!(GoldilocksExt2, Goldilocks);

/// The complete sumcheck program of the pair `(F, E)`: `F`'s program (common.h, the field header,
/// its kernels), the extension's defines, `ext.h`, `sumcheck.cu`, `logup.cu`, the AIR prover's
/// `air_ops.cu` and `zerocheck.cu` (twice: base-field and extension rows). Compiled as CUDA
/// (NVRTC) and as OpenCL C.
pub fn sumcheck_program_source<F: GpuField, E: GpuExtension<F>>() -> String {
    let mut src = F::KIND.program_source();
    src.push_str("\n// Generated by zkprove-gpu: sumcheck kernels\n");
    src.push_str(&E::ext_defines());
    src.push_str(kernels::EXT_H);
    src.push('\n');
    src.push_str(kernels::SUMCHECK_CU);
    src.push('\n');
    src.push_str(kernels::LOGUP_CU);
    src.push('\n');
    src.push_str(kernels::AIR_OPS_CU);
    src.push_str("\n#define ZC_ROUND_BASE\n");
    src.push_str(kernels::ZEROCHECK_CU);
    src.push_str("\n#undef ZC_ROUND_BASE\n#define ZC_ROUND_EXT\n");
    src.push_str(kernels::ZEROCHECK_CU);
    src.push_str("\n#undef ZC_ROUND_EXT\n");
    src
}

fn backend_err<R: Runtime>(e: GpuError) -> SumcheckError {
    SumcheckError::Device(device_error::<R>(e))
}

/// The device bytes of extension elements: their coefficients over `F`, in order.
fn ext_bytes<F: GpuField, E: ExtensionField<F>>(xs: &[E]) -> Vec<u8> {
    let coeffs: Vec<F> = xs.iter().flat_map(|e| e.as_base_slice().iter().copied()).collect();
    F::as_bytes(&coeffs).to_vec()
}

fn ext_from_bytes<F: GpuField, E: ExtensionField<F>>(bytes: &[u8]) -> Result<Vec<E>, GpuError> {
    let coeffs = F::from_bytes(bytes)?;
    coeffs
        .chunks_exact(E::DEGREE)
        .map(|c| E::from_base_slice(c).map_err(|e| GpuError::Unsupported { what: e.to_string() }))
        .collect()
}

/// The four argument words of an extension element (its coefficients' bytes, zero-padded).
pub(crate) fn ext_words<F: GpuField, E: ExtensionField<F>>(x: E) -> [u32; 4] {
    let bytes = ext_bytes::<F, E>(&[x]);
    let mut w = [0u32; 4];
    for (k, c) in bytes.chunks(4).take(4).enumerate() {
        let mut b = [0u8; 4];
        b[..c.len()].copy_from_slice(c);
        w[k] = u32::from_le_bytes(b);
    }
    w
}

/// Copies extension-field elements to a new device buffer (crates/field's coefficient order).
///
/// # Errors
/// [`GpuError::OutOfMemory`], [`GpuError::Driver`].
pub fn ext_upload<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    device: &Arc<R>,
    data: &[E],
) -> Result<GpuBuffer<R, E>, GpuError> {
    let mut buf = GpuBuffer::<R, E>::zeroed_raw(device, data.len())?;
    buf.write_bytes(&ext_bytes::<F, E>(data))?;
    Ok(buf)
}

/// The first `n` elements of a device buffer of extension-field elements (after all queued work),
/// each coefficient checked as [`GpuField::from_bytes`] does.
///
/// # Errors
/// [`GpuError::LengthMismatch`] when `n` exceeds the buffer, [`GpuError::Driver`],
/// [`GpuError::InvalidElement`].
pub fn ext_download<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    buf: &GpuBuffer<R, E>,
    n: usize,
) -> Result<Vec<E>, GpuError> {
    ext_from_bytes::<F, E>(&buf.read_bytes(n)?)
}

/// The checks of the CPU backend's entry points, so that a direct caller gets an error rather than
/// a kernel reading out of bounds.
fn check_terms<E>(terms: &[Term<E>], n_tables: usize, degree: usize) -> Result<(), SumcheckError> {
    if degree > MAX_DEGREE {
        return Err(SumcheckError::DegreeTooLarge { degree, max: MAX_DEGREE });
    }
    if terms.is_empty() {
        return Err(SumcheckError::NoTerms);
    }
    for (term, t) in terms.iter().enumerate() {
        if t.factors.is_empty() {
            return Err(SumcheckError::EmptyTerm { term });
        }
        if let Some(&index) = t.factors.iter().find(|&&j| j >= n_tables) {
            return Err(SumcheckError::FactorOutOfRange { term, index, n_tables });
        }
        if t.factors.len() > degree {
            return Err(SumcheckError::TermDegree { term, factors: t.factors.len(), degree });
        }
    }
    Ok(())
}

fn check_len<R: Runtime, T>(len: usize, tables: &[GpuBuffer<R, T>]) -> Result<(), SumcheckError> {
    if len < 2 || !len.is_power_of_two() {
        return Err(SumcheckError::NotPowerOfTwo { len });
    }
    if u32::try_from(len).is_err() {
        return Err(backend_err::<R>(GpuError::Unsupported {
            what: format!("tables of {len} entries"),
        }));
    }
    for (index, t) in tables.iter().enumerate() {
        if t.len() < len {
            return Err(SumcheckError::TableLength { index, expected: len, got: t.len() });
        }
    }
    if let Some(first) = tables.first()
        && tables.iter().any(|t| !Arc::ptr_eq(t.device(), first.device()))
    {
        return Err(backend_err::<R>(GpuError::WrongDevice));
    }
    Ok(())
}

pub(crate) fn u32_of(n: usize) -> Result<u32, GpuError> {
    u32::try_from(n)
        .map_err(|_| GpuError::Unsupported { what: format!("{n} ≥ 2^32 in a launch") })
}

/// The work-group size of the round kernels: `SC_BLOCK`, or the device's largest power of two
/// below it.
fn group_size<R: Runtime>(device: &R) -> usize {
    let m = device.max_group_size().clamp(1, SC_BLOCK);
    1 << (usize::BITS - 1 - m.leading_zeros())
}

/// Terms grouped so that each group reads at most [`SC_MAX_TABLES`] distinct tables: `(tables,
/// terms)` with the tables in slot order.
fn term_groups<E>(terms: &[Term<E>]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut groups: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for (ti, t) in terms.iter().enumerate() {
        let mut distinct: Vec<usize> = t.factors.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let fits = groups.last().is_some_and(|(tables, _)| {
            let new = distinct.iter().filter(|j| !tables.contains(j)).count();
            tables.len() + new <= SC_MAX_TABLES
        });
        if !fits {
            groups.push((Vec::new(), Vec::new()));
        }
        if let Some((tables, members)) = groups.last_mut() {
            for j in distinct {
                if !tables.contains(&j) {
                    tables.push(j);
                }
            }
            members.push(ti);
        }
    }
    groups
}

/// The parameter words of a launch: one descriptor per term (factor count in bits 0..4, then 3
/// bits per factor: its slot in `slots`), then 4 coefficient words per term.
fn param_words<F: GpuField, E: GpuExtension<F>>(
    terms: &[&Term<E>],
    slots: &[usize],
) -> Result<Vec<u32>, GpuError> {
    let mut words = Vec::with_capacity(terms.len() * 5);
    for t in terms {
        let mut desc = t.factors.len() as u32;
        for (f, j) in t.factors.iter().enumerate() {
            let slot = slots.iter().position(|s| s == j).ok_or_else(|| GpuError::Unsupported {
                what: format!("table {j} not in the launch's slots"),
            })?;
            desc |= (slot as u32) << (4 + 3 * f);
        }
        words.push(desc);
    }
    for t in terms {
        words.extend_from_slice(&ext_words::<F, E>(t.coeff));
    }
    Ok(words)
}

pub(crate) fn upload_words<R: Runtime>(
    device: &Arc<R>,
    words: &[u32],
) -> Result<GpuBuffer<R, u32>, GpuError> {
    let mut buf = GpuBuffer::<R, u32>::zeroed_raw(device, words.len())?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    buf.write_bytes(&bytes)?;
    Ok(buf)
}

/// A round launch's output: `n_groups × degree` partials, summed to `degree` values (by
/// `sc_reduce` when there is more than one group) and downloaded.
pub(crate) fn reduce_partials<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    device: &Arc<R>,
    partials: &GpuBuffer<R, E>,
    n_groups: usize,
    degree: usize,
    block: usize,
) -> Result<Vec<E>, GpuError> {
    if n_groups == 1 {
        return ext_download::<R, F, E>(partials, degree);
    }
    let out = GpuBuffer::<R, E>::zeroed_raw(device, degree)?;
    device.launch_program(
        E::SUMCHECK_PROGRAM,
        "sc_reduce",
        &[
            KernelArg::Mem(partials.mem()),
            KernelArg::Mem(out.mem()),
            KernelArg::U32(u32_of(n_groups)?),
            KernelArg::U32(u32_of(degree)?),
        ],
        block,
        Some(block),
    )?;
    ext_download::<R, F, E>(&out, degree)
}

/// The launch geometry of `pairs` pairs: `(groups, group size)`.
pub(crate) fn geometry<R: Runtime>(device: &R, pairs: usize) -> (usize, usize) {
    let block = group_size(device);
    (pairs.div_ceil(block).clamp(1, MAX_GROUPS), block)
}

/// The round values of one term group on tables of `T` (`F` for `sc_round_base`, `E` for
/// `sc_round_ext`).
fn round_group<R: Runtime, F: GpuField, E: GpuExtension<F>, T>(
    kernel: &'static str,
    tables: &[GpuBuffer<R, T>],
    slots: &[usize],
    terms: &[&Term<E>],
    half: usize,
    degree: usize,
) -> Result<Vec<E>, GpuError> {
    let device = tables[slots[0]].device();
    let params = upload_words(device, &param_words::<F, E>(terms, slots)?)?;
    let (n_groups, block) = geometry(&**device, half);
    let partials = GpuBuffer::<R, E>::zeroed_raw(device, n_groups * degree)?;
    let mut args: Vec<KernelArg<'_, R::Mem>> = (0..SC_MAX_TABLES)
        .map(|s| KernelArg::Mem(slots.get(s).map_or(params.mem(), |&j| tables[j].mem())))
        .collect();
    args.extend([
        KernelArg::Mem(params.mem()),
        KernelArg::Mem(partials.mem()),
        KernelArg::U32(u32_of(half)?),
        KernelArg::U32(u32_of(terms.len())?),
        KernelArg::U32(u32_of(degree)?),
        KernelArg::U32(u32_of(n_groups * block)?),
    ]);
    device.launch_program(E::SUMCHECK_PROGRAM, kernel, &args, n_groups * block, Some(block))?;
    reduce_partials::<R, F, E>(device, &partials, n_groups, degree, block)
}

/// `Σ` over the term groups of [`round_group`].
fn round_evals<R: Runtime, F: GpuField, E: GpuExtension<F>, T>(
    kernel: &'static str,
    tables: &[GpuBuffer<R, T>],
    len: usize,
    terms: &[Term<E>],
    degree: usize,
) -> Result<Vec<E>, SumcheckError> {
    check_len(len, tables)?;
    check_terms(terms, tables.len(), degree)?;
    let mut out = vec![E::ZERO; degree];
    for (slots, members) in term_groups(terms) {
        let group: Vec<&Term<E>> = members.iter().map(|&t| &terms[t]).collect();
        let vals = round_group::<R, F, E, T>(kernel, tables, &slots, &group, len / 2, degree)
            .map_err(backend_err::<R>)?;
        for (o, v) in out.iter_mut().zip(vals) {
            *o += v;
        }
    }
    Ok(out)
}

fn fold_base<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    tables: &[GpuBuffer<R, F>],
    len: usize,
    r: E,
) -> Result<Vec<GpuBuffer<R, E>>, SumcheckError> {
    check_len(len, tables)?;
    let half = len / 2;
    let [r0, r1, r2, r3] = ext_words::<F, E>(r);
    tables
        .iter()
        .map(|t| {
            let device = t.device();
            let out = GpuBuffer::<R, E>::zeroed_raw(device, half)?;
            device.launch_program(
                E::SUMCHECK_PROGRAM,
                "sc_fold_base",
                &[
                    KernelArg::Mem(t.mem()),
                    KernelArg::Mem(out.mem()),
                    KernelArg::U32(u32_of(half)?),
                    KernelArg::U32(r0),
                    KernelArg::U32(r1),
                    KernelArg::U32(r2),
                    KernelArg::U32(r3),
                ],
                half,
                None,
            )?;
            Ok(out)
        })
        .collect::<Result<_, GpuError>>()
        .map_err(backend_err::<R>)
}

fn fold_ext<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    tables: &[GpuBuffer<R, E>],
    len: usize,
    r: E,
) -> Result<(), SumcheckError> {
    check_len(len, tables)?;
    let half = len / 2;
    let [r0, r1, r2, r3] = ext_words::<F, E>(r);
    for t in tables {
        t.device()
            .launch_program(
                E::SUMCHECK_PROGRAM,
                "sc_fold_ext",
                &[
                    KernelArg::Mem(t.mem()),
                    KernelArg::U32(u32_of(half).map_err(backend_err::<R>)?),
                    KernelArg::U32(r0),
                    KernelArg::U32(r1),
                    KernelArg::U32(r2),
                    KernelArg::U32(r3),
                ],
                half,
                None,
            )
            .map_err(backend_err::<R>)?;
    }
    Ok(())
}

/// One launch of `sc_fold_round_ext` over every table (at most [`SC_MAX_TABLES`]).
fn fold_round_fused<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    tables: &[GpuBuffer<R, E>],
    len: usize,
    r: E,
    terms: &[Term<E>],
    degree: usize,
) -> Result<Vec<E>, GpuError> {
    let device = tables[0].device();
    let slots: Vec<usize> = (0..tables.len()).collect();
    let refs: Vec<&Term<E>> = terms.iter().collect();
    let params = upload_words(device, &param_words::<F, E>(&refs, &slots)?)?;
    let quarter = len / 4;
    let (n_groups, block) = geometry(&**device, quarter);
    let partials = GpuBuffer::<R, E>::zeroed_raw(device, n_groups * degree)?;
    let [r0, r1, r2, r3] = ext_words::<F, E>(r);
    let mut args: Vec<KernelArg<'_, R::Mem>> = (0..SC_MAX_TABLES)
        .map(|s| KernelArg::Mem(tables.get(s).map_or(params.mem(), |t| t.mem())))
        .collect();
    args.extend([
        KernelArg::Mem(params.mem()),
        KernelArg::Mem(partials.mem()),
        KernelArg::U32(u32_of(quarter)?),
        KernelArg::U32(u32_of(tables.len())?),
        KernelArg::U32(u32_of(terms.len())?),
        KernelArg::U32(u32_of(degree)?),
        KernelArg::U32(u32_of(n_groups * block)?),
        KernelArg::U32(r0),
        KernelArg::U32(r1),
        KernelArg::U32(r2),
        KernelArg::U32(r3),
    ]);
    device.launch_program(
        E::SUMCHECK_PROGRAM,
        "sc_fold_round_ext",
        &args,
        n_groups * block,
        Some(block),
    )?;
    reduce_partials::<R, F, E>(device, &partials, n_groups, degree, block)
}

fn fold_ext_and_round<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    tables: &[GpuBuffer<R, E>],
    len: usize,
    r: E,
    terms: &[Term<E>],
    degree: usize,
) -> Result<Vec<E>, SumcheckError> {
    check_len(len, tables)?;
    check_terms(terms, tables.len(), degree)?;
    if len < 4 {
        return Err(SumcheckError::NoVariablesLeft);
    }
    if tables.len() <= SC_MAX_TABLES {
        return fold_round_fused::<R, F, E>(tables, len, r, terms, degree)
            .map_err(backend_err::<R>);
    }
    fold_ext::<R, F, E>(tables, len, r)?;
    round_evals::<R, F, E, E>("sc_round_ext", tables, len / 2, terms, degree)
}

fn lift<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    tables: &[GpuBuffer<R, F>],
    len: usize,
) -> Result<Vec<GpuBuffer<R, E>>, SumcheckError> {
    tables
        .iter()
        .map(|t| {
            let n = len.min(t.len());
            let device = t.device();
            let out = GpuBuffer::<R, E>::zeroed_raw(device, n)?;
            device.launch_program(
                E::SUMCHECK_PROGRAM,
                "sc_lift",
                &[KernelArg::Mem(t.mem()), KernelArg::Mem(out.mem()), KernelArg::U32(u32_of(n)?)],
                n,
                None,
            )?;
            Ok(out)
        })
        .collect::<Result<_, GpuError>>()
        .map_err(backend_err::<R>)
}

fn first_entries<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    tables: &[GpuBuffer<R, E>],
) -> Result<Vec<E>, SumcheckError> {
    tables
        .iter()
        .enumerate()
        .map(|(index, t)| {
            if t.is_empty() {
                return Err(SumcheckError::TableLength { index, expected: 1, got: 0 });
            }
            let v = ext_download::<R, F, E>(t, 1).map_err(backend_err::<R>)?;
            v.first().copied().ok_or(SumcheckError::TableLength { index, expected: 1, got: 0 })
        })
        .collect()
}

/// Device columns, one kernel launch per round (plus a one-group reduction): see the
/// module documentation of `zkprove_gpu::sumcheck`.
impl<F: GpuField, E: GpuExtension<F>, R: Runtime> SumcheckOps<F, E> for GpuBackend<R> {
    fn round_evals_base(
        tables: &[GpuBuffer<R, F>],
        len: usize,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        round_evals::<R, F, E, F>("sc_round_base", tables, len, terms, degree)
    }

    fn round_evals_ext(
        tables: &[GpuBuffer<R, E>],
        len: usize,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        round_evals::<R, F, E, E>("sc_round_ext", tables, len, terms, degree)
    }

    fn fold_base(
        tables: &[GpuBuffer<R, F>],
        len: usize,
        r: E,
    ) -> Result<Vec<GpuBuffer<R, E>>, SumcheckError> {
        fold_base::<R, F, E>(tables, len, r)
    }

    fn fold_ext(tables: &mut [GpuBuffer<R, E>], len: usize, r: E) -> Result<(), SumcheckError> {
        fold_ext::<R, F, E>(tables, len, r)
    }

    /// One launch of `sc_fold_round_ext` (tables folded in place, next round evaluated
    /// in the same pass) when there are at most [`SC_MAX_TABLES`] tables.
    fn fold_ext_and_round(
        tables: &mut [GpuBuffer<R, E>],
        len: usize,
        r: E,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        fold_ext_and_round::<R, F, E>(tables, len, r, terms, degree)
    }

    fn lift(tables: &[GpuBuffer<R, F>], len: usize) -> Result<Vec<GpuBuffer<R, E>>, SumcheckError> {
        lift::<R, F, E>(tables, len)
    }

    fn first_entries(tables: &[GpuBuffer<R, E>]) -> Result<Vec<E>, SumcheckError> {
        first_entries::<R, F, E>(tables)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_hold_at_most_eight_tables() {
        let terms: Vec<Term<QM31>> =
            (0..6).map(|k| Term::product(vec![3 * k, 3 * k + 1, 3 * k + 2])).collect();
        let groups = term_groups(&terms);
        assert_eq!(groups.len(), 3);
        for (tables, members) in &groups {
            assert!(tables.len() <= SC_MAX_TABLES);
            assert_eq!(members.len(), 2);
        }
        let shared = vec![Term::<QM31>::product(vec![0, 1]), Term::product(vec![1, 0, 0])];
        assert_eq!(term_groups(&shared), vec![(vec![0, 1], vec![0, 1])]);
    }

    #[test]
    fn words_hold_the_coefficients() {
        let x = GoldilocksExt2::new([Goldilocks::new(0x1122_3344_5566_7788), Goldilocks::new(9)]);
        assert_eq!(ext_words::<Goldilocks, GoldilocksExt2>(x), [0x5566_7788, 0x1122_3344, 9, 0]);
        let y = QM31::from_m31(M31::new(1), M31::new(2), M31::new(3), M31::new(4));
        assert_eq!(ext_words::<M31, QM31>(y), [1, 2, 3, 4]);
        let bytes = ext_bytes::<M31, QM31>(&[y, y]);
        assert_eq!(ext_from_bytes::<M31, QM31>(&bytes).unwrap(), vec![y, y]);
    }
}
