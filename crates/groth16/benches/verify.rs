//! Groth16 verification of the bundled example's snarkjs proof: [`verify`] (every pairing from
//! scratch) against a [`PreparedVerificationKey`] (`e(α, β)` and the lines of `γ`, `δ` computed
//! once), what the proving service uses before releasing each proof.
//!
//! `cargo bench -p zkprove-groth16 --bench verify`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use zkprove_circom::{Proof, VerificationKey, read_public_signals};
use zkprove_groth16::{PreparedVerificationKey, verify};

fn bench_verify(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier");
    let vk = VerificationKey::read(dir.join("verification_key.json")).expect("vk");
    let public = read_public_signals(dir.join("snarkjs_public.json")).expect("public");
    let proof = Proof::read(dir.join("snarkjs_proof.json")).expect("proof");
    let prepared = PreparedVerificationKey::new(&vk).expect("prepare");
    let mut group = c.benchmark_group("groth16_verify");
    group.bench_function("verify", |b| {
        b.iter(|| verify(black_box(&vk), black_box(&public), black_box(&proof)).expect("valid"))
    });
    group.bench_function("prepared", |b| {
        b.iter(|| prepared.verify(black_box(&public), black_box(&proof)).expect("valid"))
    });
    group.bench_function("prepare_key", |b| {
        b.iter(|| PreparedVerificationKey::new(black_box(&vk)).expect("prepare"))
    });
    group.finish();
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);
