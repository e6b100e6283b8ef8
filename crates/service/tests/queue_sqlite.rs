//! The queue's semantics and several workers on SQLite (a temporary database file).

use crate::common;

use std::time::Duration;
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
    assert!(counts.iter().any(|(s, n)| s == "succeeded" && *n == 21), "{counts:?}");
    // A claim reads the first entry of the claim-order index: no sort of the queue.
    let sql = format!(
        "SELECT job_id FROM jobs WHERE status = 'queued' ORDER BY {} LIMIT 1",
        zkprove_service::queue::CLAIM_ORDER
    );
    let plan = query_plan(&dir, &sql).await;
    assert!(plan.contains("jobs_queued_order") && !plan.contains("B-TREE"), "{plan}");
}

/// SQLite's `EXPLAIN QUERY PLAN` of `sql` on the test database, its steps joined by "; ".
async fn query_plan(dir: &tempfile::TempDir, sql: &str) -> String {
    use sqlx::Connection;
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
    let plan: Vec<String> = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
        .fetch_all(&mut conn)
        .await
        .expect("plan")
        .iter()
        .map(|r| sqlx::Row::try_get::<String, _>(r, "detail").expect("detail"))
        .collect();
    plan.join("; ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_four_workers_each_job_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (queue, blobs) = open(&dir).await;
    common::many_workers(&queue, &blobs, 4, 60).await;
}

/// Orphan blobs: only blobs that no circuit or job names, and old enough, are removed, with
/// stale temporary files; referenced and fresh ones stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_orphan_blobs_are_swept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (queue, blobs) = open(&dir).await;
    let f = common::fixture(3, 13);
    let circuit = common::register(&queue, &blobs, "t", &f).await;
    let witness = blobs.put(&common::witness_bytes(&f.witness)).expect("witness");
    let job = queue.submit(&common::new_job(&circuit, &witness, 0, None)).await.expect("submit");
    let c = queue.claim("w", "cpu", Duration::from_secs(60)).await.expect("claim").expect("job");
    let result = blobs.put(b"result").expect("result");
    queue.complete(&job, c.token, &result).await.expect("complete");
    let old_orphan = blobs.put(b"an upload whose job was never inserted").expect("orphan");
    let fresh_orphan = blobs.put(b"an upload whose job is being inserted").expect("orphan");
    let stray = dir.path().join("blobs/tmp/12345-deadbeef");
    std::fs::write(&stray, b"left by a crash").expect("stray");
    let long_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    for path in [blobs.path(&old_orphan), blobs.path(&circuit), blobs.path(&witness), stray.clone()]
    {
        let file = std::fs::File::options().write(true).open(&path).expect("open");
        file.set_modified(long_ago).expect("set mtime");
    }
    let referenced = queue.referenced_blobs().await.expect("referenced");
    assert_eq!(referenced.len(), 3, "{referenced:?}");
    let (files, bytes) = blobs.sweep(&referenced, Duration::from_secs(3600)).expect("sweep");
    assert_eq!((files, bytes), (2, 38 + 15));
    assert!(!blobs.contains(&old_orphan) && !stray.exists());
    for id in [&circuit, &witness, &result, &fresh_orphan] {
        assert!(blobs.contains(id), "{id} kept");
    }
    assert_eq!(blobs.sweep(&referenced, Duration::from_secs(3600)).expect("sweep"), (0, 0));
    // Uploaded again, an old orphan is young again and survives the next sweep.
    let again = blobs.put(b"an upload whose job was never inserted").expect("again");
    assert_eq!(again, old_orphan);
    assert_eq!(blobs.sweep(&referenced, Duration::from_secs(3600)).expect("sweep"), (0, 0));
}

/// Retention of finished jobs and the janitor's sweep of their blobs (`common::retention`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_retention_purges_finished_jobs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (queue, blobs) = open(&dir).await;
    common::retention(&queue, &blobs).await;
    // The purge reads the oldest entries of the finished-jobs index (migration 0004), no scan.
    let plan = query_plan(
        &dir,
        "SELECT job_id FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') \
         AND finished_at < 5 ORDER BY finished_at LIMIT 10",
    )
    .await;
    assert!(plan.contains("jobs_final_at") && !plan.contains("B-TREE"), "{plan}");
}
