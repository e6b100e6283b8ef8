//! What a job proves. Only Groth16 (snarkjs zkeys, circom witnesses) exists today; the kind is
//! stored with every circuit and job so that PLONK, zkML and AIR proofs can be added as new
//! variants (with their own upload check in `api` and prover in `worker`) without a schema change.

/// The proof system of a circuit and its jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Groth16 over BN254 for a snarkjs `.zkey` and a circom `.wtns`.
    Groth16,
}

impl JobKind {
    /// The kind as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Groth16 => "groth16",
        }
    }

    /// Parses a stored kind.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "groth16" => Some(Self::Groth16),
            _ => None,
        }
    }
}
