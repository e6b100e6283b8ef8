//! The integration tests of zkprove-service, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod api;
mod common;
mod queue_postgres;
mod queue_sqlite;
