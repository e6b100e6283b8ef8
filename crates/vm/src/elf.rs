//! Loading an ELF32 RV32IM little-endian static executable by its program headers (with the
//! `object` crate), into a [`Program`]: the initial memory image and the pre-decoded text.

use object::elf::{self, FileHeader32};
use object::read::elf::{FileHeader, ProgramHeader};
use object::{Endianness, FileKind};

use crate::decode::{Instr, decode};
use crate::{LoadError, VmConfig};

/// A loadable segment: where it goes, its file bytes, and its size in memory (the rest zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Virtual address of the first byte.
    pub vaddr: u32,
    /// The bytes from the file (`p_filesz` of them).
    pub data: Vec<u8>,
    /// Size in memory (`p_memsz` ≥ `data.len()`).
    pub mem_size: u32,
    /// Whether the segment is executable (`PF_X`).
    pub executable: bool,
}

/// A loaded program: its segments, entry point, memory layout and pre-decoded text.
#[derive(Debug, Clone)]
pub struct Program {
    /// The entry point (first `pc`).
    pub entry: u32,
    /// The loadable segments, in file order.
    pub segments: Vec<Segment>,
    /// The memory layout the program was checked against.
    pub config: VmConfig,
    /// First byte of the text (the span of the executable segments).
    pub text_start: u32,
    /// The text's words, `text_start` onwards (what the CPU table's decode lookups read).
    pub text_words: Vec<u32>,
    /// The same words decoded, once.
    pub code: Vec<Instr>,
}

impl Program {
    /// Loads an ELF file's bytes with the default [`VmConfig`].
    ///
    /// # Errors
    /// A [`LoadError`] naming what is wrong with the file.
    pub fn from_elf(bytes: &[u8]) -> Result<Self, LoadError> {
        Self::from_elf_with(bytes, VmConfig::default())
    }

    /// Loads an ELF file's bytes with a given memory layout.
    ///
    /// # Errors
    /// A [`LoadError`] naming what is wrong with the file (foreign or truncated, wrong class,
    /// machine, endianness or type, compressed instructions, segments outside memory, an entry
    /// point outside the text) or with the layout.
    pub fn from_elf_with(bytes: &[u8], config: VmConfig) -> Result<Self, LoadError> {
        config.check()?;
        match FileKind::parse(bytes) {
            Ok(FileKind::Elf32) => {}
            Ok(FileKind::Elf64) => return Err(LoadError::WrongClass { class: 64 }),
            Ok(other) => return Err(LoadError::NotElf { kind: format!("{other:?}") }),
            Err(_) if bytes.starts_with(&elf::ELFMAG) => {
                return Err(LoadError::Malformed {
                    reason: "truncated or unsupported ELF identification".into(),
                });
            }
            Err(_) => return Err(LoadError::NotElf { kind: "unknown".into() }),
        }
        let header = FileHeader32::<Endianness>::parse(bytes)
            .map_err(|e| LoadError::Malformed { reason: e.to_string() })?;
        let endian = header.endian().map_err(|e| LoadError::Malformed { reason: e.to_string() })?;
        if endian != Endianness::Little {
            return Err(LoadError::WrongEndianness);
        }
        let machine = header.e_machine(endian);
        if machine != elf::EM_RISCV {
            return Err(LoadError::WrongMachine { machine: machine.0 });
        }
        let e_type = header.e_type(endian);
        if e_type != elf::ET_EXEC {
            return Err(LoadError::NotExecutable { e_type: e_type.0 });
        }
        let flags = header.e_flags(endian).0;
        if flags & (elf::EF_RISCV_RVC.0 | elf::EF_RISCV_RVE.0) != 0 {
            return Err(LoadError::UnsupportedFlags { flags });
        }
        let phdrs = header
            .program_headers(endian, bytes)
            .map_err(|e| LoadError::Malformed { reason: e.to_string() })?;
        let limit = config.stack_bottom();
        let mut segments = Vec::new();
        for ph in phdrs {
            if ph.p_type(endian) != elf::PT_LOAD {
                continue;
            }
            let vaddr = ph.p_vaddr(endian);
            let mem_size = ph.p_memsz(endian);
            let file_size = ph.p_filesz(endian);
            if mem_size == 0 {
                continue;
            }
            let end = u64::from(vaddr) + u64::from(mem_size);
            if file_size > mem_size || end > u64::from(limit) {
                return Err(LoadError::SegmentOutsideMemory { vaddr, mem_size, limit });
            }
            let data = ph.data(endian, bytes).map_err(|()| LoadError::Malformed {
                reason: format!("segment at {vaddr:#x}: file range past the end of the file"),
            })?;
            segments.push(Segment {
                vaddr,
                data: data.to_vec(),
                mem_size,
                executable: ph.p_flags(endian).0 & elf::PF_X.0 != 0,
            });
        }
        let exec: Vec<&Segment> = segments.iter().filter(|s| s.executable).collect();
        let (Some(start), Some(end)) = (
            exec.iter().map(|s| s.vaddr & !3).min(),
            exec.iter().map(|s| (s.vaddr + s.mem_size).next_multiple_of(4)).max(),
        ) else {
            return Err(LoadError::NoText);
        };
        let entry = header.e_entry(endian);
        if entry < start || entry >= end || !entry.is_multiple_of(4) {
            return Err(LoadError::BadEntry { entry });
        }
        let mut text = vec![0u8; (end - start) as usize];
        for s in &exec {
            let off = (s.vaddr - start) as usize;
            text[off..off + s.data.len()].copy_from_slice(&s.data);
        }
        let text_words: Vec<u32> =
            text.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        let code = text_words.iter().map(|&w| decode(w)).collect();
        Ok(Self { entry, segments, config, text_start: start, text_words, code })
    }

    /// One past the last byte of the text.
    #[must_use]
    pub fn text_end(&self) -> u32 {
        self.text_start + 4 * self.code.len() as u32
    }

    /// The initial memory, one little-endian word per 4 bytes of the address space: the segments
    /// (the rest zero).
    #[must_use]
    pub fn initial_memory(&self) -> Vec<u32> {
        let mut mem = vec![0u32; (self.config.mem_size / 4) as usize];
        for s in &self.segments {
            for (i, &b) in s.data.iter().enumerate() {
                let a = s.vaddr as usize + i;
                mem[a / 4] |= u32::from(b) << (8 * (a % 4));
            }
        }
        mem
    }
}
