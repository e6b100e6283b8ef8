//! The buckets of one Pippenger window: points are added into bucket `|d| − 1` (negated when the
//! digit `d` is negative), then the window's value `Σ_b (b + 1)·bucket_b` is formed by running sums.
//!
//! Two representations:
//!
//! - [`XyzzBuckets`]: every bucket an XYZZ point, each addition a mixed XYZZ + affine addition
//!   (8M + 2S). No bookkeeping; wins when there are few points per bucket.
//! - [`BatchAffineBuckets`]: every bucket an affine point, additions queued in a batch of
//!   distinct buckets and done together: `λ = (y₂ − y₁)/(x₂ − x₁)` needs an inversion, and
//!   Montgomery's trick turns the batch's inversions into one inversion and 3M each, so an
//!   addition costs about 5M + 1S. A point whose bucket is already in the batch cannot join it (its
//!   addition would read the bucket before the batch writes it): it waits in `pending` and is
//!   retried after the next flush. When all points pile into a few buckets (equal scalars), pending
//!   would never drain one batch at a time, so past a bound pending is sorted by bucket and each
//!   run is summed in XYZZ first, leaving one point per bucket (see [`BatchAffineBuckets::resolve`]).
//!   This is the scheme of Aztec's barretenberg and of gnark / halo2curves' `msm_best`
//!   (there, conflicting points go to a second, Jacobian, bucket array instead). From 2^10
//!   buckets on, the final `Σ (b + 1)·bucket_b` is batch-affine too ([`segmented_reduction`]:
//!   0.67–0.83× the XYZZ running sum's time for G1, 0.47–0.67× for G2, measured with 2^10..2^13
//!   random buckets).
//!
//! Both batch-affine stages settle infinity, doublings and cancellations in scalar code and hand the
//! generic additions to [`SwCurve::batch_add_generic`], which BN254 runs on eight AVX-512 IFMA
//! lanes of `F_q` where the build has them (`super::lanes`; 4.3× the scalar multiplication's
//! throughput, see BENCHMARKS.md), and below IFMA on the MULX/ADCX/ADOX products checked once
//! per batch, in two interleaved Montgomery-trick chains (`lanes::batch_add_generic_fq_adx` for
//! G1, with products left below `2p` where they only feed further products;
//! `lanes::batch_add_generic_fq2_adx` for G2). A batch whose additions are all generic (the common
//! case) is handed over as queued, without a second copy of its points.
//! [`sum_affine`] sums a list of points (the ones of a witness-split MSM) by the same batched
//! additions.

use crate::sw::{Affine, SwCurve, Xyzz};
use zkprove_field::Field;

/// The buckets of `n_windows` windows of `n_buckets` buckets each, in one array: bucket `b` of
/// window `w` is `w·n_buckets + b`. One task accumulating several windows at once lets the
/// batch-affine additions of all of them share one inversion (a batch per window would be short
/// when windows are narrow, as at 2^12..2^14 points) and reads each scalar once.
pub(crate) trait Buckets<C: SwCurve> {
    /// `n_windows × n_buckets` empty buckets.
    fn new(n_windows: usize, n_buckets: usize) -> Self;
    /// `bucket[b] += p` (or `−= p` when `negate`), `b` the index in the whole array. `p` is not
    /// the point at infinity.
    fn add(&mut self, b: usize, p: &Affine<C>, negate: bool);
    /// `out[w] = Σ_b (b + 1)·bucket_{w, b}` for every window `w` (`out.len() = n_windows`),
    /// consuming the buckets.
    fn finish(self, out: &mut [Xyzz<C>]);
}

/// `Σ_b (b + 1)·buckets[b]` by the XYZZ running sum from the top bucket down.
fn running_sum<C: SwCurve>(buckets: &[Affine<C>]) -> Xyzz<C> {
    let mut running = Xyzz::<C>::IDENTITY;
    let mut sum = Xyzz::<C>::IDENTITY;
    for bucket in buckets.iter().rev() {
        running.add_affine_assign(bucket);
        sum.add_assign_xyzz(&running);
    }
    sum
}

/// Buckets in XYZZ coordinates.
pub(crate) struct XyzzBuckets<C: SwCurve> {
    buckets: Vec<Xyzz<C>>,
    n_buckets: usize,
}

impl<C: SwCurve> Buckets<C> for XyzzBuckets<C> {
    fn new(n_windows: usize, n_buckets: usize) -> Self {
        Self { buckets: vec![Xyzz::IDENTITY; n_windows * n_buckets], n_buckets }
    }

