//! SIMD packing: a [`PackedField`] holds `WIDTH` elements of a field and does the same arithmetic
//! on every lane, so generic code (NTT butterflies, Merkle hashing, sumcheck folds) vectorises by
//! working on `F::Packing` instead of `F`.
//!
//! Every field is its own packing of width 1 (blanket impl below); the small fields add AVX2 and
//! AVX-512 packings. `Field::Packing` names the one the compile-time target features allow; code
//! that should use the CPU it runs on writes a [`PackedKernel`] and runs it through
//! [`Field::with_packing`], which picks the packing at run time ([`crate::cpu::level`]).

use core::fmt::Debug;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::Field;

/// `WIDTH` lanes of a field, operated on together.
///
/// # Safety
/// Implementors must be `#[repr(transparent)]` (or `#[repr(C)]`) wrappers whose memory layout is
/// exactly `[Self::Scalar; Self::WIDTH]`, and every bit pattern reachable through
/// [`PackedField::as_slice_mut`] must be one the packed arithmetic accepts. The slice-casting
/// helpers rely on this.
pub unsafe trait PackedField:
    Copy
    + Default
    + Debug
    + Send
    + Sync
    + 'static
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + Add<Self::Scalar, Output = Self>
    + Sub<Self::Scalar, Output = Self>
    + Mul<Self::Scalar, Output = Self>
{
    /// The field of one lane.
    type Scalar: Field;

    /// The number of lanes.
    const WIDTH: usize;

    /// Every lane equal to `s`.
    fn broadcast(s: Self::Scalar) -> Self;

    /// Lane `i` is `f(i)`.
    fn from_fn<Fun: FnMut(usize) -> Self::Scalar>(f: Fun) -> Self;

    /// The lanes.
    #[inline]
    fn as_slice(&self) -> &[Self::Scalar] {
        // SAFETY: the trait's contract says `Self` has the layout of `[Scalar; WIDTH]`.
        unsafe {
            core::slice::from_raw_parts((self as *const Self).cast::<Self::Scalar>(), Self::WIDTH)
        }
    }

    /// The lanes, mutably.
    #[inline]
    fn as_slice_mut(&mut self) -> &mut [Self::Scalar] {
        // SAFETY: the trait's contract says `Self` has the layout of `[Scalar; WIDTH]`, and scalars
        // written through the slice are valid field elements.
        unsafe {
            core::slice::from_raw_parts_mut((self as *mut Self).cast::<Self::Scalar>(), Self::WIDTH)
        }
    }

    /// `(self + c)^D`, lane-wise: the S-box of an arithmetisation-oriented hash (Poseidon2 uses
    /// `D` = 3, 5 or 7) with its round constant. Packings of small fields override it to skip the
    /// intermediate canonical reductions; the default is [`exp_small`] on `self + c`.
    #[inline(always)]
    fn add_exp_small<const D: u64>(self, c: Self::Scalar) -> Self {
        exp_small::<Self, D>(self + c)
    }

    /// `xs[i] ← (xs[i] + cs[i])^D` for every `i` (a full S-box layer; `cs` at least as long as
    /// `xs`). The default applies [`PackedField::add_exp_small`] cell by cell; a packing whose
    /// S-box is a long chain of dependent products may instead run it stage by stage across the
    /// cells, so that the cells' independent chains interleave (Goldilocks does, as Plonky3's
    /// `sbox_array`).
    #[inline(always)]
    fn add_exp_small_batch<const D: u64>(xs: &mut [Self], cs: &[Self::Scalar]) {
        for (x, &c) in xs.iter_mut().zip(cs) {
            *x = x.add_exp_small::<D>(c);
        }
    }

    /// Whether [`PackedField::sub_exp_small`] and its batch form are this packing's fast S-box
    /// (the small-field SIMD packings), so that a hash should keep its round constants as negated
    /// packed vectors; where `false` they are the generic fallback and
    /// [`PackedField::add_exp_small`] with scalar constants is at least as fast.
    const PACKED_NEG_CONSTANTS: bool = false;

    /// `(self − neg_c)^D` lane-wise, where `neg_c` holds the negated round constants: lane by lane
    /// the same value as [`PackedField::add_exp_small`] with `c = −neg_c`. A packing of a 31-bit
    /// field subtracts the constant vector with one instruction (a memory operand when the hash
    /// keeps the constants in memory) and feeds the signed difference straight into its S-box.
    #[inline(always)]
    fn sub_exp_small<const D: u64>(self, neg_c: Self) -> Self {
        exp_small::<Self, D>(self - neg_c)
    }

    /// `xs[i] ← (xs[i] − neg_cs[i])^D` for every `i` (`neg_cs` at least as long as `xs`): the
    /// batch form of [`PackedField::sub_exp_small`], as [`PackedField::add_exp_small_batch`] is of
    /// [`PackedField::add_exp_small`].
    #[inline(always)]
    fn sub_exp_small_batch<const D: u64>(xs: &mut [Self], neg_cs: &[Self]) {
        for (x, &c) in xs.iter_mut().zip(neg_cs) {
            *x = x.sub_exp_small::<D>(c);
        }
    }

    /// `self · v` lane-wise, where the caller promises `v = 2^{−n}` (computed once, outside the hot
    /// loop). Packings in which this is a shift and a fix-up (Monty-31 words, Goldilocks) override
    /// it and may ignore `v`; the default multiplies by `v`. A `v` other than `2^{−n}` gives
    /// unspecified lanes.
    #[inline(always)]
    fn mul_inv_2exp(self, n: u32, v: Self::Scalar) -> Self {
        let _ = n;
        self * v
    }

    /// `acc + self·v` (`acc − self·v` when `negate`) lane-wise, where the caller promises
    /// `v = 2^{−n}`: [`PackedField::mul_inv_2exp`] fused with the addition, which lets a packing
    /// skip the intermediate canonical form (BabyBear AVX-512 does).
    #[inline(always)]
    fn mul_inv_2exp_add(self, n: u32, v: Self::Scalar, acc: Self, negate: bool) -> Self {
        let y = self.mul_inv_2exp(n, v);
        if negate { acc - y } else { acc + y }
    }

    /// `self · v` lane-wise, where the caller promises `v = 2^n` (as [`PackedField::mul_inv_2exp`]:
    /// M31 overrides it with a 31-bit rotation; the default multiplies by `v`).
    #[inline(always)]
    fn mul_2exp(self, n: u32, v: Self::Scalar) -> Self {
        let _ = n;
        self * v
    }

    /// A weight as [`PackedField::dot_limbs`] takes it: every weight passes through this once
    /// (outside the hot loop). The default is the identity; the Monty-31 SIMD packings scale it by
    /// the Montgomery radix, which their lazy sum then divides out in its one reduction.
    #[inline(always)]
    fn limb_weight(w: Self::Scalar) -> Self::Scalar {
        w
    }

    /// A dot product of weights with 16-bit limbs: lane `l` is
    /// `Σ_k (a_k·(x mod 2^16) + b_k·(x >> 16))`, where `x = words[k][at + l]` (any `u32`, taken as
    /// an integer) and `ws[k] = [limb_weight(a_k), limb_weight(b_k)]`. With `b_k = 2^16·a_k` a
    /// term is `a_k·x`; with `(b_k, a_k) = (β^{j+1}, β^j)` it folds the two 16-bit limbs of a
    /// word into a LogUp tuple. `K ≤ 64` (checked at compile time).
    ///
    /// The default converts and multiplies limb by limb; the Monty-31 SIMD packings sum the
    /// `2K` products of 31-bit weights and 16-bit limbs in 64 bits (`< 2^54`) and make one
    /// Montgomery reduction per lane (a *lazy* dot product: 2 `vpmuludq` per term instead of a
    /// full Montgomery product).
    ///
    /// # Panics
    /// If some `words[k]` is shorter than `at + WIDTH`.
    #[inline(always)]
    fn dot_limbs<const K: usize>(
        ws: &[[Self::Scalar; 2]; K],
        words: &[&[u32]; K],
        at: usize,
    ) -> Self {
        const { assert!(K <= 64, "dot_limbs takes at most 64 words") };
        let mut acc = Self::broadcast(Self::Scalar::ZERO);
        for (w, x) in ws.iter().zip(words) {
            let x = &x[at..at + Self::WIDTH];
            let lo = Self::from_fn(|l| Self::Scalar::from_u64(u64::from(x[l] & 0xffff)));
            let hi = Self::from_fn(|l| Self::Scalar::from_u64(u64::from(x[l] >> 16)));
            acc += lo * w[0] + hi * w[1];
        }
        acc
    }

    /// `WIDTH` rows of `N` scalars (`rows.len() == WIDTH`, e.g. hash states) as `N` packed cells:
    /// lane `l` of cell `i` is `rows[l][i]`. The default gathers lane by lane; a packing may
    /// override it with a register transpose.
    ///
    /// # Panics
    /// If `rows.len() != WIDTH`.
    #[inline(always)]
    fn pack_rows<const N: usize>(rows: &[[Self::Scalar; N]]) -> [Self; N] {
        assert_eq!(rows.len(), Self::WIDTH, "pack_rows needs WIDTH rows");
        let mut cells = [Self::default(); N];
        for (i, cell) in cells.iter_mut().enumerate() {
            for (lane, v) in cell.as_slice_mut().iter_mut().enumerate() {
                *v = rows[lane][i];
            }
        }
        cells
    }

    /// The inverse of [`PackedField::pack_rows`]: `rows[l][i]` becomes lane `l` of `cells[i]`.
    ///
    /// # Panics
    /// If `rows.len() != WIDTH`.
    #[inline(always)]
    fn unpack_rows<const N: usize>(cells: &[Self; N], rows: &mut [[Self::Scalar; N]]) {
        assert_eq!(rows.len(), Self::WIDTH, "unpack_rows needs WIDTH rows");
        for (i, cell) in cells.iter().enumerate() {
            for (lane, v) in cell.as_slice().iter().enumerate() {
                rows[lane][i] = *v;
            }
        }
    }

    /// Views a slice of scalars as packed values.
    ///
    /// # Panics
    /// If `buf.len()` is not a multiple of `WIDTH`.
    #[inline]
    fn pack_slice(buf: &[Self::Scalar]) -> &[Self] {
        assert!(
            buf.len().is_multiple_of(Self::WIDTH),
            "length {} is not a multiple of WIDTH {}",
            buf.len(),
            Self::WIDTH
        );
        assert!(
            core::mem::align_of::<Self>() <= core::mem::align_of::<Self::Scalar>()
                || buf.as_ptr().cast::<Self>().is_aligned()
        );
        // SAFETY: layout is `[Scalar; WIDTH]` (trait contract), the length is a multiple of WIDTH
        // and the alignment was checked above.
        unsafe { core::slice::from_raw_parts(buf.as_ptr().cast::<Self>(), buf.len() / Self::WIDTH) }
    }

    /// Views the longest prefix of `buf` that is a multiple of `WIDTH` as packed values, and returns
    /// the rest as scalars.
    #[inline]
    fn pack_slice_with_suffix_mut(buf: &mut [Self::Scalar]) -> (&mut [Self], &mut [Self::Scalar]) {
        let n_packed = buf.len() / Self::WIDTH * Self::WIDTH;
        let (packed, suffix) = buf.split_at_mut(n_packed);
        (Self::pack_slice_mut(packed), suffix)
    }

    /// Views a mutable slice of scalars as packed values.
    ///
    /// # Panics
    /// If `buf.len()` is not a multiple of `WIDTH`.
    #[inline]
    fn pack_slice_mut(buf: &mut [Self::Scalar]) -> &mut [Self] {
        assert!(
            buf.len().is_multiple_of(Self::WIDTH),
            "length {} is not a multiple of WIDTH {}",
            buf.len(),
            Self::WIDTH
        );
        assert!(
            core::mem::align_of::<Self>() <= core::mem::align_of::<Self::Scalar>()
                || buf.as_ptr().cast::<Self>().is_aligned()
        );
        // SAFETY: as in `pack_slice`; the mutable borrow of `buf` is moved into the result.
        unsafe {
            core::slice::from_raw_parts_mut(
                buf.as_mut_ptr().cast::<Self>(),
                buf.len() / Self::WIDTH,
            )
        }
    }
}

