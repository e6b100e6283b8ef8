//! The WHIR prover and verifier.

use core::marker::PhantomData;

use rayon::prelude::*;

use zkprove_field::{ExtensionField, PrimeField64, TwoAdicField};
use zkprove_hash::{MerkleHash, MerklePath, MerkleTree, Transcript};
use zkprove_poly::Mle;

use crate::WhirError;
use crate::params::{SoundnessType, WhirConfig, WhirParams};
use crate::utils::{
    accumulate_eq, accumulate_eq_batch, check_pow, encode, encode_evals, eq_eval, eq_tensor,
    eval_ml_coeffs, evals_to_coeffs, fold_evals, fold_row, grind, horner, horner_base_blocked,
    mle_at_pow, pow_point, reverse_bits, round_poly, sample_queries,
};

/// A commitment: the Merkle root of the first codeword and the answers to the out-of-domain
/// samples drawn right after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhirCommitment<E, D> {
    /// Root of the Merkle tree over the codeword's leaves.
    pub root: D,
    /// `f̂(pow(z_j))` for the out-of-domain points `z_j` drawn from the transcript.
    pub ood_answers: Vec<E>,
}

/// What the prover keeps between commit and open.
#[derive(Clone, Debug)]
pub struct WhirWitness<F: PrimeField64, E, H: MerkleHash<F = F>> {
    tree: MerkleTree<H>,
    evals: Vec<F>,
    ood_points: Vec<E>,
}

/// A commitment as the verifier received it: root, out-of-domain points and answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedCommitment<E, D> {
    /// Root of the first codeword's tree.
    pub root: D,
    /// The out-of-domain points, drawn from the transcript.
    pub ood_points: Vec<E>,
    /// The prover's answers at those points.
    pub ood_answers: Vec<E>,
}

/// What [`Whir::commit`] returns: the commitment (for the verifier) and the witness (kept).
pub type Committed<F, E, H> = (WhirCommitment<E, <H as MerkleHash>::Digest>, WhirWitness<F, E, H>);

/// What [`Whir::open`] returns: the value at the point and the proof.
pub type Opened<F, E, H> = (E, WhirProof<F, E, <H as MerkleHash>::Digest>);

/// What [`Whir::open_many`] returns: the value at each point and the proof.
pub type OpenedMany<F, E, H> = (Vec<E>, WhirProof<F, E, <H as MerkleHash>::Digest>);

/// An opened leaf: its row of base-field elements and its authentication path.
pub type QueryOpening<F, D> = (Vec<F>, MerklePath<D>);

/// The messages of one WHIR round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhirRoundProof<F, E, D> {
    /// The `k` sumcheck polynomials `[h₀, h₁, h₂]`.
    pub sumcheck: Vec<[E; 3]>,
    /// A proof-of-work nonce per sumcheck polynomial (zero when none is required).
    pub folding_pow: Vec<F>,
    /// Root of the next codeword's tree (`None` in the last round).
    pub next_root: Option<D>,
    /// Answers at the next codeword's out-of-domain points.
    pub ood_answers: Vec<E>,
    /// Proof-of-work nonce before the queries (zero when none is required).
    pub query_pow: F,
    /// The opened leaves of this round's codeword, in increasing index order.
    pub openings: Vec<QueryOpening<F, D>>,
}

/// A WHIR opening proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhirProof<F, E, D> {
    /// Proof-of-work nonce before the first combination challenge (zero when none is required).
    pub combination_pow: F,
    /// One entry per round.
    pub rounds: Vec<WhirRoundProof<F, E, D>>,
    /// Coefficients of the final polynomial (`2^final_vars`, internal variable order).
    pub final_poly: Vec<E>,
}

impl<F: PrimeField64, E: ExtensionField<F>, D: AsRef<[F]>> WhirProof<F, E, D> {
    /// The number of base-field elements in the proof (sumcheck polynomials, nonces, roots,
    /// OOD answers, opened rows, Merkle siblings, final polynomial).
    pub fn n_base_elements(&self) -> usize {
        let d = E::DEGREE;
        let mut total = self.final_poly.len() * d + 1;
        for r in &self.rounds {
            total += r.sumcheck.len() * 3 * d + r.folding_pow.len() + 1;
            total += r.next_root.as_ref().map_or(0, |x| x.as_ref().len()) + r.ood_answers.len() * d;
            for (row, path) in &r.openings {
                total += row.len() + path.siblings.iter().map(|x| x.as_ref().len()).sum::<usize>();
            }
        }
        total
    }

    /// Proof size in bytes with each base-field element in `⌈log2 p / 8⌉` bytes (4 for BabyBear,
    /// 8 for Goldilocks), no further compression (every Merkle path in full).
    pub fn size_bytes(&self) -> usize {
        self.n_base_elements() * (F::NUM_BITS as usize).div_ceil(8)
    }
}

/// A WHIR instance: derived parameters and the Merkle hash.
///
/// `F` is the two-adic base field of the committed values, `E` the extension the challenges live
/// in, `H` the Merkle hash over rows of `F` (its digests are observed by the transcript).
#[derive(Clone, Debug)]
pub struct Whir<F, E, H> {
    config: WhirConfig,
    hasher: H,
    _fields: PhantomData<(F, E)>,
}

/// One linear constraint of the verifier's running weight: `coeff · eq(point, ·)` over the
/// variables that were left when it was added (the first of them is folding variable `start`).
struct Term<E> {
    coeff: E,
    point: Vec<E>,
    start: usize,
}

