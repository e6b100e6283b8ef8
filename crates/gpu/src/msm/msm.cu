// Pippenger's multi-scalar multiplication Σ sᵢ·Pᵢ on the device, written once against curve.h.
//
// For a window width c, W windows and NB = 2^(c−1) buckets per window (signed digits):
//   0. msm_precompute_double, msm_precompute_normalize
//                      (once, at preparation, for precomputed bases) level j of the base table
//                      holds 2^(c·j)·P for every base P, j < L; digit w of a scalar then goes to
//                      point w mod L of the table, in bucket window ⌊w/L⌋ (G = ⌈W/L⌉ bucket
//                      windows of n·L points each instead of W of n: the reduction below runs
//                      G times, not W). L = 1 is the plain MSM; everything below reads "window"
//                      as a bucket window.
//   1. msm_digits      one work-item per scalar (from an offset into the scalar buffer):
//                      Montgomery → canonical, signed c-bit digits
//                      d ∈ [−NB, NB] (stored as |d| | sign << 31, 0 for d = 0), and the histogram
//                      of |d| per bucket window (atomic increments).
//   2. msm_scan        one work-group per window: exclusive prefix sum of the histogram (bucket
//                      starts; entry NB + 1 is the window's number of non-zero digits).
//   3. msm_scatter     one work-item per scalar: counting-sort scatter of (point index | sign) into
//                      its bucket's range of the window (atomic cursors; order within a bucket is
//                      irrelevant, the sum is exact); the point index of digit w is
//                      (w mod L)·stride + i, its level's copy of point i.
//   4. bucket balance  each bucket's sorted points split into segments of at most S points:
//      msm_seg_counts  ⌈|bucket|/S⌉ per bucket, prefix-summed by msm_scan (segment table);
//      msm_accumulate  one work-item per segment: its points by mixed XYZZ additions (negated for
//                      negative digits), so a bucket holding most points (witness scalars 0 and
//                      1) is spread over many work-items;
//      msm_group_sum   passes of a tree over each bucket's segment sums, `group` at a time (the
//                      counts and starts of each pass by msm_seg_counts and msm_scan again);
//      msm_bucket_combine one work-item per (window, bucket): the sum of what is left of it.
//   5. msm_reduce      T work-items per window, each over a contiguous range of buckets:
//                      Σ key·B_key by a running sum, plus (lo − 1)·Σ B for the range's offset.
//   6. msm_window_sum  one work-item per window: sum of its T partial results.
// The host combines the G window sums (Horner, c·L doublings per window).
//
// Requires the scalar field's constants FR_P_INIT and FR_INV (bn254.h is instantiated with Fq's).

#if defined(__CUDACC__)
#define ATOMIC_INC(p) atomicAdd((p), 1u)
#else
#define ATOMIC_INC(p) atomic_inc(p)
#endif

#define MSM_SIGN 0x80000000u

// a·R⁻¹ mod r for a Montgomery-form scalar a < r: its canonical value (a Montgomery reduction,
// the product by 1).
DEVICE void fr_from_mont(u32 *out, GLOBAL const u32 *a) {
    const u32 p[8] = FR_P_INIT;
    u32 t[10];
#pragma unroll
    for (int i = 0; i < 8; i++) t[i] = a[i];
    t[8] = 0;
    t[9] = 0;
#pragma unroll
    for (int i = 0; i < 8; i++) {
        u32 m = t[0] * (u32)FR_INV;
        mac_row8(t, p, m);
#pragma unroll
        for (int k = 0; k < 9; k++) t[k] = t[k + 1];
        t[9] = 0;
    }
    u32 d[8];
    u32 borrow = sub8(d, t, p);
    u32 mask = 0u - borrow;
#pragma unroll
    for (int i = 0; i < 8; i++) out[i] = (t[i] & mask) | (d[i] & ~mask);
}

// Bits [lo, lo + c) of the 256-bit little-endian value s (c ≤ 24, bits past 255 are zero).
DEVICE u32 bits_at(const u32 *s, u32 lo, u32 c) {
    u32 limb = lo >> 5;
    u32 shift = lo & 31u;
    if (limb >= 8) return 0;
    u64 w = (u64)s[limb];
    if (limb + 1 < 8) w |= (u64)s[limb + 1] << 32;
    return (u32)(w >> shift) & ((1u << c) - 1u);
}

