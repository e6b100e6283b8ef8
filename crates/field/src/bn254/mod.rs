//! The BN254 (alt_bn128) fields: the scalar field [`Fr`] (order of the curve group, the field of
//! Groth16/PLONK witnesses) and the base field [`Fq`] (coordinates of curve points).
//!
//! Both are [`Fp256`] instances — 4 × 64-bit limbs in Montgomery form with `R = 2^256` — so the raw
//! bytes ([`crate::PrimeField::to_raw_bytes_le`]) are exactly what snarkjs writes in `.zkey` files
//! and what arkworks keeps in `Fp::0`.
//!
//! Roots of unity of [`Fr`] follow snarkjs (ffjavascript `F1Field`): the non-residue is the first
//! quadratic non-residue counting up from 2, which is 5, and
//! `two_adic_generator(k) = (5^((r − 1) / 2^28))^(2^(28 − k))`, so evaluation domains match the
//! ones baked into `.zkey` files. The order-`2^28` root is also arkworks' `TWO_ADIC_ROOT_OF_UNITY`.

mod fp256;
mod fp256x8;
mod ntt_scalar;
#[cfg(any(test, target_arch = "x86_64"))]
mod ntt_x8;
#[cfg(target_arch = "x86_64")]
mod x86_64_adx;
// Compiled on every x86-64 build: with the IFMA target features it is the public `Fp256x8`; without
// them only the run-time-dispatched NTT kernels (`ntt_x8::kernels_ifma_runtime`) reach it.
#[cfg(target_arch = "x86_64")]
#[cfg_attr(
    not(all(target_feature = "avx512ifma", target_feature = "avx512dq")),
    allow(dead_code, unreachable_pub, clippy::wrong_self_convention)
)]
mod x86_64_ifma;

pub use fp256::{AdxMul, Fp256, Fp256Lazy, Fp256Params};
pub use fp256x8::{Fp256Lanes, Fp256x8Kernel, Fp256x8Portable, with_fp256x8};
#[cfg(all(
    target_arch = "x86_64",
    target_feature = "avx512ifma",
    target_feature = "avx512dq"
))]
pub use x86_64_ifma::Fp256x8Ifma;
#[cfg(all(
    target_arch = "x86_64",
    not(all(target_feature = "avx512ifma", target_feature = "avx512dq"))
))]
use x86_64_ifma::Fp256x8Ifma;

/// Eight [`Fp256`] lanes with add/sub/mul/square: AVX-512 IFMA ([`Fp256x8Ifma`]) when the build
/// targets it (`-C target-cpu=native` on a machine with `avx512ifma`), else the portable loop
/// ([`Fp256x8Portable`]). Both have the same API (`from_array`, `to_array`, `broadcast`, the
/// operators, `square`, `double`, `IS_SIMD`).
#[cfg(all(target_arch = "x86_64", target_feature = "avx512ifma", target_feature = "avx512dq"))]
pub type Fp256x8<P> = Fp256x8Ifma<P>;
/// Eight [`Fp256`] lanes with add/sub/mul/square: AVX-512 IFMA (`Fp256x8Ifma`) when the build
/// targets it (`-C target-cpu=native` on a machine with `avx512ifma`), else the portable loop
/// ([`Fp256x8Portable`]). Both have the same API (`from_array`, `to_array`, `broadcast`, the
/// operators, `square`, `double`, `IS_SIMD`).
#[cfg(not(all(
    target_arch = "x86_64",
    target_feature = "avx512ifma",
    target_feature = "avx512dq"
)))]
pub type Fp256x8<P> = Fp256x8Portable<P>;

/// Parameters of the BN254 scalar field
/// `r = 21888242871839275222246405745257275088548364400416034343698204186575808495617`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FrParams;

impl Fp256Params for FrParams {
    const MODULUS: [u64; 4] =
        [0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029];
    /// 5 generates `F_r^*` (arkworks' `FrConfig::GENERATOR`).
    const GENERATOR: u64 = 5;
    /// `r − 1 = 2^28 · t` with `t` odd.
    const TWO_ADICITY: u32 = 28;
    /// snarkjs's choice: 2, 3 and 4 are squares mod r, 5 is the first non-residue.
    const TWO_ADIC_NONRESIDUE: u64 = 5;
}

/// Parameters of the BN254 base field
/// `q = 21888242871839275222246405745257275088696311157297823662689037894645226208583`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FqParams;

impl Fp256Params for FqParams {
    const MODULUS: [u64; 4] =
        [0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029];
    /// 3 generates `F_q^*` (arkworks' `FqConfig::GENERATOR`).
    const GENERATOR: u64 = 3;
    /// `q ≡ 3 (mod 4)`: the only two-adic root is −1.
    const TWO_ADICITY: u32 = 1;
    /// 3 is a non-residue mod q, so `3^((q − 1)/2) = −1`.
    const TWO_ADIC_NONRESIDUE: u64 = 3;
}

/// The BN254 scalar field `F_r`, 254 bits, two-adicity 28.
pub type Fr = Fp256<FrParams>;

/// The BN254 base field `F_q`, 254 bits, two-adicity 1.
pub type Fq = Fp256<FqParams>;

/// Eight [`Fq`] lanes ([`Fp256x8`]).
pub type Fqx8 = Fp256x8<FqParams>;

/// Eight [`Fr`] lanes ([`Fp256x8`]).
pub type Frx8 = Fp256x8<FrParams>;
