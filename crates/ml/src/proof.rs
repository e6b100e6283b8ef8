//! Commit, prove and verify.
//!
//! # Statement
//! Given a [`ModelCommitment`] (layer shapes, requantization parameters, scales and the Merkle root
//! of the weights), a quantized input `x` and a claimed integer output `y`: `y` is the output of
//! the integer forward pass ([`crate::quant`]) of the committed weights on `x`.
//!
//! # Protocol
//! All challenges are QM31 elements from one Poseidon2-M31 transcript that first absorbs the
//! commitment (parameters and root), `x` and `y`.
//! 1. The prover sends, in the clear, every requantized layer's sums
//!    `T_j = M_j·z_j + M_res·s_j + 2^(s−1)` (one integer per output, `|T_j| < 2^27`), and the
//!    transcript absorbs them. From them the verifier computes every activation itself:
//!    `a_j = clamp(⌊T_j / 2^s⌋, lo, hi)` — the requantization, its remainder range
//!    `0 ≤ T_j − 2^s·q_j < 2^s` and the clamp/ReLU hold by construction, over the integers,
//!    with no commitment, lookup or range proof. If the last layer is requantized its
//!    activations must equal `y`.
//! 2. Per layer `l` (`z = W·a + b`, `a` the previous activations or `x`): for a random `ρ`, with
//!    `e_j = eq(ρ, j)·M_j` (`M_j = 1` for an unrequantized last layer), the claim
//!    `Σ_j e_j z_j = Σ_j eq(ρ, j)·(T_j − 2^(s−1) − M_res·s_j)` (or `ỹ(ρ)`), whose right side the
//!    verifier computes, is reduced by two sumchecks (over the input index `k`, then the output
//!    index `j`, Thaler's matmul sumcheck) to `W̃(τ, σ)`, `b̃(τ)` (claims on the weights) and
//!    `ã(σ)` (computed by the verifier from the activations of step 1).
//! 3. All evaluation claims on the weights are batched by a random linear combination and one
//!    sumcheck into a single point, and opened there ([`crate::pcs`]).
//!
//! Why the integer relations follow: step 2 shows `M_j·z_j ≡ T_j − 2^(s−1) − M_res·s_j
//! (mod p)` for every `j` except with probability `k_out/|QM31|` (a non-zero multilinear
//! `Σ_j eq(ρ, j)·D_j` vanishes there), where `z_j` is the field value of `W·a + b` — the integer,
//! since `|z_j| < 2^29` for the committed weights ([`crate::quant`]); both sides are integers of
//! absolute value below `2^27` (the quantizer's bound on the left, the verifier's check on the
//! right), so their difference is below `p` and the congruence is an equality.
//!
//! The weights commitment is made once per model ([`CommittedModel::new`]); a proof against
//! another commitment (other weights) fails at step 3.
//!
//! # What is trusted, what is revealed, what is not proven
//! - The weights are *bound* (opened against the commitment) but their range is not proven: the
//!   no-overflow argument uses `|W_jk| ≤ 127` and the bias bound, which hold for a commitment made
//!   by [`CommittedModel::new`] from a [`QuantModel`]; anyone holding the model can recompute the
//!   commitment and compare roots. A committer who commits out-of-range "weights" could make the
//!   field arithmetic wrap.
//! - The proof *reveals* the requantization sums, and so every hidden activation; it is not
//!   zero-knowledge (neither is the weights' opening). Exactly what a proof shows beyond the
//!   public `x`, `y` and commitment: for every requantized layer `l` and output `j`, the integer
//!   `T_j` (hence the pre-clamp quotient `⌊T_j/2^s⌋`, the remainder `T_j mod 2^s` and the
//!   activation `a_j`; for the 64→1024→1024→10 MLP 2,048 integers, packed in their minimal bit
//!   width); the sumcheck messages (QM31 values that are random-point evaluations of products
//!   of weights and activations); and, from the weights' opening, one QM31 combination of the
//!   committed rows, `eq(z_hi)ᵀ·T` (`2^b` values), and `t` columns of the encoded weight
//!   matrix (`t` times `R` M31 values, each a fixed public linear combination of one weight
//!   column's values), with their Merkle paths. For batch-1 dense models the sums are a few
//!   kilobytes and replace a per-proof witness commitment with its opening (≈ 100 kB and a
//!   third of the proving time before). Hiding the activations (a layered GKR carrying one
//!   claim on `T` per layer at `ρ` — the layer loop's shape already — with LogUp range lookups
//!   for the remainders and the clamp, plus masking of the sumchecks and a hiding commitment
//!   for zero knowledge) is not done.
//! - Matrix products are reduced by sumcheck and never committed.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use zkprove_field::Field;
use zkprove_field::m31::{M31, QM31};
use zkprove_poly::{ColumnOps, CpuBackend, eq_table};
use zkprove_sumcheck::{RoundPoly, Term};

use crate::MlError;
use crate::backend::{MlBackend, ProductProver, device_err, sumcheck_err};
use crate::pcs::{self, Committed, Digest, Opening, PcsParams};
use crate::quant::{QuantModel, Requant, T_BOUND_LOG};
use crate::transcript::{Challenger, new_transcript};

/// The commitment format version.
pub const COMMITMENT_VERSION: u32 = 2;

const P: i64 = (1i64 << 31) - 1;

pub(crate) fn fe(v: i64) -> M31 {
    M31::from_u64(v.rem_euclid(P) as u64)
}

pub(crate) fn fx(v: i64) -> QM31 {
    QM31::from(fe(v))
}

pub(crate) fn log2_ceil(n: usize) -> usize {
    n.max(1).next_power_of_two().trailing_zeros() as usize
}

pub(crate) fn internal(e: impl ToString) -> MlError {
    MlError::Internal { reason: e.to_string() }
}

pub(crate) fn reject(check: &str) -> MlError {
    MlError::Rejected { check: check.into() }
}

/// The public description of one layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerPublic {
    /// Input width.
    pub n_in: usize,
    /// Output width.
    pub n_out: usize,
    /// Weight scales (1 or `n_out`).
    pub w_scale: Vec<f32>,
    /// Input activation scale.
    pub in_scale: f32,
    /// Output activation scale.
    pub out_scale: f32,
    /// The requantization (absent for a last layer without ReLU).
    pub requant: Option<Requant>,
}

