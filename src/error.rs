//! The engine's one error type. Every variant has a stable machine code (see [`Error::code`])
//! that the CLI, the desktop shell and the HTTP server pass on unchanged.

use std::path::PathBuf;

/// Result alias used throughout the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller asked for something malformed: a bad argument, a bad file, an unknown mode.
    #[error("{message}")]
    InvalidInput { message: String, details: Vec<String> },
    /// A named thing (dataset, staged name, version) does not exist.
    #[error("{what} '{name}' does not exist")]
    NotFound { what: &'static str, name: String },
    /// The request contradicts data already there (existing keys, duplicate keys, name taken).
    #[error("{message}")]
    Conflict { message: String, details: Vec<String> },
    /// Another process holds the write lock of the home folder.
    #[error("the home folder {} is busy: another Riskdesk process is writing to it; try again when it has finished", path.display())]
    Busy { path: PathBuf },
    /// The caller cancelled a long operation; nothing was changed.
    #[error("cancelled; nothing was changed")]
    Cancelled,
    /// A file system operation failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The SQLite catalog failed.
    #[error("catalog: {0}")]
    Catalog(#[from] rusqlite::Error),
    /// A stored data file could not be read or written.
    #[error("storage: {0}")]
    Storage(String),
}

impl Error {
    /// A stable, machine-readable code for this error (never changes between versions).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { .. } => "conflict",
            Error::Busy { .. } => "busy",
            Error::Cancelled => "cancelled",
            Error::Io { .. } => "io",
            Error::Catalog(_) => "catalog",
            Error::Storage(_) => "storage",
        }
    }

    /// Supporting lines (one per offending file, key or value), possibly empty.
    pub fn details(&self) -> &[String] {
        match self {
            Error::InvalidInput { details, .. } | Error::Conflict { details, .. } => details,
            _ => &[],
        }
    }

    /// An [`Error::InvalidInput`] without details.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput { message: message.into(), details: Vec::new() }
    }

    /// An [`Error::Conflict`] with details.
    pub fn conflict(message: impl Into<String>, details: Vec<String>) -> Self {
        Error::Conflict { message: message.into(), details }
    }

    /// An [`Error::NotFound`].
    pub fn not_found(what: &'static str, name: impl Into<String>) -> Self {
        Error::NotFound { what, name: name.into() }
    }

    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}

impl From<parquet::errors::ParquetError> for Error {
    fn from(e: parquet::errors::ParquetError) -> Self {
        Error::Storage(e.to_string())
    }
}

impl From<arrow_schema::ArrowError> for Error {
    fn from(e: arrow_schema::ArrowError) -> Self {
        Error::Storage(e.to_string())
    }
}

/// Adds path context to `std::io::Result`s.
pub(crate) trait IoContext<T> {
    fn at(self, what: &str, path: &std::path::Path) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, what: &str, path: &std::path::Path) -> Result<T> {
        self.map_err(|e| Error::io(format!("{what} {}", path.display()), e))
    }
}
