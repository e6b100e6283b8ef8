//! The GLV scalar decomposition (Gallant–Lambert–Vanstone, CRYPTO 2001): on a curve with an
//! efficiently computable endomorphism `φ` acting on the prime-order subgroup as `φ(P) = [λ]P`,
//! a scalar `k` is split as `k ≡ k₁ + k₂·λ (mod r)` with `|k₁|, |k₂| ≈ √r`, so `[k]P =
//! [k₁]P + [k₂]φ(P)`: an MSM over `n` full-size scalars becomes one over `2n` half-size scalars
//! (the points `Pᵢ` and `φ(Pᵢ)`, negated where a half is negative) with half the windows.
//!
//! The split: `{(a, b) : a + b·λ ≡ 0 (mod r)}` is a lattice of determinant `±r`; a reduced basis
//! `v₁ = (a₁, b₁)`, `v₂ = (a₂, b₂)` has both vectors of length about `√r` (found once, offline, by
//! Lagrange–Gauss reduction of `(r, 0), (−λ, 1)`). Writing `(k, 0) = β₁·v₁ + β₂·v₂` over the
//! rationals (`β₁ = k·b₂/det`, `β₂ = −k·b₁/det`) and subtracting the lattice vector
//! `c₁·v₁ + c₂·v₂` with `cᵢ ≈ βᵢ` leaves `(k₁, k₂) = (k, 0) − c₁·v₁ − c₂·v₂`, which still satisfies
//! `k₁ + k₂·λ ≡ k` and is short: `k₁ = f₁a₁ + f₂a₂`, `k₂ = f₁b₁ + f₂b₂` with `fᵢ = βᵢ − cᵢ`.
//! `cᵢ` is `⌊k·|gᵢ| / 2^256⌋` (negated for negative `gᵢ`) with the precomputed
//! `g₁ = round(2^256·b₂/det)`, `g₂ = round(−2^256·b₁/det)`: one 256×192-bit product instead of a
//! division. The floor and the rounding of `gᵢ` (`k/2^257 < 1/16`) leave `|fᵢ| < 1.07`, so
//! `|kᵢ| < 1.07·(|a₁| + |a₂|)`, under `0.93·2^127` for both BN254 groups (`|a|, |b| ≤ 0.87·2^127`
//! or `≤ 2^65`): every half fits [`GLV_HALF_BITS`] bits. Everything else is exact integer
//! arithmetic modulo `2^256` (two's complement), whose results are small, so no reduction modulo
//! `r` is needed.

/// The constants of a GLV decomposition for one endomorphism (module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlvParams {
    /// The eigenvalue `λ` (canonical little-endian limbs of an element of the scalar field).
    pub lambda: [u64; 4],
    /// The first reduced basis vector `(a₁, b₁)`, `a₁ + b₁·λ ≡ 0 (mod r)`.
    pub v1: [i128; 2],
    /// The second reduced basis vector `(a₂, b₂)`.
    pub v2: [i128; 2],
    /// `round(2^256·b₂/det)` as (negative, magnitude limbs), `det = a₁b₂ − a₂b₁ = ±r`.
    pub g1: (bool, [u64; 3]),
    /// `round(−2^256·b₁/det)` as (negative, magnitude limbs).
    pub g2: (bool, [u64; 3]),
}

/// Bits of the halves: every half returned by [`GlvParams::decompose`] is below `2^GLV_HALF_BITS`.
pub const GLV_HALF_BITS: usize = 127;

/// A 256-bit integer modulo `2^256` (two's complement for negative values), little-endian limbs.
type U256 = [u64; 4];

fn wrapping_add(a: &U256, b: &U256) -> U256 {
    let mut out = [0u64; 4];
    let mut carry = false;
    for i in 0..4 {
        let (s, c1) = a[i].overflowing_add(b[i]);
        let (s, c2) = s.overflowing_add(carry as u64);
        out[i] = s;
        carry = c1 || c2;
    }
    out
}

fn wrapping_neg(a: &U256) -> U256 {
    let not = [!a[0], !a[1], !a[2], !a[3]];
    wrapping_add(&not, &[1, 0, 0, 0])
}

