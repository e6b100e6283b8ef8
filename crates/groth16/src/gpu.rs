//! The GPU backends of zkprove-gpu as Groth16 backends: a whole proof in device memory.
//!
//! At load, the key's queries go to the device once ([`zkprove_gpu::GpuBases`], resident across
//! proofs), and so do its A and B matrices (CSR, [`zkprove_gpu::GpuCsr`]) with the tables of the
//! quotient's coset NTTs ([`zkprove_gpu::CosetNtt`]: both twiddle tables and the powers of the
//! shift). A proof ([`Groth16Backend::proof_msms`]) then:
//! 1. uploads the witness once (the only host → device copy of the proof);
//! 2. computes `a = A·w`, `b = B·w` (`fe_csr_mul_vec`), `c = a∘b`, moves each from the domain to
//!    the odd coset (iNTT, `shiftⁱ/n`, NTT: snarkjs's method, as [`crate::cpu_quotient`]) and
//!    forms `h = a·b − c` in place (`fe_mul_sub_kernel`), all on device buffers;
//! 3. queues the five MSMs — A, B1, B2 and C over the resident witness (C from an offset: no
//!    copy), H over the device-resident `h` — with [`zkprove_gpu::GpuBases::msm_enqueue`], each
//!    with the read-back of its window sums (a few dozen points) queued right behind its kernels;
//! 4. waits for those read-backs and combines the window sums on the host
//!    ([`Groth16Backend::proof_finish`]; steps 1–3 are [`Groth16Backend::proof_enqueue`]).
//!
//! No `n`-sized array comes back to the host on this path: the downloads are the MSMs' window
//! sums only. [`crate::Groth16Prover::h_scalars`] reads `h` back, for tests and inspection, and is
//! not part of a proof.
//!
//! ## What overlaps
//! Everything of steps 2 and 3 is queued on the device's one stream (CUDA) or in-order queue
//! (OpenCL) without a host synchronisation in between: the coset tables and twiddles are already
//! resident, scratch buffers are freed in stream order (CUDA `cuMemFreeAsync`; OpenCL's release
//! waits for the commands using them), and the window sums are read back only after the last MSM
//! is queued, so the device runs the ~40 kernels of a proof back to back while the host only
//! queues them; the host waits once, for the first read-back. The host syncs that remain: the
//! witness upload (it copies from a borrowed slice, so it returns once the copy is done: before
//! any kernel of the proof is queued, nothing is lost), bases too large to stay resident (uploaded
//! per chunk by each MSM), and, on a CUDA context without stream-ordered allocation, every free.
//!
//! On CUDA, uploads (the witness here) run on the device's transfer stream and wait for that
//! stream only ([`zkprove_gpu::Runtime::upload_bytes`]): when several threads prove on one
//! device, a proof's witness upload overlaps the kernels of the proof before it instead of
//! queueing behind them, and its kernels start as soon as the earlier ones are done. OpenCL keeps
//! its one in-order queue (an upload there waits for the queued kernels). From one thread,
//! [`crate::Groth16Prover::prove_stream`] keeps two proofs in flight: the next witness goes up and
//! its proof is queued before the current proof is waited for, so the device runs proofs back to
//! back while the host combines, blinds and verifies the previous one (the read-backs being queued
//! behind each MSM's own kernels, the next proof's kernels do not delay them). None of this has
//! been measured on a GPU yet (`zkprove bench groth16 --stream` compares it with one proof at a
//! time).
//!
//! ## Precomputed bases
//! A key loaded for many proofs ([`crate::KeyUse::ManyProofs`], the default of
//! [`crate::Groth16Prover::load`]) keeps each query with precomputed multiples
//! ([`zkprove_gpu::GpuBases::for_key`]: level `j` holds `2^(c·j)·P`, made on the device at load)
//! when the device is a GPU and the table fits in an eighth of its free memory, so a proof's MSMs
//! run one bucket reduction per group of windows instead of one per window. A key loaded for one
//! proof (`zkprove groth16 prove`) gets none: the table costs more to build than one proof saves.
//! `ZKPROVE_GPU_PRECOMPUTE=L` sets the levels either way (1: none). Not measured on a GPU yet.

