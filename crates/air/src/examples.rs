//! Example AIRs: [`FibonacciAir`], [`RangeCheckAir`] (LogUp) and [`Poseidon2Air`] (one
//! permutation per row), each with its trace generator.

mod fibonacci;
mod poseidon2;
mod range_check;

pub use fibonacci::FibonacciAir;
pub use poseidon2::Poseidon2Air;
pub use range_check::RangeCheckAir;
