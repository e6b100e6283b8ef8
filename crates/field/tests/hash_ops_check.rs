//! The checker behind `packed_hash_ops` (on the compile-time `Field::Packing`) and `cpu_levels`
//! (on the packing `Field::with_packing` picks at each run-time CPU level): the hash-oriented
//! packed operations (`add_exp_small`, `sub_exp_small` and their batch forms, `mul_inv_2exp`,
//! `mul_inv_2exp_add`, `mul_2exp`, `pack_rows` / `unpack_rows`) of one packing against their
//! scalar definitions, lane by lane, on random and edge inputs. No tests of its own.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::{Field, PackedField, PackedKernel, PrimeField64};

/// [`check`] as a kernel for `Field::with_packing`.
pub struct HashOps {
    /// The largest `n` of `x·2^{−n}` checked.
    pub max_inv_n: u32,
    /// The largest `n` of `x·2^n` checked.
    pub max_n: u32,
    /// The seed of the random inputs.
    pub seed: u64,
}

impl<F: PrimeField64> PackedKernel<F> for HashOps {
    type Output = usize;
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) -> usize {
        check::<P>(self.max_inv_n, self.max_n, self.seed);
        P::WIDTH
    }
}

/// Random lanes plus the edge values 0, 1, p − 1, p − 2 and 2^k.
fn samples<P: PackedField<Scalar: PrimeField64>>(rng: &mut StdRng) -> Vec<P> {
    let p = P::Scalar::ORDER_U64;
    let edges = [0, 1, p - 1, p - 2, 2, 1 << 20, p / 2, p / 2 + 1];
    let mut out = vec![
        P::from_fn(|l| P::Scalar::from_u64(edges[l % edges.len()])),
        P::from_fn(|l| P::Scalar::from_u64(edges[(l + 3) % edges.len()])),
        P::broadcast(P::Scalar::ZERO),
        P::broadcast(-P::Scalar::ONE),
    ];
    for _ in 0..64 {
        out.push(P::from_fn(|_| P::Scalar::from_u64(rng.random_range(0..p))));
    }
    out
}

/// `pack_rows` puts `rows[l][i]` in lane `l` of cell `i`, and `unpack_rows` undoes it, for `N`
/// with and without a ragged tail of columns.
#[inline(always)]
fn check_rows<P: PackedField<Scalar: PrimeField64>, const N: usize>(rng: &mut StdRng) {
    let p = P::Scalar::ORDER_U64;
    let mut rows: Vec<[P::Scalar; N]> = (0..P::WIDTH)
        .map(|_| core::array::from_fn(|_| P::Scalar::from_u64(rng.random_range(0..p))))
        .collect();
    rows[0][N - 1] = -P::Scalar::ONE;
    let cells = P::pack_rows::<N>(&rows);
    for (i, cell) in cells.iter().enumerate() {
        for (l, row) in rows.iter().enumerate() {
            assert_eq!(cell.as_slice()[l], row[i], "pack_rows::<{N}> cell {i} lane {l}");
        }
    }
    let mut back = vec![[P::Scalar::ZERO; N]; P::WIDTH];
    P::unpack_rows(&cells, &mut back);
    assert_eq!(back, rows, "unpack_rows::<{N}>");
}