use std::sync::Arc;

use zkprove_curve::Affine;
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_field::bn254::Fr;
use zkprove_gpu::{
    ClBuffer, ClDevice, CosetNtt, CudaBackend, CudaDevice, DeviceBuffer, FieldOp, GpuBases,
    GpuBuffer, GpuCsr, GpuError, OpenClBackend, PendingMsm, Runtime, field_op, mul_sub_assign,
};

use crate::matrix::SparseMatrix;
use crate::prover::{KeyQueries, QueryMsms};
use crate::{Groth16Backend, Groth16Error, KeyUse};

fn gpu_err<R: Runtime>(e: GpuError) -> Groth16Error {
    Groth16Error::Backend { reason: format!("{}: {e}", R::BACKEND) }
}

/// A key query resident on the device for the key's life, with precomputed multiples for a key
/// that serves many proofs where the device has room ([`GpuBases::for_key`]).
fn key_bases<R: Runtime, C: zkprove_gpu::GpuCurve>(
    device: &Arc<R>,
    points: &[Affine<C>],
    key_use: KeyUse,
) -> Result<GpuBases<R, C>, Groth16Error> {
    GpuBases::for_key(device, points, key_use == KeyUse::ManyProofs).map_err(gpu_err::<R>)
}

/// A Groth16 key's A and B matrices resident on a device, with the tables of the quotient's coset
/// NTTs (a GPU backend's [`Groth16Backend::Matrices`]).
pub struct DeviceMatrices<R: Runtime> {
    device: Arc<R>,
    a: GpuCsr<R, Fr>,
    b: GpuCsr<R, Fr>,
    coset: CosetNtt<R, Fr>,
}

impl<R: Runtime> core::fmt::Debug for DeviceMatrices<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceMatrices")
            .field("a", &self.a)
            .field("b", &self.b)
            .field("coset", &self.coset)
            .finish()
    }
}

impl<R: Runtime> DeviceMatrices<R> {
    fn new(
        device: &Arc<R>,
        a: &SparseMatrix,
        b: &SparseMatrix,
        n_vars: usize,
        shift: Fr,
    ) -> Result<Self, Groth16Error> {
        let n = a.n_rows();
        if !n.is_power_of_two() || b.n_rows() != n {
            return Err(Groth16Error::Backend {
                reason: format!(
                    "{}: matrices of {n} and {} rows (a power of two, the same for both)",
                    R::BACKEND,
                    b.n_rows()
                ),
            });
        }
        let upload = |m: &SparseMatrix| {
            let (row_start, cols, value_index, values) = m.csr_parts();
            GpuCsr::new(device, row_start, cols, value_index, values, n_vars).map_err(gpu_err::<R>)
        };
        let coset = CosetNtt::new(device, n.trailing_zeros() as usize, shift)?;
        Ok(Self { device: device.clone(), a: upload(a)?, b: upload(b)?, coset })
    }

    /// The quotient's scalars `a'·b' − c'` on the coset from a device-resident witness, queued
    /// without a host synchronisation (see the module docs).
    fn quotient_of(&self, w: &GpuBuffer<R, Fr>) -> Result<GpuBuffer<R, Fr>, Groth16Error> {
        let err = gpu_err::<R>;
        let mut a = self.a.mul_vec(w).map_err(err)?;
        let mut b = self.b.mul_vec(w).map_err(err)?;
        let mut c = field_op(FieldOp::Mul, &a, Some(&b)).map_err(err)?;
        for x in [&mut a, &mut b, &mut c] {
            self.coset.apply(x)?;
        }
        mul_sub_assign(&mut a, &b, &c).map_err(err)?;
        Ok(a)
    }

    fn quotient(&self, witness: &[Fr]) -> Result<GpuBuffer<R, Fr>, Groth16Error> {
        let w = GpuBuffer::upload(&self.device, witness).map_err(gpu_err::<R>)?;
        self.quotient_of(&w)
    }

