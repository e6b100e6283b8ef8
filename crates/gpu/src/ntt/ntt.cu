// NTT kernels, written once against the `fe` interface. A batch is `n_cols` columns of n = 2^log_n
// elements stored one after the other (column c at offset c·n). Twiddles stay on the device:
// `tw[t] = ω^t` for t < n/2, ω of order n (ω⁻¹ for inverse transforms).
//
// Stage numbering: a stage with half-width 2^log_half pairs i0 and i0 + 2^log_half, and uses the
// twiddle ω^(j·n/2^(log_half+1)) for the j-th butterfly in its block. Cooley–Tukey (DIT,
// bit-reversed → natural) runs log_half = 0, 1, …; Gentleman–Sande (DIF, natural → bit-reversed)
// runs them in the reverse order. The first (DIT) or last (DIF) NTT_LOCAL_LOG stages only mix
// elements inside blocks of 2^NTT_LOCAL_LOG, so one work-group runs them all in local/shared memory.

#define NTT_LOCAL_LOG 9

DEVICE u32 bit_rev(u32 i, u32 log_n) {
    if (log_n == 0) return 0;
#if defined(__CUDACC__)
    return __brev(i) >> (32 - log_n);
#else
    u32 r = 0;
    for (u32 k = 0; k < log_n; k++) {
        r = (r << 1) | (i & 1u);
        i >>= 1;
    }
    return r;
#endif
}

// Swaps every pair (i, rev(i)) once, in every column.
KERNEL void ntt_bit_reverse(GLOBAL fe *d, u32 log_n, u32 n_cols) {
    u32 n = 1u << log_n;
    u32 g = GID;
    if (g >= n * n_cols) return;
    u32 col = g >> log_n;
    u32 i = g & (n - 1);
    u32 j = bit_rev(i, log_n);
    if (i < j) {
        GLOBAL fe *c = d + col * n;
        fe t = c[i];
        c[i] = c[j];
        c[j] = t;
    }
}

DEVICE void butterfly(fe *u, fe *v, fe w, u32 dif) {
    if (dif) {
        fe s = fe_add(*u, *v);
        *v = fe_mul(fe_sub(*u, *v), w);
        *u = s;
    } else {
        fe t = fe_mul(*v, w);
        *v = fe_sub(*u, t);
        *u = fe_add(*u, t);
    }
}

// One radix-2 stage in global memory: one thread per butterfly (n/2 per column).
KERNEL void ntt_radix2_stage(GLOBAL fe *d, GLOBAL const fe *tw, u32 log_n, u32 log_half, u32 n_cols,
                             u32 dif) {
    u32 half_n = 1u << (log_n - 1);
    u32 g = GID;
    if (g >= half_n * n_cols) return;
    u32 col = g >> (log_n - 1);
    u32 k = g & (half_n - 1);
    u32 j = k & ((1u << log_half) - 1);
    u32 i0 = ((k >> log_half) << (log_half + 1)) + j;
    u32 i1 = i0 + (1u << log_half);
    GLOBAL fe *c = d + col * (half_n << 1);
    fe u = c[i0];
    fe v = c[i1];
    butterfly(&u, &v, tw[j << (log_n - 1 - log_half)], dif);
    c[i0] = u;
    c[i1] = v;
}

