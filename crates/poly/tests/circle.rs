//! The M31 circle FFT: the circle group and domains, the O(n²) oracle for every size 2^1..2^10 and
//! both orders, inverse∘forward = identity, low-degree extension, errors, and a differential test
//! against Plonky3's `p3-circle`.

use std::collections::HashMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::Field;
use zkprove_field::m31::M31;
use zkprove_poly::circle::{bit_reversed_to_natural_index, naive_circle_evaluate};
use zkprove_poly::{
    CircleDomain, CircleFftOps, CircleOrder, CirclePoint, CpuBackend, Direction, PolyError,
    RowMajorCircleFftOps,
};

const ORDERS: [CircleOrder; 2] = [CircleOrder::Natural, CircleOrder::BitReversed];

fn random_vec(n: usize, seed: u64) -> Vec<M31> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| M31::random(&mut rng)).collect()
}

/// A non-canonic twin coset of size 2^log_n: shift of order 2^(log_n + 3), times a non-trivial
/// point of the domain's own subgroup.
fn twin_coset(log_n: usize) -> CircleDomain {
    let q = CirclePoint::generator(log_n + 3).unwrap().mul(5);
    CircleDomain::new(log_n, q).unwrap()
}

fn fft(v: &mut Vec<M31>, d: &CircleDomain, dir: Direction, order: CircleOrder) {
    CpuBackend::circle_fft_batch(core::slice::from_mut(v), d, dir, order).unwrap();
}

#[test]
fn generator_has_order_2_pow_31() {
    let g = CirclePoint::<M31>::GENERATOR;
    assert!(g.is_on_circle());
    assert_eq!(g.log_order(), Some(31));
    for k in 0..=31 {
        let gk = CirclePoint::generator(k).unwrap();
        assert!(gk.is_on_circle());
        assert_eq!(gk.log_order(), Some(k));
    }
    assert_eq!(CirclePoint::generator(32), None);
    // Group laws on a few points.
    let (a, b) = (g.mul(12345), g.mul(999_999));
    assert_eq!(a + b, g.mul(12345 + 999_999));
    assert_eq!(a - a, CirclePoint::IDENTITY);
    assert_eq!(a.double(), a + a);
    assert_eq!(g.mul(1 << 31), CirclePoint::IDENTITY);
}

#[test]
fn domain_orders_and_points() {
    for log_n in 1..=10 {
        for d in [CircleDomain::canonic(log_n).unwrap(), twin_coset(log_n)] {
            let nat = d.points(CircleOrder::Natural);
            let br = d.points(CircleOrder::BitReversed);
            assert_eq!(nat.len(), d.size());
            // Distinct points, all on the circle, the same set in both orders.
            let set: std::collections::HashSet<_> = nat.iter().copied().collect();
            assert_eq!(set.len(), d.size());
            assert!(nat.iter().all(CirclePoint::is_on_circle));
            for r in 0..d.size() {
                assert_eq!(br[r], nat[bit_reversed_to_natural_index(r, log_n)], "2^{log_n}, {r}");
            }
            for i in [0, d.size() / 2, d.size() - 1] {
                assert_eq!(d.point(i, CircleOrder::Natural), nat[i]);
                assert_eq!(d.point(i, CircleOrder::BitReversed), br[i]);
            }
        }
        // Canonic coset in natural order: (2i + 1)·q.
        let d = CircleDomain::canonic(log_n).unwrap();
        assert!(d.is_canonic());
        assert!(!twin_coset(log_n).is_canonic());
        let q = d.shift();
        for (i, p) in d.points(CircleOrder::Natural).iter().enumerate() {
            assert_eq!(*p, q.mul(2 * i as u64 + 1));
        }
    }
}

