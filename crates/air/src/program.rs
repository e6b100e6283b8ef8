//! An AIR's constraints as data: a straight-line program over the base field, for backends that
//! cannot call [`Air::eval`] (a GPU kernel interprets it; [`crate::AirOps::zerocheck_round`]).
//!
//! # What the program is
//! A list of [`Instr`]uctions, each writing one register slot: loads of the row tables (current
//! row, next row, first/last-row selectors), constants, `+ − × neg` and their forms with a
//! constant operand (`x + c`, `c·x`, `c − x`). Effects consume registers: [`Instr::Out`] is
//! constraint `k` (in `eval` order), and for the zerocheck the LogUp interactions add
//! [`Instr::FpAdd`] (a fingerprint coordinate times its `γ`), [`Instr::LogUp`] (the constraint
//! `h_t·(β − fp_t) − 1` with its `α` power) and [`Instr::Mult`] (`±m_t·h_t` into the LogUp sum).
//! A second, shorter list ([`ConstraintProgram::sum_instrs`]) computes only the LogUp sum
//! `Σ_t ±m_t·h_t` (the zerocheck needs it at `X = 1`, where no constraint is evaluated).
//!
//! # How it is recorded
//! [`ConstraintProgram::record`] runs [`Air::eval`] once with a recording
//! [`ConstraintBuilder`] whose [`ProgramExpr`] is a handle to a node of an arena shared by the
//! whole recording (an `Arc<Mutex<…>>`, so the handle is `Clone + Send + Sync` and `From<F>`
//! needs no context: a constant is a handle without arena until it meets a node). The arena
//! hash-conses its nodes (a repeated subexpression is one node; `+` and `×` are ordered
//! canonically), folds constants (`c + c'`, `x + 0`, `1·x`, `0·x`, `(x + c) + c'`,
//! `c·(c'·x)`, `−−x`, `x − x`), and turns `x − c` into `x + (−c)`. Compilation then schedules the
//! nodes reachable from the effects, depth first in effect order (unused nodes are dropped), and
//! assigns registers by liveness: a register is freed at its value's last use and the lowest free
//! one is reused, so a register may be both operand and destination of one instruction. Loads and
//! constants are rematerialised: emitted just before a use, and emitted again when the previous
//! use is more than a window of steps back, rather than held in a register in between; the widest
//! window (∞, 256, 64, 16, 4, 0) whose program fits [`TARGET_REGS`] is taken, so a program is
//! only made longer when it must. Register counts (BENCHMARKS.md): Poseidon2-16
//! over BabyBear (298 columns) 33 with no reload, the zkVM's CPU table (136 columns, 51
//! interactions) 134 without reloads and 50 with the 256-step window.
//!
//! Field arithmetic is exact, so evaluation order does not change any value: the program gives
//! exactly [`Air::eval`]'s constraint values (tested against a point builder for every example
//! AIR over the base field and the extension, and for every table of the zkVM with its bus
//! interactions in `crates/vm/tests/constraint_program.rs`).
//!
//! # Limits
//! - The AIR must record the same constraints whatever the builder (the [`Air`] contract);
//!   expressions of two different recordings must not be mixed ([`ProgramError::MixedRecordings`]).
//! - [`ConstraintProgram::encode`]: registers and constants below `2^16`, constraint and
//!   interaction indices below `2^24` ([`ProgramError::TooLarge`]).
//! - A program that needs more than [`TARGET_REGS`] registers even with every load
//!   rematerialised (more than that many intermediate values live at once) is still produced; a
//!   device with a fixed register file refuses it.
//! - Recording takes a lock per operation: it is done once per round by a device backend, not
//!   per row.

use core::ops::{Add, Mul, Neg, Sub};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use zkprove_field::{ExtensionField, Field};

use crate::air::{Air, AirShape, ConstraintBuilder, Interaction, LinearExpr};
use crate::ops::ZerocheckChallenges;

/// Errors from recording or encoding a [`ConstraintProgram`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    /// An interaction naming a column the AIR does not have.
    #[error("interaction reads column {column} of {n_columns}")]
    Column {
        /// The column.
        column: usize,
        /// The AIR's main columns.
        n_columns: usize,
    },
    /// Expressions of two recordings combined.
    #[error("expressions of two different recordings were combined")]
    MixedRecordings,
    /// A count beyond the encoding's fields.
    #[error("{what}: {count} exceeds the encoding's limit {max}")]
    TooLarge {
        /// What.
        what: &'static str,
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
}

/// A value the program reads from the row tables.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProgramInput {
    /// Main column `j` on the current row.
    Current(u32),
    /// Main column `j` on the next row.
    Next(u32),
    /// The first-row selector.
    First,
    /// The last-row selector.
    Last,
}

