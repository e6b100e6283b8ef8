//! Elliptic curves for zkprove: BN254 G1 and G2 ([`bn254`]), generic short-Weierstrass arithmetic
//! in affine, Jacobian and XYZZ coordinates ([`sw`]), and multi-scalar multiplication behind the
//! [`MsmOps`] backend trait ([`msm`]), implemented for the CPU here and for GPUs in `zkprove-gpu`,
//! and fixed-base multiplication of the generator in batches ([`fixed_base_batch`]).

#![forbid(unsafe_code)]

pub mod bn254;
mod fixed_base;
pub mod msm;
pub mod sw;

pub use fixed_base::fixed_base_batch;
pub use msm::{MsmError, MsmOps, msm_naive};
pub use sw::{Affine, Projective, SwCurve, Xyzz};
