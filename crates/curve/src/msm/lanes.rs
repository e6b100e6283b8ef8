//! Batches of *generic* affine additions `buckets[idx[i]] += points[i]` (distinct indices, no
//! point at infinity, different x coordinates) sharing one field inversion (Montgomery's trick):
//! the scalar version for every curve, and for BN254 a version on eight lanes of the base field
//! ([`BaseLanes`]: a [`zkprove_field::bn254::Fp256Lanes`] type for G1 — AVX-512 IFMA, chosen at
//! run time by [`zkprove_field::bn254::with_fp256x8`] in any x86-64 build, or the portable loop —
//! and [`Fq2x8`], two of them, for G2). Below IFMA, G1 and G2 use [`batch_add_generic_fq_adx`] and
//! [`batch_add_generic_fq2_adx`]: the scalar additions with every product on the MULX/ADCX/ADOX
//! assembly, the CPU level checked once per batch.
//!
//! Lane version: additions `8g .. 8g + 8` form group `g`, lane `l` of every group belongs to the
//! `l`-th of eight independent Montgomery-trick chains. Forward: `d = x₂ − x₁`, `num = acc·(y₂ −
//! y₁)`, `acc ← acc·d` (2 lane products per 8 additions); the eight `acc` lanes are inverted
//! together by one scalar inversion; backward: `λ = inv·num`, `inv ← inv·d`, `x₃ = λ² − x₁ − x₂`,
//! `y₃ = λ·(x₁ − x₃) − y₁` (4 lane products). A last, partial group pads its empty lanes with
//! `d = 1`, `num = 0`, whose results are dropped.

use core::ops::{Add, Mul, Sub};

use zkprove_field::Field;
use zkprove_field::bn254::{AdxMul, Fp256Lanes, Fp256Lazy, Fp256x8Kernel, Fq, FqParams};

use crate::bn254::{Fq2, G1Config, G2Config};
use crate::sw::{Affine, SwCurve};

/// A BN254 `F_q` product below `2p` (no final subtraction).
type FqLazy = Fp256Lazy<FqParams>;

/// Eight lanes of a base field: what the lane version of the batch additions needs.
pub(crate) trait BaseLanes:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    /// The field of one lane.
    type Scalar: Field;
    /// Lane `l` = `xs[l]`.
    fn from_array(xs: &[Self::Scalar; 8]) -> Self;
    /// The lanes.
    fn to_array(&self) -> [Self::Scalar; 8];
    /// Every lane `x`.
    fn broadcast(x: Self::Scalar) -> Self;
    /// Lane-wise square.
    fn square(&self) -> Self;
}

impl<L: Fp256Lanes<FqParams>> BaseLanes for L {
    type Scalar = Fq;
    #[inline(always)]
    fn from_array(xs: &[Fq; 8]) -> Self {
        <L as Fp256Lanes<FqParams>>::from_array(xs)
    }
    #[inline(always)]
    fn to_array(&self) -> [Fq; 8] {
        <L as Fp256Lanes<FqParams>>::to_array(self)
    }
    #[inline(always)]
    fn broadcast(x: Fq) -> Self {
        <L as Fp256Lanes<FqParams>>::broadcast(x)
    }
    #[inline(always)]
    fn square(&self) -> Self {
        <L as Fp256Lanes<FqParams>>::square(self)
    }
}

/// Eight `F_q²` lanes (`c₀ + c₁·u`, `u² = −1`) as two eight-lane `F_q` values `L`.
#[derive(Clone, Copy)]
pub(crate) struct Fq2x8<L> {
    c0: L,
    c1: L,
}

impl<L: Fp256Lanes<FqParams>> Add for Fq2x8<L> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self { c0: self.c0 + rhs.c0, c1: self.c1 + rhs.c1 }
    }
}

impl<L: Fp256Lanes<FqParams>> Sub for Fq2x8<L> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self { c0: self.c0 - rhs.c0, c1: self.c1 - rhs.c1 }
    }
}

impl<L: Fp256Lanes<FqParams>> Mul for Fq2x8<L> {
    type Output = Self;
    /// Karatsuba: `v₀ = a₀b₀`, `v₁ = a₁b₁`, `c₀ = v₀ − v₁`, `c₁ = (a₀ + a₁)(b₀ + b₁) − v₀ − v₁`.
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        let v0 = self.c0 * rhs.c0;
        let v1 = self.c1 * rhs.c1;
        let s = (self.c0 + self.c1) * (rhs.c0 + rhs.c1);
        Self { c0: v0 - v1, c1: s - v0 - v1 }
    }
}

