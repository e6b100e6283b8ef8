//! Differential tests shared by the OpenCL and CUDA test binaries: every field kernel against
//! crates/field, every NTT against zkprove-poly's CPU backend.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::babybear::{self, BabyBear};
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::goldilocks::{self, Goldilocks};
use zkprove_field::m31::{self, M31};
use zkprove_field::{Field, PrimeField, TwoAdicField};
use zkprove_gpu::{
    FieldOp, GpuBuffer, GpuError, GpuField, Runtime, batch_inverse, field_op, ntt_batch_on,
};
use zkprove_poly::{Backend, CpuBackend, Direction, NttOps, Order, PolyError};

/// Whether the test must fail (rather than skip) when no device is present.
pub fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

/// The CUDA device the tests run on (configured from the `ZKPROVE_GPU_*` variables), or `None`
/// (the caller skips) when there is none or no NVRTC/prebuilt kernels — a failure instead when
/// `ZKPROVE_REQUIRE_CUDA=1`.
#[cfg(feature = "cuda")]
pub fn cuda_device() -> Option<Arc<zkprove_gpu::CudaDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    let dev = match zkprove_gpu::CudaDevice::get() {
        Ok(d) => d,
        Err(e) => {
            assert!(!required("ZKPROVE_REQUIRE_CUDA"), "ZKPROVE_REQUIRE_CUDA=1 but: {e}");
            eprintln!("skipped: no CUDA device ({e})");
            return None;
        }
    };
    if !zkprove_gpu::nvrtc::is_available() && std::env::var_os(zkprove_gpu::CUBIN_DIR_ENV).is_none()
    {
        eprintln!("skipped: {}", GpuError::NoNvrtc);
        return None;
    }
    Some(dev)
}

/// The OpenCL device the tests run on (configured from the `ZKPROVE_GPU_*` variables), or
/// `None` (the caller skips) when there is none — a failure instead when
/// `ZKPROVE_REQUIRE_OPENCL=1`.
#[cfg(feature = "opencl")]
pub fn opencl_device() -> Option<Arc<zkprove_gpu::ClDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    match zkprove_gpu::ClDevice::get() {
        Ok(d) => Some(d),
        Err(e) => {
            assert!(!required("ZKPROVE_REQUIRE_OPENCL"), "ZKPROVE_REQUIRE_OPENCL=1 but: {e}");
            eprintln!("skipped: no OpenCL device ({e})");
            None
        }
    }
}

/// `p − 1` of a prime field, built from its modulus.
pub fn minus_one<F: Field>() -> F {
    -F::ONE
}

fn edge_values<F: Field>(extra: &[F]) -> Vec<F> {
    let mut v = vec![F::ZERO, F::ONE, minus_one::<F>(), F::TWO, -F::TWO];
    v.extend_from_slice(extra);
    v
}

/// Edge cases of each field, including non-canonical representatives where the field allows them.
pub fn fr_edges() -> Vec<Fr> {
    edge_values(&[])
}
pub fn fq_edges() -> Vec<Fq> {
    edge_values(&[])
}
pub fn goldilocks_edges() -> Vec<Goldilocks> {
    let p = goldilocks::P;
    edge_values(&[
        Goldilocks::new(p),
        Goldilocks::new(p + 1),
        Goldilocks::new(u64::MAX),
        Goldilocks::new(u64::MAX - 1),
        Goldilocks::new(1 << 32),
        Goldilocks::new((1 << 32) - 1),
    ])
}
pub fn babybear_edges() -> Vec<BabyBear> {
    edge_values(&[BabyBear::new(babybear::P - 1), BabyBear::new(1 << 27)])
}
pub fn m31_edges() -> Vec<M31> {
    edge_values(&[M31::new(m31::P - 1), M31::new(1 << 30)])
}

fn cpu_op<F: Field>(op: FieldOp, a: F, b: F) -> F {
    match op {
        FieldOp::Add => a + b,
        FieldOp::Sub => a - b,
        FieldOp::Mul => a * b,
        FieldOp::Square => a.square(),
        FieldOp::Inverse => a.inverse().unwrap_or(F::ZERO),
    }
}

/// Every element-wise kernel of field `F` on all pairs of edge values plus `n_random` random pairs.
pub fn check_field_ops<R: Runtime, F: GpuField + PrimeField>(
    dev: &Arc<R>,
    edges: &[F],
    n_random: usize,
) {
    let mut rng = StdRng::seed_from_u64(0x5eed_0000 + F::KIND as u64);
    let mut a = Vec::new();
    let mut b = Vec::new();
    for x in edges {
        for y in edges {
            a.push(*x);
            b.push(*y);
        }
    }
    for _ in 0..n_random {
        a.push(F::random(&mut rng));
        b.push(F::random(&mut rng));
    }
    let da = GpuBuffer::<R, F>::upload(dev, &a).expect("upload a");
    let db = GpuBuffer::<R, F>::upload(dev, &b).expect("upload b");
    assert_eq!(da.download().expect("download"), a, "{:?}: upload round trip", F::KIND);
    for op in FieldOp::ALL {
        let out = field_op(op, &da, Some(&db)).expect("kernel").download().expect("download");
        for i in 0..a.len() {
            let want = cpu_op(op, a[i], b[i]);
            assert_eq!(out[i], want, "{:?} {op:?} at {i}: a = {}, b = {}", F::KIND, a[i], b[i]);
        }
    }
    // Batch inverse: zeros kept, chunks of several sizes (including one longer than the input).
    let mut c = a.clone();
    for i in (0..c.len()).step_by(7) {
        c[i] = F::ZERO;
    }
    let dc = GpuBuffer::<R, F>::upload(dev, &c).expect("upload c");
    for chunk in [1, 16, 100_000] {
        let inv = batch_inverse(&dc, chunk).expect("batch inverse").download().expect("download");
        for i in 0..c.len() {
            assert_eq!(
                inv[i],
                c[i].inverse().unwrap_or(F::ZERO),
                "{:?} batch inverse at {i}",
                F::KIND
            );
        }
    }
    // Errors, not panics, on bad operands.
    let short = GpuBuffer::<R, F>::upload(dev, &a[..3]).expect("upload");
    assert!(matches!(
        field_op(FieldOp::Add, &da, Some(&short)),
        Err(GpuError::LengthMismatch { .. })
    ));
    assert!(matches!(field_op(FieldOp::Mul, &da, None), Err(GpuError::LengthMismatch { .. })));
}

