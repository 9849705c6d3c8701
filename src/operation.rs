//! One call as a state machine: every decision of a call (which request to
//! send, when to retry, when to ask for a token, when to poll again, when to
//! stop) made without I/O.
//!
//! A driver owns the I/O: it feeds the machine what happened (a token, a
//! response, a failure, the end of a pause, with the time) and does what the
//! returned [`Action`] says. The npm package's driver is JavaScript around
//! `fetch`, `setTimeout` and `AbortController`; the Rust `wasm::Client` is
//! another. Both make the same decisions because the decisions live here,
//! and here they are tested natively with a made-up clock.
//!
//! ```
//! use std::rc::Rc;
//! use cph_jobs::operation::{
//!     Action, Auth, Body, Jobs, Kind, Operation, Options, ReadPlan, Settings, SettingsInput,
//! };
//!
//! # fn main() -> Result<(), cph_jobs::Error> {
//! let settings = Rc::new(Settings::new(SettingsInput {
//!     endpoint: Some("https://cph.cn-north-4.myhuaweicloud.com".into()),
//!     project_id: Some("0123456789abcdef0123456789abcdef".into()),
//!     auth: Some(Auth::Token("my-iam-token".into())),
//!     ..SettingsInput::default()
//! })?);
//! let jobs = Jobs::from("6837531fd3f54550927b930180a706bf");
//! let mut op = Operation::new(settings, Kind::List, &jobs, &Options::default(), 42)?;
//! let mut now = 1_764_000_000_000; // UNIX milliseconds, from the driver's clock
//! let mut action = op.start(now);
//! while let Action::Send | Action::Sleep(_) = action {
//!     action = match action {
//!         Action::Sleep(ms) => {
//!             now += ms; // a real driver sleeps
//!             op.woke(now)
//!         }
//!         _ => {
//!             // GET op.request()'s URL with op.headers_at(now)?, giving up
//!             // after op.remaining_ms(now); say the service answered:
//!             let body = br#"{"request_id":"6837531fd3f54550927b930180a706bf",
//!                 "jobs":[{"job_id":"j1","status":2}]}"#;
//!             match op.head(200, Some("0a1b2c"), None, None, None, false, now) {
//!                 ReadPlan::Skip => op.body(Body::Skipped, now),
//!                 ReadPlan::TooLarge => op.body(Body::TooLarge, now),
//!                 ReadPlan::Whole | ReadPlan::Capped(_) => op.body(Body::Bytes(body), now),
//!             }
//!         }
//!     };
//! }
//! assert_eq!(action, Action::Done);
//! let response = op.finish().expect("a finished call has its result")?;
//! assert_eq!(response.jobs[0].job_id, "j1");
//! # Ok(())
//! # }
//! ```

use std::rc::Rc;

pub use crate::auth::{Auth, Credentials};
use crate::error::{Error, ErrorKind};
use crate::header::Header;
use crate::input::{validate_id, validate_timeout_ms, validate_token, Page, DEFAULT_TIMEOUT_MS};
use crate::json::write_integer;
use crate::model::ListJobsResponse;
use crate::paging::{attribute, chunk_ids, merge, PageCursor, PageStep};
use crate::regions::region_endpoint;
use crate::request::ListJobsRequest;
use crate::response::{
    admit_body, body_too_large, length_bounds_body, redirect_refused, MAX_ERROR_BODY_BYTES,
    MAX_RESPONSE_BYTES,
};
use crate::retry::{parse_retry_after, RetryPolicy, DEFAULT_MAX_ATTEMPTS};
use crate::url::Endpoint;
use crate::wait::{all_finished, Deadline, PollSchedule, DEFAULT_WAIT_TIMEOUT_MS};

