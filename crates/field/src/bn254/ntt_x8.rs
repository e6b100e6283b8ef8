//! NTT butterflies for [`Fp256`] on eight lanes: the kernels behind
//! [`TwoAdicField::ntt_kernels`](crate::TwoAdicField::ntt_kernels) for BN254 where the build has
//! AVX-512 IFMA ([`super::Fp256x8Ifma`]). Generic over the lane type ([`Lanes`]) so that the
//! portable lanes run the very same code in the tests on machines without IFMA.
//!
//! Every kernel works on eight consecutive positions at a time: it loads them (and their
//! twiddles) into lanes, which is a transposition and a change of radix, runs its stages, and
//! stores fully reduced elements back, so the slices hold ordinary [`Fp256`] values between calls.
//! The radix-2² kernels run two stages per load/store, which halves the conversions per stage.
//! The last three DIF stages (first three DIT ones) pair elements inside one group of eight; they
//! run on two groups at once with lane permutations between the stages. Positions beyond the last
//! full group of eight fall back to the scalar kernels ([`super::ntt_scalar`]).

use core::ops::{Add, Mul, Sub};

use super::fp256::{Fp256, Fp256Params};
use super::ntt_scalar;
use crate::{NttKernels, Radix4Kernel};

/// Eight lanes of `Fp256<P>` with what the kernels need.
pub(crate) trait Lanes<P: Fp256Params>:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    /// Lane `l` = `xs[l]`.
    fn load(xs: &[Fp256<P>; 8]) -> Self;
    /// The lanes, fully reduced.
    fn store(&self) -> [Fp256<P>; 8];
    /// Lane `i` = lane `idx[i]` of `self` (`0..8`) then `other` (`8..16`).
    fn shuffle(&self, other: &Self, idx: [i64; 8]) -> Self;
}

#[cfg(target_arch = "x86_64")]
impl<P: Fp256Params> Lanes<P> for super::Fp256x8Ifma<P> {
    #[inline(always)]
    fn load(xs: &[Fp256<P>; 8]) -> Self {
        Self::from_array(xs)
    }
    #[inline(always)]
    fn store(&self) -> [Fp256<P>; 8] {
        self.to_array()
    }
    #[inline(always)]
    fn shuffle(&self, other: &Self, idx: [i64; 8]) -> Self {
        self.shuffle2(other, idx)
    }
}

impl<P: Fp256Params> Lanes<P> for super::Fp256x8Portable<P> {
    #[inline(always)]
    fn load(xs: &[Fp256<P>; 8]) -> Self {
        Self::from_array(xs)
    }
    #[inline(always)]
    fn store(&self) -> [Fp256<P>; 8] {
        self.to_array()
    }
    #[inline(always)]
    fn shuffle(&self, other: &Self, idx: [i64; 8]) -> Self {
        self.shuffle2(other, idx)
    }
}

