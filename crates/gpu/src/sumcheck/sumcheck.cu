// Sumcheck kernels over multilinear tables: restriction of the first variable (MLE fold) and the
// fused round evaluation of a sum of products, on top of a base field header and ext.h.
//
// Conventions (those of crates/sumcheck): a table of `len = 2^k` entries has its first variable on
// the most significant index bit, so f(0, ·) is the first half and f(1, ·) the second. Folding with
// r gives f(r, x) = lo[x] + r·(hi[x] − lo[x]). The round polynomial of
// Σ_t c_t Π_{j∈t} f_j(X, x) is sent as its values at X = 0, 2, 3, …, d: slot 0 ↔ X = 0, slot s ≥ 1
// ↔ X = s + 1.
//
// Term descriptors (one u32 per term, in `params`): bits 0..4 the number of factors m ≤ 8, then
// m fields of 3 bits, the table slot (0..7) of each factor. After the n_terms descriptors come the
// terms' coefficients, 4 words each (ext.h's argument words). Tables are passed as up to
// SC_MAX_TABLES pointers t0..t7 (unused ones point anywhere readable: the kernels never touch a
// slot no factor names, and fold only the first n_tables).
//
// Round kernels: a grid-stride loop over the pairs (x, x + nh), nh = half the table length,
// accumulates the slots in registers, then each work-group reduces them in local/shared memory
// to one partial per group and slot (`partials[group · degree + slot]`); sc_reduce sums the
// partials in one group.

#define SC_MAX_TABLES 8
#define SC_MAX_DEG 8
// The largest work-group the round kernels are launched with (a power of two).
#define SC_BLOCK 128

// Loops over the round's slots s = from, …, degree − 1. Under CUDA fully unrolled to SC_MAX_DEG
// with a uniform guard, so that per-slot arrays stay in registers; under OpenCL a plain loop
// (PoCL's work-group compiler takes minutes over the unrolled, guarded form).
#if defined(__CUDACC__)
#define LOCAL_PTR
#define SC_FOR_SLOTS(s, from, degree) \
    _Pragma("unroll") for (int s = (from); s < SC_MAX_DEG; s++) if ((u32)s < (degree))
#else
#define LOCAL_PTR local
#define SC_FOR_SLOTS(s, from, degree) for (int s = (from); s < (int)(degree); s++)
#endif

// The table of slot j.
#define SC_PICK(j) \
    ((j) == 0 ? t0 : (j) == 1 ? t1 : (j) == 2 ? t2 : (j) == 3 ? t3 : \
     (j) == 4 ? t4 : (j) == 5 ? t5 : (j) == 6 ? t6 : t7)

#define SC_TABLE_ARGS(Q)                                                                     \
    GLOBAL Q fe *t0, GLOBAL Q fe *t1, GLOBAL Q fe *t2, GLOBAL Q fe *t3, GLOBAL Q fe *t4,     \
        GLOBAL Q fe *t5, GLOBAL Q fe *t6, GLOBAL Q fe *t7

// Sums acc[0..degree] over the work-group (size a power of two ≤ SC_BLOCK) in local memory
// `sh[slot · SC_BLOCK + work-item]` (one barrier per halving, all slots at once), and work-item 0
// writes the sums to partials[group · degree + slot]. Every work-item of the group must reach it.
#define SC_STORE_PARTIALS(acc, degree, partials)                                             \
    do {                                                                                     \
        u32 lid_ = LID;                                                                      \
        SC_FOR_SLOTS(s, 0, degree) { sh[s * SC_BLOCK + lid_] = acc[s]; }                     \
        BARRIER();                                                                           \
        for (u32 w = GROUP_SIZE >> 1; w > 0; w >>= 1) {                                      \
            if (lid_ < w) {                                                                  \
                SC_FOR_SLOTS(s, 0, degree) {                                                 \
                    sh[s * SC_BLOCK + lid_] =                                                \
                        ef_add(sh[s * SC_BLOCK + lid_], sh[s * SC_BLOCK + lid_ + w]);        \
                }                                                                            \
            }                                                                                \
            BARRIER();                                                                       \
        }                                                                                    \
        if (lid_ == 0) {                                                                     \
            SC_FOR_SLOTS(s, 0, degree) {                                                     \
                ef_store(partials, GROUP_ID * (degree) + (u32)s, sh[s * SC_BLOCK]);          \
            }                                                                                \
        }                                                                                    \
    } while (0)

