//! The CPU zerocheck rounds on SIMD lanes: `P::WIDTH` rows at a time.
//!
//! Every round evaluates the AIR's constraints on every row pair at `X = 0, 2, …` and combines
//! them with the `α` powers; after the first challenge the row tables hold extension values,
//! and every constraint is an extension expression (Poseidon2-16 over BabyBear⁴: ≈ 1,070
//! extension products per row and point). Here the AIR's constraints run as its
//! [`ConstraintProgram`] (recorded once per round, as the GPU backend does), interpreted on
//! packed values: in the first round a register is one packed base-field vector, later `D`
//! (one per coefficient, `P::WIDTH` rows in the lanes); products are schoolbook over
//! `F[X]/(X^D − W)` on the packed base field, products by a constant of the program (`MulC`: the
//! internal layer's diagonal, the MDS entries) are `D` base products, and the `α`-combination of
//! base-field constraint values is `D` base products per constraint. The interpreter is small and
//! AIR-agnostic, so the whole round runs inside the packing's `#[target_feature]` entry point
//! ([`Field::with_packing`]) — an AIR's `eval` would not be inlined there.
//!
//! Field arithmetic is exact, so the sums equal the row-by-row round's bit for bit (the tests
//! check both table kinds against `ops`' round): same proofs, same transcript.
//!
//! Applies when the extension is binomial (`X^D = W` with `W` in the base field, checked at run
//! time), `D ∈ {2, 4}`, and the field has a packing wider than one lane; otherwise the caller
//! runs the row-by-row round.

use core::marker::PhantomData;

use rayon::prelude::*;
use zkprove_field::{ExtensionField, Field, PackedField, PackedKernel, packing_width};

use crate::air::{Air, AirShape, Interaction};
use crate::ops::{ZerocheckChallenges, ZerocheckSums};
use crate::program::{ConstraintProgram, Instr, ProgramInput};

/// `W` with `X^D = W` in `E = F[X]/(X^D − W)` (coefficients in the power basis, as
/// [`ExtensionField`] stores them), or `None` when `E` is not such an extension of degree `D`.
fn binomial_w<F: Field, E: ExtensionField<F>, const D: usize>() -> Option<F> {
    if E::DEGREE != D || D < 2 {
        return None;
    }
    let mut unit = [F::ZERO; D];
    unit[1] = F::ONE;
    let x = E::from_base_slice(&unit).ok()?;
    // The coordinates must be the power basis of `x` (not a tower such as QM31, where
    // coordinate 1 is `i` with `i² = −1` but coordinate 2 is `u`).
    let mut xj = E::ONE;
    for j in 0..D {
        let c = xj.as_base_slice();
        if c.len() != D
            || c.iter().enumerate().any(|(k, v)| *v != if k == j { F::ONE } else { F::ZERO })
        {
            return None;
        }
        xj *= x;
    }
    let xd = xj;
    let c = xd.as_base_slice();
    (c.len() == D && c[1..].iter().all(|v| v.is_zero()) && !c[0].is_zero()).then_some(c[0])
}

/// `D` packed coefficients: lane `l` is the extension element `Σ_c c[c].lane(l)·X^c`.
type Lanes<P, const D: usize> = [P; D];

#[inline(always)]
fn add<P: PackedField, const D: usize>(a: &Lanes<P, D>, b: &Lanes<P, D>) -> Lanes<P, D> {
    let mut o = *a;
    for c in 0..D {
        o[c] += b[c];
    }
    o
}

#[inline(always)]
fn sub<P: PackedField, const D: usize>(a: &Lanes<P, D>, b: &Lanes<P, D>) -> Lanes<P, D> {
    let mut o = *a;
    for c in 0..D {
        o[c] -= b[c];
    }
    o
}

/// Schoolbook product in `F[X]/(X^D − W)`: the wrapped terms through `W·b_j` (`D − 1 + D²`
/// packed products).
#[inline(always)]
fn mul<P: PackedField, const D: usize>(
    a: &Lanes<P, D>,
    b: &Lanes<P, D>,
    w: P::Scalar,
) -> Lanes<P, D> {
    // (Loops, not `core::array::from_fn`: its closures are not always inlined, and then the
    // packed arithmetic inside them runs outside the `#[target_feature]` entry point.)
    let mut bw = *b;
    for j in 1..D {
        bw[j] = b[j] * w;
    }
    let mut out = [P::default(); D];
    for k in 0..D {
        let mut acc = a[0] * b[k];
        for i in 1..D {
            // a_i·X^i · b_j·X^j with i + j ≡ k (mod D); wrapped when i > k.
            acc += if i <= k { a[i] * b[k - i] } else { a[i] * bw[D + k - i] };
        }
        out[k] = acc;
    }
    out
}

