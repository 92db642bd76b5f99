//! Running jobs and their cancel flags, by the id the UI gave each one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The cancel flag of every running job. Each job has its own, so starting or finishing one
/// job can never clear another's pending cancel.
#[derive(Default)]
pub struct Jobs {
    flags: Mutex<HashMap<u64, Arc<AtomicBool>>>,
}

/// A running job: removes its flag when dropped.
pub struct Running<'a> {
    jobs: &'a Jobs,
    id: u64,
    flag: Arc<AtomicBool>,
}

impl Jobs {
    fn flags(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<AtomicBool>>> {
        self.flags.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers job `id`. A cancel that arrived before the job started still applies.
    pub fn start(&self, id: u64) -> Running<'_> {
        let flag = Arc::clone(self.flags().entry(id).or_default());
        Running { jobs: self, id, flag }
    }

    /// Asks job `id` to stop. For an id not running yet the request waits for it to start.
    pub fn cancel(&self, id: u64) {
        self.flags().entry(id).or_default().store(true, Ordering::Relaxed);
    }

    /// How many jobs are registered (running, or cancelled before they started).
    pub fn len(&self) -> usize {
        self.flags().len()
    }

    /// True when no job is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Running<'_> {
    /// The flag the job's `Progress` watches.
    pub fn flag(&self) -> &AtomicBool {
        &self.flag
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.jobs.flags().remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_job_has_its_own_flag_and_a_finished_job_is_forgotten() {
        let jobs = Jobs::default();
        let a = jobs.start(1);
        let b = jobs.start(2);
        jobs.cancel(1);
        assert!(a.flag().load(Ordering::Relaxed));
        assert!(!b.flag().load(Ordering::Relaxed), "cancelling one job leaves the other running");
        drop(a);
        drop(b);
        assert!(jobs.is_empty());
    }

    #[test]
    fn a_cancel_that_arrives_before_its_job_starts_still_stops_it() {
        let jobs = Jobs::default();
        jobs.cancel(7);
        assert!(jobs.start(7).flag().load(Ordering::Relaxed));
        assert!(jobs.is_empty());
    }
}
