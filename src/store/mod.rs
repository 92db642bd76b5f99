//! Durable storage: the home folder, its SQLite catalog and the immutable Parquet files.

pub mod catalog;
pub mod home;
pub mod parts;

pub use home::{Home, WriteLock};
