//! `zkprove whir params`: the WHIR configuration a set of parameters derives — each round's
//! queries, out-of-domain samples, grinding and `η` — and every round-by-round soundness term with
//! the level it reaches, so anyone can recompute the security level (the formulas and their
//! sources are in the `zkprove-whir` crate docs).

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use serde::Serialize;
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::{PrimeField64, TwoAdicField};
use zkprove_whir::{WhirConfig, WhirParams};

use crate::bench::whir::{WhirField, WhirSoundness};

/// Arguments of `zkprove whir`.
#[derive(Debug, Args)]
pub struct WhirArgs {
    #[command(subcommand)]
    command: WhirCommand,
}

#[derive(Debug, Subcommand)]
enum WhirCommand {
    /// Print the rounds and the security terms of a WHIR configuration.
    Params(ParamsArgs),
}

/// Arguments of `zkprove whir params`.
#[derive(Debug, Args)]
struct ParamsArgs {
    /// The base field (challenges in its extension: BabyBear⁴, Goldilocks²).
    #[arg(long, value_enum, default_value_t = WhirField::Babybear)]
    field: WhirField,
    /// Number of variables of the committed polynomial.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=32))]
    log_n: u32,
    /// log2 of the inverse rate of the first codeword.
    #[arg(long, alias = "log-inv-rate", default_value_t = 1)]
    rate: u32,
    /// Variables folded per round.
    #[arg(long, alias = "folding-factor", default_value_t = 4)]
    folding: u32,
    /// The decoding bound assumed by the soundness analysis.
    #[arg(long, value_enum, default_value_t = WhirSoundness::Conjecture)]
    soundness: WhirSoundness,
    /// Target security in bits.
    #[arg(long, default_value_t = 100)]
    security_bits: u32,
    /// Most proof-of-work bits per challenge.
    #[arg(long, default_value_t = zkprove_whir::DEFAULT_MAX_POW_BITS as u32)]
    pow_bits: u32,
    /// Print one JSON line instead of a table.
    #[arg(long)]
    json: bool,
}

/// One round, as `--json` prints it.
#[derive(Debug, Serialize)]
struct RoundOut {
    n_vars: usize,
    log_domain: usize,
    log_inv_rate: usize,
    log_eta: f64,
    folding_pow_bits: usize,
    n_ood: usize,
    queries: usize,
    query_pow_bits: usize,
}

/// One soundness term, as `--json` prints it.
#[derive(Debug, Serialize)]
struct TermOut {
    round: Option<usize>,
    kind: String,
    error_bits: f64,
    pow_bits: usize,
    bits: f64,
}

/// The whole configuration, as `--json` prints it.
#[derive(Debug, Serialize)]
struct ConfigOut {
    field: &'static str,
    log_n: usize,
    log_inv_rate: usize,
    folding_factor: usize,
    soundness: String,
    security_bits: usize,
    max_pow_bits: usize,
    field_bits: f64,
    commit_ood: usize,
    combination_pow_bits: usize,
    final_vars: usize,
    achieved_bits: f64,
    rounds: Vec<RoundOut>,
    terms: Vec<TermOut>,
}

/// Runs `zkprove whir …`.
pub fn run(args: WhirArgs) -> Result<()> {
    match args.command {
        WhirCommand::Params(p) => params(p),
    }
}

fn derive<F: PrimeField64 + TwoAdicField>(params: WhirParams, degree: usize) -> Result<WhirConfig> {
    WhirConfig::new(params, F::ORDER_U64, degree, F::TWO_ADICITY)
        .context("these WHIR parameters cannot be used")
}

fn params(args: ParamsArgs) -> Result<()> {
    let params = WhirParams {
        log_n: args.log_n as usize,
        log_inv_rate: args.rate as usize,
        folding_factor: args.folding as usize,
        security_bits: args.security_bits as usize,
        max_pow_bits: args.pow_bits as usize,
        soundness: args.soundness.into(),
    };
    let (field, cfg) = match args.field {
        WhirField::Babybear => ("babybear", derive::<BabyBear>(params, 4)?),
        WhirField::Goldilocks => ("goldilocks", derive::<Goldilocks>(params, 2)?),
    };
    let out = ConfigOut {
        field,
        log_n: params.log_n,
        log_inv_rate: params.log_inv_rate,
        folding_factor: params.folding_factor,
        soundness: params.soundness.to_string(),
        security_bits: params.security_bits,
        max_pow_bits: params.max_pow_bits,
        field_bits: cfg.field_bits,
        commit_ood: cfg.commit_ood,
        combination_pow_bits: cfg.combination_pow_bits,
        final_vars: cfg.final_vars,
        achieved_bits: cfg.achieved_bits,
        rounds: cfg
            .rounds
            .iter()
            .map(|r| RoundOut {
                n_vars: r.n_vars,
                log_domain: r.log_domain,
                log_inv_rate: r.log_inv_rate,
                log_eta: r.log_eta,
                folding_pow_bits: r.folding_pow_bits,
                n_ood: r.n_ood,
                queries: r.n_queries,
                query_pow_bits: r.query_pow_bits,
            })
            .collect(),
        terms: cfg
            .terms
            .iter()
            .map(|t| TermOut {
                round: t.round,
                kind: t.kind.to_string(),
                error_bits: t.error_bits,
                pow_bits: t.pow_bits,
                bits: t.bits,
            })
            .collect(),
    };
    if args.json {
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    println!(
        "WHIR over {field} (extension: {:.1} bits), n = {}, rate 2^-{}, k = {}, {} for {} bits, \
         ≤ {} bits of grinding per challenge",
        out.field_bits,
        out.log_n,
        out.log_inv_rate,
        out.folding_factor,
        out.soundness,
        out.security_bits,
        out.max_pow_bits
    );
    println!(
        "commitment: {} OOD samples; {} bits of grinding before the first combination; final \
         polynomial in {} variables",
        out.commit_ood, out.combination_pow_bits, out.final_vars
    );
    println!("round  vars  domain  rate  log2(eta)  queries  query-pow  folding-pow  ood");
    for (i, r) in out.rounds.iter().enumerate() {
        println!(
            "{i:>5}  {:>4}  {:>6}  2^-{:<2} {:>9.2}  {:>7}  {:>9}  {:>11}  {:>3}",
            r.n_vars,
            r.log_domain,
            r.log_inv_rate,
            r.log_eta,
            r.queries,
            r.query_pow_bits,
            r.folding_pow_bits,
            r.n_ood
        );
    }
    println!("terms (bits = error bits + what the proof of work enforces):");
    for t in &out.terms {
        let at = t.round.map_or("commit".to_string(), |i| format!("round {i}"));
        println!(
            "  {at:<8} {:<24} {:>7.2} + pow {:>2} = {:>7.2}",
            t.kind, t.error_bits, t.pow_bits, t.bits
        );
    }
    println!("achieved: {:.2} bits", out.achieved_bits);
    Ok(())
}
