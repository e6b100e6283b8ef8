//! Bad input found by trying the readers as a user would: non-regular files (a named pipe blocks
//! `open` forever, `/dev/zero` never ends), oversized JSON, keys with α/β/γ/δ at infinity, B2
//! points outside G2's subgroup, header counts that overflow, outputs that must appear together.

use crate::common;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Container;
use zkprove_circom::encoding::g2_to_mont_bytes;
use zkprove_circom::ptau::PtauHeader;
use zkprove_circom::zkey::section;
use zkprove_circom::{
    CircomError, MAX_JSON_BYTES, Proof, R1cs, VerificationKey, Witness, Zkey, ZkeyInfo, ZkeyReader,
    read_public_signals, write_proof_and_public,
};
use zkprove_curve::SwCurve;
use zkprove_curve::bn254::{Fq2, G1Affine, G2Affine, G2Config};
use zkprove_field::Field;
use zkprove_field::bn254::{Fq, Fr};

fn example_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier").join(name)
}

fn example(name: &str) -> Vec<u8> {
    let path = example_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkprove-hardening-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// A named pipe at `path` (`mkfifo`, present on every Unix); `false` where there is none.
fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo").arg(path).status().map(|s| s.success()).unwrap_or(false)
}

/// Every reader that takes a path refuses a named pipe, a directory and a device before opening
/// it (opening a pipe with no writer would block forever; the test would hang, not fail).
#[test]
fn readers_refuse_non_regular_files() {
    let dir = scratch("fifo");
    let fifo = dir.join("input.fifo");
    let mut paths = vec![(dir.clone(), "a directory")];
    if mkfifo(&fifo) {
        paths.push((fifo.clone(), "a named pipe (FIFO)"));
    }
    if Path::new("/dev/zero").exists() {
        paths.push((PathBuf::from("/dev/zero"), "a character device"));
    }
    for (path, kind) in &paths {
        let label = path.display().to_string();
        let check = |what: &str, r: Result<(), CircomError>| {
            let err = r.expect_err(what);
            assert!(
                matches!(&err, CircomError::NotAFile { file, kind: k } if *file == label && k == kind),
                "{what} on {label}: {err}"
            );
            assert!(err.to_string().contains("expected a regular file"), "{err}");
        };
        check("zkey", Zkey::open(path).map(drop));
        check("zkey info", ZkeyInfo::open(path).map(drop));
        check("zkey reader", ZkeyReader::open(path).map(drop));
        check("zkey vk data", Zkey::open_verification_data(path).map(drop));
        check("wtns", Witness::open(path).map(drop));
        check("r1cs", R1cs::open(path).map(drop));
        check("ptau", zkprove_circom::Ptau::open(path).map(drop));
        check("ptau info", zkprove_circom::PtauInfo::open(path).map(drop));
        check("ptau powers", zkprove_circom::Ptau::read_powers(path, 1, 1).map(drop));
        check("proof.json", Proof::read(path).map(drop));
        check("public.json", read_public_signals(path).map(drop));
        check("verification_key.json", VerificationKey::read(path).map(drop));
    }
}

#[test]
fn json_larger_than_the_cap_is_refused() {
    let dir = scratch("big-json");
    let big = dir.join("proof.json");
    std::fs::File::create(&big).expect("create").set_len(MAX_JSON_BYTES + 1).expect("sparse");
    let err = Proof::read(&big).expect_err("too large");
    assert!(matches!(err, CircomError::TooLarge { limit: MAX_JSON_BYTES, .. }), "{err}");
    assert!(err.to_string().starts_with(&big.display().to_string()), "{err}");
}

/// `√a` in `F_q` (q ≡ 3 mod 4: `a^((q+1)/4)`), if `a` is a square.
fn fq_sqrt(a: Fq) -> Option<Fq> {
    let mut e = Fq::MODULUS_LIMBS;
    e[0] += 1;
    for i in 0..4 {
        e[i] = (e[i] >> 2) | if i < 3 { e[i + 1] << 62 } else { 0 };
    }
    let r = a.pow_limbs(&e);
    (r.square() == a).then_some(r)
}

/// `√a` in `F_q²` by the norm method.
fn fq2_sqrt(a: Fq2) -> Option<Fq2> {
    let [a0, a1] = *a.coeffs();
    let alpha = fq_sqrt(a0.square() + a1.square())?;
    let half = Fq::from_u64(2).inverse()?;
    for delta in [(a0 + alpha) * half, (a0 - alpha) * half] {
        if let Some(x0) = fq_sqrt(delta)
            && !x0.is_zero()
        {
            let r = Fq2::new([x0, a1 * x0.double().inverse()?]);
            if r.square() == a {
                return Some(r);
            }
        }
    }
    None
}

