//! A content-addressed blob store in one directory: each blob is a file named by the lowercase
//! hex SHA-256 of its bytes. Writes go to a temporary file in `tmp/` of the same directory (same
//! file system), then are renamed into place, so a reader never sees a partial blob and a crash
//! leaves at most a stray temporary file. With [`Durability::Power`] the file is synced before
//! the rename and the directory after it (a power loss keeps the blob); with the default
//! [`Durability::Process`] neither is (a process crash keeps it: the kernel holds the data).
//! Writing the same bytes twice is a no-op; several nodes may share the directory.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use zkprove_field::bn254::Fr;

use crate::config::Durability;
use crate::error::{Result, ServiceError};

/// A blob directory.
#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
    sync: bool,
    /// Witnesses parsed at submission, by blob id, shared by the clones of this store (the API
    /// and the workers of one process): see [`BlobStore::keep_witness`].
    witnesses: Arc<Mutex<ParsedWitnesses>>,
}

/// The parsed witnesses a store keeps, oldest first, and their values in all.
#[derive(Debug, Default)]
struct ParsedWitnesses {
    entries: VecDeque<(String, Arc<Vec<Fr>>)>,
    values: usize,
}

/// The most parsed witnesses a store keeps.
const KEPT_WITNESSES: usize = 64;

/// The most witness values a store keeps in all (64 MiB of `Fr`); a larger witness is not kept.
const KEPT_WITNESS_VALUES: usize = 1 << 21;

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `n_bytes` random bytes from the operating system, as hex (job ids, temporary names).
pub fn random_hex(n_bytes: usize) -> String {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::from_os_rng();
    let bytes: Vec<u8> = (0..n_bytes).map(|_| rng.random()).collect();
    hex(&bytes)
}

