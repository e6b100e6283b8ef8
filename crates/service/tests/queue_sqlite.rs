//! The queue's semantics and several workers on SQLite (a temporary database file).

mod common;

use zkprove_service::blob::BlobStore;
use zkprove_service::queue::Queue;

async fn open(dir: &tempfile::TempDir) -> (Queue, BlobStore) {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("q.db").display());
    let queue = Queue::connect(&url).await.expect("connect");
    let blobs = BlobStore::open(dir.path().join("blobs")).expect("blobs");
    (queue, blobs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_queue_semantics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (queue, _) = open(&dir).await;
    common::queue_semantics(&queue).await;
    // Reopening applies no migration twice and sees the same jobs.
    drop(queue);
    let (queue, _) = open(&dir).await;
    let counts = queue.status_counts().await.expect("counts");
    assert!(counts.iter().any(|(s, n)| s == "succeeded" && *n == 19), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_four_workers_each_job_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (queue, blobs) = open(&dir).await;
    common::many_workers(&queue, &blobs, 4, 60).await;
}
