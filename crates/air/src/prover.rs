//! The prover and the verifier.

use core::marker::PhantomData;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use zkprove_field::{ExtensionField, Field, PrimeField64, TwoAdicField};
use zkprove_hash::{MerkleHash, Transcript};
use zkprove_poly::{Column, ColumnOps, CpuBackend, eq_table};
use zkprove_sumcheck::{RoundPoly, SumcheckProof, SumcheckProver, Term};
use zkprove_whir::{
    ReceivedCommitment, SoundnessType, Whir, WhirCommitment, WhirParams, WhirWitness,
};

use crate::AirError;
use crate::air::{Air, AirShape, Interaction, LinearExpr, PointBuilder};
use crate::ops::{
    AirOps, RowTables, ZerocheckChallenges, ZerocheckRound, ZerocheckSums, eval_point,
};
use crate::proof::{AirProof, ColumnOpening, TableProof};
use crate::security::SecurityReport;
use crate::shift::{eq_eval, shift_eval};

/// The caller's choice of parameters.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AirParams {
    /// Target security in bits for the whole proof (≥ 100 by default).
    pub security_bits: usize,
    /// WHIR: log2 of the inverse rate of the first codeword.
    pub log_inv_rate: usize,
    /// WHIR: variables folded per round (a commitment of fewer variables folds all of them at
    /// once).
    pub folding_factor: usize,
    /// WHIR: the most proof-of-work bits per challenge.
    pub max_pow_bits: usize,
    /// WHIR: the decoding bound its analysis assumes.
    pub soundness: SoundnessType,
    /// WHIR: log2 of how much the evaluation domain shrinks from one round's codeword to the
    /// next (`1 ≤ j ≤ folding_factor`; see `zkprove_whir::WhirConfig::with_domain_reduction`).
    pub domain_reduction: usize,
}

impl Default for AirParams {
    /// 100 bits; WHIR at rate 1/2, folding factor 5, the domain shrinking by 4× per round
    /// ([`DEFAULT_DOMAIN_REDUCTION`]), conjectured list decoding up to capacity, ≤ 24 bits of
    /// grinding per challenge: WHIR is asked for 101–102 bits (see the crate docs); query
    /// grinding stays ≤ 16 (`zkprove_whir::QUERY_POW_BITS`).
    fn default() -> Self {
        Self {
            security_bits: 100,
            log_inv_rate: 1,
            folding_factor: DEFAULT_FOLDING_FACTOR,
            max_pow_bits: 24,
            soundness: SoundnessType::ConjectureList,
            domain_reduction: DEFAULT_DOMAIN_REDUCTION,
        }
    }
}

/// The default [`AirParams::folding_factor`]: WHIR folds 5 variables per round (leaves of 32
/// values), one round fewer than 4 at the sizes of the benchmarks.
pub const DEFAULT_FOLDING_FACTOR: usize = 5;

/// The default [`AirParams::domain_reduction`]: WHIR's later codewords (over the extension,
/// `D` base elements per value) shrink by `2^2` per round instead of halving, so with folding
/// factor 5 their rate improves by 3 bits per round (as 4 and halving did before 2026-12-07):
/// round 1 encodes and hashes 4× fewer values than with halving, round 2 16×, for ~2 % more
/// proof (Poseidon2 at 2^12 rows: 103,948 B instead of 102,404 B). See BENCHMARKS.md.
pub const DEFAULT_DOMAIN_REDUCTION: usize = 2;

/// A trace: `n_columns` columns of `2^log_rows` base-field values each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace<F> {
    columns: Vec<Vec<F>>,
    log_rows: usize,
}

impl<F: Field> Trace<F> {
    /// A trace from its columns.
    ///
    /// # Errors
    /// [`AirError::TraceShape`] when there are no columns, the columns differ in length, or the
    /// length is not a power of two ≥ 2.
    pub fn new(columns: Vec<Vec<F>>) -> Result<Self, AirError> {
        let rows = columns.first().map_or(0, Vec::len);
        if columns.is_empty() || rows < 2 || !rows.is_power_of_two() {
            return Err(AirError::TraceShape {
                reason: format!(
                    "{} columns of {rows} rows (need ≥ 1 column, 2^n ≥ 2 rows)",
                    columns.len()
                ),
            });
        }
        if let Some(i) = columns.iter().position(|c| c.len() != rows) {
            return Err(AirError::TraceShape {
                reason: format!("column {i} has {} rows, column 0 has {rows}", columns[i].len()),
            });
        }
        Ok(Self { log_rows: rows.trailing_zeros() as usize, columns })
    }

    /// The columns.
    pub fn columns(&self) -> &[Vec<F>] {
        &self.columns
    }

    /// Mutable access to the columns (tests tamper with witnesses through it).
    pub fn columns_mut(&mut self) -> &mut [Vec<F>] {
        &mut self.columns
    }

    /// log2 of the number of rows.
    pub fn log_rows(&self) -> usize {
        self.log_rows
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        1 << self.log_rows
    }
}

/// What [`AirProver::prove_on`] returns: the proof and the transfers it made.
pub type ProvedOn<F, E, H> = (AirProof<F, E, <H as MerkleHash>::Digest>, AirProfile);

/// Host↔backend transfers of one proof: what a device pays in round trips. On the CPU backend
/// they are the same calls, without a copy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AirProfile {
    /// Transfers to the backend.
    pub uploads: usize,
    /// Bytes sent to the backend.
    pub upload_bytes: usize,
    /// Transfers back to the host (whole columns for WHIR, and each small read-back: round
    /// polynomials, final evaluations).
    pub downloads: usize,
    /// Bytes read back.
    pub download_bytes: usize,
    /// Wall-clock time of each prover phase, in the order they ran (`"check"`, `"commit"`,
    /// `"logup"`, `"zerocheck"`, `"evals"`, `"reduction"`, `"whir_open"`); a phase that runs
    /// several times (per table, per commitment) is added up under one name.
    pub phases: Vec<(&'static str, Duration)>,
}

impl AirProfile {
    pub(crate) fn upload(&mut self, bytes: usize) {
        self.uploads += 1;
        self.upload_bytes += bytes;
    }

    pub(crate) fn download(&mut self, n: usize, elem_bytes: usize) {
        self.downloads += 1;
        self.download_bytes += n * elem_bytes;
    }

    /// Adds the time since `start` to phase `name` and restarts the clock.
    pub(crate) fn lap(&mut self, name: &'static str, start: &mut Instant) {
        let now = Instant::now();
        let d = now - *start;
        *start = now;
        match self.phases.iter_mut().find(|(n, _)| *n == name) {
            Some((_, t)) => *t += d,
            None => self.phases.push((name, d)),
        }
    }

    /// The time spent in phase `name` (zero if it did not run).
    pub fn phase(&self, name: &str) -> Duration {
        self.phases.iter().filter(|(n, _)| *n == name).map(|(_, d)| *d).sum()
    }
}