/// One instruction: value instructions write register `dst`; effects read registers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Instr<F> {
    /// `r[dst] = input`.
    Load {
        /// Destination.
        dst: u32,
        /// What is read.
        input: ProgramInput,
    },
    /// `r[dst] = c`.
    Const {
        /// Destination.
        dst: u32,
        /// The constant.
        c: F,
    },
    /// `r[dst] = r[a] + r[b]`.
    Add {
        /// Destination.
        dst: u32,
        /// Operand.
        a: u32,
        /// Operand.
        b: u32,
    },
    /// `r[dst] = r[a] − r[b]`.
    Sub {
        /// Destination.
        dst: u32,
        /// Operand.
        a: u32,
        /// Operand.
        b: u32,
    },
    /// `r[dst] = r[a]·r[b]`.
    Mul {
        /// Destination.
        dst: u32,
        /// Operand.
        a: u32,
        /// Operand.
        b: u32,
    },
    /// `r[dst] = −r[a]`.
    Neg {
        /// Destination.
        dst: u32,
        /// Operand.
        a: u32,
    },
    /// `r[dst] = r[a] + c`.
    AddC {
        /// Destination.
        dst: u32,
        /// Operand.
        a: u32,
        /// The constant.
        c: F,
    },
    /// `r[dst] = c·r[a]`.
    MulC {
        /// Destination.
        dst: u32,
        /// Operand.
        a: u32,
        /// The constant.
        c: F,
    },
    /// `r[dst] = c − r[a]`.
    CSub {
        /// Destination.
        dst: u32,
        /// Operand.
        a: u32,
        /// The constant.
        c: F,
    },
    /// Constraint `k` is `r[src]` (the zerocheck adds `α^k·r[src]`).
    Out {
        /// The value.
        src: u32,
        /// The constraint's index in `eval` order.
        k: u32,
    },
    /// `fp += γ_g·r[src]` (`γ_0 = 1`).
    FpAdd {
        /// The tuple coordinate.
        src: u32,
        /// Its position in the tuple.
        g: u32,
    },
    /// `h = h_t` (at the point); `acc += α^alpha·(h·(β − fp) − 1)`; `fp = 0`.
    LogUp {
        /// The interaction.
        t: u32,
        /// Its `α` power (`K + t`).
        alpha: u32,
    },
    /// `h = h_t` (at the point), for the sum-only list.
    HLoad {
        /// The interaction.
        t: u32,
    },
    /// `sum ±= h·r[src]`.
    Mult {
        /// The multiplicity.
        src: u32,
        /// Subtracted.
        negate: bool,
    },
}

/// The opcodes of the device encoding ([`ConstraintProgram::encode`]).
pub mod opcode {
    /// [`super::Instr::Load`].
    pub const LOAD: u32 = 0;
    /// [`super::Instr::Const`].
    pub const CONST: u32 = 1;
    /// [`super::Instr::Add`].
    pub const ADD: u32 = 2;
    /// [`super::Instr::Sub`].
    pub const SUB: u32 = 3;
    /// [`super::Instr::Mul`].
    pub const MUL: u32 = 4;
    /// [`super::Instr::Neg`].
    pub const NEG: u32 = 5;
    /// [`super::Instr::AddC`].
    pub const ADDC: u32 = 6;
    /// [`super::Instr::MulC`].
    pub const MULC: u32 = 7;
    /// [`super::Instr::CSub`].
    pub const CSUB: u32 = 8;
    /// [`super::Instr::Out`].
    pub const OUT: u32 = 9;
    /// [`super::Instr::FpAdd`].
    pub const FPADD: u32 = 10;
    /// [`super::Instr::LogUp`].
    pub const LOGUP: u32 = 11;
    /// [`super::Instr::HLoad`].
    pub const HLOAD: u32 = 12;
    /// [`super::Instr::Mult`].
    pub const MULT: u32 = 13;
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
enum Node<F> {
    Input(ProgramInput),
    Const(F),
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Neg(u32),
    AddC(u32, F),
    MulC(u32, F),
    CSub(F, u32),
}

impl<F: Copy> Node<F> {
    fn operands(&self) -> ([u32; 2], usize) {
        match *self {
            Self::Input(_) | Self::Const(_) => ([0, 0], 0),
            Self::Add(a, b) | Self::Sub(a, b) | Self::Mul(a, b) => ([a, b], 2),
            Self::Neg(a) | Self::AddC(a, _) | Self::MulC(a, _) | Self::CSub(_, a) => ([a, 0], 1),
        }
    }
}

#[derive(Debug, Default)]
struct Arena<F> {
    nodes: Vec<Node<F>>,
    index: HashMap<Node<F>, u32>,
    mixed: bool,
}

type Shared<F> = Arc<Mutex<Arena<F>>>;

fn lock<F>(s: &Shared<F>) -> MutexGuard<'_, Arena<F>> {
    s.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<F: Field> Arena<F> {
    fn intern(&mut self, n: Node<F>) -> u32 {
        if let Some(&i) = self.index.get(&n) {
            return i;
        }
        let i = self.nodes.len() as u32;
        self.nodes.push(n);
        self.index.insert(n, i);
        i
    }
}

#[derive(Clone, Debug)]
enum Repr<F> {
    Const(F),
    Node(Shared<F>, u32),
}

/// The expression type of the recording builder: a constant, or a node of the recording's
/// arena (see the module documentation).
#[derive(Clone, Debug)]
pub struct ProgramExpr<F>(Repr<F>);

impl<F: Field> From<F> for ProgramExpr<F> {
    fn from(c: F) -> Self {
        Self(Repr::Const(c))
    }
}

impl<F: Field> ProgramExpr<F> {
    fn node(s: &Shared<F>, n: u32) -> Self {
        Self(Repr::Node(s.clone(), n))
    }

    fn add_const(s: &Shared<F>, n: u32, c: F) -> Self {
        if c.is_zero() {
            return Self::node(s, n);
        }
        let mut a = lock(s);
        if let Node::AddC(y, c2) = a.nodes[n as usize] {
            let sum = c + c2;
            drop(a);
            return if sum.is_zero() { Self::node(s, y) } else { Self::add_const(s, y, sum) };
        }
        let i = a.intern(Node::AddC(n, c));
        drop(a);
        Self::node(s, i)
    }

    fn mul_const(s: &Shared<F>, n: u32, c: F) -> Self {
        if c.is_zero() {
            return Self(Repr::Const(F::ZERO));
        }
        if c == F::ONE {
            return Self::node(s, n);
        }
        let mut a = lock(s);
        if let Node::MulC(y, c2) = a.nodes[n as usize] {
            drop(a);
            return Self::mul_const(s, y, c * c2);
        }
        let i = a.intern(Node::MulC(n, c));
        drop(a);
        Self::node(s, i)
    }