    #[inline(always)]
    fn add(&mut self, b: usize, p: &Affine<C>, negate: bool) {
        if negate {
            self.buckets[b].add_affine_assign(&-*p);
        } else {
            self.buckets[b].add_affine_assign(p);
        }
    }

    fn finish(self, out: &mut [Xyzz<C>]) {
        // Σ (b+1)·B_b = Σ_b (B_top + … + B_b): a running sum from the top bucket down.
        for (o, window) in out.iter_mut().zip(self.buckets.chunks(self.n_buckets)) {
            let mut running = Xyzz::<C>::IDENTITY;
            let mut sum = Xyzz::<C>::IDENTITY;
            for bucket in window.iter().rev() {
                running.add_assign_xyzz(bucket);
                sum.add_assign_xyzz(&running);
            }
            *o = sum;
        }
    }
}

/// One queued affine addition: `buckets[bucket] += point`.
#[derive(Clone, Copy)]
struct Entry<C: SwCurve> {
    bucket: u32,
    point: Affine<C>,
}

/// Buckets in affine coordinates (infinity = `(0, 0)`), added into in batches sharing one
/// inversion.
pub(crate) struct BatchAffineBuckets<C: SwCurve> {
    buckets: Vec<Affine<C>>,
    /// Buckets per window.
    n_buckets: usize,
    in_batch: Vec<bool>,
    /// The queued additions, as [`SwCurve::batch_add_generic`] takes them: target buckets
    /// (distinct, none at infinity) and the points (none at infinity).
    batch_idx: Vec<u32>,
    batch_pts: Vec<Affine<C>>,
    pending: Vec<Entry<C>>,
    batch_size: usize,
    /// Scratch of `execute` and the reduction.
    scratch: Scratch<C>,
}

/// Reusable storage of [`batch_add_affine`]: the generic additions (target index, point), the
/// doublings (target index) and field scratch for [`SwCurve::batch_add_generic`].
struct Scratch<C: SwCurve> {
    idx: Vec<u32>,
    pts: Vec<Affine<C>>,
    dbl: Vec<u32>,
    field: Vec<C::Base>,
}

impl<C: SwCurve> Scratch<C> {
    fn with_capacity(n: usize) -> Self {
        Self {
            idx: Vec::with_capacity(n),
            pts: Vec::with_capacity(n),
            dbl: Vec::new(),
            field: Vec::with_capacity(n),
        }
    }
}

/// `accs[t] += p` for every `(t, p)` of `entries` (distinct targets `t`), in affine coordinates:
/// infinity on either side, doublings and cancellations are settled here; the generic additions
/// (different x coordinates, the common case) go to [`SwCurve::batch_add_generic`] together,
/// sharing one inversion, and the doublings share another.
fn batch_add_affine<C: SwCurve>(
    accs: &mut [Affine<C>],
    entries: impl Iterator<Item = (u32, Affine<C>)>,
    scratch: &mut Scratch<C>,
) {
    scratch.idx.clear();
    scratch.pts.clear();
    scratch.dbl.clear();
    for (t, p) in entries {
        let a = &mut accs[t as usize];
        if p.is_identity() {
            continue;
        }
        if a.is_identity() {
            *a = p;
        } else if a.x != p.x {
            scratch.idx.push(t);
            scratch.pts.push(p);
        } else if a.y == p.y && !a.y.is_zero() {
            scratch.dbl.push(t);
        } else {
            // a = −p: the sum is infinity.
            *a = Affine::IDENTITY;
        }
    }
    if !scratch.idx.is_empty() {
        C::batch_add_generic(accs, &scratch.idx, &scratch.pts, &mut scratch.field);
    }
    if !scratch.dbl.is_empty() {
        crate::msm::batch_double_scalar(accs, &scratch.dbl, &mut scratch.field);
    }
}

/// Below this many points [`sum_affine`] adds in XYZZ (a round's inversion would cost more than
/// its additions save).
const SUM_TREE_MIN: usize = 64;

