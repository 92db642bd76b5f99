//! Work over many dates, run in parallel a batch of dates at a time.

use rayon::prelude::*;

use crate::Result;

/// Dates assembled together (in parallel) before their rows are written: bounds the memory a
/// build holds, whatever the length of history. The result does not depend on it.
pub const DATES_PER_BATCH: usize = 8;

/// Runs `work` on `items` in parallel, `batch` at a time, handing each result to `take` in order
/// on the calling thread while the next batch is worked on: at most three batches of results
/// are held at once (one being worked on, one waiting, one being taken). An error from either
/// stops the work after the batch under way.
pub(super) fn in_batches<I: Sync, T: Send>(
    items: &[I],
    batch: usize,
    work: impl Fn(&I) -> Result<T> + Sync,
    mut take: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let batch = batch.max(1);
    if items.len() <= batch {
        // One batch: nothing to overlap.
        let results: Vec<Result<T>> = items.par_iter().map(&work).collect();
        return results.into_iter().try_for_each(|r| take(r?));
    }
    let (done, results) = std::sync::mpsc::sync_channel::<Vec<Result<T>>>(1);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for chunk in items.chunks(batch) {
                // A closed channel: the taker stopped.
                if done.send(chunk.par_iter().map(&work).collect()).is_err() {
                    break;
                }
            }
            // Taken into this thread (not borrowed), so the taker's loop ends when the work does.
            drop(done);
        });
        let outcome = results.iter().flatten().try_for_each(|r| take(r?));
        // Ends the worker's loop at its next send.
        drop(results);
        outcome
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_and_an_error_stops_the_work() {
        let items: Vec<u32> = (0..100).collect();
        let mut seen = Vec::new();
        in_batches(
            &items,
            8,
            |&i| Ok(i * 2),
            |v| {
                seen.push(v);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..100).map(|i| i * 2).collect::<Vec<_>>());

        let worked = std::sync::atomic::AtomicUsize::new(0);
        let failed = in_batches(
            &items,
            8,
            |&i| {
                worked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i == 20 { Err(crate::Error::invalid("item 20")) } else { Ok(i) }
            },
            |_| Ok(()),
        );
        assert!(failed.is_err());
        // The batch holding item 20 and at most the two after it were worked on.
        assert!(worked.load(std::sync::atomic::Ordering::Relaxed) <= 48);

        let mut taken = 0;
        let stopped = in_batches(
            &items,
            8,
            |&i| Ok(i),
            |_| {
                taken += 1;
                if taken == 3 { Err(crate::Error::invalid("enough")) } else { Ok(()) }
            },
        );
        assert!(stopped.is_err());
        assert_eq!(taken, 3);
    }
}