/// What the verifier needs about a model: shapes, quantization parameters and the weights' root.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCommitment {
    /// [`COMMITMENT_VERSION`].
    pub version: u32,
    /// The input scale.
    pub input_scale: f32,
    /// The layers.
    pub layers: Vec<LayerPublic>,
    /// The Merkle root of the weights polynomial (8 M31 values).
    pub weights_root: Vec<u32>,
    /// The commitment parameters.
    pub pcs: PcsParams,
}

impl ModelCommitment {
    /// Checks the shapes and parameters (what a verifier relies on).
    ///
    /// # Errors
    /// [`MlError::InvalidCommitment`] naming the problem.
    pub fn validate(&self) -> Result<(), MlError> {
        let bad = |reason: String| MlError::InvalidCommitment { reason };
        if self.version != COMMITMENT_VERSION {
            return Err(bad(format!("version {}, expected {COMMITMENT_VERSION}", self.version)));
        }
        self.pcs.validate()?;
        if self.weights_root.len() != 8 || self.weights_root.iter().any(|&v| v >= M31_P) {
            return Err(bad("weights_root must be 8 canonical M31 values".into()));
        }
        if self.layers.is_empty() {
            return Err(bad("no layers".into()));
        }
        let n = self.layers.len();
        for (i, l) in self.layers.iter().enumerate() {
            if l.n_in == 0 || l.n_out == 0 || l.n_in > 1 << 24 || l.n_out > 1 << 24 {
                return Err(bad(format!("layer {i}: widths out of range")));
            }
            if i > 0 && self.layers[i - 1].n_out != l.n_in {
                return Err(bad(format!("layer {i}: widths do not chain")));
            }
            if let Some(rq) = &l.requant
                && (rq.mult.len() != l.n_out || !rq.is_exact_in_field())
            {
                return Err(bad(format!("layer {i}: requantization parameters out of range")));
            }
            if let Some(res) = l.requant.as_ref().and_then(|rq| rq.residual) {
                let width = if res.source == 0 {
                    self.layers[0].n_in
                } else {
                    self.layers.get(res.source - 1).map_or(0, |p| p.n_out)
                };
                if res.source > i || width != l.n_out {
                    return Err(bad(format!("layer {i}: residual source does not fit")));
                }
            }
            if l.requant.is_none() && i + 1 < n {
                return Err(bad(format!("layer {i}: hidden layer without requantization")));
            }
        }
        Ok(())
    }

    fn root(&self) -> Result<Digest, MlError> {
        let mut d = [M31::ZERO; 8];
        for (o, &v) in d.iter_mut().zip(&self.weights_root) {
            *o = M31::new_checked(v)
                .ok_or(MlError::InvalidCommitment { reason: "root value".into() })?;
        }
        Ok(d)
    }

    fn observe(&self, t: &mut Challenger) -> Result<(), MlError> {
        let obs_f32 = |t: &mut Challenger, v: f32| {
            let b = v.to_bits();
            t.observe(M31::from_u64(u64::from(b & 0xffff)));
            t.observe(M31::from_u64(u64::from(b >> 16)));
        };
        t.observe(M31::from_u64(u64::from(self.version)));
        t.observe(M31::from_u64(u64::from(self.pcs.log_blowup)));
        t.observe(M31::from_u64(self.pcs.n_queries as u64));
        t.observe(M31::from_u64(u64::from(self.pcs.pow_bits)));
        obs_f32(t, self.input_scale);
        t.observe(M31::from_u64(self.layers.len() as u64));
        for l in &self.layers {
            t.observe(M31::from_u64(l.n_in as u64));
            t.observe(M31::from_u64(l.n_out as u64));
            t.observe(M31::from_u64(l.w_scale.len() as u64));
            for &s in &l.w_scale {
                obs_f32(t, s);
            }
            obs_f32(t, l.in_scale);
            obs_f32(t, l.out_scale);
            match &l.requant {
                None => t.observe(M31::ZERO),
                Some(rq) => {
                    t.observe(M31::ONE);
                    t.observe(M31::from_u64(u64::from(rq.shift)));
                    t.observe(fe(i64::from(rq.lo)));
                    t.observe(fe(i64::from(rq.hi)));
                    t.observe(M31::from_u64(u64::from(rq.v_bits)));
                    for &m in &rq.mult {
                        t.observe(M31::from_u64(u64::from(m)));
                    }
                    match rq.residual {
                        None => t.observe(M31::ZERO),
                        Some(r) => {
                            t.observe(M31::ONE);
                            t.observe(M31::from_u64(r.source as u64));
                            t.observe(M31::from_u64(u64::from(r.mult)));
                        }
                    }
                }
            }
        }
        t.observe_digest(&self.root()?);
        Ok(())
    }

    /// The scale of output `j` (a float output is `output_quantized[j]·output_scale(j)`).
    pub fn output_scale(&self, j: usize) -> f32 {
        match self.layers.last() {
            Some(l) if l.requant.is_none() => {
                let ws = if l.w_scale.len() == 1 {
                    l.w_scale[0]
                } else {
                    l.w_scale.get(j).copied().unwrap_or(1.0)
                };
                ws * l.in_scale
            }
            Some(l) => l.out_scale,
            None => 1.0,
        }
    }

    /// Quantizes an input as the model does.
    ///
    /// # Errors
    /// [`MlError::InputLength`], [`MlError::InvalidInput`].
    pub fn quantize_input(&self, x: &[f32]) -> Result<Vec<i32>, MlError> {
        let n_in = self.layers.first().map_or(0, |l| l.n_in);
        if x.len() != n_in {
            return Err(MlError::InputLength { expected: n_in, got: x.len() });
        }
        x.iter()
            .map(|&v| {
                if v.is_finite() {
                    Ok((v / self.input_scale).round().clamp(-128.0, 127.0) as i32)
                } else {
                    Err(MlError::InvalidInput { reason: format!("non-finite input value {v}") })
                }
            })
            .collect()
    }
}

const M31_P: u32 = (1u32 << 31) - 1;

/// Power-of-two blocks packed into one hypercube, largest first, so every block is aligned.
#[derive(Clone, Debug)]
struct Layout {
    offsets: Vec<usize>,
    logs: Vec<usize>,
    n_vars: usize,
    /// The end of the last block (the values after it are zero).
    used: usize,
}

