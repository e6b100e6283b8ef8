//! Integer dot-product tiles for int8 matrix products (zkML's quantized layers over M31).
//!
//! [`dot_tile_u8_i8`] computes the `M × N` dot products of `M` unsigned byte rows with `N` signed
//! byte rows in one pass over them, with AVX-512 VNNI's `vpdpbusd` (64 byte products per
//! instruction, accumulated in 32-bit lanes) where [`crate::cpu::level`] allows AVX-512 and the CPU
//! has VNNI. Without it the function returns `None` and the caller uses its portable code: the tile
//! is a fast path, [`dot_tile_u8_i8_plain`] its reference.
//!
//! A product of two signed int8 matrices uses it through an offset: `a + 128` is an unsigned byte,
//! and `Σ_k a_k·b_k = Σ_k (a_k + 128)·b_k − 128·Σ_k b_k`.

/// The plain loop [`dot_tile_u8_i8`] is tested against: `out[p][q] = Σ_k a[p][k]·b[q][k]` over the
/// shortest row length, with wrapping `i32` arithmetic.
pub fn dot_tile_u8_i8_plain<const M: usize, const N: usize>(
    a: [&[u8]; M],
    b: [&[i8]; N],
) -> [[i32; N]; M] {
    let len = a.iter().map(|r| r.len()).chain(b.iter().map(|r| r.len())).min().unwrap_or(0);
    let mut out = [[0i32; N]; M];
    for (o, ap) in out.iter_mut().zip(&a) {
        for (v, bq) in o.iter_mut().zip(&b) {
            *v = ap[..len]
                .iter()
                .zip(&bq[..len])
                .fold(0i32, |s, (&x, &y)| s.wrapping_add(i32::from(x).wrapping_mul(i32::from(y))));
        }
    }
    out
}

/// Whether [`dot_tile_u8_i8`] has a fast path here (AVX-512 VNNI allowed and present).
#[inline]
pub fn has_dot_tile() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        crate::cpu::level() >= crate::cpu::CpuLevel::Avx512
            && std::arch::is_x86_feature_detected!("avx512vnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `out[p][q] = Σ_k a[p][k]·b[q][k]` over the shortest row length (unsigned bytes `a`, signed
/// bytes `b`), with AVX-512 VNNI; `None` where [`has_dot_tile`] is false. Exact (no wrap) while
/// `len·255·128 < 2^31`, i.e. rows of at most 65,793 bytes; the caller splits longer sums.
/// `M·N + M + N ≤ 32` keeps the tile in registers (4 × 4 is the intended shape).
#[inline]
pub fn dot_tile_u8_i8<const M: usize, const N: usize>(
    a: [&[u8]; M],
    b: [&[i8]; N],
) -> Option<[[i32; N]; M]> {
    if !has_dot_tile() {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: `has_dot_tile` checked that the CPU has AVX-512 F/BW/DQ/VL (the level) and VNNI.
        Some(unsafe { x86::tile_vnni::<M, N>(a, b) })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (a, b);
        None
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{
        __m512i, _mm512_dpbusd_epi32, _mm512_loadu_si512, _mm512_reduce_add_epi32,
        _mm512_setzero_si512,
    };

    /// The VNNI body of [`super::dot_tile_u8_i8`].
    ///
    /// # Safety
    /// The CPU must have AVX-512 F, BW and VNNI.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn tile_vnni<const M: usize, const N: usize>(
        a: [&[u8]; M],
        b: [&[i8]; N],
    ) -> [[i32; N]; M] {
        let len = a.iter().map(|r| r.len()).chain(b.iter().map(|r| r.len())).min().unwrap_or(0);
        let mut acc = [[_mm512_setzero_si512(); N]; M];
        let mut k = 0;
        while k + 64 <= len {
            let av: [__m512i; M] = core::array::from_fn(|p| {
                // SAFETY: `k + 64 ≤ len ≤ a[p].len()`: 64 readable bytes (unaligned load).
                unsafe { _mm512_loadu_si512(a[p].as_ptr().add(k).cast()) }
            });
            let bv: [__m512i; N] = core::array::from_fn(|q| {
                // SAFETY: as above, for `b[q]`.
                unsafe { _mm512_loadu_si512(b[q].as_ptr().add(k).cast()) }
            });
            for (accp, &ap) in acc.iter_mut().zip(&av) {
                for (x, &bq) in accp.iter_mut().zip(&bv) {
                    *x = _mm512_dpbusd_epi32(*x, ap, bq);
                }
            }
            k += 64;
        }
        let mut out = [[0i32; N]; M];
        for p in 0..M {
            for q in 0..N {
                let tail = a[p][k..len].iter().zip(&b[q][k..len]).fold(0i32, |s, (&x, &y)| {
                    s.wrapping_add(i32::from(x).wrapping_mul(i32::from(y)))
                });
                out[p][q] = _mm512_reduce_add_epi32(acc[p][q]).wrapping_add(tail);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(seed: &mut u64, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (*seed >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn tile_matches_plain_loop() {
        let mut s = 5u64;
        for len in [0usize, 1, 63, 64, 65, 130, 1024, 1031] {
            let a: Vec<Vec<u8>> = (0..4).map(|_| bytes(&mut s, len)).collect();
            let b: Vec<Vec<i8>> =
                (0..4).map(|_| bytes(&mut s, len).into_iter().map(|x| x as i8).collect()).collect();
            let ar: [&[u8]; 4] = core::array::from_fn(|p| &a[p][..]);
            let br: [&[i8]; 4] = core::array::from_fn(|q| &b[q][..]);
            let want = dot_tile_u8_i8_plain(ar, br);
            if let Some(got) = dot_tile_u8_i8(ar, br) {
                assert_eq!(got, want, "len {len}");
            }
            if let Some(got) = dot_tile_u8_i8::<1, 3>([ar[2]], [br[0], br[1], br[3]]) {
                assert_eq!(got[0], [want[2][0], want[2][1], want[2][3]], "len {len}");
            }
            // Extremes: 255 × −128 in every lane, and rows of different lengths (the shortest).
            let hi = vec![255u8; len];
            let lo = vec![-128i8; len + 3];
            if let Some(got) = dot_tile_u8_i8::<1, 1>([&hi], [&lo]) {
                assert_eq!(got[0][0], -(len as i32) * 255 * 128);
            }
        }
        assert_eq!(has_dot_tile(), dot_tile_u8_i8::<1, 1>([&[1]], [&[1]]).is_some());
    }
}
