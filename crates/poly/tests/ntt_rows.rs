//! The row-major batch NTT (`ntt_rows`): against the O(n²) oracle for every size 2^0..2^12, widths
//! 1, 2, 3, 8, 16, 17, every order, forward and inverse, subgroup and coset; against the column API
//! at sizes beyond one cache block; against Plonky3's DFT on the same matrix; the row bit reversal;
//! error cases.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rayon::prelude::*;
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::koalabear::KoalaBear;
use zkprove_field::{Field, PrimeField64, TwoAdicField};
use zkprove_poly::{
    CpuBackend, Direction, NttOps, Order, PolyError, RowMajorNttOps, bit_reverse_permute,
    bit_reverse_rows, naive_dft, ntt_rows,
};

const WIDTHS: [usize; 6] = [1, 2, 3, 8, 16, 17];
const ORDERS: [Order; 3] =
    [Order::NaturalToNatural, Order::NaturalToBitReversed, Order::BitReversedToNatural];

fn random_vec<F: Field>(n: usize, seed: u64) -> Vec<F> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| F::random(&mut rng)).collect()
}

/// Row-major `n × cols.len()` matrix of the columns.
fn to_rows<F: Copy>(cols: &[Vec<F>]) -> Vec<F> {
    let n = cols.first().map_or(0, Vec::len);
    (0..n).flat_map(|i| cols.iter().map(move |c| c[i])).collect()
}

fn bit_reversed<F: Copy + Send + Sync>(v: &[F]) -> Vec<F> {
    let mut v = v.to_vec();
    bit_reverse_permute(&mut v);
    v
}

fn run<F: TwoAdicField>(m: &[F], w: usize, d: Direction, o: Order, s: F) -> Vec<F> {
    let mut v = m.to_vec();
    CpuBackend::ntt_rows(&mut v, w, d, o, s).unwrap();
    v
}

fn check_against_oracle<F: TwoAdicField>() {
    let shift = F::from_u64(7);
    for log_n in 0..=12usize {
        let n = 1 << log_n;
        for w in WIDTHS {
            let cols: Vec<Vec<F>> =
                (0..w).map(|c| random_vec(n, (log_n * 100 + w * 10 + c) as u64)).collect();
            let coeffs = to_rows(&cols);
            let coeffs_rev = to_rows(&cols.iter().map(|c| bit_reversed(c)).collect::<Vec<_>>());
            // The oracle is O(n²) per column: the two largest sizes check the coset only (the
            // subgroup is the same code with factors of one; larger sizes are compared with the
            // column API below).
            let shifts: &[F] = if log_n <= 10 { &[F::ONE, shift] } else { &[shift] };
            for &s in shifts {
                let evals: Vec<Vec<F>> =
                    cols.par_iter().map(|c| naive_dft(c, s).unwrap()).collect();
                let evals_rev = to_rows(&evals.iter().map(|c| bit_reversed(c)).collect::<Vec<_>>());
                let evals = to_rows(&evals);
                let tag = format!("2^{log_n} × {w}, shift {s:?}");
                let (fwd, inv) = (Direction::Forward, Direction::Inverse);
                let nn = Order::NaturalToNatural;
                let nr = Order::NaturalToBitReversed;
                let rn = Order::BitReversedToNatural;
                assert_eq!(run(&coeffs, w, fwd, nn, s), evals, "forward N→N {tag}");
                assert_eq!(run(&coeffs, w, fwd, nr, s), evals_rev, "forward N→R {tag}");
                assert_eq!(run(&coeffs_rev, w, fwd, rn, s), evals, "forward R→N {tag}");
                assert_eq!(run(&evals, w, inv, nn, s), coeffs, "inverse N→N {tag}");
                assert_eq!(run(&evals, w, inv, nr, s), coeffs_rev, "inverse N→R {tag}");
                assert_eq!(run(&evals_rev, w, inv, rn, s), coeffs, "inverse R→N {tag}");
            }
        }
    }
}

/// Beyond the oracle's sizes (several radix-2^k passes, parallel tasks): the row-major transform
/// equals the column API column by column, and inverse ∘ forward is the identity.
fn check_matches_columns<F: TwoAdicField>() {
    let shift = F::from_u64(3);
    for (w, log_n) in [(16usize, 13usize), (16, 15), (17, 14), (8, 14), (32, 13), (2, 15)] {
        let n = 1 << log_n;
        let cols: Vec<Vec<F>> = (0..w).map(|c| random_vec(n, 900 + c as u64)).collect();
        let m = to_rows(&cols);
        for d in [Direction::Forward, Direction::Inverse] {
            for o in ORDERS {
                for s in [F::ONE, shift] {
                    let mut c = cols.clone();
                    CpuBackend::ntt_batch(&mut c, d, o, s).unwrap();
                    assert_eq!(run(&m, w, d, o, s), to_rows(&c), "2^{log_n} × {w} {d:?} {o:?}");
                }
            }
        }
        for o in ORDERS {
            let back_order = match o {
                Order::NaturalToNatural => Order::NaturalToNatural,
                Order::NaturalToBitReversed => Order::BitReversedToNatural,
                Order::BitReversedToNatural => Order::NaturalToBitReversed,
            };
            let fwd = run(&m, w, Direction::Forward, o, shift);
            assert_eq!(run(&fwd, w, Direction::Inverse, back_order, shift), m, "round trip {o:?}");
        }
    }
}

