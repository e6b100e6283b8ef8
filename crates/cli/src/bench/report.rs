//! What every benchmark shares: the report ([`Report`], one JSON line with `--json`), the timing
//! helper ([`time_reps`]: one untimed warm-up, then the median over timed repetitions) and the
//! worker pool.

use std::hint::black_box;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;

/// One benchmark result. With `--json` it is printed as one line,
/// `{"kernel":…,"field":…,"log_n":…,"device":…,"median_ms":…,"reps":…,"threads":…,…}`, the
/// benchmark's own fields (`E`) following the shared ones.
#[derive(Debug, Serialize)]
pub struct Report<E> {
    /// What was measured: `field-mul`, `ntt`, `msm`, `pairing`, `poseidon2`, `merkle`, `kzg`,
    /// `whir`, `sumcheck`, `groth16`, `air`.
    pub kernel: &'static str,
    /// The field, or the group for `msm` (`bn254-g1`, `bn254-g2`); absent for `groth16`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// log2 of the size (`groth16`: of the evaluation domain; `pairing`: 0).
    pub log_n: u32,
    /// Where it ran: `cpu`, `cuda` or `opencl` (`auto` resolved).
    pub device: &'static str,
    /// The median time of one repetition, milliseconds.
    pub median_ms: f64,
    /// Timed repetitions (after one untimed warm-up).
    pub reps: u32,
    /// Worker threads.
    pub threads: usize,
    /// The benchmark's own fields.
    #[serde(flatten)]
    pub extra: E,
}

/// The extra fields of a throughput benchmark (field, NTT, MSM, pairing, Poseidon2, Merkle,
/// sumcheck).
#[derive(Debug, Serialize)]
pub struct Throughput {
    /// field-mul: SIMD lanes per operation (1 = scalar); ntt: number of columns; msm: the
    /// fixed-base precomputation factor or levels (1 = none); poseidon2: the permutation width;
    /// merkle: the row length; sumcheck: the degree.
    pub width: usize,
    /// Millions of operations per second at the median (multiplications; NTT: transformed
    /// elements; MSM: terms; permutations; leaves; sumcheck: hypercube points).
    pub mops_per_s: f64,
    /// What else shaped the run (device MSM: window width, where the scalars are).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl<E: Serialize> Report<E> {
    /// Prints the report: one JSON line with `json`, else the line `text` makes of it.
    ///
    /// # Errors
    /// When the report cannot be serialised (it always can: plain numbers and strings).
    pub fn print(&self, json: bool, text: impl FnOnce(&Self) -> String) -> Result<()> {
        if json {
            println!("{}", serde_json::to_string(self)?);
        } else {
            println!("{}", text(self));
        }
        Ok(())
    }
}

/// The times of a benchmark's repetitions.
#[derive(Debug)]
pub struct Samples<T> {
    /// What the untimed warm-up run returned (to check against a reference).
    pub warm_up: T,
    /// The time of each timed repetition, milliseconds.
    pub ms: Vec<f64>,
}

impl<T> Samples<T> {
    /// The median of the timed repetitions, milliseconds.
    pub fn median_ms(&self) -> f64 {
        median(self.ms.iter().copied())
    }
}

/// The one timing helper: runs `run(prepare()?)` once untimed (warm-up: programs compiled, caches
/// filled), then `reps` times, timing only `run`: `prepare` makes the input a run consumes (e.g.
/// a copy of the data) and what `run` returns is dropped, both outside the timed region.
///
/// # Errors
/// The first error of `prepare` or `run`.
pub fn time_reps_prepared<S, T>(
    reps: u32,
    mut prepare: impl FnMut() -> Result<S>,
    mut run: impl FnMut(S) -> Result<T>,
) -> Result<Samples<T>> {
    let warm_up = run(prepare()?)?;
    let mut ms = Vec::with_capacity(reps as usize);
    for _ in 0..reps {
        let input = prepare()?;
        let start = Instant::now();
        let out = run(input)?;
        ms.push(start.elapsed().as_secs_f64() * 1e3);
        drop(black_box(out));
    }
    Ok(Samples { warm_up, ms })
}

/// [`time_reps_prepared`] with nothing to prepare.
///
/// # Errors
/// The first error of `run`.
pub fn time_reps<T>(reps: u32, mut run: impl FnMut() -> Result<T>) -> Result<Samples<T>> {
    time_reps_prepared(reps, || Ok(()), |()| run())
}

/// The median (the upper one for an even count; NaN for none).
pub fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.into_iter().collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A worker pool of `threads` threads (all cores when `None`).
///
/// # Errors
/// `--threads 0`, or when the threads cannot be started.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        builder = builder.num_threads(n);
    }
    builder.build().context("starting the worker threads")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_the_middle_value() {
        assert_eq!(median([3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median([4.0, 1.0, 3.0, 2.0]), 3.0);
        assert_eq!(median([5.0]), 5.0);
        assert!(median([]).is_nan());
    }

    #[test]
    fn time_reps_warms_up_once_then_times_each_rep() {
        let mut prepared = 0;
        let mut runs = Vec::new();
        let samples = time_reps_prepared(
            3,
            || {
                prepared += 1;
                Ok(prepared)
            },
            |input| {
                runs.push(input);
                Ok(input * 10)
            },
        )
        .expect("no error");
        assert_eq!(runs, vec![1, 2, 3, 4], "one warm-up, then one run per rep, each prepared");
        assert_eq!(samples.warm_up, 10);
        assert_eq!(samples.ms.len(), 3);
        assert!(samples.ms.iter().all(|t| *t >= 0.0 && t.is_finite()));
        assert!(samples.median_ms() >= 0.0);
    }

    #[test]
    fn time_reps_stops_at_the_first_error() {
        let mut n = 0;
        let err = time_reps(5, || {
            n += 1;
            if n == 3 { bail!("third run fails") } else { Ok(()) }
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "third run fails");
        assert_eq!(n, 3);
    }

    #[test]
    fn report_json_has_the_shared_fields_then_the_extra_ones() {
        let report = Report {
            kernel: "ntt",
            field: Some("babybear"),
            log_n: 10,
            device: "cpu",
            median_ms: 1.5,
            reps: 3,
            threads: 2,
            extra: Throughput { width: 4, mops_per_s: 2.5, detail: None },
        };
        let line = serde_json::to_string(&report).expect("serialises");
        assert_eq!(
            line,
            r#"{"kernel":"ntt","field":"babybear","log_n":10,"device":"cpu","median_ms":1.5,"reps":3,"threads":2,"width":4,"mops_per_s":2.5}"#
        );
        let no_field = Report { field: None, extra: (), ..report_without_extra() };
        let v: serde_json::Value = serde_json::to_value(&no_field).expect("serialises");
        assert!(v.get("field").is_none());
    }

    fn report_without_extra() -> Report<()> {
        Report {
            kernel: "groth16",
            field: None,
            log_n: 6,
            device: "cpu",
            median_ms: 1.0,
            reps: 1,
            threads: 1,
            extra: (),
        }
    }
}