// Scalar i of the chunk is scalars[offset + i]: a chunk of a longer device-resident column (the
// witness, read in place by several MSMs).
// `levels` (L ≥ 1): digit windows per bucket window (see the top of this file).
KERNEL void msm_digits(GLOBAL const u32 *scalars, GLOBAL u32 *digits, GLOBAL u32 *counts, u32 n,
                       u32 c, u32 n_windows, u32 offset, u32 levels) {
    u32 i = GID;
    if (i >= n) return;
    u32 s[8];
    fr_from_mont(s, scalars + 8 * (offset + i));
    u32 nb = 1u << (c - 1);
    u32 full = 1u << c;
    u32 carry = 0;
    for (u32 w = 0; w < n_windows; w++) {
        u32 d = bits_at(s, w * c, c) + carry;
        u32 out;
        if (d > nb) {
            // d − 2^c < 0: the digit is −(2^c − d), and 1 carries into the next window.
            carry = 1;
            u32 mag = full - d;
            out = mag == 0 ? 0u : (mag | MSM_SIGN);
        } else {
            carry = 0;
            out = d;
        }
        digits[(size_t)w * n + i] = out;
        u32 key = out & ~MSM_SIGN;
        if (key != 0) ATOMIC_INC(&counts[(size_t)(w / levels) * (nb + 2) + key]);
    }
}

// One work-group of MSM_SCAN_GROUP work-items per window: each work-item sums a contiguous segment
// of the histogram, the segment totals are scanned in local memory, then each work-item writes its
// segment's exclusive prefix sums. Launched with exactly that group size.
#define MSM_SCAN_GROUP 256

KERNEL void msm_scan(GLOBAL u32 *counts, GLOBAL u32 *cursor, u32 n_windows, u32 c) {
    LOCAL_MEM u32 totals[MSM_SCAN_GROUP];
    u32 w = GROUP_ID;
    u32 l = LID;
    u32 entries = (1u << (c - 1)) + 2;
    u32 seg = (entries + MSM_SCAN_GROUP - 1) / MSM_SCAN_GROUP;
    u32 lo = l * seg;
    u32 hi = lo + seg;
    if (hi > entries) hi = entries;
    GLOBAL u32 *h = counts + (size_t)w * entries;
    GLOBAL u32 *cur = cursor + (size_t)w * entries;
    u32 sum = 0;
    if (w < n_windows) {
        for (u32 k = lo; k < hi; k++) sum += h[k];
    }
    totals[l] = sum;
    BARRIER();
    if (l == 0) {
        u32 run = 0;
        for (u32 t = 0; t < MSM_SCAN_GROUP; t++) {
            u32 v = totals[t];
            totals[t] = run;
            run += v;
        }
    }
    BARRIER();
    if (w < n_windows) {
        u32 run = totals[l];
        for (u32 k = lo; k < hi; k++) {
            u32 v = h[k];
            h[k] = run;
            cur[k] = run;
            run += v;
        }
    }
}

// Bucket window t holds the n·L digits of windows t·L .. t·L + L − 1 (`sorted + t·n·L`); the
// point of digit w of scalar i is (w mod L)·stride + i (the host keeps L·stride below 2^31).
KERNEL void msm_scatter(GLOBAL const u32 *digits, GLOBAL u32 *cursor, GLOBAL u32 *sorted, u32 n,
                        u32 c, u32 n_windows, u32 levels, u32 stride) {
    u32 i = GID;
    if (i >= n) return;
    u32 entries = (1u << (c - 1)) + 2;
    size_t per_window = (size_t)n * levels;
    for (u32 w = 0; w < n_windows; w++) {
        u32 d = digits[(size_t)w * n + i];
        u32 key = d & ~MSM_SIGN;
        if (key == 0) continue;
        u32 t = w / levels;
        u32 pos = ATOMIC_INC(&cursor[(size_t)t * entries + key]);
        sorted[(size_t)t * per_window + pos] = ((w % levels) * stride + i) | (d & MSM_SIGN);
    }
}

