//! What an AIR is: trace columns, constraints written once against [`ConstraintBuilder`], and
//! LogUp interactions ([`LogUpTerm`]).

use core::ops::{Add, Mul, Neg, Sub};

use zkprove_field::Field;

/// The values an AIR's constraints are written over: base-field rows (the prover's trace check
/// and first sumcheck round), extension-field points (later rounds and the verifier) and
/// [`SymbolicExpr`] (degree and next-row use, computed once per AIR).
///
/// Constants enter through `From<F>`: `e - E::from(F::ONE)`.
pub trait AirExpr<F>:
    Clone
    + Send
    + Sync
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + From<F>
{
}

impl<F, T> AirExpr<F> for T where
    T: Clone
        + Send
        + Sync
        + Add<Output = T>
        + Sub<Output = T>
        + Mul<Output = T>
        + Neg<Output = T>
        + From<F>
{
}

/// What an AIR's [`Air::eval`] reads (the current and next rows, row selectors) and where it
/// puts its constraints.
///
/// Rows are cyclic: the next row of the last row is row 0; a transition constraint is therefore
/// meant to be written with [`ConstraintBuilder::assert_zero_transition`], which multiplies by the
/// selector "not the last row".
pub trait ConstraintBuilder<F: Field> {
    /// The expression type.
    type Expr: AirExpr<F>;

    /// The current row, one value per main column.
    fn current(&self) -> &[Self::Expr];

    /// The next row (cyclically), one value per main column.
    fn next(&self) -> &[Self::Expr];

    /// 1 on the first row, 0 elsewhere (multilinear: `eq(0…0, x)`).
    fn is_first_row(&self) -> Self::Expr;

    /// 1 on the last row, 0 elsewhere (multilinear: `eq(1…1, x)`).
    fn is_last_row(&self) -> Self::Expr;

    /// Records the constraint `e = 0` on every row.
    fn assert_zero(&mut self, e: Self::Expr);

    /// 0 on the last row, 1 elsewhere.
    fn is_transition(&self) -> Self::Expr {
        Self::Expr::from(F::ONE) - self.is_last_row()
    }

    /// `e = 0` on every row but the last (a transition constraint: it may read the next row).
    fn assert_zero_transition(&mut self, e: Self::Expr) {
        let t = self.is_transition();
        self.assert_zero(t * e);
    }

    /// `e = 0` on the first row (a boundary constraint).
    fn assert_zero_first_row(&mut self, e: Self::Expr) {
        let s = self.is_first_row();
        self.assert_zero(s * e);
    }

    /// `e = 0` on the last row (a boundary constraint).
    fn assert_zero_last_row(&mut self, e: Self::Expr) {
        let s = self.is_last_row();
        self.assert_zero(s * e);
    }

    /// `a = b` on every row.
    fn assert_eq(&mut self, a: Self::Expr, b: Self::Expr) {
        self.assert_zero(a - b);
    }
}

/// One term of a LogUp sum: on every row, `± m / (β − col_0 − Σ_{k≥1} γ_k·col_k)` where `m` is the
/// multiplicity column (or 1). An AIR's terms must sum to zero over all rows: with the looked-up
/// tuples negated and the table's tuples positive (multiplicity = how often each was looked up),
/// this says every looked-up tuple is in the table; with multiplicity 1 on both sides, that the
/// two multisets of tuples are a permutation of each other.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LogUpTerm {
    /// The main columns forming the tuple (combined with `1, γ_1, γ_2, …`).
    pub columns: Vec<usize>,
    /// The multiplicity column, or `None` for 1.
    pub multiplicity: Option<usize>,
    /// Whether the term is subtracted (a lookup) rather than added (a table entry).
    pub negate: bool,
}

impl LogUpTerm {
    /// A looked-up tuple (subtracted, multiplicity 1).
    pub fn lookup(columns: Vec<usize>) -> Self {
        Self { columns, multiplicity: None, negate: true }
    }

    /// A table tuple with its multiplicity column (added).
    pub fn table(columns: Vec<usize>, multiplicity: usize) -> Self {
        Self { columns, multiplicity: Some(multiplicity), negate: false }
    }
}

