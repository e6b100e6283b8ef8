//! Continuations: proving a run longer than one proof covers, as a chain of segments.
//!
//! One multi-table proof ([`crate::prove`]) covers at most about 2^16–2^17 cycles at 100 bits
//! (the LogUp term, see the security section there). [`prove_segments`] splits the run into
//! segments of `2^log_cycles` cycles ([`SegmentConfig`]), proves each with the same AIR prover
//! (one [`VmProof`] per segment, its own transcript) and links them by their boundary state;
//! [`verify_segments`] checks the chain.
//!
//! # What a segment proves
//! Segment `k` covers cycles `(c_k, c_{k+1}]` (`c_0 = 0`). Its statement: from the boundary
//! state `B_k` — pc, clock `c_k`, the 32 registers, the values of the RAM words it touches,
//! output position `pos_k` — the machine runs to `B_{k+1}`, writing the output bytes
//! `[pos_k, pos_{k+1})`; the last segment ends in the exiting `ecall` with the exit code.
//! The tables are the whole-run tables of [`crate::prove`] with three changes:
//! - **CPU**: its public values gain the start clock and whether the segment is the last; the
//!   first row has `pc = start pc` and `clk = start_clk + 1`, so timestamps (`4·clk + slot`)
//!   and the output chain's clock order are the run's, global. A non-final segment's last
//!   real row is flagged `IS_END` (the exit is forbidden there, `IS_END` in the last one): it
//!   closes the `outpos` chain like the exit does and sends `(next_pc, output position, clk)`
//!   on a `segend` bus, received by the verifier's public tuple `(end pc, pos_{k+1},
//!   c_{k+1})` — so the published end pc and clock are the last row's (`c_{k+1} − c_k` real
//!   rows). The output chain starts at `(pos_k, c_k)`.
//! - **Registers**: initial values sent at `ts0 = 4·c_k`, final values preprocessed (public).
//! - **Boundary** (replaces the image and RAM tables): one preprocessed row `(word, init_lo,
//!   init_hi, fin_lo, fin_hi)` per RAM word the segment touches, sending `(1, word, init, ts0)`
//!   and receiving `(1, word, fin, ts_final)` with `ts_final` a witness column. The memory
//!   argument of each segment is closed on its own; segments are linked only through values
//!   the verifier holds.
//!
//! The verifier keeps the running state: the memory (the ELF image, zero above it, then each
//! segment's published final values), the registers, pc, clock and output position. For each
//! segment it supplies the initial values itself (the prover only lists the touched words'
//! addresses and final values), and checks that the addresses strictly increase (no word
//! twice), that each is a word a proof may touch (in the image, or in `[base, limit)` above it
//! — the same rule as the RAM table's), and that text words keep their value. It then updates
//! its state with the published end pc, clock, output position, registers and words. The
//! final segment is verified with the exit tuple `(code, output length)`.
//!
//! Because the boundary is public, a segmented proof reveals the registers at each boundary
//! and the addresses and values of the words each segment touches (the input read into memory
//! included): like the single proof, it is **not zero-knowledge** (the private input is only
//! "not sent"); the statement is still "this ELF, on some input, wrote exactly these bytes
//! and exited with this status".
//!
//! The last segment's clock `c_n` (the run's cycles) is the prover's claim: its exit row does
//! not publish a clock, and nothing depends on it.
//!
//! # Why this design
//! - The AIR prover, its tables and the backends are unchanged: each segment is an ordinary
//!   multi-table proof, so [`prove_segments_on`] runs on any [`AirOps`] backend (a GPU) and
//!   segments could be proved in parallel or on several devices (not done yet: one after the
//!   other, one segment's traces in memory at a time).
//! - Public boundaries instead of a recursive or accumulated memory argument: simplest sound
//!   link, at the price of revealing the touched words and of a proof that grows with the
//!   number of segments (one ~0.3–0.5 MB proof each, plus 8 bytes per touched word).
//! - Timestamps stay global so that every range check of the memory argument (`ts − prev − 1
//!   < 2^24`) and of the output chain is the single proof's: within a segment all gaps are
//!   below `4·2^20`. The whole run is limited to [`MAX_RUN_CYCLES`] (`4·clk` stays far below
//!   the field's 2^30.9), refused after a plain run before any trace is built.
//!
//! # Security
//! Each segment's transcript starts with the ELF's bytes (as the single proof's), then a
//! domain tag, the segment's index, the number of segments and the whole public boundary
//! (start pc, clock and output position, registers before and after, every listed word with
//! its values before and after, end pc, clock and position); the AIR prover then absorbs the
//! tables' public values and public tuples (the output bytes, the exit code). Every segment's
//! set-up computes its own bound and refuses one below 100 bits, as for a single proof. The
//! whole run is accepted only if every segment is; a false claim about the run makes at least
//! one segment's statement false (the verifier links the boundaries itself), so the run's
//! soundness error is at most the **sum over segments** (a union bound): `n` segments at `b`
//! bits each give at least `b − log2 n` bits for the run (e.g. 2^16-cycle segments at ≥ 100
//! bits each: ≥ 94 bits for 2^22 cycles, and ≥ 100 − log2 n in general). The per-segment bits
//! are [`SegmentedRun::bits`].

