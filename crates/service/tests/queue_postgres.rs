//! The queue's semantics, wake-ups by `LISTEN`/`NOTIFY` and several workers on PostgreSQL (the
//! server: `common::pg`).

use crate::common;

use std::time::{Duration, Instant};

use zkprove_service::blob::BlobStore;
use zkprove_service::queue::Queue;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_queue_semantics() {
    let Some(url) = common::pg::fresh_database("semantics").await else { return };
    let queue = Queue::connect(&url).await.expect("connect");
    common::queue_semantics(&queue).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn postgres_eight_workers_each_job_once() {
    let Some(url) = common::pg::fresh_database("workers").await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let blobs = BlobStore::open(dir.path().join("blobs")).expect("blobs");
    let queue = Queue::connect(&url).await.expect("connect");
    common::many_workers(&queue, &blobs, 8, 120).await;
}

/// A job queued through one connection (another node) wakes the idle workers of another
/// process at once, by `NOTIFY` from the jobs table's trigger, without waiting for a poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_notifies_queued_jobs_to_other_nodes() {
    let Some(url) = common::pg::fresh_database("notify").await else { return };
    let listener = Queue::connect(&url).await.expect("connect");
    let other = Queue::connect(&url).await.expect("connect");
    let mut queued = listener.subscribe_queued();
    queued.borrow_and_update();
    let start = Instant::now();
    other.submit(&common::new_job("c", "w", 0, None)).await.expect("submit");
    tokio::time::timeout(Duration::from_secs(10), queued.changed())
        .await
        .expect("woken by NOTIFY, not by a poll")
        .expect("listener alive");
    eprintln!("woken {:?} after the submission of another node", start.elapsed());
    // A requeue by the other node (a retryable failure) wakes it too.
    let c = other.claim("w", "cpu", Duration::from_secs(60)).await.expect("claim").expect("job");
    queued.borrow_and_update();
    let class = zkprove_service::queue::FailureClass::Device;
    other.fail(&c.job.job_id, c.token, class, "device").await.expect("fail");
    tokio::time::timeout(Duration::from_secs(10), queued.changed())
        .await
        .expect("woken by the requeue")
        .expect("listener alive");
}

/// Retention of finished jobs and the janitor's sweep of their blobs (`common::retention`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_retention_purges_finished_jobs() {
    let Some(url) = common::pg::fresh_database("retention").await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let blobs = BlobStore::open(dir.path().join("blobs")).expect("blobs");
    let queue = Queue::connect(&url).await.expect("connect");
    common::retention(&queue, &blobs).await;
}
