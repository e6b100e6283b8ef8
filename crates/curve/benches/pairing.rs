//! The BN254 optimal ate pairing: zkprove against arkworks (`ark_bn254::Bn254`, ark-ff with its
//! `asm` multiplication) on the same points — one pairing, a multi-pairing of 4 pairs (a Groth16
//! verification's shape), the Miller loop and the final exponentiation on their own, and pairing
//! with a prepared G2 point.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use ark_ec::pairing::Pairing;
use ark_ff::{BigInt, PrimeField as _};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::bn254::{
    Fq2, Fq6, Fq12, G1Affine, G2Affine, G2Prepared, final_exponentiation,
    g2_is_in_subgroup_six_x_squared, multi_miller_loop, multi_pairing, multi_pairing_prepared,
    pairing,
};
use zkprove_field::Field;
use zkprove_field::bn254::Fq;

fn ark_fq(x: Fq) -> ark_bn254::Fq {
    ark_bn254::Fq::from_bigint(BigInt(x.to_canonical_limbs())).unwrap()
}

fn ark_fq2(x: Fq2) -> ark_bn254::Fq2 {
    let [c0, c1] = *x.coeffs();
    ark_bn254::Fq2::new(ark_fq(c0), ark_fq(c1))
}

fn ark_fq6(x: Fq6) -> ark_bn254::Fq6 {
    ark_bn254::Fq6::new(ark_fq2(x.c0), ark_fq2(x.c1), ark_fq2(x.c2))
}

fn ark_fq12(x: Fq12) -> ark_bn254::Fq12 {
    ark_bn254::Fq12::new(ark_fq6(x.c0), ark_fq6(x.c1))
}

fn ark_g1(p: &G1Affine) -> ark_bn254::G1Affine {
    ark_bn254::G1Affine::new(ark_fq(p.x), ark_fq(p.y))
}

fn ark_g2(p: &G2Affine) -> ark_bn254::G2Affine {
    ark_bn254::G2Affine::new(ark_fq2(p.x), ark_fq2(p.y))
}

fn bench_pairing(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(7);
    let pairs: Vec<(G1Affine, G2Affine)> =
        (0..4).map(|_| (G1Affine::random(&mut rng), G2Affine::random(&mut rng))).collect();
    let ark_p: Vec<ark_bn254::G1Affine> = pairs.iter().map(|(p, _)| ark_g1(p)).collect();
    let ark_q: Vec<ark_bn254::G2Affine> = pairs.iter().map(|(_, q)| ark_g2(q)).collect();
    let (p, q) = pairs[0];

    let mut group = c.benchmark_group("bn254-pairing");
    group.bench_function("zkprove/pairing", |b| b.iter(|| pairing(black_box(&p), black_box(&q))));
    group.bench_function("arkworks/pairing", |b| {
        b.iter(|| ark_bn254::Bn254::pairing(black_box(ark_p[0]), black_box(ark_q[0])))
    });
    group
        .bench_function("zkprove/multi_pairing_4", |b| b.iter(|| multi_pairing(black_box(&pairs))));
    group.bench_function("arkworks/multi_pairing_4", |b| {
        b.iter(|| {
            ark_bn254::Bn254::multi_pairing(black_box(ark_p.clone()), black_box(ark_q.clone()))
        })
    });
    group.bench_function("zkprove/miller_loop", |b| {
        b.iter(|| multi_miller_loop(black_box(&pairs[..1])))
    });
    group.bench_function("arkworks/miller_loop", |b| {
        b.iter(|| ark_bn254::Bn254::multi_miller_loop([black_box(ark_p[0])], [black_box(ark_q[0])]))
    });
    let f = multi_miller_loop(&pairs[..1]);
    let ark_f = ark_bn254::Bn254::multi_miller_loop([ark_p[0]], [ark_q[0]]);
    group.bench_function("zkprove/final_exponentiation", |b| {
        b.iter(|| final_exponentiation(black_box(&f)))
    });
    group.bench_function("arkworks/final_exponentiation", |b| {
        b.iter(|| ark_bn254::Bn254::final_exponentiation(black_box(ark_f)))
    });
    let prepared = G2Prepared::from(q);
    group.bench_function("zkprove/pairing_prepared", |b| {
        b.iter(|| multi_pairing_prepared([(black_box(&p), black_box(&prepared))]))
    });
    let ark_prepared = <ark_bn254::Bn254 as Pairing>::G2Prepared::from(ark_q[0]);
    group.bench_function("arkworks/pairing_prepared", |b| {
        b.iter(|| {
            let f =
                ark_bn254::Bn254::multi_miller_loop([black_box(ark_p[0])], [ark_prepared.clone()]);
            ark_bn254::Bn254::final_exponentiation(f)
        })
    });
    group
        .bench_function("zkprove/g2_subgroup_check", |b| b.iter(|| black_box(&q).is_in_subgroup()));
    group.bench_function("zkprove/g2_subgroup_check_6x2", |b| {
        b.iter(|| g2_is_in_subgroup_six_x_squared(black_box(&q)))
    });
    group.bench_function("zkprove/g2_subgroup_check_by_order", |b| {
        b.iter(|| black_box(&q).mul_by_order_is_identity())
    });
    group.bench_function("arkworks/g2_subgroup_check", |b| {
        b.iter(|| black_box(ark_q[0]).is_in_correct_subgroup_assuming_on_curve())
    });
    group.finish();
}

