//! Shared tests of `zkprove-air`'s `AirOps` on the GPU backend: every operation on random inputs
//! (BabyBear/BabyBear⁴, Goldilocks/Goldilocks², M31/QM31 where cheap; sizes around the
//! work-group and reduction boundaries, 0/1/odd lengths where legal) against the CPU backend,
//! bit for bit, and the errors the CPU's shapes would panic or fail on; then whole proofs of the
//! example AIRs (Fibonacci, range check by LogUp, Poseidon2) and a multi-table proof on the
//! device, byte-identical to the CPU's and verified. Instantiated by `air_opencl.rs` and
//! `air_cuda.rs`.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_air::examples::{FibonacciAir, Poseidon2Air, RangeCheckAir};
use zkprove_air::{
    Air, AirError, AirOps, AirParams, AirProfile, AirProver, BusInteraction, ConstraintBuilder,
    LinearExpr, PublicTuple, TableAir, Trace,
};
use zkprove_field::Field;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_gpu::{DeviceElem, GpuBackend, GpuBuffer, GpuExtension, GpuField, Runtime};
use zkprove_hash::{Poseidon2, Poseidon2Merkle, Transcript};
use zkprove_poly::{ColumnOps, CpuBackend, DeviceError};

type Gpu<R> = GpuBackend<R>;

/// Sizes around the work-group (128) and 0/1/odd.
const SIZES: [usize; 9] = [0, 1, 2, 5, 127, 128, 129, 300, 1024];

fn rand_vec<T: Field>(rng: &mut StdRng, n: usize) -> Vec<T> {
    (0..n).map(|_| T::random(rng)).collect()
}

fn up<R: Runtime, T: DeviceElem>(v: &[T]) -> GpuBuffer<R, T> {
    <Gpu<R> as ColumnOps<T>>::upload(v).expect("upload")
}

fn down<R: Runtime, T: DeviceElem>(c: &GpuBuffer<R, T>) -> Vec<T> {
    <Gpu<R> as ColumnOps<T>>::download(c).expect("download")
}

fn is_unsupported<T: core::fmt::Debug>(r: Result<T, DeviceError>) -> bool {
    matches!(r, Err(DeviceError::Unsupported { .. }))
}

/// stack, next_rows, row_selector, linear_column, coordinates: the column-shaping operations.
pub fn shaping_ops_match_cpu<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    _dev: &Arc<R>,
    seed: u64,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    for n in SIZES {
        // stack: 0..=3 columns into 2^log_cols (log_cols ≥ the columns' need).
        for (k, log_cols) in [(0, 0), (1, 0), (1, 2), (3, 2), (4, 2)] {
            let cols: Vec<Vec<F>> = (0..k).map(|_| rand_vec(&mut rng, n)).collect();
            let host: Vec<&Vec<F>> = cols.iter().collect();
            let dev: Vec<_> = cols.iter().map(|c| up::<R, F>(c)).collect();
            let dref: Vec<_> = dev.iter().collect();
            let want = <CpuBackend as AirOps<F, E>>::stack(&host, log_cols).expect("cpu stack");
            let got = <Gpu<R> as AirOps<F, E>>::stack(&dref, log_cols).expect("gpu stack");
            assert_eq!(down::<R, F>(&got), want, "stack n = {n}, k = {k}, log_cols = {log_cols}");
        }
        // next_rows.
        let col: Vec<F> = rand_vec(&mut rng, n);
        let want = <CpuBackend as AirOps<F, E>>::next_rows(&col).expect("cpu");
        let got = <Gpu<R> as AirOps<F, E>>::next_rows(&up::<R, F>(&col)).expect("gpu next_rows");
        assert_eq!(down::<R, F>(&got), want, "next_rows n = {n}");
        // row_selector.
        for row in [0, n / 2, n.saturating_sub(1)] {
            if row < n {
                let want = <CpuBackend as AirOps<F, E>>::row_selector(n, row).expect("cpu");
                let got = <Gpu<R> as AirOps<F, E>>::row_selector(n, row).expect("gpu");
                assert_eq!(down::<R, F>(&got), want, "row_selector({n}, {row})");
            }
        }
        assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::row_selector(n, n)));
        // linear_column: a constant, one column, a repeated column; rows ≤ the columns' length.
        let cols: Vec<Vec<F>> = (0..3).map(|_| rand_vec(&mut rng, n)).collect();
        let dev: Vec<_> = cols.iter().map(|c| up::<R, F>(c)).collect();
        let exprs = [
            LinearExpr { terms: vec![], constant: F::random(&mut rng) },
            LinearExpr::col(1),
            LinearExpr {
                terms: vec![(2, F::random(&mut rng)), (0, -F::ONE), (2, F::random(&mut rng))],
                constant: F::random(&mut rng),
            },
        ];
        for expr in &exprs {
            for rows in [n, n / 2] {
                let want =
                    <CpuBackend as AirOps<F, E>>::linear_column(&cols, expr, rows).expect("cpu");
                let got =
                    <Gpu<R> as AirOps<F, E>>::linear_column(&dev, expr, rows).expect("gpu linear");
                assert_eq!(down::<R, F>(&got), want, "linear_column n = {n}, rows = {rows}");
            }
        }
        assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::linear_column(
            &dev,
            &LinearExpr::col(3),
            n
        )));
        assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::linear_column(
            &dev,
            &LinearExpr::col(0),
            n + 1
        )));
        // coordinates.
        let ext: Vec<E> = rand_vec(&mut rng, n);
        let want = <CpuBackend as AirOps<F, E>>::coordinates(&ext).expect("cpu");
        let got = <Gpu<R> as AirOps<F, E>>::coordinates(&up::<R, E>(&ext)).expect("gpu coords");
        let got: Vec<Vec<F>> = got.iter().map(|c| down::<R, F>(c)).collect();
        assert_eq!(got, want, "coordinates n = {n}");
    }
    // Stack errors: too many columns, columns of different lengths.
    let a = up::<R, F>(&rand_vec::<F>(&mut rng, 8));
    let b = up::<R, F>(&rand_vec::<F>(&mut rng, 7));
    assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::stack(&[&a, &a, &a], 1)));
    assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::stack(&[&a, &b], 1)));
    assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::stack(&[&a], usize::MAX)));
    assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::row_selector(0, 0)));
}