impl Layout {
    fn new(logs: Vec<usize>) -> Self {
        let mut order: Vec<usize> = (0..logs.len()).collect();
        order.sort_by(|&a, &b| logs[b].cmp(&logs[a]).then(a.cmp(&b)));
        let mut offsets = vec![0; logs.len()];
        let mut off = 0usize;
        for i in order {
            offsets[i] = off;
            off += 1 << logs[i];
        }
        let n_vars = log2_ceil(off.max(2));
        Self { offsets, logs, n_vars, used: off }
    }
}

/// Per layer: `(k_in, k_out)` = log2 of the padded widths.
fn layer_logs(layers: &[LayerPublic]) -> Vec<(usize, usize)> {
    layers.iter().map(|l| (log2_ceil(l.n_in), log2_ceil(l.n_out))).collect()
}

/// Weight blocks: `2l` = W_l (`k_out + k_in` variables, row `j` major), `2l + 1` = b_l.
fn weight_layout(layers: &[LayerPublic]) -> Layout {
    Layout::new(layer_logs(layers).iter().flat_map(|&(ki, ko)| [ko + ki, ko]).collect())
}

/// A model with its weights committed, ready to prove.
#[derive(Clone, Debug)]
pub struct CommittedModel {
    /// The quantized model.
    pub model: QuantModel,
    /// The public commitment.
    pub commitment: ModelCommitment,
    weights: Committed,
}

impl CommittedModel {
    /// Commits to the weights (once per model).
    ///
    /// # Errors
    /// [`MlError::InvalidCommitment`] for unusable parameters or shapes.
    pub fn new(model: QuantModel, params: PcsParams) -> Result<Self, MlError> {
        Self::new_on::<CpuBackend>(model, params)
    }

    /// [`CommittedModel::new`] with the weights encoded and hashed on backend `B`
    /// ([`pcs::commit_on`]); the same commitment on every backend.
    ///
    /// # Errors
    /// As [`CommittedModel::new`]; backend failures as [`MlError::Device`].
    pub fn new_on<B: MlBackend>(model: QuantModel, params: PcsParams) -> Result<Self, MlError> {
        let layers: Vec<LayerPublic> = model
            .layers
            .iter()
            .map(|l| LayerPublic {
                n_in: l.n_in,
                n_out: l.n_out,
                w_scale: l.w_scale.clone(),
                in_scale: l.in_scale,
                out_scale: l.out_scale,
                requant: l.requant.clone(),
            })
            .collect();
        let layout = weight_layout(&layers);
        let mut values = vec![M31::ZERO; layout.used];
        for (li, (l, &(ki, _))) in model.layers.iter().zip(&layer_logs(&layers)).enumerate() {
            let wo = layout.offsets[2 * li];
            for j in 0..l.n_out {
                for k in 0..l.n_in {
                    values[wo + (j << ki) + k] = fe(i64::from(l.weight[j * l.n_in + k]));
                }
            }
            let bo = layout.offsets[2 * li + 1];
            for j in 0..l.n_out {
                values[bo + j] = fe(i64::from(l.bias[j]));
            }
        }
        let weights = pcs::commit_on::<B>(values, layout.n_vars, &params)?;
        let commitment = ModelCommitment {
            version: COMMITMENT_VERSION,
            input_scale: model.input_scale,
            layers,
            weights_root: weights.root().iter().map(M31::as_canonical_u32).collect(),
            pcs: params,
        };
        commitment.validate()?;
        Ok(Self { model, commitment, weights })
    }
}

/// A proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// Per layer, the requantization sums `T_j` (empty for a layer without requantization).
    pub requant_sums: Vec<Vec<i32>>,
    /// Every field element the prover sends, in transcript order (round polynomials, claimed
    /// evaluations).
    pub messages: Vec<QM31>,
    /// The opening of the weights.
    pub weight_opening: Opening,
}

/// An evaluation claim on one block of a committed polynomial.
#[derive(Clone, Debug)]
struct Claim {
    block: usize,
    point: Vec<QM31>,
    value: QM31,
}

pub(crate) struct Writer<'a> {
    pub(crate) msgs: Vec<QM31>,
    pub(crate) t: &'a mut Challenger,
}

impl Writer<'_> {
    pub(crate) fn send(&mut self, v: QM31) {
        self.t.observe_ext(&v);
        self.msgs.push(v);
    }
    pub(crate) fn sample(&mut self, n: usize) -> Vec<QM31> {
        (0..n).map(|_| self.t.sample_ext()).collect()
    }
}

pub(crate) struct Reader<'a> {
    pub(crate) msgs: &'a [QM31],
    pub(crate) pos: usize,
    pub(crate) t: &'a mut Challenger,
}

impl Reader<'_> {
    pub(crate) fn recv(&mut self) -> Result<QM31, MlError> {
        let v = *self
            .msgs
            .get(self.pos)
            .ok_or(MlError::MalformedProof { reason: "too few messages".into() })?;
        self.pos += 1;
        self.t.observe_ext(&v);
        Ok(v)
    }
    pub(crate) fn sample(&mut self, n: usize) -> Vec<QM31> {
        (0..n).map(|_| self.t.sample_ext()).collect()
    }
}

/// Runs a sumcheck on extension tables on backend `B` (uploaded from the host; a move on the
/// CPU), sending every round polynomial; returns the point and the tables' final values.
pub(crate) fn sc_prove<B: MlBackend>(
    w: &mut Writer<'_>,
    tables: Vec<Vec<QM31>>,
    terms: Vec<Term<QM31>>,
) -> Result<(Vec<QM31>, Vec<QM31>), MlError> {
    let cols = tables.into_iter().map(B::ext_from_vec).collect::<Result<Vec<_>, _>>()?;
    let p = ProductProver::<B>::new_ext(cols, terms).map_err(sumcheck_err)?;
    sc_rounds(w, p, Vec::new())
}

