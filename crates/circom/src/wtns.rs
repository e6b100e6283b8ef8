//! Witness files (`.wtns`, version 2), as written by circom's witness calculators and
//! `snarkjs wtns calculate`:
//!
//! ```text
//! section 1 (header): u32 n8 | prime (n8 bytes LE) | u32 nWitness
//! section 2 (values): nWitness × n8 bytes, each little-endian, standard (not Montgomery) form
//! ```
//!
//! `witness[0]` is the constant 1, `witness[1..=nPublic]` the public signals (outputs, then public
//! inputs).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use rayon::prelude::*;
use zkprove_field::bn254::Fr;
use zkprove_field::{Field, PrimeField};

use crate::binfile::{BinFile, io_error, write_file_header, write_section_header};
use crate::encoding::{BN254_R_LE, N8, describe_prime, fr_from_bytes, le_bytes_to_decimal};
use crate::error::{CircomError, Result};
use crate::files::open_regular;
use crate::zkey::Groth16Header;

/// The highest `.wtns` container version this reader knows.
pub const WTNS_VERSION: u32 = 2;

/// Values decoded per parallel batch.
const CHUNK_VALUES: usize = 1 << 12;

/// A witness over BN254's scalar field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// All signal values, signal 0 (the constant 1) first.
    pub values: Vec<Fr>,
}

