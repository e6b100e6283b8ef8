//! circom constraint systems (`.r1cs`, version 1), to check witnesses and describe circuits
//! (proving needs only the zkey):
//!
//! ```text
//! section 1 (header): u32 fs | prime (fs bytes) | u32 nWires | u32 nPubOut | u32 nPubIn
//!                     | u32 nPrvIn | u64 nLabels | u32 nConstraints
//! section 2 (constraints): per constraint, the linear combinations A, B, C, each
//!                     u32 nFactors, then nFactors × (u32 wire | fs-byte value, standard form)
//! section 3 (wire → label map): nWires × u64
//! sections 4, 5: custom gates (PLONK only; ignored)
//! ```
//!
//! Constraint `i` holds when `(A_i·w)·(B_i·w) = C_i·w`.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use zkprove_field::Field;
use zkprove_field::bn254::Fr;

use crate::binfile::{BinFile, SectionReader, io_error};
use crate::encoding::{BN254_R_LE, N8, describe_prime, fr_from_bytes};
use crate::error::{CircomError, Result};

/// The highest `.r1cs` container version this reader knows.
pub const R1CS_VERSION: u32 = 1;

/// The `.r1cs` header (section 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1csHeader {
    /// Number of wires (signals), including the constant-one wire 0.
    pub n_wires: u32,
    /// Number of public outputs (wires `1..=n_pub_out`).
    pub n_pub_out: u32,
    /// Number of public inputs (the wires after the outputs).
    pub n_pub_in: u32,
    /// Number of private inputs.
    pub n_prv_in: u32,
    /// Number of labels (signals before circom's optimisation).
    pub n_labels: u64,
    /// Number of constraints.
    pub n_constraints: u32,
}

impl R1csHeader {
    /// Number of public signals (outputs plus public inputs): a zkey's nPublic. Saturates at
    /// `u32::MAX`; a header read from a file always has `n_public() < n_wires`.
    pub fn n_public(&self) -> u32 {
        self.n_pub_out.saturating_add(self.n_pub_in)
    }

    /// The Groth16 domain size snarkjs's `groth16 setup` picks for this circuit:
    /// `2^(floor(log2(n_constraints + n_public)) + 1)`. `None` when it exceeds `2^28`.
    pub fn groth16_domain_size(&self) -> Option<u32> {
        let v = u64::from(self.n_constraints) + u64::from(self.n_public());
        let log = if v == 0 { 0 } else { 63 - v.leading_zeros() } + 1;
        (log <= 28).then(|| 1u32 << log)
    }
}

/// A sparse linear combination `Σ coeff·w[wire]`, as `(wire, coeff)` pairs.
pub type LinearCombination = Vec<(u32, Fr)>;

/// One constraint `(A·w)·(B·w) = C·w`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    /// A.
    pub a: LinearCombination,
    /// B.
    pub b: LinearCombination,
    /// C.
    pub c: LinearCombination,
}

/// A circom constraint system over BN254's scalar field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1cs {
    /// The header.
    pub header: R1csHeader,
    /// The constraints, in file order.
    pub constraints: Vec<Constraint>,
}

fn read_lc<R: Read>(
    s: &mut SectionReader<'_, R>,
    n_wires: u32,
    what: &str,
) -> Result<LinearCombination> {
    let n = s.read_u32()?;
    let record = (4 + N8) as u64;
    if u64::from(n) * record > s.remaining() {
        return Err(s.size_error(
            u64::from(n) * record + (s.size() - s.remaining()),
            format!(": {what} announces {n} factors, more than the section holds"),
        ));
    }
    let mut lc = Vec::with_capacity(n as usize);
    let mut buf = [0u8; 4 + N8];
    for _ in 0..n {
        s.read_bytes(&mut buf)?;
        let wire = crate::binfile::u32_le(&buf[..4]);
        if wire >= n_wires {
            return Err(CircomError::WireOutOfRange {
                what: format!("{}: {what}", s.file()),
                wire: u64::from(wire),
                n_wires: u64::from(n_wires),
            });
        }
        let value = fr_from_bytes(&buf[4..]).ok_or_else(|| CircomError::NotCanonical {
            file: s.file().to_owned(),
            section: s.id(),
            name: s.name(),
            index: lc.len() as u64,
        })?;
        lc.push((wire, value));
    }
    Ok(lc)
}

fn eval_lc(lc: &LinearCombination, w: &[Fr], what: impl Fn() -> String) -> Result<Fr> {
    let mut acc = Fr::ZERO;
    for &(wire, coeff) in lc {
        let v = w.get(wire as usize).ok_or_else(|| CircomError::WireOutOfRange {
            what: what(),
            wire: u64::from(wire),
            n_wires: w.len() as u64,
        })?;
        acc += coeff * *v;
    }
    Ok(acc)
}

