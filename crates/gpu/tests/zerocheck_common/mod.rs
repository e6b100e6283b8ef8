//! Shared tests of the device AIR zerocheck round (`zkprove_gpu::zerocheck_round`, what
//! `AirOps::zerocheck_round` of `GpuBackend` runs) against `<CpuBackend as AirOps>`: the example
//! AIRs (Fibonacci, the LogUp range check, Poseidon2) over BabyBear/BabyBear⁴ and
//! Goldilocks/Goldilocks² (Fibonacci and the range check also over M31/QM31), random tables of 2^1..2^8 rows, base-field and extension rounds, with
//! and without next-row tables, with and without LogUp interactions (the AIR's own, extra ones with
//! a constant bus id and a linear multiplicity), round degrees from 2 up; and every table of the
//! zkVM with its bus interactions; exact equality.
//! Instantiated by `zerocheck_opencl.rs` and `zerocheck_cuda.rs`.

use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_air::{
    Air, AirOps, AirShape, ConstraintBuilder, Interaction, LinearExpr, RowTables,
    ZerocheckChallenges, ZerocheckRound, ZerocheckSums,
};
use zkprove_field::Field;
use zkprove_gpu::{GpuBackend, GpuBuffer, GpuExtension, GpuField, Runtime, ext_upload};
use zkprove_poly::{CpuBackend, DeviceError};

/// Extra interactions over the first two columns: a bus-style tuple (constant id, a column, a
/// linear expression) with a linear multiplicity, and a one-column lookup.
pub fn extra_lookups<F: Field>() -> Vec<Interaction<F>> {
    vec![
        Interaction {
            tuple: vec![
                LinearExpr::constant(F::from_u64(3)),
                LinearExpr::col(0),
                LinearExpr::new(vec![(1, F::from_u64(5))], F::from_u64(4)),
            ],
            multiplicity: LinearExpr::new(vec![(0, F::ONE), (1, -F::ONE)], F::ONE),
            negate: false,
        },
        Interaction {
            tuple: vec![LinearExpr::col(1)],
            multiplicity: LinearExpr::constant(F::ONE),
            negate: true,
        },
    ]
}

struct Case<'a, F: Field, E> {
    lookups: &'a [Interaction<F>],
    uses_next: bool,
    degree: usize,
    ch: &'a ZerocheckChallenges<E>,
}

fn random_col<T: Field>(rng: &mut StdRng, n: usize) -> Vec<T> {
    (0..n).map(|_| T::random(rng)).collect()
}

/// One base round and one extension round of `len` rows: device == CPU.
fn round_matches<R: Runtime, F: GpuField, E: GpuExtension<F>, A: Air<F>>(
    dev: &Arc<R>,
    air: &A,
    shape: &AirShape,
    case: &Case<'_, F, E>,
    len: usize,
    rng: &mut StdRng,
) where
    CpuBackend: AirOps<F, E>,
{
    let m = shape.n_columns;
    let n_rows = if case.uses_next { 2 * m + 2 } else { m + 2 };
    let vt: Vec<Vec<F>> = (0..n_rows).map(|_| random_col(rng, len)).collect();
    let vt_e: Vec<Vec<E>> = (0..n_rows).map(|_| random_col(rng, len)).collect();
    let et: Vec<Vec<E>> = (0..case.lookups.len()).map(|_| random_col(rng, len)).collect();
    let eq: Vec<E> = random_col(rng, len / 2);
    let up_f: Vec<GpuBuffer<R, F>> =
        vt.iter().map(|c| GpuBuffer::upload(dev, c).expect("upload")).collect();
    let up_e: Vec<GpuBuffer<R, E>> =
        vt_e.iter().map(|c| ext_upload::<R, F, E>(dev, c).expect("upload")).collect();
    let up_et: Vec<GpuBuffer<R, E>> =
        et.iter().map(|c| ext_upload::<R, F, E>(dev, c).expect("upload")).collect();
    let up_eq = ext_upload::<R, F, E>(dev, &eq).expect("upload");
    for base in [true, false] {
        let cpu_round = ZerocheckRound::<'_, CpuBackend, F, E> {
            rows: if base { RowTables::Base(&vt) } else { RowTables::Ext(&vt_e) },
            ext: &et,
            eq: &eq,
            len,
            n_columns: m,
            uses_next: case.uses_next,
            degree: case.degree,
        };
        let want: ZerocheckSums<E> = <CpuBackend as AirOps<F, E>>::zerocheck_round(
            air,
            shape,
            case.lookups,
            case.ch,
            cpu_round,
        )
        .expect("CPU round");
        let dev_round = ZerocheckRound::<'_, GpuBackend<R>, F, E> {
            rows: if base { RowTables::Base(&up_f) } else { RowTables::Ext(&up_e) },
            ext: &up_et,
            eq: &up_eq,
            len,
            n_columns: m,
            uses_next: case.uses_next,
            degree: case.degree,
        };
        let got = zkprove_gpu::zerocheck_round::<R, F, E, A>(
            air,
            shape,
            case.lookups,
            case.ch,
            dev_round,
        )
        .expect("device round");
        assert_eq!(
            got,
            want,
            "{}: len {len}, base {base}, next {}, {} lookups, degree {}",
            air.name(),
            case.uses_next,
            case.lookups.len(),
            case.degree
        );
    }
}