/// eq_table, shift_kernel, outer_product, combine_stacked, scale: the opening's operations.
pub fn opening_ops_match_cpu<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    _dev: &Arc<R>,
    seed: u64,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    for vars in 0..=11 {
        let point: Vec<E> = rand_vec(&mut rng, vars);
        let want = <CpuBackend as AirOps<F, E>>::eq_table(&point).expect("cpu");
        let got = <Gpu<R> as AirOps<F, E>>::eq_table(&point).expect("gpu eq_table");
        assert_eq!(down::<R, E>(&got), want, "eq_table of {vars} variables");
    }
    for n in SIZES {
        let eq: Vec<E> = rand_vec(&mut rng, n);
        let d_eq = up::<R, E>(&eq);
        let mu = E::random(&mut rng);
        let want = <CpuBackend as AirOps<F, E>>::shift_kernel(&eq, mu).expect("cpu");
        let got = <Gpu<R> as AirOps<F, E>>::shift_kernel(&d_eq, mu).expect("gpu shift_kernel");
        assert_eq!(down::<R, E>(&got), want, "shift_kernel n = {n}");
        for k in [0, 1, 3, 4] {
            let s: Vec<E> = rand_vec(&mut rng, k);
            let want = <CpuBackend as AirOps<F, E>>::outer_product(&s, &eq).expect("cpu");
            let got = <Gpu<R> as AirOps<F, E>>::outer_product(&s, &d_eq).expect("gpu outer");
            assert_eq!(down::<R, E>(&got), want, "outer_product {k} × {n}");
        }
        let mut scaled = eq.clone();
        let mut d_scaled = up::<R, E>(&eq);
        <CpuBackend as AirOps<F, E>>::scale(&mut scaled, mu).expect("cpu");
        <Gpu<R> as AirOps<F, E>>::scale(&mut d_scaled, mu).expect("gpu scale");
        assert_eq!(down::<R, E>(&d_scaled), scaled, "scale n = {n}");
        // combine_stacked: 4 columns of n (plus a spare entry), 0..=4 weights, rows n or less.
        let stacked: Vec<F> = rand_vec(&mut rng, 4 * n + 1);
        let d_stacked = up::<R, F>(&stacked);
        for k in 0..=4 {
            let w: Vec<E> = rand_vec(&mut rng, k);
            for rows in [n, n / 2] {
                let want =
                    <CpuBackend as AirOps<F, E>>::combine_stacked(&stacked, &w, rows).expect("cpu");
                let got = <Gpu<R> as AirOps<F, E>>::combine_stacked(&d_stacked, &w, rows)
                    .expect("gpu combine");
                assert_eq!(down::<R, E>(&got), want, "combine_stacked {k} × {rows}");
            }
        }
        let w: Vec<E> = rand_vec(&mut rng, 5);
        assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::combine_stacked(&d_stacked, &w, n + 1)));
    }
}

