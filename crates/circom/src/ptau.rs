//! snarkjs powers-of-tau files (`.ptau`, version 1) for BN254: the phase-1 output of a trusted
//! setup ceremony, and its "prepared for phase 2" form with Lagrange-basis sections.
//!
//! | id | section | content (n = 2^power) |
//! |---:|---|---|
//! | 1 | header | `u32 n8`, the base-field prime q (n8 bytes), `u32 power`, `u32 ceremonyPower` |
//! | 2 | tauG1 | 2n − 1 G1 points `[τ^i]₁`, i = 0 … 2n − 2 |
//! | 3 | tauG2 | n G2 points `[τ^i]₂` |
//! | 4 | alphaTauG1 | n G1 points `[α·τ^i]₁` |
//! | 5 | betaTauG1 | n G1 points `[β·τ^i]₁` |
//! | 6 | betaG2 | one G2 point `[β]₂` |
//! | 7 | contributions | `u32` count, then the contributions' public keys and hashes (not parsed here) |
//! | 12 | lagrange tauG1 | for p = 0 … power + 1: the 2^p points `[L_i(τ)]₁` of the size-2^p domain |
//! | 13 | lagrange tauG2 | for p = 0 … power: 2^p points `[L_i(τ)]₂` |
//! | 14, 15 | lagrange alpha/beta tauG1 | for p = 0 … power: 2^p points `[α·L_i(τ)]₁`, `[β·L_i(τ)]₁` |
//!
//! Sections 12–15 exist only in a file made by `snarkjs powersoftau prepare phase2` ("prepared");
//! either all four are present or none. Points use the zkey encoding (affine, little-endian
//! Montgomery coordinates, infinity as all-zero bytes: see [`crate::encoding`]). The layout follows
//! snarkjs's `powersoftau_new.js` and `powersoftau_preparephase2.js`.
//!
//! **What reading checks.** The container (magic `ptau`, version 1, unique sections, every size
//! against the file length); `n8 = 32` and q is BN254's (another curve's prime is named in the
//! error); `1 ≤ power ≤ ceremonyPower` and `power ≤ 28` (BN254's scalar field has no larger
//! power-of-two domain); every present section's size against `power` (before any point is
//! read); every point read has coordinates below q and lies on its curve. G2 points read by
//! [`Ptau::read_powers`] are also checked to be in the prime-order subgroup (a few points); the
//! full [`Ptau::read_from`] leaves that to [`Ptau::check_g2_subgroup`] (one scalar multiplication
//! per point). Nothing here checks that the points really are successive powers of one τ: that
//! takes pairings, see `zkprove-kzg`.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use rayon::prelude::*;
use zkprove_curve::bn254::{G1Affine, G2Affine};

use crate::binfile::BinFile;
use crate::encoding::{
    BN254_Q_LE, G1_BYTES, G2_BYTES, PointDefect, describe_prime, g1_from_mont_bytes,
    g2_from_mont_bytes,
};
use crate::error::{CircomError, Result};
use crate::files::open_regular;

/// The highest `.ptau` container version this reader knows.
pub const PTAU_VERSION: u32 = 1;

/// The largest `power` a BN254 ptau can have: the scalar field's two-adicity.
pub const MAX_PTAU_POWER: u32 = 28;