impl<L: Fp256Lanes<FqParams>> BaseLanes for Fq2x8<L> {
    type Scalar = Fq2;
    #[inline(always)]
    fn from_array(xs: &[Fq2; 8]) -> Self {
        Self {
            c0: <L as Fp256Lanes<FqParams>>::from_array(&xs.map(|x| x.coeffs()[0])),
            c1: <L as Fp256Lanes<FqParams>>::from_array(&xs.map(|x| x.coeffs()[1])),
        }
    }
    #[inline(always)]
    fn to_array(&self) -> [Fq2; 8] {
        let to_array = <L as Fp256Lanes<FqParams>>::to_array;
        let (c0, c1) = (to_array(&self.c0), to_array(&self.c1));
        core::array::from_fn(|l| Fq2::new([c0[l], c1[l]]))
    }
    #[inline(always)]
    fn broadcast(x: Fq2) -> Self {
        let broadcast = <L as Fp256Lanes<FqParams>>::broadcast;
        Self { c0: broadcast(x.coeffs()[0]), c1: broadcast(x.coeffs()[1]) }
    }
    /// `c₀ = (a₀ + a₁)(a₀ − a₁)`, `c₁ = 2a₀a₁`.
    #[inline(always)]
    fn square(&self) -> Self {
        let c0 = (self.c0 + self.c1) * (self.c0 - self.c1);
        let c1 = Fp256Lanes::double(&(self.c0 * self.c1));
        Self { c0, c1 }
    }
}

/// [`batch_add_generic_lanes`] on BN254 G1 or G2 as a kernel for
/// [`zkprove_field::bn254::with_fp256x8`], which picks the lane type (AVX-512 IFMA at run time,
/// or the portable loop) and runs the whole batch, inlined, under that type's target features.
pub(crate) struct BatchAddKernel<'a, C: SwCurve> {
    /// The buckets.
    pub(crate) buckets: &'a mut [Affine<C>],
    /// Distinct bucket indices.
    pub(crate) idx: &'a [u32],
    /// The points to add, one per index.
    pub(crate) points: &'a [Affine<C>],
}

impl Fp256x8Kernel<FqParams> for BatchAddKernel<'_, G1Config> {
    type Output = ();
    #[inline(always)]
    fn run<L: Fp256Lanes<FqParams>>(self) {
        batch_add_generic_lanes::<G1Config, L>(self.buckets, self.idx, self.points);
    }
}

impl Fp256x8Kernel<FqParams> for BatchAddKernel<'_, G2Config> {
    type Output = ();
    #[inline(always)]
    fn run<L: Fp256Lanes<FqParams>>(self) {
        batch_add_generic_lanes::<G2Config, Fq2x8<L>>(self.buckets, self.idx, self.points);
    }
}

/// `buckets[idx[i]] += points[i]` for every `i`, scalar field arithmetic. See the module docs for
/// the preconditions (not checked: a pair with equal x coordinates makes the shared product zero
/// and every result of the batch wrong). `scratch` is reusable storage.
pub(crate) fn batch_add_generic_scalar<C: SwCurve>(
    buckets: &mut [Affine<C>],
    idx: &[u32],
    points: &[Affine<C>],
    scratch: &mut Vec<C::Base>,
) {
    scratch.clear();
    // Forward: scratch[i] = d_0 ⋯ d_{i−1}.
    let mut acc = C::Base::ONE;
    for (&b, p) in idx.iter().zip(points) {
        scratch.push(acc);
        acc *= p.x - buckets[b as usize].x;
    }
    let mut inv = acc.inverse().unwrap_or(C::Base::ZERO);
    for ((&b, p), prefix) in idx.iter().zip(points).zip(scratch.iter()).rev() {
        let a = &mut buckets[b as usize];
        let d = p.x - a.x;
        // inv = (d_0 ⋯ d_i)⁻¹, so inv·prefix = d_i⁻¹.
        let lambda = (p.y - a.y) * (inv * *prefix);
        inv *= d;
        let x3 = lambda.square() - a.x - p.x;
        let y3 = lambda * (a.x - x3) - a.y;
        *a = Affine::new_unchecked(x3, y3);
    }
}

