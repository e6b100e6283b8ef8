//! Scalar NTT butterflies for [`Fp256`] with lazy reduction: the kernels behind
//! [`TwoAdicField::ntt_kernels`](crate::TwoAdicField::ntt_kernels) where no SIMD lanes are built.
//!
//! Between the stages of one kernel call, values stay below `2p` instead of `p` (BN254's moduli
//! are below `2^254`, so `4p < 2^256`): a DIF butterfly `(x, y) ↦ (x + y, (x − y)·w)` then needs
//! one conditional subtraction (of `2p`, on the sum) instead of three (sum, difference and the
//! product's final one), since `x − y + 2p < 4p` goes into the Montgomery product unreduced and
//! the product of a value below `4p` by a twiddle below `p` is below `2p` without its final
//! subtraction ([`mont_mul_unreduced_rt`], MULX/ADCX/ADOX where [`crate::cpu::adx`]). Every kernel takes and returns fully reduced elements,
//! so the slices hold ordinary [`Fp256`] values between calls.

use super::fp256::{Fp256, Fp256Params, add4_rt, mont_mul_unreduced_rt, reduce_once_rt, sub4_rt};
use crate::{NttKernels, Radix4Kernel};

type Limbs = [u64; 4];

/// Constants of the lazy arithmetic for `P`.
struct Lazy<P>(core::marker::PhantomData<P>);

impl<P: Fp256Params> Lazy<P> {
    const P: Limbs = P::MODULUS;
    const P2: Limbs = {
        let p = P::MODULUS;
        [
            p[0] << 1,
            (p[1] << 1) | (p[0] >> 63),
            (p[2] << 1) | (p[1] >> 63),
            (p[3] << 1) | (p[2] >> 63),
        ]
    };
    /// Compile-time check of the bounds above: `a₃ + p₃ + 2 < 2^64` for every `a < 4p`
    /// (so `p₃ < 2^64/5`, which also gives `4p < 2^256`).
    const BOUNDS_OK: () = assert!(P::MODULUS[3] < u64::MAX / 5 - 1, "lazy NTT needs p < 2^256 / 5");

    /// `x + y` below `2p`, for `x, y < 2p`.
    #[inline(always)]
    fn add(x: &Limbs, y: &Limbs) -> Limbs {
        reduce_once_rt(&add4_rt(x, y).0, &Self::P2)
    }

    /// `x − y + 2p`, below `4p` (unreduced), for `x, y < 2p`.
    #[inline(always)]
    fn sub(x: &Limbs, y: &Limbs) -> Limbs {
        add4_rt(&sub4_rt(x, y).0, &Self::P2).0
    }

    /// `x·w` (Montgomery) below `2p`, for `x < 4p`, `w < p`.
    #[inline(always)]
    fn mul(x: &Limbs, w: &Limbs) -> Limbs {
        let () = Self::BOUNDS_OK;
        mont_mul_unreduced_rt(x, w, &Fp256::<P>::MODULUS_INV)
    }

    /// `x mod 2p` for `x < 4p`.
    #[inline(always)]
    fn half(x: &Limbs) -> Limbs {
        reduce_once_rt(x, &Self::P2)
    }

    /// `x mod p` for `x < 2p`.
    #[inline(always)]
    fn full(x: &Limbs) -> Fp256<P> {
        Fp256::from_mont(reduce_once_rt(x, &Self::P))
    }

    /// One DIF butterfly on lazy values; `w = None` for a twiddle of one.
    #[inline(always)]
    fn dif(x: &Limbs, y: &Limbs, w: Option<&Limbs>) -> (Limbs, Limbs) {
        let d = Self::sub(x, y);
        let d = match w {
            Some(w) => Self::mul(&d, w),
            None => Self::half(&d),
        };
        (Self::add(x, y), d)
    }

    /// One DIT butterfly on lazy values; `w = None` for a twiddle of one.
    #[inline(always)]
    fn dit(x: &Limbs, y: &Limbs, w: Option<&Limbs>) -> (Limbs, Limbs) {
        let t = match w {
            Some(w) => Self::mul(y, w),
            None => *y,
        };
        (Self::add(x, &t), Self::half(&Self::sub(x, &t)))
    }
}

/// The scalar kernels for `Fp256<P>` (builds with AVX-512 IFMA use `ntt_x8` instead, and these
/// only as the tests' reference).
#[cfg_attr(
    all(
        target_arch = "x86_64",
        target_feature = "avx512ifma",
        target_feature = "avx512dq",
        not(test)
    ),
    allow(dead_code)
)]
pub(crate) fn kernels<P: Fp256Params>() -> NttKernels<Fp256<P>> {
    NttKernels {
        dif_butterflies: dif_butterflies::<P>,
        dit_butterflies: dit_butterflies::<P>,
        dif_radix4: dif_radix4::<P> as Radix4Kernel<Fp256<P>>,
        dit_radix4: dit_radix4::<P> as Radix4Kernel<Fp256<P>>,
        dif_all: dif_all::<P>,
        dit_all: dit_all::<P>,
    }
}

#[inline(always)]
fn limbs<P: Fp256Params>(x: &Fp256<P>) -> Limbs {
    x.to_raw_limbs()
}