/// `Σ points` (consumed as scratch): rounds of pairwise batch-affine additions, `points[i] +=
/// points[half + i]`, one shared inversion per round (≈ 6M per addition instead of the mixed XYZZ
/// addition's 10M), until at most [`SUM_TREE_MIN`] points remain, then an XYZZ sum of those.
/// Infinity, equal and opposite points are handled (by [`batch_add_affine`]).
pub(crate) fn sum_affine<C: SwCurve>(points: &mut Vec<Affine<C>>) -> Xyzz<C> {
    let mut scratch = Scratch::with_capacity(points.len() / 2);
    while points.len() > SUM_TREE_MIN {
        let m = points.len();
        let half = m / 2;
        let (lo, hi) = points.split_at_mut(half);
        let entries = hi.iter().take(half).enumerate().map(|(i, p)| (i as u32, *p));
        batch_add_affine(lo, entries, &mut scratch);
        if m % 2 == 1 {
            points[half] = points[m - 1];
            points.truncate(half + 1);
        } else {
            points.truncate(half);
        }
    }
    let mut acc = Xyzz::<C>::IDENTITY;
    for p in points.iter() {
        acc.add_affine_assign(p);
    }
    acc
}

/// The batch size: large enough that the one inversion per batch (a few hundred
/// multiplications) costs under 1M per addition, small enough next to the number of buckets that
/// few points find their bucket already in the batch. An eighth of the buckets, at most 1024:
/// against a sixteenth and 512, 0.90–0.95× the time of a 2^16-point G1 MSM on the ADX path
/// (interleaved CPU-time runs, BENCHMARKS.md, "Groth16 and G1 MSM on the AVX2/ADX path"; the inversions had been 7 % of it).
fn batch_size(n_buckets: usize) -> usize {
    (n_buckets / 8).clamp(64, 1024)
}

impl<C: SwCurve> BatchAffineBuckets<C> {
    /// Pending entries beyond which they are resolved through XYZZ sums.
    fn pending_bound(&self) -> usize {
        4 * self.batch_size
    }

    /// Queues `buckets[b] += p`, or parks it in `pending` when `b` is already in the batch.
    #[inline(always)]
    fn schedule(&mut self, entry: Entry<C>) {
        let b = entry.bucket as usize;
        if self.in_batch[b] {
            self.pending.push(entry);
            return;
        }
        if self.buckets[b].is_identity() {
            self.buckets[b] = entry.point;
            return;
        }
        self.in_batch[b] = true;
        self.batch_idx.push(entry.bucket);
        self.batch_pts.push(entry.point);
        if self.batch_idx.len() == self.batch_size {
            self.execute();
        }
    }

    /// Performs every queued addition (one shared inversion for all generic ones). In the common
    /// case every one is generic (the bucket's x differs from the point's) and the queue goes to
    /// [`SwCurve::batch_add_generic`] as it is, without the copy [`batch_add_affine`] makes.
    fn execute(&mut self) {
        if self.batch_idx.is_empty() {
            return;
        }
        let buckets = &self.buckets;
        let generic = self.batch_idx.iter().zip(&self.batch_pts).all(|(&b, p)| {
            let a = &buckets[b as usize];
            a.x != p.x && !a.is_identity() && !p.is_identity()
        });
        if generic {
            C::batch_add_generic(
                &mut self.buckets,
                &self.batch_idx,
                &self.batch_pts,
                &mut self.scratch.field,
            );
        } else {
            let entries = self.batch_idx.iter().zip(&self.batch_pts).map(|(&b, p)| (b, *p));
            batch_add_affine(&mut self.buckets, entries, &mut self.scratch);
        }
        for &b in &self.batch_idx {
            self.in_batch[b as usize] = false;
        }
        self.batch_idx.clear();
        self.batch_pts.clear();
    }

    /// Retries the pending entries against an empty batch.
    fn retry_pending(&mut self) {
        let pending = core::mem::take(&mut self.pending);
        for e in &pending {
            self.schedule(*e);
        }
        // Keep the allocation when nothing was re-parked.
        if self.pending.is_empty() {
            self.pending = pending;
            self.pending.clear();
        }
    }

    /// Empties `pending`: sorts it by bucket, sums each run of the same bucket in XYZZ, takes the
    /// sums to affine with one shared inversion and schedules them — now one per bucket, so none
    /// conflicts with another.
    fn resolve(&mut self) {
        self.execute();
        let mut pending = core::mem::take(&mut self.pending);
        pending.sort_unstable_by_key(|e| e.bucket);
        let mut sums: Vec<(u32, Xyzz<C>)> = Vec::new();
        for e in &pending {
            match sums.last_mut() {
                Some((b, s)) if *b == e.bucket => s.add_affine_assign(&e.point),
                _ => sums.push((e.bucket, Xyzz::from(e.point))),
            }
        }
        // Affine: x = X/ZZ, y = Y/ZZZ with 1/ZZ = (ZZ·ZZZ⁻¹)²; one inversion for all ZZZ.
        let mut zzz: Vec<C::Base> = sums.iter().map(|(_, s)| s.zzz).collect();
        zkprove_field::batch_inverse_in_place(&mut zzz);
        for ((b, s), zzz_inv) in sums.iter().zip(zzz) {
            if s.is_identity() {
                continue;
            }
            let z_inv = s.zz * zzz_inv;
            let point = Affine::new_unchecked(s.x * z_inv.square(), s.y * zzz_inv);
            self.schedule(Entry { bucket: *b, point });
        }
        pending.clear();
        self.pending = pending;
    }
}