impl R1cs {
    /// Loads the constraint system at `path`.
    ///
    /// # Errors
    /// Container errors, a prime other than BN254's r ([`CircomError::WrongCurve`]), section
    /// sizes that disagree with the header, wires out of range, values not below r.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let label = path.as_ref().display().to_string();
        let f = File::open(path.as_ref()).map_err(|e| io_error(&label, e))?;
        Self::read_from(BufReader::with_capacity(1 << 20, f), &label)
    }

    /// Like [`R1cs::open`], from any seekable reader; `label` names it in errors.
    ///
    /// # Errors
    /// As [`R1cs::open`].
    pub fn read_from<R: Read + Seek>(reader: R, label: &str) -> Result<Self> {
        let mut bin = BinFile::open(reader, label, "r1cs", R1CS_VERSION)?;
        let file = bin.file().to_owned();

        let mut s = bin.section(1, "header")?;
        let fs = s.read_u32()?;
        if fs == 0 || u64::from(fs) > s.remaining() {
            return Err(CircomError::InvalidHeader {
                file,
                section: 1,
                name: "header",
                field: "field size",
                reason: format!(
                    "{fs} bytes does not fit the section ({} bytes left)",
                    s.remaining()
                ),
            });
        }
        let mut prime = vec![0u8; fs as usize];
        s.read_bytes(&mut prime)?;
        if prime.as_slice() != BN254_R_LE.as_slice() {
            return Err(CircomError::WrongCurve {
                file,
                section: 1,
                name: "header",
                which: "scalar field prime r",
                found: describe_prime(&prime),
            });
        }
        let header = R1csHeader {
            n_wires: s.read_u32()?,
            n_pub_out: s.read_u32()?,
            n_pub_in: s.read_u32()?,
            n_prv_in: s.read_u32()?,
            n_labels: s.read_u64()?,
            n_constraints: s.read_u32()?,
        };
        s.finish()?;
        // In u64: the three counts are u32s each, and their sum may not fit one.
        let n_public = u64::from(header.n_pub_out) + u64::from(header.n_pub_in);
        if n_public + u64::from(header.n_prv_in) >= u64::from(header.n_wires) {
            return Err(CircomError::InvalidHeader {
                file,
                section: 1,
                name: "header",
                field: "nWires",
                reason: format!(
                    "{} wires cannot hold the constant, {n_public} public and {} private inputs",
                    header.n_wires, header.n_prv_in
                ),
            });
        }

        let mut s = bin.section(2, "constraints")?;
        // Each constraint takes at least 12 bytes (three empty LCs): bound the allocation.
        let n = header.n_constraints as usize;
        if n as u64 * 12 > s.size() {
            return Err(s.size_error(
                n as u64 * 12,
                format!(": at least 12 bytes for each of the {n} constraints"),
            ));
        }
        let mut constraints = Vec::with_capacity(n);
        for i in 0..n {
            let a = read_lc(&mut s, header.n_wires, &format!("constraint {i}, A"))?;
            let b = read_lc(&mut s, header.n_wires, &format!("constraint {i}, B"))?;
            let c = read_lc(&mut s, header.n_wires, &format!("constraint {i}, C"))?;
            constraints.push(Constraint { a, b, c });
        }
        s.finish()?;

        if bin.sections().contains_key(&3) {
            let s = bin.section(3, "wire to label map")?;
            let n_wires = header.n_wires;
            s.expect_size(u64::from(n_wires) * 8, || {
                format!("nWires = {n_wires} labels × 8 bytes")
            })?;
        }
        Ok(Self { header, constraints })
    }

    /// Checks that `witness` (one value per wire, wire 0 = 1) satisfies every constraint.
    ///
    /// # Errors
    /// [`CircomError::WitnessLength`] when the witness does not have one value per wire,
    /// [`CircomError::InvalidWitness`] when `witness[0] ≠ 1`, [`CircomError::Unsatisfied`] for the
    /// first constraint that fails.
    pub fn check_witness(&self, witness: &[Fr]) -> Result<()> {
        if witness.len() as u64 != u64::from(self.header.n_wires) {
            return Err(CircomError::WitnessLength {
                expected: u64::from(self.header.n_wires),
                found: witness.len() as u64,
            });
        }
        if witness.first() != Some(&Fr::ONE) {
            return Err(CircomError::InvalidWitness {
                reason: "witness[0] must be 1 (the constant signal)".to_owned(),
            });
        }
        for (i, con) in self.constraints.iter().enumerate() {
            let what = |m: &'static str| move || format!("constraint {i}, {m}");
            let a = eval_lc(&con.a, witness, what("A"))?;
            let b = eval_lc(&con.b, witness, what("B"))?;
            let c = eval_lc(&con.c, witness, what("C"))?;
            if a * b != c {
                return Err(CircomError::Unsatisfied { constraint: i as u64 });
            }
        }
        Ok(())
    }
}