impl<F, E, H> Whir<F, E, H>
where
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
{
    /// Derives the configuration for these parameters over `F` and `E`.
    ///
    /// # Errors
    /// [`WhirError::Params`] as [`WhirConfig::new`].
    pub fn new(params: WhirParams, hasher: H) -> Result<Self, WhirError> {
        Self::with_domain_reduction(params, 1, hasher)
    }

    /// As [`Whir::new`], with the evaluation domain shrinking by `2^domain_reduction` from one
    /// round's codeword to the next ([`WhirConfig::with_domain_reduction`]).
    ///
    /// # Errors
    /// [`WhirError::Params`] as [`WhirConfig::with_domain_reduction`].
    pub fn with_domain_reduction(
        params: WhirParams,
        domain_reduction: usize,
        hasher: H,
    ) -> Result<Self, WhirError> {
        let config = WhirConfig::with_domain_reduction(
            params,
            domain_reduction,
            F::ORDER_U64,
            E::DEGREE,
            F::TWO_ADICITY,
        )?;
        Ok(Self { config, hasher, _fields: PhantomData })
    }

    /// This instance for openings at `n_points` points at once ([`Whir::open_many`],
    /// [`WhirConfig::with_points`]).
    ///
    /// # Errors
    /// [`WhirError::Params`] as [`WhirConfig::with_points`].
    pub fn with_points(mut self, n_points: usize) -> Result<Self, WhirError> {
        self.config = self.config.with_points(n_points, F::ORDER_U64)?;
        Ok(self)
    }

    /// The derived configuration.
    pub fn config(&self) -> &WhirConfig {
        &self.config
    }

    fn k(&self) -> usize {
        self.config.params.folding_factor
    }

    /// Commits to a multilinear polynomial given by its `2^n` hypercube values ([`Mle`] order):
    /// coefficients (Möbius transform), Reed–Solomon codeword on the subgroup of order
    /// `2^(n + r)` (NTT), Merkle tree over leaves of `2^k` values that fold together; the root is
    /// observed, then out-of-domain points are drawn and the answers observed.
    ///
    /// # Errors
    /// [`WhirError::WrongLength`] unless there are `2^n` values; NTT or Merkle errors.
    pub fn commit<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        poly: &Mle<F>,
    ) -> Result<Committed<F, E, H>, WhirError> {
        self.commit_evals(transcript, poly.evals().to_vec())
    }

    /// [`Whir::commit`] of the hypercube values `evals` ([`Mle`] order), taken by value: the
    /// witness keeps them, with no copy. The codeword is built in its own buffer (values,
    /// Möbius transform and NTT in place), and the out-of-domain answers are the multilinear
    /// extension's values at `(z, z², z⁴, …)`, read from `evals` (no coefficient table kept).
    ///
    /// # Errors
    /// As [`Whir::commit`].
    pub fn commit_evals<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        evals: Vec<F>,
    ) -> Result<Committed<F, E, H>, WhirError> {
        let n = self.config.params.log_n;
        if evals.len() != 1 << n {
            return Err(WhirError::WrongLength {
                what: "polynomial",
                expected: 1 << n,
                got: evals.len(),
            });
        }
        let log_domain = self.config.rounds[0].log_domain;
        let rows = encode_evals(&evals, log_domain)?;
        let tree = MerkleTree::commit(self.hasher.clone(), rows, 1 << self.k())?;
        let root = tree.root();
        self.observe_instance(transcript);
        transcript.observe_slice(root.as_ref());
        let ood_points: Vec<E> =
            (0..self.config.commit_ood).map(|_| transcript.sample_ext()).collect();
        let ood_answers: Vec<E> = mle_at_pow(&evals, &ood_points);
        for a in &ood_answers {
            transcript.observe_ext(a);
        }
        let commitment = WhirCommitment { root, ood_answers };
        Ok((commitment, WhirWitness { tree, evals, ood_points }))
    }

    /// Binds the instance into the transcript before a commitment's root: a tag, the
    /// parameters `(n, r, k, λ, max grinding, decoding assumption)`, the extension's degree and
    /// the domain reduction. A proof made under other parameters (fewer queries or less grinding
    /// for a weaker target, another assumption) then draws other challenges, so it cannot be
    /// replayed against a verifier that expects these ones (weak Fiat–Shamir).
    fn observe_instance<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
    ) {
        let p = &self.config.params;
        let soundness = match p.soundness {
            SoundnessType::UniqueDecoding => 1,
            SoundnessType::ProvableList => 2,
            SoundnessType::ConjectureList => 3,
        };
        // "WHIR" as a little-endian 32-bit tag, then one element per parameter.
        let fields = [
            u64::from(u32::from_le_bytes(*b"WHIR")),
            p.log_n as u64,
            p.log_inv_rate as u64,
            p.folding_factor as u64,
            p.security_bits as u64,
            p.max_pow_bits as u64,
            soundness,
            E::DEGREE as u64,
            self.config.domain_reduction as u64,
        ];
        for v in fields {
            transcript.observe(F::from_u64(v));
        }
        // Openings at several points (absent for one, so one-point transcripts are unchanged).
        if self.config.n_points != 1 {
            transcript.observe(F::from_u64(self.config.n_points as u64));
        }
    }

    /// The verifier's side of [`Whir::commit`]: observes the root, draws the out-of-domain
    /// points and observes the answers, on a transcript in the state the prover's was in.
    ///
    /// # Errors
    /// [`WhirError::WrongLength`] for a wrong number of OOD answers.
    pub fn receive_commitment<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        commitment: &WhirCommitment<E, H::Digest>,
    ) -> Result<ReceivedCommitment<E, H::Digest>, WhirError> {
        if commitment.ood_answers.len() != self.config.commit_ood {
            return Err(WhirError::WrongLength {
                what: "commitment OOD answers",
                expected: self.config.commit_ood,
                got: commitment.ood_answers.len(),
            });
        }
        self.observe_instance(transcript);
        transcript.observe_slice(commitment.root.as_ref());
        let ood_points: Vec<E> =
            (0..self.config.commit_ood).map(|_| transcript.sample_ext()).collect();
        for a in &commitment.ood_answers {
            transcript.observe_ext(a);
        }
        Ok(ReceivedCommitment {
            root: commitment.root,
            ood_points,
            ood_answers: commitment.ood_answers.clone(),
        })
    }

    /// Proves `f(point) = value` for the committed `f` (`point` in [`Mle`] order: the first
    /// coordinate is the most significant index bit) and returns the value with the proof.
    ///
    /// # Errors
    /// [`WhirError::WrongLength`] for a point of the wrong dimension, or an instance made for
    /// several points ([`Whir::with_points`]); NTT/Merkle errors.
    pub fn open<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        witness: &WhirWitness<F, E, H>,
        point: &[E],
    ) -> Result<Opened<F, E, H>, WhirError> {
        let (values, proof) = self.open_many(transcript, witness, &[point])?;
        Ok((values[0], proof))
    }

    /// Proves `f(points[i]) = values[i]` for the committed `f` and every point ([`Mle`] order),
    /// in one proof, and returns the values with it: the first combination challenge `γ`
    /// merges the claims (weight `Σ_i γ^i·eq(points[i], ·)`, then the OOD constraints), and the
    /// rest is the one-point protocol. The instance must be made for this many points
    /// ([`Whir::with_points`]; its soundness accounts for them). A point whose leading
    /// coordinates are 0 or 1 (a claim on one aligned block of the values, e.g. one of several
    /// polynomials stacked into `f`) costs only that block's size.
    ///
    /// # Errors
    /// [`WhirError::WrongLength`] for a point of the wrong dimension or a number of points
    /// other than the instance's; NTT/Merkle errors.
    pub fn open_many<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        witness: &WhirWitness<F, E, H>,
        points: &[&[E]],
    ) -> Result<OpenedMany<F, E, H>, WhirError> {
        self.open_many_inner(transcript, witness, points, true)
    }

    /// [`Whir::open_many`], skipping the all-zero chunks in round 0 or not (the tests' oracle:
    /// both give the same proof).
    fn open_many_inner<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        witness: &WhirWitness<F, E, H>,
        points: &[&[E]],
        skip_zero_chunks: bool,
    ) -> Result<OpenedMany<F, E, H>, WhirError> {
        let cfg = &self.config;
        let n = cfg.params.log_n;
        let k = self.k();
        if points.len() != cfg.n_points {
            return Err(WhirError::WrongLength {
                what: "points",
                expected: cfg.n_points,
                got: points.len(),
            });
        }
        if let Some(p) = points.iter().find(|p| p.len() != n) {
            return Err(WhirError::WrongLength { what: "point", expected: n, got: p.len() });
        }
        if witness.evals.len() != 1 << n {
            return Err(WhirError::WrongLength {
                what: "witness",
                expected: 1 << n,
                got: witness.evals.len(),
            });
        }
        // The weight is `w = Σ_i g_i·eq(p_i, ·)` over the points and the commitment's OOD
        // points (internal order). Round 0 never builds it: `f` is read in chunks of `2^c`
        // values (`c ≥ k`), where `eq(p, (b_lo, q)) = eq(p_lo, b_lo)·eq(p_hi, q)` is a small
        // table per point times one scalar per chunk (`eq_pair_sums`). Chunks of `f` that are
        // all zero (the zero-padded columns of a stacked trace, the unused tail of a
        // multi-table layout) add nothing to any round-0 sum and stay zero through its `k`
        // folds, so round 0 reads the other chunks only; afterwards `f` is expanded with zeros
        // and `w` is built at `2^(n−k)` values from its tensor form at the folding challenges.
        // The proof is the same either way.
        let c = n.saturating_sub(LIVE_CHUNKS_LOG).max(k).min(n);
        let live: Vec<usize> = witness
            .evals
            .par_chunks(1 << c)
            .enumerate()
            .filter(|(_, chunk)| !skip_zero_chunks || chunk.iter().any(|x| !x.is_zero()))
            .map(|(q, _)| q)
            .collect();
        // Every point of the weight in internal order (the claims', then the commitment's OOD
        // points) and its factor `eq(p[c..], q)` on each live chunk.
        let mut eq_points: Vec<Vec<E>> =
            points.iter().map(|p| p.iter().rev().copied().collect()).collect();
        eq_points.extend(witness.ood_points.iter().map(|&z| pow_point(z, n)));
        let highs: Vec<Vec<E>> =
            eq_points.iter().map(|p| live.iter().map(|&q| eq_high(&p[c..], q)).collect()).collect();
        // f stays in the base field through round 0, which reads the live chunks only: one pass
        // gives each point's table of `2^k` sums over the rest of the hypercube
        // ([`eq_block_sums`]), from which every step's sums follow, and one more pass folds
        // all `k` variables at once ([`fold_low`]).
        let mut blocks = eq_block_sums(&witness.evals, &live, c, k, &eq_points, &highs);
        let mut sums = pair_sums_from_blocks(&blocks, &eq_points, 0, k);
        let values: Vec<E> =
            (0..points.len()).map(|i| sums[i].0 + eq_points[i][0] * sums[i].1).collect();
        for point in points {
            for x in *point {
                transcript.observe_ext(x);
            }
        }
        for v in &values {
            transcript.observe_ext(v);
        }
        let combination_pow = grind(transcript, &self.hasher, cfg.combination_pow_bits)?;
        let gamma: E = transcript.sample_ext();
        // Each point's coefficient in w: γ^i, times eq(p[..s], α) once s variables are folded.
        let mut g = E::ONE;
        let mut scales: Vec<E> = eq_points
            .iter()
            .map(|_| {
                let s = g;
                g *= gamma;
                s
            })
            .collect();
        let mut f: Vec<E> = Vec::new();
        let mut w: Vec<E> = Vec::new();
        let mut alphas0: Vec<E> = Vec::with_capacity(k);
        let mut tree = witness.tree.clone();
        let mut rounds = Vec::with_capacity(cfg.rounds.len());
        let mut final_poly = Vec::new();
        for (i, rc) in cfg.rounds.iter().enumerate() {
            let last = i + 1 == cfg.rounds.len();
            let mut sumcheck = Vec::with_capacity(k);
            let mut folding_pow = Vec::with_capacity(k);
            for step in 0..k {
                let h = if i == 0 {
                    // Round 0 never builds w nor folds f step by step: each point's sums at
                    // this step come from its table of 2^k block sums, folded so far.
                    if step > 0 {
                        sums = pair_sums_from_blocks(&blocks, &eq_points, step, k);
                    }
                    round_poly_from_sums(&sums, &eq_points, &scales, step)
                } else {
                    round_poly(&f, &w)
                };
                for x in &h {
                    transcript.observe_ext(x);
                }
                folding_pow.push(grind(transcript, &self.hasher, rc.folding_pow_bits)?);
                let alpha: E = transcript.sample_ext();
                if i == 0 {
                    alphas0.push(alpha);
                    for b in &mut blocks {
                        *b = fold_evals(b, alpha);
                    }
                    for (g, p) in scales.iter_mut().zip(&eq_points) {
                        *g *= eq_eval(&p[step..=step], &[alpha]);
                    }
                } else {
                    f = fold_evals(&f, alpha);
                    w = fold_evals(&w, alpha);
                }
                sumcheck.push(h);
            }
            if i == 0 {
                // The folded f on the whole (folded) domain, zero off the live chunks, and w
                // is Σ_i γ^i·eq(p_i[..k], α)·eq(p_i[k..], ·).
                f = fold_low(&witness.evals, &live, c, &eq_tensor(&alphas0, E::ONE));
                w = vec![E::ZERO; 1 << (n - k)];
                for (p, &g) in eq_points.iter().zip(&scales) {
                    accumulate_eq(&mut w, &p[k..], g);
                }
            }
            // Coefficients of the folded polynomial, from its values (additions only).
            let mut c = f.clone();
            evals_to_coeffs(&mut c);
            let m_next = rc.n_vars - k;
            let mut next_tree = None;
            let mut ood_points = Vec::new();
            let mut ood_answers = Vec::new();
            if last {
                for x in &c {
                    transcript.observe_ext(x);
                }
                final_poly = c;
            } else {
                let next_domain = cfg.rounds.get(i + 1).map_or(rc.log_domain - 1, |r| r.log_domain);
                let rows = encode::<F, E>(&c, next_domain)?;
                let t = MerkleTree::commit(self.hasher.clone(), rows, (1 << k) * E::DEGREE)?;
                transcript.observe_slice(t.root().as_ref());
                ood_points =
                    (0..rc.n_ood).map(|_| transcript.sample_ext::<E>()).collect::<Vec<_>>();
                ood_answers =
                    ood_points.iter().map(|&z| horner_base_blocked(&c, z)).collect::<Vec<_>>();
                for a in &ood_answers {
                    transcript.observe_ext(a);
                }
                next_tree = Some(t);
            }
            let query_pow = grind(transcript, &self.hasher, rc.query_pow_bits)?;
            let indices = sample_queries(transcript, rc.n_queries, rc.log_domain - k)?;
            let openings = indices.iter().map(|&t| tree.open(t)).collect::<Result<Vec<_>, _>>()?;
            if let Some(t) = next_tree {
                let gamma: E = transcript.sample_ext();
                let omega_k = domain_generator::<F>(rc.log_domain)?.pow(1 << k);
                let mut g = gamma;
                for &z in &ood_points {
                    accumulate_eq(&mut w, &pow_point(z, m_next), g);
                    g *= gamma;
                }
                // Query points lie in F: their eq tables are built in the base field, and
                // added to w all at once.
                let mut points = Vec::with_capacity(indices.len());
                let mut gs = Vec::with_capacity(indices.len());
                for &b in &indices {
                    let y = omega_k.pow(reverse_bits(b, rc.log_domain - k) as u64);
                    points.push(pow_point(y, m_next));
                    gs.push(g);
                    g *= gamma;
                }
                accumulate_eq_batch(&mut w, &points, &gs);
                rounds.push(WhirRoundProof {
                    sumcheck,
                    folding_pow,
                    next_root: Some(t.root()),
                    ood_answers,
                    query_pow,
                    openings,
                });
                tree = t;
            } else {
                rounds.push(WhirRoundProof {
                    sumcheck,
                    folding_pow,
                    next_root: None,
                    ood_answers,
                    query_pow,
                    openings,
                });
            }
        }
        Ok((values, WhirProof { combination_pow, rounds, final_poly }))
    }

    /// Checks a proof that the committed polynomial takes `value` at `point` ([`Mle`] order),
    /// replaying the prover's transcript.
    ///
    /// # Errors
    /// The first check that fails: [`WhirError::WrongLength`] / [`WhirError::ProofShape`] for a
    /// malformed proof, [`WhirError::SumcheckRound`], [`WhirError::ProofOfWork`],
    /// [`WhirError::MerklePath`], [`WhirError::QueryAnswer`], [`WhirError::FinalPoly`],
    /// [`WhirError::FinalClaim`].
    pub fn verify<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        commitment: &ReceivedCommitment<E, H::Digest>,
        point: &[E],
        value: E,
        proof: &WhirProof<F, E, H::Digest>,
    ) -> Result<(), WhirError> {
        self.verify_many(transcript, commitment, &[point], &[value], proof)
    }

    /// Checks a proof of [`Whir::open_many`]: the committed polynomial takes `values[i]` at
    /// `points[i]` for every `i`.
    ///
    /// # Errors
    /// As [`Whir::verify`]; [`WhirError::WrongLength`] for a number of points or values other
    /// than the instance's.
    pub fn verify_many<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        commitment: &ReceivedCommitment<E, H::Digest>,
        points: &[&[E]],
        values: &[E],
        proof: &WhirProof<F, E, H::Digest>,
    ) -> Result<(), WhirError> {
        let cfg = &self.config;
        let n = cfg.params.log_n;
        let k = self.k();
        let d = E::DEGREE;
        if points.len() != cfg.n_points || values.len() != cfg.n_points {
            return Err(WhirError::WrongLength {
                what: "points",
                expected: cfg.n_points,
                got: if points.len() != cfg.n_points { points.len() } else { values.len() },
            });
        }
        if let Some(p) = points.iter().find(|p| p.len() != n) {
            return Err(WhirError::WrongLength { what: "point", expected: n, got: p.len() });
        }
        if proof.rounds.len() != cfg.rounds.len() {
            return Err(WhirError::WrongLength {
                what: "rounds",
                expected: cfg.rounds.len(),
                got: proof.rounds.len(),
            });
        }
        if commitment.ood_points.len() != cfg.commit_ood {
            return Err(WhirError::WrongLength {
                what: "commitment OOD points",
                expected: cfg.commit_ood,
                got: commitment.ood_points.len(),
            });
        }
        if commitment.ood_answers.len() != cfg.commit_ood {
            return Err(WhirError::WrongLength {
                what: "commitment OOD answers",
                expected: cfg.commit_ood,
                got: commitment.ood_answers.len(),
            });
        }
        for point in points {
            for x in *point {
                transcript.observe_ext(x);
            }
        }
        for v in values {
            transcript.observe_ext(v);
        }
        if !check_pow(transcript, &self.hasher, cfg.combination_pow_bits, proof.combination_pow) {
            return Err(WhirError::ProofOfWork { round: 0 });
        }
        let gamma: E = transcript.sample_ext();
        let mut terms = Vec::with_capacity(points.len() + cfg.commit_ood);
        let mut claim = E::ZERO;
        let mut g = E::ONE;
        for (point, &value) in points.iter().zip(values) {
            terms.push(Term { coeff: g, point: point.iter().rev().copied().collect(), start: 0 });
            claim += g * value;
            g *= gamma;
        }
        for (&z, &a) in commitment.ood_points.iter().zip(&commitment.ood_answers) {
            terms.push(Term { coeff: g, point: pow_point(z, n), start: 0 });
            claim += g * a;
            g *= gamma;
        }
        let mut alphas: Vec<E> = Vec::with_capacity(n);
        let mut root = commitment.root;
        for (i, (rc, rp)) in cfg.rounds.iter().zip(&proof.rounds).enumerate() {
            let last = i + 1 == cfg.rounds.len();
            if rp.sumcheck.len() != k || rp.folding_pow.len() != k {
                return Err(WhirError::ProofShape { what: "sumcheck rounds per WHIR round" });
            }
            for (step, (h, &nonce)) in rp.sumcheck.iter().zip(&rp.folding_pow).enumerate() {
                if h[0] + h[0] + h[1] + h[2] != claim {
                    return Err(WhirError::SumcheckRound { round: i, step });
                }
                for x in h {
                    transcript.observe_ext(x);
                }
                if !check_pow(transcript, &self.hasher, rc.folding_pow_bits, nonce) {
                    return Err(WhirError::ProofOfWork { round: i });
                }
                let alpha: E = transcript.sample_ext();
                claim = h[0] + alpha * (h[1] + alpha * h[2]);
                alphas.push(alpha);
            }
            let m_next = rc.n_vars - k;
            let mut ood_points = Vec::new();
            if last {
                if rp.next_root.is_some() || !rp.ood_answers.is_empty() {
                    return Err(WhirError::ProofShape { what: "commitment in the last round" });
                }
                if proof.final_poly.len() != 1 << cfg.final_vars {
                    return Err(WhirError::WrongLength {
                        what: "final polynomial",
                        expected: 1 << cfg.final_vars,
                        got: proof.final_poly.len(),
                    });
                }
                for x in &proof.final_poly {
                    transcript.observe_ext(x);
                }
            } else {
                let Some(next_root) = rp.next_root else {
                    return Err(WhirError::ProofShape { what: "missing commitment" });
                };
                if rp.ood_answers.len() != rc.n_ood {
                    return Err(WhirError::WrongLength {
                        what: "OOD answers",
                        expected: rc.n_ood,
                        got: rp.ood_answers.len(),
                    });
                }
                transcript.observe_slice(next_root.as_ref());
                ood_points =
                    (0..rc.n_ood).map(|_| transcript.sample_ext::<E>()).collect::<Vec<_>>();
                for a in &rp.ood_answers {
                    transcript.observe_ext(a);
                }
            }
            if !check_pow(transcript, &self.hasher, rc.query_pow_bits, rp.query_pow) {
                return Err(WhirError::ProofOfWork { round: i });
            }
            let indices = sample_queries(transcript, rc.n_queries, rc.log_domain - k)?;
            if rp.openings.len() != indices.len() {
                return Err(WhirError::WrongLength {
                    what: "query openings",
                    expected: indices.len(),
                    got: rp.openings.len(),
                });
            }
            // Values in row: 2^k base elements in round 0, 2^k extension elements after.
            let width = if i == 0 { 1 } else { d };
            let omega = domain_generator::<F>(rc.log_domain)?;
            let eta = omega.pow(1 << (rc.log_domain - k));
            let omega_k = omega.pow(1 << k);
            let round_alphas = &alphas[i * k..(i + 1) * k];
            let mut folded = Vec::with_capacity(indices.len());
            for (q, (&b, (row, path))) in indices.iter().zip(&rp.openings).enumerate() {
                if row.len() != (1 << k) * width {
                    return Err(WhirError::QueryAnswer { round: i, query: q });
                }
                MerkleTree::verify(&self.hasher, &root, rc.log_domain - k, b, row, path)
                    .map_err(|source| WhirError::MerklePath { round: i, query: q, source })?;
                let leaf: Vec<E> = if width == 1 {
                    row.iter().map(|&x| E::from_base(x)).collect()
                } else {
                    row.chunks(d)
                        .map(E::from_base_slice)
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|_| WhirError::QueryAnswer { round: i, query: q })?
                };
                // Leaf `b` holds the fiber over ω^(t·2^k), t = rev(b), in bit-reversed order.
                let vals: Vec<E> = (0..1 << k).map(|j| leaf[reverse_bits(j, k)]).collect();
                let t = reverse_bits(b, rc.log_domain - k);
                let x0 = omega.pow(t as u64);
                let v = fold_row(vals, x0, eta, round_alphas)
                    .ok_or(WhirError::QueryAnswer { round: i, query: q })?;
                folded.push((E::from_base(omega_k.pow(t as u64)), v));
            }
            if last {
                for (q, &(y, v)) in folded.iter().enumerate() {
                    if horner(&proof.final_poly, y) != v {
                        return Err(WhirError::FinalPoly { query: q });
                    }
                }
            } else {
                let gamma: E = transcript.sample_ext();
                let mut g = gamma;
                let start = (i + 1) * k;
                for (&z, &a) in ood_points.iter().zip(&rp.ood_answers) {
                    terms.push(Term { coeff: g, point: pow_point(z, m_next), start });
                    claim += g * a;
                    g *= gamma;
                }
                for &(y, v) in &folded {
                    terms.push(Term { coeff: g, point: pow_point(y, m_next), start });
                    claim += g * v;
                    g *= gamma;
                }
                if let Some(r) = rp.next_root {
                    root = r;
                }
            }
        }
        // Σ_b f_final(b)·w(α, b): each term's eq splits into its folded and its free variables.
        let folded_vars = alphas.len();
        let mut expected = E::ZERO;
        for term in &terms {
            let split = folded_vars - term.start;
            let (fixed, free) = term.point.split_at(split);
            expected += term.coeff
                * eq_eval(fixed, &alphas[term.start..])
                * eval_ml_coeffs(&proof.final_poly, free);
        }
        if expected != claim {
            return Err(WhirError::FinalClaim);
        }
        Ok(())
    }
}

