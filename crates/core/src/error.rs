//! Errors the library reports. Each names the file, the field (as a path such as
//! `units[0].policy.employer_rate`) and what is allowed, on one line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario field with a value outside what is allowed.
    #[error("{file}: {field}: {message}")]
    Field {
        file: String,
        field: String,
        message: String,
    },
    /// The scenario file could not be parsed (syntax, unknown field, wrong type).
    #[error("{file}:{line}: {field}{message}")]
    Parse {
        file: String,
        line: usize,
        field: String,
        message: String,
    },
    /// A data table (CSV) with a missing column, a bad cell or a value out of range.
    #[error("{file}: line {line}, column `{column}`: {message}")]
    Table {
        file: String,
        line: u64,
        column: String,
        message: String,
    },
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing an output table or report failed.
    #[error("writing {path}: {message}")]
    Output { path: String, message: String },
    /// Reading back a file the program wrote (a shard's chunk) failed.
    #[error("reading {path}: {message}")]
    Reading { path: String, message: String },
    /// A request that cannot be carried out (e.g. a run of 0 paths); the message names the
    /// argument (`paths`, `unit`, `shard`, …), not a command-line flag.
    #[error("{0}")]
    Invalid(String),
    /// The caller cancelled the run (`RunOptions::cancel`); nothing was returned.
    #[error("cancelled after {done} of {paths} paths")]
    Cancelled { done: usize, paths: usize },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn field(file: &str, field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Field {
            file: file.to_string(),
            field: field.into(),
            message: message.into(),
        }
    }
    pub fn table(
        file: &str,
        line: u64,
        column: impl Into<String>,
        message: impl Into<String>,
    ) -> Error {
        Error::Table {
            file: file.to_string(),
            line,
            column: column.into(),
            message: message.into(),
        }
    }
}
