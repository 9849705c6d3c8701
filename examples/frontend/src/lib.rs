//! A minimal Rust web frontend for `cph-jobs`: it lists the jobs of a batch
//! request with `cph_jobs::wasm::Client` and renders them into the page as
//! a table through `web-sys`. No UI framework, but the shape of a Yew, Leptos
//! or Dioxus app: a model ([`View`]), an update that calls the service
//! (`load`, `follow`) and a view that renders the model (`render`).
//!
//! The model and its text are plain Rust, compiled on every target; the calls
//! and the DOM exist only on `wasm32`, like `cph_jobs::wasm` itself.
//!
//! `index.html` beside this crate is the page: build the module with
//! `wasm-pack build --target web examples/frontend` and serve the folder.
#![deny(missing_docs)]

use cph_jobs::{Error, Job, JobStatus, ListJobsResponse};

#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
pub use dom::{follow, follow_jobs, load, render, show};

/// The columns of the jobs table, in order; [`row`] fills them.
pub const COLUMNS: [&str; 6] = [
    "Job",
    "Status",
    "Phone or server",
    "Began",
    "Ended",
    "Message",
];

/// What the jobs panel shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// A call is under way.
    Loading,
    /// The jobs of a batch request, one table row each.
    Jobs(ListJobsResponse),
    /// The call failed: the text to show, from [`describe`].
    Failed(String),
}

impl View {
    /// The view of a call's outcome.
    pub fn of(result: Result<ListJobsResponse, Error>) -> View {
        match result {
            Ok(response) => View::Jobs(response),
            Err(error) => View::Failed(describe(&error)),
        }
    }
}

/// A status in words: `Running`, `Succeeded`, `Failed`, or `unknown (n)` for
/// a status the API may add later.
pub fn status_label(status: JobStatus) -> String {
    match status {
        JobStatus::Running => "Running".to_owned(),
        JobStatus::Succeeded => "Succeeded".to_owned(),
        JobStatus::Failed => "Failed".to_owned(),
        JobStatus::Unknown(code) => format!("unknown ({code})"),
    }
}

/// The cells of a job's table row, one per entry of [`COLUMNS`]; an absent
/// field is an empty cell.
pub fn row(job: &Job) -> [String; COLUMNS.len()] {
    let text = |field: &Option<String>| field.clone().unwrap_or_default();
    // A failed job explains itself with its error; others with what their
    // command printed.
    let message = match (&job.error_code, &job.error_msg) {
        (Some(code), Some(msg)) if !code.is_empty() => format!("{code}: {msg}"),
        (Some(code), _) if !code.is_empty() => code.clone(),
        _ => text(&job.execute_msg),
    };
    [
        job.job_id.clone(),
        status_label(job.status),
        // Phone jobs name a phone, server jobs a server.
        text(if job.phone_id.is_some() {
            &job.phone_id
        } else {
            &job.server_id
        }),
        text(&job.begin_time),
        text(&job.end_time),
        message,
    ]
}

/// An error as a user should read it: its kind and message, and the request
/// id to quote to support. Like the error itself, it never holds the token.
pub fn describe(error: &Error) -> String {
    let mut text = format!("{} error: {error}", error.kind());
    if let Some(request_id) = error.request_id() {
        text.push_str(" (request id ");
        text.push_str(request_id);
        text.push(')');
    }
    text
}