/// Runs the remaining rounds of `p` (after the rounds whose challenges are `point`), sending
/// every round polynomial; each round's fold and the next round's values are one backend pass
/// ([`zkprove_sumcheck::SumcheckOps::fold_ext_and_round`]). Returns the whole point and the
/// tables' final values.
fn sc_rounds<B: MlBackend>(
    w: &mut Writer<'_>,
    mut p: ProductProver<B>,
    mut point: Vec<QM31>,
) -> Result<(Vec<QM31>, Vec<QM31>), MlError> {
    let n = p.n_variables();
    point.reserve(n);
    if n > 0 {
        let mut poly = Some(p.round_polynomial().map_err(sumcheck_err)?);
        while let Some(rp) = poly {
            for &e in &rp.evals {
                w.send(e);
            }
            let r: QM31 = w.t.sample_ext();
            point.push(r);
            poly = p.fold_and_round(r).map_err(sumcheck_err)?;
        }
    }
    Ok((point, p.final_evaluations().map_err(sumcheck_err)?))
}

/// The verifier's side of [`sc_prove`]: returns the point and the reduced claim.
pub(crate) fn sc_verify(
    r: &mut Reader<'_>,
    n_vars: usize,
    degree: usize,
    mut claim: QM31,
) -> Result<(Vec<QM31>, QM31), MlError> {
    let mut point = Vec::with_capacity(n_vars);
    for _ in 0..n_vars {
        let evals = (0..degree).map(|_| r.recv()).collect::<Result<Vec<_>, _>>()?;
        let x: QM31 = r.t.sample_ext();
        claim = RoundPoly { evals }.evaluate(claim, x);
        point.push(x);
    }
    Ok((point, claim))
}

fn eq_eval(a: &[QM31], b: &[QM31]) -> QM31 {
    a.iter().zip(b).map(|(&x, &y)| x * y + (QM31::ONE - x) * (QM31::ONE - y)).product()
}

/// `Σ_j table[j]·v[j]` for an M31/integer vector `v` (shorter than the table: zero-padded).
fn dot_i64(table: &[QM31], v: &[i64]) -> QM31 {
    table.iter().zip(v).map(|(&e, &x)| e * fe(x)).sum()
}

/// The sumcheck of `Σ_x f(x)·g(x)` for a base-field `f` and an extension-field `g` (the batching
/// of evaluation claims) on backend `B`: the first round through
/// [`MlBackend::product_first_round`] (which reads `f` in M31 on the CPU), the others through
/// [`sc_rounds`]. Same transcript shape as [`sc_prove`] with degree 2; returns the point and
/// `f`'s value there.
fn sc_prove_base_ext<B: MlBackend>(
    w: &mut Writer<'_>,
    f: Vec<M31>,
    g: Vec<QM31>,
) -> Result<(Vec<QM31>, QM31), MlError> {
    let n = f.len().trailing_zeros() as usize;
    if n == 0 {
        return Ok((Vec::new(), QM31::from(f.first().copied().unwrap_or(M31::ZERO))));
    }
    let f = <B as ColumnOps<M31>>::from_vec(f).map_err(device_err)?;
    let g = B::ext_from_vec(g)?;
    let mut first = None;
    let p = B::product_first_round(f, g, &mut |[p0, p2]| {
        w.send(p0);
        w.send(p2);
        let r: QM31 = w.t.sample_ext();
        first = Some(r);
        r
    })?;
    let r = first.ok_or_else(|| internal("first product round"))?;
    let (point, finals) = sc_rounds(w, p, vec![r])?;
    Ok((point, finals.first().copied().unwrap_or(QM31::ZERO)))
}

/// Batches the claims on one committed polynomial into one point; returns it and the value there.
fn batch_prove<B: MlBackend>(
    w: &mut Writer<'_>,
    values: &[M31],
    layout: &Layout,
    claims: &[Claim],
) -> Result<(Vec<QM31>, QM31), MlError> {
    let alpha: QM31 = w.t.sample_ext();
    let mut table = vec![QM31::ZERO; 1 << layout.n_vars];
    let mut coef = QM31::ONE;
    for c in claims {
        let off = layout.offsets[c.block];
        let eq = eq_table(&c.point);
        table[off..off + eq.len()]
            .par_iter_mut()
            .zip(eq.par_iter())
            .for_each(|(t, &e)| *t += coef * e);
        coef *= alpha;
    }
    let mut f = values.to_vec();
    f.resize(1 << layout.n_vars, M31::ZERO);
    let (point, f) = sc_prove_base_ext::<B>(w, f, table)?;
    w.send(f);
    Ok((point, f))
}

fn batch_verify(
    r: &mut Reader<'_>,
    layout: &Layout,
    claims: &[Claim],
) -> Result<(Vec<QM31>, QM31), MlError> {
    let alpha: QM31 = r.t.sample_ext();
    let mut coef = QM31::ONE;
    let mut sum = QM31::ZERO;
    for c in claims {
        sum += coef * c.value;
        coef *= alpha;
    }
    let (point, claim) = sc_verify(r, layout.n_vars, 2, sum)?;
    let f = r.recv()?;
    let mut weight = QM31::ZERO;
    let mut coef = QM31::ONE;
    for c in claims {
        let lg = layout.logs[c.block];
        let n_hi = layout.n_vars - lg;
        let hi = layout.offsets[c.block] >> lg;
        let mut e = eq_eval(&c.point, &point[n_hi..]);
        for (i, &x) in point[..n_hi].iter().enumerate() {
            e *= if (hi >> (n_hi - 1 - i)) & 1 == 1 { x } else { QM31::ONE - x };
        }
        weight += coef * e;
        coef *= alpha;
    }
    if claim != f * weight {
        return Err(reject("batched opening sumcheck"));
    }
    Ok((point, f))
}

fn observe_statement(
    t: &mut Challenger,
    c: &ModelCommitment,
    x: &[i32],
    y: &[i64],
) -> Result<(), MlError> {
    c.observe(t)?;
    t.observe(M31::from_u64(x.len() as u64));
    for &v in x {
        t.observe(fe(i64::from(v)));
    }
    t.observe(M31::from_u64(y.len() as u64));
    for &v in y {
        t.observe(fe(v));
    }
    Ok(())
}