/// Everything fixed by the AIR's shape, its LogUp interactions and the number of rows.
pub(crate) struct Setup<F, E, H> {
    pub(crate) shape: AirShape,
    pub(crate) lookups: Vec<Interaction<F>>,
    pub(crate) log_rows: usize,
    pub(crate) main_log_cols: usize,
    pub(crate) main_whir: Whir<F, E, H>,
    pub(crate) aux_log_cols: usize,
    pub(crate) aux_whir: Option<Whir<F, E, H>>,
}

impl<F, E, H> Setup<F, E, H> {
    /// The zerocheck's round degree: `eq · C` has degree `max_degree + 1`, a LogUp constraint
    /// `eq · (h·(β − fp) − 1)` degree 3 (tuples are linear) and a LogUp sum term `m·h` degree 2.
    pub(crate) fn degree(&self) -> usize {
        let lookups = if self.lookups.is_empty() { 0 } else { 3 };
        (self.shape.max_degree + 1).max(lookups).max(2)
    }

    /// The widest LogUp tuple (0 without LogUp).
    pub(crate) fn max_width(&self) -> usize {
        self.lookups.iter().map(|t| t.tuple.len()).max().unwrap_or(0)
    }
}

/// The main trace of one table, uploaded, stacked and committed.
pub(crate) struct MainCommitted<
    B: AirOps<F, E>,
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
> {
    pub(crate) cols: Vec<B::Column<F>>,
    stacked: B::Column<F>,
    commitment: WhirCommitment<E, H::Digest>,
    witness: WhirWitness<F, E, H>,
}

/// The LogUp columns of one table, committed, and their signed sum over the rows.
pub(crate) struct AuxCommitted<
    B: AirOps<F, E>,
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
> {
    h: Vec<B::Column<E>>,
    coords: Vec<B::Column<F>>,
    stacked: B::Column<F>,
    commitment: WhirCommitment<E, H::Digest>,
    witness: WhirWitness<F, E, H>,
    /// `Σ_x Σ_t ±m_t(x)·h_t(x)`.
    pub(crate) sum: E,
}

/// A table's zerocheck and its columns' values at the zerocheck's point `r` (with `eq(r, ·)`).
pub(crate) struct Checked<B: AirOps<F, E>, F: Field, E: ExtensionField<F>> {
    pub(crate) zerocheck: SumcheckProof<E>,
    pub(crate) main_evals: Vec<E>,
    pub(crate) next_evals: Vec<E>,
    pub(crate) aux_evals: Vec<E>,
    pub(crate) eq_r: B::Column<E>,
    _base: PhantomData<F>,
}

/// The LogUp columns of one table, stacked (not committed), and their signed sum.
pub(crate) struct AuxCols<B: AirOps<F, E>, F: Field, E: ExtensionField<F>> {
    pub(crate) h: Vec<B::Column<E>>,
    pub(crate) coords: Vec<B::Column<F>>,
    pub(crate) stacked: B::Column<F>,
    /// `Σ_x Σ_t ±m_t(x)·h_t(x)`.
    pub(crate) sum: E,
    /// The same per interaction (only when asked for).
    pub(crate) per_term: Vec<E>,
}

/// The AIR proof system over a two-adic field `F` with challenges in `E` and Merkle hash `H`.
#[derive(Clone, Debug)]
pub struct AirProver<F, E, H> {
    params: AirParams,
    hasher: H,
    _fields: PhantomData<(F, E)>,
}

/// The smallest `l` with `2^l ≥ n` (0 for `n ≤ 1`).
pub(crate) fn log2_ceil(n: usize) -> usize {
    n.max(1).next_power_of_two().trailing_zeros() as usize
}

/// The base-field basis element `X^k` of `E`.
fn basis<F: Field, E: ExtensionField<F>>(k: usize) -> E {
    let mut c = vec![F::ZERO; E::DEGREE];
    if let Some(x) = c.get_mut(k) {
        *x = F::ONE;
    }
    E::from_base_slice(&c).unwrap_or(E::ZERO)
}

