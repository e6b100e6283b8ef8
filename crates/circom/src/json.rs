//! snarkjs's JSON files for Groth16: `proof.json`, `public.json` and `verification_key.json`.
//!
//! Numbers are decimal strings in standard (non-Montgomery) form. Points are written as snarkjs
//! writes them — affine with an explicit projective coordinate: G1 `[x, y, "1"]`, G2
//! `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`, and the point at infinity as `["0", "1", "0"]` /
//! `[["0", "0"], ["1", "0"], ["0", "0"]]`. Output is indented with one space, like snarkjs's
//! `JSON.stringify(value, null, 1)`.
//!
//! Reading accepts any `z`: `z = 0` is infinity, otherwise `(x, y, z)` are Jacobian coordinates
//! (`x/z², y/z³`, ffjavascript's representation; snarkjs always writes `z = 1`). Every point read
//! is checked to be on its curve, and G2 points to be in the prime-order subgroup (a handful of
//! points, so the cost does not matter). Unknown keys are ignored; `curve` may be missing
//! (rapidsnark omits it) but must be `"bn128"` when present. A verification key with α, β, γ or
//! δ at infinity is refused (it would accept forged proofs). Files are read only when they are
//! regular files of at most [`crate::MAX_JSON_BYTES`], and written atomically (see
//! [`crate::files`]).

use std::path::Path;

use serde::{Deserialize, Serialize};
use zkprove_curve::bn254::{Fq2, G1Affine, G1Projective, G2Affine, G2Projective};
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::{Field, PrimeField};

use crate::error::{CircomError, Result};
use crate::files::{read_json_text, write_files_atomically};
use crate::zkey::Zkey;

/// The protocol name snarkjs writes.
pub const PROTOCOL: &str = "groth16";
/// snarkjs's name for BN254.
pub const CURVE: &str = "bn128";

/// `e(α₁, β₂)` as snarkjs writes it in `vk_alphabeta_12`: an `F_q¹²` element as two `F_q⁶`
/// halves of three `F_q²` pairs `[c0, c1]`, decimal strings. This crate does not compute pairings:
/// the caller fills it.
pub type AlphaBeta12 = [[[String; 2]; 3]; 2];

/// A Groth16 proof `(A, B, C)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proof {
    /// `pi_a` ∈ G1.
    pub a: G1Affine,
    /// `pi_b` ∈ G2.
    pub b: G2Affine,
    /// `pi_c` ∈ G1.
    pub c: G1Affine,
}

/// A Groth16 verification key, as in snarkjs's `verification_key.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationKey {
    /// Number of public signals.
    pub n_public: u32,
    /// `[α]₁`.
    pub alpha1: G1Affine,
    /// `[β]₂`.
    pub beta2: G2Affine,
    /// `[γ]₂`.
    pub gamma2: G2Affine,
    /// `[δ]₂`.
    pub delta2: G2Affine,
    /// `e(α₁, β₂)`, filled by the caller (see [`AlphaBeta12`]); all `"0"` from
    /// [`VerificationKey::from_zkey`].
    pub alphabeta_12: AlphaBeta12,
    /// IC, `n_public + 1` points.
    pub ic: Vec<G1Affine>,
}

// ---- raw JSON shapes -------------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
struct ProofJson {
    pi_a: Vec<String>,
    pi_b: Vec<Vec<String>>,
    pi_c: Vec<String>,
    #[serde(default)]
    protocol: Option<String>,
    #[serde(default)]
    curve: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct VkJson {
    protocol: String,
    #[serde(default)]
    curve: Option<String>,
    #[serde(rename = "nPublic")]
    n_public: u32,
    vk_alpha_1: Vec<String>,
    vk_beta_2: Vec<Vec<String>>,
    vk_gamma_2: Vec<Vec<String>>,
    vk_delta_2: Vec<Vec<String>>,
    vk_alphabeta_12: Vec<Vec<Vec<String>>>,
    #[serde(rename = "IC")]
    ic: Vec<Vec<String>>,
}

// ---- encoding --------------------------------------------------------------------------------

fn g1_to_json(p: &G1Affine) -> Vec<String> {
    if p.is_identity() {
        vec!["0".into(), "1".into(), "0".into()]
    } else {
        vec![p.x.to_decimal_string(), p.y.to_decimal_string(), "1".into()]
    }
}

fn fq2_to_json(v: &Fq2) -> Vec<String> {
    v.coeffs().iter().map(PrimeField::to_decimal_string).collect()
}

fn g2_to_json(p: &G2Affine) -> Vec<Vec<String>> {
    if p.is_identity() {
        vec![
            vec!["0".into(), "0".into()],
            vec!["1".into(), "0".into()],
            vec!["0".into(), "0".into()],
        ]
    } else {
        vec![fq2_to_json(&p.x), fq2_to_json(&p.y), vec!["1".into(), "0".into()]]
    }
}

/// snarkjs's layout: `JSON.stringify(value, null, 1)`.
fn to_pretty<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    // Serializing these plain structs of strings and integers cannot fail.
    let _ = value.serialize(&mut ser);
    String::from_utf8(out).unwrap_or_default()
}

