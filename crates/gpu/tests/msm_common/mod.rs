//! MSM differential tests shared by the OpenCL and CUDA test binaries: device MSMs of BN254 G1 and
//! G2 against crates/curve's CPU MSM (`msm_naive` for small sizes, Pippenger otherwise).

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_curve::msm::{msm_pippenger, random_points};
use zkprove_curve::{Affine, MsmError, MsmOps, Projective, msm_naive};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_gpu::{GpuBases, GpuCurve, GpuError, Runtime};

/// Whether the test must fail (rather than skip) when no device is present.
pub fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

fn cpu<C: GpuCurve>(bases: &[Affine<C>], scalars: &[Fr]) -> Projective<C> {
    if bases.len() <= 128 {
        msm_naive(bases, scalars).expect("cpu msm")
    } else {
        msm_pippenger(bases, scalars).expect("cpu msm")
    }
}

fn random_scalars(n: usize, rng: &mut StdRng) -> Vec<Fr> {
    (0..n).map(|_| Fr::random(rng)).collect()
}

/// Random bases and scalars of each size (default window), compared with the CPU.
pub fn random_sizes<R: Runtime, C: GpuCurve>(dev: &Arc<R>, sizes: &[usize]) {
    let mut rng = StdRng::seed_from_u64(7);
    for &n in sizes {
        let bases = random_points::<C, _>(n, &mut rng);
        let scalars = random_scalars(n, &mut rng);
        let t = Instant::now();
        let prepared = GpuBases::<R, C>::new(dev, &bases).expect("prepare");
        let got = prepared.msm(&scalars, None).expect("device msm");
        eprintln!("{} n = {n}: {:.2?} on the device", C::NAME, t.elapsed());
        assert_eq!(got, cpu(&bases, &scalars), "{} n = {n}", C::NAME);
    }
}

/// The degenerate inputs in one MSM, at several window widths (carries, negative digits, every
/// bucket-reduction split): zero scalars, 1, r − 1, small scalars, points at infinity, repeated
/// bases, opposite bases (P and −P with equal scalars cancel), all scalars zero, all bases at
/// infinity.
pub fn edge_cases<R: Runtime, C: GpuCurve>(dev: &Arc<R>, windows: &[u32]) {
    let mut rng = StdRng::seed_from_u64(11);
    let n = 100;
    let mut bases = random_points::<C, _>(n, &mut rng);
    let mut scalars = random_scalars(n, &mut rng);
    for i in (0..n).step_by(7) {
        scalars[i] = Fr::ZERO;
    }
    scalars[1] = Fr::ONE;
    scalars[2] = -Fr::ONE;
    scalars[3] = -Fr::ONE;
    scalars[4] = Fr::from_u64(1 << 20);
    for i in [5, 6, 50] {
        bases[i] = Affine::IDENTITY;
    }
    // Duplicates: the same point with several scalars (lands in one bucket, P + P doubles).
    for i in 10..20 {
        bases[i] = bases[9];
        scalars[i] = scalars[9];
    }
    // Opposite bases with equal scalars: P + (−P) in one bucket.
    bases[31] = -bases[30];
    scalars[31] = scalars[30];
    // A base and its opposite with opposite scalars: equal contributions.
    bases[41] = -bases[40];
    scalars[41] = -scalars[40];
    let prepared = GpuBases::<R, C>::new(dev, &bases).expect("prepare");
    let want = cpu(&bases, &scalars);
    for &c in windows {
        let got = prepared.msm(&scalars, Some(c)).expect("device msm");
        assert_eq!(got, want, "{} edge cases, c = {c}", C::NAME);
    }
    // All-zero scalars and all-infinity bases give the identity.
    let zeros = vec![Fr::ZERO; n];
    assert!(prepared.msm(&zeros, None).expect("device msm").is_identity());
    let inf = GpuBases::<R, C>::new(dev, &vec![Affine::IDENTITY; n]).expect("prepare");
    assert!(inf.msm(&scalars, None).expect("device msm").is_identity());
    // One term: s·P for the largest scalar.
    let one = GpuBases::<R, C>::new(dev, &bases[..1]).expect("prepare");
    let s = [-Fr::ONE];
    assert_eq!(one.msm(&s, None).expect("device msm"), cpu(&bases[..1], &s));
    // Small scalars, every window width: exercises the digit carries.
    let small: Vec<Fr> = (0..n).map(|_| Fr::from_u64(rng.random_range(0..1u64 << 12))).collect();
    let want = cpu(&bases, &small);
    for &c in windows {
        assert_eq!(prepared.msm(&small, Some(c)).expect("device msm"), want, "small, c = {c}");
    }
}

