//! Fibonacci: two columns `(a, b)`, `(a, b) → (b, a + b)` from row to row.

use zkprove_field::Field;

use crate::{Air, AirError, ConstraintBuilder, Trace};

/// The Fibonacci AIR: columns `a`, `b`; first row `(a0, b0)`; transitions `a' = b`,
/// `b' = a + b`; last row `b = result`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FibonacciAir<F> {
    /// `a` on the first row.
    pub a0: F,
    /// `b` on the first row.
    pub b0: F,
    /// `b` on the last row (the public output).
    pub result: F,
}

impl<F: Field> Air<F> for FibonacciAir<F> {
    fn name(&self) -> String {
        "fibonacci-v1".into()
    }

    fn n_columns(&self) -> usize {
        2
    }

    fn public_values(&self) -> Vec<F> {
        vec![self.a0, self.b0, self.result]
    }

    fn eval<B: ConstraintBuilder<F>>(&self, b: &mut B) {
        let (cur, next) = (b.current().to_vec(), b.next().to_vec());
        b.assert_zero_first_row(cur[0].clone() - self.a0.into());
        b.assert_zero_first_row(cur[1].clone() - self.b0.into());
        b.assert_zero_transition(next[0].clone() - cur[1].clone());
        b.assert_zero_transition(next[1].clone() - cur[0].clone() - cur[1].clone());
        b.assert_zero_last_row(cur[1].clone() - self.result.into());
    }
}

impl<F: Field> FibonacciAir<F> {
    /// The trace of `2^log_rows` rows from `(a0, b0)`, and the AIR with its result.
    ///
    /// # Errors
    /// [`AirError::TraceShape`] for `log_rows = 0`.
    pub fn generate(log_rows: usize, a0: F, b0: F) -> Result<(Self, Trace<F>), AirError> {
        let rows = 1usize << log_rows;
        let (mut a, mut b) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
        let (mut x, mut y) = (a0, b0);
        for _ in 0..rows {
            a.push(x);
            b.push(y);
            (x, y) = (y, x + y);
        }
        let result = b.last().copied().unwrap_or(b0);
        Ok((Self { a0, b0, result }, Trace::new(vec![a, b])?))
    }
}
