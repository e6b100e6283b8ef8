//! Every run-time CPU path gives the same results: BN254 Fr/Fq multiplication and squaring (the
//! MULX/ADCX/ADOX assembly against the portable CIOS and arkworks), the BN254 NTT kernels, and the
//! BabyBear/KoalaBear/M31/Goldilocks packings picked at run time (NTT kernels, and the run-time
//! dispatched kernels `zkprove-poly` calls, against a scalar reference; packed arithmetic through
//! `Field::with_packing`, with the width each level should give), on random and edge inputs, at
//! each level this CPU supports (`cpu::set_max_cpu_level`).
//!
//! The cap is process-wide, so this file holds one test that changes it (tests of one binary run in
//! parallel threads).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "hash_ops_check.rs"]
mod hash_ops_check;

use ark_ff::BigInteger as _;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::babybear::BabyBear;
use zkprove_field::bn254::{Fp256, Fp256Params, FqParams, FrParams};
use zkprove_field::cpu::{self, CpuLevel};
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::koalabear::KoalaBear;
use zkprove_field::m31::M31;
use zkprove_field::{
    Field, NttKernels, PackedField, PackedKernel, PrimeField, TwoAdicField, ntt_packed,
    packing_width,
};

/// Edge values (as raw Montgomery limbs, all below `p`) and random ones.
fn inputs<P: Fp256Params>(rng: &mut StdRng) -> Vec<Fp256<P>> {
    let p = P::MODULUS;
    let mut raw = vec![
        [0, 0, 0, 0],
        [1, 0, 0, 0],
        [p[0] - 1, p[1], p[2], p[3]],
        [p[0] - 2, p[1], p[2], p[3]],
        [u64::MAX, u64::MAX, u64::MAX, p[3] - 1],
        [0, 0, 0, p[3]],
        [u64::MAX, 0, u64::MAX, 0],
        Fp256::<P>::R,
        Fp256::<P>::R2,
    ];
    for _ in 0..300 {
        raw.push(Fp256::<P>::random(rng).to_raw_limbs());
    }
    // Values with many all-ones and all-zero words stress the carry chains.
    for _ in 0..100 {
        let mut l = [0u64; 4];
        for w in &mut l {
            *w = match rng.random_range(0..3) {
                0 => 0,
                1 => u64::MAX,
                _ => rng.random(),
            };
        }
        l[3] %= p[3];
        raw.push(l);
    }
    raw.into_iter().map(|l| Fp256::<P>::from_raw_limbs(l).unwrap()).collect()
}

/// All pairwise products and every square, as raw limbs.
fn products<P: Fp256Params>(xs: &[Fp256<P>]) -> Vec<[u64; 4]> {
    let mut out = Vec::new();
    for (i, a) in xs.iter().enumerate() {
        out.push(a.square().to_raw_limbs());
        for b in xs.iter().skip(i).step_by(7) {
            out.push((*a * *b).to_raw_limbs());
        }
    }
    out
}

