//! The Groth16 prover, computing exactly what snarkjs and rapidsnark compute (see the crate docs).

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tracing::{debug, info_span};
use zkprove_circom::{G1Query, Groth16Header, Zkey, ZkeyReader};
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_curve::msm::{CpuBases, Endomorphism};
use zkprove_curve::{Affine, MsmOps, Projective};
use zkprove_field::bn254::Fr;
use zkprove_field::{Field, TwoAdicField};
use zkprove_poly::{Column, ColumnRef, CpuBackend, Direction, NttOps, Order, PointwiseOps};

use crate::matrix::SparseMatrix;
use crate::{Groth16Error, Proof, VerificationKey};

/// Which of the key's two matrices (the C matrix is never needed: on a satisfying witness
/// `C·w = (A·w)∘(B·w)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QapMatrix {
    /// The A matrix.
    A,
    /// The B matrix.
    B,
}

/// What a backend must provide to run the Groth16 prover, beyond NTTs over `Fr`, element-wise
/// arithmetic and MSMs in G1 and G2: the key's sparse A and B matrices in the backend's form and
/// their products with a witness column. The proof itself ([`Groth16Prover`],
/// [`StreamingProver`], [`Groth16Prover::prove_stream`]) is written once against these traits: the
/// CPU proof and the GPU proof are the same code.
pub trait Groth16Backend:
    NttOps<Fr> + PointwiseOps<Fr> + MsmOps<G1Config> + MsmOps<G2Config>
{
    /// The key's A and B matrices as the backend keeps them (host CSR on the CPU; resident on the
    /// device for a GPU, with the tables of the quotient's coset moves).
    type Matrices: Send + Sync;

    /// Takes the key's A and B matrices (one row per point of the domain of `2^log_n` points,
    /// column indices below `n_vars`) into the backend, once per key.
    ///
    /// # Errors
    /// [`Groth16Error::MatrixShape`] when a matrix does not have `2^log_n` rows; backend errors.
    fn prepare_matrices(
        a: SparseMatrix,
        b: SparseMatrix,
        n_vars: usize,
        log_n: usize,
    ) -> Result<Self::Matrices, Groth16Error>;

    /// `M·w` for the key's matrix `which`: one value per row (point of the domain).
    ///
    /// # Errors
    /// [`Groth16Error::WitnessLength`] when `w` is shorter than the matrices' columns; backend
    /// errors.
    fn mul_vec(
        matrices: &Self::Matrices,
        which: QapMatrix,
        w: &Self::Column<Fr>,
    ) -> Result<Self::Column<Fr>, Groth16Error>;

    /// `(A·w)∘(B·w)`, entry by entry (the CPU computes it without holding either product).
    ///
    /// # Errors
    /// As [`Groth16Backend::mul_vec`].
    fn mul_vec_product(
        matrices: &Self::Matrices,
        w: &Self::Column<Fr>,
    ) -> Result<Self::Column<Fr>, Groth16Error> {
        let mut a = Self::mul_vec(matrices, QapMatrix::A, w)?;
        let b = Self::mul_vec(matrices, QapMatrix::B, w)?;
        Self::mul_assign(&mut a, &b)?;
        Ok(a)
    }

    /// Moves a column of evaluations on the domain `H` (natural order) to evaluations on the
    /// quotient's coset `shift·H` ([`coset_shift`], natural order), in place: inverse NTT to
    /// bit-reversed coefficients, then the coset NTT back to natural order. Backends with the
    /// tables at hand (in `matrices`) may fuse the steps.
    ///
    /// # Errors
    /// NTT and backend errors.
    fn to_coset(matrices: &Self::Matrices, col: &mut Self::Column<Fr>) -> Result<(), Groth16Error> {
        let _ = matrices;
        let log_n = col.len().trailing_zeros() as usize;
        let col = core::slice::from_mut(col);
        Self::ntt_batch(col, Direction::Inverse, Order::NaturalToBitReversed, Fr::ONE)?;
        Self::ntt_batch(col, Direction::Forward, Order::BitReversedToNatural, coset_shift(log_n))?;
        Ok(())
    }

    /// Takes one of the key's G1 queries into the backend ([`MsmOps::prepare_bases`] unless a
    /// backend has a better choice for keys it keeps resident); `key_use` says whether the key
    /// serves one proof or many (worth a costlier preparation).
    ///
    /// # Errors
    /// When the backend cannot hold them.
    fn prepare_key_g1(
        points: Vec<Affine<G1Config>>,
        _key_use: KeyUse,
    ) -> Result<G1Bases<Self>, Groth16Error> {
        Ok(<Self as MsmOps<G1Config>>::prepare_bases(points)?)
    }

    /// Takes the key's G2 query (B2) into the backend, as [`Groth16Backend::prepare_key_g1`].
    ///
    /// # Errors
    /// When the backend cannot hold them.
    fn prepare_key_g2(
        points: Vec<Affine<G2Config>>,
        _key_use: KeyUse,
    ) -> Result<G2Bases<Self>, Groth16Error> {
        Ok(<Self as MsmOps<G2Config>>::prepare_bases(points)?)
    }
}