/// `x^D` lane-wise by a short fixed chain for `D` ≤ 7 (`x^7 = x³·x⁴`: four multiplications), by
/// square-and-multiply otherwise.
#[inline(always)]
pub fn exp_small<P: PackedField, const D: u64>(x: P) -> P {
    match D {
        0 => P::broadcast(P::Scalar::ONE),
        1 => x,
        2 => x * x,
        3 => x * x * x,
        4 => {
            let x2 = x * x;
            x2 * x2
        }
        5 => {
            let x2 = x * x;
            x2 * x2 * x
        }
        6 => {
            let x3 = x * x * x;
            x3 * x3
        }
        7 => {
            let x2 = x * x;
            let x3 = x2 * x;
            x3 * (x2 * x2)
        }
        _ => {
            let mut acc = P::broadcast(P::Scalar::ONE);
            let mut base = x;
            let mut e = D;
            while e > 0 {
                if e & 1 == 1 {
                    acc *= base;
                }
                base = base * base;
                e >>= 1;
            }
            acc
        }
    }
}

// SAFETY: a field element is trivially an array of one of itself.
unsafe impl<F: Field> PackedField for F {
    type Scalar = F;
    const WIDTH: usize = 1;

    #[inline]
    fn broadcast(s: F) -> Self {
        s
    }