/// Every case of one AIR at `log_lens`.
pub fn air_matches_cpu<R: Runtime, F: GpuField, E: GpuExtension<F>, A: Air<F>>(
    dev: &Arc<R>,
    air: &A,
    log_lens: &[usize],
    seed: u64,
) where
    CpuBackend: AirOps<F, E>,
{
    let mut rng = StdRng::seed_from_u64(seed);
    let shape = AirShape::of(air);
    let own: Vec<Interaction<F>> = shape.logup.iter().map(Interaction::from_term).collect();
    let mut with_extra = own.clone();
    with_extra.extend(extra_lookups::<F>());
    let lookup_sets: Vec<&[Interaction<F>]> =
        if own.is_empty() { vec![&[], &with_extra] } else { vec![&own, &with_extra, &[]] };
    for lookups in lookup_sets {
        let width = lookups.iter().map(|t| t.tuple.len()).max().unwrap_or(0);
        let n_alpha = shape.n_constraints + lookups.len();
        let ch = ZerocheckChallenges {
            beta: E::random(&mut rng),
            gamma_pows: core::iter::once(E::ONE)
                .chain((1..width).map(|_| E::random(&mut rng)))
                .collect(),
            alpha_pows: E::random(&mut rng).powers(n_alpha),
            lambda: E::random(&mut rng),
        };
        let degree = {
            let logup = if lookups.is_empty() { 0 } else { 3 };
            (shape.max_degree + 1).max(logup).max(2)
        };
        // With next-row tables (read by an AIR that uses them, present but unread otherwise) and
        // without (then `next(j)` reads column `j`, as on the CPU).
        for uses_next in [true, false] {
            // The prover's degree, and degree 2 (one point: L(2) by extrapolation) and one above.
            for d in [degree, 2, degree + 1] {
                let case = Case { lookups, uses_next, degree: d, ch: &ch };
                for &log_len in log_lens {
                    round_matches::<R, F, E, A>(dev, air, &shape, &case, 1 << log_len, &mut rng);
                }
            }
        }
    }
}