use std::collections::HashMap;

use zkprove_air::{AirOps, AirProfile};
use zkprove_field::Field;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_poly::CpuBackend;

use crate::elf::Program;
use crate::prove::{
    Close, Layout, ProveError, SegStart, VmProof, VmTranscript, image_words, log2_rows, prover,
    public_at, ram_bounds, segment_tables, traces_at, transcript,
};

type F = BabyBear;

/// The longest run [`prove_segments`] proves: 2^25 cycles (the repo's `sort` runs 23.7 M).
/// Timestamps `4·clk + 3 < 2^28` stay far below the field; the executor's trace of such a run
/// (28 bytes a cycle) is under 1 GiB.
pub const MAX_RUN_CYCLES: u64 = 1 << 25;
/// The largest segment: 2^20 cycles (memory-argument gaps `< 4·2^20 < 2^24`; the set-up's
/// security check refuses far smaller ones anyway).
pub const MAX_LOG_SEGMENT: u32 = 20;
/// The default segment: 2^16 cycles, the largest power of two whose segments keep ≥ 100 bits
/// for every program: measured 101.0 bits for sha256 (CPU, bytes and MulDiv tables); a MulDiv
/// table as tall as the CPU's costs about half a bit more, still above 100. 2^17 gives 100.3
/// bits for sha256 (accepted, half the segments and proof size) but would fall below 100 for
/// a run of mostly M instructions, which the set-up then refuses (`--segment-log 17` to try).
pub const DEFAULT_LOG_SEGMENT: u32 = 16;

/// How a run is split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentConfig {
    /// log2 of the cycles per segment (2..=[`MAX_LOG_SEGMENT`]; the last segment may be
    /// shorter).
    pub log_cycles: u32,
    /// The longest run to prove (at most [`MAX_RUN_CYCLES`]; longer runs are refused with
    /// [`ProveError::TooManyCycles`] before any trace is built).
    pub max_cycles: u64,
}

impl Default for SegmentConfig {
    fn default() -> Self {
        SegmentConfig { log_cycles: DEFAULT_LOG_SEGMENT, max_cycles: MAX_RUN_CYCLES }
    }
}

impl SegmentConfig {
    /// Segments of `2^log_cycles` cycles, the default run limit.
    #[must_use]
    pub fn with_log_cycles(log_cycles: u32) -> Self {
        SegmentConfig { log_cycles, ..Self::default() }
    }
}

/// One segment's public end state and its proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The pc the next segment starts at (0 for the last segment).
    pub end_pc: u32,
    /// The clock at the segment's end (cycles so far).
    pub end_clk: u32,
    /// The output position at the segment's end.
    pub end_pos: u64,
    /// The registers at the segment's end.
    pub regs: [u32; 32],
    /// The RAM words the segment touches, `(word index, final value)`, strictly increasing.
    pub words: Vec<(u32, u32)>,
    /// The segment's proof.
    pub proof: VmProof,
}

