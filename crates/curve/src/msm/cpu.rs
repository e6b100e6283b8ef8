//! The CPU MSM: Pippenger's bucket method with signed (Booth) window digits, batch-affine or XYZZ
//! buckets, parallel across windows and across chunks of points, and an optional fixed-base
//! precomputation for bases that are used again and again.
//!
//! # Cost model and choices
//!
//! With `c`-bit windows and `W = ⌊bits/c⌋ + 1` windows, Pippenger costs `W·(n·a + 2^(c−1)·r)`
//! field multiplications, where `a` is one bucket addition (≈ 5M + 1S batch-affine, 8M + 2S XYZZ)
//! and `r ≈ 24M` the two additions per bucket of the running-sum reduction. [`window_bits`]
//! minimises that; the bucket representation is batch-affine when there are enough points per
//! bucket for the batches to fill, XYZZ otherwise (measured on the development machine, see
//! BENCHMARKS.md).
//!
//! # Endomorphism ([`Endomorphism`], on by default)
//!
//! Both BN254 groups have an endomorphism `φ` acting as a scalar `λ` ([`crate::msm::GlvParams`]):
//! each scalar splits into two halves below `2^127` and the MSM runs over `Pᵢ` and `φ(Pᵢ)` with
//! half the windows. The bucket additions stay the same in number (`2n` points × `W/2` windows);
//! what drops by half is the per-window work (bucket reductions, doublings between windows), and
//! the wider set of points per window lets the batches fill.
//!
//! # Fixed bases ([`CpuBases::with_precomputation`])
//!
//! With precomputation factor `T`, each base `P` is stored with its multiples
//! `[2^(s·t)]·P` for `t < T` (`s = k·c`, `k·T·c > bits`). The digits of window `t·k + j` of a
//! scalar then go to point `[2^(s·t)]·P` in *virtual* window `j < k`: the MSM becomes one over
//! `n·T` points with only `k ≈ W/T` windows. The number of bucket additions is unchanged
//! (`n·T·k ≈ n·W`), but the bucket reductions and the doublings between windows drop by `T`, which
//! lets a larger `c` pay off, and fewer, longer windows parallelise over chunks just as well.
//! Memory: `T×` the bases (64 bytes per G1 point, 128 per G2 point), `2T×` with the
//! endomorphism. One-time cost: about `bits` doublings per base. Measured gain at 2^16..2^20 is modest (see BENCHMARKS.md); the default is
//! `T = 1` (no precomputation, 1× memory).

use rayon::prelude::*;
use zkprove_field::{Field, PrimeField};
use zkprove_poly::{ColumnRef, CpuBackend};

use super::buckets::{BatchAffineBuckets, Buckets, XyzzBuckets, sum_affine};
use super::digits::{ScalarLimbs, booth_digit, n_booth_windows};
use super::glv::GLV_HALF_BITS;
use super::{MsmError, MsmOps, check_lengths};
use crate::sw::{Affine, Projective, SwCurve, Xyzz};

/// How buckets hold their partial sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BucketMode {
    /// Chosen from the number of points per bucket.
    #[default]
    Auto,
    /// XYZZ buckets, mixed additions.
    Xyzz,
    /// Affine buckets, batched additions sharing one inversion.
    BatchAffine,
}

/// Whether to split scalars with the curve's GLV endomorphism ([`SwCurve::GLV`],
/// [`crate::msm::GlvParams`]): `2n` points (`Pᵢ` and `φ(Pᵢ)`) with half-size scalars and half the
/// windows ([`crate::msm::GLV_HALF_BITS`]-bit halves). Costs one `φ` per base (per MSM, or once
/// when [`CpuBases::prepare`] stores them: 2× memory) and one decomposition per scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Endomorphism {
    /// Used where it measured faster (see `use_endomorphism`).
    #[default]
    Auto,
    /// Used whenever the curve has one.
    On,
    /// Never used.
    Off,
}

/// Whether an MSM over `n` points uses the curve's endomorphism under `choice`. `Auto` uses it
/// at every size: interleaved runs on the development machine measured 0.77–0.93× the time without
/// it from 2^4 to 2^16 points (G1 and G2, see BENCHMARKS.md).
fn use_endomorphism<C: SwCurve>(_n: usize, choice: Endomorphism) -> bool {
    C::GLV.is_some() && choice != Endomorphism::Off
}

