//! snarkjs Groth16 proving keys (`.zkey`, version 1) for BN254.
//!
//! | id | section | content |
//! |---:|---|---|
//! | 1 | header | `u32` protocol: 1 = Groth16 (2 = PLONK, 10 = fflonk are rejected by name) |
//! | 2 | Groth16 header | `n8q`, q, `n8r`, r, nVars, nPublic, domainSize, α₁, β₁, β₂, γ₂, δ₁, δ₂ |
//! | 3 | IC | nPublic + 1 G1 points |
//! | 4 | coeffs | `u32` count, then 44-byte records `(matrix, constraint, signal, v·R² mod r)` |
//! | 5, 6 | A, B1 | nVars G1 points each |
//! | 7 | B2 | nVars G2 points |
//! | 8 | C | nVars − nPublic − 1 G1 points (empty when every signal is public) |
//! | 9 | H | domainSize G1 points (odd-coset Lagrange basis, see the prover) |
//! | 10 | contributions | ignored; written as a 64-byte csHash (zero) and 0 contributions |
//!
//! Points are affine with little-endian Montgomery coordinates, infinity as all-zero bytes.
//!
//! **What loading checks.** The container (magic, version, unique sections, sizes against the file
//! length); protocol and both primes; every section's size against nVars, nPublic and domainSize;
//! every coordinate below q and every point on its curve (infinity allowed, except for the
//! header's α₁, β₁, β₂, γ₂, δ₁, δ₂: a key with one of them at infinity proves nothing); every
//! coefficient record (matrix 0 or 1, constraint < domainSize, signal < nVars, value < r); and
//! that the header's G2 points (β₂, γ₂, δ₂) lie in the prime-order subgroup. A path must be a
//! regular file (see [`crate::files`]).
//!
//! **What it does not check by default:** subgroup membership of the nVars B2 points. G2 has a
//! large cofactor, so that check costs a scalar multiplication per point (a 63-bit one, see
//! `zkprove_curve::bn254::g2_is_in_subgroup`): measured about 210 µs per point on one core of
//! the shared 2-core development machine (AMD EPYC, `test` profile), 3.5 s for a 2^14 key —
//! several times the proof itself. A B2 point outside the subgroup can only produce a proof that
//! fails verification, which the prover checks before writing anything. Callers that will not
//! verify (`zkprove groth16 prove --no-verify`) read with
//! [`ZkeyReader::with_b2_subgroup_check`], and a caller whose proof failed runs
//! [`ZkeyReader::check_b2_subgroup`] (streamed) or [`Zkey::check_b2_subgroup`] to find the point.
//! G1 has cofactor 1, so on-curve G1 points are always in the group.
//!
//! **Cost.** Loading streams the file once through a 1 MiB `BufReader`, decoding and checking
//! points in parallel batches straight into their vectors. Measured with the `load_zkey` example
//! (release, 2 shared cores): a 124 MB zkey with 2^18 signals and a 2^18 domain loads in 1.2 s
//! with a peak resident size of 1.08× the file's size.
//!
//! **Writing.** [`Zkey::write_to`] writes the same layout back (sections 1–10 in id order, as
//! snarkjs does), encoding points in parallel batches; sections 1–9 of a key read from a snarkjs
//! file come out byte for byte as they went in. Section 10 (the ceremony's history) is not kept
//! in memory: a written key has an all-zero csHash and no contributions, which `snarkjs groth16
//! prove` and `zkey export verificationkey` ignore (snarkjs's `zkey verify` will not accept it).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use rayon::prelude::*;
use zkprove_curve::bn254::{G1Affine, G2Affine};
use zkprove_field::bn254::Fr;

use crate::binfile::{BinFile, SectionReader, io_error, write_file_header, write_section_header};
use crate::encoding::{
    BN254_Q_LE, BN254_R_LE, G1_BYTES, G2_BYTES, N8, PointDefect, describe_prime,
    fr_from_double_mont_bytes, fr_to_double_mont_bytes, g1_from_mont_bytes, g1_to_mont_bytes,
    g2_from_mont_bytes, g2_to_mont_bytes,
};
use crate::error::{CircomError, Result};
use crate::files::open_regular;

/// The highest `.zkey` container version this reader knows.
pub const ZKEY_VERSION: u32 = 1;

/// Section ids of a Groth16 `.zkey`.
pub mod section {
    /// `u32` protocol id.
    pub const HEADER: u32 = 1;
    /// The Groth16 header.
    pub const GROTH16_HEADER: u32 = 2;
    /// IC: the verification key's public-input points.
    pub const IC: u32 = 3;
    /// The A and B matrices' coefficients.
    pub const COEFFS: u32 = 4;
    /// A query (G1).
    pub const A: u32 = 5;
    /// B query in G1.
    pub const B1: u32 = 6;
    /// B query in G2.
    pub const B2: u32 = 7;
    /// C query for private signals (G1).
    pub const C: u32 = 8;
    /// H query (G1).
    pub const H: u32 = 9;
    /// The setup's contributions (not needed to prove).
    pub const CONTRIBUTIONS: u32 = 10;
}

/// Size of a coefficient record: `u32 matrix | u32 constraint | u32 signal | 32-byte value`.
pub const COEFF_RECORD_BYTES: usize = 12 + N8;

/// Size of the Groth16 header section for BN254.
pub const GROTH16_HEADER_BYTES: u64 = (4 + N8 + 4 + N8 + 12 + 3 * G1_BYTES + 3 * G2_BYTES) as u64;

/// Size of the contributions section [`Zkey::write_to`] writes: a 64-byte csHash and a `u32`
/// count of 0 contributions.
pub const EMPTY_CONTRIBUTIONS_BYTES: u64 = 64 + 4;

/// The largest domain BN254's scalar field has roots of unity for (`2^28`).
pub const MAX_LOG_DOMAIN_SIZE: u32 = 28;

/// The defect of a G2 point outside the prime-order subgroup.
const NOT_IN_SUBGROUP: PointDefect = "not in the prime-order subgroup";

/// The defect of a header δ₂ equal to γ₂.
const UNCONTRIBUTED: PointDefect = "δ₂ equals γ₂ (a key with no phase-2 contribution accepts \
                                    forged proofs for any public signals)";
/// The defect of a header point (α, β, γ, δ) at infinity.
const AT_INFINITY: PointDefect = "the point at infinity (α, β, γ and δ must not be)";

