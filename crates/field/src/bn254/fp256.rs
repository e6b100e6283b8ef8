//! A generic 256-bit prime field in Montgomery form, 4 × 64-bit limbs.
//!
//! The parameters give only the modulus, a multiplicative generator and the two-adicity data; every
//! Montgomery constant (`R`, `R²`, `R³`, `−p⁻¹ mod 2^64`, the two-adic root) is derived by `const fn`
//! here, in the spirit of arkworks' `MontConfig` and Plonky3's `MontyParameters`.
//!
//! Multiplication is CIOS (Koç, Acar, Kaliski, "Analyzing and comparing Montgomery multiplication
//! algorithms", 1996) with the "no-carry" shortcut from gnark-crypto (see
//! <https://hackmd.io/@gnark/modular_multiplication>): when the top limb of `p` is below
//! `2^63 − 1`, the running carries of the two inner products never overflow one word, so the extra
//! carry word of textbook CIOS can be dropped.

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::iter::{Product, Sum};
use core::marker::PhantomData;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{Field, PrimeField, TwoAdicField};

/// The parameters of a 256-bit prime field: everything else is derived.
///
/// Requirements (checked at compile time when the field is used): `p` is odd and its top limb is
/// below `2^63 − 1` (so that the no-carry CIOS multiplication applies and `2p < 2^256`).
pub trait Fp256Params: 'static + Send + Sync + Sized {
    /// The modulus `p`, little-endian 64-bit limbs.
    const MODULUS: [u64; 4];
    /// A generator of the multiplicative group `F_p^*`, as a small integer.
    const GENERATOR: u64;
    /// The largest `s` with `2^s | p − 1`.
    const TWO_ADICITY: u32;
    /// A quadratic non-residue `z` (small integer); the root of unity of order `2^s` is
    /// `z^((p − 1) / 2^s)`, and `two_adic_generator(k)` is its `2^(s − k)`-th power.
    const TWO_ADIC_NONRESIDUE: u64;
}

// ---------------------------------------------------------------------------------------------
// Limb arithmetic. All `const fn` so that the derived constants use the very same code.
// ---------------------------------------------------------------------------------------------

/// `a + b + carry` → (low word, carry out).
#[inline(always)]
const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + b as u128 + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// `a − b − borrow` → (low word, borrow out ∈ {0, 1}).
#[inline(always)]
const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (t as u64, (t >> 127) as u64)
}

/// `a + b·c + carry` → (low word, high word); cannot overflow a `u128`.
#[inline(always)]
const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + (b as u128) * (c as u128) + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// `a − b` over 256 bits → (difference mod 2^256, borrow).
#[inline(always)]
pub(super) const fn sub4(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], u64) {
    let (d0, br) = sbb(a[0], b[0], 0);
    let (d1, br) = sbb(a[1], b[1], br);
    let (d2, br) = sbb(a[2], b[2], br);
    let (d3, br) = sbb(a[3], b[3], br);
    ([d0, d1, d2, d3], br)
}

/// `a + b` over 256 bits → (sum mod 2^256, carry).
#[inline(always)]
pub(super) const fn add4(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], u64) {
    let (s0, c) = adc(a[0], b[0], 0);
    let (s1, c) = adc(a[1], b[1], c);
    let (s2, c) = adc(a[2], b[2], c);
    let (s3, c) = adc(a[3], b[3], c);
    ([s0, s1, s2, s3], c)
}

/// `a < b` as 256-bit integers.
#[inline(always)]
const fn lt4(a: &[u64; 4], b: &[u64; 4]) -> bool {
    sub4(a, b).1 == 1
}

/// Bit mask select: `mask` all ones picks `a`, all zeros picks `b`. Written with masks rather than
/// `if` so that the final reduction of every operation compiles to `cmov`/`and`/`or`: whether it
/// triggers is data-dependent and unpredictable, and a mispredicted branch costs more than the mul.
#[inline(always)]
const fn select4(mask: u64, a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    [
        (a[0] & mask) | (b[0] & !mask),
        (a[1] & mask) | (b[1] & !mask),
        (a[2] & mask) | (b[2] & !mask),
        (a[3] & mask) | (b[3] & !mask),
    ]
}

/// `t mod p` for `t < 2p` (also `t mod 2p` for `t < 4p`, with `2p` as the modulus argument).
#[inline(always)]
pub(super) const fn reduce_once(t: &[u64; 4], p: &[u64; 4]) -> [u64; 4] {
    let (d, borrow) = sub4(t, p);
    // borrow = 1 ⇔ t < p ⇔ keep t.
    select4(0u64.wrapping_sub(borrow), t, &d)
}

/// `(a + b) mod p` for `a, b < p` (no overflow since `2p < 2^256`). At run time
/// [`add_mod_rt`] is used; this form is its reference in the tests.
#[cfg_attr(not(test), allow(dead_code))]
#[inline(always)]
const fn add_mod(a: &[u64; 4], b: &[u64; 4], p: &[u64; 4]) -> [u64; 4] {
    let (s, _) = add4(a, b);
    reduce_once(&s, p)
}

/// `(a − b) mod p` for `a, b < p`.
#[inline(always)]
const fn sub_mod(a: &[u64; 4], b: &[u64; 4], p: &[u64; 4]) -> [u64; 4] {
    let (d, borrow) = sub4(a, b);
    let mask = 0u64.wrapping_sub(borrow);
    let (s, _) = add4(&d, &[p[0] & mask, p[1] & mask, p[2] & mask, p[3] & mask]);
    s
}

