//! **INSECURE: a Groth16 setup whose toxic waste is known — for tests and benchmarks only, never
//! for real keys.** [`setup`] draws τ, α, β, γ, δ from the caller's generator and keeps them in
//! memory while it computes the key: anyone who knows them (or the generator's seed) can forge
//! proofs. Real keys come from a ceremony (`snarkjs powersoftau` then `snarkjs groth16 setup` /
//! `zkey contribute`) and are read with [`Zkey::open`].
//!
//! What it is for: a valid proving key and witness of any size made in memory, in seconds, where
//! a `.zkey` file cannot be used (a 2^20-constraint key is about 400 MB; snarkjs takes far longer
//! to make it than the proof it is for). [`mul_chain`] is such a circuit: a chain of
//! multiplications whose domain is exactly `2^log_n`.
//!
//! ## The key, as snarkjs's `zkey new` lays it out
//! For an R1CS with `n_constraints` constraints and signals `0..n_vars` (signal 0 the constant
//! one, `1..=n_public` the public signals, outputs first):
//! - the domain `H` has `n = 2^k ≥ n_constraints + n_public + 1` points
//!   ([`R1csHeader::groth16_domain_size`]); rows `0..n_constraints` are the constraints and row
//!   `n_constraints + s` (`s = 0..=n_public`) has `A[n_constraints + s][s] = 1`, B and C zero (these
//!   rows make the public signals' A polynomials independent); the key's `coeffs` hold A and B
//!   only (the prover takes `c = a∘b` on `H`);
//! - `A_j(X) = Σᵢ A[i][j]·Lᵢ(X)` with `Lᵢ` the Lagrange basis of `H` (`ω` snarkjs's root of unity),
//!   likewise `B_j`, `C_j`; `a[j] = [A_j(τ)]₁`, `b1[j] = [B_j(τ)]₁`, `b2[j] = [B_j(τ)]₂`;
//! - `ic[j] = [(β·A_j + α·B_j + C_j)(τ)/γ]₁` for `j ≤ n_public`, `c[j] = [(…)(τ)/δ]₁` for the
//!   private signals `j > n_public`;
//! - `h[i] = [Z(τ)·L'ᵢ(τ)/(Z(g)·δ)]₁` with `L'ᵢ` the Lagrange basis of the coset `gH`,
//!   `g` = [`coset_shift`] and `Z(X) = Xⁿ − 1`: the prover's H scalars are `p(gωⁱ)` for
//!   `p = A·B − C`, a multiple of `Z` of degree `< 2n − 1`, and `p/Z` has degree `< n`, so
//!   `Σᵢ p(gωⁱ)·h[i] = [(p/Z)(τ)·Z(τ)/δ]₁ = [p(τ)/δ]₁` as Groth16 needs. With `g = ω_{2n}`
//!   (`Z(g) = −2`) this is `[L^{2n}_{2i+1}(τ)/δ]₁`, the size-`2n` Lagrange basis at the odd
//!   points, snarkjs's H query.
//!
//! All the Lagrange values at τ come from one batch inversion, and every point from
//! [`fixed_base_batch`] (parallel), so a 2^20-constraint key takes seconds on a many-core machine.

use rand::Rng;
use rayon::prelude::*;
use zkprove_circom::{
    Coeff, Coefficients, Constraint, Groth16Header, Matrix, R1cs, R1csHeader, Zkey,
};
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_curve::{Projective, fixed_base_batch};
use zkprove_field::bn254::Fr;
use zkprove_field::{Field, TwoAdicField, batch_inverse};

use crate::{Groth16Error, coset_shift};

/// Elements per parallel task when computing powers of a root of unity.
const POWERS_CHUNK: usize = 1 << 12;

