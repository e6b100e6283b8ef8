//! Checks shared by the bundled-example and end-to-end fixture tests.

#![allow(dead_code)]

use std::path::Path;

use zkprove_circom::{
    Matrix, Proof, R1cs, VerificationKey, Witness, Zkey, ZkeyInfo, read_public_signals,
};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;

/// A container split into its sections, to build corrupted variants.
pub struct Container {
    pub magic: [u8; 4],
    pub version: u32,
    pub sections: Vec<(u32, Vec<u8>)>,
}

impl Container {
    /// Splits well-formed container bytes (panics on malformed input: test data only).
    pub fn parse(bytes: &[u8]) -> Self {
        let u32_at = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().expect("4 bytes"));
        let n = u32_at(8) as usize;
        let mut off = 12;
        let mut sections = Vec::new();
        for _ in 0..n {
            let id = u32_at(off);
            let size =
                u64::from_le_bytes(bytes[off + 4..off + 12].try_into().expect("8 bytes")) as usize;
            sections.push((id, bytes[off + 12..off + 12 + size].to_vec()));
            off += 12 + size;
        }
        Self { magic: bytes[..4].try_into().expect("4 bytes"), version: u32_at(4), sections }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.magic.to_vec();
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        for (id, data) in &self.sections {
            out.extend_from_slice(&id.to_le_bytes());
            out.extend_from_slice(&(data.len() as u64).to_le_bytes());
            out.extend_from_slice(data);
        }
        out
    }

    pub fn section_mut(&mut self, id: u32) -> &mut Vec<u8> {
        &mut self.sections.iter_mut().find(|(i, _)| *i == id).expect("section present").1
    }

    /// Byte offset of a section's payload in `to_bytes()`.
    pub fn offset_of(&self, id: u32) -> usize {
        let mut off = 12;
        for (i, data) in &self.sections {
            if *i == id {
                return off + 12;
            }
            off += 12 + data.len();
        }
        panic!("section {id} missing")
    }
}

/// Loads every file of a fixture directory and checks them against each other:
/// the witness fits the zkey and satisfies the r1cs, the zkey's A/B coefficients are the r1cs's
/// (evaluated on the witness, row by row, public-input rows included), the zkey's verification
/// key is snarkjs's exported one, the public signals are the witness's, and the JSON files
/// re-serialize byte for byte as snarkjs wrote them.
pub fn check_fixture_dir(dir: &Path) {
    let zkey = Zkey::open(dir.join("circuit.zkey")).expect("zkey loads");
    let info = ZkeyInfo::open(dir.join("circuit.zkey")).expect("zkey info");
    assert_eq!(info.header, zkey.header);
    assert_eq!(info.n_coeffs as usize, zkey.coeffs.len());
    let (vk_header, vk_ic) =
        Zkey::open_verification_data(dir.join("circuit.zkey")).expect("verification data");
    assert_eq!((&vk_header, &vk_ic), (&zkey.header, &zkey.ic));
    let witness = Witness::open(dir.join("witness.wtns")).expect("witness loads");
    witness.check_against(&zkey.header).expect("witness fits the zkey");
    let r1cs = R1cs::open(dir.join("circuit.r1cs")).expect("r1cs loads");
    r1cs.check_witness(&witness.values).expect("witness satisfies the r1cs");

    let h = &zkey.header;
    assert_eq!(r1cs.header.n_wires, h.n_vars);
    assert_eq!(r1cs.header.n_public(), h.n_public);
    assert_eq!(r1cs.header.groth16_domain_size(), Some(h.domain_size));
    assert_eq!(zkey.n_constraints(), r1cs.constraints.len());
    assert_eq!(zkey.c.len(), h.n_private());
    zkey.check_b2_subgroup("circuit.zkey").expect("B2 in the subgroup");

    // A·w and B·w from the zkey's records, against the r1cs.
    let n = h.domain_size as usize;
    let (mut a, mut b) = (vec![Fr::ZERO; n], vec![Fr::ZERO; n]);
    for c in zkey.coeffs.iter() {
        let row = match c.matrix {
            Matrix::A => &mut a,
            Matrix::B => &mut b,
        };
        row[c.constraint as usize] += c.value * witness.values[c.signal as usize];
    }
    let w = &witness.values;
    let eval = |lc: &[(u32, Fr)]| lc.iter().fold(Fr::ZERO, |acc, &(i, v)| acc + v * w[i as usize]);
    let m = r1cs.constraints.len();
    for (i, con) in r1cs.constraints.iter().enumerate() {
        assert_eq!(a[i], eval(&con.a), "A row {i}");
        assert_eq!(b[i], eval(&con.b), "B row {i}");
        assert_eq!(a[i] * b[i], eval(&con.c), "C row {i}");
    }
    for s in 0..=h.n_public as usize {
        assert_eq!(a[m + s], w[s], "public row {s}");
        assert_eq!(b[m + s], Fr::ZERO, "public row {s}");
    }
    assert!(a[m + h.n_public as usize + 1..].iter().all(Field::is_zero));

    // Verification key: ours from the zkey equals snarkjs's export.
    let vk_text = std::fs::read_to_string(dir.join("verification_key.json")).expect("vk file");
    let vk = VerificationKey::from_json(&vk_text, "verification_key.json").expect("vk parses");
    let mut ours = VerificationKey::from_zkey(&zkey);
    ours.alphabeta_12 = vk.alphabeta_12.clone();
    assert_eq!(ours, vk);
    assert_eq!(ours.to_json(), vk_text, "vk re-serializes as snarkjs wrote it");

    // Public signals and proof.
    let public = read_public_signals(dir.join("snarkjs_public.json")).expect("public parses");
    assert_eq!(Some(public.as_slice()), witness.public_signals(h.n_public as usize));
    let public_text =
        std::fs::read_to_string(dir.join("snarkjs_public.json")).expect("public file");
    assert_eq!(zkprove_circom::public_signals_to_json(&public), public_text);
    let proof_text = std::fs::read_to_string(dir.join("snarkjs_proof.json")).expect("proof file");
    let proof = Proof::from_json(&proof_text, "snarkjs_proof.json").expect("proof parses");
    assert_eq!(proof.to_json(), proof_text, "proof re-serializes as snarkjs wrote it");
    assert!(!proof.a.is_identity() && !proof.b.is_identity() && !proof.c.is_identity());
}
