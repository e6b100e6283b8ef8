//! Our BN254 MSM alone, repeated (for `perf` and quick A/B runs):
//! `msm_profile LOG_N REPS [g2]` (G1 unless `g2`); `ZKPROVE_CPU` caps the CPU level.
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_curve::msm::random_points;
use zkprove_curve::{MsmOps, SwCurve};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_poly::CpuBackend;

fn run<C: SwCurve<Scalar = Fr>>(log_n: usize, reps: usize) -> f64
where
    CpuBackend: MsmOps<C>,
{
    let n = 1usize << log_n;
    let mut rng = StdRng::seed_from_u64(log_n as u64);
    let bases = random_points::<C, _>(n, &mut rng);
    let scalars: Vec<Fr> = (0..n).map(|_| Fr::random(&mut rng)).collect();
    let prepared = <CpuBackend as MsmOps<C>>::prepare_bases(bases).unwrap();
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(<CpuBackend as MsmOps<C>>::msm(&prepared, &scalars).unwrap());
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let log_n = args.first().and_then(|a| a.parse().ok()).unwrap_or(16);
    let reps = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let g2 = args.get(2).is_some_and(|a| a == "g2");
    if let Ok(cap) = std::env::var("ZKPROVE_CPU") {
        let level: zkprove_field::cpu::CpuLevel = cap.parse().expect("ZKPROVE_CPU: a CPU level");
        zkprove_field::cpu::set_max_cpu_level(level);
    }
    let best = if g2 { run::<G2Config>(log_n, reps) } else { run::<G1Config>(log_n, reps) };
    let group = if g2 { "G2" } else { "G1" };
    println!("{group} 2^{log_n}: best {:.3} ms over {reps}", best * 1e3);
}
