//! The ONNX loader on models built here with the crate's own protobuf messages.

use prost::Message;
use zkprove_ml::MlError;
use zkprove_ml::onnx::{
    AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto, decode_onnx,
    load_onnx,
};

fn tensor(name: &str, dims: &[i64], values: &[f32], raw: bool) -> TensorProto {
    TensorProto {
        dims: dims.to_vec(),
        data_type: 1,
        float_data: if raw { vec![] } else { values.to_vec() },
        int64_data: vec![],
        name: name.into(),
        raw_data: if raw { values.iter().flat_map(|v| v.to_le_bytes()).collect() } else { vec![] },
    }
}

fn node(
    op: &str,
    name: &str,
    inputs: &[&str],
    output: &str,
    attrs: Vec<AttributeProto>,
) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        name: name.into(),
        op_type: op.into(),
        attribute: attrs,
    }
}

fn int_attr(name: &str, i: i64) -> AttributeProto {
    AttributeProto { name: name.into(), i, ..Default::default() }
}

fn float_attr(name: &str, f: f32) -> AttributeProto {
    AttributeProto { name: name.into(), f, ..Default::default() }
}

fn model(nodes: Vec<NodeProto>, inits: Vec<TensorProto>, out: &str) -> ModelProto {
    ModelProto {
        ir_version: 8,
        producer_name: "test".into(),
        graph: Some(GraphProto {
            node: nodes,
            name: "g".into(),
            initializer: inits,
            input: vec![ValueInfoProto { name: "x".into() }],
            output: vec![ValueInfoProto { name: out.into() }],
        }),
    }
}

/// x(3) → Flatten → Gemm(transB=1, alpha=2, beta=0.5) → Relu → MatMul → Add → y(2).
fn mlp() -> ModelProto {
    let w1 = [1.0, -2.0, 0.5, 0.0, 1.0, 1.0, -1.0, 0.25, 3.0, 2.0, 0.0, -0.5]; // 4 × 3 (transB)
    let b1 = [0.1, -0.2, 0.3, 0.0];
    let w2 = [1.0, 0.0, -1.0, 2.0, 0.5, 0.5, 0.0, -1.0]; // 4 × 2 (MatMul: in × out)
    let b2 = [0.25, -0.25];
    model(
        vec![
            node("Flatten", "flat", &["x"], "xf", vec![int_attr("axis", 1)]),
            node(
                "Gemm",
                "fc1",
                &["xf", "w1", "b1"],
                "h",
                vec![int_attr("transB", 1), float_attr("alpha", 2.0), float_attr("beta", 0.5)],
            ),
            node("Relu", "relu1", &["h"], "hr", vec![]),
            node("MatMul", "fc2", &["hr", "w2"], "o", vec![]),
            node("Add", "bias2", &["o", "b2"], "y", vec![]),
        ],
        vec![
            tensor("w1", &[4, 3], &w1, true),
            tensor("b1", &[4], &b1, false),
            tensor("w2", &[4, 2], &w2, false),
            tensor("b2", &[2], &b2, true),
        ],
        "y",
    )
}

#[test]
fn chain_of_supported_operators() {
    let m = decode_onnx(&mlp().encode_to_vec(), "mlp.onnx").unwrap();
    assert_eq!(m.layers.len(), 2);
    assert_eq!((m.n_in(), m.n_out()), (3, 2));
    assert!(m.layers[0].relu && !m.layers[1].relu);
    let x = [0.5f32, -1.0, 2.0];
    // By hand: h = relu(2·W1·x + 0.5·b1), y = W2ᵀ·h + b2.
    let w1 = [[1.0, -2.0, 0.5], [0.0, 1.0, 1.0], [-1.0, 0.25, 3.0], [2.0, 0.0, -0.5]];
    let b1 = [0.1, -0.2, 0.3, 0.0];
    let h: Vec<f32> = (0..4)
        .map(|j| (2.0 * (0..3).map(|k| w1[j][k] * x[k]).sum::<f32>() + 0.5 * b1[j]).max(0.0))
        .collect();
    let w2 = [[1.0, 0.0], [-1.0, 2.0], [0.5, 0.5], [0.0, -1.0]];
    let y: Vec<f32> =
        (0..2).map(|o| (0..4).map(|j| w2[j][o] * h[j]).sum::<f32>() + [0.25, -0.25][o]).collect();
    let got = m.forward(&x).unwrap();
    for (a, b) in got.iter().zip(&y) {
        assert!((a - b).abs() < 1e-5, "{got:?} vs {y:?}");
    }
}

