//! TEMPORARY: the zerocheck round of the GPU backend on the host. It downloads the round's live
//! tables (the first `len` entries of each row and LogUp table, the `len / 2` of `eq`) and runs
//! `<CpuBackend as AirOps<F, E>>::zerocheck_round` on them, so that the whole prover runs on
//! [`GpuBackend`] (and its proofs can be compared with the CPU's) before the device round exists.
//! The lead replaces the call in `air/mod.rs` with the device version (`air/zerocheck.rs`, the
//! same signature) at merge, and deletes this file.
//!
//! These downloads are not in `zkprove-air`'s `AirProfile` (the prover counts the round's
//! read-back as the device version's: its sums).

use zkprove_air::{
    Air, AirOps, AirShape, Interaction, RowTables, ZerocheckChallenges, ZerocheckRound,
    ZerocheckSums,
};
use zkprove_poly::{ColumnOps, CpuBackend, DeviceError};

use crate::runtime::Runtime;
use crate::{GpuBackend, GpuBuffer, GpuExtension, GpuField};

/// The first `len` entries of each table, on the host.
fn download_live<R: Runtime, T>(
    tables: &[GpuBuffer<R, T>],
    len: usize,
) -> Result<Vec<Vec<T>>, DeviceError>
where
    T: crate::DeviceElem,
{
    tables.iter().map(|t| <GpuBackend<R> as ColumnOps<T>>::download_range(t, 0..len)).collect()
}

/// [`AirOps::zerocheck_round`] for [`GpuBackend`], on the host (see the module documentation).
///
/// # Errors
/// A table shorter than the round's `len` (or `eq` shorter than `len / 2`), transfer failures,
/// and the CPU round's own errors.
pub(crate) fn zerocheck_round<F: GpuField, E: GpuExtension<F>, R: Runtime, A: Air<F> + ?Sized>(
    air: &A,
    shape: &AirShape,
    lookups: &[Interaction<F>],
    challenges: &ZerocheckChallenges<E>,
    round: ZerocheckRound<'_, GpuBackend<R>, F, E>,
) -> Result<ZerocheckSums<E>, DeviceError> {
    let len = round.len;
    let ext = download_live::<R, E>(round.ext, len)?;
    let eq = <GpuBackend<R> as ColumnOps<E>>::download_range(round.eq, 0..len / 2)?;
    let (n_columns, uses_next, degree) = (round.n_columns, round.uses_next, round.degree);
    let (ext, eq) = (&ext, &eq);
    let cpu_round = |rows| ZerocheckRound { rows, ext, eq, len, n_columns, uses_next, degree };
    match round.rows {
        RowTables::Base(tables) => {
            let rows = download_live::<R, F>(tables, len)?;
            <CpuBackend as AirOps<F, E>>::zerocheck_round(
                air,
                shape,
                lookups,
                challenges,
                cpu_round(RowTables::Base(&rows)),
            )
        }
        RowTables::Ext(tables) => {
            let rows = download_live::<R, E>(tables, len)?;
            <CpuBackend as AirOps<F, E>>::zerocheck_round(
                air,
                shape,
                lookups,
                challenges,
                cpu_round(RowTables::Ext(&rows)),
            )
        }
    }
}