/// `2a mod p` for `a < p`: a one-bit shift then one conditional subtraction.
#[inline(always)]
const fn double_mod(a: &[u64; 4], p: &[u64; 4]) -> [u64; 4] {
    let t = [
        a[0] << 1,
        (a[1] << 1) | (a[0] >> 63),
        (a[2] << 1) | (a[1] >> 63),
        (a[3] << 1) | (a[2] >> 63),
    ];
    reduce_once(&t, p)
}

// ---------------------------------------------------------------------------------------------
// The same limb arithmetic for run time (not `const`). LLVM compiles the `const` forms above
// poorly: the 128-bit borrow of `sbb` became five instructions per limb (`add`, `adc`, `sar`, …)
// and the mask selects three more, in every modular addition and subtraction, which the
// extension towers (`F_q²`…`F_q¹²`) and the curve formulas run more often than multiplications.
// On x86-64 the carry intrinsics give one `adc`/`sbb` per limb and `select_unpredictable` a
// `cmov`; elsewhere these are the `const` forms. Same results bit for bit (tested below).
// ---------------------------------------------------------------------------------------------

/// [`add4`] at run time.
#[inline(always)]
pub(super) fn add4_rt(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], u64) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::_addcarry_u64;
        let mut s = [0u64; 4];
        let mut c = 0u8;
        for i in 0..4 {
            c = _addcarry_u64(c, a[i], b[i], &mut s[i]);
        }
        (s, u64::from(c))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        add4(a, b)
    }
}

/// [`sub4`] at run time.
#[inline(always)]
pub(super) fn sub4_rt(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], u64) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::_subborrow_u64;
        let mut d = [0u64; 4];
        let mut c = 0u8;
        for i in 0..4 {
            c = _subborrow_u64(c, a[i], b[i], &mut d[i]);
        }
        (d, u64::from(c))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        sub4(a, b)
    }
}

/// [`reduce_once`] at run time: `t mod p` for `t < 2p`.
#[inline(always)]
pub(super) fn reduce_once_rt(t: &[u64; 4], p: &[u64; 4]) -> [u64; 4] {
    let (d, borrow) = sub4_rt(t, p);
    // borrow = 1 ⇔ t < p ⇔ keep t. Unpredictable, so a `cmov`, not a branch.
    core::hint::select_unpredictable(borrow == 1, *t, d)
}

/// [`add_mod`] at run time.
#[inline(always)]
fn add_mod_rt(a: &[u64; 4], b: &[u64; 4], p: &[u64; 4]) -> [u64; 4] {
    reduce_once_rt(&add4_rt(a, b).0, p)
}

/// [`sub_mod`] at run time.
#[inline(always)]
fn sub_mod_rt(a: &[u64; 4], b: &[u64; 4], p: &[u64; 4]) -> [u64; 4] {
    let (d, borrow) = sub4_rt(a, b);
    let mask = 0u64.wrapping_sub(borrow);
    add4_rt(&d, &[p[0] & mask, p[1] & mask, p[2] & mask, p[3] & mask]).0
}

/// [`double_mod`] at run time.
#[inline(always)]
fn double_mod_rt(a: &[u64; 4], p: &[u64; 4]) -> [u64; 4] {
    add_mod_rt(a, a, p)
}

/// Montgomery product `a·b·R⁻¹ mod p` for `a, b < p`: CIOS with gnark's no-carry shortcut
/// (requires the top limb of `p` below `2^63 − 1`).
///
/// Per outer step `i`: `t += a·b[i]`, `m = t[0]·(−p⁻¹)`, `t = (t + m·p) / 2^64`, with the two
/// multiply-accumulate chains interleaved so that the division by `2^64` is a register rename.
/// The bound on `p` keeps both carries (`A` for `a·b[i]`, `C` for `m·p`) and their sum in one word.
/// Written with `while` loops for `const`; LLVM unrolls them fully.
#[inline(always)]
const fn mont_mul(a: &[u64; 4], b: &[u64; 4], p: &[u64; 4], inv: u64) -> [u64; 4] {
    reduce_once(&mont_mul_unreduced(a, b, p, inv), p)
}

/// [`mont_mul`] without its final subtraction: `a·b·R⁻¹ mod p` up to one `p`, below
/// `a·b/R + p`. For `a, b < p` that is below `2p`; for `a < 4p`, `b < p` too when `4p < R`
/// (the NTT's lazy butterflies, `bn254::ntt_scalar`). The no-carry shortcut needs the top limbs to
/// satisfy `a₃ + p₃ + 2 < 2^64`, which holds for `a < 4p` when `p₃ < 2^64/5`.
#[inline(always)]
pub(super) const fn mont_mul_unreduced(
    a: &[u64; 4],
    b: &[u64; 4],
    p: &[u64; 4],
    inv: u64,
) -> [u64; 4] {
    let mut t = [0u64; 4];
    let mut i = 0;
    while i < 4 {
        let (t0, mut ca) = mac(t[0], a[0], b[i], 0);
        let m = t0.wrapping_mul(inv);
        let (_, mut cc) = mac(t0, m, p[0], 0);
        let mut j = 1;
        while j < 4 {
            let (tj, ca2) = mac(t[j], a[j], b[i], ca);
            let (tj1, cc2) = mac(tj, m, p[j], cc);
            t[j - 1] = tj1;
            ca = ca2;
            cc = cc2;
            j += 1;
        }
        t[3] = ca.wrapping_add(cc);
        i += 1;
    }
    t
}

