//! The in-memory (insecure) setup: keys it makes give proofs that verify, for the multiplication
//! chain and hand-made circuits (several public signals, no private signal); tampered witnesses
//! and public signals are rejected; the key's layout matches snarkjs's on the bundled example.

use std::io::Cursor;
use std::path::Path;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_circom::{Constraint, R1cs, R1csHeader, Zkey, ZkeyInfo, ZkeyReader};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_groth16::setup::{mul_chain, setup};
use zkprove_groth16::{
    Groth16Error, Groth16Prover, PreparedVerificationKey, StreamingProver, verify,
};
use zkprove_poly::CpuBackend;

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Proves on the CPU, checks the proof verifies, then that a wrong public signal is rejected.
fn prove_and_check(zkey: Zkey, witness: &[Fr]) -> Groth16Prover {
    let n_public = zkey.header.n_public as usize;
    let prover: Groth16Prover = Groth16Prover::from_zkey(zkey).expect("prepare key");
    let proof = prover.prove(witness).expect("prove");
    let public = &witness[1..=n_public];
    verify(prover.verification_key(), public, &proof).expect("the proof verifies");
    let prepared = PreparedVerificationKey::new(prover.verification_key()).expect("prepare vk");
    prepared.verify(public, &proof).expect("the proof verifies with the prepared key");
    for i in 0..n_public {
        let mut wrong = public.to_vec();
        wrong[i] += Fr::ONE;
        assert!(
            matches!(
                verify(prover.verification_key(), &wrong, &proof),
                Err(Groth16Error::InvalidProof)
            ),
            "public signal {i} changed: must not verify"
        );
        assert!(
            matches!(prepared.verify(&wrong, &proof), Err(Groth16Error::InvalidProof)),
            "public signal {i} changed: the prepared key must not verify either"
        );
    }
    prover
}

#[test]
fn mul_chain_proofs_verify() {
    for log_n in [2u32, 3, 6, 10] {
        let (r1cs, witness) = mul_chain(log_n, &mut rng(log_n.into())).expect("circuit");
        r1cs.check_witness(&witness).expect("the witness satisfies the circuit");
        assert_eq!(r1cs.header.groth16_domain_size(), Some(1 << log_n));
        let zkey = setup(&r1cs, &mut rng(100 + u64::from(log_n))).expect("setup");
        assert_eq!(zkey.header.domain_size, 1 << log_n);
        assert_eq!(zkey.header.n_public, 1);
        assert_eq!(zkey.n_constraints(), r1cs.constraints.len());
        assert_eq!(zkey.c.len(), witness.len() - 2);
        assert_eq!(zkey.h.len(), 1 << log_n);
        let prover = prove_and_check(zkey, &witness);

        // One private value changed: the witness no longer satisfies the circuit.
        let mut bad = witness.clone();
        let last = bad.len() - 1;
        bad[last] += Fr::ONE;
        assert!(r1cs.check_witness(&bad).is_err());
        let proof = prover.prove(&bad).expect("a proof is made");
        assert!(matches!(
            verify(prover.verification_key(), &bad[1..2], &proof),
            Err(Groth16Error::InvalidProof)
        ));
        assert!(matches!(prover.prove_verified(&bad), Err(Groth16Error::InvalidProof)));
        // The private input changed too.
        bad = witness.clone();
        bad[2] += Fr::ONE;
        assert!(matches!(prover.prove_verified(&bad), Err(Groth16Error::InvalidProof)));
    }
}

#[test]
fn mul_chain_varies_its_coefficients() {
    let (r1cs, _) = mul_chain(4, &mut rng(1)).expect("circuit");
    let all: Vec<Fr> = r1cs
        .constraints
        .iter()
        .flat_map(|c| c.a.iter().chain(&c.b).chain(&c.c).map(|&(_, v)| v))
        .collect();
    assert!(all.iter().any(|v| *v != Fr::ONE));
    assert!(all.contains(&Fr::NEG_ONE));
    assert!(r1cs.constraints.iter().any(|c| c.a.len() > 1 || c.b.len() > 1));
}

#[test]
fn mul_chain_rejects_too_small_domains() {
    for log_n in [0, 1] {
        assert!(matches!(mul_chain(log_n, &mut rng(0)), Err(Groth16Error::InvalidCircuit { .. })));
    }
    assert!(matches!(mul_chain(29, &mut rng(0)), Err(Groth16Error::DomainTooLarge { .. })));
}

fn circuit(n_wires: u32, n_pub_out: u32, n_pub_in: u32, constraints: Vec<Constraint>) -> R1cs {
    let header = R1csHeader {
        n_wires,
        n_pub_out,
        n_pub_in,
        n_prv_in: n_wires - 1 - n_pub_out - n_pub_in,
        n_labels: u64::from(n_wires),
        n_constraints: constraints.len() as u32,
    };
    R1cs { header, constraints }
}

fn f(v: u64) -> Fr {
    Fr::from_u64(v)
}

