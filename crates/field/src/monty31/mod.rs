//! Prime fields below `2^31` in 32-bit Montgomery form, generic over a parameter type: BabyBear
//! (`2^31 − 2^27 + 1`) and KoalaBear (`2^31 − 2^24 + 1`) are [`MontyField31`] with their
//! [`MontyParameters31`], and so is any other 31-bit prime from a modulus, a multiplicative
//! generator and the non-residue of its quartic extension. Everything else (`−p⁻¹ mod 2^32`, `R²`,
//! the two-adicity, the chain of two-adic generators, the inversion chain) is derived by `const fn`
//! (the shape of arkworks' `MontConfig` and Plonky3's `MontyParameters`).
//!
//! Elements are kept in Montgomery form `x·R mod p` with `R = 2^32`, always canonical (`< p`), so
//! equality and hashing work on the stored word. `p < 2^31` leaves one spare bit, which the
//! addition (`a + b < 2^32`) and the Montgomery reduction (`a·b + q·p < 2^64`) rely on.
//!
//! SIMD packings: `PackedMontyField31Avx512` (16 lanes) when AVX-512F is enabled, else
//! `PackedMontyField31Avx2` (8 lanes) with AVX2, else the scalar itself (one lane).
//!
//! Primes of the form `p = 2^31 − 2^s + 1` (both of the above: [`MontyParameters31::SHAPED`]) get
//! a shorter inversion chain and multiplication by `2^{−n}` through shifts in the packings; the
//! rest take the generic paths.

use core::cmp::Ordering;
use core::fmt::{self, Debug, Display};
use core::hash::Hash;
use core::iter::{Product, Sum};
use core::marker::PhantomData;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{BinomialExtension, BinomialParams, Field, PrimeField, PrimeField64, TwoAdicField};

// Both packings are compiled on every x86-64 build: the one the target features allow is the
// public `Field::Packing`; the others are reached only through `with_packing`'s
// `#[target_feature]` entry points, chosen at run time (then they are private to the crate).
#[cfg(target_arch = "x86_64")]
#[cfg_attr(
    not(all(target_feature = "avx2", not(target_feature = "avx512f"))),
    allow(dead_code, unreachable_pub)
)]
mod x86_64_avx2;
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
pub use x86_64_avx2::PackedMontyField31Avx2;
#[cfg(all(
    target_arch = "x86_64",
    not(all(target_feature = "avx2", not(target_feature = "avx512f")))
))]
use x86_64_avx2::PackedMontyField31Avx2;

#[cfg(target_arch = "x86_64")]
#[cfg_attr(not(target_feature = "avx512f"), allow(dead_code, unreachable_pub))]
mod x86_64_avx512;
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
pub use x86_64_avx512::PackedMontyField31Avx512;
#[cfg(all(target_arch = "x86_64", not(target_feature = "avx512f")))]
use x86_64_avx512::PackedMontyField31Avx512;