/// Section ids of a `.ptau` file.
pub mod section {
    /// `n8`, q, power, ceremonyPower.
    pub const HEADER: u32 = 1;
    /// `[τ^i]₁`, 2·2^power − 1 points.
    pub const TAU_G1: u32 = 2;
    /// `[τ^i]₂`, 2^power points.
    pub const TAU_G2: u32 = 3;
    /// `[α·τ^i]₁`, 2^power points.
    pub const ALPHA_TAU_G1: u32 = 4;
    /// `[β·τ^i]₁`, 2^power points.
    pub const BETA_TAU_G1: u32 = 5;
    /// `[β]₂`, one point.
    pub const BETA_G2: u32 = 6;
    /// The ceremony's contributions.
    pub const CONTRIBUTIONS: u32 = 7;
    /// Lagrange basis `[L_i(τ)]₁` for every domain size 2^0 … 2^(power+1).
    pub const LAGRANGE_G1: u32 = 12;
    /// Lagrange basis `[L_i(τ)]₂` for every domain size 2^0 … 2^power.
    pub const LAGRANGE_G2: u32 = 13;
    /// `[α·L_i(τ)]₁` for every domain size 2^0 … 2^power.
    pub const LAGRANGE_ALPHA_G1: u32 = 14;
    /// `[β·L_i(τ)]₁` for every domain size 2^0 … 2^power.
    pub const LAGRANGE_BETA_G1: u32 = 15;
}

/// Points decoded per parallel batch while streaming a section.
const CHUNK_POINTS: usize = 1 << 14;

/// Section 1 of a ptau file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PtauHeader {
    /// log2 of the number of powers this file holds: `2·2^power − 1` in G1, `2^power` in G2.
    pub power: u32,
    /// The power of the ceremony the file was cut from (`≥ power`; larger after `truncate`).
    pub ceremony_power: u32,
}

impl PtauHeader {
    /// Number of `[τ^i]₁` points: `2·2^power − 1` (saturating at `usize::MAX` for a hand-made
    /// header with a huge `power`; a file's is checked to be at most [`MAX_PTAU_POWER`]).
    pub fn n_tau_g1(&self) -> usize {
        self.n_tau_g2().checked_mul(2).map_or(usize::MAX, |n| n - 1)
    }

    /// Number of `[τ^i]₂` points (and of alpha/beta points): `2^power` (saturating as
    /// [`PtauHeader::n_tau_g1`]).
    pub fn n_tau_g2(&self) -> usize {
        1usize.checked_shl(self.power).unwrap_or(usize::MAX)
    }
}

/// A ptau file's headers and section table, every section size checked (no point read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PtauInfo {
    /// Section 1.
    pub header: PtauHeader,
    /// Whether the file has the phase-2 Lagrange sections 12–15.
    pub prepared: bool,
    /// The number of contributions (the first `u32` of section 7).
    pub n_contributions: u32,
    /// Every section: id and size in bytes.
    pub sections: Vec<(u32, u64)>,
}

/// The powers a polynomial commitment needs, read from the front of sections 2 and 3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PtauPowers {
    /// The file's header.
    pub header: PtauHeader,
    /// `[τ^0]₁ … [τ^(n−1)]₁` for the `n` asked for.
    pub tau_g1: Vec<G1Affine>,
    /// `[τ^0]₂ … [τ^(m−1)]₂` for the `m` asked for, each checked to be in G2's subgroup.
    pub tau_g2: Vec<G2Affine>,
}

/// A whole ptau file in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ptau {
    /// Section 1.
    pub header: PtauHeader,
    /// Section 2: `[τ^i]₁`, i = 0 … 2·2^power − 2.
    pub tau_g1: Vec<G1Affine>,
    /// Section 3: `[τ^i]₂`, i = 0 … 2^power − 1.
    pub tau_g2: Vec<G2Affine>,
    /// Section 4: `[α·τ^i]₁`.
    pub alpha_tau_g1: Vec<G1Affine>,
    /// Section 5: `[β·τ^i]₁`.
    pub beta_tau_g1: Vec<G1Affine>,
    /// Section 6: `[β]₂`.
    pub beta_g2: G2Affine,
    /// The number of contributions (first `u32` of section 7).
    pub n_contributions: u32,
    /// Sections 12–15, for a prepared file.
    pub lagrange: Option<PtauLagrange>,
}

