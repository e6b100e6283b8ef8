// Extension fields of the small fields as small device structs, with the same basis, layout and
// multiplication as crates/field (binomial extensions F[X]/(X^D − W), coefficients lowest degree
// first, stored consecutively):
//   EXT_QM31: QM31 = CM31[u]/(u² − (2 + i)), CM31 = M31[i]/(i² + 1); coefficients [a, b, c, d] in
//             the basis 1, i, u, iu (crates/field's `QM31::to_m31_array`).
//   EXT_BB4:  BabyBear⁴ = BabyBear[X]/(X⁴ − 11) (Montgomery-form coefficients, as the base field).
//   EXT_GL2:  Goldilocks² = Goldilocks[X]/(X² − 7).
// Exactly one of them is defined by the host in front of this header, after the base field's
// header (`fe`, fe_add, fe_sub, fe_mul).
//
// An element travels in kernel arguments as four u32 words (EXT_WORDS): the bytes of its
// coefficients, little-endian (4 × 32-bit or 2 × 64-bit coefficients).

#ifndef ZKPROVE_EXT_H
#define ZKPROVE_EXT_H

#if defined(EXT_QM31)
#define EXT_DEG 4
#elif defined(EXT_BB4)
#define EXT_DEG 4
#elif defined(EXT_GL2)
#define EXT_DEG 2
#else
#error "ext.h: define EXT_QM31, EXT_BB4 or EXT_GL2"
#endif

typedef struct {
    fe c[EXT_DEG];
} ef;

DEVICE ef ef_zero(void) {
    ef r;
    for (int k = 0; k < EXT_DEG; k++) r.c[k] = fe_zero();
    return r;
}

DEVICE ef ef_from_base(fe a) {
    ef r = ef_zero();
    r.c[0] = a;
    return r;
}

DEVICE ef ef_add(ef a, ef b) {
    ef r;
    for (int k = 0; k < EXT_DEG; k++) r.c[k] = fe_add(a.c[k], b.c[k]);
    return r;
}

DEVICE ef ef_sub(ef a, ef b) {
    ef r;
    for (int k = 0; k < EXT_DEG; k++) r.c[k] = fe_sub(a.c[k], b.c[k]);
    return r;
}

// a · b for b in the base field.
DEVICE ef ef_mul_base(ef a, fe b) {
    ef r;
    for (int k = 0; k < EXT_DEG; k++) r.c[k] = fe_mul(a.c[k], b);
    return r;
}

#if defined(EXT_QM31)
// (x0 + x1·u)(y0 + y1·u) = x0y0 + (2 + i)·x1y1 + (x0y1 + x1y0)·u over CM31, with
// (a + bi)(c + di) = (ac − bd) + (ad + bc)i; Karatsuba for the middle terms.
DEVICE void cm31_mul(fe a, fe b, fe c, fe d, fe *re, fe *im) {
    fe ac = fe_mul(a, c);
    fe bd = fe_mul(b, d);
    *re = fe_sub(ac, bd);
    *im = fe_sub(fe_sub(fe_mul(fe_add(a, b), fe_add(c, d)), ac), bd);
}

DEVICE ef ef_mul(ef x, ef y) {
    fe p0r, p0i, p1r, p1i, sr, si;
    cm31_mul(x.c[0], x.c[1], y.c[0], y.c[1], &p0r, &p0i);  // x0·y0
    cm31_mul(x.c[2], x.c[3], y.c[2], y.c[3], &p1r, &p1i);  // x1·y1
    cm31_mul(fe_add(x.c[0], x.c[2]), fe_add(x.c[1], x.c[3]), fe_add(y.c[0], y.c[2]),
             fe_add(y.c[1], y.c[3]), &sr, &si);            // (x0 + x1)(y0 + y1)
    ef r;
    // (2 + i)(p + qi) = (2p − q) + (p + 2q)i
    r.c[0] = fe_add(p0r, fe_sub(fe_add(p1r, p1r), p1i));
    r.c[1] = fe_add(p0i, fe_add(p1r, fe_add(p1i, p1i)));
    r.c[2] = fe_sub(fe_sub(sr, p0r), p1r);
    r.c[3] = fe_sub(fe_sub(si, p0i), p1i);
    return r;
}
#elif defined(EXT_BB4)
// W = 11 in Montgomery form (the host defines EXT_W as fe).
DEVICE ef ef_mul(ef x, ef y) {
    fe lo[4], hi[3];
    for (int k = 0; k < 4; k++) lo[k] = fe_zero();
    for (int k = 0; k < 3; k++) hi[k] = fe_zero();
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
            fe p = fe_mul(x.c[i], y.c[j]);
            if (i + j < 4) {
                lo[i + j] = fe_add(lo[i + j], p);
            } else {
                hi[i + j - 4] = fe_add(hi[i + j - 4], p);
            }
        }
    }
    ef r;
    for (int k = 0; k < 3; k++) r.c[k] = fe_add(lo[k], fe_mul(hi[k], EXT_W));
    r.c[3] = lo[3];
    return r;
}
#elif defined(EXT_GL2)
// (a0 + a1X)(b0 + b1X) = a0b0 + 7·a1b1 + ((a0 + a1)(b0 + b1) − a0b0 − a1b1)X.
DEVICE ef ef_mul(ef x, ef y) {
    fe a0b0 = fe_mul(x.c[0], y.c[0]);
    fe a1b1 = fe_mul(x.c[1], y.c[1]);
    ef r;
    r.c[0] = fe_add(a0b0, fe_mul(a1b1, (fe)7));
    r.c[1] = fe_sub(fe_sub(fe_mul(fe_add(x.c[0], x.c[1]), fe_add(y.c[0], y.c[1])), a0b0), a1b1);
    return r;
}
#endif

// Element `i` of an array of extension elements (EXT_DEG consecutive coefficients each).
DEVICE ef ef_load(GLOBAL const fe *p, u32 i) {
    ef r;
    for (int k = 0; k < EXT_DEG; k++) r.c[k] = p[(u64)i * EXT_DEG + k];
    return r;
}

DEVICE void ef_store(GLOBAL fe *p, u32 i, ef v) {
    for (int k = 0; k < EXT_DEG; k++) p[(u64)i * EXT_DEG + k] = v.c[k];
}

// An element from its four argument words.
DEVICE ef ef_from_words(u32 w0, u32 w1, u32 w2, u32 w3) {
    ef r;
#if EXT_DEG == 4
    r.c[0] = (fe)w0;
    r.c[1] = (fe)w1;
    r.c[2] = (fe)w2;
    r.c[3] = (fe)w3;
#else
    r.c[0] = (fe)w0 | ((fe)w1 << 32);
    r.c[1] = (fe)w2 | ((fe)w3 << 32);
#endif
    return r;
}

#endif  // ZKPROVE_EXT_H
