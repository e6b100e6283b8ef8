//! The Grain LFSR that the Poseidon and Poseidon2 reference scripts
//! (`generate_parameters_grain.sage`, and Plonky3's `poseidon2/generate_constants.py` which follows
//! it) use to derive round constants from the instance parameters.
//!
//! An 80-bit shift register is seeded with the bits of `(field_type: 2, sbox: 4, n: 12, t: 12,
//! R_F: 10, R_P: 10)`, most significant bit first, followed by thirty ones; it is clocked 160 times
//! and the output discarded. After that, output bits come in pairs `(a, b)`: `b` is kept when `a = 1`
//! and dropped otherwise. A field element is `n` kept bits read as a big-endian integer, resampled
//! while it is not below `p`.

/// The Grain self-shrinking generator, seeded from a Poseidon instance's parameters.
#[derive(Clone, Debug)]
pub(crate) struct Grain {
    /// Bit `i` of the register is bit `i` of this integer; bit 0 is the oldest.
    state: u128,
}

/// The parameters that seed the register.
#[derive(Copy, Clone, Debug)]
pub(crate) struct GrainSeed {
    /// 1 for a prime field.
    pub(crate) field_type: u32,
    /// 0 for `x^α`, 1 for `x^{-1}`.
    pub(crate) sbox: u32,
    /// Bit length of `p`.
    pub(crate) n: u32,
    /// State width.
    pub(crate) t: u32,
    /// Number of full rounds.
    pub(crate) r_f: u32,
    /// Number of partial rounds.
    pub(crate) r_p: u32,
}

impl Grain {
    /// Seeds the register and discards the first 160 bits.
    pub(crate) fn new(seed: GrainSeed) -> Self {
        let fields = [
            (seed.field_type, 2),
            (seed.sbox, 4),
            (seed.n, 12),
            (seed.t, 12),
            (seed.r_f, 10),
            (seed.r_p, 10),
        ];
        let mut state = 0u128;
        let mut pos = 0;
        for (value, width) in fields {
            for k in (0..width).rev() {
                state |= u128::from((value >> k) & 1) << pos;
                pos += 1;
            }
        }
        while pos < 80 {
            state |= 1u128 << pos;
            pos += 1;
        }
        let mut grain = Self { state };
        for _ in 0..160 {
            grain.clock();
        }
        grain
    }

    /// One step: `b₈₀ = b₆₂ ⊕ b₅₁ ⊕ b₃₈ ⊕ b₂₃ ⊕ b₁₃ ⊕ b₀`, shift, return the new bit.
    #[inline]
    fn clock(&mut self) -> u64 {
        let s = self.state;
        let bit = ((s >> 62) ^ (s >> 51) ^ (s >> 38) ^ (s >> 23) ^ (s >> 13) ^ s) & 1;
        self.state = (s >> 1) | (bit << 79);
        bit as u64
    }

    /// The next kept output bit.
    #[inline]
    fn next_bit(&mut self) -> u64 {
        loop {
            let a = self.clock();
            let b = self.clock();
            if a == 1 {
                return b;
            }
        }
    }

    /// `n ≤ 64` output bits as a big-endian integer.
    pub(crate) fn next_bits_u64(&mut self, n: u32) -> u64 {
        (0..n).fold(0u64, |acc, _| (acc << 1) | self.next_bit())
    }

    /// An integer of `n` bits below `modulus`, by rejection.
    pub(crate) fn next_below_u64(&mut self, n: u32, modulus: u64) -> u64 {
        loop {
            let v = self.next_bits_u64(n);
            if v < modulus {
                return v;
            }
        }
    }

    /// `n ≤ 256` output bits as a big-endian integer, returned as little-endian 64-bit limbs.
    pub(crate) fn next_bits_limbs(&mut self, n: u32) -> [u64; 4] {
        let mut limbs = [0u64; 4];
        for _ in 0..n {
            let bit = self.next_bit();
            // Shift the 256-bit value left by one and add the bit.
            for i in (1..4).rev() {
                limbs[i] = (limbs[i] << 1) | (limbs[i - 1] >> 63);
            }
            limbs[0] = (limbs[0] << 1) | bit;
        }
        limbs
    }
}
