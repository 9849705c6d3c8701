//! Ask Huawei Cloud's Cloud Phone service (CPH) how a batch of jobs is doing.
//!
//! `cph-jobs` wraps one call, [`ListJobs`](https://support.huaweicloud.com/api-cph/cph_api_0205.html):
//! `GET {endpoint}/v1/{project_id}/cloud-phone/jobs?request_id={request_id}`
//! with an IAM token in `X-Auth-Token`.
//!
//! The crate is split in two:
//!
//! * a **sans-IO core**, plain Rust that builds and validates requests
//!   ([`ListJobsRequest`]), and decodes responses and error bodies
//!   ([`decode_response`], [`parse_error_body`]). Bring any HTTP client;
//! * a **WebAssembly edge** (only on `wasm32`), which sends the request with
//!   the global `fetch` and exports the JavaScript API of the `cph-jobs` npm
//!   package.
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
#![deny(missing_docs)]

mod error;
mod json;
mod model;
mod paging;
mod regions;
mod request;
mod response;
mod retry;
pub mod sign;
mod wait;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{redact, redact_bytes, Error, ErrorKind, REDACTED};
pub use model::{Job, JobStatus, ListJobsResponse};
pub use paging::{
    attribute, chunk_ids, merge, validate_limit, validate_offset, PageCursor, PageStep,
    MAX_IDS_PER_CALL, MAX_LIMIT,
};
pub use regions::{region_endpoint, REGIONS};
pub use request::{
    validate_duration_ms, validate_id, validate_timeout_ms, validate_token, Credential, Endpoint,
    ListJobsRequest, Page, AUTH_HEADER, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS,
};
pub use response::{
    admit_body, body_too_large, decode_list_jobs, decode_response, parse_error_body,
    redirect_refused, ServiceError, MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES,
    MAX_SERVICE_MESSAGE_BYTES,
};
pub use retry::{
    is_retryable, parse_retry_after, RetryPolicy, DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT,
    RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS,
};
pub use sign::{format_sdk_date, sign, Credentials};
pub use wait::{
    all_finished, Deadline, PollSchedule, DEFAULT_MAX_DELAY_MS, DEFAULT_MIN_DELAY_MS,
    DEFAULT_WAIT_TIMEOUT_MS,
};
