//! Multi-scalar multiplication on the device: [`MsmOps`] for BN254 G1 and G2 on the CUDA and
//! OpenCL backends (Pippenger, kernels in `msm.cu` over `curve.h`, both beside this file).
//!
//! [`MsmOps::prepare_bases`] uploads the affine bases once (x then y, each coordinate one Fq or
//! two for Fq2, in Montgomery form as crates/field stores them; `(0, 0)` is infinity) and keeps
//! them resident; when they do not fit in device memory they stay on the host and each MSM uploads
//! them chunk by chunk. [`MsmOps::msm`] uploads the scalars and runs, per chunk of points: signed
//! `c`-bit digits and their histogram per window, a prefix sum, a counting-sort scatter by bucket,
//! bucket accumulation in XYZZ coordinates balanced by splitting every bucket into segments of at
//! most 32 points (one work-item per segment), then a tree adding each bucket's segment sums 16 at
//! a time (so witness scalars that put most points in one bucket cost about
//! `32 + 16·log16(n/32)` serial additions instead of `n`), bucket reduction by
//! running sums over spans of 16 buckets (one work-item each), and a tree summing each window's
//! span results 16 at a time (measured on an H200: the serial chains of one work-item per window
//! were a third of a 2^20 MSM). The host
//! combines the window sums (a few dozen points) and the chunks' results. A chunk that does not fit
//! in device memory is halved and retried, down to [`MIN_CHUNK`] points.
//!
//! Bases used by many MSMs can keep precomputed multiples ([`GpuBases::with_precomputation`],
//! [`GpuBases::for_key`] for a proving key's queries): `L` levels of `2^(c·j)·Pᵢ`, made on the
//! device at preparation (`msm_precompute`). Digit `w` of a scalar then adds point `w mod L` of
//! the table into bucket window `⌊w/L⌋`, so the `W` windows need `⌈W/L⌉` bucket reductions and
//! window sums instead of `W` (the same number of bucket additions), for `L` times the bases'
//! memory; the same sort, accumulation and reduction kernels run on `n·L` (point, level) pairs.
//! Tested against the CPU on PoCL (and the CUDA tests, for a GPU session); not yet timed on a GPU.

use std::sync::Arc;

use core::fmt::Write as _;

use zkprove_curve::bn254::{Fq2, G1Config, G2Config};
use zkprove_curve::{Affine, MsmError, MsmOps, Projective, SwCurve, Xyzz};
use zkprove_field::bn254::{Fp256, Fp256Params, Fq, FqParams, Fr, FrParams};
use zkprove_poly::ColumnRef;

use crate::runtime::{KernelArg, Launch, PendingDownload, ProgramSource, Runtime};
use crate::{GpuBackend, GpuBuffer, GpuError, GpuField, device_error, kernels};

/// The smallest chunk of points an MSM is split into when device memory is short.
pub const MIN_CHUNK: usize = 1 << 10;

/// The largest chunk of points one pass handles (indices and digit offsets stay 32-bit).
const MAX_CHUNK: usize = 1 << 26;

/// The MSM programs (G1, G2), e.g. for building their CUBINs ahead of time.
pub const MSM_PROGRAMS: [ProgramSource; 2] = [G1Config::PROGRAM, G2Config::PROGRAM];

/// The segment length of bucket balance: each bucket's points are split into segments of at most
/// this many (one work-item each), whose sums a tree adds ([`GROUP_SUM`] at a time) and
/// `msm_bucket_combine` finishes. Short and fixed: the accumulation has `n·W/32` work-items or
/// more whatever the scalars (a table of precomputed bases puts hundreds of points in every
/// bucket), and a bucket holding most points (witness scalars 0 and 1) costs
/// `32 + 16·⌈log16(n/32)⌉` serial additions instead of the `2√n` of segments of `√n` points
/// summed by one work-item per bucket.
const SEGMENT: usize = 32;

/// Partial sums of one bucket each `msm_group_sum` work-item adds; also the most that
/// `msm_bucket_combine` is left with.
const GROUP_SUM: usize = 16;

/// The `msm_group_sum` passes after which no bucket has more than [`GROUP_SUM`] partial sums, when
/// one may have up to `worst` segments.
fn group_sum_passes(mut worst: usize) -> usize {
    let mut passes = 0;
    while worst > GROUP_SUM {
        worst = worst.div_ceil(GROUP_SUM);
        passes += 1;
    }
    passes
}

/// Buckets per work-item of `msm_reduce` (its serial chain is about twice this, plus the
/// multiplication by the span's offset).
const REDUCE_SPAN: usize = 16;

/// Most work-items per window in `msm_reduce`.
const MAX_REDUCE_ITEMS: usize = 4096;

/// Points each work-item of a `msm_window_sum` level adds.
const WINDOW_SUM_GROUP: usize = 16;

/// Work-group size of `msm_scan` (`MSM_SCAN_GROUP` in `msm.cu`).
const SCAN_GROUP: usize = 256;

/// Bits of the BN254 scalar field modulus.
const SCALAR_BITS: u32 = 254;

mod sealed {
    pub trait Sealed {}
    impl Sealed for zkprove_curve::bn254::G1Config {}
    impl Sealed for zkprove_curve::bn254::G2Config {}
}

