//! Placeholder until the bn254 benchmark lands.
fn main() {}
