//! The WebAssembly edge (only on `wasm32`): the `fetch` transport, the Rust
//! API that wasm frontends call, and (with the `js` feature) the JavaScript
//! exports of the npm package.
//!
//! Everything that can be decided without I/O happens in the core; this
//! module only moves bytes, sleeps and builds JS values.
//!
//! ```no_run
//! use cph_jobs::wasm::{list_jobs, CallOptions, Client, Jobs};
//! use cph_jobs::{ErrorKind, JobStatus};
//!
//! # fn show(_: &str) {}
//! # async fn run(token: &str) -> Result<(), cph_jobs::Error> {
//! // One call with the defaults:
//! let response = list_jobs(
//!     "https://console.example.com/cph-proxy",
//!     "0123456789abcdef0123456789abcdef",
//!     "6837531fd3f54550927b930180a706bf",
//!     token,
//! )
//! .await?;
//! let running = response.jobs.iter().filter(|job| job.status == JobStatus::Running);
//! show(&format!("{} still running", running.count()));
//!
//! // A client for many calls, with options:
//! let client = Client::builder()
//!     .region("cn-north-4")
//!     .project_id("0123456789abcdef0123456789abcdef")
//!     .token(token)
//!     .max_attempts(5)
//!     .build()?;
//! let options = CallOptions {
//!     timeout_ms: Some(10_000),
//!     ..CallOptions::default()
//! };
//! let ids = vec!["6837531fd3f54550927b930180a706bf".to_owned(), "9f0d2c".to_owned()];
//! match client.list_all_jobs(&Jobs::Many(ids), &options).await {
//!     Ok(all) => show(&format!("{} jobs", all.jobs.len())),
//!     Err(error) if error.kind() == ErrorKind::Timeout => { /* try again later */ }
//!     Err(error) => return Err(error),
//! }
//! # Ok(())
//! # }
//! ```

mod builder;
mod client;
#[cfg(feature = "js")]
pub mod js;
mod pages;
mod platform;
#[cfg(feature = "proxy")]
mod proxy;
mod transport;

use js_sys::Object;
use wasm_bindgen::JsValue;

pub use builder::ClientBuilder;
pub use client::{list_jobs, CallOptions, Client, Jobs, OnProgress, TokenFuture, WaitOptions};
pub use pages::Pages;

use crate::error::Error;
use crate::model::ListJobsResponse;
use platform::{set, CphError};

/// A response as a plain JS object, in one crossing: the engine's
/// `JSON.parse` builds the objects far faster than setting them up field by
/// field through the boundary.
pub(crate) fn to_js(response: &ListJobsResponse) -> JsValue {
    js_sys::JSON::parse(&response.to_json()).unwrap_or(JsValue::UNDEFINED)
}

/// The JavaScript `CphError` the package rejects with, so a Rust frontend can
/// hand an [`Error`] to JavaScript as the same class.
impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        js_error(&error)
    }
}

/// The `CphError` of `error`, which stays where it is: an error kept to be
/// reported again need not be copied for it.
pub(crate) fn js_error(error: &Error) -> JsValue {
    let details = Object::new();
    if let Some(status) = error.status() {
        set(&details, "status", &status.into());
    }
    for (key, value) in [
        ("errorCode", error.error_code()),
        ("errorMsg", error.error_msg()),
        ("requestId", error.request_id()),
    ] {
        if let Some(value) = value {
            set(&details, key, &value.into());
        }
    }
    set(&details, "attempts", &error.attempts().into());
    if let Some(last) = error.last_response() {
        set(&details, "lastResponse", &to_js(last));
    }
    CphError::new(error.kind().as_str(), error.message(), &details).into()
}
