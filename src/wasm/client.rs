//! The Rust API on `wasm32`: one call, every page, a waiter, and a [`Client`]
//! that holds what the calls share. Each call is an [`Operation`] of the
//! core, driven here with `fetch` and timers through `web-sys`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Function;
#[cfg(feature = "js")]
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

#[cfg(feature = "js")]
use super::platform::thrown_message;
use super::platform::{now_ms, race, random, sleep, Cut};
use super::transport;
use crate::error::Error;
use crate::model::ListJobsResponse;
pub use crate::operation::Jobs;
use crate::operation::{Action, Failure, Kind, Operation, Options, Settings};
use crate::wait::PollSchedule;

/// A waiter's progress callback; an `Err` ends the wait with that error.
pub type OnProgress = Box<dyn FnMut(&ListJobsResponse) -> Result<(), Error>>;

/// What a token provider returns.
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<String, Error>>>>;

/// Per-call options; `Default` gives the documented defaults.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Cancels the call; it then fails with [`ErrorKind::Aborted`](crate::ErrorKind::Aborted).
    pub signal: Option<AbortSignal>,
    /// The deadline of the whole call, retries included; default 30000 ms.
    /// For [`Pages`](super::Pages), each page has its own.
    pub timeout_ms: Option<u32>,
    /// Where to start (`offset`); for batches of many ids, where each group
    /// of 20 starts.
    pub offset: Option<u32>,
    /// Jobs per page (`limit`, 1 to 100).
    pub limit: Option<u32>,
    /// Tries in all, the first included; the client's by default.
    pub max_attempts: Option<u32>,
    /// The most bytes a response body may have; the client's by default.
    pub max_response_bytes: Option<u64>,
    /// The most jobs a call that follows pages collects (and 640 bytes of
    /// pages per job); for [`Pages`](super::Pages), the pages it follows are this divided
    /// by the page size. The client's by default (100,000). Past it the call
    /// fails with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).
    pub max_total_jobs: Option<u32>,
}

/// Options of [`Client::wait_for_jobs`].
#[derive(Default)]
pub struct WaitOptions {
    /// Cancels the wait; it then fails with [`ErrorKind::Aborted`](crate::ErrorKind::Aborted).
    pub signal: Option<AbortSignal>,
    /// The whole wait; default 10 minutes. When it passes the wait fails with
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) and the last response seen.
    pub timeout_ms: Option<u32>,
    /// The pauses between polls (default 2 s to 30 s).
    pub schedule: Option<PollSchedule>,
    /// Called with every response the waiter sees, the last one included;
    /// an `Err` ends the wait with that error.
    pub on_progress: Option<OnProgress>,
    /// Jobs per page (`limit`, 1 to 100).
    pub limit: Option<u32>,
    /// Tries per request, the first included; the client's by default.
    pub max_attempts: Option<u32>,
    /// The most jobs one poll collects, as [`CallOptions::max_total_jobs`].
    pub max_total_jobs: Option<u32>,
}

/// A CPH client: the endpoint, project and credentials its calls share.
///
/// It keeps no state between calls, so it can be cloned cheaply and used by
/// many calls at once.
#[derive(Clone)]
pub struct Client {
    settings: Rc<Settings>,
    provider: Option<Provider>,
    fetch: Option<Function>,
}

/// Where a client with [`Auth::Provider`] gets its tokens.
#[derive(Clone)]
pub(crate) enum Provider {
    /// A Rust function ([`ClientBuilder::token_provider`]).
    Rust(Rc<dyn Fn(bool) -> TokenFuture>),
    /// The npm package's `tokenProvider({ refresh })`: a string or a promise
    /// of one.
    #[cfg(feature = "js")]
    Js(Function),
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Provider(..)")
    }
}

