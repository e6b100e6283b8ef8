//! The PostgreSQL server of the tests, shared by the service's and the CLI's PostgreSQL tests
//! (the CLI's include this file by path).
//!
//! The server is named by `ZKPROVE_TEST_POSTGRES_URL` (a URL whose user may create databases;
//! each test makes its own); without it a test says so and passes, unless
//! `ZKPROVE_REQUIRE_POSTGRES=1` (as `scripts/test.sh` sets, after starting a server), which makes
//! a missing or unreachable server a failure.

/// A fresh database on the test server named after `test`, or `None` when there is no server
/// and none is required.
pub async fn fresh_database(test: &str) -> Option<String> {
    let required = std::env::var("ZKPROVE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let Ok(server) = std::env::var("ZKPROVE_TEST_POSTGRES_URL") else {
        assert!(!required, "ZKPROVE_REQUIRE_POSTGRES=1 but ZKPROVE_TEST_POSTGRES_URL is not set");
        eprintln!("ZKPROVE_TEST_POSTGRES_URL not set: PostgreSQL test {test} not run");
        return None;
    };
    let name = format!("zkprove_{test}_{}", zkprove_service::blob::random_hex(4));
    let url = zkprove_service::queue::create_database(&server, &name)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {server}: {e}"));
    Some(url)
}