/// The five MSMs of a proof, before blinding.
#[derive(Clone, Copy, Debug)]
pub struct QueryMsms {
    /// `Σ wᵢ·Aᵢ`.
    pub a: Projective<G1Config>,
    /// `Σ wᵢ·B1ᵢ`.
    pub b1: Projective<G1Config>,
    /// `Σ wᵢ·B2ᵢ`.
    pub b2: Projective<G2Config>,
    /// `Σ w_{n_public+1+i}·Cᵢ`.
    pub c: Projective<G1Config>,
    /// `Σ hⱼ·Hⱼ` with `h` the quotient's scalars.
    pub h: Projective<G1Config>,
}

/// The coset of the quotient for a domain of `2^log_n` points: `ω_{2n}`, or snarkjs's
/// `Fr.shift` = 25 when `2n` exceeds the two-adicity (`n = 2^28`).
pub fn coset_shift(log_n: usize) -> Fr {
    match Fr::two_adic_generator(log_n + 1) {
        Some(root) => root,
        None => Fr::from_u64(25),
    }
}

/// The H query's scalars (`A·B − C` on the coset `shift·H`, natural order) from a witness column,
/// on backend `B`: the one quotient of every proof (see the crate docs). One column at a time
/// through the transforms, two at most alive (making `A·w` and `B·w` again for `c` costs less
/// than holding them): `h = a'·b' − c'` where `x'` is `x` moved from `H` to `shift·H`.
///
/// # Errors
/// As [`Groth16Backend::mul_vec`] and [`Groth16Backend::to_coset`].
pub fn quotient<B: Groth16Backend>(
    matrices: &B::Matrices,
    w: &B::Column<Fr>,
) -> Result<B::Column<Fr>, Groth16Error> {
    let _span = info_span!("quotient", backend = B::NAME).entered();
    let mut h = B::mul_vec(matrices, QapMatrix::A, w)?;
    B::to_coset(matrices, &mut h)?;
    let mut b = B::mul_vec(matrices, QapMatrix::B, w)?;
    B::to_coset(matrices, &mut b)?;
    B::mul_assign(&mut h, &b)?;
    drop(b);
    let mut c = B::mul_vec_product(matrices, w)?;
    B::to_coset(matrices, &mut c)?;
    B::sub_assign(&mut h, &c)?;
    Ok(h)
}

/// The H query's scalars computed on the CPU from the A and B matrices (one row per point of the
/// domain of `2^log_n` points) and a witness: what every backend's [`quotient`] must equal.
///
/// # Errors
/// [`Groth16Error::WitnessLength`] when the witness is shorter than a matrix's column indices
/// need, [`Groth16Error::MatrixShape`] when a matrix does not have `2^log_n` rows, NTT errors.
pub fn cpu_quotient(
    a: &SparseMatrix,
    b: &SparseMatrix,
    witness: &[Fr],
    log_n: usize,
) -> Result<Vec<Fr>, Groth16Error> {
    check_matrix_rows(a, b, log_n)?;
    let needed = a.n_cols_used().max(b.n_cols_used());
    if witness.len() < needed {
        return Err(Groth16Error::WitnessLength { expected: needed, got: witness.len() });
    }
    // Written out step by step, independently of [`quotient`]'s backend primitives: a, b and
    // c = a∘b on H, each moved to shift·H by iNTT + coset NTT, then a·b − c.
    let shift = coset_shift(log_n);
    let a = a.mul_vec(witness);
    let b = b.mul_vec(witness);
    let c: Vec<Fr> = a.iter().zip(&b).map(|(x, y)| *x * *y).collect();
    let mut cols = [a, b, c];
    CpuBackend::ntt_batch(&mut cols, Direction::Inverse, Order::NaturalToNatural, Fr::ONE)?;
    CpuBackend::ntt_batch(&mut cols, Direction::Forward, Order::NaturalToNatural, shift)?;
    let [a, b, c] = cols;
    Ok(a.iter().zip(&b).zip(&c).map(|((x, y), z)| *x * *y - *z).collect())
}

