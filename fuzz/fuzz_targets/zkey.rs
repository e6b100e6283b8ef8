//! `.zkey` reader: no panic, no allocation beyond what the input justifies, the header-only
//! readers agree with the full one, a key that loads has every section's length as its header
//! says, and it writes back to a file that loads as the same key.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zkprove_circom::{G1Query, Zkey, ZkeyInfo, ZkeyReader};
use zkprove_fuzz::{cursor, with_alloc_budget};

fuzz_target!(|data: &[u8]| {
    let info = with_alloc_budget(data.len(), || ZkeyInfo::read_from(cursor(data), "fuzz.zkey"));
    let read = with_alloc_budget(data.len(), || Zkey::read_from(cursor(data), "fuzz.zkey"));
    let Ok(z) = read else { return };

    let info = info.expect("a key that loads has readable headers");
    assert_eq!(info.header, z.header, "ZkeyInfo vs Zkey header");
    assert_eq!(info.n_coeffs as usize, z.coeffs.len(), "nCoeffs");
    let h = &z.header;
    assert!(h.domain_size.is_power_of_two(), "domain size {}", h.domain_size);
    assert!(h.n_public < h.n_vars, "nPublic {} < nVars {}", h.n_public, h.n_vars);
    assert_eq!(z.ic.len(), h.n_public as usize + 1, "IC");
    assert_eq!(z.a.len(), h.n_vars as usize, "A");
    assert_eq!(z.b1.len(), h.n_vars as usize, "B1");
    assert_eq!(z.b2.len(), h.n_vars as usize, "B2");
    assert_eq!(z.c.len(), h.n_private(), "C");
    assert_eq!(z.h.len(), h.domain_size as usize, "H");
    for c in z.coeffs.iter() {
        assert!(c.signal < h.n_vars, "coefficient signal {}", c.signal);
        assert!(c.constraint < h.domain_size, "coefficient constraint {}", c.constraint);
    }

    // One section at a time, in another order, gives the same sections.
    let mut r = ZkeyReader::new(cursor(data), "fuzz.zkey").expect("headers read twice");
    assert_eq!(r.g1_query(G1Query::H).expect("H again"), z.h);
    assert_eq!(r.b2().expect("B2 again"), z.b2);
    assert_eq!(r.ic().expect("IC again"), z.ic);

    let bytes = z.to_bytes().expect("a key that loads can be written");
    assert_eq!(bytes.len() as u64, z.file_size() + 12 + zkprove_circom::EMPTY_CONTRIBUTIONS_BYTES);
    let again = Zkey::read_from(cursor(&bytes), "written.zkey").expect("a written key loads");
    assert_eq!(again, z, "write then read changes the key");
});