/// log2 of the number of chunks [`Whir::open_many`] splits the polynomial into to skip the
/// all-zero ones (chunks are at least `2^k` values).
const LIVE_CHUNKS_LOG: usize = 10;

/// For each point `p_i`, its `2^k` block sums `S_i[u] = Σ_t eq(p_i[k..], t)·f(u, t)` (`u` the
/// low `k` variables, `t` the rest), read from the live chunks `live` of `2^c` values of `f`
/// (the others are zero): on chunk `q`, `eq(p_i[k..], t) = eq(p_i[k..c], t_lo)·high_{i,q}`.
/// One base-by-extension product per value and point, as the first step's sums alone cost.
fn eq_block_sums<F, E>(
    f: &[F],
    live: &[usize],
    c: usize,
    k: usize,
    points: &[Vec<E>],
    highs: &[Vec<E>],
) -> Vec<Vec<E>>
where
    F: zkprove_field::Field,
    E: zkprove_field::Field + core::ops::Mul<F, Output = E>,
{
    let width = 1 << k;
    let tables: Vec<Vec<E>> = points.iter().map(|p| eq_tensor(&p[k..c], E::ONE)).collect();
    let zero = vec![vec![E::ZERO; width]; points.len()];
    let add = |mut x: Vec<Vec<E>>, y: Vec<Vec<E>>| {
        for (xi, yi) in x.iter_mut().zip(y) {
            for (a, b) in xi.iter_mut().zip(yi) {
                *a += b;
            }
        }
        x
    };
    live.par_iter()
        .enumerate()
        .map(|(j, &q)| {
            let fq = &f[q << c..(q + 1) << c];
            tables
                .iter()
                .zip(highs)
                .map(|(table, high)| {
                    let h = high[j];
                    let mut acc = vec![E::ZERO; width];
                    if h.is_zero() {
                        return acc;
                    }
                    for (block, &e) in fq.chunks_exact(width).zip(table) {
                        for (a, &x) in acc.iter_mut().zip(block) {
                            *a += e * x;
                        }
                    }
                    for a in &mut acc {
                        *a *= h;
                    }
                    acc
                })
                .collect::<Vec<_>>()
        })
        .reduce(|| zero.clone(), add)
}