/// `x·y` exactly (it fits: both are below `2^127` in magnitude), modulo `2^256`.
fn mul_i128(x: i128, y: i128) -> U256 {
    let (a, b) = (x.unsigned_abs(), y.unsigned_abs());
    let (a0, a1) = (a as u64 as u128, a >> 64);
    let (b0, b1) = (b as u64 as u128, b >> 64);
    let lo = a0 * b0;
    let mid1 = a0 * b1;
    let mid2 = a1 * b0;
    let hi = a1 * b1;
    // lo + (mid1 + mid2)·2^64 + hi·2^128, column by column.
    let c0 = lo as u64;
    let t1 = (lo >> 64) + (mid1 as u64 as u128) + (mid2 as u64 as u128);
    let c1 = t1 as u64;
    let t2 = (t1 >> 64) + (mid1 >> 64) + (mid2 >> 64) + (hi as u64 as u128);
    let c2 = t2 as u64;
    let c3 = ((t2 >> 64) + (hi >> 64)) as u64;
    let p = [c0, c1, c2, c3];
    if (x < 0) != (y < 0) { wrapping_neg(&p) } else { p }
}

/// `⌊k·g / 2^256⌋` for a 256-bit `k` and a 192-bit `g`, when it is below `2^127`.
fn mul_shift_256(k: &U256, g: &[u64; 3]) -> Option<i128> {
    let mut prod = [0u64; 7];
    for (i, &ki) in k.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &gj) in g.iter().enumerate() {
            let t = (ki as u128) * (gj as u128) + prod[i + j] as u128 + carry;
            prod[i + j] = t as u64;
            carry = t >> 64;
        }
        prod[i + 3] = carry as u64;
    }
    if prod[6] != 0 {
        return None;
    }
    i128::try_from((prod[5] as u128) << 64 | prod[4] as u128).ok()
}

/// A small two's-complement value as (negative, magnitude) when `|v| < 2^`[`GLV_HALF_BITS`].
fn to_signed_half(v: &U256) -> Option<(bool, u128)> {
    const _: () = assert!(GLV_HALF_BITS == 127);
    let negative = v[3] >> 63 == 1;
    let mag = if negative { wrapping_neg(v) } else { *v };
    if mag[2] != 0 || mag[3] != 0 || mag[1] >> 63 != 0 {
        return None;
    }
    Some((negative, (mag[1] as u128) << 64 | mag[0] as u128))
}

impl GlvParams {
    /// Splits `k` (canonical limbs, `k < r`) as `k ≡ k₁ + k₂·λ (mod r)`, returning `(k₁ < 0, |k₁|)`
    /// and `(k₂ < 0, |k₂|)`, both magnitudes below `2^`[`GLV_HALF_BITS`]. `None` only if the
    /// constants are inconsistent or `k` is not reduced (never for valid parameters: the tests
    /// check the bound on edge and random scalars).
    pub fn decompose(&self, k: &[u64; 4]) -> Option<[(bool, u128); 2]> {
        let signed = |(neg, mag): (bool, [u64; 3])| -> Option<i128> {
            let c = mul_shift_256(k, &mag)?;
            Some(if neg { -c } else { c })
        };
        let c1 = signed(self.g1)?;
        let c2 = signed(self.g2)?;
        let [a1, b1] = self.v1;
        let [a2, b2] = self.v2;
        // k₁ = k − c₁·a₁ − c₂·a₂, k₂ = −c₁·b₁ − c₂·b₂ (mod 2^256; the true values are small).
        let k1 = wrapping_add(
            &wrapping_add(k, &wrapping_neg(&mul_i128(c1, a1))),
            &wrapping_neg(&mul_i128(c2, a2)),
        );
        let k2 = wrapping_neg(&wrapping_add(&mul_i128(c1, b1), &mul_i128(c2, b2)));
        Some([to_signed_half(&k1)?, to_signed_half(&k2)?])
    }
}

