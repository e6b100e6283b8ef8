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
//! 1. The prover commits (with [`crate::pcs`]) to a witness polynomial holding, per requantized
//!    layer, the vectors `q` (quotients), `neg`, `big` (clamp selectors), the bits of `a − lo`, of
//!    the clamp slack `v` and of the remainder `r`, each in its own power-of-two block.
//! 2. Per layer `l` (`z = W·a + b`, `a` the previous output or `x`): for a random `ρ`, with
//!    `e_j = eq(ρ, j)·M_j` (`M_j = 1` for the unrequantized last layer), the claim
//!    `Σ_j e_j z_j = 2^s·q̃(ρ) + Σ_i 2^i·r̃_i(ρ) − Σ_j eq(ρ, j)·2^(s−1) − M_res·s̃(ρ)` (the last
//!    term for a residual `s`: the input, or `lo + Σ 2^i·ã_i(ρ)` of an earlier layer's committed
//!    bits; `ỹ(ρ)` instead for an unrequantized last layer) is reduced by two sumchecks (over the input index `k`, then the output index `j`) to
//!    `W̃(τ, σ)`, `b̃(τ)` (openings of the weights) and `ã(σ)` (computed from `x`, or
//!    `lo + Σ 2^i·ã_i(σ)` from the previous layer's committed bits).
//! 3. Per requantized layer, one zero-check sumcheck `Σ_j eq(ρ', j)·P(j) = 0` over a random
//!    combination `P` of: `q = lo + ā + (big − neg)(v + 1)`, `neg·ā = 0`,
//!    `big·(hi − lo − ā) = 0`, `neg·big = 0` and `b² = b` for every selector and bit. Together they
//!    force `a = clamp(q, lo, hi)`, `0 ≤ r < 2^s` and (with [`crate::quant::Requant::is_exact_in_field`])
//!    `q = ⌊(M·z + 2^(s−1)) / 2^s⌋` over the integers. If the last layer is requantized, its bits
//!    are also tied to `y` at a random point.
//! 4. All evaluation claims on each committed polynomial are batched by a random linear
//!    combination and one sumcheck into a single point, and opened there.
//!
//! The weights commitment is made once per model ([`CommittedModel::new`]); a proof against
//! another commitment (other weights) fails at step 4.
//!
//! # What is trusted, what is not proven
//! - The weights are *bound* (opened against the commitment) but their range is not proven: the
//!   no-overflow argument uses `|W_jk| ≤ 127` and the bias bound, which hold for a commitment made
//!   by [`CommittedModel::new`] from a [`QuantModel`]; anyone holding the model can recompute the
//!   commitment and compare roots. A committer who commits out-of-range "weights" could make the
//!   field arithmetic wrap.
//! - This is a commit-and-prove sumcheck protocol, not a full layered GKR: the (small, batch-1)
//!   requantization witness is committed rather than carried through the layers by GKR claims;
//!   matrix products are reduced by sumcheck and never committed.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use zkprove_field::Field;
use zkprove_field::m31::{M31, QM31};
use zkprove_poly::eq_table;
use zkprove_sumcheck::{RoundPoly, SumcheckProver, Term, evaluate_terms};

use crate::MlError;
use crate::pcs::{self, Committed, Digest, Opening, PcsParams};
use crate::quant::{QuantModel, Requant};
use crate::transcript::{Challenger, new_transcript};

/// The commitment format version.
pub const COMMITMENT_VERSION: u32 = 1;

const P: i64 = (1i64 << 31) - 1;

fn fe(v: i64) -> M31 {
    M31::from_u64(v.rem_euclid(P) as u64)
}

fn fx(v: i64) -> QM31 {
    QM31::from(fe(v))
}

fn log2_ceil(n: usize) -> usize {
    n.max(1).next_power_of_two().trailing_zeros() as usize
}

fn internal(e: impl ToString) -> MlError {
    MlError::Internal { reason: e.to_string() }
}

