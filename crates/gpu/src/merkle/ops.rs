//! crates/hash's [`MerkleOps`] for the GPU backends, for the Poseidon2 Merkle hash of the device
//! programs (`Poseidon2Merkle<F, 16, 8, 8>` over M31 or BabyBear, crates/hash's standard
//! instance): leaves by `p2_hash_rows`, layers by `p2_compress` (`poseidon2.cu`, beside this file).
//!
//! A digest column is a device buffer of `[F; 8]`, the digests' elements consecutive (the layout
//! the kernels read and write); [`digest_download`] copies one back. The device programs hold the
//! standard instance's tables, so a hasher over another instance (other round constants) is refused
//! with [`MerkleError::NonStandardHash`] rather than hashed wrongly.

use zkprove_hash::{MerkleError, MerkleOps, Poseidon2, Poseidon2Merkle};

use super::device_word;
use crate::runtime::{KernelArg, Launch, Runtime};
use crate::{
    GpuBackend, GpuBuffer, GpuError, MERKLE_OUT, POSEIDON2_WIDTH, Poseidon2GpuField, device_error,
};

/// The Merkle hash the device programs compute.
type DeviceHash<F> = Poseidon2Merkle<F, POSEIDON2_WIDTH, 8, MERKLE_OUT>;

fn backend_err<R: Runtime>(e: GpuError) -> MerkleError {
    MerkleError::Device(device_error::<R>(e))
}

/// Whether `perm` is the instance the device program of `F` computes.
fn is_standard<F: Poseidon2GpuField>(perm: &Poseidon2<F, POSEIDON2_WIDTH>) -> bool {
    let std = F::poseidon2();
    perm.sbox_degree() == std.sbox_degree()
        && perm.n_full_rounds() == std.n_full_rounds()
        && perm.n_partial_rounds() == std.n_partial_rounds()
        && perm.internal_diag() == std.internal_diag()
        && perm.internal_constants() == std.internal_constants()
        && perm.external_initial_constants() == std.external_initial_constants()
        && perm.external_terminal_constants() == std.external_terminal_constants()
}

fn check_hasher<F: Poseidon2GpuField>(hasher: &DeviceHash<F>) -> Result<(), MerkleError> {
    if is_standard(hasher.permutation()) { Ok(()) } else { Err(MerkleError::NonStandardHash) }
}

fn to_u32<R: Runtime>(n: usize) -> Result<u32, MerkleError> {
    u32::try_from(n).map_err(|_| {
        backend_err::<R>(GpuError::Unsupported { what: format!("{n} ≥ 2^32 rows or nodes") })
    })
}

fn hash_leaves<R: Runtime, F: Poseidon2GpuField>(
    hasher: &DeviceHash<F>,
    rows: &GpuBuffer<R, F>,
    row_len: usize,
) -> Result<GpuBuffer<R, [F; MERKLE_OUT]>, MerkleError> {
    check_hasher(hasher)?;
    let device = rows.device();
    let n = rows.len().checked_div(row_len).unwrap_or(0);
    let out = GpuBuffer::<R, [F; MERKLE_OUT]>::zeroed_raw(device, n).map_err(backend_err::<R>)?;
    device
        .launch_program(
            F::P2_PROGRAM,
            "p2_hash_rows",
            &[
                KernelArg::Mem(rows.mem()),
                KernelArg::Mem(out.mem()),
                KernelArg::U32(to_u32::<R>(n)?),
                KernelArg::U32(to_u32::<R>(row_len)?),
                KernelArg::U32(device_word(zkprove_hash::leaf_tag::<F>(row_len))),
            ],
            n,
            None,
        )
        .map_err(backend_err::<R>)?;
    Ok(out)
}

fn compress_layer<R: Runtime, F: Poseidon2GpuField>(
    hasher: &DeviceHash<F>,
    layer: &GpuBuffer<R, [F; MERKLE_OUT]>,
) -> Result<GpuBuffer<R, [F; MERKLE_OUT]>, MerkleError> {
    check_hasher(hasher)?;
    let device = layer.device();
    let n = layer.len() / 2;
    let out = GpuBuffer::<R, [F; MERKLE_OUT]>::zeroed_raw(device, n).map_err(backend_err::<R>)?;
    device
        .launch_program(
            F::P2_PROGRAM,
            "p2_compress",
            &[
                KernelArg::Mem(layer.mem()),
                KernelArg::Mem(out.mem()),
                KernelArg::U32(to_u32::<R>(n)?),
            ],
            n,
            None,
        )
        .map_err(backend_err::<R>)?;
    Ok(out)
}

/// Copies a digest column back to the host (after all queued work), checking every element.
///
/// # Errors
/// [`GpuError::Driver`], [`GpuError::InvalidElement`].
pub fn digest_download<R: Runtime, F: Poseidon2GpuField>(
    digests: &GpuBuffer<R, [F; MERKLE_OUT]>,
) -> Result<Vec<[F; MERKLE_OUT]>, GpuError> {
    let elems = F::from_bytes(&digests.read_bytes(digests.len())?)?;
    Ok(elems.chunks_exact(MERKLE_OUT).map(|c| core::array::from_fn(|i| c[i])).collect())
}

/// One launch per layer (`p2_hash_rows`, then `p2_compress`); the digests stay on the device.
impl<F: Poseidon2GpuField, R: Runtime> MerkleOps<DeviceHash<F>> for GpuBackend<R> {
    fn hash_leaves(
        hasher: &DeviceHash<F>,
        rows: &GpuBuffer<R, F>,
        row_len: usize,
    ) -> Result<GpuBuffer<R, [F; MERKLE_OUT]>, MerkleError> {
        hash_leaves(hasher, rows, row_len)
    }

    fn compress_layer(
        hasher: &DeviceHash<F>,
        layer: &GpuBuffer<R, [F; MERKLE_OUT]>,
    ) -> Result<GpuBuffer<R, [F; MERKLE_OUT]>, MerkleError> {
        compress_layer(hasher, layer)
    }
}