#[inline(always)]
fn broadcast<P: PackedField, E: ExtensionField<P::Scalar>, const D: usize>(e: &E) -> Lanes<P, D> {
    let c = e.as_base_slice();
    let mut out = [P::default(); D];
    for k in 0..D {
        out[k] = P::broadcast(c[k]);
    }
    out
}

/// The sum of the lanes, as an extension element.
fn lane_sum<P: PackedField, E: ExtensionField<P::Scalar>, const D: usize>(x: &Lanes<P, D>) -> E {
    let coeffs: [P::Scalar; D] =
        core::array::from_fn(|c| x[c].as_slice().iter().fold(P::Scalar::ZERO, |s, &v| s + v));
    // `coeffs` has `E::DEGREE` entries (checked by `binomial_w`).
    E::from_base_slice(&coeffs).unwrap_or(E::ZERO)
}

/// Lanes `start..start + WIDTH` of an extension column, zero past `end`.
#[inline(always)]
fn load<P: PackedField, E: ExtensionField<P::Scalar>, const D: usize>(
    col: &[E],
    start: usize,
    end: usize,
) -> Lanes<P, D> {
    let mut out = [P::default(); D];
    for l in 0..P::WIDTH.min(end.saturating_sub(start)) {
        let e = col[start + l].as_base_slice();
        for c in 0..D {
            out[c].as_slice_mut()[l] = e[c];
        }
    }
    out
}

/// A register on lanes: `P::WIDTH` rows of base-field values (the first round) or of
/// extension values (`D` packed coefficients, the later rounds).
trait Lane<P: PackedField, const D: usize>: Copy + Send + Sync {
    /// A row table's element.
    type Row: Copy + Send + Sync;
    fn zero() -> Self;
    /// Lanes `start..start + WIDTH` of a column, zero past `end`.
    fn load(col: &[Self::Row], start: usize, end: usize) -> Self;
    fn constant(c: P::Scalar) -> Self;
    fn add(&self, b: &Self) -> Self;
    fn sub(&self, b: &Self) -> Self;
    fn mul(&self, b: &Self, w: P::Scalar) -> Self;
    fn neg(&self) -> Self;
    fn add_c(&self, c: P::Scalar) -> Self;
    fn mul_c(&self, c: P::Scalar) -> Self;
    fn c_sub(&self, c: P::Scalar) -> Self;
    /// `e·self`, an extension value.
    fn times_ext(&self, e: &Lanes<P, D>, w: P::Scalar) -> Lanes<P, D>;
}

/// Base-field rows on lanes.
#[derive(Copy, Clone)]
struct BaseLanes<P>(P);

impl<P: PackedField, const D: usize> Lane<P, D> for BaseLanes<P> {
    type Row = P::Scalar;
    #[inline(always)]
    fn zero() -> Self {
        Self(P::default())
    }
    #[inline(always)]
    fn load(col: &[P::Scalar], start: usize, end: usize) -> Self {
        let n = end.saturating_sub(start);
        if n >= P::WIDTH {
            let mut v = P::default();
            v.as_slice_mut().copy_from_slice(&col[start..start + P::WIDTH]);
            Self(v)
        } else {
            let mut v = P::default();
            v.as_slice_mut()[..n].copy_from_slice(&col[start..start + n]);
            Self(v)
        }
    }
    #[inline(always)]
    fn constant(c: P::Scalar) -> Self {
        Self(P::broadcast(c))
    }
    #[inline(always)]
    fn add(&self, b: &Self) -> Self {
        Self(self.0 + b.0)
    }
    #[inline(always)]
    fn sub(&self, b: &Self) -> Self {
        Self(self.0 - b.0)
    }
    #[inline(always)]
    fn mul(&self, b: &Self, _w: P::Scalar) -> Self {
        Self(self.0 * b.0)
    }
    #[inline(always)]
    fn neg(&self) -> Self {
        Self(-self.0)
    }
    #[inline(always)]
    fn add_c(&self, c: P::Scalar) -> Self {
        Self(self.0 + c)
    }
    #[inline(always)]
    fn mul_c(&self, c: P::Scalar) -> Self {
        Self(self.0 * c)
    }
    #[inline(always)]
    fn c_sub(&self, c: P::Scalar) -> Self {
        Self(P::broadcast(c) - self.0)
    }
    #[inline(always)]
    fn times_ext(&self, e: &Lanes<P, D>, _w: P::Scalar) -> Lanes<P, D> {
        let mut out = *e;
        for x in &mut out {
            *x *= self.0;
        }
        out
    }
}