/// A curve with device MSM kernels: BN254 G1 (coordinates in Fq) or G2 (coordinates in Fq2).
/// Sealed.
pub trait GpuCurve: SwCurve<Scalar = Fr> + sealed::Sealed {
    /// The curve's MSM program.
    const PROGRAM: ProgramSource;
    /// Fq elements per coordinate (1 for Fq, 2 for Fq2).
    const FQ_PER_COORD: usize;

    /// Appends a coordinate's Fq elements (device layout).
    fn push_coord(c: &Self::Base, out: &mut Vec<Fq>);

    /// A coordinate from its `FQ_PER_COORD` Fq elements.
    fn coord(fq: &[Fq]) -> Self::Base;
}

impl GpuCurve for G1Config {
    const PROGRAM: ProgramSource = ProgramSource { name: "msm-bn254-g1", source: g1_source };
    const FQ_PER_COORD: usize = 1;

    fn push_coord(c: &Fq, out: &mut Vec<Fq>) {
        out.push(*c);
    }

    fn coord(fq: &[Fq]) -> Fq {
        fq[0]
    }
}

impl GpuCurve for G2Config {
    const PROGRAM: ProgramSource = ProgramSource { name: "msm-bn254-g2", source: g2_source };
    const FQ_PER_COORD: usize = 2;

    fn push_coord(c: &Fq2, out: &mut Vec<Fq>) {
        out.extend_from_slice(c.coeffs());
    }

    fn coord(fq: &[Fq]) -> Fq2 {
        Fq2::new([fq[0], fq[1]])
    }
}

fn g1_source() -> String {
    msm_program_source(false)
}

fn g2_source() -> String {
    msm_program_source(true)
}

/// The 64-bit limbs of a 256-bit value as eight 32-bit limbs, little-endian, as a C initialiser.
fn limbs32_init(limbs: &[u64; 4]) -> String {
    let mut s = String::from("{");
    for (i, l) in limbs.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        // Writing to a String cannot fail.
        let _ = write!(s, "{sep}0x{:08x}u, 0x{:08x}u", *l as u32, (*l >> 32) as u32);
    }
    s.push('}');
    s
}

/// The complete MSM program of G1 (`g2 = false`) or G2: bn254.h instantiated with Fq's constants
/// (generated from crates/field), the scalar field's modulus and `−r⁻¹ mod 2^32` for the
/// Montgomery → canonical conversion, then common.h, bn254.h, curve.h and msm.cu. Compiled as CUDA
/// (NVRTC) and as OpenCL C.
pub fn msm_program_source(g2: bool) -> String {
    let q = FqParams::MODULUS;
    let mut qm2 = q;
    qm2[0] -= 2; // q is odd and > 2: only the low limb changes
    let mut src = String::with_capacity(32 * 1024);
    let _ = writeln!(
        src,
        "// Generated by zkprove-gpu: MSM for bn254-{}",
        if g2 { "g2" } else { "g1" }
    );
    let _ = writeln!(src, "#define FE_P_INIT {}", limbs32_init(&q));
    let _ = writeln!(src, "#define FE_ONE_INIT {}", limbs32_init(&Fp256::<FqParams>::R));
    let _ = writeln!(src, "#define FE_PM2_INIT {}", limbs32_init(&qm2));
    let _ = writeln!(src, "#define FE_INV 0x{:08x}u", Fp256::<FqParams>::INV as u32);
    let _ = writeln!(src, "#define FE_BITS {}", Fp256::<FqParams>::NUM_BITS);
    let _ = writeln!(src, "#define FR_P_INIT {}", limbs32_init(&FrParams::MODULUS));
    let _ = writeln!(src, "#define FR_INV 0x{:08x}u", Fp256::<FrParams>::INV as u32);
    if g2 {
        src.push_str("#define CURVE_G2 1\n");
    }
    // Launch bounds of msm_accumulate under CUDA (see msm.cu): 80 registers for G1, 128 for G2.
    let _ = writeln!(src, "#define MSM_ACC_MIN_BLOCKS {}", if g2 { 2 } else { 3 });
    for part in [kernels::COMMON_H, kernels::BN254_H, kernels::CURVE_H, kernels::MSM_CU] {
        src.push_str(part);
        src.push('\n');
    }
    src
}

/// The window width for `n` points: about `log2(n) − 3` bits, between 4 and 16.
pub fn gpu_window_bits(n: usize) -> u32 {
    let log = usize::BITS - n.leading_zeros();
    log.saturating_sub(3).clamp(4, 16)
}

/// Where prepared bases live.
enum Store<R: Runtime> {
    /// On the device, for the life of the [`GpuBases`].
    Resident(GpuBuffer<R, Fq>),
    /// On the host (too large for the device): uploaded per chunk by each MSM.
    Host(Vec<Fq>),
}

/// Bases prepared for device MSMs (see the module docs).
pub struct GpuBases<R: Runtime, C: GpuCurve> {
    device: Arc<R>,
    store: Store<R>,
    n: usize,
    /// Precomputed multiples (a resident table of `levels` copies), or `None`.
    table: Option<Table>,
    _curve: core::marker::PhantomData<C>,
}

/// The shape of a precomputed base table: level `j < levels` holds `2^(c·j)·Pᵢ` for every base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Table {
    c: u32,
    levels: u32,
}

/// Work-group size of the accumulation: the launch bounds of `msm_accumulate` assume 256.
const ACC_GROUP: usize = 256;

