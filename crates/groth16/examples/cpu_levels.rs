//! The hot kernels of a Groth16 proof at every run-time CPU level this machine has, interleaved
//! (level by level within each round, so load that comes and goes hits every level alike): G1 MSM,
//! BN254 Fr NTT and BabyBear NTT (natural → natural), and Groth16 `prove` on a synthetic
//! multiplication chain (insecure key from [`zkprove_groth16::setup`]).
//!
//! ```text
//! cargo run --release -p zkprove-groth16 --example cpu_levels [-- ROUNDS]
//! RUSTFLAGS="-C target-cpu=x86-64" CARGO_TARGET_DIR=target/x86-64 cargo run --release ...
//! ```
//! Build it once for the baseline x86-64 target and once with `-C target-cpu=native` to compare a
//! portable binary with a native one. Prints, per kernel and level, the fastest and the median
//! round in milliseconds.

use std::hint::black_box;
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::bn254::G1Config;
use zkprove_curve::msm::{msm_pippenger, random_points};
use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_field::bn254::Fr;
use zkprove_field::cpu::{self, CpuLevel};
use zkprove_groth16::Groth16Prover;
use zkprove_groth16::setup::{mul_chain, setup};
use zkprove_poly::{CpuBackend, NttOps};

fn ms(f: &mut dyn FnMut()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let detected = cpu::detected_level();
    let levels: Vec<CpuLevel> = CpuLevel::ALL.into_iter().filter(|&l| l <= detected).collect();
    println!(
        "detected level: {detected}; rounds: {rounds}; threads: {}",
        rayon::current_num_threads()
    );

    let mut rng = StdRng::seed_from_u64(1);
    let points = random_points::<G1Config, _>(1 << 16, &mut rng);
    let scalars: Vec<Fr> = (0..1 << 16).map(|_| Fr::random(&mut rng)).collect();
    let fr_data: Vec<Fr> = (0..1 << 20).map(|_| Fr::random(&mut rng)).collect();
    let bb_data: Vec<BabyBear> = (0..1 << 20).map(|_| BabyBear::random(&mut rng)).collect();
    let provers: Vec<(u32, Groth16Prover, Vec<Fr>)> = [14u32, 16]
        .into_iter()
        .map(|log_n| {
            let (r1cs, witness) = mul_chain(log_n, &mut rng).expect("circuit");
            let zkey = setup(&r1cs, &mut rng).expect("setup");
            (log_n, Groth16Prover::from_zkey(zkey).expect("prover"), witness)
        })
        .collect();

    let names: Vec<String> = ["G1 MSM 2^16", "NTT BN254 Fr 2^20", "NTT BabyBear 2^20"]
        .into_iter()
        .map(String::from)
        .chain(provers.iter().map(|(k, _, _)| format!("Groth16 prove mul-chain 2^{k}")))
        .collect();
    // times[kernel][level][round]
    let mut times = vec![vec![Vec::new(); levels.len()]; names.len()];
    for _ in 0..rounds {
        for (li, &level) in levels.iter().enumerate() {
            cpu::set_max_cpu_level(level);
            times[0][li].push(ms(&mut || {
                black_box(msm_pippenger(&points, &scalars).expect("msm"));
            }));
            let mut v = fr_data.clone();
            times[1][li].push(ms(&mut || {
                <CpuBackend as NttOps<Fr>>::ntt(&mut v).expect("ntt");
            }));
            let mut v = bb_data.clone();
            times[2][li].push(ms(&mut || {
                <CpuBackend as NttOps<BabyBear>>::ntt(&mut v).expect("ntt");
            }));
            for (pi, (_, prover, witness)) in provers.iter().enumerate() {
                times[3 + pi][li].push(ms(&mut || {
                    black_box(prover.prove(witness).expect("prove"));
                }));
            }
        }
    }
    cpu::set_max_cpu_level(detected);
    println!("| kernel | level | min ms | median ms |");
    println!("|---|---|---|---|");
    for (name, per_level) in names.iter().zip(&times) {
        for (level, t) in levels.iter().zip(per_level) {
            let mut t = t.clone();
            t.sort_by(f64::total_cmp);
            println!("| {name} | {level} | {:.1} | {:.1} |", t[0], t[t.len() / 2]);
        }
    }
}
