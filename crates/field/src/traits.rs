//! The field traits, following the math: [`Field`] → [`PrimeField`] / [`TwoAdicField`] /
//! [`ExtensionField`], plus [`PrimeField64`] for fields whose elements fit a `u64`.

use core::fmt::{Debug, Display};
use core::hash::Hash;
use core::iter::{Product, Sum};
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::FieldError;
use crate::packed::PackedField;

/// A finite field.
///
/// Elements are small `Copy` values; arithmetic never allocates. `Div` by zero panics, like integer
/// division — use [`Field::inverse`] where the divisor may be zero.
pub trait Field:
    Copy
    + Default
    + Debug
    + Display
    + Eq
    + Hash
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Product
{
    /// The SIMD type that holds several elements of this field and operates on them lane by lane.
    /// Fields without a vectorised implementation use `Self` (one lane).
    type Packing: PackedField<Scalar = Self>;

    /// Runs `kernel` on the packing this process should use: [`Field::Packing`] by default; the
    /// fields with SIMD packings (BabyBear, KoalaBear, M31, Goldilocks) choose AVX-512, AVX2 or one
    /// lane at run time from [`crate::cpu::level`], so that a baseline x86-64 build runs their
    /// SIMD code too. Generic code that wants SIMD speed goes through here, not `F::Packing`.
    #[inline(always)]
    fn with_packing<K: crate::PackedKernel<Self>>(kernel: K) -> K::Output {
        kernel.run::<Self::Packing>()
    }

    /// The additive identity.
    const ZERO: Self;
    /// The multiplicative identity.
    const ONE: Self;
    /// `1 + 1`.
    const TWO: Self;
    /// `-1`.
    const NEG_ONE: Self;

    /// The number of elements of the field, as a decimal string (informational; `p^d` for an
    /// extension of degree `d` is given as `p^d`).
    fn order_string() -> String;

    /// Whether this is the zero element.
    #[inline]
    fn is_zero(&self) -> bool {
        *self == Self::ZERO
    }

    /// Whether this is the one element.
    #[inline]
    fn is_one(&self) -> bool {
        *self == Self::ONE
    }

    /// `self²`.
    #[inline]
    fn square(&self) -> Self {
        *self * *self
    }

    /// `2·self`.
    #[inline]
    fn double(&self) -> Self {
        *self + *self
    }

    /// The multiplicative inverse, or `None` for zero.
    fn inverse(&self) -> Option<Self>;

    /// `self^exp` for a 64-bit exponent (square-and-multiply, most significant bit first).
    #[inline]
    fn pow(&self, exp: u64) -> Self {
        self.pow_limbs(&[exp])
    }

    /// `self^exp` for an exponent given as little-endian 64-bit limbs.
    fn pow_limbs(&self, exp: &[u64]) -> Self {
        let mut acc = Self::ONE;
        for &limb in exp.iter().rev() {
            for bit in (0..64).rev() {
                acc = acc.square();
                if (limb >> bit) & 1 == 1 {
                    acc *= *self;
                }
            }
        }
        acc
    }

    /// The image of an integer: `v mod p` (embedded in the base field for extensions).
    fn from_u64(v: u64) -> Self;

    /// A uniformly random element.
    fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self;

    /// The powers `1, self, self², …` (`n` of them).
    fn powers(&self, n: usize) -> Vec<Self> {
        let mut out = Vec::with_capacity(n);
        let mut cur = Self::ONE;
        for _ in 0..n {
            out.push(cur);
            cur *= *self;
        }
        out
    }
}

/// A prime field `Z/pZ`.
///
/// Serialization is little-endian and canonical (`0 ≤ x < p`) unless the method says "raw": raw
/// bytes are the field's internal representation (Montgomery form `x·R mod p` for Montgomery fields,
/// the canonical value otherwise), which is what snarkjs stores in `.zkey` files.
pub trait PrimeField: Field + Ord {
    /// Byte representation: `[u8; NUM_BYTES]`.
    type Repr: AsRef<[u8]> + AsMut<[u8]> + Default + Copy + Debug + Eq + Send + Sync + 'static;