DEVICE ef sc_coeff(GLOBAL const u32 *params, u32 n_terms, u32 t) {
    GLOBAL const u32 *w = params + n_terms + 4 * t;
    return ef_from_words(w[0], w[1], w[2], w[3]);
}

// Round on base-field tables: per pair x < nh (half the table), Σ_t c_t Π_j f_j(X, x) at the slots.
KERNEL void sc_round_base(SC_TABLE_ARGS(const), GLOBAL const u32 *params, GLOBAL fe *partials,
                          u32 nh, u32 n_terms, u32 degree, u32 stride) {
    LOCAL_MEM ef sh[SC_MAX_DEG * SC_BLOCK];
    ef acc[SC_MAX_DEG];
    SC_FOR_SLOTS(s, 0, degree) { acc[s] = ef_zero(); }
    for (u32 i = GID; i < nh; i += stride) {
        for (u32 t = 0; t < n_terms; t++) {
            u32 desc = params[t];
            u32 m = desc & 15u;
            fe prod[SC_MAX_DEG];
            SC_FOR_SLOTS(s, 0, degree) { prod[s] = fe_one(); }
            for (u32 f = 0; f < m; f++) {
                u32 j = (desc >> (4 + 3 * f)) & 7u;
                GLOBAL const fe *p = SC_PICK(j);
                fe lo = p[i];
                fe hi = p[i + nh];
                fe d = fe_sub(hi, lo);
                prod[0] = fe_mul(prod[0], lo);
                fe v = hi;
                SC_FOR_SLOTS(s, 1, degree) {
                    v = fe_add(v, d);
                    prod[s] = fe_mul(prod[s], v);
                }
            }
            ef c = sc_coeff(params, n_terms, t);
            SC_FOR_SLOTS(s, 0, degree) { acc[s] = ef_add(acc[s], ef_mul_base(c, prod[s])); }
        }
    }
    SC_STORE_PARTIALS(acc, degree, partials);
}

// The round contribution of pair (i, i + nh) of extension-field tables, added to acc.
#define SC_EXT_PAIR(acc, i, nh)                                                              \
    do {                                                                                     \
        for (u32 t = 0; t < n_terms; t++) {                                                  \
            u32 desc = params[t];                                                            \
            u32 m = desc & 15u;                                                              \
            ef prod[SC_MAX_DEG];                                                             \
            SC_FOR_SLOTS(s, 0, degree) { prod[s] = ef_zero(); }                              \
            for (u32 f = 0; f < m; f++) {                                                    \
                u32 j = (desc >> (4 + 3 * f)) & 7u;                                          \
                GLOBAL const fe *p = SC_PICK(j);                                             \
                ef lo = ef_load(p, (i));                                                     \
                ef hi = ef_load(p, (i) + (nh));                                              \
                ef d = ef_sub(hi, lo);                                                       \
                ef v = hi;                                                                   \
                if (f == 0) {                                                                \
                    prod[0] = lo;                                                            \
                    SC_FOR_SLOTS(s, 1, degree) {                                             \
                        v = ef_add(v, d);                                                    \
                        prod[s] = v;                                                         \
                    }                                                                        \
                } else {                                                                     \
                    prod[0] = ef_mul(prod[0], lo);                                           \
                    SC_FOR_SLOTS(s, 1, degree) {                                             \
                        v = ef_add(v, d);                                                    \
                        prod[s] = ef_mul(prod[s], v);                                        \
                    }                                                                        \
                }                                                                            \
            }                                                                                \
            ef c = sc_coeff(params, n_terms, t);                                             \
            SC_FOR_SLOTS(s, 0, degree) { acc[s] = ef_add(acc[s], ef_mul(c, prod[s])); }      \
        }                                                                                    \
    } while (0)

// Round on extension-field tables.
KERNEL void sc_round_ext(SC_TABLE_ARGS(const), GLOBAL const u32 *params, GLOBAL fe *partials,
                         u32 nh, u32 n_terms, u32 degree, u32 stride) {
    LOCAL_MEM ef sh[SC_MAX_DEG * SC_BLOCK];
    ef acc[SC_MAX_DEG];
    SC_FOR_SLOTS(s, 0, degree) { acc[s] = ef_zero(); }
    for (u32 i = GID; i < nh; i += stride) SC_EXT_PAIR(acc, i, nh);
    SC_STORE_PARTIALS(acc, degree, partials);
}

