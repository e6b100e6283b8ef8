//! Packed quartic extensions: `WIDTH` lanes of `F[X]/(X⁴ − W)` held as four packed base-field
//! vectors (one per coefficient, "structure of arrays"), so that extension products, inverses and
//! batch inversions run on SIMD lanes ([`PackedExt4`]), and a batch inversion of a slice of
//! quartic extension elements that uses them ([`batch_inverse_ext4_in_place`]).
//!
//! Field arithmetic is exact, so every result here equals the scalar one bit for bit (elements are
//! stored canonically); the tests check this against [`crate::BinomialExtension`].

use core::marker::PhantomData;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use rayon::prelude::*;

use crate::{BinomialExtension, BinomialParams, Field, PackedField, PackedKernel, PrimeField64};

/// `P::WIDTH` elements of `F[X]/(X⁴ − W)` (`F = P::Scalar`, `W` from `Prm`): lane `l` of the
/// element is `Σ_c lane l of coeffs[c] · X^c`.
#[derive(Debug)]
pub struct PackedExt4<P: PackedField, Prm> {
    /// The coefficients of `X⁰ … X³`, each packed over the lanes.
    pub coeffs: [P; 4],
    _params: PhantomData<fn() -> Prm>,
}

impl<P: PackedField, Prm> Clone for PackedExt4<P, Prm> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<P: PackedField, Prm> Copy for PackedExt4<P, Prm> {}

impl<P: PackedField, Prm> Default for PackedExt4<P, Prm> {
    #[inline(always)]
    fn default() -> Self {
        Self { coeffs: [P::default(); 4], _params: PhantomData }
    }
}

