//! The 8-lane BN254 types ([`Fp256x8`]: AVX-512 IFMA where the build targets it, and the portable
//! [`Fp256x8Portable`], tested on every build) against the scalar [`Fp256`] operations, lane by
//! lane: random batches (seeded), edge values (0, 1, −1, raw limbs `p − 1` and small raw values,
//! canonical values near 2^253), and long random chains of operations whose intermediate results
//! stay in lanes (partially reduced on the IFMA path).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::Field;
use zkprove_field::bn254::{
    Fp256, Fp256Params, Fp256x8, Fp256x8Portable, FqParams, Fqx8, FrParams, Frx8,
};

/// Edge values of the field: zero, one, minus one, the largest raw limbs, small raw limbs,
/// canonical values just below `p` and around 2^253.
fn edges<P: Fp256Params>() -> Vec<Fp256<P>> {
    let p = P::MODULUS;
    let mut out = vec![Fp256::<P>::ZERO, Fp256::ONE, Fp256::NEG_ONE, Fp256::TWO];
    for k in 1..4u64 {
        out.push(Fp256::from_raw_limbs([p[0] - k, p[1], p[2], p[3]]).unwrap());
        out.push(Fp256::from_raw_limbs([k, 0, 0, 0]).unwrap());
        out.push(Fp256::from_canonical_limbs([p[0] - k, p[1], p[2], p[3]]).unwrap());
    }
    out.push(Fp256::from_raw_limbs([0, 0, 0, 1 << 61]).unwrap());
    out.push(Fp256::from_raw_limbs([u64::MAX, u64::MAX, u64::MAX, (1 << 61) - 1]).unwrap());
    out.push(Fp256::from_canonical_limbs([0, 0, 0, 1 << 61]).unwrap());
    out.push(Fp256::from_raw_limbs([u64::MAX, u64::MAX, u64::MAX, p[3] - 1]).unwrap());
    out.push(Fp256::from_raw_limbs([1 << 52, 1 << 40, 1 << 28, 1 << 16]).unwrap());
    out
}

macro_rules! lanes_tests {
    ($name:ident, $lanes:ty, $params:ty) => {
        mod $name {
            use super::*;

            type F = Fp256<$params>;
            type L = $lanes;

            fn batch(rng: &mut StdRng, pool: &[F]) -> [F; 8] {
                core::array::from_fn(|_| {
                    if !pool.is_empty() && rng.random_bool(0.5) {
                        pool[rng.random_range(0..pool.len())]
                    } else {
                        F::random(rng)
                    }
                })
            }

            fn check_ops(a: [F; 8], b: [F; 8]) {
                let (x, y) = (L::from_array(&a), L::from_array(&b));
                assert_eq!(x.to_array(), a, "round trip");
                assert_eq!((x * y).to_array(), core::array::from_fn(|i| a[i] * b[i]), "mul");
                assert_eq!((x + y).to_array(), core::array::from_fn(|i| a[i] + b[i]), "add");
                assert_eq!((x - y).to_array(), core::array::from_fn(|i| a[i] - b[i]), "sub");
                assert_eq!((-x).to_array(), a.map(|v| -v), "neg");
                assert_eq!(x.square().to_array(), a.map(|v| v.square()), "square");
                assert_eq!(x.double().to_array(), a.map(|v| v.double()), "double");
                let mut z = x;
                z *= y;
                z += x;
                z -= y;
                assert_eq!(
                    z.to_array(),
                    core::array::from_fn(|i| a[i] * b[i] + a[i] - b[i]),
                    "assign ops"
                );
            }

            #[test]
            fn broadcast_and_default() {
                let mut rng = StdRng::seed_from_u64(7);
                let v = F::random(&mut rng);
                assert_eq!(L::broadcast(v).to_array(), [v; 8]);
                assert_eq!(L::default().to_array(), [F::ZERO; 8]);
                assert_eq!(L::broadcast(v), L::from_array(&[v; 8]));
            }

            #[test]
            fn edge_values() {
                let e = edges::<$params>();
                // Every pair of edge values, eight pairs per batch.
                let pairs: Vec<(F, F)> =
                    e.iter().flat_map(|&a| e.iter().map(move |&b| (a, b))).collect();
                for chunk in pairs.chunks(8) {
                    let a: [F; 8] = core::array::from_fn(|i| chunk[i % chunk.len()].0);
                    let b: [F; 8] = core::array::from_fn(|i| chunk[i % chunk.len()].1);
                    check_ops(a, b);
                }
            }

            #[test]
            fn random_batches() {
                let mut rng = StdRng::seed_from_u64(0x1f3a);
                let e = edges::<$params>();
                for _ in 0..2000 {
                    let a = batch(&mut rng, &[]);
                    let b = batch(&mut rng, &e);
                    check_ops(a, b);
                }
            }

            /// Results fed back in without leaving the lanes: the partially reduced
            /// representation must compose.
            #[test]
            fn random_chains() {
                let mut rng = StdRng::seed_from_u64(0xc4a1);
                let e = edges::<$params>();
                for _ in 0..50 {
                    let init: Vec<[F; 8]> = (0..4).map(|_| batch(&mut rng, &e)).collect();
                    let mut lanes: Vec<L> = init.iter().map(L::from_array).collect();
                    let mut scalars = init.clone();
                    for _ in 0..200 {
                        let (i, j, k) = (
                            rng.random_range(0..4),
                            rng.random_range(0..4),
                            rng.random_range(0..4),
                        );
                        let op = rng.random_range(0..6);
                        lanes[k] = match op {
                            0 => lanes[i] * lanes[j],
                            1 => lanes[i] + lanes[j],
                            2 => lanes[i] - lanes[j],
                            3 => lanes[i].square(),
                            4 => -lanes[i],
                            _ => lanes[i].double(),
                        };
                        scalars[k] = core::array::from_fn(|l| {
                            let (x, y) = (scalars[i][l], scalars[j][l]);
                            match op {
                                0 => x * y,
                                1 => x + y,
                                2 => x - y,
                                3 => x.square(),
                                4 => -x,
                                _ => x.double(),
                            }
                        });
                        assert_eq!(lanes[k].to_array(), scalars[k]);
                    }
                }
            }
        }
    };
}

lanes_tests!(fq_default, Fqx8, FqParams);
lanes_tests!(fr_default, Frx8, FrParams);
lanes_tests!(fq_portable, Fp256x8Portable<FqParams>, FqParams);
lanes_tests!(fr_portable, Fp256x8Portable<FrParams>, FrParams);

/// The default type is the IFMA one exactly when the build enables the feature.
#[test]
fn default_lanes_follow_target_features() {
    let ifma = cfg!(all(
        target_arch = "x86_64",
        target_feature = "avx512ifma",
        target_feature = "avx512dq"
    ));
    assert_eq!(Fp256x8::<FqParams>::IS_SIMD, ifma);
    const { assert!(!Fp256x8Portable::<FqParams>::IS_SIMD) };
}
