//! [`DeviceSet`] checks shared by `device_set_opencl.rs` (PoCL with two devices in CI) and
//! `device_set_cuda.rs`: split work equals the single-device and CPU results; jobs land on every
//! device; a failing device is taken out and its work retried elsewhere.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_curve::bn254::G1Config;
use zkprove_curve::msm::{msm_pippenger, random_points};
use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_field::bn254::Fr;
use zkprove_field::m31::M31;
use zkprove_gpu::{DeviceSet, DeviceSetError, GpuBackend, GpuBases, GpuBuffer, GpuError, Runtime};
use zkprove_poly::{
    CircleDomain, CircleFftOps, CircleOrder, ColumnOps, CpuBackend, Direction, NttOps, Order,
    PolyError,
};

pub fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

/// The number of devices the environment promises (`ZKPROVE_REQUIRE_DEVICES=N`, CI: 2): fewer is
/// a failure, so a one-device run cannot pass for a split across several.
pub fn check_device_count<R: Runtime>(set: &DeviceSet<R>) {
    eprintln!("{} devices in the set: {set:?}", set.len());
    if let Ok(v) = std::env::var("ZKPROVE_REQUIRE_DEVICES") {
        let want: usize = v.parse().expect("ZKPROVE_REQUIRE_DEVICES is a number");
        assert!(
            set.len() >= want,
            "ZKPROVE_REQUIRE_DEVICES={want} but the set has {} device(s) (skipped: {:?})",
            set.len(),
            set.skipped()
        );
    }
}

/// One G1 MSM split across the set: equal to one device's and the CPU's.
pub fn msm_split<R: Runtime>(set: &DeviceSet<R>, n: usize) {
    let mut rng = StdRng::seed_from_u64(42);
    let bases = random_points::<G1Config, _>(n, &mut rng);
    let scalars: Vec<Fr> = (0..n).map(|_| Fr::random(&mut rng)).collect();
    let want = msm_pippenger(&bases, &scalars).expect("cpu msm");
    let t = Instant::now();
    let split = set.split_bases(&bases).expect("split bases");
    assert_eq!(split.parts(), set.healthy_count().max(1));
    let got = split.msm(&scalars).expect("split msm");
    eprintln!("split MSM 2^{} over {} devices: {:.2?}", n.ilog2(), split.parts(), t.elapsed());
    assert_eq!(got, want, "split MSM differs from the CPU");
    let dev0 = set.device(0).expect("a device");
    let single = GpuBases::<R, G1Config>::new(dev0, &bases).expect("bases").msm(&scalars, None);
    assert_eq!(single.expect("single-device msm"), want, "single-device MSM differs from the CPU");
    assert_eq!(
        split.msm(&scalars[1..]).err(),
        Some(DeviceSetError::LengthMismatch { expected: n, got: n - 1 })
    );
}

/// A BabyBear NTT batch and an M31 circle-FFT batch split across the set, against the CPU.
pub fn transforms_split<R: Runtime>(set: &DeviceSet<R>) {
    let mut rng = StdRng::seed_from_u64(5);
    let (log_n, n_cols) = (10, 5);
    let cols: Vec<Vec<BabyBear>> = (0..n_cols)
        .map(|_| (0..1 << log_n).map(|_| BabyBear::random(&mut rng)).collect())
        .collect();
    for (direction, order, shift) in [
        (Direction::Forward, Order::NaturalToBitReversed, BabyBear::ONE),
        (Direction::Forward, Order::NaturalToNatural, BabyBear::from_u64(7)),
        (Direction::Inverse, Order::BitReversedToNatural, BabyBear::from_u64(7)),
    ] {
        let mut want = cols.clone();
        CpuBackend::ntt_batch(&mut want, direction, order, shift).expect("cpu ntt");
        let mut got = cols.clone();
        set.ntt_batch(&mut got, direction, order, shift).expect("split ntt");
        assert!(got == want, "split NTT {direction:?} {order:?} differs from the CPU");
    }
    let domain = CircleDomain::canonic(log_n).expect("domain");
    let cols: Vec<Vec<M31>> = (0..n_cols)
        .map(|_| (0..1 << log_n).map(|_| M31::from_u64(rng.random::<u64>())).collect())
        .collect();
    for direction in [Direction::Forward, Direction::Inverse] {
        let mut want = cols.clone();
        CpuBackend::circle_fft_batch(&mut want, &domain, direction, CircleOrder::Natural)
            .expect("cpu circle fft");
        let mut got = cols.clone();
        set.circle_fft_batch(&mut got, &domain, direction, CircleOrder::Natural)
            .expect("split circle fft");
        assert!(got == want, "split circle FFT {direction:?} differs from the CPU");
    }
    // Inputs rejected on the host, typed.
    let mut bad = vec![vec![BabyBear::ONE; 8], vec![BabyBear::ONE; 4]];
    assert_eq!(
        set.ntt_batch(&mut bad, Direction::Forward, Order::NaturalToNatural, BabyBear::ONE),
        Err(DeviceSetError::Input(PolyError::LengthMismatch { expected: 8, got: 4 }))
    );
    let mut bad = vec![vec![M31::ONE; 8]];
    assert_eq!(
        set.circle_fft_batch(&mut bad, &domain, Direction::Forward, CircleOrder::Natural),
        Err(DeviceSetError::Input(PolyError::DomainSizeMismatch { domain_size: 1024, got: 8 }))
    );
}

