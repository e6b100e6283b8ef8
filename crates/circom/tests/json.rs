//! proof.json / public.json / verification_key.json: round trips, snarkjs's shapes, and
//! rejection of wrong values.

use crate::common;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_circom::{
    CircomError, Proof, VerificationKey, Zkey, public_signals_from_json, public_signals_to_json,
};
use zkprove_curve::SwCurve;
use zkprove_curve::bn254::{Fq2, G1Affine, G2Affine, G2Config};
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::{Field, PrimeField};

fn random_proof(rng: &mut StdRng) -> Proof {
    Proof { a: G1Affine::random(rng), b: G2Affine::random(rng), c: G1Affine::random(rng) }
}

fn example_vk() -> VerificationKey {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/all_public");
    VerificationKey::read(dir.join("verification_key.json")).expect("snarkjs vk")
}

#[test]
fn proof_round_trip() {
    let mut rng = StdRng::seed_from_u64(1);
    for _ in 0..8 {
        let p = random_proof(&mut rng);
        let text = p.to_json();
        assert_eq!(Proof::from_json(&text, "p").expect("parses"), p);
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["pi_a"][2], "1");
        assert_eq!(v["pi_b"][2], serde_json::json!(["1", "0"]));
        assert_eq!(v["protocol"], "groth16");
        assert_eq!(v["curve"], "bn128");
    }
}

#[test]
fn infinity_round_trips_as_snarkjs_writes_it() {
    let p = Proof { a: G1Affine::identity(), b: G2Affine::identity(), c: G1Affine::generator() };
    let text = p.to_json();
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["pi_a"], serde_json::json!(["0", "1", "0"]));
    assert_eq!(v["pi_b"], serde_json::json!([["0", "0"], ["1", "0"], ["0", "0"]]));
    assert_eq!(Proof::from_json(&text, "p").expect("parses"), p);
}

#[test]
fn general_projective_z_is_accepted() {
    let mut rng = StdRng::seed_from_u64(2);
    let p = random_proof(&mut rng);
    // Jacobian (x·z², y·z³, z) for z = 7, as ffjavascript would represent it.
    let z = Fq::from_u64(7);
    let (z2, z3) = (z.square(), z.square() * z);
    let a =
        [(p.a.x * z2).to_decimal_string(), (p.a.y * z3).to_decimal_string(), z.to_decimal_string()];
    let mut v: serde_json::Value = serde_json::from_str(&p.to_json()).expect("json");
    v["pi_a"] = serde_json::json!(a);
    let q = Proof::from_json(&v.to_string(), "p").expect("parses");
    assert_eq!(q, p);
    // rapidsnark omits "curve".
    v.as_object_mut().expect("object").remove("curve");
    assert!(Proof::from_json(&v.to_string(), "p").is_ok());
}

#[test]
fn proof_rejections() {
    let mut rng = StdRng::seed_from_u64(3);
    let good: serde_json::Value =
        serde_json::from_str(&random_proof(&mut rng).to_json()).expect("json");
    let check = |edit: &dyn Fn(&mut serde_json::Value), needle: &str| {
        let mut v = good.clone();
        edit(&mut v);
        let err = Proof::from_json(&v.to_string(), "proof.json").expect_err(needle);
        let msg = err.to_string();
        assert!(msg.starts_with("proof.json: "), "{msg}");
        assert!(msg.contains(needle), "expected {needle:?} in {msg}");
    };
    check(&|v| v["curve"] = "bls12381".into(), "curve");
    check(&|v| v["protocol"] = "plonk".into(), "protocol");
    check(&|v| v["pi_a"][1] = "5".into(), "pi_a: the point is not on the BN254 G1 curve");
    check(&|v| v["pi_a"][0] = "12x".into(), "pi_a[0]");
    check(&|v| v["pi_c"][0] = Fq::order_string().into(), "pi_c[0]");
    check(&|v| v["pi_b"][0][1] = "1".into(), "pi_b: the point is not on the BN254 G2 curve");
    check(&|v| v["pi_b"][1] = serde_json::json!(["1"]), "pi_b[1]");
    check(&|v| v["pi_a"] = serde_json::json!(["1", "2"]), "pi_a");
    check(&|v| v["pi_a"] = serde_json::json!(["0", "0", "1"]), "not on the BN254 G1 curve");
    check(&|v| v["pi_a"] = serde_json::json!([1, 2, 1]), "invalid JSON");
    check(&|v| *v = serde_json::json!({"pi_a": []}), "invalid JSON");
}

/// `√a` in `F_q` (q ≡ 3 mod 4: `a^((q+1)/4)`), if `a` is a square.
fn fq_sqrt(a: Fq) -> Option<Fq> {
    let mut e = Fq::MODULUS_LIMBS;
    // (q + 1) / 4: q is odd, so q + 1 does not carry past the first limb here.
    e[0] += 1;
    for i in 0..4 {
        e[i] = (e[i] >> 2) | if i < 3 { e[i + 1] << 62 } else { 0 };
    }
    let r = a.pow_limbs(&e);
    (r.square() == a).then_some(r)
}

/// `√a` in `F_q² = F_q[u]/(u² + 1)` by the norm method.
fn fq2_sqrt(a: Fq2) -> Option<Fq2> {
    let [a0, a1] = *a.coeffs();
    let alpha = fq_sqrt(a0.square() + a1.square())?;
    let half = Fq::from_u64(2).inverse()?;
    for delta in [(a0 + alpha) * half, (a0 - alpha) * half] {
        if let Some(x0) = fq_sqrt(delta)
            && !x0.is_zero()
        {
            let x1 = a1 * (x0.double()).inverse()?;
            let r = Fq2::new([x0, x1]);
            if r.square() == a {
                return Some(r);
            }
        }
    }
    None
}