/// A proof of a run as a chain of segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentedProof {
    /// The segments in order.
    pub segments: Vec<Segment>,
}

/// A run proved in segments.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentedRun {
    /// The exit code.
    pub exit_code: u32,
    /// The public output.
    pub output: Vec<u8>,
    /// Cycles.
    pub cycles: u64,
    /// The proof.
    pub proof: SegmentedProof,
    /// The lowest security level of a segment's proof, in bits (the run's: see the module
    /// docs).
    pub bits: f64,
    /// Where the time went, added up over the segments (`"trace"`: execution and traces).
    pub profile: AirProfile,
}

/// [`prove_segments_on`] on the CPU.
///
/// # Errors
/// As [`prove_segments_on`].
pub fn prove_segments(
    elf: &[u8],
    input: &[u8],
    config: &SegmentConfig,
) -> Result<SegmentedRun, ProveError> {
    prove_segments_on::<CpuBackend>(elf, input, config)
}

/// Proves a run of `elf` on `input` in segments (see the module docs), the AIR prover on
/// backend `B`; the proof is the same whatever the backend.
///
/// # Errors
/// As [`crate::prove::prove`]; [`ProveError::TooManyCycles`] for a run longer than
/// `config.max_cycles` (or [`MAX_RUN_CYCLES`]), checked by a plain run before any trace;
/// [`ProveError::Config`] for a segment size out of range; [`ProveError::Air`] for a segment
/// the set-up refuses (below the security target: use smaller segments).
pub fn prove_segments_on<B: AirOps<F, BabyBearExt4>>(
    elf: &[u8],
    input: &[u8],
    config: &SegmentConfig,
) -> Result<SegmentedRun, ProveError> {
    if !(2..=MAX_LOG_SEGMENT).contains(&config.log_cycles) {
        return Err(ProveError::Config { what: "segment size out of 2^2..=2^20 cycles" });
    }
    let program = Program::from_elf(elf)?;
    let cycles = crate::run(&program, input)?.exit.cycles;
    let max = config.max_cycles.min(MAX_RUN_CYCLES);
    if cycles > max {
        return Err(ProveError::TooManyCycles { cycles, max });
    }
    let started = std::time::Instant::now();
    let trace = crate::run_traced(&program, input)?;
    let mut traced = started.elapsed();
    let output = trace.run.output;
    let exit_code = trace.run.exit.code;
    let chunks: Vec<&[crate::Step]> = trace.steps.chunks(1 << config.log_cycles).collect();
    let n = chunks.len();
    let prover = prover()?;
    let mut state = SegStart::initial(&program);
    let mut pc = program.entry;
    let mut mem: HashMap<u32, u32> = HashMap::new();
    let mut segments = Vec::with_capacity(n);
    let mut profile = AirProfile::default();
    let mut bits = f64::INFINITY;
    for (k, steps) in chunks.iter().enumerate() {
        let last = k + 1 == n;
        let t0 = std::time::Instant::now();
        let (tr, end) =
            traces_at(&program, steps, input, &state, &Layout::Segment { mem: &mem, last })?;
        traced += t0.elapsed();
        let end_clk = state.clk + steps.len() as u32;
        let end_pc = if last { 0 } else { chunks[k + 1][0].pc };
        let close = if last {
            Close::Exit { code: exit_code, len: output.len() as u64 }
        } else {
            Close::End { pc: end_pc, pos: end.out_pos, clk: end_clk }
        };
        let tables = segment_tables(
            &program,
            pc,
            state.clk,
            last,
            (state.regs, end.regs),
            end.words.clone(),
        );
        let slice = output
            .get(state.out_pos as usize..end.out_pos as usize)
            .ok_or(ProveError::ProofShape { what: "output positions" })?;
        let public = public_at(state.clk, state.out_pos, slice, close);
        let log_rows: Vec<usize> = tr.iter().map(zkprove_air::Trace::log_rows).collect();
        bits = bits.min(prover.achieved_bits_tables(&tables, &log_rows, &public)?);
        let bound = Bound { index: k, count: n, start_pc: pc, start: &state, words: &end.words };
        let mut t = segment_transcript(elf, &bound, (end_pc, end_clk, end.out_pos, &end.regs))?;
        let (proof, p) =
            prover.prove_tables_on::<B, _, 16, 8>(&tables, &tr, &public, &mut t, true)?;
        add_profile(&mut profile, &p);
        mem.extend(end.words.iter().map(|&(w, _, v)| (w, v)));
        segments.push(Segment {
            end_pc,
            end_clk,
            end_pos: end.out_pos,
            regs: end.regs,
            words: end.words.iter().map(|&(w, _, v)| (w, v)).collect(),
            proof,
        });
        state = SegStart {
            regs: end.regs,
            clk: end_clk,
            out_pos: end.out_pos,
            input_pos: end.input_pos,
        };
        pc = end_pc;
    }
    profile.phases.insert(0, ("trace", traced));
    Ok(SegmentedRun {
        exit_code,
        output,
        cycles,
        proof: SegmentedProof { segments },
        bits,
        profile,
    })
}

