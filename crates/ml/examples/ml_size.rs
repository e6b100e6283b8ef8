//! Proof size breakdown and times of the 64→1024→1024→10 MLP (random weights):
//! `cargo run --release -p zkprove-ml --example ml_size [-- WIDTHS…]`.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_ml::pcs::PcsParams;
use zkprove_ml::{CommittedModel, FloatLayer, FloatModel, QuantConfig, QuantModel, prove, verify};

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let widths = if args.len() >= 2 { args } else { vec![64, 1024, 1024, 10] };
    let mut rng = StdRng::seed_from_u64(1);
    let layers = widths
        .windows(2)
        .enumerate()
        .map(|(i, w)| FloatLayer {
            n_in: w[0],
            n_out: w[1],
            weight: (0..w[0] * w[1])
                .map(|_| rng.random_range(-1.0f32..1.0) / (w[0] as f32).sqrt())
                .collect(),
            bias: (0..w[1]).map(|_| rng.random_range(-0.1f32..0.1)).collect(),
            relu: i + 2 < widths.len(),
            residual: None,
        })
        .collect();
    let float = FloatModel { layers };
    let quant = QuantModel::quantize(&float, &QuantConfig::default()).expect("quantize");
    let t0 = Instant::now();
    let cm = CommittedModel::new(quant, PcsParams::default()).expect("commit");
    println!("commit {:.1} ms", t0.elapsed().as_secs_f64() * 1e3);
    let x: Vec<f32> = (0..widths[0]).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..3 {
        let t0 = Instant::now();
        let r = prove(&cm, &x).expect("prove");
        best = best.min(t0.elapsed().as_secs_f64() * 1e3);
        out = Some(r);
    }
    let (y, proof) = out.expect("ran");
    let mut vbest = f64::MAX;
    for _ in 0..3 {
        let t0 = Instant::now();
        verify(&cm.commitment, &x, &y, &proof).expect("verify");
        vbest = vbest.min(t0.elapsed().as_secs_f64() * 1e3);
    }
    println!("prove {best:.1} ms (best of 3), verify {vbest:.1} ms");
    println!("proof {} bytes", proof.to_bytes().len());
    for (name, n) in proof.size_breakdown() {
        println!("  {name:<28} {n:>8}");
    }
    println!("security {:.1} bits", zkprove_ml::proof::security_bits(&cm.commitment));
}
