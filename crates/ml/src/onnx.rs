//! ONNX loading: the protobuf messages this crate reads (a subset of `onnx.proto`, declared with
//! `prost`'s derive so that no `protoc` is needed; fields not declared here are skipped by the
//! decoder) and the walk of the graph into a chain of dense layers ([`FloatModel`]).
//!
//! Supported operators: `Gemm` (`transA = 0`, any `transB`, `alpha`, `beta`), `MatMul` (activation
//! times a constant matrix), `Add` (a constant bias after a linear layer, or a residual: the linear
//! output plus the model input or an earlier layer's output of the same width, before the ReLU),
//! `Relu`, `Flatten`,
//! `Reshape` and `Identity` (no-ops on a batch-1 row-major vector), `Constant` (a constant that one
//! of those consumes). Anything else is [`MlError::UnsupportedOperator`], naming the operator and
//! the node; so is a residual `Add` of another shape (after a ReLU, or of a later activation).
//!
//! The graph must be a chain: every operator takes the activation the previous one produced.
//! Weights are `float32` initializers (`raw_data` or `float_data`), as PyTorch and scikit-learn
//! (skl2onnx) export them.

use std::collections::HashMap;
use std::path::Path;

use prost::Message;

use crate::MlError;

/// `ModelProto` (the fields read here).
#[derive(Clone, PartialEq, Message)]
pub struct ModelProto {
    /// `ir_version`.
    #[prost(int64, tag = "1")]
    pub ir_version: i64,
    /// `producer_name`.
    #[prost(string, tag = "2")]
    pub producer_name: String,
    /// `graph`.
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
}

/// `GraphProto` (the fields read here).
#[derive(Clone, PartialEq, Message)]
pub struct GraphProto {
    /// `node`, in topological order.
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    /// `name`.
    #[prost(string, tag = "2")]
    pub name: String,
    /// `initializer`: the constant tensors (weights).
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    /// `input`.
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    /// `output`.
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
}

/// `NodeProto` (the fields read here).
#[derive(Clone, PartialEq, Message)]
pub struct NodeProto {
    /// `input`: names of the values consumed.
    #[prost(string, repeated, tag = "1")]
    pub input: Vec<String>,
    /// `output`: names of the values produced.
    #[prost(string, repeated, tag = "2")]
    pub output: Vec<String>,
    /// `name`.
    #[prost(string, tag = "3")]
    pub name: String,
    /// `op_type`.
    #[prost(string, tag = "4")]
    pub op_type: String,
    /// `attribute`.
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
}

/// `AttributeProto` (the fields read here).
#[derive(Clone, PartialEq, Message)]
pub struct AttributeProto {
    /// `name`.
    #[prost(string, tag = "1")]
    pub name: String,
    /// `f`.
    #[prost(float, tag = "2")]
    pub f: f32,
    /// `i`.
    #[prost(int64, tag = "3")]
    pub i: i64,
    /// `t`.
    #[prost(message, optional, tag = "5")]
    pub t: Option<TensorProto>,
    /// `ints`.
    #[prost(int64, repeated, tag = "8")]
    pub ints: Vec<i64>,
}

/// `ValueInfoProto` (the name only).
#[derive(Clone, PartialEq, Message)]
pub struct ValueInfoProto {
    /// `name`.
    #[prost(string, tag = "1")]
    pub name: String,
}

/// `TensorProto` (the fields read here).
#[derive(Clone, PartialEq, Message)]
pub struct TensorProto {
    /// `dims`.
    #[prost(int64, repeated, tag = "1")]
    pub dims: Vec<i64>,
    /// `data_type` (1 = FLOAT, 7 = INT64).
    #[prost(int32, tag = "2")]
    pub data_type: i32,
    /// `float_data`.
    #[prost(float, repeated, tag = "4")]
    pub float_data: Vec<f32>,
    /// `int64_data`.
    #[prost(int64, repeated, tag = "7")]
    pub int64_data: Vec<i64>,
    /// `name`.
    #[prost(string, tag = "8")]
    pub name: String,
    /// `raw_data` (little-endian).
    #[prost(bytes = "vec", tag = "9")]
    pub raw_data: Vec<u8>,
}

const DATA_TYPE_FLOAT: i32 = 1;
const DATA_TYPE_INT64: i32 = 7;

