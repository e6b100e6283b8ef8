//! Proof engines: what a worker proves with. [`BackendEngine`] runs the Groth16 prover on any
//! [`Groth16Backend`] (the CPU backend here; the binary instantiates it with the GPU backends too,
//! the same generic code) and keeps loaded keys in an LRU cache bounded by a memory budget, so
//! that consecutive jobs of one circuit prove back to back with the key resident. Engines do not
//! verify: the worker verifies every proof itself, against a verification key it reads from the
//! zkey on the host, so that a faulty device cannot vouch for its own proofs.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use zkprove_circom::Proof;
use zkprove_field::bn254::Fr;
use zkprove_groth16::{Groth16Backend, Groth16Error, Groth16Prover, KeyUse};

use crate::queue::FailureClass;

/// A failed proof attempt, classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EngineError {
    /// Whether the job is retried.
    pub class: FailureClass,
    /// What happened.
    pub message: String,
}

impl From<Groth16Error> for EngineError {
    fn from(e: Groth16Error) -> Self {
        let class = match &e {
            _ if e.is_out_of_memory() => FailureClass::OutOfMemory,
            Groth16Error::Format(_)
            | Groth16Error::WitnessLength { .. }
            | Groth16Error::PublicInputCount { .. }
            | Groth16Error::InvalidPoint { .. }
            | Groth16Error::VerificationKeyAtInfinity { .. }
            | Groth16Error::UncontributedVerificationKey { .. }
            | Groth16Error::DomainTooLarge { .. }
            | Groth16Error::InvalidCircuit { .. }
            | Groth16Error::InvalidProof => FailureClass::BadInput,
            Groth16Error::Ntt(_)
            | Groth16Error::Msm(_)
            | Groth16Error::Device(_)
            | Groth16Error::Range(_)
            | Groth16Error::MatrixShape { .. } => FailureClass::Device,
        };
        Self { class, message: e.to_string() }
    }
}

/// A proof and whether its key was already loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proved {
    /// The (unverified) proof.
    pub proof: Proof,
    /// Whether the key came from the cache.
    pub cache_hit: bool,
}

/// A device that proves jobs.
pub trait ProofEngine: Send + Sync + 'static {
    /// The device's name (`cpu`, `cuda:0`, …), reported with jobs and metrics.
    fn device(&self) -> String;

    /// Whether this is the reference backend (the CPU): a proof of its that fails verification is
    /// blamed on the input (the witness does not satisfy the circuit), not on the device.
    fn is_reference(&self) -> bool {
        false
    }

    /// Proves a Groth16 witness with the key of `circuit_id` stored at `zkey` (loaded, or taken
    /// from the cache). Blocking: the worker calls it off the async runtime.
    ///
    /// # Errors
    /// A classified [`EngineError`].
    fn prove_groth16(
        &self,
        circuit_id: &str,
        zkey: &Path,
        witness: &[Fr],
    ) -> Result<Proved, EngineError>;

    /// The circuits whose keys this device holds loaded (the worker prefers their jobs).
    fn resident_keys(&self) -> Vec<String> {
        Vec::new()
    }

    /// [`ProofEngine::prove_groth16`] that gives up at its next phase boundary once `stop` is
    /// set (cancellation, preemption), returning `Ok(None)`. The default checks `stop` only
    /// before proving; [`BackendEngine`] checks it between the prover's phases.
    ///
    /// # Errors
    /// A classified [`EngineError`].
    fn prove_groth16_until(
        &self,
        circuit_id: &str,
        zkey: &Path,
        witness: &[Fr],
        stop: &AtomicBool,
    ) -> Result<Option<Proved>, EngineError> {
        if stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        self.prove_groth16(circuit_id, zkey, witness).map(Some)
    }
}

/// Loaded keys, most recently used last, with their sizes.
type Cache<B> = Vec<(String, u64, Arc<Groth16Prover<B>>)>;

/// The Groth16 prover on backend `B`, with an LRU key cache of `budget_bytes` (a key counts its
/// file's size; the most recent key is kept even when it alone exceeds the budget).
pub struct BackendEngine<B: Groth16Backend> {
    device: String,
    reference: bool,
    budget_bytes: u64,
    cache: Mutex<Cache<B>>,
}

impl<B: Groth16Backend> core::fmt::Debug for BackendEngine<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BackendEngine").field("device", &self.device).finish()
    }
}

impl<B: Groth16Backend> BackendEngine<B> {
    /// An engine named `device`; `reference` for the CPU backend.
    pub fn new(device: impl Into<String>, reference: bool, budget_bytes: u64) -> Self {
        Self { device: device.into(), reference, budget_bytes, cache: Mutex::new(Vec::new()) }
    }

