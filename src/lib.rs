//! Riskdesk's engine: staging, checking and versioning factor exposures, on a local home folder.
//!
//! Front ends (the command-line tool, the desktop app) use the [`api::Backend`] trait and only
//! adapt arguments and show results. See `ARCHITECTURE.md` for how the modules fit together.

pub mod api;
pub mod batch;
pub mod chart;
pub mod checks;
mod compare;
pub mod date;
pub mod demo;
pub mod error;
pub(crate) mod frame;
pub mod inputs;
pub mod keys;
pub mod names;
pub mod parse;
pub mod portfolio;
pub mod progress;
mod random;
pub mod reference;
pub mod riskdataset;
pub mod riskmodel;
pub mod scan;
pub mod store;
pub mod table;
pub(crate) mod tabular;
pub mod text;
pub mod uploader;

pub use api::{Backend, LocalBackend};
pub use error::{Error, Result};
pub use progress::Progress;
pub use store::Home;
