//! Shared helpers of the fuzz targets in `fuzz_targets/`: an allocation budget that turns any
//! allocation the input does not justify into a crash, and an independent reader of the iden3
//! "binfile" section table, to check what a reader returns against the bytes it was given.

use std::alloc::System;
use std::io::Cursor;
use std::sync::Once;

use cap::Cap;

/// Every allocation of a fuzz target goes through this counting allocator, so that
/// [`with_alloc_budget`] can cap what a reader may allocate.
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

static LIFT_ON_PANIC: Once = Once::new();

/// Bytes a reader may allocate whatever its input: labels, error messages, rayon's bookkeeping.
pub const BUDGET_FIXED: usize = 4 << 20;

/// Bytes a reader may allocate per input byte. The largest in-memory expansion of the formats is
/// an r1cs constraint with three empty linear combinations: 12 bytes in the file, 72 in a
/// `Constraint`; 16× leaves room for a vector's capacity growing past its length.
pub const BUDGET_PER_INPUT_BYTE: usize = 16;

/// Runs `f` (which reads `input_len` bytes of fuzz input) with every allocation it makes capped at
/// `BUDGET_FIXED + BUDGET_PER_INPUT_BYTE · input_len` bytes beyond what is already allocated. An
/// allocation past the cap fails, which aborts the process: libFuzzer reports the input as a
/// crash. So a small input claiming a huge section must be refused before anything is allocated.
pub fn with_alloc_budget<T>(input_len: usize, f: impl FnOnce() -> T) -> T {
    LIFT_ON_PANIC.call_once(|| {
        // A panic inside `f` must be reported, not turned into a hang: printing its message and
        // backtrace allocates, so lift the cap before libFuzzer's hook (which aborts) runs.
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = ALLOCATOR.set_limit(usize::MAX);
            report(info);
        }));
    });
    let budget = BUDGET_FIXED.saturating_add(input_len.saturating_mul(BUDGET_PER_INPUT_BYTE));
    let limit = ALLOCATOR.allocated().saturating_add(budget);
    // Cannot fail: the limit is above what is allocated now.
    let _ = ALLOCATOR.set_limit(limit);
    let out = f();
    let _ = ALLOCATOR.set_limit(usize::MAX);
    out
}

/// A seekable reader over the fuzz input, as the readers take.
pub fn cursor(data: &[u8]) -> Cursor<&[u8]> {
    Cursor::new(data)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

/// A binfile's section table, read independently of `zkprove-circom`: `(id, payload)` in file
/// order, or `None` if the container is malformed (wrong magic, truncated table or payload).
pub fn sections<'a>(data: &'a [u8], magic: &[u8; 4]) -> Option<Vec<(u32, &'a [u8])>> {
    if data.get(..4)? != magic {
        return None;
    }
    let n = u32_at(data, 8)?;
    let mut pos = 12usize;
    let mut out = Vec::new();
    for _ in 0..n {
        let id = u32_at(data, pos)?;
        let size = usize::try_from(u64_at(data, pos + 4)?).ok()?;
        let start = pos + 12;
        let end = start.checked_add(size)?;
        out.push((id, data.get(start..end)?));
        pos = end;
    }
    Some(out)
}

/// The payload of the section `id` (the first one with that id).
pub fn section<'a>(sections: &[(u32, &'a [u8])], id: u32) -> Option<&'a [u8]> {
    sections.iter().find(|(i, _)| *i == id).map(|(_, p)| *p)
}

/// The `u32` at byte `at` of a section payload.
pub fn le_u32(payload: &[u8], at: usize) -> Option<u32> {
    u32_at(payload, at)
}
