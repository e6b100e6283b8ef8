//! Placeholder until the goldilocks benchmark lands.
fn main() {}