/// The IFMA kernels for a build without the IFMA target features, picked at run time: each entry
/// point is a `#[target_feature]` function around the generic kernel, whose whole body (kernels,
/// lanes, intrinsic wrappers: all `#[inline(always)]`) is compiled with AVX-512 F/DQ/IFMA enabled.
///
/// Call only where [`crate::cpu::level`] is at least [`crate::cpu::CpuLevel::Ifma`] (which requires
/// AVX-512 F, DQ and IFMA on this CPU): the returned functions are safe to call, so this check is
/// what makes them sound.
#[cfg(all(
    target_arch = "x86_64",
    not(all(target_feature = "avx512ifma", target_feature = "avx512dq"))
))]
pub(crate) fn kernels_ifma_runtime<P: Fp256Params>() -> NttKernels<Fp256<P>> {
    use super::Fp256x8Ifma as V;
    type F<P> = Fp256<P>;
    macro_rules! entry {
        ($safe:ident, $tf:ident, $inner:ident, ($($a:ident: $t:ty),*)) => {
            #[target_feature(enable = "avx512f,avx512dq,avx512ifma")]
            unsafe fn $tf<P: Fp256Params>($($a: $t),*) {
                $inner::<P, V<P>>($($a),*)
            }
            fn $safe<P: Fp256Params>($($a: $t),*) {
                // SAFETY: these functions are handed out only by `kernels_ifma_runtime`, whose
                // caller checked that the CPU has AVX-512 F, DQ and IFMA (`cpu::level() ≥ Ifma`).
                unsafe { $tf::<P>($($a),*) }
            }
        };
    }
    entry!(dif_b, dif_b_tf, dif_butterflies, (lo: &mut [F<P>], hi: &mut [F<P>], w: &[F<P>]));
    entry!(dit_b, dit_b_tf, dit_butterflies, (lo: &mut [F<P>], hi: &mut [F<P>], w: &[F<P>]));
    entry!(dif_r4, dif_r4_tf, dif_radix4, (
        a0: &mut [F<P>], a1: &mut [F<P>], a2: &mut [F<P>], a3: &mut [F<P>],
        w1a: &[F<P>], w1b: &[F<P>], w2: &[F<P>]
    ));
    entry!(dit_r4, dit_r4_tf, dit_radix4, (
        a0: &mut [F<P>], a1: &mut [F<P>], a2: &mut [F<P>], a3: &mut [F<P>],
        w1a: &[F<P>], w1b: &[F<P>], w2: &[F<P>]
    ));
    entry!(dif_a, dif_a_tf, dif_all, (data: &mut [F<P>], tw: &[F<P>]));
    entry!(dit_a, dit_a_tf, dit_all, (data: &mut [F<P>], tw: &[F<P>]));
    NttKernels {
        dif_butterflies: dif_b::<P>,
        dit_butterflies: dit_b::<P>,
        dif_radix4: dif_r4::<P> as Radix4Kernel<Fp256<P>>,
        dit_radix4: dit_r4::<P> as Radix4Kernel<Fp256<P>>,
        dif_all: dif_a::<P>,
        dit_all: dit_a::<P>,
    }
}

/// The kernels for `Fp256<P>` on lanes `V`.
#[cfg(any(test, all(target_feature = "avx512ifma", target_feature = "avx512dq")))]
pub(crate) fn kernels<P: Fp256Params, V: Lanes<P>>() -> NttKernels<Fp256<P>> {
    NttKernels {
        dif_butterflies: dif_butterflies::<P, V>,
        dit_butterflies: dit_butterflies::<P, V>,
        dif_radix4: dif_radix4::<P, V> as Radix4Kernel<Fp256<P>>,
        dit_radix4: dit_radix4::<P, V> as Radix4Kernel<Fp256<P>>,
        dif_all: dif_all::<P, V>,
        dit_all: dit_all::<P, V>,
    }
}

#[inline(always)]
fn dif_butterflies<P: Fp256Params, V: Lanes<P>>(
    lo: &mut [Fp256<P>],
    hi: &mut [Fp256<P>],
    w: &[Fp256<P>],
) {
    let n = lo.len().min(hi.len()).min(w.len());
    let (lo, hi, w) = (&mut lo[..n], &mut hi[..n], &w[..n]);
    let (lo8, lo_rest) = lo.as_chunks_mut::<8>();
    let (hi8, hi_rest) = hi.as_chunks_mut::<8>();
    let (w8, w_rest) = w.as_chunks::<8>();
    for ((a, b), t) in lo8.iter_mut().zip(hi8.iter_mut()).zip(w8) {
        let (x, y) = (V::load(a), V::load(b));
        *a = (x + y).store();
        *b = ((x - y) * V::load(t)).store();
    }
    ntt_scalar::dif_butterflies(lo_rest, hi_rest, w_rest);
}