/// `fn $name<P: MontyParameters31>() -> NttKernels<MontyField31<P>>`: the [`crate::ntt_packed`]
/// kernels on `$packed<P>`, each entry point a `#[target_feature(enable = $feat)]` function around
/// the inlined generic kernel. Hand the result out only where the CPU has `$feat`: the returned
/// functions are safe to call, so that check is what makes them sound.
#[cfg(target_arch = "x86_64")]
macro_rules! ntt_kernels_on {
    ($name:ident, $packed:ident, $feat:literal) => {
        fn $name<P: MontyParameters31>() -> crate::NttKernels<MontyField31<P>> {
            use crate::ntt_packed as k;
            type F<P> = MontyField31<P>;
            #[target_feature(enable = $feat)]
            unsafe fn dif_b_tf<P: MontyParameters31>(lo: &mut [F<P>], hi: &mut [F<P>], w: &[F<P>]) {
                k::dif_butterflies::<$packed<P>>(lo, hi, w)
            }
            #[target_feature(enable = $feat)]
            unsafe fn dit_b_tf<P: MontyParameters31>(lo: &mut [F<P>], hi: &mut [F<P>], w: &[F<P>]) {
                k::dit_butterflies::<$packed<P>>(lo, hi, w)
            }
            #[target_feature(enable = $feat)]
            #[allow(clippy::too_many_arguments)]
            unsafe fn dif_r4_tf<P: MontyParameters31>(
                a0: &mut [F<P>],
                a1: &mut [F<P>],
                a2: &mut [F<P>],
                a3: &mut [F<P>],
                w1a: &[F<P>],
                w1b: &[F<P>],
                w2: &[F<P>],
            ) {
                k::dif_radix4::<$packed<P>>(a0, a1, a2, a3, w1a, w1b, w2)
            }
            #[target_feature(enable = $feat)]
            #[allow(clippy::too_many_arguments)]
            unsafe fn dit_r4_tf<P: MontyParameters31>(
                a0: &mut [F<P>],
                a1: &mut [F<P>],
                a2: &mut [F<P>],
                a3: &mut [F<P>],
                w1a: &[F<P>],
                w1b: &[F<P>],
                w2: &[F<P>],
            ) {
                k::dit_radix4::<$packed<P>>(a0, a1, a2, a3, w1a, w1b, w2)
            }
            #[target_feature(enable = $feat)]
            unsafe fn dif_a_tf<P: MontyParameters31>(data: &mut [F<P>], tw: &[F<P>]) {
                k::dif_all::<$packed<P>>(data, tw)
            }
            #[target_feature(enable = $feat)]
            unsafe fn dit_a_tf<P: MontyParameters31>(data: &mut [F<P>], tw: &[F<P>]) {
                k::dit_all::<$packed<P>>(data, tw)
            }
            // SAFETY (all six): these functions are handed out only by `$name`, whose caller
            // checked that the CPU has `$feat` (`cpu::level()`).
            fn dif_b<P: MontyParameters31>(lo: &mut [F<P>], hi: &mut [F<P>], w: &[F<P>]) {
                // SAFETY: see above.
                unsafe { dif_b_tf::<P>(lo, hi, w) }
            }
            fn dit_b<P: MontyParameters31>(lo: &mut [F<P>], hi: &mut [F<P>], w: &[F<P>]) {
                // SAFETY: see above.
                unsafe { dit_b_tf::<P>(lo, hi, w) }
            }
            fn dif_r4<P: MontyParameters31>(
                a0: &mut [F<P>],
                a1: &mut [F<P>],
                a2: &mut [F<P>],
                a3: &mut [F<P>],
                w1a: &[F<P>],
                w1b: &[F<P>],
                w2: &[F<P>],
            ) {
                // SAFETY: see above.
                unsafe { dif_r4_tf::<P>(a0, a1, a2, a3, w1a, w1b, w2) }
            }
            fn dit_r4<P: MontyParameters31>(
                a0: &mut [F<P>],
                a1: &mut [F<P>],
                a2: &mut [F<P>],
                a3: &mut [F<P>],
                w1a: &[F<P>],
                w1b: &[F<P>],
                w2: &[F<P>],
            ) {
                // SAFETY: see above.
                unsafe { dit_r4_tf::<P>(a0, a1, a2, a3, w1a, w1b, w2) }
            }
            fn dif_a<P: MontyParameters31>(data: &mut [F<P>], tw: &[F<P>]) {
                // SAFETY: see above.
                unsafe { dif_a_tf::<P>(data, tw) }
            }
            fn dit_a<P: MontyParameters31>(data: &mut [F<P>], tw: &[F<P>]) {
                // SAFETY: see above.
                unsafe { dit_a_tf::<P>(data, tw) }
            }
            crate::NttKernels {
                dif_butterflies: dif_b::<P>,
                dit_butterflies: dit_b::<P>,
                dif_radix4: dif_r4::<P> as crate::Radix4Kernel<F<P>>,
                dit_radix4: dit_r4::<P> as crate::Radix4Kernel<F<P>>,
                dif_all: dif_a::<P>,
                dit_all: dit_a::<P>,
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
ntt_kernels_on!(ntt_kernels_avx512, PackedMontyField31Avx512, "avx512f,avx512bw,avx512dq,avx512vl");
#[cfg(target_arch = "x86_64")]
ntt_kernels_on!(ntt_kernels_avx2, PackedMontyField31Avx2, "avx2");

/// The constants that define a 31-bit Montgomery field. Implement the three required ones; the
/// others are derived and must not be overridden.
///
/// Requirements: `PRIME` is an odd prime below `2^31`, `GENERATOR` generates the multiplicative
/// group, and `X⁴ − EXT4_W` is irreducible. The ranges are checked at compile time (at the first
/// use of [`MontyField31::new`]); primality, the generator and irreducibility by
/// `zkprove_field_testing::test_monty31_field!`, which every instance's tests call.
pub trait MontyParameters31:
    Copy + Clone + Default + Debug + PartialEq + Eq + Hash + Send + Sync + 'static
{
    /// The modulus `p < 2^31`.
    const PRIME: u32;
    /// A generator of the multiplicative group (canonical value).
    const GENERATOR: u32;
    /// `W` of the quartic extension `F[X]/(X⁴ − W)` (canonical value).
    const EXT4_W: u32;

    /// `−p⁻¹ mod 2^32`, the Montgomery multiplier: `q = (x mod 2^32)·MONTY_NEG_P_INV` makes
    /// `x + q·p` divisible by `2^32`. Derived.
    const MONTY_NEG_P_INV: u32 = neg_inverse_mod_2_32(Self::PRIME);
    /// `R² mod p` with `R = 2^32`; the Montgomery product of `x` and `R²` is `x·R`. Derived.
    const R2: u32 = ((1u128 << 64) % Self::PRIME as u128) as u32;
    /// The largest `s` with `2^s | p − 1`. Derived.
    const TWO_ADICITY: usize = (Self::PRIME - 1).trailing_zeros() as usize;
    /// The bit length of `p`. Derived.
    const NUM_BITS: u32 = 32 - Self::PRIME.leading_zeros();
    /// Whether `p = 2^31 − 2^s + 1` with `s = TWO_ADICITY` (then `p − 2` is a run of ones, a
    /// zero and another run of ones, and `2^{−n} ≡ −(2^{31−s} − 1)·2^{s−n}` for `n ≤ s`). Derived.
    const SHAPED: bool = Self::TWO_ADICITY < 30
        && Self::PRIME as u64 == (1u64 << 31) - (1u64 << Self::TWO_ADICITY) + 1;
}

/// `−m⁻¹ mod 2^32` for odd `m`, by Newton's iteration `y ← y·(2 − m·y)`, which doubles the number
/// of correct low bits; `y = m` is already right modulo 8 (every odd square is 1 mod 8), so four
/// steps reach 48 ≥ 32 bits.
pub const fn neg_inverse_mod_2_32(m: u32) -> u32 {
    let mut y = m;
    let mut i = 0;
    while i < 4 {
        y = y.wrapping_mul(2u32.wrapping_sub(m.wrapping_mul(y)));
        i += 1;
    }
    y.wrapping_neg()
}

/// Montgomery reduction: `x·R⁻¹ mod p`, canonical, for `x < p·2^32`.
///
/// With `q = x·(−p⁻¹) mod 2^32`, `x + q·p ≡ 0 (mod 2^32)` and `(x + q·p)/2^32 < 2p`, so one
/// conditional subtraction finishes (Montgomery 1985; Brent–Zimmermann, *Modern Computer
/// Arithmetic*, algorithm 2.6). The subtraction is a `min` on the wrapped difference: when `t < p`,
/// `t − p` wraps above `t`.
#[inline(always)]
const fn monty_reduce<P: MontyParameters31>(x: u64) -> u32 {
    let q = (x as u32).wrapping_mul(P::MONTY_NEG_P_INV);
    let t = ((x + q as u64 * P::PRIME as u64) >> 32) as u32;
    let u = t.wrapping_sub(P::PRIME);
    if u < t { u } else { t }
}

/// An element of the 31-bit prime field named by `P`, in Montgomery form.
#[derive(Copy, Clone, Default, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct MontyField31<P: MontyParameters31> {
    /// `x·2^32 mod p`, always `< p`.
    value: u32,
    _params: PhantomData<P>,
}

impl<P: MontyParameters31> MontyField31<P> {
    /// `p`, as the field's order.
    pub const ORDER_U32: u32 = P::PRIME;

    /// A generator of the multiplicative group ([`MontyParameters31::GENERATOR`]).
    pub const GENERATOR: Self = Self::new(P::GENERATOR);

    /// The element whose Montgomery word is `value` (`< p`, unchecked).
    #[inline(always)]
    const fn from_word(value: u32) -> Self {
        Self { value, _params: PhantomData }
    }

    /// Fails to compile (at the first use of [`MontyField31::new`]) unless `p` is odd, above 2 and
    /// below `2^31`, and the two constants are below `p`.
    const VALID: () = assert!(
        P::PRIME % 2 == 1
            && P::PRIME > 2
            && P::PRIME < 1 << 31
            && P::GENERATOR < P::PRIME
            && P::EXT4_W < P::PRIME,
        "MontyParameters31: p must be an odd prime below 2^31, GENERATOR and EXT4_W below p"
    );

    /// The image of `x` (reduced modulo `p`); usable in `const` items, e.g. round constants.
    #[inline]
    pub const fn new(x: u32) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::VALID;
        Self::from_word(monty_reduce::<P>((x % P::PRIME) as u64 * P::R2 as u64))
    }

    /// Builds an element of each value of an array (reduced modulo `p`), in `const` context.
    pub const fn new_array<const N: usize>(xs: [u32; N]) -> [Self; N] {
        let mut out = [Self::from_word(0); N];
        let mut i = 0;
        while i < N {
            out[i] = Self::new(xs[i]);
            i += 1;
        }
        out
    }

    /// The canonical value `0 ≤ x < p`.
    #[inline]
    pub const fn as_canonical_u32(&self) -> u32 {
        monty_reduce::<P>(self.value as u64)
    }

    /// The Montgomery form `x·2^32 mod p` (the raw representation).
    #[inline]
    pub const fn to_monty(self) -> u32 {
        self.value
    }

    /// The element whose Montgomery form is `monty`, or `None` unless `monty < p`.
    #[inline]
    pub const fn from_monty(monty: u32) -> Option<Self> {
        if monty < P::PRIME { Some(Self::from_word(monty)) } else { None }
    }

    /// The element whose Montgomery form is `word mod p`, for any `u32` (infallible: a raw word
    /// read straight into a field element, as trace generation does with its tuple fields).
    #[inline(always)]
    pub const fn from_monty_reduced(word: u32) -> Self {
        Self::from_word(word % P::PRIME)
    }

    /// `self · R` (`R = 2^32 mod p`): a weight as the SIMD packings' lazy
    /// [`crate::PackedField::dot_limbs`] takes it (its one Montgomery reduction divides by `R`).
    #[inline]
    #[must_use]
    pub const fn limb_weight_scaled(self) -> Self {
        self.mul_const(Self::new(((1u64 << 32) % P::PRIME as u64) as u32))
    }

    /// `self · rhs`, usable in `const` context.
    #[inline(always)]
    pub const fn mul_const(self, rhs: Self) -> Self {
        Self::from_word(monty_reduce::<P>(self.value as u64 * rhs.value as u64))
    }

    /// `self^(2^k)` by `k` squarings.
    #[inline]
    pub const fn square_n(self, k: usize) -> Self {
        let mut x = self;
        let mut i = 0;
        while i < k {
            x = x.mul_const(x);
            i += 1;
        }
        x
    }

    /// `self^(p−2)`.
    ///
    /// For `p = 2^31 − 2^s + 1` ([`MontyParameters31::SHAPED`]), `p − 2` is `30 − s` ones, a zero,
    /// then `s` ones, read in windows of `111` with `x^7`: for BabyBear (`s = 27`) 30 squarings and
    /// 11 multiplications, against 30 + 29 for square-and-multiply over the 31 bits and 64 + 29
    /// for the generic [`Field::pow`]. Other primes: square-and-multiply over the bits of `p − 2`.
    ///
    /// Every loop below has a trip count fixed by `P`, so the chain compiles to straight-line code
    /// (for BabyBear the same instructions as the hand-written chain this replaced).
    #[inline]
    const fn pow_p_minus_2(self) -> Self {
        let x = self;
        if P::SHAPED {
            let x3 = x.mul_const(x).mul_const(x);
            let x7 = x3.mul_const(x3).mul_const(x);
            let (high, low) = (30 - P::TWO_ADICITY, P::TWO_ADICITY);
            // The high run: a first window of 1 to 3 bits, so that the rest are whole windows.
            let first = high - 3 * ((high - 1) / 3);
            let mut acc = match first {
                3 => x7,
                2 => x3,
                _ => x,
            };
            let mut i = 0;
            while i < (high - first) / 3 {
                acc = acc.square_n(3).mul_const(x7);
                i += 1;
            }
            // The zero bit with the first window of the low run (1 to 3 bits, so that the rest
            // are whole windows), then the rest.
            let first = low - 3 * ((low - 1) / 3);
            acc = acc.square_n(1 + first);
            acc = match first {
                3 => acc.mul_const(x7),
                2 => acc.mul_const(x3),
                _ => acc.mul_const(x),
            };
            let mut i = 0;
            while i < (low - first) / 3 {
                acc = acc.square_n(3).mul_const(x7);
                i += 1;
            }
            acc
        } else {
            let e = P::PRIME - 2;
            let mut acc = x;
            let mut bit = 31 - e.leading_zeros();
            while bit > 0 {
                bit -= 1;
                acc = acc.mul_const(acc);
                if (e >> bit) & 1 == 1 {
                    acc = acc.mul_const(x);
                }
            }
            acc
        }
    }

    /// The generators `g_k` of the subgroups of order `2^k`, `k = 0..=TWO_ADICITY` (zero-padded
    /// to 32): `g_s = GENERATOR^((p − 1)/2^s)` and `g_(k−1) = g_k²`. For BabyBear and KoalaBear
    /// this is Plonky3's chain; the tests check each against `p3-baby-bear` / `p3-koala-bear`.
    const TWO_ADIC_GENERATORS: [Self; 32] = {
        let mut out = [Self::from_word(0); 32];
        let s = P::TWO_ADICITY;
        // GENERATOR^odd by square-and-multiply on the odd part of p − 1.
        let odd = (P::PRIME - 1) >> s;
        let g = Self::GENERATOR;
        let mut cur = Self::new(1);
        let mut bit = 32;
        while bit > 0 {
            bit -= 1;
            cur = cur.mul_const(cur);
            if (odd >> bit) & 1 == 1 {
                cur = cur.mul_const(g);
            }
        }
        let mut k = s;
        loop {
            out[k] = cur;
            if k == 0 {
                break;
            }
            cur = cur.mul_const(cur);
            k -= 1;
        }
        out
    };
}

impl<P: MontyParameters31> Debug for MontyField31<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.as_canonical_u32(), f)
    }
}

