//! Decimal ⇄ little-endian byte conversion for [`crate::PrimeField`] (snarkjs writes field
//! elements as decimal strings in JSON). Schoolbook base conversion on 32-bit limbs: these values
//! are at most a few hundred bits, so quadratic time is nothing.

use crate::FieldError;

/// The decimal string of the unsigned integer with the given little-endian bytes.
pub(crate) fn le_bytes_to_decimal(bytes: &[u8]) -> String {
    // Little-endian u32 limbs.
    let mut limbs: Vec<u32> = bytes
        .chunks(4)
        .map(|c| c.iter().rev().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
        .collect();
    let mut digits = Vec::new();
    while limbs.iter().any(|&l| l != 0) {
        // Divide by 10^9, most significant limb first.
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        let mut chunk = rem as u32;
        for _ in 0..9 {
            digits.push(b'0' + (chunk % 10) as u8);
            chunk /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    digits.reverse();
    digits.into_iter().map(char::from).collect()
}

/// Parses a decimal string into `out` (little-endian), which must be zeroed.
pub(crate) fn decimal_to_le_bytes(s: &str, out: &mut [u8]) -> Result<(), FieldError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::InvalidDecimal { value: s.to_owned() });
    }
    for d in s.bytes() {
        // out = out * 10 + d
        let mut carry = u32::from(d - b'0');
        for byte in out.iter_mut() {
            let cur = u32::from(*byte) * 10 + carry;
            *byte = cur as u8;
            carry = cur >> 8;
        }
        if carry != 0 {
            return Err(FieldError::NotCanonical { value: s.to_owned() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "0",
            "1",
            "9",
            "10",
            "4294967296",
            "21888242871839275222246405745257275088548364400416034343698204186575808495617",
        ] {
            let mut bytes = [0u8; 32];
            decimal_to_le_bytes(s, &mut bytes).unwrap();
            assert_eq!(le_bytes_to_decimal(&bytes), s);
        }
    }

    #[test]
    fn rejects_bad_input() {
        let mut bytes = [0u8; 4];
        assert!(decimal_to_le_bytes("", &mut bytes).is_err());
        assert!(decimal_to_le_bytes("12a", &mut [0u8; 4]).is_err());
        assert!(decimal_to_le_bytes("-1", &mut [0u8; 4]).is_err());
        assert!(decimal_to_le_bytes("4294967296", &mut [0u8; 4]).is_err());
        assert!(decimal_to_le_bytes("4294967295", &mut [0u8; 4]).is_ok());
    }
}