impl<P, Prm> PackedExt4<P, Prm>
where
    P: PackedField,
    Prm: BinomialParams<P::Scalar, 4>,
{
    /// The element with these packed coefficients.
    #[inline(always)]
    pub const fn new(coeffs: [P; 4]) -> Self {
        Self { coeffs, _params: PhantomData }
    }

    /// Every lane equal to `e`.
    #[inline(always)]
    pub fn broadcast(e: BinomialExtension<P::Scalar, 4, Prm>) -> Self {
        let c = e.coeffs();
        Self::new([P::broadcast(c[0]), P::broadcast(c[1]), P::broadcast(c[2]), P::broadcast(c[3])])
    }

    /// Every lane one.
    #[inline(always)]
    pub fn one() -> Self {
        let z = P::broadcast(P::Scalar::ZERO);
        Self::new([P::broadcast(P::Scalar::ONE), z, z, z])
    }

    /// Lane `l` is `f(l)`.
    #[inline(always)]
    pub fn from_fn(mut f: impl FnMut(usize) -> BinomialExtension<P::Scalar, 4, Prm>) -> Self {
        let mut out = Self::default();
        for l in 0..P::WIDTH {
            let e = f(l);
            for (c, v) in out.coeffs.iter_mut().zip(e.coeffs()) {
                c.as_slice_mut()[l] = *v;
            }
        }
        out
    }

    /// Lane `l`.
    ///
    /// # Panics
    /// If `l ≥ P::WIDTH`.
    #[inline(always)]
    pub fn lane(&self, l: usize) -> BinomialExtension<P::Scalar, 4, Prm> {
        let [c0, c1, c2, c3] = &self.coeffs;
        BinomialExtension::new([
            c0.as_slice()[l],
            c1.as_slice()[l],
            c2.as_slice()[l],
            c3.as_slice()[l],
        ])
    }

    /// Writes lane `l` to `out[l]` for `l < min(WIDTH, out.len())` (a 4 × `WIDTH` transpose,
    /// written out so that it stays inline in the caller's SIMD code).
    #[inline(always)]
    pub fn write_lanes(&self, out: &mut [BinomialExtension<P::Scalar, 4, Prm>]) {
        let [c0, c1, c2, c3] = &self.coeffs;
        let (c0, c1, c2, c3) = (c0.as_slice(), c1.as_slice(), c2.as_slice(), c3.as_slice());
        for (l, x) in out.iter_mut().take(P::WIDTH).enumerate() {
            *x = BinomialExtension::new([c0[l], c1[l], c2[l], c3[l]]);
        }
    }

    /// The weights `ws` (pairs of extension elements) as [`PackedExt4::dot_limbs`] takes them:
    /// each coefficient through [`PackedField::limb_weight`]. Made once, outside the hot loop.
    #[inline(always)]
    pub fn limb_weights<const K: usize>(
        ws: &[[BinomialExtension<P::Scalar, 4, Prm>; 2]; K],
    ) -> [[[P::Scalar; 2]; K]; 4] {
        let mut out = [[[P::Scalar::ZERO; 2]; K]; 4];
        for (k, pair) in ws.iter().enumerate() {
            for (j, w) in pair.iter().enumerate() {
                for (c, &x) in w.coeffs().iter().enumerate() {
                    out[c][k][j] = P::limb_weight(x);
                }
            }
        }
        out
    }

    /// The extension-weighted dot product of 16-bit limbs, coefficient by coefficient through
    /// [`PackedField::dot_limbs`]: lane `l` is `Σ_k (a_k·(x mod 2^16) + b_k·(x >> 16))` for
    /// `x = words[k][at + l]` and `ws = limb_weights(&[[a_k, b_k], …])`. A LogUp tuple folds this
    /// way with no conversion of its fields and one reduction per coefficient.
    ///
    /// # Panics
    /// If some `words[k]` is shorter than `at + WIDTH`.
    #[inline(always)]
    pub fn dot_limbs<const K: usize>(
        ws: &[[[P::Scalar; 2]; K]; 4],
        words: &[&[u32]; K],
        at: usize,
    ) -> Self {
        let [w0, w1, w2, w3] = ws;
        Self::new([
            P::dot_limbs(w0, words, at),
            P::dot_limbs(w1, words, at),
            P::dot_limbs(w2, words, at),
            P::dot_limbs(w3, words, at),
        ])
    }

    /// `self · b` for a packed base-field `b`.
    #[inline(always)]
    pub fn mul_base(self, b: P) -> Self {
        // Written out: `[T; N]::map` is not always inlined, and packed arithmetic outside the
        // `#[target_feature]` entry point compiles to calls.
        let [c0, c1, c2, c3] = self.coeffs;
        Self::new([c0 * b, c1 * b, c2 * b, c3 * b])
    }

    /// Whether some lane is zero.
    #[inline(always)]
    pub fn any_lane_zero(&self) -> bool {
        (0..P::WIDTH).any(|l| self.coeffs.iter().all(|c| c.as_slice()[l].is_zero()))
    }

    /// The inverse of every lane, zero lanes mapped to zero: with `Y = X²`, the norm down to
    /// `F[Y]/(Y² − W)` and then to `F` (the scalar [`Field::inverse`]'s tower), one packed
    /// exponentiation `x^(p−2)` for all lanes.
    #[inline(always)]
    pub fn inverse_or_zero(self) -> Self
    where
        P::Scalar: PrimeField64,
    {
        let (n0, n1) = self.half_norm();
        let norm = Self::norm_of(n0, n1);
        let inv = pow_packed(norm, P::Scalar::ORDER_U64 - 2);
        self.times_half_norm_inverse(n0, n1, inv)
    }

    /// The norm `n0 + n1·Y` down to `F[Y]/(Y² − W)` (`Y = X²`): `A² − Y·B²` for
    /// `self = A + X·B`, `A = a0 + a2·Y`, `B = a1 + a3·Y`.
    #[inline(always)]
    fn half_norm(&self) -> (P, P) {
        let w = Prm::W;
        let [a0, a1, a2, a3] = self.coeffs;
        let a1a3 = a1 * a3;
        let n0 = a0 * a0 + (a2 * a2) * w - (a1a3 + a1a3) * w;
        let a0a2 = a0 * a2;
        let n1 = (a0a2 + a0a2) - a1 * a1 - (a3 * a3) * w;
        (n0, n1)
    }

    /// The norm down to `F` of an element whose [`Self::half_norm`] is `(n0, n1)`.
    #[inline(always)]
    fn norm_of(n0: P, n1: P) -> P {
        n0 * n0 - (n1 * n1) * Prm::W
    }

    /// `self⁻¹` from its [`Self::half_norm`] `(n0, n1)` and `norm_inv`, the inverse of its norm
    /// down to `F`: `(A − X·B) · (n0 − n1·Y) · norm_inv` (zero lanes stay zero).
    #[inline(always)]
    fn times_half_norm_inverse(self, n0: P, n1: P, norm_inv: P) -> Self {
        let w = Prm::W;
        let [a0, a1, a2, a3] = self.coeffs;
        let (m0, m1) = (n0 * norm_inv, -(n1 * norm_inv));
        Self::new([
            a0 * m0 + (a2 * m1) * w,
            -(a1 * m0 + (a3 * m1) * w),
            a0 * m1 + a2 * m0,
            -(a1 * m1 + a3 * m0),
        ])
    }
}