impl<F, E, H> AirProver<F, E, H>
where
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
{
    /// A prover/verifier with these parameters and Merkle hash.
    pub fn new(params: AirParams, hasher: H) -> Self {
        Self { params, hasher, _fields: PhantomData }
    }

    /// The parameters.
    pub fn params(&self) -> &AirParams {
        &self.params
    }

    /// The Merkle hash.
    pub(crate) fn hasher(&self) -> &H {
        &self.hasher
    }

    pub(crate) fn whir_params(&self, log_n: usize, bits: usize) -> WhirParams {
        WhirParams {
            log_n,
            log_inv_rate: self.params.log_inv_rate,
            folding_factor: self.params.folding_factor.min(log_n),
            security_bits: bits,
            max_pow_bits: self.params.max_pow_bits,
            soundness: self.params.soundness,
        }
    }

    /// WHIR's domain reduction for a commitment of `log_n` variables: at most its folding factor
    /// (a value of 0 is passed on, and refused by WHIR).
    pub(crate) fn whir_domain_reduction(&self, log_n: usize) -> usize {
        self.params.domain_reduction.min(self.params.folding_factor.min(log_n))
    }

    /// Validates a table (its shape, interactions, rows) and sets up its WHIR instances, asked
    /// for `whir_bits` each.
    pub(crate) fn table_setup(
        &self,
        shape: AirShape,
        lookups: Vec<Interaction<F>>,
        log_rows: usize,
        whir_bits: usize,
    ) -> Result<Setup<F, E, H>, AirError> {
        let m = shape.n_columns;
        if m == 0 {
            return Err(AirError::BadAir { reason: "no columns".into() });
        }
        if log_rows == 0 {
            return Err(AirError::TraceShape { reason: "a trace needs at least 2 rows".into() });
        }
        for (t, term) in lookups.iter().enumerate() {
            if term.tuple.is_empty() {
                return Err(AirError::BadAir { reason: format!("LogUp term {t} has no columns") });
            }
            if let Some(c) = term
                .tuple
                .iter()
                .chain(core::iter::once(&term.multiplicity))
                .filter_map(LinearExpr::max_column)
                .find(|&c| c >= m)
            {
                return Err(AirError::BadAir {
                    reason: format!("LogUp term {t} names column {c} of {m}"),
                });
            }
        }
        if shape.max_degree + 1 > zkprove_sumcheck::MAX_DEGREE + 8 {
            return Err(AirError::BadAir {
                reason: format!("constraint degree {} is too large", shape.max_degree),
            });
        }
        let main_log_cols = log2_ceil(m);
        let main_whir = Whir::with_domain_reduction(
            self.whir_params(log_rows + main_log_cols, whir_bits),
            self.whir_domain_reduction(log_rows + main_log_cols),
            self.hasher.clone(),
        )?;
        let aux_log_cols = log2_ceil(lookups.len() * E::DEGREE);
        let aux_whir = if lookups.is_empty() {
            None
        } else {
            Some(Whir::with_domain_reduction(
                self.whir_params(log_rows + aux_log_cols, whir_bits),
                self.whir_domain_reduction(log_rows + aux_log_cols),
                self.hasher.clone(),
            )?)
        };
        Ok(Setup { shape, lookups, log_rows, main_log_cols, main_whir, aux_log_cols, aux_whir })
    }

    fn setup<A: Air<F> + ?Sized>(
        &self,
        air: &A,
        log_rows: usize,
    ) -> Result<(Setup<F, E, H>, SecurityReport), AirError> {
        let shape = AirShape::of(air);
        let lookups: Vec<Interaction<F>> = shape.logup.iter().map(Interaction::from_term).collect();
        let n_openings = if lookups.is_empty() { 1 } else { 2 };
        // WHIR gets the target plus a margin for the union bound over the openings and the
        // AIR's own terms (see `security`).
        let whir_bits = self.params.security_bits + 1 + log2_ceil(n_openings);
        let setup = self.table_setup(shape, lookups, log_rows, whir_bits)?;
        let field_bits = (F::ORDER_U64 as f64).log2() * E::DEGREE as f64;
        let mut whir_bits = vec![setup.main_whir.config().achieved_bits];
        if let Some(w) = &setup.aux_whir {
            whir_bits.push(w.config().achieved_bits);
        }
        let security = SecurityReport::new(
            &setup.shape,
            log_rows,
            field_bits,
            setup.main_log_cols,
            setup.aux_whir.as_ref().map(|_| setup.aux_log_cols),
            whir_bits,
        );
        if security.total_bits < self.params.security_bits as f64 {
            return Err(AirError::Security {
                achieved: security.total_bits,
                target: self.params.security_bits,
            });
        }
        Ok((setup, security))
    }

    /// The soundness terms and the overall level for `air` with `2^log_rows` rows.
    ///
    /// # Errors
    /// As [`AirProver::prove`]'s set-up: a malformed AIR, WHIR parameters that cannot reach the
    /// target, or an overall level below [`AirParams::security_bits`].
    pub fn security<A: Air<F> + ?Sized>(
        &self,
        air: &A,
        log_rows: usize,
    ) -> Result<SecurityReport, AirError> {
        Ok(self.setup(air, log_rows)?.1)
    }

    /// The overall security level in bits for `air` with `2^log_rows` rows (see
    /// [`SecurityReport`]).
    ///
    /// # Errors
    /// As [`AirProver::security`].
    pub fn achieved_bits<A: Air<F> + ?Sized>(
        &self,
        air: &A,
        log_rows: usize,
    ) -> Result<f64, AirError> {
        Ok(self.security(air, log_rows)?.total_bits)
    }

    /// Absorbs the AIR's identity and shape before any challenge.
    pub(crate) fn bind<A: Air<F> + ?Sized, const W: usize, const R: usize>(
        air: &A,
        setup: &Setup<F, E, H>,
        t: &mut Transcript<F, W, R>,
    ) {
        let s = &setup.shape;
        let name = air.name();
        for b in b"zkprove-air".iter().chain(name.as_bytes()) {
            t.observe(F::from_u64(u64::from(*b)));
        }
        t.observe(F::from_u64(name.len() as u64));
        for x in
            [setup.log_rows, s.n_columns, s.n_constraints, s.max_degree, usize::from(s.uses_next)]
        {
            t.observe(F::from_u64(x as u64));
        }
        t.observe(F::from_u64(s.logup.len() as u64));
        for term in &s.logup {
            t.observe(F::from_u64(term.columns.len() as u64));
            for &c in &term.columns {
                t.observe(F::from_u64(c as u64));
            }
            t.observe(F::from_u64(term.multiplicity.map_or(0, |c| c as u64 + 1)));
            t.observe(F::from_u64(u64::from(term.negate)));
        }
        let public = air.public_values();
        t.observe(F::from_u64(public.len() as u64));
        t.observe_slice(&public);
    }

    /// Proves that `trace` satisfies `air` on the CPU, continuing `transcript` (give it in the
    /// state the verifier's will be in, e.g. fresh with the application's label).
    ///
    /// The trace is checked first: a trace that breaks a constraint or whose LogUp terms do not
    /// cancel is refused.
    ///
    /// # Errors
    /// [`AirError::TraceShape`] for a trace of the wrong width; [`AirError::ConstraintFailed`],
    /// [`AirError::LogUpUnbalanced`]; set-up errors as [`AirProver::security`]; WHIR errors.
    pub fn prove<A: Air<F> + ?Sized, const W: usize, const R: usize>(
        &self,
        air: &A,
        trace: &Trace<F>,
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<AirProof<F, E, H::Digest>, AirError> {
        Ok(self.prove_on::<CpuBackend, A, W, R>(air, trace, transcript, true)?.0)
    }

    /// [`AirProver::prove`] without checking the trace first: for tests that a false claim is
    /// rejected by the verifier. The proof of an invalid trace does not verify (except with
    /// the negligible probability of the security analysis).
    ///
    /// # Errors
    /// As [`AirProver::prove`], less the trace checks.
    pub fn prove_unchecked<A: Air<F> + ?Sized, const W: usize, const R: usize>(
        &self,
        air: &A,
        trace: &Trace<F>,
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<AirProof<F, E, H::Digest>, AirError> {
        Ok(self.prove_on::<CpuBackend, A, W, R>(air, trace, transcript, false)?.0)
    }

    /// Proves on backend `B` (the trace uploaded once, column by column), with the trace check
    /// when `check` is set, and counts the host↔backend transfers ([`AirProfile`]). The proof is
    /// the one [`AirProver::prove`] makes, whatever the backend.
    ///
    /// # Errors
    /// As [`AirProver::prove`]; backend failures ([`AirError::Device`]).
    pub fn prove_on<B: AirOps<F, E>, A: Air<F> + ?Sized, const W: usize, const R: usize>(
        &self,
        air: &A,
        trace: &Trace<F>,
        transcript: &mut Transcript<F, W, R>,
        check: bool,
    ) -> Result<ProvedOn<F, E, H>, AirError> {
        let (setup, _) = self.setup(air, trace.log_rows())?;
        let mut profile = AirProfile::default();
        let mut clock = Instant::now();
        if check {
            check_rows(air, &setup.shape, trace)?;
        }
        profile.lap("check", &mut clock);
        Self::bind(air, &setup, transcript);
        let main = self.commit_main::<B, W, R>(&setup, trace, transcript, &mut profile)?;
        let mut beta = E::ZERO;
        let mut gamma_pows = Vec::new();
        let mut aux = None;
        if setup.aux_whir.is_some() {
            beta = transcript.sample_ext();
            gamma_pows = crate::ops::fingerprint_challenges(transcript, setup.max_width());
            let committed = self.commit_aux::<B, W, R>(
                &setup,
                &main.cols,
                (beta, &gamma_pows),
                false,
                transcript,
                &mut profile,
            )?;
            if check && !committed.sum.is_zero() {
                return Err(AirError::LogUpUnbalanced);
            }
            aux = Some(committed);
        }
        let proof = self.prove_rest::<B, A, W, R>(
            air,
            &setup,
            (main, aux),
            (beta, gamma_pows),
            E::ZERO,
            transcript,
            &mut profile,
        )?;
        Ok((proof, profile))
    }

    /// Uploads a table's trace, stacks its columns and commits them.
    pub(crate) fn commit_main<B: AirOps<F, E>, const W: usize, const R: usize>(
        &self,
        setup: &Setup<F, E, H>,
        trace: &Trace<F>,
        transcript: &mut Transcript<F, W, R>,
        profile: &mut AirProfile,
    ) -> Result<MainCommitted<B, F, E, H>, AirError> {
        let mut clock = Instant::now();
        let (cols, stacked) = Self::upload_main::<B>(setup, trace, profile)?;
        let rows = trace.n_rows();
        let f_bytes = core::mem::size_of::<F>();
        // WHIR runs on the host (it has no backend trait yet): one download per commitment.
        profile.download(rows << setup.main_log_cols, f_bytes);
        let evals = <B as ColumnOps<F>>::download(&stacked)?;
        let (commitment, witness) = setup.main_whir.commit_evals(transcript, evals)?;
        profile.lap("commit", &mut clock);
        Ok(MainCommitted { cols, stacked, commitment, witness })
    }

    /// Uploads a table's trace and stacks its columns (column `j` at `j·2^n`, zero columns up to
    /// a power of two).
    #[allow(clippy::type_complexity)]
    pub(crate) fn upload_main<B: AirOps<F, E>>(
        setup: &Setup<F, E, H>,
        trace: &Trace<F>,
        profile: &mut AirProfile,
    ) -> Result<(Vec<B::Column<F>>, B::Column<F>), AirError> {
        let m = setup.shape.n_columns;
        if trace.columns().len() != m || trace.log_rows() != setup.log_rows {
            return Err(AirError::TraceShape {
                reason: format!(
                    "{} columns of 2^{} rows, the AIR has {m} columns of 2^{}",
                    trace.columns().len(),
                    trace.log_rows(),
                    setup.log_rows
                ),
            });
        }
        let f_bytes = core::mem::size_of::<F>();
        let cols: Vec<B::Column<F>> = trace
            .columns()
            .iter()
            .map(|c| {
                profile.upload(c.len() * f_bytes);
                <B as ColumnOps<F>>::upload(c)
            })
            .collect::<Result<_, _>>()?;
        let col_refs: Vec<&B::Column<F>> = cols.iter().collect();
        let stacked = B::stack(&col_refs, setup.main_log_cols)?;
        Ok((cols, stacked))
    }

    /// The LogUp columns `h_t = 1/(β − Σ_k γ_k·e_k)` (`γ_0 = 1`) of a table (batch inversion), their signed
    /// sum (and, with `per_term`, each interaction's), committed.
    pub(crate) fn commit_aux<B: AirOps<F, E>, const W: usize, const R: usize>(
        &self,
        setup: &Setup<F, E, H>,
        cols: &[B::Column<F>],
        challenges: (E, &[E]),
        per_term: bool,
        transcript: &mut Transcript<F, W, R>,
        profile: &mut AirProfile,
    ) -> Result<AuxCommitted<B, F, E, H>, AirError> {
        let mut clock = Instant::now();
        let aux_whir = setup.aux_whir.as_ref().ok_or(AirError::Internal { what: "no LogUp" })?;
        let AuxCols { h, coords, stacked, sum, .. } =
            Self::aux_columns::<B>(setup, cols, challenges, per_term, profile)?;
        let rows = 1usize << setup.log_rows;
        let f_bytes = core::mem::size_of::<F>();
        profile.download(rows << setup.aux_log_cols, f_bytes);
        let evals = <B as ColumnOps<F>>::download(&stacked)?;
        let (commitment, witness) = aux_whir.commit_evals(transcript, evals)?;
        profile.lap("commit", &mut clock);
        Ok(AuxCommitted { h, coords, stacked, commitment, witness, sum })
    }

    /// The LogUp columns of a table (batch inversion), their coordinates stacked, and their
    /// signed sum (and, with `per_term`, each interaction's).
    pub(crate) fn aux_columns<B: AirOps<F, E>>(
        setup: &Setup<F, E, H>,
        cols: &[B::Column<F>],
        challenges: (E, &[E]),
        per_term: bool,
        profile: &mut AirProfile,
    ) -> Result<AuxCols<B, F, E>, AirError> {
        let mut clock = Instant::now();
        let (beta, gamma_pows) = challenges;
        let rows = 1usize << setup.log_rows;
        let e_bytes = core::mem::size_of::<E>();
        // Expressions that are not a single column are made into columns first.
        let materialise = |e: &LinearExpr<F>| -> Result<Option<B::Column<F>>, AirError> {
            Ok(match e.as_column() {
                Some(_) => None,
                None => Some(B::linear_column(cols, e, rows)?),
            })
        };
        let mut h = Vec::with_capacity(setup.lookups.len());
        let mut mult_owned = Vec::with_capacity(setup.lookups.len());
        for term in &setup.lookups {
            let owned: Vec<Option<B::Column<F>>> =
                term.tuple.iter().map(materialise).collect::<Result<_, _>>()?;
            let refs: Vec<&B::Column<F>> = term
                .tuple
                .iter()
                .zip(&owned)
                .map(|(e, o)| match (o, e.as_column()) {
                    (Some(c), _) => c,
                    (None, Some(j)) => &cols[j],
                    (None, None) => unreachable!("materialised above"),
                })
                .collect();
            h.push(B::logup_column(&refs, beta, gamma_pows)?);
            let one = term.multiplicity == LinearExpr::constant(F::ONE);
            mult_owned.push(if one { None } else { materialise(&term.multiplicity)? });
        }
        let mults: Vec<Option<&B::Column<F>>> = setup
            .lookups
            .iter()
            .zip(&mult_owned)
            .map(|(t, o)| match (o, t.multiplicity.as_column()) {
                (Some(c), _) => Some(c),
                (None, Some(j)) => Some(&cols[j]),
                (None, None) => None,
            })
            .collect();
        let negate: Vec<bool> = setup.lookups.iter().map(|t| t.negate).collect();
        profile.download(1, e_bytes);
        let sum = B::logup_sum(&h, &mults, &negate)?;
        let mut per = Vec::new();
        if per_term {
            for t in 0..h.len() {
                profile.download(1, e_bytes);
                per.push(B::logup_sum(&h[t..=t], &mults[t..=t], &negate[t..=t])?);
            }
        }
        drop(mults);
        drop(mult_owned);
        let mut coords = Vec::with_capacity(h.len() * E::DEGREE);
        for c in &h {
            coords.extend(B::coordinates(c)?);
        }
        let coord_refs: Vec<&B::Column<F>> = coords.iter().collect();
        let stacked = B::stack(&coord_refs, setup.aux_log_cols)?;
        profile.lap("logup", &mut clock);
        Ok(AuxCols { h, coords, stacked, sum, per_term: per })
    }

    /// The zerocheck (claim `λ·logup_claim`) and the openings of a table whose main trace
    /// (and LogUp columns) are committed.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    pub(crate) fn prove_rest<
        B: AirOps<F, E>,
        A: Air<F> + ?Sized,
        const W: usize,
        const R: usize,
    >(
        &self,
        air: &A,
        setup: &Setup<F, E, H>,
        committed: (MainCommitted<B, F, E, H>, Option<AuxCommitted<B, F, E, H>>),
        logup_challenges: (E, Vec<E>),
        logup_claim: E,
        transcript: &mut Transcript<F, W, R>,
        profile: &mut AirProfile,
    ) -> Result<AirProof<F, E, H::Digest>, AirError> {
        let (main, aux) = committed;
        let MainCommitted { cols, stacked: main_stacked, commitment: main_commitment, witness } =
            main;
        let (aux_cols, aux_rest) = match aux {
            Some(a) => (Some((a.h, a.coords)), Some((a.commitment, a.witness, a.stacked))),
            None => (None, None),
        };
        let z = Self::zerocheck_evals::<B, A, W, R>(
            air,
            setup,
            (cols, aux_cols),
            logup_challenges,
            logup_claim,
            transcript,
            profile,
        )?;
        let main_opening = self.open_columns::<B, W, R>(
            transcript,
            (&setup.main_whir, &witness),
            main_stacked,
            setup.main_log_cols,
            (&z.main_evals, &z.next_evals),
            &z.eq_r,
            profile,
        )?;
        let (aux_commitment, aux_opening) = match (aux_rest, &setup.aux_whir) {
            (Some((c, w, stacked)), Some(aux_whir)) => {
                let o = self.open_columns::<B, W, R>(
                    transcript,
                    (aux_whir, &w),
                    stacked,
                    setup.aux_log_cols,
                    (&z.aux_evals, &[]),
                    &z.eq_r,
                    profile,
                )?;
                (Some(c), Some(o))
            }
            _ => (None, None),
        };
        Ok(AirProof {
            main_commitment,
            aux_commitment,
            zerocheck: z.zerocheck,
            main_evals: z.main_evals,
            next_evals: z.next_evals,
            aux_evals: z.aux_evals,
            main_opening,
            aux_opening,
        })
    }

    /// The zerocheck (claim `λ·logup_claim`) of a table whose main trace (and LogUp columns)
    /// are committed, and the columns' values at its point, observed: everything of a table's
    /// proof before its openings.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    pub(crate) fn zerocheck_evals<
        B: AirOps<F, E>,
        A: Air<F> + ?Sized,
        const W: usize,
        const R: usize,
    >(
        air: &A,
        setup: &Setup<F, E, H>,
        columns: (Vec<B::Column<F>>, Option<(Vec<B::Column<E>>, Vec<B::Column<F>>)>),
        logup_challenges: (E, Vec<E>),
        logup_claim: E,
        transcript: &mut Transcript<F, W, R>,
        profile: &mut AirProfile,
    ) -> Result<Checked<B, F, E>, AirError> {
        let mut clock = Instant::now();
        let (cols, aux) = columns;
        let shape = &setup.shape;
        let m = shape.n_columns;
        let n = setup.log_rows;
        let rows = 1usize << n;
        let e_bytes = core::mem::size_of::<E>();
        let n_lookups = setup.lookups.len();
        let mut ch = ZerocheckChallenges {
            beta: logup_challenges.0,
            gamma_pows: logup_challenges.1,
            alpha_pows: Vec::new(),
            lambda: E::ZERO,
        };
        let tau: Vec<E> = (0..n).map(|_| transcript.sample_ext()).collect();
        let alpha: E = transcript.sample_ext();
        ch.lambda = transcript.sample_ext();
        ch.alpha_pows = alpha.powers(shape.n_constraints + n_lookups);

        let nexts: Vec<B::Column<F>> = if shape.uses_next {
            cols.iter().map(B::next_rows).collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        let mut vt: Vec<B::Column<F>> = cols;
        vt.extend(nexts);
        vt.push(B::row_selector(rows, 0)?);
        vt.push(B::row_selector(rows, rows - 1)?);
        let (et, coords): (Vec<B::Column<E>>, Vec<B::Column<F>>) = aux.unwrap_or_default();
        let mut et = et;

        let degree = setup.degree();
        // The sumcheck crate's verifier absorbs the instance (variables, degree, term shape):
        // the zerocheck states its degree as one product term of that many factors.
        zkprove_sumcheck::observe_instance(transcript, n, &zerocheck_terms::<E>(degree));
        transcript.observe_ext(&(ch.lambda * logup_claim));
        let mut rounds = Vec::with_capacity(n);
        let mut point = Vec::with_capacity(n);
        let mut vt_ext: Vec<B::Column<E>> = Vec::new();
        let mut len = rows;
        // s(X) = prefix·eq(τ_k, X)·q(X) + λ·L(X), with prefix = Π_{i<k} eq(τ_i, r_i).
        let mut claim = ch.lambda * logup_claim;
        let mut prefix = E::ONE;
        for round in 0..n {
            let rows_tables =
                if round == 0 { RowTables::Base(&vt) } else { RowTables::Ext(&vt_ext) };
            let eq_rest = B::eq_table(&tau[round + 1..])?;
            let sums = B::zerocheck_round(
                air,
                shape,
                &setup.lookups,
                &ch,
                ZerocheckRound {
                    rows: rows_tables,
                    ext: &et,
                    eq: &eq_rest,
                    len,
                    n_columns: m,
                    uses_next: shape.uses_next,
                    degree,
                },
            )?;
            drop(eq_rest);
            profile.download(sums.eq_part.len() + 3, e_bytes);
            let poly = gruen_round(&sums, tau[round], prefix, ch.lambda, claim, degree)?;
            poly.observe(transcript);
            let r: E = transcript.sample_ext();
            claim = poly.evaluate(claim, r);
            prefix *= eq_eval(&tau[round..=round], &[r]);
            rounds.push(poly);
            point.push(r);
            if round == 0 {
                vt_ext = B::fold_base(&vt, len, r)?;
                vt = Vec::new();
            } else {
                B::fold_ext(&mut vt_ext, len, r)?;
            }
            if !et.is_empty() {
                B::fold_ext(&mut et, len, r)?;
            }
            len /= 2;
        }
        drop(vt);
        drop(et);
        profile.lap("zerocheck", &mut clock);
        let finals = B::first_entries(&vt_ext)?;
        profile.download(finals.len(), e_bytes);
        let main_evals: Vec<E> = finals[..m].to_vec();
        let next_evals: Vec<E> =
            if shape.uses_next { finals[m..2 * m].to_vec() } else { Vec::new() };
        drop(vt_ext);
        let eq_r = B::eq_table(&point)?;
        let mut aux_evals = Vec::new();
        if !coords.is_empty() {
            for c in &coords {
                aux_evals.push(B::dot(&eq_r, c)?);
            }
            profile.download(aux_evals.len(), e_bytes);
        }
        for x in main_evals.iter().chain(&next_evals).chain(&aux_evals) {
            transcript.observe_ext(x);
        }
        profile.lap("evals", &mut clock);
        Ok(Checked {
            zerocheck: SumcheckProof { rounds },
            main_evals,
            next_evals,
            aux_evals,
            eq_r,
            _base: PhantomData,
        })
    }

    /// Reduces `cols[j](r) = evals[j]` (and, with `next` non-empty, `cols[j](r + 1) = next[j]`)
    /// for the columns stacked in `stacked` to one evaluation of the stacked polynomial, and
    /// opens it with WHIR.
    ///
    /// The reduction is the sumcheck of `Σ_{j,y} P(j, y)·eq(s, j)·K(y)` (`K = eq(r, ·) + μ·S(r,
    /// ·)`), column bits first. Its weight is a tensor product, so its first `l` rounds (the
    /// column bits) are the sumcheck of `Σ_j eq(s, j)·A_j` over the `2^l` batched claims
    /// `A_j = v_j + μ·w_j = Σ_y P(j, y)·K(y)` (on the host, `O(2^l)`); once the column bits are
    /// bound to `c`, the rest runs over `P(c, ·) = Σ_j eq(c, j)·T_j` (one pass over the columns)
    /// times `eq(s, c)·K`. The round polynomials are the same as those of the sumcheck over the
    /// whole stacked table (a round polynomial is a function of the sum alone), at a fraction
    /// of the work: no `2^(n + l)` weight table, no folds of the padded stack.
    #[allow(clippy::type_complexity, clippy::too_many_arguments)]
    fn open_columns<B: AirOps<F, E>, const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        whir: (&Whir<F, E, H>, &WhirWitness<F, E, H>),
        stacked: B::Column<F>,
        log_cols: usize,
        claims: (&[E], &[E]),
        eq_r: &B::Column<E>,
        profile: &mut AirProfile,
    ) -> Result<ColumnOpening<F, E, H::Digest>, AirError> {
        let (reduction, value, point) =
            Self::reduce_columns::<B, W, R>(transcript, stacked, log_cols, claims, eq_r, profile)?;
        let mut clock = Instant::now();
        let (opened, whir_proof) = whir.0.open(transcript, whir.1, &point)?;
        profile.lap("whir_open", &mut clock);
        if opened != value {
            return Err(AirError::Internal {
                what: "WHIR opened a value other than the reduction's",
            });
        }
        Ok(ColumnOpening { reduction, value, whir: whir_proof })
    }

    /// The reduction of [`AirProver::open_columns`] without the WHIR opening: its sumcheck, the
    /// stacked polynomial's value at the point it ends at, and that point.
    #[allow(clippy::type_complexity)]
    pub(crate) fn reduce_columns<B: AirOps<F, E>, const W: usize, const R: usize>(
        transcript: &mut Transcript<F, W, R>,
        stacked: B::Column<F>,
        log_cols: usize,
        claims: (&[E], &[E]),
        eq_r: &B::Column<E>,
        profile: &mut AirProfile,
    ) -> Result<(SumcheckProof<E>, E, Vec<E>), AirError> {
        let mut clock = Instant::now();
        let (evals, next) = claims;
        let e_bytes = core::mem::size_of::<E>();
        let s: Vec<E> = (0..log_cols).map(|_| transcript.sample_ext()).collect();
        let mu: E = if next.is_empty() { E::ZERO } else { transcript.sample_ext() };
        let eq_s = eq_table(&s);
        let claim = batched_claim(&eq_s, evals, next, mu);
        let n_vars = stacked.len().trailing_zeros() as usize;
        let rows_vars = n_vars
            .checked_sub(log_cols)
            .ok_or(AirError::Internal { what: "stacked columns shorter than their count" })?;
        zkprove_sumcheck::observe_instance(transcript, n_vars, &reduction_terms::<E>());
        transcript.observe_ext(&claim);
        // The column rounds, on the 2^l batched claims (zero for the padding columns).
        let mut a: Vec<E> = (0..eq_s.len())
            .map(|j| {
                let v = evals.get(j).copied().unwrap_or(E::ZERO);
                v + mu * next.get(j).copied().unwrap_or(E::ZERO)
            })
            .collect();
        let mut w = eq_s;
        let mut rounds = Vec::with_capacity(n_vars);
        let mut point = Vec::with_capacity(n_vars);
        for _ in 0..log_cols {
            let half = a.len() / 2;
            let (mut p0, mut p2) = (E::ZERO, E::ZERO);
            for i in 0..half {
                let (al, ah, wl, wh) = (a[i], a[i + half], w[i], w[i + half]);
                p0 += al * wl;
                p2 += (ah.double() - al) * (wh.double() - wl);
            }
            let poly = RoundPoly { evals: vec![p0, p2] };
            poly.observe(transcript);
            let r: E = transcript.sample_ext();
            for i in 0..half {
                let (al, wl) = (a[i], w[i]);
                a[i] = al + r * (a[i + half] - al);
                w[i] = wl + r * (w[i + half] - wl);
            }
            a.truncate(half);
            w.truncate(half);
            rounds.push(poly);
            point.push(r);
        }
        // The row rounds: P(c, ·) times eq(s, c)·K.
        let eq_c = eq_table(&point);
        let n_cols = evals.len().min(eq_c.len());
        let combined = B::combine_stacked(&stacked, &eq_c[..n_cols], 1 << rows_vars)?;
        drop(stacked);
        // μ = 0 without next-row claims: the kernel is eq(r, ·) itself.
        let mut kernel = B::shift_kernel(eq_r, mu)?;
        B::scale(&mut kernel, w.first().copied().unwrap_or(E::ONE))?;
        let mut prover =
            SumcheckProver::<F, E, B>::new_ext(vec![combined, kernel], reduction_terms::<E>())?;
        for _ in 0..rows_vars {
            let poly = prover.round_polynomial()?;
            profile.download(poly.evals.len(), e_bytes);
            poly.observe(transcript);
            let r: E = transcript.sample_ext();
            prover.fold(r)?;
            rounds.push(poly);
            point.push(r);
        }
        profile.download(2, e_bytes);
        let value = prover.final_evaluations()?[0];
        profile.lap("reduction", &mut clock);
        Ok((SumcheckProof { rounds }, value, point))
    }

    /// Verifies `proof` for `air` with `2^log_rows` rows, on a transcript in the state the
    /// prover's was in.
    ///
    /// # Errors
    /// The first check that fails: [`AirError::ProofShape`] for a malformed proof,
    /// [`AirError::Zerocheck`] / [`AirError::Sumcheck`] for a sumcheck that does not reduce
    /// correctly, [`AirError::OpeningMismatch`] for an opening that does not match its claims,
    /// [`AirError::Whir`] for a WHIR proof that fails; set-up errors as [`AirProver::security`].
    pub fn verify<A: Air<F> + ?Sized, const W: usize, const R: usize>(
        &self,
        air: &A,
        log_rows: usize,
        proof: &AirProof<F, E, H::Digest>,
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<(), AirError> {
        let (setup, _) = self.setup(air, log_rows)?;
        Self::check_proof_shape(&setup, proof)?;
        Self::bind(air, &setup, transcript);
        let main_received =
            setup.main_whir.receive_commitment(transcript, &proof.main_commitment)?;
        let mut beta = E::ZERO;
        let mut gamma_pows = Vec::new();
        let mut aux_received = None;
        if let (Some(aux_whir), Some(c)) = (&setup.aux_whir, &proof.aux_commitment) {
            beta = transcript.sample_ext();
            gamma_pows = crate::ops::fingerprint_challenges(transcript, setup.max_width());
            aux_received = Some(aux_whir.receive_commitment(transcript, c)?);
        }
        Self::verify_rest(
            air,
            &setup,
            proof,
            (&main_received, aux_received.as_ref()),
            (beta, gamma_pows),
            E::ZERO,
            &[],
            transcript,
        )
    }

    /// A multi-table proof's part for one table against its set-up.
    pub(crate) fn check_table_shape(
        setup: &Setup<F, E, H>,
        proof: &TableProof<E>,
    ) -> Result<(), AirError> {
        Self::check_evals_shape(setup, (&proof.main_evals, &proof.next_evals, &proof.aux_evals))?;
        if proof.aux_reduction.is_some() != setup.aux_whir.is_some() {
            return Err(AirError::ProofShape { what: "LogUp reduction" });
        }
        Ok(())
    }

    /// The numbers of claimed values (main, next-row, LogUp) against the set-up.
    fn check_evals_shape(
        setup: &Setup<F, E, H>,
        evals: (&[E], &[E], &[E]),
    ) -> Result<(), AirError> {
        let (main, next, aux) = evals;
        let shape = &setup.shape;
        let m = shape.n_columns;
        let bad = |what: &'static str| AirError::ProofShape { what };
        if main.len() != m {
            return Err(bad("main evaluations"));
        }
        if next.len() != if shape.uses_next { m } else { 0 } {
            return Err(bad("next-row evaluations"));
        }
        if aux.len() != setup.lookups.len() * E::DEGREE {
            return Err(bad("LogUp evaluations"));
        }
        Ok(())
    }

    /// The proof's sizes against the set-up.
    pub(crate) fn check_proof_shape(
        setup: &Setup<F, E, H>,
        proof: &AirProof<F, E, H::Digest>,
    ) -> Result<(), AirError> {
        Self::check_evals_shape(setup, (&proof.main_evals, &proof.next_evals, &proof.aux_evals))?;
        let bad = |what: &'static str| AirError::ProofShape { what };
        if proof.aux_commitment.is_some() != setup.aux_whir.is_some()
            || proof.aux_opening.is_some() != setup.aux_whir.is_some()
        {
            return Err(bad("LogUp commitment"));
        }
        Ok(())
    }

    /// The verifier's zerocheck (claim `λ·logup_claim`), the preprocessed columns' check
    /// (`fixed`: column index and its values, which the verifier evaluates itself) and the
    /// openings, once the commitments are received.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    pub(crate) fn verify_rest<A: Air<F> + ?Sized, const W: usize, const R: usize>(
        air: &A,
        setup: &Setup<F, E, H>,
        proof: &AirProof<F, E, H::Digest>,
        received: (&ReceivedCommitment<E, H::Digest>, Option<&ReceivedCommitment<E, H::Digest>>),
        logup_challenges: (E, Vec<E>),
        logup_claim: E,
        fixed: &[(usize, &[F])],
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<(), AirError> {
        let r = Self::verify_zerocheck(
            air,
            setup,
            (&proof.zerocheck, &proof.main_evals, &proof.next_evals, &proof.aux_evals),
            logup_challenges,
            logup_claim,
            fixed,
            transcript,
        )?;
        Self::verify_opening(
            transcript,
            &setup.main_whir,
            received.0,
            &proof.main_opening,
            setup.main_log_cols,
            (&proof.main_evals, &proof.next_evals),
            &r,
            "main",
        )?;
        if let (Some(aux_whir), Some(aux_received), Some(opening)) =
            (&setup.aux_whir, received.1, &proof.aux_opening)
        {
            Self::verify_opening(
                transcript,
                aux_whir,
                aux_received,
                opening,
                setup.aux_log_cols,
                (&proof.aux_evals, &[]),
                &r,
                "LogUp",
            )?;
        }
        Ok(())
    }

    /// The verifier's zerocheck (claim `λ·logup_claim`) over a table's claimed column values
    /// (`parts`: the zerocheck, main, next-row and LogUp evaluations), the preprocessed columns'
    /// check (`fixed`: column index and its values, which the verifier evaluates itself);
    /// observes the values and returns the zerocheck's point `r`.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    pub(crate) fn verify_zerocheck<A: Air<F> + ?Sized, const W: usize, const R: usize>(
        air: &A,
        setup: &Setup<F, E, H>,
        parts: (&SumcheckProof<E>, &[E], &[E], &[E]),
        logup_challenges: (E, Vec<E>),
        logup_claim: E,
        fixed: &[(usize, &[F])],
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<Vec<E>, AirError> {
        let (zerocheck, main_evals, next_evals, aux_evals) = parts;
        let shape = &setup.shape;
        let n = setup.log_rows;
        let n_lookups = setup.lookups.len();
        let mut ch = ZerocheckChallenges {
            beta: logup_challenges.0,
            gamma_pows: logup_challenges.1,
            alpha_pows: Vec::new(),
            lambda: E::ZERO,
        };
        let tau: Vec<E> = (0..n).map(|_| transcript.sample_ext()).collect();
        let alpha: E = transcript.sample_ext();
        ch.lambda = transcript.sample_ext();
        ch.alpha_pows = alpha.powers(shape.n_constraints + n_lookups);

        let sub = zkprove_sumcheck::verify(
            ch.lambda * logup_claim,
            n,
            &zerocheck_terms::<E>(setup.degree()),
            zerocheck,
            transcript,
        )
        .map_err(|source| AirError::Sumcheck { which: "zerocheck", source })?;
        let r = &sub.point;
        if !fixed.is_empty() {
            let eq_r = eq_table(r);
            for &(j, values) in fixed {
                let ok_len = values.len() == eq_r.len() && j < shape.n_columns;
                let cur: E = eq_r.iter().zip(values).map(|(&e, &v)| e * v).sum();
                let len = values.len().max(1);
                let next: E =
                    eq_r.iter().enumerate().map(|(i, &e)| e * values[(i + 1) % len]).sum();
                if !ok_len || main_evals[j] != cur || (shape.uses_next && next_evals[j] != next) {
                    return Err(AirError::FixedColumn { column: j });
                }
            }
        }
        let first: E = r.iter().map(|&x| E::ONE - x).product();
        let last: E = r.iter().copied().product();
        let aux: Vec<E> = aux_evals
            .chunks(E::DEGREE)
            .map(|c| c.iter().enumerate().map(|(k, &v)| v * basis::<F, E>(k)).sum())
            .collect();
        let next = if shape.uses_next { next_evals } else { main_evals };
        let mut buf = Vec::with_capacity(shape.n_constraints);
        let summand = eval_point::<F, E, E, A>(
            air,
            shape,
            &setup.lookups,
            &ch,
            (main_evals, next, first, last),
            eq_eval(&tau, r),
            &aux,
            &mut buf,
        );
        if buf.len() != shape.n_constraints {
            return Err(AirError::BadAir {
                reason: format!(
                    "eval recorded {} constraints, the symbolic pass {}",
                    buf.len(),
                    shape.n_constraints
                ),
            });
        }
        if summand != sub.expected_eval {
            return Err(AirError::Zerocheck);
        }
        for x in main_evals.iter().chain(next_evals).chain(aux_evals) {
            transcript.observe_ext(x);
        }
        Ok(sub.point)
    }

    #[allow(clippy::type_complexity)]
    fn verify_opening<const W: usize, const R: usize>(
        transcript: &mut Transcript<F, W, R>,
        whir: &Whir<F, E, H>,
        received: &ReceivedCommitment<E, H::Digest>,
        opening: &ColumnOpening<F, E, H::Digest>,
        log_cols: usize,
        claims: (&[E], &[E]),
        r: &[E],
        which: &'static str,
    ) -> Result<(), AirError> {
        let z = Self::verify_reduction(
            transcript,
            (&opening.reduction, opening.value),
            log_cols,
            claims,
            r,
            which,
        )?;
        whir.verify(transcript, received, &z, opening.value, &opening.whir)?;
        Ok(())
    }

    /// The verifier's side of [`AirProver::reduce_columns`]: checks the reduction of the
    /// column claims at `r` to `value` at the stacked polynomial's point, which it returns.
    pub(crate) fn verify_reduction<const W: usize, const R: usize>(
        transcript: &mut Transcript<F, W, R>,
        reduction: (&SumcheckProof<E>, E),
        log_cols: usize,
        claims: (&[E], &[E]),
        r: &[E],
        which: &'static str,
    ) -> Result<Vec<E>, AirError> {
        let (reduction, value) = reduction;
        let (evals, next) = claims;
        let s: Vec<E> = (0..log_cols).map(|_| transcript.sample_ext()).collect();
        let mu: E = if next.is_empty() { E::ZERO } else { transcript.sample_ext() };
        let claim = batched_claim(&eq_table(&s), evals, next, mu);
        let n_vars = log_cols + r.len();
        let sub =
            zkprove_sumcheck::verify(claim, n_vars, &reduction_terms::<E>(), reduction, transcript)
                .map_err(|source| AirError::Sumcheck { which, source })?;
        let z = sub.point;
        let (zc, zy) = z.split_at(log_cols);
        let mut k = eq_eval(r, zy);
        if !next.is_empty() {
            k += mu * shift_eval(r, zy);
        }
        if sub.expected_eval != value * eq_eval(&s, zc) * k {
            return Err(AirError::OpeningMismatch { which });
        }
        Ok(z)
    }
}

/// The zerocheck's instance for the sumcheck transcript: one product of `degree` factors (the
/// AIR itself — name, shape, constraints — is bound by [`AirProver`] before any challenge).
fn zerocheck_terms<E: Field>(degree: usize) -> Vec<Term<E>> {
    vec![Term::product((0..degree).collect())]
}

/// The opening reduction's instance: the stacked columns times the weight.
fn reduction_terms<E: Field>() -> Vec<Term<E>> {
    vec![Term::product(vec![0, 1])]
}

/// The zerocheck's round polynomial `s(X) = prefix·eq(t, X)·q(X) + λ·L(X)` at
/// `X = 0, 2, …, degree`, from `q` at `X = 0, 2, …, degree − 1` and `L` at `0, 1, 2`
/// ([`ZerocheckSums`]): `q(1)` follows from `s(0) + s(1) = claim`, and `q` (degree
/// `≤ degree − 1`) and `L` (degree ≤ 2) are extended to the other points by interpolation.
fn gruen_round<E: Field>(
    sums: &ZerocheckSums<E>,
    t: E,
    prefix: E,
    lambda: E,
    claim: E,
    degree: usize,
) -> Result<RoundPoly<E>, AirError> {
    let [l0, l1, l2] = sums.logup_part;
    let q0 = sums.eq_part.first().copied().unwrap_or(E::ZERO);
    // prefix·((1 − t)·q0 + t·q1) + λ·(L0 + L1) = claim.
    let scaled = prefix.inverse().map(|inv| (claim - lambda * (l0 + l1)) * inv);
    let q1 = scaled
        .zip(t.inverse())
        .map(|(c, t_inv)| (c - (E::ONE - t) * q0) * t_inv)
        .ok_or(AirError::Internal { what: "a zero zerocheck challenge (probability ~1/|E|)" })?;
    // q through X = 0, 1, …, degree − 1, as a round polynomial (values at 0, 2, … and the
    // sum q(0) + q(1)), evaluated by its own interpolation.
    let q_poly = RoundPoly { evals: sums.eq_part.clone() };
    let l_poly = RoundPoly { evals: vec![l0, l2] };
    let mut evals = Vec::with_capacity(degree);
    for x in core::iter::once(0u64).chain(2..=degree as u64) {
        let xe = E::from_u64(x);
        let q = q_poly.evaluate(q0 + q1, xe);
        let l = l_poly.evaluate(l0 + l1, xe);
        let eq_t = (E::ONE - t) * (E::ONE - xe) + t * xe;
        evals.push(prefix * eq_t * q + lambda * l);
    }
    Ok(RoundPoly { evals })
}

/// `Σ_j eq(s, j)·(v_j + μ·w_j)` (columns beyond the claims are the zero padding).
fn batched_claim<E: Field>(eq_s: &[E], evals: &[E], next: &[E], mu: E) -> E {
    let mut claim = E::ZERO;
    for (j, &v) in evals.iter().enumerate() {
        let w = next.get(j).copied().unwrap_or(E::ZERO);
        claim += eq_s.get(j).copied().unwrap_or(E::ZERO) * (v + mu * w);
    }
    claim
}

/// Checks every constraint on every row (base field; cyclic next row).
pub(crate) fn check_rows<F: Field, A: Air<F> + ?Sized>(
    air: &A,
    shape: &AirShape,
    trace: &Trace<F>,
) -> Result<(), AirError> {
    let rows = trace.n_rows();
    let cols = trace.columns();
    let m = shape.n_columns;
    let failure = (0..rows).into_par_iter().find_map_first(|i| {
        let cur: Vec<F> = cols.iter().map(|c| c[i]).collect();
        let next: Vec<F> = cols.iter().map(|c| c[(i + 1) % rows]).collect();
        let first = if i == 0 { F::ONE } else { F::ZERO };
        let last = if i + 1 == rows { F::ONE } else { F::ZERO };
        let mut b =
            PointBuilder { current: &cur[..m], next: &next[..m], first, last, values: Vec::new() };
        air.eval(&mut b);
        if b.values.len() != shape.n_constraints {
            return Some((i, usize::MAX));
        }
        b.values.iter().position(|v| !v.is_zero()).map(|c| (i, c))
    });
    match failure {
        None => Ok(()),
        Some((_, usize::MAX)) => Err(AirError::BadAir {
            reason: "eval records a different number of constraints on some rows".into(),
        }),
        Some((row, constraint)) => Err(AirError::ConstraintFailed { row, constraint }),
    }
}
