// Mersenne-31, p = 2^31 − 1, canonical u32 values (no Montgomery form), as crates/field stores it.

#ifndef ZKPROVE_M31_H
#define ZKPROVE_M31_H

typedef u32 fe;

#define M31_P 0x7FFFFFFFu

DEVICE fe fe_zero(void) { return 0; }
DEVICE fe fe_one(void) { return 1; }

DEVICE fe m31_reduce_once(u32 t) {
    u32 u = t - M31_P;
    return u < t ? u : t;
}

DEVICE int fe_is_zero(fe a) { return a == 0; }

DEVICE fe fe_add(fe a, fe b) { return m31_reduce_once(a + b); }

DEVICE fe fe_sub(fe a, fe b) {
    u32 d = a - b;
    return a < b ? d + M31_P : d;
}

DEVICE fe fe_neg(fe a) { return fe_sub(0, a); }

// One Mersenne fold: x = hi·2^31 + lo ≡ hi + lo, below 2p for x ≤ (p − 1)².
DEVICE fe fe_mul(fe a, fe b) {
    u64 x = (u64)a * b;
    return m31_reduce_once(((u32)x & M31_P) + (u32)(x >> 31));
}

DEVICE fe fe_sqr(fe a) { return fe_mul(a, a); }

DEVICE fe fe_inv(fe a) {
    const u32 e = M31_P - 2;
    fe r = 1;
    for (int bit = 30; bit >= 0; bit--) {
        r = fe_sqr(r);
        if ((e >> bit) & 1u) r = fe_mul(r, a);
    }
    return r;
}

#endif  // ZKPROVE_M31_H