/// Each point's `(A_i, B_i)` at round-0 step `step` from its block sums folded `step` times
/// (variables `step..k`, variable `step` the index's bit 0): with `M_i(X) = Σ_v
/// eq(p_i[step + 1..k], v)·S_i[X + 2v]`, `A_i = M_i(0)` and `B_i = M_i(1) − M_i(0)` — the sums
/// over the folded `f` that the step's polynomial needs ([`round_poly_from_sums`]).
fn pair_sums_from_blocks<E: zkprove_field::Field>(
    blocks: &[Vec<E>],
    points: &[Vec<E>],
    step: usize,
    k: usize,
) -> Vec<(E, E)> {
    blocks
        .iter()
        .zip(points)
        .map(|(b, p)| {
            let t = eq_tensor(&p[step + 1..k], E::ONE);
            let (mut m0, mut m1) = (E::ZERO, E::ZERO);
            for (pair, &e) in b.chunks_exact(2).zip(&t) {
                m0 += e * pair[0];
                m1 += e * pair[1];
            }
            (m0, m1 - m0)
        })
        .collect()
}

/// `f` with its low `k` variables fixed to the folding challenges, `eq_alpha = eq(α, ·)` over
/// `{0,1}^k`: `g(t) = Σ_u eq(α, u)·f(u, t)` on the whole folded domain, computed on the live
/// chunks of `2^c` values only (zero elsewhere). The `k` folds of round 0 in one pass.
fn fold_low<F, E>(f: &[F], live: &[usize], c: usize, eq_alpha: &[E]) -> Vec<E>
where
    F: zkprove_field::Field,
    E: zkprove_field::Field + core::ops::Mul<F, Output = E>,
{
    let width = eq_alpha.len();
    let per = (1usize << c) / width;
    let mut out = vec![E::ZERO; f.len() / width];
    let mut is_live = vec![false; f.len() >> c];
    for &q in live {
        is_live[q] = true;
    }
    out.par_chunks_mut(per).zip(f.par_chunks(1 << c)).zip(is_live.par_iter()).for_each(
        |((o, fq), &l)| {
            if l {
                for (x, block) in o.iter_mut().zip(fq.chunks_exact(width)) {
                    *x = block.iter().zip(eq_alpha).fold(E::ZERO, |acc, (&v, &e)| acc + e * v);
                }
            }
        },
    );
    out
}

