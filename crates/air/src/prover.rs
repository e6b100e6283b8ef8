//! The prover and the verifier.

use core::marker::PhantomData;

use rayon::prelude::*;
use zkprove_field::{ExtensionField, Field, PrimeField64, TwoAdicField, batch_inverse_in_place};
use zkprove_hash::{MerkleHash, Transcript};
use zkprove_poly::{CpuBackend, Mle, eq_table};
use zkprove_sumcheck::{RoundPoly, SumcheckProof, SumcheckProver, Term};
use zkprove_whir::{ReceivedCommitment, SoundnessType, Whir, WhirParams, WhirWitness};

use crate::AirError;
use crate::air::{Air, AirShape, PointBuilder};
use crate::proof::{AirProof, ColumnOpening};
use crate::security::SecurityReport;
use crate::shift::{eq_eval, shift_eval, shift_table};

/// The caller's choice of parameters.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AirParams {
    /// Target security in bits for the whole proof (≥ 100 by default).
    pub security_bits: usize,
    /// WHIR: log2 of the inverse rate of the first codeword.
    pub log_inv_rate: usize,
    /// WHIR: variables folded per round.
    pub folding_factor: usize,
    /// WHIR: the most proof-of-work bits per challenge.
    pub max_pow_bits: usize,
    /// WHIR: the decoding bound its analysis assumes.
    pub soundness: SoundnessType,
}

impl Default for AirParams {
    /// 100 bits; WHIR at rate 1/2, folding factor 4, ≤ 20 bits of grinding per challenge (needed: WHIR is asked for 101–102 bits, see the crate docs), conjectured list
    /// decoding up to capacity (WHIR's own defaults).
    fn default() -> Self {
        Self {
            security_bits: 100,
            log_inv_rate: 1,
            folding_factor: 4,
            max_pow_bits: 20,
            soundness: SoundnessType::ConjectureList,
        }
    }
}

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

/// The challenges the constraints are combined with.
struct Challenges<E> {
    beta: E,
    gamma_pows: Vec<E>,
    alpha_pows: Vec<E>,
    lambda: E,
}

/// Everything fixed by the AIR's shape and the number of rows.
struct Setup<F, E, H> {
    shape: AirShape,
    log_rows: usize,
    main_log_cols: usize,
    main_whir: Whir<F, E, H>,
    aux_log_cols: usize,
    aux_whir: Option<Whir<F, E, H>>,
    security: SecurityReport,
}

/// The AIR proof system over a two-adic field `F` with challenges in `E` and Merkle hash `H`.
#[derive(Clone, Debug)]
pub struct AirProver<F, E, H> {
    params: AirParams,
    hasher: H,
    _fields: PhantomData<(F, E)>,
}

/// The smallest `l` with `2^l ≥ n` (0 for `n ≤ 1`).
fn log2_ceil(n: usize) -> usize {
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

/// Evaluates every constraint of `air` at one point and combines them:
/// `eq·(Σ α^i C_i + Σ_t α^(k+t)·(h_t·(β − fp_t) − 1)) + λ·Σ_t ±m_t·h_t`.
fn eval_point<F, V, E, A>(
    air: &A,
    shape: &AirShape,
    ch: &Challenges<E>,
    point: (&[V], &[V], V, V),
    eq: E,
    aux: &[E],
    buf: &mut Vec<V>,
) -> E
where
    F: Field,
    V: Field + From<F>,
    E: ExtensionField<V>,
    A: Air<F> + ?Sized,
{
    let (current, next, first, last) = point;
    buf.clear();
    let mut b = PointBuilder { current, next, first, last, values: core::mem::take(buf) };
    air.eval(&mut b);
    let mut acc = E::ZERO;
    for (&v, &a) in b.values.iter().zip(&ch.alpha_pows) {
        acc += a * v;
    }
    *buf = b.values;
    let k = shape.n_constraints;
    let mut sum = E::ZERO;
    for (t, term) in shape.logup.iter().enumerate() {
        let h = aux[t];
        let mut fp = E::ZERO;
        for (&g, &c) in ch.gamma_pows.iter().zip(&term.columns) {
            fp += g * current[c];
        }
        acc += ch.alpha_pows[k + t] * (h * (ch.beta - fp) - E::ONE);
        let s = match term.multiplicity {
            Some(mc) => h * current[mc],
            None => h,
        };
        if term.negate {
            sum -= s;
        } else {
            sum += s;
        }
    }
    eq * acc + ch.lambda * sum
}

/// Per-thread buffers of a zerocheck round.
struct RoundScratch<V, E> {
    acc: Vec<E>,
    lo_v: Vec<V>,
    d_v: Vec<V>,
    cur_v: Vec<V>,
    lo_e: Vec<E>,
    d_e: Vec<E>,
    cur_e: Vec<E>,
    buf: Vec<V>,
}

/// The tables of the zerocheck: `vt` = main columns, next-row columns (if used), first- and
/// last-row selectors (base field in round 1, extension afterwards); `et` = `eq(τ, ·)` and the
/// LogUp columns (extension field).
struct ZerocheckTables<'a, V, E> {
    vt: &'a [Vec<V>],
    et: &'a [Vec<E>],
    m: usize,
    uses_next: bool,
}

