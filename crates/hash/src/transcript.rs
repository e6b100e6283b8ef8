//! A Fiat–Shamir transcript: a duplex sponge over Poseidon2 (the construction of Plonky3's
//! `DuplexChallenger`).
//!
//! Observed elements are buffered; when `RATE` are pending, or when a challenge is asked for with
//! anything pending, they overwrite the first cells of the state and the state is permuted; the
//! first `RATE` cells of the result are then handed out as challenges, last cell first. Observing
//! anything discards the unused challenges, so every challenge depends on everything observed
//! before it. The prover and the verifier run the same object with the same calls.

use zkprove_field::{ExtensionField, Field, PrimeField64};

use crate::{HashError, Poseidon2};

/// A duplex-sponge transcript over a `WIDTH`-cell Poseidon2 with `RATE` cells of rate.
#[derive(Clone, Debug)]
pub struct Transcript<F: Field, const WIDTH: usize, const RATE: usize> {
    perm: Poseidon2<F, WIDTH>,
    state: [F; WIDTH],
    input: Vec<F>,
    output: Vec<F>,
}

impl<F: Field, const WIDTH: usize, const RATE: usize> Transcript<F, WIDTH, RATE> {
    /// A fresh transcript (all-zero state).
    ///
    /// # Errors
    /// [`HashError::UnsupportedWidth`] unless `0 < RATE < WIDTH` (the capacity must be non-empty).
    pub fn new(perm: Poseidon2<F, WIDTH>) -> Result<Self, HashError> {
        if RATE == 0 || RATE >= WIDTH {
            return Err(HashError::UnsupportedWidth { width: WIDTH });
        }
        Ok(Self {
            perm,
            state: [F::ZERO; WIDTH],
            input: Vec::with_capacity(RATE),
            output: Vec::with_capacity(RATE),
        })
    }

    /// A fresh transcript that has observed a protocol label (its bytes, then its length), so
    /// that different protocols never share challenges.
    ///
    /// # Errors
    /// As [`Transcript::new`].
    pub fn with_label(perm: Poseidon2<F, WIDTH>, label: &[u8]) -> Result<Self, HashError> {
        let mut t = Self::new(perm)?;
        for &b in label {
            t.observe(F::from_u64(u64::from(b)));
        }
        t.observe(F::from_u64(label.len() as u64));
        Ok(t)
    }

    fn duplex(&mut self) {
        for (cell, x) in self.state.iter_mut().zip(self.input.drain(..)) {
            *cell = x;
        }
        self.perm.permute_mut(&mut self.state);
        self.output.clear();
        self.output.extend_from_slice(&self.state[..RATE]);
    }

    /// Absorbs one base-field element.
    pub fn observe(&mut self, x: F) {
        self.output.clear();
        self.input.push(x);
        if self.input.len() == RATE {
            self.duplex();
        }
    }

    /// Absorbs base-field elements in order.
    pub fn observe_slice(&mut self, xs: &[F]) {
        for &x in xs {
            self.observe(x);
        }
    }

    /// Absorbs an extension-field element (its coefficients over `F`, lowest first).
    pub fn observe_ext<E: ExtensionField<F>>(&mut self, x: &E) {
        self.observe_slice(x.as_base_slice());
    }

    /// Absorbs a commitment (a Merkle root or any digest of field elements).
    pub fn observe_digest<const N: usize>(&mut self, digest: &[F; N]) {
        self.observe_slice(digest);
    }

    /// Squeezes a base-field challenge.
    pub fn sample(&mut self) -> F {
        if !self.input.is_empty() || self.output.is_empty() {
            self.duplex();
        }
        // `duplex` always refills `output` with RATE > 0 cells.
        self.output.pop().unwrap_or(F::ZERO)
    }

    /// Squeezes an extension-field challenge from `E::DEGREE` base-field challenges.
    pub fn sample_ext<E: ExtensionField<F>>(&mut self) -> E {
        let coeffs: Vec<F> = (0..E::DEGREE).map(|_| self.sample()).collect();
        E::from_base_slice(&coeffs).unwrap_or_default()
    }
}

impl<F: PrimeField64, const WIDTH: usize, const RATE: usize> Transcript<F, WIDTH, RATE> {
    /// Squeezes an integer of `bits` bits (the low bits of a base-field challenge), e.g. a query
    /// index into a domain of size `2^bits`.
    ///
    /// The bias is at most `2^bits / p` per value (small for the 31- and 64-bit fields and small
    /// `bits`).
    ///
    /// # Errors
    /// [`HashError::WrongLength`] when `bits ≥ F::NUM_BITS` (expected: the largest allowed).
    pub fn sample_bits(&mut self, bits: u32) -> Result<usize, HashError> {
        if bits >= F::NUM_BITS || bits >= usize::BITS {
            return Err(HashError::WrongLength {
                expected: (F::NUM_BITS - 1) as usize,
                got: bits as usize,
            });
        }
        let v = self.sample().as_canonical_u64();
        Ok((v & ((1u64 << bits) - 1)) as usize)
    }
}