/// logup_column, logup_sum, dot, product_round_base: the LogUp and the reductions.
pub fn reduction_ops_match_cpu<R: Runtime, F: GpuField, E: GpuExtension<F>>(
    _dev: &Arc<R>,
    seed: u64,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    // One size past 1024 groups of 128, so the grid-stride loops run more than once.
    for n in SIZES.into_iter().chain([(1 << 17) + 3]) {
        let a: Vec<E> = rand_vec(&mut rng, n);
        let b: Vec<F> = rand_vec(&mut rng, n);
        let want = <CpuBackend as AirOps<F, E>>::dot(&a, &b).expect("cpu");
        let got = <Gpu<R> as AirOps<F, E>>::dot(&up::<R, E>(&a), &up::<R, F>(&b)).expect("gpu dot");
        assert_eq!(got, want, "dot n = {n}");
        if n >= 2 {
            let p = &b[..n & !1];
            let w = &a[..n & !1];
            let want = <CpuBackend as AirOps<F, E>>::product_round_base(&p.to_vec(), &w.to_vec())
                .expect("cpu");
            let got = <Gpu<R> as AirOps<F, E>>::product_round_base(&up::<R, F>(p), &up::<R, E>(w))
                .expect("gpu product_round_base");
            assert_eq!(got, want, "product_round_base n = {}", n & !1);
        }
        if n > (1 << 16) {
            continue;
        }
        // logup_column, widths 1..=3 (and fewer powers than columns: the CPU zips them).
        for width in 1..=3 {
            let cols: Vec<Vec<F>> = (0..width).map(|_| rand_vec(&mut rng, n)).collect();
            let host: Vec<&Vec<F>> = cols.iter().collect();
            let dev: Vec<_> = cols.iter().map(|c| up::<R, F>(c)).collect();
            let dref: Vec<_> = dev.iter().collect();
            let beta = E::random(&mut rng);
            for n_pows in [width, width - 1] {
                let pows: Vec<E> = rand_vec(&mut rng, n_pows);
                let want =
                    <CpuBackend as AirOps<F, E>>::logup_column(&host, beta, &pows).expect("cpu");
                let got = <Gpu<R> as AirOps<F, E>>::logup_column(&dref, beta, &pows)
                    .expect("gpu logup_column");
                assert_eq!(down::<R, E>(&got), want, "logup_column n = {n}, width = {width}");
            }
        }
        // logup_sum: 0..=3 terms, with and without multiplicities, either sign.
        for n_terms in 0..=3 {
            let h: Vec<Vec<E>> = (0..n_terms).map(|_| rand_vec(&mut rng, n)).collect();
            let m: Vec<Vec<F>> = (0..n_terms).map(|_| rand_vec(&mut rng, n)).collect();
            let has_m: Vec<bool> = (0..n_terms).map(|_| rng.random()).collect();
            let negate: Vec<bool> = (0..n_terms).map(|_| rng.random()).collect();
            let host_m: Vec<Option<&Vec<F>>> =
                m.iter().zip(&has_m).map(|(c, &s)| s.then_some(c)).collect();
            let want = <CpuBackend as AirOps<F, E>>::logup_sum(&h, &host_m, &negate).expect("cpu");
            let dh: Vec<_> = h.iter().map(|c| up::<R, E>(c)).collect();
            let dm: Vec<_> = m.iter().map(|c| up::<R, F>(c)).collect();
            let dev_m: Vec<Option<&_>> =
                dm.iter().zip(&has_m).map(|(c, &s)| s.then_some(c)).collect();
            let got =
                <Gpu<R> as AirOps<F, E>>::logup_sum(&dh, &dev_m, &negate).expect("gpu logup_sum");
            assert_eq!(got, want, "logup_sum n = {n}, {n_terms} terms");
        }
    }
    // Errors: lengths, a zero denominator, multiplicities shorter than the rows.
    let a = up::<R, E>(&rand_vec::<E>(&mut rng, 10));
    let b = up::<R, F>(&rand_vec::<F>(&mut rng, 9));
    assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::dot(&a, &b)));
    assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::product_round_base(&b, &a)));
    let one = up::<R, F>(&[F::ONE]);
    let one_e = up::<R, E>(&[E::ONE]);
    assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::product_round_base(&one, &one_e)));
    let short = up::<R, F>(&rand_vec::<F>(&mut rng, 3));
    assert!(is_unsupported(<Gpu<R> as AirOps<F, E>>::logup_sum(
        std::slice::from_ref(&a),
        &[Some(&short)],
        &[false]
    )));
    let col: Vec<F> = rand_vec(&mut rng, 200);
    let d_col = up::<R, F>(&col);
    let beta = E::from(col[150]);
    assert_eq!(
        <Gpu<R> as AirOps<F, E>>::logup_column(&[&d_col], beta, &[E::ONE]).err(),
        Some(AirError::LogUpDenominatorZero)
    );
    let empty = <Gpu<R> as AirOps<F, E>>::logup_column(&[], E::ONE, &[]).expect("no columns");
    assert_eq!(empty.len(), 0);
}

