//! Several AIRs of different heights proved together under one transcript, with LogUp buses
//! shared between them ([`TableAir`], [`AirProver::prove_tables`]).
//!
//! # Buses
//! A table sends or receives tuples on named buses ([`BusInteraction`]): on every row, a tuple
//! of linear expressions of the row and a multiplicity (a linear expression too, e.g. a selector
//! column, `0` on padding rows). The statement is that, on every bus, the multiset of sent
//! tuples (with multiplicities) equals the multiset of received ones, together with the
//! verifier's own public contributions ([`PublicTuple`]: public input/output, a memory image the
//! verifier computes). With the buses' names sorted, bus `i` has the id `i + 1`, and a tuple
//! `(f_1, …, f_k)` on it the fingerprint `id + γ·f_1 + … + γ^k·f_k`; a sent tuple contributes
//! `+m/(β − fp)`, a received one `−m/(β − fp)`. Every tuple on a bus has the same arity (checked
//! at set-up), so tuples of two buses or two arities never share a fingerprint polynomial.
//!
//! # Protocol
//! 1. The transcript absorbs every table's name, height, shape, interactions (expressions
//!    included), public values and preprocessed column indices, the bus names and the public
//!    tuples.
//! 2. Each table's main trace is committed (one WHIR commitment per table: tables of different
//!    heights have their own zerocheck points, and one stacked commitment over several heights
//!    would need a reduction across points — a later step).
//! 3. `β, γ` (shared by all tables); each table with interactions commits its LogUp columns
//!    `h_t = 1/(β − fp_t)` and sends its claimed sum `c_i = Σ_x Σ_t ±m_t(x)·h_t(x)`.
//! 4. The verifier checks `Σ_i c_i + Σ_public ±m/(β − fp) = 0`.
//! 5. Each table runs the single-AIR zerocheck with claim `λ_i·c_i` (its constraints, the
//!    `h_t·(β − fp_t) = 1` rows, and the sum), then its openings — exactly as
//!    [`AirProver::prove`], which is the one-table case with no bus and `c = 0`.
//!
//! **Preprocessed columns** ([`TableAir::preprocessed`]) are main columns whose values the
//! verifier knows (a program's text, a range table's values): the prover commits them with the
//! rest, and the verifier compares their opened values at the zerocheck point (and the next-row
//! values) with its own evaluation of their multilinear extension (`O(rows)` for the verifier).
//! A committed column that differs from the known one agrees with it at the random point with
//! probability ≤ `n/|E|`.
//!
//! # Security
//! Union bound, as [`MultiSecurityReport`]: per table the zerocheck, reduction and WHIR terms of
//! the single AIR (WHIR asked at `target + 1 + ⌈log2(#openings)⌉` bits, `#openings` over all
//! tables), `n_i/|E|` per table with preprocessed columns, and one LogUp term over **all** bus
//! fractions: `N·w/|E|` with `N = Σ_i T_i·2^{n_i} + #public tuples` and `w` the widest tuple
//! (bus id included): with denominators cleared, the balance identity is a nonzero polynomial of
//! total degree ≤ `N·w` in `(β, γ)` when some bus does not balance. Over BabyBear⁴
//! (`|E| = 2^123.6`) this keeps ≥ 100 bits while `N·w ≲ 2^23`.

use zkprove_field::{ExtensionField, Field, PrimeField64, TwoAdicField};
use zkprove_hash::{MerkleHash, Transcript};
use zkprove_poly::CpuBackend;

use crate::air::{Air, AirShape, Interaction, LinearExpr};
use crate::ops::AirOps;
use crate::proof::AirProof;
use crate::prover::{AirProfile, AirProver, Setup, Trace, log2_ceil};
use crate::{AirError, SecurityReport};

/// The largest table height a verifier accepts (`2^MAX_LOG_ROWS` rows).
pub const MAX_LOG_ROWS: usize = 28;