/// Whether `id` looks like a blob name (64 lowercase hex digits): ids from clients are checked
/// with this before they become paths.
pub fn is_blob_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl BlobStore {
    /// Opens (creating) the blob directory, with [`Durability::Process`] (no `fsync`).
    ///
    /// # Errors
    /// [`ServiceError::Io`] when the directory cannot be created.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(ServiceError::io(&tmp))?;
        Ok(Self { dir, sync: false, witnesses: Arc::default() })
    }

    /// Keeps the parsed values of witness blob `id` (checked at submission) in memory, so that
    /// a worker of this process that claims its job soon needs no read and parse of the file
    /// ([`BlobStore::kept_witness`]). Blobs are content-addressed: the values of an id are those
    /// of its file. At most `KEPT_WITNESSES` witnesses and `2^21` values are kept, the oldest
    /// dropped first; a larger witness is not kept.
    pub fn keep_witness(&self, id: &str, values: Arc<Vec<Fr>>) {
        if values.len() > KEPT_WITNESS_VALUES {
            return;
        }
        let mut kept = self.witnesses.lock().unwrap_or_else(|e| e.into_inner());
        if kept.entries.iter().any(|(k, _)| k == id) {
            return;
        }
        kept.values += values.len();
        kept.entries.push_back((id.to_string(), values));
        while kept.entries.len() > KEPT_WITNESSES || kept.values > KEPT_WITNESS_VALUES {
            match kept.entries.pop_front() {
                Some((_, v)) => kept.values -= v.len(),
                None => break,
            }
        }
    }

    /// The parsed values of witness blob `id` if [`BlobStore::keep_witness`] kept them (they
    /// are then forgotten: a job's witness is read once).
    pub fn kept_witness(&self, id: &str) -> Option<Arc<Vec<Fr>>> {
        let mut kept = self.witnesses.lock().unwrap_or_else(|e| e.into_inner());
        let i = kept.entries.iter().position(|(k, _)| k == id)?;
        let (_, values) = kept.entries.remove(i)?;
        kept.values -= values.len();
        Some(values)
    }

    /// This store with writes as durable as `durability` asks.
    pub fn with_durability(mut self, durability: Durability) -> Self {
        self.sync = durability == Durability::Power;
        self
    }

    /// The path of blob `id` (which may not exist).
    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    /// Whether blob `id` exists.
    pub fn contains(&self, id: &str) -> bool {
        is_blob_id(id) && self.path(id).is_file()
    }

    /// Stores `bytes`, returning their id. With [`Durability::Process`], bytes already stored
    /// (the file of their id exists: blobs appear only whole, by rename) are not written again;
    /// the file's modification time is renewed instead, as a rewrite would, so that a blob
    /// stored anew is young for [`BlobStore::sweep`]. This spares a new file (an inode
    /// allocation) and the removal of the old one per identical upload.
    ///
    /// # Errors
    /// [`ServiceError::Io`].
    pub fn put(&self, bytes: &[u8]) -> Result<String> {
        if !self.sync {
            let id = hex(&Sha256::digest(bytes));
            let path = self.path(&id);
            let renewed = File::options()
                .append(true)
                .open(&path)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            if renewed.is_ok() {
                return Ok(id);
            }
        }
        let mut w = self.writer()?;
        w.write(bytes)?;
        w.finish()
    }

    /// Reads blob `id` whole.
    ///
    /// # Errors
    /// [`ServiceError::Io`] (a missing blob is `NotFound`).
    pub fn get(&self, id: &str) -> Result<Vec<u8>> {
        let path = self.path(id);
        std::fs::read(&path).map_err(ServiceError::io(path))
    }

    /// Removes the blobs that `referenced` does not name and that were last written more than
    /// `older_than` ago, and temporary files as old (left by a crash). The age protects a blob
    /// just written whose job or circuit row is not inserted yet; writing a blob again (the same
    /// bytes) renames a fresh file onto it, so an old orphan uploaded anew is young again.
    /// Several nodes sharing the directory may sweep at once (a removal that finds nothing is
    /// not an error). Returns the files removed and their bytes.
    ///
    /// # Errors
    /// [`ServiceError::Io`] when the directory cannot be listed.
    pub fn sweep(
        &self,
        referenced: &std::collections::HashSet<String>,
        older_than: std::time::Duration,
    ) -> Result<(u64, u64)> {
        let now = std::time::SystemTime::now();
        let old = |meta: &std::fs::Metadata| {
            meta.modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age > older_than)
        };
        let (mut files, mut bytes) = (0, 0);
        let tmp = self.dir.join("tmp");
        for dir in [&self.dir, &tmp] {
            for entry in std::fs::read_dir(dir).map_err(ServiceError::io(dir))? {
                let Ok(entry) = entry else { continue };
                let name = entry.file_name().to_string_lossy().into_owned();
                let Ok(meta) = entry.metadata() else { continue };
                let orphan = if *dir == tmp {
                    meta.is_file()
                } else {
                    meta.is_file() && is_blob_id(&name) && !referenced.contains(&name)
                };
                if orphan && old(&meta) && std::fs::remove_file(entry.path()).is_ok() {
                    files += 1;
                    bytes += meta.len();
                }
            }
        }
        Ok((files, bytes))
    }

    /// A writer for a blob whose bytes arrive in pieces (an HTTP body).
    ///
    /// # Errors
    /// [`ServiceError::Io`] when the temporary file cannot be created.
    pub fn writer(&self) -> Result<BlobWriter> {
        let name = format!("{}-{}", std::process::id(), random_hex(8));
        let tmp = self.dir.join("tmp").join(name);
        let file = File::create(&tmp).map_err(ServiceError::io(&tmp))?;
        Ok(BlobWriter {
            dir: self.dir.clone(),
            tmp,
            file: Some(file),
            hasher: Sha256::new(),
            len: 0,
            sync: self.sync,
        })
    }
}

/// A blob being written: bytes are hashed as they are written; [`BlobWriter::finish`] renames the
/// file to its hash. Dropped unfinished, the temporary file is removed.
#[derive(Debug)]
pub struct BlobWriter {
    dir: PathBuf,
    tmp: PathBuf,
    file: Option<File>,
    hasher: Sha256,
    len: u64,
    sync: bool,
}

