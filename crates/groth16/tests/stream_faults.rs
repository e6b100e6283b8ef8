//! The proof stream's handling of device failures, with a backend that computes on the CPU but
//! queues like a device (`ASYNC`) and fails on command: a proof that could not be started because
//! the device ran out of memory while another proof was in flight is started again alone (and
//! succeeds); any other device failure is reported in place, once, and the stream goes on.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::msm::CpuBases;
use zkprove_curve::{Affine, MsmError, MsmOps, Projective, SwCurve};
use zkprove_field::bn254::Fr;
use zkprove_groth16::{
    CpuMatrices, Groth16Backend, Groth16Error, Groth16Prover, QapMatrix, SparseMatrix, setup,
    verify,
};
use zkprove_poly::{
    Backend, ColumnOps, ColumnRef, CpuBackend, DeviceError, Direction, NttOps, Order, PointwiseOps,
    PolyError,
};

/// A CPU backend that says it queues its work and fails the `FAIL_AT`-th MSM start with `KIND`.
#[derive(Copy, Clone, Default, Debug)]
struct FlakyBackend;

/// Which MSM start fails (counting from 1; 0: none), and how.
static FAIL_AT: AtomicUsize = AtomicUsize::new(0);
static KIND: AtomicUsize = AtomicUsize::new(0);
static STARTS: AtomicUsize = AtomicUsize::new(0);
/// The tests share the counters: one at a time.
static LOCK: Mutex<()> = Mutex::new(());

fn arm(fail_at: usize, out_of_memory: bool) -> MutexGuard<'static, ()> {
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    STARTS.store(0, Ordering::SeqCst);
    FAIL_AT.store(fail_at, Ordering::SeqCst);
    KIND.store(usize::from(!out_of_memory), Ordering::SeqCst);
    guard
}

fn injected() -> Result<(), MsmError> {
    let n = STARTS.fetch_add(1, Ordering::SeqCst) + 1;
    if n != FAIL_AT.load(Ordering::SeqCst) {
        return Ok(());
    }
    Err(MsmError::Device(if KIND.load(Ordering::SeqCst) == 0 {
        DeviceError::OutOfMemory { backend: "flaky", requested: 1 << 30, free: 1 << 20 }
    } else {
        DeviceError::Driver {
            backend: "flaky",
            device: "flaky:0".into(),
            call: "launch".into(),
            message: "injected fault".into(),
        }
    }))
}

impl Backend for FlakyBackend {
    type Column<T: Copy + Send + Sync + 'static> = Vec<T>;
    const NAME: &'static str = "flaky";
    const ASYNC: bool = true;
}

impl<T: Copy + Send + Sync + 'static> ColumnOps<T> for FlakyBackend {
    fn upload(values: &[T]) -> Result<Vec<T>, DeviceError> {
        CpuBackend::upload(values)
    }

    fn download_range(
        column: &Vec<T>,
        range: core::ops::Range<usize>,
    ) -> Result<Vec<T>, DeviceError> {
        CpuBackend::download_range(column, range)
    }
}

impl PointwiseOps<Fr> for FlakyBackend {
    fn mul_assign(a: &mut Vec<Fr>, b: &Vec<Fr>) -> Result<(), DeviceError> {
        CpuBackend::mul_assign(a, b)
    }

    fn sub_assign(a: &mut Vec<Fr>, b: &Vec<Fr>) -> Result<(), DeviceError> {
        CpuBackend::sub_assign(a, b)
    }
}

impl NttOps<Fr> for FlakyBackend {
    fn ntt_batch(
        cols: &mut [Vec<Fr>],
        direction: Direction,
        order: Order,
        shift: Fr,
    ) -> Result<(), PolyError> {
        CpuBackend::ntt_batch(cols, direction, order, shift)
    }
}

impl<C: SwCurve<Scalar = Fr>> MsmOps<C> for FlakyBackend {
    type Bases = CpuBases<C>;
    type PendingMsm = Projective<C>;

    fn prepare_bases(bases: Vec<Affine<C>>) -> Result<CpuBases<C>, MsmError> {
        <CpuBackend as MsmOps<C>>::prepare_bases(bases)
    }

    fn n_bases(bases: &CpuBases<C>) -> usize {
        <CpuBackend as MsmOps<C>>::n_bases(bases)
    }

