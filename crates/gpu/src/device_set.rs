//! Several devices of one runtime at once: [`DeviceSet`].
//!
//! - **Throughput** (what a proving service does with several GPUs): [`DeviceSet::run`] runs one
//!   job on the least busy healthy device, as that thread's default device
//!   ([`crate::with_default_device`]: code written against [`crate::GpuBackend`], a whole
//!   Groth16 proof say, runs there too); a job that fails with a device failure (driver error,
//!   invalid read-back, out of memory) marks that device unhealthy in the set and runs again on
//!   another one, so one bad GPU costs a retry, not the job.
//! - **Latency** (one large job split across devices, results combined on the host):
//!   [`SplitBases`] (an MSM: each device holds a contiguous slice of the bases, resident, and
//!   computes its partial sum; the host adds the partial sums), [`DeviceSet::ntt_batch`] and
//!   [`DeviceSet::circle_fft_batch`] (a batch of columns: each device transforms a contiguous group
//!   of columns as one batch buffer), [`DeviceSet::merkle_root`] (a Poseidon2 Merkle tree: each
//!   device builds the subtree of a contiguous slice of the rows, the host joins the subtree
//!   roots). Each part runs on its own host thread; a part whose device
//!   fails runs again on another healthy device. The results equal the single-device and the CPU
//!   results exactly (the MSM is a sum in a group; the transforms are column by column).
//!
//! Devices are opened by [`DeviceSet::all`] (CUDA: every ordinal; OpenCL: every device of every
//! platform, PoCL's `POCL_DEVICES="pthread pthread"` giving two in CI); the runtime's default
//! device is shared with [`crate::GpuBackend`], so its compiled programs and tables are too.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use zkprove_curve::{Affine, Projective};
use zkprove_field::TwoAdicField;
use zkprove_field::bn254::Fr;
use zkprove_field::m31::M31;
use zkprove_poly::{CircleDomain, CircleOrder, Direction, Order, PolyError};

use crate::runtime::Runtime;
use crate::{GpuBases, GpuBuffer, GpuCurve, GpuError, GpuField};

/// Errors of [`DeviceSet`] operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceSetError {
    /// No usable device (none found, none opened, or every one marked unhealthy).
    #[error("no usable {backend} device in the set")]
    NoDevice {
        /// `"cuda"` or `"opencl"`.
        backend: &'static str,
    },
    /// A job failed on device `index` with an error that is not the device's fault (bad input,
    /// a size the kernels do not support, a compile error), or with a device failure when no
    /// other healthy device was left to retry on.
    #[error("{backend} device {index} of the set: {source}")]
    Device {
        /// `"cuda"` or `"opencl"`.
        backend: &'static str,
        /// The device's position in the set.
        index: usize,
        /// What failed.
        source: GpuError,
    },
    /// Inputs rejected before any device work (lengths, sizes, shifts).
    #[error(transparent)]
    Input(#[from] PolyError),
    /// Operands of different lengths.
    #[error("length mismatch: expected {expected}, got {got}")]
    LengthMismatch {
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
}

/// Whether `e` is the device's fault, so that the same job may succeed on another device.
fn is_device_failure(e: &GpuError) -> bool {
    matches!(
        e,
        GpuError::Driver { .. }
            | GpuError::InvalidElement { .. }
            | GpuError::Unhealthy { .. }
            | GpuError::OutOfMemory { .. }
    )
}

/// One device of a set, with its health and its number of jobs in flight.
struct Slot<R> {
    device: Arc<R>,
    healthy: AtomicBool,
    busy: AtomicUsize,
}

/// Every usable device of runtime `R` (see the [crate docs](crate): several devices).
pub struct DeviceSet<R: Runtime> {
    slots: Vec<Slot<R>>,
    /// Devices that were found but could not be opened, with why.
    skipped: Vec<(usize, GpuError)>,
}

impl<R: Runtime> core::fmt::Debug for DeviceSet<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceSet")
            .field("backend", &R::BACKEND)
            .field("devices", &self.slots.len())
            .field("healthy", &self.healthy_count())
            .field("skipped", &self.skipped)
            .finish()
    }
}

#[cfg(feature = "opencl")]
impl DeviceSet<crate::ClDevice> {
    /// Every OpenCL device of every platform that opens; the configured default device
    /// ([`crate::GpuConfig::opencl_device`]) is the one [`crate::OpenClBackend`] uses.
    ///
    /// # Errors
    /// [`DeviceSetError::NoDevice`] when none opens.
    pub fn all() -> Result<Self, DeviceSetError> {
        let count = crate::runtime::opencl::all_device_ids().len();
        let default = crate::config().opencl_device;
        Self::open_each(count, |i| {
            if i == default { crate::ClDevice::get() } else { crate::ClDevice::open(i) }
        })
    }
}

