//! The one error type of this crate.

/// Everything that can go wrong reading or writing circom/snarkjs files.
///
/// Every variant names the file (its path, or the label the caller gave a reader), and where it
/// applies the section and what was expected versus found, so the message alone tells a user what
/// is wrong with which file.
#[derive(Debug, thiserror::Error)]
pub enum CircomError {
    /// The operating system failed to open, read, seek or write the file.
    #[error("{file}: I/O error: {source}")]
    Io {
        /// The file.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },

    /// The file ends before the data its headers announce.
    #[error("{file}: truncated {what}: needs {expected} bytes, only {found} available")]
    Truncated {
        /// The file.
        file: String,
        /// What was being read ("section table", "section 3 (IC)", ...).
        what: String,
        /// Bytes needed.
        expected: u64,
        /// Bytes available.
        found: u64,
    },

    /// The first four bytes are not the expected magic.
    #[error("{file}: not a .{expected} file: magic bytes are {found:?}, expected {expected:?}")]
    BadMagic {
        /// The file.
        file: String,
        /// The expected magic ("zkey", "wtns", "r1cs").
        expected: &'static str,
        /// The magic found, with non-printable bytes escaped.
        found: String,
    },

    /// The container version is one this reader does not know.
    #[error(
        "{file}: unsupported .{kind} version {found} (this reader supports version {supported})"
    )]
    UnsupportedVersion {
        /// The file.
        file: String,
        /// The file kind ("zkey", "wtns", "r1cs").
        kind: &'static str,
        /// The supported version.
        supported: u32,
        /// The version in the file.
        found: u32,
    },

    /// A section id appears twice in the section table.
    #[error("{file}: section {section} appears more than once")]
    DuplicateSection {
        /// The file.
        file: String,
        /// The section id.
        section: u32,
    },

    /// A required section is missing.
    #[error("{file}: missing section {section} ({name})")]
    MissingSection {
        /// The file.
        file: String,
        /// The section id.
        section: u32,
        /// The section's name.
        name: &'static str,
    },

    /// A section's size disagrees with its header counts (or its data was not consumed exactly).
    #[error("{file}: section {section} ({name}) has {found} bytes, expected {expected}{detail}")]
    SectionSize {
        /// The file.
        file: String,
        /// The section id.
        section: u32,
        /// The section's name.
        name: &'static str,
        /// The expected size in bytes.
        expected: u64,
        /// The size in the section table.
        found: u64,
        /// How the expected size was derived (may be empty), starting with ": ".
        detail: String,
    },

    /// A zkey for a proof system other than Groth16.
    #[error(
        "{file}: the zkey is for {name} (protocol id {protocol}), only Groth16 (protocol id 1) is supported"
    )]
    UnsupportedProtocol {
        /// The file.
        file: String,
        /// The protocol id in section 1.
        protocol: u32,
        /// Its name ("PLONK", "fflonk", or "unknown").
        name: &'static str,
    },

    /// A prime in the file is not the BN254 one.
    #[error("{file}: section {section} ({name}): {which} is {found}, expected BN254's {which}")]
    WrongCurve {
        /// The file.
        file: String,
        /// The section id.
        section: u32,
        /// The section's name.
        name: &'static str,
        /// Which prime ("base field prime q", "scalar field prime r").
        which: &'static str,
        /// The curve recognised from the prime, or the prime itself in decimal.
        found: String,
    },

    /// A header field holds an impossible value.
    #[error("{file}: section {section} ({name}): invalid {field}: {reason}")]
    InvalidHeader {
        /// The file.
        file: String,
        /// The section id.
        section: u32,
        /// The section's name.
        name: &'static str,
        /// The field ("nPublic", "domainSize", ...).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// A field element is not below its modulus.
    #[error(
        "{file}: section {section} ({name}), element {index}: value is not below the field modulus"
    )]
    NotCanonical {
        /// The file.
        file: String,
        /// The section id.
        section: u32,
        /// The section's name.
        name: &'static str,
        /// The element's index within the section.
        index: u64,
    },

    /// A curve point is not on the curve (or one of its coordinates is not below q).
    #[error("{file}: section {section} ({name}), point {index}: {reason}")]
    InvalidPoint {
        /// The file.
        file: String,
        /// The section id.
        section: u32,
        /// The section's name.
        name: &'static str,
        /// The point's index within the section.
        index: u64,
        /// "not on the curve", "not in the prime-order subgroup", "coordinate not below q".
        reason: &'static str,
    },

    /// Points of two sections that must agree do not (a zkey's B1 and B2 hold the same values in
    /// G1 and G2): one of them was changed.
    #[error("{file}: {sections}, point {index}: {reason}")]
    InconsistentPoints {
        /// The file.
        file: String,
        /// The sections ("sections 6 (B1) and 7 (B2)").
        sections: &'static str,
        /// The index of the first point that differs.
        index: u64,
        /// What does not agree.
        reason: &'static str,
    },

    /// A record of the zkey's coefficient section is out of range.
    #[error("{file}: section 4 (coeffs), record {index}: {reason}")]
    InvalidCoeff {
        /// The file.
        file: String,
        /// The record's index.
        index: u64,
        /// What is wrong with it.
        reason: String,
    },

    /// The witness has a different number of values than the proving key has signals.
    #[error(
        "{file}: invalid witness length: the zkey has {expected} signals (nVars), the witness has {found} values"
    )]
    WitnessLength {
        /// The witness file (or "witness" when it has no name).
        file: String,
        /// The zkey's nVars.
        expected: u64,
        /// The witness's length.
        found: u64,
    },

    /// The witness is over another field than the proving key.
    #[error("the witness's prime {witness} does not match the zkey's scalar field prime r {zkey}")]
    WitnessPrime {
        /// The zkey's r, in decimal.
        zkey: String,
        /// The witness's prime, in decimal (or the curve recognised from it).
        witness: String,
    },

    /// A witness value that circom always sets is wrong (`witness[0]` must be 1).
    #[error("{file}: invalid witness: {reason}")]
    InvalidWitness {
        /// The witness file (or "witness" when it has no name).
        file: String,
        /// What is wrong.
        reason: String,
    },

    /// A witness does not satisfy an R1CS constraint.
    #[error("constraint {constraint} is not satisfied by the witness (A·w)·(B·w) ≠ C·w")]
    Unsatisfied {
        /// The constraint's index.
        constraint: u64,
    },

    /// A wire index refers past the end of the witness.
    #[error("{what}: wire {wire} out of range (the witness has {n_wires} values)")]
    WireOutOfRange {
        /// Where ("constraint 12, A").
        what: String,
        /// The wire.
        wire: u64,
        /// The number of witness values.
        n_wires: u64,
    },

    /// An in-memory proving key whose parts disagree with its header, so that no valid `.zkey`
    /// can be written from it.
    #[error(
        "{file}: cannot write the key: {what} has {found} entries, its header implies {expected}"
    )]
    InconsistentKey {
        /// The file that was to be written.
        file: String,
        /// The part ("IC", "B2", ...).
        what: &'static str,
        /// The length the header implies.
        expected: u64,
        /// The part's length.
        found: u64,
    },

    /// The path is not a regular file (a directory, a named pipe, a device, a socket): inputs are
    /// refused before they are opened (opening a pipe would block, a device may never end), and
    /// outputs are not written over such a path.
    #[error("{file}: {kind}, expected a regular file")]
    NotAFile {
        /// The path.
        file: String,
        /// What it is ("a directory", "a named pipe (FIFO)", "a character device", ...).
        kind: &'static str,
    },

    /// A file read whole (JSON) is larger than the limit.
    #[error("{file}: {size} bytes, more than the {limit}-byte limit for this kind of file")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size in bytes (at least; a file still growing is not read to its end).
        size: u64,
        /// The limit ([`crate::MAX_JSON_BYTES`] for JSON).
        limit: u64,
    },

    /// The file is not valid JSON or not the expected shape.
    #[error("{file}: invalid JSON: {source}")]
    Json {
        /// The file.
        file: String,
        /// The parser's error.
        source: serde_json::Error,
    },

    /// A JSON value has the right shape but a wrong value.
    #[error("{file}: {field}: {reason}")]
    JsonValue {
        /// The file.
        file: String,
        /// The JSON path of the value (`pi_a[1]`, `IC[3]`).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The crate's result type.
pub type Result<T, E = CircomError> = core::result::Result<T, E>;
