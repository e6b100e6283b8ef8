//! NTT butterflies over whole slices ([`NttKernels`]) for any [`PackedField`] `P`, so that a field
//! whose packing is chosen at run time (the 31-bit Montgomery fields, [`crate::monty31`]) hands
//! `zkprove-poly` kernels compiled for that packing's target features. The same arithmetic as
//! `zkprove-poly`'s generic butterflies on `F::Packing` (which these replace only when the packing
//! in use differs from the compile-time one): packed where a slice holds whole vectors, scalar
//! otherwise; the stages of half-size below the width run on `W × W` transposed tiles.
//!
//! Everything is `#[inline(always)]`: the entry points (`#[target_feature]` functions made by
//! `monty31`'s `ntt_kernels_on!`, or [`crate::Field::with_packing`]'s) must compile the whole
//! kernel with their features.
//!
//! The `run_*` functions are what `zkprove-poly`'s NTTs call: a field's own whole-slice kernels
//! where it has them ([`TwoAdicField::ntt_kernels`], BN254 on IFMA), else these generic kernels on
//! the packing [`crate::Field::with_packing`] picks at run time, so one binary runs every field's
//! butterflies with the SIMD of the CPU it is on.

#[cfg(doc)]
use crate::NttKernels;
use crate::{Field, PackedField, PackedKernel, TwoAdicField};

/// Twiddles of half-size `h` in the table layout of [`NttKernels::dif_all`].
#[inline(always)]
fn stage<F>(tw: &[F], h: usize) -> &[F] {
    &tw[h - 1..2 * h - 1]
}

/// `(lo[j], hi[j]) ← (lo[j] + hi[j], (lo[j] − hi[j])·w[j])`.
#[inline(always)]
pub fn dif_butterflies<P: PackedField>(
    lo: &mut [P::Scalar],
    hi: &mut [P::Scalar],
    w: &[P::Scalar],
) {
    let width = P::WIDTH;
    if width > 1 && lo.len().is_multiple_of(width) {
        let (plo, phi, pw) = (P::pack_slice_mut(lo), P::pack_slice_mut(hi), P::pack_slice(w));
        for ((a, b), w) in plo.iter_mut().zip(phi.iter_mut()).zip(pw) {
            let (x, y) = (*a, *b);
            *a = x + y;
            *b = (x - y) * *w;
        }
    } else {
        // A leading twiddle of one (the first butterfly of every block) skips its product.
        let skip = usize::from(w.first().is_some_and(|t| t.is_one())).min(lo.len());
        for (a, b) in lo[..skip].iter_mut().zip(hi[..skip].iter_mut()) {
            let (x, y) = (*a, *b);
            *a = x + y;
            *b = x - y;
        }
        for ((a, b), w) in lo[skip..].iter_mut().zip(hi[skip..].iter_mut()).zip(&w[skip..]) {
            let (x, y) = (*a, *b);
            *a = x + y;
            *b = (x - y) * *w;
        }
    }
}

/// `(lo[j], hi[j]) ← (lo[j] + hi[j]·w[j], lo[j] − hi[j]·w[j])`.
#[inline(always)]
pub fn dit_butterflies<P: PackedField>(
    lo: &mut [P::Scalar],
    hi: &mut [P::Scalar],
    w: &[P::Scalar],
) {
    let width = P::WIDTH;
    if width > 1 && lo.len().is_multiple_of(width) {
        let (plo, phi, pw) = (P::pack_slice_mut(lo), P::pack_slice_mut(hi), P::pack_slice(w));
        for ((a, b), w) in plo.iter_mut().zip(phi.iter_mut()).zip(pw) {
            let (x, y) = (*a, *b * *w);
            *a = x + y;
            *b = x - y;
        }
    } else {
        let skip = usize::from(w.first().is_some_and(|t| t.is_one())).min(lo.len());
        for (a, b) in lo[..skip].iter_mut().zip(hi[..skip].iter_mut()) {
            let (x, y) = (*a, *b);
            *a = x + y;
            *b = x - y;
        }
        for ((a, b), w) in lo[skip..].iter_mut().zip(hi[skip..].iter_mut()).zip(&w[skip..]) {
            let (x, y) = (*a, *b * *w);
            *a = x + y;
            *b = x - y;
        }
    }
}

