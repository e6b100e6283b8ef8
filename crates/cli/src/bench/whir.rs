//! `zkprove bench whir`: a WHIR commitment and opening of a random multilinear polynomial in N
//! variables (BabyBear/BabyBear⁴ or Goldilocks/Goldilocks², Poseidon2 Merkle trees and
//! transcript), then its verification. One JSON line with `--json`:
//! `{"kernel":"whir","field":…,"log_n":…,"device":…,"median_ms":…,"reps":…,"threads":…,
//! "commit_ms":…,"open_ms":…,"verify_ms":…,"proof_bytes":…,…}` where `median_ms` is the prover's
//! whole time (commit + open, medians of the sum), `verify_ms` the verifier's median (commitment
//! received and proof checked) and `proof_bytes` the commitment (root + OOD answers) plus the
//! opening proof, every base-field element in 4 (BabyBear) or 8 (Goldilocks) bytes, Merkle paths
//! in full.

use std::hint::black_box;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::{ExtensionField, PrimeField64, TwoAdicField};
use zkprove_hash::{MerkleHash, Poseidon2, Poseidon2Merkle, Transcript};
use zkprove_poly::Mle;
use zkprove_whir::{SoundnessType, Whir, WhirParams};

use super::report::{Report, median, thread_pool, time_reps_prepared};

/// The fields `bench whir` knows (values in the field, challenges in its extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhirField {
    /// BabyBear values, quartic-extension challenges.
    Babybear,
    /// Goldilocks values, quadratic-extension challenges.
    Goldilocks,
}

/// The soundness assumption (see `zkprove_whir::SoundnessType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhirSoundness {
    /// Conjectured list decoding up to capacity.
    Conjecture,
    /// Proven list decoding up to the Johnson bound.
    Johnson,
    /// Unique decoding.
    Unique,
}

impl From<WhirSoundness> for SoundnessType {
    fn from(s: WhirSoundness) -> Self {
        match s {
            WhirSoundness::Conjecture => SoundnessType::ConjectureList,
            WhirSoundness::Johnson => SoundnessType::ProvableList,
            WhirSoundness::Unique => SoundnessType::UniqueDecoding,
        }
    }
}

/// Arguments of `zkprove bench whir`.
#[derive(Debug, Args)]
pub struct BenchWhirArgs {
    /// The base field.
    #[arg(long, value_enum, default_value_t = WhirField::Babybear)]
    field: WhirField,
    /// Number of variables of the committed polynomial (2^N values).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=24))]
    log_n: u32,
    /// log2 of the inverse rate of the first codeword.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=8))]
    log_inv_rate: u32,
    /// Variables folded per round.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=8))]
    folding_factor: u32,
    /// Target security in bits.
    #[arg(long, default_value_t = 100)]
    security_bits: u32,
    /// Most proof-of-work bits per challenge (at most 26 over BabyBear, 59 over Goldilocks).
    #[arg(
        long,
        default_value_t = zkprove_whir::DEFAULT_MAX_POW_BITS as u32,
        value_parser = clap::value_parser!(u32).range(0..=59)
    )]
    pow_bits: u32,
    /// The decoding bound assumed by the soundness analysis.
    #[arg(long, value_enum, default_value_t = WhirSoundness::Conjecture)]
    soundness: WhirSoundness,
    /// Timed repetitions after one warm-up (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
}

/// The extra fields of `bench whir` (`median_ms` is the prover's whole time, commit + open).
#[derive(Debug, Serialize)]
struct WhirFields {
    commit_ms: f64,
    open_ms: f64,
    verify_ms: f64,
    proof_bytes: usize,
    log_inv_rate: u32,
    folding_factor: u32,
    soundness: String,
    security_bits: u32,
    achieved_bits: f64,
    rounds: usize,
    queries: Vec<usize>,
    /// Per round: queries, the grinding before the queries and before each folding challenge,
    /// and `log2 η` — enough to recompute the level (`zkprove whir params` prints the terms).
    rounds_detail: Vec<RoundDetail>,
}

/// One round of `rounds_detail`.
#[derive(Debug, Serialize)]
struct RoundDetail {
    queries: usize,
    query_pow_bits: usize,
    folding_pow_bits: usize,
    log_eta: f64,
}

