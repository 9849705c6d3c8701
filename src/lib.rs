//! Ask Huawei Cloud's Cloud Phone service (CPH) how a batch of jobs is doing.
//!
//! `cph-jobs` wraps one call, [`ListJobs`](https://support.huaweicloud.com/api-cph/cph_api_0205.html):
//! `GET {endpoint}/v1/{project_id}/cloud-phone/jobs?request_id={request_id}`
//! with an IAM token in `X-Auth-Token`. You submit a batch operation (restart
//! 12 phones), CPH answers with a `request_id`, and ListJobs tells you, job by
//! job, whether each part is still running, has succeeded or has failed.
//!
//! ```toml
//! [dependencies]
//! cph-jobs = "0.1"
//! ```
//!
//! The crate is split in two:
//!
//! * a **sans-IO core**, plain Rust on every target, that builds and validates
//!   requests ([`ListJobsRequest`]), decodes responses and error bodies
//!   ([`decode_response`], [`parse_error_body`]), and decides paging
//!   ([`PageCursor`]), retries ([`RetryPolicy`]), polling ([`PollSchedule`])
//!   and AK/SK signatures ([`sign`](mod@sign)). [`operation::Operation`] puts
//!   them together: a whole call (token, request, retries, token refresh,
//!   pages, polls) as a state machine that says what to do next and is told
//!   what happened. Bring any HTTP client and timer;
//! * a **WebAssembly edge** ([`wasm`], only on `wasm32-unknown-unknown`) for
//!   Rust web frontends (Yew, Leptos, Dioxus or plain `web-sys`): a
//!   [`Client`][wasm::Client] and [`list_jobs`][wasm::list_jobs] that drive
//!   an `Operation` with the global `fetch`, so they work in a page, a worker
//!   and Node. With the `js` feature it also holds the synchronous exports
//!   that the `cph-jobs` npm package's JavaScript drives the same `Operation`
//!   through; a Rust frontend leaves that feature off and ships none of them.
//!
//! # In a Rust web frontend
//!
//! Build a [`Client`][wasm::Client] once (a Leptos context or a Yew
//! `ContextProvider` is a good home: it is cheap to clone and keeps no state
//! between calls), then call it from your async code. This follows a batch
//! until no job is running and hands every poll to the view, the way a
//! Leptos `RwSignal::set` or a Yew `UseStateHandle::set` would take it:
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # mod app {
//! use std::rc::Rc;
//!
//! use cph_jobs::wasm::{Client, Jobs, WaitOptions};
//! use cph_jobs::{Error, ErrorKind, JobStatus, ListJobsResponse};
//!
//! /// What the jobs panel shows.
//! #[derive(Clone, Debug, Default)]
//! pub enum Panel {
//!     #[default]
//!     Loading,
//!     Jobs(ListJobsResponse),
//!     Failed(String),
//! }
//!
//! pub fn client(project_id: &str, token: &str) -> Result<Client, Error> {
//!     Client::builder()
//!         // In a browser, a same-origin proxy to the regional endpoint (the
//!         // API sends no CORS headers); elsewhere `.region("cn-north-4")`.
//!         .endpoint("https://console.example.com/cph-proxy")
//!         .project_id(project_id)
//!         .token(token)
//!         .build()
//! }
//!
//! /// Run it with `wasm_bindgen_futures::spawn_local` (or Leptos' `spawn_local`,
//! /// Yew's `use_effect_with`), handing it the setter of the panel's state.
//! pub async fn follow(client: Client, request_id: String, set_panel: impl Fn(Panel) + 'static) {
//!     let set_panel = Rc::new(set_panel);
//!     let progress = Rc::clone(&set_panel);
//!     let options = WaitOptions {
//!         on_progress: Some(Box::new(move |response: &ListJobsResponse| {
//!             progress(Panel::Jobs(response.clone()));
//!             Ok(())
//!         })),
//!         ..WaitOptions::default()
//!     };
//!     let panel = match client.wait_for_jobs(&Jobs::from(request_id.as_str()), options).await {
//!         Ok(response) => Panel::Jobs(response),
//!         // The component went away and aborted its signal: nothing to show.
//!         Err(error) if error.kind() == ErrorKind::Aborted => return,
//!         // Safe to show: an error never holds the token.
//!         Err(error) => Panel::Failed(error.to_string()),
//!     };
//!     set_panel(panel);
//! }
//!
//! /// A row of the view: `JobStatus` is an enum in Rust, and still the plain
//! /// number `1`, `2` or `-1` when it crosses into JavaScript.
//! pub fn status_text(status: JobStatus) -> String {
//!     match status {
//!         JobStatus::Running => "Running".into(),
//!         JobStatus::Succeeded => "Succeeded".into(),
//!         JobStatus::Failed => "Failed".into(),
//!         JobStatus::Unknown(code) => format!("unknown ({code})"),
//!     }
//! }
//! # }
//! ```
//!
//! For one call, [`list_jobs`][wasm::list_jobs]`(endpoint, project_id,
//! request_id, token)` takes no client; [`Client`][wasm::Client] adds
//! `list_all_jobs` (every page of any number of batches), `pages` (a page at
//! a time), per-call options with an `AbortSignal` and a deadline, retries,
//! and a token provider. A complete frontend, with its `wasm-pack test
//! --headless --chrome` and `--node` suites, is `examples/frontend` in the
//! repository.
//!
//! # Native Rust, with your own HTTP client
//!
//! The core never does I/O: it says what to send and reads what came back.
//!
//! ```
//! use cph_jobs::{decode_response, JobStatus, ListJobsRequest};
//!
//! let request = ListJobsRequest::new(
//!     "https://cph.cn-north-4.myhuaweicloud.com",
//!     "0123456789abcdef0123456789abcdef",
//!     "6837531fd3f54550927b930180a706bf",
//!     "my-iam-token",
//! )?;
//! assert_eq!(
//!     request.url(),
//!     "https://cph.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef\
//!      /cloud-phone/jobs?request_id=6837531fd3f54550927b930180a706bf"
//! );
//!
//! // ... send it with your HTTP client, then:
//! let body = br#"{"request_id":"6837531fd3f54550927b930180a706bf",
//!                 "jobs":[{"job_id":"j1","status":2,"phone_id":"p1"}]}"#;
//! let response = decode_response(200, None, body)?;
//! assert_eq!(response.jobs[0].status, JobStatus::Succeeded);
//! # Ok::<(), cph_jobs::Error>(())
//! ```
//!
//! Wrapped around any client (`ureq`, `reqwest::blocking`, `curl`, ...), as a
//! function that takes the transport as a closure, the way tests can hand it
//! a canned answer:
//!
//! ```
//! use cph_jobs::{Error, ErrorKind, ListJobsRequest, ListJobsResponse};
//!
//! /// What a transport returns: the status, the `X-Request-Id` header, the body.
//! type Answer = (u16, Option<String>, Vec<u8>);
//!
//! fn list_jobs(
//!     send: impl FnOnce(&str, &str, &[(&str, &str)]) -> Result<Answer, Error>,
//!     project_id: &str,
//!     request_id: &str,
//!     token: &str,
//! ) -> Result<ListJobsResponse, Error> {
//!     let request = ListJobsRequest::new(
//!         "https://cph.cn-north-4.myhuaweicloud.com",
//!         project_id,
//!         request_id,
//!         token,
//!     )?;
//!     // GET, these headers (as of now: an AK/SK signature carries the time),
//!     // no body, and do not follow redirects.
//!     let headers = request.headers_at(1_764_374_400_000)?;
//!     let headers: Vec<(&str, &str)> = headers.iter().map(|h| (h.name, h.value.as_str())).collect();
//!     let (status, x_request_id, body) = send(request.method(), request.url(), &headers)?;
//!     // Scrubs the token from whatever the server echoed back, then decodes.
//!     request.decode_response(status, x_request_id.as_deref(), &body)
//! }
//!
//! let refused = list_jobs(
//!     |_method, _url, _headers| {
//!         let body = br#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#;
//!         Ok((401, Some("5c1f3e".into()), body.to_vec()))
//!     },
//!     "0123456789abcdef0123456789abcdef",
//!     "6837531fd3f54550927b930180a706bf",
//!     "my-iam-token",
//! )
//! .unwrap_err();
//! assert_eq!(refused.kind(), ErrorKind::Http);
//! assert_eq!(refused.status(), Some(401));
//! assert_eq!(refused.error_code(), Some("APIG.0301"));
//! assert_eq!(refused.request_id(), Some("5c1f3e"));
//! assert!(!format!("{refused} {refused:?}").contains("my-iam-token"));
//! ```
//!
//! # Errors
//!
//! Every failure is one [`Error`]. Its [`kind`](Error::kind) is one of the
//! kinds of the JavaScript `CphError` ([`ErrorKind`]: `invalid-input`,
//! `network`, `timeout`, `aborted`, `http`, `decode`) and tells the caller
//! what to do next; [`status`](Error::status),
//! [`error_code`](Error::error_code), [`error_msg`](Error::error_msg) and
//! [`request_id`](Error::request_id) carry what the service said. Its
//! `Display` and `Debug` never show the token, so an error is safe to log and
//! to show. On `wasm32`, `JsValue::from(error)` is the package's JavaScript
//! `CphError`.
//!
//! # Cargo features
//!
//! * `js` (off): the synchronous exports the npm package's JavaScript
//!   (`listJobs`, `CphClient`, ...) is built on. For building that package;
//!   a Rust frontend does not need them.
//!
// The wasm items exist only on wasm32; elsewhere their links go to the
// wasm32 pages on docs.rs. One attribute per definition: rustdoc does not
// read link definitions from a multi-line `doc` string.
#![cfg_attr(target_arch = "wasm32", doc = "[`wasm`]: crate::wasm")]
#![cfg_attr(target_arch = "wasm32", doc = "[wasm::Client]: crate::wasm::Client")]
#![cfg_attr(
    target_arch = "wasm32",
    doc = "[wasm::list_jobs]: crate::wasm::list_jobs"
)]
#![cfg_attr(
    not(target_arch = "wasm32"),
    doc = "[`wasm`]: https://docs.rs/cph-jobs/latest/wasm32-unknown-unknown/cph_jobs/wasm/index.html"
)]
#![cfg_attr(
    not(target_arch = "wasm32"),
    doc = "[wasm::Client]: https://docs.rs/cph-jobs/latest/wasm32-unknown-unknown/cph_jobs/wasm/struct.Client.html"
)]
#![cfg_attr(
    not(target_arch = "wasm32"),
    doc = "[wasm::list_jobs]: https://docs.rs/cph-jobs/latest/wasm32-unknown-unknown/cph_jobs/wasm/fn.list_jobs.html"
)]
#![deny(missing_docs)]
#![warn(clippy::missing_errors_doc)]