/// A point on G2's curve outside the order-r subgroup (the twist's cofactor is huge, so the
/// first point found by increasing x is outside).
fn g2_point_off_subgroup() -> G2Affine {
    for k in 1..200u64 {
        let x = Fq2::new([Fq::from_u64(k), Fq::ONE]);
        if let Some(y) = fq2_sqrt(x.square() * x + <G2Config as SwCurve>::B) {
            let p = G2Affine::new(x, y).expect("on the curve");
            if !p.is_in_subgroup() {
                return p;
            }
        }
    }
    panic!("no point found")
}

#[test]
fn g2_point_outside_the_subgroup_is_rejected() {
    let p = g2_point_off_subgroup();
    let mut rng = StdRng::seed_from_u64(5);
    let proof = Proof { b: p, ..random_proof(&mut rng) };
    let err = Proof::from_json(&proof.to_json(), "proof.json").expect_err("off subgroup");
    assert!(
        err.to_string().contains("pi_b: the point is not in the BN254 G2 prime-order subgroup"),
        "{err}"
    );

    let vk = VerificationKey { gamma2: p, ..example_vk() };
    let err = VerificationKey::from_json(&vk.to_json(), "vk.json").expect_err("off subgroup");
    assert!(err.to_string().contains("vk_gamma_2"), "{err}");

    // The same point as a zkey header's delta2, and as a B2 point (caught only by the
    // explicit check).
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/all_public");
    let bytes = std::fs::read(dir.join("circuit.zkey")).expect("zkey");
    let mont = |v: &Fq| v.to_raw_bytes_le();
    let mut enc = Vec::new();
    for c in [p.x.coeffs(), p.y.coeffs()] {
        enc.extend_from_slice(&mont(&c[0]));
        enc.extend_from_slice(&mont(&c[1]));
    }
    let c = common::Container::parse(&bytes);
    let delta2 = c.offset_of(2) + 84 + 3 * 64 + 2 * 128;
    let mut b = bytes.clone();
    b[delta2..delta2 + 128].copy_from_slice(&enc);
    let err = Zkey::read_from(std::io::Cursor::new(&b), "t.zkey").expect_err("delta2");
    assert!(
        matches!(
            err,
            CircomError::InvalidPoint {
                section: 2,
                index: 5,
                reason: "not in the prime-order subgroup",
                ..
            }
        ),
        "{err}"
    );
    let b2 = c.offset_of(7) + 128;
    let mut b = bytes;
    b[b2..b2 + 128].copy_from_slice(&enc);
    let zkey = Zkey::read_from(std::io::Cursor::new(&b), "t.zkey").expect("on the curve: loads");
    let err = zkey.check_b2_subgroup("t.zkey").expect_err("B2[1]");
    assert!(matches!(err, CircomError::InvalidPoint { section: 7, index: 1, .. }), "{err}");
}

#[test]
fn public_signals() {
    let mut rng = StdRng::seed_from_u64(4);
    let signals: Vec<Fr> = (0..5).map(|_| Fr::random(&mut rng)).collect();
    let text = public_signals_to_json(&signals);
    assert_eq!(public_signals_from_json(&text, "public.json").expect("parses"), signals);
    assert_eq!(public_signals_to_json(&[]), "[]");
    assert_eq!(public_signals_to_json(&[Fr::from_u64(42), Fr::ONE]), "[\n \"42\",\n \"1\"\n]");
    let err =
        public_signals_from_json(&format!("[\"1\", \"{}\"]", Fr::order_string()), "public.json")
            .expect_err("r is not an element");
    assert!(matches!(&err, CircomError::JsonValue { field, .. } if field == "[1]"), "{err}");
    assert!(public_signals_from_json("{}", "public.json").is_err());
}

#[test]
fn verification_key_round_trip_and_checks() {
    let vk = example_vk();
    assert_eq!(vk.n_public, 4);
    assert_eq!(vk.ic.len(), 5);
    let text = vk.to_json();
    assert_eq!(VerificationKey::from_json(&text, "vk").expect("parses"), vk);

    let good: serde_json::Value = serde_json::from_str(&text).expect("json");
    let check = |edit: &dyn Fn(&mut serde_json::Value), needle: &str| {
        let mut v = good.clone();
        edit(&mut v);
        let err = VerificationKey::from_json(&v.to_string(), "vk.json").expect_err(needle);
        assert!(err.to_string().contains(needle), "expected {needle:?} in {err}");
    };
    check(&|v| v["nPublic"] = 3.into(), "IC: 5 points, expected nPublic + 1 = 4");
    check(&|v| v["vk_alphabeta_12"][1] = serde_json::json!([["1", "2"]]), "vk_alphabeta_12");
    check(&|v| v["vk_alphabeta_12"][0][0][0] = "x".into(), "vk_alphabeta_12[0][0][0]");
    check(&|v| v["IC"][2][0] = "3".into(), "IC[2]");
    check(&|v| v["curve"] = "bls12381".into(), "curve");

    // from_zkey leaves alphabeta zero for the caller to fill.
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/all_public");
    let zkey = Zkey::open(dir.join("circuit.zkey")).expect("zkey");
    let mine = VerificationKey::from_zkey(&zkey);
    assert!(mine.alphabeta_12.iter().flatten().flatten().all(|s| s == "0"));
    assert_eq!(VerificationKey { alphabeta_12: vk.alphabeta_12.clone(), ..mine }, vk);
}