/// BN254 G1: `φ(x, y) = (β·x, y)` with `β` a primitive cube root of unity in `F_q`; `λ` the
/// matching cube root of unity in `F_r` (`λ² + λ + 1 ≡ 0`).
pub(crate) const BN254_G1_GLV: GlvParams = GlvParams {
    lambda: [0x8b17ea66b99c90dd, 0x5bfc41088d8daaa7, 0xb3c4d79d41a91758, 0],
    v1: [-9931322734385697763, 147946756881789319000765030803803410728],
    v2: [-147946756881789319010696353538189108491, -9931322734385697763],
    g1: (true, [0xd91d232ec7e0b3d7, 0x0000000000000002, 0]),
    g2: (true, [0x7a7bd9d4391eb18e, 0x4ccef014a773d2cf, 0x0000000000000002]),
};

/// BN254 G2: `ψ` (untwist–Frobenius–twist, [`crate::bn254::psi`]) acts on G2 as `[q] = [6x²]`
/// (`q ≡ 6x² mod r` for BN curves).
pub(crate) const BN254_G2_GLV: GlvParams = GlvParams {
    lambda: [0xf83e9682e87cfd46, 0x6f4d8248eeb859fb, 0, 0],
    v1: [-147946756881789318990833708069417712966, 1],
    v2: [29793968203157093287, 147946756881789319020627676272574806255],
    g1: (true, [0x2cb62031c8e01942, 0x4ccef014a773d2d5, 0x0000000000000002]),
    g2: (false, [5, 0, 0]),
};

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use zkprove_field::Field;
    use zkprove_field::bn254::Fr;

    fn fr(limbs: [u64; 4]) -> Fr {
        Fr::from_canonical_limbs(limbs).expect("canonical")
    }

    fn half(neg: bool, mag: u128) -> Fr {
        let v = fr([mag as u64, (mag >> 64) as u64, 0, 0]);
        if neg { -v } else { v }
    }

    fn check(params: &GlvParams, k: Fr) {
        let [(n1, k1), (n2, k2)] = params.decompose(&k.to_canonical_limbs()).expect("decomposes");
        assert!(k1 < 1 << 127 && k2 < 1 << 127, "halves too large for {k:?}");
        assert_eq!(half(n1, k1) + half(n2, k2) * fr(params.lambda), k, "k = {k:?}");
    }

    #[test]
    fn lattice_vectors_are_in_the_kernel() {
        for p in [BN254_G1_GLV, BN254_G2_GLV] {
            let lambda = fr(p.lambda);
            for [a, b] in [p.v1, p.v2] {
                assert_eq!(
                    half(a < 0, a.unsigned_abs()) + half(b < 0, b.unsigned_abs()) * lambda,
                    Fr::ZERO
                );
            }
        }
        // G1's λ is a cube root of unity.
        let l = fr(BN254_G1_GLV.lambda);
        assert_eq!(l.square() + l + Fr::ONE, Fr::ZERO);
    }

    #[test]
    fn decomposition_recomposes() {
        let mut rng = StdRng::seed_from_u64(5);
        for p in [BN254_G1_GLV, BN254_G2_GLV] {
            let lambda = fr(p.lambda);
            let mut edge = vec![Fr::ZERO, Fr::ONE, -Fr::ONE, lambda, -lambda, lambda + Fr::ONE];
            edge.push(Fr::from_u64(2).pow(127));
            edge.push(Fr::from_u64(2).pow(128));
            edge.push(Fr::from_u64(2).pow(253));
            // −1/2 (= (r − 1)/2) and the values next to multiples of the basis vectors.
            edge.push(-Fr::from_u64(2).inverse().expect("invertible"));
            for [a, b] in [p.v1, p.v2] {
                let va = half(a < 0, a.unsigned_abs());
                let vb = half(b < 0, b.unsigned_abs());
                for d in [-Fr::ONE, Fr::ZERO, Fr::ONE] {
                    edge.push(va + d);
                    edge.push(vb + d);
                    edge.push(va * Fr::from_u64(1 << 62) + d);
                }
            }
            for k in edge {
                check(&p, k);
            }
            for _ in 0..2000 {
                check(&p, Fr::random(&mut rng));
            }
            // Small and structured scalars.
            for _ in 0..200 {
                check(&p, Fr::from_u64(rng.random()));
            }
        }
    }
}