/// Tuning knobs of [`msm_pippenger_with`]; the defaults choose everything from the sizes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PippengerConfig {
    /// The window width `c` in bits (`1..=24`); `None` chooses it from `n`.
    pub window_bits: Option<usize>,
    /// The bucket representation.
    pub bucket_mode: BucketMode,
    /// How many chunks the points are split into (each chunk × window is one parallel task);
    /// `None` chooses from the thread count.
    pub n_chunks: Option<usize>,
    /// How many windows one task accumulates together (their buckets in one array, their
    /// batch-affine additions sharing inversions); `None` chooses from the window width and the
    /// thread count (`windows_per_task`).
    pub windows_per_task: Option<usize>,
    /// Whether to use the curve's GLV endomorphism (for [`CpuBases`] that store `φ(Pᵢ)` or
    /// precomputed multiples this is fixed when the bases are prepared, and ignored here).
    pub endomorphism: Endomorphism,
}

/// Bases prepared for the CPU backend, with optional precomputed multiples (module docs).
#[derive(Clone, Debug)]
pub struct CpuBases<C: SwCurve> {
    /// `points[i·factor + t] = [2^(t·stride)]·Pᵢ`.
    points: Vec<Affine<C>>,
    /// `endo[j] = φ(points[j])` when the endomorphism's points are stored, else empty.
    endo: Vec<Affine<C>>,
    n: usize,
    factor: usize,
    /// Whether `φ(Pᵢ)` is stored too (`endo`).
    glv: bool,
    /// The choice the bases were prepared with: what an MSM's [`Endomorphism::Auto`] means for
    /// bases without stored images (`Off` here: never compute `φ(Pᵢ)` per MSM).
    endomorphism: Endomorphism,
    /// For `factor > 1`: the window width the multiples were made for.
    window_bits: usize,
    /// For `factor > 1`: windows per stride (`stride = k·window_bits`).
    k: usize,
}

/// The largest precomputation factor: beyond it every window is already precomputed.
pub const MAX_PRECOMPUTATION: usize = 64;

impl<C: SwCurve> CpuBases<C> {
    /// The bases as given, with no precomputation (1× memory). MSMs still use the endomorphism
    /// as their [`PippengerConfig`] says, computing `φ(Pᵢ)` per call (a transient array as large
    /// as the bases, or half as large where `φ` keeps `y` ([`SwCurve::ENDOMORPHISM_KEEPS_Y`]:
    /// BN254 G1, whose images are stored as x coordinates only); ~1 % of an MSM's time for G1,
    /// ~3 % for G2).
    pub fn new(points: Vec<Affine<C>>) -> Self {
        Self::prepare(points, 1, Endomorphism::Auto)
    }

    /// The bases with `factor − 1` extra multiples each (`factor`× memory; `factor` is clamped to
    /// `1..=`[`MAX_PRECOMPUTATION`]): see the module docs for the trade-off. Costs about
    /// `Scalar::NUM_BITS / 2` doublings per base once, in parallel.
    pub fn with_precomputation(points: Vec<Affine<C>>, factor: usize) -> Self {
        Self::prepare(points, factor, Endomorphism::Auto)
    }

