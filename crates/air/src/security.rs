//! The soundness error of a proof, term by term (see the crate docs for the argument).

use crate::air::AirShape;

/// Each soundness term in bits (`−log2 ε`) and the overall level, `−log2` of their sum (a union
/// bound). `|E| = 2^field_bits`; `n` = log2 of the rows, `D` the zerocheck's round degree.
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityReport {
    /// `log2 |E|`.
    pub field_bits: f64,
    /// Zerocheck: `(n·D + n + (K + T − 1) + 1) / |E|` — the sumcheck rounds (`n·D`), the
    /// `eq(τ, ·)` batching of the rows (`n`: `Σ_x eq(τ, x)·C(x)` is multilinear in `τ`), the
    /// `α` batching of `K` constraints and `T` LogUp constraints, and `λ`.
    pub zerocheck_bits: f64,
    /// LogUp (absent without LogUp terms): `T·2^n / |E|` — the identity
    /// `Σ ±m/(β − fp(tuple)) = 0` with `fp = e_0 + Σ_k γ_k·e_k` (an independent challenge per
    /// tuple position), denominators cleared, is a nonzero polynomial of total degree at most
    /// `T·2^n − 1` in `(β, γ_1, …)` when the multisets differ: every denominator is linear.
    pub logup_bits: Option<f64>,
    /// The reduction sumchecks, per opening: `(2·(n + l) + l + 1) / |E|` (`l` = log2 of the
    /// stacked columns: the degree-2 sumcheck, the `eq(s, ·)` batching of the columns, `μ`).
    pub reduction_bits: f64,
    /// WHIR's level per opening, from its configuration (`WhirConfig::achieved_bits`).
    pub whir_bits: Vec<f64>,
    /// The overall level: `−log2(Σ ε)`.
    pub total_bits: f64,
}

impl SecurityReport {
    pub(crate) fn new(
        shape: &AirShape,
        log_rows: usize,
        field_bits: f64,
        main_log_cols: usize,
        aux_log_cols: Option<usize>,
        whir_bits: Vec<f64>,
    ) -> Self {
        let n = log_rows as f64;
        let d = shape.round_degree() as f64;
        let t = shape.logup.len() as f64;
        let k = shape.n_constraints as f64;
        let inv_e = (-field_bits).exp2();
        let zerocheck = (n * d + n + (k + t - 1.0).max(0.0) + 1.0) * inv_e;
        let logup = (!shape.logup.is_empty()).then(|| t * n.exp2() * inv_e);
        let reduction_one = |l: usize| (2.0 * (n + l as f64) + l as f64 + 1.0) * inv_e;
        let reduction = reduction_one(main_log_cols) + aux_log_cols.map_or(0.0, reduction_one);
        let whir: f64 = whir_bits.iter().map(|b| (-b).exp2()).sum();
        let total = zerocheck + logup.unwrap_or(0.0) + reduction + whir;
        Self {
            field_bits,
            zerocheck_bits: -zerocheck.log2(),
            logup_bits: logup.map(|e| -e.log2()),
            reduction_bits: -reduction.log2(),
            whir_bits,
            total_bits: -total.log2(),
        }
    }
}