/// One DIF and one DIT stage of the NTT kernels plus the whole-array transforms.
fn ntt_outputs<P: Fp256Params>(rng: &mut StdRng) -> Vec<[u64; 4]> {
    let k = Fp256::<P>::ntt_kernels().unwrap();
    let n = 256;
    let data: Vec<Fp256<P>> = (0..n).map(|_| Fp256::<P>::random(rng)).collect();
    let w: Vec<Fp256<P>> = (0..n / 2).map(|_| Fp256::<P>::random(rng)).collect();
    let mut out = Vec::new();
    let (mut lo, mut hi) = (data[..n / 2].to_vec(), data[n / 2..].to_vec());
    (k.dif_butterflies)(&mut lo, &mut hi, &w);
    (k.dit_butterflies)(&mut lo, &mut hi, &w);
    out.extend(lo.iter().chain(&hi).map(|x| x.to_raw_limbs()));
    // Radix-4 kernels on quarters of 21 (two groups of eight and a scalar tail).
    let q = 21;
    let mut a: Vec<Fp256<P>> = data[..4 * q].to_vec();
    let (a01, a23) = a.split_at_mut(2 * q);
    let (a0, a1) = a01.split_at_mut(q);
    let (a2, a3) = a23.split_at_mut(q);
    (k.dif_radix4)(a0, a1, a2, a3, &w[..q], &w[q..2 * q], &w[2 * q..3 * q]);
    (k.dit_radix4)(a0, a1, a2, a3, &w[..q], &w[q..2 * q], &w[2 * q..3 * q]);
    out.extend(a.iter().map(|x| x.to_raw_limbs()));
    if Fp256::<P>::TWO_ADICITY < 8 {
        return out; // Fq: no NTT domain of 256 points, the butterflies are all there is.
    }
    // Twiddle table: ω_{2h}^j at tw[h − 1 + j] for h < n.
    let mut tw = Vec::new();
    let mut h = 1;
    while h < n {
        let g = Fp256::<P>::two_adic_generator(h.trailing_zeros() as usize + 1).unwrap();
        let mut x = Fp256::<P>::ONE;
        for _ in 0..h {
            tw.push(x);
            x *= g;
        }
        h *= 2;
    }
    let mut all = data.clone();
    (k.dif_all)(&mut all, &tw);
    out.extend(all.iter().map(|x| x.to_raw_limbs()));
    (k.dit_all)(&mut all, &tw);
    // Both with the forward twiddles: DIT ∘ DIF maps x to n·x[−i mod n].
    let n_inv = Fp256::<P>::from_u64(n as u64).inverse().unwrap();
    for (i, a) in all.iter().enumerate() {
        assert_eq!(*a * n_inv, data[(n - i) % n], "dit_all ∘ dif_all at {i}");
    }
    out.extend(all.iter().map(|x| x.to_raw_limbs()));
    out
}

/// Scalar reference butterflies (`NttKernels` semantics).
fn ref_dif<F: Field>(lo: &mut [F], hi: &mut [F], w: &[F]) {
    for ((a, b), w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
        let (x, y) = (*a, *b);
        (*a, *b) = (x + y, (x - y) * *w);
    }
}

fn ref_dit<F: Field>(lo: &mut [F], hi: &mut [F], w: &[F]) {
    for ((a, b), w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
        let (x, y) = (*a, *b * *w);
        (*a, *b) = (x + y, x - y);
    }
}

/// The twiddle table of `NttKernels::dif_all`: `ω_{2h}^j` at `tw[h − 1 + j]` for `h < n`.
fn twiddle_table<F: TwoAdicField>(n: usize) -> Vec<F> {
    let mut tw = Vec::new();
    let mut h = 1;
    while h < n {
        let g = F::two_adic_generator(h.trailing_zeros() as usize + 1).unwrap();
        let mut x = F::ONE;
        for _ in 0..h {
            tw.push(x);
            x *= g;
        }
        h *= 2;
    }
    tw
}

/// The small-field NTT kernels of this level (`TwoAdicField::ntt_kernels`: AVX-512 or AVX2 picked
/// at run time, or `None`) against the scalar reference, on lengths with and without a scalar
/// tail and whole transforms large enough for the transposed tiles (16 × 16).
fn small_field_ntt_matches_reference<F: TwoAdicField>(rng: &mut StdRng) {
    let Some(k) = F::ntt_kernels() else { return };
    kernels_match_reference(k, rng);
}

/// The kernels `zkprove-poly` runs (`ntt_packed::run_*`: the field's own kernels, else the generic
/// ones on the packing `with_packing` picks at this level) against the scalar reference.
fn run_time_ntt_matches_reference<F: TwoAdicField>(rng: &mut StdRng) {
    let k = NttKernels::<F> {
        dif_butterflies: ntt_packed::run_dif_butterflies::<F>,
        dit_butterflies: ntt_packed::run_dit_butterflies::<F>,
        dif_radix4: ntt_packed::run_dif_radix4::<F>,
        dit_radix4: ntt_packed::run_dit_radix4::<F>,
        dif_all: ntt_packed::run_dif_all::<F>,
        dit_all: ntt_packed::run_dit_all::<F>,
    };
    kernels_match_reference(k, rng);
}