impl<P: MontyParameters31> Display for MontyField31<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.as_canonical_u32(), f)
    }
}

impl<P: MontyParameters31> PartialOrd for MontyField31<P> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<P: MontyParameters31> Ord for MontyField31<P> {
    /// Compares canonical values (the Montgomery words do not follow the integer order).
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_canonical_u32().cmp(&other.as_canonical_u32())
    }
}

impl<P: MontyParameters31> Add for MontyField31<P> {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        // a + b < 2p < 2^32; subtract p when the sum reaches it (min of the wrapped difference).
        let s = self.value + rhs.value;
        Self::from_word(s.min(s.wrapping_sub(P::PRIME)))
    }
}

impl<P: MontyParameters31> Sub for MontyField31<P> {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        // When a < b the difference wraps above 2^31 and adding p brings it back below p.
        let d = self.value.wrapping_sub(rhs.value);
        Self::from_word(d.min(d.wrapping_add(P::PRIME)))
    }
}

impl<P: MontyParameters31> Neg for MontyField31<P> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::ZERO - self
    }
}

impl<P: MontyParameters31> Mul for MontyField31<P> {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        self.mul_const(rhs)
    }
}

impl<P: MontyParameters31> Div for MontyField31<P> {
    type Output = Self;
    /// # Panics
    /// If `rhs` is zero.
    #[inline]
    fn div(self, rhs: Self) -> Self {
        #[allow(clippy::expect_used)]
        let inv = rhs.inverse().expect("division by zero in a 31-bit Montgomery field");
        self * inv
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl<P: MontyParameters31> $trait for MontyField31<P> {
            #[inline]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

impl<P: MontyParameters31> Sum for MontyField31<P> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        // Montgomery form is linear, so the words can be added as integers and reduced once:
        // a u64 holds 2^33 words below 2^31, far more than any slice here (reduce every 2^32 anyway).
        let mut acc = 0u64;
        let mut n = 0u32;
        for x in iter {
            acc += u64::from(x.value);
            n = n.wrapping_add(1);
            if n == 0 {
                acc %= u64::from(P::PRIME);
            }
        }
        Self::from_word((acc % u64::from(P::PRIME)) as u32)
    }
}

impl<P: MontyParameters31> Product for MontyField31<P> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, |a, b| a * b)
    }
}