/// **INSECURE (known toxic waste; tests and benchmarks only).** A Groth16 proving key for `r1cs`,
/// laid out exactly as snarkjs's `zkey new` writes it (see the module docs), with τ, α, β, γ, δ
/// drawn from `rng`, and no contributions (the in-memory [`Zkey`] holds none).
///
/// # Errors
/// [`Groth16Error::InvalidCircuit`] when the header's counts are inconsistent (no signals, more
/// public signals than signals), the header's constraint count differs from the constraints
/// given, or a constraint names a signal `≥ n_wires`; [`Groth16Error::DomainTooLarge`] beyond
/// `2^28` points.
pub fn setup<R: Rng + ?Sized>(r1cs: &R1cs, rng: &mut R) -> Result<Zkey, Groth16Error> {
    let shape = Shape::check(r1cs)?;
    let Shape { n_vars, n_public, n_constraints, log_n } = shape;
    let n = 1usize << log_n;
    let omega = Fr::two_adic_generator(log_n).ok_or(Groth16Error::DomainTooLarge { log_n })?;
    let shift = coset_shift(log_n);
    let shift_n = shift.pow(n as u64);

    // τ must avoid H and gH (where the Lagrange formulas divide by zero); the others be non-zero.
    let tau = loop {
        let t = Fr::random(rng);
        let t_n = t.pow(n as u64);
        if t_n != Fr::ONE && t_n != shift_n {
            break t;
        }
    };
    let [alpha, beta, gamma, delta] = [(); 4].map(|()| nonzero(rng));

    // 1 / (τ − ωⁱ) and 1 / (τ − g·ωⁱ) for i < n, with one batch inversion.
    let omegas = powers_parallel(omega, n);
    let mut inv: Vec<Fr> = omegas.par_iter().map(|w| tau - *w).collect();
    inv.par_extend(omegas.par_iter().map(|w| tau - shift * *w));
    let inv = batch_inverse(&inv);
    let (inv_h, inv_coset) = inv.split_at(n);

    // Lᵢ(τ) = (τⁿ − 1)/n · ωⁱ/(τ − ωⁱ).
    let tau_n = tau.pow(n as u64);
    let n_inv = inverse(Fr::from_u64(n as u64))?;
    let z_tau = tau_n - Fr::ONE;
    let lagrange_factor = z_tau * n_inv;
    let lagrange: Vec<Fr> =
        omegas.par_iter().zip(inv_h).map(|(w, i)| lagrange_factor * *w * *i).collect();

    // A_j(τ), B_j(τ), C_j(τ) for every signal; the public-input rows add L_{n_constraints+s}(τ)
    // to A_s.
    let mut at = vec![Fr::ZERO; n_vars];
    let mut bt = vec![Fr::ZERO; n_vars];
    let mut ct = vec![Fr::ZERO; n_vars];
    for (con, l) in r1cs.constraints.iter().zip(&lagrange) {
        for (lc, acc) in [(&con.a, &mut at), (&con.b, &mut bt), (&con.c, &mut ct)] {
            for &(signal, value) in lc {
                acc[signal as usize] += value * *l;
            }
        }
    }
    for (s, l) in lagrange[n_constraints..=n_constraints + n_public].iter().enumerate() {
        at[s] += *l;
    }
    drop(lagrange);

    // (β·A_j + α·B_j + C_j)(τ), divided by γ (public) or δ (private).
    let gamma_inv = inverse(gamma)?;
    let delta_inv = inverse(delta)?;
    let k = |j: usize| beta * at[j] + alpha * bt[j] + ct[j];
    let ic_scalars: Vec<Fr> = (0..=n_public).map(|j| k(j) * gamma_inv).collect();
    let c_scalars: Vec<Fr> =
        (n_public + 1..n_vars).into_par_iter().map(|j| k(j) * delta_inv).collect();
    drop(ct);

    // h[i] = Z(τ)/Z(g) · L'ᵢ(τ)/δ with L'ᵢ(τ) = (τⁿ − gⁿ)/(n·gⁿ) · gωⁱ/(τ − gωⁱ).
    let h_factor = z_tau
        * inverse(shift_n - Fr::ONE)?
        * (tau_n - shift_n)
        * n_inv
        * inverse(shift_n)?
        * shift
        * delta_inv;
    let h_scalars: Vec<Fr> =
        omegas.par_iter().zip(inv_coset).map(|(w, i)| h_factor * *w * *i).collect();
    drop(omegas);
    drop(inv);

    let coeffs = coefficients(r1cs, n_constraints, n_public)?;
    let g1 = |x: Fr| (Projective::<G1Config>::generator() * x).to_affine();
    let g2 = |x: Fr| (Projective::<G2Config>::generator() * x).to_affine();
    let header = Groth16Header {
        n_vars: n_vars as u32,
        n_public: n_public as u32,
        domain_size: n as u32,
        alpha1: g1(alpha),
        beta1: g1(beta),
        beta2: g2(beta),
        gamma2: g2(gamma),
        delta1: g1(delta),
        delta2: g2(delta),
    };
    Ok(Zkey {
        header,
        ic: fixed_base_batch::<G1Config>(&ic_scalars),
        coeffs,
        a: fixed_base_batch::<G1Config>(&at),
        b1: fixed_base_batch::<G1Config>(&bt),
        b2: fixed_base_batch::<G2Config>(&bt),
        c: fixed_base_batch::<G1Config>(&c_scalars),
        h: fixed_base_batch::<G1Config>(&h_scalars),
    })
}

