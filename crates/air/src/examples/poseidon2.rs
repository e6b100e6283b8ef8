//! Poseidon2 as an AIR: one permutation per row, every S-box with a cube register so that all
//! constraints have degree 3 (the layout of Plonky3's `p3-poseidon2-air` with one S-box
//! register, written here from the permutation's definition).
//!
//! Row layout (`W` = width): the input (`W`); per full round, the cubes `(s_i + c_i)^3` (`W`) then
//! the state after the S-boxes and `M_E` (`W`); per partial round, the cube of cell 0 and cell 0
//! after its S-box (2). The state between rounds is otherwise a linear expression of the
//! columns, so the linear layers cost no columns. The last full round's state is the output.

use rayon::prelude::*;
use zkprove_field::Field;
use zkprove_hash::Poseidon2;

use crate::{Air, AirError, AirExpr, ConstraintBuilder, Trace};

/// The Poseidon2 permutation of width `W` as an AIR (S-box degree 3, 5 or 7).
#[derive(Clone, Debug)]
pub struct Poseidon2Air<F: Field, const W: usize> {
    perm: Poseidon2<F, W>,
}

/// `circ(2, 3, 1, 1)` on four cells (the same chain of additions as `zkprove-hash`).
fn mat4<F, X: AirExpr<F>>(x: &mut [X]) {
    let t01 = x[0].clone() + x[1].clone();
    let t23 = x[2].clone() + x[3].clone();
    let t0123 = t01.clone() + t23.clone();
    let t01123 = t0123.clone() + x[1].clone();
    let t01233 = t0123 + x[3].clone();
    x[3] = t01233.clone() + x[0].clone() + x[0].clone();
    x[1] = t01123.clone() + x[2].clone() + x[2].clone();
    x[0] = t01123 + t01;
    x[2] = t01233 + t23;
}

/// The external layer `M_E`.
fn external<F, X: AirExpr<F>>(state: &mut [X]) {
    for chunk in state.chunks_exact_mut(4) {
        mat4::<F, X>(chunk);
    }
    let mut sums: Vec<X> = state[..4].to_vec();
    for j in (4..state.len()).step_by(4) {
        for k in 0..4 {
            sums[k] = sums[k].clone() + state[j + k].clone();
        }
    }
    for (i, s) in state.iter_mut().enumerate() {
        *s = s.clone() + sums[i % 4].clone();
    }
}

/// The internal layer `M_I = J + diag(V)`: `s_i ← V_i·s_i + Σ_j s_j`.
fn internal<F: Field, X: AirExpr<F>>(state: &mut [X], diag: &[F]) {
    let mut sum = state[0].clone();
    for s in &state[1..] {
        sum = sum + s.clone();
    }
    for (s, &v) in state.iter_mut().zip(diag) {
        *s = s.clone() * X::from(v) + sum.clone();
    }
}

/// `x^d` from the register `x^3`.
fn sbox<F, X: AirExpr<F>>(cube: X, x: X, degree: u64) -> X {
    match degree {
        3 => cube,
        5 => cube * x.clone() * x,
        _ => cube.clone() * cube * x,
    }
}

impl<F: Field, const W: usize> Poseidon2Air<F, W> {
    /// The AIR of `perm`.
    pub fn new(perm: Poseidon2<F, W>) -> Self {
        Self { perm }
    }

    fn n_full(&self) -> usize {
        self.perm.external_initial_constants().len() + self.perm.external_terminal_constants().len()
    }

    /// The columns holding the permutation's output.
    pub fn output_columns(&self) -> core::ops::Range<usize> {
        let end = <Self as Air<F>>::n_columns(self);
        end - W..end
    }

