//! Poseidon over the BN254 scalar field, compatible with circomlib's `Poseidon(n)` template and
//! circomlibjs's `poseidon` (reference version): `x^5`, `t = n + 1`, `R_F = 8`,
//! `R_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68][t − 2]`, state
//! `[0, inputs…]`, output `state[0]`.
//!
//! circomlibjs's `poseidon_constants.json` was made with the Poseidon authors'
//! `generate_parameters_grain.sage 1 0 254 t 8 R_P p`; its round constants and MDS matrices are
//! regenerated here from the same Grain LFSR, so no constant tables are stored:
//! `(R_F + R_P)·t` constants by rejection sampling of 254-bit values, then `2t` more 254-bit
//! values reduced mod `p` (resampled as a whole until distinct) as `x₀…x_{t−1}, y₀…y_{t−1}` of the
//! Cauchy matrix `M[i][j] = 1/(xᵢ + yⱼ)`. `crates/hash/scripts/circomlib_poseidon_kat.mjs`
//! prints the known answers and constant samples the tests check against circomlibjs.
//!
//! Every round: add `t` constants, S-box (all cells in full rounds, cell 0 in partial ones), multiply
//! by `M`. This is the plain (unoptimised) form; circomlib's optimised circuit computes the same
//! function.

use zkprove_field::bn254::Fr;
use zkprove_field::{Field, PrimeField};

use crate::HashError;
use crate::grain::{Grain, GrainSeed};

/// Partial rounds by `t − 2` (circomlib's table: the paper's numbers rounded up).
const N_ROUNDS_P: [usize; 16] = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
/// Full rounds.
const N_ROUNDS_F: usize = 8;

/// circomlib-compatible Poseidon over BN254 Fr for a fixed number of inputs.
#[derive(Clone, Debug)]
pub struct PoseidonBn254 {
    t: usize,
    n_rounds_p: usize,
    /// `(R_F + R_P)·t` round constants, round-major.
    round_constants: Vec<Fr>,
    /// `t × t`, row-major.
    mds: Vec<Fr>,
}

/// A 254-bit value (little-endian limbs) reduced mod `p`.
fn limbs_mod_p(limbs: [u64; 4]) -> Fr {
    let mut bytes = [0u8; 32];
    for (i, l) in limbs.iter().enumerate() {
        bytes[8 * i..8 * i + 8].copy_from_slice(&l.to_le_bytes());
    }
    Fr::from_bytes_le_mod_order(&bytes)
}

impl PoseidonBn254 {
    /// The instance for `n_inputs` inputs (`t = n_inputs + 1`), as circomlib's `Poseidon(n_inputs)`.
    ///
    /// # Errors
    /// [`HashError::UnsupportedWidth`] unless `1 ≤ n_inputs ≤ 16`.
    pub fn new(n_inputs: usize) -> Result<Self, HashError> {
        if !(1..=N_ROUNDS_P.len()).contains(&n_inputs) {
            return Err(HashError::UnsupportedWidth { width: n_inputs + 1 });
        }
        let t = n_inputs + 1;
        let n_rounds_p = N_ROUNDS_P[t - 2];
        let n = Fr::NUM_BITS;
        let mut grain = Grain::new(GrainSeed {
            field_type: 1,
            sbox: 0,
            n,
            t: t as u32,
            r_f: N_ROUNDS_F as u32,
            r_p: n_rounds_p as u32,
        });
        let round_constants = (0..(N_ROUNDS_F + n_rounds_p) * t)
            .map(|_| {
                loop {
                    if let Some(c) = Fr::from_canonical_limbs(grain.next_bits_limbs(n)) {
                        break c;
                    }
                }
            })
            .collect();
        let mds = loop {
            let xy: Vec<Fr> = (0..2 * t).map(|_| limbs_mod_p(grain.next_bits_limbs(n))).collect();
            let distinct = (0..2 * t).all(|i| (0..i).all(|j| xy[i] != xy[j]));
            if !distinct {
                continue;
            }
            let entries: Option<Vec<Fr>> =
                (0..t * t).map(|k| (xy[k / t] + xy[t + k % t]).inverse()).collect();
            if let Some(m) = entries {
                break m;
            }
        };
        Ok(Self { t, n_rounds_p, round_constants, mds })
    }

    /// The state width `t = n_inputs + 1`.
    pub fn width(&self) -> usize {
        self.t
    }

    /// The round constants, `(R_F + R_P)·t` of them, round-major.
    pub fn round_constants(&self) -> &[Fr] {
        &self.round_constants
    }

    /// The MDS matrix, `t × t`, row-major.
    pub fn mds(&self) -> &[Fr] {
        &self.mds
    }

    /// The permutation of a `t`-cell state.
    ///
    /// # Errors
    /// [`HashError::WrongLength`] unless `state.len() == t`.
    pub fn permute_mut(&self, state: &mut [Fr]) -> Result<(), HashError> {
        let t = self.t;
        if state.len() != t {
            return Err(HashError::WrongLength { expected: t, got: state.len() });
        }
        let pow5 = |x: Fr| {
            let x2 = x.square();
            x2.square() * x
        };
        let mut next = vec![Fr::ZERO; t];
        for (r, rc) in self.round_constants.chunks_exact(t).enumerate() {
            for (s, c) in state.iter_mut().zip(rc) {
                *s += *c;
            }
            if r < N_ROUNDS_F / 2 || r >= N_ROUNDS_F / 2 + self.n_rounds_p {
                for s in state.iter_mut() {
                    *s = pow5(*s);
                }
            } else {
                state[0] = pow5(state[0]);
            }
            for (i, out) in next.iter_mut().enumerate() {
                *out = self.mds[i * t..(i + 1) * t]
                    .iter()
                    .zip(state.iter())
                    .map(|(m, s)| *m * *s)
                    .sum();
            }
            state.copy_from_slice(&next);
        }
        Ok(())
    }

    /// `Poseidon(n)(inputs)`: the first cell after permuting `[0, inputs…]`.
    ///
    /// # Errors
    /// [`HashError::WrongLength`] unless `inputs.len() == t − 1`.
    pub fn hash(&self, inputs: &[Fr]) -> Result<Fr, HashError> {
        if inputs.len() + 1 != self.t {
            return Err(HashError::WrongLength { expected: self.t - 1, got: inputs.len() });
        }
        let mut state = Vec::with_capacity(self.t);
        state.push(Fr::ZERO);
        state.extend_from_slice(inputs);
        self.permute_mut(&mut state)?;
        Ok(state[0])
    }
}