/// Points decoded per parallel batch while streaming a section (bounded extra memory).
const CHUNK_POINTS: usize = 1 << 12;

/// The Groth16 header (section 2): sizes and the fixed points of the proving key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Groth16Header {
    /// Number of signals (wires), including the constant-one signal 0.
    pub n_vars: u32,
    /// Number of public signals (outputs then public inputs), excluding signal 0.
    pub n_public: u32,
    /// Size of the evaluation domain, a power of two.
    pub domain_size: u32,
    /// `[α]₁`.
    pub alpha1: G1Affine,
    /// `[β]₁`.
    pub beta1: G1Affine,
    /// `[β]₂`.
    pub beta2: G2Affine,
    /// `[γ]₂`.
    pub gamma2: G2Affine,
    /// `[δ]₁`.
    pub delta1: G1Affine,
    /// `[δ]₂`.
    pub delta2: G2Affine,
}

impl Groth16Header {
    /// `log2(domain_size)`.
    pub fn log_domain_size(&self) -> u32 {
        self.domain_size.trailing_zeros()
    }

    /// Number of private signals (`n_vars − n_public − 1`): the length of the C section. 0 for a
    /// hand-made header with `n_public ≥ n_vars` (a file with one is refused at load).
    pub fn n_private(&self) -> usize {
        (u64::from(self.n_vars).saturating_sub(u64::from(self.n_public) + 1)) as usize
    }

    /// The scalar-field prime r the key is over, little-endian (always BN254's: others are
    /// rejected at load). Used to compare with a witness's prime.
    pub fn prime_r_le(&self) -> [u8; 32] {
        BN254_R_LE
    }
}

/// Which matrix a coefficient belongs to (the zkey stores only A and B; C is implied).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Matrix {
    /// The A matrix (matrix id 0).
    A,
    /// The B matrix (matrix id 1).
    B,
}

/// One non-zero entry of the A or B matrix: `matrix[constraint][signal] = value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coeff {
    /// A or B.
    pub matrix: Matrix,
    /// The row (constraint), below the domain size.
    pub constraint: u32,
    /// The column (signal), below nVars.
    pub signal: u32,
    /// The coefficient itself (the file's `v·R²` already converted back to `v`).
    pub value: Fr,
}

/// One entry of [`Coefficients`]: a matrix cell and the index of its value in the shared value table
/// (12 bytes against the file's 44).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompactCoeff {
    /// The row (constraint), below the domain size.
    pub constraint: u32,
    /// The column (signal), below nVars.
    pub signal: u32,
    /// Bit 31: the matrix (0 = A, 1 = B); bits 0..31: the index into [`Coefficients::values`].
    tag: u32,
}

impl CompactCoeff {
    const MATRIX_BIT: u32 = 1 << 31;

    /// A or B.
    pub fn matrix(&self) -> Matrix {
        if self.tag & Self::MATRIX_BIT == 0 { Matrix::A } else { Matrix::B }
    }

    /// The index of the value in [`Coefficients::values`].
    pub fn value_index(&self) -> usize {
        (self.tag & !Self::MATRIX_BIT) as usize
    }
}

/// The A and B matrices' entries, in file order, stored compactly: circuits repeat a few distinct
/// coefficients (±1, powers of two, a hash's MDS entries) across many cells, so each entry keeps an
/// index into one table of distinct values — 12 bytes per entry plus 32 per distinct value, against
/// the file's 44 per entry (a key whose values are all distinct costs 44 bytes per entry, as the file).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coefficients {
    entries: Vec<CompactCoeff>,
    values: Vec<Fr>,
}

impl Coefficients {
    /// The largest number of distinct values (the index has 31 bits).
    pub const MAX_DISTINCT_VALUES: usize = 1 << 31;

    /// Collects coefficients, deduplicating their values; `None` beyond
    /// [`Coefficients::MAX_DISTINCT_VALUES`] distinct values.
    pub fn from_coeffs(coeffs: impl IntoIterator<Item = Coeff>) -> Option<Self> {
        let mut builder = CoefficientsBuilder::default();
        for c in coeffs {
            builder.push(c).ok()?;
        }
        Some(builder.finish())
    }

    /// The number of entries (A and B together).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries (a key whose signals are all public still has the public-input
    /// rows, so only hand-made keys are empty).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in file order, each with an index into [`Coefficients::values`].
    pub fn entries(&self) -> &[CompactCoeff] {
        &self.entries
    }

    /// The distinct values, in order of first appearance.
    pub fn values(&self) -> &[Fr] {
        &self.values
    }

    /// The entries in file order, with their values.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Coeff> + '_ {
        self.entries.iter().map(|e| Coeff {
            matrix: e.matrix(),
            constraint: e.constraint,
            signal: e.signal,
            value: self.values[e.value_index()],
        })
    }
}

/// Builds [`Coefficients`] one entry at a time.
#[derive(Default)]
struct CoefficientsBuilder {
    entries: Vec<CompactCoeff>,
    values: Vec<Fr>,
    index: std::collections::HashMap<Fr, u32>,
    /// Indices into `values` of the last [`RECENT_VALUES`] distinct values pushed, most recent
    /// first (`n_recent` of them), compared before the hash map is asked.
    recent: [u32; RECENT_VALUES],
    n_recent: usize,
}

/// How many recently used coefficient values [`CoefficientsBuilder::push`] compares before
/// hashing: circom keys use a handful of distinct values (1, −1, powers of two; five in the
/// SHA-256 benchmark key's 192k coefficients, where four recent values answer all but 7 lookups),
/// and the serial hashing of every value was ~1 % of a 2^16 proof's CPU time.
const RECENT_VALUES: usize = 4;

impl CoefficientsBuilder {
    fn with_capacity(n: usize) -> Self {
        Self { entries: Vec::with_capacity(n), ..Self::default() }
    }

