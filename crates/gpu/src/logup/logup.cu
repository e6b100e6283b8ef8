// LogUp columns: h[i] = 1/(β − Σ_k γ_k·col_k[i]) over the extension, for the AIR prover's and the
// zkVM's lookup arguments. Appended to the sumcheck programs (the base field, `ext.h`).
//
// The denominators are accumulated column by column (`air_logup_accumulate`, one launch per tuple
// position, so a tuple may have any width), then inverted by Montgomery's trick over chunks of
// consecutive rows (`air_ext_batch_inverse`): one extension inversion per chunk, by Fermat
// (x^(|E| − 2), the exponent's four 32-bit words from the host).

// d[i] = (first ? β : d[i]) − γ·col[i].
KERNEL void air_logup_accumulate(GLOBAL const fe *col, GLOBAL fe *d, u32 n, u32 first, u32 b0,
                                 u32 b1, u32 b2, u32 b3, u32 g0, u32 g1, u32 g2, u32 g3) {
    u32 i = GID;
    if (i >= n) return;
    ef acc = first ? ef_from_words(b0, b1, b2, b3) : ef_load(d, i);
    ef g = ef_from_words(g0, g1, g2, g3);
    ef_store(d, i, ef_sub(acc, ef_mul_base(g, col[i])));
}

DEVICE int ef_is_zero(ef x) {
    int z = 1;
    for (int k = 0; k < EXT_DEG; k++) z = z && fe_is_zero(x.c[k]);
    return z;
}

// x^e for the 128-bit exponent e = e3·2^96 + e2·2^64 + e1·2^32 + e0, square and multiply.
DEVICE ef ef_pow_words(ef x, u32 e0, u32 e1, u32 e2, u32 e3) {
    u32 w[4] = {e0, e1, e2, e3};
    ef acc = ef_from_base(fe_one());
    for (int j = 3; j >= 0; j--) {
        for (int b = 31; b >= 0; b--) {
            acc = ef_mul(acc, acc);
            if ((w[j] >> b) & 1u) acc = ef_mul(acc, x);
        }
    }
    return acc;
}

// out[i] = 1/d[i] for the `chunk` rows of each work-item: prefix products in `out`, one Fermat
// inversion, then back to front. A zero d[i] sets *zero_found (every writer writes 1) and leaves
// the chunk's outputs unspecified: the host refuses the column.
KERNEL void air_ext_batch_inverse(GLOBAL const fe *d, GLOBAL fe *out, u32 n, u32 chunk, u32 e0,
                                  u32 e1, u32 e2, u32 e3, GLOBAL u32 *zero_found) {
    u32 start = GID * chunk;
    if (start >= n) return;
    u32 end = start + chunk < n ? start + chunk : n;
    ef acc = ef_from_base(fe_one());
    for (u32 i = start; i < end; i++) {
        ef_store(out, i, acc);
        ef x = ef_load(d, i);
        if (ef_is_zero(x)) {
            *zero_found = 1u;
            return;
        }
        acc = ef_mul(acc, x);
    }
    ef inv = ef_pow_words(acc, e0, e1, e2, e3);
    for (u32 i = end; i > start; i--) {
        ef x = ef_load(d, i - 1);
        ef_store(out, i - 1, ef_mul(inv, ef_load(out, i - 1)));
        inv = ef_mul(inv, x);
    }
}