/// The products of [`batch_add_two_chains`]: a base field with its multiplication on an explicit
/// path, and a possibly unreduced form for values that only feed further products.
pub(crate) trait ChainArith: Copy {
    /// The curve's base field.
    type Base: Field;
    /// A value of the field in the form products take and give (maybe not canonical).
    type Lazy: Copy;
    /// `x` as a product operand.
    fn lazy(x: Self::Base) -> Self::Lazy;
    /// `a·b`.
    fn mul(self, a: Self::Lazy, b: Self::Lazy) -> Self::Lazy;
    /// `a²`.
    fn square(self, a: Self::Lazy) -> Self::Lazy;
    /// The canonical element.
    fn reduce(x: Self::Lazy) -> Self::Base;
}

/// BN254 `F_q` on the MULX/ADCX/ADOX assembly, products below `2p` ([`FqLazy`]).
#[derive(Clone, Copy)]
pub(crate) struct FqAdx(pub(crate) AdxMul);

impl ChainArith for FqAdx {
    type Base = Fq;
    type Lazy = FqLazy;
    #[inline(always)]
    fn lazy(x: Fq) -> FqLazy {
        FqLazy::from(x)
    }
    #[inline(always)]
    fn mul(self, a: FqLazy, b: FqLazy) -> FqLazy {
        a.mul_adx(b, self.0)
    }
    #[inline(always)]
    fn square(self, a: FqLazy) -> FqLazy {
        a.mul_adx(a, self.0)
    }
    #[inline(always)]
    fn reduce(x: FqLazy) -> Fq {
        x.reduce()
    }
}

/// BN254 `F_q²` with every `F_q` product on the MULX/ADCX/ADOX assembly ([`Fq::mul_adx`]),
/// canonical values: Karatsuba (3 products) and the `u² = −1` square (2 products).
#[derive(Clone, Copy)]
pub(crate) struct Fq2Adx(pub(crate) AdxMul);

impl ChainArith for Fq2Adx {
    type Base = Fq2;
    type Lazy = Fq2;
    #[inline(always)]
    fn lazy(x: Fq2) -> Fq2 {
        x
    }
    #[inline(always)]
    fn mul(self, a: Fq2, b: Fq2) -> Fq2 {
        let ([a0, a1], [b0, b1]) = (*a.coeffs(), *b.coeffs());
        let v0 = a0.mul_adx(b0, self.0);
        let v1 = a1.mul_adx(b1, self.0);
        let s = (a0 + a1).mul_adx(b0 + b1, self.0);
        Fq2::new([v0 - v1, s - v0 - v1])
    }
    #[inline(always)]
    fn square(self, a: Fq2) -> Fq2 {
        let [a0, a1] = *a.coeffs();
        let c0 = (a0 + a1).mul_adx(a0 - a1, self.0);
        let c1 = a0.mul_adx(a1, self.0).double();
        Fq2::new([c0, c1])
    }
    #[inline(always)]
    fn reduce(x: Fq2) -> Fq2 {
        x
    }
}

/// [`batch_add_generic_scalar`] for curves over BN254 `F_q` with every product on the
/// MULX/ADCX/ADOX assembly directly ([`Fq::mul_adx`]): the CPU level is checked once per batch by
/// the caller (the `token`) instead of once per product, which leaves the hot loops the assembly
/// alone. [`batch_add_two_chains`] with [`FqAdx`].
pub(crate) fn batch_add_generic_fq_adx<C: SwCurve<Base = Fq>>(
    buckets: &mut [Affine<C>],
    idx: &[u32],
    points: &[Affine<C>],
    scratch: &mut Vec<Fq>,
    token: AdxMul,
) {
    batch_add_two_chains(buckets, idx, points, scratch, FqAdx(token));
}

/// [`batch_add_generic_fq_adx`] for curves over BN254 `F_q²` (G2): [`batch_add_two_chains`]
/// with [`Fq2Adx`].
pub(crate) fn batch_add_generic_fq2_adx<C: SwCurve<Base = Fq2>>(
    buckets: &mut [Affine<C>],
    idx: &[u32],
    points: &[Affine<C>],
    scratch: &mut Vec<Fq2>,
    token: AdxMul,
) {
    batch_add_two_chains(buckets, idx, points, scratch, Fq2Adx(token));
}

