//! Times the AIR prover on the Poseidon2 AIR (BabyBear width 16) and prints each phase:
//! `cargo run --release -p zkprove-air --example air_time -- [log_rows] [reps] [folding_factor]
//! [domain_reduction]`.
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_air::examples::Poseidon2Air;
use zkprove_air::{AirParams, AirProver};
use zkprove_field::Field;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_hash::{Poseidon2, Poseidon2Merkle, Transcript};
use zkprove_poly::CpuBackend;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("number")).collect();
    let n = args.first().copied().unwrap_or(12);
    let reps = args.get(1).copied().unwrap_or(5);
    let defaults = AirParams::default();
    let params = AirParams {
        folding_factor: args.get(2).copied().unwrap_or(defaults.folding_factor),
        domain_reduction: args.get(3).copied().unwrap_or(defaults.domain_reduction),
        ..defaults
    };
    let prover: AirProver<BabyBear, BabyBearExt4, _> = AirProver::new(
        params,
        Poseidon2Merkle::<BabyBear, 16, 8, 8>::new(Poseidon2::babybear_16()).expect("hasher"),
    );
    let t = Transcript::<BabyBear, 16, 8>::with_label(Poseidon2::babybear_16(), b"air-time")
        .expect("transcript");
    let air = Poseidon2Air::new(Poseidon2::babybear_16());
    let mut rng = StdRng::seed_from_u64(23);
    let states: Vec<[BabyBear; 16]> =
        (0..1usize << n).map(|_| core::array::from_fn(|_| BabyBear::random(&mut rng))).collect();
    let _ = rng.random::<u8>();
    let trace = air.generate(n, &states).expect("trace");
    let mut times = Vec::new();
    for rep in 0..=reps {
        let start = Instant::now();
        let (proof, profile) = prover
            .prove_on::<CpuBackend, _, 16, 8>(&air, &trace, &mut t.clone(), true)
            .expect("prove");
        let ms = start.elapsed().as_secs_f64() * 1e3;
        prover.verify(&air, n, &proof, &mut t.clone()).expect("verify");
        let phases: Vec<String> = profile
            .phases
            .iter()
            .map(|(k, d)| format!("{k} {:.1}", d.as_secs_f64() * 1e3))
            .collect();
        let bytes = format!("{proof:?}").into_bytes();
        let digest = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        println!(
            "rep {rep}: {ms:.1} ms, {} B, digest {digest:016x} [{}]",
            proof.size_bytes(),
            phases.join(", ")
        );
        if rep > 0 {
            times.push(ms);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "poseidon2 2^{n}: median {:.1} ms (min {:.1}, max {:.1}), {:.1} bits",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        prover.achieved_bits(&air, n).expect("bits")
    );
}