impl<P: MontyParameters31> Field for MontyField31<P> {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
    type Packing = PackedMontyField31Avx512<P>;
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
    type Packing = PackedMontyField31Avx2<P>;
    #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
    type Packing = Self;

    /// AVX-512 (16 lanes) where [`crate::cpu::level`] ≥ [`crate::cpu::CpuLevel::Avx512`], AVX2 (8
    /// lanes) where it is [`crate::cpu::CpuLevel::Avx2`], one lane below — on x86-64, whatever the
    /// build targets (`#[target_feature]` entry points); [`Field::Packing`] elsewhere.
    #[inline(always)]
    fn with_packing<K: crate::PackedKernel<Self>>(kernel: K) -> K::Output {
        #[cfg(target_arch = "x86_64")]
        {
            crate::packed::dispatch_x86::<
                Self,
                PackedMontyField31Avx512<P>,
                PackedMontyField31Avx2<P>,
                K,
            >(kernel)
        }
        #[cfg(not(target_arch = "x86_64"))]
        kernel.run::<Self::Packing>()
    }

    const ZERO: Self = Self::from_word(0);
    const ONE: Self = Self::new(1);
    const TWO: Self = Self::new(2);
    const NEG_ONE: Self = Self::new(P::PRIME - 1);

    fn order_string() -> String {
        P::PRIME.to_string()
    }

