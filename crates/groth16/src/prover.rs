//! The Groth16 prover, computing exactly what snarkjs and rapidsnark compute (see the crate docs).

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rayon::prelude::*;
use tracing::{debug, info_span};
use zkprove_circom::{G1Query, Groth16Header, Matrix, Zkey, ZkeyReader};
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_curve::msm::{CpuBases, Endomorphism};
use zkprove_curve::{Affine, MsmOps, Projective};
use zkprove_field::bn254::Fr;
use zkprove_field::{Field, TwoAdicField};
use zkprove_poly::{CpuBackend, Direction, NttOps, Order};

use crate::matrix::SparseMatrix;
use crate::{Groth16Error, Proof, VerificationKey};

/// What a backend must provide to run the Groth16 prover: NTTs over `Fr`, MSMs in G1 and G2, and
/// moving `Fr` columns between host and backend.
pub trait Groth16Backend: NttOps<Fr> + MsmOps<G1Config> + MsmOps<G2Config> {
    /// A backend column holding `values`.
    ///
    /// # Errors
    /// When the backend cannot allocate or copy.
    fn upload(values: Vec<Fr>) -> Result<Self::Column<Fr>, Groth16Error>;

    /// The values of a backend column, on the host.
    ///
    /// # Errors
    /// When the backend cannot copy.
    fn download(column: Self::Column<Fr>) -> Result<Vec<Fr>, Groth16Error>;

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

    /// The key's A and B matrices as the backend keeps them: nothing beyond the prover's host copy
    /// on the CPU, resident on the device for the GPU backends.
    type Matrices: Send + Sync;

    /// Takes the key's A and B matrices (`n_vars` columns, one row per point of the size-`n`
    /// domain) into the backend, once at load; `shift` is the coset of the quotient
    /// ([`coset_shift`]), for backends that prepare its tables ahead.
    ///
    /// # Errors
    /// When the backend cannot hold them.
    fn prepare_matrices(
        a: &SparseMatrix,
        b: &SparseMatrix,
        n_vars: usize,
        shift: Fr,
    ) -> Result<Self::Matrices, Groth16Error>;

    /// The H query's scalars (`A·B − C` on the coset `shift·H`, natural order: what
    /// [`cpu_quotient`] computes) as a backend column, when the backend computes them itself
    /// from the witness; `None` (the default): the prover computes them on the host, moving one
    /// column at a time through the backend's NTTs.
    ///
    /// # Errors
    /// Backend errors.
    fn quotient(
        matrices: &Self::Matrices,
        witness: &[Fr],
    ) -> Result<Option<Self::Column<Fr>>, Groth16Error> {
        let _ = (matrices, witness);
        Ok(None)
    }

    /// A proof's work queued on the backend by [`Groth16Backend::proof_enqueue`], its result not
    /// yet read back.
    type PendingProof: Send;

    /// Queues the whole of a proof's quotient and five MSMs when the backend runs them itself (the
    /// GPU backends: one upload of the witness, the quotient and the MSMs on the device, the
    /// read-backs of a few points queued behind them) and returns without waiting for the device;
    /// [`Groth16Backend::proof_finish`] waits for the result. `None` (the default): the prover
    /// computes the quotient ([`Groth16Backend::quotient`] or the host path) and calls
    /// [`MsmOps::msm`] five times. The witness length has been checked.
    ///
    /// # Errors
    /// Backend errors.
    fn proof_enqueue(
        key: KeyQueries<'_, Self>,
        witness: &[Fr],
    ) -> Result<Option<Self::PendingProof>, Groth16Error> {
        let _ = (key, witness);
        Ok(None)
    }

    /// Waits for a proof queued by [`Groth16Backend::proof_enqueue`] and returns its five MSMs.
    ///
    /// # Errors
    /// Backend errors (including those of the queued work).
    fn proof_finish(pending: Self::PendingProof) -> Result<QueryMsms, Groth16Error>;
}

