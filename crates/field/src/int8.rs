//! Integer dot-product tiles for int8 matrix products (zkML's quantized layers over M31).
//!
//! [`dot_tile_u8_i8`] computes the `M × N` dot products of `M` unsigned byte rows with `N` signed
//! byte rows in one pass over them, with AVX-512 VNNI's `vpdpbusd` (64 byte products per
//! instruction, accumulated in 32-bit lanes) where [`crate::cpu::level`] allows AVX-512 and the CPU
//! has VNNI. Without it the function returns `None` and the caller uses its portable code: the tile
//! is a fast path, [`dot_tile_plain`] its reference.
//!
//! [`dot_tile_i8_i8`] is the AVX2 tile for CPUs without VNNI (signed bytes widened to 16 bits once
//! per row and step, `vpmaddwd` per pair).
//!
//! A product of two signed int8 matrices uses the VNNI tile through an offset: `a + 128` is an unsigned byte,
//! and `Σ_k a_k·b_k = Σ_k (a_k + 128)·b_k − 128·Σ_k b_k`.

/// The plain loop both tiles are tested against, and the kernels' tail past their last full
/// vector: `out[p][q] = Σ_k a[p][k]·b[q][k]` over the shortest row length, with
/// wrapping `i32` arithmetic; `a` holds unsigned ([`dot_tile_u8_i8`]) or signed
/// ([`dot_tile_i8_i8`]) bytes.
pub fn dot_tile_plain<A: Copy, const M: usize, const N: usize>(
    a: [&[A]; M],
    b: [&[i8]; N],
) -> [[i32; N]; M]
where
    i32: From<A>,
{
    let len = common_len(&a, &b);
    a.map(|ap| {
        b.map(|bq| {
            ap[..len].iter().zip(&bq[..len]).fold(0i32, |s, (&x, &y)| {
                // `<i32 as From<i8>>`: the bound `i32: From<A>` would otherwise pick `A`.
                s.wrapping_add(i32::from(x).wrapping_mul(<i32 as From<i8>>::from(y)))
            })
        })
    })
}

