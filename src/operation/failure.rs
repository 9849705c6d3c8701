//! Step 4 of a call: a request that got no usable answer, and the one
//! decision every failure goes through: refresh the token, retry after a
//! pause, or end the call.

use super::{Action, Operation, State};
use crate::auth::Auth;
use crate::error::{Error, ErrorKind};
use crate::json::write_integer;
use crate::response::redirect_refused;
use crate::wait::Deadline;

/// Why a request got no usable response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure<'a> {
    /// No response, or a connection that broke while the body was read:
    /// the platform's message and its cause's, if any.
    Network {
        /// The platform's message (scrubbed here before use).
        detail: Option<&'a str>,
        /// The message of the error's `cause`, if any.
        cause: Option<&'a str>,
        /// Whether the response had arrived and its body was being read.
        reading_body: bool,
        /// Whether this runs in a browser, where the usual cause is CORS.
        in_browser: bool,
    },
    /// The deadline's timer fired.
    TimedOut,
    /// The caller's signal fired.
    Aborted,
    /// A redirect the platform hides (a browser's opaque redirect).
    Redirected,
    /// The `fetch` given resolved with something that is not a response.
    NotAResponse,
    /// A function of the caller's threw: its name and message.
    Threw {
        /// What threw, as the message names it (`tokenProvider`, ...).
        what: &'a str,
        /// Its message, if it had one.
        message: Option<&'a str>,
    },
}

impl Operation {
    /// The request failed without a usable response.
    pub fn failed(&mut self, failure: Failure<'_>, now_ms: u64) -> Action {
        if matches!(self.state, State::Finished | State::Failed) {
            return self.current();
        }
        let error = match failure {
            Failure::Aborted => {
                Error::new(ErrorKind::Aborted, "the call was aborted by its signal")
            }
            Failure::TimedOut => timed_out(self.deadline),
            Failure::Redirected => redirect_refused(None),
            Failure::NotAResponse => Error::new(
                ErrorKind::Network,
                "the fetch option resolved with something that is not a Response",
            ),
            Failure::Threw { what, message } => {
                let mut text = String::from(what);
                text.push_str(" threw");
                if let Some(message) = message {
                    text.push_str(": ");
                    // The caller's text may quote the token it was given.
                    match &self.request {
                        Some(request) => text.push_str(&request.redact(message)),
                        None => text.push_str(message),
                    }
                }
                Error::invalid_input(text)
            }
            Failure::Network {
                detail,
                cause,
                reading_body,
                in_browser,
            } => self.network(detail, cause, reading_body, in_browser),
        };
        if self.state != State::Sending {
            return self.fail(error, now_ms);
        }
        // A response that had arrived (a body cut off, timed out or aborted)
        // still names its status and request id. Whether to try again is
        // `after_error`'s decision: never for an abort or a callback's error.
        let error = match self.head.take() {
            Some(head) => error
                .with_status(head.status)
                .with_request_id(head.request_id),
            None => error,
        };
        self.after_error(error, now_ms)
    }

    /// A failed request: refresh the token, retry, or give up.
    pub(super) fn after_error(&mut self, error: Error, now_ms: u64) -> Action {
        let expired = error.status() == Some(401) && error.error_code() == Some("APIG.0301");
        if expired && !self.refreshed && matches!(self.settings.auth, Auth::Provider) {
            // A refresh is not a retry: it does not spend the budget.
            self.refreshed = true;
            self.tries = self.tries.saturating_sub(1);
            self.state = State::Token;
            return Action::Token { refresh: true };
        }
        let remaining = self.deadline.remaining_ms(now_ms);
        let random = self.random();
        match self.retry.next_delay(self.tries, &error, remaining, random) {
            Some(delay) => {
                self.state = State::RetryPause;
                Action::Sleep(delay)
            }
            None => self.fail(error, now_ms),
        }
    }

    /// Ends the call with `error`. A waiter's timeout carries the last
    /// response seen, and reads as the wait's once its deadline has passed.
    pub fn fail(&mut self, error: Error, now_ms: u64) -> Action {
        if matches!(self.state, State::Finished | State::Failed) {
            return self.current();
        }
        let error = match self.waiting.as_mut() {
            Some(waiting) if error.kind() == ErrorKind::Timeout => {
                let last = waiting.last.take();
                let error = if waiting.deadline.has_passed(now_ms) {
                    wait_timed_out(waiting.deadline)
                } else {
                    error
                };
                error.with_last_response(last)
            }
            _ => error,
        };
        self.state = State::Failed;
        self.outcome = Some(Err(error.with_attempts(self.attempts)));
        Action::Failed
    }

    pub(super) fn wait_timed_out(&self) -> Error {
        match &self.waiting {
            Some(waiting) => wait_timed_out(waiting.deadline),
            None => timed_out(self.deadline),
        }
    }

    /// A failure with no response: refused connection, DNS, TLS, reset, or
    /// (in a browser, where the reason is hidden) most often a CORS refusal.
    pub(super) fn network(
        &self,
        detail: Option<&str>,
        cause: Option<&str>,
        reading_body: bool,
        in_browser: bool,
    ) -> Error {
        let mut message = String::from(if reading_body {
            "network error: the connection broke while reading the response body from "
        } else {
            "network error: no response from "
        });
        if let Some(request) = &self.request {
            message.push_str(request.url());
            for part in [detail, cause].into_iter().flatten() {
                if part.is_empty() {
                    continue;
                }
                message.push_str(" (");
                // The platform's text is not ours; it must not carry the token either.
                message.push_str(&request.redact(part));
                message.push(')');
            }
        }
        if in_browser {
            message.push_str(
                ". In a browser this is most often CORS: the CPH API sends no CORS headers, \
                 so call it through a same-origin proxy and pass the proxy's URL as the endpoint",
            );
        }
        Error::new(ErrorKind::Network, message)
    }
}

/// The error of a call whose deadline passed.
pub(super) fn timed_out(deadline: Deadline) -> Error {
    let mut message = String::from("the call did not complete within ");
    write_integer(&mut message, i64::from(deadline.timeout_ms()));
    message.push_str(" ms (timeoutMs)");
    Error::new(ErrorKind::Timeout, message)
}

fn wait_timed_out(deadline: Deadline) -> Error {
    let mut message = String::from("jobs were still running when the wait ended after ");
    write_integer(&mut message, i64::from(deadline.timeout_ms()));
    message.push_str(" ms (timeoutMs)");
    Error::new(ErrorKind::Timeout, message)
}