/// What [`Groth16Backend::proof_enqueue`] works from: a loaded key's matrices and queries as the
/// backend holds them.
pub struct KeyQueries<'a, B: Groth16Backend> {
    /// The A and B matrices ([`Groth16Backend::prepare_matrices`]).
    pub matrices: &'a B::Matrices,
    /// The A query (`n_vars` points).
    pub a: &'a G1Bases<B>,
    /// The B query in G1 (`n_vars` points).
    pub b1: &'a G1Bases<B>,
    /// The B query in G2 (`n_vars` points).
    pub b2: &'a G2Bases<B>,
    /// The C query (`n_vars − n_public − 1` points, for `witness[n_public + 1..]`).
    pub c: &'a G1Bases<B>,
    /// The H query (`n` points, for the quotient's scalars).
    pub h: &'a G1Bases<B>,
    /// Number of public signals (outputs and public inputs).
    pub n_public: usize,
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

/// The H query's scalars computed on the CPU from the A and B matrices (one row per point of the
/// domain of `2^log_n` points) and a witness: the reference every backend's
/// [`Groth16Backend::quotient`] must equal (see the crate docs).
///
/// # Errors
/// [`Groth16Error::WitnessLength`] when the witness is shorter than a matrix's column indices
/// need, [`Groth16Error::Backend`] when a matrix does not have `2^log_n` rows, NTT errors.
pub fn cpu_quotient(
    a: &SparseMatrix,
    b: &SparseMatrix,
    witness: &[Fr],
    log_n: usize,
) -> Result<Vec<Fr>, Groth16Error> {
    let n = 1usize.checked_shl(log_n as u32).unwrap_or(0);
    if a.n_rows() != n || b.n_rows() != n {
        return Err(Groth16Error::Backend {
            reason: format!(
                "matrices of {} and {} rows for 2^{log_n} points",
                a.n_rows(),
                b.n_rows()
            ),
        });
    }
    let needed = a.n_cols_used().max(b.n_cols_used());
    if witness.len() < needed {
        return Err(Groth16Error::WitnessLength { expected: needed, got: witness.len() });
    }
    host_quotient::<CpuBackend>(a, b, witness, log_n)
}

/// The quotient's scalars with the products on the host and the NTTs on backend `B`.
fn host_quotient<B: Groth16Backend>(
    a_matrix: &SparseMatrix,
    b_matrix: &SparseMatrix,
    witness: &[Fr],
    log_n: usize,
) -> Result<Vec<Fr>, Groth16Error> {
    let shift = coset_shift(log_n);
    // One column at a time through the transforms, two at most alive (the key's matrices make
    // A·w and B·w again in a few milliseconds, cheaper than holding them): h = a'·b' − c' where
    // x' is x moved from H to shift·H.
    let to_coset = |col: Vec<Fr>| -> Result<Vec<Fr>, Groth16Error> {
        let mut col = [B::upload(col)?];
        // Evaluations on H → coefficients (bit-reversed, saving a permutation), then
        // coefficients → evaluations on shift·H in natural order, the H query's order.
        B::ntt_batch(&mut col, Direction::Inverse, Order::NaturalToBitReversed, Fr::ONE)?;
        B::ntt_batch(&mut col, Direction::Forward, Order::BitReversedToNatural, shift)?;
        let [col] = col;
        B::download(col)
    };
    let mut h = to_coset(a_matrix.mul_vec(witness))?;
    let b = to_coset(b_matrix.mul_vec(witness))?;
    h.par_iter_mut().zip(&b).for_each(|(x, y)| *x *= *y);
    drop(b);
    let c = to_coset(a_matrix.mul_vec_product(b_matrix, witness))?;
    h.par_iter_mut().zip(&c).for_each(|(x, z)| *x -= *z);
    Ok(h)
}

/// The most points per query for which the CPU backend splits scalars with the GLV endomorphism,
/// computing `φ(Pᵢ)` during each MSM (a transient copy of that query). Above it the key's bases are
/// most of the prover's memory and the copy would raise the peak by up to a B2 query's size: at
/// 2^16 the proof peaked at 57 MB with the split against 45 MB without it (the zkey is 31 MB), for
/// 4–5 % more time (BENCHMARKS.md).
pub const CPU_KEY_ENDOMORPHISM_MAX_POINTS: usize = 1 << 14;

fn cpu_key_endomorphism(n: usize) -> Endomorphism {
    if n > CPU_KEY_ENDOMORPHISM_MAX_POINTS { Endomorphism::Off } else { Endomorphism::Auto }
}

