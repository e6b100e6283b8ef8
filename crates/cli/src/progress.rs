//! Progress of long work: `indicatif` spinners and bars on a terminal (stderr), structured
//! `tracing` events otherwise, so that scripts, which read exit statuses and files, see nothing
//! unless they ask for logs (`-v`, `RUST_LOG`).
//!
//! Bars are drawn only when stderr is a terminal *and* info-level logs are off: with `-v` the
//! same phases arrive as log lines instead, which a bar redrawn under them would garble.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::level_filters::LevelFilter;

/// How often a spinner redraws itself.
const TICK: Duration = Duration::from_millis(120);

/// Where progress goes: bars on a terminal, `tracing` events always.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    bars: bool,
}

impl Progress {
    /// Progress drawn only when stderr is a terminal and info-level logs are off.
    pub fn new() -> Self {
        let logs_shown = LevelFilter::current() >= LevelFilter::INFO;
        Self { bars: std::io::stderr().is_terminal() && !logs_shown }
    }

    /// Progress that draws nothing (events only).
    #[cfg(test)]
    pub fn hidden() -> Self {
        Self { bars: false }
    }

    /// Runs `f` as a named phase: a spinner with the elapsed time on a terminal, then
    /// `name: done (1.23 s)` or `name: failed`; an `info` event with the duration either way.
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn phase<T>(&self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let bar = self.spinner(name);
        let start = Instant::now();
        let out = {
            let _span = tracing::info_span!("phase", name).entered();
            f()
        };
        let elapsed = start.elapsed();
        let elapsed_ms = elapsed.as_secs_f64() * 1e3;
        // The finished line says how long the phase took; the ticking elapsed time goes.
        bar.set_style(
            ProgressStyle::with_template("{msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        match &out {
            Ok(_) => {
                bar.finish_with_message(format!("{name}: done ({:.2} s)", elapsed.as_secs_f64()));
                tracing::info!(phase = name, elapsed_ms, "phase done");
            }
            Err(e) => {
                bar.abandon_with_message(format!("{name}: failed"));
                tracing::info!(phase = name, elapsed_ms, error = %e, "phase failed");
            }
        }
        out
    }

    /// `items` with a bar counting the items taken (`name  3/10`, of `len` expected): on a
    /// terminal, a bar cleared when the iterator is dropped; otherwise an `info` event per item.
    pub fn track<I: Iterator>(&self, items: I, len: usize, name: &str) -> Tracked<I> {
        let bar = if self.bars {
            let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(name.to_owned());
            bar.enable_steady_tick(TICK);
            bar
        } else {
            ProgressBar::hidden()
        };
        Tracked { items, bar, name: name.to_owned(), len, taken: 0, start: Instant::now() }
    }

    fn spinner(&self, name: &str) -> ProgressBar {
        if !self.bars {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(format!("{name}…"));
        bar.enable_steady_tick(TICK);
        bar
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// An iterator whose items are counted on a bar (see [`Progress::track`]).
pub struct Tracked<I> {
    items: I,
    bar: ProgressBar,
    name: String,
    len: usize,
    taken: usize,
    start: Instant,
}

impl<I: Iterator> Iterator for Tracked<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let item = self.items.next()?;
        self.taken += 1;
        self.bar.inc(1);
        tracing::info!(
            what = %self.name,
            done = self.taken,
            of = self.len,
            elapsed_ms = self.start.elapsed().as_secs_f64() * 1e3,
            "progress"
        );
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl<I> Tracked<I> {
    /// How many items have been taken so far.
    #[cfg(test)]
    pub fn taken(&self) -> usize {
        self.taken
    }
}

impl<I> Drop for Tracked<I> {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_returns_what_its_work_returns() {
        let p = Progress::hidden();
        assert_eq!(p.phase("adding", || Ok(2 + 2)).expect("ok"), 4);
        let err = p.phase("failing", || -> Result<()> { anyhow::bail!("no") }).unwrap_err();
        assert_eq!(err.to_string(), "no");
    }

    #[test]
    fn track_passes_every_item_through_and_counts_them() {
        let p = Progress::hidden();
        let mut tracked = p.track(10..15, 5, "numbers");
        assert_eq!(tracked.next(), Some(10));
        assert_eq!(tracked.taken(), 1);
        let rest: Vec<i32> = tracked.by_ref().collect();
        assert_eq!(rest, vec![11, 12, 13, 14]);
        assert_eq!(tracked.taken(), 5);
        assert_eq!(tracked.next(), None);
        assert_eq!(tracked.taken(), 5);
    }
}