    #[inline]
    fn from_fn<Fun: FnMut(usize) -> F>(mut f: Fun) -> Self {
        f(0)
    }
}

/// A computation over packed lanes of `F`, written once for any [`PackedField`] of `F` and run by
/// [`Field::with_packing`] on the packing this process should use.
///
/// `run` should be `#[inline(always)]`, and so should everything it calls that operates on the
/// lanes: where the packing is chosen at run time, only code inlined into the
/// `#[target_feature]` entry point is compiled with the SIMD features enabled. Work handed to
/// other threads (Rayon) leaves that entry point: dispatch inside each task instead.
pub trait PackedKernel<F: Field> {
    /// What the computation returns.
    type Output;
    /// The computation on the packing `P`.
    fn run<P: PackedField<Scalar = F>>(self) -> Self::Output;
}

/// The number of lanes of the packing [`Field::with_packing`] uses at this moment (`P::WIDTH` of
/// the run-time packing; 1 for fields without one). Generic code that groups data by the SIMD
/// width (columns transformed together, rows of packed vectors) reads it here, not from
/// `F::Packing`, whose width is fixed at compile time. The kernels it then runs must still accept
/// any packing: the process-wide level can be lowered in between ([`crate::cpu::set_max_cpu_level`]).
#[inline]
pub fn packing_width<F: Field>() -> usize {
    struct Width;
    impl<F: Field> PackedKernel<F> for Width {
        type Output = usize;
        #[inline(always)]
        fn run<P: PackedField<Scalar = F>>(self) -> usize {
            P::WIDTH
        }
    }
    F::with_packing(Width)
}

