//! The CPU NTT against independent implementations: arkworks' `Radix2EvaluationDomain` (BN254 Fr)
//! and Plonky3's DFTs (Goldilocks, BabyBear, KoalaBear), on the subgroup and on cosets, sizes 2^0..2^12.

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::{Field, PrimeField, PrimeField64, TwoAdicField};
use zkprove_poly::{CpuBackend, NttOps};

fn random<F: Field>(n: usize, seed: u64) -> Vec<F> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| F::random(&mut rng)).collect()
}

#[test]
fn bn254_matches_arkworks() {
    use ark_ff::{BigInteger, PrimeField as _};
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
    use zkprove_field::bn254::Fr;
    let to_ark = |x: &Fr| ark_bn254::Fr::from_le_bytes_mod_order(&x.to_bytes_le());
    let from_ark = |x: &ark_bn254::Fr| {
        let bytes: [u8; 32] = x.into_bigint().to_bytes_le().try_into().expect("32 bytes");
        Fr::from_bytes_le(&bytes).expect("canonical")
    };
    for log_n in 0..=12usize {
        let n = 1 << log_n;
        let coeffs: Vec<Fr> = random(n, log_n as u64);
        let dom = Radix2EvaluationDomain::<ark_bn254::Fr>::new(n).expect("domain");
        // Same subgroup generator as arkworks.
        assert_eq!(Fr::two_adic_generator(log_n).map(|g| to_ark(&g)), Some(dom.group_gen()));

        let mut ours = coeffs.clone();
        CpuBackend::ntt(&mut ours).unwrap();
        let theirs: Vec<Fr> =
            dom.fft(&coeffs.iter().map(to_ark).collect::<Vec<_>>()).iter().map(from_ark).collect();
        assert_eq!(ours, theirs, "subgroup, 2^{log_n}");

        let shift = Fr::from_u64(7);
        let coset = dom.get_coset(to_ark(&shift)).expect("coset");
        let mut ours = coeffs.clone();
        CpuBackend::coset_ntt(&mut ours, shift).unwrap();
        let theirs: Vec<Fr> = coset
            .fft(&coeffs.iter().map(to_ark).collect::<Vec<_>>())
            .iter()
            .map(from_ark)
            .collect();
        assert_eq!(ours, theirs, "coset, 2^{log_n}");
        CpuBackend::coset_intt(&mut ours, shift).unwrap();
        assert_eq!(ours, coeffs);
    }
}

fn check_plonky3<F, P>()
where
    F: TwoAdicField + PrimeField64,
    P: p3_field::TwoAdicField + p3_field::PrimeField64,
{
    use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
    use p3_matrix::Matrix;
    use p3_matrix::dense::RowMajorMatrix;
    let to_p3 = |x: &F| P::from_u64(x.as_canonical_u64());
    let dft = Radix2DitParallel::<P>::default();
    for log_n in 0..=12usize {
        let n = 1 << log_n;
        let coeffs: Vec<F> = random(n, 100 + log_n as u64);
        assert_eq!(
            F::two_adic_generator(log_n).map(|g| g.as_canonical_u64()),
            Some(P::two_adic_generator(log_n).as_canonical_u64()),
            "same generator at 2^{log_n}"
        );
        let p: Vec<P> = coeffs.iter().map(to_p3).collect();
        let mut ours = coeffs.clone();
        CpuBackend::ntt(&mut ours).unwrap();
        let theirs = dft.dft_batch(RowMajorMatrix::new_col(p.clone())).to_row_major_matrix();
        let theirs: Vec<u64> =
            (0..n).map(|i| theirs.get(i, 0).expect("in range").as_canonical_u64()).collect();
        assert_eq!(
            ours.iter().map(|x| x.as_canonical_u64()).collect::<Vec<_>>(),
            theirs,
            "subgroup, 2^{log_n}"
        );

        let shift = F::from_u64(7);
        let mut ours = coeffs.clone();
        CpuBackend::coset_ntt(&mut ours, shift).unwrap();
        let theirs =
            dft.coset_dft_batch(RowMajorMatrix::new_col(p), to_p3(&shift)).to_row_major_matrix();
        let theirs: Vec<u64> =
            (0..n).map(|i| theirs.get(i, 0).expect("in range").as_canonical_u64()).collect();
        assert_eq!(
            ours.iter().map(|x| x.as_canonical_u64()).collect::<Vec<_>>(),
            theirs,
            "coset, 2^{log_n}"
        );
    }
}

#[test]
fn goldilocks_matches_plonky3() {
    check_plonky3::<zkprove_field::goldilocks::Goldilocks, p3_goldilocks::Goldilocks>();
}

#[test]
fn babybear_matches_plonky3() {
    check_plonky3::<zkprove_field::babybear::BabyBear, p3_baby_bear::BabyBear>();
}

#[test]
fn koalabear_matches_plonky3() {
    check_plonky3::<zkprove_field::koalabear::KoalaBear, p3_koala_bear::KoalaBear>();
}