/// The Lagrange-basis sections of a prepared ptau, each the concatenation over domain sizes
/// `2^0, 2^1, …` (ascending) of that domain's `2^p` basis points, in the natural order of the
/// domain `{ω^i}` (ω the standard `2^p`-th root of unity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PtauLagrange {
    /// Section 12: levels 0 … power + 1.
    pub tau_g1: Vec<G1Affine>,
    /// Section 13: levels 0 … power.
    pub tau_g2: Vec<G2Affine>,
    /// Section 14: levels 0 … power.
    pub alpha_tau_g1: Vec<G1Affine>,
    /// Section 15: levels 0 … power.
    pub beta_tau_g1: Vec<G1Affine>,
}

/// The points of level `log_n` in a Lagrange section (`None` past the last level).
fn lagrange_level<P>(points: &[P], log_n: u32) -> Option<&[P]> {
    if log_n >= usize::BITS - 1 {
        return None;
    }
    let start = (1usize << log_n) - 1;
    points.get(start..start + (1usize << log_n))
}

impl PtauLagrange {
    /// `[L_i(τ)]₁` for the domain of size `2^log_n` (`log_n ≤ power + 1`), `None` beyond.
    pub fn tau_g1_level(&self, log_n: u32) -> Option<&[G1Affine]> {
        lagrange_level(&self.tau_g1, log_n)
    }

    /// `[L_i(τ)]₂` for the domain of size `2^log_n` (`log_n ≤ power`), `None` beyond.
    pub fn tau_g2_level(&self, log_n: u32) -> Option<&[G2Affine]> {
        lagrange_level(&self.tau_g2, log_n)
    }

    /// `[α·L_i(τ)]₁` for the domain of size `2^log_n` (`log_n ≤ power`), `None` beyond.
    pub fn alpha_tau_g1_level(&self, log_n: u32) -> Option<&[G1Affine]> {
        lagrange_level(&self.alpha_tau_g1, log_n)
    }

    /// `[β·L_i(τ)]₁` for the domain of size `2^log_n` (`log_n ≤ power`), `None` beyond.
    pub fn beta_tau_g1_level(&self, log_n: u32) -> Option<&[G1Affine]> {
        lagrange_level(&self.beta_tau_g1, log_n)
    }
}

