//! The CPU NTT against the O(n²) oracle, for every two-adic field, every size 2^0..2^12, every order,
//! forward and inverse, on the subgroup and on a coset; plus error cases.

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::babybear::BabyBear;
use zkprove_field::bn254::Fr;
use zkprove_field::cpu::{self, CpuLevel};
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::koalabear::KoalaBear;
use zkprove_field::{Field, TwoAdicField};
use zkprove_poly::{
    CpuBackend, Direction, NttOps, Order, PolyError, bit_reverse_permute, coset_move, naive_dft,
    ntt_rows,
};

fn random_vec<F: Field>(n: usize, seed: u64) -> Vec<F> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| F::random(&mut rng)).collect()
}

fn bit_reversed<F: Copy + Send + Sync>(v: &[F]) -> Vec<F> {
    let mut v = v.to_vec();
    bit_reverse_permute(&mut v);
    v
}

fn check_against_oracle<F: TwoAdicField>(max_log_n: usize) {
    let shift = F::from_u64(7);
    for log_n in 0..=max_log_n.min(F::TWO_ADICITY) {
        let n = 1 << log_n;
        let coeffs: Vec<F> = random_vec(n, log_n as u64);
        for s in [F::ONE, shift] {
            let evals = naive_dft(&coeffs, s).unwrap();
            // Forward, every order.
            let mut v = coeffs.clone();
            CpuBackend::ntt_batch(
                core::slice::from_mut(&mut v),
                Direction::Forward,
                Order::NaturalToNatural,
                s,
            )
            .unwrap();
            assert_eq!(v, evals, "forward N→N, 2^{log_n}");
            let mut v = coeffs.clone();
            CpuBackend::ntt_batch(
                core::slice::from_mut(&mut v),
                Direction::Forward,
                Order::NaturalToBitReversed,
                s,
            )
            .unwrap();
            assert_eq!(v, bit_reversed(&evals), "forward N→R, 2^{log_n}");
            let mut v = bit_reversed(&coeffs);
            CpuBackend::ntt_batch(
                core::slice::from_mut(&mut v),
                Direction::Forward,
                Order::BitReversedToNatural,
                s,
            )
            .unwrap();
            assert_eq!(v, evals, "forward R→N, 2^{log_n}");
            // Inverse, every order.
            let mut v = evals.clone();
            CpuBackend::ntt_batch(
                core::slice::from_mut(&mut v),
                Direction::Inverse,
                Order::NaturalToNatural,
                s,
            )
            .unwrap();
            assert_eq!(v, coeffs, "inverse N→N, 2^{log_n}");
            let mut v = evals.clone();
            CpuBackend::ntt_batch(
                core::slice::from_mut(&mut v),
                Direction::Inverse,
                Order::NaturalToBitReversed,
                s,
            )
            .unwrap();
            assert_eq!(v, bit_reversed(&coeffs), "inverse N→R, 2^{log_n}");
            let mut v = bit_reversed(&evals);
            CpuBackend::ntt_batch(
                core::slice::from_mut(&mut v),
                Direction::Inverse,
                Order::BitReversedToNatural,
                s,
            )
            .unwrap();
            assert_eq!(v, coeffs, "inverse R→N, 2^{log_n}");
        }
    }
}

fn check_round_trip_large<F: TwoAdicField>(log_n: usize) {
    let coeffs: Vec<F> = random_vec(1 << log_n, 99);
    let mut v = coeffs.clone();
    CpuBackend::ntt(&mut v).unwrap();
    // Spot-check a few evaluations against Horner.
    let omega = F::two_adic_generator(log_n).unwrap();
    for i in [0usize, 1, 12345 % (1 << log_n), (1 << log_n) - 1] {
        let x = omega.pow(i as u64);
        let expect = coeffs.iter().rev().fold(F::ZERO, |acc, &c| acc * x + c);
        assert_eq!(v[i], expect, "evaluation {i} at 2^{log_n}");
    }
    CpuBackend::intt(&mut v).unwrap();
    assert_eq!(v, coeffs);
    CpuBackend::coset_ntt(&mut v, F::from_u64(5)).unwrap();
    CpuBackend::coset_intt(&mut v, F::from_u64(5)).unwrap();
    assert_eq!(v, coeffs);
}