fn kernels_match_reference<F: TwoAdicField>(k: NttKernels<F>, rng: &mut StdRng) {
    for n in [1usize, 2, 8, 16, 32, 37, 64, 100, 256] {
        let data: Vec<F> = (0..2 * n).map(|_| F::random(rng)).collect();
        let mut w: Vec<F> = (0..3 * n).map(|_| F::random(rng)).collect();
        // A leading twiddle of one takes the scalar paths' shortcut.
        if n % 2 == 1 {
            w[0] = F::ONE;
            w[n] = F::ONE;
        }
        let (mut lo, mut hi) = (data[..n].to_vec(), data[n..].to_vec());
        let (mut rlo, mut rhi) = (lo.clone(), hi.clone());
        (k.dif_butterflies)(&mut lo, &mut hi, &w[..n]);
        ref_dif(&mut rlo, &mut rhi, &w[..n]);
        (k.dit_butterflies)(&mut lo, &mut hi, &w[n..2 * n]);
        ref_dit(&mut rlo, &mut rhi, &w[n..2 * n]);
        assert!(lo == rlo && hi == rhi, "butterflies, n = {n}");
        // Radix-4 on quarters of n/2 (with the reference as two radix-2 stages).
        let q = n / 2;
        let mut a = data.clone();
        let mut r = data.clone();
        {
            let (a01, a23) = a[..4 * q].split_at_mut(2 * q);
            let (a0, a1) = a01.split_at_mut(q);
            let (a2, a3) = a23.split_at_mut(q);
            (k.dif_radix4)(a0, a1, a2, a3, &w[..q], &w[q..2 * q], &w[2 * q..3 * q]);
            (k.dit_radix4)(a0, a1, a2, a3, &w[..q], &w[q..2 * q], &w[2 * q..3 * q]);
        }
        {
            let (r01, r23) = r[..4 * q].split_at_mut(2 * q);
            let (r0, r1) = r01.split_at_mut(q);
            let (r2, r3) = r23.split_at_mut(q);
            ref_dif(r0, r2, &w[..q]);
            ref_dif(r1, r3, &w[q..2 * q]);
            ref_dif(r0, r1, &w[2 * q..3 * q]);
            ref_dif(r2, r3, &w[2 * q..3 * q]);
            ref_dit(r0, r1, &w[2 * q..3 * q]);
            ref_dit(r2, r3, &w[2 * q..3 * q]);
            ref_dit(r0, r2, &w[..q]);
            ref_dit(r1, r3, &w[q..2 * q]);
        }
        assert!(a == r, "radix-4, q = {q}");
    }
    for n in [4usize, 64, 256, 1024] {
        let tw = twiddle_table::<F>(n);
        let data: Vec<F> = (0..n).map(|_| F::random(rng)).collect();
        let (mut a, mut r) = (data.clone(), data.clone());
        (k.dif_all)(&mut a, &tw);
        let mut h = n / 2;
        while h >= 1 {
            for block in r.chunks_mut(2 * h) {
                let (lo, hi) = block.split_at_mut(h);
                ref_dif(lo, hi, &tw[h - 1..2 * h - 1]);
            }
            h /= 2;
        }
        assert!(a == r, "dif_all, n = {n}");
        (k.dit_all)(&mut a, &tw);
        let mut h = 1;
        while h < n {
            for block in r.chunks_mut(2 * h) {
                let (lo, hi) = block.split_at_mut(h);
                ref_dit(lo, hi, &tw[h - 1..2 * h - 1]);
            }
            h *= 2;
        }
        assert!(a == r, "dit_all, n = {n}");
    }
}

/// Packed arithmetic on the packing `Field::with_packing` picks at this level.
struct PackedOps<'a, F: Field> {
    xs: &'a [F],
    ys: &'a [F],
    c: F,
}