/// The CPU backend's [`Groth16Backend::Matrices`]: the host CSR matrices.
#[derive(Clone, Debug)]
pub struct CpuMatrices {
    a: SparseMatrix,
    b: SparseMatrix,
    /// The number of witness values the matrices read (one past the largest column index).
    n_cols: usize,
}

/// That the A and B matrices have one row per point of the domain of `2^log_n` points: what every
/// [`Groth16Backend::prepare_matrices`] checks first.
///
/// # Errors
/// [`Groth16Error::MatrixShape`].
pub fn check_matrix_rows(
    a: &SparseMatrix,
    b: &SparseMatrix,
    log_n: usize,
) -> Result<(), Groth16Error> {
    let n = 1usize.checked_shl(log_n as u32).unwrap_or(0);
    if a.n_rows() != n || b.n_rows() != n {
        return Err(Groth16Error::MatrixShape { a_rows: a.n_rows(), b_rows: b.n_rows(), log_n });
    }
    Ok(())
}

/// The most points per query for which the CPU backend splits scalars with the GLV endomorphism,
/// computing `φ(Pᵢ)` during each MSM (a transient copy of that query). Above it the key's bases are
/// most of the prover's memory and the copy would raise the peak by up to a B2 query's size: at
/// 2^16 the proof peaked at 57 MB with the split against 45 MB without it (the zkey is 31 MB), for
/// 4–5 % more time (BENCHMARKS.md).
///
/// Splitting the one-shot proof's G1 queries at every size was tried (2026-12-07, wip-g16avx2:
/// for G1 the transient copy is only the images' x coordinates): 0.97× the proof's CPU time at
/// 2^16 on the AVX2 path, but the peak memory went from 0.41× to 0.49× rapidsnark's, at the
/// edge of issue 20's 0.5× goal, so the bound applies to G1 too.
pub const CPU_KEY_ENDOMORPHISM_MAX_POINTS: usize = 1 << 14;

fn cpu_key_endomorphism(n: usize) -> Endomorphism {
    if n > CPU_KEY_ENDOMORPHISM_MAX_POINTS { Endomorphism::Off } else { Endomorphism::Auto }
}

impl Groth16Backend for CpuBackend {
    type Matrices = CpuMatrices;

    fn prepare_matrices(
        a: SparseMatrix,
        b: SparseMatrix,
        _n_vars: usize,
        log_n: usize,
    ) -> Result<CpuMatrices, Groth16Error> {
        check_matrix_rows(&a, &b, log_n)?;
        let n_cols = a.n_cols_used().max(b.n_cols_used());
        Ok(CpuMatrices { a, b, n_cols })
    }

    fn mul_vec(m: &CpuMatrices, which: QapMatrix, w: &Vec<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        let matrix = match which {
            QapMatrix::A => &m.a,
            QapMatrix::B => &m.b,
        };
        check_witness_cols(m, w)?;
        Ok(matrix.mul_vec(w))
    }

    fn mul_vec_product(m: &CpuMatrices, w: &Vec<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        check_witness_cols(m, w)?;
        Ok(m.a.mul_vec_product(&m.b, w))
    }

    /// The two transforms of the default with their scaling passes fused
    /// ([`zkprove_poly::coset_move`]).
    fn to_coset(_m: &CpuMatrices, col: &mut Vec<Fr>) -> Result<(), Groth16Error> {
        let log_n = col.len().trailing_zeros() as usize;
        zkprove_poly::coset_move(col, coset_shift(log_n))?;
        Ok(())
    }

    fn prepare_key_g1(
        points: Vec<Affine<G1Config>>,
        _key_use: KeyUse,
    ) -> Result<CpuBases<G1Config>, Groth16Error> {
        let e = cpu_key_endomorphism(points.len());
        Ok(CpuBases::prepare(points, 1, e))
    }

    fn prepare_key_g2(
        points: Vec<Affine<G2Config>>,
        _key_use: KeyUse,
    ) -> Result<CpuBases<G2Config>, Groth16Error> {
        let e = cpu_key_endomorphism(points.len());
        Ok(CpuBases::prepare(points, 1, e))
    }
}

/// A witness long enough for every column index of the matrices.
fn check_witness_cols(m: &CpuMatrices, w: &[Fr]) -> Result<(), Groth16Error> {
    if w.len() < m.n_cols {
        return Err(Groth16Error::WitnessLength { expected: m.n_cols, got: w.len() });
    }
    Ok(())
}

type G1Bases<B> = <B as MsmOps<G1Config>>::Bases;
type G2Bases<B> = <B as MsmOps<G2Config>>::Bases;

