//! The Poseidon2 permutation ([eprint 2023/323](https://eprint.iacr.org/2023/323)), generic over the
//! field and the width, in the layout Plonky3 uses:
//!
//! 1. the external linear layer `M_E`;
//! 2. `R_F / 2` full rounds: add the round constants, S-box on every cell, `M_E`;
//! 3. `R_P` partial rounds: add one constant to cell 0, S-box on cell 0, the internal layer `M_I`;
//! 4. `R_F / 2` full rounds as in 2.
//!
//! `M_E` is the "light" external matrix of the paper's Appendix B: `M4 = circ(2, 3, 1, 1)` on each
//! block of four cells, then `circ(2·M4, M4, …, M4)` across blocks, computed as "each cell plus the
//! sum of the cells with the same index mod 4". `M_I = 1 + diag(V)` with `1` the all-ones matrix:
//! cell `i` becomes `V_i·x_i + Σ x`.
//!
//! Every function is generic over a [`PackedField`] whose lanes are independent states, so the
//! same code permutes one state (`P = F`) or `F::Packing::WIDTH` states at once.

use rayon::prelude::*;
use zkprove_field::{Field, PackedField, PackedKernel, PrimeField64};

use crate::HashError;
use crate::grain::{Grain, GrainSeed};

/// A Poseidon2 permutation of `WIDTH` field elements.
///
/// Build the standard instances with [`Poseidon2::babybear_16`], [`Poseidon2::koalabear_16`] and friends (the constants and
/// diagonals of Plonky3 0.8), or any other with [`Poseidon2::new`] / [`Poseidon2::new_grain`].
#[derive(Clone, Debug)]
pub struct Poseidon2<F: Field, const WIDTH: usize> {
    sbox_degree: u64,
    external_initial: Vec<[F; WIDTH]>,
    internal: Vec<F>,
    external_terminal: Vec<[F; WIDTH]>,
    internal_diag: [F; WIDTH],
    /// How to multiply each cell by its `V_i`: small integers by additions, the rest by a
    /// multiplication (Plonky3 picks `V` among small integers and inverse powers of two for this).
    diag_ops: [DiagOp<F>; WIDTH],
    /// Which hard-wired internal layer applies (one of the standard diagonals, or none).
    kind: InternalKind,
    /// `2^{−n}` and `2^n` for `n < 32`, the values behind the shift-based diagonal products.
    pow2: Pow2Table<F>,
    /// The round constants negated and repeated [`SPLAT`] times, for packings that take them as
    /// vectors ([`PackedField::PACKED_NEG_CONSTANTS`]): one vector load per constant (a memory
    /// operand of the subtraction that starts the S-box) instead of a broadcast.
    neg_splat: NegSplat<F, WIDTH>,
}

/// Lanes of each negated constant in [`NegSplat`]: those of an AVX2 vector of a 31-bit field, so
/// that a row of splatted constants has the layout of `[P; WIDTH]` for that packing. Wider and
/// narrower packings take the scalar constants (AVX-512 loses nothing: it broadcasts them from
/// memory as part of the addition).
const SPLAT: usize = 8;

/// The round constants of a [`Poseidon2`], each negated and repeated in [`SPLAT`] lanes.
#[derive(Clone, Debug)]
struct NegSplat<F, const WIDTH: usize> {
    initial: Vec<[[F; SPLAT]; WIDTH]>,
    internal: Vec<[F; SPLAT]>,
    terminal: Vec<[[F; SPLAT]; WIDTH]>,
}

impl<F: Field, const WIDTH: usize> NegSplat<F, WIDTH> {
    fn new(initial: &[[F; WIDTH]], internal: &[F], terminal: &[[F; WIDTH]]) -> Self {
        let rows = |rows: &[[F; WIDTH]]| rows.iter().map(|r| r.map(|c| [-c; SPLAT])).collect();
        Self {
            initial: rows(initial),
            internal: internal.iter().map(|&c| [-c; SPLAT]).collect(),
            terminal: rows(terminal),
        }
    }
}

/// Whether the packing `P` takes its round constants from [`NegSplat`].
#[inline(always)]
const fn uses_neg_splat<P: PackedField>() -> bool {
    P::PACKED_NEG_CONSTANTS && P::WIDTH == SPLAT
}

/// A splatted constant as a packed value (one vector load; `P::WIDTH == SPLAT`).
#[inline(always)]
fn load_splat<P: PackedField>(c: &[P::Scalar; SPLAT]) -> P {
    P::pack_slice(c)[0]
}

/// A value aligned to 64 bytes (a cache line).
#[repr(C, align(64))]
struct CacheAligned<T>(T);

/// The standard diagonals, each with a straight-line internal layer (no per-cell dispatch).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum InternalKind {
    /// Any other diagonal: the per-cell [`DiagOp`] table.
    Generic,
    /// Plonky3's BabyBear width-16 diagonal.
    BabyBear16,
    /// Plonky3's BabyBear width-24 diagonal.
    BabyBear24,
    /// Plonky3's KoalaBear width-16 diagonal.
    KoalaBear16,
    /// Plonky3's KoalaBear width-24 diagonal.
    KoalaBear24,
    /// Plonky3's Mersenne-31 width-16 diagonal.
    M31x16,
    /// Plonky3's Goldilocks width-8 diagonal.
    Goldilocks8,
    /// Plonky3's Goldilocks width-12 diagonal.
    Goldilocks12,
}

/// `inv[n] = 2^{−n}`, `pos[n] = 2^n` for `n < 32`.
#[derive(Clone, Debug)]
struct Pow2Table<F> {
    inv: [F; 32],
    pos: [F; 32],
}