    fn intern_in(s: &Shared<F>, n: Node<F>) -> Self {
        let i = lock(s).intern(n);
        Self::node(s, i)
    }

    /// Both nodes of one arena, or marks the first arena mixed.
    fn same(s: &Shared<F>, t: &Shared<F>) -> bool {
        if Arc::ptr_eq(s, t) {
            return true;
        }
        lock(s).mixed = true;
        false
    }
}

impl<F: Field> Add for ProgramExpr<F> {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        match (self.0, o.0) {
            (Repr::Const(x), Repr::Const(y)) => Self(Repr::Const(x + y)),
            (Repr::Node(s, n), Repr::Const(c)) | (Repr::Const(c), Repr::Node(s, n)) => {
                Self::add_const(&s, n, c)
            }
            (Repr::Node(s, a), Repr::Node(t, b)) => {
                Self::same(&s, &t);
                Self::intern_in(&s, Node::Add(a.min(b), a.max(b)))
            }
        }
    }
}

impl<F: Field> Sub for ProgramExpr<F> {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        match (self.0, o.0) {
            (Repr::Const(x), Repr::Const(y)) => Self(Repr::Const(x - y)),
            (Repr::Node(s, n), Repr::Const(c)) => Self::add_const(&s, n, -c),
            (Repr::Const(c), Repr::Node(s, n)) => {
                if c.is_zero() {
                    -Self::node(&s, n)
                } else {
                    Self::intern_in(&s, Node::CSub(c, n))
                }
            }
            (Repr::Node(s, a), Repr::Node(t, b)) => {
                if Self::same(&s, &t) && a == b {
                    return Self(Repr::Const(F::ZERO));
                }
                Self::intern_in(&s, Node::Sub(a, b))
            }
        }
    }
}

impl<F: Field> Mul for ProgramExpr<F> {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        match (self.0, o.0) {
            (Repr::Const(x), Repr::Const(y)) => Self(Repr::Const(x * y)),
            (Repr::Node(s, n), Repr::Const(c)) | (Repr::Const(c), Repr::Node(s, n)) => {
                Self::mul_const(&s, n, c)
            }
            (Repr::Node(s, a), Repr::Node(t, b)) => {
                Self::same(&s, &t);
                Self::intern_in(&s, Node::Mul(a.min(b), a.max(b)))
            }
        }
    }
}

impl<F: Field> Neg for ProgramExpr<F> {
    type Output = Self;
    fn neg(self) -> Self {
        match self.0 {
            Repr::Const(c) => Self(Repr::Const(-c)),
            Repr::Node(s, n) => {
                let node = lock(&s).nodes[n as usize];
                match node {
                    Node::Neg(y) => Self::node(&s, y),
                    _ => Self::intern_in(&s, Node::Neg(n)),
                }
            }
        }
    }
}

/// The recording builder.
struct Recorder<F: Field> {
    arena: Shared<F>,
    current: Vec<ProgramExpr<F>>,
    next: Vec<ProgramExpr<F>>,
    first: ProgramExpr<F>,
    last: ProgramExpr<F>,
    outputs: Vec<ProgramExpr<F>>,
}

impl<F: Field> Recorder<F> {
    fn new(n_columns: usize) -> Self {
        let arena: Shared<F> =
            Arc::new(Mutex::new(Arena { nodes: Vec::new(), index: HashMap::new(), mixed: false }));
        let input = |i| ProgramExpr::intern_in(&arena, Node::Input(i));
        let current = (0..n_columns as u32).map(|j| input(ProgramInput::Current(j))).collect();
        let next = (0..n_columns as u32).map(|j| input(ProgramInput::Next(j))).collect();
        let first = input(ProgramInput::First);
        let last = input(ProgramInput::Last);
        Self { arena, current, next, first, last, outputs: Vec::new() }
    }

    /// The node of `e` (a constant becomes a node).
    fn node_of(&self, e: &ProgramExpr<F>) -> u32 {
        match &e.0 {
            Repr::Const(c) => lock(&self.arena).intern(Node::Const(*c)),
            Repr::Node(s, n) => {
                ProgramExpr::same(&self.arena, s);
                *n
            }
        }
    }

    fn linear(&self, e: &LinearExpr<F>) -> Result<ProgramExpr<F>, ProgramError> {
        let mut acc = ProgramExpr::from(e.constant);
        for &(j, c) in &e.terms {
            let x = self
                .current
                .get(j)
                .ok_or(ProgramError::Column { column: j, n_columns: self.current.len() })?;
            acc = acc + ProgramExpr::from(c) * x.clone();
        }
        Ok(acc)
    }
}

impl<F: Field> ConstraintBuilder<F> for Recorder<F> {
    type Expr = ProgramExpr<F>;
    fn current(&self) -> &[ProgramExpr<F>] {
        &self.current
    }
    fn next(&self) -> &[ProgramExpr<F>] {
        &self.next
    }
    fn is_first_row(&self) -> ProgramExpr<F> {
        self.first.clone()
    }
    fn is_last_row(&self) -> ProgramExpr<F> {
        self.last.clone()
    }
    fn assert_zero(&mut self, e: ProgramExpr<F>) {
        self.outputs.push(e);
    }
}

/// An effect of the schedule, before register allocation (operands are nodes).
#[derive(Copy, Clone)]
enum Effect {
    Out(u32, u32),
    FpAdd(u32, u32),
    LogUp(u32, u32),
    HLoad(u32),
    Mult(u32, bool),
}

impl Effect {
    fn operand(self) -> Option<u32> {
        match self {
            Self::Out(n, _) | Self::FpAdd(n, _) | Self::Mult(n, _) => Some(n),
            Self::LogUp(..) | Self::HLoad(_) => None,
        }
    }
}