/// Whether a table sends (adds) or receives (subtracts) a tuple.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `+m/(β − fp)`.
    Send,
    /// `−m/(β − fp)`.
    Receive,
}

/// One interaction of a table with a bus, on every row: the tuple and its multiplicity, as
/// linear expressions of the row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusInteraction<F> {
    /// The bus's name.
    pub bus: String,
    /// The tuple.
    pub tuple: Vec<LinearExpr<F>>,
    /// The multiplicity (0 on rows that do not interact, e.g. padding).
    pub multiplicity: LinearExpr<F>,
    /// Send or receive.
    pub direction: Direction,
}

impl<F: Field> BusInteraction<F> {
    /// Sends `tuple` with `multiplicity` on `bus`.
    pub fn send(bus: &str, tuple: Vec<LinearExpr<F>>, multiplicity: LinearExpr<F>) -> Self {
        Self { bus: bus.into(), tuple, multiplicity, direction: Direction::Send }
    }

    /// Receives `tuple` with `multiplicity` on `bus`.
    pub fn receive(bus: &str, tuple: Vec<LinearExpr<F>>, multiplicity: LinearExpr<F>) -> Self {
        Self { bus: bus.into(), tuple, multiplicity, direction: Direction::Receive }
    }
}

/// A tuple the verifier puts on a bus itself (public input/output, an initial memory image).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicTuple<F> {
    /// The bus's name.
    pub bus: String,
    /// The values.
    pub tuple: Vec<F>,
    /// Its multiplicity.
    pub multiplicity: F,
    /// Send or receive.
    pub direction: Direction,
}

/// A table of a multi-table proof: an [`Air`] (its constraints; its own `logup_terms` must be
/// empty) plus its bus interactions and preprocessed columns.
///
/// A set of tables of different kinds is one type (an `enum` dispatching to each), since
/// [`Air::eval`] is generic over the builder.
pub trait TableAir<F: Field>: Air<F> {
    /// The table's interactions with the buses.
    fn interactions(&self) -> Vec<BusInteraction<F>>;

    /// Preprocessed columns for a table of `2^log_rows` rows: `(column, values)`, values the
    /// verifier knows (computed from the AIR and its public values, which the transcript binds).
    fn preprocessed(&self, log_rows: usize) -> Vec<(usize, Vec<F>)> {
        let _ = log_rows;
        Vec::new()
    }
}

/// A proof for several tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiProof<F, E, D> {
    /// log2 of each table's rows.
    pub log_rows: Vec<usize>,
    /// Each table's claimed LogUp sum `Σ_x Σ_t ±m_t·h_t` (0 for a table without interactions).
    pub logup_sums: Vec<E>,
    /// Each table's proof (commitments, zerocheck, evaluations, openings).
    pub tables: Vec<AirProof<F, E, D>>,
}

impl<F: PrimeField64, E: ExtensionField<F>, D: AsRef<[F]>> MultiProof<F, E, D> {
    /// The proof size in bytes (see [`AirProof::size_bytes`]).
    pub fn size_bytes(&self) -> usize {
        let bytes = (F::NUM_BITS as usize).div_ceil(8);
        self.tables.iter().map(AirProof::size_bytes).sum::<usize>()
            + (self.log_rows.len() + self.logup_sums.len() * E::DEGREE) * bytes
    }
}

/// The soundness of a multi-table proof, in bits (`−log2 ε`) per term and overall.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiSecurityReport {
    /// `log2 |E|`.
    pub field_bits: f64,
    /// Each table's single-AIR terms (its `logup_bits` is `None`: LogUp is counted once below).
    pub tables: Vec<SecurityReport>,
    /// The preprocessed columns' checks: `Σ n_i/|E|` over tables that have them.
    pub fixed_bits: Option<f64>,
    /// LogUp over every bus fraction: `N·w/|E|`.
    pub logup_bits: Option<f64>,
    /// `−log2` of the sum of every term.
    pub total_bits: f64,
}