/// An algebraic intermediate representation: a trace of [`Air::n_columns`] columns and `2^n`
/// rows is valid when every constraint of [`Air::eval`] vanishes on every row and the LogUp terms
/// of [`Air::logup_terms`] sum to zero.
///
/// The implementation is usually a few lines (see [`crate::examples`]). The same `eval` is run on
/// base-field rows, on extension-field points and symbolically, so it must record the same
/// constraints, in the same order, whatever the builder.
pub trait Air<F: Field>: Sync {
    /// A name that identifies the AIR and its version (absorbed by the transcript: two AIRs
    /// with different constraints must have different names or public values).
    fn name(&self) -> String;

    /// The number of main trace columns.
    fn n_columns(&self) -> usize;

    /// Public values of this instance (boundary values, outputs), absorbed by the transcript.
    fn public_values(&self) -> Vec<F> {
        Vec::new()
    }

    /// Records the constraints on one row (and the next).
    fn eval<B: ConstraintBuilder<F>>(&self, builder: &mut B);

    /// The LogUp terms, which must sum to zero over all rows.
    fn logup_terms(&self) -> Vec<LogUpTerm> {
        Vec::new()
    }
}

/// A symbolic value: an upper bound on the degree in the trace and selector variables, and
/// whether it reads the next row.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SymbolicExpr {
    /// Degree bound.
    pub degree: usize,
    /// Whether a next-row value enters.
    pub uses_next: bool,
}

impl<F: Field> From<F> for SymbolicExpr {
    fn from(_: F) -> Self {
        Self::default()
    }
}

impl Add for SymbolicExpr {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self { degree: self.degree.max(o.degree), uses_next: self.uses_next || o.uses_next }
    }
}

impl Sub for SymbolicExpr {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        self + o
    }
}

impl Mul for SymbolicExpr {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        Self { degree: self.degree + o.degree, uses_next: self.uses_next || o.uses_next }
    }
}

impl Neg for SymbolicExpr {
    type Output = Self;
    fn neg(self) -> Self {
        self
    }
}

/// The builder of the symbolic pass.
struct SymbolicBuilder {
    current: Vec<SymbolicExpr>,
    next: Vec<SymbolicExpr>,
    constraints: Vec<SymbolicExpr>,
}

impl<F: Field> ConstraintBuilder<F> for SymbolicBuilder {
    type Expr = SymbolicExpr;
    fn current(&self) -> &[SymbolicExpr] {
        &self.current
    }
    fn next(&self) -> &[SymbolicExpr] {
        &self.next
    }
    fn is_first_row(&self) -> SymbolicExpr {
        SymbolicExpr { degree: 1, uses_next: false }
    }
    fn is_last_row(&self) -> SymbolicExpr {
        SymbolicExpr { degree: 1, uses_next: false }
    }
    fn assert_zero(&mut self, e: SymbolicExpr) {
        self.constraints.push(e);
    }
}

/// What the symbolic pass finds out about an AIR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AirShape {
    /// Main columns.
    pub n_columns: usize,
    /// Constraints recorded by [`Air::eval`].
    pub n_constraints: usize,
    /// The largest constraint degree (selectors count 1).
    pub max_degree: usize,
    /// Whether any constraint reads the next row.
    pub uses_next: bool,
    /// The LogUp terms.
    pub logup: Vec<LogUpTerm>,
}

impl AirShape {
    /// Runs the symbolic pass on `air`.
    pub fn of<F: Field, A: Air<F> + ?Sized>(air: &A) -> Self {
        let m = air.n_columns();
        let mut b = SymbolicBuilder {
            current: vec![SymbolicExpr { degree: 1, uses_next: false }; m],
            next: vec![SymbolicExpr { degree: 1, uses_next: true }; m],
            constraints: Vec::new(),
        };
        air.eval(&mut b);
        Self {
            n_columns: m,
            n_constraints: b.constraints.len(),
            max_degree: b.constraints.iter().map(|c| c.degree).max().unwrap_or(0),
            uses_next: b.constraints.iter().any(|c| c.uses_next),
            logup: air.logup_terms(),
        }
    }

    /// The degree of the zerocheck's round polynomials: `eq · C` has degree `max_degree + 1`,
    /// a LogUp constraint `eq · (h·(β − fp) − 1)` degree 3 and a LogUp sum term `m·h` degree 2.
    pub fn round_degree(&self) -> usize {
        let lookups = if self.logup.is_empty() { 0 } else { 3 };
        (self.max_degree + 1).max(lookups).max(2)
    }

