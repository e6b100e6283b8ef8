//! `public.json` reader: no panic, no allocation beyond what the input justifies, and signals that
//! parse write back to JSON that parses as the same signals.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zkprove_circom::{public_signals_from_json, public_signals_to_json};
use zkprove_fuzz::with_alloc_budget;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let read = with_alloc_budget(data.len(), || public_signals_from_json(text, "public.json"));
    let Ok(signals) = read else { return };
    let again = public_signals_from_json(&public_signals_to_json(&signals), "written public.json")
        .expect("written signals parse");
    assert_eq!(again, signals, "write then read changes the signals");
});
