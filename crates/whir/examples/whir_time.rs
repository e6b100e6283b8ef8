//! Times a WHIR commitment + opening and its verification at the default parameters
//! (`WhirParams::new(n)`), BabyBear⁴ and Goldilocks², and prints one line per configuration:
//! `cargo run --release -p zkprove-whir --example whir_time -- [n …] [--domain-reduction J]`
//! (`J` as `Whir::with_domain_reduction`, 1 by default). Used to compare the proof size and
//! time of two versions of the parameter derivation side by side.
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::{ExtensionField, PrimeField64, TwoAdicField};
use zkprove_hash::{MerkleHash, Poseidon2, Poseidon2Merkle, Transcript};
use zkprove_poly::Mle;
use zkprove_whir::{Whir, WhirParams};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn run<F, E, H, const W: usize, const R: usize>(
    name: &str,
    n: usize,
    j: usize,
    hasher: H,
    transcript: Transcript<F, W, R>,
) where
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
{
    let whir =
        Whir::<F, E, H>::with_domain_reduction(WhirParams::new(n), j, hasher).expect("params");
    let mut rng = StdRng::seed_from_u64(8);
    let poly = Mle::new((0..1usize << n).map(|_| F::random(&mut rng)).collect()).expect("mle");
    let point: Vec<E> = (0..n).map(|_| E::random(&mut rng)).collect();
    let (mut prove, mut verify) = (Vec::new(), Vec::new());
    let mut bytes = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let mut pt = transcript.clone();
        let (c, w) = whir.commit(&mut pt, &poly).expect("commit");
        let (value, proof) = whir.open(&mut pt, &w, &point).expect("open");
        prove.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        let mut vt = transcript.clone();
        let rc = whir.receive_commitment(&mut vt, &c).expect("commitment");
        whir.verify(&mut vt, &rc, &point, value, &proof).expect("verifies");
        verify.push(start.elapsed().as_secs_f64() * 1e3);
        let elem = (F::NUM_BITS as usize).div_ceil(8);
        bytes =
            proof.size_bytes() + (c.root.as_ref().len() + c.ood_answers.len() * E::DEGREE) * elem;
    }
    let q: Vec<usize> = whir.config().rounds.iter().map(|r| r.n_queries).collect();
    println!(
        "{name} n={n} j={j}: prove {:.1} ms, verify {:.2} ms, proof {bytes} bytes, queries {q:?}, achieved {:.1} (as claimed by this version)",
        median(prove),
        median(verify),
        whir.config().achieved_bits
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let j = args
        .iter()
        .position(|a| a == "--domain-reduction")
        .and_then(|i| args.get(i + 1))
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let ns: Vec<usize> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || args[i - 1] != "--domain-reduction")
        .filter_map(|(_, a)| a.parse().ok())
        .collect();
    for n in if ns.is_empty() { vec![16, 20] } else { ns } {
        run::<BabyBear, BabyBearExt4, _, 16, 8>(
            "babybear4",
            n,
            j,
            Poseidon2Merkle::<BabyBear, 16, 8, 8>::new(Poseidon2::babybear_16()).expect("shape"),
            Transcript::with_label(Poseidon2::babybear_16(), b"t").expect("shape"),
        );
        run::<Goldilocks, GoldilocksExt2, _, 12, 8>(
            "goldilocks2",
            n,
            j,
            Poseidon2Merkle::<Goldilocks, 12, 8, 4>::new(Poseidon2::goldilocks_12())
                .expect("shape"),
            Transcript::with_label(Poseidon2::goldilocks_12(), b"t").expect("shape"),
        );
    }
}