    /// The modulus `p`, as little-endian 64-bit limbs.
    const MODULUS: &'static [u64];
    /// The bit length of `p`.
    const NUM_BITS: u32;

    /// The canonical value as little-endian bytes.
    fn to_bytes_le(&self) -> Self::Repr;

    /// Parses canonical little-endian bytes; `None` when the value is not below `p`.
    fn from_bytes_le(bytes: &Self::Repr) -> Option<Self>;

    /// The internal representation as little-endian bytes (Montgomery form where the field uses it).
    fn to_raw_bytes_le(&self) -> Self::Repr;

    /// Builds an element from its internal representation; `None` when the value is not below `p`.
    fn from_raw_bytes_le(bytes: &Self::Repr) -> Option<Self>;

    /// Reduces an arbitrary-length little-endian byte string modulo `p`.
    fn from_bytes_le_mod_order(bytes: &[u8]) -> Self {
        // Horner in base 256, most significant byte first.
        let base = Self::from_u64(256);
        bytes.iter().rev().fold(Self::ZERO, |acc, &b| acc * base + Self::from_u64(u64::from(b)))
    }

    /// The canonical value as a decimal string (what snarkjs writes in JSON).
    fn to_decimal_string(&self) -> String {
        crate::decimal::le_bytes_to_decimal(self.to_bytes_le().as_ref())
    }

    /// Parses a decimal string.
    ///
    /// # Errors
    /// [`FieldError::InvalidDecimal`] for anything but ASCII digits, [`FieldError::NotCanonical`]
    /// for a value that is not below `p`.
    fn from_decimal_str(s: &str) -> Result<Self, FieldError> {
        let mut repr = Self::Repr::default();
        crate::decimal::decimal_to_le_bytes(s, repr.as_mut())?;
        Self::from_bytes_le(&repr).ok_or_else(|| FieldError::NotCanonical { value: s.to_owned() })
    }
}

/// A prime field whose modulus fits a `u64` (Goldilocks, BabyBear, M31).
pub trait PrimeField64: PrimeField {
    /// `p`.
    const ORDER_U64: u64;

    /// The canonical value `0 ≤ x < p`.
    fn as_canonical_u64(&self) -> u64;
}

/// A field with a multiplicative subgroup of order `2^TWO_ADICITY`.
pub trait TwoAdicField: Field {
    /// The largest `s` with `2^s | (order − 1)`.
    const TWO_ADICITY: usize;

    /// A generator of the subgroup of order `2^log_n`, or `None` when `log_n > TWO_ADICITY`.
    ///
    /// The generators form a chain: `two_adic_generator(k)² = two_adic_generator(k − 1)`. Each field
    /// documents which chain it uses (BN254 Fr uses snarkjs's, so that domains match `.zkey` files).
    fn two_adic_generator(log_n: usize) -> Option<Self>;

    /// Whole-slice NTT butterflies faster than the generic loops over [`Field::Packing`], for
    /// fields that have them (BN254's `Fp256` on AVX-512 IFMA, eight butterflies per vector
    /// operation, while its `Packing` has width 1). `None` (the default): the NTT runs its generic
    /// butterflies.
    #[inline]
    fn ntt_kernels() -> Option<NttKernels<Self>> {
        None
    }
}