/// Per layer, the verifier's view of its input activations (`acts[l]`, `acts[0] = x`) and
/// the activations after the last layer, recomputed from the requantization sums (module docs,
/// step 1). Checks the sums' count and range and, for a requantized last layer, the output.
fn activations(
    com: &ModelCommitment,
    x: &[i32],
    y: &[i64],
    sums: &[Vec<i32>],
) -> Result<Vec<Vec<i64>>, MlError> {
    if sums.len() != com.layers.len() {
        return Err(MlError::MalformedProof { reason: "requantization sums per layer".into() });
    }
    let mut acts = vec![x.iter().map(|&v| i64::from(v)).collect::<Vec<i64>>()];
    for (li, (l, t)) in com.layers.iter().zip(sums).enumerate() {
        match &l.requant {
            Some(rq) => {
                if t.len() != l.n_out {
                    return Err(reject(&format!("layer {li}: number of requantization sums")));
                }
                if t.iter().any(|v| v.unsigned_abs() >= 1 << T_BOUND_LOG) {
                    return Err(reject(&format!("layer {li}: requantization sum out of range")));
                }
                let den = 1i64 << rq.shift;
                let (lo, hi) = (i64::from(rq.lo), i64::from(rq.hi));
                acts.push(t.iter().map(|&v| i64::from(v).div_euclid(den).clamp(lo, hi)).collect());
            }
            None => {
                if !t.is_empty() {
                    return Err(reject(&format!("layer {li}: sums without requantization")));
                }
                acts.push(y.to_vec());
            }
        }
    }
    if acts.last().map(Vec::as_slice) != Some(y) {
        return Err(reject("output"));
    }
    Ok(acts)
}

/// `Σ_j eq(ρ, j)·(T_j − 2^(s−1) − M_res·s_j)` for a requantized layer, `Σ_j eq(ρ, j)·y_j`
/// otherwise: the value of `Σ_j e_j z_j` the matrix product must reach.
fn layer_target(
    l: &LayerPublic,
    eqr: &[QM31],
    sums: &[i32],
    acts: &[Vec<i64>],
    out: &[i64],
) -> QM31 {
    match &l.requant {
        Some(rq) => {
            let half = 1i64 << (rq.shift - 1);
            let res = rq.residual;
            eqr.iter()
                .zip(sums)
                .enumerate()
                .map(|(j, (&e, &t))| {
                    let s = res.map_or(0, |r| {
                        i64::from(r.mult) * acts[r.source].get(j).copied().unwrap_or(0)
                    });
                    e * fe(i64::from(t) - half - s)
                })
                .sum()
        }
        None => dot_i64(eqr, out),
    }
}

/// `e_j = eq(ρ, j)·M_j` (zero past `n_out`), or `eq(ρ, j)` without requantization.
fn layer_e(l: &LayerPublic, eqr: &[QM31]) -> Vec<QM31> {
    match &l.requant {
        Some(rq) => eqr
            .iter()
            .enumerate()
            .map(|(j, &e)| rq.mult.get(j).map_or(QM31::ZERO, |&m| e * M31::from_u64(u64::from(m))))
            .collect(),
        None => eqr.to_vec(),
    }
}

fn observe_sums(t: &mut Challenger, sums: &[Vec<i32>]) {
    for s in sums {
        t.observe(M31::from_u64(s.len() as u64));
        for &v in s {
            t.observe(fe(i64::from(v)));
        }
    }
}

/// Proves one inference; returns the integer output (the model's, from the reference forward
/// pass) and the proof.
///
/// # Errors
/// Input errors; [`MlError::Overflow`] if a requantization sum leaves `±2^27` (a model whose
/// parameters were not made by [`QuantModel::quantize`]).
pub fn prove(cm: &CommittedModel, input: &[f32]) -> Result<(Vec<i64>, Proof), MlError> {
    prove_on::<CpuBackend>(cm, input)
}

/// [`prove`] on backend `B`: every sumcheck's folds and round evaluations run on the backend's
/// columns ([`MlBackend`]); the forward pass, the sums, the restrictions of the weights to the
/// random points (the sumcheck tables) and the opening's row combination, grinding and Merkle
/// paths are host code. The proof is the same bytes on every backend.
///
/// # Errors
/// As [`prove`]; backend failures as [`MlError::Device`].
pub fn prove_on<B: MlBackend>(
    cm: &CommittedModel,
    input: &[f32],
) -> Result<(Vec<i64>, Proof), MlError> {
    let model = &cm.model;
    let com = &cm.commitment;
    let trace = model.run(input)?;
    let y = trace.output().to_vec();
    let mut t = new_transcript()?;
    observe_statement(&mut t, com, &trace.input, &y)?;
    let logs = layer_logs(&com.layers);
    let wl = weight_layout(&com.layers);

    // 1. The requantization sums, in the clear.
    let mut sums: Vec<Vec<i32>> = Vec::with_capacity(model.layers.len());
    for (li, l) in model.layers.iter().enumerate() {
        let s = match &l.requant {
            Some(rq) => trace.quot[li]
                .iter()
                .zip(&trace.rem[li])
                .map(|(&q, &r)| {
                    let v = (q << rq.shift) + r;
                    i32::try_from(v).ok().filter(|v| v.unsigned_abs() < 1 << T_BOUND_LOG).ok_or(
                        MlError::Overflow {
                            layer: li,
                            reason: "requantization sum beyond ±2^27".into(),
                        },
                    )
                })
                .collect::<Result<Vec<i32>, MlError>>()?,
            None => Vec::new(),
        };
        sums.push(s);
    }
    observe_sums(&mut t, &sums);
    let acts = activations(com, &trace.input, &y, &sums)?;
    let mut w = Writer { msgs: Vec::new(), t: &mut t };
    let mut wclaims: Vec<Claim> = Vec::new();

    for (li, l) in com.layers.iter().enumerate() {
        let (ki, ko) = logs[li];
        let nin_p = 1usize << ki;
        let nout_p = 1usize << ko;
        let woff = wl.offsets[2 * li];
        let wblock = &cm.weights.values()[woff..woff + (nout_p << ki)];
        let boff = wl.offsets[2 * li + 1];
        let bblock = &cm.weights.values()[boff..boff + nout_p];
        // 2. The matrix product.
        let rho = w.sample(ko);
        let eqr = eq_table(&rho);
        let e = layer_e(l, &eqr);
        let bsum: QM31 = e.iter().zip(bblock).map(|(&a, &b)| a * b).sum();
        w.send(bsum);
        // Phase 1 over k: u_k = Σ_j e_j W_jk. Row-major passes over W, split over column
        // ranges (each task reads every row's segment of its range, contiguously).
        let mut u = vec![QM31::ZERO; nin_p];
        u.par_chunks_mut(256).enumerate().for_each(|(ci, out)| {
            let k0 = ci * 256;
            for (j, &ej) in e.iter().enumerate().take(l.n_out) {
                let row = &wblock[(j << ki) + k0..(j << ki) + k0 + out.len()];
                for (o, &wv) in out.iter_mut().zip(row) {
                    *o += ej * wv;
                }
            }
        });
        let mut a: Vec<QM31> = acts[li].iter().map(|&v| fx(v)).collect();
        a.resize(nin_p, QM31::ZERO);
        let (sigma, f1) = sc_prove::<B>(&mut w, vec![u, a], vec![Term::product(vec![0, 1])])?;
        let (uv, av) = (f1[0], f1[1]);
        w.send(uv);
        // Phase 2 over j: g_j = A·W̃(j, σ) + b_j.
        let eqs = eq_table(&sigma);
        let wrow: Vec<QM31> = (0..nout_p)
            .into_par_iter()
            .map(|j| eqs.iter().zip(&wblock[j << ki..(j + 1) << ki]).map(|(&q, &wv)| q * wv).sum())
            .collect();
        let g: Vec<QM31> = wrow.iter().zip(bblock).map(|(&wv, &b)| av * wv + b).collect();
        let (tau, _) = sc_prove::<B>(&mut w, vec![e, g], vec![Term::product(vec![0, 1])])?;
        let eqt = eq_table(&tau);
        let wv: QM31 = eqt.iter().zip(&wrow).map(|(&a, &b)| a * b).sum();
        let bv: QM31 = eqt.iter().zip(bblock).map(|(&a, &b)| a * b).sum();
        w.send(wv);
        w.send(bv);
        let mut wpt = tau.clone();
        wpt.extend_from_slice(&sigma);
        wclaims.push(Claim { block: 2 * li, point: wpt, value: wv });
        wclaims.push(Claim { block: 2 * li + 1, point: tau, value: bv });
    }
    // 3. The opening.
    let (wpt, _) = batch_prove::<B>(&mut w, cm.weights.values(), &wl, &wclaims)?;
    let msgs = std::mem::take(&mut w.msgs);
    drop(w);
    let weight_opening = pcs::open(&cm.weights, &wpt, &com.pcs, &mut t)?;
    Ok((y, Proof { requant_sums: sums, messages: msgs, weight_opening }))
}