impl<F: Field> Pow2Table<F> {
    fn new() -> Self {
        let half = F::TWO.inverse().unwrap_or(F::ONE);
        let mut inv = [F::ONE; 32];
        let mut pos = [F::ONE; 32];
        for n in 1..32 {
            inv[n] = inv[n - 1] * half;
            pos[n] = pos[n - 1] + pos[n - 1];
        }
        Self { inv, pos }
    }
}

/// Plonky3's diagonals as `(numerator, log2 of the denominator)`.
const SPEC_BABYBEAR_16: [(i64, u64); 16] = [
    (-2, 0),
    (1, 0),
    (2, 0),
    (1, 1),
    (3, 0),
    (4, 0),
    (-1, 1),
    (-3, 0),
    (-4, 0),
    (1, 8),
    (1, 2),
    (1, 3),
    (1, 27),
    (-1, 8),
    (-1, 4),
    (-1, 27),
];
const SPEC_BABYBEAR_24: [(i64, u64); 24] = [
    (-2, 0),
    (1, 0),
    (2, 0),
    (1, 1),
    (3, 0),
    (4, 0),
    (-1, 1),
    (-3, 0),
    (-4, 0),
    (1, 8),
    (1, 2),
    (1, 3),
    (1, 4),
    (1, 7),
    (1, 9),
    (1, 27),
    (-1, 8),
    (-1, 2),
    (-1, 3),
    (-1, 4),
    (-1, 5),
    (-1, 6),
    (-1, 7),
    (-1, 27),
];
const SPEC_KOALABEAR_16: [(i64, u64); 16] = [
    (-2, 0),
    (1, 0),
    (2, 0),
    (1, 1),
    (3, 0),
    (4, 0),
    (-1, 1),
    (-3, 0),
    (-4, 0),
    (1, 8),
    (1, 3),
    (1, 24),
    (-1, 8),
    (-1, 3),
    (-1, 4),
    (-1, 24),
];
const SPEC_KOALABEAR_24: [(i64, u64); 24] = [
    (-2, 0),
    (1, 0),
    (2, 0),
    (1, 1),
    (3, 0),
    (4, 0),
    (-1, 1),
    (-3, 0),
    (-4, 0),
    (1, 8),
    (1, 2),
    (1, 3),
    (1, 4),
    (1, 5),
    (1, 6),
    (1, 24),
    (-1, 8),
    (-1, 3),
    (-1, 4),
    (-1, 5),
    (-1, 6),
    (-1, 7),
    (-1, 9),
    (-1, 24),
];
const SPEC_GOLDILOCKS_8: [(i64, u64); 8] =
    [(-2, 0), (1, 0), (2, 0), (1, 1), (3, 0), (-1, 1), (-3, 0), (-4, 0)];
const SPEC_GOLDILOCKS_12: [(i64, u64); 12] = [
    (-2, 0),
    (1, 0),
    (2, 0),
    (1, 1),
    (3, 0),
    (4, 0),
    (-1, 1),
    (-3, 0),
    (-4, 0),
    (1, 2),
    (-1, 2),
    (1, 3),
];
/// Mersenne-31: `V = [−2, 2^0, 2^1, …, 2^8, 2^10, 2^12, 2^13, 2^14, 2^15, 2^16]`.
const M31_16_SHIFTS: [u32; 15] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16];

fn m31_16_diag<F: Field>() -> [F; 16] {
    let mut v = [F::ZERO; 16];
    v[0] = -F::TWO;
    for (x, s) in v[1..].iter_mut().zip(M31_16_SHIFTS) {
        *x = F::from_u64(1 << s);
    }
    v
}

impl InternalKind {
    fn detect<F: Field>(diag: &[F]) -> Self {
        let matches = |spec: &[(i64, u64)]| {
            spec.len() == diag.len()
                && spec.iter().zip(diag).all(|(&(num, inv), &v)| diag_entry::<F>(num, inv) == v)
        };
        if matches(&SPEC_BABYBEAR_16) {
            Self::BabyBear16
        } else if matches(&SPEC_BABYBEAR_24) {
            Self::BabyBear24
        } else if matches(&SPEC_KOALABEAR_16) {
            Self::KoalaBear16
        } else if matches(&SPEC_KOALABEAR_24) {
            Self::KoalaBear24
        } else if matches(&SPEC_GOLDILOCKS_8) {
            Self::Goldilocks8
        } else if matches(&SPEC_GOLDILOCKS_12) {
            Self::Goldilocks12
        } else if diag.len() == 16 && diag == m31_16_diag::<F>() {
            Self::M31x16
        } else {
            Self::Generic
        }
    }
}

/// `sum + k·x` for a small signed `k`, by additions.
#[inline(always)]
fn add_small<P: PackedField, const K: i32>(x: P, sum: P) -> P {
    match K {
        1 => sum + x,
        -1 => sum - x,
        2 => sum + (x + x),
        -2 => sum - (x + x),
        3 => sum + (x + x + x),
        -3 => sum - (x + x + x),
        4 => {
            let x2 = x + x;
            sum + (x2 + x2)
        }
        _ => {
            let x2 = x + x;
            sum - (x2 + x2)
        }
    }
}

/// `sum ± x·2^{−N}`.
#[inline(always)]
fn add_inv_2exp<P: PackedField, const N: u32, const NEG: bool>(
    x: P,
    sum: P,
    t: &Pow2Table<P::Scalar>,
) -> P {
    x.mul_inv_2exp_add(N, t.inv[N as usize], sum, NEG)
}

/// `sum + x·2^N`.
#[inline(always)]
fn add_2exp<P: PackedField, const N: u32>(x: P, sum: P, t: &Pow2Table<P::Scalar>) -> P {
    match N {
        0 => sum + x,
        1 => sum + (x + x),
        _ => sum + x.mul_2exp(N, t.pos[N as usize]),
    }
}

