//! [`Pages`]: the pages of a call, one request at a time, for Rust
//! frontends; the npm package's `paginateJobs` is `js::JobPages`.

use web_sys::AbortSignal;

use super::client::{CallOptions, Client, Jobs, Progress};
use super::platform::now_ms;
use crate::error::Error;
use crate::model::ListJobsResponse;
use crate::operation::{Action, Kind, Operation};

impl Client {
    /// The pages of the jobs of any number of batch requests, one request at
    /// a time; see [`Pages`].
    pub fn pages(&self, jobs: &Jobs, options: &CallOptions) -> Pages {
        Pages {
            client: self.clone(),
            op: self.operation(Kind::Pages, jobs, &options.core()),
            signal: options.signal.clone(),
            started: false,
            done: false,
        }
    }
}

/// Pages of jobs, fetched one request at a time as they are asked for.
///
/// Groups of 20 ids are listed in turn, each page by page until a short
/// page. Each page has its own deadline (`timeout_ms`).
pub struct Pages {
    client: Client,
    op: Result<Operation, Error>,
    signal: Option<AbortSignal>,
    started: bool,
    done: bool,
}

impl Pages {
    /// The next page, or `None` after the last.
    ///
    /// # Errors
    ///
    /// As [`Client::list_jobs`]; the pages end after an error.
    pub async fn next(&mut self) -> Option<Result<ListJobsResponse, Error>> {
        if self.done {
            return None;
        }
        let op = match &mut self.op {
            Ok(op) => op,
            Err(error) => {
                self.done = true;
                return Some(Err(error.clone()));
            }
        };
        let action = if self.started {
            op.resume(now_ms())
        } else {
            self.started = true;
            op.start(now_ms())
        };
        if action == Action::Done {
            self.done = true;
            return None;
        }
        let last = self
            .client
            .drive(op, action, self.signal.as_ref(), Progress::Nobody)
            .await;
        if last != Action::Page {
            self.done = true;
        }
        op.finish()
    }
}
