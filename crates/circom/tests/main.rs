//! The integration tests of zkprove-circom, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod bad_input;
mod common;
mod e2e_fixtures;
mod example;
mod hardening;
mod json;
mod zkey_write;