    /// The bases with a precomputation factor (as in [`CpuBases::with_precomputation`]) and
    /// `φ(Pᵢ)` stored beside each of them (2× memory) when `endomorphism` is `On`, or `Auto` with
    /// `factor > 1` (precomputed windows are laid out for the split scalars). With `factor = 1`
    /// and `Auto`, nothing extra is stored and each MSM computes `φ(Pᵢ)` itself
    /// ([`CpuBases::new`]); with `factor = 1` and `Off`, MSMs whose configuration says `Auto`
    /// never split (no transient copy of the bases: for keys that are most of a process's memory).
    pub fn prepare(points: Vec<Affine<C>>, factor: usize, endomorphism: Endomorphism) -> Self {
        let factor = factor.clamp(1, MAX_PRECOMPUTATION);
        let n = points.len();
        let glv = use_endomorphism::<C>(n, endomorphism)
            && (factor > 1 || endomorphism == Endomorphism::On);
        let m = if glv { 2 } else { 1 };
        if factor == 1 {
            let endo = if glv { endomorphism_points(&points) } else { Vec::new() };
            return Self { points, endo, n, factor, glv, endomorphism, window_bits: 0, k: 0 };
        }
        let num_bits = if glv { GLV_HALF_BITS } else { C::Scalar::NUM_BITS as usize };
        // Windows for n·m·factor points over about bits/factor bits each.
        let c = window_bits_for(n * m * factor, num_bits, BucketMode::Auto).max(2);
        let k = num_bits / (c * factor) + 1;
        let stride = k * c;
        let mut out = vec![Affine::IDENTITY; n * factor];
        out.par_chunks_mut(factor * 256).zip(points.par_chunks(256)).for_each(|(out, pts)| {
            // Level by level: double `stride` times in Jacobian, then one batch normalisation.
            let mut cur: Vec<Projective<C>> = pts.iter().map(|p| Projective::from(*p)).collect();
            let mut put = |i: usize, t: usize, a: Affine<C>| out[i * factor + t] = a;
            for (i, p) in pts.iter().enumerate() {
                put(i, 0, *p);
            }
            for t in 1..factor {
                for p in cur.iter_mut() {
                    for _ in 0..stride {
                        *p = p.double();
                    }
                }
                let affine = Projective::batch_to_affine(&cur);
                for (i, a) in affine.into_iter().enumerate() {
                    put(i, t, a);
                }
            }
        });
        let endo = if glv { endomorphism_points(&out) } else { Vec::new() };
        Self { points: out, endo, n, factor, glv, endomorphism, window_bits: c, k }
    }

    /// The bases as given (with `factor > 1`, every `factor`-th stored point).
    pub fn points(&self) -> Vec<Affine<C>> {
        self.points.iter().step_by(self.factor).copied().collect()
    }

    /// The number of bases.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are no bases.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The precomputation factor (1 = none).
    pub fn factor(&self) -> usize {
        self.factor
    }

    /// Whether `φ(Pᵢ)` is stored and the MSM uses the GLV split.
    pub fn uses_endomorphism(&self) -> bool {
        self.glv
    }

    /// Bytes held by the stored points.
    pub fn memory_bytes(&self) -> usize {
        (self.points.len() + self.endo.len()) * core::mem::size_of::<Affine<C>>()
    }

    /// `Σ scalars[i]·Pᵢ` with explicit tuning (the window width is fixed by the precomputation
    /// when `factor > 1`, and `config.window_bits` is then ignored).
    ///
    /// # Errors
    /// [`MsmError::LengthMismatch`] unless there is one scalar per base.
    pub fn msm_with(
        &self,
        scalars: &[C::Scalar],
        config: &PippengerConfig,
    ) -> Result<Projective<C>, MsmError> {
        check_lengths(self.n, scalars.len())?;
        if self.n == 0 {
            return Ok(Projective::IDENTITY);
        }
        if self.factor == 1 && !self.glv {
            let mut config = *config;
            if config.endomorphism == Endomorphism::Auto {
                config.endomorphism = self.endomorphism;
            }
            return msm_pippenger_with(&self.points, scalars, &config);
        }
        let limbs = match C::GLV {
            Some(params) if self.glv => match ScalarLimbs::new_glv(scalars, &params) {
                Some(limbs) => limbs,
                // Never for this crate's curves (the tests check the bound); without
                // precomputation the plain scalars still work on the stored Pᵢ.
                None if self.factor == 1 => ScalarLimbs::new(scalars),
                None => {
                    return Err(MsmError::GlvSplit);
                }
            },
            _ => ScalarLimbs::new(scalars),
        };
        let layout = if self.factor == 1 {
            let c = config
                .window_bits
                .unwrap_or_else(|| {
                    window_bits_for(self.n * limbs.parts(), limbs.num_bits(), config.bucket_mode)
                })
                .clamp(1, 24);
            Layout { c, factor: 1, k: n_booth_windows(limbs.num_bits(), c) }
        } else {
            Layout { c: self.window_bits, factor: self.factor, k: self.k }
        };
        Ok(run(Sets::new(&self.points, &self.endo), &limbs, self.n, layout, config))
    }
}

impl<C: SwCurve> MsmOps<C> for CpuBackend {
    type Bases = CpuBases<C>;
    /// The CPU computes the MSM when it is started.
    type PendingMsm = Projective<C>;

    /// [`CpuBases::new`]: with the endomorphism's points where [`Endomorphism::Auto`] uses them.
    fn prepare_bases(bases: Vec<Affine<C>>) -> Result<CpuBases<C>, MsmError> {
        Ok(CpuBases::new(bases))
    }