/// A point on G2's curve outside the order-r subgroup.
fn g2_point_off_subgroup() -> G2Affine {
    (1..200u64)
        .find_map(|k| {
            let x = Fq2::new([Fq::from_u64(k), Fq::ONE]);
            let y = fq2_sqrt(x.square() * x + <G2Config as SwCurve>::B)?;
            let p = G2Affine::new(x, y)?;
            (!p.is_in_subgroup()).then_some(p)
        })
        .expect("a point outside the subgroup")
}

/// A B2 point outside the subgroup loads (the default skips that check, see the zkey docs), is
/// refused by a reader told to check B2, and is found by the streaming check with its index.
#[test]
fn b2_outside_the_subgroup_is_found_with_its_index() {
    let bytes = example("circuit.zkey");
    let mut c = Container::parse(&bytes);
    let index = 7;
    c.section_mut(section::B2)[128 * index..128 * (index + 1)]
        .copy_from_slice(&g2_to_mont_bytes(&g2_point_off_subgroup()));
    let bytes = c.to_bytes();
    let reader = || ZkeyReader::new(Cursor::new(&bytes), "bad.zkey").expect("headers are fine");
    reader().b2().expect("on the curve: read without the subgroup check");
    let err = reader().with_b2_subgroup_check(true).b2().expect_err("checked");
    let expected = |err: &CircomError| {
        matches!(err, CircomError::InvalidPoint { section: 7, name: "B2", index: 7, reason, .. }
            if reason.contains("subgroup"))
    };
    assert!(expected(&err), "{err}");
    let err = reader().check_b2_subgroup().expect_err("streaming check");
    assert!(expected(&err), "{err}");
    assert!(err.to_string().starts_with("bad.zkey: section 7 (B2), point 7"), "{err}");
    // The example key itself passes.
    let good = example("circuit.zkey");
    ZkeyReader::new(Cursor::new(&good), "good.zkey")
        .expect("opens")
        .check_b2_subgroup()
        .expect("ok");
}

/// α₁, β₁, β₂, γ₂, δ₁ or δ₂ at infinity in a zkey's header: refused at load, naming the point.
#[test]
fn zkey_header_points_at_infinity_are_refused() {
    // Offsets in section 2 after the primes and the three counts (84 bytes): α₁, β₁ (G1), β₂,
    // γ₂ (G2), δ₁ (G1), δ₂ (G2).
    let points = [(84, 64), (148, 64), (212, 128), (340, 128), (468, 64), (532, 128)];
    for (index, (offset, len)) in points.into_iter().enumerate() {
        let mut c = Container::parse(&example("circuit.zkey"));
        c.section_mut(section::GROTH16_HEADER)[offset..offset + len].fill(0);
        let err = Zkey::read_from(Cursor::new(c.to_bytes()), "t.zkey").expect_err("infinity");
        assert!(
            matches!(&err, CircomError::InvalidPoint { section: 2, index: i, reason, .. }
                if *i == index as u64 && reason.contains("infinity")),
            "point {index}: {err}"
        );
    }
}

/// α, β, γ or δ at infinity in `verification_key.json`: refused when read.
#[test]
fn verification_key_points_at_infinity_are_refused() {
    let text = std::fs::read_to_string(example_path("verification_key.json")).expect("vk");
    VerificationKey::from_json(&text, "vk.json").expect("the example is valid");
    let g1_inf = serde_json::json!(["0", "1", "0"]);
    let g2_inf = serde_json::json!([["0", "0"], ["1", "0"], ["0", "0"]]);
    for (field, inf) in [
        ("vk_alpha_1", &g1_inf),
        ("vk_beta_2", &g2_inf),
        ("vk_gamma_2", &g2_inf),
        ("vk_delta_2", &g2_inf),
    ] {
        let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
        v[field] = inf.clone();
        let err = VerificationKey::from_json(&v.to_string(), "vk.json").expect_err(field);
        assert!(
            matches!(&err, CircomError::JsonValue { file, field: f, .. } if file == "vk.json" && f == field),
            "{field}: {err}"
        );
        assert!(err.to_string().contains("infinity"), "{err}");
    }
}