    #[inline]
    fn inverse(&self) -> Option<Self> {
        if self.value == 0 { None } else { Some(self.pow_p_minus_2()) }
    }

    #[inline]
    fn from_u64(v: u64) -> Self {
        Self::new((v % u64::from(P::PRIME)) as u32)
    }

    fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        // Rejection sampling on 31 bits: accepted with probability p/2^31 (15/16 for BabyBear).
        // Any value below p is as good a Montgomery word as a canonical one, so no conversion is
        // needed.
        loop {
            let v = rng.next_u32() >> 1;
            if v < P::PRIME {
                return Self::from_word(v);
            }
        }
    }
}

impl<P: MontyParameters31> PrimeField for MontyField31<P> {
    type Repr = [u8; 4];

    const MODULUS: &'static [u64] = &[P::PRIME as u64];
    const NUM_BITS: u32 = P::NUM_BITS;

    #[inline]
    fn to_bytes_le(&self) -> [u8; 4] {
        self.as_canonical_u32().to_le_bytes()
    }

    #[inline]
    fn from_bytes_le(bytes: &[u8; 4]) -> Option<Self> {
        let v = u32::from_le_bytes(*bytes);
        if v < P::PRIME { Some(Self::new(v)) } else { None }
    }

    #[inline]
    fn to_raw_bytes_le(&self) -> [u8; 4] {
        self.value.to_le_bytes()
    }