/// [`mont_mul_unreduced`] on the fastest path this process may use ([`crate::cpu::adx`]): the
/// MULX/ADCX/ADOX assembly where the CPU has BMI2 and ADX and the cap allows it, else the portable
/// code. Same result bit for bit (both compute the same integer before any final reduction).
/// `p_inv` is `[p₀, p₁, p₂, p₃, −p⁻¹ mod 2^64]` ([`Fp256::MODULUS_INV`]).
#[inline(always)]
pub(super) fn mont_mul_unreduced_rt(a: &[u64; 4], b: &[u64; 4], p_inv: &[u64; 5]) -> [u64; 4] {
    #[cfg(target_arch = "x86_64")]
    {
        if crate::cpu::adx() {
            // SAFETY: `cpu::adx()` is true only when BMI2 and ADX were detected on this CPU.
            return unsafe { super::x86_64_adx::mont_mul_unreduced(a, b, p_inv) };
        }
        mont_mul_unreduced_outlined(a, b, p_inv)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let p = [p_inv[0], p_inv[1], p_inv[2], p_inv[3]];
        mont_mul_unreduced(a, b, &p, p_inv[4])
    }
}

/// The portable [`mont_mul_unreduced`] as a call, for x86-64 CPUs without BMI2/ADX (or a lowered
/// cap): kept out of line so that every multiplication site inlines only the check and the
/// assembly (the portable CIOS inlined beside it doubled the code of hot loops and cost registers;
/// see BENCHMARKS.md, "Groth16 and G1 MSM on the AVX2/ADX path").
#[cfg(target_arch = "x86_64")]
#[inline(never)]
fn mont_mul_unreduced_outlined(a: &[u64; 4], b: &[u64; 4], p_inv: &[u64; 5]) -> [u64; 4] {
    let p = [p_inv[0], p_inv[1], p_inv[2], p_inv[3]];
    mont_mul_unreduced(a, b, &p, p_inv[4])
}

/// `−p⁻¹ mod 2^64` by Newton–Hensel lifting: each step `x ← x·(2 − p·x)` doubles the number of
/// correct low bits, and `x = 1` is correct to 1 bit for odd `p` (1 → 2 → … → 64 in 6 steps).
const fn neg_inv_mod_word(p0: u64) -> u64 {
    let mut x = 1u64;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(x)));
        i += 1;
    }
    x.wrapping_neg()
}

/// `2^256 mod p`: `2^256 − p` (the two's complement of `p`) reduced by repeated subtraction (at most
/// a handful since `p > 2^192` in practice; the loop is exact for any `p`, only slower).
const fn r_mod(p: &[u64; 4]) -> [u64; 4] {
    let (mut r, _) = sub4(&[0; 4], p);
    while !lt4(&r, p) {
        r = sub4(&r, p).0;
    }
    r
}

/// `R² mod p` by 256 modular doublings of `R`.
const fn r2_mod(p: &[u64; 4]) -> [u64; 4] {
    let mut r = r_mod(p);
    let mut i = 0;
    while i < 256 {
        r = double_mod(&r, p);
        i += 1;
    }
    r
}

/// Montgomery `base^exp` (base in Montgomery form, result in Montgomery form), `const`.
const fn mont_pow(base: &[u64; 4], exp: &[u64; 4], p: &[u64; 4], inv: u64) -> [u64; 4] {
    let mut acc = r_mod(p);
    let mut i = 256;
    while i > 0 {
        i -= 1;
        acc = mont_mul(&acc, &acc, p, inv);
        if (exp[i / 64] >> (i % 64)) & 1 == 1 {
            acc = mont_mul(&acc, base, p, inv);
        }
    }
    acc
}

/// `x >> k` over 256 bits, `k < 64`.
#[inline(always)]
const fn shr4(x: &[u64; 4], k: u32) -> [u64; 4] {
    if k == 0 {
        return *x;
    }
    [
        (x[0] >> k) | (x[1] << (64 - k)),
        (x[1] >> k) | (x[2] << (64 - k)),
        (x[2] >> k) | (x[3] << (64 - k)),
        x[3] >> k,
    ]
}

// ---------------------------------------------------------------------------------------------
// The field type.
// ---------------------------------------------------------------------------------------------

/// An element of the prime field given by `P`, stored in Montgomery form `x·R mod p` with
/// `R = 2^256`, little-endian limbs, always fully reduced (`< p`).
///
/// Equality and hashing are on that internal value (a bijection of the canonical one); ordering
/// compares canonical values.
#[repr(transparent)]
pub struct Fp256<P: Fp256Params> {
    limbs: [u64; 4],
    _params: PhantomData<P>,
}

impl<P: Fp256Params> Fp256<P> {
    /// The modulus `p`.
    pub const MODULUS_LIMBS: [u64; 4] = P::MODULUS;
    /// `−p⁻¹ mod 2^64`.
    pub const INV: u64 = neg_inv_mod_word(P::MODULUS[0]);
    /// The modulus limbs followed by [`Self::INV`], the layout the assembly multiplication reads.
    pub const MODULUS_INV: [u64; 5] =
        [P::MODULUS[0], P::MODULUS[1], P::MODULUS[2], P::MODULUS[3], Self::INV];
    /// `R mod p` with `R = 2^256` (the Montgomery form of one).
    pub const R: [u64; 4] = r_mod(&P::MODULUS);
    /// `R² mod p` (multiplying a canonical value by it in Montgomery form converts it in).
    pub const R2: [u64; 4] = r2_mod(&P::MODULUS);
    /// `R³ mod p`.
    pub const R3: [u64; 4] = mont_mul(&Self::R2, &Self::R2, &P::MODULUS, Self::INV);
    /// The bit length of `p`.
    pub const NUM_BITS: u32 = {
        let mut top = 3;
        while top > 0 && P::MODULUS[top] == 0 {
            top -= 1;
        }
        64 * top as u32 + (64 - P::MODULUS[top].leading_zeros())
    };
    /// The root of unity of order `2^TWO_ADICITY`: `z^((p − 1) / 2^s)` for the parameters'
    /// non-residue `z`.
    pub const TWO_ADIC_ROOT: Self = {
        let s = P::TWO_ADICITY;
        let (pm1, _) = sub4(&P::MODULUS, &[1, 0, 0, 0]);
        // (p − 1) >> s, s < 256.
        let mut t = pm1;
        let mut left = s;
        while left > 0 {
            let k = if left > 63 { 63 } else { left };
            t = shr4(&t, k);
            left -= k;
        }
        let z = Self::from_u64_const(P::TWO_ADIC_NONRESIDUE);
        Self::from_mont(mont_pow(&z.limbs, &t, &P::MODULUS, Self::INV))
    };
    /// The multiplicative generator from the parameters.
    pub const MULTIPLICATIVE_GENERATOR: Self = Self::from_u64_const(P::GENERATOR);

