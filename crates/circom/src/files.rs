//! Opening input files and writing output files safely.
//!
//! - **Inputs are regular files.** [`open_regular`] checks a path's metadata *before* opening it
//!   and refuses anything but a regular file (after following symbolic links): opening a named
//!   pipe blocks until a writer appears, and a device such as `/dev/zero` never ends. Every reader
//!   of this crate that takes a path goes through it (zkey, wtns, r1cs, ptau and the JSON files).
//! - **JSON is capped.** JSON inputs are read whole, so [`read_json_text`] refuses a file larger
//!   than [`MAX_JSON_BYTES`] (checked from the metadata, and again while reading in case the file
//!   grows).
//! - **Outputs appear whole, together or not at all.** [`write_files_atomically`] writes each
//!   file to a temporary file in its destination's directory, flushes it to disk, and only then
//!   renames every temporary file onto its destination; any failure removes the temporary files
//!   (and the destinations already renamed), so a reader never sees a half-written file or a
//!   `proof.json` without its `public.json`.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::binfile::io_error;
use crate::error::{CircomError, Result};

/// The largest JSON input read: 64 MiB, far above any real input (`verification_key.json` takes
/// about 200 bytes per public signal, so this is over 300,000 public signals; `proof.json` is
/// under 1 KiB). Larger files are refused with [`CircomError::TooLarge`] instead of being read
/// into memory.
pub const MAX_JSON_BYTES: u64 = 64 << 20;

/// What a non-regular file is, for the error message.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Errors unless `path` (symbolic links followed) is a regular file.
///
/// # Errors
/// [`CircomError::Io`] when the metadata cannot be read (a missing file), [`CircomError::NotAFile`]
/// for a directory, named pipe, device or socket.
pub fn check_regular(path: &Path) -> Result<()> {
    let label = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| io_error(&label, e))?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(CircomError::NotAFile { file: label, kind: file_kind(&meta) })
    }
}

/// Opens `path` for reading after checking that it is a regular file (see the module docs), and
/// returns it with its label for errors (the path as displayed).
///
/// # Errors
/// As [`check_regular`]; [`CircomError::Io`] when opening fails.
pub fn open_regular(path: &Path) -> Result<(File, String)> {
    check_regular(path)?;
    let label = path.display().to_string();
    let f = File::open(path).map_err(|e| io_error(&label, e))?;
    Ok((f, label))
}

/// Reads a JSON input whole: a regular file of at most [`MAX_JSON_BYTES`] bytes, as UTF-8 text.
///
/// # Errors
/// As [`open_regular`]; [`CircomError::TooLarge`] beyond the cap; [`CircomError::Io`] for a read
/// error or text that is not UTF-8.
pub fn read_json_text(path: &Path) -> Result<String> {
    let (f, label) = open_regular(path)?;
    let size = f.metadata().map_err(|e| io_error(&label, e))?.len();
    let too_large =
        |size| CircomError::TooLarge { file: label.clone(), size, limit: MAX_JSON_BYTES };
    if size > MAX_JSON_BYTES {
        return Err(too_large(size));
    }
    let mut text = String::with_capacity(size as usize);
    // One byte past the cap tells a file that grew since its metadata was read.
    f.take(MAX_JSON_BYTES + 1).read_to_string(&mut text).map_err(|e| io_error(&label, e))?;
    if text.len() as u64 > MAX_JSON_BYTES {
        return Err(too_large(text.len() as u64));
    }
    Ok(text)
}

/// Where an output goes: the path itself, or for a symbolic link to an existing regular file the
/// file it points to (renaming onto the link would replace the link, not write through it).
fn destination(path: &Path) -> Result<PathBuf> {
    let label = path.display().to_string();
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(path.to_owned()),
        Err(e) => Err(io_error(&label, e)),
        Ok(meta) if meta.file_type().is_symlink() => {
            // A dangling link: write the path itself (the link is replaced).
            match std::fs::metadata(path) {
                Ok(target) if target.is_file() => {
                    std::fs::canonicalize(path).map_err(|e| io_error(&label, e))
                }
                Ok(target) => Err(CircomError::NotAFile { file: label, kind: file_kind(&target) }),
                Err(_) => Ok(path.to_owned()),
            }
        }
        Ok(meta) if meta.is_file() => Ok(path.to_owned()),
        // Renaming onto a directory, a device or a pipe would replace or fail on it.
        Ok(meta) => Err(CircomError::NotAFile { file: label, kind: file_kind(&meta) }),
    }
}

