//! `proof.json` reader: no panic, no allocation beyond what the input justifies, and a proof that
//! parses writes back to JSON that parses as the same proof.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zkprove_circom::Proof;
use zkprove_fuzz::with_alloc_budget;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let read = with_alloc_budget(data.len(), || Proof::from_json(text, "proof.json"));
    let Ok(p) = read else { return };
    let again = Proof::from_json(&p.to_json(), "written proof.json").expect("written proof parses");
    assert_eq!(again, p, "write then read changes the proof");
});
