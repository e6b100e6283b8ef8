// BN254 G1 (over Fq) and G2 (over Fq2 = Fq[u]/(u² + 1)) for the MSM kernels: the curve y² = x³ + b
// (a = 0) in affine and XYZZ coordinates, written once against a base field `bf`.
//
// The program is compiled for one group at a time: the host defines `CURVE_G2` for G2 (base field
// Fq2) and nothing for G1 (base field Fq), after bn254.h instantiated with Fq's constants. Layouts
// match crates/curve: an affine point is (x, y) with (0, 0) the point at infinity; an Fq2 element is
// (c0, c1) for c0 + c1·u; every coordinate in Montgomery form, fully reduced.
//
// XYZZ (X/ZZ, Y/ZZZ, ZZ³ = ZZZ², infinity when ZZ = 0) with the Explicit-Formulas Database's
// `madd-2008-s` (mixed addition), `add-2008-s`, `dbl-2008-s-1` and `mdbl-2008-s-1`, with every
// exceptional case (either operand at infinity, equal points, opposite points) handled.

#ifndef ZKPROVE_CURVE_H
#define ZKPROVE_CURVE_H

// Functions NVRTC compiles once and calls rather than inlining at every use: inlining every Fq2
// product into every point formula makes the G2 program take minutes to compile and spill.
#if defined(__CUDACC__)
#define NOINLINE static __device__ __noinline__
#else
#define NOINLINE static inline
#endif

#if defined(CURVE_G2)
typedef struct { fe c0; fe c1; } bf;

DEVICE bf bf_zero(void) { bf r; r.c0 = fe_zero(); r.c1 = fe_zero(); return r; }
DEVICE bf bf_one(void) { bf r; r.c0 = fe_one(); r.c1 = fe_zero(); return r; }
DEVICE int bf_is_zero(bf a) { return fe_is_zero(a.c0) && fe_is_zero(a.c1); }
DEVICE bf bf_add(bf a, bf b) { bf r; r.c0 = fe_add(a.c0, b.c0); r.c1 = fe_add(a.c1, b.c1); return r; }
DEVICE bf bf_sub(bf a, bf b) { bf r; r.c0 = fe_sub(a.c0, b.c0); r.c1 = fe_sub(a.c1, b.c1); return r; }
DEVICE bf bf_neg(bf a) { bf r; r.c0 = fe_neg(a.c0); r.c1 = fe_neg(a.c1); return r; }

// (a0 + a1·u)(b0 + b1·u) with u² = −1, Karatsuba: three Fq products.
NOINLINE bf bf_mul(bf a, bf b) {
    fe v0 = fe_mul(a.c0, b.c0);
    fe v1 = fe_mul(a.c1, b.c1);
    fe s = fe_mul(fe_add(a.c0, a.c1), fe_add(b.c0, b.c1));
    bf r;
    r.c0 = fe_sub(v0, v1);
    r.c1 = fe_sub(fe_sub(s, v0), v1);
    return r;
}

// (a0 + a1·u)⁻¹ = (a0 − a1·u)/(a0² + a1²): one Fq inversion (0 ↦ 0).
NOINLINE bf bf_inv(bf a) {
    fe t = fe_inv(fe_add(fe_sqr(a.c0), fe_sqr(a.c1)));
    bf r;
    r.c0 = fe_mul(a.c0, t);
    r.c1 = fe_neg(fe_mul(a.c1, t));
    return r;
}

// (a0 + a1·u)² = (a0 + a1)(a0 − a1) + 2·a0·a1·u: two Fq products.
NOINLINE bf bf_sqr(bf a) {
    fe m = fe_mul(a.c0, a.c1);
    bf r;
    r.c0 = fe_mul(fe_add(a.c0, a.c1), fe_sub(a.c0, a.c1));
    r.c1 = fe_add(m, m);
    return r;
}
#else
typedef fe bf;

DEVICE bf bf_zero(void) { return fe_zero(); }
DEVICE bf bf_one(void) { return fe_one(); }
DEVICE int bf_is_zero(bf a) { return fe_is_zero(a); }
DEVICE bf bf_add(bf a, bf b) { return fe_add(a, b); }
DEVICE bf bf_sub(bf a, bf b) { return fe_sub(a, b); }
DEVICE bf bf_neg(bf a) { return fe_neg(a); }
DEVICE bf bf_mul(bf a, bf b) { return fe_mul(a, b); }
DEVICE bf bf_sqr(bf a) { return fe_sqr(a); }
NOINLINE bf bf_inv(bf a) { return fe_inv(a); }
#endif

DEVICE bf bf_dbl(bf a) { return bf_add(a, a); }

// An affine point; (0, 0) is the point at infinity.
typedef struct { bf x; bf y; } affine_t;

// XYZZ coordinates; ZZ = 0 is the point at infinity.
typedef struct { bf x; bf y; bf zz; bf zzz; } xyzz_t;

DEVICE int affine_is_inf(affine_t p) { return bf_is_zero(p.x) && bf_is_zero(p.y); }

DEVICE affine_t affine_neg(affine_t p) {
    p.y = bf_neg(p.y);  // −(0, 0) = (0, 0)
    return p;
}

DEVICE xyzz_t xyzz_inf(void) {
    xyzz_t r;
    r.x = bf_one();
    r.y = bf_one();
    r.zz = bf_zero();
    r.zzz = bf_zero();
    return r;
}

DEVICE int xyzz_is_inf(xyzz_t p) { return bf_is_zero(p.zz); }