/// How a proving key will be used: backends may spend more at load on a key that serves many
/// proofs (the GPU backends keep its bases with precomputed multiples) and nothing extra on one
/// loaded for a single proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// One proof, then the key is dropped (`zkprove groth16 prove`, [`StreamingProver`]).
    OneProof,
    /// Many proofs with the key kept loaded (a proving service, benchmarks).
    ManyProofs,
}

/// A Groth16 proving key loaded once and kept resident: `prove` can be called any number of times
/// (from several threads: the prover is `Sync`), and on a GPU backend the bases stay on the device.
pub struct Groth16Prover<B: Groth16Backend = CpuBackend> {
    header: Groth16Header,
    vk: VerificationKey,
    matrices: B::Matrices,
    a: G1Bases<B>,
    b1: G1Bases<B>,
    b2: G2Bases<B>,
    c: G1Bases<B>,
    h: G1Bases<B>,
}

/// A proof's five MSMs started on backend `B` ([`MsmOps::msm_enqueue`]): queued on a device, or
/// already computed on the CPU.
pub struct PendingProof<B: Groth16Backend> {
    h: <B as MsmOps<G1Config>>::PendingMsm,
    a: <B as MsmOps<G1Config>>::PendingMsm,
    b1: <B as MsmOps<G1Config>>::PendingMsm,
    b2: <B as MsmOps<G2Config>>::PendingMsm,
    c: <B as MsmOps<G1Config>>::PendingMsm,
}

impl<B: Groth16Backend> core::fmt::Debug for PendingProof<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingProof").field("backend", &B::NAME).finish()
    }
}

impl<B: Groth16Backend> PendingProof<B> {
    /// Waits for the five MSMs (on a device, the first wait is the proof's one wait).
    ///
    /// # Errors
    /// Backend errors, including those of the queued work.
    pub fn finish(self) -> Result<QueryMsms, Groth16Error> {
        let _span = info_span!("msm_finish", backend = B::NAME).entered();
        Ok(QueryMsms {
            h: <B as MsmOps<G1Config>>::msm_finish(self.h)?,
            a: <B as MsmOps<G1Config>>::msm_finish(self.a)?,
            b1: <B as MsmOps<G1Config>>::msm_finish(self.b1)?,
            b2: <B as MsmOps<G2Config>>::msm_finish(self.b2)?,
            c: <B as MsmOps<G1Config>>::msm_finish(self.c)?,
        })
    }
}

