//! The circom / snarkjs file formats zkprove reads and writes, for BN254 Groth16:
//!
//! - [`Zkey`]: a snarkjs Groth16 proving key (`.zkey`), fully validated at load and written back
//!   with [`Zkey::write_to`]; [`ZkeyInfo`] reads only its headers (for `zkey info`);
//!   [`ZkeyReader`] reads one section at a time (for one-shot proving in less memory).
//! - [`Witness`]: a `.wtns` witness (version 2), with [`Witness::check_against`] a proving key.
//! - [`R1cs`]: a circom constraint system (`.r1cs`), with [`R1cs::check_witness`].
//! - [`Ptau`]: a snarkjs powers-of-tau file (`.ptau`), plain or prepared for phase 2;
//!   [`Ptau::read_powers`] reads only the powers a KZG key needs.
//! - [`Proof`], [`VerificationKey`] and the public-signal helpers: `proof.json`,
//!   `verification_key.json` and `public.json` in snarkjs's exact shape.
//!
//! Inputs are opened only when they are regular files and JSON inputs are capped at
//! [`MAX_JSON_BYTES`]; outputs are written atomically, several at once when they belong together
//! ([`write_files_atomically`], [`write_proof_and_public`]): see [`files`].
//!
//! The binary files share iden3's "binfile" container (magic, version, a table of sections in any
//! order). Files are streamed from a `Read + Seek` (a `BufReader<File>` for paths): points go
//! straight from the reader into their `Vec`, decoded in parallel batches, so loading a key takes
//! about as much memory as the file's size. Every size is checked against the headers and the
//! file's length before anything is allocated, and no input bytes can make a reader panic: every
//! problem is a [`CircomError`] naming the file, the section and what was expected versus found.
//!
//! Byte encodings (from iden3's snarkjs/rapidsnark sources, see the project's format notes):
//! zkey points are affine with little-endian Montgomery coordinates (infinity = all-zero bytes);
//! witness and r1cs values are little-endian standard form; zkey coefficients hold `v·R² mod r`
//! (converted back to `v` at load).

#![forbid(unsafe_code)]

mod binfile;
pub mod encoding;
mod error;
pub mod files;
mod json;
pub mod ptau;
mod r1cs;
mod wtns;
pub mod zkey;

pub use binfile::SectionEntry;
pub use error::{CircomError, Result};
pub use files::{MAX_JSON_BYTES, write_files_atomically};
pub use json::{
    AlphaBeta12, CURVE, PROTOCOL, Proof, VerificationKey, public_signals_from_json,
    public_signals_to_json, read_public_signals, write_proof_and_public, write_public_signals,
};
pub use ptau::{PTAU_VERSION, Ptau, PtauHeader, PtauInfo, PtauLagrange, PtauPowers};
pub use r1cs::{Constraint, LinearCombination, R1CS_VERSION, R1cs, R1csHeader};
pub use wtns::{WTNS_VERSION, Witness};
pub use zkey::{
    Coeff, Coefficients, CompactCoeff, EMPTY_CONTRIBUTIONS_BYTES, G1Query, Groth16Header, Matrix,
    ZKEY_VERSION, Zkey, ZkeyInfo, ZkeyReader,
};
