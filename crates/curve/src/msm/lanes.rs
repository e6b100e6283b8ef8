//! Batches of *generic* affine additions `buckets[idx[i]] += points[i]` (distinct indices, no
//! point at infinity, different x coordinates) sharing one field inversion (Montgomery's trick):
//! the scalar version for every curve, and for BN254 G1 a version on eight `F_q` lanes
//! ([`zkprove_field::bn254::Fqx8`], AVX-512 IFMA where the build targets it).
//!
//! Lane version: additions `8g .. 8g + 8` form group `g`, lane `l` of every group belongs to the
//! `l`-th of eight independent Montgomery-trick chains. Forward: `d = x₂ − x₁`, `num = acc·(y₂ −
//! y₁)`, `acc ← acc·d` (2 lane products per 8 additions); the eight `acc` lanes are inverted
//! together by one scalar inversion; backward: `λ = inv·num`, `inv ← inv·d`, `x₃ = λ² − x₁ − x₂`,
//! `y₃ = λ·(x₁ − x₃) − y₁` (4 lane products). A last, partial group pads its empty lanes with
//! `d = 1`, `num = 0`, whose results are dropped.

use zkprove_field::Field;
use zkprove_field::bn254::{Fq, Fqx8};

use crate::bn254::G1Config;
use crate::sw::{Affine, SwCurve};

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
struct Group {
    x1: Fqx8,
    y1: Fqx8,
    x2: Fqx8,
    d: Fqx8,
    num: Fqx8,
}

/// `buckets[idx[i]] += points[i]` for every `i` on BN254 G1, eight additions per lane operation
/// (module docs; same preconditions as [`batch_add_generic_scalar`]).
pub(crate) fn batch_add_generic_g1(
    buckets: &mut [Affine<G1Config>],
    idx: &[u32],
    points: &[Affine<G1Config>],
) {
    let n = idx.len();
    if n == 0 {
        return;
    }
    let mut groups: Vec<Group> = Vec::with_capacity(n.div_ceil(8));
    let mut acc = Fqx8::broadcast(Fq::ONE);
    for (ids, pts) in idx.chunks(8).zip(points.chunks(8)) {
        // Empty lanes: (x1, y1) = (0, 0), (x2, y2) = (1, 0), so d = 1 and num = 0.
        let (mut x1, mut y1) = ([Fq::ZERO; 8], [Fq::ZERO; 8]);
        let (mut x2, mut y2) = ([Fq::ONE; 8], [Fq::ZERO; 8]);
        for (l, (&b, p)) in ids.iter().zip(pts).enumerate() {
            let a = &buckets[b as usize];
            (x1[l], y1[l], x2[l], y2[l]) = (a.x, a.y, p.x, p.y);
        }
        let (x1, y1, x2) = (Fqx8::from_array(&x1), Fqx8::from_array(&y1), Fqx8::from_array(&x2));
        let d = x2 - x1;
        let num = acc * (Fqx8::from_array(&y2) - y1);
        acc *= d;
        groups.push(Group { x1, y1, x2, d, num });
    }
    let mut inv = Fqx8::from_array(&invert_lanes(acc.to_array()));
    for (g, (ids, pts)) in groups.iter().zip(idx.chunks(8).zip(points.chunks(8))).rev() {
        let _ = pts;
        let lambda = inv * g.num;
        inv *= g.d;
        let x3 = lambda.square() - g.x1 - g.x2;
        let y3 = lambda * (g.x1 - x3) - g.y1;
        let (x3, y3) = (x3.to_array(), y3.to_array());
        for (l, &b) in ids.iter().enumerate() {
            buckets[b as usize] = Affine::new_unchecked(x3[l], y3[l]);
        }
    }
}

/// The inverses of eight non-zero elements with one inversion (zero stays zero).
fn invert_lanes(v: [Fq; 8]) -> [Fq; 8] {
    let mut prefix = [Fq::ONE; 8];
    let mut acc = Fq::ONE;
    for (p, x) in prefix.iter_mut().zip(&v) {
        *p = acc;
        if !x.is_zero() {
            acc *= *x;
        }
    }
    let mut inv = acc.inverse().unwrap_or(Fq::ZERO);
    let mut out = [Fq::ZERO; 8];
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

    /// The lanes and the scalar version give the sums `Projective` addition gives, for every batch
    /// length from 0 to 40 (partial last groups) and repeated target buckets across batches.
    #[test]
    fn g1_lanes_match_scalar_and_projective() {
        let mut rng = StdRng::seed_from_u64(0x1a9e5);
        let pool = crate::msm::random_points::<G1Config, _>(64, &mut rng);
        for n in 0..=40usize {
            let mut buckets: Vec<Affine<G1Config>> =
                (0..48).map(|_| pool[rng.random_range(0..pool.len())]).collect();
            let mut ids: Vec<u32> = (0..48).collect();
            // Distinct indices in random order.
            for i in (1..ids.len()).rev() {
                ids.swap(i, rng.random_range(0..=i));
            }
            let idx = &ids[..n];
            let points: Vec<Affine<G1Config>> = idx
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
            let want: Vec<Affine<G1Config>> = buckets
                .iter()
                .enumerate()
                .map(|(b, a)| match idx.iter().position(|&i| i as usize == b) {
                    Some(k) => (Projective::from(*a) + points[k]).to_affine(),
                    None => *a,
                })
                .collect();
            let mut lanes = buckets.clone();
            batch_add_generic_g1(&mut lanes, idx, &points);
            assert_eq!(lanes, want, "lanes, n = {n}");
            let mut scratch = Vec::new();
            batch_add_generic_scalar(&mut buckets, idx, &points, &mut scratch);
            assert_eq!(buckets, want, "scalar, n = {n}");
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
