//! Fixed-base scalar multiplication: many multiples `[sᵢ]·G` of the curve's generator, as a
//! trusted setup (or a test key) needs them.

use rayon::prelude::*;
use zkprove_field::{Field, PrimeField};

use crate::sw::{Affine, Projective, SwCurve};

/// Scalars per parallel task; each task normalises its points with one shared inversion.
const CHUNK: usize = 1 << 10;

/// `[sᵢ]·G` for every scalar `sᵢ`, `G` the curve's standard generator, in the scalars' order (a
/// zero scalar gives the point at infinity).
///
/// A table of `b·2^(8j)·G` (`b < 256`, one row of 256 points per byte of the scalar) is built
/// once, so each product is one mixed addition per non-zero byte of the scalar (32 for BN254) and
/// no doubling. Parallel (rayon) over chunks of 1024 scalars; each chunk is converted to affine
/// with one shared inversion. The table costs `256 × bytes` points, negligible beyond a few
/// thousand scalars; for a handful, a plain `Projective::generator() * s` is as fast.
pub fn fixed_base_batch<C: SwCurve>(scalars: &[C::Scalar]) -> Vec<Affine<C>> {
    let n_bytes = C::Scalar::ZERO.to_bytes_le().as_ref().len();
    let mut table: Vec<Vec<Affine<C>>> = Vec::with_capacity(n_bytes);
    let mut base = Projective::<C>::generator();
    for _ in 0..n_bytes {
        let mut row = Vec::with_capacity(256);
        let mut acc = Projective::<C>::IDENTITY;
        for _ in 0..256 {
            row.push(acc);
            acc += base;
        }
        table.push(Projective::batch_to_affine(&row));
        base = acc; // 256 · base
    }
    scalars
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let proj: Vec<Projective<C>> = chunk
                .iter()
                .map(|s| {
                    let bytes = s.to_bytes_le();
                    let mut acc = Projective::<C>::IDENTITY;
                    for (row, &b) in table.iter().zip(bytes.as_ref()) {
                        if b != 0 {
                            acc = acc.add_affine(&row[usize::from(b)]);
                        }
                    }
                    acc
                })
                .collect();
            Projective::batch_to_affine(&proj)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use zkprove_field::bn254::Fr;

    use super::*;
    use crate::bn254::{G1Config, G2Config};

    fn check<C: SwCurve<Scalar = Fr>>(n: usize) {
        let mut rng = StdRng::seed_from_u64(n as u64);
        let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::random(&mut rng)).collect();
        if n > 2 {
            scalars[0] = Fr::ZERO;
            scalars[1] = Fr::ONE;
            scalars[2] = Fr::NEG_ONE;
        }
        let got = fixed_base_batch::<C>(&scalars);
        assert_eq!(got.len(), n);
        for (s, p) in scalars.iter().zip(&got) {
            assert_eq!(*p, (Projective::<C>::generator() * *s).to_affine());
        }
    }

    #[test]
    fn matches_scalar_multiplication() {
        for n in [0, 1, 3, 17, CHUNK + 5] {
            check::<G1Config>(n);
        }
        for n in [0, 1, 5, 40] {
            check::<G2Config>(n);
        }
    }
}