#[inline(always)]
fn dif_radix4_lanes<Q: PackedField>(a: [&mut [Q]; 4], w1a: &[Q], w1b: &[Q], w2: &[Q]) {
    let [a0, a1, a2, a3] = a;
    for j in 0..a0.len() {
        let (x0, x1, x2, x3) = (a0[j], a1[j], a2[j], a3[j]);
        let (b0, b2) = (x0 + x2, (x0 - x2) * w1a[j]);
        let (b1, b3) = (x1 + x3, (x1 - x3) * w1b[j]);
        a0[j] = b0 + b1;
        a1[j] = (b0 - b1) * w2[j];
        a2[j] = b2 + b3;
        a3[j] = (b2 - b3) * w2[j];
    }
}

#[inline(always)]
fn dit_radix4_lanes<Q: PackedField>(a: [&mut [Q]; 4], w1a: &[Q], w1b: &[Q], w2: &[Q]) {
    let [a0, a1, a2, a3] = a;
    for j in 0..a0.len() {
        let (x0, x1, x2, x3) = (a0[j], a1[j], a2[j], a3[j]);
        let (y1, y3) = (x1 * w2[j], x3 * w2[j]);
        let (b0, b1, b2, b3) = (x0 + y1, x0 - y1, x2 + y3, x2 - y3);
        let (z2, z3) = (b2 * w1a[j], b3 * w1b[j]);
        a0[j] = b0 + z2;
        a2[j] = b0 - z2;
        a1[j] = b1 + z3;
        a3[j] = b1 - z3;
    }
}

/// Two DIF stages on the quarters `a0..a3` ([`NttKernels::dif_radix4`]).
#[inline(always)]
pub fn dif_radix4<P: PackedField>(
    a0: &mut [P::Scalar],
    a1: &mut [P::Scalar],
    a2: &mut [P::Scalar],
    a3: &mut [P::Scalar],
    w1a: &[P::Scalar],
    w1b: &[P::Scalar],
    w2: &[P::Scalar],
) {
    if P::WIDTH > 1 && a0.len().is_multiple_of(P::WIDTH) {
        let a = [
            P::pack_slice_mut(a0),
            P::pack_slice_mut(a1),
            P::pack_slice_mut(a2),
            P::pack_slice_mut(a3),
        ];
        dif_radix4_lanes::<P>(a, P::pack_slice(w1a), P::pack_slice(w1b), P::pack_slice(w2));
    } else {
        dif_radix4_lanes::<P::Scalar>([a0, a1, a2, a3], w1a, w1b, w2);
    }
}

/// Two DIT stages on the quarters `a0..a3` ([`NttKernels::dit_radix4`]).
#[inline(always)]
pub fn dit_radix4<P: PackedField>(
    a0: &mut [P::Scalar],
    a1: &mut [P::Scalar],
    a2: &mut [P::Scalar],
    a3: &mut [P::Scalar],
    w1a: &[P::Scalar],
    w1b: &[P::Scalar],
    w2: &[P::Scalar],
) {
    if P::WIDTH > 1 && a0.len().is_multiple_of(P::WIDTH) {
        let a = [
            P::pack_slice_mut(a0),
            P::pack_slice_mut(a1),
            P::pack_slice_mut(a2),
            P::pack_slice_mut(a3),
        ];
        dit_radix4_lanes::<P>(a, P::pack_slice(w1a), P::pack_slice(w1b), P::pack_slice(w2));
    } else {
        dit_radix4_lanes::<P::Scalar>([a0, a1, a2, a3], w1a, w1b, w2);
    }
}

