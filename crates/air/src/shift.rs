//! The multilinear "next row" shift and `eq`, as the verifier evaluates them.
//!
//! Points are in [`zkprove_poly::Mle`] order: coordinate 0 is the most significant bit of the row
//! index.

use zkprove_field::Field;

/// `eq(a, b) = Π (a_i·b_i + (1 − a_i)(1 − b_i))`.
pub fn eq_eval<E: Field>(a: &[E], b: &[E]) -> E {
    a.iter().zip(b).map(|(&x, &y)| x * y + (E::ONE - x) * (E::ONE - y)).product()
}

/// `S(r, z) = Σ_{x ∈ {0,1}^n} eq(r, x)·eq(x + 1 mod 2^n, z)`: the multilinear extension of
/// "`z` is the row after `x`" (cyclically), so that `Σ_z S(r, z)·T(z) = T_next(r)` for a column
/// `T` and its shift `T_next(x) = T(x + 1 mod 2^n)`.
///
/// O(n): summing over the position `k` of the carry of `x + 1` (the lowest zero bit of `x`):
/// bits below `k` go from 1 to 0, bit `k` from 0 to 1, the bits above stay; plus the wrap-around
/// from all ones to all zeros.
pub fn shift_eval<E: Field>(r: &[E], z: &[E]) -> E {
    let n = r.len().min(z.len());
    // Least significant first.
    let a: Vec<E> = r[..n].iter().rev().copied().collect();
    let b: Vec<E> = z[..n].iter().rev().copied().collect();
    // suffix[k] = Π_{l ≥ k} eq(a_l, b_l).
    let mut suffix = vec![E::ONE; n + 1];
    for l in (0..n).rev() {
        suffix[l] = suffix[l + 1] * (a[l] * b[l] + (E::ONE - a[l]) * (E::ONE - b[l]));
    }
    let mut prefix = E::ONE; // Π_{l < k} a_l (1 − b_l)
    let mut total = E::ZERO;
    for k in 0..n {
        total += prefix * (E::ONE - a[k]) * b[k] * suffix[k + 1];
        prefix *= a[k] * (E::ONE - b[k]);
    }
    total + prefix
}

#[cfg(test)]
/// The table of `y ↦ S(r, y)`: `eq(r, ·)` moved one row down (cyclically).
pub(crate) fn shift_table<E: Field>(eq_r: &[E]) -> Vec<E> {
    let n = eq_r.len();
    (0..n).map(|y| eq_r[(y + n - 1) % n]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use zkprove_field::babybear::BabyBearExt4;
    use zkprove_poly::{Mle, eq_table};

    #[test]
    fn shift_eval_matches_the_shifted_eq_table() {
        let mut rng = StdRng::seed_from_u64(3);
        for n in 1..7 {
            let r: Vec<BabyBearExt4> = (0..n).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let z: Vec<BabyBearExt4> = (0..n).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let table = shift_table(&eq_table(&r));
            let want = Mle::new(table).expect("pow2").evaluate(&z).expect("dims");
            assert_eq!(shift_eval(&r, &z), want, "n = {n}");
            // Σ_z S(r, z) T(z) = T_next(r).
            let t: Vec<BabyBearExt4> =
                (0..1 << n).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let t_next: Vec<BabyBearExt4> = (0..1 << n).map(|i| t[(i + 1) % (1 << n)]).collect();
            let s = shift_table(&eq_table(&r));
            let lhs: BabyBearExt4 = s.iter().zip(&t).map(|(&a, &b)| a * b).sum();
            assert_eq!(lhs, Mle::new(t_next).expect("pow2").evaluate(&r).expect("dims"));
        }
    }
}
