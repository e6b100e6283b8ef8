//! The integration tests of zkprove-poly, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod circle;
mod differential;
mod ntt;
mod ntt_rows;
mod polynomials;