    /// Compile-time check that the no-carry multiplication applies (top limb below `2^63 − 1`) and
    /// that `p` is odd; evaluated wherever multiplication is instantiated.
    const PARAMS_OK: () = {
        assert!(P::MODULUS[3] < u64::MAX >> 1, "top limb of p must be below 2^63 - 1");
        assert!(P::MODULUS[0] & 1 == 1, "p must be odd");
    };

    /// Wraps Montgomery limbs that are already known to be `< p`.
    #[inline(always)]
    pub(super) const fn from_mont(limbs: [u64; 4]) -> Self {
        Self { limbs, _params: PhantomData }
    }

    /// Builds an element from its internal Montgomery limbs (`x·R mod p`, little-endian, as
    /// snarkjs stores field elements in `.zkey` files); `None` unless the value is below `p`.
    #[inline]
    pub const fn from_raw_limbs(limbs: [u64; 4]) -> Option<Self> {
        if lt4(&limbs, &P::MODULUS) { Some(Self::from_mont(limbs)) } else { None }
    }

    /// The internal Montgomery limbs `x·R mod p`, little-endian.
    #[inline]
    pub const fn to_raw_limbs(&self) -> [u64; 4] {
        self.limbs
    }

    /// Builds an element from its canonical value (little-endian limbs); `None` unless the value is
    /// below `p`. Usable in `const` items: `const X: Fr = Fr::from_canonical_limbs([5, 0, 0, 0]).unwrap();`
    #[inline]
    pub const fn from_canonical_limbs(limbs: [u64; 4]) -> Option<Self> {
        if lt4(&limbs, &P::MODULUS) {
            let () = Self::PARAMS_OK;
            Some(Self::from_mont(mont_mul(&limbs, &Self::R2, &P::MODULUS, Self::INV)))
        } else {
            None
        }
    }

    /// The canonical value `0 ≤ x < p`, little-endian limbs (one Montgomery multiplication by 1).
    #[inline]
    pub const fn to_canonical_limbs(&self) -> [u64; 4] {
        let () = Self::PARAMS_OK;
        mont_mul(&self.limbs, &[1, 0, 0, 0], &P::MODULUS, Self::INV)
    }

    /// The image of a `u64`, in `const` contexts ([`Field::from_u64`] is the same).
    #[inline]
    pub const fn from_u64_const(v: u64) -> Self {
        let () = Self::PARAMS_OK;
        Self::from_mont(mont_mul(&[v, 0, 0, 0], &Self::R2, &P::MODULUS, Self::INV))
    }

    /// The inverse by the binary extended Euclidean algorithm (Hankerson–Menezes–Vanstone, *Guide
    /// to Elliptic Curve Cryptography*, Algorithm 2.22), on the Montgomery limbs directly.
    ///
    /// Invariants `x1·a ≡ u·R²` and `x2·a ≡ v·R²` (mod p) with `a = x·R` the internal value: the
    /// loop ends with `u = 1` or `v = 1`, leaving `R²/(x·R) = x⁻¹·R`, which is the Montgomery form
    /// of `x⁻¹`, so no conversion is needed (arkworks starts from `R²` for the same reason).
    /// Runs of trailing zeros of `u`/`v` are shifted out at once; variable time.
    fn inverse_binary_euclid(&self) -> Option<Self> {
        let p = &P::MODULUS;
        if self.limbs == [0; 4] {
            return None;
        }
        let one = [1u64, 0, 0, 0];
        let mut u = self.limbs;
        let mut v = *p;
        let mut x1 = Self::R2;
        let mut x2 = [0u64; 4];
        while u != one && v != one {
            Self::halve_while_even(&mut u, &mut x1);
            Self::halve_while_even(&mut v, &mut x2);
            let (d, borrow) = sub4_rt(&u, &v);
            if borrow == 0 {
                u = d;
                x1 = sub_mod_rt(&x1, &x2, p);
            } else {
                v = sub4_rt(&v, &u).0;
                x2 = sub_mod_rt(&x2, &x1, p);
            }
        }
        Some(Self::from_mont(if u == one { x1 } else { x2 }))
    }

    /// Removes the factors of two of `u` (non-zero), halving `x` modulo `p` as many times.
    #[inline(always)]
    fn halve_while_even(u: &mut [u64; 4], x: &mut [u64; 4]) {
        let p = &P::MODULUS;
        loop {
            let tz = u[0].trailing_zeros();
            if tz == 0 {
                return;
            }
            // A zero low word (tz = 64) is shifted 63 bits per round; the loop goes on.
            let k = tz.min(63);
            *u = shr4(u, k);
            for _ in 0..k {
                // x/2 mod p = (x + (x odd ? p : 0)) / 2; x + p < 2^255 so no carry is lost.
                let mask = 0u64.wrapping_sub(x[0] & 1);
                let (s, _) = add4_rt(x, &[p[0] & mask, p[1] & mask, p[2] & mask, p[3] & mask]);
                *x = shr4(&s, 1);
            }
        }
    }

