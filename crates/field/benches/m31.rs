//! Placeholder until the m31 benchmark lands.
fn main() {}