/// Per table: its set-up and its known columns.
struct Tables<F, E, H> {
    buses: Vec<String>,
    setups: Vec<Setup<F, E, H>>,
    security: MultiSecurityReport,
}

fn bits(eps: f64) -> f64 {
    -eps.log2()
}

impl<F, E, H> AirProver<F, E, H>
where
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
{
    /// The bus names (sorted; bus `i` has id `i + 1`), checking that a bus has one arity.
    fn buses<A: TableAir<F>>(
        airs: &[A],
        public: &[PublicTuple<F>],
    ) -> Result<Vec<String>, AirError> {
        let mut arity: std::collections::BTreeMap<String, usize> = Default::default();
        let mut add = |bus: &str, k: usize| -> Result<(), AirError> {
            match arity.get(bus) {
                Some(&a) if a != k => Err(AirError::BadAir {
                    reason: format!("bus `{bus}` carries tuples of {a} and of {k} values"),
                }),
                _ => {
                    arity.insert(bus.to_string(), k);
                    Ok(())
                }
            }
        };
        for air in airs {
            if !air.logup_terms().is_empty() {
                return Err(AirError::BadAir {
                    reason: format!(
                        "table `{}` has single-AIR LogUp terms: use bus interactions",
                        air.name()
                    ),
                });
            }
            for i in air.interactions() {
                add(&i.bus, i.tuple.len())?;
            }
        }
        for p in public {
            add(&p.bus, p.tuple.len())?;
        }
        Ok(arity.into_keys().collect())
    }

    fn bus_id(buses: &[String], bus: &str) -> Result<F, AirError> {
        buses
            .binary_search_by(|b| b.as_str().cmp(bus))
            .map(|i| F::from_u64(i as u64 + 1))
            .map_err(|_| AirError::Internal { what: "unknown bus" })
    }

    fn normalise<A: TableAir<F>>(
        air: &A,
        buses: &[String],
    ) -> Result<(Vec<Interaction<F>>, Vec<String>), AirError> {
        let mut out = Vec::new();
        let mut names = Vec::new();
        for i in air.interactions() {
            let mut tuple = vec![LinearExpr::constant(Self::bus_id(buses, &i.bus)?)];
            tuple.extend(i.tuple);
            out.push(Interaction {
                tuple,
                multiplicity: i.multiplicity,
                negate: i.direction == Direction::Receive,
            });
            names.push(i.bus);
        }
        Ok((out, names))
    }

    fn tables_setup<A: TableAir<F>>(
        &self,
        airs: &[A],
        log_rows: &[usize],
        public: &[PublicTuple<F>],
    ) -> Result<Tables<F, E, H>, AirError> {
        if airs.is_empty() || airs.len() != log_rows.len() {
            return Err(AirError::TraceShape {
                reason: format!("{} tables, {} heights", airs.len(), log_rows.len()),
            });
        }
        if let Some(&n) = log_rows.iter().find(|&&n| n > MAX_LOG_ROWS) {
            return Err(AirError::TraceShape {
                reason: format!("2^{n} rows (at most 2^{MAX_LOG_ROWS})"),
            });
        }
        let buses = Self::buses(airs, public)?;
        let mut parts = Vec::with_capacity(airs.len());
        let mut n_openings = 0;
        for air in airs {
            let (lookups, _) = Self::normalise(air, &buses)?;
            n_openings += if lookups.is_empty() { 1 } else { 2 };
            parts.push((AirShape::of(air), lookups));
        }
        let whir_target = self.params().security_bits + 1 + log2_ceil(n_openings);
        let field_bits = (F::ORDER_U64 as f64).log2() * E::DEGREE as f64;
        let inv_e = (-field_bits).exp2();
        let mut setups = Vec::with_capacity(airs.len());
        let mut reports = Vec::with_capacity(airs.len());
        let (mut eps, mut fixed_eps, mut n_fractions, mut width) = (0.0, 0.0, 0.0, 0usize);
        for ((shape, lookups), (&n, air)) in parts.into_iter().zip(log_rows.iter().zip(airs)) {
            let setup = self.table_setup(shape, lookups, n, whir_target)?;
            let mut whir_bits = vec![setup.main_whir.config().achieved_bits];
            if let Some(w) = &setup.aux_whir {
                whir_bits.push(w.config().achieved_bits);
            }
            // The single-AIR terms without its LogUp term (counted once, over all tables).
            let mut shape = setup.shape.clone();
            shape.logup = Vec::new();
            let t = setup.lookups.len();
            shape.n_constraints += t;
            let mut report = SecurityReport::new(
                &shape,
                n,
                field_bits,
                setup.main_log_cols,
                setup.aux_whir.as_ref().map(|_| setup.aux_log_cols),
                whir_bits,
            );
            // The zerocheck's degree with LogUp is at least 3.
            if t > 0 {
                let d = setup.degree() as f64;
                let k = setup.shape.n_constraints as f64;
                let nf = n as f64;
                report.zerocheck_bits = bits((nf * d + nf + k + t as f64) * inv_e);
            }
            eps += (-report.zerocheck_bits).exp2() + (-report.reduction_bits).exp2();
            eps += report.whir_bits.iter().map(|b| (-b).exp2()).sum::<f64>();
            if !air.preprocessed(0).is_empty() || !air.preprocessed(n).is_empty() {
                fixed_eps += n as f64 * inv_e;
            }
            n_fractions += (t as f64) * (n as f64).exp2();
            width = width.max(setup.max_width());
            report.total_bits = f64::NAN;
            reports.push(report);
            setups.push(setup);
        }
        n_fractions += public.len() as f64;
        width = width.max(public.iter().map(|p| p.tuple.len() + 1).max().unwrap_or(0));
        let logup_eps = n_fractions * width as f64 * inv_e;
        let total = eps + fixed_eps + logup_eps;
        let security = MultiSecurityReport {
            field_bits,
            tables: reports,
            fixed_bits: (fixed_eps > 0.0).then(|| bits(fixed_eps)),
            logup_bits: (logup_eps > 0.0).then(|| bits(logup_eps)),
            total_bits: bits(total),
        };
        if security.total_bits < self.params().security_bits as f64 {
            return Err(AirError::Security {
                achieved: security.total_bits,
                target: self.params().security_bits,
            });
        }
        Ok(Tables { buses, setups, security })
    }

    /// The soundness of a multi-table proof of `airs` with `2^log_rows[i]` rows and `public`
    /// tuples.
    ///
    /// # Errors
    /// As [`AirProver::prove_tables`]'s set-up.
    pub fn security_tables<A: TableAir<F>>(
        &self,
        airs: &[A],
        log_rows: &[usize],
        public: &[PublicTuple<F>],
    ) -> Result<MultiSecurityReport, AirError> {
        Ok(self.tables_setup(airs, log_rows, public)?.security)
    }

    /// The overall level in bits of [`AirProver::security_tables`].
    ///
    /// # Errors
    /// As [`AirProver::security_tables`].
    pub fn achieved_bits_tables<A: TableAir<F>>(
        &self,
        airs: &[A],
        log_rows: &[usize],
        public: &[PublicTuple<F>],
    ) -> Result<f64, AirError> {
        Ok(self.security_tables(airs, log_rows, public)?.total_bits)
    }

    fn bind_tables<A: TableAir<F>, const W: usize, const R: usize>(
        airs: &[A],
        tables: &Tables<F, E, H>,
        public: &[PublicTuple<F>],
        t: &mut Transcript<F, W, R>,
    ) -> Result<(), AirError> {
        let int = |v: usize| F::from_u64(v as u64);
        let bytes = |t: &mut Transcript<F, W, R>, s: &str| {
            t.observe(int(s.len()));
            for b in s.as_bytes() {
                t.observe(F::from_u64(u64::from(*b)));
            }
        };
        let expr = |t: &mut Transcript<F, W, R>, e: &LinearExpr<F>| {
            t.observe(int(e.terms.len()));
            for &(j, c) in &e.terms {
                t.observe(int(j));
                t.observe(c);
            }
            t.observe(e.constant);
        };
        bytes(t, "zkprove-air-multi");
        t.observe(int(airs.len()));
        t.observe(int(tables.buses.len()));
        for b in &tables.buses {
            bytes(t, b);
        }
        for (air, setup) in airs.iter().zip(&tables.setups) {
            let s = &setup.shape;
            bytes(t, &air.name());
            for x in [
                setup.log_rows,
                s.n_columns,
                s.n_constraints,
                s.max_degree,
                usize::from(s.uses_next),
                setup.lookups.len(),
            ] {
                t.observe(int(x));
            }
            for i in &setup.lookups {
                t.observe(int(i.tuple.len()));
                for e in &i.tuple {
                    expr(t, e);
                }
                expr(t, &i.multiplicity);
                t.observe(int(usize::from(i.negate)));
            }
            let public_values = air.public_values();
            t.observe(int(public_values.len()));
            t.observe_slice(&public_values);
            let fixed = air.preprocessed(setup.log_rows);
            t.observe(int(fixed.len()));
            for (j, _) in &fixed {
                t.observe(int(*j));
            }
        }
        t.observe(int(public.len()));
        for p in public {
            t.observe(Self::bus_id(&tables.buses, &p.bus)?);
            t.observe(int(p.tuple.len()));
            t.observe_slice(&p.tuple);
            t.observe(p.multiplicity);
            t.observe(int(usize::from(p.direction == Direction::Receive)));
        }
        Ok(())
    }

    /// `Σ ±m/(β − fp)` over the public tuples, and the same per bus.
    fn public_sum(
        buses: &[String],
        public: &[PublicTuple<F>],
        beta: E,
        gamma_pows: &[E],
    ) -> Result<Vec<E>, AirError> {
        let mut per_bus = vec![E::ZERO; buses.len()];
        let terms: Vec<(usize, E, E, bool)> = public
            .iter()
            .map(|p| {
                let id = buses
                    .binary_search_by(|b| b.as_str().cmp(&p.bus))
                    .map_err(|_| AirError::Internal { what: "unknown bus" })?;
                let mut fp = gamma_pows[0] * F::from_u64(id as u64 + 1);
                for (&g, &v) in gamma_pows[1..].iter().zip(&p.tuple) {
                    fp += g * v;
                }
                Ok((id, beta - fp, E::from(p.multiplicity), p.direction == Direction::Receive))
            })
            .collect::<Result<_, AirError>>()?;
        let mut den: Vec<E> = terms.iter().map(|t| t.1).collect();
        if den.iter().any(|d| d.is_zero()) {
            return Err(AirError::LogUpDenominatorZero);
        }
        zkprove_field::batch_inverse_in_place(&mut den);
        for ((id, _, m, neg), inv) in terms.into_iter().zip(den) {
            let v = m * inv;
            if neg {
                per_bus[id] -= v;
            } else {
                per_bus[id] += v;
            }
        }
        Ok(per_bus)
    }

    /// Proves that `traces[i]` satisfies `airs[i]` for every table and that every bus balances
    /// with the `public` tuples, on the CPU, continuing `transcript`. The traces are checked
    /// first (constraints, preprocessed columns, every bus's balance).
    ///
    /// # Errors
    /// [`AirError::ConstraintFailed`], [`AirError::FixedColumn`], [`AirError::BusUnbalanced`]
    /// (naming the bus) for a bad witness; [`AirError::BadAir`] for a bus with two arities or a
    /// table with single-AIR LogUp terms; [`AirError::Security`]; WHIR errors.
    pub fn prove_tables<A: TableAir<F>, const W: usize, const R: usize>(
        &self,
        airs: &[A],
        traces: &[Trace<F>],
        public: &[PublicTuple<F>],
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<MultiProof<F, E, H::Digest>, AirError> {
        Ok(self.prove_tables_on::<CpuBackend, A, W, R>(airs, traces, public, transcript, true)?.0)
    }

    /// [`AirProver::prove_tables`] without the witness checks: for tests that a false claim
    /// is rejected by the verifier.
    ///
    /// # Errors
    /// As [`AirProver::prove_tables`], less the witness checks.
    pub fn prove_tables_unchecked<A: TableAir<F>, const W: usize, const R: usize>(
        &self,
        airs: &[A],
        traces: &[Trace<F>],
        public: &[PublicTuple<F>],
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<MultiProof<F, E, H::Digest>, AirError> {
        Ok(self.prove_tables_on::<CpuBackend, A, W, R>(airs, traces, public, transcript, false)?.0)
    }

    /// [`AirProver::prove_tables`] on backend `B`, with the witness checks when `check` is set,
    /// counting the host↔backend transfers.
    ///
    /// # Errors
    /// As [`AirProver::prove_tables`]; backend failures.
    #[allow(clippy::type_complexity)]
    pub fn prove_tables_on<B: AirOps<F, E>, A: TableAir<F>, const W: usize, const R: usize>(
        &self,
        airs: &[A],
        traces: &[Trace<F>],
        public: &[PublicTuple<F>],
        transcript: &mut Transcript<F, W, R>,
        check: bool,
    ) -> Result<(MultiProof<F, E, H::Digest>, AirProfile), AirError> {
        let log_rows: Vec<usize> = traces.iter().map(Trace::log_rows).collect();
        let tables = self.tables_setup(airs, &log_rows, public)?;
        let mut profile = AirProfile::default();
        let mut clock = std::time::Instant::now();
        if check {
            for ((air, setup), trace) in airs.iter().zip(&tables.setups).zip(traces) {
                crate::prover::check_rows(air, &setup.shape, trace)?;
                for (j, values) in air.preprocessed(setup.log_rows) {
                    if trace.columns().get(j).is_none_or(|c| *c != values) {
                        return Err(AirError::FixedColumn { column: j });
                    }
                }
            }
        }
        profile.lap("check", &mut clock);
        Self::bind_tables(airs, &tables, public, transcript)?;
        let mut mains = Vec::with_capacity(airs.len());
        for (setup, trace) in tables.setups.iter().zip(traces) {
            mains.push(self.commit_main::<B, W, R>(setup, trace, transcript, &mut profile)?);
        }
        let beta: E = transcript.sample_ext();
        let gamma: E = transcript.sample_ext();
        let width = tables.setups.iter().map(Setup::max_width).max().unwrap_or(0);
        let width = width.max(public.iter().map(|p| p.tuple.len() + 1).max().unwrap_or(0));
        let gamma_pows = gamma.powers(width.max(1));
        let mut auxes = Vec::with_capacity(airs.len());
        let mut sums = Vec::with_capacity(airs.len());
        let mut per_bus = vec![E::ZERO; tables.buses.len()];
        for ((air, setup), main) in airs.iter().zip(&tables.setups).zip(&mains) {
            if setup.aux_whir.is_none() {
                auxes.push(None);
                sums.push(E::ZERO);
                transcript.observe_ext(&E::ZERO);
                continue;
            }
            let aux = self.commit_aux::<B, W, R>(
                setup,
                &main.cols,
                (beta, &gamma_pows),
                check,
                transcript,
                &mut profile,
            )?;
            transcript.observe_ext(&aux.sum);
            sums.push(aux.sum);
            if check {
                let (_, names) = Self::normalise(air, &tables.buses)?;
                for (name, s) in names.iter().zip(&aux.per_term) {
                    let id = tables
                        .buses
                        .binary_search(name)
                        .map_err(|_| AirError::Internal { what: "unknown bus" })?;
                    per_bus[id] += *s;
                }
            }
            auxes.push(Some(aux));
        }
        if check {
            let public_sums = Self::public_sum(&tables.buses, public, beta, &gamma_pows)?;
            if let Some(i) =
                per_bus.iter().zip(&public_sums).position(|(&a, &b)| !(a + b).is_zero())
            {
                return Err(AirError::BusUnbalanced { bus: tables.buses[i].clone() });
            }
        }
        let mut proofs = Vec::with_capacity(airs.len());
        for (((air, setup), main), (aux, &sum)) in
            airs.iter().zip(&tables.setups).zip(mains).zip(auxes.into_iter().zip(&sums))
        {
            let gp = if aux.is_some() { gamma_pows.clone() } else { Vec::new() };
            proofs.push(self.prove_rest::<B, A, W, R>(
                air,
                setup,
                (main, aux),
                (beta, gp),
                sum,
                transcript,
                &mut profile,
            )?);
        }
        Ok((MultiProof { log_rows, logup_sums: sums, tables: proofs }, profile))
    }

    /// Verifies a multi-table proof of `airs` with the `public` tuples, on a transcript in the
    /// state the prover's was in.
    ///
    /// # Errors
    /// [`AirError::ProofShape`] for a malformed proof; [`AirError::BusSum`] when the claimed
    /// sums and the public contributions do not cancel; [`AirError::FixedColumn`]; and each
    /// table's errors as [`AirProver::verify`].
    pub fn verify_tables<A: TableAir<F>, const W: usize, const R: usize>(
        &self,
        airs: &[A],
        public: &[PublicTuple<F>],
        proof: &MultiProof<F, E, H::Digest>,
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<(), AirError> {
        if proof.tables.len() != airs.len()
            || proof.log_rows.len() != airs.len()
            || proof.logup_sums.len() != airs.len()
        {
            return Err(AirError::ProofShape { what: "number of tables" });
        }
        let tables = self.tables_setup(airs, &proof.log_rows, public)?;
        for (setup, p) in tables.setups.iter().zip(&proof.tables) {
            Self::check_proof_shape(setup, p)?;
        }
        Self::bind_tables(airs, &tables, public, transcript)?;
        let mut mains = Vec::with_capacity(airs.len());
        for (setup, p) in tables.setups.iter().zip(&proof.tables) {
            mains.push(setup.main_whir.receive_commitment(transcript, &p.main_commitment)?);
        }
        let beta: E = transcript.sample_ext();
        let gamma: E = transcript.sample_ext();
        let width = tables.setups.iter().map(Setup::max_width).max().unwrap_or(0);
        let width = width.max(public.iter().map(|p| p.tuple.len() + 1).max().unwrap_or(0));
        let gamma_pows = gamma.powers(width.max(1));
        let mut auxes = Vec::with_capacity(airs.len());
        let mut total = E::ZERO;
        for ((setup, p), &sum) in tables.setups.iter().zip(&proof.tables).zip(&proof.logup_sums) {
            match (&setup.aux_whir, &p.aux_commitment) {
                (Some(w), Some(c)) => auxes.push(Some(w.receive_commitment(transcript, c)?)),
                (None, None) if sum.is_zero() => auxes.push(None),
                _ => return Err(AirError::ProofShape { what: "LogUp commitment" }),
            }
            transcript.observe_ext(&sum);
            total += sum;
        }
        let public_sums = Self::public_sum(&tables.buses, public, beta, &gamma_pows)?;
        if !(total + public_sums.into_iter().sum::<E>()).is_zero() {
            return Err(AirError::BusSum);
        }
        for (i, air) in airs.iter().enumerate() {
            let setup = &tables.setups[i];
            let fixed_owned = air.preprocessed(setup.log_rows);
            let fixed: Vec<(usize, &[F])> =
                fixed_owned.iter().map(|(j, v)| (*j, v.as_slice())).collect();
            let gp = if auxes[i].is_some() { gamma_pows.clone() } else { Vec::new() };
            Self::verify_rest(
                air,
                setup,
                &proof.tables[i],
                (&mains[i], auxes[i].as_ref()),
                (beta, gp),
                proof.logup_sums[i],
                &fixed,
                transcript,
            )?;
        }
        Ok(())
    }
}