#[inline(always)]
fn dit_butterflies<P: Fp256Params, V: Lanes<P>>(
    lo: &mut [Fp256<P>],
    hi: &mut [Fp256<P>],
    w: &[Fp256<P>],
) {
    let n = lo.len().min(hi.len()).min(w.len());
    let (lo, hi, w) = (&mut lo[..n], &mut hi[..n], &w[..n]);
    let (lo8, lo_rest) = lo.as_chunks_mut::<8>();
    let (hi8, hi_rest) = hi.as_chunks_mut::<8>();
    let (w8, w_rest) = w.as_chunks::<8>();
    for ((a, b), t) in lo8.iter_mut().zip(hi8.iter_mut()).zip(w8) {
        let (x, y) = (V::load(a), V::load(b) * V::load(t));
        *a = (x + y).store();
        *b = (x - y).store();
    }
    ntt_scalar::dit_butterflies(lo_rest, hi_rest, w_rest);
}

/// Runs the DIT or DIF group kernel on every group of eight positions of the radix-4 quarters `a0..a3` and their
/// twiddles `w1a`, `w1b`, `w2` (over the common length, rounded down to a multiple of eight) and
/// returns how many positions that covered: the caller's scalar kernel takes the rest.
#[inline(always)]
fn radix4_groups<P: Fp256Params, V: Lanes<P>, const DIT: bool>(
    a0: &mut [Fp256<P>],
    a1: &mut [Fp256<P>],
    a2: &mut [Fp256<P>],
    a3: &mut [Fp256<P>],
    w1a: &[Fp256<P>],
    w1b: &[Fp256<P>],
    w2: &[Fp256<P>],
) -> usize {
    let n = [a1.len(), a2.len(), a3.len(), w1a.len(), w1b.len(), w2.len()]
        .into_iter()
        .fold(a0.len(), usize::min);
    let full = n / 8 * 8;
    let groups = a0[..full]
        .as_chunks_mut::<8>()
        .0
        .iter_mut()
        .zip(a1[..full].as_chunks_mut::<8>().0)
        .zip(a2[..full].as_chunks_mut::<8>().0)
        .zip(a3[..full].as_chunks_mut::<8>().0)
        .zip(w1a[..full].as_chunks::<8>().0)
        .zip(w1b[..full].as_chunks::<8>().0)
        .zip(w2[..full].as_chunks::<8>().0);
    for ((((((g0, g1), g2), g3), t1a), t1b), t2) in groups {
        // Direct calls, not a closure or `FnMut` argument: those are functions of their own that
        // LLVM may keep out of line, without the target features of `kernels_ifma_runtime`.
        if DIT {
            dit_radix4_group::<P, V>([g0, g1, g2, g3], [t1a, t1b, t2]);
        } else {
            dif_radix4_group::<P, V>([g0, g1, g2, g3], [t1a, t1b, t2]);
        }
    }
    full
}

/// One group of eight radix-4 DIF butterflies.
#[inline(always)]
fn dif_radix4_group<P: Fp256Params, V: Lanes<P>>(
    [g0, g1, g2, g3]: [&mut [Fp256<P>; 8]; 4],
    [t1a, t1b, t2]: [&[Fp256<P>; 8]; 3],
) {
    let (x0, x1, x2, x3) = (V::load(g0), V::load(g1), V::load(g2), V::load(g3));
    let (b0, b2) = (x0 + x2, (x0 - x2) * V::load(t1a));
    let (b1, b3) = (x1 + x3, (x1 - x3) * V::load(t1b));
    let t = V::load(t2);
    *g0 = (b0 + b1).store();
    *g1 = ((b0 - b1) * t).store();
    *g2 = (b2 + b3).store();
    *g3 = ((b2 - b3) * t).store();
}