/// [`batch_add_generic_scalar`] with the products of `arith`.
///
/// The additions alternate between two Montgomery-trick chains (even and odd positions), whose
/// products are inverted together (one inversion, three extra products per batch): the forward
/// pass is otherwise one long chain of dependent products, bound by the multiplication's latency;
/// with two chains the CPU overlaps them. Products that only feed further products (the chains,
/// `d⁻¹` and the slope `λ`) stay in the lazy form (for `F_q`: below `2p`, no final subtraction);
/// the stored prefixes, `λ²` and `y₃` are reduced. Same preconditions and results as
/// [`batch_add_generic_scalar`].
#[inline(always)]
fn batch_add_two_chains<C: SwCurve, A: ChainArith<Base = C::Base>>(
    buckets: &mut [Affine<C>],
    idx: &[u32],
    points: &[Affine<C>],
    scratch: &mut Vec<C::Base>,
    arith: A,
) {
    let mul = |a: A::Lazy, b: A::Lazy| arith.mul(a, b);
    let lazy = A::lazy;
    let n = idx.len().min(points.len());
    if n == 0 {
        return;
    }
    scratch.clear();
    // Forward: scratch[i] = the product of the d_j before i in i's chain (j ≡ i mod 2).
    let (mut acc0, mut acc1) = (lazy(C::Base::ONE), lazy(C::Base::ONE));
    let pairs = n / 2;
    for k in 0..pairs {
        let (i0, i1) = (2 * k, 2 * k + 1);
        scratch.push(A::reduce(acc0));
        scratch.push(A::reduce(acc1));
        let d0 = points[i0].x - buckets[idx[i0] as usize].x;
        let d1 = points[i1].x - buckets[idx[i1] as usize].x;
        acc0 = mul(acc0, lazy(d0));
        acc1 = mul(acc1, lazy(d1));
    }
    if n % 2 == 1 {
        scratch.push(A::reduce(acc0));
        acc0 = mul(acc0, lazy(points[n - 1].x - buckets[idx[n - 1] as usize].x));
    }
    // 1/acc0 = acc1/(acc0·acc1) and 1/acc1 = acc0/(acc0·acc1).
    let both = lazy(A::reduce(mul(acc0, acc1)).inverse().unwrap_or(C::Base::ZERO));
    let (mut inv0, mut inv1) = (mul(both, acc1), mul(both, acc0));
    // Backward: inv = (d_0 ⋯ d_i)⁻¹ of i's chain, so inv·prefix = d_i⁻¹.
    let step = |a: &mut Affine<C>, p: &Affine<C>, prefix: C::Base, inv: &mut A::Lazy| {
        let d = p.x - a.x;
        let lambda = mul(lazy(p.y - a.y), mul(*inv, lazy(prefix)));
        *inv = mul(*inv, lazy(d));
        let x3 = A::reduce(arith.square(lambda)) - a.x - p.x;
        let y3 = A::reduce(mul(lambda, lazy(a.x - x3))) - a.y;
        *a = Affine::new_unchecked(x3, y3);
    };
    if n % 2 == 1 {
        step(&mut buckets[idx[n - 1] as usize], &points[n - 1], scratch[n - 1], &mut inv0);
    }
    for k in (0..pairs).rev() {
        let (i0, i1) = (2 * k, 2 * k + 1);
        step(&mut buckets[idx[i1] as usize], &points[i1], scratch[i1], &mut inv1);
        step(&mut buckets[idx[i0] as usize], &points[i0], scratch[i0], &mut inv0);
    }
}

/// `buckets[i] ← 2·buckets[i]` for every `i` in `idx` (distinct, none the point at infinity or of
/// order two), the slopes `3x²/2y` sharing one inversion.
pub(crate) fn batch_double_scalar<C: SwCurve>(
    buckets: &mut [Affine<C>],
    idx: &[u32],
    scratch: &mut Vec<C::Base>,
) {
    scratch.clear();
    let mut acc = C::Base::ONE;
    for &b in idx {
        scratch.push(acc);
        acc *= buckets[b as usize].y.double();
    }
    let mut inv = acc.inverse().unwrap_or(C::Base::ZERO);
    for (&b, prefix) in idx.iter().zip(scratch.iter()).rev() {
        let a = &mut buckets[b as usize];
        let d = a.y.double();
        let x2 = a.x.square();
        let lambda = (x2.double() + x2) * (inv * *prefix);
        inv *= d;
        let x3 = lambda.square() - a.x.double();
        let y3 = lambda * (a.x - x3) - a.y;
        *a = Affine::new_unchecked(x3, y3);
    }
}