    /// The inverse by Fermat's little theorem, `x^(p − 2)` (constant time, slower); kept as the
    /// oracle for the binary-Euclid [`Field::inverse`] and for benchmarks.
    pub fn inverse_fermat(&self) -> Option<Self> {
        if self.limbs == [0; 4] {
            return None;
        }
        let (pm2, _) = sub4(&P::MODULUS, &[2, 0, 0, 0]);
        Some(self.pow_limbs(&pm2))
    }
}

impl<P: Fp256Params> Clone for Fp256<P> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Fp256Params> Copy for Fp256<P> {}

impl<P: Fp256Params> Default for Fp256<P> {
    #[inline]
    fn default() -> Self {
        Self::from_mont([0; 4])
    }
}

impl<P: Fp256Params> PartialEq for Fp256<P> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.limbs == other.limbs
    }
}

impl<P: Fp256Params> Eq for Fp256<P> {}

impl<P: Fp256Params> Hash for Fp256<P> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.limbs.hash(state);
    }
}

impl<P: Fp256Params> Ord for Fp256<P> {
    /// Compares canonical values (Montgomery form does not preserve order).
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.to_canonical_limbs(), other.to_canonical_limbs());
        a.iter().rev().cmp(b.iter().rev())
    }
}

impl<P: Fp256Params> PartialOrd for Fp256<P> {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<P: Fp256Params> fmt::Display for Fp256<P> {
    /// The canonical value in decimal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string())
    }
}

impl<P: Fp256Params> fmt::Debug for Fp256<P> {
    /// The canonical value in decimal (as arkworks prints field elements).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string())
    }
}

impl<P: Fp256Params> Add for Fp256<P> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self::from_mont(add_mod_rt(&self.limbs, &rhs.limbs, &P::MODULUS))
    }
}

impl<P: Fp256Params> Sub for Fp256<P> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self::from_mont(sub_mod_rt(&self.limbs, &rhs.limbs, &P::MODULUS))
    }
}

impl<P: Fp256Params> Mul for Fp256<P> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        let () = Self::PARAMS_OK;
        Self::from_mont(reduce_once_rt(
            &mont_mul_unreduced_rt(&self.limbs, &rhs.limbs, &Self::MODULUS_INV),
            &P::MODULUS,
        ))
    }
}

impl<P: Fp256Params> Div for Fp256<P> {
    type Output = Self;
    /// `self · rhs⁻¹`.
    ///
    /// # Panics
    /// If `rhs` is zero, like integer division; use [`Field::inverse`] where it may be.
    #[inline]
    fn div(self, rhs: Self) -> Self {
        match rhs.inverse() {
            Some(inv) => self * inv,
            None => panic!("division by zero in a prime field"),
        }
    }
}

impl<P: Fp256Params> Neg for Fp256<P> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        // p − x, except 0 ↦ 0 (p itself is not reduced).
        let (d, _) = sub4_rt(&P::MODULUS, &self.limbs);
        let nz = self.limbs[0] | self.limbs[1] | self.limbs[2] | self.limbs[3];
        let mask = 0u64.wrapping_sub(u64::from(nz != 0));
        Self::from_mont([d[0] & mask, d[1] & mask, d[2] & mask, d[3] & mask])
    }
}

impl<P: Fp256Params> AddAssign for Fp256<P> {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl<P: Fp256Params> SubAssign for Fp256<P> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl<P: Fp256Params> MulAssign for Fp256<P> {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl<P: Fp256Params> DivAssign for Fp256<P> {
    /// `self = self / rhs`.
    ///
    /// # Panics
    /// If `rhs` is zero.
    #[inline]
    fn div_assign(&mut self, rhs: Self) {
        *self = *self / rhs;
    }
}

impl<P: Fp256Params> Sum for Fp256<P> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |acc, x| acc + x)
    }
}

impl<P: Fp256Params> Product for Fp256<P> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, |acc, x| acc * x)
    }
}

impl<P: Fp256Params> Field for Fp256<P> {
    type Packing = Self;

    const ZERO: Self = Self::from_mont([0; 4]);
    const ONE: Self = Self::from_mont(Self::R);
    const TWO: Self = Self::from_mont(double_mod(&Self::R, &P::MODULUS));
    const NEG_ONE: Self = Self::from_mont(sub_mod(&[0; 4], &Self::R, &P::MODULUS));

    fn order_string() -> String {
        Self::NEG_ONE.to_decimal_string_plus_one()
    }

    #[inline]
    fn is_zero(&self) -> bool {
        self.limbs == [0; 4]
    }

    /// The CIOS product of `self` with itself (on the MULX/ADCX/ADOX path where it is in use, see
    /// [`crate::cpu`]). A dedicated squaring (10 word products instead of
    /// 16, doubling shifts, then a separate word-by-word REDC) was tried and measured no faster on
    /// this machine (≈ 22–23 ns against 20.5–23 ns per square in a standalone 8-chain loop; the
    /// six saved `mulx` are paid back in shifts and REDC's extra carry word), so it was dropped.
    #[inline(always)]
    fn square(&self) -> Self {
        *self * *self
    }

    #[inline(always)]
    fn double(&self) -> Self {
        Self::from_mont(double_mod_rt(&self.limbs, &P::MODULUS))
    }

