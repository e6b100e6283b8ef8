//! `verification_key.json` reader: no panic, no allocation beyond what the input justifies, and a
//! key that parses has nPublic + 1 IC points and writes back to JSON that parses as the same key.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zkprove_circom::VerificationKey;
use zkprove_fuzz::with_alloc_budget;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let read =
        with_alloc_budget(data.len(), || VerificationKey::from_json(text, "verification_key.json"));
    let Ok(vk) = read else { return };
    assert_eq!(vk.ic.len() as u64, u64::from(vk.n_public) + 1, "IC vs nPublic");
    let again = VerificationKey::from_json(&vk.to_json(), "written verification_key.json")
        .expect("a written key parses");
    assert_eq!(again, vk, "write then read changes the key");
});