/// Extension rows on lanes (`E` the extension, of degree `D`).
struct ExtLanes<P: PackedField, E, const D: usize>(Lanes<P, D>, PhantomData<fn() -> E>);

impl<P: PackedField, E, const D: usize> Clone for ExtLanes<P, E, D> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<P: PackedField, E, const D: usize> Copy for ExtLanes<P, E, D> {}

impl<P: PackedField, E: ExtensionField<P::Scalar>, const D: usize> ExtLanes<P, E, D> {
    #[inline(always)]
    fn of(x: Lanes<P, D>) -> Self {
        Self(x, PhantomData)
    }
}

impl<P: PackedField, E: ExtensionField<P::Scalar>, const D: usize> Lane<P, D>
    for ExtLanes<P, E, D>
{
    type Row = E;
    #[inline(always)]
    fn zero() -> Self {
        Self::of([P::default(); D])
    }
    #[inline(always)]
    fn load(col: &[E], start: usize, end: usize) -> Self {
        Self::of(load::<P, E, D>(col, start, end))
    }
    #[inline(always)]
    fn constant(c: P::Scalar) -> Self {
        let mut v = [P::default(); D];
        v[0] = P::broadcast(c);
        Self::of(v)
    }
    #[inline(always)]
    fn add(&self, b: &Self) -> Self {
        Self::of(add(&self.0, &b.0))
    }
    #[inline(always)]
    fn sub(&self, b: &Self) -> Self {
        Self::of(sub(&self.0, &b.0))
    }
    #[inline(always)]
    fn mul(&self, b: &Self, w: P::Scalar) -> Self {
        Self::of(mul(&self.0, &b.0, w))
    }
    #[inline(always)]
    fn neg(&self) -> Self {
        let mut out = self.0;
        for x in &mut out {
            *x = -*x;
        }
        Self::of(out)
    }
    #[inline(always)]
    fn add_c(&self, c: P::Scalar) -> Self {
        let mut x = self.0;
        x[0] += P::broadcast(c);
        Self::of(x)
    }
    #[inline(always)]
    fn mul_c(&self, c: P::Scalar) -> Self {
        let mut out = self.0;
        for x in &mut out {
            *x = *x * c;
        }
        Self::of(out)
    }
    #[inline(always)]
    fn c_sub(&self, c: P::Scalar) -> Self {
        let mut out = self.0;
        out[0] = P::broadcast(c) - out[0];
        for x in &mut out[1..] {
            *x = -*x;
        }
        Self::of(out)
    }
    #[inline(always)]
    fn times_ext(&self, e: &Lanes<P, D>, w: P::Scalar) -> Lanes<P, D> {
        mul(e, &self.0, w)
    }
}

/// What the interpreter reads besides the registers: the row values and the LogUp columns, on
/// lanes.
struct Frame<'a, P: PackedField, V, const D: usize> {
    cur: &'a [V],
    m: usize,
    uses_next: bool,
    sel: usize,
    aux: &'a [Lanes<P, D>],
}