/// Part `p` of a split runs on the set's `p`-th device: with as many parts as devices, every
/// device does one.
pub fn parts_use_every_device<R: Runtime>(set: &DeviceSet<R>) {
    let ptrs = set.split(set.len(), |d, _| Ok(Arc::as_ptr(d) as usize)).expect("split");
    let mut distinct = ptrs.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), set.len(), "parts did not use every device: {ptrs:?}");
    // GpuBackend code inside a part (or a job) runs on the part's device: each part's device is
    // its thread's default device meanwhile.
    let via_backend = set
        .split(set.len(), |d, _| {
            let col = <GpuBackend<R> as ColumnOps<BabyBear>>::upload(&[BabyBear::ONE; 4])
                .map_err(|e| GpuError::Unsupported { what: e.to_string() })?;
            Ok((Arc::as_ptr(col.device()) as usize, Arc::as_ptr(d) as usize))
        })
        .expect("split through the backend");
    for (got, want) in via_backend {
        assert_eq!(got, want, "a GpuBackend column of a part is not on the part's device");
    }
    let before = R::default_device().map(|d| Arc::as_ptr(&d) as usize).ok();
    for _ in 0..2 * set.len() {
        let (inside, picked) = set
            .run(|d, i| {
                assert!(Arc::ptr_eq(d, set.device(i).expect("index in the set")));
                Ok((R::default_device()?, d.clone()))
            })
            .expect("job");
        assert!(Arc::ptr_eq(&inside, &picked));
    }
    // Restored after the job.
    assert_eq!(R::default_device().map(|d| Arc::as_ptr(&d) as usize).ok(), before);
}

/// A job through [`DeviceSet::run`]: upload, NTT, download, on whichever device it is given.
fn ntt_job<R: Runtime>(d: &Arc<R>, data: &[BabyBear]) -> Result<Vec<BabyBear>, GpuError> {
    let mut buf = GpuBuffer::upload(d, data)?;
    let log_n = data.len().trailing_zeros() as usize;
    zkprove_gpu::ntt_batch_on(
        &mut buf,
        log_n,
        Direction::Forward,
        Order::NaturalToNatural,
        BabyBear::ONE,
    )
    .map_err(|e| GpuError::Unsupported { what: e.to_string() })?;
    buf.download()
}

/// Jobs from several threads at once (one per device and more), each correct; then a device that
/// fails: its job is retried on another device and it is taken out of the set; with every device
/// out, a typed error.
pub fn jobs_and_failover<R: Runtime>(set: &DeviceSet<R>) {
    let mut rng = StdRng::seed_from_u64(9);
    let data: Vec<BabyBear> = (0..256).map(|_| BabyBear::random(&mut rng)).collect();
    let mut want = vec![data.clone()];
    CpuBackend::ntt_batch(&mut want, Direction::Forward, Order::NaturalToNatural, BabyBear::ONE)
        .expect("cpu");
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2 * set.len())
            .map(|_| s.spawn(|| set.run(|d, _| ntt_job(d, &data)).expect("job")))
            .collect();
        for h in handles {
            assert_eq!(h.join().expect("job thread"), want[0]);
        }
    });
    let first = Arc::as_ptr(set.device(0).expect("device 0")) as usize;
    // Device 0 "fails" (a driver error, as a lost GPU reports); the job must finish elsewhere.
    let flaky = |d: &Arc<R>, _: usize| -> Result<usize, GpuError> {
        if Arc::as_ptr(d) as usize == first {
            return Err(GpuError::Driver {
                backend: R::BACKEND,
                call: "test".into(),
                message: "simulated device loss".into(),
            });
        }
        Ok(Arc::as_ptr(d) as usize)
    };
    // Only device 0 takes the first job when it is the least busy: force it by marking the
    // others busy is not possible from outside, so run the job on every device in turn through
    // split (part p on device p) and check the retry landed elsewhere.
    let r = set.split(set.len(), |d, p| flaky(d, p));
    if set.len() >= 2 {
        let ptrs = r.expect("the failed part is retried on another device");
        assert!(ptrs.iter().all(|p| *p != first), "{ptrs:?}");
        assert!(!set.is_healthy(0), "the failing device is taken out of the set");
        assert_eq!(set.healthy_count(), set.len() - 1);
        // Later jobs avoid it.
        for _ in 0..3 {
            let p = set.run(flaky).expect("job on a healthy device");
            assert_ne!(p, first);
        }
        assert_eq!(set.run(|d, _| ntt_job(d, &data)).expect("job"), want[0]);
    } else {
        assert!(
            matches!(
                r,
                Err(DeviceSetError::Device { index: 0, source: GpuError::Driver { .. }, .. })
            ),
            "{r:?}"
        );
    }
    for i in 0..set.len() {
        set.mark_unhealthy(i);
    }
    assert_eq!(
        set.run(|d, _| ntt_job(d, &data)).err(),
        Some(DeviceSetError::NoDevice { backend: R::BACKEND })
    );
    assert!(matches!(set.split_bases::<G1Config>(&[]), Err(DeviceSetError::NoDevice { .. })));
}