fn add_profile(acc: &mut AirProfile, p: &AirProfile) {
    acc.uploads += p.uploads;
    acc.upload_bytes += p.upload_bytes;
    acc.downloads += p.downloads;
    acc.download_bytes += p.download_bytes;
    for &(name, d) in &p.phases {
        match acc.phases.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += d,
            None => acc.phases.push((name, d)),
        }
    }
}

/// A segment's place and start, and the words it touches `(word, initial, final)`.
struct Bound<'a> {
    index: usize,
    count: usize,
    start_pc: u32,
    start: &'a SegStart,
    words: &'a [(u32, u32, u32)],
}

/// A segment's transcript: the ELF, a domain tag, and the whole public boundary (see the
/// module docs, "Security"); `end` is `(pc, clock, output position, registers)`.
fn segment_transcript(
    elf: &[u8],
    b: &Bound<'_>,
    end: (u32, u32, u64, &[u32; 32]),
) -> Result<VmTranscript, ProveError> {
    let Bound { index, count, start_pc, start, words } = *b;
    let mut t = transcript(elf)?;
    let mut word = |v: u64| {
        t.observe(F::from_u64(v & 0xffff));
        t.observe(F::from_u64((v >> 16) & 0xffff));
        t.observe(F::from_u64(v >> 32));
    };
    for &b in b"zkprove-vm-segment-v1" {
        word(u64::from(b));
    }
    for v in [index as u64, count as u64, u64::from(start_pc), u64::from(start.clk), start.out_pos]
    {
        word(v);
    }
    for &r in start.regs.iter().chain(end.3) {
        word(u64::from(r));
    }
    word(words.len() as u64);
    for &(w, init, fin) in words {
        for v in [w, init, fin] {
            word(u64::from(v));
        }
    }
    for v in [u64::from(end.0), u64::from(end.1), end.2] {
        word(v);
    }
    Ok(t)
}