    /// Queues a proof from one upload of the witness: the quotient, the five MSMs and the
    /// read-backs of their window sums (see the module docs), without waiting for the device.
    #[allow(clippy::too_many_arguments)]
    fn proof_enqueue(
        &self,
        a: &GpuBases<R, G1Config>,
        b1: &GpuBases<R, G1Config>,
        b2: &GpuBases<R, G2Config>,
        c: &GpuBases<R, G1Config>,
        h: &GpuBases<R, G1Config>,
        n_public: usize,
        witness: &[Fr],
    ) -> Result<DevicePendingProof<R>, Groth16Error> {
        let err = gpu_err::<R>;
        // ZKPROVE_GPU_PROFILE=1: wait after each phase and print its time (as the device MSMs do).
        let profile = zkprove_gpu::profiling();
        let mut t = std::time::Instant::now();
        let mut mark = |phase: &str| -> Result<(), Groth16Error> {
            if profile {
                self.device.synchronize().map_err(err)?;
                eprintln!("groth16 phase {phase}: {:.3} ms", t.elapsed().as_secs_f64() * 1e3);
                t = std::time::Instant::now();
            }
            Ok(())
        };
        let w = GpuBuffer::upload(&self.device, witness).map_err(err)?;
        mark("witness upload")?;
        let hs = self.quotient_of(&w)?;
        mark("quotient")?;
        // Queued back to back, each MSM's read-back right behind its kernels.
        let pending = DevicePendingProof {
            h: h.msm_enqueue(&hs, 0, None).map_err(err)?,
            a: a.msm_enqueue(&w, 0, None).map_err(err)?,
            b1: b1.msm_enqueue(&w, 0, None).map_err(err)?,
            b2: b2.msm_enqueue(&w, 0, None).map_err(err)?,
            c: c.msm_enqueue(&w, n_public + 1, None).map_err(err)?,
        };
        // Freed in queue order, once the kernels above are done with them.
        drop((w, hs));
        mark("queue the MSMs")?;
        Ok(pending)
    }
}

/// A proof queued on a device by [`Groth16Backend::proof_enqueue`] (a GPU backend's
/// [`Groth16Backend::PendingProof`]): its five MSMs with their read-backs queued.
pub struct DevicePendingProof<R: Runtime> {
    h: PendingMsm<R, G1Config>,
    a: PendingMsm<R, G1Config>,
    b1: PendingMsm<R, G1Config>,
    b2: PendingMsm<R, G2Config>,
    c: PendingMsm<R, G1Config>,
}

impl<R: Runtime> core::fmt::Debug for DevicePendingProof<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DevicePendingProof").field("backend", &R::BACKEND).finish()
    }
}

impl<R: Runtime> DevicePendingProof<R> {
    /// Waits for the read-backs (the first wait is the proof's one wait on the device) and
    /// combines each MSM's window sums.
    fn finish(self) -> Result<QueryMsms, Groth16Error> {
        let err = gpu_err::<R>;
        Ok(QueryMsms {
            h: self.h.finish().map_err(err)?,
            a: self.a.finish().map_err(err)?,
            b1: self.b1.finish().map_err(err)?,
            b2: self.b2.finish().map_err(err)?,
            c: self.c.finish().map_err(err)?,
        })
    }
}

impl Groth16Backend for CudaBackend {
    type Matrices = DeviceMatrices<CudaDevice>;
    type PendingProof = DevicePendingProof<CudaDevice>;

    fn upload(values: Vec<Fr>) -> Result<DeviceBuffer<Fr>, Groth16Error> {
        let dev = CudaDevice::get().map_err(gpu_err::<CudaDevice>)?;
        DeviceBuffer::upload(&dev, &values).map_err(gpu_err::<CudaDevice>)
    }

    fn download(column: DeviceBuffer<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        column.download().map_err(gpu_err::<CudaDevice>)
    }