// ---- Whole proofs ----

type BbHash = Poseidon2Merkle<BabyBear, 16, 8, 8>;
type BbProver = AirProver<BabyBear, BabyBearExt4, BbHash>;
type GlHash = Poseidon2Merkle<Goldilocks, 12, 8, 4>;
type GlProver = AirProver<Goldilocks, GoldilocksExt2, GlHash>;

fn bb_prover() -> BbProver {
    AirProver::new(AirParams::default(), BbHash::new(Poseidon2::babybear_16()).expect("width"))
}

fn bb_transcript() -> Transcript<BabyBear, 16, 8> {
    Transcript::with_label(Poseidon2::babybear_16(), b"air-gpu-test").expect("width")
}

fn gl_prover() -> GlProver {
    AirProver::new(AirParams::default(), GlHash::new(Poseidon2::goldilocks_12()).expect("width"))
}

fn gl_transcript() -> Transcript<Goldilocks, 12, 8> {
    Transcript::with_label(Poseidon2::goldilocks_12(), b"air-gpu-test").expect("width")
}

fn report(what: &str, backend: &str, p: &AirProfile) {
    println!(
        "{what:<34} {backend:<7} uploads {:>4} ({:>9} B)  downloads {:>4} ({:>9} B)",
        p.uploads, p.upload_bytes, p.downloads, p.download_bytes
    );
}

/// One AIR proved on the CPU and on `GpuBackend<R>` with the same transcript: the same proof, the
/// same transcript state afterwards, and the device's proof verifies.
fn same_proof_bb<R: Runtime, A: Air<BabyBear>>(what: &str, air: &A, trace: &Trace<BabyBear>) {
    let prover = bb_prover();
    let mut t_cpu = bb_transcript();
    let mut t_gpu = bb_transcript();
    let (cpu, p_cpu) =
        prover.prove_on::<CpuBackend, _, 16, 8>(air, trace, &mut t_cpu, true).expect("cpu proof");
    let (gpu, p_gpu) =
        prover.prove_on::<Gpu<R>, _, 16, 8>(air, trace, &mut t_gpu, true).expect("gpu proof");
    report(what, "cpu", &p_cpu);
    report(what, R::BACKEND, &p_gpu);
    assert!(gpu == cpu, "{what}: the device's proof differs from the CPU's");
    assert_eq!(t_gpu.sample_ext::<BabyBearExt4>(), t_cpu.sample_ext::<BabyBearExt4>());
    prover.verify(air, trace.log_rows(), &gpu, &mut bb_transcript()).expect("verify");
}

fn same_proof_gl<R: Runtime, A: Air<Goldilocks>>(what: &str, air: &A, trace: &Trace<Goldilocks>) {
    let prover = gl_prover();
    let mut t_cpu = gl_transcript();
    let mut t_gpu = gl_transcript();
    let (cpu, p_cpu) =
        prover.prove_on::<CpuBackend, _, 12, 8>(air, trace, &mut t_cpu, true).expect("cpu proof");
    let (gpu, p_gpu) =
        prover.prove_on::<Gpu<R>, _, 12, 8>(air, trace, &mut t_gpu, true).expect("gpu proof");
    report(what, "cpu", &p_cpu);
    report(what, R::BACKEND, &p_gpu);
    assert!(gpu == cpu, "{what}: the device's proof differs from the CPU's");
    assert_eq!(t_gpu.sample_ext::<GoldilocksExt2>(), t_cpu.sample_ext::<GoldilocksExt2>());
    prover.verify(air, trace.log_rows(), &gpu, &mut gl_transcript()).expect("verify");
}

