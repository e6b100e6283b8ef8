//! Quantization: int8 weights (one scale per tensor or per output channel), int8 activations
//! with one scale per layer, exact integer accumulators and requantization by a multiplier and a
//! shift; the integer forward pass here is the reference (oracle) the proof is checked against.
//!
//! # Arithmetic and the no-overflow bound
//! Layer `l` computes, for output `j`, the exact integer accumulator
//! `z_j = Σ_k W_jk·a_k + b_j` with `W_jk ∈ [−127, 127]`, `a_k ∈ [−128, 127]` and an int32 bias, so
//! `|z_j| ≤ Z_j = 128·Σ_k |W_jk| + |b_j|`. A hidden layer then requantizes:
//! `T_j = M_j·z_j + 2^(s−1)`, `q_j = ⌊T_j / 2^s⌋`, `a'_j = clamp(q_j, lo, hi)` with
//! `[lo, hi] = [0, 127]` after a ReLU and `[−128, 127]` otherwise, `M_j ≈ 2^s·S_w,j·S_in/S_out`.
//! The shift `s` is chosen so that `M_j·Z_j + 2^(s−1) < 2^27` for every `j` (the model is refused
//! when no `s ≥ 1` does). Every quantity is then below `2^30 < (p − 1)/2` in absolute value, so the
//! field M31 computes it exactly (no wrap-around): [`Requant::is_exact_in_field`] is the check the
//! verifier also runs on the committed parameters. A residual connection adds `M_res·s_j` to
//! `T_j` (`s` an earlier int8 activation, `M_res ≈ 2^s·S_s/S_out`, counted in the same bound as
//! `128·M_res`). The last layer without a ReLU or residual is not requantized: its accumulators are the model's output, scale `S_w,j·S_in`.

use serde::{Deserialize, Serialize};

use crate::MlError;
use crate::onnx::FloatModel;

/// Largest `|T|` allowed (exclusive): `2^27`.
pub const T_BOUND_LOG: u32 = 27;
/// The largest shift used.
pub const MAX_SHIFT: u32 = 24;
/// The largest `|bias|` after quantization (exclusive): `2^24`.
pub const BIAS_BOUND_LOG: u32 = 24;

/// How to quantize a float model.
#[derive(Clone, Debug)]
pub struct QuantConfig {
    /// One weight scale per output channel (`true`) or per tensor (`false`).
    pub per_channel: bool,
    /// The largest `|x|` of an input feature: the input scale is `input_range / 127`.
    pub input_range: f32,
    /// Inputs whose float activations set each layer's activation scale (their largest absolute
    /// value maps to 127). When empty, `n_synthetic` inputs uniform in `[−input_range,
    /// input_range]` (a fixed seed) are used.
    pub calibration: Vec<Vec<f32>>,
    /// The number of synthetic calibration inputs.
    pub n_synthetic: usize,
}

impl Default for QuantConfig {
    fn default() -> Self {
        Self { per_channel: true, input_range: 1.0, calibration: Vec::new(), n_synthetic: 16 }
    }
}

/// The requantization of a hidden layer: `a = clamp(⌊(M_j·z + 2^(s−1)) / 2^s⌋, lo, hi)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requant {
    /// `M_j`, one per output.
    pub mult: Vec<u32>,
    /// `s`.
    pub shift: u32,
    /// The clamp's lower end: 0 after a ReLU, −128 otherwise.
    pub lo: i32,
    /// The clamp's upper end (127).
    pub hi: i32,
    /// Bits of the slack `v` in the proof of the clamp: `2^v_bits > max |q| + 130`.
    pub v_bits: u32,
    /// A residual connection: `T = M_j·z_j + mult·s_j + 2^(s−1)`, `s` the activation `source`
    /// (0: the model input, `i + 1`: layer `i`'s output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual: Option<Residual>,
}

/// A residual connection of a requantized layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Residual {
    /// The activation added: 0 the model input, `i + 1` the output of layer `i`.
    pub source: usize,
    /// Its multiplier `≈ 2^s·S_source/S_out`.
    pub mult: u32,
}

