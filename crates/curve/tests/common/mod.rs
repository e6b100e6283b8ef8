//! Conversions from zkprove's BN254 types to arkworks', shared by the differential tests.

#![allow(dead_code)]

use ark_ff::{BigInt, PrimeField as ArkPrimeField};
use zkprove_curve::bn254::{Fq2, G1Affine, G2Affine};
use zkprove_field::bn254::{Fq, Fr};

pub fn ark_fq(x: Fq) -> ark_bn254::Fq {
    ark_bn254::Fq::from_bigint(BigInt(x.to_canonical_limbs())).expect("canonical")
}

pub fn ark_fq2(x: Fq2) -> ark_bn254::Fq2 {
    let [c0, c1] = *x.coeffs();
    ark_bn254::Fq2::new(ark_fq(c0), ark_fq(c1))
}

pub fn ark_fr(x: Fr) -> ark_bn254::Fr {
    ark_bn254::Fr::from_bigint(BigInt(x.to_canonical_limbs())).expect("canonical")
}

pub fn ark_g1(p: G1Affine) -> ark_bn254::G1Affine {
    if p.is_identity() {
        ark_bn254::G1Affine::identity()
    } else {
        ark_bn254::G1Affine::new(ark_fq(p.x), ark_fq(p.y))
    }
}

pub fn ark_g2(p: G2Affine) -> ark_bn254::G2Affine {
    if p.is_identity() {
        ark_bn254::G2Affine::identity()
    } else {
        ark_bn254::G2Affine::new(ark_fq2(p.x), ark_fq2(p.y))
    }
}
