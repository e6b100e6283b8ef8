//! G1 MSM against arkworks 0.5 (`VariableBaseMSM`) and halo2curves 0.10 (`msm_best`), measured so
//! that a busy machine distorts the ratios as little as possible: the implementations alternate
//! (ours, then each of our variants, then arkworks, then halo2curves, over the same inputs, in the
//! same rayon pool), `PASSES` rounds, and each side keeps its fastest pass; the median of the
//! per-round ratios is printed too. The criterion bench (`benches/msm.rs`) times each side for
//! seconds on end, so load that comes and goes skews its ratios.
//!
//! ```text
//! cargo run --profile bench -p zkprove-curve --example msm_interleaved [-- LOG_N ...]
//! ```
//! Sizes default to 12 14 16 18 20; `PASSES` from `ZKPROVE_PASSES` (default: 2^24 / n, at least 3,
//! at most 40). `ZKPROVE_VARIANTS` (e.g. `c9,c11,g1`) adds our default with a fixed window width
//! (`cN`), fixed windows per task (`gN`) or a fixed number of chunks (`nN`), or several of them
//! (`c15n2`). `ZKPROVE_CPU` (e.g. `adx`) caps our run-time CPU level.
//! `ZKPROVE_CPU_TIME=1` times CPU seconds of all threads instead of wall time (for busy machines).

use std::hint::black_box;
use std::time::Instant;

use ark_ec::VariableBaseMSM;
use ark_ff::{BigInt, PrimeField as ArkPrimeField};
use halo2curves::CurveAffine;
use halo2curves::ff::PrimeField as _;
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::MsmOps;
use zkprove_curve::bn254::{G1Affine, G1Config};
use zkprove_curve::msm::{PippengerConfig, msm_pippenger_with, random_points};
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::{Field, PrimeField};
use zkprove_poly::CpuBackend;

fn h2_fq(x: Fq) -> halo2curves::bn256::Fq {
    halo2curves::bn256::Fq::from_repr(x.to_bytes_le().into()).expect("canonical")
}

fn ark_fq(x: Fq) -> ark_bn254::Fq {
    ark_bn254::Fq::from_bigint(BigInt(x.to_canonical_limbs())).expect("canonical")
}

/// Seconds `f` took: wall time, or with `ZKPROVE_CPU_TIME=1` the CPU time of all the process's
/// threads (`/proc/self/task/*/schedstat`, Linux), which a loaded machine distorts less.
fn time(f: &mut dyn FnMut()) -> f64 {
    if std::env::var_os("ZKPROVE_CPU_TIME").is_some() {
        let start = process_cpu_ns();
        f();
        return (process_cpu_ns() - start) as f64 * 1e-9;
    }
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64()
}

/// Nanoseconds on the CPU, summed over this process's live threads (0 where unreadable).
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

fn variants() -> Vec<(String, PippengerConfig)> {
    let Ok(list) = std::env::var("ZKPROVE_VARIANTS") else {
        return Vec::new();
    };
    list.split(',')
        .filter_map(|v| {
            let v = v.trim();
            let mut config = PippengerConfig::default();
            let mut rest = v;
            while let Some(key) = rest.chars().next() {
                let digits = rest[1..].chars().take_while(char::is_ascii_digit).count();
                let num: usize = rest[1..1 + digits].parse().ok()?;
                match key {
                    'c' => config.window_bits = Some(num),
                    'g' => config.windows_per_task = Some(num),
                    'n' => config.n_chunks = Some(num),
                    _ => return None,
                }
                rest = &rest[1 + digits..];
            }
            Some((v.to_string(), config))
        })
        .collect()
}