/// The sizes of a checked constraint system.
struct Shape {
    n_vars: usize,
    n_public: usize,
    n_constraints: usize,
    log_n: usize,
}

impl Shape {
    fn check(r1cs: &R1cs) -> Result<Self, Groth16Error> {
        let invalid = |reason: String| Groth16Error::InvalidCircuit { reason };
        let h = &r1cs.header;
        let n_vars = h.n_wires as usize;
        let n_public = h.n_public() as usize;
        let n_constraints = r1cs.constraints.len();
        if n_vars == 0 || n_public >= n_vars {
            return Err(invalid(format!(
                "{n_vars} signals cannot hold the constant one and {n_public} public signals"
            )));
        }
        if n_constraints != h.n_constraints as usize {
            return Err(invalid(format!(
                "the header announces {} constraints, there are {n_constraints}",
                h.n_constraints
            )));
        }
        for (i, con) in r1cs.constraints.iter().enumerate() {
            for (m, lc) in [("A", &con.a), ("B", &con.b), ("C", &con.c)] {
                if let Some(&(signal, _)) = lc.iter().find(|(s, _)| *s as usize >= n_vars) {
                    return Err(invalid(format!(
                        "constraint {i}, {m}: signal {signal} is beyond the {n_vars} signals"
                    )));
                }
            }
        }
        let rows = n_constraints as u64 + n_public as u64 + 1;
        let log_n = rows.next_power_of_two().trailing_zeros() as usize;
        if log_n > Fr::TWO_ADICITY {
            return Err(Groth16Error::DomainTooLarge { log_n });
        }
        Ok(Self { n_vars, n_public, n_constraints, log_n })
    }
}

/// The A and B entries in snarkjs's order: constraint by constraint (A's terms, then B's), then
/// the public-input rows `A[n_constraints + s][s] = 1`.
fn coefficients(
    r1cs: &R1cs,
    n_constraints: usize,
    n_public: usize,
) -> Result<Coefficients, Groth16Error> {
    let entry = |matrix, constraint: usize, &(signal, value): &(u32, Fr)| Coeff {
        matrix,
        constraint: constraint as u32,
        signal,
        value,
    };
    let rows = r1cs.constraints.iter().enumerate().flat_map(|(i, con)| {
        let a = con.a.iter().map(move |t| entry(Matrix::A, i, t));
        a.chain(con.b.iter().map(move |t| entry(Matrix::B, i, t)))
    });
    let public = (0..=n_public).map(|s| Coeff {
        matrix: Matrix::A,
        constraint: (n_constraints + s) as u32,
        signal: s as u32,
        value: Fr::ONE,
    });
    Coefficients::from_coeffs(rows.chain(public)).ok_or_else(|| Groth16Error::InvalidCircuit {
        reason: format!(
            "more than {} distinct coefficient values",
            Coefficients::MAX_DISTINCT_VALUES
        ),
    })
}

/// `1, x, x², …, x^(n−1)`, in parallel chunks.
fn powers_parallel(x: Fr, n: usize) -> Vec<Fr> {
    let mut out = vec![Fr::ZERO; n];
    out.par_chunks_mut(POWERS_CHUNK).enumerate().for_each(|(chunk, slots)| {
        let mut cur = x.pow((chunk * POWERS_CHUNK) as u64);
        for slot in slots {
            *slot = cur;
            cur *= x;
        }
    });
    out
}

fn nonzero<R: Rng + ?Sized>(rng: &mut R) -> Fr {
    loop {
        let x = Fr::random(rng);
        if !x.is_zero() {
            return x;
        }
    }
}