pub fn example_proofs_match_cpu<R: Runtime>(_dev: &Arc<R>) {
    for log_rows in [6, 10] {
        let (air, trace) =
            FibonacciAir::generate(log_rows, BabyBear::ZERO, BabyBear::ONE).expect("trace");
        same_proof_bb::<R, _>(&format!("fibonacci bb 2^{log_rows}"), &air, &trace);
    }
    let (air, trace) = FibonacciAir::generate(8, Goldilocks::ONE, Goldilocks::ONE).expect("trace");
    same_proof_gl::<R, _>("fibonacci goldilocks 2^8", &air, &trace);

    let air = RangeCheckAir { bits: 6 };
    let mut rng = StdRng::seed_from_u64(5);
    for log_rows in [6, 9] {
        let values: Vec<u64> =
            (0..(1usize << log_rows) - 3).map(|_| rng.random_range(0..64)).collect();
        let trace = air.generate::<BabyBear>(log_rows, &values).expect("trace");
        same_proof_bb::<R, _>(&format!("range check bb 2^{log_rows}"), &air, &trace);
    }
    let trace = air.generate::<Goldilocks>(7, &[1, 2, 3, 63, 0, 5]).expect("trace");
    same_proof_gl::<R, _>("range check goldilocks 2^7", &air, &trace);

    let air = Poseidon2Air::new(Poseidon2::babybear_16());
    let inputs: Vec<[BabyBear; 16]> =
        (0..40).map(|_| core::array::from_fn(|_| BabyBear::random(&mut rng))).collect();
    let trace = air.generate(6, &inputs).expect("trace");
    same_proof_bb::<R, _>("poseidon2-16 bb 2^6", &air, &trace);
    let air = Poseidon2Air::new(Poseidon2::goldilocks_12());
    let inputs: Vec<[Goldilocks; 12]> =
        (0..20).map(|_| core::array::from_fn(|_| Goldilocks::random(&mut rng))).collect();
    let trace = air.generate(6, &inputs).expect("trace");
    same_proof_gl::<R, _>("poseidon2-12 goldilocks 2^6", &air, &trace);
}

// ---- Multi-table (the bus toy of crates/air/tests/air.rs) ----

/// `Values` (value, is_real) sends each real value on `range`; `Range` (preprocessed 0..256,
/// multiplicity) receives them; `Io` (x, y = x + 1) sends `x` on `range` and `(y, x + 2)` on
/// `out`, received by the verifier as public output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Toy {
    Values,
    Range,
    Io,
}

impl Air<BabyBear> for Toy {
    fn name(&self) -> String {
        format!("toy-{self:?}")
    }
    fn n_columns(&self) -> usize {
        2
    }
    fn eval<B: ConstraintBuilder<BabyBear>>(&self, b: &mut B) {
        let cur = b.current().to_vec();
        match self {
            Toy::Values => {
                b.assert_zero(cur[1].clone() * (cur[1].clone() - BabyBear::ONE.into()));
            }
            Toy::Range => {}
            Toy::Io => b.assert_eq(cur[1].clone(), cur[0].clone() + BabyBear::ONE.into()),
        }
    }
}

impl TableAir<BabyBear> for Toy {
    fn interactions(&self) -> Vec<BusInteraction<BabyBear>> {
        let c = LinearExpr::<BabyBear>::col;
        let one = || LinearExpr::constant(BabyBear::ONE);
        match self {
            Toy::Values => vec![BusInteraction::send("range", vec![c(0)], c(1))],
            Toy::Range => vec![BusInteraction::receive("range", vec![c(0)], c(1))],
            Toy::Io => vec![
                BusInteraction::send("range", vec![c(0)], one()),
                BusInteraction::send("out", vec![c(1), c(0).plus_constant(BabyBear::TWO)], one()),
            ],
        }
    }
    fn preprocessed(&self, log_rows: usize) -> Vec<(usize, Vec<BabyBear>)> {
        match self {
            Toy::Range => vec![(0, (0..1u64 << log_rows).map(BabyBear::from_u64).collect())],
            _ => Vec::new(),
        }
    }
}

const TOY: [Toy; 3] = [Toy::Values, Toy::Range, Toy::Io];

