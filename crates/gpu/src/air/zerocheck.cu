// The AIR zerocheck round (zkprove-air's `AirOps::zerocheck_round`) by interpreting the AIR's
// constraint program (zkprove-air's `ConstraintProgram`, encoded by `ConstraintProgram::encode`).
//
// This file is appended to the pair's sumcheck program twice: once with ZC_ROUND_BASE defined
// (row tables in the base field, registers `fe`: the first round) and once with ZC_ROUND_EXT
// (row tables in the extension, registers `ef`: the later rounds). The part under ZC_COMMON is
// compiled once.
//
// Per pair index i < nh (half the live table length), at each point X = 0, 2, 3, …, degree − 1
// (slot p ↔ X = 0 for p = 0, X = p + 1 otherwise), the tables are read at X (lo + X·(hi − lo),
// lo = entry i, hi = entry i + nh) as the program loads them, the program runs over a register
// file in private memory (ZC_MAX_REGS entries; the host refuses a program with more), and
//   q[p] += eq[i]·(Σ_k α^k C_k + Σ_t α^(K+t)(h_t(β − fp_t) − 1)),
//   L at X = 0 and X = 2 (p = 0, 1) += Σ_t ±m_t h_t.
// The sum-only list then gives L at X = 1 (the `hi` entries). Each work-item sums its pairs
// (grid-stride loop), each work-group reduces to one partial per slot in local/shared memory,
// and zc_reduce sums the partials in one work-group: slots 0..n_points are q, then L(0), L(1),
// L(2).
//
// Tables: one packed buffer of row tables (table t at t·rstride, packed by zc_pack on the
// device) and one of the LogUp columns h_t (at t·estride); the challenges as extension elements
// `chal` = [β, γ_0, γ_1, …, α^0, α^1, …] (gamma_off = 1, alpha_off = 1 + #γ); the program's
// constants in `consts` (base field, device form).
//
// Instruction words (two per instruction): word 0 = opcode (bits 0..8) | x << 8, word 1 = y; see
// zkprove-air's `EncodedProgram::words`.

#ifndef ZC_COMMON
#define ZC_COMMON

// Register file entries per work-item (private memory; CUDA keeps a dynamically indexed array in
// local memory, reported as stack by ptxas).
#define ZC_MAX_REGS 64
// Round slots: at most ZC_MAX_SLOTS − 3 points plus L(0), L(1), L(2).
#define ZC_MAX_SLOTS 16
// The largest work-group of the round kernels (a power of two).
#define ZC_BLOCK 64

#define ZC_OP_LOAD 0u
#define ZC_OP_CONST 1u
#define ZC_OP_ADD 2u
#define ZC_OP_SUB 3u
#define ZC_OP_MUL 4u
#define ZC_OP_NEG 5u
#define ZC_OP_ADDC 6u
#define ZC_OP_MULC 7u
#define ZC_OP_CSUB 8u
#define ZC_OP_OUT 9u
#define ZC_OP_FPADD 10u
#define ZC_OP_LOGUP 11u
#define ZC_OP_HLOAD 12u
#define ZC_OP_MULT 13u

// dst[off + k] = src[k] for k < n (base-field words: an extension table is EXT_DEG per entry).
KERNEL void zc_pack(GLOBAL const fe *src, GLOBAL fe *dst, u32 n, u32 off) {
    u32 k = GID;
    if (k >= n) return;
    dst[(u64)off + k] = src[k];
}

// The small integer x as a field element (x ≤ ZC_MAX_SLOTS).
DEVICE fe zc_small(u32 x) {
    fe r = fe_zero();
    for (u32 k = 0; k < x; k++) r = fe_add(r, fe_one());
    return r;
}

// Entry idx of an extension table at X: lo + X·(hi − lo) with hi = entry idx + nh.
DEVICE ef zc_ef_at(GLOBAL const fe *t, u32 idx, u32 nh, fe x) {
    ef lo = ef_load(t, idx);
    ef hi = ef_load(t, idx + nh);
    return ef_add(lo, ef_mul_base(ef_sub(hi, lo), x));
}

DEVICE fe zc_fe_at(GLOBAL const fe *t, u32 idx, u32 nh, fe x) {
    fe lo = t[idx];
    return fe_add(lo, fe_mul(fe_sub(t[idx + nh], lo), x));
}

DEVICE ef zc_ef_addc(ef a, fe c) {
    a.c[0] = fe_add(a.c[0], c);
    return a;
}