/// Every table of the zkVM (over the test programs, each table kind once) with its bus
/// interactions in the prover's normal form (the bus id as the tuple's constant first
/// coordinate): the largest AIRs in the repository, with programs that reload columns to fit the
/// device's register file (the CPU table: 136 columns, 51 interactions, 50 registers).
pub fn vm_tables_match_cpu<R: Runtime>(dev: &Arc<R>, log_lens: &[usize]) {
    use zkprove_air::{Direction, TableAir};
    use zkprove_field::babybear::{BabyBear, BabyBearExt4};
    let mut rng = StdRng::seed_from_u64(11);
    let mut seen = std::collections::BTreeSet::new();
    for name in ["sum", "sieve", "sha256", "mem", "io"] {
        let path = format!("{}/../vm/programs/{name}.elf", env!("CARGO_MANIFEST_DIR"));
        let elf = std::fs::read(&path).expect("elf");
        let program = zkprove_vm::Program::from_elf(&elf).expect("program");
        for table in zkprove_vm::prove::tables(&program) {
            if !seen.insert(table.name()) {
                continue;
            }
            let shape = AirShape::of(&table);
            let lookups: Vec<Interaction<BabyBear>> = table
                .interactions()
                .into_iter()
                .map(|i| {
                    let mut tuple =
                        vec![LinearExpr::constant(BabyBear::from_u64(1 + i.bus.len() as u64))];
                    tuple.extend(i.tuple);
                    Interaction {
                        tuple,
                        multiplicity: i.multiplicity,
                        negate: i.direction == Direction::Receive,
                    }
                })
                .collect();
            let width = lookups.iter().map(|t| t.tuple.len()).max().unwrap_or(0);
            let ch = ZerocheckChallenges {
                beta: BabyBearExt4::random(&mut rng),
                gamma_pows: core::iter::once(BabyBearExt4::ONE)
                    .chain((1..width).map(|_| BabyBearExt4::random(&mut rng)))
                    .collect(),
                alpha_pows: BabyBearExt4::random(&mut rng)
                    .powers(shape.n_constraints + lookups.len()),
                lambda: BabyBearExt4::ONE,
            };
            let degree = shape.round_degree().max(if lookups.is_empty() { 0 } else { 3 });
            let case = Case { lookups: &lookups, uses_next: shape.uses_next, degree, ch: &ch };
            for &log_len in log_lens {
                round_matches::<R, BabyBear, BabyBearExt4, _>(
                    dev,
                    &table,
                    &shape,
                    &case,
                    1 << log_len,
                    &mut rng,
                );
            }
        }
    }
    assert!(seen.len() >= 8, "{seen:?}");
}

/// An AIR whose program keeps many values live: `c_i = x_i·x_{i+1}` asserted one by one, then
/// their product (every `c_i` live until the end).
pub struct WideAir(pub usize);

impl<F: Field> Air<F> for WideAir {
    fn name(&self) -> String {
        format!("wide-{}", self.0)
    }
    fn n_columns(&self) -> usize {
        self.0 + 1
    }
    fn eval<B: ConstraintBuilder<F>>(&self, b: &mut B) {
        let cur = b.current().to_vec();
        let c: Vec<B::Expr> = (0..self.0).map(|i| cur[i].clone() * cur[i + 1].clone()).collect();
        for x in &c {
            b.assert_zero(x.clone());
        }
        let mut p = c[self.0 - 1].clone();
        for x in c[..self.0 - 1].iter().rev() {
            p = p * x.clone();
        }
        b.assert_zero(p);
    }
}