/// One group of eight radix-4 DIT butterflies (see [`dif_radix4_group`]).
#[inline(always)]
fn dit_radix4_group<P: Fp256Params, V: Lanes<P>>(
    [g0, g1, g2, g3]: [&mut [Fp256<P>; 8]; 4],
    [t1a, t1b, t2]: [&[Fp256<P>; 8]; 3],
) {
    let (x0, x1, x2, x3) = (V::load(g0), V::load(g1), V::load(g2), V::load(g3));
    let t = V::load(t2);
    let (y1, y3) = (x1 * t, x3 * t);
    let (b0, b1, b2, b3) = (x0 + y1, x0 - y1, x2 + y3, x2 - y3);
    let (z2, z3) = (b2 * V::load(t1a), b3 * V::load(t1b));
    *g0 = (b0 + z2).store();
    *g2 = (b0 - z2).store();
    *g1 = (b1 + z3).store();
    *g3 = (b1 - z3).store();
}

#[inline(always)]
fn dif_radix4<P: Fp256Params, V: Lanes<P>>(
    a0: &mut [Fp256<P>],
    a1: &mut [Fp256<P>],
    a2: &mut [Fp256<P>],
    a3: &mut [Fp256<P>],
    w1a: &[Fp256<P>],
    w1b: &[Fp256<P>],
    w2: &[Fp256<P>],
) {
    let full = radix4_groups::<P, V, false>(a0, a1, a2, a3, w1a, w1b, w2);
    ntt_scalar::dif_radix4(
        &mut a0[full..],
        &mut a1[full..],
        &mut a2[full..],
        &mut a3[full..],
        &w1a[full..],
        &w1b[full..],
        &w2[full..],
    );
}

#[inline(always)]
fn dit_radix4<P: Fp256Params, V: Lanes<P>>(
    a0: &mut [Fp256<P>],
    a1: &mut [Fp256<P>],
    a2: &mut [Fp256<P>],
    a3: &mut [Fp256<P>],
    w1a: &[Fp256<P>],
    w1b: &[Fp256<P>],
    w2: &[Fp256<P>],
) {
    let full = radix4_groups::<P, V, true>(a0, a1, a2, a3, w1a, w1b, w2);
    ntt_scalar::dit_radix4(
        &mut a0[full..],
        &mut a1[full..],
        &mut a2[full..],
        &mut a3[full..],
        &w1a[full..],
        &w1b[full..],
        &w2[full..],
    );
}

/// The twiddle vectors of the in-group stages: half-size 4 (`[w4₀..w4₃, w4₀..w4₃]`) and half-size
/// 2 (`[w2₀, w2₁]` four times), in the lane order the kernels below use.
#[inline(always)]
fn group_twiddles<P: Fp256Params, V: Lanes<P>>(w4: &[Fp256<P>], w2: &[Fp256<P>]) -> (V, V) {
    let t4 = V::load(&[w4[0], w4[1], w4[2], w4[3], w4[0], w4[1], w4[2], w4[3]]);
    let t2 = V::load(&[w2[0], w2[1], w2[0], w2[1], w2[0], w2[1], w2[0], w2[1]]);
    (t4, t2)
}

// Lane patterns. `(A, B)` are two groups of eight; the comments give which positions the lanes of
// the two vectors hold after each step.
/// `[A0..A3, B0..B3]` / `[A4..A7, B4..B7]` from `(A, B)`, and back.
const HALVES_LO: [i64; 8] = [0, 1, 2, 3, 8, 9, 10, 11];
const HALVES_HI: [i64; 8] = [4, 5, 6, 7, 12, 13, 14, 15];
/// `[A0,A1,A4,A5,B0,B1,B4,B5]` / `[A2,A3,A6,A7,B2,B3,B6,B7]` from the halves layout, and back.
const PAIRS_LO: [i64; 8] = [0, 1, 8, 9, 4, 5, 12, 13];
const PAIRS_HI: [i64; 8] = [2, 3, 10, 11, 6, 7, 14, 15];
/// Even / odd positions from the pairs layout (and from `(A, B)`: [`EVENS`], [`ODDS`]).
const PAIRS_TO_EVEN: [i64; 8] = [0, 8, 2, 10, 4, 12, 6, 14];
const PAIRS_TO_ODD: [i64; 8] = [1, 9, 3, 11, 5, 13, 7, 15];
const EVENS: [i64; 8] = [0, 2, 4, 6, 8, 10, 12, 14];
const ODDS: [i64; 8] = [1, 3, 5, 7, 9, 11, 13, 15];
/// `(A, B)` from evens / odds.
const INTERLEAVE_LO: [i64; 8] = [0, 8, 1, 9, 2, 10, 3, 11];
const INTERLEAVE_HI: [i64; 8] = [4, 12, 5, 13, 6, 14, 7, 15];

