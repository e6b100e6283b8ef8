//! The CLI's one-shot CPU proof (`zkprove groth16 prove`: [`StreamingProver`], the key read as the
//! proof goes) repeated in one process, for `perf` and quick A/B runs without building the CLI:
//!
//! ```text
//! prove_streaming circuit.zkey witness.wtns [REPS]
//! ```
//! `ZKPROVE_CPU` caps the CPU level (`avx2` for the AVX2+ADX path). Prints each proof's wall time
//! and the process's CPU seconds (user + system, from `/proc/self/stat`) spent in it; every proof
//! is verified.

use std::time::Instant;

use zkprove_circom::{Witness, ZkeyReader};
use zkprove_groth16::{StreamingProver, verify};
use zkprove_poly::CpuBackend;

/// User + system CPU seconds of this process so far (`/proc/self/stat`, clock ticks of 10 ms).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(zkey), Some(wtns)) = (args.first(), args.get(1)) else {
        eprintln!("usage: prove_streaming circuit.zkey witness.wtns [REPS]");
        std::process::exit(2);
    };
    let reps: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    if let Ok(cap) = std::env::var("ZKPROVE_CPU") {
        let level: zkprove_field::cpu::CpuLevel = cap.parse().expect("ZKPROVE_CPU: a CPU level");
        zkprove_field::cpu::set_max_cpu_level(level);
    }
    let witness = Witness::open(wtns).expect("witness");
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    for _ in 0..reps {
        let (c0, t0) = (cpu_seconds(), Instant::now());
        let mut prover = StreamingProver::new(ZkeyReader::open(zkey).expect("zkey")).expect("key");
        let proof = prover
            .prove_column_host::<CpuBackend>(&witness.values, &witness.values)
            .expect("proof");
        let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
        let n_public = prover.header().n_public as usize;
        verify(prover.verification_key(), &witness.values[1..=n_public], &proof).expect("verifies");
        walls.push(wall * 1e3);
        cpus.push(cpu * 1e3);
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let best = walls.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "wall ms: best {best:.1} median {:.1}; cpu ms (10 ms ticks): median {:.0}",
        med(&mut walls),
        med(&mut cpus)
    );
}