impl Requant {
    /// The number of bits of `a − lo` (7 after a ReLU, 8 otherwise): `hi − lo = 2^a_bits − 1`.
    pub fn a_bits(&self) -> u32 {
        (self.hi - self.lo + 1).max(1).ilog2()
    }

    /// Whether the proof's relations over M31 imply the integer ones: the quotient the proof
    /// allows (`|q| < 2^v_bits + 129`) times `2^s` plus the remainder stays below `(p − 1)/2`,
    /// `[lo, hi]` is a whole bit range, and `s`, `v_bits` are in range.
    pub fn is_exact_in_field(&self) -> bool {
        let half_p = (1u64 << 30) - 1;
        if self.shift == 0 || self.shift > MAX_SHIFT || self.v_bits == 0 || self.v_bits > 30 {
            return false;
        }
        if self.hi - self.lo + 1 != 1 << self.a_bits() || self.lo < -128 || self.hi > 127 {
            return false;
        }
        let q_max = (1u64 << self.v_bits) + 130;
        q_max.checked_shl(self.shift).is_some_and(|v| v + (1u64 << self.shift) < half_p)
            && self.mult.iter().all(|&m| u64::from(m) < (1u64 << T_BOUND_LOG))
            && self.residual.is_none_or(|r| u64::from(r.mult) < (1u64 << T_BOUND_LOG))
    }
}

/// One quantized dense layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantLayer {
    /// Input width.
    pub n_in: usize,
    /// Output width.
    pub n_out: usize,
    /// `n_out × n_in` int8 weights, row-major.
    pub weight: Vec<i8>,
    /// `n_out` int32 biases (scale `w_scale[j]·in_scale`).
    pub bias: Vec<i32>,
    /// The weight scale: one value (per tensor) or `n_out` (per channel).
    pub w_scale: Vec<f32>,
    /// The scale of this layer's input activations.
    pub in_scale: f32,
    /// The scale of this layer's output activations (after requantization; for a final layer
    /// without one, the accumulator scale of output 0).
    pub out_scale: f32,
    /// The requantization, for every layer but a last one without ReLU.
    pub requant: Option<Requant>,
}

impl QuantLayer {
    /// The weight scale of output `j`.
    pub fn w_scale_of(&self, j: usize) -> f32 {
        if self.w_scale.len() == 1 {
            self.w_scale[0]
        } else {
            self.w_scale.get(j).copied().unwrap_or(1.0)
        }
    }

    /// `Z_j = 128·Σ_k |W_jk| + |b_j|`, the bound on `|z_j|`.
    pub fn acc_bound(&self, j: usize) -> u64 {
        let row = &self.weight[j * self.n_in..(j + 1) * self.n_in];
        128 * row.iter().map(|&w| u64::from(w.unsigned_abs())).sum::<u64>()
            + u64::from(self.bias[j].unsigned_abs())
    }
}

/// A quantized model: a chain of [`QuantLayer`]s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantModel {
    /// The input scale: `x_q = clamp(round(x / input_scale), −128, 127)`.
    pub input_scale: f32,
    /// The layers, input first.
    pub layers: Vec<QuantLayer>,
}

/// The integer forward pass and its intermediate values (what the prover commits to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The quantized input.
    pub input: Vec<i32>,
    /// Per layer: the accumulators `z`.
    pub acc: Vec<Vec<i64>>,
    /// Per layer: the quotients `q` (empty for a layer without requantization).
    pub quot: Vec<Vec<i64>>,
    /// Per layer: the remainders `r = T − q·2^s`.
    pub rem: Vec<Vec<i64>>,
    /// Per layer: the output activations (the accumulators for a layer without requantization).
    pub out: Vec<Vec<i64>>,
}

impl Trace {
    /// The model's integer output.
    pub fn output(&self) -> &[i64] {
        self.out.last().map_or(&[], Vec::as_slice)
    }
}

fn scale_for(max_abs: f32, levels: f32) -> f32 {
    if max_abs > 0.0 && max_abs.is_finite() { max_abs / levels } else { 1.0 }
}