impl<F: Field> PackedKernel<F> for PackedOps<'_, F> {
    type Output = (usize, Vec<F>, Vec<F>);
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) -> (usize, Vec<F>, Vec<F>) {
        let n = self.xs.len() / P::WIDTH * P::WIDTH;
        let (px, py) = (P::pack_slice(&self.xs[..n]), P::pack_slice(&self.ys[..n]));
        let mut out = vec![F::ZERO; n];
        for ((o, x), y) in P::pack_slice_mut(&mut out).iter_mut().zip(px).zip(py) {
            let v = (*x * *y + *x - *y) * self.c - (-*x);
            *o = v.add_exp_small::<7>(self.c)
                + v.mul_inv_2exp(3, F::from_u64(8).inverse().unwrap())
                + v.mul_2exp(5, F::from_u64(32));
        }
        // A whole S-box layer (x + c)^5 across the packed cells, with per-cell constants.
        let mut cells: Vec<P> = px.to_vec();
        let cs: Vec<F> = (0..cells.len()).map(|i| self.ys[i] + self.c).collect();
        P::add_exp_small_batch::<5>(&mut cells, &cs);
        let mut sbox = vec![F::ZERO; n];
        for (o, c) in P::pack_slice_mut(&mut sbox).iter_mut().zip(&cells) {
            *o = *c;
        }
        (P::WIDTH, out, sbox)
    }
}

/// `with_packing`'s packing at `level` has the width of that level's vectors (on x86-64), and its
/// arithmetic (products, S-boxes, multiplications by powers of two) agrees with the scalar field's,
/// on random values and the edges 0, 1, −1.
fn packed_ops_match_scalar<F: Field>(rng: &mut StdRng, level: CpuLevel) {
    let mut xs: Vec<F> = (0..200).map(|_| F::random(rng)).collect();
    let ys: Vec<F> = (0..200).map(|_| F::random(rng)).collect();
    xs[..6].copy_from_slice(&[F::ZERO, F::ONE, F::NEG_ONE, F::NEG_ONE, F::ZERO, F::ONE]);
    let c = F::random(rng);
    let (width, got, sbox) = F::with_packing(PackedOps { xs: &xs, ys: &ys, c });
    let bytes = width * core::mem::size_of::<F>();
    let want_bytes = match level {
        _ if !cfg!(target_arch = "x86_64") => bytes,
        CpuLevel::Avx512 | CpuLevel::Ifma => 64,
        CpuLevel::Avx2 => 32,
        _ => core::mem::size_of::<F>(),
    };
    assert_eq!(bytes, want_bytes, "packing width {width} at level {level}");
    assert_eq!(got.len(), 200 / width * width);
    let (inv8, two5) = (F::from_u64(8).inverse().unwrap(), F::from_u64(32));
    for (i, g) in got.iter().enumerate() {
        let (x, y) = (xs[i], ys[i]);
        let v = (x * y + x - y) * c - (-x);
        let s = v + c;
        let want = s * s * s * s * s * s * s + v * inv8 + v * two5;
        assert_eq!(*g, want, "lane {i} at level {level}");
    }
    for (i, g) in sbox.iter().enumerate() {
        let s = xs[i] + ys[i / width] + c;
        assert_eq!(*g, s * s * s * s * s, "S-box lane {i} at level {level}");
    }
}

/// The packing laws of `zkprove-field-testing` (`check_packed`, which the per-field test files run
/// on the compile-time `Field::Packing`) on the packing `with_packing` picks at this level, so a
/// baseline build checks the AVX2 and AVX-512 packings too.
struct PackedLaws;

impl<F: Field> PackedKernel<F> for PackedLaws {
    type Output = ();
    fn run<P: PackedField<Scalar = F>>(self) {
        zkprove_field_testing::check_packed::<P>();
    }
}

fn check_against_ark<P: Fp256Params, A: ark_ff::PrimeField>(xs: &[Fp256<P>]) {
    let to_ark = |x: &Fp256<P>| A::from_le_bytes_mod_order(&x.to_bytes_le());
    for (i, a) in xs.iter().enumerate() {
        for b in xs.iter().skip(i).step_by(13) {
            let ours = (*a * *b).to_bytes_le();
            let theirs = (to_ark(a) * to_ark(b)).into_bigint().to_bytes_le();
            assert_eq!(ours.as_slice(), theirs.as_slice(), "{a} * {b}");
        }
    }
}

/// Lanes of a 32-bit field's packing at each level (portable, adx, avx2, avx512, ifma) on x86-64.
const F32_WIDTH: [usize; 5] =
    if cfg!(target_arch = "x86_64") { [1, 1, 8, 16, 16] } else { [1, 1, 1, 1, 1] };