/// Plonky3's `Radix2DitParallel` on the same row-major matrix (natural-order output), subgroup,
/// coset and inverse.
fn check_plonky3<F, P>()
where
    F: TwoAdicField + PrimeField64,
    P: p3_field::TwoAdicField + p3_field::PrimeField64,
{
    use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
    use p3_matrix::Matrix;
    use p3_matrix::dense::RowMajorMatrix;
    let dft = Radix2DitParallel::<P>::default();
    let canon = |v: &[F]| v.iter().map(|x| x.as_canonical_u64()).collect::<Vec<_>>();
    let p3_canon =
        |m: RowMajorMatrix<P>| m.values.iter().map(|x| x.as_canonical_u64()).collect::<Vec<_>>();
    for (w, log_n) in [(16usize, 0usize), (16, 1), (16, 5), (16, 10), (3, 9), (17, 12), (8, 11)] {
        let n = 1 << log_n;
        let m: Vec<F> = random_vec(n * w, 77 + log_n as u64);
        let pm =
            RowMajorMatrix::new(m.iter().map(|x| P::from_u64(x.as_canonical_u64())).collect(), w);
        let shift = F::from_u64(7);
        let ours = run(&m, w, Direction::Forward, Order::NaturalToNatural, F::ONE);
        let theirs = dft.dft_batch(pm.clone()).to_row_major_matrix();
        assert_eq!(canon(&ours), p3_canon(theirs), "dft 2^{log_n} × {w}");
        let ours = run(&m, w, Direction::Forward, Order::NaturalToNatural, shift);
        let theirs = dft.coset_dft_batch(pm.clone(), P::from_u64(7)).to_row_major_matrix();
        assert_eq!(canon(&ours), p3_canon(theirs), "coset dft 2^{log_n} × {w}");
        let ours = run(&m, w, Direction::Inverse, Order::NaturalToNatural, F::ONE);
        let theirs = dft.idft_batch(pm);
        assert_eq!(canon(&ours), p3_canon(theirs), "idft 2^{log_n} × {w}");
    }
}

fn check_errors<F: TwoAdicField>() {
    let (fwd, nn) = (Direction::Forward, Order::NaturalToNatural);
    let mut v: Vec<F> = vec![F::ONE; 10];
    assert_eq!(
        ntt_rows(&mut v, 4, fwd, nn, F::ONE),
        Err(PolyError::RowMajorShape { len: 10, width: 4 })
    );
    assert_eq!(
        ntt_rows(&mut v, 0, fwd, nn, F::ONE),
        Err(PolyError::RowMajorShape { len: 10, width: 0 })
    );
    assert_eq!(ntt_rows(&mut v, 2, fwd, nn, F::ONE), Err(PolyError::NotPowerOfTwo { len: 5 }));
    let mut v: Vec<F> = vec![F::ONE; 8];
    assert_eq!(ntt_rows(&mut v, 2, fwd, nn, F::ZERO), Err(PolyError::ZeroShift));
    let mut empty: Vec<F> = vec![];
    assert_eq!(ntt_rows(&mut empty, 0, fwd, nn, F::ONE), Ok(()));
    assert_eq!(ntt_rows(&mut empty, 3, fwd, nn, F::ONE), Err(PolyError::NotPowerOfTwo { len: 0 }));
}

macro_rules! row_tests {
    ($name:ident, $f:ty, $p:ty) => {
        mod $name {
            use super::*;
            #[test]
            fn matches_naive_dft() {
                check_against_oracle::<$f>();
            }
            #[test]
            fn matches_column_api() {
                check_matches_columns::<$f>();
            }
            #[test]
            fn matches_plonky3() {
                check_plonky3::<$f, $p>();
            }
            #[test]
            fn errors() {
                check_errors::<$f>();
            }
        }
    };
}

row_tests!(babybear, BabyBear, p3_baby_bear::BabyBear);
row_tests!(koalabear, KoalaBear, p3_koala_bear::KoalaBear);
row_tests!(goldilocks, Goldilocks, p3_goldilocks::Goldilocks);

#[test]
fn too_large_for_the_field() {
    use zkprove_field::bn254::Fq;
    let mut v = vec![Fq::ONE; 8];
    assert_eq!(
        ntt_rows(&mut v, 2, Direction::Forward, Order::NaturalToNatural, Fq::ONE),
        Err(PolyError::TooLarge { log_n: 2, two_adicity: 1 })
    );
}

#[test]
fn bit_reverse_rows_is_the_row_index_bit_reversal() {
    for width in [1usize, 3, 16] {
        for log_n in [0usize, 1, 2, 3, 6, 7, 9, 12, 15] {
            let n = 1usize << log_n;
            let mut v: Vec<usize> = (0..n * width).collect();
            bit_reverse_rows(&mut v, width);
            for (i, row) in v.chunks(width).enumerate() {
                let src =
                    if log_n == 0 { 0 } else { i.reverse_bits() >> (usize::BITS as usize - log_n) };
                let expect: Vec<usize> = (src * width..(src + 1) * width).collect();
                assert_eq!(row, &expect[..], "2^{log_n} × {width}, row {i}");
            }
        }
    }
}
