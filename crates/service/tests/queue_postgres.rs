//! The queue's semantics and several workers on PostgreSQL. The server is named by
//! `ZKPROVE_TEST_POSTGRES_URL` (a URL whose user may create databases; each test makes its own);
//! without it the tests say so and pass, unless `ZKPROVE_REQUIRE_POSTGRES=1` (as `scripts/test.sh`
//! sets, after starting a server), which makes a missing or unreachable server a failure.

mod common;

use zkprove_service::blob::BlobStore;
use zkprove_service::queue::Queue;

/// A fresh database on the test server, or `None` when there is no server and none is required.
async fn fresh_database(name: &str) -> Option<String> {
    let required = std::env::var("ZKPROVE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let Ok(base) = std::env::var("ZKPROVE_TEST_POSTGRES_URL") else {
        assert!(!required, "ZKPROVE_REQUIRE_POSTGRES=1 but ZKPROVE_TEST_POSTGRES_URL is not set");
        eprintln!("ZKPROVE_TEST_POSTGRES_URL not set: PostgreSQL test {name} not run");
        return None;
    };
    sqlx::any::install_default_drivers();
    let db = format!("zkprove_{name}_{}", zkprove_service::blob::random_hex(4));
    let mut admin = sqlx::AnyConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {base} unreachable: {e}"));
    sqlx::query(&format!("CREATE DATABASE {db}")).execute(&mut admin).await.expect("create db");
    // Replace the database name (the last path segment) of the URL.
    let (prefix, query) = match base.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (base.as_str(), String::new()),
    };
    let cut = prefix.rfind('/').filter(|&i| i > "postgres://".len()).unwrap_or(prefix.len());
    Some(format!("{}/{db}{query}", &prefix[..cut]))
}

use sqlx::Connection;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_queue_semantics() {
    let Some(url) = fresh_database("semantics").await else { return };
    let queue = Queue::connect(&url).await.expect("connect");
    common::queue_semantics(&queue).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn postgres_eight_workers_each_job_once() {
    let Some(url) = fresh_database("workers").await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let blobs = BlobStore::open(dir.path().join("blobs")).expect("blobs");
    let queue = Queue::connect(&url).await.expect("connect");
    common::many_workers(&queue, &blobs, 8, 120).await;
}