/// A client's settings as given, before they are checked.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    /// The API's base URL; it wins over `region`.
    pub endpoint: Option<String>,
    /// A CPH region such as `cn-north-4`.
    pub region: Option<String>,
    /// The project the jobs belong to.
    pub project_id: Option<String>,
    /// How calls authenticate.
    pub auth: Option<Auth>,
    /// Whether an access key may be used: in Node, or where the caller
    /// allowed a secret key in a browser.
    pub secret_key_allowed: bool,
    /// Each call's deadline in milliseconds (default 30000).
    pub timeout_ms: Option<u32>,
    /// Tries per call, the first included (default 3).
    pub max_attempts: Option<u32>,
    /// The most bytes a response body may have (default 8 MiB).
    pub max_response_bytes: Option<u64>,
}

/// A client's checked settings: what all its calls share.
#[derive(Debug, Clone)]
pub struct Settings {
    endpoint: Endpoint,
    project_id: String,
    auth: Auth,
    timeout_ms: u32,
    retry: RetryPolicy,
    max_response_bytes: u64,
}

impl Settings {
    /// Checks the settings, in the order a reader meets them: the endpoint
    /// (or region), the project, the credentials, then the numbers.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming the setting at fault.
    pub fn new(input: SettingsInput) -> Result<Settings, Error> {
        let endpoint = match (input.endpoint, input.region) {
            (Some(endpoint), _) => Endpoint::parse(&endpoint)?,
            (None, Some(region)) => Endpoint::parse(&region_endpoint(&region)?)?,
            (None, None) => {
                return Err(Error::invalid_argument(
                    "endpoint",
                    "give an endpoint or a region",
                ))
            }
        };
        let project_id = input.project_id.unwrap_or_default();
        validate_id("projectId", &project_id)?;
        let auth = match input.auth {
            Some(Auth::Token(token)) => {
                validate_token(&token)?;
                Auth::Token(token)
            }
            Some(Auth::AccessKey(_)) if !input.secret_key_allowed => {
                return Err(Error::invalid_argument(
                    "credentials",
                    "a secret key in a web page can be read by anyone who opens the page; \
                     use a token, or sign on a server, or set allowSecretKeyInBrowser if \
                     this page is itself private",
                ))
            }
            Some(auth) => auth,
            None => {
                return Err(Error::invalid_argument(
                    "token",
                    "give a token or a tokenProvider",
                ))
            }
        };
        // Refused here rather than at the first send, where a token's
        // mistakes are refused too; after the browser check, whose advice
        // holds for every build.
        #[cfg(not(feature = "sign"))]
        if matches!(auth, Auth::AccessKey(_)) {
            return Err(Error::invalid_input(crate::request::NOT_SIGNING));
        }
        Ok(Settings {
            endpoint,
            project_id,
            auth,
            timeout_ms: check_timeout(input.timeout_ms, DEFAULT_TIMEOUT_MS)?,
            retry: RetryPolicy::new(input.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS))?,
            max_response_bytes: check_max_bytes(input.max_response_bytes)?
                .unwrap_or(MAX_RESPONSE_BYTES as u64),
        })
    }

    /// The endpoint calls go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The project the jobs belong to.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// How calls authenticate.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }
}

/// A timeout in milliseconds, or `default`.
fn check_timeout(timeout_ms: Option<u32>, default: u32) -> Result<u32, Error> {
    match timeout_ms {
        None => Ok(default),
        Some(ms) => validate_timeout_ms(f64::from(ms)),
    }
}

fn check_max_bytes(max: Option<u64>) -> Result<Option<u64>, Error> {
    match max {
        Some(0) => Err(Error::invalid_argument(
            "maxResponseBytes",
            "it must be at least 1",
        )),
        other => Ok(other),
    }
}

/// Which batch requests a call asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jobs {
    /// The jobs of one batch request.
    One(String),
    /// The jobs of several; any number, sent 20 at a time. Where a request
    /// covered a single id, its jobs carry that id in `request_id`.
    Many(Vec<String>),
}