/// The bucket-accumulation kernel the configuration picks ([`crate::GpuConfig::msm_accumulate`]).
fn accumulate_kernel() -> &'static str {
    match crate::config().msm_accumulate {
        crate::MsmAccumulate::Wide => "msm_accumulate_wide",
        crate::MsmAccumulate::Capped => "msm_accumulate",
    }
}

/// One key query's table may take at most this fraction (1/8) of the device's memory budget.
const KEY_TABLE_SHARE: usize = 8;

/// The levels [`GpuBases::for_key`] asks for, for `n` bases of curve `C`.
fn key_levels<R: Runtime, C: GpuCurve>(
    device: &R,
    n: usize,
    reuse: bool,
) -> Result<usize, GpuError> {
    if let Some(levels) = crate::config().precompute_levels {
        return Ok(levels.max(1));
    }
    if n == 0 || !reuse || !device.is_gpu() {
        return Ok(1);
    }
    let point_bytes = 2 * C::FQ_PER_COORD * core::mem::size_of::<Fq>();
    let fit = device.memory_budget()? / KEY_TABLE_SHARE / (n * point_bytes);
    let index_cap = ((1usize << 31) - 1) / n;
    Ok(fit.min(index_cap).clamp(1, max_precompute_levels(gpu_window_bits(n))))
}

/// The number of signed `c`-bit windows of a scalar (`c·W > 254`: room for the last carry).
fn n_windows(c: u32) -> u32 {
    SCALAR_BITS / c + 1
}

/// Points each work-item of `msm_precompute_normalize` brings back to affine with one inversion
/// (an inversion costs about 380 multiplications, each further point of the group 7).
const NORMALIZE_GROUP: usize = 32;

/// The most levels a table for `c`-bit windows can use: one per window (then every window shares
/// one set of buckets).
pub fn max_precompute_levels(c: u32) -> usize {
    n_windows(c.clamp(2, 20)) as usize
}

impl<R: Runtime, C: GpuCurve> core::fmt::Debug for GpuBases<R, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GpuBases")
            .field("backend", &R::BACKEND)
            .field("curve", &C::NAME)
            .field("n", &self.n)
            .field("resident", &matches!(self.store, Store::Resident(_)))
            .field("precomputed", &self.table)
            .finish()
    }
}

impl<R: Runtime, C: GpuCurve> GpuBases<R, C> {
    /// Uploads `bases` to `device` (kept on the host when the device cannot hold them).
    ///
    /// # Errors
    /// The runtime's errors other than [`GpuError::OutOfMemory`].
    pub fn new(device: &Arc<R>, bases: &[Affine<C>]) -> Result<Self, GpuError> {
        let flat = Self::flatten(bases);
        let store = match GpuBuffer::upload(device, &flat) {
            Ok(buf) => Store::Resident(buf),
            Err(GpuError::OutOfMemory { .. }) => Store::Host(flat),
            Err(e) => return Err(e),
        };
        Ok(Self {
            device: device.clone(),
            store,
            n: bases.len(),
            table: None,
            _curve: core::marker::PhantomData,
        })
    }

    /// Uploads `bases` with precomputed multiples: a resident table of `levels` copies, level `j`
    /// holding `2^(c·j)·Pᵢ` for every base (made on the device: `c` doublings per point and level,
    /// then one inversion back to affine), so that the MSMs over these bases sort the digits of
    /// `levels` windows into one set of buckets: `⌈W/levels⌉` bucket reductions instead of `W`
    /// (`W` = [`max_precompute_levels`]`(c)` windows), for `levels` times the bases' memory. `c`
    /// is the window width of every MSM over them (`None`: [`gpu_window_bits`] of the number of
    /// bases); `levels` is clamped to `1..=W`, and 1 is [`GpuBases::new`] without the host
    /// fallback. The MSM's additions are the same in number; what precomputation saves is the
    /// per-window work (bucket reductions, window sums) and, with few windows left, it lets
    /// larger windows pay off.
    ///
    /// # Errors
    /// [`GpuError::OutOfMemory`] when the table does not fit (the caller may fall back to
    /// [`GpuBases::new`]), [`GpuError::Unsupported`] for `c` outside 2..=20 or a table of 2^31
    /// points or more, and the runtime's errors.
    pub fn with_precomputation(
        device: &Arc<R>,
        bases: &[Affine<C>],
        levels: usize,
        c: Option<u32>,
    ) -> Result<Self, GpuError> {
        let n = bases.len();
        let c = c.unwrap_or_else(|| gpu_window_bits(n));
        if !(2..=20).contains(&c) {
            return Err(GpuError::Unsupported { what: format!("MSM window of {c} bits") });
        }
        let levels = levels.clamp(1, max_precompute_levels(c));
        let points = n.checked_mul(levels).filter(|&p| p < 1 << 31).ok_or_else(|| {
            GpuError::Unsupported {
                what: format!("a precomputed table of {levels} × {n} points (2^31 or more)"),
            }
        })?;
        let per = 2 * C::FQ_PER_COORD;
        let flat = Self::flatten(bases);
        let mut buf = GpuBuffer::<R, Fq>::zeros(device, (points * per).max(1))?;
        buf.write_bytes(Fq::as_bytes(&flat))?;
        if levels > 1 {
            // Per point: ZZ, ZZZ and a prefix product (see `msm_precompute_normalize`).
            let scratch = GpuBuffer::<R, Fq>::zeros(device, 3 * C::FQ_PER_COORD * n)?;
            let groups = n.div_ceil(NORMALIZE_GROUP);
            let n32 = u32_of(n)?;
            for level in 1..u32_of(levels)? {
                let args = |last: u32| {
                    [
                        KernelArg::Mem(buf.mem()),
                        KernelArg::Mem(scratch.mem()),
                        KernelArg::U32(n32),
                        KernelArg::U32(n32),
                        KernelArg::U32(level),
                        KernelArg::U32(last),
                    ]
                };
                device.launch_program(C::PROGRAM, "msm_precompute_double", &args(c), n, None)?;
                let group = u32_of(NORMALIZE_GROUP)?;
                device.launch_program(
                    C::PROGRAM,
                    "msm_precompute_normalize",
                    &args(group),
                    groups,
                    None,
                )?;
            }
            // Done at preparation: its time (and any failure) belongs to the load, not to the
            // first MSM.
            device.synchronize()?;
        }
        let table = (n > 0).then_some(Table { c, levels: u32_of(levels)? });
        Ok(Self {
            device: device.clone(),
            store: Store::Resident(buf),
            n,
            table,
            _curve: core::marker::PhantomData,
        })
    }