mod auth;
mod body;
mod error;
mod header;
mod input;
// The JSON reader and the ListJobs decoder: a crate of their own, built for
// speed while this one is built for size (crates/cph-jobs-json).
use cph_jobs_json as json;
mod model;
pub mod operation;
mod paging;
// Only where a proxy runs: natively, and in the wasm build that enables it
// (in any other, its unused code still changes how the rest is inlined).
#[cfg(any(not(target_arch = "wasm32"), feature = "proxy"))]
pub mod proxy;
mod regions;
mod request;
mod response;
mod retry;
pub mod sign;
mod url;
mod wait;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use auth::{Auth, Credentials};
pub use body::{
    admit_body, body_too_large, length_bounds_body, MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES,
};
pub use error::{redact, redact_bytes, Error, ErrorKind, REDACTED};
pub use header::Header;
pub use input::{
    validate_duration_ms, validate_id, validate_limit, validate_offset, validate_timeout_ms,
    validate_token, Page, DEFAULT_TIMEOUT_MS, MAX_IDS_PER_CALL, MAX_LIMIT, MAX_TIMEOUT_MS,
};
pub use model::{Job, JobStatus, ListJobsResponse};
pub use paging::{attribute, chunk_ids, merge, PageCursor, PageStep};
pub use regions::{region_endpoint, REGIONS};
pub use request::{ListJobsRequest, AUTH_HEADER};
pub use response::{
    decode_list_jobs, decode_list_jobs_json, decode_response, parse_error_body, redirect_refused,
    ServiceError, MAX_SERVICE_MESSAGE_BYTES,
};
pub use retry::{
    is_retryable, parse_retry_after, RetryPolicy, DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT,
    RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS,
};
pub use sign::{format_sdk_date, sign};
pub use url::Endpoint;
pub use wait::{
    all_finished, Deadline, PollSchedule, DEFAULT_MAX_DELAY_MS, DEFAULT_MIN_DELAY_MS,
    DEFAULT_WAIT_TIMEOUT_MS,
};

// The README's Rust examples are doc tests too: run natively, and compiled for
// wasm32 by `make doc`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