impl Witness {
    /// Loads the witness at `path` (a regular file: see [`crate::files`]).
    ///
    /// # Errors
    /// [`CircomError::NotAFile`] for a directory, pipe or device; container errors; [`CircomError::WitnessPrime`] when the file's prime is not BN254's r
    /// (the only field a zkey this crate loads can be over); [`CircomError::SectionSize`] when
    /// the values section does not hold nWitness values; [`CircomError::NotCanonical`] for a
    /// value not below r.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let (f, label) = open_regular(path.as_ref())?;
        Self::read_from(BufReader::with_capacity(1 << 20, f), &label)
    }

    /// Like [`Witness::open`], from any seekable reader; `label` names it in errors.
    ///
    /// # Errors
    /// As [`Witness::open`].
    pub fn read_from<R: Read + Seek>(reader: R, label: &str) -> Result<Self> {
        let mut bin = BinFile::open(reader, label, "wtns", WTNS_VERSION)?;
        let file = bin.file().to_owned();

        let mut s = bin.section(1, "header")?;
        let n8 = s.read_u32()?;
        if n8 == 0 || u64::from(n8) > s.remaining() {
            return Err(CircomError::InvalidHeader {
                file,
                section: 1,
                name: "header",
                field: "n8",
                reason: format!(
                    "{n8} bytes does not fit the section ({} bytes left)",
                    s.remaining()
                ),
            });
        }
        let mut prime = vec![0u8; n8 as usize];
        s.read_bytes(&mut prime)?;
        if prime.as_slice() != BN254_R_LE.as_slice() {
            return Err(CircomError::WitnessPrime {
                zkey: format!("BN254's r ({})", le_bytes_to_decimal(&BN254_R_LE)),
                witness: format!("{} (in {file})", describe_prime(&prime)),
            });
        }
        let n_witness = s.read_u32()?;
        s.finish()?;

        let mut s = bin.section(2, "values")?;
        // In u64: nWitness × 32 fits (a u32 times 32), whatever the width of usize.
        s.expect_size(u64::from(n_witness) * N8 as u64, || {
            format!("nWitness = {n_witness} values × {N8} bytes")
        })?;
        // The section holds nWitness × 32 bytes of the file, so the count fits in memory sizes.
        let n_witness = usize::try_from(n_witness).map_err(|_| CircomError::InvalidHeader {
            file: file.clone(),
            section: 1,
            name: "header",
            field: "nWitness",
            reason: format!("{n_witness} values do not fit this machine's address space"),
        })?;
        // Decoded in parallel straight into the output: no per-batch vector of results.
        let mut values = vec![Fr::ZERO; n_witness];
        let mut buf = vec![0u8; CHUNK_VALUES.min(n_witness) * N8];
        for (batch, slots) in values.chunks_mut(CHUNK_VALUES).enumerate() {
            let bytes = &mut buf[..slots.len() * N8];
            s.read_bytes(bytes)?;
            let first_bad = slots.par_iter_mut().zip(bytes.par_chunks_exact(N8)).position_first(
                |(slot, rec)| match fr_from_bytes(rec) {
                    Some(v) => {
                        *slot = v;
                        false
                    }
                    None => true,
                },
            );
            if let Some(i) = first_bad {
                return Err(CircomError::NotCanonical {
                    file: file.clone(),
                    section: 2,
                    name: "values",
                    index: (batch * CHUNK_VALUES + i) as u64,
                });
            }
        }
        s.finish()?;
        Ok(Self { values })
    }

    /// Checks that this witness fits a proving key: same prime (always BN254's r here), one
    /// value per signal, and `witness[0] = 1`. Errors call the witness "witness": use
    /// [`Witness::check_file_against`] to name its file.
    ///
    /// # Errors
    /// As [`Witness::check_file_against`].
    pub fn check_against(&self, header: &Groth16Header) -> Result<()> {
        self.check_file_against(header, "witness")
    }

    /// [`Witness::check_against`] for the witness read from `file` (its path or label), named in
    /// the errors, so that a user proving many witnesses learns which one was rejected.
    ///
    /// # Errors
    /// [`CircomError::WitnessPrime`], [`CircomError::WitnessLength`] ("Circuit: nVars, witness:
    /// len", as snarkjs and rapidsnark report it) or [`CircomError::InvalidWitness`].
    pub fn check_file_against(&self, header: &Groth16Header, file: &str) -> Result<()> {
        if header.prime_r_le() != BN254_R_LE {
            return Err(CircomError::WitnessPrime {
                zkey: describe_prime(&header.prime_r_le()),
                witness: format!("{} (in {file})", describe_prime(&BN254_R_LE)),
            });
        }
        if self.values.len() as u64 != u64::from(header.n_vars) {
            return Err(CircomError::WitnessLength {
                file: file.to_owned(),
                expected: u64::from(header.n_vars),
                found: self.values.len() as u64,
            });
        }
        match self.values.first() {
            Some(v) if *v == Fr::ONE => {}
            found => {
                return Err(CircomError::InvalidWitness {
                    file: file.to_owned(),
                    reason: format!(
                        "witness[0] must be 1 (the constant signal), found {}",
                        found.map_or_else(|| "nothing".to_owned(), |v| v.to_decimal_string())
                    ),
                });
            }
        }
        Ok(())
    }

    /// The public signals `witness[1..=n_public]` (what `public.json` lists), or `None` when the
    /// witness is too short.
    pub fn public_signals(&self, n_public: usize) -> Option<&[Fr]> {
        self.values.get(1..=n_public)
    }

    /// Writes the witness as a version-2 `.wtns` file.
    ///
    /// # Errors
    /// Only the writer's I/O errors (as [`CircomError::Io`] with `label`).
    pub fn write_to<W: Write>(&self, mut w: W, label: &str) -> Result<()> {
        let io = |e| io_error(label, e);
        let header_len = 4 + N8 as u64 + 4;
        write_file_header(&mut w, b"wtns", WTNS_VERSION, 2).map_err(io)?;
        write_section_header(&mut w, 1, header_len).map_err(io)?;
        w.write_all(&(N8 as u32).to_le_bytes()).map_err(io)?;
        w.write_all(&BN254_R_LE).map_err(io)?;
        w.write_all(&(self.values.len() as u32).to_le_bytes()).map_err(io)?;
        write_section_header(&mut w, 2, (self.values.len() * N8) as u64).map_err(io)?;
        for v in &self.values {
            w.write_all(&v.to_bytes_le()).map_err(io)?;
        }
        Ok(())
    }

    /// Writes the witness as a version-2 `.wtns` file at `path` (created or truncated).
    ///
    /// # Errors
    /// [`CircomError::Io`] naming `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let label = path.as_ref().display().to_string();
        let f = File::create(path.as_ref()).map_err(|e| io_error(&label, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        self.write_to(&mut w, &label)?;
        w.flush().map_err(|e| io_error(&label, e))
    }

    /// The version-2 `.wtns` bytes of this witness.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(44 + N8 + self.values.len() * N8);
        // Writing to a Vec cannot fail.
        let _ = self.write_to(&mut out, "memory");
        out
    }
}