#[test]
fn matches_naive_oracle_every_size() {
    for log_n in 1..=10 {
        for (di, d) in [CircleDomain::canonic(log_n).unwrap(), twin_coset(log_n)].iter().enumerate()
        {
            let coeffs = random_vec(d.size(), log_n as u64 * 10 + di as u64);
            for order in ORDERS {
                let expect = naive_circle_evaluate(&coeffs, d, order).unwrap();
                let mut v = coeffs.clone();
                fft(&mut v, d, Direction::Forward, order);
                assert_eq!(v, expect, "forward {order:?}, 2^{log_n}, domain {di}");
                fft(&mut v, d, Direction::Inverse, order);
                assert_eq!(v, coeffs, "inverse {order:?}, 2^{log_n}, domain {di}");
            }
        }
    }
}

#[test]
fn inverse_of_forward_is_identity_batched() {
    for log_n in [11, 12, 13, 14, 15] {
        for d in [CircleDomain::canonic(log_n).unwrap(), twin_coset(log_n)] {
            let cols: Vec<Vec<M31>> = (0..3).map(|c| random_vec(d.size(), 77 + c)).collect();
            for order in ORDERS {
                let mut v = cols.clone();
                CpuBackend::circle_fft_batch(&mut v, &d, Direction::Forward, order).unwrap();
                // Spot-check a few evaluations against the basis evaluated directly.
                let pts = d.points(order);
                for i in [0, 1, d.size() / 3, d.size() - 1] {
                    assert_eq!(v[1][i], eval_at(&cols[1], pts[i]), "2^{log_n}, {order:?}, {i}");
                }
                CpuBackend::circle_fft_batch(&mut v, &d, Direction::Inverse, order).unwrap();
                assert_eq!(v, cols, "2^{log_n} {order:?}");
            }
        }
    }
}