/// One dense layer in floating point: `y = W·x + b`, then ReLU when `relu`.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatLayer {
    /// Input width.
    pub n_in: usize,
    /// Output width.
    pub n_out: usize,
    /// `n_out × n_in`, row-major (row `j` produces output `j`).
    pub weight: Vec<f32>,
    /// `n_out` biases.
    pub bias: Vec<f32>,
    /// Whether a ReLU follows.
    pub relu: bool,
    /// A residual connection: the activation added to `W·x + b` before the ReLU — `0` the model
    /// input, `i + 1` the output of layer `i` (an earlier layer of width `n_out`).
    pub residual: Option<usize>,
}

/// A chain of dense layers (what the supported ONNX graphs reduce to).
#[derive(Clone, Debug, PartialEq)]
pub struct FloatModel {
    /// The layers, input first.
    pub layers: Vec<FloatLayer>,
}

impl FloatModel {
    /// The input width.
    pub fn n_in(&self) -> usize {
        self.layers.first().map_or(0, |l| l.n_in)
    }

    /// The output width.
    pub fn n_out(&self) -> usize {
        self.layers.last().map_or(0, |l| l.n_out)
    }

    /// The number of weights and biases.
    pub fn n_params(&self) -> usize {
        self.layers.iter().map(|l| l.weight.len() + l.bias.len()).sum()
    }

    /// The floating-point forward pass (the float reference).
    ///
    /// # Errors
    /// [`MlError::InputLength`] when `input` is not `n_in()` long.
    pub fn forward(&self, input: &[f32]) -> Result<Vec<f32>, MlError> {
        Ok(self.activations(input)?.pop().unwrap_or_default())
    }

    /// Every activation of the float forward pass: the input, then each layer's output.
    ///
    /// # Errors
    /// [`MlError::InputLength`] when `input` is not `n_in()` long.
    pub fn activations(&self, input: &[f32]) -> Result<Vec<Vec<f32>>, MlError> {
        if input.len() != self.n_in() {
            return Err(MlError::InputLength { expected: self.n_in(), got: input.len() });
        }
        let mut acts: Vec<Vec<f32>> = vec![input.to_vec()];
        for l in &self.layers {
            let x = &acts[acts.len() - 1];
            let mut y: Vec<f32> = (0..l.n_out)
                .map(|j| {
                    let row = &l.weight[j * l.n_in..(j + 1) * l.n_in];
                    row.iter().zip(x).map(|(w, v)| w * v).sum::<f32>() + l.bias[j]
                })
                .collect();
            if let Some(src) = l.residual {
                y.iter_mut().zip(&acts[src]).for_each(|(v, s)| *v += s);
            }
            if l.relu {
                y.iter_mut().for_each(|v| *v = v.max(0.0));
            }
            acts.push(y);
        }
        Ok(acts)
    }

    /// Checks the shapes: widths chain, vectors have their stated lengths, values are finite.
    ///
    /// # Errors
    /// [`MlError::InvalidModel`] naming the first problem.
    pub fn validate(&self) -> Result<(), MlError> {
        if self.layers.is_empty() {
            return Err(MlError::InvalidModel { reason: "no layers".into() });
        }
        for (i, l) in self.layers.iter().enumerate() {
            if l.n_in == 0 || l.n_out == 0 {
                return Err(MlError::InvalidModel {
                    reason: format!("layer {i} has a zero width"),
                });
            }
            if l.weight.len() != l.n_in * l.n_out || l.bias.len() != l.n_out {
                return Err(MlError::InvalidModel {
                    reason: format!("layer {i}: weight or bias length does not match its widths"),
                });
            }
            if i > 0 && self.layers[i - 1].n_out != l.n_in {
                return Err(MlError::InvalidModel {
                    reason: format!(
                        "layer {i} takes {} inputs but layer {} gives {}",
                        l.n_in,
                        i - 1,
                        self.layers[i - 1].n_out
                    ),
                });
            }
            if let Some(src) = l.residual {
                let width = if src == 0 {
                    self.layers[0].n_in
                } else {
                    self.layers.get(src - 1).map_or(0, |p| p.n_out)
                };
                if src > i || width != l.n_out {
                    return Err(MlError::InvalidModel {
                        reason: format!("layer {i}: residual source {src} does not fit"),
                    });
                }
            }
            if l.weight.iter().chain(&l.bias).any(|v| !v.is_finite()) {
                return Err(MlError::InvalidModel {
                    reason: format!("layer {i} has a non-finite weight"),
                });
            }
        }
        Ok(())
    }
}