    /// The ids of the cached keys, least recently used first.
    pub fn cached(&self) -> Vec<String> {
        self.lock().iter().map(|(id, _, _)| id.clone()).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache<B>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The loaded key of `circuit_id`, and whether it was cached.
    fn key(
        &self,
        circuit_id: &str,
        zkey: &Path,
    ) -> Result<(Arc<Groth16Prover<B>>, bool), EngineError> {
        {
            let mut cache = self.lock();
            if let Some(i) = cache.iter().position(|(id, _, _)| id == circuit_id) {
                let entry = cache.remove(i);
                let prover = entry.2.clone();
                cache.push(entry);
                return Ok((prover, true));
            }
        }
        let size = std::fs::metadata(zkey).map(|m| m.len()).unwrap_or(0);
        let prover = Arc::new(Groth16Prover::<B>::load_for(zkey, KeyUse::ManyProofs)?);
        let mut cache = self.lock();
        cache.push((circuit_id.to_string(), size, prover.clone()));
        let mut total: u64 = cache.iter().map(|e| e.1).sum();
        while total > self.budget_bytes && cache.len() > 1 {
            total -= cache.remove(0).1;
        }
        Ok((prover, false))
    }
}

impl<B> ProofEngine for BackendEngine<B>
where
    B: Groth16Backend + Send + Sync + 'static,
    Groth16Prover<B>: Send + Sync,
{
    fn device(&self) -> String {
        self.device.clone()
    }

    fn is_reference(&self) -> bool {
        self.reference
    }

    fn resident_keys(&self) -> Vec<String> {
        self.cached()
    }

    fn prove_groth16(
        &self,
        circuit_id: &str,
        zkey: &Path,
        witness: &[Fr],
    ) -> Result<Proved, EngineError> {
        let (prover, cache_hit) = self.key(circuit_id, zkey)?;
        let proof = prover.prove(witness)?;
        Ok(Proved { proof, cache_hit })
    }

    fn prove_groth16_until(
        &self,
        circuit_id: &str,
        zkey: &Path,
        witness: &[Fr],
        stop: &AtomicBool,
    ) -> Result<Option<Proved>, EngineError> {
        let (prover, cache_hit) = self.key(circuit_id, zkey)?;
        let proof = prover.prove_until(witness, &|| stop.load(Ordering::SeqCst))?;
        Ok(proof.map(|proof| Proved { proof, cache_hit }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use zkprove_groth16::setup::{mul_chain, setup};
    use zkprove_poly::CpuBackend;

    #[test]
    fn lru_cache_within_budget() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut paths = Vec::new();
        let mut witnesses = Vec::new();
        for seed in 0..3u64 {
            let (r1cs, w) = mul_chain(3, &mut StdRng::seed_from_u64(seed)).expect("chain");
            let zkey = setup(&r1cs, &mut StdRng::seed_from_u64(seed + 10)).expect("setup");
            let path = dir.path().join(format!("{seed}.zkey"));
            zkey.write(&path).expect("write");
            paths.push(path);
            witnesses.push(w);
        }
        let size = std::fs::metadata(&paths[0]).expect("meta").len();
        // Room for two keys.
        let engine = BackendEngine::<CpuBackend>::new("cpu", true, 2 * size + size / 2);
        let prove = |i: usize| {
            engine.prove_groth16(&format!("k{i}"), &paths[i], &witnesses[i]).expect("prove")
        };
        assert!(!prove(0).cache_hit);
        assert!(prove(0).cache_hit);
        assert!(!prove(1).cache_hit);
        assert!(prove(0).cache_hit);
        assert!(!prove(2).cache_hit); // evicts k1, the least recently used
        assert_eq!(engine.cached(), ["k0", "k2"]);
        // A witness of the wrong length is bad input.
        let err = engine.prove_groth16("k0", &paths[0], &witnesses[0][1..]).expect_err("short");
        assert_eq!(err.class, FailureClass::BadInput);
    }

    /// `prove_until` stops at each of its phase boundaries when asked, and otherwise proves.
    #[test]
    fn prove_until_stops_at_each_phase_boundary() {
        use std::sync::atomic::AtomicUsize;
        let (r1cs, w) = mul_chain(5, &mut StdRng::seed_from_u64(3)).expect("chain");
        let zkey = setup(&r1cs, &mut StdRng::seed_from_u64(4)).expect("setup");
        let vk = zkprove_groth16::verification_key(&zkey.header, &zkey.ic);
        let prover = Groth16Prover::<CpuBackend>::from_zkey(zkey).expect("prover");
        let asked = AtomicUsize::new(0);
        let never = || {
            asked.fetch_add(1, Ordering::SeqCst);
            false
        };
        let proof = prover.prove_until(&w, &never).expect("prove").expect("not stopped");
        let n_public = vk.n_public as usize;
        zkprove_groth16::verify(&vk, &w[1..=n_public], &proof).expect("verifies");
        let boundaries = asked.load(Ordering::SeqCst);
        assert_eq!(boundaries, 6);
        for k in 1..=boundaries {
            let asked = AtomicUsize::new(0);
            let at_k = || asked.fetch_add(1, Ordering::SeqCst) + 1 == k;
            assert!(prover.prove_until(&w, &at_k).expect("prove").is_none(), "boundary {k}");
            assert_eq!(asked.load(Ordering::SeqCst), k, "stopped at boundary {k}");
        }
        // Through the engine: a set flag proves nothing.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("k.zkey");
        setup(&r1cs, &mut StdRng::seed_from_u64(4)).expect("setup").write(&path).expect("write");
        let engine = BackendEngine::<CpuBackend>::new("cpu", true, 1 << 30);
        let stop = AtomicBool::new(true);
        assert!(engine.prove_groth16_until("k", &path, &w, &stop).expect("prove").is_none());
        stop.store(false, Ordering::SeqCst);
        assert!(engine.prove_groth16_until("k", &path, &w, &stop).expect("prove").is_some());
    }
}