/// `x^e` lane-wise, square and multiply (`0^e = 0` for `e > 0`).
#[inline(always)]
fn pow_packed<P: PackedField>(x: P, e: u64) -> P {
    let mut acc = P::broadcast(P::Scalar::ONE);
    for i in (0..64 - e.leading_zeros()).rev() {
        acc = acc * acc;
        if (e >> i) & 1 == 1 {
            acc *= x;
        }
    }
    acc
}

impl<P: PackedField, Prm: BinomialParams<P::Scalar, 4>> Add for PackedExt4<P, Prm> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        let (a, b) = (self.coeffs, rhs.coeffs);
        Self::new([a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]])
    }
}

impl<P: PackedField, Prm: BinomialParams<P::Scalar, 4>> Sub for PackedExt4<P, Prm> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        let (a, b) = (self.coeffs, rhs.coeffs);
        Self::new([a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]])
    }
}

impl<P: PackedField, Prm: BinomialParams<P::Scalar, 4>> Neg for PackedExt4<P, Prm> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        let [c0, c1, c2, c3] = self.coeffs;
        Self::new([-c0, -c1, -c2, -c3])
    }
}

impl<P: PackedField, Prm: BinomialParams<P::Scalar, 4>> Mul for PackedExt4<P, Prm> {
    type Output = Self;
    /// Schoolbook, the wrapped terms through `W·b_j` (3 + 16 packed products).
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        let [a0, a1, a2, a3] = self.coeffs;
        let [b0, b1, b2, b3] = rhs.coeffs;
        let w = Prm::W;
        let (w1, w2, w3) = (b1 * w, b2 * w, b3 * w);
        Self::new([
            a0 * b0 + a1 * w3 + a2 * w2 + a3 * w1,
            a0 * b1 + a1 * b0 + a2 * w3 + a3 * w2,
            a0 * b2 + a1 * b1 + a2 * b0 + a3 * w3,
            a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0,
        ])
    }
}