fn reject(check: &str) -> MlError {
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
        Self { offsets, logs, n_vars }
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

/// The vectors of one requantized layer's witness, in block order.
#[derive(Clone, Copy, Debug)]
struct WitnessShape {
    a_bits: usize,
    v_bits: usize,
    r_bits: usize,
}

impl WitnessShape {
    fn of(rq: &Requant) -> Self {
        Self { a_bits: rq.a_bits() as usize, v_bits: rq.v_bits as usize, r_bits: rq.shift as usize }
    }
    /// q, neg, big, a bits, v bits, r bits.
    fn n_vectors(&self) -> usize {
        3 + self.a_bits + self.v_bits + self.r_bits
    }
    const Q: usize = 0;
    const NEG: usize = 1;
    const BIG: usize = 2;
    fn ab(&self, i: usize) -> usize {
        3 + i
    }
    fn vb(&self, i: usize) -> usize {
        3 + self.a_bits + i
    }
    fn rb(&self, i: usize) -> usize {
        3 + self.a_bits + self.v_bits + i
    }
}

/// The witness layout: per layer the first block index (`None` without requantization).
fn witness_layout(layers: &[LayerPublic]) -> (Layout, Vec<Option<usize>>) {
    let mut logs = Vec::new();
    let mut base = Vec::new();
    for (l, &(_, ko)) in layers.iter().zip(&layer_logs(layers)) {
        match &l.requant {
            Some(rq) => {
                base.push(Some(logs.len()));
                logs.extend(std::iter::repeat_n(ko, WitnessShape::of(rq).n_vectors()));
            }
            None => base.push(None),
        }
    }
    if logs.is_empty() {
        logs.push(1); // an empty witness is still one (zero) block
    }
    (Layout::new(logs), base)
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
        let mut values = vec![M31::ZERO; 1 << layout.n_vars];
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
        let weights = pcs::commit(values, &params)?;
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
    /// The root of the witness commitment.
    pub witness_root: Digest,
    /// Every field element the prover sends, in transcript order (round polynomials, claimed
    /// evaluations).
    pub messages: Vec<QM31>,
    /// The opening of the weights.
    pub weight_opening: Opening,
    /// The opening of the witness.
    pub witness_opening: Opening,
}

/// An evaluation claim on one block of a committed polynomial.
#[derive(Clone, Debug)]
struct Claim {
    block: usize,
    point: Vec<QM31>,
    value: QM31,
}

struct Writer<'a> {
    msgs: Vec<QM31>,
    t: &'a mut Challenger,
}

impl Writer<'_> {
    fn send(&mut self, v: QM31) {
        self.t.observe_ext(&v);
        self.msgs.push(v);
    }
    fn sample(&mut self, n: usize) -> Vec<QM31> {
        (0..n).map(|_| self.t.sample_ext()).collect()
    }
}

struct Reader<'a> {
    msgs: &'a [QM31],
    pos: usize,
    t: &'a mut Challenger,
}

impl Reader<'_> {
    fn recv(&mut self) -> Result<QM31, MlError> {
        let v = *self
            .msgs
            .get(self.pos)
            .ok_or(MlError::MalformedProof { reason: "too few messages".into() })?;
        self.pos += 1;
        self.t.observe_ext(&v);
        Ok(v)
    }
    fn sample(&mut self, n: usize) -> Vec<QM31> {
        (0..n).map(|_| self.t.sample_ext()).collect()
    }
}

/// Runs a sumcheck on extension tables, sending every round polynomial; returns the point and
/// the tables' final values.
fn sc_prove(
    w: &mut Writer<'_>,
    tables: Vec<Vec<QM31>>,
    terms: Vec<Term<QM31>>,
) -> Result<(Vec<QM31>, Vec<QM31>), MlError> {
    let mut p = SumcheckProver::<M31, QM31>::new_ext(tables, terms).map_err(internal)?;
    let n = p.n_variables();
    let mut point = Vec::with_capacity(n);
    for _ in 0..n {
        let poly = p.round_polynomial().map_err(internal)?;
        for &e in &poly.evals {
            w.send(e);
        }
        let r: QM31 = w.t.sample_ext();
        p.fold(r).map_err(internal)?;
        point.push(r);
    }
    Ok((point, p.final_evaluations().map_err(internal)?))
}