/// Cells 1.. of the internal layers of the standard instances: `s_i ← V_i·s_i + sum`, straight-line
/// (cell 0, with `V_0 = −2`, is done by the caller). Each follows the diagonal in its `SPEC_*`.
#[inline(always)]
fn diag_babybear_16<P: PackedField>(s: &mut [P; 16], sum: P, t: &Pow2Table<P::Scalar>) {
    s[1] = add_small::<P, 1>(s[1], sum);
    s[2] = add_small::<P, 2>(s[2], sum);
    s[3] = add_inv_2exp::<P, 1, false>(s[3], sum, t);
    s[4] = add_small::<P, 3>(s[4], sum);
    s[5] = add_small::<P, 4>(s[5], sum);
    s[6] = add_inv_2exp::<P, 1, true>(s[6], sum, t);
    s[7] = add_small::<P, -3>(s[7], sum);
    s[8] = add_small::<P, -4>(s[8], sum);
    s[9] = add_inv_2exp::<P, 8, false>(s[9], sum, t);
    s[10] = add_inv_2exp::<P, 2, false>(s[10], sum, t);
    s[11] = add_inv_2exp::<P, 3, false>(s[11], sum, t);
    s[12] = add_inv_2exp::<P, 27, false>(s[12], sum, t);
    s[13] = add_inv_2exp::<P, 8, true>(s[13], sum, t);
    s[14] = add_inv_2exp::<P, 4, true>(s[14], sum, t);
    s[15] = add_inv_2exp::<P, 27, true>(s[15], sum, t);
}

#[inline(always)]
fn diag_babybear_24<P: PackedField>(s: &mut [P; 24], sum: P, t: &Pow2Table<P::Scalar>) {
    s[1] = add_small::<P, 1>(s[1], sum);
    s[2] = add_small::<P, 2>(s[2], sum);
    s[3] = add_inv_2exp::<P, 1, false>(s[3], sum, t);
    s[4] = add_small::<P, 3>(s[4], sum);
    s[5] = add_small::<P, 4>(s[5], sum);
    s[6] = add_inv_2exp::<P, 1, true>(s[6], sum, t);
    s[7] = add_small::<P, -3>(s[7], sum);
    s[8] = add_small::<P, -4>(s[8], sum);
    s[9] = add_inv_2exp::<P, 8, false>(s[9], sum, t);
    s[10] = add_inv_2exp::<P, 2, false>(s[10], sum, t);
    s[11] = add_inv_2exp::<P, 3, false>(s[11], sum, t);
    s[12] = add_inv_2exp::<P, 4, false>(s[12], sum, t);
    s[13] = add_inv_2exp::<P, 7, false>(s[13], sum, t);
    s[14] = add_inv_2exp::<P, 9, false>(s[14], sum, t);
    s[15] = add_inv_2exp::<P, 27, false>(s[15], sum, t);
    s[16] = add_inv_2exp::<P, 8, true>(s[16], sum, t);
    s[17] = add_inv_2exp::<P, 2, true>(s[17], sum, t);
    s[18] = add_inv_2exp::<P, 3, true>(s[18], sum, t);
    s[19] = add_inv_2exp::<P, 4, true>(s[19], sum, t);
    s[20] = add_inv_2exp::<P, 5, true>(s[20], sum, t);
    s[21] = add_inv_2exp::<P, 6, true>(s[21], sum, t);
    s[22] = add_inv_2exp::<P, 7, true>(s[22], sum, t);
    s[23] = add_inv_2exp::<P, 27, true>(s[23], sum, t);
}

/// Cells 1..=8 of the 31-bit Montgomery diagonals (BabyBear's and KoalaBear's agree there:
/// `1, 2, 1/2, 3, 4, −1/2, −3, −4`).
#[inline(always)]
fn diag_monty31_head<P: PackedField, const W: usize>(
    s: &mut [P; W],
    sum: P,
    t: &Pow2Table<P::Scalar>,
) {
    s[1] = add_small::<P, 1>(s[1], sum);
    s[2] = add_small::<P, 2>(s[2], sum);
    s[3] = add_inv_2exp::<P, 1, false>(s[3], sum, t);
    s[4] = add_small::<P, 3>(s[4], sum);
    s[5] = add_small::<P, 4>(s[5], sum);
    s[6] = add_inv_2exp::<P, 1, true>(s[6], sum, t);
    s[7] = add_small::<P, -3>(s[7], sum);
    s[8] = add_small::<P, -4>(s[8], sum);
}

#[inline(always)]
fn diag_koalabear_16<P: PackedField>(s: &mut [P; 16], sum: P, t: &Pow2Table<P::Scalar>) {
    diag_monty31_head(s, sum, t);
    s[9] = add_inv_2exp::<P, 8, false>(s[9], sum, t);
    s[10] = add_inv_2exp::<P, 3, false>(s[10], sum, t);
    s[11] = add_inv_2exp::<P, 24, false>(s[11], sum, t);
    s[12] = add_inv_2exp::<P, 8, true>(s[12], sum, t);
    s[13] = add_inv_2exp::<P, 3, true>(s[13], sum, t);
    s[14] = add_inv_2exp::<P, 4, true>(s[14], sum, t);
    s[15] = add_inv_2exp::<P, 24, true>(s[15], sum, t);
}