    fn msm_enqueue(
        bases: &CpuBases<C>,
        scalars: ColumnRef<'_, Self, Fr>,
    ) -> Result<Projective<C>, MsmError> {
        injected()?;
        let cpu = ColumnRef::<CpuBackend, Fr>::new(scalars.column()).slice(scalars.range())?;
        <CpuBackend as MsmOps<C>>::msm_enqueue(bases, cpu)
    }

    fn msm_finish(pending: Projective<C>) -> Result<Projective<C>, MsmError> {
        Ok(pending)
    }
}

impl Groth16Backend for FlakyBackend {
    type Matrices = CpuMatrices;

    fn prepare_matrices(
        a: SparseMatrix,
        b: SparseMatrix,
        n_vars: usize,
        log_n: usize,
    ) -> Result<CpuMatrices, Groth16Error> {
        CpuBackend::prepare_matrices(a, b, n_vars, log_n)
    }

    fn mul_vec(m: &CpuMatrices, which: QapMatrix, w: &Vec<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        CpuBackend::mul_vec(m, which, w)
    }
}

/// A key and four satisfying witnesses of one mul-chain circuit.
fn key_and_witnesses() -> (Groth16Prover<FlakyBackend>, Vec<Vec<Fr>>) {
    let mut rng = StdRng::seed_from_u64(5);
    let (r1cs, w0) = setup::mul_chain(6, &mut rng).expect("circuit");
    let zkey = setup::setup(&r1cs, &mut rng).expect("setup");
    let mut witnesses = vec![w0];
    for _ in 0..3 {
        witnesses.push(setup::mul_chain(6, &mut rng).expect("witness").1);
    }
    (Groth16Prover::<FlakyBackend>::from_zkey(zkey).expect("key"), witnesses)
}

// Five MSM starts per proof: the 7th is the second proof's second MSM, started while the first
// proof is in flight (the stream keeps two).
const SECOND_PROOF: usize = 7;

#[test]
fn out_of_memory_behind_another_proof_is_retried_alone() {
    let _guard = arm(SECOND_PROOF, true);
    let (prover, witnesses) = key_and_witnesses();
    let results: Vec<_> = prover.prove_stream(&witnesses, true).collect();
    assert_eq!(results.len(), witnesses.len());
    for (i, (r, w)) in results.iter().zip(&witnesses).enumerate() {
        let proof = r.as_ref().unwrap_or_else(|e| panic!("proof {i}: {e}"));
        verify(prover.verification_key(), &w[1..2], proof).expect("verifies");
    }
    // The failed proof was started again: 4 proofs × 5 MSM starts, plus the first try's two (its
    // H MSM, then the one that failed).
    assert_eq!(STARTS.load(Ordering::SeqCst), 4 * 5 + 2);
}

#[test]
fn a_driver_failure_is_reported_in_place_not_retried() {
    let _guard = arm(SECOND_PROOF, false);
    let (prover, witnesses) = key_and_witnesses();
    let results: Vec<_> = prover.prove_stream(&witnesses, true).collect();
    assert_eq!(results.len(), witnesses.len());
    for (i, r) in results.iter().enumerate() {
        if i == 1 {
            let e = r.as_ref().err().unwrap_or_else(|| panic!("proof 1 should fail"));
            let device = e.device_error().expect("a device error");
            assert_eq!(device.kind(), zkprove_poly::DeviceErrorKind::DeviceFault, "{e}");
            assert!(!e.is_out_of_memory());
        } else {
            assert!(r.is_ok(), "proof {i}: {r:?}");
        }
    }
    // Not retried: the three other proofs' 15 starts, and the failed proof's two.
    assert_eq!(STARTS.load(Ordering::SeqCst), 3 * 5 + 2);
}

#[test]
fn out_of_memory_alone_is_reported() {
    // The first proof's first MSM: nothing else in flight, so nothing to wait for.
    let _guard = arm(1, true);
    let (prover, witnesses) = key_and_witnesses();
    let results: Vec<_> = prover.prove_stream(&witnesses[..2], true).collect();
    assert!(results[0].as_ref().err().is_some_and(Groth16Error::is_out_of_memory));
    assert!(results[1].is_ok());
}
