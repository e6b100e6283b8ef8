//! KZG polynomial commitments over BN254 (Kate–Zaverucha–Goldberg 2010).
//!
//! Work in progress: the structured reference string, commit, open and verify land here.

#![forbid(unsafe_code)]