/// The expected size of every section a ptau of this header may have: (id, name, bytes, how).
fn expected_sizes(h: &PtauHeader) -> [(u32, &'static str, u64, String); 9] {
    let n = 1u64 << h.power;
    let g1 = G1_BYTES as u64;
    let g2 = G2_BYTES as u64;
    // Prepared sections: Σ_{p=0}^{P} 2^p = 2^(P+1) − 1 points.
    let levels = |top: u32| (2u64 << top) - 1;
    [
        (section::TAU_G1, "tauG1", (2 * n - 1) * g1, format!("2·2^{} − 1 G1 points", h.power)),
        (section::TAU_G2, "tauG2", n * g2, format!("2^{} G2 points", h.power)),
        (section::ALPHA_TAU_G1, "alphaTauG1", n * g1, format!("2^{} G1 points", h.power)),
        (section::BETA_TAU_G1, "betaTauG1", n * g1, format!("2^{} G1 points", h.power)),
        (section::BETA_G2, "betaG2", g2, "one G2 point".to_owned()),
        (
            section::LAGRANGE_G1,
            "lagrange tauG1",
            levels(h.power + 1) * g1,
            format!("2^0 + … + 2^{} G1 points", h.power + 1),
        ),
        (
            section::LAGRANGE_G2,
            "lagrange tauG2",
            levels(h.power) * g2,
            format!("2^0 + … + 2^{} G2 points", h.power),
        ),
        (
            section::LAGRANGE_ALPHA_G1,
            "lagrange alphaTauG1",
            levels(h.power) * g1,
            format!("2^0 + … + 2^{} G1 points", h.power),
        ),
        (
            section::LAGRANGE_BETA_G1,
            "lagrange betaTauG1",
            levels(h.power) * g1,
            format!("2^0 + … + 2^{} G1 points", h.power),
        ),
    ]
}

/// Reads section 1 and 7's count and checks every section's size. Returns the info.
fn read_headers<R: Read + Seek>(bin: &mut BinFile<R>) -> Result<PtauInfo> {
    let file = bin.file().to_owned();
    let header = {
        let mut s = bin.section(section::HEADER, "header")?;
        let n8 = s.read_u32()?;
        if n8 == 0 || u64::from(n8) > s.remaining() {
            return Err(CircomError::InvalidHeader {
                file,
                section: section::HEADER,
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
        if prime.as_slice() != BN254_Q_LE.as_slice() {
            return Err(CircomError::WrongCurve {
                file,
                section: section::HEADER,
                name: "header",
                which: "base field prime q",
                found: describe_prime(&prime),
            });
        }
        let power = s.read_u32()?;
        let ceremony_power = s.read_u32()?;
        s.finish()?;
        PtauHeader { power, ceremony_power }
    };
    let invalid = |field: &'static str, reason: String| CircomError::InvalidHeader {
        file: file.clone(),
        section: section::HEADER,
        name: "header",
        field,
        reason,
    };
    if header.power == 0 || header.power > MAX_PTAU_POWER {
        return Err(invalid(
            "power",
            format!("{} is not between 1 and {MAX_PTAU_POWER}", header.power),
        ));
    }
    if header.ceremony_power < header.power {
        return Err(invalid(
            "ceremonyPower",
            format!("{} is smaller than power {}", header.ceremony_power, header.power),
        ));
    }

    let expected = expected_sizes(&header);
    for (id, name, size, detail) in &expected {
        let required = *id <= section::BETA_G2;
        let entry = match bin.sections().get(id) {
            Some(e) => *e,
            None if required => {
                return Err(CircomError::MissingSection { file: file.clone(), section: *id, name });
            }
            None => continue,
        };
        if entry.size != *size {
            return Err(CircomError::SectionSize {
                file: file.clone(),
                section: *id,
                name,
                expected: *size,
                found: entry.size,
                detail: format!(": {detail}"),
            });
        }
    }
    let lagrange_ids = [
        (section::LAGRANGE_G1, "lagrange tauG1"),
        (section::LAGRANGE_G2, "lagrange tauG2"),
        (section::LAGRANGE_ALPHA_G1, "lagrange alphaTauG1"),
        (section::LAGRANGE_BETA_G1, "lagrange betaTauG1"),
    ];
    let n_lagrange = lagrange_ids.iter().filter(|(id, _)| bin.sections().contains_key(id)).count();
    let prepared = n_lagrange == lagrange_ids.len();
    if n_lagrange != 0 && !prepared {
        // A partly prepared file: name the first missing Lagrange section.
        for (id, name) in lagrange_ids {
            bin.entry(id, name)?;
        }
    }

    let n_contributions = {
        let mut s = bin.section(section::CONTRIBUTIONS, "contributions")?;
        s.read_u32()?
    };
    let sections = bin.sections().iter().map(|(&id, e)| (id, e.size)).collect();
    Ok(PtauInfo { header, prepared, n_contributions, sections })
}

/// Streams the first `count` points of a section (whose size was checked to hold at least that
/// many), decoding each batch in parallel; `all` says whether `count` is the whole section (then
/// its exact consumption is checked too).
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
    P: Send,
{
    let file = bin.file().to_owned();
    let mut s = bin.section(id, name)?;
    let all = s.size() == count as u64 * point_bytes as u64;
    let mut out = Vec::with_capacity(count);
    let mut buf = vec![0u8; CHUNK_POINTS.min(count) * point_bytes];
    while out.len() < count {
        let n = CHUNK_POINTS.min(count - out.len());
        let bytes = &mut buf[..n * point_bytes];
        s.read_bytes(bytes)?;
        let decoded: Vec<Result<P, PointDefect>> =
            bytes.par_chunks_exact(point_bytes).map(&decode).collect();
        for r in decoded {
            let index = out.len() as u64;
            out.push(r.map_err(|reason| CircomError::InvalidPoint {
                file: file.clone(),
                section: id,
                name,
                index,
                reason,
            })?);
        }
    }
    if all {
        s.finish()?;
    }
    Ok(out)
}

fn g2_in_subgroup(b: &[u8]) -> Result<G2Affine, PointDefect> {
    let p = g2_from_mont_bytes(b)?;
    if p.is_in_subgroup() { Ok(p) } else { Err("not in the prime-order subgroup") }
}

/// Opens a regular file (see [`crate::files`]) through a 1 MiB `BufReader`.
fn open_file(path: &Path) -> Result<(BufReader<File>, String)> {
    let (f, label) = open_regular(path)?;
    Ok((BufReader::with_capacity(1 << 20, f), label))
}

impl PtauInfo {
    /// Reads the headers of the ptau at `path` (cheap: sections are only size-checked).
    ///
    /// # Errors
    /// A [`CircomError`] about the container, the curve, the header values or a section size.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let (reader, label) = open_file(path.as_ref())?;
        Self::read_from(reader, &label)
    }

    /// Like [`PtauInfo::open`], from any seekable reader; `label` names it in errors.
    ///
    /// # Errors
    /// As [`PtauInfo::open`].
    pub fn read_from<R: Read + Seek>(reader: R, label: &str) -> Result<Self> {
        let mut bin = BinFile::open(reader, label, "ptau", PTAU_VERSION)?;
        read_headers(&mut bin)
    }
}

impl Ptau {
    /// Loads and validates the whole ptau at `path` (see the module docs for what is checked).
    /// For a commitment key, [`Ptau::read_powers`] reads only the powers it needs.
    ///
    /// # Errors
    /// A [`CircomError`] naming the file, the section and what was expected versus found.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let (reader, label) = open_file(path.as_ref())?;
        Self::read_from(reader, &label)
    }

    /// Like [`Ptau::open`], from any seekable reader; `label` names it in errors.
    ///
    /// # Errors
    /// As [`Ptau::open`].
    pub fn read_from<R: Read + Seek>(reader: R, label: &str) -> Result<Self> {
        let mut bin = BinFile::open(reader, label, "ptau", PTAU_VERSION)?;
        let info = read_headers(&mut bin)?;
        let h = info.header;
        let (n1, n2) = (h.n_tau_g1(), h.n_tau_g2());
        let g1 = |bin: &mut BinFile<R>, id, name, n| {
            read_points(bin, id, name, n, G1_BYTES, g1_from_mont_bytes)
        };
        let g2 = |bin: &mut BinFile<R>, id, name, n| {
            read_points(bin, id, name, n, G2_BYTES, g2_from_mont_bytes)
        };
        let tau_g1 = g1(&mut bin, section::TAU_G1, "tauG1", n1)?;
        let tau_g2 = g2(&mut bin, section::TAU_G2, "tauG2", n2)?;
        let alpha_tau_g1 = g1(&mut bin, section::ALPHA_TAU_G1, "alphaTauG1", n2)?;
        let beta_tau_g1 = g1(&mut bin, section::BETA_TAU_G1, "betaTauG1", n2)?;
        let beta_g2 =
            g2(&mut bin, section::BETA_G2, "betaG2", 1)?.pop().unwrap_or_else(G2Affine::identity);
        let lagrange = if info.prepared {
            let levels = |top: u32| (2usize << top) - 1;
            Some(PtauLagrange {
                tau_g1: g1(&mut bin, section::LAGRANGE_G1, "lagrange tauG1", levels(h.power + 1))?,
                tau_g2: g2(&mut bin, section::LAGRANGE_G2, "lagrange tauG2", levels(h.power))?,
                alpha_tau_g1: g1(
                    &mut bin,
                    section::LAGRANGE_ALPHA_G1,
                    "lagrange alphaTauG1",
                    levels(h.power),
                )?,
                beta_tau_g1: g1(
                    &mut bin,
                    section::LAGRANGE_BETA_G1,
                    "lagrange betaTauG1",
                    levels(h.power),
                )?,
            })
        } else {
            None
        };
        Ok(Self {
            header: h,
            tau_g1,
            tau_g2,
            alpha_tau_g1,
            beta_tau_g1,
            beta_g2,
            n_contributions: info.n_contributions,
            lagrange,
        })
    }

    /// Reads only `[τ^0..n_g1]₁` and `[τ^0..n_g2]₂` from the ptau at `path` (after checking the
    /// whole file's headers and section sizes): what a KZG commitment key of degree `n_g1 − 1`
    /// needs. The G2 points read are checked to be in the prime-order subgroup.
    ///
    /// # Errors
    /// As [`Ptau::open`]; [`CircomError::InvalidHeader`] (field `power`) when the file holds fewer
    /// powers than asked for.
    pub fn read_powers(path: impl AsRef<Path>, n_g1: usize, n_g2: usize) -> Result<PtauPowers> {
        let (reader, label) = open_file(path.as_ref())?;
        Self::read_powers_from(reader, &label, n_g1, n_g2)
    }

    /// Like [`Ptau::read_powers`], from any seekable reader; `label` names it in errors.
    ///
    /// # Errors
    /// As [`Ptau::read_powers`].
    pub fn read_powers_from<R: Read + Seek>(
        reader: R,
        label: &str,
        n_g1: usize,
        n_g2: usize,
    ) -> Result<PtauPowers> {
        let mut bin = BinFile::open(reader, label, "ptau", PTAU_VERSION)?;
        let info = read_headers(&mut bin)?;
        let h = info.header;
        if n_g1 > h.n_tau_g1() || n_g2 > h.n_tau_g2() {
            return Err(CircomError::InvalidHeader {
                file: label.to_owned(),
                section: section::HEADER,
                name: "header",
                field: "power",
                reason: format!(
                    "power {} gives {} G1 and {} G2 powers of tau; {n_g1} G1 and {n_g2} G2 powers \
                     were asked for",
                    h.power,
                    h.n_tau_g1(),
                    h.n_tau_g2()
                ),
            });
        }
        let tau_g1 =
            read_points(&mut bin, section::TAU_G1, "tauG1", n_g1, G1_BYTES, g1_from_mont_bytes)?;
        let tau_g2 =
            read_points(&mut bin, section::TAU_G2, "tauG2", n_g2, G2_BYTES, g2_in_subgroup)?;
        Ok(PtauPowers { header: h, tau_g1, tau_g2 })
    }

    /// Checks that every G2 point of the file (tauG2, betaG2 and the Lagrange tauG2) lies in
    /// G2's prime-order subgroup: one scalar multiplication per point, in parallel. `label`
    /// names the file in the error.
    ///
    /// # Errors
    /// [`CircomError::InvalidPoint`] for the first point outside the subgroup.
    pub fn check_g2_subgroup(&self, label: &str) -> Result<()> {
        let err = |id, name, index: usize| CircomError::InvalidPoint {
            file: label.to_owned(),
            section: id,
            name,
            index: index as u64,
            reason: "not in the prime-order subgroup",
        };
        if let Some(i) = self.tau_g2.par_iter().position_first(|p| !p.is_in_subgroup()) {
            return Err(err(section::TAU_G2, "tauG2", i));
        }
        if !self.beta_g2.is_in_subgroup() {
            return Err(err(section::BETA_G2, "betaG2", 0));
        }
        if let Some(l) = &self.lagrange
            && let Some(i) = l.tau_g2.par_iter().position_first(|p| !p.is_in_subgroup())
        {
            return Err(err(section::LAGRANGE_G2, "lagrange tauG2", i));
        }
        Ok(())
    }
}
