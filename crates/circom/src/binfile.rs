//! The iden3 "binfile" container shared by `.zkey`, `.wtns`, `.r1cs` and `.ptau`:
//!
//! ```text
//! magic (4 ASCII bytes) | u32 version | u32 nSections
//! nSections × ( u32 sectionId | u64 sectionSize | sectionSize bytes )
//! ```
//!
//! All integers little-endian. Sections may come in any order; a section id that appears twice is
//! rejected (as snarkjs's `startReadUniqueSection` does). The whole table is walked once at open,
//! checking every section against the file's length, so later reads of a section can never run
//! past the end of the file. Sections are then read in place from the underlying `Read + Seek`
//! (a `BufReader<File>` in practice), never loaded into one big buffer. Writers
//! ([`Witness::write_to`](crate::Witness::write_to), [`Zkey::write_to`](crate::Zkey::write_to))
//! emit sections in id order, as snarkjs does.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};

use crate::error::{CircomError, Result};

/// Where a section's payload lies in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionEntry {
    /// Offset of the payload's first byte.
    pub offset: u64,
    /// Payload size in bytes.
    pub size: u64,
}

/// An opened container: header checked, section table indexed.
#[derive(Debug)]
pub(crate) struct BinFile<R> {
    reader: R,
    file: String,
    version: u32,
    sections: BTreeMap<u32, SectionEntry>,
}

pub(crate) fn io_error(file: &str, source: std::io::Error) -> CircomError {
    CircomError::Io { file: file.to_owned(), source }
}

/// Reads exactly `buf.len()` bytes, reporting a short read as truncation of `what`.
fn read_exact_or_truncated<R: Read>(
    reader: &mut R,
    buf: &mut [u8],
    file: &str,
    what: &str,
    available: u64,
) -> Result<()> {
    reader.read_exact(buf).map_err(|e| {
        if e.kind() == ErrorKind::UnexpectedEof {
            CircomError::Truncated {
                file: file.to_owned(),
                what: what.to_owned(),
                expected: buf.len() as u64,
                found: available.min(buf.len() as u64),
            }
        } else {
            io_error(file, e)
        }
    })
}

fn printable_magic(bytes: &[u8]) -> String {
    bytes.iter().flat_map(|&b| core::ascii::escape_default(b)).map(char::from).collect()
}

impl<R: Read + Seek> BinFile<R> {
    /// Checks the magic and version and indexes the section table.
    pub(crate) fn open(
        mut reader: R,
        file: &str,
        magic: &'static str,
        max_version: u32,
    ) -> Result<Self> {
        let file_len = reader.seek(SeekFrom::End(0)).map_err(|e| io_error(file, e))?;
        reader.seek(SeekFrom::Start(0)).map_err(|e| io_error(file, e))?;

        let mut head = [0u8; 12];
        if file_len < 4 {
            return Err(CircomError::Truncated {
                file: file.to_owned(),
                what: "file header (magic)".to_owned(),
                expected: 4,
                found: file_len,
            });
        }
        read_exact_or_truncated(&mut reader, &mut head[..4], file, "file header", file_len)?;
        if &head[..4] != magic.as_bytes() {
            return Err(CircomError::BadMagic {
                file: file.to_owned(),
                expected: magic,
                found: printable_magic(&head[..4]),
            });
        }
        read_exact_or_truncated(
            &mut reader,
            &mut head[4..],
            file,
            "file header (version, number of sections)",
            file_len - 4,
        )?;
        let version = u32_le(&head[4..8]);
        if version == 0 || version > max_version {
            return Err(CircomError::UnsupportedVersion {
                file: file.to_owned(),
                kind: magic,
                supported: max_version,
                found: version,
            });
        }
        let n_sections = u32_le(&head[8..12]);

        let mut sections = BTreeMap::new();
        let mut pos = 12u64;
        for i in 0..n_sections {
            let mut entry = [0u8; 12];
            read_exact_or_truncated(
                &mut reader,
                &mut entry,
                file,
                &format!("section table (entry {i} of {n_sections})"),
                file_len.saturating_sub(pos),
            )?;
            let id = u32_le(&entry[..4]);
            let size = u64::from_le_bytes(arr8(&entry[4..12]));
            let offset = pos + 12;
            let available = file_len.saturating_sub(offset);
            if size > available {
                return Err(CircomError::Truncated {
                    file: file.to_owned(),
                    what: format!("section {id}"),
                    expected: size,
                    found: available,
                });
            }
            if sections.insert(id, SectionEntry { offset, size }).is_some() {
                return Err(CircomError::DuplicateSection { file: file.to_owned(), section: id });
            }
            // `size <= available` so this stays within the file.
            pos = offset + size;
            reader.seek(SeekFrom::Start(pos)).map_err(|e| io_error(file, e))?;
        }
        Ok(Self { reader, file: file.to_owned(), version, sections })
    }

    /// The container version.
    pub(crate) fn version(&self) -> u32 {
        self.version
    }

    /// The file label used in errors.
    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// The section table, by id.
    pub(crate) fn sections(&self) -> &BTreeMap<u32, SectionEntry> {
        &self.sections
    }

    /// A required section's entry.
    pub(crate) fn entry(&self, id: u32, name: &'static str) -> Result<SectionEntry> {
        self.sections.get(&id).copied().ok_or_else(|| CircomError::MissingSection {
            file: self.file.clone(),
            section: id,
            name,
        })
    }