impl<B: Groth16Backend> Groth16Prover<B> {
    /// Reads a snarkjs `.zkey` (Groth16, BN254) and prepares it for many proofs
    /// ([`KeyUse::ManyProofs`]).
    ///
    /// # Errors
    /// [`Groth16Error::Format`] for unreadable, foreign or inconsistent files; backend errors.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Groth16Error> {
        Self::load_for(path, KeyUse::ManyProofs)
    }

    /// [`Groth16Prover::load`] for the given use of the key (a backend may prepare a key that
    /// serves many proofs at a higher cost, e.g. the GPU backends' precomputed bases).
    ///
    /// # Errors
    /// As [`Groth16Prover::load`].
    pub fn load_for(path: impl AsRef<Path>, key_use: KeyUse) -> Result<Self, Groth16Error> {
        let _span = info_span!("zkey_load").entered();
        let start = Instant::now();
        let zkey = Zkey::open(path.as_ref())?;
        debug!(elapsed_ms = start.elapsed().as_millis() as u64, "zkey parsed");
        Self::from_zkey_for(zkey, key_use)
    }

    /// Prepares a parsed zkey for many proofs (consumes it: the point vectors move into the
    /// backend without a copy on the CPU).
    ///
    /// # Errors
    /// [`Groth16Error::DomainTooLarge`] beyond `2^28`; backend errors.
    pub fn from_zkey(zkey: Zkey) -> Result<Self, Groth16Error> {
        Self::from_zkey_for(zkey, KeyUse::ManyProofs)
    }

    /// [`Groth16Prover::from_zkey`] for the given use of the key.
    ///
    /// # Errors
    /// As [`Groth16Prover::from_zkey`].
    pub fn from_zkey_for(zkey: Zkey, key_use: KeyUse) -> Result<Self, Groth16Error> {
        let Zkey { header, ic, coeffs, a, b1, b2, c, h } = zkey;
        let log_n = header.log_domain_size() as usize;
        if log_n > Fr::TWO_ADICITY {
            return Err(Groth16Error::DomainTooLarge { log_n });
        }
        let n = header.domain_size as usize;
        let (a_matrix, b_matrix) = SparseMatrix::from_coeffs_ab(&coeffs, n);
        drop(coeffs);
        let vk = crate::verification_key(&header, &ic);
        let matrices = B::prepare_matrices(a_matrix, b_matrix, header.n_vars as usize, log_n)?;
        Ok(Self {
            header,
            vk,
            matrices,
            a: B::prepare_key_g1(a, key_use)?,
            b1: B::prepare_key_g1(b1, key_use)?,
            b2: B::prepare_key_g2(b2, key_use)?,
            c: B::prepare_key_g1(c, key_use)?,
            h: B::prepare_key_g1(h, key_use)?,
        })
    }

    /// The key's sizes and fixed points.
    pub fn header(&self) -> &Groth16Header {
        &self.header
    }

    /// The verification key of this proving key (what `snarkjs zkey export verificationkey`
    /// writes).
    pub fn verification_key(&self) -> &VerificationKey {
        &self.vk
    }

    /// A proof with fresh randomness `r, s` from the operating system's generator.
    ///
    /// # Errors
    /// [`Groth16Error::WitnessLength`] when the witness does not have one value per signal;
    /// backend errors. A witness that does not satisfy the circuit yields a proof that does not
    /// verify: [`Groth16Prover::prove_verified`] catches that.
    pub fn prove(&self, witness: &[Fr]) -> Result<Proof, Groth16Error> {
        let (r, s) = random_blinding();
        self.prove_with_blinding(witness, r, s)
    }

    /// [`Groth16Prover::prove`], then [`crate::verify`] against this key's verification key: a
    /// proof is only returned if it verifies.
    ///
    /// # Errors
    /// As [`Groth16Prover::prove`], and [`Groth16Error::InvalidProof`] when the proof does not
    /// verify (a witness that does not satisfy the circuit, or a fault).
    pub fn prove_verified(&self, witness: &[Fr]) -> Result<Proof, Groth16Error> {
        let proof = self.prove(witness)?;
        let n_public = self.header.n_public as usize;
        let _span = info_span!("verify").entered();
        crate::verify(&self.vk, &witness[1..=n_public], &proof)?;
        Ok(proof)
    }

    /// The public signals of a witness: `witness[1..=n_public]` (outputs, then public inputs).
    ///
    /// # Errors
    /// [`Groth16Error::WitnessLength`] when the witness is too short.
    pub fn public_signals<'w>(&self, witness: &'w [Fr]) -> Result<&'w [Fr], Groth16Error> {
        self.check_witness(witness)?;
        Ok(&witness[1..=self.header.n_public as usize])
    }

    pub(crate) fn check_witness(&self, witness: &[Fr]) -> Result<(), Groth16Error> {
        let expected = self.header.n_vars as usize;
        if witness.len() != expected {
            return Err(Groth16Error::WitnessLength { expected, got: witness.len() });
        }
        Ok(())
    }

    /// The scalars of the H query: `A·B − C` on the odd coset `ω_{2n}·H` of the domain `H`,
    /// natural order (see the crate docs for why these and not the coefficients of `h`), computed
    /// on the backend and read back (for tests and inspection; a proof reads nothing back).
    ///
    /// # Errors
    /// [`Groth16Error::WitnessLength`]; backend errors.
    pub fn h_scalars(&self, witness: &[Fr]) -> Result<Vec<Fr>, Groth16Error> {
        self.check_witness(witness)?;
        let w = B::upload(witness)?;
        let h = quotient::<B>(&self.matrices, &w)?;
        Ok(B::into_vec(h)?)
    }

    /// Starts a proof for a checked witness: one upload of the witness, the quotient, and the five
    /// MSMs started ([`MsmOps::msm_enqueue`]) — on a GPU all queued on the device, with nothing
    /// but the MSMs' few result points to read back; on the CPU computed here. The H MSM is
    /// started first so that its scalars are freed before the other four run (the CPU's peak
    /// memory is then the key plus one column, not two).
    ///
    /// # Errors
    /// Backend errors.
    pub(crate) fn enqueue(&self, witness: &[Fr]) -> Result<PendingProof<B>, Groth16Error> {
        let _span = info_span!("proof_enqueue", backend = B::NAME).entered();
        let n_public = self.header.n_public as usize;
        let start = Instant::now();
        let w = B::upload(witness)?;
        let hs = quotient::<B>(&self.matrices, &w)?;
        let _msms = info_span!("msm_enqueue").entered();
        let h = <B as MsmOps<G1Config>>::msm_enqueue(&self.h, ColumnRef::new(&hs))?;
        drop(hs);
        let wr = ColumnRef::<B, Fr>::new(&w);
        let pending = PendingProof {
            h,
            a: <B as MsmOps<G1Config>>::msm_enqueue(&self.a, wr)?,
            b1: <B as MsmOps<G1Config>>::msm_enqueue(&self.b1, wr)?,
            b2: <B as MsmOps<G2Config>>::msm_enqueue(&self.b2, wr)?,
            c: <B as MsmOps<G1Config>>::msm_enqueue(&self.c, wr.skip(n_public + 1)?)?,
        };
        debug!(elapsed_ms = start.elapsed().as_millis() as u64, "proof started");
        Ok(pending)
    }

    /// A proof with the given blinding factors `r, s` (`r = s = 0` gives the unblinded proof that
    /// must match every other implementation bit for bit; use [`Groth16Prover::prove`] otherwise).
    ///
    /// # Errors
    /// As [`Groth16Prover::prove`].
    pub fn prove_with_blinding(&self, witness: &[Fr], r: Fr, s: Fr) -> Result<Proof, Groth16Error> {
        let _span = info_span!("prove", n_vars = self.header.n_vars).entered();
        self.check_witness(witness)?;
        let msms = self.enqueue(witness)?.finish()?;
        Ok(blind(&self.header, msms, r, s))
    }

    /// [`Groth16Prover::prove`] that asks `stop` at each phase boundary — before the upload,
    /// after the quotient (the NTTs), and after each of the first four MSMs is started — and
    /// gives up there, returning `Ok(None)`, when it answers `true` (a proving service cancelling
    /// or preempting a job: the device is free at the next boundary instead of at the end of the
    /// proof). On the CPU each boundary follows real work; on a GPU the MSMs are only queued, so
    /// the boundaries after them come at once and the queued work is dropped unread.
    ///
    /// # Errors
    /// As [`Groth16Prover::prove`].
    pub fn prove_until(
        &self,
        witness: &[Fr],
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<Proof>, Groth16Error> {
        let _span = info_span!("prove", n_vars = self.header.n_vars).entered();
        self.check_witness(witness)?;
        if stop() {
            return Ok(None);
        }
        let n_public = self.header.n_public as usize;
        let w = B::upload(witness)?;
        let hs = quotient::<B>(&self.matrices, &w)?;
        if stop() {
            return Ok(None);
        }
        let h = <B as MsmOps<G1Config>>::msm_enqueue(&self.h, ColumnRef::new(&hs))?;
        drop(hs);
        if stop() {
            return Ok(None);
        }
        let wr = ColumnRef::<B, Fr>::new(&w);
        let a = <B as MsmOps<G1Config>>::msm_enqueue(&self.a, wr)?;
        if stop() {
            return Ok(None);
        }
        let b1 = <B as MsmOps<G1Config>>::msm_enqueue(&self.b1, wr)?;
        if stop() {
            return Ok(None);
        }
        let b2 = <B as MsmOps<G2Config>>::msm_enqueue(&self.b2, wr)?;
        if stop() {
            return Ok(None);
        }
        let c = <B as MsmOps<G1Config>>::msm_enqueue(&self.c, wr.skip(n_public + 1)?)?;
        let msms = PendingProof::<B> { h, a, b1, b2, c }.finish()?;
        let (r, s) = random_blinding();
        Ok(Some(blind(&self.header, msms, r, s)))
    }
}

