// The AIR prover's backend operations (zkprove-air's `AirOps`, host code in `air/mod.rs`),
// appended to the pair's sumcheck program: base-field columns are `fe` arrays, extension columns
// `ef` arrays (ext.h's layout). Element-wise kernels take one work-item per entry; the sums
// (`air_logup_sum_term`, `air_dot`, `air_product_round_base`) are grid-stride loops that reduce
// each work-group in local/shared memory to one partial per group (`partials[group · K + slot]`),
// summed by `sc_reduce`, as the sumcheck round kernels do.
//
// Scalars travel as ext.h's four argument words; a base-field scalar as the words of its
// embedding (`air_base_from_words`: the first coefficient).

// Reduction of K values per work-item over the work-group (size a power of two ≤ SC_BLOCK) in
// `sh` (K·SC_BLOCK entries); afterwards sh[s·SC_BLOCK] holds slot s's sum. Every work-item of the
// group must reach it.
#define AIR_GROUP_REDUCE(acc, K, sh)                                                         \
    do {                                                                                     \
        u32 lid_ = LID;                                                                      \
        for (int s = 0; s < (K); s++) sh[s * SC_BLOCK + lid_] = acc[s];                      \
        BARRIER();                                                                           \
        for (u32 w = GROUP_SIZE >> 1; w > 0; w >>= 1) {                                      \
            if (lid_ < w) {                                                                  \
                for (int s = 0; s < (K); s++) {                                              \
                    sh[s * SC_BLOCK + lid_] =                                                \
                        ef_add(sh[s * SC_BLOCK + lid_], sh[s * SC_BLOCK + lid_ + w]);        \
                }                                                                            \
            }                                                                                \
            BARRIER();                                                                       \
        }                                                                                    \
    } while (0)

DEVICE fe air_base_from_words(u32 w0, u32 w1) {
    return ef_from_words(w0, w1, 0u, 0u).c[0];
}

// dst[offset + i] = src[i], i < n (one column into a stack).
KERNEL void air_copy(GLOBAL const fe *src, GLOBAL fe *dst, u32 offset, u32 n) {
    u32 i = GID;
    if (i >= n) return;
    dst[offset + i] = src[i];
}

// dst[i] = src[(i + 1) mod n]: the next-row column.
KERNEL void air_rotate(GLOBAL const fe *src, GLOBAL fe *dst, u32 n) {
    u32 i = GID;
    if (i >= n) return;
    u32 j = i + 1 == n ? 0u : i + 1;
    dst[i] = src[j];
}

// dst[row] = 1 in the base field (one work-item).
KERNEL void air_set_one(GLOBAL fe *dst, u32 row) {
    if (GID != 0) return;
    dst[row] = fe_one();
}

// dst[row] = 1 in the extension (one work-item).
KERNEL void air_ext_set_one(GLOBAL fe *dst, u32 row) {
    if (GID != 0) return;
    ef_store(dst, row, ef_from_base(fe_one()));
}

// One variable r of an eq table, as the new most significant index bit: for i < size,
// t[i + size] = t[i]·r and t[i] = t[i] − t[i]·r (each work-item touches its own two entries).
KERNEL void air_eq_expand(GLOBAL fe *t, u32 size, u32 r0, u32 r1, u32 r2, u32 r3) {
    u32 i = GID;
    if (i >= size) return;
    ef r = ef_from_words(r0, r1, r2, r3);
    ef x = ef_load(t, i);
    ef hi = ef_mul(x, r);
    ef_store(t, i, ef_sub(x, hi));
    ef_store(t, i + size, hi);
}

// One LogUp term's Σ_i h[i]·m[i] (or Σ_i h[i] without multiplicities), added to (subtracted
// from, `negate`) the group's partial; `first` starts the partials from zero.
KERNEL void air_logup_sum_term(GLOBAL const fe *h, GLOBAL const fe *m, GLOBAL fe *partials, u32 n,
                               u32 has_m, u32 negate, u32 first, u32 stride) {
    LOCAL_MEM ef sh[SC_BLOCK];
    ef acc[1];
    acc[0] = ef_zero();
    for (u32 i = GID; i < n; i += stride) {
        ef v = ef_load(h, i);
        if (has_m) v = ef_mul_base(v, m[i]);
        acc[0] = ef_add(acc[0], v);
    }
    AIR_GROUP_REDUCE(acc, 1, sh);
    if (LID == 0) {
        ef p = first ? ef_zero() : ef_load(partials, GROUP_ID);
        ef_store(partials, GROUP_ID, negate ? ef_sub(p, sh[0]) : ef_add(p, sh[0]));
    }
}

// out[i] = c, i < n (a linear column's constant).
KERNEL void air_linear_fill(GLOBAL fe *out, u32 n, u32 c0, u32 c1) {
    u32 i = GID;
    if (i >= n) return;
    out[i] = air_base_from_words(c0, c1);
}