/// The register count compilation aims below: a device backend holds the register file in a
/// fixed private array (zkprove-gpu's `ZC_MAX_REGS` is this).
pub const TARGET_REGS: usize = 64;

/// The windows tried, in order, by [`compile_fit`]: the steps between two uses of a load or
/// constant beyond which it is emitted again rather than kept in a register.
const REMAT_WINDOWS: [usize; 6] = [usize::MAX, 256, 64, 16, 4, 0];

#[derive(Copy, Clone)]
enum Step {
    Node(u32),
    Effect(Effect),
}

/// [`compile`] with the widest rematerialisation window that fits [`TARGET_REGS`] (the fewest
/// reloads), or the one with the fewest registers when none fits.
fn compile_fit<F: Field>(nodes: &[Node<F>], effects: &[Effect]) -> (Vec<Instr<F>>, usize) {
    let mut best: Option<(Vec<Instr<F>>, usize)> = None;
    for window in REMAT_WINDOWS {
        let (instrs, n_regs) = compile(nodes, effects, window);
        if n_regs <= TARGET_REGS {
            return (instrs, n_regs);
        }
        if best.as_ref().is_none_or(|b| n_regs < b.1) {
            best = Some((instrs, n_regs));
        }
    }
    best.unwrap_or_default()
}

/// Schedules the nodes the effects need (depth first, in effect order) and assigns registers by
/// liveness: `(instructions, registers)`. A load or constant is emitted again before a use more
/// than `window` steps after its previous one.
fn compile<F: Field>(
    nodes: &[Node<F>],
    effects: &[Effect],
    window: usize,
) -> (Vec<Instr<F>>, usize) {
    let mut emitted = vec![false; nodes.len()];
    let mut steps = Vec::new();
    let mut stack: Vec<(u32, bool)> = Vec::new();
    for &e in effects {
        if let Some(root) = e.operand() {
            stack.push((root, false));
            while let Some((n, expanded)) = stack.pop() {
                if emitted[n as usize] {
                    continue;
                }
                if expanded {
                    emitted[n as usize] = true;
                    steps.push(Step::Node(n));
                    continue;
                }
                stack.push((n, true));
                let (ops, k) = nodes[n as usize].operands();
                for &o in ops[..k].iter().rev() {
                    if !emitted[o as usize] {
                        stack.push((o, false));
                    }
                }
            }
        }
        steps.push(Step::Effect(e));
    }
    // Loads and constants are rematerialised: emitted just before a use, and again before a
    // later use more than `window` steps after the previous one, instead of holding a register
    // in between (a column read at the start and in an interaction at the end would otherwise
    // stay live throughout: the zkVM's CPU table needs 134 registers without, 50 with 256).
    let remat = |n: u32| matches!(nodes[n as usize], Node::Input(_) | Node::Const(_));
    struct Sched {
        step: Step,
        ops: [usize; 2],
        n_ops: usize,
    }
    let mut def = vec![usize::MAX; nodes.len()];
    let mut touch = vec![0usize; nodes.len()];
    let mut sched: Vec<Sched> = Vec::with_capacity(steps.len());
    for step in steps {
        let (operands, k) = match step {
            Step::Node(n) if remat(n) => continue,
            Step::Node(n) => nodes[n as usize].operands(),
            Step::Effect(e) => e.operand().map_or(([0, 0], 0), |o| ([o, 0], 1)),
        };
        let mut ops = [0usize; 2];
        for (i, &o) in operands[..k].iter().enumerate() {
            let stale = def[o as usize] == usize::MAX || sched.len() - touch[o as usize] > window;
            if remat(o) && stale && !operands[..i].contains(&o) {
                def[o as usize] = sched.len();
                sched.push(Sched { step: Step::Node(o), ops: [0, 0], n_ops: 0 });
            }
            ops[i] = def[o as usize];
        }
        for &o in &operands[..k] {
            touch[o as usize] = sched.len();
        }
        if let Step::Node(n) = step {
            def[n as usize] = sched.len();
            touch[n as usize] = sched.len();
        }
        sched.push(Sched { step, ops, n_ops: k });
    }
    let mut last_use = vec![0usize; sched.len()];
    for (s, x) in sched.iter().enumerate() {
        for &d in &x.ops[..x.n_ops] {
            last_use[d] = s;
        }
    }
    let mut reg = vec![u32::MAX; sched.len()];
    let mut free: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
    let mut n_regs = 0u32;
    let mut instrs = Vec::with_capacity(sched.len());
    for (s, x) in sched.iter().enumerate() {
        let ops = &x.ops[..x.n_ops];
        let (ra, rb) = (ops.first().map_or(0, |&d| reg[d]), ops.get(1).map_or(0, |&d| reg[d]));
        match x.step {
            Step::Node(n) => {
                for (i, &d) in ops.iter().enumerate() {
                    if last_use[d] == s && !ops[..i].contains(&d) {
                        free.push(Reverse(reg[d]));
                    }
                }
                let dst = free.pop().map_or_else(
                    || {
                        n_regs += 1;
                        n_regs - 1
                    },
                    |Reverse(d)| d,
                );
                reg[s] = dst;
                instrs.push(match nodes[n as usize] {
                    Node::Input(input) => Instr::Load { dst, input },
                    Node::Const(c) => Instr::Const { dst, c },
                    Node::Add(..) => Instr::Add { dst, a: ra, b: rb },
                    Node::Sub(..) => Instr::Sub { dst, a: ra, b: rb },
                    Node::Mul(..) => Instr::Mul { dst, a: ra, b: rb },
                    Node::Neg(_) => Instr::Neg { dst, a: ra },
                    Node::AddC(_, c) => Instr::AddC { dst, a: ra, c },
                    Node::MulC(_, c) => Instr::MulC { dst, a: ra, c },
                    Node::CSub(c, _) => Instr::CSub { dst, a: ra, c },
                });
            }
            Step::Effect(e) => {
                instrs.push(match e {
                    Effect::Out(_, k) => Instr::Out { src: ra, k },
                    Effect::FpAdd(_, g) => Instr::FpAdd { src: ra, g },
                    Effect::LogUp(t, alpha) => Instr::LogUp { t, alpha },
                    Effect::HLoad(t) => Instr::HLoad { t },
                    Effect::Mult(_, negate) => Instr::Mult { src: ra, negate },
                });
                if let Some(&d) = ops.first()
                    && last_use[d] == s
                {
                    free.push(Reverse(reg[d]));
                }
            }
        }
    }
    (instrs, n_regs as usize)
}