#[test]
fn wide_batches_match_single_columns() {
    // At least the SIMD width of columns: the row-packed path, below and above one row chunk
    // (1 to 4 layers over blocks beyond a chunk: radix-2 alone, pairs, a pair and one more).
    for (n_cols, log_n) in [(17usize, 1usize), (16, 5), (33, 12), (16, 13), (16, 14), (16, 15)] {
        for d in [CircleDomain::canonic(log_n).unwrap(), twin_coset(log_n)] {
            let cols: Vec<Vec<M31>> =
                (0..n_cols).map(|c| random_vec(d.size(), 300 + c as u64)).collect();
            for direction in [Direction::Forward, Direction::Inverse] {
                for order in ORDERS {
                    let mut batch = cols.clone();
                    CpuBackend::circle_fft_batch(&mut batch, &d, direction, order).unwrap();
                    for (c, b) in cols.iter().zip(&batch) {
                        let mut one = c.clone();
                        fft(&mut one, &d, direction, order);
                        assert_eq!(*b, one, "{n_cols} cols 2^{log_n} {direction:?} {order:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn row_major_matrices_match_columns() {
    // Width 1 (the column path), scalar rows (widths that are not a multiple of any packing
    // width), packed rows of one and of three vectors; sizes from one butterfly to several layers
    // over blocks beyond a row chunk (radix-2 alone, pairs, a pair and one more).
    let cases: &[(usize, usize)] = &[
        (1, 1),
        (1, 12),
        (2, 1),
        (2, 2),
        (3, 3),
        (3, 15),
        (5, 10),
        (8, 6),
        (16, 1),
        (16, 4),
        (16, 13),
        (16, 14),
        (16, 15),
        (17, 12),
        (17, 13),
        (48, 12),
        (48, 13),
    ];
    for &(width, log_n) in cases {
        for d in [CircleDomain::canonic(log_n).unwrap(), twin_coset(log_n)] {
            let n = d.size();
            let cols: Vec<Vec<M31>> =
                (0..width).map(|c| random_vec(n, 900 + (width * 64 + c) as u64)).collect();
            let matrix: Vec<M31> = (0..n * width).map(|i| cols[i % width][i / width]).collect();
            for direction in [Direction::Forward, Direction::Inverse] {
                for order in ORDERS {
                    let mut want = cols.clone();
                    CpuBackend::circle_fft_batch(&mut want, &d, direction, order).unwrap();
                    let mut got = matrix.clone();
                    CpuBackend::circle_fft_rows(&mut got, width, &d, direction, order).unwrap();
                    for (c, col) in want.iter().enumerate() {
                        let mine: Vec<M31> = got.iter().skip(c).step_by(width).copied().collect();
                        assert_eq!(
                            mine, *col,
                            "width {width} 2^{log_n} {direction:?} {order:?} column {c}"
                        );
                    }
                    if direction == Direction::Forward {
                        CpuBackend::circle_fft_rows(&mut got, width, &d, Direction::Inverse, order)
                            .unwrap();
                        assert_eq!(got, matrix, "width {width} 2^{log_n} {order:?} round trip");
                    }
                }
            }
        }
    }
}

#[test]
fn row_major_errors() {
    let d = CircleDomain::canonic(4).unwrap();
    let (fwd, nat) = (Direction::Forward, CircleOrder::Natural);
    let mut m = vec![M31::ZERO; 16 * 3];
    assert_eq!(
        CpuBackend::circle_fft_rows(&mut m, 5, &d, fwd, nat),
        Err(PolyError::RowMajorShape { len: 48, width: 5 })
    );
    assert_eq!(
        CpuBackend::circle_fft_rows(&mut m, 0, &d, fwd, nat),
        Err(PolyError::RowMajorShape { len: 48, width: 0 })
    );
    assert_eq!(
        CpuBackend::circle_fft_rows(&mut m, 6, &d, fwd, nat),
        Err(PolyError::DomainSizeMismatch { domain_size: 16, got: 8 })
    );
    assert!(CpuBackend::circle_fft_rows(&mut Vec::new(), 0, &d, fwd, nat).is_ok());
    assert!(CpuBackend::circle_fft_rows(&mut m, 3, &d, fwd, nat).is_ok());
}

/// `Σ c_j b_j(p)` directly.
fn eval_at(coeffs: &[M31], p: CirclePoint<M31>) -> M31 {
    let log_m = coeffs.len().trailing_zeros() as usize;
    let mut acc = M31::ZERO;
    for (j, c) in coeffs.iter().enumerate() {
        let mut b = if j & 1 == 1 { p.y } else { M31::ONE };
        let mut x = p.x;
        for bit in 1..log_m {
            if (j >> bit) & 1 == 1 {
                b *= x;
            }
            x = x.square().double() - M31::ONE;
        }
        acc += *c * b;
    }
    acc
}

#[test]
fn lde_agrees_with_evaluation_on_bigger_domain() {
    for (k, big_k) in [(1, 3), (2, 2), (3, 9), (5, 10), (8, 10), (10, 10), (4, 12), (9, 14)] {
        let from = CircleDomain::canonic(k).unwrap();
        for to in [CircleDomain::canonic(big_k).unwrap(), twin_coset(big_k)] {
            let cols: Vec<Vec<M31>> = (0..2).map(|c| random_vec(from.size(), 5 + c)).collect();
            for order in ORDERS {
                let evals: Vec<Vec<M31>> =
                    cols.iter().map(|c| naive_circle_evaluate(c, &from, order).unwrap()).collect();
                let lde = CpuBackend::circle_lde_batch(&evals, &from, &to, order).unwrap();
                for (c, l) in cols.iter().zip(&lde) {
                    if big_k <= 10 {
                        assert_eq!(*l, naive_circle_evaluate(c, &to, order).unwrap());
                    } else {
                        let mut padded = c.clone();
                        padded.resize(to.size(), M31::ZERO);
                        fft(&mut padded, &to, Direction::Forward, order);
                        assert_eq!(*l, padded, "lde 2^{k} → 2^{big_k} {order:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn errors() {
    assert!(matches!(CircleDomain::canonic(0), Err(PolyError::CircleDomainSize { .. })));
    assert!(matches!(CircleDomain::canonic(31), Err(PolyError::CircleDomainSize { .. })));
    assert!(CircleDomain::canonic(30).is_ok());
    let off = CirclePoint::new(M31::new(2), M31::new(3));
    assert_eq!(CircleDomain::new(4, off), Err(PolyError::NotOnCircle));
    // Shift in the half coset's subgroup: the halves coincide.
    let bad = CirclePoint::generator(3).unwrap();
    assert_eq!(CircleDomain::new(4, bad), Err(PolyError::DegenerateCircleDomain));
    let d = CircleDomain::canonic(4).unwrap();
    let mut cols = vec![vec![M31::ZERO; 16], vec![M31::ZERO; 8]];
    assert_eq!(
        CpuBackend::circle_fft_batch(&mut cols, &d, Direction::Forward, CircleOrder::Natural),
        Err(PolyError::DomainSizeMismatch { domain_size: 16, got: 8 })
    );
    let big = CircleDomain::canonic(5).unwrap();
    assert_eq!(
        CpuBackend::circle_lde_batch(&[vec![M31::ZERO; 32]], &big, &d, CircleOrder::BitReversed),
        Err(PolyError::LdeShrinks { from_log_n: 5, to_log_n: 4 })
    );
    let mut empty: Vec<Vec<M31>> = Vec::new();
    assert!(
        CpuBackend::circle_fft_batch(&mut empty, &d, Direction::Forward, CircleOrder::Natural)
            .is_ok()
    );
}

mod plonky3 {
    use super::*;
    use p3_circle::{CircleDomain as P3Domain, CircleEvaluations, Point};
    use p3_field::{PrimeCharacteristicRing, PrimeField32};
    use p3_matrix::Matrix;
    use p3_matrix::dense::RowMajorMatrix;
    use p3_mersenne_31::Mersenne31;

    fn to_p3(x: M31) -> Mersenne31 {
        Mersenne31::from_u32(x.as_canonical_u32())
    }
    fn from_p3(x: Mersenne31) -> M31 {
        M31::new(x.as_canonical_u32())
    }

    /// Plonky3's natural order of a twin coset with shift q: 2i ↦ q + i·g, 2i + 1 ↦ −q + (i + 1)·g
    /// with its own subgroup generator g.
    fn p3_points(log_n: usize, q: CirclePoint<M31>) -> Vec<CirclePoint<M31>> {
        let g = Point::<Mersenne31>::generator(log_n - 1);
        let g = CirclePoint::new(from_p3(g.x), from_p3(g.y));
        (0..1usize << log_n)
            .map(|i| {
                if i & 1 == 0 { q + g.mul((i / 2) as u64) } else { -q + g.mul((i / 2 + 1) as u64) }
            })
            .collect()
    }

    #[test]
    fn matches_plonky3_circle_dft() {
        for log_n in 1..=12 {
            for d in [CircleDomain::canonic(log_n).unwrap(), twin_coset(log_n)] {
                let q = d.shift();
                let p3d = P3Domain::new(log_n, Point::new(to_p3(q.x), to_p3(q.y)));
                let coeffs = random_vec(d.size(), 1000 + log_n as u64);
                let m = RowMajorMatrix::new_col(coeffs.iter().copied().map(to_p3).collect());
                let theirs = CircleEvaluations::evaluate(p3d, m);
                let theirs_nat = theirs.clone().to_natural_order().to_row_major_matrix();
                let by_point: HashMap<CirclePoint<M31>, M31> = p3_points(log_n, q)
                    .into_iter()
                    .zip(theirs_nat.values.iter().map(|x| from_p3(*x)))
                    .collect();
                assert_eq!(by_point.len(), d.size());
                for order in ORDERS {
                    let mut ours = coeffs.clone();
                    fft(&mut ours, &d, Direction::Forward, order);
                    for (p, v) in d.points(order).iter().zip(&ours) {
                        assert_eq!(by_point.get(p), Some(v), "2^{log_n} {order:?}");
                    }
                }
                // Interpolation gives the same coefficients (the basis does not depend on order).
                let back: Vec<M31> =
                    theirs.interpolate().values.iter().map(|x| from_p3(*x)).collect();
                assert_eq!(back, coeffs, "p3 round trip 2^{log_n}");
                let mut ours = coeffs.clone();
                fft(&mut ours, &d, Direction::Forward, CircleOrder::Natural);
                fft(&mut ours, &d, Direction::Inverse, CircleOrder::Natural);
                assert_eq!(ours, back);
            }
        }
    }
}

/// Every circle transform, small: one column per size (2^15 takes the chunked layers and the
/// tile pass), a batch of 17 columns (a packed group and a scalar rest at every width), row-major
/// matrices of 16 and 3 columns (2^13 rows: the radix-4 layer pairs), an LDE; both directions and
/// orders. The outputs, concatenated.
fn every_circle_transform() -> Vec<M31> {
    let mut out = Vec::new();
    for log_n in [1usize, 4, 8, 9, 15] {
        let d = twin_coset(log_n);
        let col = random_vec(1 << log_n, 300 + log_n as u64);
        for order in ORDERS {
            let mut v = col.clone();
            fft(&mut v, &d, Direction::Forward, order);
            out.extend_from_slice(&v);
            fft(&mut v, &d, Direction::Inverse, order);
            assert_eq!(v, col, "inverse ∘ forward, 2^{log_n}");
        }
        if log_n <= 8 {
            let mut v = col.clone();
            fft(&mut v, &d, Direction::Forward, CircleOrder::Natural);
            assert_eq!(
                v,
                naive_circle_evaluate(&col, &d, CircleOrder::Natural).unwrap(),
                "oracle, 2^{log_n}"
            );
        }
    }
    for log_n in [3usize, 12] {
        let d = twin_coset(log_n);
        let mut cols: Vec<Vec<M31>> = (0..17).map(|c| random_vec(1 << log_n, 400 + c)).collect();
        CpuBackend::circle_fft_batch(&mut cols, &d, Direction::Forward, CircleOrder::Natural)
            .unwrap();
        out.extend(cols.iter().flatten());
        CpuBackend::circle_fft_batch(&mut cols, &d, Direction::Inverse, CircleOrder::BitReversed)
            .unwrap();
        out.extend(cols.into_iter().flatten());
    }
    for width in [3usize, 16] {
        let d = twin_coset(13);
        let mut m = random_vec(width << 13, 500 + width as u64);
        for (dir, order) in [
            (Direction::Forward, CircleOrder::Natural),
            (Direction::Inverse, CircleOrder::BitReversed),
        ] {
            CpuBackend::circle_fft_rows(&mut m, width, &d, dir, order).unwrap();
            out.extend_from_slice(&m);
        }
    }
    let (from, to) = (twin_coset(6), twin_coset(9));
    let cols = vec![random_vec(1 << 6, 600)];
    let lde = CpuBackend::circle_lde_batch(&cols, &from, &to, CircleOrder::Natural).unwrap();
    out.extend(lde.into_iter().flatten());
    out
}

/// The circle FFTs at every run-time CPU level this machine has (`cpu::set_max_cpu_level`): the
/// packing `with_packing` picks differs per level (16, 8 or 1 lanes, and tile tables laid out for
/// each), the results must not. The cap is process-wide: the other tests of this binary are
/// correct at any level meanwhile.
#[test]
fn every_cpu_level_gives_the_same_circle_transforms() {
    let _sweep = crate::CPU_LEVEL_SWEEP.lock().unwrap_or_else(|e| e.into_inner());
    use zkprove_field::cpu::{self, CpuLevel};
    let detected = cpu::detected_level();
    let mut reference: Option<Vec<M31>> = None;
    for level in CpuLevel::ALL.into_iter().filter(|l| *l <= detected) {
        assert_eq!(cpu::set_max_cpu_level(level), level);
        let got = every_circle_transform();
        match &reference {
            None => reference = Some(got),
            Some(r) => assert!(r == &got, "level {level} differs from portable"),
        }
    }
    cpu::set_max_cpu_level(detected);
}