pub(super) fn dif_butterflies<P: Fp256Params>(
    lo: &mut [Fp256<P>],
    hi: &mut [Fp256<P>],
    w: &[Fp256<P>],
) {
    for ((a, b), t) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
        let (x, y) = Lazy::<P>::dif(&limbs(a), &limbs(b), Some(&limbs(t)));
        *a = Lazy::<P>::full(&x);
        *b = Lazy::<P>::full(&y);
    }
}

pub(super) fn dit_butterflies<P: Fp256Params>(
    lo: &mut [Fp256<P>],
    hi: &mut [Fp256<P>],
    w: &[Fp256<P>],
) {
    for ((a, b), t) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
        let (x, y) = Lazy::<P>::dit(&limbs(a), &limbs(b), Some(&limbs(t)));
        *a = Lazy::<P>::full(&x);
        *b = Lazy::<P>::full(&y);
    }
}

pub(super) fn dif_radix4<P: Fp256Params>(
    a0: &mut [Fp256<P>],
    a1: &mut [Fp256<P>],
    a2: &mut [Fp256<P>],
    a3: &mut [Fp256<P>],
    w1a: &[Fp256<P>],
    w1b: &[Fp256<P>],
    w2: &[Fp256<P>],
) {
    let n = [a1.len(), a2.len(), a3.len(), w1a.len(), w1b.len(), w2.len()]
        .into_iter()
        .fold(a0.len(), usize::min);
    for j in 0..n {
        let (x0, x1, x2, x3) = (limbs(&a0[j]), limbs(&a1[j]), limbs(&a2[j]), limbs(&a3[j]));
        let (b0, b2) = Lazy::<P>::dif(&x0, &x2, Some(&limbs(&w1a[j])));
        let (b1, b3) = Lazy::<P>::dif(&x1, &x3, Some(&limbs(&w1b[j])));
        let t = limbs(&w2[j]);
        let (c0, c1) = Lazy::<P>::dif(&b0, &b1, Some(&t));
        let (c2, c3) = Lazy::<P>::dif(&b2, &b3, Some(&t));
        a0[j] = Lazy::<P>::full(&c0);
        a1[j] = Lazy::<P>::full(&c1);
        a2[j] = Lazy::<P>::full(&c2);
        a3[j] = Lazy::<P>::full(&c3);
    }
}

pub(super) fn dit_radix4<P: Fp256Params>(
    a0: &mut [Fp256<P>],
    a1: &mut [Fp256<P>],
    a2: &mut [Fp256<P>],
    a3: &mut [Fp256<P>],
    w1a: &[Fp256<P>],
    w1b: &[Fp256<P>],
    w2: &[Fp256<P>],
) {
    let n = [a1.len(), a2.len(), a3.len(), w1a.len(), w1b.len(), w2.len()]
        .into_iter()
        .fold(a0.len(), usize::min);
    for j in 0..n {
        let (x0, x1, x2, x3) = (limbs(&a0[j]), limbs(&a1[j]), limbs(&a2[j]), limbs(&a3[j]));
        let t = limbs(&w2[j]);
        let (b0, b1) = Lazy::<P>::dit(&x0, &x1, Some(&t));
        let (b2, b3) = Lazy::<P>::dit(&x2, &x3, Some(&t));
        let (c0, c2) = Lazy::<P>::dit(&b0, &b2, Some(&limbs(&w1a[j])));
        let (c1, c3) = Lazy::<P>::dit(&b1, &b3, Some(&limbs(&w1b[j])));
        a0[j] = Lazy::<P>::full(&c0);
        a1[j] = Lazy::<P>::full(&c1);
        a2[j] = Lazy::<P>::full(&c2);
        a3[j] = Lazy::<P>::full(&c3);
    }
}

/// Every DIF stage of `data` (power-of-two length `n`), twiddles of half-size `h` at
/// `tw[h − 1 .. 2h − 1]`, all stages on lazy values (held in `data` below `2p` between the stages,
/// reduced at the end). Twiddles of one (the first of every block) skip the product.
pub(super) fn dif_all<P: Fp256Params>(data: &mut [Fp256<P>], tw: &[Fp256<P>]) {
    let n = data.len();
    let mut h = n / 2;
    while h >= 1 {
        let w = &tw[h - 1..2 * h - 1];
        for block in data.chunks_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            for (j, (a, b)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
                let t = if j == 0 { None } else { Some(limbs(&w[j])) };
                let (x, y) = Lazy::<P>::dif(&limbs(a), &limbs(b), t.as_ref());
                // Below 2p, not p: restored by the final pass below.
                (*a, *b) = (Fp256::from_mont(x), Fp256::from_mont(y));
            }
        }
        h /= 2;
    }
    for d in data.iter_mut() {
        *d = Lazy::<P>::full(&limbs(d));
    }
}

/// Every DIT stage of `data`, the mirror image of [`dif_all`].
pub(super) fn dit_all<P: Fp256Params>(data: &mut [Fp256<P>], tw: &[Fp256<P>]) {
    let n = data.len();
    let mut h = 1;
    while h < n {
        let w = &tw[h - 1..2 * h - 1];
        for block in data.chunks_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            for (j, (a, b)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
                let t = if j == 0 { None } else { Some(limbs(&w[j])) };
                let (x, y) = Lazy::<P>::dit(&limbs(a), &limbs(b), t.as_ref());
                (*a, *b) = (Fp256::from_mont(x), Fp256::from_mont(y));
            }
        }
        h *= 2;
    }
    for d in data.iter_mut() {
        *d = Lazy::<P>::full(&limbs(d));
    }
}