/// Sizes beyond one cache chunk (the recursive radix-2² and single-stage splits): every order and
/// direction agrees with the others and with Horner at many points.
fn check_recursive_sizes<F: TwoAdicField>() {
    for log_n in [13usize, 14, 15] {
        let n = 1 << log_n;
        let coeffs: Vec<F> = random_vec(n, 7 + log_n as u64);
        let mut nn = coeffs.clone();
        CpuBackend::ntt(&mut nn).unwrap();
        let omega = F::two_adic_generator(log_n).unwrap();
        for i in (0..n).step_by(n / 16).chain([1, 2, 3, n / 2 + 1, n - 1]) {
            let x = omega.pow(i as u64);
            let expect = coeffs.iter().rev().fold(F::ZERO, |acc, &c| acc * x + c);
            assert_eq!(nn[i], expect, "evaluation {i} at 2^{log_n}");
        }
        let run = |v: &mut Vec<F>, d: Direction, o: Order| {
            CpuBackend::ntt_batch(core::slice::from_mut(v), d, o, F::ONE).unwrap();
        };
        let mut nr = coeffs.clone();
        run(&mut nr, Direction::Forward, Order::NaturalToBitReversed);
        assert_eq!(nr, bit_reversed(&nn), "N→R at 2^{log_n}");
        let mut rn = bit_reversed(&coeffs);
        run(&mut rn, Direction::Forward, Order::BitReversedToNatural);
        assert_eq!(rn, nn, "R→N at 2^{log_n}");
        run(&mut nr, Direction::Inverse, Order::BitReversedToNatural);
        assert_eq!(nr, coeffs, "inverse R→N at 2^{log_n}");
        run(&mut rn, Direction::Inverse, Order::NaturalToBitReversed);
        assert_eq!(rn, bit_reversed(&coeffs), "inverse N→R at 2^{log_n}");
    }
}

/// Batches of at least the SIMD width go through the row-packed path: they must equal column-by-column
/// transforms, for every order, direction and a coset, in sizes below and above one row chunk (from
/// 2^12 up, one to four stages run on the columns before the chunk phase).
fn check_wide_batch<F: TwoAdicField>() {
    let shift = F::from_u64(3);
    for (n_cols, log_n) in
        [(17usize, 1usize), (16, 6), (17, 12), (16, 13), (16, 14), (16, 15), (16, 16), (33, 9)]
    {
        let cols: Vec<Vec<F>> =
            (0..n_cols).map(|c| random_vec(1 << log_n, 50 + c as u64)).collect();
        for direction in [Direction::Forward, Direction::Inverse] {
            for order in
                [Order::NaturalToNatural, Order::NaturalToBitReversed, Order::BitReversedToNatural]
            {
                for s in [F::ONE, shift] {
                    let mut batch = cols.clone();
                    CpuBackend::ntt_batch(&mut batch, direction, order, s).unwrap();
                    for (c, b) in cols.iter().zip(&batch) {
                        let mut one = c.clone();
                        CpuBackend::ntt_batch(core::slice::from_mut(&mut one), direction, order, s)
                            .unwrap();
                        assert_eq!(*b, one, "{n_cols} cols 2^{log_n} {direction:?} {order:?}");
                    }
                }
            }
        }
    }
}

fn check_batch<F: TwoAdicField>() {
    for (n_cols, log_n) in [(1usize, 5usize), (3, 0), (5, 10), (8, 13)] {
        let cols: Vec<Vec<F>> = (0..n_cols).map(|c| random_vec(1 << log_n, c as u64)).collect();
        let mut batch = cols.clone();
        CpuBackend::ntt_batch(&mut batch, Direction::Forward, Order::NaturalToNatural, F::TWO)
            .unwrap();
        for (c, b) in cols.iter().zip(&batch) {
            let mut one = c.clone();
            CpuBackend::coset_ntt(&mut one, F::TWO).unwrap();
            assert_eq!(&one, b);
        }
    }
}