/// NTT butterflies over whole slices (see [`TwoAdicField::ntt_kernels`]). Every slice argument of
/// one call has the same length; `w` holds the twiddles position by position. Names follow the
/// NTT's: DIF (Gentleman–Sande, `(a, b) ← (a + b, (a − b)·w)`) and DIT (Cooley–Tukey,
/// `(a, b) ← (a + b·w, a − b·w)`).
pub struct NttKernels<F> {
    /// One DIF stage: `(lo[j], hi[j]) ← (lo[j] + hi[j], (lo[j] − hi[j])·w[j])`.
    pub dif_butterflies: fn(lo: &mut [F], hi: &mut [F], w: &[F]),
    /// One DIT stage: `(lo[j], hi[j]) ← (lo[j] + hi[j]·w[j], lo[j] − hi[j]·w[j])`.
    pub dit_butterflies: fn(lo: &mut [F], hi: &mut [F], w: &[F]),
    /// Two DIF stages on the quarters `a0..a3` of blocks of `4q`: stage `2q` with `w1a` (between
    /// `a0`, `a2`) and `w1b` (between `a1`, `a3`), then stage `q` with `w2` on both halves.
    pub dif_radix4: Radix4Kernel<F>,
    /// Two DIT stages, the inverse pattern of `dif_radix4`: stage `q` with `w2` (between `a0`,
    /// `a1` and between `a2`, `a3`), then stage `2q` with `w1a` (`a0`, `a2`) and `w1b` (`a1`,
    /// `a3`).
    pub dit_radix4: Radix4Kernel<F>,
    /// Every DIF stage of `data` (power-of-two length `n`): half-sizes `n/2` down to 1, natural
    /// order in, bit-reversed out. `tw` holds the twiddles of half-size `h` (`ω_{2h}^j`, `j < h`)
    /// at `tw[h − 1 .. 2h − 1]` for every `h < n` (crates/poly's twiddle table layout).
    pub dif_all: fn(data: &mut [F], tw: &[F]),
    /// Every DIT stage of `data` (half-sizes 1 up to `n/2`), bit-reversed order in, natural out;
    /// `tw` as for `dif_all`.
    pub dit_all: fn(data: &mut [F], tw: &[F]),
}

/// A two-stage NTT kernel on four quarters (`a0..a3`) with twiddles `w1a`, `w1b`, `w2`.
pub type Radix4Kernel<F> =
    fn(a0: &mut [F], a1: &mut [F], a2: &mut [F], a3: &mut [F], w1a: &[F], w1b: &[F], w2: &[F]);

impl<F> Clone for NttKernels<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for NttKernels<F> {}

/// A finite extension `E = F[X]/(f(X))` of degree `DEGREE`, stored as `DEGREE` coefficients over `F`
/// in the basis `1, X, …, X^(DEGREE−1)`.
pub trait ExtensionField<F: Field>:
    Field + From<F> + Add<F, Output = Self> + Mul<F, Output = Self>
{
    /// `[E : F]`.
    const DEGREE: usize;

    /// The embedding `F → E`.
    #[inline]
    fn from_base(b: F) -> Self {
        Self::from(b)
    }

    /// Builds an element from its coefficients.
    ///
    /// # Errors
    /// [`FieldError::WrongLength`] unless `coeffs.len() == DEGREE`.
    fn from_base_slice(coeffs: &[F]) -> Result<Self, FieldError>;

    /// The coefficients over `F`.
    fn as_base_slice(&self) -> &[F];

    /// Whether the element lies in the base field (all higher coefficients zero).
    fn is_in_base_field(&self) -> bool {
        self.as_base_slice()[1..].iter().all(|c| c.is_zero())
    }
}

/// Every field is an extension of degree 1 of itself, so that code written for "base-field tables
/// with extension-field challenges" also runs with base-field challenges.
impl<F: Field> ExtensionField<F> for F {
    const DEGREE: usize = 1;

    fn from_base_slice(coeffs: &[F]) -> Result<Self, FieldError> {
        match coeffs {
            [c] => Ok(*c),
            _ => Err(FieldError::WrongLength { expected: 1, got: coeffs.len() }),
        }
    }

    #[inline]
    fn as_base_slice(&self) -> &[F] {
        core::slice::from_ref(self)
    }
}