    /// Appends `c`; an error when its value would be one distinct value too many.
    fn push(&mut self, c: Coeff) -> core::result::Result<(), String> {
        let recent = &self.recent[..self.n_recent];
        let index = match recent.iter().position(|&i| self.values[i as usize] == c.value) {
            Some(k) => {
                // Move to the front.
                let i = self.recent[k];
                self.recent.copy_within(0..k, 1);
                self.recent[0] = i;
                i
            }
            None => {
                let i = match self.index.get(&c.value) {
                    Some(&i) => i,
                    None => {
                        let i = self.values.len();
                        if i >= Coefficients::MAX_DISTINCT_VALUES {
                            return Err(format!(
                                "more than {} distinct coefficient values",
                                Coefficients::MAX_DISTINCT_VALUES
                            ));
                        }
                        self.values.push(c.value);
                        self.index.insert(c.value, i as u32);
                        i as u32
                    }
                };
                self.n_recent = (self.n_recent + 1).min(RECENT_VALUES);
                self.recent.copy_within(0..self.n_recent - 1, 1);
                self.recent[0] = i;
                i
            }
        };
        let matrix_bit = match c.matrix {
            Matrix::A => 0,
            Matrix::B => CompactCoeff::MATRIX_BIT,
        };
        self.entries.push(CompactCoeff {
            constraint: c.constraint,
            signal: c.signal,
            tag: index | matrix_bit,
        });
        Ok(())
    }

    fn finish(mut self) -> Coefficients {
        self.values.shrink_to_fit();
        Coefficients { entries: self.entries, values: self.values }
    }
}

/// A whole Groth16 proving key, in memory.
///
/// Its size is at most the file's: every point is stored as in the file (64 or 128 bytes), and
/// coefficients take 12 bytes plus a share of a table of distinct values (see [`Coefficients`])
/// against the file's 44.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zkey {
    /// Sizes and fixed points.
    pub header: Groth16Header,
    /// IC (`n_public + 1` points).
    pub ic: Vec<G1Affine>,
    /// The A and B matrices, in file order (constraint by constraint, then one public-input row
    /// `A[n_constraints + s][s] = 1` per public signal `s`, including `s = 0`).
    pub coeffs: Coefficients,
    /// A query, one point per signal.
    pub a: Vec<G1Affine>,
    /// B query in G1, one point per signal.
    pub b1: Vec<G1Affine>,
    /// B query in G2, one point per signal.
    pub b2: Vec<G2Affine>,
    /// C query, one point per private signal `n_public + 1 ..n_vars` (may be empty).
    pub c: Vec<G1Affine>,
    /// H query, `domain_size` points.
    pub h: Vec<G1Affine>,
}

/// What `zkey info` shows: the headers and section table, read without loading the big sections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZkeyInfo {
    /// The file's container version.
    pub version: u32,
    /// The Groth16 header.
    pub header: Groth16Header,
    /// Number of coefficient records (A and B entries, public-input rows included).
    pub n_coeffs: u32,
    /// `(section id, payload size in bytes)`, by id.
    pub sections: Vec<(u32, u64)>,
}

fn protocol_name(id: u32) -> &'static str {
    match id {
        1 => "Groth16",
        2 => "PLONK",
        10 => "fflonk",
        _ => "an unknown protocol",
    }
}

/// Reads sections 1 and 2 and checks every section's size (cheap: no point is read past the
/// header). Returns the header, the coefficient count and the section table.
fn read_headers<R: Read + Seek>(bin: &mut BinFile<R>) -> Result<(Groth16Header, u32)> {
    let file = bin.file().to_owned();

    let mut s = bin.section(section::HEADER, "header")?;
    let protocol = s.read_u32()?;
    s.finish()?;
    if protocol != 1 {
        return Err(CircomError::UnsupportedProtocol {
            file,
            protocol,
            name: protocol_name(protocol),
        });
    }

    let header = {
        let mut s = bin.section(section::GROTH16_HEADER, "groth16 header")?;
        read_prime(&mut s, "base field size n8q", "base field prime q", &BN254_Q_LE)?;
        read_prime(&mut s, "scalar field size n8r", "scalar field prime r", &BN254_R_LE)?;
        let n_vars = s.read_u32()?;
        let n_public = s.read_u32()?;
        let domain_size = s.read_u32()?;
        let g1 = |s: &mut SectionReader<'_, R>, index: u64| -> Result<G1Affine> {
            let mut b = [0u8; G1_BYTES];
            s.read_bytes(&mut b)?;
            g1_from_mont_bytes(&b).map_err(|reason| {
                point_error(&file, section::GROTH16_HEADER, "groth16 header", index, reason)
            })
        };
        // α, β, γ, δ at infinity make a key whose proofs (and whose verification key) prove
        // nothing: refused like any other invalid point.
        let g1 = |s: &mut SectionReader<'_, R>, index: u64| -> Result<G1Affine> {
            let p = g1(s, index)?;
            if p.is_identity() {
                return Err(point_error(
                    &file,
                    section::GROTH16_HEADER,
                    "groth16 header",
                    index,
                    AT_INFINITY,
                ));
            }
            Ok(p)
        };
        let alpha1 = g1(&mut s, 0)?;
        let beta1 = g1(&mut s, 1)?;
        let g2 = |s: &mut SectionReader<'_, R>, index: u64| -> Result<G2Affine> {
            let mut b = [0u8; G2_BYTES];
            s.read_bytes(&mut b)?;
            let p = g2_from_mont_bytes(&b).map_err(|reason| {
                point_error(&file, section::GROTH16_HEADER, "groth16 header", index, reason)
            })?;
            if p.is_identity() {
                return Err(point_error(
                    &file,
                    section::GROTH16_HEADER,
                    "groth16 header",
                    index,
                    AT_INFINITY,
                ));
            }
            if !p.is_in_subgroup() {
                return Err(point_error(
                    &file,
                    section::GROTH16_HEADER,
                    "groth16 header",
                    index,
                    NOT_IN_SUBGROUP,
                ));
            }
            Ok(p)
        };
        let beta2 = g2(&mut s, 2)?;
        let gamma2 = g2(&mut s, 3)?;
        let delta1 = g1(&mut s, 4)?;
        let delta2 = g2(&mut s, 5)?;
        // γ₂ = δ₂: no phase-2 contribution, a key that accepts forged proofs.
        if gamma2 == delta2 {
            return Err(point_error(
                &file,
                section::GROTH16_HEADER,
                "groth16 header",
                5,
                UNCONTRIBUTED,
            ));
        }
        s.finish()?;
        Groth16Header {
            n_vars,
            n_public,
            domain_size,
            alpha1,
            beta1,
            beta2,
            gamma2,
            delta1,
            delta2,
        }
    };
    check_header_values(&file, &header)?;

    // Every size is now known except the coefficient count, which heads section 4.
    let n_coeffs = {
        let mut s = bin.section(section::COEFFS, "coeffs")?;
        let n = s.read_u32()?;
        s.expect_size(4 + u64::from(n) * COEFF_RECORD_BYTES as u64, || {
            format!("4-byte count + {n} records × {COEFF_RECORD_BYTES} bytes")
        })?;
        n
    };
    let h = &header;
    let n_vars = u64::from(h.n_vars);
    let n_public = u64::from(h.n_public);
    let g1 = G1_BYTES as u64;
    let expected: [(u32, &'static str, u64, String); 6] = [
        (
            section::IC,
            "IC",
            (n_public + 1) * g1,
            format!("nPublic + 1 = {} G1 points", n_public + 1),
        ),
        (section::A, "A", n_vars * g1, format!("nVars = {n_vars} G1 points")),
        (section::B1, "B1", n_vars * g1, format!("nVars = {n_vars} G1 points")),
        (section::B2, "B2", n_vars * G2_BYTES as u64, format!("nVars = {n_vars} G2 points")),
        (
            section::C,
            "C",
            (n_vars - n_public - 1) * g1,
            format!("nVars − nPublic − 1 = {} G1 points", n_vars - n_public - 1),
        ),
        (
            section::H,
            "H",
            u64::from(h.domain_size) * g1,
            format!("domainSize = {} G1 points", h.domain_size),
        ),
    ];
    for (id, name, size, detail) in expected {
        let entry = bin.entry(id, name)?;
        if entry.size != size {
            return Err(CircomError::SectionSize {
                file: file.clone(),
                section: id,
                name,
                expected: size,
                found: entry.size,
                detail: format!(": {detail}"),
            });
        }
    }
    Ok((header, n_coeffs))
}