#[inline(always)]
fn diag_koalabear_24<P: PackedField>(s: &mut [P; 24], sum: P, t: &Pow2Table<P::Scalar>) {
    diag_monty31_head(s, sum, t);
    s[9] = add_inv_2exp::<P, 8, false>(s[9], sum, t);
    s[10] = add_inv_2exp::<P, 2, false>(s[10], sum, t);
    s[11] = add_inv_2exp::<P, 3, false>(s[11], sum, t);
    s[12] = add_inv_2exp::<P, 4, false>(s[12], sum, t);
    s[13] = add_inv_2exp::<P, 5, false>(s[13], sum, t);
    s[14] = add_inv_2exp::<P, 6, false>(s[14], sum, t);
    s[15] = add_inv_2exp::<P, 24, false>(s[15], sum, t);
    s[16] = add_inv_2exp::<P, 8, true>(s[16], sum, t);
    s[17] = add_inv_2exp::<P, 3, true>(s[17], sum, t);
    s[18] = add_inv_2exp::<P, 4, true>(s[18], sum, t);
    s[19] = add_inv_2exp::<P, 5, true>(s[19], sum, t);
    s[20] = add_inv_2exp::<P, 6, true>(s[20], sum, t);
    s[21] = add_inv_2exp::<P, 7, true>(s[21], sum, t);
    s[22] = add_inv_2exp::<P, 9, true>(s[22], sum, t);
    s[23] = add_inv_2exp::<P, 24, true>(s[23], sum, t);
}

#[inline(always)]
fn diag_m31_16<P: PackedField>(s: &mut [P; 16], sum: P, t: &Pow2Table<P::Scalar>) {
    s[1] = add_2exp::<P, 0>(s[1], sum, t);
    s[2] = add_2exp::<P, 1>(s[2], sum, t);
    s[3] = add_2exp::<P, 2>(s[3], sum, t);
    s[4] = add_2exp::<P, 3>(s[4], sum, t);
    s[5] = add_2exp::<P, 4>(s[5], sum, t);
    s[6] = add_2exp::<P, 5>(s[6], sum, t);
    s[7] = add_2exp::<P, 6>(s[7], sum, t);
    s[8] = add_2exp::<P, 7>(s[8], sum, t);
    s[9] = add_2exp::<P, 8>(s[9], sum, t);
    s[10] = add_2exp::<P, 10>(s[10], sum, t);
    s[11] = add_2exp::<P, 12>(s[11], sum, t);
    s[12] = add_2exp::<P, 13>(s[12], sum, t);
    s[13] = add_2exp::<P, 14>(s[13], sum, t);
    s[14] = add_2exp::<P, 15>(s[14], sum, t);
    s[15] = add_2exp::<P, 16>(s[15], sum, t);
}

#[inline(always)]
fn diag_goldilocks_8<P: PackedField>(s: &mut [P; 8], sum: P, t: &Pow2Table<P::Scalar>) {
    s[1] = add_small::<P, 1>(s[1], sum);
    s[2] = add_small::<P, 2>(s[2], sum);
    s[3] = add_inv_2exp::<P, 1, false>(s[3], sum, t);
    s[4] = add_small::<P, 3>(s[4], sum);
    s[5] = add_inv_2exp::<P, 1, true>(s[5], sum, t);
    s[6] = add_small::<P, -3>(s[6], sum);
    s[7] = add_small::<P, -4>(s[7], sum);
}

#[inline(always)]
fn diag_goldilocks_12<P: PackedField>(s: &mut [P; 12], sum: P, t: &Pow2Table<P::Scalar>) {
    s[1] = add_small::<P, 1>(s[1], sum);
    s[2] = add_small::<P, 2>(s[2], sum);
    s[3] = add_inv_2exp::<P, 1, false>(s[3], sum, t);
    s[4] = add_small::<P, 3>(s[4], sum);
    s[5] = add_small::<P, 4>(s[5], sum);
    s[6] = add_inv_2exp::<P, 1, true>(s[6], sum, t);
    s[7] = add_small::<P, -3>(s[7], sum);
    s[8] = add_small::<P, -4>(s[8], sum);
    s[9] = add_inv_2exp::<P, 2, false>(s[9], sum, t);
    s[10] = add_inv_2exp::<P, 2, true>(s[10], sum, t);
    s[11] = add_inv_2exp::<P, 3, false>(s[11], sum, t);
}

/// Multiplication by one diagonal entry.
#[derive(Copy, Clone, Debug)]
enum DiagOp<F> {
    /// `±1`, `±2`, `±3`, `±4`: additions (and a negation).
    Small { k: u8, negate: bool },
    /// Any other value: a field multiplication.
    Mul(F),
}

impl<F: Field> DiagOp<F> {
    fn new(v: F) -> Self {
        for k in 1..=4u8 {
            let kf = F::from_u64(u64::from(k));
            if v == kf {
                return Self::Small { k, negate: false };
            }
            if v == -kf {
                return Self::Small { k, negate: true };
            }
        }
        Self::Mul(v)
    }

    /// `x·v + sum`.
    #[inline(always)]
    fn apply<P: PackedField<Scalar = F>>(self, x: P, sum: P) -> P {
        match self {
            Self::Mul(v) => x * v + sum,
            Self::Small { k, negate } => {
                let kx = match k {
                    1 => x,
                    2 => x + x,
                    3 => x + x + x,
                    _ => {
                        let x2 = x + x;
                        x2 + x2
                    }
                };
                if negate { sum - kx } else { sum + kx }
            }
        }
    }
}

