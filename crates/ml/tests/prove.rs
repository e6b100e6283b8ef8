//! End-to-end: random MLPs quantized, committed, proved and verified; tampering rejected.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_ml::pcs::PcsParams;
use zkprove_ml::proof::security_bits;
use zkprove_ml::quant::deviation;
use zkprove_ml::{
    CommittedModel, FloatLayer, FloatModel, Proof, QuantConfig, QuantModel, prove, verify,
};

fn random_mlp(rng: &mut StdRng, widths: &[usize], last_relu: bool) -> FloatModel {
    let layers = widths
        .windows(2)
        .enumerate()
        .map(|(i, w)| FloatLayer {
            n_in: w[0],
            n_out: w[1],
            weight: (0..w[0] * w[1])
                .map(|_| rng.random_range(-1.0f32..1.0) / (w[0] as f32).sqrt())
                .collect(),
            bias: (0..w[1]).map(|_| rng.random_range(-0.1f32..0.1)).collect(),
            relu: i + 2 < widths.len() || last_relu,
            residual: None,
        })
        .collect();
    FloatModel { layers }
}

fn random_input(rng: &mut StdRng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

#[test]
fn completeness_on_many_shapes() {
    let mut rng = StdRng::seed_from_u64(1);
    let shapes: &[(&[usize], bool)] = &[
        (&[1, 1], false),
        (&[1, 3, 1], false),
        (&[5, 7, 3], false),
        (&[16, 16, 16, 4], false),
        (&[3, 10, 1], true),
        (&[33, 17, 9, 2], true),
        (&[8, 1, 5], false),
    ];
    for (i, &(widths, last_relu)) in shapes.iter().enumerate() {
        let float = random_mlp(&mut rng, widths, last_relu);
        let cfg = QuantConfig { per_channel: i % 2 == 0, ..QuantConfig::default() };
        let quant = QuantModel::quantize(&float, &cfg).expect("quantize");
        let cm = CommittedModel::new(quant.clone(), PcsParams::default()).expect("commit");
        for _ in 0..2 {
            let x = random_input(&mut rng, widths[0]);
            let (y, proof) = prove(&cm, &x).expect("prove");
            assert_eq!(y, quant.run(&x).unwrap().output(), "shape {widths:?}");
            let bytes = proof.to_bytes();
            let back = Proof::from_bytes(&bytes).expect("parse");
            assert_eq!(back, proof);
            verify(&cm.commitment, &x, &y, &back)
                .unwrap_or_else(|e| panic!("shape {widths:?}: {e}"));
        }
    }
}

struct Fixture {
    cm: CommittedModel,
    x: Vec<f32>,
    y: Vec<i64>,
    proof: Proof,
}

fn fixture(seed: u64) -> Fixture {
    let mut rng = StdRng::seed_from_u64(seed);
    let float = random_mlp(&mut rng, &[6, 5, 3], false);
    let quant = QuantModel::quantize(&float, &QuantConfig::default()).unwrap();
    let cm = CommittedModel::new(quant, PcsParams::default()).unwrap();
    let x = random_input(&mut rng, 6);
    let (y, proof) = prove(&cm, &x).unwrap();
    Fixture { cm, x, y, proof }
}

#[test]
fn tampered_statement_is_rejected() {
    let f = fixture(2);
    verify(&f.cm.commitment, &f.x, &f.y, &f.proof).unwrap();
    // Output.
    for j in 0..f.y.len() {
        let mut y = f.y.clone();
        y[j] += 1;
        assert!(verify(&f.cm.commitment, &f.x, &y, &f.proof).unwrap_err().is_rejection());
    }
    // Input (a change that survives quantization).
    let mut x = f.x.clone();
    x[0] += 0.5;
    assert!(verify(&f.cm.commitment, &x, &f.y, &f.proof).unwrap_err().is_rejection());
    // Commitment root.
    let mut com = f.cm.commitment.clone();
    com.weights_root[3] ^= 1;
    assert!(verify(&com, &f.x, &f.y, &f.proof).unwrap_err().is_rejection());
    // Requantization multiplier.
    let mut com = f.cm.commitment.clone();
    if let Some(rq) = com.layers[0].requant.as_mut() {
        rq.mult[0] += 1;
    }
    assert!(verify(&com, &f.x, &f.y, &f.proof).unwrap_err().is_rejection());
}

#[test]
fn other_weights_are_rejected() {
    let f = fixture(3);
    for (layer, idx, bias) in [(0usize, 4usize, false), (1, 2, false), (0, 1, true), (1, 0, true)] {
        let mut other = f.cm.model.clone();
        if bias {
            other.layers[layer].bias[idx] += 1;
        } else {
            let w = &mut other.layers[layer].weight[idx];
            *w = if *w < 100 { *w + 1 } else { *w - 1 };
        }
        let cm2 = CommittedModel::new(other.clone(), PcsParams::default()).unwrap();
        let (y2, proof2) = prove(&cm2, &f.x).unwrap();
        verify(&cm2.commitment, &f.x, &y2, &proof2).unwrap();
        let err = verify(&f.cm.commitment, &f.x, &y2, &proof2).unwrap_err();
        assert!(err.is_rejection(), "{err}");
    }
}

#[test]
fn flipped_proof_bytes_are_rejected() {
    let f = fixture(4);
    let bytes = f.proof.to_bytes();
    let n = bytes.len();
    let step = (n / 400).max(1);
    let mut positions: Vec<usize> = (0..n).step_by(step).collect();
    positions.extend([0, 1, 4, 5, 36, 37, 40, n - 1, n - 2]);
    for pos in positions {
        for bit in [0u8, 7] {
            let mut b = bytes.clone();
            b[pos] ^= 1 << bit;
            if let Ok(p) = Proof::from_bytes(&b) {
                let err =
                    verify(&f.cm.commitment, &f.x, &f.y, &p).expect_err("flipped byte accepted");
                assert!(err.is_rejection(), "byte {pos}: {err}");
            }
        }
    }
    assert!(Proof::from_bytes(&bytes[..n - 1]).is_err());
}

#[test]
fn tampered_requantization_sums_are_rejected() {
    let f = fixture(10);
    for layer in 0..f.proof.requant_sums.len() {
        for j in 0..f.proof.requant_sums[layer].len() {
            for delta in [1i32, -1, 1 << 12, 1 << 27] {
                let mut p = f.proof.clone();
                p.requant_sums[layer][j] = p.requant_sums[layer][j].wrapping_add(delta);
                let err = verify(&f.cm.commitment, &f.x, &f.y, &p).expect_err("tampered sum");
                assert!(err.is_rejection(), "layer {layer}, {j}: {err}");
            }
        }
    }
    // A missing or extra sum, a missing layer.
    let mut p = f.proof.clone();
    p.requant_sums[0].pop();
    assert!(verify(&f.cm.commitment, &f.x, &f.y, &p).unwrap_err().is_rejection());
    let mut p = f.proof.clone();
    p.requant_sums[0].push(0);
    assert!(verify(&f.cm.commitment, &f.x, &f.y, &p).unwrap_err().is_rejection());
    let mut p = f.proof.clone();
    p.requant_sums.pop();
    assert!(verify(&f.cm.commitment, &f.x, &f.y, &p).unwrap_err().is_rejection());
}

#[test]
fn configured_parameters_reach_100_bits() {
    let f = fixture(5);
    assert!(PcsParams::default().security_bits(21, 1 << 21) >= 100.0);
    assert!(security_bits(&f.cm.commitment) >= 100.0, "{}", security_bits(&f.cm.commitment));
    let weak = PcsParams { n_queries: 90, ..PcsParams::default() };
    assert!(weak.security_bits(21, 1 << 21) < 100.0);
    let mut com = f.cm.commitment.clone();
    com.pcs = weak;
    assert!(security_bits(&com) < 100.0);
}

#[test]
fn quantized_inference_tracks_the_float_model() {
    let mut rng = StdRng::seed_from_u64(6);
    let float = random_mlp(&mut rng, &[20, 32, 10], false);
    let inputs: Vec<Vec<f32>> = (0..64).map(|_| random_input(&mut rng, 20)).collect();
    let cfg = QuantConfig { calibration: inputs.clone(), ..QuantConfig::default() };
    let quant = QuantModel::quantize(&float, &cfg).unwrap();
    let dev = deviation(&float, &quant, &inputs).unwrap();
    let out_max =
        inputs.iter().flat_map(|x| float.forward(x).unwrap()).fold(0f32, |m, v| m.max(v.abs()));
    assert!(dev.max_abs_error < 0.05 * out_max, "{dev:?} vs output range {out_max}");
    assert!(dev.argmax_agreement >= 0.85, "{dev:?}");
    // The integer reference: recompute layer 0 by hand.
    let x = &inputs[0];
    let tr = quant.run(x).unwrap();
    let l0 = &quant.layers[0];
    for j in 0..l0.n_out {
        let z: i64 = (0..l0.n_in)
            .map(|k| i64::from(l0.weight[j * l0.n_in + k]) * i64::from(tr.input[k]))
            .sum::<i64>()
            + i64::from(l0.bias[j]);
        assert_eq!(z, tr.acc[0][j]);
        let rq = l0.requant.as_ref().unwrap();
        let t = i64::from(rq.mult[j]) * z + (1 << (rq.shift - 1));
        assert_eq!(tr.out[0][j], (t >> rq.shift).clamp(0, 127));
    }
}

#[test]
fn residual_connections_prove_and_bind() {
    let mut rng = StdRng::seed_from_u64(8);
    // Residuals from the input (layer 0), from layer 0's output (layer 1), and on the last layer.
    let mut float = random_mlp(&mut rng, &[6, 6, 6, 6], false);
    float.layers[0].residual = Some(0);
    float.layers[1].residual = Some(1);
    float.layers[2].residual = Some(2);
    float.validate().unwrap();
    let inputs: Vec<Vec<f32>> = (0..16).map(|_| random_input(&mut rng, 6)).collect();
    let cfg = QuantConfig { calibration: inputs.clone(), ..QuantConfig::default() };
    let quant = QuantModel::quantize(&float, &cfg).unwrap();
    assert!(quant.layers.iter().all(|l| l.requant.as_ref().is_some_and(|r| r.residual.is_some())));
    let dev = deviation(&float, &quant, &inputs).unwrap();
    assert!(dev.argmax_agreement >= 0.8, "{dev:?}");
    let cm = CommittedModel::new(quant.clone(), PcsParams::default()).unwrap();
    let x = &inputs[0];
    let (y, proof) = prove(&cm, x).unwrap();
    assert_eq!(y, quant.run(x).unwrap().output());
    verify(&cm.commitment, x, &y, &proof).unwrap();
    // The residual's multiplier and source are part of the statement.
    let mut com = cm.commitment.clone();
    com.layers[1].requant.as_mut().unwrap().residual.as_mut().unwrap().mult += 1;
    assert!(verify(&com, x, &y, &proof).unwrap_err().is_rejection());
    let mut y2 = y.clone();
    y2[0] += 1;
    assert!(verify(&cm.commitment, x, &y2, &proof).unwrap_err().is_rejection());
    // Dropping the residual from the model changes the proof's statement.
    let mut plain = quant.clone();
    plain.layers[1].requant.as_mut().unwrap().residual = None;
    let cm2 = CommittedModel::new(plain, PcsParams::default()).unwrap();
    let (y3, proof3) = prove(&cm2, x).unwrap();
    assert!(verify(&cm.commitment, x, &y3, &proof3).unwrap_err().is_rejection());
}

#[test]
fn commitment_json_round_trip_and_validation() {
    let f = fixture(9);
    let json = serde_json::to_string(&f.cm.commitment).unwrap();
    let back: zkprove_ml::ModelCommitment = serde_json::from_str(&json).unwrap();
    assert_eq!(back, f.cm.commitment);
    verify(&back, &f.x, &f.y, &f.proof).unwrap();
    // Parameters outside the exact range of M31 are refused before any proof is read.
    let mut com = back.clone();
    com.layers[0].requant.as_mut().unwrap().shift = 30;
    assert!(matches!(
        verify(&com, &f.x, &f.y, &f.proof),
        Err(zkprove_ml::MlError::InvalidCommitment { .. })
    ));
    let mut com = back.clone();
    com.layers[0].requant.as_mut().unwrap().v_bits = 29;
    assert!(com.validate().is_err());
    let mut com = back.clone();
    com.pcs.n_queries = 0;
    assert!(com.validate().is_err());
    let mut com = back;
    com.layers[1].n_in += 1;
    assert!(com.validate().is_err());
}