/// A temporary file beside `dest`: `.NAME.tmp-PID-N` in the same directory (so that the rename
/// stays within one file system and is atomic).
fn temp_path(dest: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Writes `contents` to a new temporary file beside `dest` and flushes it to disk.
fn write_temp(dest: &Path, label: &str, contents: &[u8]) -> Result<PathBuf> {
    let tmp = temp_path(dest);
    let io = |e| io_error(label, e);
    let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(io)?;
    let written = f.write_all(contents).and_then(|()| f.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(tmp)
}

/// Writes every `(path, contents)` pair so that either all destinations get their new contents
/// or none is changed: each file is first written to a temporary file in its destination's
/// directory (see the module docs), then all are renamed into place. A destination that exists
/// must be a regular file (or a symbolic link to one, written through).
///
/// If a rename fails after others succeeded (a rare race: the temporary files already exist in the
/// same directories), the destinations already renamed are removed, so no file of the set is left
/// beside a missing one; a file they replaced is then gone too.
///
/// # Errors
/// [`CircomError::NotAFile`] for a destination that is a directory, pipe or device;
/// [`CircomError::Io`] naming the destination for any write or rename error.
pub fn write_files_atomically(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut dests = Vec::with_capacity(files.len());
    for (path, _) in files {
        dests.push((destination(path)?, path.display().to_string()));
    }
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    for ((dest, label), (_, contents)) in dests.iter().zip(files) {
        match write_temp(dest, label, contents) {
            Ok(tmp) => temps.push(tmp),
            Err(e) => {
                for t in &temps {
                    let _ = std::fs::remove_file(t);
                }
                return Err(e);
            }
        }
    }
    for (i, ((dest, label), tmp)) in dests.iter().zip(&temps).enumerate() {
        if let Err(e) = std::fs::rename(tmp, dest) {
            for (done, _) in &dests[..i] {
                let _ = std::fs::remove_file(done);
            }
            for t in &temps[i..] {
                let _ = std::fs::remove_file(t);
            }
            return Err(io_error(label, e));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("zkprove-circom-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn both_or_neither() {
        let dir = scratch("atomic");
        let (a, b) = (dir.join("a.json"), dir.join("b.json"));
        write_files_atomically(&[(&a, b"A1"), (&b, b"B1")]).expect("both written");
        assert_eq!(std::fs::read(&a).expect("a"), b"A1");
        assert_eq!(std::fs::read(&b).expect("b"), b"B1");
        // The second destination cannot be written (its directory is missing): the first keeps
        // its old contents and no temporary file is left.
        let missing = dir.join("no-such-dir").join("b.json");
        let err = write_files_atomically(&[(&a, b"A2"), (&missing, b"B2")]).expect_err("fails");
        assert!(
            matches!(&err, CircomError::Io { file, .. } if file.contains("no-such-dir")),
            "{err}"
        );
        assert_eq!(std::fs::read(&a).expect("a"), b"A1");
        assert_eq!(entries(&dir), ["a.json", "b.json"]);
        // A directory as a destination is refused before anything is written.
        let err = write_files_atomically(&[(&a, b"A3"), (&dir, b"x")]).expect_err("a directory");
        assert!(matches!(err, CircomError::NotAFile { kind: "a directory", .. }), "{err}");
        assert_eq!(std::fs::read(&a).expect("a"), b"A1");
        assert_eq!(entries(&dir), ["a.json", "b.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_destination_is_written_through() {
        let dir = scratch("symlink");
        let (target, link) = (dir.join("target.json"), dir.join("link.json"));
        std::fs::write(&target, "old").expect("write");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        write_files_atomically(&[(&link, b"new")]).expect("written");
        assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink());
        assert_eq!(std::fs::read(&target).expect("target"), b"new");
    }

    #[test]
    fn json_inputs_are_capped_and_regular() {
        let dir = scratch("json");
        let err = read_json_text(&dir).expect_err("a directory");
        assert!(matches!(err, CircomError::NotAFile { kind: "a directory", .. }), "{err}");
        let big = dir.join("big.json");
        let f = File::create(&big).expect("create");
        f.set_len(MAX_JSON_BYTES + 1).expect("sparse file");
        let err = read_json_text(&big).expect_err("too large");
        assert!(matches!(err, CircomError::TooLarge { size, .. } if size == MAX_JSON_BYTES + 1));
        assert!(err.to_string().contains("big.json"), "{err}");
        let small = dir.join("small.json");
        std::fs::write(&small, "[]").expect("write");
        assert_eq!(read_json_text(&small).expect("read"), "[]");
        #[cfg(unix)]
        {
            let err = read_json_text(Path::new("/dev/zero")).expect_err("a device");
            assert!(matches!(err, CircomError::NotAFile { kind: "a character device", .. }));
        }
    }
}