    fn n_bases(bases: &CpuBases<C>) -> usize {
        bases.n
    }

    fn msm_enqueue(
        bases: &CpuBases<C>,
        scalars: ColumnRef<'_, CpuBackend, C::Scalar>,
    ) -> Result<Projective<C>, MsmError> {
        bases.msm_with(scalars.as_slice(), &PippengerConfig::default())
    }

    fn msm_finish(pending: Projective<C>) -> Result<Projective<C>, MsmError> {
        Ok(pending)
    }

    fn msm(bases: &CpuBases<C>, scalars: &[C::Scalar]) -> Result<Projective<C>, MsmError> {
        bases.msm_with(scalars, &PippengerConfig::default())
    }
}

/// Cost of one bucket addition, in field multiplications (×10 to keep integers).
fn addition_cost(mode: BucketMode) -> usize {
    match mode {
        BucketMode::Xyzz => 100,
        BucketMode::BatchAffine | BucketMode::Auto => 65,
    }
}

/// The largest window width [`window_bits`] picks: `2^15` buckets per task (2 MiB of affine G1
/// buckets, a core's L2 on the development machine). With 14 as the cap, 16-bit windows had
/// measured slower at 2^20 (random bucket accesses miss the cache); since the batch-affine
/// reduction and GLV they measured 0.90–0.96× the time of 13/14-bit windows at 2^18 and 2^20
/// (interleaved runs, G1), which the cost model below picks there.
pub const MAX_AUTO_WINDOW_BITS: usize = 16;

/// The window width for `n` points: the `c ≤` [`MAX_AUTO_WINDOW_BITS`] minimising
/// `W(c)·(n·a + 2^(c−1)·r)` (module docs).
pub fn window_bits(n: usize, mode: BucketMode) -> usize {
    // BN254's Fr; the choice is flat enough that other sizes do as well.
    window_bits_for(n, 254, mode)
}

/// [`window_bits`] for `n` scalars of `num_bits` bits.
fn window_bits_for(n: usize, num_bits: usize, mode: BucketMode) -> usize {
    let a = addition_cost(mode);
    // Two additions per bucket (24M), counted as 16M: the reduction walks the buckets in order,
    // cache-friendly, where the accumulation jumps at random (fitted to the measured optimum,
    // c = 13 at 2^16).
    let r = 160;
    (2..=MAX_AUTO_WINDOW_BITS)
        .min_by_key(|&c| n_booth_windows(num_bits, c) * (n * a + (1usize << (c - 1)) * r))
        .unwrap_or(8)
}

/// Batch-affine buckets pay off once most additions land in a non-empty bucket and batches fill:
/// at least 4 points per bucket (measured faster than XYZZ from 2^12 up).
fn resolve_mode(mode: BucketMode, points_per_task: usize, c: usize) -> BucketMode {
    match mode {
        BucketMode::Auto if points_per_task >= (1 << (c - 1)) * 4 && c >= 6 => {
            BucketMode::BatchAffine
        }
        BucketMode::Auto => BucketMode::Xyzz,
        m => m,
    }
}

/// How stored points map to windows: point `sets[h][i·factor + t]` (`h`: the GLV half, `sets[1]`
/// holding the `φ` images; or `h = 0` and the whole scalar), virtual window `j` reads the digit of
/// global window `t·k + j` of entry `h` of scalar `i`.
#[derive(Clone, Copy, Debug)]
struct Layout {
    c: usize,
    factor: usize,
    k: usize,
}

/// The points an MSM reads: `points[j]`, and for the GLV half `h = 1` either the stored images
/// `endo[j] = φ(points[j])` or, for curves whose `φ` keeps `y`, only their x coordinates
/// `endo_x[j]` (`φ(points[j]) = (endo_x[j], points[j].y)`; half the memory).
#[derive(Clone, Copy)]
struct Sets<'a, C: SwCurve> {
    points: &'a [Affine<C>],
    endo: &'a [Affine<C>],
    endo_x: &'a [C::Base],
}

impl<'a, C: SwCurve> Sets<'a, C> {
    fn new(points: &'a [Affine<C>], endo: &'a [Affine<C>]) -> Self {
        Self { points, endo, endo_x: &[] }
    }