DEVICE ef zc_ef_csub(fe c, ef a) {
    return ef_sub(ef_from_base(c), a);
}

DEVICE ef zc_ef_neg(ef a) {
    return ef_sub(ef_zero(), a);
}

// acc += α^(alpha)·(h·(β − fp) − 1).
DEVICE ef zc_logup_term(ef acc, GLOBAL const fe *chal, u32 alpha, ef h, ef fp) {
    ef term = ef_sub(ef_mul(h, ef_sub(ef_load(chal, 0), fp)), ef_from_base(fe_one()));
    return ef_add(acc, ef_mul(ef_load(chal, alpha), term));
}

// Sums acc[0..n_slots] over the work-group (size a power of two ≤ ZC_BLOCK) in local memory `sh`
// and work-item 0 writes partials[group · n_slots + slot]. Every work-item must reach it.
#define ZC_STORE_PARTIALS(acc, n_slots, partials)                                            \
    do {                                                                                     \
        u32 lid_ = LID;                                                                      \
        for (u32 s = 0; s < (n_slots); s++) sh[s * ZC_BLOCK + lid_] = acc[s];                \
        BARRIER();                                                                           \
        for (u32 w = GROUP_SIZE >> 1; w > 0; w >>= 1) {                                      \
            if (lid_ < w) {                                                                  \
                for (u32 s = 0; s < (n_slots); s++) {                                        \
                    sh[s * ZC_BLOCK + lid_] =                                                \
                        ef_add(sh[s * ZC_BLOCK + lid_], sh[s * ZC_BLOCK + lid_ + w]);        \
                }                                                                            \
            }                                                                                \
            BARRIER();                                                                       \
        }                                                                                    \
        if (lid_ == 0) {                                                                     \
            for (u32 s = 0; s < (n_slots); s++) {                                            \
                ef_store(partials, GROUP_ID * (n_slots) + s, sh[s * ZC_BLOCK]);              \
            }                                                                                \
        }                                                                                    \
    } while (0)

// Sums partials[g · n_slots + s] over g < n_parts into out[s], in one work-group.
KERNEL void zc_reduce(GLOBAL const fe *partials, GLOBAL fe *out, u32 n_parts, u32 n_slots) {
    LOCAL_MEM ef sh[ZC_MAX_SLOTS * ZC_BLOCK];
    ef acc[ZC_MAX_SLOTS];
    for (u32 s = 0; s < n_slots; s++) acc[s] = ef_zero();
    for (u32 g = LID; g < n_parts; g += GROUP_SIZE) {
        for (u32 s = 0; s < n_slots; s++) acc[s] = ef_add(acc[s], ef_load(partials, g * n_slots + s));
    }
    ZC_STORE_PARTIALS(acc, n_slots, out);
}

#endif  // ZC_COMMON

#if defined(ZC_ROUND_BASE)
#define ZV fe
#define ZC_KERNEL zc_round_base
#define ZC_RUN zc_run_base
#define zv_add fe_add
#define zv_sub fe_sub
#define zv_mul fe_mul
#define zv_neg fe_neg
#define zv_addc(a, c) fe_add(a, c)
#define zv_mulc(a, c) fe_mul(a, c)
#define zv_csub(c, a) fe_sub(c, a)
#define zv_const(c) (c)
#define zv_scale(e, v) ef_mul_base(e, v)
#define zv_at zc_fe_at
#elif defined(ZC_ROUND_EXT)
#define ZV ef
#define ZC_KERNEL zc_round_ext
#define ZC_RUN zc_run_ext
#define zv_add ef_add
#define zv_sub ef_sub
#define zv_mul ef_mul
#define zv_neg zc_ef_neg
#define zv_addc zc_ef_addc
#define zv_mulc ef_mul_base
#define zv_csub zc_ef_csub
#define zv_const ef_from_base
#define zv_scale ef_mul
#define zv_at zc_ef_at
#endif

