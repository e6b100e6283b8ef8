//! The integration tests of zkprove-vm, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod constraint_program;
mod programs;
mod trace;
