//! Progress reporting and cancellation for long operations.
//!
//! Engine functions that may run for long take a [`Progress`]. The CLI turns its reports into a
//! progress bar, the desktop shell into a Tauri channel. Cancellation is cooperative: the engine
//! checks [`Progress::check`] between units of work and undoes what it started.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::{Error, Result};

/// One progress report: `done` of `total` units of the named phase.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Step {
    /// The phase, e.g. "stage" or "commit".
    pub phase: String,
    /// Units finished so far.
    pub done: u64,
    /// Units in all (0 when unknown).
    pub total: u64,
    /// What was just finished, e.g. a file name.
    pub message: String,
}

/// A progress sink plus a cancellation flag; both optional.
#[derive(Clone, Copy, Default)]
pub struct Progress<'a> {
    sink: Option<&'a (dyn Fn(&Step) + Sync)>,
    cancel: Option<&'a AtomicBool>,
}

impl<'a> Progress<'a> {
    /// Reports nothing and is never cancelled.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reports to `sink`.
    pub fn new(sink: &'a (dyn Fn(&Step) + Sync)) -> Self {
        Self { sink: Some(sink), cancel: None }
    }

    /// Also watches `flag`: once it is set, [`Progress::check`] fails with [`Error::Cancelled`].
    pub fn cancellable(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// Sends one report.
    pub fn report(&self, phase: &'static str, done: u64, total: u64, message: impl Into<String>) {
        if let Some(sink) = self.sink {
            sink(&Step { phase: phase.to_owned(), done, total, message: message.into() });
        }
    }

    /// Fails with [`Error::Cancelled`] if cancellation was requested.
    pub fn check(&self) -> Result<()> {
        match self.cancel {
            Some(flag) if flag.load(Ordering::Relaxed) => Err(Error::Cancelled),
            _ => Ok(()),
        }
    }

    /// A counter for work done in parallel: each [`Counter::tick`] reports one more unit.
    pub fn counter(&self, phase: &'static str, total: u64) -> Counter<'_, 'a> {
        self.report(phase, 0, total, "");
        Counter { progress: self, phase, total, done: AtomicU64::new(0) }
    }
}

/// Counts finished units across threads; see [`Progress::counter`].
pub struct Counter<'p, 'a> {
    progress: &'p Progress<'a>,
    phase: &'static str,
    total: u64,
    done: AtomicU64,
}

impl Counter<'_, '_> {
    /// One more unit finished; reports it and checks for cancellation.
    pub fn tick(&self, message: impl Into<String>) -> Result<()> {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        self.progress.report(self.phase, done, self.total, message);
        self.progress.check()
    }
}
