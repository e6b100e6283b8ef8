//! BabyBear, `p = 2^31 − 2^27 + 1 = 15·2^27 + 1`, and its quartic extension `BabyBear[X]/(X⁴ − 11)`:
//! a [`MontyField31`] (32-bit Montgomery form; see [`crate::monty31`] for the arithmetic and the
//! SIMD packings).
//!
//! The multiplicative generator (31), hence the two-adic generators, and `W = 11` are those of
//! Plonky3's `p3-baby-bear`, so that evaluation domains and extensions agree with Plonky3-based
//! provers; the tests compare every one.

use crate::monty31::{MontyExt4Params, MontyField31, MontyField31Ext4, MontyParameters31};

/// The modulus `p = 15·2^27 + 1`.
pub const P: u32 = (15 << 27) + 1;

/// BabyBear's constants: `p`, the generator 31 (as in Plonky3 and risc0), `X⁴ = 11`.
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq, Hash)]
pub struct BabyBearParameters;

impl MontyParameters31 for BabyBearParameters {
    const PRIME: u32 = P;
    const GENERATOR: u32 = 31;
    const EXT4_W: u32 = 11;
}

/// A BabyBear element in Montgomery form.
pub type BabyBear = MontyField31<BabyBearParameters>;

/// `W = 11` for BabyBear⁴ = `BabyBear[X]/(X⁴ − 11)`, as in Plonky3's
/// `BinomialExtensionField<BabyBear, 4>` (irreducible: see [`MontyExt4Params`]).
pub type BabyBearExt4Params = MontyExt4Params<BabyBearParameters>;

/// The quartic extension `BabyBear[X]/(X⁴ − 11)`.
pub type BabyBearExt4 = MontyField31Ext4<BabyBearParameters>;

/// 16 BabyBear lanes in an AVX-512 register.
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
pub type PackedBabyBearAvx512 = crate::monty31::PackedMontyField31Avx512<BabyBearParameters>;

/// 8 BabyBear lanes in an AVX2 register.
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
pub type PackedBabyBearAvx2 = crate::monty31::PackedMontyField31Avx2<BabyBearParameters>;