/// The inverse of a value that cannot be zero here (τ, the toxic waste and `n` are checked or
/// drawn non-zero); an error rather than a panic all the same.
fn inverse(x: Fr) -> Result<Fr, Groth16Error> {
    x.inverse().ok_or_else(|| Groth16Error::InvalidCircuit {
        reason: "a setup value is zero (unreachable for a valid domain)".to_owned(),
    })
}

/// A test circuit whose Groth16 domain has exactly `2^log_n` points: one public output, one
/// private input `x₀`, and `m = 2^log_n − 2` constraints (with the two public-input rows, `2^log_n`
/// rows) computing `x₁, …, x_{m−1}` and the output `x_m`, constraint `k` writing `x_{k+1}`:
///
/// | `k mod 3` | constraint |
/// |---|---|
/// | 0 | `x_k · x_k = x_{k+1}` |
/// | 1 | `(3·x_k) · (x_k + 1) = x_{k+1}` (a coefficient, and the constant signal in B) |
/// | 2 | `(x_k + 2·x_{k−1}) · (−x_k) = 5·x_{k+1}` (two terms in A, −1 in B, 5 in C) |
///
/// Signals: 0 the constant one, 1 the output `x_m`, 2 the input `x₀`, then `x₁ … x_{m−1}`. Returns
/// the constraint system and its full witness (`w[0] = 1`, the output, then `x₀, x₁, …`) for a
/// random `x₀` from `rng`.
///
/// # Errors
/// [`Groth16Error::InvalidCircuit`] for `log_n < 2` (no room for a constraint) and
/// [`Groth16Error::DomainTooLarge`] beyond `2^28`.
pub fn mul_chain<R: Rng + ?Sized>(
    log_n: u32,
    rng: &mut R,
) -> Result<(R1cs, Vec<Fr>), Groth16Error> {
    if log_n < 2 {
        return Err(Groth16Error::InvalidCircuit {
            reason: format!(
                "a multiplication chain needs a domain of 2^2 points or more, not 2^{log_n}"
            ),
        });
    }
    if log_n as usize > Fr::TWO_ADICITY {
        return Err(Groth16Error::DomainTooLarge { log_n: log_n as usize });
    }
    let m = (1usize << log_n) - 2;
    let n_wires = m + 2;
    // The signal holding x_k (k ≤ m).
    let signal = |k: usize| -> u32 { if k == m { 1 } else { (k + 2) as u32 } };
    let (three, five, two) = (Fr::from_u64(3), Fr::from_u64(5), Fr::from_u64(2));
    let five_inv = inverse(five)?;

    let mut constraints = Vec::with_capacity(m);
    let mut x = Vec::with_capacity(m + 1);
    x.push(Fr::random(rng));
    for k in 0..m {
        let (xk, out) = (x[k], signal(k + 1));
        let (con, next) = match k % 3 {
            0 => (
                Constraint {
                    a: vec![(signal(k), Fr::ONE)],
                    b: vec![(signal(k), Fr::ONE)],
                    c: vec![(out, Fr::ONE)],
                },
                xk * xk,
            ),
            1 => (
                Constraint {
                    a: vec![(signal(k), three)],
                    b: vec![(signal(k), Fr::ONE), (0, Fr::ONE)],
                    c: vec![(out, Fr::ONE)],
                },
                three * xk * (xk + Fr::ONE),
            ),
            _ => (
                Constraint {
                    a: vec![(signal(k), Fr::ONE), (signal(k - 1), two)],
                    b: vec![(signal(k), Fr::NEG_ONE)],
                    c: vec![(out, five)],
                },
                -(xk + two * x[k - 1]) * xk * five_inv,
            ),
        };
        constraints.push(con);
        x.push(next);
    }
    let mut witness = Vec::with_capacity(n_wires);
    witness.push(Fr::ONE);
    witness.push(x[m]);
    witness.extend_from_slice(&x[..m]);
    let header = R1csHeader {
        n_wires: n_wires as u32,
        n_pub_out: 1,
        n_pub_in: 0,
        n_prv_in: 1,
        n_labels: n_wires as u64,
        n_constraints: m as u32,
    };
    Ok((R1cs { header, constraints }, witness))
}