    #[inline]
    fn from_raw_bytes_le(bytes: &[u8; 4]) -> Option<Self> {
        Self::from_monty(u32::from_le_bytes(*bytes))
    }
}

impl<P: MontyParameters31> PrimeField64 for MontyField31<P> {
    const ORDER_U64: u64 = P::PRIME as u64;

    #[inline]
    fn as_canonical_u64(&self) -> u64 {
        u64::from(self.as_canonical_u32())
    }
}

impl<P: MontyParameters31> TwoAdicField for MontyField31<P> {
    const TWO_ADICITY: usize = P::TWO_ADICITY;

    #[inline]
    fn two_adic_generator(log_n: usize) -> Option<Self> {
        if log_n <= P::TWO_ADICITY { Self::TWO_ADIC_GENERATORS.get(log_n).copied() } else { None }
    }

    /// On x86-64, where [`crate::cpu::level`] asks for a packing other than the compile-time
    /// [`Field::Packing`] — AVX-512 or AVX2 in a build that lacks it, AVX2 under a lowered cap —
    /// the [`crate::ntt_packed`] kernels on that packing (`#[target_feature]` entry points), so a
    /// baseline x86-64 build runs the NTT with SIMD too. `None` (`zkprove-poly`'s generic
    /// butterflies on `Field::Packing`) when the level's packing is the compiled one, below
    /// [`crate::cpu::CpuLevel::Avx2`], and off x86-64.
    #[inline]
    fn ntt_kernels() -> Option<crate::NttKernels<Self>> {
        #[cfg(target_arch = "x86_64")]
        {
            use crate::cpu::{CpuLevel, level};
            let l = level();
            if l >= CpuLevel::Avx512 {
                if cfg!(target_feature = "avx512f") {
                    return None;
                }
                // `Avx512` is detected only where the CPU has AVX-512 F, BW, DQ and VL.
                return Some(ntt_kernels_avx512::<P>());
            }
            if l >= CpuLevel::Avx2 {
                if cfg!(all(target_feature = "avx2", not(target_feature = "avx512f"))) {
                    return None;
                }
                // `Avx2` is detected only where the CPU has AVX2.
                return Some(ntt_kernels_avx2::<P>());
            }
        }
        None
    }
}