/// Reads `u32 n8 | prime (n8 bytes)` and checks it is BN254's.
fn read_prime<R: Read>(
    s: &mut SectionReader<'_, R>,
    size_field: &'static str,
    which: &'static str,
    expected: &[u8; 32],
) -> Result<()> {
    let n8 = s.read_u32()?;
    if u64::from(n8) > s.remaining() || n8 == 0 {
        return Err(CircomError::InvalidHeader {
            file: s.file().to_owned(),
            section: s.id(),
            name: s.name(),
            field: size_field,
            reason: format!("{n8} bytes does not fit the section ({} bytes left)", s.remaining()),
        });
    }
    let mut prime = vec![0u8; n8 as usize];
    s.read_bytes(&mut prime)?;
    if prime.as_slice() != expected.as_slice() {
        return Err(CircomError::WrongCurve {
            file: s.file().to_owned(),
            section: s.id(),
            name: s.name(),
            which,
            found: describe_prime(&prime),
        });
    }
    Ok(())
}

fn check_header_values(file: &str, h: &Groth16Header) -> Result<()> {
    let invalid = |field: &'static str, reason: String| CircomError::InvalidHeader {
        file: file.to_owned(),
        section: section::GROTH16_HEADER,
        name: "groth16 header",
        field,
        reason,
    };
    if h.n_public >= h.n_vars {
        return Err(invalid(
            "nPublic",
            format!(
                "{} public signals but only {} signals in all (nVars counts signal 0 too)",
                h.n_public, h.n_vars
            ),
        ));
    }
    if !h.domain_size.is_power_of_two() || h.log_domain_size() > MAX_LOG_DOMAIN_SIZE {
        return Err(invalid(
            "domainSize",
            format!(
                "{} is not a power of two between 1 and 2^{MAX_LOG_DOMAIN_SIZE}",
                h.domain_size
            ),
        ));
    }
    if u64::from(h.n_public) + 1 > u64::from(h.domain_size) {
        return Err(invalid(
            "domainSize",
            format!(
                "{} is smaller than nPublic + 1 = {}",
                h.domain_size,
                u64::from(h.n_public) + 1
            ),
        ));
    }
    Ok(())
}

fn point_error(
    file: &str,
    section: u32,
    name: &'static str,
    index: u64,
    reason: PointDefect,
) -> CircomError {
    CircomError::InvalidPoint { file: file.to_owned(), section, name, index, reason }
}

/// Streams `count` points of `point_bytes` bytes from a section (whose size is checked) into a
/// vector of exactly that capacity, decoding each batch in parallel ([`read_points_where`]
/// keeping every point).
fn read_points<R, P>(
    bin: &mut BinFile<R>,
    id: u32,
    name: &'static str,
    count: usize,
    point_bytes: usize,
    decode: impl Fn(&[u8]) -> Result<P, PointDefect> + Sync,
) -> Result<Vec<P>>
where
    R: Read + Seek,
    P: Send + Sync + Clone + Default,
{
    read_points_where(bin, id, name, count, point_bytes, decode, &|_| true)
}

/// [`read_points`] keeping only the points `i` with `keep(i)`, in order (the others are read
/// past, not decoded or checked: a prover skips the points whose scalar is zero).
fn read_points_where<R, P>(
    bin: &mut BinFile<R>,
    id: u32,
    name: &'static str,
    count: usize,
    point_bytes: usize,
    decode: impl Fn(&[u8]) -> Result<P, PointDefect> + Sync,
    keep: &(dyn Fn(usize) -> bool + Sync),
) -> Result<Vec<P>>
where
    R: Read + Seek,
    P: Send + Sync + Clone + Default,
{
    let file = bin.file().to_owned();
    let mut s = bin.section(id, name)?;
    s.expect_size(count as u64 * point_bytes as u64, || {
        format!("{count} points × {point_bytes} bytes")
    })?;
    // Exactly the kept points' room: growing the vector would hold up to twice the section.
    let mut out = Vec::with_capacity((0..count).filter(|&i| keep(i)).count());
    let mut buf = vec![0u8; CHUNK_POINTS.min(count) * point_bytes];
    let mut start = 0;
    while start < count {
        let len = CHUNK_POINTS.min(count - start);
        let bytes = &mut buf[..len * point_bytes];
        s.read_bytes(bytes)?;
        let kept: Vec<usize> = (start..start + len).filter(|&i| keep(i)).collect();
        let at = out.len();
        out.resize(at + kept.len(), P::default());
        let records: Vec<&[u8]> = kept
            .iter()
            .map(|&i| &bytes[(i - start) * point_bytes..(i - start + 1) * point_bytes])
            .collect();
        let bad = out[at..]
            .par_iter_mut()
            .zip(records.par_iter())
            .enumerate()
            .filter_map(|(j, (slot, rec))| match decode(rec) {
                Ok(p) => {
                    *slot = p;
                    None
                }
                Err(reason) => Some((j, reason)),
            })
            .min_by_key(|(j, _)| *j);
        if let Some((j, reason)) = bad {
            return Err(point_error(&file, id, name, kept[j] as u64, reason));
        }
        start += len;
    }
    s.finish()?;
    Ok(out)
}