impl Jobs {
    /// The groups of ids that one request each can carry, checked, so a
    /// bad id is named as the caller passed it (`requestId` or `requestIds`).
    fn groups(&self) -> Result<Vec<Vec<String>>, Error> {
        match self {
            Jobs::One(id) => {
                validate_id("requestId", id)?;
                Ok(vec![vec![id.clone()]])
            }
            Jobs::Many(ids) => chunk_ids(ids),
        }
    }
}

impl From<&str> for Jobs {
    fn from(request_id: &str) -> Self {
        Jobs::One(request_id.to_owned())
    }
}

impl From<Vec<String>> for Jobs {
    fn from(request_ids: Vec<String>) -> Self {
        Jobs::Many(request_ids)
    }
}

/// What a call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One page of up to 20 ids: one request, retries aside.
    List,
    /// Every job of any number of ids: 20 ids per request, every page.
    All,
    /// The same requests as [`Kind::All`], each page handed out
    /// ([`Action::Page`]) before the next is fetched; each page has its own
    /// deadline.
    Pages,
    /// [`Kind::All`] again and again until no job is running.
    Wait,
}

/// A call's own options; `None` takes the client's setting or the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The deadline of the call (of each page for [`Kind::Pages`], of the
    /// whole wait for [`Kind::Wait`]).
    pub timeout_ms: Option<u32>,
    /// Where to start; for many ids, where each group of 20 starts.
    pub offset: Option<u32>,
    /// Jobs per page, 1 to 100.
    pub limit: Option<u32>,
    /// Tries per request, the first included.
    pub max_attempts: Option<u32>,
    /// The most bytes a response body may have.
    pub max_response_bytes: Option<u64>,
    /// The pauses between polls, for [`Kind::Wait`].
    pub schedule: Option<PollSchedule>,
    /// Whether a waiter reports every response ([`Action::Progress`]).
    pub progress: bool,
    /// Whether the driver takes results as camelCase JSON text
    /// ([`Operation::json`]) rather than as a [`ListJobsResponse`]: a
    /// [`Kind::List`] call then decodes its body straight to that text.
    pub json: bool,
}

/// What the driver does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Ask the token provider for a token (`refresh`: the last one was
    /// refused), then call [`Operation::token`].
    Token {
        /// Whether the service refused the token the provider gave last.
        refresh: bool,
    },
    /// Send [`Operation::request`] with [`Operation::headers_at`] the time of
    /// sending, giving up after [`Operation::remaining_ms`]; then call
    /// [`Operation::head`] and [`Operation::body`], or [`Operation::failed`].
    Send,
    /// Pause for this many milliseconds (cut short by the caller's signal),
    /// then call [`Operation::woke`].
    Sleep(u64),
    /// A waiter's poll: report [`Operation::response`], then call
    /// [`Operation::resume`].
    Progress,
    /// A page is ready in [`Operation::response`]; call
    /// [`Operation::resume`] for the next.
    Page,
    /// The call succeeded: [`Operation::finish`] has its result. For
    /// [`Kind::Pages`], there are no more pages.
    Done,
    /// The call failed: [`Operation::finish`] has the error.
    Failed,
}

/// How to read a response body, from its head ([`Operation::head`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
pub enum Body<'a> {
    /// The whole body.
    Bytes(&'a [u8]),
    /// Not read, as [`ReadPlan::Skip`] said.
    Skipped,
    /// Longer than the cap: not read to the end.
    TooLarge,
}

/// Why a request got no usable response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    Threw(&'a str, Option<&'a str>),
}

/// What a call cost, for the `$metadata` of the JavaScript API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metadata {
    /// HTTP requests sent, retries included.
    pub attempts: u32,
    /// Polls made, for a waiter.
    pub polls: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ready,
    Token,
    Sending,
    RetryPause,
    PollPause,
    Progress,
    Page,
    /// Done: the result is in `outcome` (or was taken).
    Finished,
    /// Failed: the error is in `outcome` (or was taken).
    Failed,
}