/// Checks that `proof` shows a run of `elf` that wrote `output` and exited with `exit_code`
/// (see the module docs for what the verifier checks itself).
///
/// # Errors
/// [`ProveError::Load`] for an ELF that does not load; [`ProveError::ProofShape`] for a chain
/// that does not fit (no segment, clocks or positions out of order, a listed word out of
/// order, outside the provable memory or a changed text word, table heights); [`ProveError::Air`]
/// for a rejected segment proof.
pub fn verify_segments(
    elf: &[u8],
    proof: &SegmentedProof,
    output: &[u8],
    exit_code: u32,
) -> Result<(), ProveError> {
    let program = Program::from_elf(elf)?;
    let image: std::collections::BTreeMap<u32, u32> = image_words(&program).into_iter().collect();
    let (base, limit) = ram_bounds(&program, &image);
    let text = (program.text_start / 4, program.text_end() / 4);
    let prover = prover()?;
    let n = proof.segments.len();
    if n == 0 {
        return Err(ProveError::ProofShape { what: "no segment" });
    }
    let mut state = SegStart::initial(&program);
    let mut pc = program.entry;
    let mut mem: HashMap<u32, u32> = HashMap::new();
    for (k, seg) in proof.segments.iter().enumerate() {
        let last = k + 1 == n;
        let cycles = u64::from(seg.end_clk).checked_sub(u64::from(state.clk));
        if !cycles.is_some_and(|c| (1..=1 << MAX_LOG_SEGMENT).contains(&c))
            || u64::from(seg.end_clk) > MAX_RUN_CYCLES
        {
            return Err(ProveError::ProofShape { what: "segment clocks" });
        }
        if seg.end_pos < state.out_pos
            || seg.end_pos > output.len() as u64
            || (last && seg.end_pos != output.len() as u64)
        {
            return Err(ProveError::ProofShape { what: "segment output positions" });
        }
        let mut words = Vec::with_capacity(seg.words.len());
        let mut prev = None;
        for &(w, fin) in &seg.words {
            if prev.is_some_and(|p| w <= p) {
                return Err(ProveError::ProofShape { what: "boundary words out of order" });
            }
            prev = Some(w);
            let init = match mem.get(&w) {
                Some(&v) => v,
                None if image.contains_key(&w) => image[&w],
                None if w >= base && w < limit => 0,
                None => {
                    return Err(ProveError::ProofShape { what: "boundary word outside memory" });
                }
            };
            if (text.0..text.1).contains(&w) && fin != init {
                return Err(ProveError::ProofShape { what: "boundary changes a text word" });
            }
            words.push((w, init, fin));
        }
        let tables =
            segment_tables(&program, pc, state.clk, last, (state.regs, seg.regs), words.clone());
        check_heights(&seg.proof, &tables, words.len())?;
        let close = if last {
            Close::Exit { code: exit_code, len: output.len() as u64 }
        } else {
            Close::End { pc: seg.end_pc, pos: seg.end_pos, clk: seg.end_clk }
        };
        let slice = &output[state.out_pos as usize..seg.end_pos as usize];
        let public = public_at(state.clk, state.out_pos, slice, close);
        let bound = Bound { index: k, count: n, start_pc: pc, start: &state, words: &words };
        let mut t =
            segment_transcript(elf, &bound, (seg.end_pc, seg.end_clk, seg.end_pos, &seg.regs))?;
        prover.verify_tables(&tables, &public, &seg.proof, &mut t)?;
        mem.extend(words.iter().map(|&(w, _, v)| (w, v)));
        state = SegStart { regs: seg.regs, clk: seg.end_clk, out_pos: seg.end_pos, input_pos: 0 };
        pc = seg.end_pc;
    }
    Ok(())
}

/// The segment's table heights: the program, registers, range, boundary and bytes tables'
/// are fixed, the others at most 2^22 (the CPU's at most a segment).
fn check_heights(
    proof: &VmProof,
    tables: &[crate::prove::VmTable],
    n_words: usize,
) -> Result<(), ProveError> {
    use crate::prove::VmTable as T;
    let ok = proof.log_rows.len() == tables.len()
        && tables.iter().zip(&proof.log_rows).all(|(t, &n)| match t {
            T::Cpu { .. } => n <= MAX_LOG_SEGMENT as usize,
            T::Program { rows } => n == log2_rows(rows.len()),
            T::Registers { .. } => n == 5,
            T::Range | T::Bytes => n == 16,
            T::Boundary { .. } => n == log2_rows(n_words),
            _ => n <= 22,
        });
    if ok { Ok(()) } else { Err(ProveError::ProofShape { what: "table heights" }) }
}

/// The file format's first bytes (then a `u32` version, [`FORMAT_VERSION`]).
pub const MAGIC: &[u8; 8] = b"ZKVMSEGS";
/// The format version [`SegmentedProof::to_bytes`] writes: 2 since 2026-12-08 (WHIR's schedule
/// for the zkVM changed, [`crate::prove::VM_FOLDING_FACTOR`]: the layout of the bytes is the
/// same, but a version-1 proof cannot verify, so it is refused as a file of another version).
pub const FORMAT_VERSION: u32 = 2;