const ORDERS: [Order; 3] =
    [Order::NaturalToNatural, Order::NaturalToBitReversed, Order::BitReversedToNatural];

/// NTTs of every size `2^0 … 2^max_log_n`, both directions, all orders, subgroup and coset, single
/// columns through the backend's `NttOps` and a batch of columns in one buffer, against the CPU
/// backend; then the error cases.
pub fn check_ntt<R, B, F>(dev: &Arc<R>, max_log_n: usize)
where
    R: Runtime,
    F: GpuField + TwoAdicField,
    B: NttOps<F> + Backend<Column<F> = GpuBuffer<R, F>>,
    CpuBackend: NttOps<F>,
{
    let start = Instant::now();
    let mut rng = StdRng::seed_from_u64(0x177 + F::KIND as u64);
    let coset = F::from_u64(7);
    for log_n in 0..=max_log_n {
        let n = 1usize << log_n;
        let data: Vec<F> = (0..n).map(|_| F::random(&mut rng)).collect();
        for direction in [Direction::Forward, Direction::Inverse] {
            for order in ORDERS {
                for shift in [F::ONE, coset] {
                    let mut want = vec![data.clone()];
                    CpuBackend::ntt_batch(&mut want, direction, order, shift).expect("cpu ntt");
                    let mut cols = vec![GpuBuffer::<R, F>::upload(dev, &data).expect("upload")];
                    B::ntt_batch(&mut cols, direction, order, shift).expect("device ntt");
                    let got = cols[0].download().expect("download");
                    assert!(
                        got == want[0],
                        "{:?} 2^{log_n} {direction:?} {order:?} shift {shift}: differs from the CPU backend",
                        F::KIND
                    );
                }
            }
        }
    }
    // A batch of columns in one buffer, and several buffers through NttOps, at a mid size.
    let log_n = max_log_n.min(9);
    let n = 1usize << log_n;
    let n_cols = 3;
    let cols: Vec<Vec<F>> =
        (0..n_cols).map(|_| (0..n).map(|_| F::random(&mut rng)).collect()).collect();
    for direction in [Direction::Forward, Direction::Inverse] {
        for order in ORDERS {
            let mut want = cols.clone();
            CpuBackend::ntt_batch(&mut want, direction, order, coset).expect("cpu ntt");
            let flat: Vec<F> = cols.concat();
            let mut buf = GpuBuffer::<R, F>::upload(dev, &flat).expect("upload");
            ntt_batch_on(&mut buf, log_n, direction, order, coset).expect("device batch ntt");
            assert!(
                buf.download().expect("download") == want.concat(),
                "{:?} contiguous batch {direction:?} {order:?}",
                F::KIND
            );
            let mut dcols: Vec<_> =
                cols.iter().map(|c| GpuBuffer::<R, F>::upload(dev, c).expect("upload")).collect();
            B::ntt_batch(&mut dcols, direction, order, coset).expect("device ntt_batch");
            for (d, w) in dcols.iter().zip(&want) {
                assert!(
                    d.download().expect("download") == *w,
                    "{:?} NttOps batch {direction:?} {order:?}",
                    F::KIND
                );
            }
        }
    }
    // Errors as the CPU backend reports them.
    let mut one = vec![GpuBuffer::<R, F>::upload(dev, &cols[0]).expect("upload")];
    assert_eq!(
        B::ntt_batch(&mut one, Direction::Forward, Order::NaturalToNatural, F::ZERO),
        Err(PolyError::ZeroShift)
    );
    let mut uneven = vec![
        GpuBuffer::<R, F>::upload(dev, &cols[0]).expect("upload"),
        GpuBuffer::<R, F>::upload(dev, &cols[0][..n / 2]).expect("upload"),
    ];
    assert!(matches!(
        B::ntt_batch(&mut uneven, Direction::Forward, Order::NaturalToNatural, F::ONE),
        Err(PolyError::LengthMismatch { .. })
    ));
    let mut three = vec![GpuBuffer::<R, F>::upload(dev, &cols[0][..3]).expect("upload")];
    assert_eq!(
        B::ntt_batch(&mut three, Direction::Forward, Order::NaturalToNatural, F::ONE),
        Err(PolyError::NotPowerOfTwo { len: 3 })
    );
    let too_large = F::TWO_ADICITY + 1;
    assert!(matches!(
        ntt_batch_on(&mut one[0], too_large, Direction::Forward, Order::NaturalToNatural, F::ONE),
        Err(PolyError::TooLarge { .. })
    ));
    eprintln!("{:?}: NTT checks up to 2^{max_log_n} in {:.2?}", F::KIND, start.elapsed());
}
