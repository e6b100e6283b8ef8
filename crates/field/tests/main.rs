//! The integration tests of zkprove-field, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod babybear;
mod bn254;
mod bn254_x8;
mod goldilocks;
// `HashOps` (the `with_packing` kernel) is for `cpu_levels`; this binary uses `check` only.
#[allow(dead_code)]
mod hash_ops_check;
mod koalabear;
mod m31;
mod packed_hash_ops;
