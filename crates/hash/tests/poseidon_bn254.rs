//! circomlib-compatible Poseidon over BN254: known answers from circomlibjs 0.1.7 (see
//! `scripts/circomlib_poseidon_kat.mjs`) for every supported input count, and samples of its
//! constant tables against ours (regenerated from the Grain LFSR).

use zkprove_field::PrimeField;
use zkprove_field::bn254::Fr;
use zkprove_hash::{HashError, PoseidonBn254};

mod kat {
    include!("data/circomlib_poseidon_kat.rs");
}

fn fr(s: &str) -> Fr {
    Fr::from_decimal_str(s).expect("canonical decimal")
}

#[test]
fn circomlibjs_poseidon_1_2() {
    let h = PoseidonBn254::new(2).expect("n = 2");
    assert_eq!(
        h.hash(&[Fr::from_u64_const(1), Fr::from_u64_const(2)]).expect("hash").to_decimal_string(),
        "7853200120776062878684798364095072458815029376092732009249414926327459813530"
    );
}

#[test]
fn circomlibjs_known_answers_for_every_width() {
    assert_eq!(kat::HASHES.len(), 32);
    for &(n, inputs, expect) in kat::HASHES {
        let h = PoseidonBn254::new(n).expect("supported n");
        let inputs: Vec<Fr> = inputs.iter().map(|s| fr(s)).collect();
        assert_eq!(h.hash(&inputs).expect("hash").to_decimal_string(), expect, "n = {n}");
    }
}

#[test]
fn constants_match_circomlibjs_tables() {
    for &(t, c_first, c_last, m_first, m_last) in kat::CONSTANTS {
        let h = PoseidonBn254::new(t - 1).expect("supported t");
        let c = h.round_constants();
        assert_eq!(c[0], fr(c_first), "t = {t}");
        assert_eq!(c[c.len() - 1], fr(c_last), "t = {t}");
        assert_eq!(h.mds()[0], fr(m_first), "t = {t}");
        assert_eq!(h.mds()[t * t - 1], fr(m_last), "t = {t}");
    }
}

#[test]
fn wrong_sizes_are_typed_errors() {
    assert_eq!(PoseidonBn254::new(0).err(), Some(HashError::UnsupportedWidth { width: 1 }));
    assert_eq!(PoseidonBn254::new(17).err(), Some(HashError::UnsupportedWidth { width: 18 }));
    let h = PoseidonBn254::new(2).expect("n = 2");
    assert_eq!(
        h.hash(&[Fr::from_u64_const(1)]).err(),
        Some(HashError::WrongLength { expected: 2, got: 1 })
    );
    let mut state = [Fr::from_u64_const(0); 4];
    assert_eq!(
        h.permute_mut(&mut state).err(),
        Some(HashError::WrongLength { expected: 3, got: 4 })
    );
}