impl<C: SwCurve> Buckets<C> for BatchAffineBuckets<C> {
    fn new(n_windows: usize, n_buckets: usize) -> Self {
        let total = n_windows * n_buckets;
        let batch_size = batch_size(total);
        Self {
            buckets: vec![Affine::IDENTITY; total],
            n_buckets,
            in_batch: vec![false; total],
            batch_idx: Vec::with_capacity(batch_size),
            batch_pts: Vec::with_capacity(batch_size),
            pending: Vec::new(),
            batch_size,
            scratch: Scratch::with_capacity(batch_size),
        }
    }

    #[inline(always)]
    fn add(&mut self, b: usize, p: &Affine<C>, negate: bool) {
        let point = if negate { -*p } else { *p };
        let was_empty = self.batch_idx.is_empty();
        self.schedule(Entry { bucket: b as u32, point });
        // A flush just happened (the batch went from full to empty): give pending a turn.
        if !was_empty && self.batch_idx.is_empty() && !self.pending.is_empty() {
            self.retry_pending();
        }
        if self.pending.len() > self.pending_bound() {
            self.resolve();
        }
    }

    fn finish(mut self, out: &mut [Xyzz<C>]) {
        while !self.pending.is_empty() || !self.batch_idx.is_empty() {
            self.execute();
            if !self.pending.is_empty() {
                self.resolve();
            }
        }
        if self.buckets.len() >= SEGMENTED_REDUCTION_MIN_BUCKETS {
            segmented_reduction(&self.buckets, self.n_buckets, &mut self.scratch, out);
            return;
        }
        for (o, window) in out.iter_mut().zip(self.buckets.chunks(self.n_buckets)) {
            *o = running_sum(window);
        }
    }
}

/// From this many buckets on (all windows of a task together), [`segmented_reduction`] replaces
/// the XYZZ running sum.
const SEGMENTED_REDUCTION_MIN_BUCKETS: usize = 1 << 10;

/// Buckets per segment of [`segmented_reduction`]: `n_buckets / SEGMENT_LEN` segments make each
/// batch (one inversion, ~170M for BN254 Fq) long enough to cost about 1M per addition.
const SEGMENT_LEN: usize = 16;