DEVICE xyzz_t xyzz_from_affine(affine_t p) {
    if (affine_is_inf(p)) return xyzz_inf();
    xyzz_t r;
    r.x = p.x;
    r.y = p.y;
    r.zz = bf_one();
    r.zzz = bf_one();
    return r;
}

DEVICE xyzz_t xyzz_neg(xyzz_t p) {
    p.y = bf_neg(p.y);
    return p;
}

// 2·P, dbl-2008-s-1 with a = 0.
NOINLINE xyzz_t xyzz_dbl(xyzz_t p) {
    if (xyzz_is_inf(p)) return p;
    bf u = bf_dbl(p.y);
    bf v = bf_sqr(u);
    bf w = bf_mul(u, v);
    bf s = bf_mul(p.x, v);
    bf x2 = bf_sqr(p.x);
    bf m = bf_add(bf_dbl(x2), x2);
    xyzz_t r;
    r.x = bf_sub(bf_sqr(m), bf_dbl(s));
    r.y = bf_sub(bf_mul(m, bf_sub(s, r.x)), bf_mul(w, p.y));
    r.zz = bf_mul(v, p.zz);
    r.zzz = bf_mul(w, p.zzz);
    return r;
}

// 2·Q for an affine Q (not infinity), mdbl-2008-s-1 with a = 0.
NOINLINE xyzz_t xyzz_dbl_affine(affine_t q) {
    bf u = bf_dbl(q.y);
    bf v = bf_sqr(u);
    bf w = bf_mul(u, v);
    bf s = bf_mul(q.x, v);
    bf x2 = bf_sqr(q.x);
    bf m = bf_add(bf_dbl(x2), x2);
    xyzz_t r;
    r.x = bf_sub(bf_sqr(m), bf_dbl(s));
    r.y = bf_sub(bf_mul(m, bf_sub(s, r.x)), bf_mul(w, q.y));
    r.zz = v;
    r.zzz = w;
    return r;
}

// P + Q for an affine Q, madd-2008-s.
DEVICE xyzz_t xyzz_add_affine(xyzz_t p, affine_t q) {
    if (affine_is_inf(q)) return p;
    if (xyzz_is_inf(p)) return xyzz_from_affine(q);
    bf u2 = bf_mul(q.x, p.zz);
    bf s2 = bf_mul(q.y, p.zzz);
    bf pp_ = bf_sub(u2, p.x);
    bf r_ = bf_sub(s2, p.y);
    if (bf_is_zero(pp_)) {
        if (bf_is_zero(r_)) return xyzz_dbl_affine(q);
        return xyzz_inf();
    }
    bf pp = bf_sqr(pp_);
    bf ppp = bf_mul(pp_, pp);
    bf q_ = bf_mul(p.x, pp);
    xyzz_t r;
    r.x = bf_sub(bf_sub(bf_sqr(r_), ppp), bf_dbl(q_));
    r.y = bf_sub(bf_mul(r_, bf_sub(q_, r.x)), bf_mul(p.y, ppp));
    r.zz = bf_mul(p.zz, pp);
    r.zzz = bf_mul(p.zzz, ppp);
    return r;
}

// P + Q, add-2008-s.
NOINLINE xyzz_t xyzz_add(xyzz_t p, xyzz_t q) {
    if (xyzz_is_inf(q)) return p;
    if (xyzz_is_inf(p)) return q;
    bf u1 = bf_mul(p.x, q.zz);
    bf u2 = bf_mul(q.x, p.zz);
    bf s1 = bf_mul(p.y, q.zzz);
    bf s2 = bf_mul(q.y, p.zzz);
    bf pp_ = bf_sub(u2, u1);
    bf r_ = bf_sub(s2, s1);
    if (bf_is_zero(pp_)) {
        if (bf_is_zero(r_)) return xyzz_dbl(p);
        return xyzz_inf();
    }
    bf pp = bf_sqr(pp_);
    bf ppp = bf_mul(pp_, pp);
    bf q_ = bf_mul(u1, pp);
    xyzz_t r;
    r.x = bf_sub(bf_sub(bf_sqr(r_), ppp), bf_dbl(q_));
    r.y = bf_sub(bf_mul(r_, bf_sub(q_, r.x)), bf_mul(s1, ppp));
    r.zz = bf_mul(bf_mul(p.zz, q.zz), pp);
    r.zzz = bf_mul(bf_mul(p.zzz, q.zzz), ppp);
    return r;
}

// The affine form (X/ZZ, Y/ZZZ) of an XYZZ point, (0, 0) for infinity: with ZZ = Z² and ZZZ = Z³,
// 1/Z = ZZ/ZZZ, so one inversion gives both denominators.
DEVICE affine_t xyzz_to_affine(xyzz_t p) {
    affine_t r;
    if (xyzz_is_inf(p)) {
        r.x = bf_zero();
        r.y = bf_zero();
        return r;
    }
    bf zinv = bf_mul(p.zz, bf_inv(p.zzz));
    bf zinv2 = bf_sqr(zinv);
    r.x = bf_mul(p.x, zinv2);
    r.y = bf_mul(p.y, bf_mul(zinv2, zinv));
    return r;
}

// k·P for a small k by double-and-add (k < 2^32).
DEVICE xyzz_t xyzz_mul_u32(xyzz_t p, u32 k) {
    xyzz_t r = xyzz_inf();
    for (int bit = 31; bit >= 0; bit--) {
        r = xyzz_dbl(r);
        if ((k >> bit) & 1u) r = xyzz_add(r, p);
    }
    return r;
}

#endif  // ZKPROVE_CURVE_H
