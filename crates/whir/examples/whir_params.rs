//! Prints the derived WHIR configuration (rounds, terms, achieved bits) for a few parameter sets:
//! `cargo run -p zkprove-whir --example whir_params -- [log_n] [max_pow]`.
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::{PrimeField64, TwoAdicField};
use zkprove_whir::{SoundnessType, WhirConfig, WhirParams};

fn show<F: PrimeField64 + TwoAdicField>(name: &str, d: usize, p: WhirParams) {
    match WhirConfig::new(p, F::ORDER_U64, d, F::TWO_ADICITY) {
        Ok(c) => {
            println!(
                "{name} n={} r={} k={} pow≤{} {}: achieved {:.2}, ood {}, comb pow {}",
                p.log_n,
                p.log_inv_rate,
                p.folding_factor,
                p.max_pow_bits,
                p.soundness,
                c.achieved_bits,
                c.commit_ood,
                c.combination_pow_bits
            );
            for (i, r) in c.rounds.iter().enumerate() {
                println!(
                    "  round {i}: m={} r={} t={} qpow={} fpow={} ood={} log_eta={:.2}",
                    r.n_vars,
                    r.log_inv_rate,
                    r.n_queries,
                    r.query_pow_bits,
                    r.folding_pow_bits,
                    r.n_ood,
                    r.log_eta
                );
            }
        }
        Err(e) => println!("{name} n={} pow≤{} {}: {e}", p.log_n, p.max_pow_bits, p.soundness),
    }
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let n = args.first().copied().unwrap_or(20);
    let pow = args.get(1).copied().unwrap_or(20);
    for s in
        [SoundnessType::ConjectureList, SoundnessType::ProvableList, SoundnessType::UniqueDecoding]
    {
        let p = WhirParams { max_pow_bits: pow, soundness: s, ..WhirParams::new(n) };
        show::<BabyBear>("babybear4", 4, p);
        show::<Goldilocks>("goldilocks2", 2, p);
    }
}