fn check_errors<F: TwoAdicField>() {
    let mut v: Vec<F> = vec![F::ONE; 3];
    assert_eq!(CpuBackend::ntt(&mut v), Err(PolyError::NotPowerOfTwo { len: 3 }));
    let mut v: Vec<F> = vec![];
    assert_eq!(CpuBackend::ntt(&mut v), Err(PolyError::NotPowerOfTwo { len: 0 }));
    let mut v: Vec<F> = vec![F::ONE; 4];
    assert_eq!(CpuBackend::coset_ntt(&mut v, F::ZERO), Err(PolyError::ZeroShift));
    let mut batch = vec![vec![F::ONE; 4], vec![F::ONE; 8]];
    assert_eq!(
        CpuBackend::ntt_batch(&mut batch, Direction::Forward, Order::NaturalToNatural, F::ONE),
        Err(PolyError::LengthMismatch { expected: 4, got: 8 })
    );
    let mut empty: Vec<Vec<F>> = vec![];
    assert!(
        CpuBackend::ntt_batch(&mut empty, Direction::Forward, Order::NaturalToNatural, F::ONE)
            .is_ok()
    );
}

/// [`coset_move`] (evaluations on H → evaluations on shift·H, one fused scaling pass) against the
/// oracle (the coefficients' DFT on the coset) and against the two transforms it fuses, at the
/// sizes of the in-cache kernel, of the recursive split, and the errors.
fn check_coset_move<F: TwoAdicField>() {
    for log_n in (0..=8).chain([13, 14]).filter(|&l| l <= F::TWO_ADICITY) {
        let n = 1 << log_n;
        let coeffs: Vec<F> = random_vec(n, 100 + log_n as u64);
        let evals = naive_dft(&coeffs, F::ONE).unwrap();
        for shift in [F::ONE, F::from_u64(7), F::two_adic_generator(log_n + 1).unwrap_or(F::ONE)] {
            let mut two_calls = evals.clone();
            let col = core::slice::from_mut(&mut two_calls);
            CpuBackend::ntt_batch(col, Direction::Inverse, Order::NaturalToBitReversed, F::ONE)
                .unwrap();
            CpuBackend::ntt_batch(col, Direction::Forward, Order::BitReversedToNatural, shift)
                .unwrap();
            let mut fused = evals.clone();
            coset_move(&mut fused, shift).unwrap();
            assert_eq!(fused, two_calls, "coset_move vs two transforms, 2^{log_n}");
            if log_n <= 8 {
                assert_eq!(fused, naive_dft(&coeffs, shift).unwrap(), "coset_move, 2^{log_n}");
            }
        }
    }
    let mut v = vec![F::ONE; 3];
    assert!(matches!(coset_move(&mut v, F::ONE), Err(PolyError::NotPowerOfTwo { len: 3 })));
    let mut v = vec![F::ONE; 4];
    assert!(matches!(coset_move(&mut v, F::ZERO), Err(PolyError::ZeroShift)));
}

macro_rules! ntt_tests {
    ($name:ident, $f:ty) => {
        mod $name {
            use super::*;
            #[test]
            fn matches_naive_dft_all_orders() {
                check_against_oracle::<$f>(12);
            }
            #[test]
            fn large_round_trip() {
                check_round_trip_large::<$f>(16);
            }
            #[test]
            fn recursive_sizes() {
                check_recursive_sizes::<$f>();
            }
            #[test]
            fn wide_batches() {
                check_wide_batch::<$f>();
            }
            #[test]
            fn batches() {
                check_batch::<$f>();
            }
            #[test]
            fn errors() {
                check_errors::<$f>();
            }
            #[test]
            fn coset_move_matches_two_transforms() {
                check_coset_move::<$f>();
            }
        }
    };
}

ntt_tests!(bn254_fr, Fr);
ntt_tests!(goldilocks, Goldilocks);
ntt_tests!(babybear, BabyBear);
ntt_tests!(koalabear, KoalaBear);

#[test]
fn too_large_for_the_field() {
    // BN254 Fq has two-adicity 1: a length-4 transform is beyond its subgroup.
    use zkprove_field::bn254::Fq;
    let mut v = vec![Fq::ONE; 4];
    assert_eq!(CpuBackend::ntt(&mut v), Err(PolyError::TooLarge { log_n: 2, two_adicity: 1 }));
    let mut v = vec![Fq::ONE; 2];
    assert!(CpuBackend::ntt(&mut v).is_ok());
}