/// Every hash-oriented operation of the packing `P` equals its scalar definition.
#[inline(always)]
pub fn check<P: PackedField<Scalar: PrimeField64>>(max_inv_n: u32, max_n: u32, seed: u64) {
    let p = P::Scalar::ORDER_U64;
    let mut rng = StdRng::seed_from_u64(seed);
    check_rows::<P, 8>(&mut rng);
    check_rows::<P, 12>(&mut rng);
    check_rows::<P, 16>(&mut rng);
    check_rows::<P, 24>(&mut rng);
    let half = P::Scalar::TWO.inverse().unwrap();
    // Constants: random, and the edges 0 and p − 1 (whose negations are 0 and 1).
    let mut consts: Vec<P::Scalar> = vec![P::Scalar::ZERO, -P::Scalar::ONE, P::Scalar::ONE];
    for x in samples::<P>(&mut rng) {
        consts.push(P::Scalar::from_u64(rng.random_range(0..p)));
        let c = consts[consts.len() % 4];
        let lanes = x.as_slice().to_vec();
        let (e3, e5, e7) =
            (x.add_exp_small::<3>(c), x.add_exp_small::<5>(c), x.add_exp_small::<7>(c));
        let neg_c = P::broadcast(-c);
        let (s3, s5, s7) =
            (x.sub_exp_small::<3>(neg_c), x.sub_exp_small::<5>(neg_c), x.sub_exp_small::<7>(neg_c));
        for (l, &xl) in lanes.iter().enumerate() {
            let s = xl + c;
            assert_eq!(e3.as_slice()[l], s.pow(3), "(x + c)^3");
            assert_eq!(e5.as_slice()[l], s.pow(5), "(x + c)^5");
            assert_eq!(e7.as_slice()[l], s.pow(7), "(x + c)^7");
            assert_eq!(s3.as_slice()[l], s.pow(3), "(x − (−c))^3");
            assert_eq!(s5.as_slice()[l], s.pow(5), "(x − (−c))^5");
            assert_eq!(s7.as_slice()[l], s.pow(7), "(x − (−c))^7");
        }
        // The batch forms over 1..=13 cells (whole and partial chunks), with per-cell constants
        // (lane-wise different ones for the negated-vector form).
        for len in [1usize, 2, 3, 4, 5, 8, 12, 13] {
            let xs: Vec<P> = (0..len)
                .map(|k| {
                    P::from_fn(|l| {
                        P::Scalar::from_u64(
                            (k as u64 * 977 + l as u64 * 13 + lanes[l].as_canonical_u64()) % p,
                        )
                    })
                })
                .collect();
            let cs: Vec<P::Scalar> = (0..len).map(|k| consts[(k * 7) % consts.len()]).collect();
            let neg_cs: Vec<P> =
                (0..len).map(|k| P::from_fn(|l| -consts[(k * 7 + l) % consts.len()])).collect();
            let mut got7 = xs.clone();
            P::add_exp_small_batch::<7>(&mut got7, &cs);
            let mut got5 = xs.clone();
            P::add_exp_small_batch::<5>(&mut got5, &cs);
            let mut got3 = xs.clone();
            P::add_exp_small_batch::<3>(&mut got3, &cs);
            let mut sub7 = xs.clone();
            P::sub_exp_small_batch::<7>(&mut sub7, &neg_cs);
            let mut sub5 = xs.clone();
            P::sub_exp_small_batch::<5>(&mut sub5, &neg_cs);
            let mut sub3 = xs.clone();
            P::sub_exp_small_batch::<3>(&mut sub3, &neg_cs);
            for k in 0..len {
                assert_eq!(got7[k], xs[k].add_exp_small::<7>(cs[k]));
                assert_eq!(got5[k], xs[k].add_exp_small::<5>(cs[k]));
                assert_eq!(got3[k], xs[k].add_exp_small::<3>(cs[k]));
                for l in 0..P::WIDTH {
                    let s = xs[k].as_slice()[l] - neg_cs[k].as_slice()[l];
                    assert_eq!(sub7[k].as_slice()[l], s.pow(7), "batch (x − n)^7");
                    assert_eq!(sub5[k].as_slice()[l], s.pow(5), "batch (x − n)^5");
                    assert_eq!(sub3[k].as_slice()[l], s.pow(3), "batch (x − n)^3");
                }
            }
        }
        for n in 0..=max_inv_n {
            let v = half.pow(u64::from(n));
            let y = x.mul_inv_2exp(n, v);
            for (l, &xl) in lanes.iter().enumerate() {
                assert_eq!(y.as_slice()[l], xl * v, "x·2^-{n}");
                assert!(y.as_slice()[l].as_canonical_u64() < p);
            }
            let acc = P::from_fn(|l| {
                // Edge accumulators (0, p − 1, 1) in the first lanes, random ones after.
                match l {
                    0 => P::Scalar::ZERO,
                    1 => -P::Scalar::ONE,
                    2 => P::Scalar::ONE,
                    _ => P::Scalar::from_u64(rng.random_range(0..p)),
                }
            });
            for negate in [false, true] {
                let z = x.mul_inv_2exp_add(n, v, acc, negate);
                for (l, &xl) in lanes.iter().enumerate() {
                    let a = acc.as_slice()[l];
                    let want = if negate { a - xl * v } else { a + xl * v };
                    assert_eq!(z.as_slice()[l], want, "acc ± x·2^-{n}");
                    assert!(z.as_slice()[l].as_canonical_u64() < p);
                }
            }
        }
        for n in 0..=max_n {
            let v = P::Scalar::TWO.pow(u64::from(n));
            let y = x.mul_2exp(n, v);
            for (l, &xl) in lanes.iter().enumerate() {
                assert_eq!(y.as_slice()[l], xl * v, "x·2^{n}");
            }
        }
    }
}