fn toy_witness() -> (Vec<Trace<BabyBear>>, Vec<PublicTuple<BabyBear>>) {
    let f = BabyBear::from_u64;
    let values: Vec<u64> = (0..50).map(|i| (i * 37 + 5) % 256).collect();
    let io_x: Vec<u64> = (0..16).map(|i| 200 + i * 3).collect();
    let mut mult = vec![0u64; 256];
    for &v in values.iter().chain(&io_x) {
        mult[v as usize] += 1;
    }
    let mut value_col: Vec<BabyBear> = values.iter().map(|&v| f(v)).collect();
    value_col.resize(64, f(7));
    let real: Vec<BabyBear> = (0..64).map(|i| f(u64::from(i < 50))).collect();
    let range = vec![(0..256).map(f).collect(), mult.iter().map(|&m| f(m)).collect()];
    let io = vec![io_x.iter().map(|&x| f(x)).collect(), io_x.iter().map(|&x| f(x + 1)).collect()];
    let public = io_x
        .iter()
        .map(|&x| PublicTuple {
            bus: "out".into(),
            tuple: vec![f(x + 1), f(x + 2)],
            multiplicity: BabyBear::ONE,
            direction: zkprove_air::Direction::Receive,
        })
        .collect();
    let traces = vec![
        Trace::new(vec![value_col, real]).expect("values"),
        Trace::new(range).expect("range"),
        Trace::new(io).expect("io"),
    ];
    (traces, public)
}

pub fn multi_table_proof_matches_cpu<R: Runtime>(_dev: &Arc<R>) {
    let (traces, public) = toy_witness();
    let prover = bb_prover();
    let (cpu, p_cpu) = prover
        .prove_tables_on::<CpuBackend, _, 16, 8>(&TOY, &traces, &public, &mut bb_transcript(), true)
        .expect("cpu proof");
    let (gpu, p_gpu) = prover
        .prove_tables_on::<Gpu<R>, _, 16, 8>(&TOY, &traces, &public, &mut bb_transcript(), true)
        .expect("gpu proof");
    report("multi-table toy bb 2^6/2^8/2^4", "cpu", &p_cpu);
    report("multi-table toy bb 2^6/2^8/2^4", R::BACKEND, &p_gpu);
    assert_eq!(gpu.to_bytes(), cpu.to_bytes(), "the device's multi-table proof differs");
    prover.verify_tables(&TOY, &public, &gpu, &mut bb_transcript()).expect("verify");
}

/// The AIR tests for one runtime, given its `device()` getter (`Option<Arc<R>>`).
#[macro_export]
macro_rules! air_ops_tests {
    ($device:path) => {
        #[test]
        fn air_shaping_ops_match_cpu() {
            use zkprove_field::babybear::{BabyBear, BabyBearExt4};
            use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
            use zkprove_field::m31::{M31, QM31};
            let Some(dev) = $device() else { return };
            $crate::air_common::shaping_ops_match_cpu::<_, BabyBear, BabyBearExt4>(&dev, 1);
            $crate::air_common::shaping_ops_match_cpu::<_, Goldilocks, GoldilocksExt2>(&dev, 2);
            $crate::air_common::shaping_ops_match_cpu::<_, M31, QM31>(&dev, 3);
        }

        #[test]
        fn air_opening_ops_match_cpu() {
            use zkprove_field::babybear::{BabyBear, BabyBearExt4};
            use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
            use zkprove_field::m31::{M31, QM31};
            let Some(dev) = $device() else { return };
            $crate::air_common::opening_ops_match_cpu::<_, BabyBear, BabyBearExt4>(&dev, 4);
            $crate::air_common::opening_ops_match_cpu::<_, Goldilocks, GoldilocksExt2>(&dev, 5);
            $crate::air_common::opening_ops_match_cpu::<_, M31, QM31>(&dev, 6);
        }

        #[test]
        fn air_reduction_ops_match_cpu() {
            use zkprove_field::babybear::{BabyBear, BabyBearExt4};
            use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
            use zkprove_field::m31::{M31, QM31};
            let Some(dev) = $device() else { return };
            $crate::air_common::reduction_ops_match_cpu::<_, BabyBear, BabyBearExt4>(&dev, 7);
            $crate::air_common::reduction_ops_match_cpu::<_, Goldilocks, GoldilocksExt2>(&dev, 8);
            $crate::air_common::reduction_ops_match_cpu::<_, M31, QM31>(&dev, 9);
        }

        #[test]
        fn air_example_proofs_match_cpu() {
            let Some(dev) = $device() else { return };
            $crate::air_common::example_proofs_match_cpu(&dev);
        }

        #[test]
        fn air_multi_table_proof_matches_cpu() {
            let Some(dev) = $device() else { return };
            $crate::air_common::multi_table_proof_matches_cpu(&dev);
        }
    };
}