#[inline(always)]
fn dif_last3_lanes<P: Fp256Params, V: Lanes<P>>(
    data: &mut [Fp256<P>],
    w4: &[Fp256<P>],
    w2: &[Fp256<P>],
) {
    let (t4, t2) = group_twiddles(w4, w2);
    let full = data.len() / 16 * 16;
    let (data, rest) = data.split_at_mut(full);
    for pair in data.as_chunks_mut::<8>().0.chunks_exact_mut(2) {
        let [ga, gb] = pair else { continue };
        let (a, b) = (V::load(ga), V::load(gb));
        // Half-size 4: [A0..A3, B0..B3] against [A4..A7, B4..B7].
        let (u, v) = (a.shuffle(&b, HALVES_LO), a.shuffle(&b, HALVES_HI));
        let (u, v) = (u + v, (u - v) * t4);
        // Half-size 2: [A0,A1,A4,A5,B0,B1,B4,B5] against [A2,A3,A6,A7,B2,B3,B6,B7].
        let (u, v) = (u.shuffle(&v, PAIRS_LO), u.shuffle(&v, PAIRS_HI));
        let (u, v) = (u + v, (u - v) * t2);
        // Half-size 1 (twiddle one): even positions against odd ones.
        let (u, v) = (u.shuffle(&v, PAIRS_TO_EVEN), u.shuffle(&v, PAIRS_TO_ODD));
        let (u, v) = (u + v, u - v);
        *ga = u.shuffle(&v, INTERLEAVE_LO).store();
        *gb = u.shuffle(&v, INTERLEAVE_HI).store();
    }
    for block in rest.chunks_mut(8) {
        ntt_scalar::dif_all(block, &[w2[0], w2[0], w2[1], w4[0], w4[1], w4[2], w4[3]]);
    }
}

#[inline(always)]
fn dit_first3_lanes<P: Fp256Params, V: Lanes<P>>(
    data: &mut [Fp256<P>],
    w4: &[Fp256<P>],
    w2: &[Fp256<P>],
) {
    let (t4, t2) = group_twiddles(w4, w2);
    let full = data.len() / 16 * 16;
    let (data, rest) = data.split_at_mut(full);
    for pair in data.as_chunks_mut::<8>().0.chunks_exact_mut(2) {
        let [ga, gb] = pair else { continue };
        let (a, b) = (V::load(ga), V::load(gb));
        // Half-size 1 (twiddle one): evens against odds.
        let (u, v) = (a.shuffle(&b, EVENS), a.shuffle(&b, ODDS));
        let (u, v) = (u + v, u - v);
        // Half-size 2: [A0,A1,A4,A5,…] against [A2,A3,A6,A7,…].
        let (u, v) = (u.shuffle(&v, PAIRS_TO_EVEN), u.shuffle(&v, PAIRS_TO_ODD));
        let y = v * t2;
        let (u, v) = (u + y, u - y);
        // Half-size 4: [A0..A3, B0..B3] against [A4..A7, B4..B7].
        let (u, v) = (u.shuffle(&v, PAIRS_LO), u.shuffle(&v, PAIRS_HI));
        let y = v * t4;
        let (u, v) = (u + y, u - y);
        *ga = u.shuffle(&v, HALVES_LO).store();
        *gb = u.shuffle(&v, HALVES_HI).store();
    }
    for block in rest.chunks_mut(8) {
        ntt_scalar::dit_all(block, &[w2[0], w2[0], w2[1], w4[0], w4[1], w4[2], w4[3]]);
    }
}

