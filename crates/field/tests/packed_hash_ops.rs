//! The hash-oriented packed operations (`add_exp_small` and its batch form, `mul_inv_2exp`,
//! `mul_inv_2exp_add`, `mul_2exp`) of every small-field packing against their scalar definitions,
//! lane by lane, on random and edge inputs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::koalabear::KoalaBear;
use zkprove_field::m31::M31;
use zkprove_field::{PackedField, PrimeField64};

/// Random lanes plus the edge values 0, 1, p − 1, p − 2 and 2^k.
fn samples<F: PrimeField64>(rng: &mut StdRng) -> Vec<F::Packing> {
    let p = F::ORDER_U64;
    let edges = [0, 1, p - 1, p - 2, 2, 1 << 20, p / 2, p / 2 + 1];
    let mut out =
        vec![<F::Packing as PackedField>::from_fn(|l| F::from_u64(edges[l % edges.len()]))];
    for _ in 0..64 {
        out.push(<F::Packing as PackedField>::from_fn(|_| F::from_u64(rng.random_range(0..p))));
    }
    out
}

fn check<F: PrimeField64>(max_inv_n: u32, max_n: u32, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let half = F::TWO.inverse().unwrap();
    for x in samples::<F>(&mut rng) {
        let c = F::from_u64(rng.random_range(0..F::ORDER_U64));
        let lanes = x.as_slice().to_vec();
        let e3 = x.add_exp_small::<3>(c);
        let e5 = x.add_exp_small::<5>(c);
        let e7 = x.add_exp_small::<7>(c);
        for (l, &xl) in lanes.iter().enumerate() {
            assert_eq!(e3.as_slice()[l], (xl + c).pow(3));
            assert_eq!(e5.as_slice()[l], (xl + c).pow(5));
            assert_eq!(e7.as_slice()[l], (xl + c).pow(7));
        }
        // The batch form over 1..=13 cells (whole and partial chunks), with per-cell constants.
        for len in [1usize, 3, 4, 5, 8, 12, 13] {
            let xs: Vec<F::Packing> = (0..len)
                .map(|k| {
                    <F::Packing as PackedField>::from_fn(|l| {
                        F::from_u64(
                            (k as u64 * 977 + l as u64 * 13 + x.as_slice()[l].as_canonical_u64())
                                % F::ORDER_U64,
                        )
                    })
                })
                .collect();
            let cs: Vec<F> =
                (0..len).map(|_| F::from_u64(rng.random_range(0..F::ORDER_U64))).collect();
            let mut got7 = xs.clone();
            F::Packing::add_exp_small_batch::<7>(&mut got7, &cs);
            let mut got5 = xs.clone();
            F::Packing::add_exp_small_batch::<5>(&mut got5, &cs);
            for k in 0..len {
                assert_eq!(got7[k], xs[k].add_exp_small::<7>(cs[k]));
                assert_eq!(got5[k], xs[k].add_exp_small::<5>(cs[k]));
            }
        }
        for n in 0..=max_inv_n {
            let v = half.pow(u64::from(n));
            let y = x.mul_inv_2exp(n, v);
            for (l, &xl) in lanes.iter().enumerate() {
                assert_eq!(y.as_slice()[l], xl * v, "x·2^-{n}");
                assert!(y.as_slice()[l].as_canonical_u64() < F::ORDER_U64);
            }
            let acc = <F::Packing as PackedField>::from_fn(|l| {
                // Edge accumulators (0, p − 1) in the first lanes, random ones after.
                match l {
                    0 => F::ZERO,
                    1 => -F::ONE,
                    _ => F::from_u64(rng.random_range(0..F::ORDER_U64)),
                }
            });
            for negate in [false, true] {
                let z = x.mul_inv_2exp_add(n, v, acc, negate);
                for (l, &xl) in lanes.iter().enumerate() {
                    let a = acc.as_slice()[l];
                    let want = if negate { a - xl * v } else { a + xl * v };
                    assert_eq!(z.as_slice()[l], want, "acc ± x·2^-{n}");
                }
            }
        }
        for n in 0..=max_n {
            let v = F::TWO.pow(u64::from(n));
            let y = x.mul_2exp(n, v);
            for (l, &xl) in lanes.iter().enumerate() {
                assert_eq!(y.as_slice()[l], xl * v, "x·2^{n}");
            }
        }
    }
}

#[test]
fn babybear_packed_hash_ops() {
    check::<BabyBear>(30, 30, 1);
}

#[test]
fn koalabear_packed_hash_ops() {
    check::<KoalaBear>(30, 30, 4);
}

#[test]
fn m31_packed_hash_ops() {
    check::<M31>(30, 30, 2);
}

#[test]
fn goldilocks_packed_hash_ops() {
    check::<Goldilocks>(40, 40, 3);
}