/// Runs `zkprove bench whir`.
pub fn run(args: BenchWhirArgs) -> Result<()> {
    let pool = thread_pool(args.threads)?;
    let params = WhirParams {
        log_n: args.log_n as usize,
        log_inv_rate: args.log_inv_rate as usize,
        folding_factor: args.folding_factor as usize,
        security_bits: args.security_bits as usize,
        max_pow_bits: args.pow_bits as usize,
        soundness: args.soundness.into(),
    };
    let report = pool.install(|| match args.field {
        WhirField::Babybear => bench::<BabyBear, BabyBearExt4, _, 16, 8>(
            &args,
            params,
            Poseidon2Merkle::<BabyBear, 16, 8, 8>::new(Poseidon2::babybear_16())?,
            Transcript::with_label(Poseidon2::babybear_16(), b"zkprove-bench-whir")?,
            "babybear",
        ),
        WhirField::Goldilocks => bench::<Goldilocks, GoldilocksExt2, _, 12, 8>(
            &args,
            params,
            Poseidon2Merkle::<Goldilocks, 12, 8, 4>::new(Poseidon2::goldilocks_12())?,
            Transcript::with_label(Poseidon2::goldilocks_12(), b"zkprove-bench-whir")?,
            "goldilocks",
        ),
    })?;
    report.print(args.json, |r| {
        let w = &r.extra;
        format!(
            "whir {} 2^{} on cpu ({} threads, rate 2^-{}, k = {}, {} {} bits, achieved {:.1}): \
             prover median {:.3} ms (commit {:.3} + open {:.3}), verifier {:.3} ms, proof {} bytes \
             over {} reps",
            r.field.unwrap_or("-"),
            r.log_n,
            r.threads,
            w.log_inv_rate,
            w.folding_factor,
            w.soundness,
            w.security_bits,
            w.achieved_bits,
            r.median_ms,
            w.commit_ms,
            w.open_ms,
            w.verify_ms,
            w.proof_bytes,
            r.reps,
        )
    })
}

fn bench<F, E, H, const W: usize, const R: usize>(
    args: &BenchWhirArgs,
    params: WhirParams,
    hasher: H,
    transcript: Transcript<F, W, R>,
    field: &'static str,
) -> Result<Report<WhirFields>>
where
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
{
    let whir = Whir::<F, E, H>::new(params, hasher)?;
    let mut rng = StdRng::seed_from_u64(8);
    let poly = Mle::new((0..1usize << args.log_n).map(|_| F::random(&mut rng)).collect())?;
    let point: Vec<E> = (0..args.log_n).map(|_| E::random(&mut rng)).collect();
    // The prover (commit + open) is what `time_reps` times; the commitment's share is timed
    // inside each run (the warm-up's first). The verifier then checks the warm-up's proof (the
    // prover is deterministic: every rep makes the same proof), each rep from a fresh transcript.
    let mut commit_t = Vec::with_capacity(args.reps as usize + 1);
    let prover = time_reps_prepared(
        args.reps,
        || Ok(transcript.clone()),
        |mut pt| {
            let start = Instant::now();
            let (commitment, witness) = whir.commit(&mut pt, &poly)?;
            commit_t.push(start.elapsed().as_secs_f64() * 1e3);
            let (value, proof) = whir.open(&mut pt, &witness, &point)?;
            Ok((commitment, value, proof))
        },
    )?;
    let commit_t = &commit_t[1..];
    let open_t = prover.ms.iter().zip(commit_t).map(|(all, commit)| all - commit);
    let (commitment, value, proof) = &prover.warm_up;
    let verifier = time_reps_prepared(
        args.reps,
        || Ok(transcript.clone()),
        |mut vt| {
            let received = whir.receive_commitment(&mut vt, commitment)?;
            if let Err(e) = whir.verify(&mut vt, &received, &point, *value, black_box(proof)) {
                bail!("WHIR proof did not verify: {e}");
            }
            Ok(())
        },
    )?;
    let digest_elems = commitment.root.as_ref().len();
    let elem_bytes = (F::NUM_BITS as usize).div_ceil(8);
    let proof_bytes = proof.n_base_elements() * elem_bytes
        + (digest_elems + commitment.ood_answers.len() * E::DEGREE) * elem_bytes;
    let cfg = whir.config();
    Ok(Report {
        kernel: "whir",
        field: Some(field),
        log_n: args.log_n,
        device: "cpu",
        median_ms: prover.median_ms(),
        reps: args.reps,
        threads: rayon::current_num_threads(),
        extra: WhirFields {
            commit_ms: median(commit_t.iter().copied()),
            open_ms: median(open_t),
            verify_ms: verifier.median_ms(),
            proof_bytes,
            log_inv_rate: args.log_inv_rate,
            folding_factor: args.folding_factor,
            soundness: params.soundness.to_string(),
            security_bits: args.security_bits,
            achieved_bits: cfg.achieved_bits,
            rounds: cfg.rounds.len(),
            queries: cfg.rounds.iter().map(|r| r.n_queries).collect(),
            rounds_detail: cfg
                .rounds
                .iter()
                .map(|r| RoundDetail {
                    queries: r.n_queries,
                    query_pow_bits: r.query_pow_bits,
                    folding_pow_bits: r.folding_pow_bits,
                    log_eta: r.log_eta,
                })
                .collect(),
        },
    })
}
