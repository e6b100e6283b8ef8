//! The kernel sources, embedded at build time. See [`crate::FieldKind::program_source`] for how a
//! field's program is assembled from them.
//!
//! Each file lives beside the host code of the concept that uses it (`src/field/`, `src/ntt/`,
//! `src/circle/`,
//! `src/msm/`, `src/merkle/`, `src/sumcheck/`). The shared headers are kept with their main user,
//! the field programs in `src/field/`: `common.h` (every program), `bn254.h` (also the MSM
//! programs), the small fields' headers (also Poseidon2 and sumcheck) and `ext.h` (the extension
//! fields, read by the sumcheck programs only).

/// Portability macros and the 256-bit carry-chain primitives (inline PTX under CUDA).
pub const COMMON_H: &str = include_str!("field/common.h");
/// BN254 Fr / Fq: 256-bit Montgomery arithmetic over 8 × 32-bit limbs.
pub const BN254_H: &str = include_str!("field/bn254.h");
/// Goldilocks arithmetic.
pub const GOLDILOCKS_H: &str = include_str!("field/goldilocks.h");
/// BabyBear Montgomery arithmetic.
pub const BABYBEAR_H: &str = include_str!("field/babybear.h");
/// Mersenne-31 arithmetic.
pub const M31_H: &str = include_str!("field/m31.h");
/// Element-wise kernels (add, sub, mul, square, inverse, `a·b − c` in place, batch inverse, CSR
/// matrix–vector product).
pub const FIELD_OPS_CU: &str = include_str!("field/field_ops.cu");
/// NTT kernels (bit reversal, radix-2 stages, radix-8 passes, local-memory stages, scaling by
/// powers).
pub const NTT_CU: &str = include_str!("ntt/ntt.cu");

/// Every kernel entry point of a field program (the same names for every field).
pub const KERNEL_NAMES: [&str; 13] = [
    "fe_add_kernel",
    "fe_sub_kernel",
    "fe_mul_kernel",
    "fe_sqr_kernel",
    "fe_inv_kernel",
    "fe_mul_sub_kernel",
    "fe_batch_inv_kernel",
    "fe_csr_mul_vec",
    "ntt_bit_reverse",
    "ntt_radix2_stage",
    "ntt_radix8_pass",
    "ntt_local_stages",
    "ntt_scale_powers",
];

/// log2 of the block that `ntt_local_stages` transforms in local memory at most (`NTT_LOCAL_LOG`
/// in `ntt.cu`).
pub const NTT_LOCAL_LOG: u32 = 9;

/// BN254 G1 / G2 point arithmetic (affine and XYZZ) over a base field `bf` (Fq, or Fq2 with
/// `CURVE_G2` defined), for the MSM programs.
pub const CURVE_H: &str = include_str!("msm/curve.h");
/// Pippenger MSM kernels (digits, counting sort by bucket, accumulation, reduction).
pub const MSM_CU: &str = include_str!("msm/msm.cu");

/// Every kernel entry point of an MSM program (the same names for G1 and G2).
pub const MSM_KERNEL_NAMES: [&str; 12] = [
    "msm_digits",
    "msm_scan",
    "msm_scatter",
    "msm_seg_counts",
    "msm_accumulate",
    "msm_accumulate_wide",
    "msm_group_sum",
    "msm_bucket_combine",
    "msm_reduce",
    "msm_window_sum",
    "msm_precompute_double",
    "msm_precompute_normalize",
];

/// Poseidon2 width 16 over M31 / BabyBear and the Merkle leaf and compression kernels.
pub const POSEIDON2_CU: &str = include_str!("merkle/poseidon2.cu");

/// Every kernel entry point of a Poseidon2 program.
pub const POSEIDON2_KERNEL_NAMES: [&str; 3] = ["p2_permute_kernel", "p2_hash_rows", "p2_compress"];

/// Extension fields of the small fields (QM31, BabyBear⁴, Goldilocks²) as device structs, for the
/// sumcheck programs.
pub const EXT_H: &str = include_str!("field/ext.h");
/// Sumcheck kernels: MLE folds (base → extension, extension in place), the fused round
/// evaluation of a sum of products, fused fold + next round, and the partials' reduction.
pub const SUMCHECK_CU: &str = include_str!("sumcheck/sumcheck.cu");

/// LogUp columns (denominators accumulated column by column, extension batch inversion by
/// Montgomery's trick), appended to the sumcheck programs.
pub const LOGUP_CU: &str = include_str!("logup/logup.cu");

/// The AIR prover's backend operations (`AirOps` for the GPU backend: stacking, next rows,
/// selectors, `eq` tables, LogUp sums, linear columns, coordinates, dot products, the opening's
/// kernels, the first product round), appended to the sumcheck programs.
pub const AIR_OPS_CU: &str = include_str!("air/air_ops.cu");

/// The AIR zerocheck round interpreting a constraint program (`zkprove_air::ConstraintProgram`),
/// appended to the sumcheck programs twice: with `ZC_ROUND_BASE` (base-field rows) and with
/// `ZC_ROUND_EXT` (extension rows) defined.
pub const ZEROCHECK_CU: &str = include_str!("air/zerocheck.cu");

/// Every kernel entry point of a sumcheck program (the same names for every field pair),
/// `logup.cu`'s, `air_ops.cu`'s and `zerocheck.cu`'s included.
pub const SUMCHECK_KERNEL_NAMES: [&str; 28] = [
    "sc_round_base",
    "sc_round_ext",
    "sc_fold_round_ext",
    "sc_reduce",
    "sc_fold_base",
    "sc_fold_ext",
    "sc_lift",
    "air_logup_accumulate",
    "air_ext_batch_inverse",
    "air_copy",
    "air_rotate",
    "air_set_one",
    "air_ext_set_one",
    "air_eq_expand",
    "air_logup_sum_term",
    "air_linear_fill",
    "air_linear_axpy",
    "air_coordinate",
    "air_dot",
    "air_shift_kernel",
    "air_outer_product",
    "air_combine_stacked",
    "air_scale",
    "air_product_round_base",
    "zc_pack",
    "zc_reduce",
    "zc_round_base",
    "zc_round_ext",
];

/// The M31 circle FFT kernels (layers over global memory two at a time (radix 4) or one, up to nine layers in one
/// local/shared-memory pass, the natural-order permutations and the LDE's tiling).
pub const CIRCLE_CU: &str = include_str!("circle/circle.cu");

/// Every kernel entry point of the circle-FFT program.
pub const CIRCLE_KERNEL_NAMES: [&str; 7] = [
    "circle_layer",
    "circle_layer_pair",
    "circle_local_layers",
    "circle_reverse_odd",
    "circle_bit_reverse_pairs",
    "circle_tile",
    "circle_transpose",
];

/// log2 of the block that `circle_local_layers` transforms in local memory at most
/// (`CIRCLE_LOCAL_LOG` in `circle.cu`).
pub const CIRCLE_LOCAL_LOG: u32 = 9;