/// A small deterministic generator (SplitMix64) for the synthetic calibration inputs.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl QuantModel {
    /// Quantizes a float model.
    ///
    /// # Errors
    /// [`MlError::InvalidModel`] for a model that fails [`FloatModel::validate`], a calibration
    /// input of the wrong length, or a non-positive `input_range`; [`MlError::Overflow`] when a
    /// layer's accumulators could leave the range M31 computes exactly (see the module docs) or a
    /// bias does not fit.
    pub fn quantize(model: &FloatModel, cfg: &QuantConfig) -> Result<Self, MlError> {
        model.validate()?;
        if !(cfg.input_range > 0.0 && cfg.input_range.is_finite()) {
            return Err(MlError::InvalidModel { reason: "input_range must be positive".into() });
        }
        let n_in = model.n_in();
        let calib: Vec<Vec<f32>> = if cfg.calibration.is_empty() {
            let mut seed = 0x5eed_u64;
            (0..cfg.n_synthetic.max(1))
                .map(|_| {
                    (0..n_in)
                        .map(|_| {
                            let u = (splitmix(&mut seed) >> 11) as f64 / (1u64 << 53) as f64;
                            ((2.0 * u - 1.0) * f64::from(cfg.input_range)) as f32
                        })
                        .collect()
                })
                .collect()
        } else {
            cfg.calibration.clone()
        };
        // Largest |activation| per layer output, over the calibration set.
        let mut act_max = vec![0f32; model.layers.len()];
        for x in &calib {
            if x.len() != n_in {
                return Err(MlError::InputLength { expected: n_in, got: x.len() });
            }
            let acts = model.activations(x)?;
            for (li, y) in acts.iter().skip(1).enumerate() {
                act_max[li] = y.iter().fold(act_max[li], |m, a| m.max(a.abs()));
            }
        }
        let input_scale = cfg.input_range / 127.0;
        let mut in_scale = input_scale;
        // The scale of every activation: [input, layer 0's output, …].
        let mut act_scales = vec![input_scale];
        let n_layers = model.layers.len();
        let mut layers = Vec::with_capacity(n_layers);
        for (li, l) in model.layers.iter().enumerate() {
            let w_scale: Vec<f32> = if cfg.per_channel {
                (0..l.n_out)
                    .map(|j| {
                        let m = l.weight[j * l.n_in..(j + 1) * l.n_in]
                            .iter()
                            .fold(0f32, |m, w| m.max(w.abs()));
                        scale_for(m, 127.0)
                    })
                    .collect()
            } else {
                vec![scale_for(l.weight.iter().fold(0f32, |m, w| m.max(w.abs())), 127.0)]
            };
            let ws = |j: usize| if w_scale.len() == 1 { w_scale[0] } else { w_scale[j] };
            let weight: Vec<i8> = (0..l.n_out * l.n_in)
                .map(|i| (l.weight[i] / ws(i / l.n_in)).round().clamp(-127.0, 127.0) as i8)
                .collect();
            let mut bias = Vec::with_capacity(l.n_out);
            for j in 0..l.n_out {
                let b = (f64::from(l.bias[j]) / (f64::from(ws(j)) * f64::from(in_scale))).round();
                if b.abs() >= f64::from(1u32 << BIAS_BOUND_LOG) {
                    return Err(MlError::Overflow {
                        layer: li,
                        reason: format!("bias {j} quantizes to {b}, beyond ±2^{BIAS_BOUND_LOG}"),
                    });
                }
                bias.push(b as i32);
            }
            let last = li + 1 == n_layers;
            let mut layer = QuantLayer {
                n_in: l.n_in,
                n_out: l.n_out,
                weight,
                bias,
                w_scale: w_scale.clone(),
                in_scale,
                out_scale: ws(0) * in_scale,
                requant: None,
            };
            let z_max = (0..l.n_out).map(|j| layer.acc_bound(j)).max().unwrap_or(0);
            if z_max >= 1u64 << 29 {
                return Err(MlError::Overflow {
                    layer: li,
                    reason: format!("accumulator bound {z_max} ≥ 2^29"),
                });
            }
            if !last || l.relu || l.residual.is_some() {
                let (lo, hi) = if l.relu { (0, 127) } else { (-128, 127) };
                let out_scale = scale_for(act_max[li], 127.0);
                let ratios: Vec<f64> = (0..l.n_out)
                    .map(|j| f64::from(ws(j)) * f64::from(in_scale) / f64::from(out_scale))
                    .collect();
                let res_ratio =
                    l.residual.map(|src| f64::from(act_scales[src]) / f64::from(out_scale));
                // The largest shift with M_j·Z_j + M_res·128 + 2^(s−1) < 2^27 for every j.
                let mut shift = 0;
                let mut mult = Vec::new();
                let mut res_mult = 0u64;
                for s in (1..=MAX_SHIFT).rev() {
                    let m: Vec<u64> =
                        ratios.iter().map(|r| (r * f64::from(1u32 << s)).round() as u64).collect();
                    let rm = res_ratio.map_or(0, |r| (r * f64::from(1u32 << s)).round() as u64);
                    let ok = (0..l.n_out).all(|j| {
                        m[j].checked_mul(layer.acc_bound(j))
                            .is_some_and(|t| t + 128 * rm + (1u64 << (s - 1)) < 1u64 << T_BOUND_LOG)
                    });
                    if ok {
                        shift = s;
                        mult = m.into_iter().map(|v| v as u32).collect();
                        res_mult = rm;
                        break;
                    }
                }
                if shift == 0 {
                    return Err(MlError::Overflow {
                        layer: li,
                        reason: "no requantization shift keeps M·z within 2^27".into(),
                    });
                }
                // |q| ≤ 2^(27 − s) + 1; v ≤ |q| + 128.
                let q_max = (1u64 << (T_BOUND_LOG - shift)) + 1;
                let v_bits = (q_max + 130).next_power_of_two().ilog2().max(1);
                let residual = l.residual.map(|source| Residual { source, mult: res_mult as u32 });
                let rq = Requant { mult, shift, lo, hi, v_bits, residual };
                if !rq.is_exact_in_field() {
                    return Err(MlError::Overflow {
                        layer: li,
                        reason: "requantization parameters exceed the exact range of M31".into(),
                    });
                }
                layer.requant = Some(rq);
                layer.out_scale = out_scale;
                in_scale = out_scale;
            }
            act_scales.push(layer.out_scale);
            layers.push(layer);
        }
        Ok(Self { input_scale, layers })
    }

    /// The input width.
    pub fn n_in(&self) -> usize {
        self.layers.first().map_or(0, |l| l.n_in)
    }

    /// The output width.
    pub fn n_out(&self) -> usize {
        self.layers.last().map_or(0, |l| l.n_out)
    }

    /// Quantizes an input vector: `clamp(round(x / input_scale), −128, 127)`.
    ///
    /// # Errors
    /// [`MlError::InputLength`]; [`MlError::InvalidInput`] for a non-finite value.
    pub fn quantize_input(&self, x: &[f32]) -> Result<Vec<i32>, MlError> {
        if x.len() != self.n_in() {
            return Err(MlError::InputLength { expected: self.n_in(), got: x.len() });
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

    /// The integer forward pass (the reference the proof is checked against).
    ///
    /// # Errors
    /// As [`QuantModel::quantize_input`].
    pub fn run(&self, x: &[f32]) -> Result<Trace, MlError> {
        let input = self.quantize_input(x)?;
        Ok(self.run_quantized(&input))
    }

    /// The integer forward pass from an already quantized input (of the right length).
    pub fn run_quantized(&self, input: &[i32]) -> Trace {
        let mut trace =
            Trace { input: input.to_vec(), acc: vec![], quot: vec![], rem: vec![], out: vec![] };
        let mut a: Vec<i64> = input.iter().map(|&v| i64::from(v)).collect();
        let mut acts: Vec<Vec<i64>> = vec![a.clone()];
        for l in &self.layers {
            // Int8 activations (every requantized layer's, and an 8-bit input) take the int8
            // matrix–vector kernel (exact: `n_in·2^14 < 2^31`); wider ones the i64 loop.
            let a8: Option<Vec<i8>> =
                if l.n_in < 1 << 17 && a.len() == l.n_in && l.weight.len() == l.n_out * l.n_in {
                    a.iter().map(|&v| i8::try_from(v).ok()).collect()
                } else {
                    None
                };
            let z: Vec<i64> = match a8 {
                Some(a8) => crate::matmul::matvec_i8(&l.weight, l.n_in, &a8)
                    .iter()
                    .zip(&l.bias)
                    .map(|(&d, &b)| i64::from(d) + i64::from(b))
                    .collect(),
                None => (0..l.n_out)
                    .map(|j| {
                        let row = &l.weight[j * l.n_in..(j + 1) * l.n_in];
                        row.iter().zip(&a).map(|(&w, &v)| i64::from(w) * v).sum::<i64>()
                            + i64::from(l.bias[j])
                    })
                    .collect(),
            };
            let (q, r, out) = match &l.requant {
                Some(rq) => {
                    let den = 1i64 << rq.shift;
                    let mut q = Vec::with_capacity(l.n_out);
                    let mut r = Vec::with_capacity(l.n_out);
                    let mut out = Vec::with_capacity(l.n_out);
                    for j in 0..l.n_out {
                        let res = rq.residual.map_or(0, |r| {
                            i64::from(r.mult)
                                * acts.get(r.source).and_then(|s| s.get(j)).copied().unwrap_or(0)
                        });
                        let t = i64::from(rq.mult[j]) * z[j] + res + (den >> 1);
                        let qj = t.div_euclid(den);
                        q.push(qj);
                        r.push(t.rem_euclid(den));
                        out.push(qj.clamp(i64::from(rq.lo), i64::from(rq.hi)));
                    }
                    (q, r, out)
                }
                None => (vec![], vec![], z.clone()),
            };
            a = out.clone();
            acts.push(out.clone());
            trace.acc.push(z);
            trace.quot.push(q);
            trace.rem.push(r);
            trace.out.push(out);
        }
        trace
    }

    /// The scale of output `j`: a float output is `output_quantized[j] · output_scale(j)`.
    pub fn output_scale(&self, j: usize) -> f32 {
        match self.layers.last() {
            Some(l) if l.requant.is_none() => l.w_scale_of(j) * l.in_scale,
            Some(l) => l.out_scale,
            None => 1.0,
        }
    }

    /// The dequantized output of a trace.
    pub fn dequantize_output(&self, out: &[i64]) -> Vec<f32> {
        out.iter().enumerate().map(|(j, &v)| v as f32 * self.output_scale(j)).collect()
    }
}

/// How far the quantized model is from the float one on some inputs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deviation {
    /// The largest `|float − dequantized|` over all outputs of all inputs.
    pub max_abs_error: f32,
    /// The fraction of inputs whose argmax agrees.
    pub argmax_agreement: f64,
}

/// The index of the largest value (the first one on ties).
pub fn argmax<T: PartialOrd + Copy>(v: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Compares the quantized model with the float one on `inputs`.
///
/// # Errors
/// Input length errors.
pub fn deviation(
    float: &FloatModel,
    quant: &QuantModel,
    inputs: &[Vec<f32>],
) -> Result<Deviation, MlError> {
    let mut max_abs_error = 0f32;
    let mut agree = 0usize;
    for x in inputs {
        let yf = float.forward(x)?;
        let yq = quant.dequantize_output(quant.run(x)?.output());
        for (a, b) in yf.iter().zip(&yq) {
            max_abs_error = max_abs_error.max((a - b).abs());
        }
        if argmax(&yf) == argmax(&yq) {
            agree += 1;
        }
    }
    let argmax_agreement = if inputs.is_empty() { 1.0 } else { agree as f64 / inputs.len() as f64 };
    Ok(Deviation { max_abs_error, argmax_agreement })
}