    /// Point `j` of half `h`.
    #[inline(always)]
    fn get(&self, h: usize, j: usize) -> Affine<C> {
        if h == 0 {
            self.points[j]
        } else if self.endo_x.is_empty() {
            self.endo[j]
        } else {
            Affine::new_unchecked(self.endo_x[j], self.points[j].y)
        }
    }
}

/// The x coordinates of `[φ(P₀), φ(P₁), …]`, in parallel (for [`SwCurve::ENDOMORPHISM_KEEPS_Y`]).
fn endomorphism_xs<C: SwCurve>(points: &[Affine<C>]) -> Vec<C::Base> {
    let mut out = vec![C::Base::ZERO; points.len()];
    out.par_chunks_mut(1024).zip(points.par_chunks(1024)).for_each(|(out, pts)| {
        for (o, p) in out.iter_mut().zip(pts) {
            *o = C::endomorphism(p).x;
        }
    });
    out
}

/// `[φ(P₀), φ(P₁), …]`, in parallel.
fn endomorphism_points<C: SwCurve>(points: &[Affine<C>]) -> Vec<Affine<C>> {
    let mut out = vec![Affine::IDENTITY; points.len()];
    out.par_chunks_mut(1024).zip(points.par_chunks(1024)).for_each(|(out, pts)| {
        for (o, p) in out.iter_mut().zip(pts) {
            *o = C::endomorphism(p);
        }
    });
    out
}

/// `Σ scalars[i]·bases[i]` by Pippenger's method with the default tuning.
///
/// # Errors
/// [`MsmError::LengthMismatch`] unless the lengths are equal.
pub fn msm_pippenger<C: SwCurve>(
    bases: &[Affine<C>],
    scalars: &[C::Scalar],
) -> Result<Projective<C>, MsmError> {
    msm_pippenger_with(bases, scalars, &PippengerConfig::default())
}

/// `Σ scalars[i]·bases[i]` by Pippenger's method with explicit tuning.
///
/// # Errors
/// [`MsmError::LengthMismatch`] unless the lengths are equal.
pub fn msm_pippenger_with<C: SwCurve>(
    bases: &[Affine<C>],
    scalars: &[C::Scalar],
    config: &PippengerConfig,
) -> Result<Projective<C>, MsmError> {
    check_lengths(bases.len(), scalars.len())?;
    if bases.len() >= SPLIT_MIN_POINTS
        && let Some(sum) = msm_split_small(bases, scalars, config)
    {
        return Ok(sum);
    }
    msm_pippenger_full(bases, scalars, config)
}

/// The fewest points for which [`msm_split_small`] looks at the scalars.
const SPLIT_MIN_POINTS: usize = 1 << 10;

/// Scalars below this many bits go to the small MSM of [`msm_split_small`].
const SMALL_SCALAR_BITS: u32 = 64;