impl SegmentedProof {
    /// The proof's bytes: [`MAGIC`], the version, the number of segments, then per segment
    /// its end pc, clock (`u32`), output position (`u64`), 32 registers, the number of words
    /// and `(word, value)` pairs (`u32` each), the segment proof's length (`u64`) and bytes
    /// (`zkprove_air`'s codec); little-endian throughout.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        let u32le = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
        u32le(&mut out, FORMAT_VERSION);
        u32le(&mut out, self.segments.len() as u32);
        for s in &self.segments {
            u32le(&mut out, s.end_pc);
            u32le(&mut out, s.end_clk);
            out.extend_from_slice(&s.end_pos.to_le_bytes());
            for &r in &s.regs {
                u32le(&mut out, r);
            }
            u32le(&mut out, s.words.len() as u32);
            for &(w, v) in &s.words {
                u32le(&mut out, w);
                u32le(&mut out, v);
            }
            let p = s.proof.to_bytes();
            out.extend_from_slice(&(p.len() as u64).to_le_bytes());
            out.extend_from_slice(&p);
        }
        out
    }

    /// Whether `bytes` start like a segmented proof (else it may be a single proof).
    #[must_use]
    pub fn is_segmented(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }

    /// Reads [`SegmentedProof::to_bytes`]'s format.
    ///
    /// # Errors
    /// [`ProveError::ProofFile`] for another magic or version, truncated bytes (naming what
    /// was being read), a malformed segment proof, or trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProveError> {
        let mut r = Reader { bytes, pos: 0 };
        let magic = r.take(8, "magic").map_err(|_| ProveError::ProofFile {
            what: "not a zkprove segmented proof (too short)".into(),
        })?;
        if magic != MAGIC {
            return Err(ProveError::ProofFile {
                what: format!(
                    "not a zkprove segmented proof (magic {magic:?}, expected {MAGIC:?})"
                ),
            });
        }
        let version = r.u32("version")?;
        if version != FORMAT_VERSION {
            return Err(ProveError::ProofFile {
                what: format!(
                    "segmented proof format version {version}, expected {FORMAT_VERSION}"
                ),
            });
        }
        let n = r.u32("segment count")? as usize;
        // Each segment takes at least 152 bytes: no allocation beyond the file's size.
        let mut segments = Vec::with_capacity(n.min(bytes.len() / 152));
        for k in 0..n {
            let end_pc = r.u32("segment end pc")?;
            let end_clk = r.u32("segment end clock")?;
            let end_pos = r.u64("segment output position")?;
            let mut regs = [0u32; 32];
            for reg in &mut regs {
                *reg = r.u32("segment registers")?;
            }
            let m = r.u32("segment word count")? as usize;
            let mut words = Vec::with_capacity(m.min(bytes.len() / 8));
            for _ in 0..m {
                words.push((r.u32("segment words")?, r.u32("segment words")?));
            }
            let len = r.u64("segment proof length")?;
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            let p = r.take(len, "segment proof")?;
            let proof = VmProof::from_bytes(p)
                .map_err(|e| ProveError::ProofFile { what: format!("segment {k} of {n}: {e}") })?;
            segments.push(Segment { end_pc, end_clk, end_pos, regs, words, proof });
        }
        if r.pos != bytes.len() {
            return Err(ProveError::ProofFile {
                what: format!("{} trailing bytes after the last segment", bytes.len() - r.pos),
            });
        }
        Ok(SegmentedProof { segments })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ProveError> {
        let left = self.bytes.len() - self.pos;
        if n > left {
            return Err(ProveError::ProofFile {
                what: format!(
                    "truncated proof: {what} needs {n} bytes at offset {}, {left} left",
                    self.pos
                ),
            });
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn u32(&mut self, what: &str) -> Result<u32, ProveError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &str) -> Result<u64, ProveError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIB: &[u8] = include_bytes!("../programs/fib.elf");
    const SIEVE: &[u8] = include_bytes!("../programs/sieve.elf");
    const MEM: &[u8] = include_bytes!("../programs/mem.elf");
    const IO: &[u8] = include_bytes!("../programs/io.elf");

    /// Proves `elf` on `input` in segments of `2^log` cycles, checks the public part against a
    /// plain run, and verifies the proof (also after a round trip through its bytes).
    fn prove_small(elf: &[u8], input: &[u8], log: u32) -> SegmentedRun {
        let expected = crate::run(&Program::from_elf(elf).expect("elf"), input).expect("run");
        let run = prove_segments(elf, input, &SegmentConfig::with_log_cycles(log)).expect("prove");
        assert_eq!(run.output, expected.output);
        assert_eq!(run.exit_code, expected.exit.code);
        assert_eq!(run.cycles, expected.exit.cycles);
        assert_eq!(run.proof.segments.len() as u64, run.cycles.div_ceil(1 << log));
        assert!(run.bits >= 100.0, "{}", run.bits);
        verify_segments(elf, &run.proof, &run.output, run.exit_code).expect("verify");
        let back = SegmentedProof::from_bytes(&run.proof.to_bytes()).expect("decode");
        assert_eq!(back, run.proof);
        run
    }

    fn rejected(elf: &[u8], proof: &SegmentedProof, output: &[u8], code: u32) -> bool {
        verify_segments(elf, proof, output, code).is_err()
    }

    #[test]
    fn small_segments_prove_and_verify() {
        for (elf, input, log) in
            [(FIB, vec![6u8], 11), (SIEVE, 60u32.to_le_bytes().to_vec(), 8), (MEM, vec![], 4)]
        {
            let run = prove_small(elf, &input, log);
            assert!(run.proof.segments.len() >= 3, "{}", run.proof.segments.len());
        }
    }

    #[test]
    fn output_written_across_segments_and_tampering_rejected() {
        // io.S writes three times in 29 cycles: segments of 4 cycles split the writes.
        let run = prove_small(IO, &[], 2);
        let p = &run.proof;
        let n = p.segments.len();
        let positions: Vec<u64> = p.segments.iter().map(|s| s.end_pos).collect();
        let writing =
            positions.windows(2).filter(|w| w[1] > w[0]).count() + usize::from(positions[0] > 0);
        assert!(writing >= 2, "{positions:?}");
        let (out, code) = (&run.output, run.exit_code);
        let edit = |f: &dyn Fn(&mut SegmentedProof)| {
            let mut q = p.clone();
            f(&mut q);
            q
        };
        // The claimed output or exit code changed.
        let mut o = out.clone();
        o[3] ^= 1;
        assert!(rejected(IO, p, &o, code));
        assert!(rejected(IO, p, &out[..out.len() - 1], code));
        assert!(rejected(IO, p, out, code ^ 1));
        for k in 0..n {
            let s = &p.segments[k];
            // Each segment's published final values, registers, end pc, clock, position.
            for j in 0..s.words.len() {
                assert!(rejected(IO, &edit(&|q| q.segments[k].words[j].1 ^= 1), out, code));
            }
            let r = s.regs.iter().position(|&v| v != 0).unwrap_or(1);
            assert!(rejected(IO, &edit(&|q| q.segments[k].regs[r] ^= 4), out, code));
            assert!(rejected(IO, &edit(&|q| q.segments[k].end_pc += 4), out, code) || k + 1 == n);
            if k + 1 < n {
                assert!(rejected(IO, &edit(&|q| q.segments[k].end_clk += 1), out, code));
                assert!(rejected(IO, &edit(&|q| q.segments[k].end_pos ^= 1), out, code));
                // A word left out of, or added to, the boundary.
                if !s.words.is_empty() {
                    assert!(rejected(
                        IO,
                        &edit(&|q| {
                            q.segments[k].words.pop();
                        }),
                        out,
                        code
                    ));
                }
                let w = s.words.last().map_or(0x4000, |w| w.0 + 1);
                assert!(rejected(IO, &edit(&|q| q.segments[k].words.push((w, 0))), out, code));
            }
            // A segment dropped.
            assert!(rejected(IO, &edit(&|q| drop(q.segments.remove(k))), out, code));
        }
        // Two segments swapped.
        assert!(rejected(IO, &edit(&|q| q.segments.swap(1, 2)), out, code));
        // Every byte of a segment's proof: a sample of positions across it.
        let bytes = p.to_bytes();
        let first = p.segments[0].proof.to_bytes().len();
        let seg_start = 8 + 4 + 4 + (4 + 4 + 8 + 128 + 4 + 8 * p.segments[0].words.len() + 8);
        for i in (0..first).step_by(first / 23) {
            let mut b = bytes.clone();
            b[seg_start + i] ^= 0x01;
            let ok = SegmentedProof::from_bytes(&b)
                .is_ok_and(|q| verify_segments(IO, &q, out, code).is_ok());
            assert!(!ok, "byte {i} of segment 0's proof");
        }
    }

    #[test]
    fn segments_from_another_run_are_rejected() {
        let input = |n: u32| n.to_le_bytes().to_vec();
        let a = prove_small(SIEVE, &input(60), 9);
        let b = prove_small(SIEVE, &input(61), 9);
        assert_eq!(a.proof.segments.len(), b.proof.segments.len());
        for k in 0..a.proof.segments.len() {
            let mut q = a.proof.clone();
            q.segments[k] = b.proof.segments[k].clone();
            if q != a.proof {
                assert!(rejected(SIEVE, &q, &a.output, a.exit_code), "segment {k}");
            }
        }
        // Another program's proof.
        assert!(rejected(FIB, &a.proof, &a.output, a.exit_code));
    }

    #[test]
    fn file_format_errors_are_named() {
        let run = prove_small(MEM, &[], 5);
        let bytes = run.proof.to_bytes();
        for cut in [0, 5, 12, 20, 100, bytes.len() / 2, bytes.len() - 1] {
            let e = SegmentedProof::from_bytes(&bytes[..cut]).expect_err("truncated");
            let msg = e.to_string();
            assert!(msg.contains("truncated") || msg.contains("too short"), "{cut}: {msg}");
        }
        let mut b = bytes.clone();
        b.push(0);
        assert!(SegmentedProof::from_bytes(&b).unwrap_err().to_string().contains("trailing"));
        let mut b = bytes.clone();
        b[8] = 9;
        assert!(SegmentedProof::from_bytes(&b).unwrap_err().to_string().contains("version"));
        // Version 1 (WHIR's earlier schedule for the zkVM) is refused by its version.
        b[8] = 1;
        assert!(SegmentedProof::from_bytes(&b).unwrap_err().to_string().contains("version 1"));
        let e = SegmentedProof::from_bytes(MEM).unwrap_err().to_string();
        assert!(e.contains("not a zkprove segmented proof"), "{e}");
        assert!(!SegmentedProof::is_segmented(MEM) && SegmentedProof::is_segmented(&bytes));
    }

    #[test]
    fn limits_are_checked_before_tracing() {
        let config = SegmentConfig { log_cycles: 8, max_cycles: 1000 };
        match prove_segments(SIEVE, &60u32.to_le_bytes(), &config) {
            Err(ProveError::TooManyCycles { cycles: 1049, max: 1000 }) => {}
            other => panic!("{:?}", other.map(|r| r.cycles)),
        }
        for log in [0, 1, 21] {
            let config = SegmentConfig::with_log_cycles(log);
            assert!(matches!(prove_segments(MEM, &[], &config), Err(ProveError::Config { .. })));
        }
    }

    /// A run the single proof refuses (over 2^16 cycles) proves with the default segments.
    #[test]
    fn long_run_proves_with_default_segments() {
        let input = 6000u32.to_le_bytes();
        assert!(matches!(
            crate::prove::prove(SIEVE, &input),
            Err(ProveError::TooManyCycles { .. })
        ));
        let run = prove_small(SIEVE, &input, DEFAULT_LOG_SEGMENT);
        assert_eq!(run.proof.segments.len(), 2);
    }
}
