//! Backends: zero-sized types that say where data lives and where operations run (stwo's
//! `CpuBackend` / `SimdBackend` pattern). Each concept crate defines its own `*Ops` trait over a
//! backend; the GPU crate implements the same traits for its backends.

/// A place to run operations, with its own column type.
pub trait Backend: Copy + Default + core::fmt::Debug + Send + Sync + 'static {
    /// A column of `T` owned by this backend (host memory on the CPU, device memory on a GPU).
    type Column<T: Copy + Send + Sync + 'static>: Send + Sync;

    /// A short name for logs and reports (`"cpu"`, `"cuda"`, …).
    const NAME: &'static str;
}

/// The reference backend: host memory, Rayon threads, the field's SIMD packing.
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq)]
pub struct CpuBackend;

impl Backend for CpuBackend {
    type Column<T: Copy + Send + Sync + 'static> = Vec<T>;
    const NAME: &'static str = "cpu";
}