#if defined(ZC_ROUND_BASE) || defined(ZC_ROUND_EXT)
// Runs `n` instructions at X = x for pair i: the α-combination into *acc_out, the LogUp sum into
// *sum_out.
DEVICE void ZC_RUN(GLOBAL const u32 *code, u32 n, ZV *r, GLOBAL const fe *rows, u32 rstride,
                   GLOBAL const fe *ext, u32 estride, GLOBAL const fe *consts,
                   GLOBAL const fe *chal, u32 gamma_off, u32 alpha_off, u32 i, u32 nh, fe x,
                   ef *acc_out, ef *sum_out) {
    ef acc = ef_zero();
    ef fp = ef_zero();
    ef sum = ef_zero();
    ef h = ef_zero();
    for (u32 k = 0; k < n; k++) {
        u32 w0 = code[2 * k];
        u32 w1 = code[2 * k + 1];
        u32 d = w0 >> 8;
        u32 a = w1 & 0xffffu;
        u32 b = w1 >> 16;
        switch (w0 & 0xffu) {
            case ZC_OP_LOAD: r[d] = zv_at(rows, w1 * rstride + i, nh, x); break;
            case ZC_OP_CONST: r[d] = zv_const(consts[w1]); break;
            case ZC_OP_ADD: r[d] = zv_add(r[a], r[b]); break;
            case ZC_OP_SUB: r[d] = zv_sub(r[a], r[b]); break;
            case ZC_OP_MUL: r[d] = zv_mul(r[a], r[b]); break;
            case ZC_OP_NEG: r[d] = zv_neg(r[a]); break;
            case ZC_OP_ADDC: r[d] = zv_addc(r[a], consts[b]); break;
            case ZC_OP_MULC: r[d] = zv_mulc(r[a], consts[b]); break;
            case ZC_OP_CSUB: r[d] = zv_csub(consts[b], r[a]); break;
            case ZC_OP_OUT: acc = ef_add(acc, zv_scale(ef_load(chal, alpha_off + d), r[w1])); break;
            case ZC_OP_FPADD: fp = ef_add(fp, zv_scale(ef_load(chal, gamma_off + d), r[w1])); break;
            case ZC_OP_LOGUP:
                h = zc_ef_at(ext, w1 * estride + i, nh, x);
                acc = zc_logup_term(acc, chal, alpha_off + d, h, fp);
                fp = ef_zero();
                break;
            case ZC_OP_HLOAD: h = zc_ef_at(ext, w1 * estride + i, nh, x); break;
            case ZC_OP_MULT: {
                ef s = zv_scale(h, r[w1]);
                sum = d ? ef_sub(sum, s) : ef_add(sum, s);
                break;
            }
            default: break;
        }
    }
    *acc_out = acc;
    *sum_out = sum;
}

// One zerocheck round over the pairs i < nh; `grid` = the launch's work-items.
KERNEL void ZC_KERNEL(GLOBAL const fe *rows, u32 rstride, GLOBAL const fe *ext, u32 estride,
                      GLOBAL const fe *eq, GLOBAL const u32 *code, GLOBAL const fe *consts,
                      GLOBAL const fe *chal, GLOBAL fe *partials, u32 nh, u32 n_main, u32 n_sum,
                      u32 n_points, u32 gamma_off, u32 alpha_off, u32 grid) {
    LOCAL_MEM ef sh[ZC_MAX_SLOTS * ZC_BLOCK];
    ZV r[ZC_MAX_REGS];
    ef acc[ZC_MAX_SLOTS];
    u32 n_slots = n_points + 3;
    for (u32 s = 0; s < n_slots; s++) acc[s] = ef_zero();
    for (u32 i = GID; i < nh; i += grid) {
        ef e = ef_load(eq, i);
        for (u32 p = 0; p < n_points; p++) {
            ef q;
            ef sum;
            ZC_RUN(code, n_main, r, rows, rstride, ext, estride, consts, chal, gamma_off,
                   alpha_off, i, nh, zc_small(p == 0 ? 0u : p + 1), &q, &sum);
            acc[p] = ef_add(acc[p], ef_mul(e, q));
            if (p < 2) acc[n_points + 2 * p] = ef_add(acc[n_points + 2 * p], sum);
        }
        if (n_sum > 0) {
            ef q;
            ef sum;
            ZC_RUN(code + 2 * n_main, n_sum, r, rows, rstride, ext, estride, consts, chal,
                   gamma_off, alpha_off, i, nh, fe_one(), &q, &sum);
            acc[n_points + 1] = ef_add(acc[n_points + 1], sum);
        }
    }
    ZC_STORE_PARTIALS(acc, n_slots, partials);
}

#undef ZV
#undef ZC_KERNEL
#undef ZC_RUN
#undef zv_add
#undef zv_sub
#undef zv_mul
#undef zv_neg
#undef zv_addc
#undef zv_mulc
#undef zv_csub
#undef zv_const
#undef zv_scale
#undef zv_at
#endif