/// Verifies a proof that `output` (integers) is the committed model's output on `input` (floats,
/// quantized with the commitment's input scale).
///
/// # Errors
/// [`MlError::Rejected`] / [`MlError::MalformedProof`] for an invalid proof (see
/// [`MlError::is_rejection`]); [`MlError::InvalidCommitment`], [`MlError::InputLength`],
/// [`MlError::InvalidInput`] for unusable inputs.
pub fn verify(
    com: &ModelCommitment,
    input: &[f32],
    output: &[i64],
    proof: &Proof,
) -> Result<(), MlError> {
    com.validate()?;
    let x = com.quantize_input(input)?;
    let n_out = com.layers.last().map_or(0, |l| l.n_out);
    if output.len() != n_out {
        return Err(MlError::InvalidInput {
            reason: format!("output has {} values, the model gives {n_out}", output.len()),
        });
    }
    if output.iter().any(|v| v.unsigned_abs() >= 1 << 30) {
        return Err(MlError::InvalidInput { reason: "output value beyond ±2^30".into() });
    }
    let mut t = new_transcript()?;
    observe_statement(&mut t, com, &x, output)?;
    let logs = layer_logs(&com.layers);
    let wl = weight_layout(&com.layers);
    observe_sums(&mut t, &proof.requant_sums);
    let acts = activations(com, &x, output, &proof.requant_sums)?;
    let mut r = Reader { msgs: &proof.messages, pos: 0, t: &mut t };
    let mut wclaims: Vec<Claim> = Vec::new();

    for (li, l) in com.layers.iter().enumerate() {
        let (ki, ko) = logs[li];
        let rho = r.sample(ko);
        let eqr = eq_table(&rho);
        let e = layer_e(l, &eqr);
        let target = layer_target(l, &eqr, &proof.requant_sums[li], &acts, output);
        let bsum = r.recv()?;
        let (sigma, c1) = sc_verify(&mut r, ki, 2, target - bsum)?;
        let uv = r.recv()?;
        let av = dot_i64(&eq_table(&sigma), &acts[li]);
        if c1 != uv * av {
            return Err(reject(&format!("layer {li}: matrix product (input side)")));
        }
        let (tau, c2) = sc_verify(&mut r, ko, 2, av * uv + bsum)?;
        let wv = r.recv()?;
        let bv = r.recv()?;
        let et: QM31 = eq_table(&tau).iter().zip(&e).map(|(&a, &b)| a * b).sum();
        if c2 != et * (av * wv + bv) {
            return Err(reject(&format!("layer {li}: matrix product (output side)")));
        }
        let mut wpt = tau.clone();
        wpt.extend_from_slice(&sigma);
        wclaims.push(Claim { block: 2 * li, point: wpt, value: wv });
        wclaims.push(Claim { block: 2 * li + 1, point: tau, value: bv });
    }
    let (wpt, wval) = batch_verify(&mut r, &wl, &wclaims)?;
    if r.pos != proof.messages.len() {
        return Err(MlError::MalformedProof { reason: "trailing messages".into() });
    }
    pcs::verify(
        &com.root()?,
        wl.n_vars,
        wl.used,
        &wpt,
        wval,
        &proof.weight_opening,
        &com.pcs,
        &mut t,
    )
}

/// The soundness of the whole protocol in bits for a commitment: the commitment's bound
/// ([`PcsParams::security_bits`]) and, for the sumchecks and random combinations,
/// `log2|QM31| − log2(Σ degree·rounds + k_out per layer + claims)` (Schwartz–Zippel per round and
/// per random combination).
pub fn security_bits(com: &ModelCommitment) -> f64 {
    let logs = layer_logs(&com.layers);
    let wl = weight_layout(&com.layers);
    let mut err_terms = 0f64;
    for &(ki, ko) in &logs {
        err_terms += 2.0 * (ki + ko) as f64 + ko as f64;
    }
    err_terms += 2.0 * wl.n_vars as f64 + 2.0 * com.layers.len() as f64;
    let field_bits = pcs::EXT_FIELD_BITS - err_terms.max(1.0).log2();
    field_bits.min(com.pcs.security_bits(wl.n_vars, wl.used))
}

// ---------------------------------------------------------------------------------------------
// Bytes.