/// `nPubOut + nPubIn` past `u32::MAX` is a header error, not a wrapped sum (release) or a panic
/// (debug).
#[test]
fn r1cs_public_count_overflow_is_an_error() {
    let mut c = Container::parse(&example("circuit.r1cs"));
    // Section 1: u32 fs | 32-byte prime | nWires @36 | nPubOut @40 | nPubIn @44 | nPrvIn @48.
    c.section_mut(1)[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    c.section_mut(1)[44..48].copy_from_slice(&2u32.to_le_bytes());
    let err = R1cs::read_from(Cursor::new(c.to_bytes()), "t.r1cs").expect_err("overflow");
    assert!(matches!(err, CircomError::InvalidHeader { field: "nPubIn", .. }), "{err}");
    assert!(err.to_string().contains("does not fit 32 bits"), "{err}");
    let h = zkprove_circom::R1csHeader {
        n_wires: 10,
        n_pub_out: u32::MAX,
        n_pub_in: 2,
        n_prv_in: 0,
        n_labels: 0,
        n_constraints: 0,
    };
    assert_eq!(h.checked_n_public(), None);
    assert_eq!(h.n_public(), u32::MAX);
}

/// Counts derived from hand-made headers saturate instead of overflowing.
#[test]
fn derived_counts_do_not_overflow() {
    let huge = PtauHeader { power: 200, ceremony_power: 200 };
    assert_eq!(huge.n_tau_g2(), usize::MAX);
    assert_eq!(huge.n_tau_g1(), usize::MAX);
    let ok = PtauHeader { power: 3, ceremony_power: 3 };
    assert_eq!((ok.n_tau_g1(), ok.n_tau_g2()), (15, 8));
    let mut z = Zkey::read_from(Cursor::new(example("circuit.zkey")), "t").expect("valid");
    z.header.n_public = z.header.n_vars + 5;
    assert_eq!(z.header.n_private(), 0);
}

/// The witness errors name the witness's file.
#[test]
fn witness_errors_name_the_file() {
    let z = Zkey::read_from(Cursor::new(example("circuit.zkey")), "t").expect("valid");
    let mut w = Witness::read_from(Cursor::new(example("witness.wtns")), "w").expect("valid");
    w.check_file_against(&z.header, "w.wtns").expect("fits");
    w.values[0] = Fr::from_u64(2);
    let err = w.check_file_against(&z.header, "w.wtns").expect_err("witness[0]");
    assert!(matches!(&err, CircomError::InvalidWitness { file, .. } if file == "w.wtns"), "{err}");
    assert!(err.to_string().starts_with("w.wtns: invalid witness: witness[0] must be 1"), "{err}");
}

/// `proof.json` and `public.json` are written together or not at all.
#[test]
fn proof_and_public_are_written_together() {
    let dir = scratch("together");
    let proof =
        Proof { a: G1Affine::generator(), b: G2Affine::generator(), c: G1Affine::generator() };
    let (proof_path, public_path) = (dir.join("proof.json"), dir.join("public.json"));
    let signals = [Fr::from_u64(33)];
    write_proof_and_public(&proof_path, &proof, &public_path, &signals).expect("written");
    assert_eq!(Proof::read(&proof_path).expect("proof"), proof);
    assert_eq!(read_public_signals(&public_path).expect("public"), signals);
    // public.json cannot be written: proof.json is not left behind (nor changed).
    let (p2, bad) = (dir.join("p2.json"), dir.join("missing-dir").join("public.json"));
    let err = write_proof_and_public(&p2, &proof, &bad, &signals).expect_err("no directory");
    assert!(err.to_string().contains("missing-dir"), "{err}");
    assert!(!p2.exists());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["proof.json", "public.json"], "no temporary file left");
}

/// An output path that is a named pipe is refused (writing it would block until a reader comes;
/// renaming onto it would replace it), and nothing of the pair is written.
#[test]
fn outputs_over_a_named_pipe_are_refused() {
    let dir = scratch("fifo-out");
    let fifo = dir.join("public.json");
    if !mkfifo(&fifo) {
        return;
    }
    let proof =
        Proof { a: G1Affine::generator(), b: G2Affine::generator(), c: G1Affine::generator() };
    let proof_path = dir.join("proof.json");
    let err = write_proof_and_public(&proof_path, &proof, &fifo, &[Fr::ONE]).expect_err("a pipe");
    assert!(matches!(err, CircomError::NotAFile { kind: "a named pipe (FIFO)", .. }), "{err}");
    assert!(!proof_path.exists());
}

/// γ₂ = δ₂ (an uncontributed key: no phase-2 contribution) lets anyone forge proofs: refused
/// when `verification_key.json` or a zkey is read, naming δ₂.
#[test]
fn keys_with_gamma_equal_to_delta_are_refused() {
    let text = std::fs::read_to_string(example_path("verification_key.json")).expect("vk");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["vk_delta_2"] = v["vk_gamma_2"].clone();
    let err = VerificationKey::from_json(&v.to_string(), "vk.json").expect_err("γ = δ");
    assert!(
        matches!(&err, CircomError::JsonValue { file, field, .. } if file == "vk.json" && field == "vk_delta_2"),
        "{err}"
    );
    assert!(err.to_string().contains("vk_gamma_2"), "{err}");
    // Section 2: γ₂ at offset 340, δ₂ at 532 (128 bytes each).
    let mut c = Container::parse(&example("circuit.zkey"));
    let gamma2: Vec<u8> = c.section_mut(section::GROTH16_HEADER)[340..468].to_vec();
    c.section_mut(section::GROTH16_HEADER)[532..660].copy_from_slice(&gamma2);
    let err = Zkey::read_from(Cursor::new(c.to_bytes()), "t.zkey").expect_err("γ = δ");
    assert!(matches!(&err, CircomError::InvalidPoint { section: 2, index: 5, .. }), "{err}");
    assert!(err.to_string().contains("γ₂"), "{err}");
}