    /// The widest LogUp tuple (0 without LogUp).
    pub fn max_tuple_width(&self) -> usize {
        self.logup.iter().map(|t| t.columns.len()).max().unwrap_or(0)
    }
}

/// The builder that evaluates the constraints at one point (a row, or a point of the sumcheck),
/// collecting their values.
pub(crate) struct PointBuilder<'a, V> {
    pub current: &'a [V],
    pub next: &'a [V],
    pub first: V,
    pub last: V,
    pub values: Vec<V>,
}

impl<F: Field, V: AirExpr<F> + Copy> ConstraintBuilder<F> for PointBuilder<'_, V> {
    type Expr = V;
    fn current(&self) -> &[V] {
        self.current
    }
    fn next(&self) -> &[V] {
        self.next
    }
    fn is_first_row(&self) -> V {
        self.first
    }
    fn is_last_row(&self) -> V {
        self.last
    }
    fn assert_zero(&mut self, e: V) {
        self.values.push(e);
    }
}

/// A linear expression over one row's main columns: `Σ c_j·col_j + constant`. Bus tuples and
/// multiplicities are given as such expressions, so a table sends `pc + 4` or `1 − is_padding`
/// without a column for it (the LogUp constraints stay of degree 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearExpr<F> {
    /// `(column, coefficient)` pairs.
    pub terms: Vec<(usize, F)>,
    /// The constant.
    pub constant: F,
}

impl<F: Field> LinearExpr<F> {
    /// The column `j`.
    pub fn col(j: usize) -> Self {
        Self { terms: vec![(j, F::ONE)], constant: F::ZERO }
    }

    /// A constant.
    pub fn constant(c: F) -> Self {
        Self { terms: Vec::new(), constant: c }
    }

    /// `Σ c_j·col_j + constant`.
    pub fn new(terms: Vec<(usize, F)>, constant: F) -> Self {
        Self { terms, constant }
    }

    /// This expression plus `c·col_j`.
    #[must_use]
    pub fn plus(mut self, j: usize, c: F) -> Self {
        self.terms.push((j, c));
        self
    }

    /// This expression plus the constant `c`.
    #[must_use]
    pub fn plus_constant(mut self, c: F) -> Self {
        self.constant += c;
        self
    }

    /// The value on a row (or at a point) `row`.
    pub fn eval<V: Copy + core::ops::Add<Output = V> + core::ops::Mul<Output = V> + From<F>>(
        &self,
        row: &[V],
    ) -> V {
        let mut acc = V::from(self.constant);
        for &(j, c) in &self.terms {
            acc = acc + V::from(c) * row[j];
        }
        acc
    }

    /// The column if the expression is exactly one column (coefficient 1, no constant).
    pub fn as_column(&self) -> Option<usize> {
        match self.terms.as_slice() {
            [(j, c)] if *c == F::ONE && self.constant.is_zero() => Some(*j),
            _ => None,
        }
    }

    /// The highest column it reads, if any.
    pub fn max_column(&self) -> Option<usize> {
        self.terms.iter().map(|&(j, _)| j).max()
    }
}

/// A LogUp interaction in the prover's normal form: on every row, `± m / (β − e_0 − Σ_k γ_k·e_k)`
/// with `m` and the `e_k` linear in the row. A [`LogUpTerm`] is one with column expressions; a
/// bus interaction (`crate::multi`) puts its bus id as the constant `e_0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interaction<F> {
    /// The tuple `e_0, e_1, …` (combined with `1, γ_1, γ_2, …`).
    pub tuple: Vec<LinearExpr<F>>,
    /// The multiplicity `m`.
    pub multiplicity: LinearExpr<F>,
    /// Whether the fraction is subtracted.
    pub negate: bool,
}

impl<F: Field> Interaction<F> {
    /// The normal form of a single-AIR [`LogUpTerm`].
    pub fn from_term(term: &LogUpTerm) -> Self {
        Self {
            tuple: term.columns.iter().map(|&c| LinearExpr::col(c)).collect(),
            multiplicity: term
                .multiplicity
                .map_or_else(|| LinearExpr::constant(F::ONE), LinearExpr::col),
            negate: term.negate,
        }
    }
}
