//! A range check by LogUp: every value lies in `[0, 2^bits)`.

use zkprove_field::{Field, PrimeField64};

use crate::{Air, AirError, ConstraintBuilder, LogUpTerm, Trace};

/// Columns `value`, `table`, `multiplicity`. The table column starts at 0, grows by 0 or 1 per
/// row and ends at `2^bits − 1`, so it holds every value of the range (and nothing else); the
/// LogUp terms `−1/(β − value) + multiplicity/(β − table)` cancel over the trace exactly when
/// every value is in the table. Needs `2^bits ≤` rows.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RangeCheckAir {
    /// The range is `[0, 2^bits)`.
    pub bits: usize,
}

impl<F: Field> Air<F> for RangeCheckAir {
    fn name(&self) -> String {
        "range-check-v1".into()
    }

    fn n_columns(&self) -> usize {
        3
    }

    fn public_values(&self) -> Vec<F> {
        vec![F::from_u64(self.bits as u64)]
    }

    fn eval<B: ConstraintBuilder<F>>(&self, b: &mut B) {
        let (cur, next) = (b.current().to_vec(), b.next().to_vec());
        let t = cur[1].clone();
        let step = next[1].clone() - t.clone();
        b.assert_zero_first_row(t.clone());
        b.assert_zero_transition(step.clone() * (step - F::ONE.into()));
        b.assert_zero_last_row(t - F::from_u64((1u64 << self.bits) - 1).into());
    }

    fn logup_terms(&self) -> Vec<LogUpTerm> {
        vec![LogUpTerm::lookup(vec![0]), LogUpTerm::table(vec![1], 2)]
    }
}

impl RangeCheckAir {
    /// The trace for `values` (padded with zeros to `2^log_rows` rows).
    ///
    /// # Errors
    /// [`AirError::TraceShape`] when `2^bits` exceeds the rows, there are more values than rows,
    /// or a value is out of range.
    pub fn generate<F: PrimeField64>(
        &self,
        log_rows: usize,
        values: &[u64],
    ) -> Result<Trace<F>, AirError> {
        let rows = 1usize << log_rows;
        let size = 1usize << self.bits;
        if size > rows || values.len() > rows {
            return Err(AirError::TraceShape {
                reason: format!("{} values, range 2^{} in {rows} rows", values.len(), self.bits),
            });
        }
        let mut counts = vec![0u64; size];
        let mut value = vec![F::ZERO; rows];
        for (i, &v) in values.iter().enumerate() {
            let slot = counts.get_mut(v as usize).ok_or_else(|| AirError::TraceShape {
                reason: format!("value {v} is not below 2^{}", self.bits),
            })?;
            *slot += 1;
            value[i] = F::from_u64(v);
        }
        counts[0] += (rows - values.len()) as u64;
        let table: Vec<F> = (0..rows).map(|i| F::from_u64(i.min(size - 1) as u64)).collect();
        let mult: Vec<F> =
            (0..rows).map(|i| if i < size { F::from_u64(counts[i]) } else { F::ZERO }).collect();
        Trace::new(vec![value, table, mult])
    }
}
