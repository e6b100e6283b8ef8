//! The hash-oriented packed operations (`add_exp_small`, `sub_exp_small` and their batch forms,
//! `mul_inv_2exp`, `mul_inv_2exp_add`, `mul_2exp`) of every small field's compile-time packing
//! against their scalar definitions, lane by lane, on random and edge inputs (the checker is in
//! `hash_ops_check.rs`; `cpu_levels` runs it on the run-time packings too).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::koalabear::KoalaBear;
use zkprove_field::m31::M31;

use crate::hash_ops_check::check;

#[test]
fn babybear_packed_hash_ops() {
    check::<<BabyBear as Field>::Packing>(30, 30, 1);
}

#[test]
fn koalabear_packed_hash_ops() {
    check::<<KoalaBear as Field>::Packing>(30, 30, 4);
}

#[test]
fn m31_packed_hash_ops() {
    check::<<M31 as Field>::Packing>(30, 30, 2);
}

#[test]
fn goldilocks_packed_hash_ops() {
    check::<<Goldilocks as Field>::Packing>(40, 40, 3);
}