#[cfg(feature = "cuda")]
impl DeviceSet<crate::CudaDevice> {
    /// Every CUDA device that opens (none when CUDA is disabled or absent); device 0 is the one
    /// [`crate::CudaBackend`] uses.
    ///
    /// # Errors
    /// [`DeviceSetError::NoDevice`] when none opens.
    pub fn all() -> Result<Self, DeviceSetError> {
        let count = crate::runtime::cuda::device_count();
        Self::open_each(count, |i| {
            if i == 0 { crate::CudaDevice::get() } else { crate::CudaDevice::open(i) }
        })
    }
}

impl<R: Runtime> DeviceSet<R> {
    fn open_each(
        count: usize,
        open: impl Fn(usize) -> Result<Arc<R>, GpuError>,
    ) -> Result<Self, DeviceSetError> {
        let mut devices = Vec::new();
        let mut skipped = Vec::new();
        for i in 0..count {
            match open(i) {
                Ok(d) => devices.push(d),
                Err(e) => {
                    tracing::warn!(backend = R::BACKEND, index = i, error = %e, "device skipped");
                    skipped.push((i, e));
                }
            }
        }
        let mut set = Self::from_devices(devices)?;
        set.skipped = skipped;
        Ok(set)
    }

    /// A set of devices opened by the caller (at least one).
    ///
    /// # Errors
    /// [`DeviceSetError::NoDevice`] for an empty list.
    pub fn from_devices(devices: Vec<Arc<R>>) -> Result<Self, DeviceSetError> {
        if devices.is_empty() {
            return Err(DeviceSetError::NoDevice { backend: R::BACKEND });
        }
        let slots = devices
            .into_iter()
            .map(|device| Slot {
                device,
                healthy: AtomicBool::new(true),
                busy: AtomicUsize::new(0),
            })
            .collect();
        Ok(Self { slots, skipped: Vec::new() })
    }

    /// The number of devices in the set (healthy or not).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the set has no device (never, for a set that was built).
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Device `index` of the set.
    pub fn device(&self, index: usize) -> Option<&Arc<R>> {
        self.slots.get(index).map(|s| &s.device)
    }

    /// The devices that were found but did not open, with their positions in the runtime's
    /// enumeration and the errors.
    pub fn skipped(&self) -> &[(usize, GpuError)] {
        &self.skipped
    }

    /// Whether device `index` is still used (not marked unhealthy).
    pub fn is_healthy(&self, index: usize) -> bool {
        self.slots.get(index).is_some_and(|s| s.healthy.load(Ordering::Relaxed))
    }

    /// The number of devices not marked unhealthy.
    pub fn healthy_count(&self) -> usize {
        self.slots.iter().filter(|s| s.healthy.load(Ordering::Relaxed)).count()
    }

    /// Takes device `index` out of use for this set (after a failure; a service may also drain a
    /// device this way). Out-of-range indices are ignored.
    pub fn mark_unhealthy(&self, index: usize) {
        if let Some(s) = self.slots.get(index)
            && s.healthy.swap(false, Ordering::Relaxed)
        {
            tracing::warn!(backend = R::BACKEND, index, "device of the set marked unhealthy");
        }
    }

    /// The healthy device with the fewest jobs in flight, not in `exclude`.
    fn pick(&self, exclude: &[usize]) -> Option<usize> {
        (0..self.slots.len())
            .filter(|i| self.is_healthy(*i) && !exclude.contains(i))
            .min_by_key(|i| self.slots[*i].busy.load(Ordering::Relaxed))
    }

    /// Runs `job` on device `index`, counting it as in flight; a device failure marks the device.
    fn run_on<T>(
        &self,
        index: usize,
        job: &(impl Fn(&Arc<R>, usize) -> Result<T, GpuError> + ?Sized),
    ) -> Result<T, GpuError> {
        let slot = &self.slots[index];
        slot.busy.fetch_add(1, Ordering::Relaxed);
        // The job's GpuBackend code (a whole proof, say) runs on this device too.
        let out = crate::runtime::with_default_device(&slot.device, || job(&slot.device, index));
        slot.busy.fetch_sub(1, Ordering::Relaxed);
        if let Err(e) = &out
            && is_device_failure(e)
        {
            self.mark_unhealthy(index);
        }
        out
    }

