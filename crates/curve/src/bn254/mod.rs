//! BN254 (alt_bn128, snarkjs's "bn128"): `G1 = E(F_q): y² = x³ + 3` and
//! `G2 = E'(F_q²): y² = x³ + 3/(9 + u)` (the D-type sextic twist), both of prime order `r`
//! (`|Fr|`); G2's curve has a large cofactor, so G2 points from files need [`Affine::is_in_subgroup`].
//!
//! `F_q² = F_q[u]/(u² + 1)` as [`Fq2`], stored `c0 + c1·u` as `[c0, c1]` — the order of snarkjs's
//! `.zkey` and JSON files (`x.c0, x.c1, y.c0, y.c1`).

use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::{BinomialExtension, BinomialParams, Field};

use crate::msm::GlvParams;
use crate::sw::{Affine, Projective, SwCurve, Xyzz};

mod fq12;
mod fq6;
mod pairing;

pub use fq6::{FROBENIUS_COEFF_FQ6_C1, FROBENIUS_COEFF_FQ6_C2, Fq6};
pub use fq12::{FROBENIUS_COEFF_FQ12_C1, Fq12};
pub use pairing::{
    ATE_LOOP_COUNT, BN_X, G2Prepared, Gt, SIX_X_SQUARED, final_exponentiation, g2_is_in_subgroup,
    g2_is_in_subgroup_six_x_squared, multi_miller_loop, multi_miller_loop_prepared, multi_pairing,
    multi_pairing_prepared, pairing, psi,
};

/// The parameter of [`Fq2`]: `u² = −1` (irreducible because `q ≡ 3 mod 4`, so −1 is a non-square).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Fq2Params;

impl BinomialParams<Fq, 2> for Fq2Params {
    const W: Fq = <Fq as Field>::NEG_ONE;

    #[inline]
    fn mul_by_w(x: Fq) -> Fq {
        -x
    }

    /// `(a₀ + a₁u)² = (a₀ + a₁)(a₀ − a₁) + 2a₀a₁·u` (the generic formula's `(1 + W)·a₀a₁` term
    /// is zero here).
    #[inline(always)]
    fn square(a: &[Fq; 2]) -> [Fq; 2] {
        let a0a1 = a[0] * a[1];
        [(a[0] + a[1]) * (a[0] - a[1]), a0a1.double()]
    }
}

/// `F_q² = F_q[u]/(u² + 1)`.
pub type Fq2 = BinomialExtension<Fq, 2, Fq2Params>;

/// An `Fq` constant from its canonical little-endian limbs (compile-time checked to be below q).
const fn fq(limbs: [u64; 4]) -> Fq {
    match Fq::from_canonical_limbs(limbs) {
        Some(v) => v,
        None => panic!("constant not below q"),
    }
}

/// BN254 G1: `y² = x³ + 3` over `F_q`, cofactor 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct G1Config;

impl SwCurve for G1Config {
    type Base = Fq;
    type Scalar = Fr;
    const B: Fq = fq([3, 0, 0, 0]);
    /// `(1, 2)`.
    const GENERATOR: Affine<Self> = Affine::new_unchecked(fq([1, 0, 0, 0]), fq([2, 0, 0, 0]));
    const NAME: &'static str = "bn254-g1";

    /// The cofactor is 1: every point on the curve is in the group.
    fn is_in_subgroup(_p: &Affine<Self>) -> bool {
        true
    }

    const GLV: Option<GlvParams> = Some(crate::msm::BN254_G1_GLV);
    const ENDOMORPHISM_KEEPS_Y: bool = true;

    /// `(β·x, y)` with `β` the cube root of unity in `F_q` that matches `λ` of [`SwCurve::GLV`].
    #[inline]
    fn endomorphism(p: &Affine<Self>) -> Affine<Self> {
        Affine::new_unchecked(p.x * G1_BETA, p.y)
    }

    /// Eight additions per lane operation on AVX-512 IFMA where [`zkprove_field::cpu::level`]
    /// allows it (chosen at run time, in any x86-64 build); below that the scalar additions, with
    /// every product on the MULX/ADCX/ADOX assembly (checked once per batch) where the level is
    /// ADX or above, else the scalar default.
    fn batch_add_generic(
        buckets: &mut [Affine<Self>],
        idx: &[u32],
        points: &[Affine<Self>],
        scratch: &mut Vec<Fq>,
    ) {
        // A lowered cap (`zkprove_field::cpu::set_max_cpu_level`) turns the lanes off.
        if zkprove_field::cpu::level() >= zkprove_field::cpu::CpuLevel::Ifma {
            zkprove_field::bn254::with_fp256x8(crate::msm::BatchAddKernel::<Self> {
                buckets,
                idx,
                points,
            });
            return;
        }
        match zkprove_field::bn254::AdxMul::detect() {
            Some(token) => {
                crate::msm::batch_add_generic_fq_adx(buckets, idx, points, scratch, token);
            }
            None => crate::msm::batch_add_generic_scalar(buckets, idx, points, scratch),
        }
    }
}

