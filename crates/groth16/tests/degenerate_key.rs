//! A verification key with α, β, γ or δ at infinity accepts forged proofs: with γ at infinity
//! `e(vk_x, γ) = 1` whatever the public signals, so `(A, B, C) = (α, β, ∞)` satisfies
//! `e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ)`; with δ at infinity `C` drops out the same way.
//! [`verify`] refuses such keys with a typed error, and so does [`validate_verification_key`].

use std::path::Path;

use zkprove_circom::{Proof, VerificationKey, read_public_signals};
use zkprove_curve::bn254::{G1Affine, G2Affine};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_groth16::{Groth16Error, PreparedVerificationKey, validate_verification_key, verify};

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

/// γ₂ = δ₂ (a key with no phase-2 contribution: snarkjs's `zkey new` sets both to the G2
/// generator) lets anyone forge: `e(vk_x, γ)·e(C, δ) = e(vk_x + C, γ)`, so `(A, B, C) =
/// (α, β, −vk_x)` verifies for any public signals. Refused by [`verify`] and
/// [`validate_verification_key`], naming `vk_delta_2`.
#[test]
fn keys_with_gamma_equal_to_delta_are_refused() {
    use zkprove_curve::Projective;
    let vk = example_vk();
    let uncontributed = VerificationKey { delta2: vk.gamma2, ..vk.clone() };
    let any_public: Vec<Fr> = (0..vk.n_public as u64).map(|i| Fr::from_u64(77 + i)).collect();
    let vk_x = vk.ic[1..]
        .iter()
        .zip(&any_public)
        .fold(Projective::from(vk.ic[0]), |acc, (p, s)| acc + Projective::from(*p) * *s);
    let forged = Proof { a: vk.alpha1, b: vk.beta2, c: -vk_x.to_affine() };
    assert!(
        matches!(verify(&vk, &any_public, &forged), Err(Groth16Error::InvalidProof)),
        "the honest key rejects the forgery"
    );
    let is_refused = |e: &Groth16Error| matches!(e, Groth16Error::UncontributedVerificationKey { what } if *what == "vk_delta_2");
    let err = verify(&uncontributed, &any_public, &forged).expect_err("forgery with γ = δ");
    assert!(is_refused(&err), "{err}");
    assert!(err.to_string().contains("vk_delta_2"), "{err}");
    let err = validate_verification_key(&uncontributed).expect_err("γ = δ");
    assert!(is_refused(&err), "{err}");
}

/// The prepared key (e(α, β) and γ, δ's lines computed once) accepts and refuses exactly what
/// [`verify`] does: snarkjs's proof, then every proof point swapped for another valid point, the
/// forgery, changed public signals, and the degenerate keys above (refused when preparing).
#[test]
fn prepared_key_agrees_with_verify() {
    let vk = example_vk();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier");
    let public = read_public_signals(dir.join("snarkjs_public.json")).expect("public");
    let proof = Proof::read(dir.join("snarkjs_proof.json")).expect("proof");
    let prepared = PreparedVerificationKey::new(&vk).expect("prepare");
    assert_eq!(prepared.verification_key(), &vk);
    prepared.verify(&public, &proof).expect("snarkjs's proof verifies with the prepared key");

    let g1 = G1Affine::generator();
    let tampered = [
        Proof { a: g1, ..proof },
        Proof { a: -proof.a, ..proof },
        Proof { b: G2Affine::generator(), ..proof },
        Proof { b: -proof.b, ..proof },
        Proof { c: g1, ..proof },
        Proof { c: proof.a, a: proof.c, ..proof },
        Proof { a: vk.alpha1, b: vk.beta2, c: G1Affine::identity() },
    ];
    for (i, bad) in tampered.iter().enumerate() {
        assert!(matches!(verify(&vk, &public, bad), Err(Groth16Error::InvalidProof)), "{i}");
        assert!(matches!(prepared.verify(&public, bad), Err(Groth16Error::InvalidProof)), "{i}");
    }
    let mut wrong = public.clone();
    wrong[0] += Fr::ONE;
    assert!(matches!(prepared.verify(&wrong, &proof), Err(Groth16Error::InvalidProof)));
    assert!(matches!(
        prepared.verify(&public[1..], &proof),
        Err(Groth16Error::PublicInputCount { .. })
    ));
    for bad in [
        VerificationKey { gamma2: G2Affine::identity(), ..vk.clone() },
        VerificationKey { delta2: vk.gamma2, ..vk.clone() },
    ] {
        let err = PreparedVerificationKey::new(&bad).expect_err("degenerate key");
        assert!(
            matches!(
                err,
                Groth16Error::VerificationKeyAtInfinity { .. }
                    | Groth16Error::UncontributedVerificationKey { .. }
            ),
            "{err}"
        );
    }
}
