// Goldilocks, p = 2^64 − 2^32 + 1. As in crates/field, an element is any u64 and stands for its
// value mod p (representatives need not be canonical): the kernels accept any u64 and return a
// congruent u64, and the host canonicalises when it observes a value.

#ifndef ZKPROVE_GOLDILOCKS_H
#define ZKPROVE_GOLDILOCKS_H

typedef u64 fe;

#define GL_P 0xFFFFFFFF00000001ull
#define GL_EPS 0xFFFFFFFFull  // 2^64 mod p

DEVICE fe fe_zero(void) { return 0; }
DEVICE fe fe_one(void) { return 1; }

// a + b: a carry out of 2^64 is worth ε; adding ε can carry once more (then worth ε again, and the
// value is small, so no third carry).
DEVICE int fe_is_zero(fe a) { return a == 0 || a == GL_P; }

DEVICE fe fe_add(fe a, fe b) {
    u64 s = a + b;
    if (s < a) {
        u64 t = s + GL_EPS;
        if (t < s) t += GL_EPS;
        s = t;
    }
    return s;
}

// a − b: a borrow is worth −ε; subtracting ε can borrow once more.
DEVICE fe fe_sub(fe a, fe b) {
    u64 d = a - b;
    if (a < b) {
        u64 t = d - GL_EPS;
        if (t > d) t -= GL_EPS;
        d = t;
    }
    return d;
}

DEVICE fe fe_neg(fe a) { return fe_sub(0, a); }

// hi·2^64 + lo with hi = h1·2^32 + h0 ≡ lo − h1 + h0·ε (2^64 ≡ ε, 2^96 ≡ −1), as crates/field.
DEVICE fe fe_reduce128(u64 lo, u64 hi) {
    u64 h1 = hi >> 32;
    u64 h0 = hi & GL_EPS;
    u64 t = lo - h1;
    if (lo < h1) t -= GL_EPS;
    u64 m = h0 * GL_EPS;
    u64 s = t + m;
    if (s < t) s += GL_EPS;
    return s;
}

DEVICE fe fe_mul(fe a, fe b) {
    u64 hi;
    u64 lo = mul_wide_u64(a, b, &hi);
    return fe_reduce128(lo, hi);
}

DEVICE fe fe_sqr(fe a) { return fe_mul(a, a); }

// a^(p − 2), p − 2 = 0xFFFFFFFEFFFFFFFF (0 ↦ 0).
DEVICE fe fe_inv(fe a) {
    const u64 e = GL_P - 2;
    fe r = 1;
    for (int bit = 63; bit >= 0; bit--) {
        r = fe_sqr(r);
        if ((e >> bit) & 1ull) r = fe_mul(r, a);
    }
    return r;
}

#endif  // ZKPROVE_GOLDILOCKS_H