impl BlobWriter {
    /// Appends bytes.
    ///
    /// # Errors
    /// [`ServiceError::Io`].
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let tmp = &self.tmp;
        let file = self.file.as_mut().ok_or_else(|| ServiceError::Io {
            path: tmp.clone(),
            source: std::io::Error::other("blob writer already finished"),
        })?;
        file.write_all(bytes).map_err(ServiceError::io(tmp))?;
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Renames the file to its hash (synced first, and the directory after, for
    /// [`Durability::Power`]); returns the blob id.
    ///
    /// # Errors
    /// [`ServiceError::Io`].
    pub fn finish(mut self) -> Result<String> {
        let file = self.file.take();
        if let Some(file) = file
            && self.sync
        {
            file.sync_all().map_err(ServiceError::io(&self.tmp))?;
        }
        let id = hex(&std::mem::take(&mut self.hasher).finalize());
        let dest = self.dir.join(&id);
        std::fs::rename(&self.tmp, &dest).map_err(ServiceError::io(&dest))?;
        if self.sync {
            // The rename is durable once the directory entry is.
            File::open(&self.dir)
                .and_then(|d| d.sync_all())
                .map_err(ServiceError::io(&self.dir))?;
        }
        Ok(id)
    }

    /// The temporary file (readable before [`BlobWriter::finish`]).
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkprove_field::Field;

    #[test]
    fn content_addressed_and_atomic() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::open(dir.path()).expect("open").with_durability(Durability::Power);
        let id = store.put(b"abc").expect("put");
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(id, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(is_blob_id(&id) && store.contains(&id));
        assert_eq!(store.get(&id).expect("get"), b"abc");
        assert_eq!(store.put(b"abc").expect("again"), id);
        let mut w = store.writer().expect("writer");
        w.write(b"ab").expect("w");
        w.write(b"c").expect("w");
        assert_eq!(w.finish().expect("finish"), id);
        // An abandoned writer leaves nothing behind.
        let mut w = store.writer().expect("writer");
        w.write(b"partial").expect("w");
        drop(w);
        let left: Vec<_> = std::fs::read_dir(dir.path().join("tmp")).expect("tmp").collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(!is_blob_id("../etc/passwd") && !store.contains("ABC"));
    }

    /// Storing bytes that are stored already writes no file (`Durability::Process`) but renews
    /// the blob's modification time, as a rewrite did, so the sweep sees it young again.
    #[test]
    fn put_of_stored_bytes_renews_the_blob() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::open(dir.path()).expect("open");
        let id = store.put(b"witness").expect("put");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        File::options()
            .append(true)
            .open(store.path(&id))
            .expect("open")
            .set_modified(old)
            .expect("age");
        let before = std::fs::metadata(store.path(&id)).expect("meta");
        assert_eq!(store.put(b"witness").expect("again"), id);
        let after = std::fs::metadata(store.path(&id)).expect("meta");
        assert!(after.modified().expect("mtime") > before.modified().expect("mtime"));
        // The same file (no rename over it), and its bytes.
        use std::os::unix::fs::MetadataExt;
        assert_eq!(after.ino(), before.ino());
        assert_eq!(store.get(&id).expect("get"), b"witness");
        let swept = store.sweep(&Default::default(), std::time::Duration::from_secs(60));
        assert_eq!(swept.expect("sweep"), (0, 0), "a renewed blob is young");
        // A blob whose file is gone is written again.
        std::fs::remove_file(store.path(&id)).expect("rm");
        assert_eq!(store.put(b"witness").expect("rewritten"), id);
        assert_eq!(store.get(&id).expect("get"), b"witness");
    }

    /// Parsed witnesses: taken once, the oldest dropped past the count, a huge one not kept.
    #[test]
    fn kept_witnesses_are_bounded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::open(dir.path()).expect("open");
        let values = |n: u64| Arc::new((0..n).map(Fr::from_u64).collect::<Vec<_>>());
        store.keep_witness("a", values(3));
        let other = store.clone();
        assert_eq!(other.kept_witness("a").expect("kept").len(), 3);
        assert!(store.kept_witness("a").is_none(), "taken once");
        for i in 0..=KEPT_WITNESSES {
            store.keep_witness(&format!("w{i}"), values(1));
        }
        assert!(store.kept_witness("w0").is_none(), "the oldest was dropped");
        assert!(store.kept_witness(&format!("w{KEPT_WITNESSES}")).is_some());
        store.keep_witness("huge", Arc::new(vec![Fr::ZERO; KEPT_WITNESS_VALUES + 1]));
        assert!(store.kept_witness("huge").is_none());
    }
}