/// One group of eight additions, kept in lanes between the two passes.
#[derive(Clone, Copy)]
struct Group<L> {
    x1: L,
    y1: L,
    x2: L,
    d: L,
    num: L,
}

/// `buckets[idx[i]] += points[i]` for every `i`, eight additions per lane operation (module docs;
/// same preconditions as [`batch_add_generic_scalar`]). Always inlined: run through
/// [`BatchAddKernel`], it must be compiled inside the `#[target_feature]` entry point.
#[inline(always)]
pub(crate) fn batch_add_generic_lanes<C: SwCurve, L: BaseLanes<Scalar = C::Base>>(
    buckets: &mut [Affine<C>],
    idx: &[u32],
    points: &[Affine<C>],
) {
    let n = idx.len();
    if n == 0 {
        return;
    }
    let (zero, one) = (C::Base::ZERO, C::Base::ONE);
    let mut groups: Vec<Group<L>> = Vec::with_capacity(n.div_ceil(8));
    let mut acc = L::broadcast(one);
    for (ids, pts) in idx.chunks(8).zip(points.chunks(8)) {
        // Empty lanes: (x1, y1) = (0, 0), (x2, y2) = (1, 0), so d = 1 and num = 0.
        let (mut x1, mut y1) = ([zero; 8], [zero; 8]);
        let (mut x2, mut y2) = ([one; 8], [zero; 8]);
        for (l, (&b, p)) in ids.iter().zip(pts).enumerate() {
            let a = &buckets[b as usize];
            (x1[l], y1[l], x2[l], y2[l]) = (a.x, a.y, p.x, p.y);
        }
        let (x1, y1, x2) = (L::from_array(&x1), L::from_array(&y1), L::from_array(&x2));
        let d = x2 - x1;
        let num = acc * (L::from_array(&y2) - y1);
        acc = acc * d;
        groups.push(Group { x1, y1, x2, d, num });
    }
    let mut inv = L::from_array(&invert_lanes(acc.to_array()));
    for (g, ids) in groups.iter().zip(idx.chunks(8)).rev() {
        let lambda = inv * g.num;
        inv = inv * g.d;
        let x3 = lambda.square() - g.x1 - g.x2;
        let y3 = lambda * (g.x1 - x3) - g.y1;
        let (x3, y3) = (x3.to_array(), y3.to_array());
        for (l, &b) in ids.iter().enumerate() {
            buckets[b as usize] = Affine::new_unchecked(x3[l], y3[l]);
        }
    }
}

