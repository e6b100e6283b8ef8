// A 256-bit prime field in Montgomery form (R = 2^256), 8 × 32-bit little-endian limbs: BN254 Fr
// or Fq. The memory image of an element is that of crates/field's `Fp256` (4 × u64 little-endian,
// Montgomery form, fully reduced), so buffers are copied as they are.
//
// The host prepends the field's constants, generated from crates/field (never typed by hand):
//   FE_P_INIT    {p0, …, p7}        the modulus
//   FE_ONE_INIT  {…}                R mod p (Montgomery form of 1)
//   FE_PM2_INIT  {…}                p − 2 (Fermat inverse exponent)
//   FE_INV       −p⁻¹ mod 2^32
//   FE_BITS      bit length of p
// Requires 2p < 2^256 (true for both BN254 fields: p < 2^254).

#ifndef ZKPROVE_BN254_H
#define ZKPROVE_BN254_H

typedef struct { u32 l[8]; } fe;

DEVICE fe fe_zero(void) {
    fe r;
#pragma unroll
    for (int i = 0; i < 8; i++) r.l[i] = 0;
    return r;
}

DEVICE fe fe_one(void) {
    const u32 one[8] = FE_ONE_INIT;
    fe r;
#pragma unroll
    for (int i = 0; i < 8; i++) r.l[i] = one[i];
    return r;
}

// Keeps `a` when `borrow` is 1 (a < p), else `d = a − p`; branch-free.
DEVICE fe fe_select(u32 borrow, const u32 *a, const u32 *d) {
    u32 mask = 0u - borrow;
    fe r;
#pragma unroll
    for (int i = 0; i < 8; i++) r.l[i] = (a[i] & mask) | (d[i] & ~mask);
    return r;
}

DEVICE int fe_is_zero(fe a) {
    u32 o = 0;
#pragma unroll
    for (int i = 0; i < 8; i++) o |= a.l[i];
    return o == 0;
}

DEVICE fe fe_add(fe a, fe b) {
    const u32 p[8] = FE_P_INIT;
    u32 s[8], d[8];
    add8(s, a.l, b.l);  // no carry out: a + b < 2p < 2^256
    u32 borrow = sub8(d, s, p);
    return fe_select(borrow, s, d);
}

DEVICE fe fe_sub(fe a, fe b) {
    const u32 p[8] = FE_P_INIT;
    u32 d[8], q[8];
    u32 borrow = sub8(d, a.l, b.l);
    u32 mask = 0u - borrow;
#pragma unroll
    for (int i = 0; i < 8; i++) q[i] = p[i] & mask;
    fe r;
    add8(r.l, d, q);
    return r;
}

DEVICE fe fe_neg(fe a) { return fe_sub(fe_zero(), a); }

// Montgomery product a·b·R⁻¹ mod p: CIOS (Koç–Acar–Kaliski 1996) over 32-bit words. Each round adds
// a·b[i] and m·p (m chosen so the low word cancels) and drops one word; the running value stays
// below 2p, so 10 words hold it and one conditional subtraction finishes.
DEVICE fe fe_mul(fe a, fe b) {
    const u32 p[8] = FE_P_INIT;
    u32 t[10];
#pragma unroll
    for (int i = 0; i < 10; i++) t[i] = 0;
#pragma unroll
    for (int i = 0; i < 8; i++) {
        mac_row8(t, a.l, b.l[i]);
        u32 m = t[0] * (u32)FE_INV;
        mac_row8(t, p, m);
#pragma unroll
        for (int k = 0; k < 9; k++) t[k] = t[k + 1];
        t[9] = 0;
    }
    u32 d[8];
    u32 borrow = sub8(d, t, p);
    return fe_select(borrow, t, d);
}

DEVICE fe fe_sqr(fe a) { return fe_mul(a, a); }

// a^(p − 2) by left-to-right square-and-multiply (0 ↦ 0, as crates/field's batch inverse keeps zeros).
DEVICE fe fe_inv(fe a) {
    const u32 e[8] = FE_PM2_INIT;
    fe r = fe_one();
    for (int bit = FE_BITS - 1; bit >= 0; bit--) {
        r = fe_sqr(r);
        if ((e[bit >> 5] >> (bit & 31)) & 1u) r = fe_mul(r, a);
    }
    return r;
}

#endif  // ZKPROVE_BN254_H