/// `Σ xs` with four interleaved accumulators: dependency chains of about `len / 4` additions
/// instead of `len − 1`, and no recursion (a recursive helper is never inlined, which leaves the
/// state in memory around every call).
#[inline(always)]
fn tree_sum<P: PackedField>(xs: &[P]) -> P {
    let mut acc = [P::default(); 4];
    let mut chunks = xs.chunks_exact(4);
    if let Some(first) = chunks.next() {
        acc = [first[0], first[1], first[2], first[3]];
    }
    for c in &mut chunks {
        for k in 0..4 {
            acc[k] += c[k];
        }
    }
    for (k, &x) in chunks.remainder().iter().enumerate() {
        acc[k] += x;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// `circ(2, 3, 1, 1)` on four cells, with 8 additions (Plonky3's `apply_mat4` chain).
#[inline(always)]
fn mat4<P: PackedField>(x: &mut [P]) {
    let t01 = x[0] + x[1];
    let t23 = x[2] + x[3];
    let t0123 = t01 + t23;
    let t01123 = t0123 + x[1];
    let t01233 = t0123 + x[3];
    // x[1] and x[3] first: they read the old x[0] and x[2].
    x[3] = t01233 + x[0] + x[0];
    x[1] = t01123 + x[2] + x[2];
    x[0] = t01123 + t01;
    x[2] = t01233 + t23;
}

/// The external linear layer `M_E` (WIDTH a multiple of 4).
#[inline(always)]
fn external_linear_layer<P: PackedField, const WIDTH: usize>(state: &mut [P; WIDTH]) {
    for chunk in state.chunks_exact_mut(4) {
        mat4(chunk);
    }
    let mut sums = [state[0], state[1], state[2], state[3]];
    for j in (4..WIDTH).step_by(4) {
        for k in 0..4 {
            sums[k] += state[j + k];
        }
    }
    for i in 0..WIDTH {
        state[i] += sums[i % 4];
    }
}

/// The internal layer of a standard diagonal on cells `1..` (`diag_*`), as a type: the partial
/// rounds call it through a trait method that is `#[inline(always)]`, where a function value
/// (`impl Fn`) would go through an out-of-line `Fn::call` shim — compiled without the
/// `#[target_feature]`s of a run-time-chosen packing's entry point, so every packed operation in
/// it would become a call.
trait DiagLayer<P: PackedField, const W: usize> {
    fn apply(s: &mut [P; W], sum: P, t: &Pow2Table<P::Scalar>);
}

macro_rules! diag_layer {
    ($name:ident, $w:literal, $f:ident) => {
        struct $name;
        impl<P: PackedField> DiagLayer<P, $w> for $name {
            #[inline(always)]
            fn apply(s: &mut [P; $w], sum: P, t: &Pow2Table<P::Scalar>) {
                $f(s, sum, t)
            }
        }
    };
}
diag_layer!(DiagBabyBear16, 16, diag_babybear_16);
diag_layer!(DiagBabyBear24, 24, diag_babybear_24);
diag_layer!(DiagKoalaBear16, 16, diag_koalabear_16);
diag_layer!(DiagKoalaBear24, 24, diag_koalabear_24);
diag_layer!(DiagM31x16, 16, diag_m31_16);
diag_layer!(DiagGoldilocks8, 8, diag_goldilocks_8);
diag_layer!(DiagGoldilocks12, 12, diag_goldilocks_12);

impl<F: Field, const WIDTH: usize> Poseidon2<F, WIDTH> {
    /// Builds a permutation from explicit constants.
    ///
    /// `external_initial` and `external_terminal` hold one row of `WIDTH` constants per full round
    /// (`R_F / 2` each), `internal` one constant per partial round, `internal_diag` the vector `V`
    /// of `M_I = 1 + diag(V)`.
    ///
    /// # Errors
    /// [`HashError::UnsupportedWidth`] unless `WIDTH` is a positive multiple of 4;
    /// [`HashError::UnsupportedSboxDegree`] unless the degree is 3, 5 or 7;
    /// [`HashError::WrongLength`] when the two halves of full rounds differ in number.
    /// The caller is responsible for `gcd(degree, p − 1) = 1` and for `M_I` being invertible.
    pub fn new(
        sbox_degree: u64,
        external_initial: Vec<[F; WIDTH]>,
        internal: Vec<F>,
        external_terminal: Vec<[F; WIDTH]>,
        internal_diag: [F; WIDTH],
    ) -> Result<Self, HashError> {
        if WIDTH == 0 || !WIDTH.is_multiple_of(4) {
            return Err(HashError::UnsupportedWidth { width: WIDTH });
        }
        if !matches!(sbox_degree, 3 | 5 | 7) {
            return Err(HashError::UnsupportedSboxDegree { degree: sbox_degree });
        }
        if external_initial.len() != external_terminal.len() {
            return Err(HashError::WrongLength {
                expected: external_initial.len(),
                got: external_terminal.len(),
            });
        }
        let diag_ops = internal_diag.map(DiagOp::new);
        let kind = InternalKind::detect(&internal_diag);
        let neg_splat = NegSplat::new(&external_initial, &internal, &external_terminal);
        Ok(Self {
            sbox_degree,
            external_initial,
            internal,
            external_terminal,
            internal_diag,
            diag_ops,
            kind,
            pow2: Pow2Table::new(),
            neg_splat,
        })
    }

    /// The S-box degree `α` (the S-box is `x ↦ x^α`).
    pub fn sbox_degree(&self) -> u64 {
        self.sbox_degree
    }

    /// The number of full rounds `R_F` (both halves).
    pub fn n_full_rounds(&self) -> usize {
        2 * self.external_initial.len()
    }

    /// The number of partial rounds `R_P`.
    pub fn n_partial_rounds(&self) -> usize {
        self.internal.len()
    }

    /// The diagonal `V` of the internal matrix `1 + diag(V)`.
    pub fn internal_diag(&self) -> &[F; WIDTH] {
        &self.internal_diag
    }

    /// The round constants of the first `R_F / 2` full rounds, one row per round.
    pub fn external_initial_constants(&self) -> &[[F; WIDTH]] {
        &self.external_initial
    }

    /// The round constants of the partial rounds (added to cell 0), one per round.
    pub fn internal_constants(&self) -> &[F] {
        &self.internal
    }

    /// The round constants of the last `R_F / 2` full rounds, one row per round.
    pub fn external_terminal_constants(&self) -> &[[F; WIDTH]] {
        &self.external_terminal
    }

    /// Permutes `WIDTH` packed cells in place; lane `k` of every cell is state number `k`.
    #[inline]
    pub fn permute_packed_mut<P: PackedField<Scalar = F>>(&self, state: &mut [P; WIDTH]) {
        // One monomorphised body per S-box degree, so the S-box is straight-line code.
        match self.sbox_degree {
            3 => self.permute_packed_inner::<P, 3>(state),
            5 => self.permute_packed_inner::<P, 5>(state),
            _ => self.permute_packed_inner::<P, 7>(state),
        }
    }

    /// [`Poseidon2::permute_packed_mut`], always inlined: for kernels run under a run-time-chosen
    /// packing's `#[target_feature]` entry point ([`Field::with_packing`]).
    #[inline(always)]
    pub(crate) fn permute_packed_inlined<P: PackedField<Scalar = F>>(
        &self,
        state: &mut [P; WIDTH],
    ) {
        match self.sbox_degree {
            3 => self.permute_packed_inner::<P, 3>(state),
            5 => self.permute_packed_inner::<P, 5>(state),
            _ => self.permute_packed_inner::<P, 7>(state),
        }
    }

    #[inline(always)]
    fn permute_packed_inner<P: PackedField<Scalar = F>, const D: u64>(
        &self,
        state: &mut [P; WIDTH],
    ) {
        // On a local copy (see `partial_rounds_with`), aligned to a cache line so that no vector
        // load or spill of it straddles two lines, whatever the caller's alignment.
        let mut local = CacheAligned(*state);
        let s = &mut local.0;
        external_linear_layer(s);
        if uses_neg_splat::<P>() {
            for neg in &self.neg_splat.initial {
                Self::full_round_neg::<P, D>(s, neg);
            }
        } else {
            for rc in &self.external_initial {
                Self::full_round::<P, D>(s, rc);
            }
        }
        self.partial_rounds::<P, D>(s);
        if uses_neg_splat::<P>() {
            for neg in &self.neg_splat.terminal {
                Self::full_round_neg::<P, D>(s, neg);
            }
        } else {
            for rc in &self.external_terminal {
                Self::full_round::<P, D>(s, rc);
            }
        }
        *state = *s;
    }

    /// The `R_P` partial rounds, through the straight-line internal layer of a standard diagonal
    /// when there is one.
    #[inline(always)]
    fn partial_rounds<P: PackedField<Scalar = F>, const D: u64>(&self, state: &mut [P; WIDTH]) {
        match self.kind {
            InternalKind::BabyBear16 => {
                if let Ok(s) = <&mut [P; 16]>::try_from(&mut state[..]) {
                    return self.partial_rounds_with::<P, D, 16, DiagBabyBear16>(s);
                }
            }
            InternalKind::BabyBear24 => {
                if let Ok(s) = <&mut [P; 24]>::try_from(&mut state[..]) {
                    return self.partial_rounds_with::<P, D, 24, DiagBabyBear24>(s);
                }
            }
            InternalKind::KoalaBear16 => {
                if let Ok(s) = <&mut [P; 16]>::try_from(&mut state[..]) {
                    return self.partial_rounds_with::<P, D, 16, DiagKoalaBear16>(s);
                }
            }
            InternalKind::KoalaBear24 => {
                if let Ok(s) = <&mut [P; 24]>::try_from(&mut state[..]) {
                    return self.partial_rounds_with::<P, D, 24, DiagKoalaBear24>(s);
                }
            }
            InternalKind::M31x16 => {
                if let Ok(s) = <&mut [P; 16]>::try_from(&mut state[..]) {
                    return self.partial_rounds_with::<P, D, 16, DiagM31x16>(s);
                }
            }
            InternalKind::Goldilocks8 => {
                if let Ok(s) = <&mut [P; 8]>::try_from(&mut state[..]) {
                    return self.partial_rounds_with::<P, D, 8, DiagGoldilocks8>(s);
                }
            }
            InternalKind::Goldilocks12 => {
                if let Ok(s) = <&mut [P; 12]>::try_from(&mut state[..]) {
                    return self.partial_rounds_with::<P, D, 12, DiagGoldilocks12>(s);
                }
            }
            InternalKind::Generic => {}
        }
        for &rc in &self.internal {
            // The sum of cells 1.. does not depend on the S-box of cell 0, so the two dependency
            // chains overlap.
            let s0 = state[0].add_exp_small::<D>(rc);
            let sum = tree_sum(&state[1..]) + s0;
            state[0] = self.diag_ops[0].apply(s0, sum);
            for i in 1..WIDTH {
                state[i] = self.diag_ops[i].apply(state[i], sum);
            }
        }
    }

    /// Partial rounds with `V_0 = −2` (every standard diagonal) and `diag` doing cells `1..`:
    /// cell 0 becomes `sum − 2·s0 = (Σ_{i>0} s_i) − s0`, one subtraction.
    #[inline(always)]
    fn partial_rounds_with<
        P: PackedField<Scalar = F>,
        const D: u64,
        const W: usize,
        L: DiagLayer<P, W>,
    >(
        &self,
        state: &mut [P; W],
    ) {
        let t = &self.pow2;
        // A local copy: the caller's state is behind a reference, and stores through it are kept
        // round by round; a local array lives in registers (and spill slots) only.
        let mut s = *state;
        if uses_neg_splat::<P>() {
            for neg in &self.neg_splat.internal {
                let s0 = s[0].sub_exp_small::<D>(load_splat::<P>(neg));
                Self::internal_layer::<P, W, L>(&mut s, s0, t);
            }
        } else {
            for &rc in &self.internal {
                let s0 = s[0].add_exp_small::<D>(rc);
                Self::internal_layer::<P, W, L>(&mut s, s0, t);
            }
        }
        *state = s;
    }

    /// The internal layer of one partial round, cell 0 already through its S-box (`s0`).
    #[inline(always)]
    fn internal_layer<P: PackedField<Scalar = F>, const W: usize, L: DiagLayer<P, W>>(
        s: &mut [P; W],
        s0: P,
        t: &Pow2Table<F>,
    ) {
        let rest = tree_sum(&s[1..]);
        let sum = rest + s0;
        s[0] = rest - s0;
        L::apply(s, sum, t);
    }

    #[inline(always)]
    fn full_round<P: PackedField<Scalar = F>, const D: u64>(
        state: &mut [P; WIDTH],
        rc: &[F; WIDTH],
    ) {
        P::add_exp_small_batch::<D>(state, rc);
        external_linear_layer(state);
    }

    /// [`Poseidon2::full_round`] with the negated constants of [`NegSplat`].
    #[inline(always)]
    fn full_round_neg<P: PackedField<Scalar = F>, const D: u64>(
        state: &mut [P; WIDTH],
        neg: &[[F; SPLAT]; WIDTH],
    ) {
        // `P::WIDTH == SPLAT`: the row is `WIDTH` packed values in place.
        P::sub_exp_small_batch::<D>(state, P::pack_slice(neg.as_flattened()));
        external_linear_layer(state);
    }

    /// Permutes one state in place.
    #[inline]
    pub fn permute_mut(&self, state: &mut [F; WIDTH]) {
        self.permute_packed_mut::<F>(state);
    }

    /// The permutation of one state.
    #[inline]
    pub fn permute(&self, mut state: [F; WIDTH]) -> [F; WIDTH] {
        self.permute_mut(&mut state);
        state
    }

    /// Permutes many states in place: one packing's width of states per SIMD pass (the packing
    /// [`Field::with_packing`] picks, at run time for BabyBear and KoalaBear), chunks of them on
    /// Rayon threads. Equal to calling [`Poseidon2::permute_mut`] on each.
    pub fn permute_batch(&self, states: &mut [[F; WIDTH]]) {
        // Enough work per task to amortise Rayon's overhead (64 passes of 16 lanes); each task
        // dispatches on its own, as a Rayon task runs outside the caller's entry point.
        const CHUNK: usize = 16 * 64;
        states.par_chunks_mut(CHUNK).for_each(|chunk| {
            F::with_packing(PermuteBatch { poseidon: self, states: chunk });
        });
    }
}

/// [`Poseidon2::permute_batch`] on one chunk of states, as a [`PackedKernel`]: everything from
/// here to the packed arithmetic is `#[inline(always)]`, so that a run-time-chosen packing's
/// `#[target_feature]` entry point compiles the whole permutation with its features.
struct PermuteBatch<'a, F: Field, const WIDTH: usize> {
    poseidon: &'a Poseidon2<F, WIDTH>,
    states: &'a mut [[F; WIDTH]],
}

impl<F: Field, const WIDTH: usize> PackedKernel<F> for PermuteBatch<'_, F, WIDTH> {
    type Output = ();

    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) {
        let lanes = P::WIDTH;
        let mut groups = self.states.chunks_exact_mut(lanes);
        for group in &mut groups {
            let mut packed: [P; WIDTH] = P::pack_rows(group);
            self.poseidon.permute_packed_inlined::<P>(&mut packed);
            P::unpack_rows(&packed, group);
        }
        for state in groups.into_remainder() {
            self.poseidon.permute_packed_inlined::<F>(state);
        }
    }
}

