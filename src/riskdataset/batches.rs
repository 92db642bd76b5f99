//! Work over many dates, run in parallel a batch of dates at a time.

use rayon::prelude::*;

use crate::Result;

/// Dates assembled together (in parallel) before their rows are written: bounds the memory a
/// build holds, whatever the length of history. The result does not depend on it.
pub const DATES_PER_BATCH: usize = 8;

/// Runs `work` on `items` in parallel, `batch` at a time, handing each result to `take` in order:
/// at most `batch` results are held at once.
pub(super) fn in_batches<I: Sync, T: Send>(
    items: &[I],
    batch: usize,
    work: impl Fn(&I) -> Result<T> + Sync,
    mut take: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    for chunk in items.chunks(batch.max(1)) {
        let results: Vec<Result<T>> = chunk.par_iter().map(&work).collect();
        for r in results {
            take(r?)?;
        }
    }
    Ok(())
}