    #[inline]
    fn inverse(&self) -> Option<Self> {
        self.inverse_binary_euclid()
    }

    #[inline]
    fn from_u64(v: u64) -> Self {
        Self::from_u64_const(v)
    }

    /// Uniform by rejection sampling: draw `NUM_BITS` random bits and retry while the value is not
    /// below `p` (probability `p / 2^NUM_BITS ≥ 1/2` of accepting each draw). The accepted value
    /// is used as the Montgomery limbs directly: `x ↦ x·R` permutes `[0, p)`, so the element is
    /// uniform either way, and this saves a multiplication.
    fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        let top_bits = Self::NUM_BITS - 192;
        let top_mask = if top_bits >= 64 { u64::MAX } else { (1u64 << top_bits) - 1 };
        loop {
            let limbs = [rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64() & top_mask];
            if let Some(x) = Self::from_raw_limbs(limbs) {
                return x;
            }
        }
    }
}

impl<P: Fp256Params> Fp256<P> {
    /// Decimal of `self + 1` computed on the canonical integer (used for `p = (p − 1) + 1`).
    fn to_decimal_string_plus_one(self) -> String {
        let (v, _) = add4(&self.to_canonical_limbs(), &[1, 0, 0, 0]);
        let bytes = limbs_to_bytes(&v);
        crate::decimal::le_bytes_to_decimal(&bytes)
    }
}

/// Little-endian bytes of little-endian limbs.
#[inline]
fn limbs_to_bytes(l: &[u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(l) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

/// Little-endian limbs of little-endian bytes.
#[inline]
fn bytes_to_limbs(b: &[u8; 32]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (limb, chunk) in out.iter_mut().zip(b.chunks_exact(8)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(w);
    }
    out
}

impl<P: Fp256Params> PrimeField for Fp256<P> {
    type Repr = [u8; 32];

    const MODULUS: &'static [u64] = &P::MODULUS;
    const NUM_BITS: u32 = Self::NUM_BITS;

    #[inline]
    fn to_bytes_le(&self) -> [u8; 32] {
        limbs_to_bytes(&self.to_canonical_limbs())
    }

    #[inline]
    fn from_bytes_le(bytes: &[u8; 32]) -> Option<Self> {
        Self::from_canonical_limbs(bytes_to_limbs(bytes))
    }

    #[inline]
    fn to_raw_bytes_le(&self) -> [u8; 32] {
        limbs_to_bytes(&self.limbs)
    }

    #[inline]
    fn from_raw_bytes_le(bytes: &[u8; 32]) -> Option<Self> {
        Self::from_raw_limbs(bytes_to_limbs(bytes))
    }

    /// Reduces 32 bytes at a time: each chunk `c` (an integer below `2^256`) enters as
    /// `c mod p` = its two-step Montgomery conversion, and Horner's rule runs in base `2^256`
    /// (multiplying by `R` in Montgomery form is multiplying the Montgomery limbs by `R²`).
    fn from_bytes_le_mod_order(bytes: &[u8]) -> Self {
        let mut acc = Self::ZERO;
        let base = Self::from_mont(Self::R2); // the element R = 2^256 mod p
        for chunk in bytes.chunks(32).rev() {
            let mut buf = [0u8; 32];
            buf[..chunk.len()].copy_from_slice(chunk);
            // Any 256-bit chunk is below 2^256 < 6p for these fields: subtract p a few times,
            // then convert in with one Montgomery multiplication by R².
            let c = reduce_below_p_with(&bytes_to_limbs(&buf), &P::MODULUS);
            let c = Self::from_mont(mont_mul(&c, &Self::R2, &P::MODULUS, Self::INV));
            acc = acc * base + c;
        }
        acc
    }
}

/// Reduces any 256-bit value below `p` by repeated subtraction (2^256 / p is small for these
/// fields: at most 5 for BN254).
fn reduce_below_p_with(c: &[u64; 4], p: &[u64; 4]) -> [u64; 4] {
    let mut c = *c;
    while !lt4(&c, p) {
        c = sub4(&c, p).0;
    }
    c
}

impl<P: Fp256Params> TwoAdicField for Fp256<P> {
    const TWO_ADICITY: usize = P::TWO_ADICITY as usize;

    /// `root^(2^(s − log_n))` where `root` is [`Fp256::TWO_ADIC_ROOT`]; for BN254 Fr this is
    /// snarkjs's chain (see [`super::Fr`]).
    fn two_adic_generator(log_n: usize) -> Option<Self> {
        if log_n > Self::TWO_ADICITY {
            return None;
        }
        let mut g = Self::TWO_ADIC_ROOT;
        for _ in log_n..Self::TWO_ADICITY {
            g = g.square();
        }
        Some(g)
    }

    /// Eight butterflies per vector operation on AVX-512 IFMA (`bn254::ntt_x8`) where
    /// [`crate::cpu::level`] allows it (compiled in where the build targets IFMA, else behind
    /// run-time-dispatched `#[target_feature]` entry points), else scalar butterflies with lazy reduction (`bn254::ntt_scalar`).
    #[inline]
    fn ntt_kernels() -> Option<crate::NttKernels<Self>> {
        #[cfg(all(
            target_arch = "x86_64",
            target_feature = "avx512ifma",
            target_feature = "avx512dq"
        ))]
        {
            // Compiled in, but a lowered cap (`crate::cpu::set_max_cpu_level`) turns it off.
            if crate::cpu::level() >= crate::cpu::CpuLevel::Ifma {
                Some(super::ntt_x8::kernels::<P, super::Fp256x8Ifma<P>>())
            } else {
                Some(super::ntt_scalar::kernels::<P>())
            }
        }
        // Not compiled in: the same kernels behind `#[target_feature]` entry points, chosen here.
        #[cfg(all(
            target_arch = "x86_64",
            not(all(target_feature = "avx512ifma", target_feature = "avx512dq"))
        ))]
        {
            if crate::cpu::level() >= crate::cpu::CpuLevel::Ifma {
                Some(super::ntt_x8::kernels_ifma_runtime::<P>())
            } else {
                Some(super::ntt_scalar::kernels::<P>())
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Some(super::ntt_scalar::kernels::<P>())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Explicit-path products, for kernels that choose their path once rather than per product.
// ---------------------------------------------------------------------------------------------

/// Evidence that the MULX/ADCX/ADOX multiplication may be used in this process: made only by
/// [`AdxMul::detect`], where [`crate::cpu::adx`] is true (the CPU has BMI2 and ADX and the cap
/// allows them). A kernel checks once, then passes the token to [`Fp256::mul_adx`] for every
/// product, which then skips the per-product check that `*` makes.
#[derive(Clone, Copy, Debug)]
pub struct AdxMul {
    _private: (),
}

impl AdxMul {
    /// `Some` where [`crate::cpu::adx`] is true (never on other architectures).
    #[inline]
    pub fn detect() -> Option<Self> {
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::adx() {
            return Some(Self { _private: () });
        }
        None
    }
}

impl<P: Fp256Params> Fp256<P> {
    /// `self · rhs` on the MULX/ADCX/ADOX assembly, without the per-product check of
    /// [`crate::cpu::adx`] that `*` makes (the token says it was made): for kernels that check
    /// once and then run many products (the MSM's batch-affine additions). Same result as `*`.
    #[inline(always)]
    pub fn mul_adx(self, rhs: Self, token: AdxMul) -> Self {
        let () = Self::PARAMS_OK;
        let _ = token;
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: an `AdxMul` exists only where `cpu::adx()` was true, i.e. where BMI2 and
            // ADX were detected on this CPU.
            let t = unsafe {
                super::x86_64_adx::mont_mul_unreduced(&self.limbs, &rhs.limbs, &Self::MODULUS_INV)
            };
            Self::from_mont(reduce_once_rt(&t, &P::MODULUS))
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self * rhs
        }
    }
}

/// A Montgomery value known only to be below `2p` (a product whose final subtraction was left
/// out): the operand and result of [`Fp256Lazy::mul_adx`], for chains of products whose
/// intermediate values need no canonical form (the MSM's batch-affine additions: the
/// Montgomery-trick chains and the slope feed only further products). [`Fp256Lazy::reduce`] gives
/// the canonical element back. Only for moduli below `R/4` (`Fp256Lazy::PARAMS_OK`), where a
/// product of two values below `2p` stays below `a·b/R + p < 2p`.
pub struct Fp256Lazy<P: Fp256Params> {
    /// Montgomery limbs, `< 2p`.
    limbs: [u64; 4],
    _params: PhantomData<P>,
}

impl<P: Fp256Params> Clone for Fp256Lazy<P> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Fp256Params> Copy for Fp256Lazy<P> {}

impl<P: Fp256Params> fmt::Debug for Fp256Lazy<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fp256Lazy").field("limbs", &self.limbs).finish()
    }
}