/// Signals: 1 = out (public output), 2 = p, 3 = q (public inputs), 4 = s (private):
/// `s = p·q`, `out = (s + p)·(q + 3)`.
#[test]
fn several_public_signals() {
    let one = Fr::ONE;
    let constraints = vec![
        Constraint { a: vec![(2, one)], b: vec![(3, one)], c: vec![(4, one)] },
        Constraint { a: vec![(4, one), (2, one)], b: vec![(3, one), (0, f(3))], c: vec![(1, one)] },
    ];
    let r1cs = circuit(5, 1, 2, constraints);
    let (p, q) = (f(7), f(11));
    let s = p * q;
    let witness = vec![one, (s + p) * (q + f(3)), p, q, s];
    r1cs.check_witness(&witness).expect("satisfied");
    let zkey = setup(&r1cs, &mut rng(5)).expect("setup");
    assert_eq!((zkey.header.n_public, zkey.ic.len(), zkey.c.len()), (3, 4, 1));
    let prover = prove_and_check(zkey, &witness);
    let mut bad = witness.clone();
    bad[4] += one;
    assert!(matches!(prover.prove_verified(&bad), Err(Groth16Error::InvalidProof)));
}

/// Every signal public: the C query is empty.
#[test]
fn every_signal_public() {
    let one = Fr::ONE;
    let constraints = vec![
        Constraint { a: vec![(2, one)], b: vec![(3, one)], c: vec![(1, one)] },
        Constraint { a: vec![(2, f(2))], b: vec![(0, one)], c: vec![(2, one), (3, one)] },
    ];
    let r1cs = circuit(4, 1, 2, constraints);
    // 2a = a + b, so b = a.
    let a = f(9);
    let witness = vec![one, a * a, a, a];
    r1cs.check_witness(&witness).expect("satisfied");
    let zkey = setup(&r1cs, &mut rng(6)).expect("setup");
    assert!(zkey.c.is_empty());
    assert_eq!(zkey.header.domain_size, 8);
    streaming_matches_loaded(&zkey, &witness);
    prove_and_check(zkey, &witness);
}

/// The streaming prover (key read one section at a time) makes the loaded prover's proof, bit for
/// bit, for the same blinding; its random-blinding proofs verify.
fn streaming_matches_loaded(zkey: &Zkey, witness: &[Fr]) {
    let bytes = zkey.to_bytes().expect("writes");
    let reader = ZkeyReader::new(Cursor::new(bytes), "streamed").expect("opens");
    let mut streaming = StreamingProver::new(reader).expect("prepares");
    let loaded: Groth16Prover = Groth16Prover::from_zkey(zkey.clone()).expect("loads");
    assert_eq!(streaming.verification_key(), loaded.verification_key());
    let mut r = rng(77);
    for (br, bs) in [(Fr::ZERO, Fr::ZERO), (Fr::random(&mut r), Fr::random(&mut r))] {
        let ours = streaming.prove_with_blinding::<CpuBackend>(witness, br, bs).expect("proves");
        assert_eq!(ours, loaded.prove_with_blinding(witness, br, bs).expect("proves"));
    }
    // Twice from the same reader: every section is read again.
    let proof = streaming.prove::<CpuBackend>(witness).expect("proves again");
    let n_public = zkey.header.n_public as usize;
    verify(streaming.verification_key(), &witness[1..=n_public], &proof).expect("verifies");
    assert!(matches!(
        streaming.prove::<CpuBackend>(&witness[1..]),
        Err(Groth16Error::WitnessLength { .. })
    ));
}

/// A key whose H section is cut short: the streaming prover reports the section, not a proof.
#[test]
fn streaming_prover_reports_a_bad_section() {
    let (r1cs, witness) = mul_chain(6, &mut rng(11)).expect("circuit");
    let zkey = setup(&r1cs, &mut rng(12)).expect("setup");
    streaming_matches_loaded(&zkey, &witness);
    let mut bytes = zkey.to_bytes().expect("writes");
    // Corrupt the last H point's x coordinate (H is section 9, just before the 80-byte
    // contributions section): no longer on the curve.
    let at = bytes.len() - 12 - zkprove_circom::EMPTY_CONTRIBUTIONS_BYTES as usize - 40;
    bytes[at] ^= 1;
    let reader = ZkeyReader::new(Cursor::new(bytes), "corrupt").expect("headers are fine");
    let mut streaming = StreamingProver::new(reader).expect("IC is fine");
    let err = streaming.prove::<CpuBackend>(&witness).expect_err("H is invalid");
    let msg = err.to_string();
    assert!(msg.contains("H") && msg.contains("corrupt"), "{msg}");
}