// ---- decoding --------------------------------------------------------------------------------

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, field: &str, reason: impl Into<String>) -> CircomError {
        CircomError::JsonValue {
            file: self.file.to_owned(),
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    fn fq(&self, s: &str, field: &str) -> Result<Fq> {
        Fq::from_decimal_str(s)
            .map_err(|e| self.err(field, format!("{s:?} is not a base field element: {e}")))
    }

    fn fr(&self, s: &str, field: &str) -> Result<Fr> {
        Fr::from_decimal_str(s)
            .map_err(|e| self.err(field, format!("{s:?} is not a scalar field element: {e}")))
    }

    fn fq2(&self, v: &[String], field: &str) -> Result<Fq2> {
        match v {
            [c0, c1] => Ok(Fq2::new([
                self.fq(c0, &format!("{field}[0]"))?,
                self.fq(c1, &format!("{field}[1]"))?,
            ])),
            _ => {
                Err(self.err(field, format!("expected a pair [c0, c1], found {} values", v.len())))
            }
        }
    }

    fn g1(&self, v: &[String], field: &str) -> Result<G1Affine> {
        let [x, y, z] = v else {
            return Err(
                self.err(field, format!("expected a G1 point [x, y, z], found {} values", v.len()))
            );
        };
        let x = self.fq(x, &format!("{field}[0]"))?;
        let y = self.fq(y, &format!("{field}[1]"))?;
        let z = self.fq(z, &format!("{field}[2]"))?;
        if z.is_zero() {
            return Ok(G1Affine::identity());
        }
        let p = G1Projective { x, y, z };
        // (0, 0) is this crate's encoding of infinity but not a point with z ≠ 0.
        if (x.is_zero() && y.is_zero()) || !p.is_on_curve() {
            return Err(self.err(field, "the point is not on the BN254 G1 curve"));
        }
        Ok(p.to_affine())
    }

    fn g2(&self, v: &[Vec<String>], field: &str) -> Result<G2Affine> {
        let [x, y, z] = v else {
            return Err(
                self.err(field, format!("expected a G2 point [x, y, z], found {} values", v.len()))
            );
        };
        let x = self.fq2(x, &format!("{field}[0]"))?;
        let y = self.fq2(y, &format!("{field}[1]"))?;
        let z = self.fq2(z, &format!("{field}[2]"))?;
        if z.is_zero() {
            return Ok(G2Affine::identity());
        }
        let p = G2Projective { x, y, z };
        if (x.is_zero() && y.is_zero()) || !p.is_on_curve() {
            return Err(self.err(field, "the point is not on the BN254 G2 curve"));
        }
        let a = p.to_affine();
        if !a.is_in_subgroup() {
            return Err(self.err(field, "the point is not in the BN254 G2 prime-order subgroup"));
        }
        Ok(a)
    }

    fn protocol_and_curve(&self, protocol: Option<&str>, curve: Option<&str>) -> Result<()> {
        if let Some(p) = protocol
            && p != PROTOCOL
        {
            return Err(self.err("protocol", format!("{p:?}, only {PROTOCOL:?} is supported")));
        }
        if let Some(c) = curve
            && c != CURVE
        {
            return Err(self.err("curve", format!("{c:?}, only {CURVE:?} (BN254) is supported")));
        }
        Ok(())
    }
}

fn parse<'de, T: Deserialize<'de>>(s: &'de str, file: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|source| CircomError::Json { file: file.to_owned(), source })
}

/// A JSON input: a regular file of at most [`crate::MAX_JSON_BYTES`] (see [`crate::files`]).
fn read_text(path: &Path) -> Result<String> {
    read_json_text(path)
}

/// Writes one output atomically (a temporary file renamed into place).
fn write_text(path: &Path, text: &str) -> Result<()> {
    write_files_atomically(&[(path, text.as_bytes())])
}

// ---- public API ------------------------------------------------------------------------------

impl Proof {
    /// The `proof.json` text, in snarkjs's shape and layout.
    pub fn to_json(&self) -> String {
        to_pretty(&ProofJson {
            pi_a: g1_to_json(&self.a),
            pi_b: g2_to_json(&self.b),
            pi_c: g1_to_json(&self.c),
            protocol: Some(PROTOCOL.into()),
            curve: Some(CURVE.into()),
        })
    }

    /// Parses `proof.json` text; `label` names it in errors.
    ///
    /// # Errors
    /// [`CircomError::Json`] for a wrong shape, [`CircomError::JsonValue`] for a wrong protocol or
    /// curve, a number that is not a field element, or a point off its curve or subgroup.
    pub fn from_json(text: &str, label: &str) -> Result<Self> {
        let raw: ProofJson = parse(text, label)?;
        let ctx = Ctx { file: label };
        ctx.protocol_and_curve(raw.protocol.as_deref(), raw.curve.as_deref())?;
        Ok(Self {
            a: ctx.g1(&raw.pi_a, "pi_a")?,
            b: ctx.g2(&raw.pi_b, "pi_b")?,
            c: ctx.g1(&raw.pi_c, "pi_c")?,
        })
    }

    /// Reads `proof.json` from `path`.
    ///
    /// # Errors
    /// [`CircomError::Io`] or as [`Proof::from_json`].
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::from_json(&read_text(path)?, &path.display().to_string())
    }

    /// Writes `proof.json` to `path` (atomically: a temporary file renamed into place; use
    /// [`write_proof_and_public`] to write it with its public signals).
    ///
    /// # Errors
    /// [`CircomError::Io`]; [`CircomError::NotAFile`] when `path` is a directory, pipe or device.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        write_text(path.as_ref(), &self.to_json())
    }
}