/// An AIR's constraints (and the zerocheck's LogUp interactions) as a straight-line program: see
/// the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstraintProgram<F> {
    n_columns: usize,
    n_constraints: usize,
    n_lookups: usize,
    instrs: Vec<Instr<F>>,
    sum_instrs: Vec<Instr<F>>,
    n_regs: usize,
    n_nodes: usize,
}

/// A program in the device's words ([`ConstraintProgram::encode`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedProgram<F> {
    /// Two words per instruction: the main list, then the sum-only list. Word 0: the opcode
    /// ([`opcode`]) in bits 0..8 and in bits 8..32 the destination register (value
    /// instructions), the constraint index (`OUT`), the tuple position (`FPADD`), the `α` power
    /// (`LOGUP`) or the sign (`MULT`). Word 1: the row table (`LOAD`), the constant's index
    /// (`CONST`), the interaction (`LOGUP`, `HLOAD`), the source register (`OUT`, `FPADD`,
    /// `MULT`), or operand `a` in bits 0..16 and operand `b` or the constant's index in bits
    /// 16..32.
    pub words: Vec<u32>,
    /// The constants (deduplicated).
    pub constants: Vec<F>,
    /// Instructions of the main list.
    pub n_main: usize,
    /// Instructions of the sum-only list.
    pub n_sum: usize,
    /// Registers.
    pub n_regs: usize,
}

impl<F: Field> ConstraintProgram<F> {
    /// Records `air`'s constraints alone (no interactions).
    ///
    /// # Errors
    /// [`ProgramError::MixedRecordings`].
    pub fn of_air<A: Air<F> + ?Sized>(air: &A) -> Result<Self, ProgramError> {
        Self::record(air, &AirShape::of(air), &[], 0)
    }

    /// Records `air`'s constraints and the zerocheck's LogUp terms of `lookups`: per interaction
    /// `t`, the fingerprint's first `min(gamma_len, tuple)` coordinates (as the CPU zips them
    /// with `γ`), the constraint `α^(K + t)·(h_t·(β − fp_t) − 1)` with `K = shape.n_constraints`,
    /// and `±m_t·h_t` into the LogUp sum; the sum-only list holds the `±m_t·h_t`.
    ///
    /// # Errors
    /// [`ProgramError::Column`] for an interaction reading a missing column;
    /// [`ProgramError::MixedRecordings`].
    pub fn record<A: Air<F> + ?Sized>(
        air: &A,
        shape: &AirShape,
        lookups: &[Interaction<F>],
        gamma_len: usize,
    ) -> Result<Self, ProgramError> {
        Self::record_windowed(air, shape, lookups, gamma_len, None)
    }

    /// [`Self::record`] with a fixed rematerialisation window (`None`: the widest that fits
    /// [`TARGET_REGS`]).
    fn record_windowed<A: Air<F> + ?Sized>(
        air: &A,
        shape: &AirShape,
        lookups: &[Interaction<F>],
        gamma_len: usize,
        window: Option<usize>,
    ) -> Result<Self, ProgramError> {
        let m = shape.n_columns;
        let mut rec = Recorder::<F>::new(m);
        air.eval(&mut rec);
        let outputs = core::mem::take(&mut rec.outputs);
        let n_constraints = outputs.len();
        let mut effects = Vec::new();
        for (k, e) in outputs.iter().enumerate() {
            if matches!(e.0, Repr::Const(c) if c.is_zero()) {
                continue;
            }
            effects.push(Effect::Out(rec.node_of(e), k as u32));
        }
        let mut sum_effects = Vec::new();
        for (t, term) in lookups.iter().enumerate() {
            for (g, e) in term.tuple.iter().take(gamma_len).enumerate() {
                let x = rec.linear(e)?;
                effects.push(Effect::FpAdd(rec.node_of(&x), g as u32));
            }
            let alpha = shape.n_constraints + t;
            effects.push(Effect::LogUp(t as u32, alpha as u32));
            let mult = rec.linear(&term.multiplicity)?;
            let mult = rec.node_of(&mult);
            effects.push(Effect::Mult(mult, term.negate));
            sum_effects.push(Effect::HLoad(t as u32));
            sum_effects.push(Effect::Mult(mult, term.negate));
        }
        let arena = lock(&rec.arena);
        if arena.mixed {
            return Err(ProgramError::MixedRecordings);
        }
        let (instrs, r1) = match window {
            Some(w) => compile(&arena.nodes, &effects, w),
            None => compile_fit(&arena.nodes, &effects),
        };
        let (sum_instrs, r2) = match window {
            Some(w) => compile(&arena.nodes, &sum_effects, w),
            None => compile_fit(&arena.nodes, &sum_effects),
        };
        Ok(Self {
            n_columns: m,
            n_constraints,
            n_lookups: lookups.len(),
            instrs,
            sum_instrs,
            n_regs: r1.max(r2),
            n_nodes: arena.nodes.len(),
        })
    }