/// Runs `instrs` at one point: `(Σ_k α^k C_k + Σ_t α^(K+t)(h_t(β − fp_t) − 1), Σ_t ±m_t h_t)`,
/// as `program.rs`'s scalar `run_effects` does.
#[inline(always)]
fn run_effects<P: PackedField, V: Lane<P, D>, const D: usize>(
    instrs: &[Instr<P::Scalar>],
    regs: &mut [V],
    frame: &Frame<'_, P, V, D>,
    ch: &PackedChallenges<P, D>,
    w: P::Scalar,
) -> (Lanes<P, D>, Lanes<P, D>) {
    let zero = [P::default(); D];
    let (mut acc, mut fp, mut sum, mut h) = (zero, zero, zero, zero);
    for ins in instrs {
        match *ins {
            Instr::Load { dst, input } => {
                regs[dst as usize] = match input {
                    ProgramInput::Current(j) => frame.cur[j as usize],
                    ProgramInput::Next(j) => {
                        if frame.uses_next {
                            frame.cur[frame.m + j as usize]
                        } else {
                            frame.cur[j as usize]
                        }
                    }
                    ProgramInput::First => frame.cur[frame.sel],
                    ProgramInput::Last => frame.cur[frame.sel + 1],
                };
            }
            Instr::Const { dst, c } => regs[dst as usize] = V::constant(c),
            Instr::Add { dst, a, b } => {
                regs[dst as usize] = regs[a as usize].add(&regs[b as usize]);
            }
            Instr::Sub { dst, a, b } => {
                regs[dst as usize] = regs[a as usize].sub(&regs[b as usize]);
            }
            Instr::Mul { dst, a, b } => {
                regs[dst as usize] = regs[a as usize].mul(&regs[b as usize], w);
            }
            Instr::Neg { dst, a } => regs[dst as usize] = regs[a as usize].neg(),
            Instr::AddC { dst, a, c } => regs[dst as usize] = regs[a as usize].add_c(c),
            Instr::MulC { dst, a, c } => regs[dst as usize] = regs[a as usize].mul_c(c),
            Instr::CSub { dst, a, c } => regs[dst as usize] = regs[a as usize].c_sub(c),
            Instr::Out { src, k } => {
                if let Some(a) = ch.alpha.get(k as usize) {
                    acc = add(&acc, &regs[src as usize].times_ext(a, w));
                }
            }
            Instr::FpAdd { src, g } => {
                fp = add(&fp, &regs[src as usize].times_ext(&ch.gamma[g as usize], w));
            }
            Instr::LogUp { t, alpha } => {
                h = frame.aux[t as usize];
                let mut term = mul(&h, &sub(&ch.beta, &fp), w);
                term[0] -= P::broadcast(P::Scalar::ONE);
                acc = add(&acc, &mul(&ch.alpha[alpha as usize], &term, w));
                fp = zero;
            }
            Instr::HLoad { t } => h = frame.aux[t as usize],
            Instr::Mult { src, negate } => {
                let s = regs[src as usize].times_ext(&h, w);
                sum = if negate { sub(&sum, &s) } else { add(&sum, &s) };
            }
        }
    }
    (acc, sum)
}

/// The challenges broadcast to every lane.
struct PackedChallenges<P: PackedField, const D: usize> {
    alpha: Vec<Lanes<P, D>>,
    gamma: Vec<Lanes<P, D>>,
    beta: Lanes<P, D>,
}

/// The packed round over rows `start..end` (of `0..half`); `R` the row tables' element (`F` in
/// the first round, `E` later).
struct RoundKernel<'a, F: Field, E: ExtensionField<F>, R> {
    program: &'a ConstraintProgram<F>,
    ch: &'a ZerocheckChallenges<E>,
    vt: &'a [Vec<R>],
    et: &'a [Vec<E>],
    eq: &'a [E],
    half: usize,
    rows: (usize, usize),
    m: usize,
    uses_next: bool,
    n_points: usize,
    logup: bool,
    w: F,
}

