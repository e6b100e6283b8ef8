//! Placeholder until the babybear benchmark lands.
fn main() {}
