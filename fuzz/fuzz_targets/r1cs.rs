//! `.r1cs` reader: no panic, no allocation beyond what the input justifies, and a constraint
//! system that loads has the header's number of constraints, every wire below nWires, a consistent
//! signal count, and can be checked against a witness without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zkprove_circom::R1cs;
use zkprove_circom::encoding::fr_from_bytes;
use zkprove_fuzz::{cursor, with_alloc_budget};

fuzz_target!(|data: &[u8]| {
    let read = with_alloc_budget(data.len(), || R1cs::read_from(cursor(data), "fuzz.r1cs"));
    let Ok(r) = read else { return };

    let h = &r.header;
    assert_eq!(r.constraints.len() as u64, u64::from(h.n_constraints), "nConstraints");
    assert!(
        u64::from(h.n_pub_out) + u64::from(h.n_pub_in) + u64::from(h.n_prv_in)
            < u64::from(h.n_wires),
        "the wires hold the constant one, the public and the private inputs"
    );
    for c in &r.constraints {
        for &(wire, _) in c.a.iter().chain(&c.b).chain(&c.c) {
            assert!(wire < h.n_wires, "wire {wire} of {}", h.n_wires);
        }
    }

    // Checking a witness is an answer, never a panic: too short, then the right length.
    assert!(r.check_witness(&[]).is_err(), "an empty witness cannot fit");
    if h.n_wires <= 1 << 12 {
        // Wire 0 is the constant one, every other wire zero (fr_from_bytes reads little-endian).
        let mut one = [0u8; 32];
        one[0] = 1;
        let one = fr_from_bytes(&one).expect("1 < r");
        let zero = fr_from_bytes(&[0u8; 32]).expect("0 < r");
        let mut w = vec![zero; h.n_wires as usize];
        w[0] = one;
        let _ = r.check_witness(&w);
    }
});