#[derive(Debug)]
struct Waiting {
    deadline: Deadline,
    schedule: PollSchedule,
    polls: u32,
    last: Option<ListJobsResponse>,
}

/// One call's state; see the [module](self) for how it is driven.
#[derive(Debug)]
pub struct Operation {
    settings: Rc<Settings>,
    kind: Kind,
    retry: RetryPolicy,
    max_response_bytes: u64,
    page: Page,
    timeout_ms: u32,
    groups: Vec<Vec<String>>,
    attribute: bool,
    group: usize,
    cursor: PageCursor,
    pages: Vec<ListJobsResponse>,
    deadline: Deadline,
    waiting: Option<Waiting>,
    progress: bool,
    json: bool,
    json_outcome: Option<String>,
    auth: Option<Auth>,
    request: Option<ListJobsRequest>,
    head: Option<(u16, Option<String>, Option<u64>)>,
    tries: u32,
    refreshed: bool,
    attempts: u32,
    state: State,
    outcome: Option<Result<ListJobsResponse, Error>>,
    random: u64,
}

impl Operation {
    /// Plans a call; nothing happens until [`start`](Self::start).
    /// `seed` feeds the jitter of retries and polls.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for bad ids or options.
    pub fn new(
        settings: Rc<Settings>,
        kind: Kind,
        jobs: &Jobs,
        options: &Options,
        seed: u64,
    ) -> Result<Operation, Error> {
        let retry = match options.max_attempts {
            Some(n) => RetryPolicy::new(n)?,
            None => settings.retry,
        };
        let max_response_bytes =
            check_max_bytes(options.max_response_bytes)?.unwrap_or(settings.max_response_bytes);
        let page = Page {
            offset: options.offset,
            limit: options.limit,
        };
        let (timeout_ms, waiting) = if kind == Kind::Wait {
            let waiting = Waiting {
                deadline: Deadline::after(0, 0),
                schedule: options.schedule.unwrap_or_default(),
                polls: 0,
                last: None,
            };
            let wait_ms = check_timeout(options.timeout_ms, DEFAULT_WAIT_TIMEOUT_MS)?;
            (wait_ms, Some(waiting))
        } else {
            (
                check_timeout(options.timeout_ms, settings.timeout_ms)?,
                None,
            )
        };
        let groups = match (kind, jobs) {
            // One request: its ids are checked as the request is built.
            (Kind::List, Jobs::One(id)) => vec![vec![id.clone()]],
            (Kind::List, Jobs::Many(ids)) => vec![ids.clone()],
            _ => jobs.groups()?,
        };
        Ok(Operation {
            settings,
            kind,
            retry,
            max_response_bytes,
            page,
            timeout_ms,
            groups,
            attribute: matches!(jobs, Jobs::Many(_)),
            group: 0,
            cursor: PageCursor::start(page),
            pages: Vec::new(),
            deadline: Deadline::after(0, 0),
            waiting,
            progress: options.progress,
            json: options.json,
            json_outcome: None,
            auth: None,
            request: None,
            head: None,
            tries: 0,
            refreshed: false,
            attempts: 0,
            state: State::Ready,
            outcome: None,
            // xorshift must not start at 0.
            random: seed | 1,
        })
    }

    /// Starts the call at `now_ms` (UNIX milliseconds).
    pub fn start(&mut self, now_ms: u64) -> Action {
        if self.state != State::Ready {
            return self.current();
        }
        match &mut self.waiting {
            Some(waiting) => {
                waiting.deadline = Deadline::after(now_ms, self.timeout_ms);
                self.poll(now_ms)
            }
            None => {
                self.deadline = Deadline::after(now_ms, self.timeout_ms);
                self.begin_request(now_ms)
            }
        }
    }

