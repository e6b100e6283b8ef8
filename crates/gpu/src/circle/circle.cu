// Circle FFT over M31 (Haböck, Levit, Papini, "Circle STARKs", 2024), with zkprove-poly's CPU
// conventions (crates/poly/src/circle): a column of n = 2^log_n values, layer l (0 first in the
// forward direction) pairs index bit log_n − 1 − l, i.e. elements i0 and i0 + h with h = n >> (l + 1),
// and has 2^l blocks of 2h elements, each with one twiddle. Forward: (a, b) ← (a + t·b, a − t·b);
// inverse (layers in the reverse order): (a, b) ← (a + b, (a − b)·t), and in its first layer
// (l = log_n − 1) the sum is also multiplied by 1/n (the twiddles of that layer already carry it).
//
// Twiddle table `tw` (n entries): layer l's 2^l twiddles at offset 2^l − 1, then tw[n − 1] = 1/n
// (inverse) or 1 (forward). A batch is n_cols columns stored one after the other.
//
// Written once against the M31 `fe` interface (m31.h); compiled as CUDA (NVRTC) and OpenCL C.

#define CIRCLE_LOCAL_LOG 9

DEVICE u32 circle_bit_rev(u32 i, u32 bits) {
    if (bits == 0) return 0;
#if defined(__CUDACC__)
    return __brev(i) >> (32 - bits);
#else
    u32 r = 0;
    for (u32 k = 0; k < bits; k++) {
        r = (r << 1) | (i & 1u);
        i >>= 1;
    }
    return r;
#endif
}

DEVICE void circle_butterfly(fe *u, fe *v, fe t, u32 inverse, u32 scaled, fe s) {
    if (inverse) {
        fe sum = fe_add(*u, *v);
        *v = fe_mul(fe_sub(*u, *v), t);
        *u = scaled ? fe_mul(sum, s) : sum;
    } else {
        fe m = fe_mul(*v, t);
        *v = fe_sub(*u, m);
        *u = fe_add(*u, m);
    }
}

// One layer l over global memory: one thread per butterfly (n/2 per column).
KERNEL void circle_layer(GLOBAL fe *d, GLOBAL const fe *tw, u32 log_n, u32 l, u32 n_cols,
                         u32 inverse) {
    u32 half_n = 1u << (log_n - 1);
    u32 g = GID;
    if (g >= half_n * n_cols) return;
    u32 col = g >> (log_n - 1);
    u32 k = g & (half_n - 1);
    u32 log_h = log_n - 1 - l;
    u32 b = k >> log_h;
    u32 j = k & ((1u << log_h) - 1);
    u32 i0 = (b << (log_h + 1)) + j;
    u32 i1 = i0 + (1u << log_h);
    GLOBAL fe *c = d + col * (half_n << 1);
    fe u = c[i0];
    fe v = c[i1];
    circle_butterfly(&u, &v, tw[(1u << l) - 1 + b], inverse, inverse && l == log_n - 1,
                     tw[(half_n << 1) - 1]);
    c[i0] = u;
    c[i1] = v;
}

// Layers l and l + 1 in one pass over global memory (radix 4; forward: l then l + 1, inverse:
// l + 1 then l): each block of layer l (2h elements, twiddle t) holds two blocks of layer l + 1
// (twiddles u0, u1), so each thread finishes the quadruple j, j + h/2, j + h, j + 3h/2 with four
// butterflies and reads and writes it once. n/4 threads per column; l + 1 < log_n − 1 (the 1/n
// layer always runs in the local pass).
KERNEL void circle_layer_pair(GLOBAL fe *d, GLOBAL const fe *tw, u32 log_n, u32 l, u32 n_cols,
                              u32 inverse) {
    u32 quarter_n = 1u << (log_n - 2);
    u32 g = GID;
    if (g >= quarter_n * n_cols) return;
    u32 col = g >> (log_n - 2);
    u32 k = g & (quarter_n - 1);
    u32 log_q = log_n - 2 - l;
    u32 q = 1u << log_q;
    u32 b = k >> log_q;
    u32 i0 = (b << (log_q + 2)) + (k & (q - 1));
    GLOBAL fe *c = d + (col << log_n);
    fe x0 = c[i0];
    fe x1 = c[i0 + q];
    fe x2 = c[i0 + 2 * q];
    fe x3 = c[i0 + 3 * q];
    fe t = tw[(1u << l) - 1 + b];
    fe u0 = tw[(2u << l) - 1 + 2 * b];
    fe u1 = tw[(2u << l) - 1 + 2 * b + 1];
    fe one = fe_one();
    if (inverse) {
        circle_butterfly(&x0, &x1, u0, 1, 0, one);
        circle_butterfly(&x2, &x3, u1, 1, 0, one);
        circle_butterfly(&x0, &x2, t, 1, 0, one);
        circle_butterfly(&x1, &x3, t, 1, 0, one);
    } else {
        circle_butterfly(&x0, &x2, t, 0, 0, one);
        circle_butterfly(&x1, &x3, t, 0, 0, one);
        circle_butterfly(&x0, &x1, u0, 0, 0, one);
        circle_butterfly(&x2, &x3, u1, 0, 0, one);
    }
    c[i0] = x0;
    c[i0 + q] = x1;
    c[i0 + 2 * q] = x2;
    c[i0 + 3 * q] = x3;
}