/// The `public.json` text for the public signals (`witness[1..=n_public]`).
pub fn public_signals_to_json(signals: &[Fr]) -> String {
    to_pretty(&signals.iter().map(PrimeField::to_decimal_string).collect::<Vec<_>>())
}

/// Parses `public.json` text (an array of decimal strings); `label` names it in errors.
///
/// # Errors
/// [`CircomError::Json`] for a wrong shape, [`CircomError::JsonValue`] for a value that is not a
/// scalar field element.
pub fn public_signals_from_json(text: &str, label: &str) -> Result<Vec<Fr>> {
    let raw: Vec<String> = parse(text, label)?;
    let ctx = Ctx { file: label };
    raw.iter().enumerate().map(|(i, s)| ctx.fr(s, &format!("[{i}]"))).collect()
}

/// Reads `public.json` from `path`.
///
/// # Errors
/// [`CircomError::Io`] or as [`public_signals_from_json`].
pub fn read_public_signals(path: impl AsRef<Path>) -> Result<Vec<Fr>> {
    let path = path.as_ref();
    public_signals_from_json(&read_text(path)?, &path.display().to_string())
}

/// Writes `public.json` to `path` (atomically: a temporary file renamed into place).
///
/// # Errors
/// [`CircomError::Io`]; [`CircomError::NotAFile`] when `path` is a directory, pipe or device.
pub fn write_public_signals(path: impl AsRef<Path>, signals: &[Fr]) -> Result<()> {
    write_text(path.as_ref(), &public_signals_to_json(signals))
}

/// Writes `proof.json` and `public.json` together: both or neither (see
/// [`write_files_atomically`]), so that a failure to write one never leaves the other behind.
///
/// # Errors
/// As [`write_files_atomically`], naming the file that could not be written.
pub fn write_proof_and_public(
    proof_path: impl AsRef<Path>,
    proof: &Proof,
    public_path: impl AsRef<Path>,
    signals: &[Fr],
) -> Result<()> {
    let (proof_json, public_json) = (proof.to_json(), public_signals_to_json(signals));
    write_files_atomically(&[
        (proof_path.as_ref(), proof_json.as_bytes()),
        (public_path.as_ref(), public_json.as_bytes()),
    ])
}

impl VerificationKey {
    /// The verification key of a proving key, with `alphabeta_12` left as zeros for the caller
    /// to fill with `e(α₁, β₂)`.
    pub fn from_zkey(zkey: &Zkey) -> Self {
        let h = &zkey.header;
        let zero = || ["0".to_owned(), "0".to_owned()];
        Self {
            n_public: h.n_public,
            alpha1: h.alpha1,
            beta2: h.beta2,
            gamma2: h.gamma2,
            delta2: h.delta2,
            alphabeta_12: [[zero(), zero(), zero()], [zero(), zero(), zero()]],
            ic: zkey.ic.clone(),
        }
    }

