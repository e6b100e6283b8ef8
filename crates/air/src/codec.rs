//! A binary encoding of [`MultiProof`]s (and the [`TableProof`]s inside), for files and the wire.
//!
//! Layout (little-endian): the magic `ZKPAIRM3`, `p` (u64), `[E:F]` (u8), then the proof's
//! fields in declaration order; a base-field element in 4 bytes when `p < 2^32`, else 8, each
//! checked canonical (`< p`) on reading; lists as a u32 count then the items; options as a 0/1
//! byte. Every count is checked against the bytes left before anything is allocated, and
//! trailing bytes are an error. What is *not* checked here: that the shapes fit an AIR — the
//! verifier does that.

use zkprove_field::{ExtensionField, PrimeField64};
use zkprove_hash::MerklePath;
use zkprove_sumcheck::{RoundPoly, SumcheckProof};
use zkprove_whir::{WhirCommitment, WhirProof, WhirRoundProof};

use crate::multi::MultiProof;
use crate::proof::{ColumnReduction, TableProof};

const MAGIC: &[u8; 8] = b"ZKPAIRM3";

/// Why bytes are not a proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// Not a proof file (another magic).
    #[error("not a zkprove proof (magic {found:?}, expected {MAGIC:?})")]
    Magic {
        /// The first bytes.
        found: Vec<u8>,
    },
    /// A proof over another field or extension.
    #[error(
        "proof over a field of order {order} with degree-{degree} challenges, expected {expected_order}/{expected_degree}"
    )]
    Field {
        /// The file's modulus.
        order: u64,
        /// The file's extension degree.
        degree: u8,
        /// Ours.
        expected_order: u64,
        /// Ours.
        expected_degree: u8,
    },
    /// The bytes end inside the proof.
    #[error("truncated proof: {what} needs {needed} bytes at offset {offset}, {left} left")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Where.
        offset: usize,
        /// Bytes it needs.
        needed: usize,
        /// Bytes left.
        left: usize,
    },
    /// A field element that is not below `p`, a bad option tag or digest.
    #[error("malformed proof: {what} at offset {offset}")]
    Malformed {
        /// What.
        what: &'static str,
        /// Where.
        offset: usize,
    },
    /// Bytes after the proof.
    #[error("{extra} bytes after the end of the proof")]
    Trailing {
        /// How many.
        extra: usize,
    },
}

fn f_bytes<F: PrimeField64>() -> usize {
    if F::ORDER_U64 <= u64::from(u32::MAX) { 4 } else { 8 }
}

struct Writer<F> {
    out: Vec<u8>,
    _f: core::marker::PhantomData<F>,
}

impl<F: PrimeField64> Writer<F> {
    fn u32(&mut self, v: usize) {
        self.out.extend_from_slice(&(v as u32).to_le_bytes());
    }
    fn f(&mut self, x: F) {
        let v = x.as_canonical_u64().to_le_bytes();
        self.out.extend_from_slice(&v[..f_bytes::<F>()]);
    }
    fn fs(&mut self, xs: &[F]) {
        self.u32(xs.len());
        for &x in xs {
            self.f(x);
        }
    }
    fn e<E: ExtensionField<F>>(&mut self, x: &E) {
        for &c in x.as_base_slice() {
            self.f(c);
        }
    }
    fn es<E: ExtensionField<F>>(&mut self, xs: &[E]) {
        self.u32(xs.len());
        for x in xs {
            self.e(x);
        }
    }
    fn sumcheck<E: ExtensionField<F>>(&mut self, p: &SumcheckProof<E>) {
        self.u32(p.rounds.len());
        for r in &p.rounds {
            self.es(&r.evals);
        }
    }
    fn commitment<E: ExtensionField<F>, D: AsRef<[F]>>(&mut self, c: &WhirCommitment<E, D>) {
        self.fs(c.root.as_ref());
        self.es(&c.ood_answers);
    }
    fn whir<E: ExtensionField<F>, D: AsRef<[F]>>(&mut self, p: &WhirProof<F, E, D>) {
        self.f(p.combination_pow);
        self.u32(p.rounds.len());
        for r in &p.rounds {
            self.u32(r.sumcheck.len());
            for h in &r.sumcheck {
                for x in h {
                    self.e(x);
                }
            }
            self.fs(&r.folding_pow);
            match &r.next_root {
                Some(d) => {
                    self.out.push(1);
                    self.fs(d.as_ref());
                }
                None => self.out.push(0),
            }
            self.es(&r.ood_answers);
            self.f(r.query_pow);
            self.u32(r.openings.len());
            for (row, path) in &r.openings {
                self.fs(row);
                self.u32(path.siblings.len());
                for s in &path.siblings {
                    self.fs(s.as_ref());
                }
            }
        }
        self.es(&p.final_poly);
    }
    fn reduction<E: ExtensionField<F>>(&mut self, r: &ColumnReduction<E>) {
        self.sumcheck(&r.reduction);
        self.e(&r.value);
    }
    fn table<E: ExtensionField<F>>(&mut self, p: &TableProof<E>) {
        self.sumcheck(&p.zerocheck);
        self.es(&p.main_evals);
        self.es(&p.next_evals);
        self.es(&p.aux_evals);
        self.reduction(&p.main_reduction);
        match &p.aux_reduction {
            Some(r) => {
                self.out.push(1);
                self.reduction(r);
            }
            None => self.out.push(0),
        }
    }
}