/// Chunked MSMs (resident bases at an offset, and bases on the host uploaded per chunk) equal the
/// one-pass MSM.
pub fn chunks<R: Runtime, C: GpuCurve>(dev: &Arc<R>, n: usize) {
    let mut rng = StdRng::seed_from_u64(13);
    let bases = random_points::<C, _>(n, &mut rng);
    let scalars = random_scalars(n, &mut rng);
    let want = cpu(&bases, &scalars);
    let resident = GpuBases::<R, C>::new(dev, &bases).expect("prepare");
    assert!(resident.is_resident());
    let chunk = zkprove_gpu::MIN_CHUNK;
    assert_eq!(resident.msm_chunked(&scalars, None, chunk).expect("chunked"), want);
    let host = GpuBases::<R, C>::on_host(dev, &bases);
    assert!(!host.is_resident());
    assert_eq!(host.msm_chunked(&scalars, None, chunk).expect("host chunks"), want);
    assert_eq!(host.msm(&scalars, None).expect("host, one pass"), want);
}

/// Witness-like scalars (mostly 0 and 1, as in Groth16's A, B, C MSMs): one bucket holds most
/// points.
pub fn skewed<R: Runtime, C: GpuCurve>(dev: &Arc<R>, n: usize) {
    let mut rng = StdRng::seed_from_u64(17);
    let bases = random_points::<C, _>(n, &mut rng);
    let scalars: Vec<Fr> = (0..n)
        .map(|i| match i % 5 {
            0 => Fr::ZERO,
            4 => Fr::random(&mut rng),
            _ => Fr::ONE,
        })
        .collect();
    let prepared = GpuBases::<R, C>::new(dev, &bases).expect("prepare");
    assert_eq!(prepared.msm(&scalars, None).expect("device msm"), cpu(&bases, &scalars));
}

/// Length mismatches and bad windows are errors, not panics.
pub fn errors<R: Runtime, C: GpuCurve>(dev: &Arc<R>) {
    let mut rng = StdRng::seed_from_u64(3);
    let bases = random_points::<C, _>(4, &mut rng);
    let prepared = GpuBases::<R, C>::new(dev, &bases).expect("prepare");
    assert!(matches!(
        prepared.msm(&random_scalars(3, &mut rng), None),
        Err(GpuError::LengthMismatch { expected: 4, got: 3 })
    ));
    assert!(matches!(
        prepared.msm(&random_scalars(4, &mut rng), Some(1)),
        Err(GpuError::Unsupported { .. })
    ));
    let empty = GpuBases::<R, C>::new(dev, &[]).expect("prepare");
    assert!(empty.msm(&[], None).expect("empty msm").is_identity());
}

/// The backend's [`MsmOps`] against the CPU, and its length check.
pub fn through_msm_ops<B, C>(n: usize)
where
    C: GpuCurve,
    B: MsmOps<C>,
{
    let mut rng = StdRng::seed_from_u64(5);
    let bases = random_points::<C, _>(n, &mut rng);
    let scalars = random_scalars(n, &mut rng);
    let prepared = B::prepare_bases(bases.clone()).expect("prepare");
    assert_eq!(B::n_bases(&prepared), n);
    assert_eq!(B::msm(&prepared, &scalars).expect("msm"), cpu(&bases, &scalars));
    assert!(matches!(
        B::msm(&prepared, &scalars[1..]),
        Err(MsmError::LengthMismatch { n_bases, n_scalars }) if n_bases == n && n_scalars == n - 1
    ));
}

/// G1 and G2 helpers named for the test files.
pub type G1 = G1Config;
/// See [`G1`].
pub type G2 = G2Config;

/// All scalars equal (one bucket per window holds every point: the bucket-balance worst case),
/// for a random scalar and for 1.
pub fn one_bucket<R: Runtime, C: GpuCurve>(dev: &Arc<R>, n: usize) {
    let mut rng = StdRng::seed_from_u64(19);
    let bases = random_points::<C, _>(n, &mut rng);
    let prepared = GpuBases::<R, C>::new(dev, &bases).expect("prepare");
    for s in [Fr::random(&mut rng), Fr::ONE] {
        let scalars = vec![s; n];
        let t = Instant::now();
        let got = prepared.msm(&scalars, None).expect("device msm");
        eprintln!("{} n = {n}, equal scalars: {:.2?} on the device", C::NAME, t.elapsed());
        assert_eq!(got, cpu(&bases, &scalars), "{} equal scalars", C::NAME);
    }
}