/// A constant tensor: dims and values as f64 (floats and int64 both fit for what is read here).
#[derive(Clone, Debug)]
struct Const {
    dims: Vec<usize>,
    values: Vec<f64>,
}

fn tensor_values(t: &TensorProto, node: &str) -> Result<Const, MlError> {
    let bad = |reason: String| MlError::InvalidTensor {
        tensor: t.name.clone(),
        node: node.into(),
        reason,
    };
    let dims: Vec<usize> = t
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| bad(format!("negative dimension {d}"))))
        .collect::<Result<_, _>>()?;
    let count = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    let Some(count) = count else { return Err(bad("too many elements".into())) };
    let values: Vec<f64> = match t.data_type {
        DATA_TYPE_FLOAT if !t.raw_data.is_empty() => {
            if t.raw_data.len() != count * 4 {
                return Err(bad(format!(
                    "raw_data has {} bytes, {} floats expected",
                    t.raw_data.len(),
                    count
                )));
            }
            t.raw_data
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        DATA_TYPE_FLOAT => t.float_data.iter().map(|&v| f64::from(v)).collect(),
        DATA_TYPE_INT64 if !t.raw_data.is_empty() => {
            if t.raw_data.len() != count * 8 {
                return Err(bad(format!(
                    "raw_data has {} bytes, {} int64 expected",
                    t.raw_data.len(),
                    count
                )));
            }
            t.raw_data
                .chunks_exact(8)
                .map(|c| {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(c);
                    i64::from_le_bytes(b) as f64
                })
                .collect()
        }
        DATA_TYPE_INT64 => t.int64_data.iter().map(|&v| v as f64).collect(),
        other => return Err(bad(format!("data type {other} (only float32 and int64 are read)"))),
    };
    if values.len() != count {
        return Err(bad(format!("{} values for {} elements", values.len(), count)));
    }
    Ok(Const { dims, values })
}

fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

/// Reads an ONNX file into a [`FloatModel`].
///
/// # Errors
/// [`MlError::Io`] when the file cannot be read, [`MlError::Decode`] when it is not a protobuf
/// `ModelProto` (truncated, not ONNX), and the errors of [`parse_model`].
pub fn load_onnx(path: &Path) -> Result<FloatModel, MlError> {
    let bytes = std::fs::read(path)
        .map_err(|e| MlError::Io { path: path.display().to_string(), reason: e.to_string() })?;
    let model = ModelProto::decode(bytes.as_slice())
        .map_err(|e| MlError::Decode { path: path.display().to_string(), reason: e.to_string() })?;
    parse_model(&model).map_err(|e| match e {
        MlError::InvalidModel { reason } => {
            MlError::InvalidModel { reason: format!("{}: {reason}", path.display()) }
        }
        other => other,
    })
}

/// Decodes ONNX bytes into a [`FloatModel`] (as [`load_onnx`], `source` naming them in errors).
///
/// # Errors
/// As [`load_onnx`].
pub fn decode_onnx(bytes: &[u8], source: &str) -> Result<FloatModel, MlError> {
    let model = ModelProto::decode(bytes)
        .map_err(|e| MlError::Decode { path: source.into(), reason: e.to_string() })?;
    parse_model(&model)
}

/// What a value of the graph is, as the walk sees it.
#[derive(Clone, Debug)]
enum Value {
    /// The running activation: the output of layer `layer` (`None`: the model input), with
    /// `activated` telling whether its ReLU has been applied.
    Act { layer: Option<usize>, activated: bool },
    /// A constant.
    Const(Const),
}