const MAGIC: &[u8; 4] = b"ZKM3";

pub(crate) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_ext(out: &mut Vec<u8>, v: &QM31) {
    for c in v.to_m31_array() {
        put_u32(out, c.as_canonical_u32());
    }
}

/// Bits per packed M31 value (every canonical value is below `2^31 − 1`).
const M31_BITS: u32 = 31;

/// Appends `values`, each `width ≤ 32` bits (the low bits of each), little-endian bit order,
/// then zero bits up to the next byte.
pub(crate) fn put_bits(out: &mut Vec<u8>, values: impl IntoIterator<Item = u32>, width: u32) {
    let (mut acc, mut n) = (0u64, 0u32);
    let mask = if width >= 32 { u64::from(u32::MAX) } else { (1u64 << width) - 1 };
    for v in values {
        acc |= (u64::from(v) & mask) << n;
        n += width;
        while n >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            n -= 8;
        }
    }
    if n > 0 {
        out.push(acc as u8);
    }
}

/// The number of bytes [`put_bits`] writes for `count` values of `width` bits.
pub(crate) fn packed_len(count: usize, width: u32) -> usize {
    (count * width as usize).div_ceil(8)
}

fn put_m31s(out: &mut Vec<u8>, values: impl IntoIterator<Item = M31>) {
    put_bits(out, values.into_iter().map(|v| v.as_canonical_u32()), M31_BITS);
}

/// Zigzag: small magnitudes of either sign to small unsigned values.
fn zigzag(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

fn unzigzag(z: u32) -> i32 {
    ((z >> 1) as i32) ^ -((z & 1) as i32)
}

/// The bits needed for every value of `s` after [`zigzag`].
fn sums_width(s: &[i32]) -> u32 {
    s.iter().map(|&v| 32 - zigzag(v).leading_zeros()).max().unwrap_or(0)
}

/// Opening layout: the row (length, then `4·len` packed 31-bit values), the nonce, the column
/// count and height, the columns packed, the sibling count and the siblings packed (8 values
/// each). Every packed section ends at a byte boundary, its padding bits zero.
pub(crate) fn put_opening(out: &mut Vec<u8>, o: &Opening) {
    put_u32(out, o.y_eval.len() as u32);
    put_m31s(out, o.y_eval.iter().flat_map(|v| v.to_m31_array()));
    put_u32(out, o.pow_nonce.as_canonical_u32());
    put_u32(out, o.columns.len() as u32);
    put_u32(out, o.columns.first().map_or(0, Vec::len) as u32);
    put_m31s(out, o.columns.iter().flatten().copied());
    put_u32(out, o.siblings.len() as u32);
    put_m31s(out, o.siblings.iter().flatten().copied());
}

/// The serialized size of an opening's parts: row, columns, siblings (with their headers).
pub(crate) fn opening_sizes(o: &Opening) -> [usize; 3] {
    [
        4 + packed_len(4 * o.y_eval.len(), M31_BITS),
        12 + packed_len(o.columns.iter().map(Vec::len).sum(), M31_BITS),
        4 + packed_len(8 * o.siblings.len(), M31_BITS),
    ]
}

pub(crate) struct Bytes<'a> {
    pub(crate) b: &'a [u8],
    pub(crate) pos: usize,
}

impl Bytes<'_> {
    pub(crate) fn u32(&mut self) -> Result<u32, MlError> {
        let s = self
            .b
            .get(self.pos..self.pos + 4)
            .ok_or(MlError::MalformedProof { reason: "truncated".into() })?;
        self.pos += 4;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    pub(crate) fn len(&mut self, max: usize) -> Result<usize, MlError> {
        let n = self.u32()? as usize;
        if n > max || n > self.b.len() {
            return Err(MlError::MalformedProof { reason: format!("length {n} out of range") });
        }
        Ok(n)
    }
    pub(crate) fn m31(&mut self) -> Result<M31, MlError> {
        let v = self.u32()?;
        M31::new_checked(v)
            .ok_or(MlError::MalformedProof { reason: "non-canonical field element".into() })
    }
    pub(crate) fn ext(&mut self) -> Result<QM31, MlError> {
        Ok(QM31::from_m31(self.m31()?, self.m31()?, self.m31()?, self.m31()?))
    }
    /// `count` values of `width ≤ 32` bits as [`put_bits`] wrote them; the padding bits must be
    /// zero.
    pub(crate) fn bits(&mut self, count: usize, width: u32) -> Result<Vec<u32>, MlError> {
        let malformed = |reason: &str| MlError::MalformedProof { reason: reason.into() };
        if width > 32 {
            return Err(malformed("packed width out of range"));
        }
        let len = packed_len(count, width);
        let bytes = self.b.get(self.pos..self.pos + len).ok_or_else(|| malformed("truncated"))?;
        let mask = if width >= 32 { u64::from(u32::MAX) } else { (1u64 << width) - 1 };
        let mut out = Vec::with_capacity(count);
        let (mut acc, mut n, mut it) = (0u64, 0u32, bytes.iter());
        for _ in 0..count {
            while n < width {
                acc |= u64::from(*it.next().ok_or_else(|| malformed("truncated"))?) << n;
                n += 8;
            }
            out.push((acc & mask) as u32);
            acc >>= width;
            n -= width;
        }
        if acc != 0 || it.next().is_some() {
            return Err(malformed("non-zero padding bits"));
        }
        self.pos += len;
        Ok(out)
    }
    fn m31s(&mut self, count: usize) -> Result<Vec<M31>, MlError> {
        self.bits(count, M31_BITS)?
            .into_iter()
            .map(|v| {
                M31::new_checked(v)
                    .ok_or(MlError::MalformedProof { reason: "non-canonical field element".into() })
            })
            .collect()
    }
    pub(crate) fn opening(&mut self) -> Result<Opening, MlError> {
        let n = self.len(1 << 26)?;
        let y_eval = self
            .m31s(4 * n)?
            .chunks_exact(4)
            .map(|c| QM31::from_m31(c[0], c[1], c[2], c[3]))
            .collect();
        let pow_nonce = self.m31()?;
        let nq = self.len(1000)?;
        let rows = self.len(1 << 26)?;
        if nq * rows > self.b.len() * 8 {
            return Err(MlError::MalformedProof { reason: "column block too large".into() });
        }
        let flat = self.m31s(nq * rows)?;
        let columns = if rows == 0 {
            vec![Vec::new(); nq]
        } else {
            flat.chunks_exact(rows).map(<[M31]>::to_vec).collect()
        };
        let n = self.len(1000 * 64)?;
        let siblings =
            self.m31s(8 * n)?.chunks_exact(8).map(|c| std::array::from_fn(|i| c[i])).collect();
        Ok(Opening { y_eval, pow_nonce, columns, siblings })
    }
    /// Per layer: the count, the width, the zigzag values packed (see [`Proof::to_bytes`]); the
    /// width must be the smallest that holds them.
    fn sums(&mut self) -> Result<Vec<i32>, MlError> {
        let n = self.len(1 << 24)?;
        let width = self.u32()?;
        let s: Vec<i32> = self.bits(n, width)?.into_iter().map(unzigzag).collect();
        if sums_width(&s) != width {
            return Err(MlError::MalformedProof { reason: "sums: width not minimal".into() });
        }
        Ok(s)
    }
}