    /// A proving key's query. With `reuse` (the key serves many proofs) and a GPU, the bases get
    /// precomputed multiples ([`GpuBases::with_precomputation`], default window), as many levels
    /// as fit in an eighth of the device's [`Runtime::memory_budget`] (up to one per window; the
    /// rest stays for the proofs' scratch and the other queries): building the table costs more
    /// than it saves in one proof, so a key used once gets none. `ZKPROVE_GPU_PRECOMPUTE=L` sets
    /// the levels instead, on any device and either way (1: no table). A table that does not fit
    /// after all falls back to [`GpuBases::new`].
    ///
    /// # Errors
    /// [`GpuError::Unsupported`] for a `ZKPROVE_GPU_PRECOMPUTE` that is not a positive number,
    /// and as [`GpuBases::new`].
    pub fn for_key(device: &Arc<R>, bases: &[Affine<C>], reuse: bool) -> Result<Self, GpuError> {
        let levels = key_levels::<R, C>(device, bases.len(), reuse)?;
        if levels > 1 {
            match Self::with_precomputation(device, bases, levels, None) {
                Ok(table) => return Ok(table),
                Err(GpuError::OutOfMemory { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Self::new(device, bases)
    }

    /// The levels of the precomputed table (1 without one).
    pub fn precompute_levels(&self) -> usize {
        self.table.map_or(1, |t| t.levels as usize)
    }

    /// Bases kept on the host: each MSM uploads them chunk by chunk (what [`GpuBases::new`] falls
    /// back to when the device cannot hold them; for devices whose memory is needed elsewhere).
    pub fn on_host(device: &Arc<R>, bases: &[Affine<C>]) -> Self {
        let store = Store::Host(Self::flatten(bases));
        Self {
            device: device.clone(),
            store,
            n: bases.len(),
            table: None,
            _curve: core::marker::PhantomData,
        }
    }

    fn flatten(bases: &[Affine<C>]) -> Vec<Fq> {
        let mut flat = Vec::with_capacity(bases.len() * 2 * C::FQ_PER_COORD);
        for b in bases {
            C::push_coord(&b.x, &mut flat);
            C::push_coord(&b.y, &mut flat);
        }
        flat
    }

    /// Number of bases.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are no bases.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Whether the bases are resident on the device (else each MSM uploads them).
    pub fn is_resident(&self) -> bool {
        matches!(self.store, Store::Resident(_))
    }

    /// `Σ scalars[i]·bases[i]` on the device, with window width `c` (`None`: [`gpu_window_bits`],
    /// or the width the bases were precomputed for).
    ///
    /// # Errors
    /// [`GpuError::LengthMismatch`], [`GpuError::Unsupported`] for `c` outside 2..=20 or, with
    /// precomputed bases, another width than theirs, and the runtime's errors
    /// ([`GpuError::OutOfMemory`] only when even [`MIN_CHUNK`] points do not fit).
    pub fn msm(&self, scalars: &[Fr], c: Option<u32>) -> Result<Projective<C>, GpuError> {
        self.msm_chunked(scalars, c, MAX_CHUNK)
    }

    /// [`GpuBases::msm`] in chunks of at most `max_chunk` points (at least [`MIN_CHUNK`]), each a
    /// separate device MSM whose results the host adds: what a job too large for device memory
    /// runs as.
    ///
    /// # Errors
    /// As [`GpuBases::msm`].
    pub fn msm_chunked(
        &self,
        scalars: &[Fr],
        c: Option<u32>,
        max_chunk: usize,
    ) -> Result<Projective<C>, GpuError> {
        if scalars.len() != self.n {
            return Err(GpuError::LengthMismatch { expected: self.n, got: scalars.len() });
        }
        self.enqueue(Scalars::Host(scalars), c, max_chunk)?.finish()
    }

    /// `Σ scalars[offset + i]·bases[i]` for scalars already in device memory (read in place: no
    /// upload, no copy), e.g. the witness uploaded once and shared by several MSMs, or a column
    /// computed on the device. `scalars.len() − offset` must be the number of bases.
    ///
    /// # Errors
    /// As [`GpuBases::msm`], and [`GpuError::WrongDevice`].
    pub fn msm_device(
        &self,
        scalars: &GpuBuffer<R, Fr>,
        offset: usize,
        c: Option<u32>,
    ) -> Result<Projective<C>, GpuError> {
        self.msm_enqueue(scalars, offset, c)?.finish()
    }

    /// [`GpuBases::msm_device`] without waiting: every kernel is queued on the device's stream
    /// (queue), then the read-back of the window sums, and [`PendingMsm::finish`] waits for it.
    /// Several MSMs queued one after the other run back to back on the device, and the host waits
    /// once, at the first `finish`; work queued after them does not delay their read-backs.
    /// With resident bases nothing here waits on the device (bases kept on the host are uploaded
    /// per chunk, which waits for that copy).
    ///
    /// # Errors
    /// As [`GpuBases::msm_device`].
    pub fn msm_enqueue(
        &self,
        scalars: &GpuBuffer<R, Fr>,
        offset: usize,
        c: Option<u32>,
    ) -> Result<PendingMsm<R, C>, GpuError> {
        if scalars.len().checked_sub(offset) != Some(self.n) {
            return Err(GpuError::LengthMismatch {
                expected: offset.saturating_add(self.n),
                got: scalars.len(),
            });
        }
        self.enqueue_range(scalars, offset, c)
    }

    /// [`GpuBases::msm_enqueue`] over `scalars[offset .. offset + n]`, the column possibly longer.
    pub(crate) fn enqueue_range(
        &self,
        scalars: &GpuBuffer<R, Fr>,
        offset: usize,
        c: Option<u32>,
    ) -> Result<PendingMsm<R, C>, GpuError> {
        if !Arc::ptr_eq(scalars.device(), &self.device) {
            return Err(GpuError::WrongDevice);
        }
        if offset.checked_add(self.n).is_none_or(|end| end > scalars.len()) {
            return Err(GpuError::LengthMismatch {
                expected: offset.saturating_add(self.n),
                got: scalars.len(),
            });
        }
        self.enqueue(Scalars::Device(scalars, offset), c, MAX_CHUNK)
    }

    /// Queues the MSM chunk by chunk (see [`GpuBases::msm_chunked`]); the scalar count is checked.
    fn enqueue(
        &self,
        scalars: Scalars<'_, R>,
        c: Option<u32>,
        max_chunk: usize,
    ) -> Result<PendingMsm<R, C>, GpuError> {
        let levels = self.table.map_or(1, |t| t.levels);
        let c = match (self.table, c) {
            (Some(t), Some(c)) if c != t.c => {
                return Err(GpuError::Unsupported {
                    what: format!("a {c}-bit window over bases precomputed for {} bits", t.c),
                });
            }
            (Some(t), _) => t.c,
            (None, c) => c.unwrap_or_else(|| gpu_window_bits(self.n)),
        };
        let mut pending =
            PendingMsm { shift: c * levels, sums: Vec::new(), _curve: core::marker::PhantomData };
        if self.n == 0 {
            return Ok(pending);
        }
        if !(2..=20).contains(&c) {
            return Err(GpuError::Unsupported { what: format!("MSM window of {c} bits") });
        }
        let mut chunk = self.n.min(max_chunk.clamp(MIN_CHUNK, MAX_CHUNK));
        let mut start = 0;
        while start < self.n {
            let end = (start + chunk).min(self.n);
            match self.enqueue_chunk(start, end - start, &scalars, c) {
                Ok(sums) => {
                    // The read-back is queued now, right behind this chunk's kernels: work
                    // queued later (the next MSM, the next proof) does not delay it.
                    pending.sums.push(sums.download_enqueue()?);
                    start = end;
                }
                Err(GpuError::OutOfMemory { .. }) if chunk > MIN_CHUNK => chunk /= 2,
                Err(e) => return Err(e),
            }
        }
        Ok(pending)
    }

    /// Queues the MSM of the points `start..start + n`; returns the buffer of its window sums.
    /// The scratch buffers are dropped when this returns: both runtimes free them only once the
    /// queued kernels are done with them (CUDA: stream-ordered frees; OpenCL: release semantics).
    fn enqueue_chunk(
        &self,
        start: usize,
        n: usize,
        scalars: &Scalars<'_, R>,
        c: u32,
    ) -> Result<GpuBuffer<R, Fq>, GpuError> {
        let dev = &self.device;
        let mut timer = PhaseTimer::new(dev.as_ref());
        let n32 = u32_of(n)?;
        let n_windows = n_windows(c);
        let nb = 1usize << (c - 1);
        let entries = nb + 2;
        // `levels` digit windows share each bucket window: `w` bucket windows of `n_virt`
        // (point, level) pairs each (one window per digit window without a table).
        let levels = self.table.map_or(1, |t| t.levels);
        let w = n_windows.div_ceil(levels) as usize;
        let n_virt = n * levels as usize;
        // Bucket reduction: `per_window` work-items per window, each a running sum over `span`
        // buckets; short spans keep the serial chain short (the spans' results are then summed
        // by a tree, WINDOW_SUM_GROUP at a time).
        let per_window = nb.div_ceil(REDUCE_SPAN).clamp(1, MAX_REDUCE_ITEMS);
        let span = nb.div_ceil(per_window);
        let coord = C::FQ_PER_COORD;

        // Bases for this chunk: the resident buffer at an offset, or an upload of the slice.
        let uploaded;
        let (bases, offset) = match &self.store {
            Store::Resident(buf) => (buf, start),
            Store::Host(flat) => {
                let per = 2 * coord;
                uploaded = GpuBuffer::upload(dev, &flat[start * per..(start + n) * per])?;
                (&uploaded, 0)
            }
        };

        if dev.max_group_size() < SCAN_GROUP {
            return Err(GpuError::Unsupported {
                what: format!("MSM on a device with work-groups below {SCAN_GROUP}"),
            });
        }
        // The chunk's scalars: in place in a device column, or uploaded from the host.
        let uploaded_scalars;
        let (scalars_buf, scalar_offset) = match scalars {
            Scalars::Device(buf, offset) => (*buf, offset + start),
            Scalars::Host(host) => {
                uploaded_scalars = GpuBuffer::<R, Fr>::upload(dev, &host[start..start + n])?;
                (&uploaded_scalars, 0)
            }
        };
        timer.mark("scalars");
        let digits = dev.alloc(4 * n_windows as usize * n)?;
        let sorted = dev.alloc(4 * w * n_virt)?;
        let counts = dev.alloc(4 * w * entries)?;
        let cursor = dev.alloc(4 * w * entries)?;
        let buckets = GpuBuffer::<R, Fq>::zeros(dev, w * nb * 4 * coord)?;
        // Segment slots per window: Σ ⌈|bucket|/S⌉ ≤ n/S + NB.
        let seg_len = SEGMENT;
        let max_segs = n_virt.div_ceil(seg_len) + nb;
        let seg_starts = dev.alloc(4 * w * entries)?;
        let seg_sums = GpuBuffer::<R, Fq>::zeros(dev, w * max_segs * 4 * coord)?;
        let partials = GpuBuffer::<R, Fq>::zeros(dev, w * per_window * 4 * coord)?;
        let sums = GpuBuffer::<R, Fq>::zeros(dev, w * 4 * coord)?;
        timer.mark("alloc");

        let prog = C::PROGRAM;
        dev.launch_program(
            prog,
            "msm_digits",
            &[
                KernelArg::Mem(scalars_buf.mem()),
                KernelArg::Mem(&digits),
                KernelArg::Mem(&counts),
                KernelArg::U32(n32),
                KernelArg::U32(c),
                KernelArg::U32(n_windows),
                KernelArg::U32(u32_of(scalar_offset)?),
                KernelArg::U32(levels),
            ],
            n,
            None,
        )?;
        timer.mark("msm_digits");
        dev.launch_program(
            prog,
            "msm_scan",
            &[
                KernelArg::Mem(&counts),
                KernelArg::Mem(&cursor),
                KernelArg::U32(u32_of(w)?),
                KernelArg::U32(c),
            ],
            w * SCAN_GROUP,
            Some(SCAN_GROUP),
        )?;
        timer.mark("msm_scan");
        dev.launch_program(
            prog,
            "msm_scatter",
            &[
                KernelArg::Mem(&digits),
                KernelArg::Mem(&cursor),
                KernelArg::Mem(&sorted),
                KernelArg::U32(n32),
                KernelArg::U32(c),
                KernelArg::U32(n_windows),
                KernelArg::U32(levels),
                KernelArg::U32(u32_of(self.n)?),
            ],
            n,
            None,
        )?;
        timer.mark("msm_scatter");
        // The cursors are spent: scratch for the scan of the segment counts.
        split_starts(dev.as_ref(), prog, &counts, &seg_starts, &cursor, c, w, seg_len)?;
        timer.mark("msm_seg_counts + msm_scan");
        dev.launch_program(
            prog,
            accumulate_kernel(),
            &[
                KernelArg::Mem(bases.mem()),
                KernelArg::Mem(&sorted),
                KernelArg::Mem(&counts),
                KernelArg::Mem(&seg_starts),
                KernelArg::Mem(seg_sums.mem()),
                KernelArg::U32(u32_of(offset)?),
                KernelArg::U32(u32_of(n_virt)?),
                KernelArg::U32(c),
                KernelArg::U32(u32_of(w)?),
                KernelArg::U32(u32_of(seg_len)?),
                KernelArg::U32(u32_of(max_segs)?),
            ],
            w * max_segs,
            Some(ACC_GROUP),
        )?;
        timer.mark("msm_accumulate");
        // The tree over each bucket's segment sums: a pass turns a bucket's m partial sums into
        // ⌈m/16⌉ (slots per window: Σ ⌈m/16⌉ ≤ slots/16 + NB), until none has more than 16.
        let mut level_sums = seg_sums;
        let mut level_starts = seg_starts;
        let mut slots = max_segs;
        for _ in 0..group_sum_passes(n_virt.div_ceil(seg_len)) {
            let starts = dev.alloc(4 * w * entries)?;
            split_starts(dev.as_ref(), prog, &level_starts, &starts, &cursor, c, w, GROUP_SUM)?;
            let out_slots = slots.div_ceil(GROUP_SUM) + nb;
            let out = GpuBuffer::<R, Fq>::zeros(dev, w * out_slots * 4 * coord)?;
            dev.launch_program(
                prog,
                "msm_group_sum",
                &[
                    KernelArg::Mem(level_sums.mem()),
                    KernelArg::Mem(&level_starts),
                    KernelArg::Mem(out.mem()),
                    KernelArg::Mem(&starts),
                    KernelArg::U32(c),
                    KernelArg::U32(u32_of(w)?),
                    KernelArg::U32(u32_of(GROUP_SUM)?),
                    KernelArg::U32(u32_of(slots)?),
                    KernelArg::U32(u32_of(out_slots)?),
                ],
                w * out_slots,
                None,
            )?;
            level_sums = out;
            level_starts = starts;
            slots = out_slots;
            timer.mark("msm_group_sum");
        }
        dev.launch_program(
            prog,
            "msm_bucket_combine",
            &[
                KernelArg::Mem(level_sums.mem()),
                KernelArg::Mem(&level_starts),
                KernelArg::Mem(buckets.mem()),
                KernelArg::U32(c),
                KernelArg::U32(u32_of(w)?),
                KernelArg::U32(u32_of(slots)?),
            ],
            w * nb,
            None,
        )?;
        timer.mark("msm_bucket_combine");
        dev.launch_program(
            prog,
            "msm_reduce",
            &[
                KernelArg::Mem(buckets.mem()),
                KernelArg::Mem(partials.mem()),
                KernelArg::U32(c),
                KernelArg::U32(u32_of(w)?),
                KernelArg::U32(u32_of(per_window)?),
                KernelArg::U32(u32_of(span)?),
            ],
            w * per_window,
            None,
        )?;
        timer.mark("msm_reduce");
        // The tree over each window's partials, down to one point per window (in `sums`).
        let mut level = partials;
        let mut m = per_window;
        loop {
            let m_out = m.div_ceil(WINDOW_SUM_GROUP);
            let out = if m_out == 1 {
                None
            } else {
                Some(GpuBuffer::<R, Fq>::zeros(dev, w * m_out * 4 * coord)?)
            };
            dev.launch_program(
                prog,
                "msm_window_sum",
                &[
                    KernelArg::Mem(level.mem()),
                    KernelArg::Mem(out.as_ref().unwrap_or(&sums).mem()),
                    KernelArg::U32(u32_of(w)?),
                    KernelArg::U32(u32_of(m)?),
                    KernelArg::U32(u32_of(WINDOW_SUM_GROUP)?),
                ],
                w * m_out,
                None,
            )?;
            timer.mark("msm_window_sum");
            match out {
                Some(next) => {
                    level = next;
                    m = m_out;
                }
                None => break,
            }
        }
        Ok(sums)
    }
}

/// Where an MSM's scalars are.
enum Scalars<'a, R: Runtime> {
    /// On the host: each chunk uploads its part.
    Host(&'a [Fr]),
    /// In device memory, from an offset.
    Device(&'a GpuBuffer<R, Fr>, usize),
}

/// A device MSM queued by [`GpuBases::msm_enqueue`]: the read-backs of each chunk's window sums,
/// queued behind its kernels. Dropping it without [`PendingMsm::finish`] discards the result (the
/// memory is freed when the device is done with it).
pub struct PendingMsm<R: Runtime, C: GpuCurve> {
    /// Doublings between consecutive window sums (`c·levels`).
    shift: u32,
    sums: Vec<PendingDownload<R, Fq>>,
    _curve: core::marker::PhantomData<C>,
}

impl<R: Runtime, C: GpuCurve> core::fmt::Debug for PendingMsm<R, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingMsm")
            .field("backend", &R::BACKEND)
            .field("curve", &C::NAME)
            .field("chunks", &self.sums.len())
            .finish()
    }
}

impl<R: Runtime, C: GpuCurve> PendingMsm<R, C> {
    /// Waits for the MSM and returns its result: waits for the read-backs of the window sums (a
    /// few dozen points per chunk, queued with the kernels) and combines them on the host.
    ///
    /// # Errors
    /// The runtime's errors (including those of the queued kernels), [`GpuError::InvalidElement`]
    /// for a coordinate read back out of range.
    pub fn finish(self) -> Result<Projective<C>, GpuError> {
        let mut total = Projective::<C>::identity();
        let start = std::time::Instant::now();
        for sums in self.sums {
            total += combine_windows::<C>(&sums.wait()?, self.shift);
        }
        if crate::config().profile {
            let ms = start.elapsed().as_secs_f64() * 1e3;
            tracing::info!(target: "zkprove_gpu::profile", phase = "finish", ms, "device MSM phase");
        }
        Ok(total)
    }
}

/// Horner over the window sums (XYZZ, device layout), most significant first: Σ 2^(shift·w)·S_w.
fn combine_windows<C: GpuCurve>(sums: &[Fq], shift: u32) -> Projective<C> {
    let coord = C::FQ_PER_COORD;
    let mut acc = Projective::<C>::identity();
    for s in sums.chunks_exact(4 * coord).rev() {
        for _ in 0..shift {
            acc = acc.double();
        }
        let p = Xyzz::<C> {
            x: C::coord(&s[..coord]),
            y: C::coord(&s[coord..2 * coord]),
            zz: C::coord(&s[2 * coord..3 * coord]),
            zzz: C::coord(&s[3 * coord..]),
        };
        acc += p.to_projective();
    }
    acc
}

/// With [`crate::GpuConfig::profile`], each phase of a device MSM waits for the device and records
/// its wall time as a `tracing` event: where a GPU MSM's time goes, without a profiler. Off by
/// default (it serialises the host and the device).
struct PhaseTimer<'a, R: Runtime> {
    dev: &'a R,
    last: Option<std::time::Instant>,
}

impl<'a, R: Runtime> PhaseTimer<'a, R> {
    fn new(dev: &'a R) -> Self {
        let on = crate::config().profile;
        let last = on.then(|| {
            let _ = dev.synchronize();
            std::time::Instant::now()
        });
        Self { dev, last }
    }

    fn mark(&mut self, phase: &str) {
        if let Some(t) = self.last.as_mut() {
            let _ = self.dev.synchronize();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            tracing::info!(target: "zkprove_gpu::profile", phase, ms, "device MSM phase");
            *t = std::time::Instant::now();
        }
    }
}

/// Queues `msm_seg_counts` and `msm_scan`: from the per-bucket starts `from` of `w` windows (the
/// exclusive prefix sums of each bucket's items), the starts `into` of the buckets split into
/// pieces of at most `len` items (⌈items/len⌉ per bucket); `cursor` is the scan's scratch.
#[allow(clippy::too_many_arguments)]
fn split_starts<R: Runtime>(
    dev: &R,
    prog: ProgramSource,
    from: &R::Mem,
    into: &R::Mem,
    cursor: &R::Mem,
    c: u32,
    w: usize,
    len: usize,
) -> Result<(), GpuError> {
    let entries = (1usize << (c - 1)) + 2;
    dev.launch_program(
        prog,
        "msm_seg_counts",
        &[
            KernelArg::Mem(from),
            KernelArg::Mem(into),
            KernelArg::U32(c),
            KernelArg::U32(u32_of(w)?),
            KernelArg::U32(u32_of(len)?),
        ],
        w * entries,
        None,
    )?;
    dev.launch_program(
        prog,
        "msm_scan",
        &[
            KernelArg::Mem(into),
            KernelArg::Mem(cursor),
            KernelArg::U32(u32_of(w)?),
            KernelArg::U32(c),
        ],
        w * SCAN_GROUP,
        Some(SCAN_GROUP),
    )
}

fn u32_of(n: usize) -> Result<u32, GpuError> {
    u32::try_from(n).map_err(|_| GpuError::Unsupported { what: format!("{n} in a 32-bit index") })
}

fn check_lengths(n_bases: usize, n_scalars: usize) -> Result<(), MsmError> {
    if n_bases == n_scalars { Ok(()) } else { Err(MsmError::LengthMismatch { n_bases, n_scalars }) }
}

fn backend_err<R: Runtime>(e: GpuError) -> MsmError {
    MsmError::Device(device_error::<R>(e))
}

/// Resident bases on the default device; an MSM reads its scalars in place from a device column
/// (a view of one: the witness from an offset) and queues the read-back of its window sums.
impl<C: GpuCurve, R: Runtime> MsmOps<C> for GpuBackend<R> {
    type Bases = GpuBases<R, C>;
    type PendingMsm = PendingMsm<R, C>;

    fn prepare_bases(bases: Vec<Affine<C>>) -> Result<Self::Bases, MsmError> {
        let dev = R::default_device().map_err(backend_err::<R>)?;
        GpuBases::new(&dev, &bases).map_err(backend_err::<R>)
    }

    fn n_bases(bases: &Self::Bases) -> usize {
        bases.len()
    }

    fn msm_enqueue(
        bases: &Self::Bases,
        scalars: ColumnRef<'_, Self, Fr>,
    ) -> Result<PendingMsm<R, C>, MsmError> {
        check_lengths(bases.len(), scalars.len())?;
        bases.enqueue_range(scalars.column(), scalars.start(), None).map_err(backend_err::<R>)
    }

    fn msm_finish(pending: PendingMsm<R, C>) -> Result<Projective<C>, MsmError> {
        pending.finish().map_err(backend_err::<R>)
    }

    /// Host scalars go up chunk by chunk with the MSM (no whole-column upload first).
    fn msm(bases: &Self::Bases, scalars: &[Fr]) -> Result<Projective<C>, MsmError> {
        check_lengths(bases.len(), scalars.len())?;
        bases.msm(scalars, None).map_err(backend_err::<R>)
    }
}

#[cfg(test)]
mod tests {
    use super::{GROUP_SUM, group_sum_passes};

    #[test]
    fn group_sum_passes_leave_at_most_a_group() {
        assert_eq!(group_sum_passes(0), 0);
        assert_eq!(group_sum_passes(GROUP_SUM), 0);
        assert_eq!(group_sum_passes(GROUP_SUM + 1), 1);
        assert_eq!(group_sum_passes(GROUP_SUM * GROUP_SUM), 1);
        assert_eq!(group_sum_passes(GROUP_SUM * GROUP_SUM + 1), 2);
        // 2^20 points in one bucket, segments of 32: 32768 → 2048 → 128 → 8.
        assert_eq!(group_sum_passes(1 << 15), 3);
        for worst in 0..5000 {
            let mut m = worst;
            for _ in 0..group_sum_passes(worst) {
                m = m.div_ceil(GROUP_SUM);
            }
            assert!(m <= GROUP_SUM, "{worst}");
        }
    }
}