/// Walks the graph of a decoded model into a chain of dense layers.
///
/// # Errors
/// [`MlError::UnsupportedOperator`] for an operator outside the supported set (or an `Add` of
/// two activations), [`MlError::InvalidModel`] for a graph that is not a chain of dense layers
/// (missing inputs, shapes that do not fit, no layer), [`MlError::InvalidTensor`] for a weight
/// that cannot be read.
pub fn parse_model(model: &ModelProto) -> Result<FloatModel, MlError> {
    let graph = model.graph.as_ref().ok_or(MlError::InvalidModel { reason: "no graph".into() })?;
    let mut values: HashMap<String, Value> = HashMap::new();
    for t in &graph.initializer {
        values.insert(t.name.clone(), Value::Const(tensor_values(t, "initializer")?));
    }
    // The model input: the first graph input that is not an initializer.
    let input = graph
        .input
        .iter()
        .find(|i| !values.contains_key(&i.name))
        .ok_or(MlError::InvalidModel { reason: "no graph input".into() })?;
    values.insert(input.name.clone(), Value::Act { layer: None, activated: false });
    let mut layers: Vec<FloatLayer> = Vec::new();
    let mut current: Option<usize> = None; // layer whose output is the running activation

    for (idx, node) in graph.node.iter().enumerate() {
        let node_name = if node.name.is_empty() { format!("#{idx}") } else { node.name.clone() };
        let invalid = |reason: String| MlError::InvalidModel {
            reason: format!("node {node_name} ({}): {reason}", node.op_type),
        };
        let get = |i: usize| -> Result<&Value, MlError> {
            let name = node.input.get(i).ok_or_else(|| invalid(format!("missing input {i}")))?;
            values.get(name).ok_or_else(|| invalid(format!("unknown input {name:?}")))
        };
        let check_current = |v: &Value| -> Result<bool, MlError> {
            match v {
                Value::Act { layer, activated } if *layer == current => Ok(*activated),
                Value::Act { .. } => Err(invalid(
                    "takes an activation other than the latest one (not a chain)".into(),
                )),
                Value::Const(_) => Err(invalid("expected an activation, got a constant".into())),
            }
        };
        let out_name = node.output.first().cloned().ok_or_else(|| invalid("no output".into()))?;
        let produced: Value = match node.op_type.as_str() {
            "Constant" => {
                let t = attr(node, "value")
                    .and_then(|a| a.t.as_ref())
                    .ok_or_else(|| invalid("Constant without a tensor value".into()))?;
                Value::Const(tensor_values(t, &node_name)?)
            }
            "Gemm" | "MatMul" => {
                let activated = check_current(get(0)?)?;
                let _ = activated;
                let Value::Const(b) = get(1)? else {
                    return Err(invalid("the second operand must be a constant weight".into()));
                };
                let (trans_a, trans_b, alpha, beta) = if node.op_type == "Gemm" {
                    (
                        attr(node, "transA").map_or(0, |a| a.i),
                        attr(node, "transB").map_or(0, |a| a.i),
                        attr(node, "alpha").map_or(1.0, |a| a.f),
                        attr(node, "beta").map_or(1.0, |a| a.f),
                    )
                } else {
                    (0, 0, 1.0, 1.0)
                };
                if trans_a != 0 {
                    return Err(MlError::UnsupportedOperator {
                        op: "Gemm (transA = 1)".into(),
                        node: node_name,
                    });
                }
                let [r, c] = b.dims[..] else {
                    return Err(invalid(format!("weight has shape {:?}, 2-D expected", b.dims)));
                };
                let (n_in, n_out) = if trans_b != 0 { (c, r) } else { (r, c) };
                let mut weight = vec![0f32; n_in * n_out];
                for j in 0..n_out {
                    for k in 0..n_in {
                        let v = if trans_b != 0 {
                            b.values[j * n_in + k]
                        } else {
                            b.values[k * n_out + j]
                        };
                        weight[j * n_in + k] = (f64::from(alpha) * v) as f32;
                    }
                }
                let mut bias = vec![0f32; n_out];
                if node.op_type == "Gemm" && node.input.len() > 2 && !node.input[2].is_empty() {
                    let Value::Const(cst) = get(2)? else {
                        return Err(invalid("the bias must be a constant".into()));
                    };
                    broadcast_bias(&mut bias, cst, f64::from(beta)).map_err(invalid)?;
                }
                if let Some(prev) = current.map(|p| &layers[p])
                    && prev.n_out != n_in
                {
                    return Err(invalid(format!(
                        "takes {n_in} inputs, the previous layer gives {}",
                        prev.n_out
                    )));
                }
                if current.is_some_and(|p| !layers[p].relu) {
                    // Two linear layers in a row are still two layers (requantized between).
                }
                layers.push(FloatLayer { n_in, n_out, weight, bias, relu: false, residual: None });
                current = Some(layers.len() - 1);
                Value::Act { layer: current, activated: false }
            }
            "Add" => {
                let (a, b) = (get(0)?.clone(), get(1)?.clone());
                let (a, b) = (&a, &b);
                let (act, cst) = match (a, b) {
                    (Value::Act { .. }, Value::Const(c)) | (Value::Const(c), Value::Act { .. }) => {
                        (if matches!(a, Value::Act { .. }) { a } else { b }, c)
                    }
                    (Value::Act { .. }, Value::Act { .. }) => {
                        // A residual: the current linear output plus an earlier activation.
                        let (cur, other) = if matches!(a, Value::Act { layer, .. } if *layer == current)
                        {
                            (a, b)
                        } else {
                            (b, a)
                        };
                        let activated = check_current(cur)?;
                        let (Some(li), false) = (current, activated) else {
                            return Err(MlError::UnsupportedOperator {
                                op: "Add (residual after a ReLU or before any layer)".into(),
                                node: node_name,
                            });
                        };
                        let Value::Act { layer: src, activated: src_act } = other else {
                            return Err(invalid("residual operand is not an activation".into()));
                        };
                        let (source, width, ok) = match src {
                            None => (0, layers[0].n_in, true),
                            Some(s) if *s < li => {
                                (s + 1, layers[*s].n_out, *src_act || !layers[*s].relu)
                            }
                            Some(_) => (0, 0, false),
                        };
                        if !ok || layers[li].residual.is_some() {
                            return Err(MlError::UnsupportedOperator {
                                op: "Add (residual of this shape)".into(),
                                node: node_name,
                            });
                        }
                        if width != layers[li].n_out {
                            return Err(invalid(format!(
                                "residual of width {width} added to {} outputs",
                                layers[li].n_out
                            )));
                        }
                        layers[li].residual = Some(source);
                        values.insert(out_name, Value::Act { layer: current, activated: false });
                        continue;
                    }
                    _ => return Err(invalid("adds two constants".into())),
                };
                let activated = check_current(act)?;
                let Some(li) = current else {
                    return Err(invalid("a bias before any linear layer".into()));
                };
                if activated {
                    return Err(invalid("a bias after the ReLU".into()));
                }
                let cst = cst.clone();
                broadcast_bias(&mut layers[li].bias, &cst, 1.0).map_err(invalid)?;
                Value::Act { layer: current, activated: false }
            }
            "Relu" => {
                let activated = check_current(get(0)?)?;
                let Some(li) = current else {
                    return Err(invalid("a ReLU on the model input".into()));
                };
                if !activated {
                    layers[li].relu = true;
                }
                Value::Act { layer: current, activated: true }
            }
            "Flatten" | "Reshape" | "Identity" => {
                let v = get(0)?.clone();
                if let Value::Act { .. } = v {
                    check_current(&v)?;
                }
                v
            }
            other => {
                return Err(MlError::UnsupportedOperator { op: other.into(), node: node_name });
            }
        };
        values.insert(out_name, produced);
    }
    let out =
        graph.output.first().ok_or(MlError::InvalidModel { reason: "no graph output".into() })?;
    match values.get(&out.name) {
        Some(Value::Act { layer, .. }) if layer.is_some() && *layer == current => {}
        _ => {
            return Err(MlError::InvalidModel {
                reason: format!("graph output {:?} is not the last layer's activation", out.name),
            });
        }
    }
    let model = FloatModel { layers };
    model.validate()?;
    Ok(model)
}

/// Adds `beta · c` to `bias`, broadcasting a scalar or taking a vector of the bias's length.
fn broadcast_bias(bias: &mut [f32], c: &Const, beta: f64) -> Result<(), String> {
    if c.values.len() == 1 {
        bias.iter_mut().for_each(|b| *b += (beta * c.values[0]) as f32);
        Ok(())
    } else if c.values.len() == bias.len() {
        bias.iter_mut().zip(&c.values).for_each(|(b, v)| *b += (beta * v) as f32);
        Ok(())
    } else {
        Err(format!("bias of {} values for {} outputs", c.values.len(), bias.len()))
    }
}