    /// The trace of the permutations of `inputs` (one per row; `2^log_rows` rows, the rows
    /// beyond the inputs permute zero).
    ///
    /// # Errors
    /// [`AirError::TraceShape`] for more inputs than rows or `log_rows = 0`.
    pub fn generate(&self, log_rows: usize, inputs: &[[F; W]]) -> Result<Trace<F>, AirError> {
        let rows = 1usize << log_rows;
        if inputs.len() > rows {
            return Err(AirError::TraceShape {
                reason: format!("{} inputs for {rows} rows", inputs.len()),
            });
        }
        let m = <Self as Air<F>>::n_columns(self);
        let row_values: Vec<Vec<F>> = (0..rows)
            .into_par_iter()
            .map(|i| self.row(inputs.get(i).copied().unwrap_or([F::ZERO; W]), m))
            .collect();
        let columns = (0..m).map(|c| row_values.iter().map(|r| r[c]).collect()).collect();
        Trace::new(columns)
    }

    fn row(&self, input: [F; W], m: usize) -> Vec<F> {
        let d = self.perm.sbox_degree();
        let mut row = Vec::with_capacity(m);
        row.extend_from_slice(&input);
        let mut state = input.to_vec();
        external::<F, F>(&mut state);
        let full = |state: &mut Vec<F>, row: &mut Vec<F>, rc: &[F; W]| {
            let mut y = Vec::with_capacity(W);
            for i in 0..W {
                let x = state[i] + rc[i];
                let cube = x * x * x;
                row.push(cube);
                y.push(sbox::<F, F>(cube, x, d));
            }
            external::<F, F>(&mut y);
            row.extend_from_slice(&y);
            *state = y;
        };
        for rc in self.perm.external_initial_constants() {
            full(&mut state, &mut row, rc);
        }
        for &rc in self.perm.internal_constants() {
            let x = state[0] + rc;
            let cube = x * x * x;
            state[0] = sbox::<F, F>(cube, x, d);
            row.push(cube);
            row.push(state[0]);
            internal(&mut state, self.perm.internal_diag());
        }
        for rc in self.perm.external_terminal_constants() {
            full(&mut state, &mut row, rc);
        }
        row
    }
}

impl<F: Field, const W: usize> Air<F> for Poseidon2Air<F, W> {
    fn name(&self) -> String {
        format!(
            "poseidon2-v1-w{W}-d{}-f{}-p{}",
            self.perm.sbox_degree(),
            self.n_full(),
            self.perm.n_partial_rounds()
        )
    }

    fn n_columns(&self) -> usize {
        W + self.n_full() * 2 * W + self.perm.internal_constants().len() * 2
    }

    fn eval<B: ConstraintBuilder<F>>(&self, b: &mut B) {
        let d = self.perm.sbox_degree();
        let cur = b.current().to_vec();
        let mut state: Vec<B::Expr> = cur[..W].to_vec();
        external::<F, B::Expr>(&mut state);
        let mut col = W;
        let full = |b: &mut B, state: &mut Vec<B::Expr>, col: &mut usize, rc: &[F; W]| {
            let mut y = Vec::with_capacity(W);
            for i in 0..W {
                let x = state[i].clone() + rc[i].into();
                let cube = cur[*col + i].clone();
                b.assert_zero(cube.clone() - x.clone() * x.clone() * x.clone());
                y.push(sbox::<F, B::Expr>(cube, x, d));
            }
            external::<F, B::Expr>(&mut y);
            for i in 0..W {
                let post = cur[*col + W + i].clone();
                b.assert_zero(post.clone() - y[i].clone());
                state[i] = post;
            }
            *col += 2 * W;
        };
        for rc in self.perm.external_initial_constants() {
            full(b, &mut state, &mut col, rc);
        }
        for &rc in self.perm.internal_constants() {
            let x = state[0].clone() + rc.into();
            let (cube, out) = (cur[col].clone(), cur[col + 1].clone());
            b.assert_zero(cube.clone() - x.clone() * x.clone() * x.clone());
            b.assert_zero(out.clone() - sbox::<F, B::Expr>(cube, x, d));
            state[0] = out;
            internal(&mut state, self.perm.internal_diag());
            col += 2;
        }
        for rc in self.perm.external_terminal_constants() {
            full(b, &mut state, &mut col, rc);
        }
    }
}
