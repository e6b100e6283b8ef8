//! KoalaBear, `p = 2^31 − 2^24 + 1 = 127·2^24 + 1`, and its quartic extension
//! `KoalaBear[X]/(X⁴ − 3)`: a [`MontyField31`] (32-bit Montgomery form; see [`crate::monty31`]).
//! `gcd(3, p − 1) = 1`, so `x ↦ x³` is a permutation: Poseidon2 over KoalaBear uses the cubic S-box.
//!
//! The multiplicative generator (3), hence the two-adic generators, and `W = 3` are those of
//! Plonky3's `p3-koala-bear`; the tests compare every one.

use crate::monty31::{MontyExt4Params, MontyField31, MontyField31Ext4, MontyParameters31};

/// The modulus `p = 127·2^24 + 1`.
pub const P: u32 = (127 << 24) + 1;

/// KoalaBear's constants: `p`, the generator 3 (as in Plonky3), `X⁴ = 3`.
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq, Hash)]
pub struct KoalaBearParameters;

impl MontyParameters31 for KoalaBearParameters {
    const PRIME: u32 = P;
    const GENERATOR: u32 = 3;
    const EXT4_W: u32 = 3;
}

/// A KoalaBear element in Montgomery form.
pub type KoalaBear = MontyField31<KoalaBearParameters>;

/// `W = 3` for KoalaBear⁴ = `KoalaBear[X]/(X⁴ − 3)`, as in Plonky3's
/// `BinomialExtensionField<KoalaBear, 4>` (irreducible: see [`MontyExt4Params`]).
pub type KoalaBearExt4Params = MontyExt4Params<KoalaBearParameters>;

/// The quartic extension `KoalaBear[X]/(X⁴ − 3)`.
pub type KoalaBearExt4 = MontyField31Ext4<KoalaBearParameters>;

/// 16 KoalaBear lanes in an AVX-512 register.
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
pub type PackedKoalaBearAvx512 = crate::monty31::PackedMontyField31Avx512<KoalaBearParameters>;

/// 8 KoalaBear lanes in an AVX2 register.
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
pub type PackedKoalaBearAvx2 = crate::monty31::PackedMontyField31Avx2<KoalaBearParameters>;
