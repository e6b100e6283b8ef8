//! A verification key with α, β, γ or δ at infinity accepts forged proofs: with γ at infinity
//! `e(vk_x, γ) = 1` whatever the public signals, so `(A, B, C) = (α, β, ∞)` satisfies
//! `e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ)`; with δ at infinity `C` drops out the same way.
//! [`verify`] refuses such keys with a typed error, and so does [`validate_verification_key`].

use std::path::Path;

use zkprove_circom::{Proof, VerificationKey, read_public_signals};
use zkprove_curve::bn254::{G1Affine, G2Affine};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_groth16::{Groth16Error, validate_verification_key, verify};

fn example_vk() -> VerificationKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/multiplier/verification_key.json");
    VerificationKey::read(path).expect("the example verification key")
}

#[test]
fn keys_with_a_point_at_infinity_are_refused() {
    let vk = example_vk();
    validate_verification_key(&vk).expect("the example key is valid");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier");
    let public = read_public_signals(dir.join("snarkjs_public.json")).expect("public");
    let proof = Proof::read(dir.join("snarkjs_proof.json")).expect("proof");
    verify(&vk, &public, &proof).expect("snarkjs's proof verifies");

    // The forgery: no knowledge of the witness, any public signals.
    let forged = Proof { a: vk.alpha1, b: vk.beta2, c: G1Affine::identity() };
    let any_public: Vec<Fr> = (0..public.len() as u64).map(|i| Fr::from_u64(1000 + i)).collect();
    assert!(
        matches!(verify(&vk, &any_public, &forged), Err(Groth16Error::InvalidProof)),
        "the honest key rejects the forgery"
    );
    let degenerate: [(&str, VerificationKey); 4] = [
        ("vk_alpha_1", VerificationKey { alpha1: G1Affine::identity(), ..vk.clone() }),
        ("vk_beta_2", VerificationKey { beta2: G2Affine::identity(), ..vk.clone() }),
        ("vk_gamma_2", VerificationKey { gamma2: G2Affine::identity(), ..vk.clone() }),
        ("vk_delta_2", VerificationKey { delta2: G2Affine::identity(), ..vk.clone() }),
    ];
    for (name, bad) in &degenerate {
        let forged = Proof { a: bad.alpha1, b: bad.beta2, c: G1Affine::identity() };
        let err = verify(bad, &any_public, &forged).expect_err(name);
        assert!(
            matches!(err, Groth16Error::VerificationKeyAtInfinity { what } if what == *name),
            "{name}: {err}"
        );
        assert!(err.to_string().contains("point at infinity"), "{err}");
        let err = validate_verification_key(bad).expect_err(name);
        assert!(matches!(err, Groth16Error::VerificationKeyAtInfinity { .. }), "{name}: {err}");
    }
}