/// The stages of half-size below `W = P::WIDTH` on `W × W` tiles, transposed into `W` vectors
/// (lane `r` of vector `j` is element `j` of row `r`), so that a butterfly inside a row is a packed
/// butterfly between two vectors with a scalar twiddle.
#[inline(always)]
fn small_stages_on_tiles<P: PackedField>(data: &mut [P::Scalar], tw: &[P::Scalar], dit: bool) {
    let width = P::WIDTH;
    let log_w = width.trailing_zeros() as usize;
    // At most 16 lanes (AVX-512 of 32-bit words) in this crate's packings.
    let mut v = [P::default(); 16];
    let v = &mut v[..width];
    for tile in data.chunks_mut(width * width) {
        for r in 0..width {
            for j in 0..width {
                v[j].as_slice_mut()[r] = tile[r * width + j];
            }
        }
        for s in 0..log_w {
            let h = if dit { 1usize << s } else { 1usize << (log_w - 1 - s) };
            let w = stage(tw, h);
            for j in 0..h {
                let t = w[j];
                for base in (0..width).step_by(2 * h) {
                    let (x, y) = (v[base + j], v[base + j + h]);
                    if dit {
                        let y = if j == 0 { y } else { y * t };
                        v[base + j] = x + y;
                        v[base + j + h] = x - y;
                    } else {
                        v[base + j] = x + y;
                        v[base + j + h] = if j == 0 { x - y } else { (x - y) * t };
                    }
                }
            }
        }
        for r in 0..width {
            for j in 0..width {
                tile[r * width + j] = v[j].as_slice()[r];
            }
        }
    }
}

/// Every DIF stage ([`NttKernels::dif_all`]).
#[inline(always)]
pub fn dif_all<P: PackedField>(data: &mut [P::Scalar], tw: &[P::Scalar]) {
    let n = data.len();
    let width = P::WIDTH;
    let tiles = width > 1 && width <= 16 && n >= width * width;
    let h_min = if tiles { width } else { 1 };
    let mut h = n / 2;
    while h >= h_min {
        let w = stage(tw, h);
        for block in data.chunks_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            dif_butterflies::<P>(lo, hi, w);
        }
        h /= 2;
    }
    if tiles {
        small_stages_on_tiles::<P>(data, tw, false);
    }
}

/// Every DIT stage ([`NttKernels::dit_all`]).
#[inline(always)]
pub fn dit_all<P: PackedField>(data: &mut [P::Scalar], tw: &[P::Scalar]) {
    let n = data.len();
    let width = P::WIDTH;
    let tiles = width > 1 && width <= 16 && n >= width * width;
    let mut h = 1;
    if tiles {
        small_stages_on_tiles::<P>(data, tw, true);
        h = width;
    }
    while h < n {
        let w = stage(tw, h);
        for block in data.chunks_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            dit_butterflies::<P>(lo, hi, w);
        }
        h *= 2;
    }
}

/// One of the kernels above as a [`PackedKernel`], for [`Field::with_packing`].
enum Op<'a, F> {
    DifButterflies(&'a mut [F], &'a mut [F], &'a [F]),
    DitButterflies(&'a mut [F], &'a mut [F], &'a [F]),
    DifRadix4([&'a mut [F]; 4], [&'a [F]; 3]),
    DitRadix4([&'a mut [F]; 4], [&'a [F]; 3]),
    DifAll(&'a mut [F], &'a [F]),
    DitAll(&'a mut [F], &'a [F]),
}

impl<F: Field> PackedKernel<F> for Op<'_, F> {
    type Output = ();
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) {
        match self {
            Op::DifButterflies(lo, hi, w) => dif_butterflies::<P>(lo, hi, w),
            Op::DitButterflies(lo, hi, w) => dit_butterflies::<P>(lo, hi, w),
            Op::DifRadix4([a0, a1, a2, a3], [w1a, w1b, w2]) => {
                dif_radix4::<P>(a0, a1, a2, a3, w1a, w1b, w2)
            }
            Op::DitRadix4([a0, a1, a2, a3], [w1a, w1b, w2]) => {
                dit_radix4::<P>(a0, a1, a2, a3, w1a, w1b, w2)
            }
            Op::DifAll(data, tw) => dif_all::<P>(data, tw),
            Op::DitAll(data, tw) => dit_all::<P>(data, tw),
        }
    }
}