    /// The token the provider gave, or the error it failed with.
    pub fn token(&mut self, token: Result<&str, Error>, now_ms: u64) -> Action {
        if self.state != State::Token {
            return self.current();
        }
        let auth = token.and_then(|token| {
            Auth::token(token).map_err(|e| {
                let mut message = String::from("the tokenProvider returned an unusable token: ");
                message.push_str(e.message());
                Error::invalid_input(message)
            })
        });
        match auth {
            Ok(auth) => {
                self.auth = Some(auth);
                self.build_and_send(now_ms)
            }
            Err(error) => self.fail(error, now_ms),
        }
    }

    /// The request to send, while the action is [`Action::Send`].
    pub fn request(&self) -> Option<&ListJobsRequest> {
        self.request.as_ref()
    }

    /// The headers of [`request`](Self::request), signed at `now_ms`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the request cannot be signed (a
    /// clock before 1970); the driver ends the call with it
    /// ([`fail`](Self::fail)).
    pub fn headers_at(&self, now_ms: u64) -> Result<Vec<Header>, Error> {
        match &self.request {
            Some(request) => request.headers_at(now_ms),
            None => Err(Error::invalid_input("no request is being sent")),
        }
    }

    /// How long the request in flight may take, from `now_ms`.
    pub fn remaining_ms(&self, now_ms: u64) -> u64 {
        self.deadline.remaining_ms(now_ms)
    }