/// The length of the shortest of all rows of a tile (0 for a tile without rows).
fn common_len<A, const M: usize, const N: usize>(a: &[&[A]; M], b: &[&[i8]; N]) -> usize {
    a.iter().map(|r| r.len()).chain(b.iter().map(|r| r.len())).min().unwrap_or(0)
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

/// Whether [`dot_tile_i8_i8`] has a fast path here ([`crate::cpu::level`] ≥ AVX2).
#[inline]
pub fn has_signed_dot_tile() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        crate::cpu::level() >= crate::cpu::CpuLevel::Avx2
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `out[p][q] = Σ_k a[p][k]·b[q][k]` over the shortest row length, signed bytes on both sides,
/// with AVX2 (`vpmovsxbw` once per row and step, then `vpmaddwd` for every pair): the path for
/// CPUs without AVX-512 VNNI. `None` where [`has_signed_dot_tile`] is false. Exact while
/// `len·2^14 < 2^31` (rows of at most 131,071 bytes). Runs in `2 × N` sub-tiles (AVX2 has 16
/// vector registers), so any `M` works; `N ≤ 4` keeps a sub-tile in registers.
#[inline]
pub fn dot_tile_i8_i8<const M: usize, const N: usize>(
    a: [&[i8]; M],
    b: [&[i8]; N],
) -> Option<[[i32; N]; M]> {
    if !has_signed_dot_tile() {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    {
        let mut out = [[0i32; N]; M];
        let mut p = 0;
        while p + 2 <= M {
            // SAFETY: `has_signed_dot_tile` checked that the level (hence the CPU) has AVX2.
            let r = unsafe { x86::tile_avx2::<2, N>([a[p], a[p + 1]], b) };
            out[p] = r[0];
            out[p + 1] = r[1];
            p += 2;
        }
        if p < M {
            // SAFETY: as above.
            out[p] = unsafe { x86::tile_avx2::<1, N>([a[p]], b) }[0];
        }
        Some(out)
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
        __m256i, __m512i, _mm_add_epi32, _mm_cvtsi128_si32, _mm_loadu_si128, _mm_shuffle_epi32,
        _mm256_add_epi32, _mm256_castsi256_si128, _mm256_cvtepi8_epi16, _mm256_extracti128_si256,
        _mm256_madd_epi16, _mm256_setzero_si256, _mm512_dpbusd_epi32, _mm512_loadu_si512,
        _mm512_reduce_add_epi32, _mm512_setzero_si512,
    };

    /// The sum of the eight 32-bit lanes.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn hsum256(v: __m256i) -> i32 {
        let s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
        let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
        let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
        _mm_cvtsi128_si32(s)
    }

    /// The AVX2 body of [`super::dot_tile_i8_i8`] for `M ≤ 2` rows of `a`.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn tile_avx2<const M: usize, const N: usize>(
        a: [&[i8]; M],
        b: [&[i8]; N],
    ) -> [[i32; N]; M] {
        let len = super::common_len(&a, &b);
        let mut acc = [[_mm256_setzero_si256(); N]; M];
        let mut k = 0;
        while k + 16 <= len {
            let av: [__m256i; M] = core::array::from_fn(|p| {
                // SAFETY: `k + 16 ≤ len ≤ a[p].len()`: 16 readable bytes (unaligned load).
                _mm256_cvtepi8_epi16(unsafe { _mm_loadu_si128(a[p].as_ptr().add(k).cast()) })
            });
            let bv: [__m256i; N] = core::array::from_fn(|q| {
                // SAFETY: as above, for `b[q]`.
                _mm256_cvtepi8_epi16(unsafe { _mm_loadu_si128(b[q].as_ptr().add(k).cast()) })
            });
            for (accp, &ap) in acc.iter_mut().zip(&av) {
                for (x, &bq) in accp.iter_mut().zip(&bv) {
                    *x = _mm256_add_epi32(*x, _mm256_madd_epi16(ap, bq));
                }
            }
            k += 16;
        }
        let mut out = super::dot_tile_plain(a.map(|r| &r[k..len]), b.map(|r| &r[k..len]));
        for (o, acc) in out.iter_mut().zip(&acc) {
            for (v, &x) in o.iter_mut().zip(acc) {
                *v = v.wrapping_add(hsum256(x));
            }
        }
        out
    }

    /// The VNNI body of [`super::dot_tile_u8_i8`].
    ///
    /// # Safety
    /// The CPU must have AVX-512 F, BW and VNNI.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn tile_vnni<const M: usize, const N: usize>(
        a: [&[u8]; M],
        b: [&[i8]; N],
    ) -> [[i32; N]; M] {
        let len = super::common_len(&a, &b);
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
        let mut out = super::dot_tile_plain(a.map(|r| &r[k..len]), b.map(|r| &r[k..len]));
        for (o, acc) in out.iter_mut().zip(&acc) {
            for (v, &x) in o.iter_mut().zip(acc) {
                *v = v.wrapping_add(_mm512_reduce_add_epi32(x));
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
            let want = dot_tile_plain(ar, br);
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

    #[test]
    fn signed_tile_matches_plain_loop() {
        let mut s = 9u64;
        for len in [0usize, 1, 15, 16, 17, 64, 130, 1031] {
            let rows: Vec<Vec<i8>> =
                (0..8).map(|_| bytes(&mut s, len).into_iter().map(|x| x as i8).collect()).collect();
            let ar: [&[i8]; 5] = core::array::from_fn(|p| &rows[p][..]);
            let br: [&[i8]; 3] = core::array::from_fn(|q| &rows[5 + q][..]);
            let want = dot_tile_plain(ar, br);
            if let Some(got) = dot_tile_i8_i8(ar, br) {
                assert_eq!(got, want, "len {len}");
            }
            let m = vec![-128i8; len + 1];
            if let Some(got) = dot_tile_i8_i8::<1, 1>([&m[..len]], [&m]) {
                assert_eq!(got[0][0], (len as i32) << 14);
            }
        }
        assert_eq!(has_signed_dot_tile(), dot_tile_i8_i8::<1, 1>([&[1]], [&[1]]).is_some());
    }
}