/// The verifier's side of [`sc_prove`]: returns the point and the reduced claim.
fn sc_verify(
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

/// The terms of the zero-check of a requantized layer (table 0 is `eq`).
fn requant_terms(ws: &WitnessShape, rq: &Requant, lam: QM31) -> Vec<Term<QM31>> {
    let mut terms = Vec::new();
    let pow2 = |i: usize| fx(1i64 << i);
    let (q, neg, big) = (1 + WitnessShape::Q, 1 + WitnessShape::NEG, 1 + WitnessShape::BIG);
    let ab = |i: usize| 1 + ws.ab(i);
    let vb = |i: usize| 1 + ws.vb(i);
    let rb = |i: usize| 1 + ws.rb(i);
    let mut c = QM31::ONE;
    // C1: q − lo − ā − (big − neg)(v + 1) = 0.
    terms.push(Term::new(c, vec![0, q]));
    terms.push(Term::new(c * fx(-i64::from(rq.lo)), vec![0]));
    for i in 0..ws.a_bits {
        terms.push(Term::new(-c * pow2(i), vec![0, ab(i)]));
    }
    for i in 0..ws.v_bits {
        terms.push(Term::new(-c * pow2(i), vec![0, big, vb(i)]));
        terms.push(Term::new(c * pow2(i), vec![0, neg, vb(i)]));
    }
    terms.push(Term::new(-c, vec![0, big]));
    terms.push(Term::new(c, vec![0, neg]));
    // C2: neg·ā = 0.
    c *= lam;
    for i in 0..ws.a_bits {
        terms.push(Term::new(c * pow2(i), vec![0, neg, ab(i)]));
    }
    // C3: big·(hi − lo − ā) = 0.
    c *= lam;
    terms.push(Term::new(c * fx(i64::from(rq.hi - rq.lo)), vec![0, big]));
    for i in 0..ws.a_bits {
        terms.push(Term::new(-c * pow2(i), vec![0, big, ab(i)]));
    }
    // C4: neg·big = 0.
    c *= lam;
    terms.push(Term::new(c, vec![0, neg, big]));
    // Booleanity of every selector and bit.
    let bits = [neg, big]
        .into_iter()
        .chain((0..ws.a_bits).map(ab))
        .chain((0..ws.v_bits).map(vb))
        .chain((0..ws.r_bits).map(rb));
    for b in bits {
        c *= lam;
        terms.push(Term::new(c, vec![0, b, b]));
        terms.push(Term::new(-c, vec![0, b]));
    }
    terms
}

/// The witness vectors of one requantized layer (padded to `2^ko`).
fn layer_witness(
    rq: &Requant,
    quot: &[i64],
    rem: &[i64],
    out: &[i64],
    ko: usize,
    layer: usize,
) -> Result<Vec<Vec<M31>>, MlError> {
    let ws = WitnessShape::of(rq);
    let n = 1usize << ko;
    let mut vecs = vec![vec![M31::ZERO; n]; ws.n_vectors()];
    let (lo, hi) = (i64::from(rq.lo), i64::from(rq.hi));
    for j in 0..n {
        let (q, r, a) =
            if j < quot.len() { (quot[j], rem[j], out[j]) } else { (0, 0, 0i64.clamp(lo, hi)) };
        let neg = q < lo;
        let big = q > hi;
        let abar = a - lo;
        let v = if neg {
            lo - 1 - q
        } else if big {
            q - hi - 1
        } else {
            0
        };
        if v >= 1i64 << ws.v_bits
            || !(0..1i64 << ws.r_bits).contains(&r)
            || !(0..1i64 << ws.a_bits).contains(&abar)
        {
            return Err(MlError::Overflow {
                layer,
                reason: format!("output {j} outside the proven ranges"),
            });
        }
        vecs[WitnessShape::Q][j] = fe(q);
        vecs[WitnessShape::NEG][j] = fe(i64::from(neg));
        vecs[WitnessShape::BIG][j] = fe(i64::from(big));
        for i in 0..ws.a_bits {
            vecs[ws.ab(i)][j] = fe((abar >> i) & 1);
        }
        for i in 0..ws.v_bits {
            vecs[ws.vb(i)][j] = fe((v >> i) & 1);
        }
        for i in 0..ws.r_bits {
            vecs[ws.rb(i)][j] = fe((r >> i) & 1);
        }
    }
    Ok(vecs)
}

fn lift(v: &[M31]) -> Vec<QM31> {
    v.iter().map(|&x| QM31::from(x)).collect()
}

/// Pairs per Rayon task in the product sumcheck.
const PAR_CHUNK: usize = 1 << 12;

/// One round of `Σ f·g` over the two halves of each table: `[p(0), p(2)]`.
fn product_round<A, B>(f: &[A], g: &[B]) -> [QM31; 2]
where
    A: Copy + Send + Sync + core::ops::Sub<Output = A> + core::ops::Add<Output = A>,
    B: Copy
        + Send
        + Sync
        + core::ops::Sub<Output = B>
        + core::ops::Add<Output = B>
        + core::ops::Mul<A, Output = QM31>,
{
    let half = f.len() / 2;
    let (f0, f1) = f.split_at(half);
    let (g0, g1) = g.split_at(half);
    f0.par_chunks(PAR_CHUNK)
        .zip(f1.par_chunks(PAR_CHUNK))
        .zip(g0.par_chunks(PAR_CHUNK).zip(g1.par_chunks(PAR_CHUNK)))
        .map(|((a0, a1), (b0, b1))| {
            let mut acc = [QM31::ZERO; 2];
            for i in 0..a0.len() {
                acc[0] += b0[i] * a0[i];
                let a2 = a1[i] + a1[i] - a0[i];
                let b2 = b1[i] + b1[i] - b0[i];
                acc[1] += b2 * a2;
            }
            acc
        })
        .reduce(|| [QM31::ZERO; 2], |x, y| [x[0] + y[0], x[1] + y[1]])
}

/// `t0 + r·(t1 − t0)` over the halves of a table.
fn fold_halves<A>(t: &[A], r: QM31) -> Vec<QM31>
where
    A: Copy + Send + Sync + core::ops::Sub<Output = A>,
    QM31: core::ops::Mul<A, Output = QM31> + core::ops::Add<A, Output = QM31>,
{
    let half = t.len() / 2;
    let (t0, t1) = t.split_at(half);
    t0.par_iter().zip(t1).map(|(&a, &b)| r * (b - a) + a).collect()
}

/// The sumcheck of `Σ_x f(x)·g(x)` for a base-field `f` and an extension-field `g` (the batching
/// of evaluation claims), written here so that the first round and fold read `f` in M31 rather
/// than lifted. Same transcript shape as [`sc_prove`] with degree 2; returns the point and `f`'s
/// value there.
fn sc_prove_base_ext(
    w: &mut Writer<'_>,
    f: &[M31],
    g: Vec<QM31>,
) -> Result<(Vec<QM31>, QM31), MlError> {
    let n = f.len().trailing_zeros() as usize;
    let mut point = Vec::with_capacity(n);
    if n == 0 {
        return Ok((point, QM31::from(f.first().copied().unwrap_or(M31::ZERO))));
    }
    let [p0, p2] = product_round(f, &g);
    w.send(p0);
    w.send(p2);
    let r: QM31 = w.t.sample_ext();
    point.push(r);
    let mut fe_ = fold_halves(f, r);
    let mut ge = fold_halves(&g, r);
    drop(g);
    for _ in 1..n {
        let [p0, p2] = product_round(&fe_, &ge);
        w.send(p0);
        w.send(p2);
        let r: QM31 = w.t.sample_ext();
        point.push(r);
        fe_ = fold_halves(&fe_, r);
        ge = fold_halves(&ge, r);
    }
    Ok((point, fe_.first().copied().unwrap_or(QM31::ZERO)))
}

/// Batches the claims on one committed polynomial into one point; returns it and the value there.
fn batch_prove(
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
    let (point, f) = sc_prove_base_ext(w, values, table)?;
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

/// Proves one inference; returns the integer output (the model's, from the reference forward
/// pass) and the proof.
///
/// # Errors
/// Input errors; [`MlError::Overflow`] if a value leaves the proven ranges (a model whose
/// parameters were not made by [`QuantModel::quantize`]).
pub fn prove(cm: &CommittedModel, input: &[f32]) -> Result<(Vec<i64>, Proof), MlError> {
    let model = &cm.model;
    let com = &cm.commitment;
    let trace = model.run(input)?;
    let y = trace.output().to_vec();
    let mut t = new_transcript()?;
    observe_statement(&mut t, com, &trace.input, &y)?;
    let logs = layer_logs(&com.layers);
    let wl = weight_layout(&com.layers);
    let (xl, xbase) = witness_layout(&com.layers);

    // 1. The witness.
    let mut wit = vec![M31::ZERO; 1 << xl.n_vars];
    let mut layer_vecs: Vec<Option<Vec<Vec<M31>>>> = Vec::new();
    for (li, l) in model.layers.iter().enumerate() {
        match (&l.requant, xbase[li]) {
            (Some(rq), Some(base)) => {
                let vecs = layer_witness(
                    rq,
                    &trace.quot[li],
                    &trace.rem[li],
                    &trace.out[li],
                    logs[li].1,
                    li,
                )?;
                for (i, v) in vecs.iter().enumerate() {
                    let off = xl.offsets[base + i];
                    wit[off..off + v.len()].copy_from_slice(v);
                }
                layer_vecs.push(Some(vecs));
            }
            _ => layer_vecs.push(None),
        }
    }
    let wcom = pcs::commit(wit, &com.pcs)?;
    t.observe_digest(&wcom.root());
    let mut w = Writer { msgs: Vec::new(), t: &mut t };
    let mut wclaims: Vec<Claim> = Vec::new();
    let mut xclaims: Vec<Claim> = Vec::new();
    let mvec = |v: &Vec<M31>, pt: &[QM31]| -> QM31 {
        eq_table(pt).iter().zip(v).map(|(&e, &x)| e * x).sum()
    };

    for (li, l) in model.layers.iter().enumerate() {
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
        let e: Vec<QM31> = match &l.requant {
            Some(rq) => (0..nout_p)
                .map(|j| {
                    if j < l.n_out {
                        eqr[j] * M31::from_u64(u64::from(rq.mult[j]))
                    } else {
                        QM31::ZERO
                    }
                })
                .collect(),
            None => eqr.clone(),
        };
        let target = match (&l.requant, &layer_vecs[li], xbase[li]) {
            (Some(rq), Some(vecs), Some(base)) => {
                let ws = WitnessShape::of(rq);
                let qv = mvec(&vecs[WitnessShape::Q], &rho);
                w.send(qv);
                xclaims.push(Claim {
                    block: base + WitnessShape::Q,
                    point: rho.clone(),
                    value: qv,
                });
                let mut tgt = qv * fx(1i64 << rq.shift);
                for i in 0..ws.r_bits {
                    let rv = mvec(&vecs[ws.rb(i)], &rho);
                    w.send(rv);
                    xclaims.push(Claim { block: base + ws.rb(i), point: rho.clone(), value: rv });
                    tgt += rv * fx(1i64 << i);
                }
                let cr: QM31 =
                    eqr[..l.n_out].iter().copied().sum::<QM31>() * fx(1i64 << (rq.shift - 1));
                if let Some(res) = rq.residual {
                    let sv = if res.source == 0 {
                        let x: Vec<i64> = trace.input.iter().map(|&v| i64::from(v)).collect();
                        dot_i64(&eqr, &x)
                    } else {
                        let src = res.source - 1;
                        let (Some(srq), Some(svecs), Some(sbase)) =
                            (&model.layers[src].requant, &layer_vecs[src], xbase[src])
                        else {
                            return Err(internal("residual source without requantization"));
                        };
                        let sws = WitnessShape::of(srq);
                        let mut acc = fx(i64::from(srq.lo));
                        for i in 0..sws.a_bits {
                            let v = mvec(&svecs[sws.ab(i)], &rho);
                            w.send(v);
                            xclaims.push(Claim {
                                block: sbase + sws.ab(i),
                                point: rho.clone(),
                                value: v,
                            });
                            acc += v * fx(1i64 << i);
                        }
                        acc
                    };
                    tgt -= sv * M31::from_u64(u64::from(res.mult));
                }
                tgt - cr
            }
            _ => dot_i64(&eqr, &y),
        };
        let bsum: QM31 = e.iter().zip(bblock).map(|(&a, &b)| a * b).sum();
        w.send(bsum);
        // Phase 1 over k: u_k = Σ_j e_j W_jk.
        // Row-major passes over W, split over column ranges (each task reads every row's
        // segment of its range, contiguously).
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
        let prev: Vec<i64> = if li == 0 {
            trace.input.iter().map(|&v| i64::from(v)).collect()
        } else {
            trace.out[li - 1].clone()
        };
        let mut a: Vec<QM31> = prev.iter().map(|&v| fx(v)).collect();
        a.resize(nin_p, QM31::ZERO);
        let _ = target;
        let (sigma, f1) = sc_prove(&mut w, vec![u, a], vec![Term::product(vec![0, 1])])?;
        let (uv, av) = (f1[0], f1[1]);
        w.send(uv);
        w.send(av);
        if li > 0 {
            let (Some(prq), Some(pvecs), Some(pbase)) =
                (&model.layers[li - 1].requant, &layer_vecs[li - 1], xbase[li - 1])
            else {
                return Err(internal("hidden layer without requantization"));
            };
            let pws = WitnessShape::of(prq);
            for i in 0..pws.a_bits {
                let v = mvec(&pvecs[pws.ab(i)], &sigma);
                w.send(v);
                xclaims.push(Claim { block: pbase + pws.ab(i), point: sigma.clone(), value: v });
            }
        }
        // Phase 2 over j: g_j = A·W̃(j, σ) + b_j.
        let eqs = eq_table(&sigma);
        let wrow: Vec<QM31> = (0..nout_p)
            .into_par_iter()
            .map(|j| eqs.iter().zip(&wblock[j << ki..(j + 1) << ki]).map(|(&q, &wv)| q * wv).sum())
            .collect();
        let g: Vec<QM31> = wrow.iter().zip(bblock).map(|(&wv, &b)| av * wv + b).collect();
        let (tau, _) = sc_prove(&mut w, vec![e, g], vec![Term::product(vec![0, 1])])?;
        let eqt = eq_table(&tau);
        let wv: QM31 = eqt.iter().zip(&wrow).map(|(&a, &b)| a * b).sum();
        let bv: QM31 = eqt.iter().zip(bblock).map(|(&a, &b)| a * b).sum();
        w.send(wv);
        w.send(bv);
        let mut wpt = tau.clone();
        wpt.extend_from_slice(&sigma);
        wclaims.push(Claim { block: 2 * li, point: wpt, value: wv });
        wclaims.push(Claim { block: 2 * li + 1, point: tau, value: bv });

        // 3. The clamp and the bits.
        if let (Some(rq), Some(vecs), Some(base)) = (&l.requant, &layer_vecs[li], xbase[li]) {
            let ws = WitnessShape::of(rq);
            let rz = w.sample(ko);
            let lam: QM31 = w.t.sample_ext();
            let mut tables = vec![eq_table(&rz)];
            tables.extend(vecs.iter().map(|v| lift(v)));
            let (sz, finals) = sc_prove(&mut w, tables, requant_terms(&ws, rq, lam))?;
            for (i, &v) in finals.iter().enumerate().skip(1) {
                w.send(v);
                xclaims.push(Claim { block: base + i - 1, point: sz.clone(), value: v });
            }
            if li + 1 == model.layers.len() {
                let ry = w.sample(ko);
                for i in 0..ws.a_bits {
                    let v = mvec(&vecs[ws.ab(i)], &ry);
                    w.send(v);
                    xclaims.push(Claim { block: base + ws.ab(i), point: ry.clone(), value: v });
                }
            }
        }
    }
    // 4. Openings.
    let (wpt, _) = batch_prove(&mut w, cm.weights.values(), &wl, &wclaims)?;
    let (xpt, _) = batch_prove(&mut w, wcom.values(), &xl, &xclaims)?;
    let msgs = std::mem::take(&mut w.msgs);
    drop(w);
    let weight_opening = pcs::open(&cm.weights, &wpt, &com.pcs, &mut t)?;
    let witness_opening = pcs::open(&wcom, &xpt, &com.pcs, &mut t)?;
    Ok((y, Proof { witness_root: wcom.root(), messages: msgs, weight_opening, witness_opening }))
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
    let (xl, xbase) = witness_layout(&com.layers);
    t.observe_digest(&proof.witness_root);
    let mut r = Reader { msgs: &proof.messages, pos: 0, t: &mut t };
    let mut wclaims: Vec<Claim> = Vec::new();
    let mut xclaims: Vec<Claim> = Vec::new();

    for (li, l) in com.layers.iter().enumerate() {
        let (ki, ko) = logs[li];
        let nout_p = 1usize << ko;
        let rho = r.sample(ko);
        let eqr = eq_table(&rho);
        let e: Vec<QM31> = match &l.requant {
            Some(rq) => (0..nout_p)
                .map(|j| {
                    if j < l.n_out {
                        eqr[j] * M31::from_u64(u64::from(rq.mult[j]))
                    } else {
                        QM31::ZERO
                    }
                })
                .collect(),
            None => eqr.clone(),
        };
        let target = match (&l.requant, xbase[li]) {
            (Some(rq), Some(base)) => {
                let ws = WitnessShape::of(rq);
                let qv = r.recv()?;
                xclaims.push(Claim {
                    block: base + WitnessShape::Q,
                    point: rho.clone(),
                    value: qv,
                });
                let mut tgt = qv * fx(1i64 << rq.shift);
                for i in 0..ws.r_bits {
                    let rv = r.recv()?;
                    xclaims.push(Claim { block: base + ws.rb(i), point: rho.clone(), value: rv });
                    tgt += rv * fx(1i64 << i);
                }
                let cr: QM31 =
                    eqr[..l.n_out].iter().copied().sum::<QM31>() * fx(1i64 << (rq.shift - 1));
                if let Some(res) = rq.residual {
                    let sv = if res.source == 0 {
                        eqr.iter().zip(&x).map(|(&e, &v)| e * fe(i64::from(v))).sum()
                    } else {
                        let src = res.source - 1;
                        let (Some(srq), Some(sbase)) = (&com.layers[src].requant, xbase[src])
                        else {
                            return Err(reject("residual source without requantization"));
                        };
                        let sws = WitnessShape::of(srq);
                        let mut acc = fx(i64::from(srq.lo));
                        for i in 0..sws.a_bits {
                            let v = r.recv()?;
                            xclaims.push(Claim {
                                block: sbase + sws.ab(i),
                                point: rho.clone(),
                                value: v,
                            });
                            acc += v * fx(1i64 << i);
                        }
                        acc
                    };
                    tgt -= sv * M31::from_u64(u64::from(res.mult));
                }
                tgt - cr
            }
            _ => dot_i64(&eqr, output),
        };
        let bsum = r.recv()?;
        let (sigma, c1) = sc_verify(&mut r, ki, 2, target - bsum)?;
        let uv = r.recv()?;
        let av = r.recv()?;
        if c1 != uv * av {
            return Err(reject(&format!("layer {li}: matrix product (input side)")));
        }
        if li == 0 {
            let xv: QM31 =
                eq_table(&sigma).iter().zip(&x).map(|(&e, &v)| e * fe(i64::from(v))).sum();
            if xv != av {
                return Err(reject("layer 0: input"));
            }
        } else {
            let (Some(prq), Some(pbase)) = (&com.layers[li - 1].requant, xbase[li - 1]) else {
                return Err(internal("hidden layer without requantization"));
            };
            let pws = WitnessShape::of(prq);
            let mut acc = fx(i64::from(prq.lo));
            for i in 0..pws.a_bits {
                let v = r.recv()?;
                xclaims.push(Claim { block: pbase + pws.ab(i), point: sigma.clone(), value: v });
                acc += v * fx(1i64 << i);
            }
            if acc != av {
                return Err(reject(&format!("layer {li}: input activations")));
            }
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

        if let (Some(rq), Some(base)) = (&l.requant, xbase[li]) {
            let ws = WitnessShape::of(rq);
            let rz = r.sample(ko);
            let lam: QM31 = r.t.sample_ext();
            let terms = requant_terms(&ws, rq, lam);
            let (sz, c3) = sc_verify(&mut r, ko, 3, QM31::ZERO)?;
            let mut vals = vec![eq_eval(&rz, &sz)];
            for i in 0..ws.n_vectors() {
                let v = r.recv()?;
                xclaims.push(Claim { block: base + i, point: sz.clone(), value: v });
                vals.push(v);
            }
            if c3 != evaluate_terms(&terms, &vals) {
                return Err(reject(&format!("layer {li}: requantization and clamp")));
            }
            if li + 1 == com.layers.len() {
                let ry = r.sample(ko);
                let yv = dot_i64(&eq_table(&ry), output);
                let mut acc = fx(i64::from(rq.lo));
                for i in 0..ws.a_bits {
                    let v = r.recv()?;
                    xclaims.push(Claim { block: base + ws.ab(i), point: ry.clone(), value: v });
                    acc += v * fx(1i64 << i);
                }
                if acc != yv {
                    return Err(reject("output"));
                }
            }
        }
    }
    let (wpt, wval) = batch_verify(&mut r, &wl, &wclaims)?;
    let (xpt, xval) = batch_verify(&mut r, &xl, &xclaims)?;
    if r.pos != proof.messages.len() {
        return Err(MlError::MalformedProof { reason: "trailing messages".into() });
    }
    pcs::verify(&com.root()?, wl.n_vars, &wpt, wval, &proof.weight_opening, &com.pcs, &mut t)?;
    pcs::verify(
        &proof.witness_root,
        xl.n_vars,
        &xpt,
        xval,
        &proof.witness_opening,
        &com.pcs,
        &mut t,
    )?;
    Ok(())
}

/// The soundness of the whole protocol in bits for a commitment: the commitment's query bound
/// ([`PcsParams::security_bits`]) and, for the sumchecks, `log2|QM31| − log2(Σ degree·rounds +
/// claims)` (Schwartz–Zippel per round and per random combination).
pub fn security_bits(com: &ModelCommitment) -> f64 {
    let logs = layer_logs(&com.layers);
    let wl = weight_layout(&com.layers);
    let (xl, _) = witness_layout(&com.layers);
    let mut err_terms = 0f64;
    for (l, &(ki, ko)) in com.layers.iter().zip(&logs) {
        err_terms += 2.0 * (ki + ko) as f64 + 2.0 * ko as f64;
        if let Some(rq) = &l.requant {
            err_terms += 3.0 * ko as f64 + 3.0 + WitnessShape::of(rq).n_vectors() as f64;
        }
    }
    err_terms += 2.0 * (wl.n_vars + xl.n_vars) as f64
        + 2.0 * xl.logs.len() as f64
        + 4.0 * com.layers.len() as f64;
    let field_bits = pcs::EXT_FIELD_BITS - err_terms.log2();
    field_bits.min(com.pcs.security_bits(wl.n_vars)).min(com.pcs.security_bits(xl.n_vars))
}

// ---------------------------------------------------------------------------------------------
// Bytes.

const MAGIC: &[u8; 4] = b"ZKML";

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_ext(out: &mut Vec<u8>, v: &QM31) {
    for c in v.to_m31_array() {
        put_u32(out, c.as_canonical_u32());
    }
}

fn put_opening(out: &mut Vec<u8>, o: &Opening) {
    for ys in [&o.y_prox, &o.y_eval] {
        put_u32(out, ys.len() as u32);
        ys.iter().for_each(|v| put_ext(out, v));
    }
    put_u32(out, o.columns.len() as u32);
    for col in &o.columns {
        put_u32(out, col.len() as u32);
        col.iter().for_each(|v| put_u32(out, v.as_canonical_u32()));
    }
    put_u32(out, o.siblings.len() as u32);
    for d in &o.siblings {
        d.iter().for_each(|v| put_u32(out, v.as_canonical_u32()));
    }
}

struct Bytes<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn u32(&mut self) -> Result<u32, MlError> {
        let s = self
            .b
            .get(self.pos..self.pos + 4)
            .ok_or(MlError::MalformedProof { reason: "truncated".into() })?;
        self.pos += 4;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn len(&mut self, max: usize) -> Result<usize, MlError> {
        let n = self.u32()? as usize;
        if n > max || n > self.b.len() {
            return Err(MlError::MalformedProof { reason: format!("length {n} out of range") });
        }
        Ok(n)
    }
    fn m31(&mut self) -> Result<M31, MlError> {
        let v = self.u32()?;
        M31::new_checked(v)
            .ok_or(MlError::MalformedProof { reason: "non-canonical field element".into() })
    }
    fn ext(&mut self) -> Result<QM31, MlError> {
        Ok(QM31::from_m31(self.m31()?, self.m31()?, self.m31()?, self.m31()?))
    }
    fn digest(&mut self) -> Result<Digest, MlError> {
        let mut d = [M31::ZERO; 8];
        for v in &mut d {
            *v = self.m31()?;
        }
        Ok(d)
    }
    fn opening(&mut self) -> Result<Opening, MlError> {
        let n = self.len(1 << 26)?;
        let y_prox = (0..n).map(|_| self.ext()).collect::<Result<_, _>>()?;
        let n = self.len(1 << 26)?;
        let y_eval = (0..n).map(|_| self.ext()).collect::<Result<_, _>>()?;
        let nq = self.len(1000)?;
        let mut columns = Vec::with_capacity(nq);
        for _ in 0..nq {
            let n = self.len(1 << 26)?;
            columns.push((0..n).map(|_| self.m31()).collect::<Result<Vec<_>, _>>()?);
        }
        let n = self.len(1000 * 64)?;
        let siblings = (0..n).map(|_| self.digest()).collect::<Result<Vec<_>, _>>()?;
        Ok(Opening { y_prox, y_eval, columns, siblings })
    }
}

impl Proof {
    /// The proof as bytes (little-endian u32 words: magic, witness root, messages, openings).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        self.witness_root.iter().for_each(|v| put_u32(&mut out, v.as_canonical_u32()));
        put_u32(&mut out, self.messages.len() as u32);
        self.messages.iter().for_each(|v| put_ext(&mut out, v));
        put_opening(&mut out, &self.weight_opening);
        put_opening(&mut out, &self.witness_opening);
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
        let witness_root = r.digest()?;
        let n = r.len(1 << 24)?;
        let messages = (0..n).map(|_| r.ext()).collect::<Result<_, _>>()?;
        let weight_opening = r.opening()?;
        let witness_opening = r.opening()?;
        if r.pos != b.len() {
            return Err(MlError::MalformedProof { reason: "trailing bytes".into() });
        }
        Ok(Self { witness_root, messages, weight_opening, witness_opening })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