/// What a proving service does with several devices: one prover per device, its key resident
/// there (loaded inside a part, whose device is the thread's default), then proofs as jobs from
/// as many threads as devices, each on the least busy device with that device's prover; every
/// proof verifies (a proof with one device's prover on another device's queue would fail).
pub fn groth16_prover_per_device<R: Runtime, B: zkprove_groth16::Groth16Backend>(
    set: &DeviceSet<R>,
) {
    use std::path::Path;
    use zkprove_circom::Witness;
    use zkprove_groth16::{Groth16Prover, verify};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier");
    let witness = Witness::open(dir.join("witness.wtns")).expect("witness");
    let t = Instant::now();
    let provers = set
        .split(set.len(), |_, _| {
            Groth16Prover::<B>::load(dir.join("circuit.zkey"))
                .map_err(|e| GpuError::Unsupported { what: e.to_string() })
        })
        .expect("a prover per device");
    eprintln!("{} provers loaded in {:.2?}", provers.len(), t.elapsed());
    let n_public = provers[0].header().n_public as usize;
    let used = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..set.len())
            .map(|_| {
                s.spawn(|| {
                    set.run(|_, i| {
                        used.lock().expect("lock").push(i);
                        provers[i]
                            .prove_verified(&witness.values)
                            .map_err(|e| GpuError::Unsupported { what: e.to_string() })
                    })
                    .expect("a proof on some device")
                })
            })
            .collect();
        for h in handles {
            let proof = h.join().expect("proof thread");
            verify(provers[0].verification_key(), &witness.values[1..=n_public], &proof)
                .expect("the proof verifies");
        }
    });
    eprintln!(
        "{} proofs on devices {:?}: {:.2?}",
        set.len(),
        used.lock().expect("lock"),
        t.elapsed()
    );
}

/// A Poseidon2 Merkle tree (M31 and BabyBear) split across the set, against crates/hash's CPU tree
/// and one device's root.
pub fn merkle_split<R: Runtime>(set: &DeviceSet<R>) {
    use zkprove_gpu::{MERKLE_OUT, Poseidon2GpuField, gpu_merkle_root};
    use zkprove_hash::{MerkleTree, Poseidon2Merkle};
    fn check<R: Runtime, F: Poseidon2GpuField>(set: &DeviceSet<R>, rng: &mut StdRng) {
        for (log_rows, row_len) in [(0, 3), (1, 8), (5, 1), (10, 8)] {
            let rows: Vec<F> = (0..(row_len << log_rows)).map(|_| F::random(&mut *rng)).collect();
            let hasher =
                Poseidon2Merkle::<F, 16, 8, MERKLE_OUT>::new(F::poseidon2()).expect("hasher");
            let want = MerkleTree::commit(hasher, rows.clone(), row_len).expect("cpu").root();
            let got = set.merkle_root(&rows, row_len).expect("split Merkle root");
            assert_eq!(got, want, "{:?} 2^{log_rows} rows of {row_len}", F::KIND);
            let dev0 = set.device(0).expect("a device");
            assert_eq!(gpu_merkle_root(dev0, &rows, row_len).expect("one device"), want);
        }
        assert!(set.merkle_root(&[F::ZERO; 24], 8).is_err(), "3 rows");
        assert!(set.merkle_root(&[F::ZERO; 24], 0).is_err(), "rows of 0");
    }
    let mut rng = StdRng::seed_from_u64(13);
    check::<R, M31>(set, &mut rng);
    check::<R, BabyBear>(set, &mut rng);
}