/// [`NttKernels::dif_butterflies`] of `F::ntt_kernels()` where the field has them, else
/// [`dif_butterflies`] on the packing [`Field::with_packing`] picks at run time.
#[inline]
pub fn run_dif_butterflies<F: TwoAdicField>(lo: &mut [F], hi: &mut [F], w: &[F]) {
    match F::ntt_kernels() {
        Some(k) => (k.dif_butterflies)(lo, hi, w),
        None => F::with_packing(Op::DifButterflies(lo, hi, w)),
    }
}

/// [`NttKernels::dit_butterflies`] of `F::ntt_kernels()`, else [`dit_butterflies`] on the
/// run-time packing (as [`run_dif_butterflies`]).
#[inline]
pub fn run_dit_butterflies<F: TwoAdicField>(lo: &mut [F], hi: &mut [F], w: &[F]) {
    match F::ntt_kernels() {
        Some(k) => (k.dit_butterflies)(lo, hi, w),
        None => F::with_packing(Op::DitButterflies(lo, hi, w)),
    }
}

/// [`NttKernels::dif_radix4`] of `F::ntt_kernels()`, else [`dif_radix4`] on the run-time
/// packing (as [`run_dif_butterflies`]).
#[inline]
pub fn run_dif_radix4<F: TwoAdicField>(
    a0: &mut [F],
    a1: &mut [F],
    a2: &mut [F],
    a3: &mut [F],
    w1a: &[F],
    w1b: &[F],
    w2: &[F],
) {
    run_radix4(false, [a0, a1, a2, a3], [w1a, w1b, w2]);
}

/// [`NttKernels::dit_radix4`] of `F::ntt_kernels()`, else [`dit_radix4`] on the run-time
/// packing (as [`run_dif_butterflies`]).
#[inline]
pub fn run_dit_radix4<F: TwoAdicField>(
    a0: &mut [F],
    a1: &mut [F],
    a2: &mut [F],
    a3: &mut [F],
    w1a: &[F],
    w1b: &[F],
    w2: &[F],
) {
    run_radix4(true, [a0, a1, a2, a3], [w1a, w1b, w2]);
}

/// The radix-4 pass of [`run_dif_radix4`] (`dit = false`) or [`run_dit_radix4`].
#[inline]
fn run_radix4<F: TwoAdicField>(dit: bool, a: [&mut [F]; 4], w: [&[F]; 3]) {
    match F::ntt_kernels() {
        Some(k) => {
            let kernel = if dit { k.dit_radix4 } else { k.dif_radix4 };
            let [a0, a1, a2, a3] = a;
            kernel(a0, a1, a2, a3, w[0], w[1], w[2]);
        }
        None if dit => F::with_packing(Op::DitRadix4(a, w)),
        None => F::with_packing(Op::DifRadix4(a, w)),
    }
}

/// [`NttKernels::dif_all`] of `F::ntt_kernels()`, else [`dif_all`] on the run-time packing (as
/// [`run_dif_butterflies`]).
#[inline]
pub fn run_dif_all<F: TwoAdicField>(data: &mut [F], tw: &[F]) {
    match F::ntt_kernels() {
        Some(k) => (k.dif_all)(data, tw),
        None => F::with_packing(Op::DifAll(data, tw)),
    }
}

/// [`NttKernels::dit_all`] of `F::ntt_kernels()`, else [`dit_all`] on the run-time packing (as
/// [`run_dif_butterflies`]).
#[inline]
pub fn run_dit_all<F: TwoAdicField>(data: &mut [F], tw: &[F]) {
    match F::ntt_kernels() {
        Some(k) => (k.dit_all)(data, tw),
        None => F::with_packing(Op::DitAll(data, tw)),
    }
}