    /// The main list: constraints, then the LogUp terms.
    pub fn instrs(&self) -> &[Instr<F>] {
        &self.instrs
    }

    /// The sum-only list (`Σ_t ±m_t·h_t`).
    pub fn sum_instrs(&self) -> &[Instr<F>] {
        &self.sum_instrs
    }

    /// Registers (the most values live at once, either list).
    pub fn n_regs(&self) -> usize {
        self.n_regs
    }

    /// Constraints recorded by `eval` (constant-zero ones included, without an instruction).
    pub fn n_constraints(&self) -> usize {
        self.n_constraints
    }

    /// Main columns.
    pub fn n_columns(&self) -> usize {
        self.n_columns
    }

    /// Interactions.
    pub fn n_lookups(&self) -> usize {
        self.n_lookups
    }

    /// Distinct nodes the recording created (before dropping unused ones).
    pub fn n_nodes(&self) -> usize {
        self.n_nodes
    }

    /// The constraints at one point, in `eval` order, into `out` (resized to
    /// [`Self::n_constraints`]): what [`Air::eval`] gives with a point builder. `V` is the base
    /// field (rows) or an extension (points).
    ///
    /// # Panics
    /// When `current` or `next` is shorter than the program's columns.
    pub fn eval<V: Field + From<F>>(
        &self,
        current: &[V],
        next: &[V],
        first: V,
        last: V,
        out: &mut Vec<V>,
    ) {
        out.clear();
        out.resize(self.n_constraints, V::ZERO);
        let mut r = vec![V::ZERO; self.n_regs];
        for ins in &self.instrs {
            if let Instr::Out { src, k } = *ins {
                out[k as usize] = r[src as usize];
            } else {
                value_step(ins, &mut r, (current, next, first, last));
            }
        }
    }

    /// The zerocheck's two parts at one point, as the device computes them: `(Σ_k α^k C_k +
    /// Σ_t α^(K+t)(h_t(β − fp_t) − 1), Σ_t ±m_t h_t)` with `aux` the `h_t` there.
    ///
    /// # Panics
    /// On rows or `aux` shorter than the program reads, or too few challenge powers.
    pub fn eval_zerocheck<V: Field + From<F>, E: ExtensionField<V>>(
        &self,
        point: (&[V], &[V], V, V),
        aux: &[E],
        ch: &ZerocheckChallenges<E>,
    ) -> (E, E) {
        run_effects(&self.instrs, self.n_regs, point, aux, ch)
    }

    /// `Σ_t ±m_t h_t` at one point by the sum-only list.
    ///
    /// # Panics
    /// As [`Self::eval_zerocheck`].
    pub fn eval_sum<V: Field + From<F>, E: ExtensionField<V>>(
        &self,
        current: &[V],
        aux: &[E],
        ch: &ZerocheckChallenges<E>,
    ) -> E {
        let point = (current, current, V::ZERO, V::ZERO);
        run_effects(&self.sum_instrs, self.n_regs, point, aux, ch).1
    }

    /// The device encoding, with the row tables in the zerocheck's order: main columns, the
    /// next-row columns when `uses_next` (else `next(j)` reads column `j`, as the CPU does), the
    /// first- and last-row selectors.
    ///
    /// # Errors
    /// [`ProgramError::TooLarge`] beyond the fields' widths.
    pub fn encode(&self, uses_next: bool) -> Result<EncodedProgram<F>, ProgramError> {
        let m = self.n_columns;
        let sel = if uses_next { 2 * m } else { m };
        let check = |what, count: usize, max: usize| {
            if count >= max { Err(ProgramError::TooLarge { what, count, max }) } else { Ok(()) }
        };
        check("registers", self.n_regs, 1 << 16)?;
        check("constraints", self.n_constraints, 1 << 24)?;
        check("interactions", self.n_lookups + self.n_constraints, 1 << 24)?;
        let mut constants: Vec<F> = Vec::new();
        let mut const_index: HashMap<F, u32> = HashMap::new();
        let mut words = Vec::with_capacity(2 * (self.instrs.len() + self.sum_instrs.len()));
        for ins in self.instrs.iter().chain(&self.sum_instrs) {
            let mut cidx = |c: F| -> Result<u32, ProgramError> {
                if let Some(&i) = const_index.get(&c) {
                    return Ok(i);
                }
                let i = constants.len();
                check("constants", i, 1 << 16)?;
                constants.push(c);
                const_index.insert(c, i as u32);
                Ok(i as u32)
            };
            let w = |op: u32, x: u32, y: u32| [op | (x << 8), y];
            let ab = |a: u32, b: u32| a | (b << 16);
            let pair = match *ins {
                Instr::Load { dst, input } => {
                    let table = match input {
                        ProgramInput::Current(j) => j as usize,
                        ProgramInput::Next(j) => {
                            if uses_next {
                                m + j as usize
                            } else {
                                j as usize
                            }
                        }
                        ProgramInput::First => sel,
                        ProgramInput::Last => sel + 1,
                    };
                    w(opcode::LOAD, dst, table as u32)
                }
                Instr::Const { dst, c } => w(opcode::CONST, dst, cidx(c)?),
                Instr::Add { dst, a, b } => w(opcode::ADD, dst, ab(a, b)),
                Instr::Sub { dst, a, b } => w(opcode::SUB, dst, ab(a, b)),
                Instr::Mul { dst, a, b } => w(opcode::MUL, dst, ab(a, b)),
                Instr::Neg { dst, a } => w(opcode::NEG, dst, a),
                Instr::AddC { dst, a, c } => w(opcode::ADDC, dst, ab(a, cidx(c)?)),
                Instr::MulC { dst, a, c } => w(opcode::MULC, dst, ab(a, cidx(c)?)),
                Instr::CSub { dst, a, c } => w(opcode::CSUB, dst, ab(a, cidx(c)?)),
                Instr::Out { src, k } => w(opcode::OUT, k, src),
                Instr::FpAdd { src, g } => w(opcode::FPADD, g, src),
                Instr::LogUp { t, alpha } => w(opcode::LOGUP, alpha, t),
                Instr::HLoad { t } => w(opcode::HLOAD, 0, t),
                Instr::Mult { src, negate } => w(opcode::MULT, u32::from(negate), src),
            };
            words.extend_from_slice(&pair);
        }
        check("gamma positions", self.max_fp_position(), 1 << 24)?;
        Ok(EncodedProgram {
            words,
            constants,
            n_main: self.instrs.len(),
            n_sum: self.sum_instrs.len(),
            n_regs: self.n_regs,
        })
    }