/// `X⁴ = W` with `W` = [`MontyParameters31::EXT4_W`], for the quartic extension
/// [`MontyField31Ext4`].
///
/// When `X⁴ − W` is irreducible: by the theorem on binomials (Lidl–Niederreiter, *Finite Fields*,
/// theorem 3.75 / Lang, *Algebra*, VI §9), `X⁴ − a` is irreducible over `F_p` iff `a` is not a
/// square and `a ∉ −4·F_p⁴`. For `p ≡ 1 (mod 4)` (every two-adic field here), `−1`, hence `−4`, is
/// a square and `−4·F_p⁴` holds only squares; both conditions thus reduce to "W is a quadratic
/// non-residue", i.e. Euler's criterion `W^((p−1)/2) = −1`, which each field's tests check.
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq, Hash)]
pub struct MontyExt4Params<P: MontyParameters31>(PhantomData<P>);

impl<P: MontyParameters31> BinomialParams<MontyField31<P>, 4> for MontyExt4Params<P> {
    const W: MontyField31<P> = MontyField31::new(P::EXT4_W);

    /// Schoolbook with one Montgomery reduction per coefficient: the wrapped terms use `W·b_j`
    /// (three field products), and each coefficient is a sum of four 64-bit products of values
    /// `≤ p`, below `4p² < 2^64`; one conditional subtraction of `p·2^32` brings it below
    /// `p·2^32` (`4p − 2^32 < 2^32` for `p < 2^31`), where the reduction is exact. 7 reductions
    /// instead of 19, and no modular additions.
    #[inline(always)]
    fn mul(a: &[MontyField31<P>; 4], b: &[MontyField31<P>; 4]) -> [MontyField31<P>; 4] {
        let w = Self::W;
        let [w1, w2, w3] =
            [b[1].mul_const(w), b[2].mul_const(w), b[3].mul_const(w)].map(|x| u64::from(x.value));
        let [a0, a1, a2, a3] = a.map(|x| u64::from(x.value));
        let [b0, b1, b2, b3] = b.map(|x| u64::from(x.value));
        let lim = u64::from(P::PRIME) << 32;
        let red = |s: u64| {
            let s = if s >= lim { s - lim } else { s };
            MontyField31::from_word(monty_reduce::<P>(s))
        };
        [
            red(a0 * b0 + a1 * w3 + a2 * w2 + a3 * w1),
            red(a0 * b1 + a1 * b0 + a2 * w3 + a3 * w2),
            red(a0 * b2 + a1 * b1 + a2 * b0 + a3 * w3),
            red(a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0),
        ]
    }
}