    /// Runs `job` on the least busy healthy device (one job per device for throughput: call it
    /// from as many threads as there are devices), with that device as the thread's
    /// [`crate::Runtime::default_device`] meanwhile, so [`crate::GpuBackend`] code inside the job
    /// runs there too. The job gets the device and its index in the set (to use what was
    /// prepared for that device, a prover whose key is resident there say). A device failure
    /// marks that device and runs the job again on the next healthy one.
    ///
    /// # Errors
    /// [`DeviceSetError::NoDevice`] when no healthy device is left, [`DeviceSetError::Device`] for
    /// the job's error on the last device tried.
    pub fn run<T>(
        &self,
        job: impl Fn(&Arc<R>, usize) -> Result<T, GpuError>,
    ) -> Result<T, DeviceSetError> {
        self.run_avoiding(&job, &mut Vec::new())
    }

    fn run_avoiding<T>(
        &self,
        job: &(impl Fn(&Arc<R>, usize) -> Result<T, GpuError> + ?Sized),
        tried: &mut Vec<usize>,
    ) -> Result<T, DeviceSetError> {
        let mut last = None;
        while let Some(i) = self.pick(tried) {
            tried.push(i);
            match self.run_on(i, job) {
                Ok(v) => return Ok(v),
                Err(e) if is_device_failure(&e) => last = Some((i, e)),
                Err(e) => return Err(self.err(i, e)),
            }
        }
        Err(match last {
            Some((i, e)) => self.err(i, e),
            None => DeviceSetError::NoDevice { backend: R::BACKEND },
        })
    }

    fn err(&self, index: usize, source: GpuError) -> DeviceSetError {
        DeviceSetError::Device { backend: R::BACKEND, index, source }
    }

