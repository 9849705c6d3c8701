//! The one error type of the crate, and the kinds it is sorted into.

use std::borrow::Cow;
use std::fmt;

use crate::model::ListJobsResponse;

/// What went wrong, in the words the JavaScript `CphError.kind` uses.
///
/// The kind tells a caller what to do next: fix the input, retry later, or
/// show the service's own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    target_arch = "wasm32",
    derive(tsify::Tsify, serde::Serialize),
    serde(rename_all = "kebab-case")
)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument was rejected before any request was sent.
    InvalidInput,
    /// No response arrived: connection refused, DNS failure, CORS refusal.
    Network,
    /// The call's deadline passed, while waiting for headers or for the body.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The service (or a proxy in front of it) answered with a non-2xx status
    /// or a redirect.
    Http,
    /// A 2xx response whose body is not the documented ListJobs document.
    Decode,
    /// A call that follows pages collected more than `maxTotalJobs` jobs, or
    /// read more bytes of pages than that allows: a batch larger than the
    /// cap, or a server whose pages never end.
    LimitExceeded,
    /// The WebAssembly instance failed inside itself (a trap, out of
    /// memory): the npm package ends the call, and every call in flight on
    /// that instance, with this kind, and runs the next call on a fresh one.
    /// The Rust code never returns it.
    Internal,
}

impl ErrorKind {
    /// The kind as JavaScript sees it: `"invalid-input"`, `"network"`, ...
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid-input",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Http => "http",
            ErrorKind::Decode => "decode",
            ErrorKind::LimitExceeded => "limit-exceeded",
            ErrorKind::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed ListJobs call.
///
/// It never holds the IAM token: the crate never writes the token into an
/// error, and text from outside (error bodies, `X-Request-Id`, the platform's
/// network messages) is scrubbed with [`redact`] before it is read, so
/// `Display` and `Debug` are safe to log.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<fields::Error>);

/// The fields, boxed: every `Result` of the crate carries an `Error`, which
/// then moves as one pointer, and only a failure (the rare path) allocates.
/// The inner struct has the outer one's name, so `Debug` reads the same.
mod fields {
    use super::{ErrorKind, Extra};

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) struct Error {
        pub(super) kind: ErrorKind,
        pub(super) message: String,
        pub(super) status: Option<u16>,
        pub(super) error_code: Option<String>,
        pub(super) error_msg: Option<String>,
        pub(super) request_id: Option<String>,
        pub(super) attempts: u32,
        /// Rarely set, so boxed again.
        pub(super) extra: Option<Box<Extra>>,
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Extra {
    retry_after_ms: Option<u64>,
    last_response: Option<ListJobsResponse>,
}

impl Error {
    /// An error of `kind` with a human-readable `message` and nothing else set.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::with_message(kind, message.into())
    }

    // Not inlined: errors are the rare path, and each inlined copy would
    // spell out every field.
    #[cold]
    #[inline(never)]
    fn with_message(kind: ErrorKind, message: String) -> Self {
        Error(Box::new(fields::Error {
            kind,
            message,
            status: None,
            error_code: None,
            error_msg: None,
            request_id: None,
            attempts: 0,
            extra: None,
        }))
    }

    /// An [`ErrorKind::InvalidInput`] error for the argument `what`:
    /// `invalid {what}: {why}`.
    #[cold]
    #[inline(never)]
    pub(crate) fn invalid_argument(what: &str, why: &str) -> Self {
        let mut message = String::from("invalid ");
        message.push_str(what);
        message.push_str(": ");
        message.push_str(why);
        Self::invalid_input(message)
    }

    /// Shorthand for an [`ErrorKind::InvalidInput`] error.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    /// Sets the HTTP status of the response that caused the error.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }

    /// Sets the call's request id (the `X-Request-Id` response header, or the
    /// body's `request_id`).
    #[must_use]
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.0.request_id = request_id;
        self
    }

    /// Sets the service error code and message read from an error body.
    #[must_use]
    pub fn with_service_error(mut self, code: Option<String>, msg: Option<String>) -> Self {
        self.0.error_code = code;
        self.0.error_msg = msg;
        self
    }

