//! Step 3 of a call: the response's head says how to read its body, and
//! the body is decoded into a page or an error.

use super::{Action, Kind, Operation, State};
use crate::body::{admit_body, body_too_large, length_bounds_body, MAX_ERROR_BODY_BYTES};
use crate::error::Error;
use crate::retry::parse_retry_after;

/// A response's head as the driver reads it: the status and the headers
/// the call looks at, as the platform gives them (unparsed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponseHead<'a> {
    /// The HTTP status.
    pub status: u16,
    /// `X-Request-Id`, the service's id of this answer.
    pub request_id: Option<&'a str>,
    /// `Retry-After`: seconds or an HTTP date.
    pub retry_after: Option<&'a str>,
    /// `Content-Length`.
    pub content_length: Option<&'a str>,
    /// `Content-Encoding`: a compressed body's length does not bound it.
    pub content_encoding: Option<&'a str>,
    /// Whether it is a cross-origin answer, whose headers the platform
    /// filters (so a missing `Content-Encoding` proves nothing).
    pub cross_origin: bool,
}

/// What the call keeps of a head until its body is read: every error from
/// then on names the status and request id, and a retry waits as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Received {
    pub(super) status: u16,
    /// Scrubbed of the request's secrets.
    pub(super) request_id: Option<String>,
    pub(super) retry_after_ms: Option<u64>,
}

/// How to read a response body, from its head ([`Operation::head`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Not `#[non_exhaustive]`: a driver must read every body as it is told, so
// a new plan is a breaking change that its `match` should catch.
pub enum ReadPlan {
    /// Do not read it; call [`Operation::body`] with [`Body::Skipped`].
    Skip,
    /// Read it in one piece: its `Content-Length` bounds it.
    Whole,
    /// Read it as a stream, giving up past this many bytes
    /// ([`Body::TooLarge`]).
    Capped(u64),
    /// It is declared larger than allowed: call [`Operation::body`] with
    /// [`Body::TooLarge`] without reading.
    TooLarge,
}

/// A response body as the driver read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body<'a> {
    /// The whole body.
    Bytes(&'a [u8]),
    /// Not read, as [`ReadPlan::Skip`] said.
    Skipped,
    /// Longer than the cap: not read to the end.
    TooLarge,
}

impl Operation {
    /// The response's head arrived at `now_ms`. Says how to read the body.
    #[must_use]
    pub fn head(&mut self, head: &ResponseHead<'_>, now_ms: u64) -> ReadPlan {
        let status = head.status;
        // The server's text, and every error from here on may carry it.
        let request_id =
            head.request_id
                .filter(|id| !id.is_empty())
                .map(|id| match &self.request {
                    Some(request) => request.redact(id).into_owned(),
                    None => id.to_owned(),
                });
        let retry_after_ms = head
            .retry_after
            .and_then(|value| parse_retry_after(value, now_ms));
        self.head = Some(Received {
            status,
            request_id,
            retry_after_ms,
        });
        let declared = head
            .content_length
            .and_then(|len| len.trim().parse::<u64>().ok());
        match admit_body(status, declared.unwrap_or(0), self.max_response_bytes) {
            Err(_) => ReadPlan::TooLarge,
            Ok(false) => ReadPlan::Skip,
            Ok(true) => {
                let cap = if (200..300).contains(&status) {
                    self.max_response_bytes
                } else {
                    MAX_ERROR_BODY_BYTES as u64
                };
                if length_bounds_body(declared, cap, head.content_encoding, head.cross_origin) {
                    ReadPlan::Whole
                } else {
                    ReadPlan::Capped(cap)
                }
            }
        }
    }

    /// The body of the response whose [`head`](Self::head) came last.
    pub fn body(&mut self, body: Body<'_>, now_ms: u64) -> Action {
        if self.state != State::Sending {
            return self.current();
        }
        // Counted before it is decoded: past the cap, neither the body's
        // jobs nor those kept so far are held any longer.
        let success = self
            .head
            .as_ref()
            .is_some_and(|head| (200..300).contains(&head.status));
        if let (true, Body::Bytes(bytes)) = (success, body) {
            if let Some(error) = self.count_bytes(bytes.len()) {
                self.pages.clear();
                return self.fail(error, now_ms);
            }
        }
        let (Some(received), Some(request)) = (self.head.take(), self.request.as_ref()) else {
            return self.fail(
                Error::invalid_input("a body arrived before its head"),
                now_ms,
            );
        };
        let Received {
            status,
            request_id,
            retry_after_ms: retry_after,
        } = received;
        if success && body == Body::TooLarge {
            let error = body_too_large(status, self.max_response_bytes).with_request_id(request_id);
            return self.after_error(error.with_retry_after_ms(retry_after), now_ms);
        }
        // A body not read (a redirect, or an error body too large to hold a
        // service code) decodes as empty: the status says enough.
        let bytes = match body {
            Body::Bytes(bytes) => bytes,
            _ => &[],
        };

        if self.json && self.kind == Kind::List {
            // The one-request call, straight to the text the driver parses.
            let attribute = match self.groups.first().map(Vec::as_slice) {
                Some([only]) if self.attribute => Some(only.as_str()),
                _ => None,
            };
            let rid = request_id.as_deref();
            return match request.decode_response_json(status, rid, bytes, attribute) {
                Ok(text) => {
                    self.state = State::Finished;
                    self.json_outcome = Some(text);
                    Action::Done
                }
                Err(error) => self.after_error(error.with_retry_after_ms(retry_after), now_ms),
            };
        }
        match request.decode_response(status, request_id.as_deref(), bytes) {
            Ok(response) => self.received(response, now_ms),
            Err(error) => self.after_error(error.with_retry_after_ms(retry_after), now_ms),
        }
    }
}