#[test]
fn every_level_agrees() {
    let detected = cpu::detected_level();
    let levels: Vec<CpuLevel> = CpuLevel::ALL.into_iter().filter(|l| *l <= detected).collect();
    let mut reference: Option<Vec<Vec<[u64; 4]>>> = None;
    for level in levels {
        assert_eq!(cpu::set_max_cpu_level(level), level);
        assert_eq!(cpu::level(), level);
        assert_eq!(cpu::adx(), level >= CpuLevel::Adx);
        let mut rng = StdRng::seed_from_u64(0xc0ffee);
        let fr = inputs::<FrParams>(&mut rng);
        let fq = inputs::<FqParams>(&mut rng);
        check_against_ark::<FrParams, ark_bn254::Fr>(&fr);
        check_against_ark::<FqParams, ark_bn254::Fq>(&fq);
        // Inverses go through multiplication too: x · x⁻¹ = 1.
        for x in fr.iter().filter(|x| !x.is_zero()).take(50) {
            assert_eq!(*x * x.inverse().unwrap(), Fp256::<FrParams>::ONE);
        }
        let got = vec![
            products(&fr),
            products(&fq),
            ntt_outputs::<FrParams>(&mut rng),
            ntt_outputs::<FqParams>(&mut rng),
        ];
        small_field_ntt_matches_reference::<BabyBear>(&mut rng);
        small_field_ntt_matches_reference::<KoalaBear>(&mut rng);
        run_time_ntt_matches_reference::<BabyBear>(&mut rng);
        run_time_ntt_matches_reference::<Goldilocks>(&mut rng);
        run_time_ntt_matches_reference::<Fp256<FrParams>>(&mut rng);
        packed_ops_match_scalar::<BabyBear>(&mut rng, level);
        packed_ops_match_scalar::<KoalaBear>(&mut rng, level);
        packed_ops_match_scalar::<M31>(&mut rng, level);
        packed_ops_match_scalar::<Goldilocks>(&mut rng, level);
        // The hash-oriented operations (S-boxes with scalar and negated-vector constants,
        // multiplications by 2^{±n}) of the packing this level picks.
        let hash_ops = |seed| hash_ops_check::HashOps { max_inv_n: 30, max_n: 30, seed };
        assert_eq!(BabyBear::with_packing(hash_ops(1)), F32_WIDTH[level as usize]);
        assert_eq!(KoalaBear::with_packing(hash_ops(4)), F32_WIDTH[level as usize]);
        assert_eq!(M31::with_packing(hash_ops(2)), F32_WIDTH[level as usize]);
        Goldilocks::with_packing(hash_ops_check::HashOps { max_inv_n: 40, max_n: 40, seed: 3 });
        BabyBear::with_packing(PackedLaws);
        KoalaBear::with_packing(PackedLaws);
        M31::with_packing(PackedLaws);
        Goldilocks::with_packing(PackedLaws);
        assert_eq!(packing_width::<M31>(), F32_WIDTH[level as usize]);
        match &reference {
            None => reference = Some(got),
            Some(r) => assert!(r == &got, "level {level} differs from portable"),
        }
    }
    cpu::set_max_cpu_level(CpuLevel::Ifma);
}

#[test]
fn levels_parse_and_order() {
    for l in CpuLevel::ALL {
        assert_eq!(l.name().parse::<CpuLevel>().unwrap(), l);
        assert_eq!(l.to_string().to_uppercase().parse::<CpuLevel>().unwrap(), l);
    }
    assert!(CpuLevel::Portable < CpuLevel::Adx && CpuLevel::Adx < CpuLevel::Avx2);
    assert!(CpuLevel::Avx2 < CpuLevel::Avx512 && CpuLevel::Avx512 < CpuLevel::Ifma);
    let err = "sse9".parse::<CpuLevel>().unwrap_err();
    assert_eq!(err.given, "sse9");
    // The cap never rises above what the CPU has (read-only here: the other test moves the cap).
    assert!(cpu::detected_level() <= CpuLevel::Ifma);
}