fn decode_batch<P: Send>(
    slots: &mut [P],
    bytes: &[u8],
    point_bytes: usize,
    decode: &(impl Fn(&[u8]) -> Result<P, PointDefect> + Sync),
) -> Option<(usize, PointDefect)> {
    slots
        .par_iter_mut()
        .zip(bytes.par_chunks_exact(point_bytes))
        .enumerate()
        .filter_map(|(i, (slot, rec))| match decode(rec) {
            Ok(p) => {
                *slot = p;
                None
            }
            Err(reason) => Some((i, reason)),
        })
        .min_by_key(|(i, _)| *i)
}

/// Streams `count` points of `point_bytes` bytes from a section (whose size is checked first),
/// decoding each batch of [`CHUNK_POINTS`] in parallel into one reused buffer and handing it to
/// `sink`: memory stays at one batch whatever the section's size.
fn visit_points<R, P>(
    bin: &mut BinFile<R>,
    id: u32,
    name: &'static str,
    count: usize,
    point_bytes: usize,
    decode: impl Fn(&[u8]) -> Result<P, PointDefect> + Sync,
    mut sink: impl FnMut(&[P]),
) -> Result<()>
where
    R: Read + Seek,
    P: Send + Sync + Clone + Default,
{
    let file = bin.file().to_owned();
    let mut s = bin.section(id, name)?;
    // In u64: a count from a u32 header times a point size cannot overflow it.
    s.expect_size(count as u64 * point_bytes as u64, || {
        format!("{count} points × {point_bytes} bytes")
    })?;
    let batch_len = CHUNK_POINTS.min(count);
    let mut slots = vec![P::default(); batch_len];
    let mut buf = vec![0u8; batch_len * point_bytes];
    let mut done = 0usize;
    while done < count {
        let n = batch_len.min(count - done);
        let bytes = &mut buf[..n * point_bytes];
        s.read_bytes(bytes)?;
        if let Some((i, reason)) = decode_batch(&mut slots[..n], bytes, point_bytes, &decode) {
            return Err(point_error(&file, id, name, (done + i) as u64, reason));
        }
        sink(&slots[..n]);
        done += n;
    }
    s.finish()?;
    Ok(())
}

/// A G2 point from the zkey encoding, also checked to lie in the prime-order subgroup.
fn g2_in_subgroup(b: &[u8]) -> Result<G2Affine, PointDefect> {
    let p = g2_from_mont_bytes(b)?;
    if p.is_in_subgroup() { Ok(p) } else { Err(NOT_IN_SUBGROUP) }
}

fn read_coeffs<R: Read + Seek>(
    bin: &mut BinFile<R>,
    header: &Groth16Header,
    count: usize,
) -> Result<Coefficients> {
    let file = bin.file().to_owned();
    let mut s = bin.section(section::COEFFS, "coeffs")?;
    let _count_prefix = s.read_u32()?;
    let mut out = CoefficientsBuilder::with_capacity(count);
    let mut buf = vec![0u8; CHUNK_POINTS.min(count) * COEFF_RECORD_BYTES];
    let (domain_size, n_vars) = (header.domain_size, header.n_vars);
    while out.entries.len() < count {
        let n = CHUNK_POINTS.min(count - out.entries.len());
        let bytes = &mut buf[..n * COEFF_RECORD_BYTES];
        s.read_bytes(bytes)?;
        let decoded: Vec<Result<Coeff, String>> = bytes
            .par_chunks_exact(COEFF_RECORD_BYTES)
            .map(|rec| decode_coeff(rec, domain_size, n_vars))
            .collect();
        for r in decoded {
            let index = out.entries.len() as u64;
            r.and_then(|c| out.push(c)).map_err(|reason| CircomError::InvalidCoeff {
                file: file.clone(),
                index,
                reason,
            })?;
        }
    }
    s.finish()?;
    Ok(out.finish())
}

fn decode_coeff(rec: &[u8], domain_size: u32, n_vars: u32) -> Result<Coeff, String> {
    let word = |i: usize| crate::binfile::u32_le(&rec[4 * i..4 * i + 4]);
    let matrix = match word(0) {
        0 => Matrix::A,
        1 => Matrix::B,
        m => return Err(format!("matrix id {m}, expected 0 (A) or 1 (B)")),
    };
    let constraint = word(1);
    if constraint >= domain_size {
        return Err(format!("constraint {constraint} is not below domainSize {domain_size}"));
    }
    let signal = word(2);
    if signal >= n_vars {
        return Err(format!("signal {signal} is not below nVars {n_vars}"));
    }
    let value =
        fr_from_double_mont_bytes(&rec[12..]).ok_or_else(|| "value is not below r".to_owned())?;
    Ok(Coeff { matrix, constraint, signal, value })
}

/// Streams `points` into `w`, encoding each batch of [`CHUNK_POINTS`] in parallel.
fn write_points<W: Write, P: Sync, const BYTES: usize>(
    w: &mut W,
    points: &[P],
    encode: impl Fn(&P) -> [u8; BYTES] + Sync,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; CHUNK_POINTS.min(points.len()) * BYTES];
    for batch in points.chunks(CHUNK_POINTS) {
        let bytes = &mut buf[..batch.len() * BYTES];
        bytes.par_chunks_exact_mut(BYTES).zip(batch).for_each(|(out, p)| {
            out.copy_from_slice(&encode(p));
        });
        w.write_all(bytes)?;
    }
    Ok(())
}

fn label_of(path: &Path) -> String {
    path.display().to_string()
}

/// One of the key's four G1 queries, for [`ZkeyReader::g1_query`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum G1Query {
    /// A (section 5, nVars points).
    A,
    /// B in G1 (section 6, nVars points).
    B1,
    /// C (section 8, nVars − nPublic − 1 points).
    C,
    /// H (section 9, domainSize points).
    H,
}

impl G1Query {
    fn section(self) -> (u32, &'static str) {
        match self {
            Self::A => (section::A, "A"),
            Self::B1 => (section::B1, "B1"),
            Self::C => (section::C, "C"),
            Self::H => (section::H, "H"),
        }
    }