struct Reader<'a, F> {
    bytes: &'a [u8],
    pos: usize,
    _f: core::marker::PhantomData<F>,
}

impl<'a, F: PrimeField64> Reader<'a, F> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        let left = self.bytes.len() - self.pos;
        if n > left {
            return Err(CodecError::Truncated { what, offset: self.pos, needed: n, left });
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u32(&mut self, what: &'static str) -> Result<usize, CodecError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    /// A count of items of at least `min_bytes` each, checked against the bytes left.
    fn count(&mut self, min_bytes: usize, what: &'static str) -> Result<usize, CodecError> {
        let n = self.u32(what)?;
        let left = self.bytes.len() - self.pos;
        if n.saturating_mul(min_bytes.max(1)) > left {
            return Err(CodecError::Truncated {
                what,
                offset: self.pos,
                needed: n.saturating_mul(min_bytes.max(1)),
                left,
            });
        }
        Ok(n)
    }
    fn tag(&mut self, what: &'static str) -> Result<bool, CodecError> {
        let offset = self.pos;
        match self.take(1, what)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(CodecError::Malformed { what, offset }),
        }
    }
    fn f(&mut self, what: &'static str) -> Result<F, CodecError> {
        let w = f_bytes::<F>();
        let offset = self.pos;
        let b = self.take(w, what)?;
        let mut v = [0u8; 8];
        v[..w].copy_from_slice(b);
        let v = u64::from_le_bytes(v);
        if v >= F::ORDER_U64 {
            return Err(CodecError::Malformed { what, offset });
        }
        Ok(F::from_u64(v))
    }
    fn fs(&mut self, what: &'static str) -> Result<Vec<F>, CodecError> {
        let n = self.count(f_bytes::<F>(), what)?;
        (0..n).map(|_| self.f(what)).collect()
    }
    fn e<E: ExtensionField<F>>(&mut self, what: &'static str) -> Result<E, CodecError> {
        let offset = self.pos;
        let c: Vec<F> = (0..E::DEGREE).map(|_| self.f(what)).collect::<Result<_, _>>()?;
        E::from_base_slice(&c).map_err(|_| CodecError::Malformed { what, offset })
    }
    fn es<E: ExtensionField<F>>(&mut self, what: &'static str) -> Result<Vec<E>, CodecError> {
        let n = self.count(f_bytes::<F>() * E::DEGREE, what)?;
        (0..n).map(|_| self.e(what)).collect()
    }
    fn digest<D: for<'b> TryFrom<&'b [F]>>(&mut self, what: &'static str) -> Result<D, CodecError> {
        let offset = self.pos;
        let v = self.fs(what)?;
        D::try_from(v.as_slice()).map_err(|_| CodecError::Malformed { what, offset })
    }
    fn sumcheck<E: ExtensionField<F>>(
        &mut self,
        what: &'static str,
    ) -> Result<SumcheckProof<E>, CodecError> {
        let n = self.count(4, what)?;
        let rounds = (0..n)
            .map(|_| Ok(RoundPoly { evals: self.es(what)? }))
            .collect::<Result<_, CodecError>>()?;
        Ok(SumcheckProof { rounds })
    }
    fn commitment<E: ExtensionField<F>, D: for<'b> TryFrom<&'b [F]>>(
        &mut self,
    ) -> Result<WhirCommitment<E, D>, CodecError> {
        Ok(WhirCommitment {
            root: self.digest("commitment root")?,
            ood_answers: self.es("commitment OOD answers")?,
        })
    }
    fn whir<E: ExtensionField<F>, D: for<'b> TryFrom<&'b [F]>>(
        &mut self,
    ) -> Result<WhirProof<F, E, D>, CodecError> {
        let combination_pow = self.f("WHIR nonce")?;
        let n = self.count(16, "WHIR rounds")?;
        let mut rounds = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.count(3 * E::DEGREE * f_bytes::<F>(), "WHIR sumcheck")?;
            let mut sumcheck = Vec::with_capacity(k);
            for _ in 0..k {
                sumcheck.push([
                    self.e("WHIR sumcheck")?,
                    self.e("WHIR sumcheck")?,
                    self.e("WHIR sumcheck")?,
                ]);
            }
            let folding_pow = self.fs("WHIR folding nonces")?;
            let next_root = if self.tag("WHIR next root")? {
                Some(self.digest("WHIR next root")?)
            } else {
                None
            };
            let ood_answers = self.es("WHIR OOD answers")?;
            let query_pow = self.f("WHIR query nonce")?;
            let q = self.count(8, "WHIR queries")?;
            let mut openings = Vec::with_capacity(q);
            for _ in 0..q {
                let row = self.fs("WHIR query row")?;
                let s = self.count(4, "WHIR Merkle path")?;
                let siblings =
                    (0..s).map(|_| self.digest("WHIR Merkle path")).collect::<Result<_, _>>()?;
                openings.push((row, MerklePath { siblings }));
            }
            rounds.push(WhirRoundProof {
                sumcheck,
                folding_pow,
                next_root,
                ood_answers,
                query_pow,
                openings,
            });
        }
        Ok(WhirProof { combination_pow, rounds, final_poly: self.es("WHIR final polynomial")? })
    }
    fn reduction<E: ExtensionField<F>>(&mut self) -> Result<ColumnReduction<E>, CodecError> {
        Ok(ColumnReduction {
            reduction: self.sumcheck("reduction sumcheck")?,
            value: self.e("reduced value")?,
        })
    }
    fn table<E: ExtensionField<F>>(&mut self) -> Result<TableProof<E>, CodecError> {
        let zerocheck = self.sumcheck("zerocheck")?;
        let main_evals = self.es("main evaluations")?;
        let next_evals = self.es("next-row evaluations")?;
        let aux_evals = self.es("LogUp evaluations")?;
        let main_reduction = self.reduction()?;
        let aux_reduction =
            if self.tag("LogUp reduction")? { Some(self.reduction()?) } else { None };
        Ok(TableProof {
            zerocheck,
            main_evals,
            next_evals,
            aux_evals,
            main_reduction,
            aux_reduction,
        })
    }
}