    /// Runs `part(device, p)` for every `p < parts`, part `p` on the `p`-th healthy device (each
    /// on its own host thread, with that device as the thread's default device, as in
    /// [`DeviceSet::run`]), and returns the results in part order. With `parts = len()` and all
    /// devices healthy, part `p` runs on device `p` (to prepare something on every device). A part whose device fails
    /// runs again, on another healthy device.
    ///
    /// # Errors
    /// [`DeviceSetError::NoDevice`], or [`DeviceSetError::Device`] for a part that failed on every
    /// device tried (or with an error that is not a device failure).
    pub fn split<T: Send>(
        &self,
        parts: usize,
        part: impl Fn(&Arc<R>, usize) -> Result<T, GpuError> + Sync,
    ) -> Result<Vec<T>, DeviceSetError> {
        let healthy: Vec<usize> = (0..self.slots.len()).filter(|i| self.is_healthy(*i)).collect();
        if healthy.is_empty() {
            return Err(DeviceSetError::NoDevice { backend: R::BACKEND });
        }
        let first: Vec<(usize, Result<T, GpuError>)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..parts)
                .map(|p| {
                    let dev = healthy[p % healthy.len()];
                    let part = &part;
                    s.spawn(move || (dev, self.run_on(dev, &|d: &Arc<R>, _| part(d, p))))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        (0, Err(GpuError::Unsupported { what: "a device thread panicked".into() }))
                    })
                })
                .collect()
        });
        let mut out = Vec::with_capacity(parts);
        for (p, (dev, r)) in first.into_iter().enumerate() {
            out.push(match r {
                Ok(v) => v,
                Err(e) if is_device_failure(&e) => {
                    tracing::warn!(backend = R::BACKEND, part = p, device = dev, error = %e,
                        "part failed; retrying on another device");
                    match self.run_avoiding(&|d: &Arc<R>, _| part(d, p), &mut vec![dev]) {
                        Ok(v) => v,
                        // No other device to retry on: report the first failure.
                        Err(DeviceSetError::NoDevice { .. }) => return Err(self.err(dev, e)),
                        Err(other) => return Err(other),
                    }
                }
                Err(e) => return Err(self.err(dev, e)),
            });
        }
        Ok(out)
    }

    /// Bases for an MSM split across the set: device `i` of `k` healthy devices keeps a
    /// contiguous slice of about `n/k` bases resident ([`GpuBases::new`]).
    ///
    /// # Errors
    /// As [`DeviceSet::split`].
    pub fn split_bases<C: GpuCurve>(
        &self,
        bases: &[Affine<C>],
    ) -> Result<SplitBases<R, C>, DeviceSetError> {
        let k = self.healthy_count().max(1);
        let ranges = split_ranges(bases.len(), k);
        let parts = self.split(k, |d, p| {
            let index = self.slots.iter().position(|s| Arc::ptr_eq(&s.device, d)).unwrap_or(p);
            Ok((GpuBases::new(d, &bases[ranges[p].clone()])?, index))
        })?;
        let parts = parts.into_iter().zip(ranges).map(|((b, i), r)| (b, r, i)).collect();
        Ok(SplitBases { parts, n: bases.len() })
    }

    /// Transforms every column of `cols` (host columns of one power-of-two length) as
    /// [`zkprove_poly::NttOps::ntt_batch`] does, the columns split in contiguous groups across
    /// the healthy devices (each group uploaded as one batch buffer, transformed, read back).
    ///
    /// # Errors
    /// [`DeviceSetError::Input`] for columns of different or non-power-of-two lengths, a size
    /// beyond the field's two-adicity or a zero shift; otherwise as [`DeviceSet::split`].
    pub fn ntt_batch<F: GpuField + TwoAdicField>(
        &self,
        cols: &mut [Vec<F>],
        direction: Direction,
        order: Order,
        shift: F,
    ) -> Result<(), DeviceSetError> {
        let Some(n) = cols.first().map(Vec::len) else { return Ok(()) };
        if let Some(bad) = cols.iter().find(|c| c.len() != n) {
            return Err(PolyError::LengthMismatch { expected: n, got: bad.len() }.into());
        }
        if !n.is_power_of_two() {
            return Err(PolyError::NotPowerOfTwo { len: n }.into());
        }
        let log_n = n.trailing_zeros() as usize;
        if log_n > F::TWO_ADICITY {
            return Err(PolyError::TooLarge { log_n, two_adicity: F::TWO_ADICITY }.into());
        }
        if shift.is_zero() {
            return Err(PolyError::ZeroShift.into());
        }
        if log_n == 0 {
            // Size 1: the transform, the shift power s⁰ and 1/n are all the identity.
            return Ok(());
        }
        self.columns_split(cols, |buf| {
            crate::ntt::run_ntt(buf, log_n as u32, direction, order, shift)
        })
    }

    /// The M31 circle FFT of every column of `cols` (host columns of `domain.size()` elements)
    /// as [`zkprove_poly::CircleFftOps::circle_fft_batch`] does, split as
    /// [`DeviceSet::ntt_batch`].
    ///
    /// # Errors
    /// [`DeviceSetError::Input`] for a column whose length is not the domain's size; otherwise as
    /// [`DeviceSet::split`].
    pub fn circle_fft_batch(
        &self,
        cols: &mut [Vec<M31>],
        domain: &CircleDomain,
        direction: Direction,
        order: CircleOrder,
    ) -> Result<(), DeviceSetError> {
        if let Some(bad) = cols.iter().find(|c| c.len() != domain.size()) {
            return Err(PolyError::DomainSizeMismatch {
                domain_size: domain.size(),
                got: bad.len(),
            }
            .into());
        }
        self.columns_split(cols, |buf| crate::circle::run_circle_fft(buf, domain, direction, order))
    }

    /// The Poseidon2 Merkle root of [`crate::gpu_merkle_root`] (row-major `rows`, `row_len`
    /// elements per row, a power-of-two number of rows) with the tree split across the devices:
    /// `k` devices (the largest power of two at most the healthy devices and the rows) each
    /// build the subtree of a contiguous `1/k` of the rows, and the host compresses the `k`
    /// subtree roots into the root (`k − 1` compressions, crates/hash's Poseidon2 Merkle hash).
    ///
    /// # Errors
    /// [`DeviceSetError::Device`] with [`GpuError::Unsupported`] for a shape the device tree
    /// refuses (as [`crate::gpu_merkle_root`]); otherwise as [`DeviceSet::split`].
    pub fn merkle_root<F: crate::Poseidon2GpuField>(
        &self,
        rows: &[F],
        row_len: usize,
    ) -> Result<[F; crate::MERKLE_OUT], DeviceSetError> {
        use zkprove_hash::MerkleHash;
        let shape = |what: String| DeviceSetError::Device {
            backend: R::BACKEND,
            index: 0,
            source: GpuError::Unsupported { what },
        };
        if row_len == 0 || !rows.len().is_multiple_of(row_len) {
            return Err(shape(format!("{} elements in rows of {row_len}", rows.len())));
        }
        let n = rows.len() / row_len;
        if !n.is_power_of_two() {
            return Err(shape(format!("Merkle tree over {n} rows (a power of two is required)")));
        }
        let healthy = self.healthy_count();
        if healthy == 0 {
            return Err(DeviceSetError::NoDevice { backend: R::BACKEND });
        }
        let k = (1usize << healthy.ilog2()).min(n);
        let per = n / k * row_len;
        let mut layer = self
            .split(k, |d, p| crate::gpu_merkle_root(d, &rows[p * per..(p + 1) * per], row_len))?;
        let hasher = zkprove_hash::Poseidon2Merkle::<
            F,
            { crate::POSEIDON2_WIDTH },
            { crate::MERKLE_RATE },
            { crate::MERKLE_OUT },
        >::new(F::poseidon2())
        .map_err(|e| shape(e.to_string()))?;
        while layer.len() > 1 {
            layer = layer.chunks_exact(2).map(|pair| hasher.compress(&pair[0], &pair[1])).collect();
        }
        layer.pop().ok_or(DeviceSetError::NoDevice { backend: R::BACKEND })
    }

    /// Splits equal-length host columns in contiguous groups across the healthy devices; each
    /// group goes up as one batch buffer, `transform` runs on it and the group comes back.
    fn columns_split<F: GpuField>(
        &self,
        cols: &mut [Vec<F>],
        transform: impl Fn(&mut GpuBuffer<R, F>) -> Result<(), GpuError> + Sync,
    ) -> Result<(), DeviceSetError> {
        if cols.is_empty() {
            return Ok(());
        }
        let n = cols[0].len();
        let k = self.healthy_count().clamp(1, cols.len());
        let ranges = split_ranges(cols.len(), k);
        let inputs: &[Vec<F>] = cols;
        let results = self.split(k, |d, p| {
            let flat: Vec<F> = inputs[ranges[p].clone()].concat();
            let mut buf = GpuBuffer::upload(d, &flat)?;
            transform(&mut buf)?;
            buf.download()
        })?;
        for (range, flat) in ranges.into_iter().zip(results) {
            for (col, chunk) in cols[range].iter_mut().zip(flat.chunks(n.max(1))) {
                col.copy_from_slice(chunk);
            }
        }
        Ok(())
    }
}

