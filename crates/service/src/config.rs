//! The service configuration: a versioned TOML file whose every field has a default, bound to
//! 127.0.0.1 unless told otherwise. The binary fills it from the file and its flags; the library
//! reads no environment variable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Result, ServiceError};

/// The configuration format this build writes and reads.
pub const CONFIG_VERSION: u32 = 1;

/// A tenant: a name and the bearer token its clients send (`Authorization: Bearer <token>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// The tenant's name (stored with its circuits and jobs).
    pub name: String,
    /// Its secret bearer token.
    pub token: String,
}

/// What a crash may cost: which failures an accepted job (a `201` from `POST /v1/jobs`) and a
/// stored proof survive. Either way a crash leaves the queue consistent (SQLite's WAL and
/// PostgreSQL are transactional; blobs are renamed into place, never seen half written).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Durability {
    /// Survives a crash of the zkprove process (`kill -9`, a panic, the OOM killer), not a crash
    /// of the operating system or a power loss: SQLite in WAL mode with `synchronous = NORMAL`
    /// (a commit is written to the WAL file, i.e. handed to the kernel, before it returns; the WAL
    /// is synced only at checkpoints), blobs written and renamed without `fsync`. What the kernel
    /// holds outlives the process, so nothing accepted is lost to a process crash; an OS crash
    /// or power loss may roll back the last commits and blobs (never to an inconsistent state).
    /// The default: it removes every `fsync` from the path of a job.
    #[default]
    Process,
    /// Also survives an operating-system crash or a power loss: SQLite `synchronous = FULL` (the
    /// WAL is synced at every commit), each blob synced before its rename and its directory synced
    /// after it.
    Power,
}

/// The whole configuration of `zkprove serve` / `zkprove worker`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The format version ([`CONFIG_VERSION`]).
    pub version: u32,
    /// Where the SQLite database (when `db` is not set) and the blob store live.
    pub data_dir: PathBuf,
    /// The database URL: `sqlite:PATH` or `postgres://…`; `None`: `sqlite:<data_dir>/zkprove.db`.
    pub db: Option<String>,
    /// The blob directory (zkeys, witnesses, proofs by SHA-256); `None`: `<data_dir>/blobs`.
    /// Nodes sharing a PostgreSQL queue must share this directory (e.g. over NFS).
    pub blob_dir: Option<PathBuf>,
    /// The HTTP address.
    pub bind: SocketAddr,
    /// The largest request body (a zkey or a witness), in bytes.
    pub max_body_bytes: u64,
    /// How long a claim lasts without a heartbeat, in milliseconds.
    pub lease_ms: u64,
    /// How often a worker renews its lease, in milliseconds (a third of the lease by default).
    pub heartbeat_ms: u64,
    /// How often an idle worker looks for work, and the lease reaper runs, in milliseconds.
    pub poll_ms: u64,
    /// How often a device other than the CPU repeats its known-answer check, in milliseconds.
    pub known_answer_interval_ms: u64,
    /// How long a job of higher priority waits unclaimed (no device free) before the
    /// lowest-priority running job is preempted for it, in milliseconds; 0 turns preemption off.
    pub preempt_after_ms: u64,
    /// How long a queued job may be passed over for a job of equal priority and deadline whose
    /// key a device already holds (circuit affinity), in milliseconds.
    pub affinity_window_ms: u64,
    /// Blobs that no circuit or job names are removed once older than this, in milliseconds
    /// (checked every tenth of it); 0 keeps every blob.
    pub orphan_blob_age_ms: u64,
    /// Retention: jobs that reached a final status (succeeded, failed, cancelled) are deleted
    /// this long after they finished, in milliseconds, and their witness and proof blobs with
    /// them at the next blob sweep; `GET /v1/jobs/<id>` then answers 404. 0 keeps every job.
    pub job_retention_ms: u64,
    /// Attempts before a job that keeps failing on devices is failed for good.
    pub max_attempts: u32,
    /// The memory budget of each worker's zkey cache, in bytes (a key's size is its file's).
    pub key_cache_bytes: u64,
    /// Which crashes an accepted job survives (SQLite and blobs; a PostgreSQL server's own
    /// durability is its configuration's, `synchronous_commit`).
    pub durability: Durability,
    /// CPU workers in this process (each proves one job at a time on all cores).
    pub cpu_workers: u32,
    /// This node's name in leases and logs; `None`: the host name and process id.
    pub node: Option<String>,
    /// Bearer tokens per tenant. None: one tenant, `default`, with no authentication (loopback
    /// only).
    pub tenants: Vec<Tenant>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            version: CONFIG_VERSION,
            data_dir: PathBuf::from("zkprove-data"),
            db: None,
            blob_dir: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 8547)),
            max_body_bytes: 1 << 30,
            lease_ms: 30_000,
            heartbeat_ms: 10_000,
            poll_ms: 200,
            known_answer_interval_ms: 600_000,
            preempt_after_ms: 1_000,
            affinity_window_ms: 5_000,
            orphan_blob_age_ms: 3_600_000,
            job_retention_ms: 7 * 24 * 3_600_000,
            max_attempts: 3,
            key_cache_bytes: 8 << 30,
            durability: Durability::Process,
            cpu_workers: 1,
            node: None,
            tenants: Vec::new(),
        }
    }
}