impl Proof {
    /// The serialized size of each part of the proof, in bytes (names for reports).
    pub fn size_breakdown(&self) -> Vec<(&'static str, usize)> {
        let o = &self.weight_opening;
        vec![
            (
                "requantization sums",
                4 + self
                    .requant_sums
                    .iter()
                    .map(|s| 8 + packed_len(s.len(), sums_width(s)))
                    .sum::<usize>(),
            ),
            ("sumcheck messages", 4 + 16 * self.messages.len()),
            ("weights opening: row", opening_sizes(o)[0]),
            ("weights opening: columns", opening_sizes(o)[1]),
            ("weights opening: siblings", opening_sizes(o)[2]),
        ]
    }

    /// The proof as bytes: magic; the requantization sums (layer count, then per layer the count,
    /// a bit width `w` and the zigzag-encoded sums packed in `w` bits each, `w` the smallest that
    /// holds them); the sumcheck messages (count, QM31 values as 4 little-endian u32 words); the
    /// opening (counts as u32 words, field elements packed in 31 bits, each packed section ending
    /// on a byte boundary with zero padding).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, self.requant_sums.len() as u32);
        for s in &self.requant_sums {
            put_u32(&mut out, s.len() as u32);
            let width = sums_width(s);
            put_u32(&mut out, width);
            put_bits(&mut out, s.iter().map(|&v| zigzag(v)), width);
        }
        put_u32(&mut out, self.messages.len() as u32);
        self.messages.iter().for_each(|v| put_ext(&mut out, v));
        put_opening(&mut out, &self.weight_opening);
        out
    }

    /// Parses [`Proof::to_bytes`]'s output.
    ///
    /// # Errors
    /// [`MlError::MalformedProof`] for a wrong magic, truncation, non-canonical field elements,
    /// lengths out of range or trailing bytes.
    pub fn from_bytes(b: &[u8]) -> Result<Self, MlError> {
        if b.get(..4) != Some(MAGIC.as_slice()) {
            return Err(MlError::MalformedProof {
                reason: "not a zkprove-ml proof (magic)".into(),
            });
        }
        let mut r = Bytes { b, pos: 4 };
        let n_layers = r.len(1 << 16)?;
        let mut requant_sums = Vec::with_capacity(n_layers);
        for _ in 0..n_layers {
            requant_sums.push(r.sums()?);
        }
        let n = r.len(1 << 24)?;
        let messages = (0..n).map(|_| r.ext()).collect::<Result<_, _>>()?;
        let weight_opening = r.opening()?;
        if r.pos != b.len() {
            return Err(MlError::MalformedProof { reason: "trailing bytes".into() });
        }
        Ok(Self { requant_sums, messages, weight_opening })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips_and_is_canonical() {
        for width in [0u32, 1, 7, 13, 31, 32] {
            for count in [0usize, 1, 3, 8, 9, 100] {
                let mask = if width == 32 { u32::MAX } else { (1u32 << width) - 1 };
                let vals: Vec<u32> =
                    (0..count as u32).map(|i| i.wrapping_mul(0x9E37_79B9) & mask).collect();
                let mut out = Vec::new();
                put_bits(&mut out, vals.iter().copied(), width);
                assert_eq!(out.len(), packed_len(count, width));
                let mut r = Bytes { b: &out, pos: 0 };
                assert_eq!(r.bits(count, width).unwrap(), vals);
                assert_eq!(r.pos, out.len());
                if !(count * width as usize).is_multiple_of(8) {
                    // A set padding bit is refused.
                    let mut bad = out.clone();
                    *bad.last_mut().unwrap() |= 0x80;
                    assert!(Bytes { b: &bad, pos: 0 }.bits(count, width).is_err());
                }
            }
        }
        for v in [0i32, 1, -1, 127, -128, i32::MAX, i32::MIN] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
        assert_eq!(sums_width(&[0, -1, 1, -2]), 2);
        // The M31 value p (non-canonical) in a packed section is refused.
        let mut out = Vec::new();
        put_bits(&mut out, [M31_P_VALUE], M31_BITS);
        assert!(Bytes { b: &out, pos: 0 }.m31s(1).is_err());
        // A sums block with a wider width than needed is refused.
        let mut out = Vec::new();
        put_u32(&mut out, 2);
        put_u32(&mut out, 5);
        put_bits(&mut out, [zigzag(3), zigzag(-2)], 5);
        assert!(Bytes { b: &out, pos: 0 }.sums().is_err());
    }

    const M31_P_VALUE: u32 = (1 << 31) - 1;

    #[test]
    fn layout_aligns_blocks() {
        let l = Layout::new(vec![3, 10, 1, 10, 4]);
        for (o, lg) in l.offsets.iter().zip(&l.logs) {
            assert_eq!(o % (1 << lg), 0);
        }
        assert_eq!(l.n_vars, 12);
    }

    #[test]
    fn eq_eval_matches_table() {
        let pt = vec![
            QM31::from_m31(M31::new(3), M31::new(5), M31::new(7), M31::new(11)),
            QM31::from(M31::new(9)),
        ];
        let tab = eq_table(&pt);
        for (i, v) in tab.iter().enumerate() {
            let bits = vec![fx(((i >> 1) & 1) as i64), fx((i & 1) as i64)];
            assert_eq!(eq_eval(&pt, &bits), *v);
        }
    }
}