// Fused fold + next round on extension-field tables of `4·quarter` entries: the first n_tables
// tables are folded in place with r (entries x and x + quarter of the folded table, from x,
// x + 2·quarter and x + quarter, x + 3·quarter), then the round of the folded tables (pairs
// (x, x + quarter)) is accumulated. Each work-item reads back only entries it wrote itself.
KERNEL void sc_fold_round_ext(SC_TABLE_ARGS(), GLOBAL const u32 *params, GLOBAL fe *partials,
                              u32 quarter, u32 n_tables, u32 n_terms, u32 degree, u32 stride,
                              u32 r0, u32 r1, u32 r2, u32 r3) {
    LOCAL_MEM ef sh[SC_MAX_DEG * SC_BLOCK];
    ef r = ef_from_words(r0, r1, r2, r3);
    ef acc[SC_MAX_DEG];
    SC_FOR_SLOTS(s, 0, degree) { acc[s] = ef_zero(); }
    u32 nh = quarter << 1;
    for (u32 i = GID; i < quarter; i += stride) {
        for (u32 j = 0; j < n_tables; j++) {
            GLOBAL fe *p = SC_PICK(j);
            ef a = ef_load(p, i);
            ef b = ef_load(p, i + nh);
            ef_store(p, i, ef_add(a, ef_mul(r, ef_sub(b, a))));
            ef c = ef_load(p, i + quarter);
            ef d = ef_load(p, i + quarter + nh);
            ef_store(p, i + quarter, ef_add(c, ef_mul(r, ef_sub(d, c))));
        }
        SC_EXT_PAIR(acc, i, quarter);
    }
    SC_STORE_PARTIALS(acc, degree, partials);
}

// Sums partials[g · degree + s] over g < n_parts into out[s], in one work-group.
KERNEL void sc_reduce(GLOBAL const fe *partials, GLOBAL fe *out, u32 n_parts, u32 degree) {
    LOCAL_MEM ef sh[SC_MAX_DEG * SC_BLOCK];
    ef acc[SC_MAX_DEG];
    SC_FOR_SLOTS(s, 0, degree) { acc[s] = ef_zero(); }
    for (u32 g = LID; g < n_parts; g += GROUP_SIZE) {
        SC_FOR_SLOTS(s, 0, degree) { acc[s] = ef_add(acc[s], ef_load(partials, g * degree + (u32)s)); }
    }
    SC_STORE_PARTIALS(acc, degree, out);
}

// Fixes the first variable of a base-field table: dst[x] = lo[x] + r·(hi[x] − lo[x]) ∈ E, x < nh.
KERNEL void sc_fold_base(GLOBAL const fe *src, GLOBAL fe *dst, u32 nh, u32 r0, u32 r1, u32 r2,
                         u32 r3) {
    u32 i = GID;
    if (i >= nh) return;
    ef r = ef_from_words(r0, r1, r2, r3);
    fe lo = src[i];
    fe hi = src[i + nh];
    ef v = ef_mul_base(r, fe_sub(hi, lo));
    v.c[0] = fe_add(v.c[0], lo);
    ef_store(dst, i, v);
}

// Fixes the first variable of an extension-field table in place: t[x] += r·(t[x + nh] − t[x]).
KERNEL void sc_fold_ext(GLOBAL fe *t, u32 nh, u32 r0, u32 r1, u32 r2, u32 r3) {
    u32 i = GID;
    if (i >= nh) return;
    ef r = ef_from_words(r0, r1, r2, r3);
    ef lo = ef_load(t, i);
    ef hi = ef_load(t, i + nh);
    ef_store(t, i, ef_add(lo, ef_mul(r, ef_sub(hi, lo))));
}

// The embedding of the first n entries of a base-field table into the extension.
KERNEL void sc_lift(GLOBAL const fe *src, GLOBAL fe *dst, u32 n) {
    u32 i = GID;
    if (i >= n) return;
    ef_store(dst, i, ef_from_base(src[i]));
}