/// The proof from the five MSMs and the blinding factors `r, s` (see the crate docs).
pub(crate) fn blind(hd: &Groth16Header, msms: QueryMsms, r: Fr, s: Fr) -> Proof {
    let QueryMsms { a, b1, b2, c, h } = msms;
    let delta1 = Projective::from(hd.delta1);
    let pi_a = a + hd.alpha1 + delta1 * r;
    let pi_b = b2 + hd.beta2 + Projective::from(hd.delta2) * s;
    let pib1 = b1 + hd.beta1 + delta1 * s;
    let pi_c = c + h + pi_a * s + pib1 * r - delta1 * (r * s);
    Proof { a: pi_a.to_affine(), b: pi_b.to_affine(), c: pi_c.to_affine() }
}

/// Fresh blinding factors `r, s` from the operating system's generator.
pub(crate) fn random_blinding() -> (Fr, Fr) {
    let mut rng = StdRng::from_os_rng();
    (Fr::random(&mut rng), Fr::random(&mut rng))
}

/// One proof from a zkey file, reading the key one section at a time: the coefficients (made into
/// the A and B matrices, dropped once the quotient is computed), then each query just before its
/// MSM, dropped after it. Peak memory is the largest query (B2) plus a few witness-sized columns
/// rather than the whole key (`zkprove groth16 prove` on the CPU: a key is proved with once, so
/// loading all of it first would only raise the peak). For many proofs with one key use
/// [`Groth16Prover`], which reads the key once and keeps it resident.
///
/// The file is read again for every proof; its content is checked as it is read, with the errors
/// of [`Groth16Prover::load`] (an invalid section makes the proof fail, nothing is returned).
pub struct StreamingProver<R = BufReader<File>> {
    reader: ZkeyReader<R>,
    vk: VerificationKey,
}