// Layers first_l … log_n − 1 (forward, in that order) or log_n − 1 … first_l (inverse) on blocks
// of 2^log_block consecutive elements, in local/shared memory: those layers have blocks of at
// most 2^log_block elements (first_l ≥ log_n − log_block), so one work-group of
// 2^(log_block − 1) threads runs them all on its block. log_block ≤ CIRCLE_LOCAL_LOG.
KERNEL void circle_local_layers(GLOBAL fe *d, GLOBAL const fe *tw, u32 log_n, u32 log_block,
                                u32 first_l, u32 inverse) {
    LOCAL_MEM fe s[1 << CIRCLE_LOCAL_LOG];
    u32 t = LID;
    u32 n = 1u << log_n;
    u32 half_block = 1u << (log_block - 1);
    u32 start = GROUP_ID << log_block;  // blocks never straddle columns
    u32 pos0 = start & (n - 1);         // the block's position in its column
    GLOBAL fe *c = d + start;
    s[t] = c[t];
    s[t + half_block] = c[t + half_block];
    BARRIER();
    u32 n_layers = log_n - first_l;
    fe n_inv = tw[n - 1];
    for (u32 step = 0; step < n_layers; step++) {
        u32 l = inverse ? log_n - 1 - step : first_l + step;
        u32 log_h = log_n - 1 - l;
        u32 j = t & ((1u << log_h) - 1);
        u32 i0 = ((t >> log_h) << (log_h + 1)) + j;
        u32 i1 = i0 + (1u << log_h);
        u32 b = (pos0 + i0) >> (log_h + 1);
        fe u = s[i0];
        fe v = s[i1];
        circle_butterfly(&u, &v, tw[(1u << l) - 1 + b], inverse, inverse && l == log_n - 1, n_inv);
        s[i0] = u;
        s[i1] = v;
        BARRIER();
    }
    c[t] = s[t];
    c[t + half_block] = s[t + half_block];
}

// Bit-reversed → natural order, first step (an involution): odd element 2m + 1 swaps with odd
// element 2(n/2 − 1 − m) + 1. n/4 threads per column (m < n/4); nothing to do for n ≤ 2.
KERNEL void circle_reverse_odd(GLOBAL fe *d, u32 log_n, u32 n_cols) {
    u32 quarter = 1u << (log_n - 2);
    u32 g = GID;
    if (g >= quarter * n_cols) return;
    u32 col = g >> (log_n - 2);
    u32 m = g & (quarter - 1);
    GLOBAL fe *c = d + (col << log_n);
    u32 a = 2 * m + 1;
    u32 b = 2 * ((1u << (log_n - 1)) - 1 - m) + 1;
    fe x = c[a];
    c[a] = c[b];
    c[b] = x;
}

// Second step (an involution): the pair (2p, 2p + 1) swaps with the pair (2q, 2q + 1),
// q = rev_{log_n − 1}(p). n/2 threads per column.
KERNEL void circle_bit_reverse_pairs(GLOBAL fe *d, u32 log_n, u32 n_cols) {
    u32 half_n = 1u << (log_n - 1);
    u32 g = GID;
    if (g >= half_n * n_cols) return;
    u32 col = g >> (log_n - 1);
    u32 p = g & (half_n - 1);
    u32 q = circle_bit_rev(p, log_n - 1);
    if (p < q) {
        GLOBAL fe *c = d + (col << log_n);
        fe x0 = c[2 * p];
        fe x1 = c[2 * p + 1];
        c[2 * p] = c[2 * q];
        c[2 * p + 1] = c[2 * q + 1];
        c[2 * q] = x0;
        c[2 * q + 1] = x1;
    }
}

// Low-degree extension: column c of dst (2^log_big elements) is column c of src (2^log_small
// coefficients) repeated 2^(log_big − log_small) times: the state of the forward transform of the
// zero-padded coefficients after its first log_big − log_small layers.
KERNEL void circle_tile(GLOBAL fe *dst, GLOBAL const fe *src, u32 log_small, u32 log_big,
                        u32 n_cols) {
    u32 g = GID;
    if (g >= (n_cols << log_big)) return;
    u32 col = g >> log_big;
    u32 i = g & ((1u << log_small) - 1);
    dst[g] = src[(col << log_small) + i];
}

// dst[c·rows + r] = src[r·cols + c]: the row-major rows × cols matrix src in column-major order
// (its columns one after the other), one thread per element; the row-major circle FFT runs the
// column FFTs between two of these.
KERNEL void circle_transpose(GLOBAL fe *dst, GLOBAL const fe *src, u32 rows, u32 cols) {
    u32 g = GID;
    if (g >= rows * cols) return;
    u32 r = g / cols;
    u32 c = g - r * cols;
    dst[c * rows + r] = src[g];
}