impl<P: Fp256Params> Fp256Lazy<P> {
    /// Compile-time check: `4p < R` (products of two values below `2p` stay below `2p`), and
    /// the assembly's no-carry bound (top limb of `p` below `2^64/5`).
    const PARAMS_OK: () = {
        assert!(P::MODULUS[3] < 1u64 << 62, "lazy products need p < R/4");
        assert!(P::MODULUS[3] < u64::MAX / 5, "top limb of p must be below 2^64/5");
    };

    /// `self·rhs·R⁻¹` up to one `p` (below `2p`) on the MULX/ADCX/ADOX assembly: [`Fp256::mul_adx`]
    /// without the final subtraction.
    #[inline(always)]
    pub fn mul_adx(self, rhs: Self, token: AdxMul) -> Self {
        let () = Self::PARAMS_OK;
        let _ = token;
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: an `AdxMul` exists only where `cpu::adx()` was true, i.e. where BMI2 and
            // ADX were detected on this CPU. Both operands are below `2p < 4p`, within the
            // assembly's no-carry bound.
            let limbs = unsafe {
                super::x86_64_adx::mont_mul_unreduced(
                    &self.limbs,
                    &rhs.limbs,
                    &Fp256::<P>::MODULUS_INV,
                )
            };
            Self { limbs, _params: PhantomData }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let p = P::MODULUS;
            let limbs = mont_mul_unreduced(&self.limbs, &rhs.limbs, &p, Fp256::<P>::INV);
            Self { limbs, _params: PhantomData }
        }
    }

    /// The canonical element (one conditional subtraction of `p`).
    #[inline(always)]
    pub fn reduce(self) -> Fp256<P> {
        Fp256::from_mont(reduce_once_rt(&self.limbs, &P::MODULUS))
    }
}

impl<P: Fp256Params> From<Fp256<P>> for Fp256Lazy<P> {
    #[inline(always)]
    fn from(x: Fp256<P>) -> Self {
        Self { limbs: x.limbs, _params: PhantomData }
    }
}

