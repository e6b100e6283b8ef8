//! Our G1 MSM alone, repeated (for `perf`): `msm_profile LOG_N REPS`, `ZKPROVE_CPU` caps the level.
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::MsmOps;
use zkprove_curve::bn254::{G1Affine, G1Config};
use zkprove_curve::msm::random_points;
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_poly::CpuBackend;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let log_n = args.first().copied().unwrap_or(16);
    let reps = args.get(1).copied().unwrap_or(10);
    if let Ok(cap) = std::env::var("ZKPROVE_CPU") {
        let level: zkprove_field::cpu::CpuLevel = cap.parse().expect("ZKPROVE_CPU: a CPU level");
        zkprove_field::cpu::set_max_cpu_level(level);
    }
    let n = 1usize << log_n;
    let mut rng = StdRng::seed_from_u64(log_n as u64);
    let bases: Vec<G1Affine> = random_points::<G1Config, _>(n, &mut rng);
    let scalars: Vec<Fr> = (0..n).map(|_| Fr::random(&mut rng)).collect();
    let prepared = <CpuBackend as MsmOps<G1Config>>::prepare_bases(bases).unwrap();
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(<CpuBackend as MsmOps<G1Config>>::msm(&prepared, &scalars).unwrap());
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("2^{log_n}: best {:.3} ms over {reps}", best * 1e3);
}