#[test]
fn unsupported_operator_names_op_and_node() {
    let mut m = mlp();
    m.graph.as_mut().unwrap().node[2].op_type = "Sigmoid".into();
    match decode_onnx(&m.encode_to_vec(), "m.onnx") {
        Err(MlError::UnsupportedOperator { op, node }) => {
            assert_eq!((op.as_str(), node.as_str()), ("Sigmoid", "relu1"))
        }
        other => panic!("{other:?}"),
    }
    // A residual Add (two activations).
    let mut m = mlp();
    m.graph.as_mut().unwrap().node[4].input = vec!["o".into(), "o".into()];
    match decode_onnx(&m.encode_to_vec(), "m.onnx") {
        Err(MlError::UnsupportedOperator { op, node }) => {
            assert_eq!((op.as_str(), node.as_str()), ("Add (residual of this shape)", "bias2"))
        }
        other => panic!("{other:?}"),
    }
    // transA.
    let mut m = mlp();
    m.graph.as_mut().unwrap().node[1].attribute.push(int_attr("transA", 1));
    assert!(matches!(
        decode_onnx(&m.encode_to_vec(), "m.onnx"),
        Err(MlError::UnsupportedOperator { .. })
    ));
}

#[test]
fn bad_files_are_typed_errors_naming_the_file() {
    let bytes = mlp().encode_to_vec();
    match decode_onnx(&bytes[..bytes.len() - 7], "cut.onnx") {
        Err(MlError::Decode { path, .. }) => assert_eq!(path, "cut.onnx"),
        other => panic!("{other:?}"),
    }
    let dir = std::env::temp_dir().join(format!("zkprove-ml-onnx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("garbage.onnx");
    std::fs::write(&p, b"\xff\xff\xff\xff not onnx").unwrap();
    match load_onnx(&p) {
        Err(e @ MlError::Decode { .. }) => assert!(e.to_string().contains("garbage.onnx")),
        other => panic!("{other:?}"),
    }
    match load_onnx(&dir.join("missing.onnx")) {
        Err(e @ MlError::Io { .. }) => assert!(e.to_string().contains("missing.onnx")),
        other => panic!("{other:?}"),
    }
    // A weight whose raw data is too short.
    let mut m = mlp();
    m.graph.as_mut().unwrap().initializer[0].raw_data.truncate(8);
    assert!(matches!(
        decode_onnx(&m.encode_to_vec(), "m.onnx"),
        Err(MlError::InvalidTensor { .. })
    ));
    // Shapes that do not chain.
    let mut m = mlp();
    m.graph.as_mut().unwrap().initializer[2].dims = vec![2, 4];
    assert!(decode_onnx(&m.encode_to_vec(), "m.onnx").is_err());
}

#[test]
fn residual_add_of_an_earlier_activation() {
    // x(3) → Gemm(3→3) → Add(·, x) → Relu → Gemm(3→2) → Add(·, ?) is not allowed (width), so end.
    let w1 = [1.0, 0.5, 0.0, -1.0, 2.0, 0.25, 0.0, 0.0, 1.0];
    let w2 = [1.0, -1.0, 0.5, 2.0, 0.0, 1.0];
    let m = model(
        vec![
            node("Gemm", "fc1", &["x", "w1"], "g", vec![int_attr("transB", 1)]),
            node("Add", "skip", &["x", "g"], "s", vec![]),
            node("Relu", "relu", &["s"], "h", vec![]),
            node("Gemm", "fc2", &["h", "w2"], "y", vec![int_attr("transB", 1)]),
        ],
        vec![tensor("w1", &[3, 3], &w1, true), tensor("w2", &[2, 3], &w2, false)],
        "y",
    );
    let f = decode_onnx(&m.encode_to_vec(), "res.onnx").unwrap();
    assert_eq!(f.layers[0].residual, Some(0));
    let x = [1.0f32, -2.0, 0.5];
    let h: Vec<f32> = (0..3)
        .map(|j| ((0..3).map(|k| w1[j * 3 + k] * x[k]).sum::<f32>() + x[j]).max(0.0))
        .collect();
    let y: Vec<f32> = (0..2).map(|o| (0..3).map(|k| w2[o * 3 + k] * h[k]).sum::<f32>()).collect();
    let got = f.forward(&x).unwrap();
    for (a, b) in got.iter().zip(&y) {
        assert!((a - b).abs() < 1e-5, "{got:?} vs {y:?}");
    }
}