    /// Positions the reader at the start of a required section.
    pub(crate) fn section(&mut self, id: u32, name: &'static str) -> Result<SectionReader<'_, R>> {
        let entry = self.entry(id, name)?;
        self.reader.seek(SeekFrom::Start(entry.offset)).map_err(|e| io_error(&self.file, e))?;
        Ok(SectionReader {
            reader: &mut self.reader,
            file: &self.file,
            id,
            name,
            entry,
            consumed: 0,
        })
    }
}

/// Reads one section's payload, never past its end.
pub(crate) struct SectionReader<'a, R> {
    reader: &'a mut R,
    file: &'a str,
    id: u32,
    name: &'static str,
    entry: SectionEntry,
    consumed: u64,
}

impl<R: Read> SectionReader<'_, R> {
    /// The section's id.
    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    /// The section's name.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// The file label.
    pub(crate) fn file(&self) -> &str {
        self.file
    }

    /// The payload size.
    pub(crate) fn size(&self) -> u64 {
        self.entry.size
    }

    /// Bytes not yet read.
    pub(crate) fn remaining(&self) -> u64 {
        self.entry.size - self.consumed
    }

    /// A [`CircomError::SectionSize`] for this section.
    pub(crate) fn size_error(&self, expected: u64, detail: String) -> CircomError {
        CircomError::SectionSize {
            file: self.file.to_owned(),
            section: self.id,
            name: self.name,
            expected,
            found: self.entry.size,
            detail,
        }
    }

    /// Errors unless the section's size is exactly `expected`.
    pub(crate) fn expect_size(&self, expected: u64, detail: impl FnOnce() -> String) -> Result<()> {
        if self.entry.size == expected {
            Ok(())
        } else {
            Err(self.size_error(expected, format!(": {}", detail())))
        }
    }

    /// Fills `buf` from the section.
    pub(crate) fn read_bytes(&mut self, buf: &mut [u8]) -> Result<()> {
        let n = buf.len() as u64;
        if n > self.remaining() {
            return Err(self.size_error(
                self.consumed + n,
                ": the data runs past the end of the section".to_owned(),
            ));
        }
        // The table check at open guarantees the bytes exist, so EOF here means the file
        // shrank underneath us: report it as truncation all the same.
        read_exact_or_truncated(self.reader, buf, self.file, self.name, self.remaining())?;
        self.consumed += n;
        Ok(())
    }

    /// Reads a little-endian `u32`.
    pub(crate) fn read_u32(&mut self) -> Result<u32> {
        let mut b = [0u8; 4];
        self.read_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Reads a little-endian `u64`.
    pub(crate) fn read_u64(&mut self) -> Result<u64> {
        let mut b = [0u8; 8];
        self.read_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Errors unless the whole section was read (snarkjs's `endReadSection`).
    pub(crate) fn finish(self) -> Result<()> {
        if self.consumed == self.entry.size {
            Ok(())
        } else {
            Err(self.size_error(self.consumed, ": unexpected bytes after the data".to_owned()))
        }
    }
}

/// Writes a container header: the magic, `version` and the number of sections that follow.
pub(crate) fn write_file_header<W: Write>(
    w: &mut W,
    magic: &[u8; 4],
    version: u32,
    n_sections: u32,
) -> std::io::Result<()> {
    w.write_all(magic)?;
    w.write_all(&version.to_le_bytes())?;
    w.write_all(&n_sections.to_le_bytes())
}

/// Writes a section's header (`u32 id | u64 size`); its `size` payload bytes must follow.
pub(crate) fn write_section_header<W: Write>(w: &mut W, id: u32, size: u64) -> std::io::Result<()> {
    w.write_all(&id.to_le_bytes())?;
    w.write_all(&size.to_le_bytes())
}

/// A little-endian `u32` from 4 bytes.
pub(crate) fn u32_le(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

fn arr8(b: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    a
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn container(magic: &[u8], version: u32, sections: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut out = magic.to_vec();
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
        for (id, data) in sections {
            out.extend_from_slice(&id.to_le_bytes());
            out.extend_from_slice(&(data.len() as u64).to_le_bytes());
            out.extend_from_slice(data);
        }
        out
    }

    #[test]
    fn sections_in_any_order() {
        let bytes = container(b"wtns", 2, &[(2, vec![7; 8]), (1, vec![1, 0, 0, 0])]);
        let mut bin = BinFile::open(Cursor::new(bytes), "t", "wtns", 2).expect("valid");
        assert_eq!(bin.version(), 2);
        let mut s = bin.section(1, "header").expect("present");
        assert_eq!(s.read_u32().expect("4 bytes"), 1);
        s.finish().expect("consumed");
        let mut s = bin.section(2, "values").expect("present");
        assert_eq!(s.read_u64().expect("8 bytes"), 0x0707_0707_0707_0707);
        assert!(matches!(s.read_u32(), Err(CircomError::SectionSize { section: 2, .. })));
    }

    #[test]
    fn rejects_bad_containers() {
        let ok = container(b"wtns", 2, &[(1, vec![0; 4])]);
        let open = |b: Vec<u8>| BinFile::open(Cursor::new(b), "t", "wtns", 2).map(|_| ());
        assert!(open(ok.clone()).is_ok());
        assert!(matches!(open(b"zkey".to_vec()), Err(CircomError::BadMagic { .. })));
        assert!(matches!(
            open(container(b"wtns", 3, &[])),
            Err(CircomError::UnsupportedVersion { found: 3, .. })
        ));
        assert!(matches!(
            open(container(b"wtns", 2, &[(1, vec![]), (1, vec![])])),
            Err(CircomError::DuplicateSection { section: 1, .. })
        ));
        for len in 0..ok.len() {
            assert!(
                matches!(open(ok[..len].to_vec()), Err(CircomError::Truncated { .. })),
                "{len}"
            );
        }
        // A section size far past the end of the file.
        let mut huge = ok.clone();
        huge[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(open(huge), Err(CircomError::Truncated { .. })));
    }
}
