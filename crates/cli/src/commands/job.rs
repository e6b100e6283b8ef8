//! `zkprove job submit|status|cancel|proof`: the client of `zkprove serve`'s HTTP API.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use reqwest::blocking::{Body, Client, RequestBuilder, Response};
use serde_json::Value;
use zkprove_circom::{Proof, public_signals_from_json, write_proof_and_public};

/// Arguments of `zkprove job`.
#[derive(Debug, Args)]
pub struct JobArgs {
    /// The server's URL.
    #[arg(long, global = true, default_value = "http://127.0.0.1:8547")]
    server: String,
    /// The tenant's bearer token (default: `ZKPROVE_TOKEN`, if set).
    #[arg(long, global = true)]
    token: Option<String>,
    #[command(subcommand)]
    command: JobCommand,
}

#[derive(Debug, Subcommand)]
enum JobCommand {
    /// Register the key (idempotent) and queue a proof of the witness; prints the job id.
    Submit {
        /// The proving key (`.zkey`).
        zkey: PathBuf,
        /// The witness (`.wtns`).
        witness: PathBuf,
        /// Higher runs first (default 0).
        #[arg(long, allow_hyphen_values = true)]
        priority: Option<i64>,
        /// The deadline, RFC 3339 (`2026-01-31T12:00:00Z`): earlier deadlines run first.
        #[arg(long)]
        deadline: Option<String>,
        /// Wait until the job finishes (fails unless it succeeded).
        #[arg(long)]
        wait: bool,
        /// Wait, then write the proof and the public signals here (snarkjs shapes).
        #[arg(long, num_args = 2, value_names = ["PROOF", "PUBLIC"])]
        out: Option<Vec<PathBuf>>,
    },
    /// Print a job's status (JSON).
    Status {
        /// The job id.
        job_id: String,
    },
    /// Cancel a job (a running job stops at its next phase boundary); prints its status.
    Cancel {
        /// The job id.
        job_id: String,
    },
    /// Write a succeeded job's proof and public signals.
    Proof {
        /// The job id.
        job_id: String,
        /// Where to write `proof.json`.
        proof: PathBuf,
        /// Where to write `public.json`.
        public: PathBuf,
    },
}

struct Api {
    client: Client,
    server: String,
    token: Option<String>,
}

impl Api {
    fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let url = format!("{}{path}", self.server.trim_end_matches('/'));
        let r = self.client.request(method, url);
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    /// Sends and reads a JSON answer; an error status becomes an error with the server's message.
    fn json(&self, r: RequestBuilder, what: &str) -> Result<Value> {
        let response: Response = r.send().with_context(|| format!("{what}: {}", self.server))?;
        let status = response.status();
        let text = response.text().with_context(|| format!("{what}: reading the answer"))?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if !status.is_success() {
            let message = value
                .get("error")
                .and_then(Value::as_str)
                .map_or_else(|| value.to_string(), String::from);
            bail!("{what}: {status}: {message}");
        }
        Ok(value)
    }

    fn upload(
        &self,
        path: &str,
        file: &Path,
        query: &[(&str, String)],
        what: &str,
    ) -> Result<Value> {
        let f = File::open(file).with_context(|| format!("{}", file.display()))?;
        let len = f.metadata().with_context(|| format!("{}", file.display()))?.len();
        self.json(
            self.request(reqwest::Method::POST, path).query(query).body(Body::sized(f, len)),
            what,
        )
    }

    fn job(&self, id: &str) -> Result<Value> {
        self.json(self.request(reqwest::Method::GET, &format!("/v1/jobs/{id}")), "job status")
    }

    /// Waits for a job to finish: long polls (`?wait_ms=`, the server answers when the job is
    /// done), pausing between requests only when an answer came back early (a server that
    /// does not know `wait_ms`).
    fn wait(&self, id: &str) -> Result<Value> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(20);
        loop {
            let asked = Instant::now();
            let request = self
                .request(reqwest::Method::GET, &format!("/v1/jobs/{id}"))
                .query(&[("wait_ms", "20000")]);
            let job = self.json(request, "job status")?;
            match job["status"].as_str() {
                Some("succeeded") => return Ok(job),
                Some(s @ ("failed" | "cancelled")) => {
                    bail!(
                        "job {id} {s} after {:.1} s: {}",
                        start.elapsed().as_secs_f64(),
                        job["error"]
                    )
                }
                _ => {}
            }
            if asked.elapsed() < Duration::from_secs(1) {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(500));
            }
        }
    }

    fn write_proof(&self, id: &str, proof: &Path, public: &Path) -> Result<()> {
        let result = self
            .json(self.request(reqwest::Method::GET, &format!("/v1/jobs/{id}/proof")), "proof")?;
        let p = Proof::from_json(&result["proof"].to_string(), "the server's proof")?;
        let signals =
            public_signals_from_json(&result["public"].to_string(), "the server's public signals")?;
        write_proof_and_public(proof, &p, public, &signals)?;
        Ok(())
    }
}

/// Runs `zkprove job …`.
pub fn run(args: JobArgs) -> Result<()> {
    let token =
        args.token.or_else(|| std::env::var("ZKPROVE_TOKEN").ok().filter(|t| !t.is_empty()));
    let client = Client::builder().timeout(None).build().context("HTTP client")?;
    let api = Api { client, server: args.server, token };
    match args.command {
        JobCommand::Submit { zkey, witness, priority, deadline, wait, out } => {
            let circuit = api.upload("/v1/circuits", &zkey, &[], "registering the key")?;
            let circuit =
                circuit["circuit_id"].as_str().context("no circuit_id in the answer")?.to_string();
            let mut query = vec![("circuit", circuit)];
            if let Some(p) = priority {
                query.push(("priority", p.to_string()));
            }
            if let Some(d) = deadline {
                query.push(("deadline", d));
            }
            let job = api.upload("/v1/jobs", &witness, &query, "submitting the job")?;
            let id = job["job_id"].as_str().context("no job_id in the answer")?.to_string();
            println!("{id}");
            if wait || out.is_some() {
                api.wait(&id)?;
            }
            if let Some(out) = out {
                api.write_proof(&id, &out[0], &out[1])?;
            }
            Ok(())
        }
        JobCommand::Status { job_id } => {
            println!("{}", api.job(&job_id)?);
            Ok(())
        }
        JobCommand::Cancel { job_id } => {
            let r = api.request(reqwest::Method::DELETE, &format!("/v1/jobs/{job_id}"));
            println!("{}", api.json(r, "cancel")?);
            Ok(())
        }
        JobCommand::Proof { job_id, proof, public } => api.write_proof(&job_id, &proof, &public),
    }
}
