//! WHIR (Arnon, Chiesa, Fenzi, Yogev 2024): a multilinear polynomial commitment over small fields,
//! built on Reed–Solomon proximity testing with super-fast verification.

#![forbid(unsafe_code)]
