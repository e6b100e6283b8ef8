//! Loads a zkey (and optionally a witness) and prints what it holds and how long loading took:
//! `cargo run --release -p zkprove-circom --example load_zkey -- circuit.zkey [witness.wtns]`.
//! Run it under `/usr/bin/time -v` to see peak memory against the file's size.

use std::time::Instant;

use zkprove_circom::{Witness, Zkey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: load_zkey <circuit.zkey> [witness.wtns]");
        std::process::exit(2);
    };
    let size = std::fs::metadata(&path)?.len();
    let start = Instant::now();
    let zkey = Zkey::open(&path)?;
    let h = &zkey.header;
    println!(
        "{path}: {size} bytes, nVars {}, nPublic {}, domain 2^{}, {} coefficients, loaded in {:.2?}",
        h.n_vars,
        h.n_public,
        h.log_domain_size(),
        zkey.coeffs.len(),
        start.elapsed()
    );
    if let Some(wpath) = args.next() {
        let start = Instant::now();
        let w = Witness::open(&wpath)?;
        w.check_against(h)?;
        println!(
            "{wpath}: {} values, loaded and checked in {:.2?}",
            w.values.len(),
            start.elapsed()
        );
    }
    Ok(())
}