/// Witness-shaped scalars (circom's: mostly 0, 1 and small integers — bits, bytes, 32-bit
/// words — with a minority of full-size field elements) in three parts: zeros are dropped,
/// the points of ones are summed, scalars below `2^64` go to an MSM over as many bits as the
/// largest of them has (a few windows instead of ~17 at 2^16 points, and a window width for their
/// own count), and the rest to the full MSM over just their points. `None` when every scalar is
/// full-size (then the full MSM runs as before, at the cost of one canonical conversion pass).
fn msm_split_small<C: SwCurve>(
    bases: &[Affine<C>],
    scalars: &[C::Scalar],
    config: &PippengerConfig,
) -> Option<Projective<C>> {
    let limbs = ScalarLimbs::new(scalars);
    let n = bases.len();
    // Per scalar: 0 zero, 1 one, 2 small, 3 full-size.
    let class: Vec<u8> = (0..n)
        .into_par_iter()
        .map(|i| {
            let l = limbs.get(i);
            if l[1..].iter().any(|&w| w != 0) {
                3
            } else {
                match l[0] {
                    0 => 0,
                    1 => 1,
                    _ => 2,
                }
            }
        })
        .collect();
    let n_full = class.iter().filter(|&&c| c == 3).count();
    if n_full == n {
        return None;
    }
    // The ones: a plain sum in parallel chunks, each by rounds of batch-affine additions.
    let ones = class
        .par_chunks(4096)
        .enumerate()
        .map(|(ch, cls)| {
            let mut points: Vec<Affine<C>> = cls
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c == 1)
                .map(|(j, _)| bases[ch * 4096 + j])
                .collect();
            sum_affine(&mut points).to_projective()
        })
        .reduce(|| Projective::IDENTITY, |a, b| a + b);
    // The small scalars: an MSM over their bit length.
    let small_idx: Vec<usize> = (0..n).filter(|&i| class[i] == 2).collect();
    let small = if small_idx.is_empty() {
        Projective::IDENTITY
    } else {
        let values: Vec<u64> = small_idx.iter().map(|&i| limbs.get(i)[0]).collect();
        let max = values.iter().copied().max().unwrap_or(0);
        let num_bits = (u64::BITS - max.leading_zeros()).min(SMALL_SCALAR_BITS) as usize;
        let points: Vec<Affine<C>> = small_idx.iter().map(|&i| bases[i]).collect();
        let m = points.len();
        let small_limbs = ScalarLimbs::from_u64s(values, num_bits.max(1));
        let c = window_bits_for(m, num_bits.max(1), config.bucket_mode).clamp(1, 24);
        let k = n_booth_windows(num_bits.max(1), c);
        run(Sets::new(&points, &[]), &small_limbs, m, Layout { c, factor: 1, k }, config)
    };
    drop(limbs);
    // The full-size scalars: the usual MSM over just their points.
    let full = if n_full == 0 {
        Projective::IDENTITY
    } else {
        let idx: Vec<usize> = (0..n).filter(|&i| class[i] == 3).collect();
        let points: Vec<Affine<C>> = idx.iter().map(|&i| bases[i]).collect();
        let s: Vec<C::Scalar> = idx.iter().map(|&i| scalars[i]).collect();
        msm_pippenger_full(&points, &s, config).ok()?
    };
    Some(ones + small + full)
}

/// [`msm_pippenger_with`] without looking at the scalars' sizes.
fn msm_pippenger_full<C: SwCurve>(
    bases: &[Affine<C>],
    scalars: &[C::Scalar],
    config: &PippengerConfig,
) -> Result<Projective<C>, MsmError> {
    check_lengths(bases.len(), scalars.len())?;
    let n = bases.len();
    if n == 0 {
        return Ok(Projective::IDENTITY);
    }
    let glv_limbs = match C::GLV {
        Some(params) if use_endomorphism::<C>(n, config.endomorphism) => {
            ScalarLimbs::new_glv(scalars, &params)
        }
        _ => None,
    };
    // With the split: the φ images, a transient copy of the bases (1× their memory), or of their
    // x coordinates only where φ keeps y (½×).
    let (endo, endo_x, limbs) = match glv_limbs {
        Some(limbs) if C::ENDOMORPHISM_KEEPS_Y => (Vec::new(), endomorphism_xs(bases), limbs),
        Some(limbs) => (endomorphism_points(bases), Vec::new(), limbs),
        None => (Vec::new(), Vec::new(), ScalarLimbs::new(scalars)),
    };
    let c = config
        .window_bits
        .unwrap_or_else(|| window_bits_for(n * limbs.parts(), limbs.num_bits(), config.bucket_mode))
        .clamp(1, 24);
    let k = n_booth_windows(limbs.num_bits(), c);
    let sets = Sets { points: bases, endo: &endo, endo_x: &endo_x };
    Ok(run(sets, &limbs, n, Layout { c, factor: 1, k }, config))
}

/// The most buckets (all windows of a task together) that [`windows_per_task`] gathers in one
/// task: 256 KiB of affine G1 buckets, half a core's L2 on the development machines.
const MAX_GROUPED_BUCKETS: usize = 1 << 12;

/// Windows per task for `k` windows of `n_buckets` buckets on `threads` threads: with
/// batch-affine buckets, as many as keep every thread busy (`⌈k / threads⌉`) and the task's
/// buckets within [`MAX_GROUPED_BUCKETS`], so that narrow windows (few buckets each, hence short
/// batches and a costly inversion per few additions) share their batches; one window per task
/// otherwise.
fn windows_per_task(k: usize, n_buckets: usize, threads: usize, mode: BucketMode) -> usize {
    if mode != BucketMode::BatchAffine {
        return 1;
    }
    k.div_ceil(threads).min(MAX_GROUPED_BUCKETS / n_buckets).max(1)
}