    /// The response's head arrived: its status, `X-Request-Id`,
    /// `Retry-After`, `Content-Length` and `Content-Encoding`, and whether it
    /// is a cross-origin answer (whose headers the platform filters). Says
    /// how to read the body.
    #[allow(clippy::too_many_arguments)] // the head's parts, as a driver reads them
    pub fn head(
        &mut self,
        status: u16,
        request_id: Option<&str>,
        retry_after: Option<&str>,
        content_length: Option<&str>,
        content_encoding: Option<&str>,
        cross_origin: bool,
        now_ms: u64,
    ) -> ReadPlan {
        // The server's text, and every error from here on may carry it.
        let request_id = request_id
            .filter(|id| !id.is_empty())
            .map(|id| match &self.request {
                Some(request) => request.redact(id).into_owned(),
                None => id.to_owned(),
            });
        let retry_after = retry_after.and_then(|value| parse_retry_after(value, now_ms));
        self.head = Some((status, request_id, retry_after));
        let declared = content_length.and_then(|len| len.trim().parse::<u64>().ok());
        match admit_body(status, declared.unwrap_or(0), self.max_response_bytes) {
            Err(_) => ReadPlan::TooLarge,
            Ok(false) => ReadPlan::Skip,
            Ok(true) => {
                let cap = if (200..300).contains(&status) {
                    self.max_response_bytes
                } else {
                    MAX_ERROR_BODY_BYTES as u64
                };
                if length_bounds_body(declared, cap, content_encoding, cross_origin) {
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
        let (Some((status, request_id, retry_after)), Some(request)) =
            (self.head.take(), self.request.as_ref())
        else {
            return self.fail(
                Error::invalid_input("a body arrived before its head"),
                now_ms,
            );
        };
        let success = (200..300).contains(&status);
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
            Failure::Threw(what, message) => {
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
            Some((status, request_id, _)) => error.with_status(status).with_request_id(request_id),
            None => error,
        };
        self.after_error(error, now_ms)
    }

    /// A pause ([`Action::Sleep`]) ended at `now_ms`.
    pub fn woke(&mut self, now_ms: u64) -> Action {
        match self.state {
            State::RetryPause => self.send(now_ms),
            State::PollPause => {
                let passed = self
                    .waiting
                    .as_ref()
                    .is_some_and(|w| w.deadline.has_passed(now_ms));
                if passed {
                    let error = self.wait_timed_out();
                    self.fail(error, now_ms)
                } else {
                    self.poll(now_ms)
                }
            }
            _ => self.current(),
        }
    }

    /// Goes on after [`Action::Progress`] or [`Action::Page`].
    pub fn resume(&mut self, now_ms: u64) -> Action {
        match self.state {
            State::Progress => self.after_poll(now_ms),
            State::Page => {
                self.outcome = None;
                self.next_page(now_ms, true)
            }
            _ => self.current(),
        }
    }

    /// The response of [`Action::Progress`], [`Action::Page`] or
    /// [`Action::Done`].
    pub fn response(&self) -> Option<&ListJobsResponse> {
        match &self.outcome {
            Some(Ok(response)) => Some(response),
            _ => None,
        }
    }

    /// The response of [`Action::Progress`], [`Action::Page`] or
    /// [`Action::Done`] as camelCase JSON text, the shape the JavaScript API
    /// resolves with; taken, for a call that decoded straight to text.
    pub fn json(&mut self) -> Option<String> {
        if let Some(text) = self.json_outcome.take() {
            return Some(text);
        }
        self.response().map(ListJobsResponse::to_json)
    }

    /// The error of [`Action::Failed`].
    pub fn error(&self) -> Option<&Error> {
        match &self.outcome {
            Some(Err(error)) => Some(error),
            _ => None,
        }
    }

    /// What the call has cost so far: for [`Kind::Pages`], the page's.
    pub fn metadata(&self) -> Metadata {
        Metadata {
            attempts: self.attempts,
            polls: self.waiting.as_ref().map(|w| w.polls),
        }
    }

    /// Takes the result after [`Action::Done`] or [`Action::Failed`], or
    /// the page after [`Action::Page`]; `None` at the end of the pages.
    pub fn finish(&mut self) -> Option<Result<ListJobsResponse, Error>> {
        self.outcome.take()
    }

    /// The action the machine is waiting on, for an input that came at the
    /// wrong time: it changes nothing.
    fn current(&self) -> Action {
        match self.state {
            State::Ready => Action::Failed,
            State::Token => Action::Token {
                refresh: self.refreshed,
            },
            State::Sending => Action::Send,
            State::RetryPause | State::PollPause => Action::Sleep(0),
            State::Progress => Action::Progress,
            State::Page => Action::Page,
            State::Finished => Action::Done,
            State::Failed => Action::Failed,
        }
    }

    fn random(&mut self) -> f64 {
        // xorshift64: jitter need not be unpredictable, only spread.
        let mut x = self.random;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.random = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One poll of a waiter: every page of every group, with the client's
    /// per-call deadline cut short by the wait's.
    fn poll(&mut self, now_ms: u64) -> Action {
        let Some(waiting) = &mut self.waiting else {
            return self.begin_request(now_ms);
        };
        waiting.polls += 1;
        self.deadline = waiting.deadline.within(now_ms, self.settings.timeout_ms);
        self.group = 0;
        self.cursor = PageCursor::start(self.page);
        self.pages.clear();
        self.begin_request(now_ms)
    }

    /// The next page of a [`Kind::Pages`] call, with its own deadline and
    /// count of attempts.
    fn next_page(&mut self, now_ms: u64, new_page: bool) -> Action {
        if self.group >= self.groups.len() {
            self.state = State::Finished;
            self.outcome = None;
            return Action::Done;
        }
        if new_page {
            self.attempts = 0;
        }
        self.deadline = Deadline::after(now_ms, self.timeout_ms);
        self.begin_request(now_ms)
    }

    /// A request for the current group and page: first the credential.
    fn begin_request(&mut self, now_ms: u64) -> Action {
        self.tries = 0;
        self.refreshed = false;
        match &self.settings.auth {
            Auth::Provider => {
                self.state = State::Token;
                Action::Token { refresh: false }
            }
            auth => {
                self.auth = Some(auth.clone());
                self.build_and_send(now_ms)
            }
        }
    }

    fn build_and_send(&mut self, now_ms: u64) -> Action {
        let (Some(auth), Some(group)) = (&self.auth, self.groups.get(self.group)) else {
            return self.fail(Error::invalid_input("no request to send"), now_ms);
        };
        let page = match self.kind {
            Kind::List => self.page,
            _ => self.cursor.page(),
        };
        let settings = &self.settings;
        match ListJobsRequest::for_ids(&settings.endpoint, &settings.project_id, group, page, auth)
        {
            Ok(request) => {
                self.request = Some(request);
                self.send(now_ms)
            }
            Err(error) => self.fail(error, now_ms),
        }
    }

    fn send(&mut self, now_ms: u64) -> Action {
        self.attempts += 1;
        self.tries += 1;
        self.head = None;
        self.state = State::Sending;
        if self.deadline.remaining_ms(now_ms) == 0 {
            return self.after_error(timed_out(self.deadline), now_ms);
        }
        Action::Send
    }

    /// A failed request: refresh the token, retry, or give up.
    fn after_error(&mut self, error: Error, now_ms: u64) -> Action {
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

    /// A page arrived.
    fn received(&mut self, mut response: ListJobsResponse, now_ms: u64) -> Action {
        let Some(group) = self.groups.get(self.group) else {
            return self.fail(Error::invalid_input("no request was sent"), now_ms);
        };
        if self.kind == Kind::List {
            if self.attribute {
                attribute(&mut response, group);
            }
            return self.succeed(response);
        }
        let step = self.cursor.advance(&response);
        if step != PageStep::Repeated && self.attribute {
            attribute(&mut response, group);
        }
        if !matches!(step, PageStep::Next(_)) {
            self.group += 1;
            self.cursor = PageCursor::start(self.page);
        }
        if self.kind == Kind::Pages {
            if step == PageStep::Repeated {
                // The server ignores `offset`: the repeat is dropped, and
                // the page handed out next is still this one's.
                return self.next_page(now_ms, false);
            }
            self.state = State::Page;
            self.outcome = Some(Ok(response));
            return Action::Page;
        }
        if step != PageStep::Repeated {
            self.pages.push(response);
        }
        if self.group < self.groups.len() {
            return self.begin_request(now_ms);
        }
        let ids: Vec<&String> = self.groups.iter().flatten().collect();
        let merged = merge(&ids, std::mem::take(&mut self.pages));
        if self.kind == Kind::All {
            return self.succeed(merged);
        }
        self.outcome = Some(Ok(merged));
        if self.progress {
            self.state = State::Progress;
            return Action::Progress;
        }
        self.after_poll(now_ms)
    }

    /// A waiter's poll was reported: done, or pause before the next.
    fn after_poll(&mut self, now_ms: u64) -> Action {
        let response = match self.outcome.take() {
            Some(Ok(response)) => response,
            _ => return self.fail(Error::invalid_input("no poll to go on from"), now_ms),
        };
        if all_finished(&response) {
            return self.succeed(response);
        }
        let random = self.random();
        let Some(waiting) = &mut self.waiting else {
            return self.succeed(response);
        };
        let pause = waiting.deadline.clip(
            waiting
                .schedule
                .delay_ms(waiting.polls.saturating_sub(1), random),
            now_ms,
        );
        waiting.last = Some(response);
        self.state = State::PollPause;
        Action::Sleep(pause)
    }

    fn succeed(&mut self, response: ListJobsResponse) -> Action {
        self.state = State::Finished;
        self.outcome = Some(Ok(response));
        Action::Done
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

    fn wait_timed_out(&self) -> Error {
        match &self.waiting {
            Some(waiting) => wait_timed_out(waiting.deadline),
            None => timed_out(self.deadline),
        }
    }

    /// A failure with no response: refused connection, DNS, TLS, reset, or
    /// (in a browser, where the reason is hidden) most often a CORS refusal.
    fn network(
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
fn timed_out(deadline: Deadline) -> Error {
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