impl<F: Field, E: ExtensionField<F>, R: Copy + Send + Sync> RoundKernel<'_, F, E, R> {
    #[inline(always)]
    fn run_d<P: PackedField<Scalar = F>, V: Lane<P, D, Row = R>, const D: usize>(
        self,
    ) -> (Vec<E>, [E; 3]) {
        let Self { program, ch, vt, et, eq, half, rows, m, uses_next, n_points, logup, w } = self;
        let pch = PackedChallenges::<P, D> {
            alpha: ch.alpha_pows.iter().map(broadcast::<P, E, D>).collect(),
            gamma: ch.gamma_pows.iter().map(broadcast::<P, E, D>).collect(),
            beta: broadcast::<P, E, D>(&ch.beta),
        };
        let zero = [P::default(); D];
        let sel = if uses_next { 2 * m } else { m };
        let mut regs = vec![V::zero(); program.n_regs().max(1)];
        let (mut cur, mut d) = (vec![V::zero(); vt.len()], vec![V::zero(); vt.len()]);
        let (mut cur_e, mut d_e) = (vec![zero; et.len()], vec![zero; et.len()]);
        let mut hi = if logup { vec![V::zero(); vt.len()] } else { Vec::new() };
        let mut hi_e = vec![zero; et.len()];
        let mut q = vec![zero; n_points];
        let mut l = [zero; 3];
        let end = rows.1.min(half);
        let mut i = rows.0;
        while i < end {
            for (c, t) in vt.iter().enumerate() {
                let lo = V::load(t, i, end);
                let h = V::load(&t[half..], i, end);
                cur[c] = lo;
                d[c] = h.sub(&lo);
                if logup {
                    hi[c] = h;
                }
            }
            for (c, t) in et.iter().enumerate() {
                let lo = load::<P, E, D>(t, i, end);
                let h = load::<P, E, D>(&t[half..], i, end);
                cur_e[c] = lo;
                hi_e[c] = h;
                d_e[c] = sub(&h, &lo);
            }
            // Lanes past `end` have eq = 0 and zero LogUp columns: they add nothing.
            let e = load::<P, E, D>(eq, i, end);
            let mut sum_lo = zero;
            if logup {
                let frame = Frame { cur: &hi, m, uses_next: false, sel, aux: &hi_e };
                let (_, s) = run_effects(program.sum_instrs(), &mut regs, &frame, &pch, w);
                l[1] = add(&l[1], &s);
            }
            for p in 0..n_points {
                if p == 1 {
                    // From X = 0 to X = 2.
                    for (x, dx) in cur.iter_mut().zip(&d) {
                        *x = x.add(&dx.add(dx));
                    }
                    for (x, dx) in cur_e.iter_mut().zip(&d_e) {
                        *x = add(x, &add(dx, dx));
                    }
                } else if p > 1 {
                    for (x, dx) in cur.iter_mut().zip(&d) {
                        *x = x.add(dx);
                    }
                    for (x, dx) in cur_e.iter_mut().zip(&d_e) {
                        *x = add(x, dx);
                    }
                }
                let frame = Frame { cur: &cur, m, uses_next, sel, aux: &cur_e };
                let (acc, s) = run_effects(program.instrs(), &mut regs, &frame, &pch, w);
                q[p] = add(&q[p], &mul(&e, &acc, w));
                if p < 2 {
                    l[2 * p] = add(&l[2 * p], &s);
                }
                if p == 0 {
                    sum_lo = s;
                }
            }
            if logup && n_points < 2 {
                // Degree 2 without X = 2 in the list: L(2) = 2·L(1) − L(0) row by row (`cur`
                // is still the X = 0 row: the loop above ran for X = 0 only).
                let frame = Frame { cur: &hi, m, uses_next: false, sel, aux: &hi_e };
                let (_, s1) = run_effects(program.sum_instrs(), &mut regs, &frame, &pch, w);
                l[2] = add(&l[2], &sub(&add(&s1, &s1), &sum_lo));
            }
            i += P::WIDTH;
        }
        let q = q.iter().map(lane_sum::<P, E, D>).collect();
        let l = [lane_sum::<P, E, D>(&l[0]), lane_sum(&l[1]), lane_sum(&l[2])];
        (q, l)
    }
}

impl<F: Field, E: ExtensionField<F>> PackedKernel<F> for RoundKernel<'_, F, E, E> {
    type Output = (Vec<E>, [E; 3]);

    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) -> Self::Output {
        match E::DEGREE {
            4 => self.run_d::<P, ExtLanes<P, E, 4>, 4>(),
            _ => self.run_d::<P, ExtLanes<P, E, 2>, 2>(),
        }
    }
}

/// The first round: base-field rows.
struct BaseRound<'a, F: Field, E: ExtensionField<F>>(RoundKernel<'a, F, E, F>);

impl<F: Field, E: ExtensionField<F>> PackedKernel<F> for BaseRound<'_, F, E> {
    type Output = (Vec<E>, [E; 3]);

    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) -> Self::Output {
        match E::DEGREE {
            4 => self.0.run_d::<P, BaseLanes<P>, 4>(),
            _ => self.0.run_d::<P, BaseLanes<P>, 2>(),
        }
    }
}

/// Rows per Rayon task (a multiple of every packing's width).
const TASK_ROWS: usize = 64;

