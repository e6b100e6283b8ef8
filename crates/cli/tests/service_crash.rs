//! Crash safety of `zkprove serve` on SQLite, with the real binary: jobs are submitted with
//! `zkprove job submit`, the server is killed with SIGKILL while jobs are queued and running, and
//! restarted; every job then completes exactly once (succeeded, at most one extra attempt for the
//! job the crash interrupted) and each proof verifies with `zkprove groth16 verify`.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use zkprove_service::queue::Queue;

const BIN: &str = env!("CARGO_BIN_EXE_zkprove");

/// A child process killed (SIGKILL) and reaped when dropped, so that a failing test leaves no
/// process behind.
struct Proc(Child);

impl Proc {
    /// SIGKILL and reap now.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn zkprove(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().expect("run zkprove")
}

fn ok(args: &[&str]) -> String {
    let out = zkprove(args);
    assert!(
        out.status.success(),
        "zkprove {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn start_server(config: &Path, log: &Path, port: u16) -> Proc {
    let log = std::fs::File::create(log).expect("log");
    let child = Command::new(BIN)
        .args(["serve", "--device", "cpu", "--config"])
        .arg(config)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn serve");
    let child = Proc(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn status(server: &str, id: &str) -> Value {
    serde_json::from_str(&ok(&["job", "status", "--server", server, id])).expect("status json")
}

fn statuses(db: &Path) -> Vec<(String, i64)> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let q = Queue::connect(&format!("sqlite://{}", db.display())).await.expect("open db");
        q.status_counts().await.expect("counts")
    })
}

#[test]
fn server_killed_with_jobs_queued_and_running_completes_each_job_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| -> PathBuf { dir.path().join(name) };
    let s = |path: &PathBuf| path.to_str().expect("utf-8 path").to_string();
    ok(&["zkey", "synthetic", "10", &s(&p("k.zkey")), &s(&p("w.wtns"))]);
    ok(&["zkey", "export-vkey", &s(&p("k.zkey")), &s(&p("vk.json"))]);
    let port = free_port();
    let server = format!("http://127.0.0.1:{port}");
    std::fs::write(
        p("config.toml"),
        format!(
            "data_dir = {:?}\nbind = \"127.0.0.1:{port}\"\nlease_ms = 1500\nheartbeat_ms = 300\n\
             poll_ms = 20\n",
            s(&p("data"))
        ),
    )
    .expect("config");
    let mut child = start_server(&p("config.toml"), &p("serve1.log"), port);
    let n_jobs = 16;
    let mut ids = Vec::new();
    for i in 0..n_jobs {
        let priority = (i % 3).to_string();
        ids.push(ok(&[
            "job",
            "submit",
            "--server",
            &server,
            &s(&p("k.zkey")),
            &s(&p("w.wtns")),
            "--priority",
            &priority,
        ]));
    }
    // Kill as soon as the first proofs are out: the rest are queued or running.
    let start = Instant::now();
    while !ids.iter().take(3).any(|id| status(&server, id)["status"] == "succeeded") {
        assert!(start.elapsed() < Duration::from_secs(120), "no job finished");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill();
    let before = statuses(&p("data").join("zkprove.db"));
    eprintln!("at the crash: {before:?}");
    let unfinished: i64 =
        before.iter().filter(|(s, _)| s == "queued" || s == "running").map(|(_, n)| n).sum();
    assert!(unfinished > 0, "the crash interrupted nothing: {before:?}");

    let mut child = start_server(&p("config.toml"), &p("serve2.log"), port);
    let start = Instant::now();
    for id in &ids {
        loop {
            let job = status(&server, id);
            if job["status"] == "succeeded" {
                let attempts = job["attempts"].as_i64().expect("attempts");
                assert!((1..=2).contains(&attempts), "{job}");
                break;
            }
            assert!(job["status"] == "queued" || job["status"] == "running", "{job}");
            assert!(start.elapsed() < Duration::from_secs(180), "job {id} not done: {job}");
            std::thread::sleep(Duration::from_millis(50));
        }
        ok(&["job", "proof", "--server", &server, id, &s(&p("proof.json")), &s(&p("public.json"))]);
        ok(&["groth16", "verify", &s(&p("vk.json")), &s(&p("public.json")), &s(&p("proof.json"))]);
    }
    child.kill();
    let after = statuses(&p("data").join("zkprove.db"));
    assert_eq!(after, vec![("succeeded".to_string(), n_jobs as i64)]);
}

/// The GPU path of the service (the generic engine on `OpenClBackend`, its known-answer check at
/// start, then jobs) on whatever OpenCL device there is (PoCL in CI): proofs come back verified.
/// Without an OpenCL device, a skip (a failure under `ZKPROVE_REQUIRE_OPENCL=1`).
#[test]
fn serve_on_an_opencl_device_releases_verified_proofs() {
    if zkprove_gpu::ClDevice::get().is_err() {
        assert!(
            !std::env::var("ZKPROVE_REQUIRE_OPENCL").is_ok_and(|v| v == "1"),
            "ZKPROVE_REQUIRE_OPENCL=1 but no OpenCL device"
        );
        eprintln!("skipped: no OpenCL device");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| -> PathBuf { dir.path().join(name) };
    let s = |path: &PathBuf| path.to_str().expect("utf-8 path").to_string();
    ok(&["zkey", "synthetic", "6", &s(&p("k.zkey")), &s(&p("w.wtns"))]);
    ok(&["zkey", "export-vkey", &s(&p("k.zkey")), &s(&p("vk.json"))]);
    let port = free_port();
    let server = format!("http://127.0.0.1:{port}");
    std::fs::write(
        p("config.toml"),
        format!("data_dir = {:?}\nbind = \"127.0.0.1:{port}\"\npoll_ms = 20\n", s(&p("data"))),
    )
    .expect("config");
    let log = std::fs::File::create(p("serve.log")).expect("log");
    let child = Command::new(BIN)
        .args(["serve", "--device", "opencl", "--config"])
        .arg(p("config.toml"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn serve");
    let mut child = Proc(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(60), "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    for _ in 0..2 {
        let id = ok(&[
            "job",
            "submit",
            "--server",
            &server,
            &s(&p("k.zkey")),
            &s(&p("w.wtns")),
            "--out",
            &s(&p("proof.json")),
            &s(&p("public.json")),
        ]);
        ok(&["groth16", "verify", &s(&p("vk.json")), &s(&p("public.json")), &s(&p("proof.json"))]);
        let job = status(&server, &id);
        assert_eq!((job["device"].as_str(), job["attempts"].as_i64()), (Some("opencl:0"), Some(1)));
    }
    child.kill();
}