impl<F: PrimeField64, E: ExtensionField<F>, D: AsRef<[F]>> MultiProof<F, E, D> {
    /// The proof's bytes (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::<F> { out: Vec::new(), _f: core::marker::PhantomData };
        w.out.extend_from_slice(MAGIC);
        w.out.extend_from_slice(&F::ORDER_U64.to_le_bytes());
        w.out.push(E::DEGREE as u8);
        w.u32(self.log_rows.len());
        for &n in &self.log_rows {
            w.u32(n);
        }
        w.es(&self.logup_sums);
        w.commitment(&self.main_commitment);
        match &self.aux_commitment {
            Some(c) => {
                w.out.push(1);
                w.commitment(c);
            }
            None => w.out.push(0),
        }
        w.u32(self.tables.len());
        for t in &self.tables {
            w.table(t);
        }
        w.whir(&self.main_whir);
        match &self.aux_whir {
            Some(p) => {
                w.out.push(1);
                w.whir(p);
            }
            None => w.out.push(0),
        }
        w.es(&self.main_parts);
        w.es(&self.aux_parts);
        w.out
    }
}

impl<F: PrimeField64, E: ExtensionField<F>, D: for<'b> TryFrom<&'b [F]>> MultiProof<F, E, D> {
    /// Reads a proof written by [`MultiProof::to_bytes`].
    ///
    /// # Errors
    /// [`CodecError`]: another magic or field, truncated bytes, a non-canonical element, a bad
    /// tag or digest length, trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::<F> { bytes, pos: 0, _f: core::marker::PhantomData };
        let magic = r
            .take(8, "magic")
            .map_err(|_| CodecError::Magic { found: bytes[..bytes.len().min(8)].to_vec() })?;
        if magic != MAGIC {
            return Err(CodecError::Magic { found: magic.to_vec() });
        }
        let order = u64::from_le_bytes(r.take(8, "field order")?.try_into().unwrap_or([0; 8]));
        let degree = r.take(1, "extension degree")?[0];
        if order != F::ORDER_U64 || usize::from(degree) != E::DEGREE {
            return Err(CodecError::Field {
                order,
                degree,
                expected_order: F::ORDER_U64,
                expected_degree: E::DEGREE as u8,
            });
        }
        let n = r.count(4, "table heights")?;
        let log_rows = (0..n).map(|_| r.u32("table heights")).collect::<Result<_, _>>()?;
        let logup_sums = r.es("LogUp sums")?;
        let main_commitment = r.commitment()?;
        let aux_commitment = if r.tag("LogUp commitment")? { Some(r.commitment()?) } else { None };
        let t = r.count(16, "tables")?;
        let tables = (0..t).map(|_| r.table()).collect::<Result<_, _>>()?;
        let main_whir = r.whir()?;
        let aux_whir = if r.tag("LogUp opening")? { Some(r.whir()?) } else { None };
        let main_parts = r.es("main parts")?;
        let aux_parts = r.es("LogUp parts")?;
        if r.pos != bytes.len() {
            return Err(CodecError::Trailing { extra: bytes.len() - r.pos });
        }
        Ok(Self {
            log_rows,
            logup_sums,
            main_commitment,
            aux_commitment,
            tables,
            main_whir,
            aux_whir,
            main_parts,
            aux_parts,
        })
    }
}
