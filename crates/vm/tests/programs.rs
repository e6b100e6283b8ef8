//! Loading, execution and QEMU as the oracle: the committed C programs and random RV32IM
//! programs run by zkprove and by `qemu-riscv32` give the same output bytes and exit status.
//!
//! Without `qemu-riscv32` the oracle tests print why they did not compare and pass, unless
//! `ZKPROVE_REQUIRE_QEMU=1` (scripts/test.sh sets it), where they fail.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_vm::decode::{ALL_OPS, Op, decode};
use zkprove_vm::{ExecError, LoadError, Program, VmConfig, run, run_traced};

// ---------------------------------------------------------------- encoders and an ELF writer

fn r_type(f7: u32, rs2: u32, rs1: u32, f3: u32, rd: u32, opc: u32) -> u32 {
    (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc
}
fn i_type(imm: i32, rs1: u32, f3: u32, rd: u32, opc: u32) -> u32 {
    (((imm as u32) & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc
}
fn s_type(imm: i32, rs2: u32, rs1: u32, f3: u32) -> u32 {
    let imm = imm as u32;
    (((imm >> 5) & 0x7f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (f3 << 12)
        | ((imm & 0x1f) << 7)
        | 0x23
}
fn b_type(imm: i32, rs2: u32, rs1: u32, f3: u32) -> u32 {
    let imm = imm as u32;
    (((imm >> 12) & 1) << 31)
        | (((imm >> 5) & 0x3f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (f3 << 12)
        | (((imm >> 1) & 0xf) << 8)
        | (((imm >> 11) & 1) << 7)
        | 0x63
}
fn u_type(imm: u32, rd: u32, opc: u32) -> u32 {
    (imm & 0xffff_f000) | (rd << 7) | opc
}
fn j_type(imm: i32, rd: u32) -> u32 {
    let imm = imm as u32;
    (((imm >> 20) & 1) << 31)
        | (((imm >> 1) & 0x3ff) << 21)
        | (((imm >> 11) & 1) << 20)
        | (((imm >> 12) & 0xff) << 12)
        | (rd << 7)
        | 0x6f
}
/// `li rd, v` as `lui` + `addi`.
fn li(code: &mut Vec<u32>, rd: u32, v: u32) {
    let hi = v.wrapping_add(0x800) & 0xffff_f000;
    code.push(u_type(hi, rd, 0x37));
    code.push(i_type(v.wrapping_sub(hi) as i32, rd, 0, rd, 0x13));
}
const ECALL: u32 = 0x73;

const TEXT: u32 = 0x1_0000;
const DATA: u32 = 0x2_0000;

/// A static ELF32 RISC-V executable: text at `TEXT` (R+X), data at `DATA` (R+W, `data` then
/// zeros up to `data_mem` bytes).
fn elf(code: &[u32], data: &[u8], data_mem: u32) -> Vec<u8> {
    elf_custom(code, data, data_mem, |_| {})
}

fn elf_custom(
    code: &[u32],
    data: &[u8],
    data_mem: u32,
    patch: impl FnOnce(&mut Vec<u8>),
) -> Vec<u8> {
    let text: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    let text_off = 0x1000u32;
    let data_off = (text_off + text.len() as u32).next_multiple_of(0x1000);
    let mut f = Vec::new();
    f.extend_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let h16 = |f: &mut Vec<u8>, v: u16| f.extend_from_slice(&v.to_le_bytes());
    let h32 = |f: &mut Vec<u8>, v: u32| f.extend_from_slice(&v.to_le_bytes());
    h16(&mut f, 2); // ET_EXEC
    h16(&mut f, 243); // EM_RISCV
    h32(&mut f, 1);
    h32(&mut f, TEXT); // entry
    h32(&mut f, 52); // phoff
    h32(&mut f, 0); // shoff
    h32(&mut f, 0); // flags
    h16(&mut f, 52);
    h16(&mut f, 32);
    h16(&mut f, 2);
    h16(&mut f, 40);
    h16(&mut f, 0);
    h16(&mut f, 0);
    for (off, vaddr, filesz, memsz, flags) in [
        (text_off, TEXT, text.len() as u32, text.len() as u32, 5u32),
        (data_off, DATA, data.len() as u32, data_mem, 6u32),
    ] {
        for v in [1, off, vaddr, vaddr, filesz, memsz, flags, 0x1000] {
            h32(&mut f, v);
        }
    }
    f.resize(text_off as usize, 0);
    f.extend_from_slice(&text);
    f.resize(data_off as usize, 0);
    f.extend_from_slice(data);
    patch(&mut f);
    f
}

// ---------------------------------------------------------------- QEMU

/// `Some(())` when `qemu-riscv32` runs; `None` (with the reason printed) when it is missing and
/// not required; a failure when `ZKPROVE_REQUIRE_QEMU=1`.
fn qemu_available() -> Option<()> {
    let ok =
        Command::new("qemu-riscv32").arg("--version").output().is_ok_and(|o| o.status.success());
    if ok {
        return Some(());
    }
    let required = std::env::var("ZKPROVE_REQUIRE_QEMU").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "ZKPROVE_REQUIRE_QEMU=1 but qemu-riscv32 does not run (apt-get install qemu-user)"
    );
    eprintln!(
        "SKIPPED: qemu-riscv32 is not installed (Debian package qemu-user); no oracle comparison"
    );
    None
}

/// Runs an ELF under qemu-riscv32 with `input` on stdin: (stdout, exit status).
fn qemu(elf_bytes: &[u8], input: &[u8]) -> (Vec<u8>, u8) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("prog.elf");
    std::fs::write(&path, elf_bytes).expect("write elf");
    // qemu-riscv32 refuses (silently, status 1) to load a file without execute permission.
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let in_path = dir.path().join("input.bin");
    std::fs::write(&in_path, input).expect("write input");
    let out = Command::new("qemu-riscv32")
        .arg(&path)
        .stdin(Stdio::from(std::fs::File::open(&in_path).expect("open input")))
        .stderr(Stdio::piped())
        .output()
        .expect("run qemu-riscv32");
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "qemu-riscv32 killed by a signal: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        out.stderr.is_empty(),
        "qemu-riscv32 wrote to stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.stdout, code as u8)
}

fn programs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("programs")
}

fn load(name: &str) -> (Vec<u8>, Program) {
    let bytes = std::fs::read(programs_dir().join(name)).expect("committed program");
    let p = Program::from_elf(&bytes).expect("loads");
    (bytes, p)
}

// ---------------------------------------------------------------- loading

#[test]
fn rejects_foreign_truncated_and_wrong_files() {
    let good = elf(&[i_type(0, 0, 0, 10, 0x13), i_type(93, 0, 0, 17, 0x13), ECALL], &[], 16);
    assert!(Program::from_elf(&good).is_ok());
    assert!(matches!(Program::from_elf(b"#!/bin/sh\necho hi\n"), Err(LoadError::NotElf { .. })));
    assert!(matches!(Program::from_elf(&[]), Err(LoadError::NotElf { .. })));
    assert!(matches!(Program::from_elf(&good[..20]), Err(LoadError::Malformed { .. })));
    // Program headers past the end of the file.
    assert!(matches!(Program::from_elf(&good[..60]), Err(LoadError::Malformed { .. })));
    let mut g = good.clone();
    g[4] = 2;
    assert!(matches!(Program::from_elf(&g), Err(LoadError::WrongClass { class: 64 })));
    let mut g = good.clone();
    g[5] = 2;
    assert_eq!(Program::from_elf(&g).unwrap_err(), LoadError::WrongEndianness);
    let mut g = good.clone();
    g[18] = 62; // EM_X86_64
    assert_eq!(Program::from_elf(&g).unwrap_err(), LoadError::WrongMachine { machine: 62 });
    let mut g = good.clone();
    g[16] = 3; // ET_DYN
    assert_eq!(Program::from_elf(&g).unwrap_err(), LoadError::NotExecutable { e_type: 3 });
    let mut g = good.clone();
    g[36] = 1; // EF_RISCV_RVC
    assert!(matches!(Program::from_elf(&g), Err(LoadError::UnsupportedFlags { flags: 1 })));
    // A data segment reaching into the stack.
    let big = elf_custom(&[ECALL], &[], 16, |f| {
        let memsz = VmConfig::default().stack_bottom() - DATA + 4;
        f[52 + 32 + 20..52 + 32 + 24].copy_from_slice(&memsz.to_le_bytes());
    });
    assert!(matches!(
        Program::from_elf(&big),
        Err(LoadError::SegmentOutsideMemory { vaddr: DATA, .. })
    ));
    // Segment file range past the end of the file.
    let cut = elf(&[ECALL], &[1, 2, 3, 4], 16);
    assert!(matches!(Program::from_elf(&cut[..cut.len() - 2]), Err(LoadError::Malformed { .. })));
    // A stack below 1 MiB is refused.
    let small = VmConfig { stack_size: 4096, ..VmConfig::default() };
    assert!(matches!(Program::from_elf_with(&good, small), Err(LoadError::BadConfig { .. })));
}

#[test]
fn committed_programs_load_with_sp_at_the_stack_top() {
    for name in ["sha256.elf", "sort.elf", "sieve.elf", "fib.elf"] {
        let (_, p) = load(name);
        assert!(
            p.text_start >= 0x1_0000 && p.entry >= p.text_start && p.entry < p.text_end(),
            "{name}"
        );
        let m = zkprove_vm::Machine::new(&p, &[]);
        assert_eq!(m.regs[2], p.config.mem_size);
        assert!(p.config.stack_size >= 1 << 20);
        assert_eq!(
            p.code[((p.entry - p.text_start) / 4) as usize].op,
            Op::Auipc,
            "{name}: _start sets gp"
        );
    }
}

// ---------------------------------------------------------------- execution errors

fn run_code(code: &[u32]) -> Result<zkprove_vm::RunOutput, ExecError> {
    let p = Program::from_elf(&elf(code, &[0; 64], 4096)).expect("loads");
    run(&p, &[])
}

#[test]
fn execution_errors_name_pc_and_instruction() {
    let t = TEXT;
    // Illegal word (a compressed `c.nop` pair is not RV32IM).
    assert_eq!(
        run_code(&[0x0001_0001]).unwrap_err(),
        ExecError::IllegalInstruction { pc: t, word: 0x0001_0001 }
    );
    // ebreak and a CSR read are illegal too.
    assert!(matches!(run_code(&[0x0010_0073]), Err(ExecError::IllegalInstruction { .. })));
    assert!(matches!(run_code(&[0xc000_2573]), Err(ExecError::IllegalInstruction { .. })));
    // Unsupported system call.
    let mut c = Vec::new();
    li(&mut c, 17, 222); // mmap
    c.push(ECALL);
    assert_eq!(run_code(&c).unwrap_err(), ExecError::UnsupportedSyscall { pc: t + 8, number: 222 });
    // write to fd 2.
    let mut c = Vec::new();
    li(&mut c, 10, 2);
    li(&mut c, 17, 64);
    c.push(ECALL);
    assert!(matches!(
        run_code(&c),
        Err(ExecError::BadFileDescriptor { fd: 2, syscall: "write", .. })
    ));
    // Misaligned load.
    let mut c = Vec::new();
    li(&mut c, 5, DATA + 2);
    c.push(i_type(0, 5, 2, 6, 0x03)); // lw x6, 0(x5)
    let e = run_code(&c).unwrap_err();
    assert!(
        matches!(e, ExecError::MisalignedAccess { pc, addr, .. } if pc == t + 8 && addr == DATA + 2),
        "{e}"
    );
    assert!(e.to_string().contains("lw"), "{e}");
    // Store into the text.
    let mut c = Vec::new();
    li(&mut c, 5, TEXT);
    c.push(s_type(0, 0, 5, 2));
    assert!(matches!(run_code(&c), Err(ExecError::StoreToText { addr: TEXT, .. })));
    // Access outside memory.
    let mut c = Vec::new();
    li(&mut c, 5, 0x4000_0000);
    c.push(i_type(0, 5, 2, 6, 0x03));
    assert!(matches!(run_code(&c), Err(ExecError::AccessOutsideMemory { addr: 0x4000_0000, .. })));
    // Jump outside the text, and a misaligned jump.
    assert!(
        matches!(run_code(&[j_type(0x1000, 0)]), Err(ExecError::JumpOutsideText { pc, .. }) if pc == t)
    );
    let mut c = Vec::new();
    li(&mut c, 5, TEXT + 2);
    c.push(i_type(0, 5, 0, 0, 0x67));
    assert!(
        matches!(run_code(&c), Err(ExecError::MisalignedJump { target, .. }) if target == TEXT + 2)
    );
    // Falling off the end of the text.
    assert_eq!(run_code(&[0x13]).unwrap_err(), ExecError::PcOutsideText { pc: t + 4 });
    // An endless loop hits the cycle limit.
    let p = Program::from_elf_with(
        &elf(&[j_type(0, 0)], &[], 16),
        VmConfig { max_cycles: 1000, ..VmConfig::default() },
    )
    .expect("loads");
    assert_eq!(run(&p, &[]).unwrap_err(), ExecError::CycleLimit { pc: t, cycles: 1000 });
}

#[test]
fn m_extension_edge_cases_and_x0() {
    use zkprove_vm::decode::alu;
    let min = i32::MIN as u32;
    assert_eq!(alu(Op::Div, 7, 0), Some(u32::MAX));
    assert_eq!(alu(Op::Divu, 7, 0), Some(u32::MAX));
    assert_eq!(alu(Op::Rem, 7, 0), Some(7));
    assert_eq!(alu(Op::Remu, 7, 0), Some(7));
    assert_eq!(alu(Op::Div, min, u32::MAX), Some(min));
    assert_eq!(alu(Op::Rem, min, u32::MAX), Some(0));
    assert_eq!(alu(Op::Mulh, u32::MAX, u32::MAX), Some(0));
    assert_eq!(alu(Op::Mulhsu, u32::MAX, u32::MAX), Some(u32::MAX));
    assert_eq!(alu(Op::Mulhu, u32::MAX, u32::MAX), Some(0xffff_fffe));
    assert_eq!(alu(Op::Sll, 1, 33), Some(2));
    assert_eq!(alu(Op::Sra, min, 63), Some(u32::MAX));
    // x0 stays zero: addi x0, x0, 5; add a0, x0, x0; exit(a0).
    let mut c = vec![i_type(5, 0, 0, 0, 0x13), r_type(0, 0, 0, 0, 10, 0x33)];
    li(&mut c, 17, 93);
    c.push(ECALL);
    let out = run_code(&c).expect("runs");
    assert_eq!(out.exit.code, 0);
    assert_eq!(out.exit.cycles, 5);
}

// ---------------------------------------------------------------- the committed programs

#[test]
fn committed_programs_match_qemu() {
    let le = |v: u32| v.to_le_bytes().to_vec();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("sha256.elf", Vec::new()),
        ("sha256.elf", (0..4096u32).map(|i| (i * 7 + 3) as u8).collect()),
        ("sha256.elf", b"abc".to_vec()),
        ("sort.elf", Vec::new()),
        ("sort.elf", le(777)),
        ("sieve.elf", le(100_000)),
        ("fib.elf", Vec::new()),
        ("fib.elf", vec![20]),
        ("mem.elf", Vec::new()),
        ("alu.elf", Vec::new()),
        ("io.elf", Vec::new()),
    ];
    let have_qemu = qemu_available().is_some();
    for (name, input) in &cases {
        let (bytes, p) = load(name);
        let ours = run(&p, input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let traced = run_traced(&p, input).expect("traced run");
        assert_eq!(traced.run, ours, "{name}: traced and fast runs differ");
        assert_eq!(traced.steps.len() as u64, ours.exit.cycles);
        let mut buf = zkprove_vm::TraceBuffer::default();
        for _ in 0..2 {
            assert_eq!(zkprove_vm::run_traced_into(&p, input, &mut buf).expect("runs"), ours);
            assert_eq!((&buf.steps, &buf.io), (&traced.steps, &traced.io));
        }
        if have_qemu {
            let (out, status) = qemu(&bytes, input);
            assert_eq!(
                String::from_utf8_lossy(&ours.output),
                String::from_utf8_lossy(&out),
                "{name} ({} input bytes): output differs from qemu",
                input.len()
            );
            assert_eq!(ours.exit.status(), status, "{name}: exit status differs from qemu");
        }
    }
    // Known answers, independent of QEMU: SHA-256("abc"), fib(25), primes below 100000.
    let (_, p) = load("sha256.elf");
    assert_eq!(
        run(&p, b"abc").expect("runs").output,
        b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
    );
    let (_, p) = load("fib.elf");
    let out = run(&p, &[]).expect("runs");
    assert!(String::from_utf8_lossy(&out.output).contains("fib=00012511"));
    assert_eq!(out.exit.status(), (75025 & 0xff) as u8);
    let (_, p) = load("sieve.elf");
    let out = run(&p, &le(100_000)).expect("runs");
    assert!(String::from_utf8_lossy(&out.output).contains("primes=00002578")); // 9592
}

// ---------------------------------------------------------------- random programs

const EDGE: [u32; 8] = [0, 1, u32::MAX, 0x8000_0000, 0x7fff_ffff, 7, (-7i32) as u32, 0x8000_0001];

/// Registers random code may write: not x0 (allowed, but rare), x29 (loop counter), x30
/// (address scratch).
fn rd_pick(rng: &mut StdRng) -> u32 {
    if rng.random_ratio(1, 40) {
        return 0;
    }
    loop {
        let r = rng.random_range(1..32);
        if r != 29 && r != 30 {
            return r;
        }
    }
}

/// One random instruction that falls through (ALU, M, upper immediates, loads, stores, fence).
fn plain(rng: &mut StdRng, code: &mut Vec<u32>) {
    let rs1 = rng.random_range(0..32);
    let rs2 = rng.random_range(0..32);
    let rd = rd_pick(rng);
    match rng.random_range(0..10) {
        0..=3 => {
            let (f7, f3) = [
                (0, 0),
                (0x20, 0),
                (0, 1),
                (0, 2),
                (0, 3),
                (0, 4),
                (0, 5),
                (0x20, 5),
                (0, 6),
                (0, 7),
                (1, 0),
                (1, 1),
                (1, 2),
                (1, 3),
                (1, 4),
                (1, 5),
                (1, 6),
                (1, 7),
            ][rng.random_range(0..18)];
            code.push(r_type(f7, rs2, rs1, f3, rd, 0x33));
        }
        4..=5 => {
            let f3 = [0, 2, 3, 4, 6, 7, 1, 5, 5][rng.random_range(0..9)];
            let imm: i32 = match f3 {
                1 => rng.random_range(0..32),
                5 => rng.random_range(0..32) | if rng.random_bool(0.5) { 0x400 } else { 0 },
                _ => [rng.random_range(-2048..2048), -1, 0, 2047, -2048][rng.random_range(0..5)],
            };
            code.push(i_type(imm, rs1, f3, rd, 0x13));
        }
        6 => code.push(u_type(rng.random(), rd, if rng.random_bool(0.5) { 0x37 } else { 0x17 })),
        7 => {
            // Load from the data area: x30 = DATA, then an aligned offset.
            let f3 = [0, 1, 2, 4, 5][rng.random_range(0..5)];
            let align = [1, 2, 4, 1, 2][[0, 1, 2, 4, 5].iter().position(|&x| x == f3).unwrap_or(0)];
            let off = rng.random_range(0..1024) / align * align;
            code.push(u_type(DATA, 30, 0x37));
            code.push(i_type(off, 30, f3, rd, 0x03));
        }
        8 => {
            let f3 = rng.random_range(0..3);
            let off = rng.random_range(0..1024) / (1 << f3) * (1 << f3);
            code.push(u_type(DATA, 30, 0x37));
            code.push(s_type(off, rs2, 30, f3 as u32));
        }
        _ => code.push(if rng.random_bool(0.2) {
            0x0ff0_000f
        } else {
            r_type(1, rs2, rs1, rng.random_range(4..8), rd, 0x33)
        }),
    }
}

/// A random program: registers set to edge and random values, an edge block for the M extension,
/// straight-line code with forward branches and jumps, counted loops, then every register
/// written to fd 1 (through the data area) and `exit(x1 & 0xff)`.
fn random_program(rng: &mut StdRng, len: usize) -> Vec<u32> {
    let mut code = Vec::new();
    for r in 1..32 {
        let v =
            if rng.random_bool(0.4) { EDGE[rng.random_range(0..EDGE.len())] } else { rng.random() };
        li(&mut code, r, v);
    }
    // Every M operation on every pair of edge operands, results stored at DATA + 0x1000...
    let mut slot = 0;
    for f3 in 0..8 {
        for &a in &EDGE[..6] {
            for &b in &EDGE[..6] {
                li(&mut code, 5, a);
                li(&mut code, 6, b);
                code.push(r_type(1, 6, 5, f3, 7, 0x33));
                code.push(u_type(DATA + 0x1000, 30, 0x37));
                code.push(s_type(slot, 7, 30, 2));
                slot += 4;
            }
        }
    }
    while code.len() < len {
        match rng.random_range(0..12) {
            0 => {
                // Forward branch over 1–2 instructions.
                let skip = rng.random_range(1..3);
                let f3 = [0, 1, 4, 5, 6, 7][rng.random_range(0..6)];
                code.push(b_type(
                    4 * (skip + 1),
                    rng.random_range(0..32),
                    rng.random_range(0..32),
                    f3,
                ));
                for _ in 0..skip {
                    code.push(r_type(
                        0,
                        rng.random_range(0..32),
                        rng.random_range(0..32),
                        0,
                        rd_pick(rng),
                        0x33,
                    ));
                }
            }
            1 => {
                // jal over one instruction; jalr through auipc.
                code.push(j_type(8, rd_pick(rng)));
                code.push(r_type(0, 1, 2, 0, rd_pick(rng), 0x33));
                code.push(u_type(0, 30, 0x17));
                code.push(i_type(12, 30, 0, rd_pick(rng), 0x67));
                code.push(r_type(0, 3, 4, 0, rd_pick(rng), 0x33));
            }
            2 => {
                // A counted loop of 2–8 plain instructions, 1–20 iterations.
                li(&mut code, 29, rng.random_range(1..21));
                let start = code.len();
                for _ in 0..rng.random_range(2..9) {
                    plain(rng, &mut code);
                }
                code.push(i_type(-1, 29, 0, 29, 0x13));
                let back = -4 * (code.len() - start) as i32;
                code.push(b_type(back, 0, 29, 1));
            }
            _ => plain(rng, &mut code),
        }
    }
    // Registers to DATA + 0x800.., written out with the edge results; exit(x1 & 0xff).
    li(&mut code, 30, DATA + 0x800);
    for r in 1..32 {
        code.push(s_type(4 * r as i32, r, 30, 2));
    }
    li(&mut code, 10, 1);
    li(&mut code, 11, DATA + 0x800);
    li(&mut code, 12, 128);
    li(&mut code, 17, 64);
    code.push(ECALL);
    li(&mut code, 10, 1);
    li(&mut code, 11, DATA + 0x1000);
    li(&mut code, 12, slot as u32);
    code.push(ECALL);
    li(&mut code, 30, DATA + 0x800);
    code.push(i_type(4, 30, 2, 10, 0x03));
    li(&mut code, 17, 93);
    code.push(ECALL);
    code
}

#[test]
fn random_programs_match_qemu() {
    let mut rng = StdRng::seed_from_u64(0x5eed_0024);
    let have_qemu = qemu_available().is_some();
    let mut seen = std::collections::HashSet::new();
    for n in 0..24 {
        let len = if n % 3 == 0 { 3000 } else { 800 };
        let code = random_program(&mut rng, len);
        for &w in &code {
            seen.insert(decode(w).op);
        }
        let data: Vec<u8> = (0..4096).map(|_| rng.random()).collect();
        let bytes = elf(&code, &data, 8192);
        let p = Program::from_elf(&bytes).expect("loads");
        let ours = run(&p, &[]).unwrap_or_else(|e| panic!("program {n}: {e}"));
        let traced = run_traced(&p, &[]).expect("traced");
        assert_eq!(traced.run, ours);
        assert_eq!(ours.output.len(), 128 + 4 * 8 * 36, "program {n}");
        if have_qemu {
            let (out, status) = qemu(&bytes, &[]);
            if out != ours.output {
                let words = |b: &[u8]| {
                    b.chunks(4)
                        .map(|c| {
                            format!("{:08x}", u32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
                        })
                        .collect::<Vec<_>>()
                };
                let (a, b) = (words(&ours.output), words(&out));
                let first = a.iter().zip(&b).position(|(x, y)| x != y);
                panic!(
                    "program {n}: output differs from qemu at word {first:?}: ours {:?} qemu {:?}",
                    first.map(|i| &a[i]),
                    first.map(|i| &b[i])
                );
            }
            assert_eq!(ours.exit.status(), status, "program {n}: exit status");
        }
    }
    let missing: Vec<&str> = ALL_OPS
        .iter()
        .filter(|op| **op != Op::Illegal && !seen.contains(op))
        .map(|op| op.mnemonic())
        .collect();
    assert!(missing.is_empty(), "instructions never generated: {missing:?}");
    let _ = std::io::stderr().flush();
}
