//! The JSON reader of [cph-jobs](https://docs.rs/cph-jobs), and the decoder
//! and writer of its ListJobs documents: an implementation detail of
//! cph-jobs, which re-exports what its users need. Use cph-jobs instead; this
//! crate's API may change in any release.
//!
//! The ListJobs document and error bodies are read here rather than through
//! serde_json: a general parser brings float parsing and formatting, a value
//! tree and generic error machinery into every WebAssembly download, and this
//! API needs none of them. What it does need is kept: full JSON syntax and
//! UTF-8 checking, escapes and surrogate pairs, skipping of unknown values at
//! any depth without recursion, and errors that name the JSON path.
//! cph-jobs' `tests/differential.rs` checks it against serde_json on
//! generated and corrupted documents.
//!
//! It is a crate of its own for the build: cph-jobs' WebAssembly module is
//! built for size, and this, the hot path of every call (a page of 10,000
//! jobs is 2.5 MB of JSON), is built for speed. Cargo sets the
//! optimization level per crate. So that the level here is the one that
//! counts, the entry points are not generic: a generic function would be
//! compiled in the crate that calls it, at that crate's level.
#![deny(missing_docs)]

mod list_jobs;
mod reader;
mod write;

pub use list_jobs::{
    read_list_jobs, safe_status, to_json_text, write_job, WireJob, OPTIONAL_FIELDS,
    STATUS_OUT_OF_RANGE,
};
pub use reader::{line_column, Integer, JsonError, JsonErrorAt, Kind, Reader};
pub use write::{write_integer, write_string};
