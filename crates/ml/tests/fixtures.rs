//! The committed ONNX fixtures (made by `fixtures/make_models.py` from scikit-learn's digits):
//! loaded, checked against numpy's float outputs, quantized, proved and verified.

use std::path::PathBuf;

use serde::Deserialize;
use zkprove_ml::pcs::PcsParams;
use zkprove_ml::quant::{argmax, deviation};
use zkprove_ml::{CommittedModel, QuantConfig, QuantModel, load_onnx, prove, verify};

#[derive(Deserialize)]
struct Expected {
    inputs: Vec<Vec<f32>>,
    labels: Vec<usize>,
    gemm: Vec<Vec<f32>>,
    matmul: Vec<Vec<f32>>,
    calibration: Vec<Vec<f32>>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn expected() -> Expected {
    serde_json::from_str(&std::fs::read_to_string(dir().join("digits_expected.json")).unwrap())
        .unwrap()
}

fn check(file: &str, reference: impl Fn(&Expected) -> &Vec<Vec<f32>>, widths: &[usize]) {
    let e = expected();
    let float = load_onnx(&dir().join(file)).unwrap();
    let got: Vec<usize> = float.layers.iter().map(|l| l.n_in).chain([float.n_out()]).collect();
    assert_eq!(got, widths);
    for (x, y) in e.inputs.iter().zip(reference(&e)) {
        let f = float.forward(x).unwrap();
        for (a, b) in f.iter().zip(y) {
            assert!((a - b).abs() < 1e-3 * b.abs().max(1.0), "{file}: {a} vs numpy {b}");
        }
    }
    let cfg = QuantConfig {
        input_range: 16.0,
        calibration: e.calibration.clone(),
        ..QuantConfig::default()
    };
    let quant = QuantModel::quantize(&float, &cfg).unwrap();
    let dev = deviation(&float, &quant, &e.inputs).unwrap();
    eprintln!("{file}: quantized vs float: {dev:?}");
    assert!(dev.argmax_agreement >= 0.9, "{file}: {dev:?}");
    let float_correct = e
        .inputs
        .iter()
        .zip(&e.labels)
        .filter(|(x, l)| argmax(&float.forward(x).unwrap()) == **l)
        .count();
    let quant_correct = e
        .inputs
        .iter()
        .zip(&e.labels)
        .filter(|(x, l)| argmax(quant.run(x).unwrap().output()) == **l)
        .count();
    assert!(
        quant_correct + 3 >= float_correct,
        "{file}: {quant_correct} vs {float_correct} correct"
    );
    let cm = CommittedModel::new(quant.clone(), PcsParams::default()).unwrap();
    for x in e.inputs.iter().take(2) {
        let (y, proof) = prove(&cm, x).unwrap();
        assert_eq!(y, quant.run(x).unwrap().output());
        verify(&cm.commitment, x, &y, &proof).unwrap();
    }
}

#[test]
fn digits_gemm_relu_gemm() {
    check("digits_gemm.onnx", |e| &e.gemm, &[64, 32, 10]);
}

#[test]
fn digits_matmul_add_chain() {
    check("digits_matmul.onnx", |e| &e.matmul, &[64, 24, 12, 10]);
}