/// The twiddles of half-size `h` in the table layout of [`NttKernels::dif_all`].
#[inline(always)]
fn stage<F>(tw: &[F], h: usize) -> &[F] {
    &tw[h - 1..2 * h - 1]
}

/// Every DIF stage: two stages per pass while the quarters are whole groups of eight, then the
/// stage of half-size 8 if one is left, then the three in-group stages.
#[inline(always)]
fn dif_all<P: Fp256Params, V: Lanes<P>>(data: &mut [Fp256<P>], tw: &[Fp256<P>]) {
    let n = data.len();
    if n < 16 {
        return ntt_scalar::dif_all(data, tw);
    }
    let mut h = n / 2;
    while h >= 16 {
        let (w1a, w1b) = stage(tw, h).split_at(h / 2);
        let w2 = stage(tw, h / 2);
        for block in data.chunks_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            let (a0, a1) = lo.split_at_mut(h / 2);
            let (a2, a3) = hi.split_at_mut(h / 2);
            dif_radix4::<P, V>(a0, a1, a2, a3, w1a, w1b, w2);
        }
        h /= 4;
    }
    if h == 8 {
        for block in data.chunks_mut(16) {
            let (lo, hi) = block.split_at_mut(8);
            dif_butterflies::<P, V>(lo, hi, stage(tw, 8));
        }
    }
    dif_last3_lanes::<P, V>(data, stage(tw, 4), stage(tw, 2));
}

/// Every DIT stage, the mirror image of [`dif_all`]: the three in-group stages, the stage of
/// half-size 8 when the number of stages left is odd, then two stages per pass.
#[inline(always)]
fn dit_all<P: Fp256Params, V: Lanes<P>>(data: &mut [Fp256<P>], tw: &[Fp256<P>]) {
    let n = data.len();
    if n < 16 {
        return ntt_scalar::dit_all(data, tw);
    }
    dit_first3_lanes::<P, V>(data, stage(tw, 4), stage(tw, 2));
    let mut h = 8;
    // Stages of half-size 8 ..= n/2: log2(n) − 3 of them.
    if (n / 8).trailing_zeros() % 2 == 1 {
        for block in data.chunks_mut(16) {
            let (lo, hi) = block.split_at_mut(8);
            dit_butterflies::<P, V>(lo, hi, stage(tw, 8));
        }
        h = 16;
    }
    while 4 * h <= n {
        let (w1a, w1b) = stage(tw, 2 * h).split_at(h);
        let w2 = stage(tw, h);
        for block in data.chunks_mut(4 * h) {
            let (lo, hi) = block.split_at_mut(2 * h);
            let (a0, a1) = lo.split_at_mut(h);
            let (a2, a3) = hi.split_at_mut(h);
            dit_radix4::<P, V>(a0, a1, a2, a3, w1a, w1b, w2);
        }
        h *= 4;
    }
}

#[cfg(test)]
mod tests {
    //! The lane kernels (run here on the portable lanes, the same code as on IFMA) against the
    //! scalar ones, on lengths with and without a tail beyond the last group of eight.
    use super::*;
    use crate::bn254::{Fp256x8Portable, Fr, FrParams};
    use crate::{Field, TwoAdicField};
    use rand::SeedableRng;

    type L = Fp256x8Portable<FrParams>;