/// The MSM proper: tasks = groups of virtual windows × chunks of scalars, each summing its
/// buckets.
fn run<C: SwCurve>(
    sets: Sets<'_, C>,
    limbs: &ScalarLimbs,
    n: usize,
    layout: Layout,
    config: &PippengerConfig,
) -> Projective<C> {
    let Layout { c, factor, k, .. } = layout;
    let parts = limbs.parts();
    let threads = rayon::current_num_threads().max(1);
    let n_buckets = 1usize << (c - 1);
    let n_entries = n * parts * factor;
    // Windows per task, for the bucket mode all the points in one chunk would get.
    let g = config
        .windows_per_task
        .unwrap_or_else(|| {
            windows_per_task(k, n_buckets, threads, resolve_mode(config.bucket_mode, n_entries, c))
        })
        .clamp(1, k);
    let n_groups = k.div_ceil(g);
    // Enough tasks to keep every thread busy (and balance the uneven last window), but each chunk
    // pays a full bucket reduction, so keep chunks well above the number of buckets.
    let n_chunks = config
        .n_chunks
        .unwrap_or_else(|| {
            let wanted =
                if g == 1 { (2 * threads).div_ceil(k) } else { threads.div_ceil(n_groups) };
            let affordable = n_entries / (1usize << (c + 1)).max(1);
            wanted.min(affordable)
        })
        .clamp(1, n);
    let chunk_len = n.div_ceil(n_chunks);
    let n_chunks = n.div_ceil(chunk_len);
    let mode = resolve_mode(config.bucket_mode, chunk_len * parts * factor, c);

    // Task (group, chunk) writes the sums of its windows into its own slot.
    let tasks: Vec<(usize, usize)> =
        (0..n_groups).flat_map(|gi| (0..n_chunks).map(move |ch| (gi, ch))).collect();
    let sums: Vec<Vec<Xyzz<C>>> = tasks
        .par_iter()
        .map(|&(gi, ch)| {
            let range = ch * chunk_len..((ch + 1) * chunk_len).min(n);
            let windows = gi * g..((gi + 1) * g).min(k);
            let n_windows = windows.len();
            match mode {
                BucketMode::Xyzz => window_sums(
                    XyzzBuckets::new(n_windows, n_buckets),
                    sets,
                    limbs,
                    range,
                    windows,
                    layout,
                ),
                _ => window_sums(
                    BatchAffineBuckets::new(n_windows, n_buckets),
                    sets,
                    limbs,
                    range,
                    windows,
                    layout,
                ),
            }
        })
        .collect();

    // Window j's total, then Horner over windows: Σ_j 2^(j·c)·S_j.
    let mut acc = Projective::<C>::IDENTITY;
    for j in (0..k).rev() {
        for _ in 0..c {
            acc = acc.double();
        }
        let (gi, w) = (j / g, j % g);
        let mut s = Xyzz::<C>::IDENTITY;
        for part in &sums[gi * n_chunks..(gi + 1) * n_chunks] {
            s.add_assign_xyzz(&part[w]);
        }
        acc += s.to_projective();
    }
    acc
}

/// One task: virtual windows `windows` over scalars `range`; the sum of each window.
fn window_sums<C: SwCurve, B: Buckets<C>>(
    mut buckets: B,
    sets: Sets<'_, C>,
    limbs: &ScalarLimbs,
    range: core::ops::Range<usize>,
    windows: core::ops::Range<usize>,
    layout: Layout,
) -> Vec<Xyzz<C>> {
    let Layout { c, factor, k } = layout;
    let parts = limbs.parts();
    let n_buckets = 1usize << (c - 1);
    for i in range {
        for h in 0..parts {
            let e = i * parts + h;
            let scalar = limbs.get(e);
            let negative = limbs.is_negative(e);
            let base = i * factor;
            for t in 0..factor {
                let p = &sets.get(h, base + t);
                if p.is_identity() {
                    continue;
                }
                for (w, j) in windows.clone().enumerate() {
                    let d = booth_digit(scalar, t * k + j, c);
                    if d == 0 {
                        continue;
                    }
                    let b = w * n_buckets + d.unsigned_abs() as usize - 1;
                    buckets.add(b, p, (d < 0) != negative);
                }
            }
        }
    }
    let mut out = vec![Xyzz::IDENTITY; windows.len()];
    buckets.finish(&mut out);
    out
}