    fn prepare_matrices(
        a: &SparseMatrix,
        b: &SparseMatrix,
        n_vars: usize,
        shift: Fr,
    ) -> Result<Self::Matrices, Groth16Error> {
        let dev = CudaDevice::get().map_err(gpu_err::<CudaDevice>)?;
        DeviceMatrices::new(&dev, a, b, n_vars, shift)
    }

    fn prepare_key_g1(
        points: Vec<Affine<G1Config>>,
        key_use: KeyUse,
    ) -> Result<GpuBases<CudaDevice, G1Config>, Groth16Error> {
        key_bases(&CudaDevice::get().map_err(gpu_err::<CudaDevice>)?, &points, key_use)
    }

    fn prepare_key_g2(
        points: Vec<Affine<G2Config>>,
        key_use: KeyUse,
    ) -> Result<GpuBases<CudaDevice, G2Config>, Groth16Error> {
        key_bases(&CudaDevice::get().map_err(gpu_err::<CudaDevice>)?, &points, key_use)
    }

    fn quotient(
        matrices: &Self::Matrices,
        witness: &[Fr],
    ) -> Result<Option<DeviceBuffer<Fr>>, Groth16Error> {
        matrices.quotient(witness).map(Some)
    }

    fn proof_enqueue(
        key: KeyQueries<'_, Self>,
        witness: &[Fr],
    ) -> Result<Option<DevicePendingProof<CudaDevice>>, Groth16Error> {
        let KeyQueries { matrices, a, b1, b2, c, h, n_public } = key;
        matrices.proof_enqueue(a, b1, b2, c, h, n_public, witness).map(Some)
    }

    fn proof_finish(pending: DevicePendingProof<CudaDevice>) -> Result<QueryMsms, Groth16Error> {
        pending.finish()
    }
}

impl Groth16Backend for OpenClBackend {
    type Matrices = DeviceMatrices<ClDevice>;
    type PendingProof = DevicePendingProof<ClDevice>;

    fn upload(values: Vec<Fr>) -> Result<ClBuffer<Fr>, Groth16Error> {
        let dev = ClDevice::get().map_err(gpu_err::<ClDevice>)?;
        ClBuffer::upload(&dev, &values).map_err(gpu_err::<ClDevice>)
    }

    fn download(column: ClBuffer<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        column.download().map_err(gpu_err::<ClDevice>)
    }

    fn prepare_matrices(
        a: &SparseMatrix,
        b: &SparseMatrix,
        n_vars: usize,
        shift: Fr,
    ) -> Result<Self::Matrices, Groth16Error> {
        let dev = ClDevice::get().map_err(gpu_err::<ClDevice>)?;
        DeviceMatrices::new(&dev, a, b, n_vars, shift)
    }

    fn prepare_key_g1(
        points: Vec<Affine<G1Config>>,
        key_use: KeyUse,
    ) -> Result<GpuBases<ClDevice, G1Config>, Groth16Error> {
        key_bases(&ClDevice::get().map_err(gpu_err::<ClDevice>)?, &points, key_use)
    }

    fn prepare_key_g2(
        points: Vec<Affine<G2Config>>,
        key_use: KeyUse,
    ) -> Result<GpuBases<ClDevice, G2Config>, Groth16Error> {
        key_bases(&ClDevice::get().map_err(gpu_err::<ClDevice>)?, &points, key_use)
    }

    fn quotient(
        matrices: &Self::Matrices,
        witness: &[Fr],
    ) -> Result<Option<ClBuffer<Fr>>, Groth16Error> {
        matrices.quotient(witness).map(Some)
    }

    fn proof_enqueue(
        key: KeyQueries<'_, Self>,
        witness: &[Fr],
    ) -> Result<Option<DevicePendingProof<ClDevice>>, Groth16Error> {
        let KeyQueries { matrices, a, b1, b2, c, h, n_public } = key;
        matrices.proof_enqueue(a, b1, b2, c, h, n_public, witness).map(Some)
    }

    fn proof_finish(pending: DevicePendingProof<ClDevice>) -> Result<QueryMsms, Groth16Error> {
        pending.finish()
    }
}
