// Element-wise field kernels, written once against the `fe` interface of the field headers
// (fe_add, fe_sub, fe_mul, fe_sqr, fe_inv). Used for differential tests against crates/field and
// as building blocks (scaling by a constant, batch inversion).

KERNEL void fe_add_kernel(GLOBAL const fe *a, GLOBAL const fe *b, GLOBAL fe *out, u32 n) {
    u32 i = GID;
    if (i < n) out[i] = fe_add(a[i], b[i]);
}

KERNEL void fe_sub_kernel(GLOBAL const fe *a, GLOBAL const fe *b, GLOBAL fe *out, u32 n) {
    u32 i = GID;
    if (i < n) out[i] = fe_sub(a[i], b[i]);
}

KERNEL void fe_mul_kernel(GLOBAL const fe *a, GLOBAL const fe *b, GLOBAL fe *out, u32 n) {
    u32 i = GID;
    if (i < n) out[i] = fe_mul(a[i], b[i]);
}

KERNEL void fe_sqr_kernel(GLOBAL const fe *a, GLOBAL fe *out, u32 n) {
    u32 i = GID;
    if (i < n) out[i] = fe_sqr(a[i]);
}

KERNEL void fe_inv_kernel(GLOBAL const fe *a, GLOBAL fe *out, u32 n) {
    u32 i = GID;
    if (i < n) out[i] = fe_inv(a[i]);
}

// a ← a·b − c in place: the last step of the Groth16 quotient on the coset (A·B − C).
KERNEL void fe_mul_sub_kernel(GLOBAL fe *a, GLOBAL const fe *b, GLOBAL const fe *c, u32 n) {
    u32 i = GID;
    if (i < n) a[i] = fe_sub(fe_mul(a[i], b[i]), c[i]);
}

// Batch inverse, Montgomery's trick per thread over a chunk of `chunk` consecutive elements: one
// Fermat inversion per chunk instead of per element. Zeros stay zero (they are skipped in the
// running product). `prefix` is scratch of the same length as `a`.
KERNEL void fe_batch_inv_kernel(GLOBAL const fe *a, GLOBAL fe *out, GLOBAL fe *prefix, u32 n,
                                u32 chunk) {
    u32 start = GID * chunk;
    if (start >= n) return;
    u32 end = start + chunk < n ? start + chunk : n;
    fe acc = fe_one();
    for (u32 i = start; i < end; i++) {
        prefix[i] = acc;
        fe x = a[i];
        if (!fe_is_zero(x)) acc = fe_mul(acc, x);
    }
    fe inv = fe_inv(acc);
    for (u32 i = end; i > start; i--) {
        fe x = a[i - 1];
        if (fe_is_zero(x)) {
            out[i - 1] = fe_zero();
        } else {
            out[i - 1] = fe_mul(inv, prefix[i - 1]);
            inv = fe_mul(inv, x);
        }
    }
}

// Sparse matrix–vector product out = M·w, M in CSR form (row starts, column indices, indices into
// a table of distinct values): one work-item per row.
KERNEL void fe_csr_mul_vec(GLOBAL const u32 *row_start, GLOBAL const u32 *cols,
                           GLOBAL const u32 *value_index, GLOBAL const fe *values,
                           GLOBAL const fe *w, GLOBAL fe *out, u32 n_rows) {
    u32 i = GID;
    if (i >= n_rows) return;
    fe acc = fe_zero();
    for (u32 k = row_start[i]; k < row_start[i + 1]; k++) {
        acc = fe_add(acc, fe_mul(values[value_index[k]], w[cols[k]]));
    }
    out[i] = acc;
}