// out[i] += c·col[i], i < n (one term of a linear column).
KERNEL void air_linear_axpy(GLOBAL fe *out, GLOBAL const fe *col, u32 n, u32 c0, u32 c1) {
    u32 i = GID;
    if (i >= n) return;
    out[i] = fe_add(out[i], fe_mul(air_base_from_words(c0, c1), col[i]));
}

// dst[i] = coefficient k of src[i], i < n.
KERNEL void air_coordinate(GLOBAL const fe *src, GLOBAL fe *dst, u32 n, u32 k) {
    u32 i = GID;
    if (i >= n) return;
    dst[i] = src[(u64)i * EXT_DEG + k];
}

// Σ_i a[i]·b[i] (a in the extension, b in the base field), one partial per group.
KERNEL void air_dot(GLOBAL const fe *a, GLOBAL const fe *b, GLOBAL fe *partials, u32 n,
                    u32 stride) {
    LOCAL_MEM ef sh[SC_BLOCK];
    ef acc[1];
    acc[0] = ef_zero();
    for (u32 i = GID; i < n; i += stride) acc[0] = ef_add(acc[0], ef_mul_base(ef_load(a, i), b[i]));
    AIR_GROUP_REDUCE(acc, 1, sh);
    if (LID == 0) ef_store(partials, GROUP_ID, sh[0]);
}

// out[y] = eq[y] + μ·eq[(y − 1) mod n].
KERNEL void air_shift_kernel(GLOBAL const fe *eq, GLOBAL fe *out, u32 n, u32 m0, u32 m1, u32 m2,
                             u32 m3) {
    u32 y = GID;
    if (y >= n) return;
    ef mu = ef_from_words(m0, m1, m2, m3);
    u32 p = y == 0 ? n - 1 : y - 1;
    ef_store(out, y, ef_add(ef_load(eq, y), ef_mul(mu, ef_load(eq, p))));
}

// w[j·rows + y] = s_j·kern[y] for every entry below total = |s|·rows (s_j: four words each).
KERNEL void air_outer_product(GLOBAL const fe *kern, GLOBAL const u32 *s, GLOBAL fe *w, u32 rows,
                              u32 total) {
    u32 i = GID;
    if (i >= total) return;
    u32 j = i / rows;
    u32 y = i - j * rows;
    GLOBAL const u32 *sw = s + 4 * j;
    ef_store(w, i, ef_mul(ef_from_words(sw[0], sw[1], sw[2], sw[3]), ef_load(kern, y)));
}

// out[y] = Σ_{j < n_weights} weight_j·stacked[j·rows + y] (weights: four words each).
KERNEL void air_combine_stacked(GLOBAL const fe *stacked, GLOBAL const u32 *weights, GLOBAL fe *out,
                                u32 rows, u32 n_weights) {
    u32 y = GID;
    if (y >= rows) return;
    ef acc = ef_zero();
    for (u32 j = 0; j < n_weights; j++) {
        GLOBAL const u32 *ww = weights + 4 * j;
        ef wj = ef_from_words(ww[0], ww[1], ww[2], ww[3]);
        acc = ef_add(acc, ef_mul_base(wj, stacked[(u64)j * rows + y]));
    }
    ef_store(out, y, acc);
}

// col[i] = s·col[i] in place.
KERNEL void air_scale(GLOBAL fe *col, u32 n, u32 s0, u32 s1, u32 s2, u32 s3) {
    u32 i = GID;
    if (i >= n) return;
    ef_store(col, i, ef_mul(ef_from_words(s0, s1, s2, s3), ef_load(col, i)));
}

// The first round of Σ p·w (p base, w extension) over pairs i < nh (half the length): slot 0 Σ w_lo·p_lo, slot 1
// Σ (2·w_hi − w_lo)·(2·p_hi − p_lo); one partial pair per group.
KERNEL void air_product_round_base(GLOBAL const fe *p, GLOBAL const fe *w, GLOBAL fe *partials,
                                   u32 nh, u32 stride) {
    LOCAL_MEM ef sh[2 * SC_BLOCK];
    ef acc[2];
    acc[0] = ef_zero();
    acc[1] = ef_zero();
    for (u32 i = GID; i < nh; i += stride) {
        fe pl = p[i];
        fe ph = p[i + nh];
        ef wl = ef_load(w, i);
        ef wh = ef_load(w, i + nh);
        acc[0] = ef_add(acc[0], ef_mul_base(wl, pl));
        ef w2 = ef_sub(ef_add(wh, wh), wl);
        fe p2 = fe_sub(fe_add(ph, ph), pl);
        acc[1] = ef_add(acc[1], ef_mul_base(w2, p2));
    }
    AIR_GROUP_REDUCE(acc, 2, sh);
    if (LID == 0) {
        ef_store(partials, 2 * GROUP_ID, sh[0]);
        ef_store(partials, 2 * GROUP_ID + 1, sh[SC_BLOCK]);
    }
}