fn main() {
    let sizes: Vec<usize> = {
        let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
        if args.is_empty() { vec![12, 14, 16, 18, 20] } else { args }
    };
    let variants = variants();
    // `ZKPROVE_CPU=adx|avx2|...` caps our run-time CPU level (as `zkprove --cpu`), so an IFMA
    // machine times the path an AVX2-only server takes.
    if let Ok(cap) = std::env::var("ZKPROVE_CPU") {
        let level: zkprove_field::cpu::CpuLevel = cap.parse().expect("ZKPROVE_CPU: a CPU level");
        zkprove_field::cpu::set_max_cpu_level(level);
    }
    println!(
        "rayon threads: {}; CPU level: {}",
        rayon::current_num_threads(),
        zkprove_field::cpu::level()
    );
    for log_n in sizes {
        let n = 1usize << log_n;
        let passes = std::env::var("ZKPROVE_PASSES")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(((1usize << 24) / n).clamp(3, 40));
        let mut rng = StdRng::seed_from_u64(log_n as u64);
        let bases: Vec<G1Affine> = random_points::<G1Config, _>(n, &mut rng);
        let scalars: Vec<Fr> = (0..n).map(|_| Fr::random(&mut rng)).collect();
        let prepared = <CpuBackend as MsmOps<G1Config>>::prepare_bases(bases.clone()).unwrap();

        let h_bases: Vec<halo2curves::bn256::G1Affine> = bases
            .iter()
            .map(|p| {
                halo2curves::bn256::G1Affine::from_xy(h2_fq(p.x), h2_fq(p.y)).expect("on curve")
            })
            .collect();
        let h_scalars: Vec<halo2curves::bn256::Fr> = scalars
            .iter()
            .map(|s| halo2curves::bn256::Fr::from_repr(s.to_bytes_le().into()).expect("canonical"))
            .collect();
        let a_bases: Vec<ark_bn254::G1Affine> = bases
            .iter()
            .map(|p| ark_bn254::G1Affine::new_unchecked(ark_fq(p.x), ark_fq(p.y)))
            .collect();
        let a_scalars: Vec<ark_bn254::Fr> = scalars
            .iter()
            .map(|s| ark_bn254::Fr::from_bigint(BigInt(s.to_canonical_limbs())).expect("canonical"))
            .collect();

        // Same answer from everyone before timing.
        let ours = <CpuBackend as MsmOps<G1Config>>::msm(&prepared, &scalars).unwrap().to_affine();
        let ark = ark_bn254::G1Projective::msm(&a_bases, &a_scalars).unwrap();
        let ark: ark_bn254::G1Affine = ark.into();
        assert_eq!(ark.x, ark_fq(ours.x), "arkworks disagrees at 2^{log_n}");
        for (name, config) in &variants {
            let v = msm_pippenger_with(&bases, &scalars, config).unwrap().to_affine();
            assert_eq!(v, ours, "variant {name} disagrees at 2^{log_n}");
        }

        let mut names: Vec<String> = vec!["zkprove".into()];
        names.extend(variants.iter().map(|(v, _)| format!("zkprove-{v}")));
        names.push("arkworks".into());
        names.push("halo2curves".into());
        let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(passes); names.len()];
        for _ in 0..passes {
            let mut k = 0;
            times[k].push(time(&mut || {
                black_box(<CpuBackend as MsmOps<G1Config>>::msm(&prepared, &scalars).unwrap());
            }));
            for (_, config) in &variants {
                k += 1;
                times[k].push(time(&mut || {
                    black_box(msm_pippenger_with(&bases, &scalars, config).unwrap());
                }));
            }
            times[k + 1].push(time(&mut || {
                let _ = black_box(ark_bn254::G1Projective::msm(&a_bases, &a_scalars).unwrap());
            }));
            times[k + 2].push(time(&mut || {
                black_box(halo2curves::msm::msm_best(&h_scalars, &h_bases));
            }));
        }
        let best = |t: &[f64]| t.iter().copied().fold(f64::INFINITY, f64::min);
        let median_ratio = |a: &[f64], b: &[f64]| {
            let mut r: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
            r.sort_by(f64::total_cmp);
            r[r.len() / 2]
        };
        let (ark_t, h2_t) = (&times[names.len() - 2], &times[names.len() - 1]);
        println!("2^{log_n} ({passes} passes)");
        for (name, t) in names.iter().zip(&times) {
            println!(
                "  {name:22} best {:9.3} ms  /ark best {:.3} median {:.3}  /halo2 best {:.3} median {:.3}",
                best(t) * 1e3,
                best(t) / best(ark_t),
                median_ratio(t, ark_t),
                best(t) / best(h2_t),
                median_ratio(t, h2_t),
            );
        }
    }
}