/// Whom a waiter reports each poll to.
pub(crate) enum Progress<'a> {
    /// Nobody.
    Nobody,
    /// A Rust callback ([`WaitOptions::on_progress`]).
    Rust(&'a mut OnProgress),
    /// The npm package's `onProgress(response)`.
    #[cfg(feature = "js")]
    Js(&'a Function),
}

impl From<Cut> for Failure<'static> {
    fn from(cut: Cut) -> Self {
        match cut {
            Cut::TimedOut => Failure::TimedOut,
            Cut::Aborted => Failure::Aborted,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.settings.endpoint().as_str())
            .field("project_id", &self.settings.project_id())
            .field("auth", self.settings.auth())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of checked settings, with the token provider and `fetch`
    /// they need.
    pub(crate) fn from_parts(
        settings: Settings,
        provider: Option<Provider>,
        fetch: Option<Function>,
    ) -> Client {
        Client {
            settings: Rc::new(settings),
            provider,
            fetch,
        }
    }

    pub(crate) fn operation(
        &self,
        kind: Kind,
        jobs: &Jobs,
        options: &Options,
    ) -> Result<Operation, Error> {
        // The jitter's seed; it need not be unpredictable.
        let seed = (random() * 9_007_199_254_740_992.0) as u64;
        Operation::new(Rc::clone(&self.settings), kind, jobs, options, seed)
    }

    /// Lists one page of the jobs of up to 20 batch requests.
    ///
    /// # Errors
    ///
    /// Every failure is an [`Error`]: bad input (more than 20 ids included),
    /// no response, a timeout, an abort, an HTTP error or an unreadable
    /// body. Network errors, 429 and 5xx answers are retried first.
    pub async fn list_jobs(
        &self,
        jobs: &Jobs,
        options: &CallOptions,
    ) -> Result<ListJobsResponse, Error> {
        self.call(Kind::List, jobs, options).await
    }

    /// Lists every job of any number of batch requests: 20 ids per request,
    /// every page followed, merged in order. `timeout_ms` covers it all.
    ///
    /// # Errors
    ///
    /// As [`list_jobs`](Self::list_jobs), for whichever request fails first.
    pub async fn list_all_jobs(
        &self,
        jobs: &Jobs,
        options: &CallOptions,
    ) -> Result<ListJobsResponse, Error> {
        self.call(Kind::All, jobs, options).await
    }

    async fn call(
        &self,
        kind: Kind,
        jobs: &Jobs,
        options: &CallOptions,
    ) -> Result<ListJobsResponse, Error> {
        let mut op = self.operation(kind, jobs, &options.core())?;
        let action = op.start(now_ms());
        self.drive(&mut op, action, options.signal.as_ref(), Progress::Nobody)
            .await;
        op.finish().unwrap_or_else(no_result)
    }

    /// Polls until no job of the batch requests is running, and resolves
    /// with the final jobs.
    ///
    /// Each poll lists every job (20 ids per request, every page). The
    /// pauses between polls follow the [`PollSchedule`], and none runs past
    /// the deadline.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) when the wait's
    /// deadline passes, carrying the last response seen
    /// ([`Error::last_response`]);
    /// [`ErrorKind::Aborted`](crate::ErrorKind::Aborted) when the signal
    /// fires; otherwise the error of a poll that failed after its retries.
    pub async fn wait_for_jobs(
        &self,
        jobs: &Jobs,
        options: WaitOptions,
    ) -> Result<ListJobsResponse, Error> {
        let WaitOptions {
            signal,
            timeout_ms,
            schedule,
            mut on_progress,
            limit,
            max_attempts,
            max_total_jobs,
        } = options;
        let core = Options {
            timeout_ms,
            limit,
            max_attempts,
            max_total_jobs,
            schedule,
            progress: on_progress.is_some(),
            ..Options::default()
        };
        let mut op = self.operation(Kind::Wait, jobs, &core)?;
        let action = op.start(now_ms());
        let progress = on_progress
            .as_mut()
            .map_or(Progress::Nobody, Progress::Rust);
        self.drive(&mut op, action, signal.as_ref(), progress).await;
        op.finish().unwrap_or_else(no_result)
    }

    /// Does what `op` asks until it has a result, a page or an error, and
    /// returns that last action ([`Action::Done`], [`Action::Page`] or
    /// [`Action::Failed`]): the one driver of every call, Rust's and the npm
    /// package's.
    pub(crate) async fn drive(
        &self,
        op: &mut Operation,
        mut action: Action,
        signal: Option<&AbortSignal>,
        mut progress: Progress<'_>,
    ) -> Action {
        loop {
            action = match action {
                Action::Token { refresh } => self.token(op, refresh, signal).await,
                Action::Send => transport::send(op, signal, self.fetch.as_ref()).await,
                Action::Sleep(ms) => {
                    if sleep(ms, signal).await {
                        op.woke(now_ms())
                    } else {
                        op.failed(Failure::Aborted, now_ms())
                    }
                }
                Action::Progress => progress.report(op),
                last => return last,
            };
        }
    }

    /// Asks the token provider for a token. The caller's signal and the
    /// call's deadline cover the wait, as they cover everything a call
    /// waits for.
    async fn token(
        &self,
        op: &mut Operation,
        refresh: bool,
        signal: Option<&AbortSignal>,
    ) -> Action {
        let remaining = op.remaining_ms(now_ms());
        match &self.provider {
            None => op.token(
                Err(Error::invalid_input("no tokenProvider was given")),
                now_ms(),
            ),
            Some(Provider::Rust(provider)) => {
                match race(provider(refresh), remaining, signal).await {
                    Ok(token) => give_token(op, token),
                    Err(cut) => op.failed(cut.into(), now_ms()),
                }
            }
            #[cfg(feature = "js")]
            Some(Provider::Js(provider)) => {
                let request = js_sys::Object::new();
                super::platform::set(&request, "refresh", &JsValue::from_bool(refresh));
                // A provider that throws rather than rejects fails alike.
                let provided = match provider.call1(&JsValue::UNDEFINED, &request) {
                    Ok(value) => {
                        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&value))
                    }
                    Err(thrown) => return threw(op, "tokenProvider", &thrown),
                };
                match race(provided, remaining, signal).await {
                    Ok(Ok(token)) => {
                        let token = token.as_string().ok_or_else(|| {
                            Error::invalid_input(
                                "the tokenProvider returned something that is not a string",
                            )
                        });
                        give_token(op, token)
                    }
                    Ok(Err(thrown)) => threw(op, "tokenProvider", &thrown),
                    Err(cut) => op.failed(cut.into(), now_ms()),
                }
            }
        }
    }
}

