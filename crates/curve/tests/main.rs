//! The integration tests of zkprove-curve, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod common;
mod curve;
mod msm;
mod pairing;
