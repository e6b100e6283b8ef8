// BabyBear, p = 15·2^27 + 1, in 32-bit Montgomery form (x·2^32 mod p, canonical), exactly as
// crates/field stores it. The host prepends BB_P, BB_NEG_P_INV (−p⁻¹ mod 2^32) and BB_ONE
// (2^32 mod p), generated from crates/field.

#ifndef ZKPROVE_BABYBEAR_H
#define ZKPROVE_BABYBEAR_H

typedef u32 fe;

DEVICE fe fe_zero(void) { return 0; }
DEVICE fe fe_one(void) { return BB_ONE; }

DEVICE int fe_is_zero(fe a) { return a == 0; }

DEVICE fe fe_add(fe a, fe b) {
    u32 s = a + b;  // < 2p < 2^32
    u32 d = s - BB_P;
    return d < s ? d : s;
}

DEVICE fe fe_sub(fe a, fe b) {
    u32 d = a - b;
    return a < b ? d + BB_P : d;
}

DEVICE fe fe_neg(fe a) { return fe_sub(0, a); }

// x·2^−32 mod p for x < p·2^32 (Montgomery reduction, one conditional subtraction).
DEVICE fe bb_monty_reduce(u64 x) {
    u32 q = (u32)x * BB_NEG_P_INV;
    u32 t = (u32)((x + (u64)q * BB_P) >> 32);
    u32 u = t - BB_P;
    return u < t ? u : t;
}

DEVICE fe fe_mul(fe a, fe b) { return bb_monty_reduce((u64)a * b); }
DEVICE fe fe_sqr(fe a) { return fe_mul(a, a); }

DEVICE fe fe_inv(fe a) {
    const u32 e = BB_P - 2;
    fe r = BB_ONE;
    for (int bit = 30; bit >= 0; bit--) {
        r = fe_sqr(r);
        if ((e >> bit) & 1u) r = fe_mul(r, a);
    }
    return r;
}

#endif  // ZKPROVE_BABYBEAR_H