/// One zerocheck round: the round polynomial's values at `0, 2, …, degree`, summed over the
/// pairs `(lo, hi) = (t[i], t[i + half])` (the first, most significant, variable).
fn zerocheck_round<F, V, E, A>(
    air: &A,
    shape: &AirShape,
    ch: &Challenges<E>,
    tabs: &ZerocheckTables<'_, V, E>,
    degree: usize,
) -> RoundPoly<E>
where
    F: Field,
    V: Field + From<F>,
    E: ExtensionField<V>,
    A: Air<F> + ?Sized,
{
    let (vt, et, m) = (tabs.vt, tabs.et, tabs.m);
    let half = vt.first().map_or(0, Vec::len) / 2;
    let points: Vec<V> =
        core::iter::once(0u64).chain(2..=degree as u64).map(|x| V::from(F::from_u64(x))).collect();
    let sel = if tabs.uses_next { 2 * m } else { m };
    let new_scratch = || RoundScratch {
        acc: vec![E::ZERO; points.len()],
        lo_v: vec![V::ZERO; vt.len()],
        d_v: vec![V::ZERO; vt.len()],
        cur_v: vec![V::ZERO; vt.len()],
        lo_e: vec![E::ZERO; et.len()],
        d_e: vec![E::ZERO; et.len()],
        cur_e: vec![E::ZERO; et.len()],
        buf: Vec::with_capacity(shape.n_constraints),
    };
    let evals = (0..half)
        .into_par_iter()
        .with_min_len(32)
        .fold(new_scratch, |mut s, i| {
            for (c, t) in vt.iter().enumerate() {
                s.lo_v[c] = t[i];
                s.d_v[c] = t[i + half] - t[i];
            }
            for (c, t) in et.iter().enumerate() {
                s.lo_e[c] = t[i];
                s.d_e[c] = t[i + half] - t[i];
            }
            for (p, &x) in points.iter().enumerate() {
                for c in 0..vt.len() {
                    s.cur_v[c] = s.lo_v[c] + s.d_v[c] * x;
                }
                for c in 0..et.len() {
                    s.cur_e[c] = s.d_e[c] * x + s.lo_e[c];
                }
                let next = if tabs.uses_next { &s.cur_v[m..2 * m] } else { &s.cur_v[..m] };
                let v = eval_point(
                    air,
                    shape,
                    ch,
                    (&s.cur_v[..m], next, s.cur_v[sel], s.cur_v[sel + 1]),
                    s.cur_e[0],
                    &s.cur_e[1..],
                    &mut s.buf,
                );
                s.acc[p] += v;
            }
            s
        })
        .map(|s| s.acc)
        .reduce(
            || vec![E::ZERO; points.len()],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    RoundPoly { evals }
}

/// Fixes the first variable of each table to `r`: `t'[i] = t[i] + r·(t[i + half] − t[i])`.
fn fold_tables<V: Field, E: ExtensionField<V>>(tables: &[Vec<V>], r: E) -> Vec<Vec<E>> {
    tables
        .par_iter()
        .map(|t| {
            let half = t.len() / 2;
            (0..half).map(|i| r * (t[i + half] - t[i]) + t[i]).collect()
        })
        .collect()
}

fn fold_in_place<E: Field>(tables: &mut [Vec<E>], r: E) {
    tables.par_iter_mut().for_each(|t| {
        let half = t.len() / 2;
        for i in 0..half {
            t[i] = r * (t[i + half] - t[i]) + t[i];
        }
        t.truncate(half);
    });
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

    fn whir_params(&self, log_n: usize, bits: usize) -> WhirParams {
        WhirParams {
            log_n,
            log_inv_rate: self.params.log_inv_rate,
            folding_factor: self.params.folding_factor,
            security_bits: bits,
            max_pow_bits: self.params.max_pow_bits,
            soundness: self.params.soundness,
        }
    }

    fn setup<A: Air<F> + ?Sized>(
        &self,
        air: &A,
        log_rows: usize,
    ) -> Result<Setup<F, E, H>, AirError> {
        let shape = AirShape::of(air);
        let m = shape.n_columns;
        if m == 0 {
            return Err(AirError::BadAir { reason: "no columns".into() });
        }
        if log_rows == 0 {
            return Err(AirError::TraceShape { reason: "a trace needs at least 2 rows".into() });
        }
        for (t, term) in shape.logup.iter().enumerate() {
            if term.columns.is_empty() {
                return Err(AirError::BadAir { reason: format!("LogUp term {t} has no columns") });
            }
            if let Some(&c) = term.columns.iter().chain(&term.multiplicity).find(|&&c| c >= m) {
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
        let n_openings = if shape.logup.is_empty() { 1 } else { 2 };
        // WHIR gets the target plus a margin for the union bound over the openings and the
        // AIR's own terms (see `security`).
        let whir_bits = self.params.security_bits + 1 + log2_ceil(n_openings);
        let main_log_cols = log2_ceil(m);
        let main_whir =
            Whir::new(self.whir_params(log_rows + main_log_cols, whir_bits), self.hasher.clone())?;
        let aux_log_cols = log2_ceil(shape.logup.len() * E::DEGREE);
        let aux_whir = if shape.logup.is_empty() {
            None
        } else {
            Some(Whir::new(
                self.whir_params(log_rows + aux_log_cols, whir_bits),
                self.hasher.clone(),
            )?)
        };
        let field_bits = (F::ORDER_U64 as f64).log2() * E::DEGREE as f64;
        let mut whir_bits = vec![main_whir.config().achieved_bits];
        if let Some(w) = &aux_whir {
            whir_bits.push(w.config().achieved_bits);
        }
        let security = SecurityReport::new(
            &shape,
            log_rows,
            field_bits,
            main_log_cols,
            aux_whir.as_ref().map(|_| aux_log_cols),
            whir_bits,
        );
        if security.total_bits < self.params.security_bits as f64 {
            return Err(AirError::Security {
                achieved: security.total_bits,
                target: self.params.security_bits,
            });
        }
        Ok(Setup { shape, log_rows, main_log_cols, main_whir, aux_log_cols, aux_whir, security })
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
        Ok(self.setup(air, log_rows)?.security)
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
    fn bind<A: Air<F> + ?Sized, const W: usize, const R: usize>(
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

    /// Proves that `trace` satisfies `air`, continuing `transcript` (give it in the state the
    /// verifier's will be in, e.g. fresh with the application's label).
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
        self.prove_inner(air, trace, transcript, true)
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
        self.prove_inner(air, trace, transcript, false)
    }

    fn prove_inner<A: Air<F> + ?Sized, const W: usize, const R: usize>(
        &self,
        air: &A,
        trace: &Trace<F>,
        transcript: &mut Transcript<F, W, R>,
        check: bool,
    ) -> Result<AirProof<F, E, H::Digest>, AirError> {
        let setup = self.setup(air, trace.log_rows())?;
        let shape = &setup.shape;
        let m = shape.n_columns;
        if trace.columns().len() != m {
            return Err(AirError::TraceShape {
                reason: format!("{} columns, the AIR has {m}", trace.columns().len()),
            });
        }
        if check {
            check_rows(air, shape, trace)?;
        }
        let n = trace.log_rows();
        let rows = 1usize << n;
        Self::bind(air, &setup, transcript);

        // Main trace: columns stacked (column j at j·2^n), zero columns up to a power of two.
        let mut stacked = Vec::with_capacity(rows << setup.main_log_cols);
        for c in trace.columns() {
            stacked.extend_from_slice(c);
        }
        stacked.resize(rows << setup.main_log_cols, F::ZERO);
        let main_poly = Mle::new(stacked)?;
        let (main_commitment, main_witness) = setup.main_whir.commit(transcript, &main_poly)?;
        drop(main_poly);

        // LogUp columns h_t = 1 / (β − Σ γ^k col_k), by batch inversion.
        let mut ch = Challenges {
            beta: E::ZERO,
            gamma_pows: Vec::new(),
            alpha_pows: Vec::new(),
            lambda: E::ZERO,
        };
        let mut aux_cols: Vec<Vec<E>> = Vec::new();
        let mut aux_commit = None;
        if let Some(aux_whir) = &setup.aux_whir {
            ch.beta = transcript.sample_ext();
            let gamma: E = transcript.sample_ext();
            ch.gamma_pows = gamma.powers(shape.max_tuple_width());
            for term in &shape.logup {
                let mut h: Vec<E> = (0..rows)
                    .into_par_iter()
                    .map(|i| {
                        let fp: E = ch
                            .gamma_pows
                            .iter()
                            .zip(&term.columns)
                            .map(|(&g, &c)| g * trace.columns()[c][i])
                            .sum();
                        ch.beta - fp
                    })
                    .collect();
                if h.iter().any(|x| x.is_zero()) {
                    return Err(AirError::LogUpDenominatorZero);
                }
                batch_inverse_in_place(&mut h);
                aux_cols.push(h);
            }
            if check {
                let total: E = (0..rows)
                    .into_par_iter()
                    .map(|i| {
                        let mut s = E::ZERO;
                        for (term, h) in shape.logup.iter().zip(&aux_cols) {
                            let v = match term.multiplicity {
                                Some(mc) => h[i] * trace.columns()[mc][i],
                                None => h[i],
                            };
                            if term.negate {
                                s -= v;
                            } else {
                                s += v;
                            }
                        }
                        s
                    })
                    .sum();
                if !total.is_zero() {
                    return Err(AirError::LogUpUnbalanced);
                }
            }
            let mut aux_stacked = Vec::with_capacity(rows << setup.aux_log_cols);
            for h in &aux_cols {
                for k in 0..E::DEGREE {
                    aux_stacked.extend(h.iter().map(|x| x.as_base_slice()[k]));
                }
            }
            aux_stacked.resize(rows << setup.aux_log_cols, F::ZERO);
            let aux_poly = Mle::new(aux_stacked)?;
            let (c, w) = aux_whir.commit(transcript, &aux_poly)?;
            aux_commit = Some((c, w, aux_poly));
        }

        // Zerocheck challenges.
        let tau: Vec<E> = (0..n).map(|_| transcript.sample_ext()).collect();
        let alpha: E = transcript.sample_ext();
        ch.lambda = transcript.sample_ext();
        ch.alpha_pows = alpha.powers(shape.n_constraints + shape.logup.len());

        let mut vt: Vec<Vec<F>> = trace.columns().to_vec();
        if shape.uses_next {
            for c in trace.columns() {
                vt.push((0..rows).map(|i| c[(i + 1) % rows]).collect());
            }
        }
        let mut first = vec![F::ZERO; rows];
        first[0] = F::ONE;
        let mut last = vec![F::ZERO; rows];
        last[rows - 1] = F::ONE;
        vt.push(first);
        vt.push(last);
        let mut et: Vec<Vec<E>> = vec![eq_table(&tau)];
        et.extend(aux_cols);

        let degree = shape.round_degree();
        transcript.observe_ext(&E::ZERO);
        let mut rounds = Vec::with_capacity(n);
        let mut point = Vec::with_capacity(n);
        let poly = zerocheck_round::<F, F, E, A>(
            air,
            shape,
            &ch,
            &ZerocheckTables { vt: &vt, et: &et, m, uses_next: shape.uses_next },
            degree,
        );
        poly.observe(transcript);
        let r: E = transcript.sample_ext();
        rounds.push(poly);
        point.push(r);
        let mut vt_ext: Vec<Vec<E>> = fold_tables(&vt, r);
        drop(vt);
        fold_in_place(&mut et, r);
        for _ in 1..n {
            let poly = zerocheck_round::<F, E, E, A>(
                air,
                shape,
                &ch,
                &ZerocheckTables { vt: &vt_ext, et: &et, m, uses_next: shape.uses_next },
                degree,
            );
            poly.observe(transcript);
            let r: E = transcript.sample_ext();
            rounds.push(poly);
            point.push(r);
            fold_in_place(&mut vt_ext, r);
            fold_in_place(&mut et, r);
        }
        let main_evals: Vec<E> = vt_ext[..m].iter().map(|t| t[0]).collect();
        let next_evals: Vec<E> = if shape.uses_next {
            vt_ext[m..2 * m].iter().map(|t| t[0]).collect()
        } else {
            Vec::new()
        };
        drop(vt_ext);
        drop(et);
        let eq_r = eq_table(&point);
        let aux_evals: Vec<E> = match &aux_commit {
            Some((_, _, poly)) => (0..shape.logup.len() * E::DEGREE)
                .map(|j| dot(&eq_r, &poly.evals()[j * rows..(j + 1) * rows]))
                .collect(),
            None => Vec::new(),
        };
        for x in main_evals.iter().chain(&next_evals).chain(&aux_evals) {
            transcript.observe_ext(x);
        }

        let main_opening = self.open_columns(
            transcript,
            &setup.main_whir,
            &main_witness,
            trace.columns().iter().map(Vec::as_slice).collect(),
            setup.main_log_cols,
            (&main_evals, &next_evals),
            &eq_r,
        )?;
        let (aux_commitment, aux_opening) = match (aux_commit, &setup.aux_whir) {
            (Some((c, w, poly)), Some(aux_whir)) => {
                let cols: Vec<&[F]> =
                    poly.evals().chunks(rows).take(shape.logup.len() * E::DEGREE).collect();
                let o = self.open_columns(
                    transcript,
                    aux_whir,
                    &w,
                    cols,
                    setup.aux_log_cols,
                    (&aux_evals, &[]),
                    &eq_r,
                )?;
                (Some(c), Some(o))
            }
            _ => (None, None),
        };
        Ok(AirProof {
            main_commitment,
            aux_commitment,
            zerocheck: SumcheckProof { rounds },
            main_evals,
            next_evals,
            aux_evals,
            main_opening,
            aux_opening,
        })
    }

    /// Reduces `cols[j](r) = evals[j]` (and, with `next` non-empty, `cols[j](r + 1) = next[j]`)
    /// to one evaluation of the stacked polynomial, and opens it with WHIR.
    #[allow(clippy::type_complexity)]
    fn open_columns<const W: usize, const R: usize>(
        &self,
        transcript: &mut Transcript<F, W, R>,
        whir: &Whir<F, E, H>,
        witness: &WhirWitness<F, E, H>,
        cols: Vec<&[F]>,
        log_cols: usize,
        claims: (&[E], &[E]),
        eq_r: &[E],
    ) -> Result<ColumnOpening<F, E, H::Digest>, AirError> {
        let (evals, next) = claims;
        let rows = eq_r.len();
        let s: Vec<E> = (0..log_cols).map(|_| transcript.sample_ext()).collect();
        let mu: E = if next.is_empty() { E::ZERO } else { transcript.sample_ext() };
        let eq_s = eq_table(&s);
        let kernel: Vec<E> = if next.is_empty() {
            eq_r.to_vec()
        } else {
            let sh = shift_table(eq_r);
            eq_r.iter().zip(&sh).map(|(&a, &b)| a + mu * b).collect()
        };
        let claim = batched_claim(&eq_s, evals, next, mu);
        transcript.observe_ext(&claim);
        // Round 1 with the trace in the base field: P(X, ·)·W(X, ·) at X = 0, 2. The upper
        // half of the stacked columns (index bit log_cols + n − 1 set) starts at column 2^(l−1).
        let n_vars = log_cols + rows.trailing_zeros() as usize;
        let len = 1usize << n_vars;
        let half = len / 2;
        let p_at = |i: usize| -> F { cols.get(i / rows).map_or(F::ZERO, |c| c[i % rows]) };
        let w_at = |i: usize| -> E { eq_s[i / rows] * kernel[i % rows] };
        let two = F::TWO;
        let (p0, p2) = (0..half)
            .into_par_iter()
            .with_min_len(1024)
            .map(|i| {
                let (pl, ph, wl, wh) = (p_at(i), p_at(i + half), w_at(i), w_at(i + half));
                (wl * pl, (wh * two - wl) * (ph * two - pl))
            })
            .reduce(|| (E::ZERO, E::ZERO), |a, b| (a.0 + b.0, a.1 + b.1));
        let first = RoundPoly { evals: vec![p0, p2] };
        first.observe(transcript);
        let r1: E = transcript.sample_ext();
        let mut rounds = vec![first];
        let mut point = vec![r1];
        let p_folded: Vec<E> =
            (0..half).into_par_iter().map(|i| r1 * (p_at(i + half) - p_at(i)) + p_at(i)).collect();
        let w_folded: Vec<E> =
            (0..half).into_par_iter().map(|i| r1 * (w_at(i + half) - w_at(i)) + w_at(i)).collect();
        let value = if n_vars == 1 {
            p_folded[0]
        } else {
            let mut prover = SumcheckProver::<F, E, CpuBackend>::new_ext(
                vec![p_folded, w_folded],
                vec![Term::product(vec![0, 1])],
            )?;
            for _ in 1..n_vars {
                let poly = prover.round_polynomial()?;
                poly.observe(transcript);
                let r: E = transcript.sample_ext();
                prover.fold(r)?;
                rounds.push(poly);
                point.push(r);
            }
            prover.final_evaluations()?[0]
        };
        let (opened, whir_proof) = whir.open(transcript, witness, &point)?;
        if opened != value {
            return Err(AirError::Internal {
                what: "WHIR opened a value other than the reduction's",
            });
        }
        Ok(ColumnOpening { reduction: SumcheckProof { rounds }, value, whir: whir_proof })
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
        let setup = self.setup(air, log_rows)?;
        let shape = &setup.shape;
        let m = shape.n_columns;
        let n = log_rows;
        let n_terms = shape.logup.len();
        let bad = |what: &'static str| AirError::ProofShape { what };
        if proof.main_evals.len() != m {
            return Err(bad("main evaluations"));
        }
        if proof.next_evals.len() != if shape.uses_next { m } else { 0 } {
            return Err(bad("next-row evaluations"));
        }
        if proof.aux_evals.len() != n_terms * E::DEGREE {
            return Err(bad("LogUp evaluations"));
        }
        if proof.aux_commitment.is_some() != setup.aux_whir.is_some()
            || proof.aux_opening.is_some() != setup.aux_whir.is_some()
        {
            return Err(bad("LogUp commitment"));
        }
        Self::bind(air, &setup, transcript);
        let main_received =
            setup.main_whir.receive_commitment(transcript, &proof.main_commitment)?;
        let mut ch = Challenges {
            beta: E::ZERO,
            gamma_pows: Vec::new(),
            alpha_pows: Vec::new(),
            lambda: E::ZERO,
        };
        let mut aux_received = None;
        if let (Some(aux_whir), Some(c)) = (&setup.aux_whir, &proof.aux_commitment) {
            ch.beta = transcript.sample_ext();
            let gamma: E = transcript.sample_ext();
            ch.gamma_pows = gamma.powers(shape.max_tuple_width());
            aux_received = Some(aux_whir.receive_commitment(transcript, c)?);
        }
        let tau: Vec<E> = (0..n).map(|_| transcript.sample_ext()).collect();
        let alpha: E = transcript.sample_ext();
        ch.lambda = transcript.sample_ext();
        ch.alpha_pows = alpha.powers(shape.n_constraints + n_terms);

        let sub = zkprove_sumcheck::verify(
            E::ZERO,
            n,
            shape.round_degree(),
            &proof.zerocheck,
            transcript,
        )
        .map_err(|source| AirError::Sumcheck { which: "zerocheck", source })?;
        let r = &sub.point;
        let first: E = r.iter().map(|&x| E::ONE - x).product();
        let last: E = r.iter().copied().product();
        let aux: Vec<E> = proof
            .aux_evals
            .chunks(E::DEGREE)
            .map(|c| c.iter().enumerate().map(|(k, &v)| v * basis::<F, E>(k)).sum())
            .collect();
        let next = if shape.uses_next { &proof.next_evals } else { &proof.main_evals };
        let mut buf = Vec::with_capacity(shape.n_constraints);
        let summand = eval_point::<F, E, E, A>(
            air,
            shape,
            &ch,
            (&proof.main_evals, next, first, last),
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
        for x in proof.main_evals.iter().chain(&proof.next_evals).chain(&proof.aux_evals) {
            transcript.observe_ext(x);
        }
        Self::verify_opening(
            transcript,
            &setup.main_whir,
            &main_received,
            &proof.main_opening,
            setup.main_log_cols,
            (&proof.main_evals, &proof.next_evals),
            r,
            "main",
        )?;
        if let (Some(aux_whir), Some(received), Some(opening)) =
            (&setup.aux_whir, &aux_received, &proof.aux_opening)
        {
            Self::verify_opening(
                transcript,
                aux_whir,
                received,
                opening,
                setup.aux_log_cols,
                (&proof.aux_evals, &[]),
                r,
                "LogUp",
            )?;
        }
        Ok(())
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
        let (evals, next) = claims;
        let s: Vec<E> = (0..log_cols).map(|_| transcript.sample_ext()).collect();
        let mu: E = if next.is_empty() { E::ZERO } else { transcript.sample_ext() };
        let claim = batched_claim(&eq_table(&s), evals, next, mu);
        let n_vars = log_cols + r.len();
        let sub = zkprove_sumcheck::verify(claim, n_vars, 2, &opening.reduction, transcript)
            .map_err(|source| AirError::Sumcheck { which, source })?;
        let z = &sub.point;
        let (zc, zy) = z.split_at(log_cols);
        let mut k = eq_eval(r, zy);
        if !next.is_empty() {
            k += mu * shift_eval(r, zy);
        }
        if sub.expected_eval != opening.value * eq_eval(&s, zc) * k {
            return Err(AirError::OpeningMismatch { which });
        }
        whir.verify(transcript, received, z, opening.value, &opening.whir)?;
        Ok(())
    }
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

fn dot<F: Field, E: ExtensionField<F>>(a: &[E], b: &[F]) -> E {
    a.par_iter().zip(b.par_iter()).with_min_len(4096).map(|(&x, &y)| x * y).sum()
}

/// Checks every constraint on every row (base field; cyclic next row).
fn check_rows<F: Field, A: Air<F> + ?Sized>(
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
