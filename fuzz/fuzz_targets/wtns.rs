//! `.wtns` reader: no panic, no allocation beyond what the input justifies, and a witness that
//! loads has exactly the header's nWitness values, its values section holds nWitness × n8 bytes,
//! and it writes back to a file that loads as the same witness.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zkprove_circom::Witness;
use zkprove_fuzz::{cursor, le_u32, section, sections, with_alloc_budget};

fuzz_target!(|data: &[u8]| {
    let read = with_alloc_budget(data.len(), || Witness::read_from(cursor(data), "fuzz.wtns"));
    let Ok(w) = read else { return };

    let secs = sections(data, b"wtns").expect("a witness that loads has a well-formed container");
    let header = section(&secs, 1).expect("header section");
    let n8 = le_u32(header, 0).expect("n8") as usize;
    let n_witness = le_u32(header, 4 + n8).expect("nWitness") as usize;
    assert_eq!(w.values.len(), n_witness, "values vs the header's nWitness");
    let values = section(&secs, 2).expect("values section");
    assert_eq!(values.len(), n_witness * n8, "values section size");

    let again =
        Witness::read_from(cursor(&w.to_bytes()), "written.wtns").expect("a written witness loads");
    assert_eq!(again, w, "write then read changes the witness");
});
