//! Durable storage: a catalog (SQL) and immutable Parquet objects, on this machine or a team's.

pub mod catalog;
pub mod durable;
pub mod home;
pub mod objects;
pub(crate) mod parts;
pub mod sql;

pub use home::{Embedded, Home, Scope, Storage, WriteLock};
pub use parts::write_atomically;