impl Groth16Backend for CpuBackend {
    type Matrices = ();
    /// The CPU backend queues nothing (its proofs run on the calling thread).
    type PendingProof = core::convert::Infallible;

    fn proof_finish(pending: Self::PendingProof) -> Result<QueryMsms, Groth16Error> {
        match pending {}
    }

    fn prepare_matrices(
        _: &SparseMatrix,
        _: &SparseMatrix,
        _: usize,
        _: Fr,
    ) -> Result<(), Groth16Error> {
        Ok(())
    }

    fn upload(values: Vec<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        Ok(values)
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

    fn download(column: Vec<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        Ok(column)
    }
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
    a_matrix: SparseMatrix,
    b_matrix: SparseMatrix,
    matrices: B::Matrices,
    a: G1Bases<B>,
    b1: G1Bases<B>,
    b2: G2Bases<B>,
    c: G1Bases<B>,
    h: G1Bases<B>,
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
        let a_matrix = SparseMatrix::from_coeffs(&coeffs, Matrix::A, n);
        let b_matrix = SparseMatrix::from_coeffs(&coeffs, Matrix::B, n);
        drop(coeffs);
        let vk = crate::verification_key(&header, &ic);
        let matrices =
            B::prepare_matrices(&a_matrix, &b_matrix, header.n_vars as usize, coset_shift(log_n))?;
        Ok(Self {
            header,
            vk,
            a_matrix,
            b_matrix,
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
    /// natural order (see the crate docs for why these and not the coefficients of `h`).
    ///
    /// # Errors
    /// [`Groth16Error::WitnessLength`]; backend errors.
    pub fn h_scalars(&self, witness: &[Fr]) -> Result<Vec<Fr>, Groth16Error> {
        self.check_witness(witness)?;
        self.h_scalars_unchecked(witness)
    }

    /// [`Groth16Prover::h_scalars`] for a witness whose length was checked: the backend's
    /// [`Groth16Backend::quotient`] read back, or the host path.
    fn h_scalars_unchecked(&self, witness: &[Fr]) -> Result<Vec<Fr>, Groth16Error> {
        let start = Instant::now();
        let h = match B::quotient(&self.matrices, witness)? {
            Some(column) => B::download(column)?,
            None => {
                let log_n = self.header.log_domain_size() as usize;
                host_quotient::<B>(&self.a_matrix, &self.b_matrix, witness, log_n)?
            }
        };
        debug!(elapsed_ms = start.elapsed().as_millis() as u64, "A·w, B·w, C and the coset NTTs");
        Ok(h)
    }

    /// The loaded key as [`Groth16Backend::proof_enqueue`] takes it.
    fn key_queries(&self) -> KeyQueries<'_, B> {
        KeyQueries {
            matrices: &self.matrices,
            a: &self.a,
            b1: &self.b1,
            b2: &self.b2,
            c: &self.c,
            h: &self.h,
            n_public: self.header.n_public as usize,
        }
    }

    /// The five MSMs: by the backend itself ([`Groth16Backend::proof_enqueue`]), or the quotient
    /// then five [`MsmOps::msm`] calls.
    fn query_msms(&self, witness: &[Fr]) -> Result<QueryMsms, Groth16Error> {
        finish_msms::<B>(self.start_msms(witness)?)
    }

    /// Starts a proof's five MSMs for a checked witness: queued on the backend when it runs the
    /// whole proof itself ([`Groth16Backend::proof_enqueue`]), computed here otherwise.
    pub(crate) fn start_msms(
        &self,
        witness: &[Fr],
    ) -> Result<Started<B::PendingProof>, Groth16Error> {
        let n_public = self.header.n_public as usize;
        let start = Instant::now();
        if let Some(pending) = B::proof_enqueue(self.key_queries(), witness)? {
            debug!(elapsed_ms = start.elapsed().as_millis() as u64, "proof queued (backend)");
            return Ok(Started::Queued(pending));
        }
        let h = self.h_scalars_unchecked(witness)?;
        let start = Instant::now();
        // The H MSM first, so that its scalars are freed before the other four run: the peak
        // memory of a proof is then the key plus one column, not two.
        let hq = <B as MsmOps<G1Config>>::msm(&self.h, &h)?;
        drop(h);
        let m = QueryMsms {
            a: <B as MsmOps<G1Config>>::msm(&self.a, witness)?,
            b1: <B as MsmOps<G1Config>>::msm(&self.b1, witness)?,
            b2: <B as MsmOps<G2Config>>::msm(&self.b2, witness)?,
            c: <B as MsmOps<G1Config>>::msm(&self.c, &witness[n_public + 1..])?,
            h: hq,
        };
        debug!(elapsed_ms = start.elapsed().as_millis() as u64, "MSMs");
        Ok(Started::Done(Box::new(m)))
    }

    /// A proof with the given blinding factors `r, s` (`r = s = 0` gives the unblinded proof that
    /// must match every other implementation bit for bit; use [`Groth16Prover::prove`] otherwise).
    ///
    /// # Errors
    /// As [`Groth16Prover::prove`].
    pub fn prove_with_blinding(&self, witness: &[Fr], r: Fr, s: Fr) -> Result<Proof, Groth16Error> {
        let _span = info_span!("prove", n_vars = self.header.n_vars).entered();
        self.check_witness(witness)?;
        let msms = self.query_msms(witness)?;
        Ok(blind(&self.header, msms, r, s))
    }
}

/// A proof's five MSMs once started ([`Groth16Prover::start_msms`]).
pub(crate) enum Started<P> {
    /// Queued on the backend ([`Groth16Backend::proof_enqueue`]): [`Groth16Backend::proof_finish`]
    /// waits for them.
    Queued(P),
    /// Already computed (boxed: a pending proof is a few handles).
    Done(Box<QueryMsms>),
}

/// The five MSMs of a started proof: waited for when queued on the backend.
pub(crate) fn finish_msms<B: Groth16Backend>(
    started: Started<B::PendingProof>,
) -> Result<QueryMsms, Groth16Error> {
    match started {
        Started::Queued(pending) => {
            let start = Instant::now();
            let m = B::proof_finish(pending)?;
            debug!(elapsed_ms = start.elapsed().as_millis() as u64, "waited for the backend");
            Ok(m)
        }
        Started::Done(m) => Ok(*m),
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
        let _span = info_span!("prove_streaming", n_vars = self.header().n_vars).entered();
        let hd = self.reader.header().clone();
        let expected = hd.n_vars as usize;
        if witness.len() != expected {
            return Err(Groth16Error::WitnessLength { expected, got: witness.len() });
        }
        let n = hd.domain_size as usize;
        let log_n = hd.log_domain_size() as usize;
        let start = Instant::now();
        let coeffs = self.reader.coeffs()?;
        let a_matrix = SparseMatrix::from_coeffs(&coeffs, Matrix::A, n);
        let b_matrix = SparseMatrix::from_coeffs(&coeffs, Matrix::B, n);
        drop(coeffs);
        let h = host_quotient::<B>(&a_matrix, &b_matrix, witness, log_n)?;
        drop((a_matrix, b_matrix));
        debug!(elapsed_ms = start.elapsed().as_millis() as u64, "coefficients and the quotient");
        let start = Instant::now();
        let reader = &mut self.reader;
        let mut g1 = |query: G1Query, scalars: &[Fr]| -> Result<_, Groth16Error> {
            let bases = B::prepare_key_g1(reader.g1_query(query)?, KeyUse::OneProof)?;
            Ok(<B as MsmOps<G1Config>>::msm(&bases, scalars)?)
        };
        let h = {
            let hq = g1(G1Query::H, &h)?;
            drop(h);
            hq
        };
        let a = g1(G1Query::A, witness)?;
        let b1 = g1(G1Query::B1, witness)?;
        let c = g1(G1Query::C, &witness[hd.n_public as usize + 1..])?;
        let b2 = {
            let bases = B::prepare_key_g2(self.reader.b2()?, KeyUse::OneProof)?;
            <B as MsmOps<G2Config>>::msm(&bases, witness)?
        };
        debug!(elapsed_ms = start.elapsed().as_millis() as u64, "queries read and MSMs");
        Ok(blind(&hd, QueryMsms { a, b1, b2, c, h }, r, s))
    }
}