    fn random(n: usize, seed: u64) -> Vec<Fr> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        (0..n).map(|_| Fr::random(&mut rng)).collect()
    }

    /// The twiddle table of [`NttKernels::dif_all`] for `n` points.
    fn table(n: usize) -> Vec<Fr> {
        let mut t = vec![Fr::ZERO; n - 1];
        let mut h = 1;
        while h < n {
            let w = Fr::two_adic_generator((2 * h).trailing_zeros() as usize).unwrap();
            t[h - 1..2 * h - 1].copy_from_slice(&w.powers(h));
            h *= 2;
        }
        t
    }

    /// Plain reference stages.
    fn reference(data: &mut [Fr], tw: &[Fr], dit: bool) {
        let n = data.len();
        let mut hs: Vec<usize> = (0..n.trailing_zeros()).map(|s| 1 << s).collect();
        if !dit {
            hs.reverse();
        }
        for h in hs {
            for block in data.chunks_mut(2 * h) {
                let (lo, hi) = block.split_at_mut(h);
                for j in 0..h {
                    let w = tw[h - 1 + j];
                    let (x, y) = (lo[j], hi[j]);
                    if dit {
                        (lo[j], hi[j]) = (x + y * w, x - y * w);
                    } else {
                        (lo[j], hi[j]) = (x + y, (x - y) * w);
                    }
                }
            }
        }
    }

    #[test]
    fn whole_transforms_match_the_reference() {
        for log_n in 0..=10 {
            let n = 1usize << log_n;
            let tw = table(n.max(2));
            for dit in [false, true] {
                let x = random(n, log_n as u64);
                let mut want = x.clone();
                reference(&mut want, &tw, dit);
                let k = kernels::<FrParams, L>();
                let s = ntt_scalar::kernels::<FrParams>();
                for (name, run) in [
                    ("lanes", if dit { k.dit_all } else { k.dif_all }),
                    ("scalar", if dit { s.dit_all } else { s.dif_all }),
                ] {
                    let mut got = x.clone();
                    run(&mut got, &tw);
                    assert_eq!(got, want, "{name} dit={dit} 2^{log_n}");
                }
            }
        }
    }

    #[test]
    fn slice_kernels_match_the_scalar_ones_with_tails() {
        let k = kernels::<FrParams, L>();
        let s = ntt_scalar::kernels::<FrParams>();
        for len in [1usize, 7, 8, 13, 16, 21, 40] {
            let w = random(3 * len, 100 + len as u64);
            let (w1a, rest) = w.split_at(len);
            let (w1b, w2) = rest.split_at(len);
            let x = random(4 * len, len as u64);
            for (kf, sf) in [(k.dif_radix4, s.dif_radix4), (k.dit_radix4, s.dit_radix4)] {
                let (mut a, mut b) = (x.clone(), x.clone());
                for (v, f) in [(&mut a, kf), (&mut b, sf)] {
                    let (a01, a23) = v.split_at_mut(2 * len);
                    let (a0, a1) = a01.split_at_mut(len);
                    let (a2, a3) = a23.split_at_mut(len);
                    f(a0, a1, a2, a3, w1a, w1b, w2);
                }
                assert_eq!(a, b, "radix-4, length {len}");
            }
            for (kf, sf, dit) in [
                (k.dif_butterflies, s.dif_butterflies, false),
                (k.dit_butterflies, s.dit_butterflies, true),
            ] {
                let (mut a, mut b) = (x.clone(), x.clone());
                for (v, f) in [(&mut a, kf), (&mut b, sf)] {
                    let (lo, hi) = v[..2 * len].split_at_mut(len);
                    f(lo, hi, w1a);
                }
                // And the plain formula.
                let mut c = x.clone();
                for j in 0..len {
                    let (p, q, t) = (c[j], c[len + j], w1a[j]);
                    (c[j], c[len + j]) =
                        if dit { (p + q * t, p - q * t) } else { (p + q, (p - q) * t) };
                }
                assert_eq!(a, b, "radix-2 dit={dit}, length {len}");
                assert_eq!(a, c, "radix-2 formula dit={dit}, length {len}");
            }
        }
    }
}