// Three stages in one pass over global memory (radix 8): log_half = s, s + 1, s + 2 (DIT, in that
// order) or s + 2, s + 1, s (DIF). Each thread owns the 8 elements base + k·2^s, k < 8, that these
// stages mix only among themselves, keeps them in registers, and writes them back once: a third of
// the memory traffic of three radix-2 passes. n/8 threads per column; needs s + 3 ≤ log_n.
KERNEL void ntt_radix8_pass(GLOBAL fe *d, GLOBAL const fe *tw, u32 log_n, u32 s, u32 n_cols,
                            u32 dif) {
    u32 eighth_n = 1u << (log_n - 3);
    u32 g = GID;
    if (g >= eighth_n * n_cols) return;
    u32 col = g >> (log_n - 3);
    u32 k = g & (eighth_n - 1);
    u32 low = k & ((1u << s) - 1);
    u32 base = ((k >> s) << (s + 3)) | low;
    GLOBAL fe *c = d + col * (eighth_n << 3);
    fe x[8];
#pragma unroll
    for (int e = 0; e < 8; e++) x[e] = c[base + ((u32)e << s)];
    // The stage index must be a compile-time constant in each expansion, so that x[] stays in
    // registers (a runtime index would put it in local memory on CUDA).
#define RADIX8_STAGE(T)                                                                            \
    {                                                                                              \
        u32 log_half = s + (T);                                                                    \
        _Pragma("unroll") for (int e = 0; e < 8; e++) {                                            \
            if ((e >> (T)) & 1) continue;                                                          \
            u32 j = low + ((u32)(e & ((1 << (T)) - 1)) << s);                                      \
            butterfly(&x[e], &x[e + (1 << (T))], tw[j << (log_n - 1 - log_half)], dif);            \
        }                                                                                          \
    }
    if (dif) {
        RADIX8_STAGE(2)
        RADIX8_STAGE(1)
        RADIX8_STAGE(0)
    } else {
        RADIX8_STAGE(0)
        RADIX8_STAGE(1)
        RADIX8_STAGE(2)
    }
#undef RADIX8_STAGE
#pragma unroll
    for (int e = 0; e < 8; e++) c[base + ((u32)e << s)] = x[e];
}

// Stages log_half = 0 … log_block − 1 (DIT, in that order) or log_block − 1 … 0 (DIF) on blocks of
// 2^log_block consecutive elements, in local/shared memory. One work-group of 2^(log_block − 1)
// threads per block; log_block ≤ NTT_LOCAL_LOG.
KERNEL void ntt_local_stages(GLOBAL fe *d, GLOBAL const fe *tw, u32 log_n, u32 log_block, u32 dif) {
    LOCAL_MEM fe s[1 << NTT_LOCAL_LOG];
    u32 t = LID;
    u32 half_block = 1u << (log_block - 1);
    GLOBAL fe *c = d + (GROUP_ID << log_block);  // blocks never straddle columns
    s[t] = c[t];
    s[t + half_block] = c[t + half_block];
    BARRIER();
    for (u32 step = 0; step < log_block; step++) {
        u32 log_half = dif ? log_block - 1 - step : step;
        u32 j = t & ((1u << log_half) - 1);
        u32 i0 = ((t >> log_half) << (log_half + 1)) + j;
        u32 i1 = i0 + (1u << log_half);
        fe u = s[i0];
        fe v = s[i1];
        butterfly(&u, &v, tw[j << (log_n - 1 - log_half)], dif);
        s[i0] = u;
        s[i1] = v;
        BARRIER();
    }
    c[t] = s[t];
    c[t + half_block] = s[t + half_block];
}

// d[col][i] *= pw[n_pows] · Π_{k < n_pows, bit k of e} pw[k], with e = i (rev == 0) or rev(i).
// With pw[k] = s^(2^k) this multiplies entry i by start·s^e (coset shifts, 1/n); n_pows = 0 scales
// by the constant pw[0].
KERNEL void ntt_scale_powers(GLOBAL fe *d, GLOBAL const fe *pw, u32 log_n, u32 n_pows, u32 n_cols,
                             u32 rev) {
    u32 n = 1u << log_n;
    u32 g = GID;
    if (g >= n * n_cols) return;
    u32 i = g & (n - 1);
    u32 e = rev ? bit_rev(i, log_n) : i;
    fe f = pw[n_pows];
    for (u32 k = 0; k < n_pows; k++) {
        if ((e >> k) & 1u) f = fe_mul(f, pw[k]);
    }
    d[g] = fe_mul(d[g], f);
}