/// The row tables of a round: base-field values (the first round) or extension values.
#[derive(Copy, Clone)]
pub(crate) enum PackedRows<'a, F, E> {
    /// The first round's.
    Base(&'a [Vec<F>]),
    /// The later rounds'.
    Ext(&'a [Vec<E>]),
}

/// The zerocheck round on SIMD lanes (see the module docs), or `None` where it does not apply
/// (not a binomial extension of degree 2 or 4, a one-lane packing, tables too short, a
/// constraint program that cannot be recorded): the caller then runs the row-by-row round.
#[allow(clippy::too_many_arguments)]
pub(crate) fn zerocheck_round_packed<F, E, A>(
    air: &A,
    shape: &AirShape,
    lookups: &[Interaction<F>],
    ch: &ZerocheckChallenges<E>,
    rows: PackedRows<'_, F, E>,
    et: &[Vec<E>],
    eq: &[E],
    round: (usize, usize, bool, usize),
) -> Option<ZerocheckSums<E>>
where
    F: Field,
    E: ExtensionField<F>,
    A: Air<F> + ?Sized,
{
    let (len, m, uses_next, degree) = round;
    let w = match E::DEGREE {
        4 => binomial_w::<F, E, 4>()?,
        2 => binomial_w::<F, E, 2>()?,
        _ => return None,
    };
    if packing_width::<F>() < 2 || len < 2 {
        return None;
    }
    let half = len / 2;
    let n_rows = if uses_next { 2 * m + 2 } else { m + 2 };
    let logup = !lookups.is_empty();
    let tables_ok = match rows {
        PackedRows::Base(vt) => vt.len() >= n_rows && vt.iter().all(|t| t.len() >= len),
        PackedRows::Ext(vt) => vt.len() >= n_rows && vt.iter().all(|t| t.len() >= len),
    };
    if !tables_ok
        || et.len() < lookups.len()
        || et.iter().any(|t| t.len() < len)
        || eq.len() < half
        || (logup && ch.alpha_pows.len() < shape.n_constraints + lookups.len())
    {
        return None;
    }
    let program = ConstraintProgram::record(air, shape, lookups, ch.gamma_pows.len()).ok()?;
    if program.n_columns() != m {
        return None;
    }
    let n_points = degree.max(2) - 1;
    let n_tasks = half.div_ceil(TASK_ROWS);
    let (q, l) = (0..n_tasks)
        .into_par_iter()
        .map(|t| {
            let task = (t * TASK_ROWS, ((t + 1) * TASK_ROWS).min(half));
            let args = (&program, ch, et, eq, half, task, m, uses_next, n_points, logup, w);
            match rows {
                PackedRows::Base(vt) => F::with_packing(BaseRound(kernel(vt, args))),
                PackedRows::Ext(vt) => F::with_packing(kernel(vt, args)),
            }
        })
        .reduce(
            || (vec![E::ZERO; n_points], [E::ZERO; 3]),
            |mut a, b| {
                for (x, y) in a.0.iter_mut().zip(b.0) {
                    *x += y;
                }
                for (x, y) in a.1.iter_mut().zip(b.1) {
                    *x += y;
                }
                a
            },
        );
    Some(ZerocheckSums { eq_part: q, logup_part: l })
}

/// The kernel's fields other than the row tables.
type KernelArgs<'a, F, E> = (
    &'a ConstraintProgram<F>,
    &'a ZerocheckChallenges<E>,
    &'a [Vec<E>],
    &'a [E],
    usize,
    (usize, usize),
    usize,
    bool,
    usize,
    bool,
    F,
);