/// The body of every SIMD field's [`Field::with_packing`] on x86-64: `kernel` on `W512`
/// (AVX-512 F/BW/DQ/VL) where [`crate::cpu::level`] ≥ [`crate::cpu::CpuLevel::Avx512`], on `W256`
/// (AVX2) where it is [`crate::cpu::CpuLevel::Avx2`], and on one lane (`F` itself) below. The two
/// wide packings run through `#[target_feature]` entry points, so a baseline build compiles the
/// kernel, inlined into them, with the SIMD features enabled.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn dispatch_x86<F, W512, W256, K>(kernel: K) -> K::Output
where
    F: Field,
    W512: PackedField<Scalar = F>,
    W256: PackedField<Scalar = F>,
    K: PackedKernel<F>,
{
    use crate::cpu::{CpuLevel, level};

    /// # Safety
    /// The CPU must have AVX-512 F, BW, DQ and VL.
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
    unsafe fn run_avx512<F: Field, W: PackedField<Scalar = F>, K: PackedKernel<F>>(
        kernel: K,
    ) -> K::Output {
        kernel.run::<W>()
    }

    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2<F: Field, W: PackedField<Scalar = F>, K: PackedKernel<F>>(
        kernel: K,
    ) -> K::Output {
        kernel.run::<W>()
    }

    let l = level();
    if l >= CpuLevel::Avx512 {
        // SAFETY: `cpu::level()` never exceeds `cpu::detected_level()`, which reports `Avx512` or
        // above only where the CPU has AVX-512 F, BW, DQ and VL.
        return unsafe { run_avx512::<F, W512, K>(kernel) };
    }
    if l >= CpuLevel::Avx2 {
        // SAFETY: as above, `Avx2` is detected only where the CPU has AVX2 (and FMA).
        return unsafe { run_avx2::<F, W256, K>(kernel) };
    }
    kernel.run::<F>()
}