impl Config {
    /// Reads a TOML configuration; missing fields take their defaults.
    ///
    /// # Errors
    /// [`ServiceError::Io`] when the file cannot be read, [`ServiceError::Config`] for bad TOML,
    /// an unknown field or a version this build does not know.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(ServiceError::io(path))?;
        Self::from_toml(&text, path)
    }

    /// Parses TOML text (`path` names it in errors).
    ///
    /// # Errors
    /// As [`Config::from_file`].
    pub fn from_toml(text: &str, path: &Path) -> Result<Self> {
        let config: Config = toml::from_str(text)
            .map_err(|e| ServiceError::Config { path: path.into(), message: e.to_string() })?;
        if config.version != CONFIG_VERSION {
            return Err(ServiceError::Config {
                path: path.into(),
                message: format!(
                    "version {} is not supported (this build reads version {CONFIG_VERSION})",
                    config.version
                ),
            });
        }
        config.validate().map_err(|message| ServiceError::Config { path: path.into(), message })?;
        Ok(config)
    }

    /// The configuration as TOML text (what [`Config::from_toml`] reads back).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.lease_ms == 0 || self.heartbeat_ms == 0 || self.heartbeat_ms >= self.lease_ms {
            return Err(format!(
                "heartbeat_ms ({}) must be positive and shorter than lease_ms ({})",
                self.heartbeat_ms, self.lease_ms
            ));
        }
        if self.max_attempts == 0 {
            return Err("max_attempts must be at least 1".into());
        }
        let mut tokens: Vec<&str> = self.tenants.iter().map(|t| t.token.as_str()).collect();
        tokens.sort_unstable();
        if tokens.windows(2).any(|w| w[0] == w[1]) || tokens.iter().any(|t| t.is_empty()) {
            return Err("every tenant needs its own non-empty token".into());
        }
        Ok(())
    }

    /// The database URL: `db`, or the SQLite file under `data_dir`.
    pub fn database_url(&self) -> String {
        match &self.db {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("zkprove.db").display()),
        }
    }

    /// The blob directory.
    pub fn blob_dir(&self) -> PathBuf {
        self.blob_dir.clone().unwrap_or_else(|| self.data_dir.join("blobs"))
    }

    /// This node's name.
    pub fn node_name(&self) -> String {
        self.node.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_string())
                .unwrap_or_else(|_| "node".into());
            format!("{host}-{}", std::process::id())
        })
    }

    /// The lease duration.
    pub fn lease(&self) -> Duration {
        Duration::from_millis(self.lease_ms)
    }

    /// Refuses a non-loopback bind address without tenant tokens.
    ///
    /// # Errors
    /// [`ServiceError::UnauthenticatedBind`].
    pub fn check_bind(&self) -> Result<()> {
        if self.tenants.is_empty() && !self.bind.ip().is_loopback() {
            return Err(ServiceError::UnauthenticatedBind { bind: self.bind.to_string() });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_and_bind_loopback() {
        let config = Config::default();
        assert!(config.bind.ip().is_loopback());
        let text = config.to_toml();
        let back = Config::from_toml(&text, Path::new("t.toml")).expect("round trip");
        assert_eq!(back, config);
        // An empty file is the defaults.
        assert_eq!(Config::from_toml("", Path::new("e.toml")).expect("empty"), config);
    }

    #[test]
    fn tenants_and_bad_files() {
        let text = "bind = \"0.0.0.0:9000\"\n[[tenants]]\nname = \"a\"\ntoken = \"t1\"\n";
        let config = Config::from_toml(text, Path::new("c.toml")).expect("valid");
        assert_eq!(config.tenants.len(), 1);
        assert_eq!(config.durability, Durability::Process);
        let power =
            Config::from_toml("durability = \"power\"", Path::new("p.toml")).expect("power");
        assert_eq!(power.durability, Durability::Power);
        config.check_bind().expect("tokens make a public bind acceptable");
        let open = Config { tenants: vec![], ..config.clone() };
        assert!(matches!(open.check_bind(), Err(ServiceError::UnauthenticatedBind { .. })));
        for bad in [
            "version = 2",
            "no_such_field = 1",
            "lease_ms = 100\nheartbeat_ms = 200",
            "max_attempts = 0",
            "durability = \"maybe\"",
            "[[tenants]]\nname=\"a\"\ntoken=\"x\"\n[[tenants]]\nname=\"b\"\ntoken=\"x\"",
        ] {
            let err = Config::from_toml(bad, Path::new("bad.toml")).expect_err(bad);
            assert!(err.to_string().contains("bad.toml"), "{err}");
        }
    }
}