// Segment counts for bucket balance: entry key (1..=NB) of window w gets ⌈|bucket|/S⌉, entries 0
// and NB + 1 get 0; msm_scan then turns them into each bucket's first segment (entry NB + 1: the
// window's number of segments).
KERNEL void msm_seg_counts(GLOBAL const u32 *starts, GLOBAL u32 *segs, u32 c, u32 n_windows,
                           u32 seg_len) {
    u32 g = GID;
    u32 entries = (1u << (c - 1)) + 2;
    if (g >= n_windows * entries) return;
    u32 k = g % entries;
    u32 v = 0;
    if (k != 0 && k != entries - 1) {
        u32 cnt = starts[g + 1] - starts[g];
        v = (cnt + seg_len - 1) / seg_len;
    }
    segs[g] = v;
}

// The bucket of slot s of a window: the largest key in 1..=NB whose first slot is ≤ s (`starts`:
// the window's exclusive prefix sums of slots per bucket; empty buckets share their successor's
// start, and the largest such key is the one that owns slot s).
DEVICE u32 bucket_of(GLOBAL const u32 *starts, u32 nb, u32 s) {
    u32 lo_k = 1;
    u32 hi_k = nb;
    while (lo_k < hi_k) {
        u32 mid = (lo_k + hi_k + 1) / 2;
        if (starts[mid] <= s) lo_k = mid; else hi_k = mid - 1;
    }
    return lo_k;
}

// One work-item per segment (at most S points of one bucket, max_segs slots per window): the
// segment's bucket by binary search over the window's segment starts, then its points by mixed
// XYZZ additions (negated for negative digits). Slots past the window's segments do nothing.
DEVICE void accumulate_segment(u32 g, GLOBAL const affine_t *bases, GLOBAL const u32 *sorted,
                               GLOBAL const u32 *starts, GLOBAL const u32 *seg_starts,
                               GLOBAL xyzz_t *seg_sums, u32 base_offset, u32 n, u32 c,
                               u32 n_windows, u32 seg_len, u32 max_segs) {
    if (g >= n_windows * max_segs) return;
    u32 nb = 1u << (c - 1);
    u32 w = g / max_segs;
    u32 s = g % max_segs;
    GLOBAL const u32 *ss = seg_starts + (size_t)w * (nb + 2);
    if (s >= ss[nb + 1]) return;
    u32 key = bucket_of(ss, nb, s);
    GLOBAL const u32 *st = starts + (size_t)w * (nb + 2);
    u32 lo = st[key] + (s - ss[key]) * seg_len;
    u32 hi = lo + seg_len;
    if (hi > st[key + 1]) hi = st[key + 1];
    GLOBAL const u32 *idx = sorted + (size_t)w * n;
    xyzz_t acc = xyzz_inf();
    for (u32 j = lo; j < hi; j++) {
        u32 e = idx[j];
        affine_t p = bases[base_offset + (e & ~MSM_SIGN)];
        if (e & MSM_SIGN) p = affine_neg(p);
        acc = xyzz_add_affine(acc, p);
    }
    seg_sums[g] = acc;
}

// The accumulation is a chain of dependent multiply-add carry chains per work-item, so its speed
// follows the number of warps resident per multiprocessor, which the registers per thread bound:
// unbounded, NVRTC gives G1 96 registers (16 warps of 64 per SM on sm_90) and G2 210 (8 warps).
// CUDA builds of `msm_accumulate` cap them through launch bounds for 256-thread blocks with
// MSM_ACC_MIN_BLOCKS blocks per SM (defined by the host: 3 for G1, 80 registers and no spills;
// 2 for G2, 128 registers and 48 bytes spilled), `msm_accumulate_wide` keeps the compiler's
// choice (the host picks it with ZKPROVE_GPU_MSM_ACC=wide, to compare on a GPU).
#if defined(__CUDACC__)
#define MSM_ACC_BOUNDS __launch_bounds__(256, MSM_ACC_MIN_BLOCKS)
#else
#define MSM_ACC_BOUNDS
#endif

KERNEL MSM_ACC_BOUNDS void msm_accumulate(GLOBAL const affine_t *bases, GLOBAL const u32 *sorted,
                                          GLOBAL const u32 *starts, GLOBAL const u32 *seg_starts,
                                          GLOBAL xyzz_t *seg_sums, u32 base_offset, u32 n, u32 c,
                                          u32 n_windows, u32 seg_len, u32 max_segs) {
    accumulate_segment(GID, bases, sorted, starts, seg_starts, seg_sums, base_offset, n, c,
                       n_windows, seg_len, max_segs);
}