/// `len` split into `k ≥ 1` contiguous ranges whose sizes differ by at most one.
fn split_ranges(len: usize, k: usize) -> Vec<core::ops::Range<usize>> {
    let k = k.max(1);
    let (q, r) = (len / k, len % k);
    let mut start = 0;
    (0..k)
        .map(|i| {
            let end = start + q + usize::from(i < r);
            let range = start..end;
            start = end;
            range
        })
        .collect()
}

/// MSM bases split across a [`DeviceSet`] ([`DeviceSet::split_bases`]): each part's slice stays
/// resident on its device.
pub struct SplitBases<R: Runtime, C: GpuCurve> {
    /// Each part's bases, its range of the scalars and its device's index in the set.
    parts: Vec<(GpuBases<R, C>, core::ops::Range<usize>, usize)>,
    n: usize,
}

impl<R: Runtime, C: GpuCurve> core::fmt::Debug for SplitBases<R, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SplitBases")
            .field("backend", &R::BACKEND)
            .field("n", &self.n)
            .field("parts", &self.parts.len())
            .finish()
    }
}

impl<R: Runtime, C: GpuCurve> SplitBases<R, C> {
    /// The number of bases.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are no bases.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The number of parts (devices holding a slice).
    pub fn parts(&self) -> usize {
        self.parts.len()
    }

    /// `Σ scalars[i]·bases[i]`: every device computes the MSM of its slice at once (one host
    /// thread each), the host adds the partial sums. A failed part is reported, naming its
    /// device's index in the set: the caller marks it ([`DeviceSet::mark_unhealthy`]) and splits
    /// the bases again over the devices left (or falls back to the CPU).
    ///
    /// # Errors
    /// [`DeviceSetError::LengthMismatch`], and [`DeviceSetError::Device`] for a failed part.
    pub fn msm(&self, scalars: &[Fr]) -> Result<Projective<C>, DeviceSetError> {
        if scalars.len() != self.n {
            return Err(DeviceSetError::LengthMismatch { expected: self.n, got: scalars.len() });
        }
        let partial: Vec<Result<Projective<C>, GpuError>> = std::thread::scope(|s| {
            let handles: Vec<_> = self
                .parts
                .iter()
                .map(|(b, r, _)| s.spawn(move || b.msm(&scalars[r.clone()], None)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(GpuError::Unsupported { what: "a device thread panicked".into() })
                    })
                })
                .collect()
        });
        let mut sum = Projective::<C>::identity();
        for ((_, _, index), r) in self.parts.iter().zip(partial) {
            match r {
                Ok(v) => sum += v,
                Err(source) => {
                    return Err(DeviceSetError::Device {
                        backend: R::BACKEND,
                        index: *index,
                        source,
                    });
                }
            }
        }
        Ok(sum)
    }
}