fn kernel<'a, F: Field, E: ExtensionField<F>, R>(
    vt: &'a [Vec<R>],
    args: KernelArgs<'a, F, E>,
) -> RoundKernel<'a, F, E, R> {
    let (program, ch, et, eq, half, rows, m, uses_next, n_points, logup, w) = args;
    RoundKernel { program, ch, vt, et, eq, half, rows, m, uses_next, n_points, logup, w }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use zkprove_field::babybear::{BabyBear, BabyBearExt4};
    use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
    use zkprove_hash::Poseidon2;

    use super::*;
    use crate::examples::{FibonacciAir, Poseidon2Air, RangeCheckAir};
    use crate::ops::zerocheck_round_cpu;

    /// The packed round (at the run-time packing, and on one lane) against the row-by-row
    /// round, over random extension tables of `len` rows, for every round degree.
    fn check<F: Field, E: ExtensionField<F>, A: Air<F>>(air: &A, len: usize, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        let shape = AirShape::of(air);
        let m = shape.n_columns;
        let lookups: Vec<Interaction<F>> = shape.logup.iter().map(Interaction::from_term).collect();
        let gamma_len = shape.max_tuple_width();
        let n_rows = if shape.uses_next { 2 * m + 2 } else { m + 2 };
        let table = |rng: &mut StdRng| (0..len).map(|_| E::random(rng)).collect::<Vec<E>>();
        let vt: Vec<Vec<E>> = (0..n_rows).map(|_| table(&mut rng)).collect();
        let et: Vec<Vec<E>> = (0..lookups.len()).map(|_| table(&mut rng)).collect();
        let vt_b: Vec<Vec<F>> =
            (0..n_rows).map(|_| (0..len).map(|_| F::random(&mut rng)).collect()).collect();
        let eq: Vec<E> = (0..len / 2).map(|_| E::random(&mut rng)).collect();
        let ch = ZerocheckChallenges {
            beta: E::random(&mut rng),
            gamma_pows: (0..gamma_len.max(1)).map(|_| E::random(&mut rng)).collect(),
            alpha_pows: E::random(&mut rng).powers(shape.n_constraints + lookups.len()),
            lambda: E::random(&mut rng),
        };
        for degree in [2, 3, 4] {
            let round = (len, m, shape.uses_next, degree);
            let want =
                zerocheck_round_cpu::<F, E, E, A>(air, &shape, &lookups, &ch, &vt, &et, &eq, round);
            let rows = PackedRows::Ext(&vt);
            let got = zerocheck_round_packed(air, &shape, &lookups, &ch, rows, &et, &eq, round)
                .expect("the packed round applies");
            assert_eq!(got, want, "degree {degree}, {len} rows");
            // The first round's form: base-field rows.
            let want_b = zerocheck_round_cpu::<F, F, E, A>(
                air, &shape, &lookups, &ch, &vt_b, &et, &eq, round,
            );
            let rows = PackedRows::Base(&vt_b);
            let got_b = zerocheck_round_packed(air, &shape, &lookups, &ch, rows, &et, &eq, round)
                .expect("the packed round applies");
            assert_eq!(got_b, want_b, "base rows, degree {degree}, {len} rows");
            // One lane: the same interpreter without SIMD.
            let program =
                ConstraintProgram::record(air, &shape, &lookups, ch.gamma_pows.len()).unwrap();
            let w = match E::DEGREE {
                4 => binomial_w::<F, E, 4>(),
                _ => binomial_w::<F, E, 2>(),
            }
            .unwrap();
            let one_lane = RoundKernel {
                program: &program,
                ch: &ch,
                vt: &vt,
                et: &et,
                eq: &eq,
                half: len / 2,
                rows: (0, len / 2),
                m,
                uses_next: shape.uses_next,
                n_points: degree.max(2) - 1,
                logup: !lookups.is_empty(),
                w,
            }
            .run::<F>();
            assert_eq!(one_lane.0, want.eq_part);
            assert_eq!(one_lane.1, want.logup_part);
        }
    }

    #[test]
    fn packed_round_matches_rows() {
        let p2 = Poseidon2Air::new(Poseidon2::babybear_16());
        // Sizes below, at and above one task, with partial vectors.
        for (len, seed) in [(2, 1), (6, 2), (32, 3), (200, 4), (2 * TASK_ROWS + 34, 5)] {
            check::<BabyBear, BabyBearExt4, _>(&p2, len, seed);
        }
        let fb =
            FibonacciAir { a0: BabyBear::new(1), b0: BabyBear::new(2), result: BabyBear::new(5) };
        check::<BabyBear, BabyBearExt4, _>(&fb, 64, 6);
        check::<BabyBear, BabyBearExt4, _>(&RangeCheckAir { bits: 4 }, 64, 7);
        check::<BabyBear, BabyBearExt4, _>(&RangeCheckAir { bits: 4 }, 18, 8);
    }

    #[test]
    fn binomial_extensions_are_recognised() {
        assert!(binomial_w::<BabyBear, BabyBearExt4, 4>().is_some());
        assert!(binomial_w::<BabyBear, BabyBearExt4, 2>().is_none());
        assert!(binomial_w::<Goldilocks, GoldilocksExt2, 2>().is_some());
        assert!(binomial_w::<BabyBear, BabyBear, 4>().is_none());
        // A tower (QM31 = CM31[u]/(u² − (2 + i))): degree 4 over M31, but not a power basis.
        use zkprove_field::m31::{M31, QM31};
        assert!(binomial_w::<M31, QM31, 4>().is_none());
    }
}