    /// The `verification_key.json` text, in snarkjs's shape and layout.
    pub fn to_json(&self) -> String {
        to_pretty(&VkJson {
            protocol: PROTOCOL.into(),
            curve: Some(CURVE.into()),
            n_public: self.n_public,
            vk_alpha_1: g1_to_json(&self.alpha1),
            vk_beta_2: g2_to_json(&self.beta2),
            vk_gamma_2: g2_to_json(&self.gamma2),
            vk_delta_2: g2_to_json(&self.delta2),
            vk_alphabeta_12: self
                .alphabeta_12
                .iter()
                .map(|h| h.iter().map(|p| p.to_vec()).collect())
                .collect(),
            ic: self.ic.iter().map(g1_to_json).collect(),
        })
    }

    /// Parses `verification_key.json` text; `label` names it in errors.
    ///
    /// # Errors
    /// [`CircomError::Json`] for a wrong shape; [`CircomError::JsonValue`] for a wrong protocol or
    /// curve, `IC` without `nPublic + 1` points, a `vk_alphabeta_12` not shaped 2×3×2, a number
    /// that is not a field element, a point off its curve or subgroup, or α, β, γ or δ at
    /// infinity.
    pub fn from_json(text: &str, label: &str) -> Result<Self> {
        let raw: VkJson = parse(text, label)?;
        let ctx = Ctx { file: label };
        ctx.protocol_and_curve(Some(&raw.protocol), raw.curve.as_deref())?;
        if raw.ic.len() as u64 != u64::from(raw.n_public) + 1 {
            return Err(ctx.err(
                "IC",
                format!(
                    "{} points, expected nPublic + 1 = {}",
                    raw.ic.len(),
                    u64::from(raw.n_public) + 1
                ),
            ));
        }
        let ic = raw
            .ic
            .iter()
            .enumerate()
            .map(|(i, p)| ctx.g1(p, &format!("IC[{i}]")))
            .collect::<Result<_>>()?;
        let ab = &raw.vk_alphabeta_12;
        let shape_err = || ctx.err("vk_alphabeta_12", "expected 2 × 3 pairs of decimal strings");
        if ab.len() != 2 || ab.iter().any(|h| h.len() != 3 || h.iter().any(|p| p.len() != 2)) {
            return Err(shape_err());
        }
        let mut alphabeta_12: AlphaBeta12 = Default::default();
        for (i, half) in ab.iter().enumerate() {
            for (j, pair) in half.iter().enumerate() {
                for (k, s) in pair.iter().enumerate() {
                    let field = format!("vk_alphabeta_12[{i}][{j}][{k}]");
                    ctx.fq(s, &field)?;
                    alphabeta_12[i][j][k] = s.clone();
                }
            }
        }
        // α, β, γ or δ at infinity turns a pairing of the check into 1: with γ or δ at infinity
        // any proof passes for any public signals. snarkjs never writes such a key.
        let at_infinity = |field: &str| {
            ctx.err(field, "the point at infinity: such a key would accept forged proofs")
        };
        let alpha1 = ctx.g1(&raw.vk_alpha_1, "vk_alpha_1")?;
        if alpha1.is_identity() {
            return Err(at_infinity("vk_alpha_1"));
        }
        let g2 = |v: &[Vec<String>], field: &str| -> Result<G2Affine> {
            let p = ctx.g2(v, field)?;
            if p.is_identity() { Err(at_infinity(field)) } else { Ok(p) }
        };
        let beta2 = g2(&raw.vk_beta_2, "vk_beta_2")?;
        let gamma2 = g2(&raw.vk_gamma_2, "vk_gamma_2")?;
        let delta2 = g2(&raw.vk_delta_2, "vk_delta_2")?;
        // γ₂ = δ₂: no phase-2 contribution (snarkjs's `zkey new` sets both to the generator);
        // then e(vk_x, γ)·e(C, δ) = e(vk_x + C, γ) and (α, β, −vk_x) proves any public signals.
        if gamma2 == delta2 {
            return Err(ctx.err(
                "vk_delta_2",
                "equals vk_gamma_2 (a key with no phase-2 contribution): such a key would accept \
                 forged proofs",
            ));
        }
        Ok(Self { n_public: raw.n_public, alpha1, beta2, gamma2, delta2, alphabeta_12, ic })
    }

    /// Reads `verification_key.json` from `path`.
    ///
    /// # Errors
    /// [`CircomError::Io`] or as [`VerificationKey::from_json`].
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::from_json(&read_text(path)?, &path.display().to_string())
    }

    /// Writes `verification_key.json` to `path` (atomically: a temporary file renamed into place).
    ///
    /// # Errors
    /// [`CircomError::Io`]; [`CircomError::NotAFile`] when `path` is a directory, pipe or device.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        write_text(path.as_ref(), &self.to_json())
    }
}
