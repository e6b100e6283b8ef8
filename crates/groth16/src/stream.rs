//! Proofs of a sequence of witnesses with the device kept busy between them
//! ([`Groth16Prover::prove_stream`]).
//!
//! On a GPU backend a proof is queued (witness upload, quotient, five MSMs started with
//! [`zkprove_curve::MsmOps::msm_enqueue`], the read-backs of their window sums) and waited for
//! later ([`crate::PendingProof::finish`]). The stream keeps two proofs in flight: before it waits for
//! proof `k` it has pulled witness `k + 1` and queued its proof, so
//! - the device goes from proof `k`'s kernels straight to proof `k + 1`'s (proof `k`'s read-backs
//!   are queued before them and are not held up by them);
//! - the host's share of proof `k` — combining the window sums, blinding, verifying the proof on
//!   the CPU — and whatever the caller does with it (writing files, reading the next witness) run
//!   while the device computes proof `k + 1`;
//! - on CUDA, witness `k + 2`'s upload (on the transfer stream) runs beside proof `k + 1`'s kernels.
//!
//! On OpenCL (one in-order queue) an upload waits for the kernels queued before it, so only the
//! host's work overlaps the device's. The CPU backend computes each proof when it is pulled,
//! one at a time (its backend is not [`zkprove_poly::Backend::ASYNC`]). A proof that cannot be
//! queued while another is in flight because the device ran out of memory is tried again once that
//! one is done, alone on the device; its error is reported only if it fails then too. Any other
//! error is reported at once (retrying a driver failure or a bad witness cannot succeed).

use std::collections::VecDeque;

use tracing::info_span;
use zkprove_field::bn254::Fr;

use crate::prover::{PendingProof, blind, random_blinding};
use crate::{Groth16Backend, Groth16Error, Groth16Prover, Proof};

/// Proofs in flight at once: the one being waited for and the one queued behind it.
const DEPTH: usize = 2;

/// A proof pulled from the witnesses and started.
struct InFlight<B: Groth16Backend> {
    /// The MSMs (queued or computed), or why the proof could not be started.
    started: Result<PendingProof<B>, Groth16Error>,
    /// The witness's public signals, for the verification (the witness itself may be gone).
    public: Vec<Fr>,
}

/// The proofs of a sequence of witnesses, in order: see [`Groth16Prover::prove_stream`].
pub struct ProofStream<'p, B: Groth16Backend, I: Iterator> {
    prover: &'p Groth16Prover<B>,
    witnesses: I,
    verify: bool,
    in_flight: VecDeque<InFlight<B>>,
    /// A witness whose proof could not be queued behind another: started again when the stream
    /// has nothing in flight.
    retry: Option<I::Item>,
}

impl<B: Groth16Backend, I: Iterator> core::fmt::Debug for ProofStream<'_, B, I> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProofStream")
            .field("verify", &self.verify)
            .field("in_flight", &self.in_flight.len())
            .finish()
    }
}

impl<B: Groth16Backend> Groth16Prover<B> {
    /// The proofs of `witnesses`, in order, as an iterator: each item is the proof of the witness
    /// at the same position, or why there is none (a witness of the wrong length, a backend error,
    /// and with `verify` a proof that does not verify — an unsatisfied witness). An error ends
    /// nothing: the next item is the next witness's proof.
    ///
    /// Witnesses are pulled one ahead: on a GPU backend the next proof is queued on the device
    /// before the current one is waited for, so the device runs proofs back to back while the
    /// host finishes, verifies and hands over the previous one (see the module docs of
    /// `stream.rs`). The CPU backend proves each witness when it is pulled. Each proof gets fresh
    /// blinding factors, as [`Groth16Prover::prove`]; `verify` checks each against the key's
    /// verification key, as [`Groth16Prover::prove_verified`].
    pub fn prove_stream<I>(&self, witnesses: I, verify: bool) -> ProofStream<'_, B, I::IntoIter>
    where
        I: IntoIterator,
        I::Item: AsRef<[Fr]>,
    {
        ProofStream {
            prover: self,
            witnesses: witnesses.into_iter(),
            verify,
            in_flight: VecDeque::with_capacity(DEPTH),
            retry: None,
        }
    }

    /// Starts the proof of one witness: its length checked, its public signals kept.
    fn start(&self, witness: &[Fr]) -> InFlight<B> {
        let _span = info_span!("prove_start", n_vars = self.header().n_vars).entered();
        match self.check_witness(witness) {
            Ok(()) => {
                let n_public = self.header().n_public as usize;
                InFlight { started: self.enqueue(witness), public: witness[1..=n_public].to_vec() }
            }
            Err(e) => InFlight { started: Err(e), public: Vec::new() },
        }
    }

    /// Waits for a started proof, blinds it and (with `verify`) verifies it.
    fn complete(&self, f: InFlight<B>, verify: bool) -> Result<Proof, Groth16Error> {
        let msms = f.started?.finish()?;
        let (r, s) = random_blinding();
        let proof = blind(self.header(), msms, r, s);
        if verify {
            let _span = info_span!("verify").entered();
            crate::verify(self.verification_key(), &f.public, &proof)?;
        }
        Ok(proof)
    }
}

impl<B: Groth16Backend, I> ProofStream<'_, B, I>
where
    I: Iterator,
    I::Item: AsRef<[Fr]>,
{
    /// Pulls witnesses and starts their proofs while fewer than [`DEPTH`] are in flight and the
    /// backend queues its work (on the CPU a proof is computed when started: nothing to overlap it
    /// with, so the next one is not started early) and all in flight were queued.
    fn fill(&mut self) {
        let depth = if B::ASYNC { DEPTH } else { 1 };
        while self.in_flight.len() < depth && self.in_flight.iter().all(|f| f.started.is_ok()) {
            let witness = match self.retry.take().or_else(|| self.witnesses.next()) {
                Some(w) => w,
                None => return,
            };
            let f = self.prover.start(witness.as_ref());
            let queue_full =
                matches!(&f.started, Err(e) if e.is_out_of_memory()) && !self.in_flight.is_empty();
            if queue_full {
                // The device's memory, held by the proof in flight: try again alone.
                self.retry = Some(witness);
                return;
            }
            self.in_flight.push_back(f);
        }
    }
}

impl<B: Groth16Backend, I> Iterator for ProofStream<'_, B, I>
where
    I: Iterator,
    I::Item: AsRef<[Fr]>,
{
    type Item = Result<Proof, Groth16Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.fill();
        let f = self.in_flight.pop_front()?;
        Some(self.prover.complete(f, self.verify))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (lo, hi) = self.witnesses.size_hint();
        let held = self.in_flight.len() + usize::from(self.retry.is_some());
        (lo.saturating_add(held), hi.and_then(|h| h.checked_add(held)))
    }
}