impl<F: PrimeField64, const WIDTH: usize> Poseidon2<F, WIDTH> {
    /// Builds a permutation whose round constants come from the Grain LFSR of the Poseidon2
    /// reference scripts, seeded with `(field_type = 1, sbox = 0, n = bits(p), t = WIDTH, R_F, R_P)`,
    /// drawn in round order: `R_F / 2` rows of `WIDTH`, then `R_P` single constants, then `R_F / 2`
    /// rows of `WIDTH`. This is how Plonky3 0.8's tables were generated.
    ///
    /// # Errors
    /// As [`Poseidon2::new`]; also [`HashError::UnsupportedWidth`] for an odd `n_full_rounds`.
    pub fn new_grain(
        sbox_degree: u64,
        n_full_rounds: usize,
        n_partial_rounds: usize,
        internal_diag: [F; WIDTH],
    ) -> Result<Self, HashError> {
        if !n_full_rounds.is_multiple_of(2) {
            return Err(HashError::WrongLength { expected: n_full_rounds + 1, got: n_full_rounds });
        }
        let n = F::NUM_BITS;
        let p = F::ORDER_U64;
        let mut grain = Grain::new(GrainSeed {
            field_type: 1,
            sbox: 0,
            n,
            t: WIDTH as u32,
            r_f: n_full_rounds as u32,
            r_p: n_partial_rounds as u32,
        });
        let mut sample = || F::from_u64(grain.next_below_u64(n, p));
        let full_rows = |sample: &mut dyn FnMut() -> F| -> Vec<[F; WIDTH]> {
            (0..n_full_rounds / 2).map(|_| core::array::from_fn(|_| sample())).collect()
        };
        let external_initial = full_rows(&mut sample);
        let internal = (0..n_partial_rounds).map(|_| sample()).collect();
        let external_terminal = full_rows(&mut sample);
        Self::new(sbox_degree, external_initial, internal, external_terminal, internal_diag)
    }
}