/// A primitive cube root of unity in `F_q`: `(β·x, y) = [λ](x, y)` on G1 for the `λ` of
/// [`crate::msm::GlvParams`] in `G1Config::GLV`.
const G1_BETA: Fq = fq([0x5763473177fffffe, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0]);

/// BN254 G2: `y² = x³ + 3/(9 + u)` over `F_q²`, the order-`r` subgroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct G2Config;

impl SwCurve for G2Config {
    type Base = Fq2;
    type Scalar = Fr;
    /// `3/(9 + u)`.
    const B: Fq2 = Fq2::new([
        fq([0x3267e6dc24a138e5, 0xb5b4c5e559dbefa3, 0x81be18991be06ac3, 0x2b149d40ceb8aaae]),
        fq([0xe4a2bd0685c315d2, 0xa74fa084e52d1852, 0xcd2cafadeed8fdf4, 0x009713b03af0fed4]),
    ]);
    /// The generator of EIP-197, snarkjs and arkworks.
    const GENERATOR: Affine<Self> = Affine::new_unchecked(
        Fq2::new([
            fq([0x46debd5cd992f6ed, 0x674322d4f75edadd, 0x426a00665e5c4479, 0x1800deef121f1e76]),
            fq([0x97e485b7aef312c2, 0xf1aa493335a9e712, 0x7260bfb731fb5d25, 0x198e9393920d483a]),
        ]),
        Fq2::new([
            fq([0x4ce6cc0166fa7daa, 0xe3d1e7690c43d37b, 0x4aab71808dcb408f, 0x12c85ea5db8c6deb]),
            fq([0x55acdadcd122975b, 0xbc4b313370b38ef3, 0xec9e99ad690c3395, 0x090689d0585ff075]),
        ]),
    );
    const NAME: &'static str = "bn254-g2";

    /// The endomorphism test of Dai–Lin–Zhao–Zhou, see [`g2_is_in_subgroup`].
    fn is_in_subgroup(p: &Affine<Self>) -> bool {
        g2_is_in_subgroup(p)
    }

    const GLV: Option<GlvParams> = Some(crate::msm::BN254_G2_GLV);

    /// [`psi`], which is `[6x²]` on G2.
    #[inline]
    fn endomorphism(p: &Affine<Self>) -> Affine<Self> {
        psi(p)
    }

    /// Eight additions per lane operation on two eight-lane `F_q` values (`c₀`, `c₁`), AVX-512
    /// IFMA where [`zkprove_field::cpu::level`] allows it (chosen at run time, in any x86-64
    /// build); below that the scalar additions with every `F_q` product on the MULX/ADCX/ADOX
    /// assembly (checked once per batch) where the level is ADX or above, else the scalar
    /// default.
    fn batch_add_generic(
        buckets: &mut [Affine<Self>],
        idx: &[u32],
        points: &[Affine<Self>],
        scratch: &mut Vec<Fq2>,
    ) {
        // A lowered cap (`zkprove_field::cpu::set_max_cpu_level`) turns the lanes off.
        if zkprove_field::cpu::level() >= zkprove_field::cpu::CpuLevel::Ifma {
            zkprove_field::bn254::with_fp256x8(crate::msm::BatchAddKernel::<Self> {
                buckets,
                idx,
                points,
            });
            return;
        }
        match zkprove_field::bn254::AdxMul::detect() {
            Some(token) => {
                crate::msm::batch_add_generic_fq2_adx(buckets, idx, points, scratch, token);
            }
            None => crate::msm::batch_add_generic_scalar(buckets, idx, points, scratch),
        }
    }
}

/// A G1 point in affine coordinates (infinity = `(0, 0)`).
pub type G1Affine = Affine<G1Config>;
/// A G1 point in Jacobian coordinates.
pub type G1Projective = Projective<G1Config>;
/// A G1 point in XYZZ coordinates (MSM buckets).
pub type G1Xyzz = Xyzz<G1Config>;
/// A G2 point in affine coordinates (infinity = `(0, 0)`).
pub type G2Affine = Affine<G2Config>;
/// A G2 point in Jacobian coordinates.
pub type G2Projective = Projective<G2Config>;
/// A G2 point in XYZZ coordinates (MSM buckets).
pub type G2Xyzz = Xyzz<G2Config>;