/// Bases with precomputed multiples: every table shape (a few levels, levels that do not divide
/// the windows, one level per window, a level count past the window count), the degenerate inputs
/// of [`edge_cases`], chunks at offsets, device-resident scalars at an offset, and the errors
/// (another window width than the table's).
pub fn precomputed<R: Runtime, C: GpuCurve>(dev: &Arc<R>, n: usize, windows: &[u32]) {
    use zkprove_gpu::{GpuBuffer, max_precompute_levels};
    let mut rng = StdRng::seed_from_u64(23);
    let mut bases = random_points::<C, _>(n, &mut rng);
    let mut scalars = random_scalars(n, &mut rng);
    for i in (0..n).step_by(7) {
        scalars[i] = Fr::ZERO;
    }
    scalars[1] = -Fr::ONE;
    scalars[2] = Fr::ONE;
    bases[3] = Affine::IDENTITY;
    bases[5] = bases[4];
    scalars[5] = scalars[4];
    bases[9] = -bases[8];
    scalars[9] = scalars[8];
    let want = cpu(&bases, &scalars);
    let small: Vec<Fr> = (0..n).map(|_| Fr::from_u64(rng.random_range(0..1u64 << 20))).collect();
    let want_small = cpu(&bases, &small);
    for &c in windows {
        let w = max_precompute_levels(c);
        for levels in [2, 3, w - 1, w, w + 5] {
            let t = Instant::now();
            let table = GpuBases::<R, C>::with_precomputation(dev, &bases, levels, Some(c))
                .expect("precompute");
            assert_eq!(table.precompute_levels(), levels.min(w));
            let got = table.msm(&scalars, None).expect("device msm");
            eprintln!(
                "{} n = {n}, c = {c}, {levels} levels: {:.2?} on the device",
                C::NAME,
                t.elapsed()
            );
            assert_eq!(got, want, "{} c = {c}, {levels} levels", C::NAME);
            assert_eq!(table.msm(&small, Some(c)).expect("device msm"), want_small);
            assert!(matches!(table.msm(&scalars, Some(c + 1)), Err(GpuError::Unsupported { .. })));
        }
    }
    // Default window, one level (no table), chunks at offsets, scalars on the device.
    let one = GpuBases::<R, C>::with_precomputation(dev, &bases, 1, None).expect("precompute");
    assert_eq!(one.precompute_levels(), 1);
    assert_eq!(one.msm(&scalars, None).expect("device msm"), want);
    let table = GpuBases::<R, C>::with_precomputation(dev, &bases, 4, None).expect("precompute");
    assert!(table.is_resident());
    assert_eq!(table.msm(&scalars, None).expect("device msm"), want);
    if n > zkprove_gpu::MIN_CHUNK {
        let got = table.msm_chunked(&scalars, None, zkprove_gpu::MIN_CHUNK).expect("chunked");
        assert_eq!(got, want, "{} chunks over a table", C::NAME);
    }
    // Equal scalars over a table of one level per window: a bucket holds n·levels points (several
    // passes of the tree over its segment sums).
    let full = GpuBases::<R, C>::with_precomputation(dev, &bases, 64, None).expect("precompute");
    for s in [Fr::ONE, -Fr::ONE, Fr::from_u64(0x0101_0101_0101_0101)] {
        let equal = vec![s; n];
        let got = full.msm(&equal, None).expect("device msm");
        assert_eq!(got, cpu(&bases, &equal), "{} equal scalars over a full table", C::NAME);
    }
    let mut column = vec![Fr::from_u64(5); 3];
    column.extend_from_slice(&scalars);
    let on_device = GpuBuffer::upload(dev, &column).expect("upload");
    assert_eq!(table.msm_device(&on_device, 3, None).expect("device scalars"), want);
    // Key bases: a table on GPUs (or as ZKPROVE_GPU_PRECOMPUTE says), none on CPU devices.
    let forced = zkprove_gpu::config().precompute_levels.is_some();
    for reuse in [false, true] {
        let key = GpuBases::<R, C>::for_key(dev, &bases, reuse).expect("key bases");
        if !forced && (!reuse || !dev.is_gpu()) {
            assert_eq!(key.precompute_levels(), 1);
        }
        assert_eq!(key.msm(&scalars, None).expect("device msm"), want);
    }
    // No bases; bad windows.
    let empty = GpuBases::<R, C>::with_precomputation(dev, &[], 4, None).expect("empty");
    assert!(empty.msm(&[], None).expect("empty msm").is_identity());
    assert!(matches!(
        GpuBases::<R, C>::with_precomputation(dev, &bases, 4, Some(21)),
        Err(GpuError::Unsupported { .. })
    ));
}