impl StreamingProver {
    /// Opens the zkey at `path`, reading its headers and IC section (the verification key).
    ///
    /// # Errors
    /// [`Groth16Error::Format`] for unreadable, foreign or inconsistent files;
    /// [`Groth16Error::DomainTooLarge`] beyond `2^28`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Groth16Error> {
        Self::new(ZkeyReader::open(path)?)
    }
}

impl<R: Read + Seek> StreamingProver<R> {
    /// A prover over an opened zkey (reads its IC section).
    ///
    /// # Errors
    /// As [`StreamingProver::open`].
    pub fn new(mut reader: ZkeyReader<R>) -> Result<Self, Groth16Error> {
        let log_n = reader.header().log_domain_size() as usize;
        if log_n > Fr::TWO_ADICITY {
            return Err(Groth16Error::DomainTooLarge { log_n });
        }
        let ic = reader.ic()?;
        let vk = crate::verification_key(reader.header(), &ic);
        Ok(Self { reader, vk })
    }

    /// The key's sizes and fixed points.
    pub fn header(&self) -> &Groth16Header {
        self.reader.header()
    }

    /// The verification key of this proving key.
    pub fn verification_key(&self) -> &VerificationKey {
        &self.vk
    }

    /// A proof on backend `B` with fresh randomness `r, s` from the operating system's generator.
    ///
    /// # Errors
    /// [`Groth16Error::WitnessLength`] when the witness does not have one value per signal;
    /// [`Groth16Error::Format`] for a section that fails to read or check; backend errors.
    pub fn prove<B: Groth16Backend>(&mut self, witness: &[Fr]) -> Result<Proof, Groth16Error> {
        let (r, s) = random_blinding();
        self.prove_with_blinding::<B>(witness, r, s)
    }

    /// A proof with the given blinding factors (see [`Groth16Prover::prove_with_blinding`]): the
    /// same proof as the loaded prover's for the same key, witness, `r` and `s`.
    ///
    /// # Errors
    /// As [`StreamingProver::prove`].
    pub fn prove_with_blinding<B: Groth16Backend>(
        &mut self,
        witness: &[Fr],
        r: Fr,
        s: Fr,
    ) -> Result<Proof, Groth16Error> {
        self.check_witness_len(witness.len())?;
        let w = B::upload(witness)?;
        self.prove_parts::<B>(&w, Some(witness), r, s)
    }

    /// A proof on backend `B` from a witness already in a backend column, with fresh randomness:
    /// on the CPU a witness `Vec<Fr>` is such a column, so nothing is copied (the one-shot CPU
    /// proof's peak memory is the key's largest section plus the quotient's columns).
    ///
    /// # Errors
    /// As [`StreamingProver::prove`].
    pub fn prove_column<B: Groth16Backend>(
        &mut self,
        witness: &B::Column<Fr>,
    ) -> Result<Proof, Groth16Error> {
        let (r, s) = random_blinding();
        self.prove_column_with_blinding::<B>(witness, r, s)
    }

    /// [`StreamingProver::prove_column`] when the witness is on the host too (`host`: the same
    /// values as `witness`; on the CPU backend the same vector, so nothing is copied): the A,
    /// B1, B2 and C queries are then read only where the witness is non-zero.
    ///
    /// # Errors
    /// As [`StreamingProver::prove`].
    pub fn prove_column_host<B: Groth16Backend>(
        &mut self,
        witness: &B::Column<Fr>,
        host: &[Fr],
    ) -> Result<Proof, Groth16Error> {
        self.check_witness_len(witness.len())?;
        self.check_witness_len(host.len())?;
        let (r, s) = random_blinding();
        self.prove_parts::<B>(witness, Some(host), r, s)
    }

    fn check_witness_len(&self, got: usize) -> Result<(), Groth16Error> {
        let expected = self.reader.header().n_vars as usize;
        if got != expected {
            return Err(Groth16Error::WitnessLength { expected, got });
        }
        Ok(())
    }

    /// [`StreamingProver::prove_column`] with the given blinding factors.
    fn prove_column_with_blinding<B: Groth16Backend>(
        &mut self,
        w: &B::Column<Fr>,
        r: Fr,
        s: Fr,
    ) -> Result<Proof, Groth16Error> {
        self.prove_parts::<B>(w, None, r, s)
    }

