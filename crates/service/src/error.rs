//! The service's typed errors.

use std::path::PathBuf;

/// Errors of the proving service (queue, blob store, configuration, start-up).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A database operation failed.
    #[error("database ({operation}): {source}")]
    Database {
        /// What was being done.
        operation: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Applying the schema migrations failed.
    #[error("database migration: {source}")]
    Migration {
        /// The migrator's error.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// A database URL that is neither `sqlite:` nor `postgres:`.
    #[error("unsupported database URL {url:?}: expected sqlite:… or postgres://…")]
    UnsupportedDatabase {
        /// The URL given.
        url: String,
    },
    /// A database name that is not lowercase letters, digits and underscores.
    #[error("database name {name:?}: expected lowercase letters, digits and underscores")]
    DatabaseName {
        /// The name.
        name: String,
    },
    /// A file or directory operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML or has a wrong field.
    #[error("configuration {path}: {message}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Binding a non-loopback address without any tenant token.
    #[error(
        "refusing to bind {bind}: anything but a loopback address needs bearer tokens \
         ([[tenants]] in the configuration)"
    )]
    UnauthenticatedBind {
        /// The address asked for.
        bind: String,
    },
    /// A state change carried a fencing token that is no longer the job's (its lease expired and
    /// the job was requeued or claimed by another worker), or the job is no longer running.
    #[error("lease lost on job {job_id} (fencing token {token} is stale)")]
    LeaseLost {
        /// The job.
        job_id: String,
        /// The stale token.
        token: i64,
    },
    /// A stored value that the service did not write (a status or kind it does not know).
    #[error("corrupt row in {table}: {message}")]
    CorruptRow {
        /// The table.
        table: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A metrics registration failed (a duplicate name: a programming error).
    #[error("metrics: {source}")]
    Metrics {
        /// The registry's error.
        #[source]
        source: prometheus::Error,
    },
    /// A background task (blocking I/O run off the async runtime) panicked or was cancelled.
    #[error("background task {what}: {message}")]
    Task {
        /// What the task did.
        what: &'static str,
        /// The runtime's report.
        message: String,
    },
}

impl ServiceError {
    /// Wraps a database error with the operation that failed.
    pub(crate) fn db(operation: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Database { operation, source }
    }

    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

/// Results of the service.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