    fn max_fp_position(&self) -> usize {
        self.instrs
            .iter()
            .filter_map(|i| match i {
                Instr::FpAdd { g, .. } => Some(*g as usize),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }
}

/// One value instruction on registers `r` at `point` (effects are the caller's).
fn value_step<F: Field, V: Field + From<F>>(
    ins: &Instr<F>,
    r: &mut [V],
    point: (&[V], &[V], V, V),
) {
    let (current, next, first, last) = point;
    match *ins {
        Instr::Load { dst, input } => {
            r[dst as usize] = match input {
                ProgramInput::Current(j) => current[j as usize],
                ProgramInput::Next(j) => next[j as usize],
                ProgramInput::First => first,
                ProgramInput::Last => last,
            }
        }
        Instr::Const { dst, c } => r[dst as usize] = V::from(c),
        Instr::Add { dst, a, b } => r[dst as usize] = r[a as usize] + r[b as usize],
        Instr::Sub { dst, a, b } => r[dst as usize] = r[a as usize] - r[b as usize],
        Instr::Mul { dst, a, b } => r[dst as usize] = r[a as usize] * r[b as usize],
        Instr::Neg { dst, a } => r[dst as usize] = -r[a as usize],
        Instr::AddC { dst, a, c } => r[dst as usize] = r[a as usize] + V::from(c),
        Instr::MulC { dst, a, c } => r[dst as usize] = r[a as usize] * V::from(c),
        Instr::CSub { dst, a, c } => r[dst as usize] = V::from(c) - r[a as usize],
        Instr::Out { .. }
        | Instr::FpAdd { .. }
        | Instr::LogUp { .. }
        | Instr::HLoad { .. }
        | Instr::Mult { .. } => {}
    }
}

fn run_effects<F: Field, V: Field + From<F>, E: ExtensionField<V>>(
    instrs: &[Instr<F>],
    n_regs: usize,
    point: (&[V], &[V], V, V),
    aux: &[E],
    ch: &ZerocheckChallenges<E>,
) -> (E, E) {
    let mut r = vec![V::ZERO; n_regs];
    let (mut acc, mut fp, mut sum, mut h) = (E::ZERO, E::ZERO, E::ZERO, E::ZERO);
    for ins in instrs {
        match *ins {
            Instr::Out { src, k } => {
                if let Some(&a) = ch.alpha_pows.get(k as usize) {
                    acc += a * r[src as usize];
                }
            }
            Instr::FpAdd { src, g } => fp += ch.gamma_pows[g as usize] * r[src as usize],
            Instr::LogUp { t, alpha } => {
                h = aux[t as usize];
                acc += ch.alpha_pows[alpha as usize] * (h * (ch.beta - fp) - E::ONE);
                fp = E::ZERO;
            }
            Instr::HLoad { t } => h = aux[t as usize],
            Instr::Mult { src, negate } => {
                let s = h * r[src as usize];
                if negate {
                    sum -= s;
                } else {
                    sum += s;
                }
            }
            _ => value_step(ins, &mut r, point),
        }
    }
    (acc, sum)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use zkprove_field::babybear::{BabyBear, BabyBearExt4};
    use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
    use zkprove_hash::Poseidon2;

    use super::*;
    use crate::air::PointBuilder;
    use crate::examples::{FibonacciAir, Poseidon2Air, RangeCheckAir};

    fn point_eval<F: Field, V: Field + From<F>, A: Air<F>>(
        air: &A,
        cur: &[V],
        next: &[V],
        first: V,
        last: V,
    ) -> Vec<V> {
        let mut b = PointBuilder { current: cur, next, first, last, values: Vec::new() };
        air.eval(&mut b);
        b.values
    }

    fn check<F: Field, E: ExtensionField<F>, A: Air<F>>(air: &A, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        let shape = AirShape::of(air);
        let m = shape.n_columns;
        let lookups: Vec<Interaction<F>> = shape.logup.iter().map(Interaction::from_term).collect();
        let gamma_len = shape.max_tuple_width();
        let prog = ConstraintProgram::record(air, &shape, &lookups, gamma_len).expect("record");
        assert_eq!(prog.n_constraints(), shape.n_constraints);
        let mut out_f = Vec::new();
        let mut out_e = Vec::new();
        for _ in 0..4 {
            let cur: Vec<F> = (0..m).map(|_| F::random(&mut rng)).collect();
            let next: Vec<F> = (0..m).map(|_| F::random(&mut rng)).collect();
            let (first, last) = (F::random(&mut rng), F::random(&mut rng));
            prog.eval(&cur, &next, first, last, &mut out_f);
            assert_eq!(out_f, point_eval(air, &cur, &next, first, last));
            let aux: Vec<E> = (0..lookups.len()).map(|_| E::random(&mut rng)).collect();
            let ch = ZerocheckChallenges {
                beta: E::random(&mut rng),
                gamma_pows: (0..gamma_len.max(1)).map(|_| E::random(&mut rng)).collect(),
                alpha_pows: E::random(&mut rng).powers(shape.n_constraints + lookups.len()),
                lambda: E::random(&mut rng),
            };
            let mut buf = Vec::new();
            let pf = (cur.as_slice(), next.as_slice(), first, last);
            let want = crate::ops::eval_parts::<F, F, E, A>(
                air, &shape, &lookups, &ch, pf, &aux, &mut buf,
            );
            assert_eq!(prog.eval_zerocheck(pf, &aux, &ch), want);
            assert_eq!(prog.eval_sum(&cur, &aux, &ch), want.1);

            let cur: Vec<E> = (0..m).map(|_| E::random(&mut rng)).collect();
            let next: Vec<E> = (0..m).map(|_| E::random(&mut rng)).collect();
            let (first, last) = (E::random(&mut rng), E::random(&mut rng));
            prog.eval(&cur, &next, first, last, &mut out_e);
            assert_eq!(out_e, point_eval::<F, E, A>(air, &cur, &next, first, last));
            let mut buf = Vec::new();
            let pe = (cur.as_slice(), next.as_slice(), first, last);
            let want = crate::ops::eval_parts::<F, E, E, A>(
                air, &shape, &lookups, &ch, pe, &aux, &mut buf,
            );
            assert_eq!(prog.eval_zerocheck(pe, &aux, &ch), want);
            assert_eq!(prog.eval_sum(&cur, &aux, &ch), want.1);
        }
        let enc = prog.encode(shape.uses_next).expect("encode");
        assert_eq!(enc.words.len(), 2 * (enc.n_main + enc.n_sum));
    }

    #[test]
    fn programs_match_eval() {
        let f = FibonacciAir { a0: 1u64, b0: 1, result: 21 };
        let fb =
            FibonacciAir { a0: BabyBear::new(1), b0: BabyBear::new(2), result: BabyBear::new(5) };
        check::<BabyBear, BabyBearExt4, _>(&fb, 1);
        let fg = FibonacciAir {
            a0: Goldilocks::new(f.a0),
            b0: Goldilocks::new(f.b0),
            result: Goldilocks::new(f.result),
        };
        check::<Goldilocks, GoldilocksExt2, _>(&fg, 2);
        check::<BabyBear, BabyBearExt4, _>(&RangeCheckAir { bits: 4 }, 3);
        check::<Goldilocks, GoldilocksExt2, _>(&RangeCheckAir { bits: 4 }, 4);
        check::<BabyBear, BabyBearExt4, _>(&Poseidon2Air::new(Poseidon2::babybear_16()), 5);
        check::<Goldilocks, GoldilocksExt2, _>(&Poseidon2Air::new(Poseidon2::goldilocks_8()), 6);
    }

    #[test]
    fn constants_fold_and_registers_are_reused() {
        let p2 = Poseidon2Air::new(Poseidon2::babybear_16());
        let prog = ConstraintProgram::of_air(&p2).expect("record");
        // Far fewer live values than columns.
        assert!(prog.n_regs() < 64, "{} registers", prog.n_regs());
        let fib = FibonacciAir { a0: BabyBear::ONE, b0: BabyBear::ONE, result: BabyBear::TWO };
        let prog = ConstraintProgram::of_air(&fib).expect("record");
        assert!(prog.instrs().iter().all(|i| !matches!(i, Instr::Const { .. })));
    }

    /// The sizes of the example programs (`--nocapture` prints them; bench-notes quote them).
    #[test]
    fn example_program_sizes() {
        fn show<F: Field, A: Air<F>>(name: &str, air: &A) {
            let shape = AirShape::of(air);
            let lookups: Vec<Interaction<F>> =
                shape.logup.iter().map(Interaction::from_term).collect();
            let p = ConstraintProgram::record(air, &shape, &lookups, shape.max_tuple_width())
                .expect("record");
            let enc = p.encode(shape.uses_next).expect("encode");
            println!(
                "{name}: {} columns, {} constraints (degree {}), {} nodes recorded, {} + {} \
                 instructions, {} registers, {} constants, {} bytes encoded",
                shape.n_columns,
                shape.n_constraints,
                shape.max_degree,
                p.n_nodes(),
                p.instrs().len(),
                p.sum_instrs().len(),
                p.n_regs(),
                enc.constants.len(),
                4 * enc.words.len() + enc.constants.len() * core::mem::size_of::<F>()
            );
            assert!(p.n_regs() <= 64);
        }
        let fib = FibonacciAir { a0: BabyBear::ONE, b0: BabyBear::ONE, result: BabyBear::TWO };
        show("fibonacci/babybear", &fib);
        show::<BabyBear, _>("range-check/babybear", &RangeCheckAir { bits: 8 });
        show("poseidon2-16/babybear", &Poseidon2Air::new(Poseidon2::babybear_16()));
        show("poseidon2-8/goldilocks", &Poseidon2Air::new(Poseidon2::goldilocks_8()));
        show("poseidon2-12/goldilocks", &Poseidon2Air::new(Poseidon2::goldilocks_12()));
    }

    #[test]
    fn shared_subexpressions_are_one_node() {
        let rec = Recorder::<BabyBear>::new(2);
        let x = rec.current[0].clone() * rec.current[1].clone();
        let y = rec.current[1].clone() * rec.current[0].clone();
        assert_eq!(rec.node_of(&x), rec.node_of(&y));
        let z = (x.clone() + BabyBear::ONE.into()) + BabyBear::TWO.into();
        let w = x - (-BabyBear::new(3)).into();
        assert_eq!(rec.node_of(&z), rec.node_of(&w));
        let other = Recorder::<BabyBear>::new(1);
        let _ = rec.current[0].clone() + other.current[0].clone();
        assert!(lock(&rec.arena).mixed);
    }
}