/// The tower operations the pairing is made of, ours and arkworks', on the same values.
fn bench_tower(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(8);
    let (a, b) = (Fq12::random(&mut rng), Fq12::random(&mut rng));
    let (x, y) = (Fq2::random(&mut rng), Fq2::random(&mut rng));
    let (ark_a, ark_b) = (ark_fq12(a), ark_fq12(b));
    let (ark_x, ark_y) = (ark_fq2(x), ark_fq2(y));
    // A cyclotomic element: f^((q⁶ − 1)(q² + 1)).
    let cyc = {
        let g = a.conjugate() * a.inverse().unwrap();
        g.frobenius_map(2) * g
    };
    let ark_cyc = ark_fq12(cyc);
    let mut group = c.benchmark_group("bn254-tower");
    group.bench_function("zkprove/fq2_mul", |bch| bch.iter(|| black_box(x) * black_box(y)));
    group
        .bench_function("arkworks/fq2_mul", |bch| bch.iter(|| black_box(ark_x) * black_box(ark_y)));
    group.bench_function("zkprove/fq2_square", |bch| bch.iter(|| black_box(x).square()));
    group.bench_function("arkworks/fq2_square", |bch| {
        bch.iter(|| ark_ff::Field::square(&black_box(ark_x)))
    });
    group.bench_function("zkprove/fq12_mul", |bch| bch.iter(|| black_box(a) * black_box(b)));
    group.bench_function("arkworks/fq12_mul", |bch| {
        bch.iter(|| black_box(ark_a) * black_box(ark_b))
    });
    group.bench_function("zkprove/fq12_square", |bch| bch.iter(|| black_box(a).square()));
    group.bench_function("arkworks/fq12_square", |bch| {
        bch.iter(|| ark_ff::Field::square(&black_box(ark_a)))
    });
    group.bench_function("zkprove/fq12_cyclotomic_square", |bch| {
        bch.iter(|| black_box(cyc).cyclotomic_square())
    });
    group.bench_function("arkworks/fq12_cyclotomic_square", |bch| {
        bch.iter(|| ark_ff::CyclotomicMultSubgroup::cyclotomic_square(&black_box(ark_cyc)))
    });
    group.bench_function("zkprove/fq12_mul_by_034", |bch| {
        bch.iter(|| black_box(a).mul_by_034(black_box(x), black_box(y), black_box(x)))
    });
    group.bench_function("arkworks/fq12_mul_by_034", |bch| {
        bch.iter(|| {
            let mut f = black_box(ark_a);
            f.mul_by_034(&black_box(ark_x), &black_box(ark_y), &black_box(ark_x));
            f
        })
    });
    group.bench_function("zkprove/fq12_inverse", |bch| bch.iter(|| black_box(a).inverse()));
    group.bench_function("arkworks/fq12_inverse", |bch| {
        bch.iter(|| ark_ff::Field::inverse(&black_box(ark_a)))
    });
    group.finish();
}

fn criterion_config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = bench_pairing, bench_tower
}
criterion_main!(benches);
