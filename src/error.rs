//! The engine's one error type. Every variant has a stable machine code (see [`Error::code`])
//! that the CLI, the desktop shell and the HTTP server pass on unchanged. On the wire an error is
//! an [`ErrorBody`] `{code, message, details}`; [`Error`] serializes to it and back, so a remote
//! backend returns the same codes as the local one.

/// Result alias used throughout the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller asked for something malformed: a bad argument, a bad file, an unknown mode.
    #[error("{message}")]
    InvalidInput {
        /// What is wrong; this is the error's displayed message.
        message: String,
        /// Supporting lines (one per offending file, key or value), possibly empty.
        details: Vec<String>,
    },
    /// A named thing (dataset, staged name, version) does not exist.
    #[error("{what} '{name}' does not exist")]
    NotFound {
        /// The kind of thing looked for, in words ("dataset", "staged name", "version", ...).
        what: &'static str,
        /// The name (or number, with its context) that was looked for.
        name: String,
    },
    /// The request contradicts data already there (existing keys, duplicate keys, name taken).
    #[error("{message}")]
    Conflict {
        /// What conflicts and what was refused; this is the error's displayed message.
        message: String,
        /// Supporting lines (e.g. up to 50 conflicting keys, or the risk datasets in the way), possibly empty.
        details: Vec<String>,
    },
    /// Another writer holds the write lock (of the home folder, or of one dataset in a team store).
    #[error("{what} is busy: another Riskdesk process is writing to it; try again when it has finished")]
    Busy {
        /// What is locked, in words (e.g. "the home folder /path").
        what: String,
    },
    /// The caller cancelled a long operation; nothing was changed.
    #[error("cancelled; nothing was changed")]
    Cancelled,
    /// A file system operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, and to which path (e.g. "cannot write /path/file").
        context: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The catalog's database (SQLite or PostgreSQL) failed.
    #[error("catalog: {0}")]
    Catalog(String),
    /// A stored data file could not be read or written.
    #[error("storage: {0}")]
    Storage(String),
    /// A bug or a crashed worker: work stopped for a reason that is not the caller's.
    #[error("internal error: {0}")]
    Internal(String),
    /// An error reported by another process (a server) under a code this build does not map to
    /// a variant of its own; its code, message and details are kept as they arrived.
    #[error("{}", .0.message)]
    Reported(ErrorBody),
}

/// The wire form of an [`Error`]: its stable code, its message and its detail lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ErrorBody {
    /// The stable machine code (see [`Error::code`]).
    pub code: String,
    /// The human-readable message ([`Error`]'s `Display` text).
    pub message: String,
    /// Supporting lines, possibly empty; absent on the wire means empty.
    #[serde(default)]
    pub details: Vec<String>,
}

impl From<&Error> for ErrorBody {
    fn from(e: &Error) -> Self {
        ErrorBody { code: e.code().to_owned(), message: e.to_string(), details: e.details().to_vec() }
    }
}

impl From<ErrorBody> for Error {
    /// The variant a code names where the message and details carry all of it; otherwise
    /// [`Error::Reported`], which keeps the code.
    fn from(body: ErrorBody) -> Self {
        match body.code.as_str() {
            "invalid_input" => Error::InvalidInput { message: body.message, details: body.details },
            "conflict" => Error::Conflict { message: body.message, details: body.details },
            "cancelled" => Error::Cancelled,
            _ => Error::Reported(body),
        }
    }
}

impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        ErrorBody::from(self).serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Error {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        ErrorBody::deserialize(d).map(Error::from)
    }
}

impl Error {
    /// A stable, machine-readable code for this error (never changes between versions).
    pub fn code(&self) -> &str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { .. } => "conflict",
            Error::Busy { .. } => "busy",
            Error::Cancelled => "cancelled",
            Error::Io { .. } => "io",
            Error::Catalog(_) => "catalog",
            Error::Storage(_) => "storage",
            Error::Internal(_) => "internal",
            Error::Reported(body) => &body.code,
        }
    }

    /// Supporting lines (one per offending file, key or value), possibly empty.
    pub fn details(&self) -> &[String] {
        match self {
            Error::InvalidInput { details, .. } | Error::Conflict { details, .. } => details,
            Error::Reported(body) => &body.details,
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

    /// An [`Error::NotFound`]; the name is kept escaped ([`crate::names::shown`]), so that a
    /// name with control or invisible characters never reaches a terminal or a log as it is.
    pub fn not_found(what: &'static str, name: impl Into<String>) -> Self {
        Error::NotFound { what, name: crate::names::shown(&name.into()) }
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