KERNEL void msm_accumulate_wide(GLOBAL const affine_t *bases, GLOBAL const u32 *sorted,
                                GLOBAL const u32 *starts, GLOBAL const u32 *seg_starts,
                                GLOBAL xyzz_t *seg_sums, u32 base_offset, u32 n, u32 c,
                                u32 n_windows, u32 seg_len, u32 max_segs) {
    accumulate_segment(GID, bases, sorted, starts, seg_starts, seg_sums, base_offset, n, c,
                       n_windows, seg_len, max_segs);
}

// One pass of the tree that sums each bucket's segment sums: the m partial sums of a bucket (slots
// in_starts[key] .. in_starts[key + 1] of its window, `in_slots` slots per window) become
// ⌈m/group⌉, one work-item per output slot adding up to `group` inputs (out_starts: the scan of
// ⌈m/group⌉ per bucket, made by msm_seg_counts and msm_scan from in_starts). The host repeats it
// until no bucket has more than a few partial sums, so a bucket holding most points (witness
// scalars 0 and 1) costs S + group·passes serial additions, not a chain over its segments.
KERNEL void msm_group_sum(GLOBAL const xyzz_t *in, GLOBAL const u32 *in_starts, GLOBAL xyzz_t *out,
                          GLOBAL const u32 *out_starts, u32 c, u32 n_windows, u32 group,
                          u32 in_slots, u32 out_slots) {
    u32 g = GID;
    if (g >= n_windows * out_slots) return;
    u32 nb = 1u << (c - 1);
    u32 w = g / out_slots;
    u32 s = g % out_slots;
    GLOBAL const u32 *os = out_starts + (size_t)w * (nb + 2);
    if (s >= os[nb + 1]) return;
    u32 key = bucket_of(os, nb, s);
    GLOBAL const u32 *is = in_starts + (size_t)w * (nb + 2);
    u32 lo = is[key] + (s - os[key]) * group;
    u32 hi = lo + group;
    if (hi > is[key + 1]) hi = is[key + 1];
    GLOBAL const xyzz_t *src = in + (size_t)w * in_slots;
    xyzz_t acc = xyzz_inf();
    for (u32 j = lo; j < hi; j++) acc = xyzz_add(acc, src[j]);
    out[(size_t)w * out_slots + s] = acc;
}

// One work-item per (window, bucket): the sum of the bucket's (few, after msm_group_sum) partial
// sums, or infinity for an empty bucket.
KERNEL void msm_bucket_combine(GLOBAL const xyzz_t *seg_sums, GLOBAL const u32 *seg_starts,
                               GLOBAL xyzz_t *buckets, u32 c, u32 n_windows, u32 max_segs) {
    u32 g = GID;
    u32 nb = 1u << (c - 1);
    if (g >= n_windows * nb) return;
    u32 w = g / nb;
    u32 key = g % nb + 1;
    GLOBAL const u32 *ss = seg_starts + (size_t)w * (nb + 2);
    GLOBAL const xyzz_t *sums = seg_sums + (size_t)w * max_segs;
    xyzz_t acc = xyzz_inf();
    for (u32 s = ss[key]; s < ss[key + 1]; s++) acc = xyzz_add(acc, sums[s]);
    buckets[g] = acc;
}

KERNEL void msm_reduce(GLOBAL const xyzz_t *buckets, GLOBAL xyzz_t *partials, u32 c,
                       u32 n_windows, u32 per_window, u32 span) {
    u32 g = GID;
    if (g >= n_windows * per_window) return;
    u32 nb = 1u << (c - 1);
    u32 w = g / per_window;
    u32 t = g % per_window;
    u32 lo = t * span + 1;  // keys lo .. hi − 1
    u32 hi = lo + span;
    if (hi > nb + 1) hi = nb + 1;
    xyzz_t running = xyzz_inf();
    xyzz_t acc = xyzz_inf();
    GLOBAL const xyzz_t *b = buckets + (size_t)w * nb;
    for (u32 key = hi; key > lo;) {
        key--;
        running = xyzz_add(running, b[key - 1]);
        acc = xyzz_add(acc, running);
    }
    // acc = Σ (key − lo + 1)·B_key; add (lo − 1)·Σ B_key.
    if (lo > 1 && lo < hi) acc = xyzz_add(acc, xyzz_mul_u32(running, lo - 1));
    partials[g] = acc;
}

