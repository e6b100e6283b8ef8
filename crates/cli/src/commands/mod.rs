//! One module per command, each with a `run()`.

pub mod bench;
