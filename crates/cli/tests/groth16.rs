//! `zkprove groth16` and `zkprove zkey` end to end on the bundled example and on a synthetic key
//! written by `zkey synthetic`: proofs verify (with zkprove, and with snarkjs when
//! `e2e/node_modules` is installed), and every kind of bad input gets its documented exit status
//! and a message naming the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn zkprove(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(args)
        .output()
        .expect("the zkprove binary runs")
}

fn example(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier").join(file)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkprove-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn p(s: &str) -> &Path {
    Path::new(s)
}

#[test]
fn prove_then_verify_and_snarkjs_agrees() {
    let dir = scratch("prove");
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    let out = zkprove(&[
        p("groth16"),
        p("prove"),
        &example("circuit.zkey"),
        &example("witness.wtns"),
        &proof,
        &public,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let vk = example("verification_key.json");
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("OK"));
    // snarkjs's own proof verifies with zkprove too.
    let out = zkprove(&[
        p("groth16"),
        p("verify"),
        &vk,
        &example("snarkjs_public.json"),
        &example("snarkjs_proof.json"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The JSON has snarkjs's shape.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    assert_eq!(json["protocol"], "groth16");
    assert_eq!(json["curve"], "bn128");
    assert_eq!(json["pi_a"][2], "1");
    assert_eq!(json["pi_b"][2][0], "1");
    // A tampered public signal: exit status 1.
    let public_text = std::fs::read_to_string(&public).unwrap();
    let mut signals: Vec<String> = serde_json::from_str(&public_text).unwrap();
    signals[0] = "12345".into();
    let bad_public = dir.join("bad_public.json");
    std::fs::write(&bad_public, serde_json::to_string(&signals).unwrap()).unwrap();
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &bad_public, &proof]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let snarkjs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e/node_modules/.bin/snarkjs");
    if snarkjs.is_file() {
        let out = Command::new(&snarkjs)
            .args(["groth16", "verify"])
            .args([&vk, &public, &proof])
            .output()
            .expect("snarkjs runs");
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("OK"));
    }
}

#[test]
fn bad_inputs_have_clear_errors_and_exit_status_3() {
    let dir = scratch("bad");
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    // Missing file.
    let missing = dir.join("missing.zkey");
    let out =
        zkprove(&[p("groth16"), p("prove"), &missing, &example("witness.wtns"), &proof, &public]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("missing.zkey"), "{}", stderr(&out));
    // A witness given as the key.
    let out = zkprove(&[
        p("groth16"),
        p("prove"),
        &example("witness.wtns"),
        &example("witness.wtns"),
        &proof,
        &public,
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("zkey"), "{}", stderr(&out));
    // A truncated witness.
    let wtns = std::fs::read(example("witness.wtns")).unwrap();
    let short = dir.join("short.wtns");
    std::fs::write(&short, &wtns[..wtns.len() / 2]).unwrap();
    let out =
        zkprove(&[p("groth16"), p("prove"), &example("circuit.zkey"), &short, &proof, &public]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("short.wtns"), "{}", stderr(&out));
    assert!(!proof.exists(), "no proof is written on error");
    // A malformed proof.json.
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "{\"pi_a\": 3}").unwrap();
    let out = zkprove(&[
        p("groth16"),
        p("verify"),
        &example("verification_key.json"),
        &example("snarkjs_public.json"),
        &junk,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn zkey_info_and_export_vkey() {
    let out = zkprove(&[p("zkey"), p("info"), &example("circuit.zkey"), p("--json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["n_public"], 2);
    assert_eq!(info["protocol"], "groth16");
    let dir = scratch("vkey");
    let vk = dir.join("vk.json");
    let out = zkprove(&[p("zkey"), p("export-vkey"), &example("circuit.zkey"), &vk]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ours: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&vk).unwrap()).unwrap();
    let theirs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("verification_key.json")).unwrap())
            .unwrap();
    assert_eq!(ours, theirs, "export-vkey equals snarkjs zkey export verificationkey");
}

/// Runs the pinned snarkjs (`e2e/node_modules`, when installed) and returns its stdout; panics
/// with its output when it fails.
fn snarkjs(args: &[&Path]) -> Option<String> {
    let snarkjs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e/node_modules/.bin/snarkjs");
    if !snarkjs.is_file() {
        eprintln!("e2e/node_modules not installed: snarkjs checks skipped");
        return None;
    }
    let out = Command::new(&snarkjs).args(args).output().expect("snarkjs runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "snarkjs {args:?}: {stdout}{}", stderr(&out));
    Some(stdout)
}

/// `zkey synthetic` writes a key and witness that `groth16 prove` / `zkey export-vkey` /
/// `groth16 verify` accept; with snarkjs installed, snarkjs exports the same verification key,
/// proves with the files and verifies both its proof and zkprove's.
#[test]
fn zkey_synthetic_files_prove_and_verify() {
    let dir = scratch("synthetic");
    let (zkey, wtns) = (dir.join("circuit.zkey"), dir.join("witness.wtns"));
    let out = zkprove(&[p("zkey"), p("synthetic"), p("6"), &zkey, &wtns]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("INSECURE"));

    let out = zkprove(&[p("zkey"), p("info"), &zkey, p("--json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["domain_size"], 64);
    assert_eq!(info["n_public"], 1);

    let (proof, public, vk) =
        (dir.join("proof.json"), dir.join("public.json"), dir.join("vk.json"));
    let out = zkprove(&[p("groth16"), p("prove"), &zkey, &wtns, &proof, &public]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = zkprove(&[p("zkey"), p("export-vkey"), &zkey, &vk]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Too small a chain: a usage problem with the input, exit status 3, no file left half-written.
    let out =
        zkprove(&[p("zkey"), p("synthetic"), p("1"), &dir.join("x.zkey"), &dir.join("x.wtns")]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!dir.join("x.zkey").exists());
    let help = zkprove(&[p("zkey"), p("synthetic"), p("--help")]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("INSECURE"));

    let snark_vk = dir.join("snarkjs_vk.json");
    let Some(_) = snarkjs(&[p("zkey"), p("export"), p("verificationkey"), &zkey, &snark_vk]) else {
        return;
    };
    let read = |f: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()
    };
    assert_eq!(read(&vk), read(&snark_vk), "export-vkey equals snarkjs's export");
    let ok = snarkjs(&[p("groth16"), p("verify"), &snark_vk, &public, &proof]).unwrap();
    assert!(ok.contains("OK"), "snarkjs on zkprove's proof: {ok}");
    let (sproof, spublic) = (dir.join("snarkjs_proof.json"), dir.join("snarkjs_public.json"));
    snarkjs(&[p("groth16"), p("prove"), &zkey, &wtns, &sproof, &spublic]).unwrap();
    let ok = snarkjs(&[p("groth16"), p("verify"), &snark_vk, &spublic, &sproof]).unwrap();
    assert!(ok.contains("OK"), "snarkjs on its own proof: {ok}");
    assert_eq!(read(&spublic), read(&public));
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &spublic, &sproof]);
    assert_eq!(out.status.code(), Some(0), "zkprove on snarkjs's proof: {}", stderr(&out));
}

#[test]
fn bench_groth16_prints_one_json_line() {
    let out = zkprove(&[
        p("bench"),
        p("groth16"),
        &example("circuit.zkey"),
        &example("witness.wtns"),
        p("--reps"),
        p("1"),
        p("--json"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["kernel"], "groth16");
    assert!(line["median_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(line["log_n"], 11);
}

/// `groth16 prove-many`: every readable witness gets a verifying proof under its own name, a
/// truncated one is reported (exit status 3, naming the file) without stopping the others, and two
/// witnesses of one name are refused before anything is proved.
#[test]
fn prove_many_proves_each_witness_and_reports_the_bad_one() {
    let dir = scratch("prove-many");
    let witness = std::fs::read(example("witness.wtns")).expect("example witness");
    let (a, b, cut) = (dir.join("a.wtns"), dir.join("b.wtns"), dir.join("cut.wtns"));
    std::fs::write(&a, &witness).expect("write");
    std::fs::write(&b, &witness).expect("write");
    std::fs::write(&cut, &witness[..100]).expect("write");
    let out_dir = dir.join("out");
    let zkey = example("circuit.zkey");
    let run = |ws: &[&Path]| {
        let mut args = vec![p("groth16"), p("prove-many"), &zkey, &out_dir];
        args.extend_from_slice(ws);
        zkprove(&args)
    };
    let out = run(&[&a, &cut, &b]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("cut.wtns"), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 of 3 witnesses not proved"), "{}", stderr(&out));
    let vk = example("verification_key.json");
    for name in ["a", "b"] {
        let (proof, public) = (
            out_dir.join(format!("{name}.proof.json")),
            out_dir.join(format!("{name}.public.json")),
        );
        let v = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
        assert_eq!(v.status.code(), Some(0), "{name}: {}", stderr(&v));
    }
    assert!(!out_dir.join("cut.proof.json").exists());

    let other = scratch("prove-many-other").join("a.wtns");
    std::fs::write(&other, &witness).expect("write");
    let out = run(&[&a, &other]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("two witnesses named \"a\""), "{}", stderr(&out));
}

// ---- bad input found by trying the binary as a user would (issue 19) --------------------------

/// Runs zkprove and waits at most `secs` seconds: a command that blocks (opening a named pipe)
/// fails the test instead of hanging it.
fn zkprove_within(args: &[&Path], secs: u64) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the zkprove binary runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("zkprove {args:?} still running after {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// The sections of a binfile container, to make corrupted copies (test data only: panics on a
/// malformed file).
struct Sections {
    head: Vec<u8>,
    sections: Vec<(u32, Vec<u8>)>,
}

impl Sections {
    fn parse(bytes: &[u8]) -> Self {
        let u32_at = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().expect("4 bytes"));
        let mut off = 12;
        let mut sections = Vec::new();
        for _ in 0..u32_at(8) {
            let size = u64::from_le_bytes(bytes[off + 4..off + 12].try_into().expect("8")) as usize;
            sections.push((u32_at(off), bytes[off + 12..off + 12 + size].to_vec()));
            off += 12 + size;
        }
        Self { head: bytes[..12].to_vec(), sections }
    }

    fn section(&mut self, id: u32) -> &mut Vec<u8> {
        &mut self.sections.iter_mut().find(|(i, _)| *i == id).expect("section").1
    }

    fn write(&self, path: &Path) {
        let mut out = self.head.clone();
        for (id, data) in &self.sections {
            out.extend_from_slice(&id.to_le_bytes());
            out.extend_from_slice(&(data.len() as u64).to_le_bytes());
            out.extend_from_slice(data);
        }
        std::fs::write(path, out).expect("write");
    }
}

/// A copy of the example key with `edit` applied to its sections.
fn corrupt_zkey(dir: &Path, name: &str, edit: impl FnOnce(&mut Sections)) -> PathBuf {
    let mut s = Sections::parse(&std::fs::read(example("circuit.zkey")).expect("zkey"));
    edit(&mut s);
    let path = dir.join(name);
    s.write(&path);
    path
}

/// A copy of the example witness with value `index` replaced by the small integer `value`.
fn witness_with(dir: &Path, name: &str, index: usize, value: u8) -> PathBuf {
    let mut s = Sections::parse(&std::fs::read(example("witness.wtns")).expect("wtns"));
    let v = &mut s.section(2)[32 * index..32 * (index + 1)];
    v.fill(0);
    v[0] = value;
    let path = dir.join(name);
    s.write(&path);
    path
}

/// A point on G2's curve outside its prime-order subgroup, in the zkey encoding.
fn g2_off_subgroup_bytes() -> [u8; 128] {
    use zkprove_curve::SwCurve;
    use zkprove_curve::bn254::{Fq2, G2Affine, G2Config};
    use zkprove_field::Field;
    use zkprove_field::bn254::Fq;
    // √a in F_q (q ≡ 3 mod 4) and in F_q² (norm method).
    let fq_sqrt = |a: Fq| -> Option<Fq> {
        let mut e = Fq::MODULUS_LIMBS;
        e[0] += 1;
        for i in 0..4 {
            e[i] = (e[i] >> 2) | if i < 3 { e[i + 1] << 62 } else { 0 };
        }
        let r = a.pow_limbs(&e);
        (r.square() == a).then_some(r)
    };
    let fq2_sqrt = |a: Fq2| -> Option<Fq2> {
        let [a0, a1] = *a.coeffs();
        let alpha = fq_sqrt(a0.square() + a1.square())?;
        let half = Fq::from_u64(2).inverse()?;
        [(a0 + alpha) * half, (a0 - alpha) * half].into_iter().find_map(|d| {
            let x0 = fq_sqrt(d).filter(|x| !x.is_zero())?;
            let r = Fq2::new([x0, a1 * x0.double().inverse()?]);
            (r.square() == a).then_some(r)
        })
    };
    let p = (1..200u64)
        .find_map(|k| {
            let x = Fq2::new([Fq::from_u64(k), Fq::ONE]);
            let p = G2Affine::new(x, fq2_sqrt(x.square() * x + <G2Config as SwCurve>::B)?)?;
            (!p.is_in_subgroup()).then_some(p)
        })
        .expect("a point outside the subgroup");
    zkprove_circom::encoding::g2_to_mont_bytes(&p)
}

/// `--no-verify` writes an unverified proof only with a warning, and still refuses a key whose
/// B2 points are outside G2's subgroup.
#[test]
fn no_verify_is_loud_and_still_checks_the_key() {
    let dir = scratch("no-verify");
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    let zkey = example("circuit.zkey");
    let bad_wtns = witness_with(&dir, "unsatisfied.wtns", 100, 7);
    let nv = p("--no-verify");
    let out = zkprove(&[p("groth16"), p("prove"), &zkey, &bad_wtns, &proof, &public, nv]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: --no-verify: the proof is NOT verified"),
        "{}",
        stderr(&out)
    );
    let vk = example("verification_key.json");
    let v = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
    assert_eq!(v.status.code(), Some(1), "the unverified proof is indeed invalid");
    // A good witness: a valid proof, the warning all the same.
    let out =
        zkprove(&[p("groth16"), p("prove"), &zkey, &example("witness.wtns"), &proof, &public, nv]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("NOT verified"), "{}", stderr(&out));
    let v = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));

    let off = g2_off_subgroup_bytes();
    let bad_key =
        corrupt_zkey(&dir, "b2.zkey", |s| s.section(7)[128 * 9..128 * 10].copy_from_slice(&off));
    std::fs::remove_file(&proof).expect("rm");
    std::fs::remove_file(&public).expect("rm");
    let out = zkprove(&[
        p("groth16"),
        p("prove"),
        &bad_key,
        &example("witness.wtns"),
        &proof,
        &public,
        nv,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("b2.zkey: section 7 (B2), point 9: not in the prime-order subgroup"),
        "{err}"
    );
    assert!(!proof.exists() && !public.exists(), "nothing written");
}

/// A proof that fails verification: a key fault its points show is blamed on the key (file,
/// section, point; exit status 3); otherwise the message names both files (exit status 1).
#[test]
fn a_failed_proof_names_the_key_and_the_witness() {
    let dir = scratch("corrupt-key");
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    let wtns = example("witness.wtns");
    let prove = |zkey: &Path, wtns: &Path| {
        zkprove(&[p("groth16"), p("prove"), zkey, wtns, &proof, &public])
    };
    // A B2 point outside the subgroup.
    let off = g2_off_subgroup_bytes();
    let key =
        corrupt_zkey(&dir, "b2.zkey", |s| s.section(7)[128 * 3..128 * 4].copy_from_slice(&off));
    let out = prove(&key, &wtns);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("is corrupt"), "{err}");
    assert!(
        err.contains("b2.zkey: section 7 (B2), point 3: not in the prime-order subgroup"),
        "{err}"
    );
    // A B1 point replaced by another (the G1 generator): B1 and B2 no longer agree at that point.
    let g1 =
        zkprove_circom::encoding::g1_to_mont_bytes(&zkprove_curve::bn254::G1Affine::generator());
    let key = corrupt_zkey(&dir, "b1.zkey", |s| s.section(6)[64 * 2..64 * 3].copy_from_slice(&g1));
    let out = prove(&key, &wtns);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("b1.zkey: sections 6 (B1) and 7 (B2), point 2"), "{err}");
    // A changed coefficient, and an unsatisfied witness: either file may be at fault.
    let key = corrupt_zkey(&dir, "coeff.zkey", |s| {
        let rec = &mut s.section(4)[4 + 44 * 10 + 12..4 + 44 * 11];
        rec.fill(0);
        rec[0] = 5;
    });
    let bad_wtns = witness_with(&dir, "unsatisfied.wtns", 100, 7);
    for (key, w) in [(&key, &wtns), (&example("circuit.zkey"), &bad_wtns)] {
        let out = prove(key, w);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("the witness does not satisfy the circuit, or the key is corrupt"),
            "{err}"
        );
        assert!(err.contains(&key.display().to_string()), "{err}");
        assert!(err.contains(&w.display().to_string()), "{err}");
    }
    assert!(!proof.exists() && !public.exists(), "nothing written");
}

/// Witness errors (length, `witness[0]`) name the witness file; in `prove-many` the rejected one.
#[test]
fn witness_errors_name_the_witness() {
    let dir = scratch("witness-errors");
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    let zkey = example("circuit.zkey");
    let zero = witness_with(&dir, "zero.wtns", 0, 2);
    let out = zkprove(&[p("groth16"), p("prove"), &zkey, &zero, &proof, &public]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("zero.wtns: invalid witness: witness[0] must be 1"),
        "{}",
        stderr(&out)
    );
    // One value fewer than the key's nVars.
    let mut s = Sections::parse(&std::fs::read(example("witness.wtns")).expect("wtns"));
    let n = u32::from_le_bytes(s.section(1)[36..40].try_into().expect("4")) - 1;
    s.section(1)[36..40].copy_from_slice(&n.to_le_bytes());
    s.section(2).truncate(32 * n as usize);
    let short = dir.join("short.wtns");
    s.write(&short);
    let out = zkprove(&[p("groth16"), p("prove"), &zkey, &short, &proof, &public]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("short.wtns: invalid witness length"), "{}", stderr(&out));
    // prove-many: the good witness is proved, the bad ones are named.
    let good = dir.join("good.wtns");
    std::fs::copy(example("witness.wtns"), &good).expect("copy");
    let out_dir = dir.join("out");
    let out = zkprove(&[p("groth16"), p("prove-many"), &zkey, &out_dir, &zero, &good, &short]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("zero.wtns: invalid witness: witness[0] must be 1"), "{err}");
    assert!(err.contains("short.wtns: invalid witness length"), "{err}");
    assert!(err.contains("2 of 3 witnesses not proved"), "{err}");
    assert!(out_dir.join("good.proof.json").exists() && out_dir.join("good.public.json").exists());
    // An unsatisfied witness in prove-many names the witness and the key.
    let bad = witness_with(&dir, "unsatisfied.wtns", 100, 7);
    let out = zkprove(&[p("groth16"), p("prove-many"), &zkey, &out_dir, &bad]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("unsatisfied.wtns: no proof: the witness does not satisfy the circuit, or the key is corrupt"), "{err}");
    assert!(err.contains("circuit.zkey"), "{err}");
}

/// `groth16 verify`: a key with γ (or α, β, δ) at infinity would accept a forged proof for any
/// public signals; it is refused (exit status 3, naming the file). A wrong number of public
/// signals names both files.
#[test]
fn verify_refuses_degenerate_keys_and_names_files() {
    let dir = scratch("verify-bad");
    let vk_text = std::fs::read_to_string(example("verification_key.json")).expect("vk");
    let (public, proof) = (example("snarkjs_public.json"), example("snarkjs_proof.json"));
    for field in ["vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2"] {
        let mut v: serde_json::Value = serde_json::from_str(&vk_text).expect("json");
        v[field] = if field == "vk_alpha_1" {
            serde_json::json!(["0", "1", "0"])
        } else {
            serde_json::json!([["0", "0"], ["1", "0"], ["0", "0"]])
        };
        let vk = dir.join(format!("{field}.json"));
        std::fs::write(&vk, v.to_string()).expect("write");
        let out = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
        assert_eq!(out.status.code(), Some(3), "{field}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("{field}.json: {field}: the point at infinity")), "{err}");
    }
    let mut signals: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&public).expect("public")).expect("json");
    signals.push("1".into());
    let more = dir.join("more_public.json");
    std::fs::write(&more, serde_json::to_string(&signals).expect("json")).expect("write");
    let vk = example("verification_key.json");
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &more, &proof]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("more_public.json does not match") && err.contains("verification_key.json"),
        "{err}"
    );
    assert!(err.contains("wrong number of public signals"), "{err}");
}

/// A named pipe, a directory or a device given as any input is refused at once (exit status 3,
/// naming it) instead of blocking in `open`; a JSON input over the cap is refused too.
#[test]
fn non_regular_and_oversized_inputs_are_refused() {
    let dir = scratch("fifo-cli");
    let fifo = dir.join("pipe");
    let have_fifo =
        Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    let (zkey, wtns) = (example("circuit.zkey"), example("witness.wtns"));
    let (vk, spublic, sproof) = (
        example("verification_key.json"),
        example("snarkjs_public.json"),
        example("snarkjs_proof.json"),
    );
    let mut bad: Vec<(PathBuf, &str)> = vec![(dir.clone(), "a directory")];
    if have_fifo {
        bad.push((fifo.clone(), "a named pipe"));
    }
    if Path::new("/dev/zero").exists() {
        bad.push((PathBuf::from("/dev/zero"), "a character device"));
    }
    for (input, kind) in &bad {
        let runs: [Vec<&Path>; 6] = [
            vec![p("groth16"), p("prove"), input, &wtns, &proof, &public],
            vec![p("groth16"), p("prove"), &zkey, input, &proof, &public],
            vec![p("groth16"), p("verify"), input, &spublic, &sproof],
            vec![p("groth16"), p("verify"), &vk, input, &sproof],
            vec![p("groth16"), p("verify"), &vk, &spublic, input],
            vec![p("zkey"), p("info"), input],
        ];
        for args in runs {
            let out = zkprove_within(&args, 60);
            assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(err.contains(&format!("{}: {kind}", input.display())), "{args:?}: {err}");
        }
    }
    let big = dir.join("big_proof.json");
    std::fs::File::create(&big).expect("create").set_len(64 << 20 | 1).expect("sparse");
    let out = zkprove_within(&[p("groth16"), p("verify"), &vk, &spublic, &big], 60);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("big_proof.json") && stderr(&out).contains("limit"),
        "{}",
        stderr(&out)
    );
}

/// `prove-many` with a witness path that has no usable file name exits 3 naming it.
#[test]
fn prove_many_refuses_unnameable_witness_paths() {
    let dir = scratch("prove-many-names");
    let out_dir = dir.join("out");
    let zkey = example("circuit.zkey");
    let out = zkprove(&[p("groth16"), p("prove-many"), &zkey, &out_dir, p("/")]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("/: not usable as a witness"), "{}", stderr(&out));
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"w\xff.wtns");
        let path = dir.join(name);
        if std::fs::copy(example("witness.wtns"), &path).is_ok() {
            let out = zkprove(&[p("groth16"), p("prove-many"), &zkey, &out_dir, &path]);
            assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
            assert!(stderr(&out).contains("not usable as a witness"), "{}", stderr(&out));
        }
    }
}

/// When `public.json` cannot be written, `proof.json` is not left behind.
#[test]
fn proof_and_public_are_written_both_or_neither() {
    let dir = scratch("both-or-neither");
    let proof = dir.join("proof.json");
    let public = dir.join("missing-dir").join("public.json");
    let out = zkprove(&[
        p("groth16"),
        p("prove"),
        &example("circuit.zkey"),
        &example("witness.wtns"),
        &proof,
        &public,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("missing-dir"), "{}", stderr(&out));
    assert!(!proof.exists(), "proof.json left behind");
    let left: Vec<_> = std::fs::read_dir(&dir).expect("dir").collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

/// γ₂ = δ₂ (a key with no phase-2 contribution) lets anyone move a proof to any public signals
/// (`C' = C + vk_x − vk_x'`) or forge one outright: `groth16 verify` refuses such a
/// `verification_key.json` and `groth16 prove` such a zkey, with exit status 3 naming the file.
#[test]
fn uncontributed_keys_are_refused() {
    let dir = scratch("gamma-delta");
    let vk_text = std::fs::read_to_string(example("verification_key.json")).expect("vk");
    let mut v: serde_json::Value = serde_json::from_str(&vk_text).expect("json");
    v["vk_delta_2"] = v["vk_gamma_2"].clone();
    let vk = dir.join("uncontributed.json");
    std::fs::write(&vk, v.to_string()).expect("write");
    let (public, proof) = (example("snarkjs_public.json"), example("snarkjs_proof.json"));
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("uncontributed.json") && err.contains("vk_delta_2"), "{err}");

    // Section 2 (the Groth16 header): γ₂ at bytes 340..468, δ₂ at 532..660.
    let zkey = corrupt_zkey(&dir, "uncontributed.zkey", |s| {
        let gamma2 = s.section(2)[340..468].to_vec();
        s.section(2)[532..660].copy_from_slice(&gamma2);
    });
    let (proof_out, public_out) = (dir.join("proof.json"), dir.join("public.json"));
    let out = zkprove(&[
        p("groth16"),
        p("prove"),
        &zkey,
        &example("witness.wtns"),
        &proof_out,
        &public_out,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("uncontributed.zkey") && err.contains("δ₂"), "{err}");
    assert!(!proof_out.exists(), "no proof written");
}

/// Makes an INSECURE key for `r1cs` with `zkey setup-insecure`, proves `wtns` with it, and checks
/// the proof with zkprove's verifier and (when installed) snarkjs's, and snarkjs's export of the
/// verification key against `zkey export-vkey`'s. Returns the key's path.
fn setup_insecure_proves_and_verifies(dir: &Path, r1cs: &Path, wtns: &Path) -> PathBuf {
    let zkey = dir.join("insecure.zkey");
    let out = zkprove(&[p("zkey"), p("setup-insecure"), r1cs, &zkey, p("--seed"), p("7")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("INSECURE"), "{}", stderr(&out));
    let (proof, public, vk) =
        (dir.join("proof.json"), dir.join("public.json"), dir.join("vk.json"));
    let out = zkprove(&[p("groth16"), p("prove"), &zkey, wtns, &proof, &public]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = zkprove(&[p("zkey"), p("export-vkey"), &zkey, &vk]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The public signals are the witness's, so a wrong one is rejected (exit status 1).
    let mut signals: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&public).unwrap()).unwrap();
    signals[0] = if signals[0] == "1" { "2" } else { "1" }.into();
    let bad_public = dir.join("bad_public.json");
    std::fs::write(&bad_public, serde_json::to_string(&signals).unwrap()).unwrap();
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &bad_public, &proof]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let snark_vk = dir.join("snarkjs_vk.json");
    if snarkjs(&[p("zkey"), p("export"), p("verificationkey"), &zkey, &snark_vk]).is_some() {
        let read = |f: &Path| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()
        };
        assert_eq!(read(&vk), read(&snark_vk), "export-vkey equals snarkjs's export");
        let ok = snarkjs(&[p("groth16"), p("verify"), &vk, &public, &proof]).unwrap();
        assert!(ok.contains("OK"), "snarkjs on zkprove's proof: {ok}");
    }
    zkey
}

/// `zkey setup-insecure` makes a key for a circom `.r1cs` (the bundled example, and the
/// e2e fixtures' Poseidon and multi-output circuits when `ZKPROVE_E2E_FIXTURES` is set) that
/// proves and verifies with zkprove and snarkjs; the same seed gives the same file, another seed
/// another key; bad inputs are refused with exit status 3 naming the file.
#[test]
fn zkey_setup_insecure_keys_prove_and_verify() {
    let dir = scratch("setup-insecure");
    let zkey = setup_insecure_proves_and_verifies(
        &dir,
        &example("circuit.r1cs"),
        &example("witness.wtns"),
    );
    let out = zkprove(&[p("zkey"), p("info"), &zkey, p("--json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ceremony = zkprove(&[p("zkey"), p("info"), &example("circuit.zkey"), p("--json")]);
    let ceremony: serde_json::Value = serde_json::from_slice(&ceremony.stdout).unwrap();
    for field in ["n_vars", "n_public", "domain_size", "n_coeffs"] {
        assert_eq!(info[field], ceremony[field], "{field} as snarkjs's key for the same r1cs");
    }

    // Deterministic in the seed.
    let again = dir.join("again.zkey");
    let out = zkprove(&[p("zkey"), p("setup-insecure"), &example("circuit.r1cs"), &again]);
    assert!(out.status.success(), "{}", stderr(&out));
    let other = std::fs::read(&again).unwrap();
    assert_ne!(std::fs::read(&zkey).unwrap(), other, "seed 1 differs from seed 7");
    let out = zkprove(&[
        p("zkey"),
        p("setup-insecure"),
        &example("circuit.r1cs"),
        &again,
        p("--seed"),
        p("1"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&again).unwrap(), other, "the default seed is 1");

    // Bad inputs: exit status 3, the file named, no key written.
    let bad_key = dir.join("bad.zkey");
    for (input, name) in
        [(dir.join("missing.r1cs"), "missing.r1cs"), (example("witness.wtns"), "witness.wtns")]
    {
        let out = zkprove(&[p("zkey"), p("setup-insecure"), &input, &bad_key]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(stderr(&out).contains(name), "{}", stderr(&out));
        assert!(!bad_key.exists());
    }
    let help = zkprove(&[p("zkey"), p("setup-insecure"), p("--help")]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("NOT SECURE"));

    let Some(root) = std::env::var_os("ZKPROVE_E2E_FIXTURES") else {
        eprintln!("ZKPROVE_E2E_FIXTURES not set: only the bundled example is checked");
        return;
    };
    for circuit in ["poseidon", "multi_io"] {
        let fixture = Path::new(&root).join(circuit);
        let sub = dir.join(circuit);
        std::fs::create_dir_all(&sub).unwrap();
        setup_insecure_proves_and_verifies(
            &sub,
            &fixture.join("circuit.r1cs"),
            &fixture.join("witness.wtns"),
        );
    }
}