    /// Sets how many HTTP requests the call made before it failed.
    #[must_use]
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.0.attempts = attempts;
        self
    }

    /// Sets how long the server asked the client to wait (`Retry-After`).
    #[must_use]
    pub fn with_retry_after_ms(mut self, retry_after_ms: Option<u64>) -> Self {
        if retry_after_ms.is_some() || self.0.extra.is_some() {
            self.0.extra.get_or_insert_with(Box::default).retry_after_ms = retry_after_ms;
        }
        self
    }

    /// Sets the last response a waiter saw before it gave up.
    #[must_use]
    pub fn with_last_response(mut self, response: Option<ListJobsResponse>) -> Self {
        if response.is_some() || self.0.extra.is_some() {
            self.0.extra.get_or_insert_with(Box::default).last_response = response;
        }
        self
    }

    /// What kind of failure this is.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The human-readable description, without the kind.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The HTTP status, when a response arrived.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// The service error code from the body, e.g. `CPS.0005` or `APIG.0301`.
    #[must_use]
    pub fn error_code(&self) -> Option<&str> {
        self.0.error_code.as_deref()
    }

    /// The service error message from the body.
    #[must_use]
    pub fn error_msg(&self) -> Option<&str> {
        self.0.error_msg.as_deref()
    }

    /// The `X-Request-Id` response header, else the error body's `request_id`.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// How many HTTP requests the call made, retries included; `0` when it
    /// failed before sending anything (bad input, or aborted before it began).
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// How long the server asked the client to wait before trying again, from
    /// its `Retry-After` header.
    #[must_use]
    pub fn retry_after_ms(&self) -> Option<u64> {
        self.0.extra.as_ref().and_then(|extra| extra.retry_after_ms)
    }

    /// For a waiter that timed out: the last response it saw, if any.
    #[must_use]
    pub fn last_response(&self) -> Option<&ListJobsResponse> {
        self.0
            .extra
            .as_ref()
            .and_then(|extra| extra.last_response.as_ref())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Error {}

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// `text` with every occurrence of `secret` replaced by `[REDACTED]`.
///
/// For text that did not come from this crate: a server or proxy that echoes
/// request headers would otherwise put the token into an error or a log.
#[must_use]
pub fn redact<'t>(text: &'t str, secret: &str) -> Cow<'t, str> {
    scrubbed(text, secret).unwrap_or(Cow::Borrowed(text))
}

/// `text` with each of `secrets` scrubbed in turn, as [`redact`] does.
pub(crate) fn redact_all<'t>(text: &'t str, secrets: &[&str]) -> Cow<'t, str> {
    let mut text = Cow::Borrowed(text);
    for secret in secrets {
        if let Some(changed) = scrubbed(&text, secret) {
            text = changed;
        }
    }
    text
}

/// [`redact`]'s answer when the text changes: owned, or the bare marker.
fn scrubbed(text: &str, secret: &str) -> Option<Cow<'static, str>> {
    match scrub(text.as_bytes(), secret.as_bytes()) {
        Scrubbed::Unchanged => None,
        // A UTF-8 needle only ever matches whole characters, so the text
        // stays UTF-8; the fallback is never taken.
        Scrubbed::Replaced(bytes) => {
            Some(String::from_utf8(bytes).map_or(Cow::Borrowed(REDACTED), Cow::Owned))
        }
        Scrubbed::Respelled => Some(Cow::Borrowed(REDACTED)),
    }
}

/// `bytes` with every occurrence of `secret` replaced by `[REDACTED]`: the
/// same as [`redact`], for a body that may not be UTF-8.
#[must_use]
pub fn redact_bytes<'b>(bytes: &'b [u8], secret: &str) -> Cow<'b, [u8]> {
    match scrub(bytes, secret.as_bytes()) {
        Scrubbed::Unchanged => Cow::Borrowed(bytes),
        Scrubbed::Replaced(bytes) => Cow::Owned(bytes),
        Scrubbed::Respelled => Cow::Borrowed(REDACTED.as_bytes()),
    }
}

enum Scrubbed {
    Unchanged,
    Replaced(Vec<u8>),
    /// The marker and the text beside it spell the secret again (one that
    /// starts with "]" or ends with "["): then none of the text is kept.
    Respelled,
}

/// Replaces every `needle` in `bytes` with the marker. A plain window
/// search: secrets are short and texts at most 64 KiB, and it keeps the
/// general string searcher out of the download.
fn scrub(bytes: &[u8], needle: &[u8]) -> Scrubbed {
    if needle.is_empty() || find(bytes, needle).is_none() {
        return Scrubbed::Unchanged;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = find(rest, needle) {
        out.extend_from_slice(rest.get(..at).unwrap_or(&[]));
        out.extend_from_slice(REDACTED.as_bytes());
        rest = rest.get(at + needle.len()..).unwrap_or(&[]);
    }
    out.extend_from_slice(rest);
    if find(&out, needle).is_some() {
        return Scrubbed::Respelled;
    }
    Scrubbed::Replaced(out)
}

/// Where `needle` (not empty) first occurs in `bytes`.
pub(crate) fn find(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    bytes
        .windows(needle.len().max(1))
        .position(|window| window == needle)
}