#[test]
fn setup_is_deterministic_for_a_seed_and_checks_signals() {
    let (r1cs, _) = mul_chain(3, &mut rng(2)).expect("circuit");
    let k1 = setup(&r1cs, &mut rng(9)).expect("setup");
    let k2 = setup(&r1cs, &mut rng(9)).expect("setup");
    assert_eq!(k1.h, k2.h);
    assert_eq!(k1.header, k2.header);

    let mut bad = r1cs.clone();
    bad.constraints[0].b.push((bad.header.n_wires, Fr::ONE));
    assert!(matches!(setup(&bad, &mut rng(9)), Err(Groth16Error::InvalidCircuit { .. })));
    let mut bad = r1cs;
    bad.header.n_pub_out = bad.header.n_wires;
    assert!(matches!(setup(&bad, &mut rng(9)), Err(Groth16Error::InvalidCircuit { .. })));
}

/// A synthetic key written as a `.zkey` reads back equal, and proves from the file.
#[test]
fn synthetic_key_round_trips_through_a_zkey_file() {
    let (r1cs, witness) = mul_chain(5, &mut rng(1)).expect("circuit");
    let zkey = setup(&r1cs, &mut rng(2)).expect("setup");
    let bytes = zkey.to_bytes().expect("writes");
    assert_eq!(
        bytes.len() as u64,
        zkey.file_size() + 12 + zkprove_circom::EMPTY_CONTRIBUTIONS_BYTES
    );
    let back = Zkey::read_from(std::io::Cursor::new(bytes), "synthetic").expect("reads back");
    assert_eq!(back, zkey);
    prove_and_check(back, &witness);
}

/// On the bundled example (made by snarkjs): same sizes, same coefficients in the same order,
/// and `file_size` is the file's size without the contributions section.
#[test]
fn layout_matches_snarkjs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier");
    let r1cs = R1cs::open(dir.join("circuit.r1cs")).expect("r1cs");
    let theirs = Zkey::open(dir.join("circuit.zkey")).expect("zkey");
    let ours = setup(&r1cs, &mut rng(3)).expect("setup");
    let (h1, h2) = (&ours.header, &theirs.header);
    assert_eq!((h1.n_vars, h1.n_public, h1.domain_size), (h2.n_vars, h2.n_public, h2.domain_size));
    assert_eq!(ours.coeffs, theirs.coeffs);
    assert_eq!(
        (ours.ic.len(), ours.a.len(), ours.b2.len(), ours.c.len(), ours.h.len()),
        (theirs.ic.len(), theirs.a.len(), theirs.b2.len(), theirs.c.len(), theirs.h.len())
    );
    // Points at infinity sit where snarkjs has them (signals absent from A or B).
    let inf = |v: &[zkprove_curve::bn254::G1Affine]| -> Vec<bool> {
        v.iter().map(|p| p.is_identity()).collect()
    };
    assert_eq!(inf(&ours.a), inf(&theirs.a));
    assert_eq!(inf(&ours.b1), inf(&theirs.b1));

    let info = ZkeyInfo::open(dir.join("circuit.zkey")).expect("info");
    let file_len = std::fs::metadata(dir.join("circuit.zkey")).expect("metadata").len();
    let contributions = info.sections.iter().find(|(id, _)| *id == 10).map_or(0, |(_, s)| 12 + s);
    assert_eq!(theirs.file_size(), file_len - contributions);
    assert_eq!(ours.file_size(), theirs.file_size());
}

/// Witnesses of zeros and ones (as circom's mostly are): the streaming prover reads the A, B1,
/// B2 and C queries only where the witness is non-zero, and still makes the loaded prover's
/// proof bit for bit; a query whose scalars are all zero (here C) contributes nothing.
#[test]
fn streaming_prover_skips_the_points_of_zero_witness_values() {
    let one = Fr::ONE;
    let constraints = vec![
        Constraint { a: vec![(2, one)], b: vec![(3, one)], c: vec![(4, one)] },
        Constraint { a: vec![(4, one), (2, one)], b: vec![(3, one), (0, f(3))], c: vec![(1, one)] },
    ];
    let r1cs = circuit(5, 1, 2, constraints);
    let zkey = setup(&r1cs, &mut rng(15)).expect("setup");
    // p = 0: s = 0 and out = 0; q = 1 or 0.
    for q in [one, Fr::ZERO] {
        let witness = vec![one, Fr::ZERO, Fr::ZERO, q, Fr::ZERO];
        r1cs.check_witness(&witness).expect("satisfied");
        streaming_matches_loaded(&zkey, &witness);
    }
    // The CLI's path: the witness column with the same values on the host.
    let witness = vec![one, f(0), f(0), one, f(0)];
    let bytes = zkey.to_bytes().expect("writes");
    let reader = ZkeyReader::new(Cursor::new(bytes), "streamed").expect("opens");
    let mut streaming = StreamingProver::new(reader).expect("prepares");
    let proof = streaming.prove_column_host::<CpuBackend>(&witness, &witness).expect("proves");
    verify(streaming.verification_key(), &witness[1..=3], &proof).expect("verifies");
    assert!(matches!(
        streaming.prove_column_host::<CpuBackend>(&witness, &witness[1..]),
        Err(Groth16Error::WitnessLength { .. })
    ));
}
