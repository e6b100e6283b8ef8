//! Elliptic curves for zkprove: BN254 G1 and G2 ([`bn254`]), generic short-Weierstrass arithmetic
//! in affine, Jacobian and XYZZ coordinates ([`sw`]), and multi-scalar multiplication behind the
//! [`MsmOps`] backend trait ([`msm`]), implemented for the CPU here and for GPUs in `zkprove-gpu`.

#![forbid(unsafe_code)]

pub mod bn254;
pub mod msm;
pub mod sw;

pub use msm::{MsmError, MsmOps, msm_naive};
pub use sw::{Affine, Projective, SwCurve, Xyzz};
