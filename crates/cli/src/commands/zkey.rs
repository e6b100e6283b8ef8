//! `zkprove zkey info|export-vkey`: what a proving key holds, and its verification key.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use zkprove_circom::{Zkey, ZkeyInfo};
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
    }
}