/// The quartic extension `F[X]/(X⁴ − W)` of a 31-bit Montgomery field.
pub type MontyField31Ext4<P> = BinomialExtension<MontyField31<P>, 4, MontyExt4Params<P>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::babybear::BabyBearParameters;
    use crate::koalabear::KoalaBearParameters;

    fn check_constants<P: MontyParameters31>() {
        assert_eq!(P::PRIME.wrapping_mul(P::MONTY_NEG_P_INV), u32::MAX, "p·(−p⁻¹) = −1 mod 2^32");
        assert_eq!(u64::from(P::R2), ((1u128 << 64) % u128::from(P::PRIME)) as u64);
        assert_eq!(MontyField31::<P>::new(5).as_canonical_u32(), 5);
        assert!(P::SHAPED);
    }

    /// The lazily reduced quartic product against the generic one, on every pair of operands
    /// whose coefficients are extreme (0, 1, p − 2, p − 1, and the non-canonical p), 5^8 pairs.
    fn check_ext4_mul<P: MontyParameters31>() {
        let ext = [0, 1, P::PRIME - 2, P::PRIME - 1, P::PRIME].map(MontyField31::<P>::from_word);
        let all: Vec<[MontyField31<P>; 4]> = (0..625usize)
            .map(|k| [ext[k % 5], ext[k / 5 % 5], ext[k / 25 % 5], ext[k / 125]])
            .collect();
        for a in &all {
            for b in &all {
                let want = crate::extension::mul_generic::<_, 4, MontyExt4Params<P>>(a, b);
                let got = MontyExt4Params::<P>::mul(a, b);
                assert_eq!(got.map(|x| x.as_canonical_u32()), want.map(|x| x.as_canonical_u32()));
                assert!(got.iter().all(|x| x.value < P::PRIME), "reduced below p");
            }
        }
    }

    #[test]
    fn ext4_lazy_product_matches_generic() {
        check_ext4_mul::<BabyBearParameters>();
        check_ext4_mul::<KoalaBearParameters>();
        check_ext4_mul::<Mod97>();
    }

    #[test]
    fn montgomery_constants() {
        check_constants::<BabyBearParameters>();
        check_constants::<KoalaBearParameters>();
        assert_eq!(BabyBearParameters::TWO_ADICITY, 27);
        assert_eq!(KoalaBearParameters::TWO_ADICITY, 24);
    }

    /// A prime not of the shape `2^31 − 2^s + 1`, to exercise the generic inversion chain.
    #[derive(Copy, Clone, Default, Debug, PartialEq, Eq, Hash)]
    struct Mod97;
    impl MontyParameters31 for Mod97 {
        const PRIME: u32 = 97;
        const GENERATOR: u32 = 5;
        const EXT4_W: u32 = 5;
    }

    #[test]
    fn unshaped_prime_inverts_and_generates() {
        const { assert!(!Mod97::SHAPED) };
        type F = MontyField31<Mod97>;
        for v in 1..97 {
            let x = F::new(v);
            assert_eq!(x * x.inverse().unwrap_or(F::ZERO), F::ONE, "{v}");
        }
        assert_eq!(F::TWO_ADICITY, 5);
        let g = F::two_adic_generator(5).unwrap_or(F::ZERO);
        assert_eq!(g.pow(16), F::NEG_ONE);
        assert_eq!(F::two_adic_generator(6), None);
    }
}