impl Progress<'_> {
    /// Hands a waiter's poll ([`Action::Progress`]) to the callback, and goes
    /// on, or fails the call with what the callback threw.
    fn report(&mut self, op: &mut Operation) -> Action {
        match self {
            Progress::Nobody => op.resume(now_ms()),
            Progress::Rust(report) => {
                let reported = op.response().map_or(Ok(()), report);
                match reported {
                    Ok(()) => op.resume(now_ms()),
                    Err(error) => op.fail(error, now_ms()),
                }
            }
            #[cfg(feature = "js")]
            Progress::Js(report) => {
                let response = op.json().map(|json| js_sys::JSON::parse(&json));
                let reported = match response {
                    Some(Ok(response)) => report.call1(&JsValue::UNDEFINED, &response),
                    _ => Ok(JsValue::UNDEFINED),
                };
                match reported {
                    Ok(_) => op.resume(now_ms()),
                    Err(thrown) => threw(op, "onProgress", &thrown),
                }
            }
        }
    }
}

/// Hands `op` the token provider's answer; the error is moved, not copied.
fn give_token(op: &mut Operation, token: Result<String, Error>) -> Action {
    match token {
        Ok(token) => op.token(Ok(&token), now_ms()),
        Err(error) => op.token(Err(error), now_ms()),
    }
}

/// Fails `op` because the caller's function `what` threw `thrown`.
#[cfg(feature = "js")]
fn threw(op: &mut Operation, what: &str, thrown: &JsValue) -> Action {
    let message = thrown_message(thrown);
    op.failed(
        Failure::Threw {
            what,
            message: message.as_deref(),
        },
        now_ms(),
    )
}

/// A call that ended with neither a response nor an error, which the
/// operation never does for a call (only for the end of its pages).
fn no_result<T>() -> Result<T, Error> {
    Err(Error::invalid_input("the call ended without a result"))
}

impl CallOptions {
    pub(crate) fn core(&self) -> Options {
        Options {
            timeout_ms: self.timeout_ms,
            offset: self.offset,
            limit: self.limit,
            max_attempts: self.max_attempts,
            max_response_bytes: self.max_response_bytes,
            max_total_jobs: self.max_total_jobs,
            ..Options::default()
        }
    }
}

/// Lists the jobs of one batch request with a fixed token and the default
/// options: the simplest call, for a quick script or a first try.
///
/// # Errors
///
/// As [`Client::list_jobs`].
pub async fn list_jobs(
    endpoint: &str,
    project_id: &str,
    request_id: &str,
    token: &str,
) -> Result<ListJobsResponse, Error> {
    let client = Client::builder()
        .endpoint(endpoint)
        .project_id(project_id)
        .token(token)
        .build()?;
    client
        .list_jobs(&Jobs::from(request_id), &CallOptions::default())
        .await
}
