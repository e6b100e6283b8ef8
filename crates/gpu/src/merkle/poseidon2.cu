// Poseidon2 over a 31-bit field (M31 or BabyBear), width 16, written against the `fe` interface of
// the field headers. One work-item per permutation; the state lives in 16 registers.
//
// The host prepends P2_ALPHA (S-box degree 5 or 7), P2_RF_HALF (full rounds per half), P2_RP
// (partial rounds) and the tables P2_RC_EXT (2·P2_RF_HALF rows of 16), P2_RC_INT (P2_RP) and
// P2_DIAG (16), in the field's device representation, generated from crates/hash's instance.
//
// Layout as crates/hash: M_E first; R_F/2 full rounds (constants, S-box on every cell, M_E);
// R_P partial rounds (constant and S-box on cell 0, then M_I = 1 + diag(V)); R_F/2 full rounds.
// The Merkle kernels are crates/hash's Poseidon2Merkle<F, 16, 8, 8>: leaves by an overwrite sponge
// of rate 8 with a leaf tag in the last cell, taking 8 cells; nodes by permute(left ‖ right)[0..8].

#define P2_WIDTH 16
#define P2_RATE 8
#define P2_OUT 8

#if defined(__CUDACC__)
#define P2_UNROLL _Pragma("unroll")
#else
#define P2_UNROLL
#endif

DEVICE fe p2_sbox(fe x) {
    fe x2 = fe_sqr(x);
    fe x4 = fe_sqr(x2);
#if P2_ALPHA == 5
    return fe_mul(x4, x);
#else
    return fe_mul(fe_mul(x2, x), x4);
#endif
}

// circ(2, 3, 1, 1) on cells 4c..4c+3.
#define P2_MAT4(s, c)                                    \
    do {                                                 \
        fe t01 = fe_add(s[4 * (c)], s[4 * (c) + 1]);     \
        fe t23 = fe_add(s[4 * (c) + 2], s[4 * (c) + 3]); \
        fe t0123 = fe_add(t01, t23);                     \
        fe t01123 = fe_add(t0123, s[4 * (c) + 1]);       \
        fe t01233 = fe_add(t0123, s[4 * (c) + 3]);       \
        fe x0d = fe_add(s[4 * (c)], s[4 * (c)]);         \
        fe x2d = fe_add(s[4 * (c) + 2], s[4 * (c) + 2]); \
        s[4 * (c) + 3] = fe_add(t01233, x0d);            \
        s[4 * (c) + 1] = fe_add(t01123, x2d);            \
        s[4 * (c)] = fe_add(t01123, t01);                \
        s[4 * (c) + 2] = fe_add(t01233, t23);            \
    } while (0)

// The external layer M_E: M4 on each block, then each cell plus the sum of the cells with the same
// index mod 4.
#define P2_EXTERNAL(s)                                                                  \
    do {                                                                                \
        P2_MAT4(s, 0);                                                                  \
        P2_MAT4(s, 1);                                                                  \
        P2_MAT4(s, 2);                                                                  \
        P2_MAT4(s, 3);                                                                  \
        fe sums[4];                                                                     \
        P2_UNROLL for (int k = 0; k < 4; k++) sums[k] =                                 \
            fe_add(fe_add(s[k], s[4 + k]), fe_add(s[8 + k], s[12 + k]));               \
        P2_UNROLL for (int i = 0; i < P2_WIDTH; i++) s[i] = fe_add(s[i], sums[i & 3]);  \
    } while (0)

#define P2_FULL_ROUND(s, r)                                                             \
    do {                                                                                \
        P2_UNROLL for (int i = 0; i < P2_WIDTH; i++) s[i] =                             \
            p2_sbox(fe_add(s[i], P2_RC_EXT[(r) * P2_WIDTH + i]));                       \
        P2_EXTERNAL(s);                                                                 \
    } while (0)

// The permutation of the 16 cells of `s`, in place (a macro so that `s` stays a register array
// under every compiler).
#define P2_PERMUTE(s)                                                                   \
    do {                                                                                \
        P2_EXTERNAL(s);                                                                 \
        for (int r = 0; r < P2_RF_HALF; r++) P2_FULL_ROUND(s, r);                       \
        for (int r = 0; r < P2_RP; r++) {                                               \
            fe s0 = p2_sbox(fe_add(s[0], P2_RC_INT[r]));                                \
            fe sum = s0;                                                                \
            P2_UNROLL for (int i = 1; i < P2_WIDTH; i++) sum = fe_add(sum, s[i]);       \
            s[0] = fe_add(fe_mul(s0, P2_DIAG[0]), sum);                                 \
            P2_UNROLL for (int i = 1; i < P2_WIDTH; i++) s[i] =                         \
                fe_add(fe_mul(s[i], P2_DIAG[i]), sum);                                  \
        }                                                                               \
        for (int r = P2_RF_HALF; r < 2 * P2_RF_HALF; r++) P2_FULL_ROUND(s, r);          \
    } while (0)

// Permutes `n` states of 16 consecutive elements in place.
KERNEL void p2_permute_kernel(GLOBAL fe *states, u32 n) {
    u32 t = GID;
    if (t >= n) return;
    fe s[P2_WIDTH];
    P2_UNROLL for (int i = 0; i < P2_WIDTH; i++) s[i] = states[(u64)t * P2_WIDTH + i];
    P2_PERMUTE(s);
    P2_UNROLL for (int i = 0; i < P2_WIDTH; i++) states[(u64)t * P2_WIDTH + i] = s[i];
}

// Leaf digests of `n` rows of `row_len` elements (row-major): overwrite sponge, no padding, the
// state zero but for its last cell, which starts at `leaf_tag` (crates/hash's leaf_tag(row_len) =
// row_len + 1, in the device representation: domain separation from the nodes);
// out[8·t..8·t+8] = the first 8 cells.
KERNEL void p2_hash_rows(GLOBAL const fe *rows, GLOBAL fe *out, u32 n, u32 row_len, fe leaf_tag) {
    u32 t = GID;
    if (t >= n) return;
    fe s[P2_WIDTH];
    P2_UNROLL for (int i = 0; i < P2_WIDTH; i++) s[i] = fe_zero();
    s[P2_WIDTH - 1] = leaf_tag;
    u64 base = (u64)t * row_len;
    for (u32 start = 0; start < row_len; start += P2_RATE) {
        u32 take = row_len - start < P2_RATE ? row_len - start : P2_RATE;
        P2_UNROLL for (int i = 0; i < P2_RATE; i++) {
            if ((u32)i < take) s[i] = rows[base + start + i];
        }
        P2_PERMUTE(s);
    }
    P2_UNROLL for (int i = 0; i < P2_OUT; i++) out[(u64)t * P2_OUT + i] = s[i];
}

// One Merkle layer: node t = permute(in[2t] ‖ in[2t+1])[0..8], for `n` output nodes.
KERNEL void p2_compress(GLOBAL const fe *in, GLOBAL fe *out, u32 n) {
    u32 t = GID;
    if (t >= n) return;
    fe s[P2_WIDTH];
    P2_UNROLL for (int i = 0; i < P2_WIDTH; i++) s[i] = in[(u64)t * P2_WIDTH + i];
    P2_PERMUTE(s);
    P2_UNROLL for (int i = 0; i < P2_OUT; i++) out[(u64)t * P2_OUT + i] = s[i];
}