    /// Number of points of this query in a key with `header`.
    pub fn count(self, header: &Groth16Header) -> usize {
        match self {
            Self::A | Self::B1 => header.n_vars as usize,
            Self::C => header.n_private(),
            Self::H => header.domain_size as usize,
        }
    }
}

/// A zkey opened for reading one section at a time, in any order and as often as wanted: what a
/// one-shot prover uses to hold one query at a time instead of the whole key.
///
/// Opening reads and checks the headers and every section's size (as [`Zkey::open`] does); each
/// section's content is checked as it is read, with the same errors.
pub struct ZkeyReader<R = BufReader<File>> {
    bin: BinFile<R>,
    header: Groth16Header,
    n_coeffs: u32,
    /// Whether [`ZkeyReader::b2`] checks subgroup membership.
    check_b2_subgroup: bool,
}

impl ZkeyReader {
    /// Opens the zkey at `path` through a 64 KiB `BufReader`: the sections are read in batches of
    /// thousands of points, which bypass so small a buffer (a larger one would only double the
    /// batch in memory for the life of the reader).
    ///
    /// # Errors
    /// A [`CircomError`] for the container, the protocol, the curve, the header values or a
    /// section size.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let (f, label) = open_regular(path.as_ref())?;
        Self::new(BufReader::with_capacity(1 << 16, f), &label)
    }
}

impl<R: Read + Seek> ZkeyReader<R> {
    /// Like [`ZkeyReader::open`], from any seekable reader; `label` names it in errors.
    ///
    /// # Errors
    /// As [`ZkeyReader::open`].
    pub fn new(reader: R, label: &str) -> Result<Self> {
        let mut bin = BinFile::open(reader, label, "zkey", ZKEY_VERSION)?;
        let (header, n_coeffs) = read_headers(&mut bin)?;
        Ok(Self { bin, header, n_coeffs, check_b2_subgroup: false })
    }

    /// Makes [`ZkeyReader::b2`] also check that every B2 point lies in G2's prime-order subgroup
    /// (off by default: see the module docs for the cost). For a caller that will not verify
    /// its proof (`zkprove groth16 prove --no-verify`): the other points are always checked.
    pub fn with_b2_subgroup_check(mut self, check: bool) -> Self {
        self.check_b2_subgroup = check;
        self
    }

    /// The Groth16 header.
    pub fn header(&self) -> &Groth16Header {
        &self.header
    }

    /// The IC section (`n_public + 1` points).
    ///
    /// # Errors
    /// Read errors and invalid points, naming the section and the point.
    pub fn ic(&mut self) -> Result<Vec<G1Affine>> {
        let n = self.header.n_public as usize + 1;
        read_points(&mut self.bin, section::IC, "IC", n, G1_BYTES, g1_from_mont_bytes)
    }

    /// The coefficient section.
    ///
    /// # Errors
    /// Read errors and invalid records, naming the record.
    pub fn coeffs(&mut self) -> Result<Coefficients> {
        read_coeffs(&mut self.bin, &self.header, self.n_coeffs as usize)
    }

    /// One of the G1 queries ([`G1Query::count`] points).
    ///
    /// # Errors
    /// Read errors and invalid points, naming the section and the point.
    pub fn g1_query(&mut self, query: G1Query) -> Result<Vec<G1Affine>> {
        let (id, name) = query.section();
        let n = query.count(&self.header);
        read_points(&mut self.bin, id, name, n, G1_BYTES, g1_from_mont_bytes)
    }

    /// The points `i` of a G1 query with `keep(i)`, in order; the others are not decoded (nor
    /// checked).
    ///
    /// # Errors
    /// Read errors and invalid kept points, naming the section and the point.
    pub fn g1_query_where(
        &mut self,
        query: G1Query,
        keep: &(dyn Fn(usize) -> bool + Sync),
    ) -> Result<Vec<G1Affine>> {
        let (id, name) = query.section();
        let n = query.count(&self.header);
        read_points_where(&mut self.bin, id, name, n, G1_BYTES, g1_from_mont_bytes, keep)
    }

    /// The points `i` of the B2 query with `keep(i)`, in order, checked as [`ZkeyReader::b2`]
    /// checks them; the others are not decoded (nor checked).
    ///
    /// # Errors
    /// Read errors and invalid kept points, naming the section and the point.
    pub fn b2_where(&mut self, keep: &(dyn Fn(usize) -> bool + Sync)) -> Result<Vec<G2Affine>> {
        let n = self.header.n_vars as usize;
        if self.check_b2_subgroup {
            read_points_where(&mut self.bin, section::B2, "B2", n, G2_BYTES, g2_in_subgroup, keep)
        } else {
            read_points_where(
                &mut self.bin,
                section::B2,
                "B2",
                n,
                G2_BYTES,
                g2_from_mont_bytes,
                keep,
            )
        }
    }

    /// The B2 query (nVars G2 points; on the curve, and in the subgroup only with
    /// [`ZkeyReader::with_b2_subgroup_check`]: see the module docs).
    ///
    /// # Errors
    /// Read errors and invalid points, naming the section and the point.
    pub fn b2(&mut self) -> Result<Vec<G2Affine>> {
        let n = self.header.n_vars as usize;
        if self.check_b2_subgroup {
            read_points(&mut self.bin, section::B2, "B2", n, G2_BYTES, g2_in_subgroup)
        } else {
            read_points(&mut self.bin, section::B2, "B2", n, G2_BYTES, g2_from_mont_bytes)
        }
    }

    /// Checks every point of the key that [`Zkey::open`] does not fully check: that each B2
    /// point lies in G2's prime-order subgroup (on its curve too, as every read checks). Streams
    /// the section in batches checked in parallel, holding one batch at a time: for a caller
    /// that looks for the cause of a proof that failed verification, or that will not verify
    /// its proofs. (The G1 points are in their group once on the curve, which every read of
    /// them checks; the header's points are checked at open.)
    ///
    /// # Errors
    /// [`CircomError::InvalidPoint`] naming the section and the first bad point; read errors.
    pub fn check_b2_subgroup(&mut self) -> Result<()> {
        let n = self.header.n_vars as usize;
        visit_points(&mut self.bin, section::B2, "B2", n, G2_BYTES, g2_in_subgroup, |_| {})
    }
}