impl<P: PackedField, Prm: BinomialParams<P::Scalar, 4>> AddAssign for PackedExt4<P, Prm> {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl<P: PackedField, Prm: BinomialParams<P::Scalar, 4>> SubAssign for PackedExt4<P, Prm> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl<P: PackedField, Prm: BinomialParams<P::Scalar, 4>> MulAssign for PackedExt4<P, Prm> {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

/// Montgomery's trick on packed lanes: replaces `values[b]` by its inverse, lane by lane (each
/// lane an independent chain), with `scratch` (at least as long as `values`) as scratch space.
///
/// The trick runs on the norms down to the base field, not on the extension elements: per element
/// its norm (12 packed base products), one base product forward and two back, then the inverse
/// from the norm's (12 more), with one packed base-field exponentiation per call — 27 packed
/// base products per element against 57 for three extension products.
///
/// Returns `false`, leaving `values` unchanged, when some lane of some element is zero (the
/// product of a lane is then zero and cannot be inverted); the caller handles zeros itself.
///
/// # Panics
/// If `scratch` is shorter than `values`.
#[inline(always)]
pub fn batch_inverse_packed_ext4<P, Prm>(
    values: &mut [PackedExt4<P, Prm>],
    scratch: &mut [PackedExt4<P, Prm>],
) -> bool
where
    P: PackedField,
    P::Scalar: PrimeField64,
    Prm: BinomialParams<P::Scalar, 4>,
{
    let scratch = &mut scratch[..values.len()];
    let mut acc = P::broadcast(P::Scalar::ONE);
    for (s, v) in scratch.iter_mut().zip(values.iter()) {
        let (n0, n1) = v.half_norm();
        let norm = PackedExt4::<P, Prm>::norm_of(n0, n1);
        // One scratch element holds the half norm, the norm and the prefix product before it.
        *s = PackedExt4::new([n0, n1, norm, acc]);
        acc *= norm;
    }
    if acc.as_slice().iter().any(Field::is_zero) {
        return false;
    }
    let mut inv = pow_packed(acc, P::Scalar::ORDER_U64 - 2);
    for (s, v) in scratch.iter().zip(values.iter_mut()).rev() {
        let [n0, n1, norm, before] = s.coeffs;
        let norm_inv = inv * before;
        inv *= norm;
        *v = v.times_half_norm_inverse(n0, n1, norm_inv);
    }
    true
}

/// Elements per chunk a thread takes.
const MIN_CHUNK: usize = 1 << 12;
/// Packed elements per inner block (two scratch arrays of this many live on the stack: 32 KiB at
/// 16 lanes of a 31-bit field).
const BLOCK: usize = 64;

/// Replaces every non-zero element of `values` by its inverse, zeros stay zero: the same result
/// as [`crate::batch_inverse_in_place`], computed on SIMD lanes ([`Field::with_packing`]) in
/// blocks of `BLOCK`·`WIDTH` elements (one packed inversion per block), in parallel chunks.
pub fn batch_inverse_ext4_in_place<F, Prm>(values: &mut [BinomialExtension<F, 4, Prm>])
where
    F: PrimeField64,
    Prm: BinomialParams<F, 4>,
{
    let n_threads = rayon::current_num_threads().max(1);
    let chunk = values.len().div_ceil(n_threads).max(MIN_CHUNK);
    values.par_chunks_mut(chunk).for_each(|c| F::with_packing(InvertKernel { values: c }));
}

struct InvertKernel<'a, F: Field, Prm: BinomialParams<F, 4>> {
    values: &'a mut [BinomialExtension<F, 4, Prm>],
}

impl<F: PrimeField64, Prm: BinomialParams<F, 4>> PackedKernel<F> for InvertKernel<'_, F, Prm> {
    type Output = ();
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) {
        let w = P::WIDTH;
        let mut vals = [PackedExt4::<P, Prm>::default(); BLOCK];
        let mut prefix = [PackedExt4::<P, Prm>::default(); BLOCK];
        let one = BinomialExtension::<F, 4, Prm>::ONE;
        for block in self.values.chunks_mut(BLOCK * w) {
            let n_packed = block.len().div_ceil(w);
            // Zeros (and the padding of a last partial vector) become one, then zero again.
            let mut zeros = false;
            for (b, v) in vals[..n_packed].iter_mut().enumerate() {
                *v = PackedExt4::from_fn(|l| match block.get(b * w + l) {
                    Some(x) if !x.is_zero() => *x,
                    Some(_) => {
                        zeros = true;
                        one
                    }
                    None => one,
                });
            }
            // Every lane is non-zero now, so the packed trick succeeds.
            let ok = batch_inverse_packed_ext4(&mut vals[..n_packed], &mut prefix[..n_packed]);
            debug_assert!(ok);
            for (i, x) in block.iter_mut().enumerate() {
                if !zeros || !x.is_zero() {
                    *x = vals[i / w].lane(i % w);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::babybear::{BabyBear, BabyBearExt4, BabyBearExt4Params};
    use crate::cpu::{CpuLevel, set_max_cpu_level};

    type E = BabyBearExt4;

    fn reference(values: &[E]) -> Vec<E> {
        values.iter().map(|x| x.inverse().unwrap_or(E::ZERO)).collect()
    }

    fn random_values(n: usize, zero_every: usize, rng: &mut StdRng) -> Vec<E> {
        (0..n)
            .map(|i| if zero_every > 0 && i % zero_every == 3 { E::ZERO } else { E::random(rng) })
            .collect()
    }

    #[test]
    fn batch_inverse_ext4_matches_per_element_inverse() {
        let mut rng = StdRng::seed_from_u64(24);
        for n in [0usize, 1, 2, 3, 15, 16, 17, 100, 1023, 1024, 1025, 5000, 1 << 13] {
            for zero_every in [0usize, 7, 1000] {
                let v = random_values(n, zero_every, &mut rng);
                let mut got = v.clone();
                batch_inverse_ext4_in_place(&mut got);
                assert_eq!(got, reference(&v), "n = {n}, zeros every {zero_every}");
                let mut generic = v.clone();
                crate::batch_inverse_in_place(&mut generic);
                assert_eq!(got, generic);
            }
        }
    }

    struct Laws {
        seed: u64,
    }

    impl PackedKernel<BabyBear> for Laws {
        type Output = usize;
        fn run<P: PackedField<Scalar = BabyBear>>(self) -> usize {
            let mut rng = StdRng::seed_from_u64(self.seed);
            for _ in 0..50 {
                let xs: Vec<E> = (0..P::WIDTH)
                    .map(
                        |_| if rng.random_range(0..8) == 0 { E::ZERO } else { E::random(&mut rng) },
                    )
                    .collect();
                let ys: Vec<E> = (0..P::WIDTH).map(|_| E::random(&mut rng)).collect();
                let a = PackedExt4::<P, BabyBearExt4Params>::from_fn(|l| xs[l]);
                let b = PackedExt4::<P, BabyBearExt4Params>::from_fn(|l| ys[l]);
                let (s, d, p, inv) = (a + b, a - b, a * b, a.inverse_or_zero());
                let nb = b.mul_base(P::from_fn(|l| ys[l].coeffs()[1]));
                for l in 0..P::WIDTH {
                    assert_eq!(s.lane(l), xs[l] + ys[l]);
                    assert_eq!(d.lane(l), xs[l] - ys[l]);
                    assert_eq!(p.lane(l), xs[l] * ys[l]);
                    assert_eq!((-a).lane(l), -xs[l]);
                    assert_eq!(inv.lane(l), xs[l].inverse().unwrap_or(E::ZERO));
                    assert_eq!(nb.lane(l), ys[l] * ys[l].coeffs()[1]);
                }
                assert_eq!(a.any_lane_zero(), xs.iter().any(Field::is_zero));
                // The batch trick on norms: every lane's inverse, or `false` and no change when
                // a lane is zero.
                let elems: Vec<Vec<E>> =
                    (0..5).map(|_| (0..P::WIDTH).map(|_| E::random(&mut rng)).collect()).collect();
                let mut vs: Vec<PackedExt4<P, BabyBearExt4Params>> =
                    elems.iter().map(|e| PackedExt4::from_fn(|l| e[l])).collect();
                let mut scratch = vec![PackedExt4::default(); 6];
                assert!(batch_inverse_packed_ext4(&mut vs, &mut scratch));
                for (v, e) in vs.iter().zip(&elems) {
                    for l in 0..P::WIDTH {
                        assert_eq!(v.lane(l), e[l].inverse().unwrap_or(E::ZERO));
                    }
                }
                let mut with_zero = [b, a, b];
                let before = with_zero;
                let ok = batch_inverse_packed_ext4(&mut with_zero, &mut scratch);
                assert_eq!(ok, !xs.iter().any(Field::is_zero));
                if !ok {
                    for (x, y) in with_zero.iter().zip(&before) {
                        assert_eq!(x.coeffs, y.coeffs);
                    }
                }
                // The lazy limb dot product against the scalar sum, for words of every size
                // (limbs, words above p, u32::MAX) and an offset into the word slices.
                let ws: [[E; 2]; 7] =
                    core::array::from_fn(|_| [E::random(&mut rng), E::random(&mut rng)]);
                let cols: Vec<Vec<u32>> = (0..7)
                    .map(|k| {
                        (0..P::WIDTH + 3)
                            .map(|_| match (k + rng.random_range(0..4usize)) % 4 {
                                0 => rng.random_range(0..1 << 16),
                                1 => u32::MAX - rng.random_range(0..3),
                                _ => rng.random(),
                            })
                            .collect()
                    })
                    .collect();
                let words: [&[u32]; 7] = core::array::from_fn(|k| &cols[k][..]);
                let prepared = PackedExt4::<P, BabyBearExt4Params>::limb_weights(&ws);
                for at in [0, 3] {
                    let got = PackedExt4::<P, BabyBearExt4Params>::dot_limbs(&prepared, &words, at);
                    for l in 0..P::WIDTH {
                        let mut want = E::ZERO;
                        for (w, c) in ws.iter().zip(&cols) {
                            let x = c[at + l];
                            want += w[0] * BabyBear::from_u64(u64::from(x & 0xffff))
                                + w[1] * BabyBear::from_u64(u64::from(x >> 16));
                        }
                        assert_eq!(got.lane(l), want);
                    }
                }
                let one_word = [cols[1].as_slice()];
                let base = P::dot_limbs(
                    &[[P::limb_weight(BabyBear::ONE), P::limb_weight(BabyBear::from_u64(1 << 16))]],
                    &one_word,
                    0,
                );
                for l in 0..P::WIDTH {
                    assert_eq!(base.as_slice()[l], BabyBear::from_u64(u64::from(cols[1][l])));
                }
                let mut lanes = vec![E::ZERO; P::WIDTH + 1];
                a.write_lanes(&mut lanes);
                assert_eq!(&lanes[..P::WIDTH], &xs[..]);
                assert_eq!(lanes[P::WIDTH], E::ZERO);
                let mut short = vec![E::ZERO; P::WIDTH / 2];
                a.write_lanes(&mut short);
                assert_eq!(&short[..], &xs[..P::WIDTH / 2]);
            }
            P::WIDTH
        }
    }

    #[test]
    fn packed_ext4_matches_scalar_at_every_level() {
        for level in [CpuLevel::Portable, CpuLevel::Avx2, CpuLevel::Avx512] {
            set_max_cpu_level(level);
            BabyBear::with_packing(Laws { seed: 7 });
            let mut rng = StdRng::seed_from_u64(9);
            let v = random_values(3000, 11, &mut rng);
            let mut got = v.clone();
            batch_inverse_ext4_in_place(&mut got);
            assert_eq!(got, reference(&v));
        }
        set_max_cpu_level(CpuLevel::Ifma);
    }
}