/// `out[w] = Σ_b (b + 1)·buckets[w·window_len + b]` for every window `w` (`buckets.len() =
/// out.len()·window_len`) with batch-affine additions: each window's buckets are cut into
/// segments of [`SEGMENT_LEN`] (fewer when the window is shorter); every segment runs its own
/// running sum (`running_s += B`, then `sum_s += running_s`, from its top bucket down), all
/// segments of all windows in step so that each step is two batches of independent affine
/// additions sharing one inversion each (≈ 6M per addition instead of the 10M + 14M of the XYZZ
/// running sum). Segment `s` starting at bucket `s·L` of its window contributes
/// `sum_s + s·L·running_s`, so a window's total is `Σ_s sum_s + L·Σ_s s·running_s`, the last sum
/// by a short XYZZ running sum over the window's segments.
fn segmented_reduction<C: SwCurve>(
    buckets: &[Affine<C>],
    window_len: usize,
    scratch: &mut Scratch<C>,
    out: &mut [Xyzz<C>],
) {
    debug_assert_eq!(buckets.len(), out.len() * window_len);
    if window_len == 0 {
        out.fill(Xyzz::IDENTITY);
        return;
    }
    let len = SEGMENT_LEN.min(window_len.next_power_of_two());
    let per_window = window_len.div_ceil(len);
    let n_segments = per_window * out.len();
    let mut running = vec![Affine::<C>::IDENTITY; n_segments];
    let mut sums = vec![Affine::<C>::IDENTITY; n_segments];
    let mut column = vec![Affine::<C>::IDENTITY; n_segments];
    for t in (0..len).rev() {
        for (w, col) in column.chunks_mut(per_window).enumerate() {
            let window = &buckets[w * window_len..(w + 1) * window_len];
            for (s, c) in col.iter_mut().enumerate() {
                *c = window.get(s * len + t).copied().unwrap_or(Affine::IDENTITY);
            }
        }
        batch_add_affine(
            &mut running,
            column.iter().enumerate().map(|(s, p)| (s as u32, *p)),
            scratch,
        );
        let entries = running.iter().enumerate().map(|(s, p)| (s as u32, *p));
        batch_add_affine(&mut sums, entries, scratch);
    }
    let windows = running.chunks(per_window).zip(sums.chunks(per_window));
    for (o, (running, sums)) in out.iter_mut().zip(windows) {
        // Σ_s s·running_s by a running sum from the top segment down, then times L.
        let mut acc = Xyzz::<C>::IDENTITY;
        let mut weighted = Xyzz::<C>::IDENTITY;
        for r in running.iter().skip(1).rev() {
            acc.add_affine_assign(r);
            weighted.add_assign_xyzz(&acc);
        }
        let mut total = weighted;
        for _ in 0..len.trailing_zeros() {
            total = total.double();
        }
        for s in sums {
            total.add_affine_assign(s);
        }
        *o = total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bn254::{G1Config, G2Config};
    use crate::sw::Projective;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn xyzz_reduction<C: SwCurve>(buckets: &[Affine<C>]) -> Projective<C> {
        running_sum(buckets).to_projective()
    }

    /// The segmented batch-affine reduction equals the XYZZ running sum on buckets with
    /// infinities, repeats (doublings in the running sums) and opposite points (cancellations).
    fn check<C: SwCurve>(seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        let p = Affine::<C>::random(&mut rng);
        let q = Affine::<C>::random(&mut rng);
        let random = crate::msm::random_points::<C, _>(1030, &mut rng);
        let cases: Vec<Vec<Affine<C>>> = vec![
            vec![],
            vec![Affine::IDENTITY; 1024],
            vec![p; 1024],
            (0..1040).map(|i| if i % 2 == 0 { p } else { -p }).collect(),
            // Running sum of a segment cancels: p, then −p below it.
            (0..1024)
                .map(|i| {
                    if i % 16 == 15 {
                        p
                    } else if i % 16 == 14 {
                        -p
                    } else {
                        q
                    }
                })
                .collect(),
            random.clone(),
            random
                .iter()
                .map(|r| match rng.random_range(0..6) {
                    0 => Affine::IDENTITY,
                    1 => p,
                    2 => -p,
                    _ => *r,
                })
                .collect(),
        ];
        let mut scratch = Scratch::with_capacity(0);
        for (k, buckets) in cases.iter().enumerate() {
            let mut out = [Xyzz::IDENTITY];
            segmented_reduction(buckets, buckets.len(), &mut scratch, &mut out);
            assert_eq!(out[0].to_projective(), xyzz_reduction(buckets), "case {k}");
            // The same buckets as windows of 8, 16 (one segment each) and 40 (a short last
            // segment), all reduced together.
            for window_len in [8, 16, 40] {
                let n_windows = buckets.len() / window_len;
                let buckets = &buckets[..n_windows * window_len];
                let mut out = vec![Xyzz::IDENTITY; n_windows];
                segmented_reduction(buckets, window_len, &mut scratch, &mut out);
                for (w, o) in out.iter().enumerate() {
                    let want = xyzz_reduction(&buckets[w * window_len..(w + 1) * window_len]);
                    assert_eq!(o.to_projective(), want, "case {k}, window {w} of {window_len}");
                }
            }
        }
    }

    /// The batch-affine tree sum equals the plain sum, with infinity, repeated and opposite
    /// points among the summands, across lengths around the XYZZ cut-off.
    #[test]
    fn sum_affine_matches_projective_sum() {
        let mut rng = StdRng::seed_from_u64(0x5a);
        let pool = crate::msm::random_points::<G1Config, _>(16, &mut rng);
        for len in [0usize, 1, 2, 63, 64, 65, 129, 300, 1001] {
            let points: Vec<Affine<G1Config>> = (0..len)
                .map(|_| match rng.random_range(0..10) {
                    0 => Affine::IDENTITY,
                    1 => -pool[rng.random_range(0..pool.len())],
                    _ => pool[rng.random_range(0..pool.len())],
                })
                .collect();
            let want: Projective<G1Config> = points.iter().map(|p| Projective::from(*p)).sum();
            let got = sum_affine(&mut points.clone()).to_projective();
            assert_eq!(got, want, "len {len}");
        }
    }

    #[test]
    fn segmented_reduction_matches_running_sum() {
        check::<G1Config>(1);
        check::<G2Config>(2);
    }
}