    /// A proof from the witness column `w`; with the same witness on the host (`host`), the
    /// A, B1, B2 and C queries are read only where its value is non-zero (circom witnesses are
    /// mostly bits: about half the points are neither decoded nor held, nor multiplied).
    fn prove_parts<B: Groth16Backend>(
        &mut self,
        w: &B::Column<Fr>,
        host: Option<&[Fr]>,
        r: Fr,
        s: Fr,
    ) -> Result<Proof, Groth16Error> {
        let _span = info_span!("prove_streaming", n_vars = self.header().n_vars).entered();
        self.check_witness_len(w.len())?;
        let hd = self.reader.header().clone();
        let expected = hd.n_vars as usize;
        let n = hd.domain_size as usize;
        let log_n = hd.log_domain_size() as usize;
        let start = Instant::now();
        let coeffs = self.reader.coeffs()?;
        let (a_matrix, b_matrix) = SparseMatrix::from_coeffs_ab(&coeffs, n);
        drop(coeffs);
        let matrices = B::prepare_matrices(a_matrix, b_matrix, expected, log_n)?;
        let h = quotient::<B>(&matrices, w)?;
        drop(matrices);
        // One proof per prover: the host's twiddle tables of this size (the CPU backend's
        // transforms; 2 MiB at 2^16) are not needed again, and the MSMs are the peak.
        zkprove_poly::evict_twiddles::<Fr>(log_n);
        debug!(elapsed_ms = start.elapsed().as_millis() as u64, "coefficients and the quotient");
        let start = Instant::now();
        let reader = &mut self.reader;
        let mut g1 = |query: G1Query, scalars: ColumnRef<'_, B, Fr>| -> Result<_, Groth16Error> {
            let bases = B::prepare_key_g1(reader.g1_query(query)?, KeyUse::OneProof)?;
            Ok(<B as MsmOps<G1Config>>::msm_column(&bases, scalars)?)
        };
        let h = {
            let hq = g1(G1Query::H, ColumnRef::new(&h))?;
            drop(h);
            hq
        };
        let (a, b1, c, b2) = match host {
            None => {
                let wr = ColumnRef::<B, Fr>::new(w);
                let a = g1(G1Query::A, wr)?;
                let b1 = g1(G1Query::B1, wr)?;
                let c = g1(G1Query::C, wr.skip(hd.n_public as usize + 1)?)?;
                let b2 = {
                    let bases = B::prepare_key_g2(self.reader.b2()?, KeyUse::OneProof)?;
                    <B as MsmOps<G2Config>>::msm_column(&bases, wr)?
                };
                (a, b1, c, b2)
            }
            Some(x) => {
                // Σ xᵢ·Pᵢ over the non-zero xᵢ only: the points of zeros are skipped unread.
                let nonzero = |x: &[Fr]| -> Result<_, Groth16Error> {
                    let v: Vec<Fr> = x.iter().copied().filter(|v| !v.is_zero()).collect();
                    Ok(if v.is_empty() { None } else { Some(B::upload(&v)?) })
                };
                // The non-zero values of the whole witness serve A, B1 and B2 (one column).
                let all = nonzero(x)?;
                let mut g1 = |query: G1Query, x: &[Fr], col: Option<&B::Column<Fr>>| {
                    let Some(col) = col else { return Ok(Projective::IDENTITY) };
                    let keep = |i: usize| !x[i].is_zero();
                    let points = reader.g1_query_where(query, &keep)?;
                    let bases = B::prepare_key_g1(points, KeyUse::OneProof)?;
                    Ok::<_, Groth16Error>(<B as MsmOps<G1Config>>::msm_column(
                        &bases,
                        ColumnRef::new(col),
                    )?)
                };
                let a = g1(G1Query::A, x, all.as_ref())?;
                let b1 = g1(G1Query::B1, x, all.as_ref())?;
                let x_c = &x[hd.n_public as usize + 1..];
                let c = g1(G1Query::C, x_c, nonzero(x_c)?.as_ref())?;
                let b2 = match all {
                    None => Projective::IDENTITY,
                    Some(col) => {
                        let keep = |i: usize| !x[i].is_zero();
                        let points = self.reader.b2_where(&keep)?;
                        let bases = B::prepare_key_g2(points, KeyUse::OneProof)?;
                        <B as MsmOps<G2Config>>::msm_column(&bases, ColumnRef::new(&col))?
                    }
                };
                (a, b1, c, b2)
            }
        };
        debug!(elapsed_ms = start.elapsed().as_millis() as u64, "queries read and MSMs");
        Ok(blind(&hd, QueryMsms { a, b1, b2, c, h }, r, s))
    }
}