pub fn errors<R: Runtime, F: GpuField, E: GpuExtension<F>>(dev: &Arc<R>)
where
    CpuBackend: AirOps<F, E>,
{
    let mut rng = StdRng::seed_from_u64(9);
    let ch = ZerocheckChallenges {
        beta: E::random(&mut rng),
        gamma_pows: vec![E::ONE],
        alpha_pows: E::random(&mut rng).powers(200),
        lambda: E::ONE,
    };
    let len = 8;
    let run =
        |air: &WideAir, n_tables: usize, eq_len: usize| -> Result<ZerocheckSums<E>, DeviceError> {
            let mut rng = StdRng::seed_from_u64(10);
            let shape = AirShape::of::<F, _>(air);
            let vt: Vec<GpuBuffer<R, F>> = (0..n_tables)
                .map(|_| GpuBuffer::upload(dev, &random_col::<F>(&mut rng, len)).expect("upload"))
                .collect();
            let eq =
                ext_upload::<R, F, E>(dev, &random_col::<E>(&mut rng, eq_len)).expect("upload");
            let round = ZerocheckRound::<'_, GpuBackend<R>, F, E> {
                rows: RowTables::Base(&vt),
                ext: &[],
                eq: &eq,
                len,
                n_columns: shape.n_columns,
                uses_next: false,
                degree: 3,
            };
            zkprove_gpu::zerocheck_round::<R, F, E, WideAir>(air, &shape, &[], &ch, round)
        };
    // A small wide AIR runs; one of more registers than the device holds is refused.
    let small = WideAir(8);
    assert!(run(&small, 8 + 1 + 2, len / 2).is_ok());
    let wide = WideAir(zkprove_gpu::ZC_MAX_REGS + 10);
    match run(&wide, wide.0 + 1 + 2, len / 2) {
        Err(DeviceError::Unsupported { what, .. }) => assert!(what.contains("registers"), "{what}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Too few row tables, a wrong eq length.
    assert!(matches!(run(&small, 5, len / 2), Err(DeviceError::Unsupported { .. })));
    assert!(matches!(run(&small, 11, len), Err(DeviceError::Unsupported { .. })));
}

/// The zerocheck tests for one runtime, given its `device()` getter (`Option<Arc<R>>`).
#[macro_export]
macro_rules! zerocheck_tests {
    ($device:path) => {
        #[test]
        fn zerocheck_fibonacci_matches_cpu() {
            use zkprove_air::examples::FibonacciAir;
            use zkprove_field::Field;
            use zkprove_field::babybear::{BabyBear, BabyBearExt4};
            use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
            let Some(dev) = $device() else { return };
            let lens: Vec<usize> = (1..=8).collect();
            let air =
                FibonacciAir { a0: BabyBear::ONE, b0: BabyBear::TWO, result: BabyBear::new(7) };
            $crate::zerocheck_common::air_matches_cpu::<_, BabyBear, BabyBearExt4, _>(
                &dev, &air, &lens, 1,
            );
            let air = FibonacciAir {
                a0: Goldilocks::ONE,
                b0: Goldilocks::TWO,
                result: Goldilocks::new(7),
            };
            $crate::zerocheck_common::air_matches_cpu::<_, Goldilocks, GoldilocksExt2, _>(
                &dev, &air, &lens, 2,
            );
            // The third pair's program too.
            use zkprove_field::m31::{M31, QM31};
            let air = FibonacciAir { a0: M31::ONE, b0: M31::TWO, result: M31::new(7) };
            $crate::zerocheck_common::air_matches_cpu::<_, M31, QM31, _>(&dev, &air, &lens, 7);
        }

        #[test]
        fn zerocheck_range_check_matches_cpu() {
            use zkprove_air::examples::RangeCheckAir;
            use zkprove_field::babybear::{BabyBear, BabyBearExt4};
            use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
            let Some(dev) = $device() else { return };
            let lens: Vec<usize> = (1..=8).collect();
            let air = RangeCheckAir { bits: 4 };
            $crate::zerocheck_common::air_matches_cpu::<_, BabyBear, BabyBearExt4, _>(
                &dev, &air, &lens, 3,
            );
            $crate::zerocheck_common::air_matches_cpu::<_, Goldilocks, GoldilocksExt2, _>(
                &dev, &air, &lens, 4,
            );
            use zkprove_field::m31::{M31, QM31};
            $crate::zerocheck_common::air_matches_cpu::<_, M31, QM31, _>(&dev, &air, &lens, 8);
        }

        #[test]
        fn zerocheck_poseidon2_matches_cpu() {
            use zkprove_air::examples::Poseidon2Air;
            use zkprove_field::babybear::{BabyBear, BabyBearExt4};
            use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
            use zkprove_hash::Poseidon2;
            let Some(dev) = $device() else { return };
            let lens = [1, 2, 5, 8];
            let air = Poseidon2Air::new(Poseidon2::<BabyBear, 16>::babybear_16());
            $crate::zerocheck_common::air_matches_cpu::<_, BabyBear, BabyBearExt4, _>(
                &dev, &air, &lens, 5,
            );
            let air = Poseidon2Air::new(Poseidon2::<Goldilocks, 8>::goldilocks_8());
            $crate::zerocheck_common::air_matches_cpu::<_, Goldilocks, GoldilocksExt2, _>(
                &dev, &air, &lens, 6,
            );
        }

        #[test]
        fn zerocheck_vm_tables_match_cpu() {
            let Some(dev) = $device() else { return };
            $crate::zerocheck_common::vm_tables_match_cpu(&dev, &[1, 4, 7]);
        }

        #[test]
        fn zerocheck_errors() {
            use zkprove_field::babybear::{BabyBear, BabyBearExt4};
            use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
            let Some(dev) = $device() else { return };
            $crate::zerocheck_common::errors::<_, BabyBear, BabyBearExt4>(&dev);
            $crate::zerocheck_common::errors::<_, Goldilocks, GoldilocksExt2>(&dev);
        }
    };
}