#[cfg(test)]
mod explicit_path_tests {
    use super::*;
    use crate::bn254::{FqParams, FrParams};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Edge values (raw Montgomery limbs below `p`, carry-chain stressing words) and random ones.
    fn values<P: Fp256Params>(rng: &mut StdRng) -> Vec<Fp256<P>> {
        let p = P::MODULUS;
        let mut raw = vec![
            [0, 0, 0, 0],
            [1, 0, 0, 0],
            [p[0] - 1, p[1], p[2], p[3]],
            [u64::MAX, u64::MAX, u64::MAX, p[3] - 1],
            [0, 0, 0, p[3]],
            Fp256::<P>::R,
        ];
        for _ in 0..150 {
            let mut l: [u64; 4] = core::array::from_fn(|_| match rng.random_range(0..3) {
                0 => 0,
                1 => u64::MAX,
                _ => rng.random(),
            });
            l[3] %= p[3];
            raw.push(l);
            raw.push(Fp256::<P>::random(rng).to_raw_limbs());
        }
        raw.into_iter().filter_map(Fp256::<P>::from_raw_limbs).collect()
    }

    /// `mul_adx` equals the portable CIOS product (the `const fn`, independent of the CPU level).
    fn check<P: Fp256Params>(rng: &mut StdRng, token: AdxMul) {
        let xs = values::<P>(rng);
        for (i, a) in xs.iter().enumerate() {
            for b in xs.iter().skip(i % 5).step_by(5) {
                let want = mont_mul(&a.limbs, &b.limbs, &P::MODULUS, Fp256::<P>::INV);
                assert_eq!(a.mul_adx(*b, token).limbs, want, "{a} · {b}");
            }
        }
    }

    /// Lazy products, alone and chained (operands up to `2p − 1`), reduce to the canonical
    /// products, and stay below `2p`.
    fn check_lazy<P: Fp256Params>(rng: &mut StdRng, token: AdxMul) {
        let xs = values::<P>(rng);
        let p = P::MODULUS;
        let (two_p, _) = add4(&p, &p);
        let mut acc_lazy = Fp256Lazy::<P>::from(Fp256::<P>::ONE);
        let mut acc = Fp256::<P>::ONE;
        for (i, a) in xs.iter().enumerate() {
            for b in xs.iter().skip(i % 7).step_by(7) {
                let l = Fp256Lazy::from(*a).mul_adx(Fp256Lazy::from(*b), token);
                assert!(lt4(&l.limbs, &two_p));
                assert_eq!(l.reduce(), *a * *b, "{a} · {b}");
            }
            if !a.is_zero() {
                acc_lazy = acc_lazy.mul_adx(Fp256Lazy::from(*a), token);
                acc *= *a;
                assert!(lt4(&acc_lazy.limbs, &two_p));
                assert_eq!(acc_lazy.reduce(), acc);
            }
        }
        // The largest operands a lazy value can be: 2p − 1 (not a canonical element).
        let top = Fp256Lazy::<P> { limbs: sub4(&two_p, &[1, 0, 0, 0]).0, _params: PhantomData };
        let top_fp = Fp256::<P>::from_mont(sub4(&p, &[1, 0, 0, 0]).0);
        let sq = top.mul_adx(top, token);
        assert!(lt4(&sq.limbs, &two_p));
        assert_eq!(sq.reduce(), top_fp * top_fp);
        for x in xs.iter().take(40) {
            let l = top.mul_adx(Fp256Lazy::from(*x), token);
            assert!(lt4(&l.limbs, &two_p));
            assert_eq!(l.reduce(), top_fp * *x);
        }
    }

    #[test]
    fn lazy_mul_adx_matches_canonical() {
        let Some(token) = AdxMul::detect() else {
            return;
        };
        let mut rng = StdRng::seed_from_u64(0x1a2);
        check_lazy::<FqParams>(&mut rng, token);
        check_lazy::<FrParams>(&mut rng, token);
    }

    #[test]
    fn mul_adx_matches_portable() {
        let Some(token) = AdxMul::detect() else {
            // No BMI2/ADX here (or a lowered cap): nothing to compare.
            return;
        };
        let mut rng = StdRng::seed_from_u64(0xad7);
        check::<FqParams>(&mut rng, token);
        check::<FrParams>(&mut rng, token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// The run-time limb arithmetic gives the `const` forms' results bit for bit, on random
    /// words and on the edges (0, p − 1, p, 2p − 1, all ones).
    #[test]
    fn run_time_limb_arithmetic_matches_const() {
        let p = super::super::FqParams::MODULUS;
        let (two_p, _) = add4(&p, &p);
        let edges =
            [[0u64; 4], sub4(&p, &[1, 0, 0, 0]).0, p, sub4(&two_p, &[1, 0, 0, 0]).0, [u64::MAX; 4]];
        let mut rng = StdRng::seed_from_u64(11);
        let mut words: Vec<[u64; 4]> = edges.to_vec();
        words.extend((0..200).map(|_| [rng.random(), rng.random(), rng.random(), rng.random()]));
        for a in &words {
            for b in &words {
                assert_eq!(add4_rt(a, b), add4(a, b));
                assert_eq!(sub4_rt(a, b), sub4(a, b));
            }
        }
        // Modular forms on reduced inputs; `reduce_once` on inputs below 2p.
        let reduced: Vec<[u64; 4]> =
            words.iter().map(|w| [w[0], w[1], w[2], w[3] % p[3]]).filter(|w| lt4(w, &p)).collect();
        for a in &reduced {
            assert_eq!(double_mod_rt(a, &p), double_mod(a, &p));
            for b in &reduced {
                assert_eq!(add_mod_rt(a, b, &p), add_mod(a, b, &p));
                assert_eq!(sub_mod_rt(a, b, &p), sub_mod(a, b, &p));
                let s = add4(a, b).0;
                assert_eq!(reduce_once_rt(&s, &p), reduce_once(&s, &p));
            }
        }
    }
}
