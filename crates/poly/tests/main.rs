//! The integration tests of zkprove-poly, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod circle;
mod differential;
mod ntt;
mod ntt_rows;
mod polynomials;

/// Held by the tests that sweep the process-wide CPU level (`cpu::set_max_cpu_level`), so that
/// two sweeps in this one process do not change the level under each other.
pub static CPU_LEVEL_SWEEP: std::sync::Mutex<()> = std::sync::Mutex::new(());