// One level of the tree that sums each window's partials: window w's `m_in` points at
// `in + w·m_in` become ⌈m_in/group⌉ points at `out + w·⌈m_in/group⌉`, one work-item per `group`
// consecutive points (the host repeats it until one point per window is left), so the serial chain
// of additions is `group` per level rather than `m_in`.
KERNEL void msm_window_sum(GLOBAL const xyzz_t *in, GLOBAL xyzz_t *out, u32 n_windows, u32 m_in,
                           u32 group) {
    u32 g = GID;
    u32 m_out = (m_in + group - 1) / group;
    if (g >= n_windows * m_out) return;
    u32 w = g / m_out;
    u32 lo = (g % m_out) * group;
    u32 hi = lo + group;
    if (hi > m_in) hi = m_in;
    GLOBAL const xyzz_t *p = in + (size_t)w * m_in;
    xyzz_t acc = xyzz_inf();
    for (u32 t = lo; t < hi; t++) acc = xyzz_add(acc, p[t]);
    out[g] = acc;
}

// Level `level` of a precomputed base table from level `level − 1`, in two kernels (levels are
// `stride` points apart): msm_precompute_double takes each point P to 2^c·P in XYZZ (c doublings),
// leaving X, Y in the table's slot and ZZ, ZZZ in `scratch` (3 coordinates per point: ZZ, ZZZ and
// a prefix product); msm_precompute_normalize then brings `group` consecutive points per
// work-item back to affine with one inversion (Montgomery's simultaneous inversion of their
// ZZZ: 1/Z = ZZ/ZZZ gives both denominators). Infinity stays (0, 0).
KERNEL void msm_precompute_double(GLOBAL affine_t *table, GLOBAL bf *scratch, u32 n, u32 stride,
                                  u32 level, u32 c) {
    u32 i = GID;
    if (i >= n) return;
    affine_t p = table[(size_t)(level - 1) * stride + i];
    xyzz_t q = xyzz_inf();
    if (!affine_is_inf(p)) {
        q = xyzz_dbl_affine(p);
        for (u32 k = 1; k < c; k++) q = xyzz_dbl(q);
    }
    affine_t out;
    out.x = q.x;
    out.y = q.y;
    table[(size_t)level * stride + i] = out;
    scratch[3 * (size_t)i] = q.zz;
    scratch[3 * (size_t)i + 1] = q.zzz;
}

KERNEL void msm_precompute_normalize(GLOBAL affine_t *table, GLOBAL bf *scratch, u32 n,
                                     u32 stride, u32 level, u32 group) {
    u32 lo = GID * group;
    if (lo >= n) return;
    u32 hi = lo + group;
    if (hi > n) hi = n;
    GLOBAL affine_t *out = table + (size_t)level * stride;
    // Forward: scratch[3i + 2] = the product of the ZZZ before point i (points at infinity,
    // ZZ = 0, are left out).
    bf acc = bf_one();
    for (u32 i = lo; i < hi; i++) {
        scratch[3 * (size_t)i + 2] = acc;
        if (!bf_is_zero(scratch[3 * (size_t)i])) acc = bf_mul(acc, scratch[3 * (size_t)i + 1]);
    }
    bf inv = bf_inv(acc);  // 1 / (product of every ZZZ)
    for (u32 i = hi; i > lo;) {
        i--;
        bf zz = scratch[3 * (size_t)i];
        affine_t r = out[i];
        if (bf_is_zero(zz)) {
            r.x = bf_zero();
            r.y = bf_zero();
        } else {
            bf zzz = scratch[3 * (size_t)i + 1];
            bf zzz_inv = bf_mul(inv, scratch[3 * (size_t)i + 2]);
            inv = bf_mul(inv, zzz);
            bf zinv = bf_mul(zz, zzz_inv);
            bf zinv2 = bf_sqr(zinv);
            r.x = bf_mul(r.x, zinv2);
            r.y = bf_mul(r.y, bf_mul(zinv2, zinv));
        }
        out[i] = r;
    }
}