/// `num / 2^inv_log2` in `F` (for the diagonals, which Plonky3 picks among small integers and
/// signed inverse powers of two so that multiplying by them is cheap).
fn diag_entry<F: Field>(num: i64, inv_log2: u64) -> F {
    let magnitude = F::from_u64(num.unsigned_abs());
    let value = match F::TWO.inverse() {
        Some(half) => magnitude * half.pow(inv_log2),
        None => magnitude,
    };
    if num < 0 { -value } else { value }
}

fn diag<F: Field, const WIDTH: usize>(spec: [(i64, u64); WIDTH]) -> [F; WIDTH] {
    spec.map(|(num, inv_log2)| diag_entry(num, inv_log2))
}

mod instances {
    use zkprove_field::babybear::BabyBear;
    use zkprove_field::goldilocks::Goldilocks;
    use zkprove_field::koalabear::KoalaBear;
    use zkprove_field::m31::M31;

    use super::{
        Poseidon2, SPEC_BABYBEAR_16, SPEC_BABYBEAR_24, SPEC_GOLDILOCKS_8, SPEC_GOLDILOCKS_12,
        SPEC_KOALABEAR_16, SPEC_KOALABEAR_24, diag, m31_16_diag,
    };

    /// Builds a standard instance; its parameters are fixed and valid, so failure is a bug here.
    fn standard<F: zkprove_field::PrimeField64, const WIDTH: usize>(
        sbox_degree: u64,
        n_partial_rounds: usize,
        internal_diag: [F; WIDTH],
    ) -> Poseidon2<F, WIDTH> {
        match Poseidon2::new_grain(sbox_degree, 8, n_partial_rounds, internal_diag) {
            Ok(p) => p,
            Err(e) => unreachable!("standard Poseidon2 instance rejected: {e}"),
        }
    }

