//! 4-limb Montgomery multiplication with MULX/ADCX/ADOX (BMI2 + ADX) in inline assembly.
//!
//! Same algorithm and bounds as the portable [`super::fp256::mont_mul_unreduced`] (CIOS with the
//! no-carry shortcut, top limb of `p` below `2^64/5`), written so that the two partial-product sums
//! of each step run on the two independent carry flags: ADCX propagates through CF only, ADOX
//! through OF only, and MULX touches no flag. For each word `b[i]`:
//!
//! - product: `t += a·b[i]` — the low halves of `a[j]·b[i]` go into `t[j]` on the OF chain, the
//!   high halves into `t[j+1]` on the CF chain, both chains end in the fifth word `A`;
//! - reduction: `m = t[0]·(−p⁻¹)`, `t = (t + m·p) / 2^64` — low halves on CF, high halves on OF;
//!   the division by `2^64` is a rotation of the five registers (the freed `t[0]` becomes the next
//!   step's fifth word), done by naming, so no `mov` is spent on it.
//!
//! Inline assembly needs no compile-time target feature, so the same binary carries this code and
//! the portable code, and [`crate::cpu::adx`] picks one at run time. Only the instructions of
//! BMI2/ADX are used beyond x86-64 (MULX; ADCX, ADOX).

use core::arch::asm;

/// One step `i ≥ 1`: product then reduction on the registers `t0..t3, a` (names of operands),
/// `b[i]` at byte offset `off`; afterwards the value is in `t1, t2, t3, a` and `t0` is free.
macro_rules! step {
    ($t0:literal, $t1:literal, $t2:literal, $t3:literal, $a:literal, $off:literal) => {
        concat!(
            // A = 0 and CF = OF = 0.
            "xor {",
            $a,
            "}, {",
            $a,
            "}\n",
            "mov rdx, qword ptr [{b} + ",
            $off,
            "]\n",
            "mulx {hi}, {lo}, qword ptr [{x}]\n",
            "adox {",
            $t0,
            "}, {lo}\n",
            "adcx {",
            $t1,
            "}, {hi}\n",
            "mulx {hi}, {lo}, qword ptr [{x} + 8]\n",
            "adox {",
            $t1,
            "}, {lo}\n",
            "adcx {",
            $t2,
            "}, {hi}\n",
            "mulx {hi}, {lo}, qword ptr [{x} + 16]\n",
            "adox {",
            $t2,
            "}, {lo}\n",
            "adcx {",
            $t3,
            "}, {hi}\n",
            "mulx {hi}, {lo}, qword ptr [{x} + 24]\n",
            "adox {",
            $t3,
            "}, {lo}\n",
            "adcx {",
            $a,
            "}, {hi}\n",
            "adox {",
            $a,
            "}, {z}\n",
            reduce!($t0, $t1, $t2, $t3, $a),
        )
    };
}

/// The reduction half of a step: `(t + m·p) / 2^64` with `m = t0·(−p⁻¹)`, `t0` reused as a
/// temporary once its word is known to vanish.
macro_rules! reduce {
    ($t0:literal, $t1:literal, $t2:literal, $t3:literal, $a:literal) => {
        concat!(
            "mov rdx, {",
            $t0,
            "}\n",
            "imul rdx, qword ptr [{p} + 32]\n",
            // Clear CF and OF (imul leaves them defined but not zero).
            "xor {lo}, {lo}\n",
            "mulx {hi}, {lo}, qword ptr [{p}]\n",
            // t0 + lo ≡ 0 mod 2^64: only the carry matters.
            "adcx {",
            $t0,
            "}, {lo}\n",
            "mulx {",
            $t0,
            "}, {lo}, qword ptr [{p} + 8]\n",
            "adcx {",
            $t1,
            "}, {lo}\n",
            "adox {",
            $t1,
            "}, {hi}\n",
            "mulx {hi}, {lo}, qword ptr [{p} + 16]\n",
            "adcx {",
            $t2,
            "}, {lo}\n",
            "adox {",
            $t2,
            "}, {",
            $t0,
            "}\n",
            "mulx {",
            $t0,
            "}, {lo}, qword ptr [{p} + 24]\n",
            "adcx {",
            $t3,
            "}, {lo}\n",
            "adox {",
            $t3,
            "}, {hi}\n",
            "adcx {",
            $a,
            "}, {z}\n",
            "adox {",
            $a,
            "}, {",
            $t0,
            "}\n",
        )
    };
}

/// `a·b·2^−256 mod p` up to one `p` (the contract of the portable `mont_mul_unreduced`).
/// `p_inv` is `[p₀, p₁, p₂, p₃, −p⁻¹ mod 2^64]`.
///
/// # Safety
/// The CPU must support BMI2 and ADX ([`crate::cpu::adx`] says so).
#[inline(always)]
pub(super) unsafe fn mont_mul_unreduced(a: &[u64; 4], b: &[u64; 4], p_inv: &[u64; 5]) -> [u64; 4] {
    let (r0, r1, r2, r4): (u64, u64, u64, u64);
    // SAFETY: the caller guarantees BMI2 and ADX; the block reads 4 words at `a` and `b` and 5 at
    // `p_inv` (all valid references), writes only its declared outputs and the clobbered `rdx`, and
    // touches no stack. Every output is `out` (not `lateout`), so none shares a register with the
    // pointers, which are read until the end.
    unsafe {
        asm!(
            // Step 0: t = a·b[0] into r0..r4 with one ADD/ADC chain.
            "mov rdx, qword ptr [{b}]",
            "mulx {r1}, {r0}, qword ptr [{x}]",
            "mulx {r2}, {lo}, qword ptr [{x} + 8]",
            "add {r1}, {lo}",
            "mulx {r3}, {lo}, qword ptr [{x} + 16]",
            "adc {r2}, {lo}",
            "mulx {r4}, {lo}, qword ptr [{x} + 24]",
            "adc {r3}, {lo}",
            "adc {r4}, 0",
            reduce!("r0", "r1", "r2", "r3", "r4"),
            // Value in r1 r2 r3 r4; r0 is free.
            step!("r1", "r2", "r3", "r4", "r0", "8"),
            step!("r2", "r3", "r4", "r0", "r1", "16"),
            step!("r3", "r4", "r0", "r1", "r2", "24"),
            // Value in r4 r0 r1 r2.
            x = in(reg) a.as_ptr(),
            b = in(reg) b.as_ptr(),
            p = in(reg) p_inv.as_ptr(),
            z = in(reg) 0u64,
            r0 = out(reg) r0,
            r1 = out(reg) r1,
            r2 = out(reg) r2,
            r3 = out(reg) _,
            r4 = out(reg) r4,
            lo = out(reg) _,
            hi = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    [r4, r0, r1, r2]
}