#[test]
fn bit_reverse_permute_is_the_index_bit_reversal() {
    for log_n in [0usize, 1, 2, 5, 12, 13, 14, 17] {
        let n = 1usize << log_n;
        let mut v: Vec<usize> = (0..n).collect();
        bit_reverse_permute(&mut v);
        for (i, x) in v.iter().enumerate() {
            let expect =
                if log_n == 0 { 0 } else { i.reverse_bits() >> (usize::BITS as usize - log_n) };
            assert_eq!(*x, expect, "2^{log_n}, index {i}");
        }
    }
}

/// Every transform this file tests, small: one column per size (2^14 takes the radix-4 passes),
/// batches of 17 columns (a packed group and a scalar rest at every width), a row-major matrix
/// of 16 and of 3 columns (2^12 rows: passes split over tasks), forward and inverse, subgroup
/// and coset; the outputs, concatenated.
fn every_transform<F: TwoAdicField>() -> Vec<F> {
    let mut out = Vec::new();
    let shift = F::from_u64(5);
    for log_n in [0usize, 1, 3, 6, 9, 14] {
        let col = random_vec::<F>(1 << log_n, 900 + log_n as u64);
        for (direction, order) in [
            (Direction::Forward, Order::NaturalToNatural),
            (Direction::Inverse, Order::NaturalToBitReversed),
            (Direction::Forward, Order::BitReversedToNatural),
        ] {
            let mut c = vec![col.clone()];
            CpuBackend::ntt_batch(&mut c, direction, order, shift).unwrap();
            out.extend_from_slice(&c[0]);
        }
        if log_n <= 6 {
            let mut c = vec![col.clone()];
            CpuBackend::ntt_batch(&mut c, Direction::Forward, Order::NaturalToNatural, shift)
                .unwrap();
            assert_eq!(c[0], naive_dft(&col, shift).unwrap(), "2^{log_n}");
        }
    }
    for log_n in [2usize, 8, 12] {
        let cols: Vec<Vec<F>> = (0..17).map(|c| random_vec(1 << log_n, 700 + c as u64)).collect();
        for direction in [Direction::Forward, Direction::Inverse] {
            let mut b = cols.clone();
            CpuBackend::ntt_batch(&mut b, direction, Order::NaturalToNatural, shift).unwrap();
            out.extend(b.into_iter().flatten());
        }
    }
    for width in [3usize, 16] {
        let m = random_vec::<F>(width << 12, 800 + width as u64);
        for (direction, order) in [
            (Direction::Forward, Order::NaturalToNatural),
            (Direction::Inverse, Order::BitReversedToNatural),
        ] {
            let mut v = m.clone();
            ntt_rows(&mut v, width, direction, order, shift).unwrap();
            out.extend(v);
        }
    }
    out
}

/// The NTTs at every run-time CPU level this machine has (`cpu::set_max_cpu_level`): the packing
/// `with_packing` picks differs per level (AVX-512, AVX2, one lane), the results must not. The
/// cap is process-wide: the other tests of this binary may run at any level meanwhile, which
/// they must survive too (every path is correct whatever the level).
#[test]
fn every_cpu_level_gives_the_same_transforms() {
    let _sweep = crate::CPU_LEVEL_SWEEP.lock().unwrap_or_else(|e| e.into_inner());
    let detected = cpu::detected_level();
    let mut reference: Option<(Vec<BabyBear>, Vec<Goldilocks>, Vec<Fr>)> = None;
    for level in CpuLevel::ALL.into_iter().filter(|l| *l <= detected) {
        assert_eq!(cpu::set_max_cpu_level(level), level);
        let got = (every_transform::<BabyBear>(), every_transform::<Goldilocks>(), {
            // BN254: the portable/ADX scalar kernels and IFMA; small sizes only.
            let col = random_vec::<Fr>(1 << 10, 11);
            let mut c = vec![col.clone(), col];
            CpuBackend::ntt_batch(&mut c, Direction::Inverse, Order::NaturalToNatural, Fr::TWO)
                .unwrap();
            c.concat()
        });
        match &reference {
            None => reference = Some(got),
            Some(r) => assert!(r == &got, "level {level} differs from portable"),
        }
    }
    cpu::set_max_cpu_level(detected);
}
