//! The core's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the core. Every variant carries enough to print a
/// one-line message that names the problem.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is outside the range where the maths makes sense.
    #[error("invalid {what}: {why}")]
    InvalidParameter {
        /// The parameter, as a user would name it.
        what: String,
        /// Why it was refused.
        why: String,
    },
    /// A rig file could not be read or written. The I/O error is part of the message
    /// rather than a separate cause, so error chains print it once.
    #[error("cannot {action} rig file {path}: {error}")]
    RigIo {
        /// The file.
        path: PathBuf,
        /// "read" or "write".
        action: &'static str,
        /// The I/O error.
        error: std::io::Error,
    },
    /// A rig file was read but is not a valid rig.
    #[error("malformed rig file {path}: {why}")]
    RigFormat {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A sport name that has no profile.
    #[error("unknown sport '{0}' (known: football, football7)")]
    UnknownSport(String),
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(what: impl Into<String>, why: impl Into<String>) -> Self {
        Error::InvalidParameter {
            what: what.into(),
            why: why.into(),
        }
    }
}