/// The inverses of eight non-zero elements with one inversion (zero stays zero).
fn invert_lanes<F: Field>(v: [F; 8]) -> [F; 8] {
    let mut prefix = [F::ONE; 8];
    let mut acc = F::ONE;
    for (p, x) in prefix.iter_mut().zip(&v) {
        *p = acc;
        if !x.is_zero() {
            acc *= *x;
        }
    }
    let mut inv = acc.inverse().unwrap_or(F::ZERO);
    let mut out = [F::ZERO; 8];
    for l in (0..8).rev() {
        if v[l].is_zero() {
            continue;
        }
        out[l] = inv * prefix[l];
        inv *= v[l];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sw::Projective;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use zkprove_field::bn254::{Fp256x8Portable, with_fp256x8};

    /// The lanes and the scalar version give the sums `Projective` addition gives, for every batch
    /// length from 0 to 40 (partial last groups).
    fn check<C: SwCurve, L: BaseLanes<Scalar = C::Base>>(seed: u64) {
        check_with::<C>(seed, |b, i, p| batch_add_generic_lanes::<C, L>(b, i, p));
    }

    /// [`check`] through [`BatchAddKernel`] and the run-time choice of lanes (AVX-512 IFMA on a
    /// CPU that has it, in any x86-64 build).
    fn check_dispatched<C: SwCurve>(seed: u64)
    where
        for<'a> BatchAddKernel<'a, C>: Fp256x8Kernel<FqParams, Output = ()>,
    {
        check_with::<C>(seed, |buckets, idx, points| {
            with_fp256x8(BatchAddKernel { buckets, idx, points })
        });
    }

    fn check_with<C: SwCurve>(
        seed: u64,
        lanes_add: impl Fn(&mut [Affine<C>], &[u32], &[Affine<C>]),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let pool = crate::msm::random_points::<C, _>(64, &mut rng);
        for n in 0..=40usize {
            let mut buckets: Vec<Affine<C>> =
                (0..48).map(|_| pool[rng.random_range(0..pool.len())]).collect();
            let mut ids: Vec<u32> = (0..48).collect();
            // Distinct indices in random order.
            for i in (1..ids.len()).rev() {
                ids.swap(i, rng.random_range(0..=i));
            }
            let idx = &ids[..n];
            let points: Vec<Affine<C>> = idx
                .iter()
                .map(|&b| {
                    loop {
                        let p = pool[rng.random_range(0..pool.len())];
                        if p.x != buckets[b as usize].x {
                            break p;
                        }
                    }
                })
                .collect();
            let want: Vec<Affine<C>> = buckets
                .iter()
                .enumerate()
                .map(|(b, a)| match idx.iter().position(|&i| i as usize == b) {
                    Some(k) => (Projective::from(*a) + points[k]).to_affine(),
                    None => *a,
                })
                .collect();
            let mut lanes = buckets.clone();
            lanes_add(&mut lanes, idx, &points);
            assert_eq!(lanes, want, "lanes, n = {n}");
            let mut scratch = Vec::new();
            batch_add_generic_scalar(&mut buckets, idx, &points, &mut scratch);
            assert_eq!(buckets, want, "scalar, n = {n}");
            // Doublings of the same buckets.
            let mut doubled = want.clone();
            batch_double_scalar(&mut doubled, idx, &mut scratch);
            for &b in idx {
                assert_eq!(doubled[b as usize], want[b as usize].double().to_affine());
            }
        }
    }

    #[test]
    fn g1_lanes_match_scalar_and_projective() {
        check::<G1Config, Fp256x8Portable<FqParams>>(0x1a9e5);
        check_dispatched::<G1Config>(0x1a9e6);
        if let Some(token) = AdxMul::detect() {
            check_with::<G1Config>(0x1a9e7, |buckets, idx, points| {
                let mut scratch = Vec::new();
                batch_add_generic_fq_adx(buckets, idx, points, &mut scratch, token);
            });
        }
    }

    #[test]
    fn g2_lanes_match_scalar_and_projective() {
        check::<G2Config, Fq2x8<Fp256x8Portable<FqParams>>>(0x2b9e5);
        check_dispatched::<G2Config>(0x2b9e6);
        if let Some(token) = AdxMul::detect() {
            check_with::<G2Config>(0x2b9e7, |buckets, idx, points| {
                let mut scratch = Vec::new();
                batch_add_generic_fq2_adx(buckets, idx, points, &mut scratch, token);
            });
        }
    }

    /// The `F_q²` lanes' product and square equal the scalar ones.
    #[test]
    fn fq2_lanes_match_scalar() {
        let mut rng = StdRng::seed_from_u64(9);
        for _ in 0..200 {
            let a: [Fq2; 8] = core::array::from_fn(|_| Fq2::random(&mut rng));
            let b: [Fq2; 8] = core::array::from_fn(|_| Fq2::random(&mut rng));
            type L = Fq2x8<Fp256x8Portable<FqParams>>;
            let (x, y) = (L::from_array(&a), L::from_array(&b));
            assert_eq!((x * y).to_array(), core::array::from_fn(|l| a[l] * b[l]));
            assert_eq!(x.square().to_array(), a.map(|v| v.square()));
            if let Some(token) = AdxMul::detect() {
                for l in 0..8 {
                    assert_eq!(Fq2Adx(token).mul(a[l], b[l]), a[l] * b[l]);
                    assert_eq!(Fq2Adx(token).square(a[l]), a[l].square());
                }
            }
            assert_eq!((x - y).to_array(), core::array::from_fn(|l| a[l] - b[l]));
        }
    }

    #[test]
    fn invert_lanes_keeps_zeros() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut v: [Fq; 8] = core::array::from_fn(|_| Fq::random(&mut rng));
        v[3] = Fq::ZERO;
        let inv = invert_lanes(v);
        for l in 0..8 {
            assert_eq!(inv[l], v[l].inverse().unwrap_or(Fq::ZERO));
        }
    }
}