impl ZkeyInfo {
    /// Reads the headers of the zkey at `path` (cheap: the big sections are only size-checked).
    ///
    /// # Errors
    /// Any [`CircomError`] about the container, the protocol, the curve, the header values or a
    /// section size.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let (f, label) = open_regular(path.as_ref())?;
        Self::read_from(BufReader::new(f), &label)
    }

    /// Like [`ZkeyInfo::open`], from any seekable reader; `label` names it in errors.
    ///
    /// # Errors
    /// As [`ZkeyInfo::open`].
    pub fn read_from<R: Read + Seek>(reader: R, label: &str) -> Result<Self> {
        let mut bin = BinFile::open(reader, label, "zkey", ZKEY_VERSION)?;
        let (header, n_coeffs) = read_headers(&mut bin)?;
        let sections = bin.sections().iter().map(|(&id, e)| (id, e.size)).collect();
        Ok(Self { version: bin.version(), header, n_coeffs, sections })
    }
}

impl Zkey {
    /// Loads and validates the zkey at `path` (see the module docs for what is checked).
    ///
    /// Streams the file through a `BufReader`: peak memory is the returned key plus one batch
    /// buffer (about 1 MiB).
    ///
    /// # Errors
    /// A [`CircomError`] naming the file, the section and what was expected versus found.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let (f, label) = open_regular(path.as_ref())?;
        Self::read_from(BufReader::with_capacity(1 << 20, f), &label)
    }

    /// Like [`Zkey::open`], from any seekable reader; `label` names it in errors.
    ///
    /// # Errors
    /// As [`Zkey::open`].
    pub fn read_from<R: Read + Seek>(reader: R, label: &str) -> Result<Self> {
        let mut r = ZkeyReader::new(reader, label)?;
        let ic = r.ic()?;
        let coeffs = r.coeffs()?;
        let a = r.g1_query(G1Query::A)?;
        let b1 = r.g1_query(G1Query::B1)?;
        let b2 = r.b2()?;
        let c = r.g1_query(G1Query::C)?;
        let h = r.g1_query(G1Query::H)?;
        Ok(Self { header: r.header, ic, coeffs, a, b1, b2, c, h })
    }

    /// Reads only what a verification key needs — the headers and the IC section — from the zkey at
    /// `path`; the big sections are size-checked, not read, so this is fast for any key size.
    ///
    /// # Errors
    /// As [`Zkey::open`], for the parts it reads.
    pub fn open_verification_data(
        path: impl AsRef<Path>,
    ) -> Result<(Groth16Header, Vec<G1Affine>)> {
        let mut r = ZkeyReader::open(path)?;
        let ic = r.ic()?;
        Ok((r.header, ic))
    }

    /// Checks that every B2 point lies in G2's prime-order subgroup (slow: one scalar
    /// multiplication per point, in parallel; not done by [`Zkey::open`], see the module docs).
    /// `label` names the key in the error.
    ///
    /// # Errors
    /// [`CircomError::InvalidPoint`] for the first point outside the subgroup.
    pub fn check_b2_subgroup(&self, label: &str) -> Result<()> {
        match self.b2.par_iter().position_first(|p| !p.is_in_subgroup()) {
            None => Ok(()),
            Some(i) => Err(point_error(label, section::B2, "B2", i as u64, NOT_IN_SUBGROUP)),
        }
    }

    /// Number of constraints of the circuit the key was made for: the coefficient rows minus the
    /// `n_public + 1` public-input rows (0 for a key with no coefficients).
    pub fn n_constraints(&self) -> usize {
        let rows =
            self.coeffs.entries().iter().map(|c| c.constraint as usize + 1).max().unwrap_or(0);
        rows.saturating_sub(self.header.n_public as usize + 1)
    }

    /// Writes the key as a snarkjs `.zkey` (version 1) at `path` (created or truncated), through a
    /// 1 MiB `BufWriter`. See [`Zkey::write_to`].
    ///
    /// # Errors
    /// As [`Zkey::write_to`], naming `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let label = label_of(path.as_ref());
        let f = File::create(path.as_ref()).map_err(|e| io_error(&label, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        self.write_to(&mut w, &label)?;
        w.flush().map_err(|e| io_error(&label, e))
    }

    /// Writes the key in snarkjs's `.zkey` layout (the one [`Zkey::read_from`] reads, see the
    /// module docs): sections 1–9 from the key, then a contributions section with a zero csHash
    /// and no contributions. Points and coefficients are written as they are (an in-memory key's
    /// points are valid by construction); only the sizes are checked. The result has [`Zkey::file_size`] `+ 12 +`
    /// [`EMPTY_CONTRIBUTIONS_BYTES`] bytes. `label` names the destination in errors.
    ///
    /// # Errors
    /// [`CircomError::InconsistentKey`] when a section's length disagrees with the header (the
    /// file would not load), checked before anything is written; [`CircomError::Io`] for the
    /// writer's errors.
    pub fn write_to<W: Write>(&self, mut w: W, label: &str) -> Result<()> {
        self.check_lengths(label)?;
        let io = |e| io_error(label, e);
        let w = &mut w;
        let g1 = G1_BYTES as u64;
        let h = &self.header;
        write_file_header(w, b"zkey", ZKEY_VERSION, 10).map_err(io)?;

        write_section_header(w, section::HEADER, 4).map_err(io)?;
        w.write_all(&1u32.to_le_bytes()).map_err(io)?;

        write_section_header(w, section::GROTH16_HEADER, GROTH16_HEADER_BYTES).map_err(io)?;
        for prime in [&BN254_Q_LE, &BN254_R_LE] {
            w.write_all(&(N8 as u32).to_le_bytes()).map_err(io)?;
            w.write_all(prime).map_err(io)?;
        }
        for x in [h.n_vars, h.n_public, h.domain_size] {
            w.write_all(&x.to_le_bytes()).map_err(io)?;
        }
        w.write_all(&g1_to_mont_bytes(&h.alpha1)).map_err(io)?;
        w.write_all(&g1_to_mont_bytes(&h.beta1)).map_err(io)?;
        w.write_all(&g2_to_mont_bytes(&h.beta2)).map_err(io)?;
        w.write_all(&g2_to_mont_bytes(&h.gamma2)).map_err(io)?;
        w.write_all(&g1_to_mont_bytes(&h.delta1)).map_err(io)?;
        w.write_all(&g2_to_mont_bytes(&h.delta2)).map_err(io)?;

        write_section_header(w, section::IC, self.ic.len() as u64 * g1).map_err(io)?;
        write_points(w, &self.ic, g1_to_mont_bytes).map_err(io)?;

        let n_coeffs = self.coeffs.len();
        let coeffs_size = 4 + n_coeffs as u64 * COEFF_RECORD_BYTES as u64;
        write_section_header(w, section::COEFFS, coeffs_size).map_err(io)?;
        w.write_all(&(n_coeffs as u32).to_le_bytes()).map_err(io)?;
        // Each distinct value is encoded once (circuits repeat a few values across many cells).
        let values: Vec<[u8; N8]> =
            self.coeffs.values().par_iter().map(fr_to_double_mont_bytes).collect();
        let mut record = [0u8; COEFF_RECORD_BYTES];
        for e in self.coeffs.entries() {
            let matrix: u32 = match e.matrix() {
                Matrix::A => 0,
                Matrix::B => 1,
            };
            record[..4].copy_from_slice(&matrix.to_le_bytes());
            record[4..8].copy_from_slice(&e.constraint.to_le_bytes());
            record[8..12].copy_from_slice(&e.signal.to_le_bytes());
            record[12..].copy_from_slice(&values[e.value_index()]);
            w.write_all(&record).map_err(io)?;
        }

        for (id, points) in [(section::A, &self.a), (section::B1, &self.b1)] {
            write_section_header(w, id, points.len() as u64 * g1).map_err(io)?;
            write_points(w, points, g1_to_mont_bytes).map_err(io)?;
        }
        write_section_header(w, section::B2, self.b2.len() as u64 * G2_BYTES as u64).map_err(io)?;
        write_points(w, &self.b2, g2_to_mont_bytes).map_err(io)?;
        for (id, points) in [(section::C, &self.c), (section::H, &self.h)] {
            write_section_header(w, id, points.len() as u64 * g1).map_err(io)?;
            write_points(w, points, g1_to_mont_bytes).map_err(io)?;
        }

        // snarkjs's `writeMPCParams`: csHash (64 bytes), then the number of contributions.
        write_section_header(w, section::CONTRIBUTIONS, EMPTY_CONTRIBUTIONS_BYTES).map_err(io)?;
        w.write_all(&[0u8; 64]).map_err(io)?;
        w.write_all(&0u32.to_le_bytes()).map_err(io)?;
        Ok(())
    }

    /// The `.zkey` bytes of this key (see [`Zkey::write_to`]).
    ///
    /// # Errors
    /// [`CircomError::InconsistentKey`], as [`Zkey::write_to`].
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let size = self.file_size() + 12 + EMPTY_CONTRIBUTIONS_BYTES;
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        self.write_to(&mut out, "memory")?;
        Ok(out)
    }

    /// Checks the header's values as the reader does and every section's length against them, so
    /// that the file's sizes are consistent (the points and coefficients are written as given).
    fn check_lengths(&self, label: &str) -> Result<()> {
        let h = &self.header;
        check_header_values(label, h)?;
        let n_vars = h.n_vars as usize;
        let parts: [(&'static str, usize, usize); 6] = [
            ("IC", h.n_public as usize + 1, self.ic.len()),
            ("A", n_vars, self.a.len()),
            ("B1", n_vars, self.b1.len()),
            ("B2", n_vars, self.b2.len()),
            ("C", h.n_private(), self.c.len()),
            ("H", h.domain_size as usize, self.h.len()),
        ];
        let inconsistent = |what, expected: usize, found: usize| CircomError::InconsistentKey {
            file: label.to_owned(),
            what,
            expected: expected as u64,
            found: found as u64,
        };
        if let Some(&(what, expected, found)) = parts.iter().find(|(_, e, f)| e != f) {
            return Err(inconsistent(what, expected, found));
        }
        // The count heads section 4 as a u32.
        if u32::try_from(self.coeffs.len()).is_err() {
            return Err(inconsistent("coeffs", u32::MAX as usize, self.coeffs.len()));
        }
        Ok(())
    }

    /// The size in bytes of this key written as a snarkjs `.zkey`: the container header, sections
    /// 1–9 with their 12-byte section headers, and no contributions section (section 10, whose
    /// size depends on the ceremony's history; it is absent from a key made in memory, and
    /// [`Zkey::write_to`] adds `12 +` [`EMPTY_CONTRIBUTIONS_BYTES`] bytes for an empty one).
    pub fn file_size(&self) -> u64 {
        let n_sections = 9u64;
        let container = 12 + 12 * n_sections;
        let g1 = G1_BYTES as u64;
        let points_g1 = (self.ic.len() + self.a.len() + self.b1.len() + self.c.len() + self.h.len())
            as u64
            * g1;
        let points_g2 = self.b2.len() as u64 * G2_BYTES as u64;
        let coeffs = 4 + self.coeffs.len() as u64 * COEFF_RECORD_BYTES as u64;
        container + 4 + GROTH16_HEADER_BYTES + coeffs + points_g1 + points_g2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkprove_field::Field;

    /// The builder's recent-value cache (hits, misses, values leaving and re-entering it) gives
    /// the same table as a plain first-appearance deduplication.
    #[test]
    fn coefficient_values_dedup_with_the_recent_cache() {
        let pool: Vec<Fr> = (0..9u64).map(|v| Fr::from_u64(v * 1000 + 1)).collect();
        // Runs of one value, short cycles within the cache, and long cycles through all 9.
        let mut picks: Vec<usize> = vec![0, 0, 1, 0, 2, 1, 3, 4, 0, 4, 5];
        picks.extend((0..200usize).map(|i| (i * i + 3 * i) % 9));
        picks.extend((0..50usize).map(|i| i % 2));
        let coeffs: Vec<Coeff> = picks
            .iter()
            .enumerate()
            .map(|(i, &k)| Coeff {
                matrix: if i % 3 == 0 { Matrix::B } else { Matrix::A },
                constraint: i as u32,
                signal: (i * 7) as u32,
                value: pool[k],
            })
            .collect();
        let built = Coefficients::from_coeffs(coeffs.clone()).unwrap();
        assert_eq!(built.iter().collect::<Vec<_>>(), coeffs);
        let mut first_seen: Vec<Fr> = Vec::new();
        for &k in &picks {
            if !first_seen.contains(&pool[k]) {
                first_seen.push(pool[k]);
            }
        }
        assert_eq!(built.values(), first_seen.as_slice());
    }
}