    impl Poseidon2<BabyBear, 16> {
        /// Plonky3's BabyBear width-16 instance: `x^7`, `R_F = 8`, `R_P = 13`,
        /// `V = [−2, 1, 2, 1/2, 3, 4, −1/2, −3, −4, 1/2^8, 1/4, 1/8, 1/2^27, −1/2^8, −1/16, −1/2^27]`.
        pub fn babybear_16() -> Self {
            standard(7, 13, diag(SPEC_BABYBEAR_16))
        }
    }

    impl Poseidon2<BabyBear, 24> {
        /// Plonky3's BabyBear width-24 instance: `x^7`, `R_F = 8`, `R_P = 21`,
        /// `V = [−2, 1, 2, 1/2, 3, 4, −1/2, −3, −4, 1/2^8, 1/4, 1/8, 1/16, 1/2^7, 1/2^9, 1/2^27,
        /// −1/2^8, −1/4, −1/8, −1/16, −1/32, −1/64, −1/2^7, −1/2^27]`.
        pub fn babybear_24() -> Self {
            standard(7, 21, diag(SPEC_BABYBEAR_24))
        }
    }

    impl Poseidon2<KoalaBear, 16> {
        /// Plonky3's KoalaBear width-16 instance: `x^3`, `R_F = 8`, `R_P = 20`,
        /// `V = [−2, 1, 2, 1/2, 3, 4, −1/2, −3, −4, 1/2^8, 1/8, 1/2^24, −1/2^8, −1/8, −1/16, −1/2^24]`.
        pub fn koalabear_16() -> Self {
            standard(3, 20, diag(SPEC_KOALABEAR_16))
        }
    }

    impl Poseidon2<KoalaBear, 24> {
        /// Plonky3's KoalaBear width-24 instance: `x^3`, `R_F = 8`, `R_P = 23`,
        /// `V = [−2, 1, 2, 1/2, 3, 4, −1/2, −3, −4, 1/2^8, 1/4, 1/8, 1/16, 1/32, 1/64, 1/2^24,
        /// −1/2^8, −1/8, −1/16, −1/32, −1/64, −1/2^7, −1/2^9, −1/2^24]`.
        pub fn koalabear_24() -> Self {
            standard(3, 23, diag(SPEC_KOALABEAR_24))
        }
    }

    impl Poseidon2<M31, 16> {
        /// Plonky3's Mersenne-31 width-16 instance: `x^5`, `R_F = 8`, `R_P = 14`,
        /// `V = [−2, 2^0, 2^1, …, 2^8, 2^10, 2^12, 2^13, 2^14, 2^15, 2^16]`.
        pub fn m31_16() -> Self {
            standard(5, 14, m31_16_diag())
        }
    }

    impl Poseidon2<Goldilocks, 8> {
        /// Plonky3's Goldilocks width-8 instance: `x^7`, `R_F = 8`, `R_P = 22`,
        /// `V = [−2, 1, 2, 1/2, 3, −1/2, −3, −4]`.
        pub fn goldilocks_8() -> Self {
            standard(7, 22, diag(SPEC_GOLDILOCKS_8))
        }
    }

    impl Poseidon2<Goldilocks, 12> {
        /// Plonky3's Goldilocks width-12 instance: `x^7`, `R_F = 8`, `R_P = 22`,
        /// `V = [−2, 1, 2, 1/2, 3, 4, −1/2, −3, −4, 1/4, −1/4, 1/8]`.
        pub fn goldilocks_12() -> Self {
            standard(7, 22, diag(SPEC_GOLDILOCKS_12))
        }
    }
}
