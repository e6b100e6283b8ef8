//! `zkprove zkey info|export-vkey|synthetic|setup-insecure`: what a proving key holds, its
//! verification key, an *insecure* synthetic key and witness written as snarkjs files, and an
//! *insecure* key for any circom `.r1cs` (the last two for benchmarks and tests only).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_circom::{R1cs, Witness, Zkey, ZkeyInfo};
use zkprove_groth16::setup::{mul_chain, setup};
use zkprove_groth16::verification_key;

/// Arguments of `zkprove zkey`.
#[derive(Debug, Args)]
pub struct ZkeyArgs {
    #[command(subcommand)]
    command: ZkeyCommand,
}

#[derive(Debug, Subcommand)]
enum ZkeyCommand {
    /// Print the sizes of a proving key (reads only its headers).
    Info {
        /// The proving key (`.zkey`).
        zkey: PathBuf,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write the verification key of a proving key, as `snarkjs zkey export verificationkey`.
    ExportVkey {
        /// The proving key (`.zkey`).
        zkey: PathBuf,
        /// Where to write `verification_key.json`.
        verification_key: PathBuf,
    },
    /// INSECURE, for benchmarks and tests only: write a multiplication-chain circuit's proving key
    /// (domain of 2^LOG_N points) and its witness as snarkjs `.zkey` and `.wtns` files.
    ///
    /// The key comes from zkprove's in-memory test setup, whose toxic waste follows from the seed:
    /// anyone can forge proofs for it. It proves and verifies with zkprove and snarkjs like a
    /// ceremony's key, in seconds instead of snarkjs's hour at 2^16. Never use it for real proofs.
    Synthetic {
        /// log2 of the domain size (2 to 28): 2^LOG_N − 2 constraints.
        log_n: u32,
        /// Where to write the proving key (`.zkey`).
        zkey: PathBuf,
        /// Where to write the witness (`.wtns`).
        witness: PathBuf,
        /// Seed of the circuit's input; the setup uses SEED + 1. The default matches
        /// `zkprove bench groth16 --synthetic`.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// INSECURE, for benchmarks and tests only: write a Groth16 proving key (`.zkey`) for any
    /// circom circuit (`.r1cs`), without a powers-of-tau ceremony.
    ///
    /// THE KEY IS NOT SECURE: its toxic waste (τ, α, β, γ, δ) follows from SEED, so anyone who
    /// knows the seed — or guesses it — can forge proofs that it accepts. It has snarkjs's layout
    /// (`snarkjs groth16 setup`): zkprove, snarkjs and rapidsnark prove with it and
    /// `zkey export-vkey` / snarkjs export its verification key, in seconds where snarkjs's
    /// powers of tau take tens of minutes at 2^16 and hours at 2^18. Never use it for real proofs;
    /// real keys come from a ceremony.
    SetupInsecure {
        /// The circuit's constraints (`.r1cs`, as written by `circom --r1cs`).
        r1cs: PathBuf,
        /// Where to write the INSECURE proving key (`.zkey`).
        zkey: PathBuf,
        /// Seed of the toxic waste: the same circuit and seed give the same key, byte for byte.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// Runs `zkprove zkey …`.
pub fn run(args: ZkeyArgs) -> Result<()> {
    match args.command {
        ZkeyCommand::Info { zkey, json } => {
            let info = ZkeyInfo::open(&zkey)?;
            let h = &info.header;
            if json {
                let v = serde_json::json!({
                    "protocol": "groth16",
                    "curve": "bn128",
                    "n_vars": h.n_vars,
                    "n_public": h.n_public,
                    "n_private": h.n_private(),
                    "domain_size": h.domain_size,
                    "log_domain_size": h.log_domain_size(),
                    "n_coeffs": info.n_coeffs,
                    "sections": info.sections.iter().map(|(id, size)| serde_json::json!({"id": id, "size": size})).collect::<Vec<_>>(),
                });
                println!("{v}");
            } else {
                println!("file:            {}", zkey.display());
                println!("protocol:        groth16 (curve bn128 / BN254)");
                println!("signals (nVars): {}", h.n_vars);
                println!("public signals:  {}", h.n_public);
                println!("private signals: {}", h.n_private());
                println!("domain size:     {} (2^{})", h.domain_size, h.log_domain_size());
                println!("coefficients:    {} (A and B entries)", info.n_coeffs);
                for (id, size) in &info.sections {
                    println!("section {id:>2}:      {size} bytes");
                }
            }
            Ok(())
        }
        ZkeyCommand::ExportVkey { zkey, verification_key: out } => {
            let (header, ic) = Zkey::open_verification_data(&zkey)?;
            verification_key(&header, &ic).write(&out)?;
            Ok(())
        }
        ZkeyCommand::Synthetic { log_n, zkey: zkey_path, witness: witness_path, seed } => {
            let start = Instant::now();
            let (r1cs, witness) = mul_chain(log_n, &mut StdRng::seed_from_u64(seed))?;
            let zkey = setup(&r1cs, &mut StdRng::seed_from_u64(seed.wrapping_add(1)))?;
            drop(r1cs);
            let setup_s = start.elapsed().as_secs_f64();
            let start = Instant::now();
            zkey.write(&zkey_path).context("writing the proving key")?;
            Witness { values: witness }.write(&witness_path).context("writing the witness")?;
            eprintln!(
                "wrote {} (INSECURE test key: 2^{log_n} domain, {} signals, {:.1} MB) and {}: \
                 setup {setup_s:.2} s, write {:.2} s",
                zkey_path.display(),
                zkey.header.n_vars,
                zkey.file_size() as f64 / 1e6,
                witness_path.display(),
                start.elapsed().as_secs_f64(),
            );
            Ok(())
        }
        ZkeyCommand::SetupInsecure { r1cs: r1cs_path, zkey: zkey_path, seed } => {
            let start = Instant::now();
            let r1cs = R1cs::open(&r1cs_path)?;
            let zkey = setup(&r1cs, &mut StdRng::seed_from_u64(seed)).with_context(|| {
                format!("{}: no Groth16 key for this circuit", r1cs_path.display())
            })?;
            let (n_constraints, n_vars) = (r1cs.constraints.len(), zkey.header.n_vars);
            drop(r1cs);
            let setup_s = start.elapsed().as_secs_f64();
            let start = Instant::now();
            // The error names the file.
            zkey.write(&zkey_path).context("writing the proving key")?;
            eprintln!(
                "wrote {} (INSECURE test key, seed {seed}: anyone can forge proofs for it) for {}: \
                 {n_constraints} constraints, {n_vars} signals, 2^{} domain, {:.1} MB; \
                 setup {setup_s:.2} s, write {:.2} s",
                zkey_path.display(),
                r1cs_path.display(),
                zkey.header.log_domain_size(),
                zkey.file_size() as f64 / 1e6,
                start.elapsed().as_secs_f64(),
            );
            Ok(())
        }
    }
}
