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
//!     Action, Auth, Body, Jobs, Kind, Operation, Options, ReadPlan, ResponseHead, Settings,
//!     SettingsInput,
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
//!             let head = ResponseHead {
//!                 status: 200,
//!                 request_id: Some("0a1b2c"),
//!                 ..ResponseHead::default()
//!             };
//!             match op.head(&head, now) {
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
//!
//! The steps of a call, one module each:
//!
//! 1. `settings`: what a client and a call are given, checked
//!    ([`Settings`], [`Options`], [`Jobs`]);
//! 2. `send`: the credential (a token provider's, when there is one) and
//!    the request to send ([`Operation::token`], [`Operation::request`],
//!    [`Operation::headers_at`]);
//! 3. `read`: the response's head and body ([`Operation::head`],
//!    [`Operation::body`]);
//! 4. `failure`: a request that got no usable answer, and whether to retry
//!    ([`Operation::failed`], [`Operation::fail`]);
//! 5. `pages`: what follows an answer: the next page, group or poll
//!    ([`Operation::woke`], [`Operation::resume`]).

mod failure;
mod pages;
mod read;
mod send;
mod settings;

use std::rc::Rc;

pub use crate::auth::{Auth, Credentials};
use crate::error::Error;
use crate::input::Page;
use crate::model::ListJobsResponse;
use crate::paging::PageCursor;
use crate::request::ListJobsRequest;
use crate::retry::RetryPolicy;
use crate::wait::{Deadline, DEFAULT_WAIT_TIMEOUT_MS};

pub use failure::Failure;
use pages::{Collected, Waiting};
use read::Received;
pub use read::{Body, ReadPlan, ResponseHead};
use settings::{check_max_bytes, check_max_total_jobs, check_timeout};
pub use settings::{Jobs, Options, Settings, SettingsInput};

/// What a call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

/// What the driver does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

/// One call's state; see the [module](self) for how it is driven.
#[derive(Debug)]
pub struct Operation {
    settings: Rc<Settings>,
    kind: Kind,
    retry: RetryPolicy,
    max_response_bytes: u64,
    /// What a call that follows pages may collect: see `pages::Collected`.
    max_total_jobs: u32,
    collected: Collected,
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
    head: Option<Received>,
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
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for bad ids or options.
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
        let max_total_jobs =
            check_max_total_jobs(options.max_total_jobs)?.unwrap_or(settings.max_total_jobs);
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
            max_total_jobs,
            collected: Collected::default(),
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

    /// The response of [`Action::Progress`], [`Action::Page`] or
    /// [`Action::Done`].
    #[must_use]
    pub fn response(&self) -> Option<&ListJobsResponse> {
        match &self.outcome {
            Some(Ok(response)) => Some(response),
            _ => None,
        }
    }

    /// The response of [`Action::Progress`], [`Action::Page`] or
    /// [`Action::Done`] as camelCase JSON text, the shape the JavaScript API
    /// resolves with; taken, for a call that decoded straight to text.
    #[must_use]
    pub fn json(&mut self) -> Option<String> {
        if let Some(text) = self.json_outcome.take() {
            return Some(text);
        }
        self.response().map(ListJobsResponse::to_json)
    }

    /// The error of [`Action::Failed`].
    #[must_use]
    pub fn error(&self) -> Option<&Error> {
        match &self.outcome {
            Some(Err(error)) => Some(error),
            _ => None,
        }
    }

    /// What the call has cost so far: for [`Kind::Pages`], the page's.
    #[must_use]
    pub fn metadata(&self) -> Metadata {
        Metadata {
            attempts: self.attempts,
            polls: self.waiting.as_ref().map(|w| w.polls),
        }
    }

    /// Takes the result after [`Action::Done`] or [`Action::Failed`], or
    /// the page after [`Action::Page`]; `None` at the end of the pages.
    #[must_use]
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

    fn succeed(&mut self, response: ListJobsResponse) -> Action {
        self.state = State::Finished;
        self.outcome = Some(Ok(response));
        Action::Done
    }
}