/// The sumcheck polynomial `Σ_i g_i·eq(p_i[step], X)·(A_i + X·B_i)` from [`eq_pair_sums`]'s
/// `(A_i, B_i)`, as `[h₀, h₁, h₂]`.
fn round_poly_from_sums<E: zkprove_field::Field>(
    sums: &[(E, E)],
    points: &[Vec<E>],
    scales: &[E],
    step: usize,
) -> [E; 3] {
    let mut h = [E::ZERO; 3];
    for ((&(a, b), p), &g) in sums.iter().zip(points).zip(scales) {
        let (lo, slope) = (E::ONE - p[step], p[step].double() - E::ONE);
        h[0] += g * lo * a;
        h[1] += g * (lo * b + slope * a);
        h[2] += g * slope * b;
    }
    h
}

/// `eq(p, q)` for the bits of `q` (`p[j]` ↔ bit `j`).
fn eq_high<E: zkprove_field::Field>(p: &[E], q: usize) -> E {
    p.iter().enumerate().map(|(j, &x)| if (q >> j) & 1 == 1 { x } else { E::ONE - x }).product()
}

/// The generator of the subgroup of order `2^log_n`.
fn domain_generator<F: TwoAdicField>(log_n: usize) -> Result<F, WhirError> {
    F::two_adic_generator(log_n)
        .ok_or_else(|| WhirError::Params { reason: format!("no subgroup of order 2^{log_n}") })
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use zkprove_field::Field;
    use zkprove_field::babybear::{BabyBear, BabyBearExt4};
    use zkprove_hash::{Poseidon2, Poseidon2Merkle, Transcript};
    use zkprove_poly::Mle;

    use super::*;

    type H = Poseidon2Merkle<BabyBear, 16, 8, 8>;

    /// Round 0's block sums give every step's sums over the step-by-step folded `f`, and
    /// `fold_low` is the `k` folds one after the other (live chunks and dead ones).
    #[test]
    fn block_sums_match_folding_step_by_step() {
        let mut rng = StdRng::seed_from_u64(9);
        let (n, c, k) = (10, 7, 4);
        let mut f: Vec<BabyBear> = (0..1 << n).map(|_| BabyBear::random(&mut rng)).collect();
        f[2 << c..4 << c].fill(BabyBear::ZERO);
        let live: Vec<usize> = (0..1 << (n - c)).filter(|q| !(2..4).contains(q)).collect();
        let points: Vec<Vec<BabyBearExt4>> =
            (0..3).map(|_| (0..n).map(|_| BabyBearExt4::random(&mut rng)).collect()).collect();
        let highs: Vec<Vec<BabyBearExt4>> =
            points.iter().map(|p| live.iter().map(|&q| eq_high(&p[c..], q)).collect()).collect();
        let mut blocks = eq_block_sums(&f, &live, c, k, &points, &highs);
        let mut folded: Vec<BabyBearExt4> = f.iter().map(|&x| BabyBearExt4::from(x)).collect();
        let mut alphas = Vec::new();
        for step in 0..k {
            let sums = pair_sums_from_blocks(&blocks, &points, step, k);
            for (p, &(a, b)) in points.iter().zip(&sums) {
                let t = eq_tensor(&p[step + 1..], BabyBearExt4::ONE);
                let (mut m0, mut m1) = (BabyBearExt4::ZERO, BabyBearExt4::ZERO);
                for (pair, &e) in folded.chunks_exact(2).zip(&t) {
                    m0 += e * pair[0];
                    m1 += e * pair[1];
                }
                assert_eq!((a, b), (m0, m1 - m0), "step {step}");
            }
            let alpha = BabyBearExt4::random(&mut rng);
            alphas.push(alpha);
            folded = fold_evals(&folded, alpha);
            for b in &mut blocks {
                *b = fold_evals(b, alpha);
            }
        }
        assert_eq!(fold_low(&f, &live, c, &eq_tensor(&alphas, BabyBearExt4::ONE)), folded);
    }

    /// Round 0 on the non-zero chunks only gives the proof of the dense prover, for zero
    /// tails, zero chunks inside, a single live chunk, chunks of exactly `2^k` values and
    /// larger ones, points with and without a Boolean prefix, and the proof verifies.
    #[test]
    fn zero_chunks_skipped_same_proof() {
        let mut rng = StdRng::seed_from_u64(5);
        for (log_n, k, live) in [
            (12, 4, vec![(0, 1 << 11), (3 << 10, (3 << 10) + 16)]),
            (12, 3, vec![(16, 32)]),
            (15, 4, vec![(0, (1 << 14) + 160), (7 << 12, 8 << 12)]),
        ] {
            let mut evals = vec![BabyBear::ZERO; 1 << log_n];
            for (start, end) in live {
                for x in &mut evals[start..end] {
                    *x = BabyBear::random(&mut rng);
                }
            }
            let poly = Mle::new(evals).expect("power of two");
            let one = BabyBearExt4::ONE;
            let zero = BabyBearExt4::ZERO;
            let mut p0: Vec<BabyBearExt4> = vec![zero, one];
            p0.extend((2..log_n).map(|_| BabyBearExt4::random(&mut rng)));
            let p1: Vec<BabyBearExt4> =
                (0..log_n).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let points: Vec<&[BabyBearExt4]> = vec![&p0, &p1];
            let params = WhirParams {
                log_n,
                log_inv_rate: 1,
                folding_factor: k,
                security_bits: 100,
                max_pow_bits: 20,
                soundness: SoundnessType::ConjectureList,
            };
            let whir = Whir::<BabyBear, BabyBearExt4, H>::new(
                params,
                H::new(Poseidon2::babybear_16()).expect("shape"),
            )
            .expect("params")
            .with_points(2)
            .expect("points");
            let t0 = Transcript::<BabyBear, 16, 8>::with_label(Poseidon2::babybear_16(), b"z")
                .expect("shape");
            let mut t = t0.clone();
            let (commitment, witness) = whir.commit(&mut t, &poly).expect("commit");
            let (mut ta, mut tb) = (t.clone(), t);
            let sparse = whir.open_many_inner(&mut ta, &witness, &points, true).expect("open");
            let dense = whir.open_many_inner(&mut tb, &witness, &points, false).expect("open");
            assert_eq!(sparse, dense, "n = {log_n}, k = {k}");
            for (p, v) in points.iter().zip(&sparse.0) {
                assert_eq!(*v, poly.evaluate(p).expect("dims"));
            }
            let mut vt = t0;
            let received = whir.receive_commitment(&mut vt, &commitment).expect("received");
            whir.verify_many(&mut vt, &received, &points, &sparse.0, &sparse.1).expect("verifies");
        }
    }

    /// A prover that skips the commitment's out-of-domain samples (a configuration with
    /// `commit_ood = 0`, otherwise the same) and a commitment received with no OOD points: the
    /// verifier must insist on its own `commit_ood`, not on the points and answers matching.
    #[test]
    fn commitment_without_ood_samples_rejected() {
        let hasher = H::new(Poseidon2::babybear_16()).expect("shape");
        let honest =
            Whir::<BabyBear, BabyBearExt4, H>::new(WhirParams::new(10), hasher).expect("params");
        assert!(honest.config().commit_ood > 0);
        let mut cheat = honest.clone();
        cheat.config.commit_ood = 0;
        let mut rng = StdRng::seed_from_u64(3);
        let poly = Mle::new((0..1 << 10).map(|_| BabyBear::random(&mut rng)).collect())
            .expect("power of two");
        let point: Vec<BabyBearExt4> = (0..10).map(|_| BabyBearExt4::random(&mut rng)).collect();
        let transcript = Transcript::<BabyBear, 16, 8>::with_label(Poseidon2::babybear_16(), b"t")
            .expect("shape");
        let mut pt = transcript.clone();
        let (commitment, witness) = cheat.commit(&mut pt, &poly).expect("commit");
        let (value, proof) = cheat.open(&mut pt, &witness, &point).expect("open");
        // The cheater's own verifier accepts: the proof is otherwise well formed.
        let mut vt = transcript.clone();
        let received = cheat.receive_commitment(&mut vt, &commitment).expect("shape");
        assert_eq!(cheat.verify(&mut vt, &received, &point, value, &proof), Ok(()));
        // The honest verifier refuses it, however the commitment reached it.
        let mut vt = transcript.clone();
        assert!(honest.receive_commitment(&mut vt, &commitment).is_err());
        let mut vt = transcript.clone();
        vt.observe_slice(commitment.root.as_ref());
        let forged =
            ReceivedCommitment { root: commitment.root, ood_points: vec![], ood_answers: vec![] };
        let res = honest.verify(&mut vt, &forged, &point, value, &proof);
        assert!(
            matches!(res, Err(WhirError::WrongLength { what: "commitment OOD points", .. })),
            "{res:?}"
        );
    }
    /// The parameters are bound into the transcript: a proof made for a target of 90 bits does
    /// not verify where 100 are expected, even where the two configurations ask for the same
    /// queries and grinding (so the proof has the right shape).
    #[test]
    fn parameters_bound_into_transcript() {
        let hasher = H::new(Poseidon2::babybear_16()).expect("shape");
        let expected = WhirParams::new(10);
        let mut other = expected;
        other.max_pow_bits += 1;
        let verifier = Whir::<BabyBear, BabyBearExt4, H>::new(expected, hasher.clone()).expect("p");
        let prover = Whir::<BabyBear, BabyBearExt4, H>::new(other, hasher).expect("params");
        assert_eq!(prover.config().rounds, verifier.config().rounds);
        assert_eq!(prover.config().commit_ood, verifier.config().commit_ood);
        let mut rng = StdRng::seed_from_u64(5);
        let poly = Mle::new((0..1 << 10).map(|_| BabyBear::random(&mut rng)).collect())
            .expect("power of two");
        let point: Vec<BabyBearExt4> = (0..10).map(|_| BabyBearExt4::random(&mut rng)).collect();
        let transcript = Transcript::<BabyBear, 16, 8>::with_label(Poseidon2::babybear_16(), b"t")
            .expect("shape");
        let mut pt = transcript.clone();
        let (commitment, witness) = prover.commit(&mut pt, &poly).expect("commit");
        let (value, proof) = prover.open(&mut pt, &witness, &point).expect("open");
        let mut vt = transcript.clone();
        let received = prover.receive_commitment(&mut vt, &commitment).expect("shape");
        assert_eq!(prover.verify(&mut vt, &received, &point, value, &proof), Ok(()));
        let mut vt = transcript.clone();
        let received = verifier.receive_commitment(&mut vt, &commitment).expect("shape");
        assert!(verifier.verify(&mut vt, &received, &point, value, &proof).is_err());
    }
}
