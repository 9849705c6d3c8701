//! The Rust API on `wasm32`: one call, every page, a waiter, and a [`Client`]
//! that holds what the calls share. The JavaScript exports are built on it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Function;
use web_sys::AbortSignal;

use super::runtime::{now_ms, random, sleep};
use super::transport::{self, aborted, is_node, Call};
use crate::error::{Error, ErrorKind};
use crate::model::ListJobsResponse;
use crate::paging::{attribute, chunk_ids, merge, PageCursor, PageStep};
use crate::regions::region_endpoint;
use crate::request::{
    validate_token, Credential, Endpoint, ListJobsRequest, Page, DEFAULT_TIMEOUT_MS,
};
use crate::response::MAX_RESPONSE_BYTES;
use crate::retry::RetryPolicy;
use crate::sign::Credentials;
use crate::wait::{all_finished, Deadline, PollSchedule, DEFAULT_WAIT_TIMEOUT_MS};

/// A waiter's progress callback; an `Err` ends the wait with that error.
pub type OnProgress = Box<dyn FnMut(&ListJobsResponse) -> Result<(), Error>>;

/// What a token provider returns.
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<String, Error>>>>;

/// How calls authenticate.
#[derive(Clone)]
pub enum Auth {
    /// A fixed IAM token, sent as `X-Auth-Token`.
    Token(String),
    /// An access key pair: every request is signed (`SDK-HMAC-SHA256`) when
    /// it is sent. In a browser it needs
    /// [`allow_secret_key_in_browser`](ClientBuilder::allow_secret_key_in_browser).
    AccessKey(Credentials),
    /// A function that returns a token. It is asked before each call (so it
    /// should cache), and asked again with `true` when the service answers
    /// 401 `APIG.0301`, after which the call is tried once more.
    Provider(Rc<dyn Fn(bool) -> TokenFuture>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Token(_) => f.write_str("Token([REDACTED])"),
            Auth::AccessKey(credentials) => credentials.fmt(f),
            Auth::Provider(_) => f.write_str("Provider(..)"),
        }
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
                crate::request::validate_id("requestId", id)?;
                Ok(vec![vec![id.clone()]])
            }
            Jobs::Many(ids) => chunk_ids(ids),
        }
    }

    /// Whether jobs are marked with the request id they came from: only on
    /// calls given several ids, as a single id's response already names it.
    fn attributes(&self) -> bool {
        matches!(self, Jobs::Many(_))
    }

    fn ids(&self) -> &[String] {
        match self {
            Jobs::One(id) => std::slice::from_ref(id),
            Jobs::Many(ids) => ids,
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

/// Per-call options; `Default` gives the documented defaults.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Cancels the call; it then fails with [`ErrorKind::Aborted`].
    pub signal: Option<AbortSignal>,
    /// The deadline of the whole call, retries included; default 30000 ms.
    /// For [`Pages`], each page has its own.
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
}

/// Options of [`Client::wait_for_jobs`].
#[derive(Default)]
pub struct WaitOptions {
    /// Cancels the wait; it then fails with [`ErrorKind::Aborted`].
    pub signal: Option<AbortSignal>,
    /// The whole wait; default 10 minutes. When it passes the wait fails with
    /// [`ErrorKind::Timeout`] and the last response seen.
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
}

/// What a call cost, for the `$metadata` the JavaScript API reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Metadata {
    /// HTTP requests sent, retries included.
    pub attempts: u32,
    /// Polls made, for a waiter.
    pub polls: Option<u32>,
}

/// Builds a [`Client`].
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    endpoint: Option<String>,
    region: Option<String>,
    project_id: Option<String>,
    auth: Option<Auth>,
    timeout_ms: Option<u32>,
    max_attempts: Option<u32>,
    max_response_bytes: Option<u64>,
    fetch: Option<Function>,
    allow_secret_key_in_browser: bool,
}

impl ClientBuilder {
    /// The API's base URL; it wins over [`region`](Self::region).
    pub fn endpoint(mut self, endpoint: &str) -> Self {
        self.endpoint = Some(endpoint.to_owned());
        self
    }

    /// A CPH region such as `cn-north-4`; see [`crate::REGIONS`].
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }

    /// The project the jobs belong to.
    pub fn project_id(mut self, project_id: &str) -> Self {
        self.project_id = Some(project_id.to_owned());
        self
    }

    /// A fixed IAM token.
    pub fn token(mut self, token: &str) -> Self {
        self.auth = Some(Auth::Token(token.to_owned()));
        self
    }

    /// An access key pair to sign requests with, instead of a token.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.auth = Some(Auth::AccessKey(credentials));
        self
    }

    /// Allows [`credentials`](Self::credentials) outside Node. A secret key
    /// in a web page can be read by anyone who can open the page, and unlike
    /// a token it does not expire; say `true` only for a page that is itself
    /// private (an internal tool, a test), and prefer a token or a proxy that
    /// signs on the server.
    pub fn allow_secret_key_in_browser(mut self, allow: bool) -> Self {
        self.allow_secret_key_in_browser = allow;
        self
    }

    /// A token provider; see [`Auth::Provider`].
    pub fn token_provider(mut self, provider: impl Fn(bool) -> TokenFuture + 'static) -> Self {
        self.auth = Some(Auth::Provider(Rc::new(provider)));
        self
    }

    /// The default deadline of each call, in milliseconds (default 30000).
    pub fn timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = Some(timeout_ms);
        self
    }

    /// Tries per call, the first included (default 3; 1 disables retries).
    pub fn max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = Some(max_attempts);
        self
    }

    /// The most bytes a response body may have (default 8 MiB).
    pub fn max_response_bytes(mut self, max_response_bytes: u64) -> Self {
        self.max_response_bytes = Some(max_response_bytes);
        self
    }

    /// A `fetch` to send requests with instead of the global one.
    pub fn fetch(mut self, fetch: Function) -> Self {
        self.fetch = Some(fetch);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming the setting at fault: no endpoint or
    /// region, a bad endpoint, unknown region, bad project id, no token or a
    /// bad one, or an out-of-range number.
    pub fn build(self) -> Result<Client, Error> {
        let endpoint = match (self.endpoint, self.region) {
            (Some(endpoint), _) => Endpoint::parse(&endpoint)?,
            (None, Some(region)) => Endpoint::parse(&region_endpoint(&region)?)?,
            (None, None) => {
                return Err(Error::invalid_argument(
                    "endpoint",
                    "give an endpoint or a region",
                ))
            }
        };
        let project_id = self.project_id.unwrap_or_default();
        crate::request::validate_id("projectId", &project_id)?;
        let auth = match self.auth {
            Some(Auth::Token(token)) => {
                validate_token(&token)?;
                Auth::Token(token)
            }
            Some(Auth::AccessKey(_)) if !self.allow_secret_key_in_browser && !is_node() => {
                return Err(Error::invalid_argument(
                    "credentials",
                    "a secret key in a web page can be read by anyone who opens the page; \
                     use a token, or sign on a server, or set allowSecretKeyInBrowser if \
                     this page is itself private",
                ))
            }
            Some(provider) => provider,
            None => {
                return Err(Error::invalid_argument(
                    "token",
                    "give a token or a tokenProvider",
                ))
            }
        };
        Ok(Client {
            config: Rc::new(Config {
                endpoint,
                project_id,
                auth,
                timeout_ms: check_timeout(self.timeout_ms, DEFAULT_TIMEOUT_MS)?,
                retry: RetryPolicy::new(self.max_attempts.unwrap_or(crate::DEFAULT_MAX_ATTEMPTS))?,
                max_response_bytes: check_max_bytes(self.max_response_bytes)?
                    .unwrap_or(MAX_RESPONSE_BYTES as u64),
                fetch: self.fetch,
            }),
        })
    }
}

/// A timeout in milliseconds, or `default`.
fn check_timeout(timeout_ms: Option<u32>, default: u32) -> Result<u32, Error> {
    match timeout_ms {
        None => Ok(default),
        Some(ms) => crate::request::validate_timeout_ms(f64::from(ms)),
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

struct Config {
    endpoint: Endpoint,
    project_id: String,
    auth: Auth,
    timeout_ms: u32,
    retry: RetryPolicy,
    max_response_bytes: u64,
    fetch: Option<Function>,
}

/// A CPH client: the endpoint, project and credentials its calls share.
///
/// It keeps no state between calls, so it can be cloned cheaply and used by
/// many calls at once.
#[derive(Clone)]
pub struct Client {
    config: Rc<Config>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.config.endpoint.as_str())
            .field("project_id", &self.config.project_id)
            .field("auth", &self.config.auth)
            .finish_non_exhaustive()
    }
}

/// What one call needs, resolved from the client and the call's options.
struct Plan {
    signal: Option<AbortSignal>,
    retry: RetryPolicy,
    max_response_bytes: u64,
    page: Page,
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The plan of a call that starts now, and its deadline.
    fn start(&self, options: &CallOptions) -> Result<(Plan, Deadline), Error> {
        let plan = self.plan(options)?;
        Ok((plan, Deadline::after(now_ms(), self.call_timeout(options)?)))
    }

    /// The call's own timeout, else the client's.
    fn call_timeout(&self, options: &CallOptions) -> Result<u32, Error> {
        check_timeout(options.timeout_ms, self.config.timeout_ms)
    }

    fn plan(&self, options: &CallOptions) -> Result<Plan, Error> {
        let retry = match options.max_attempts {
            Some(n) => RetryPolicy::new(n)?,
            None => self.config.retry,
        };
        Ok(Plan {
            signal: options.signal.clone(),
            retry,
            max_response_bytes: check_max_bytes(options.max_response_bytes)?
                .unwrap_or(self.config.max_response_bytes),
            page: Page {
                offset: options.offset,
                limit: options.limit,
            },
        })
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
        self.list_jobs_counted(jobs, options)
            .await
            .map(|(response, _)| response)
    }

    pub(crate) async fn list_jobs_counted(
        &self,
        jobs: &Jobs,
        options: &CallOptions,
    ) -> Result<(ListJobsResponse, Metadata), Error> {
        let (plan, deadline) = self.start(options)?;
        let ids = jobs.ids();
        let mut attempts = 0;
        let mut page = self
            .request(ids, plan.page, &plan, deadline, &mut attempts)
            .await
            .map_err(|e| e.with_attempts(attempts))?;
        if jobs.attributes() {
            attribute(&mut page, ids);
        }
        Ok((
            page,
            Metadata {
                attempts,
                polls: None,
            },
        ))
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
        self.list_all_jobs_counted(jobs, options)
            .await
            .map(|(response, _)| response)
    }

    pub(crate) async fn list_all_jobs_counted(
        &self,
        jobs: &Jobs,
        options: &CallOptions,
    ) -> Result<(ListJobsResponse, Metadata), Error> {
        let (plan, deadline) = self.start(options)?;
        let mut attempts = 0;
        self.collect(jobs, &plan, deadline, &mut attempts)
            .await
            .map(|response| {
                (
                    response,
                    Metadata {
                        attempts,
                        polls: None,
                    },
                )
            })
            .map_err(|e| e.with_attempts(attempts))
    }

    /// Every page of every group of ids, merged.
    async fn collect(
        &self,
        jobs: &Jobs,
        plan: &Plan,
        deadline: Deadline,
        attempts: &mut u32,
    ) -> Result<ListJobsResponse, Error> {
        let groups = jobs.groups()?;
        let mut pages = Vec::new();
        for group in &groups {
            let mut cursor = PageCursor::start(plan.page);
            loop {
                let mut response = self
                    .request(group, cursor.page(), plan, deadline, attempts)
                    .await?;
                let step = cursor.advance(&response);
                if step == PageStep::Repeated {
                    break;
                }
                if jobs.attributes() {
                    attribute(&mut response, group);
                }
                pages.push(response);
                if step == PageStep::Last {
                    break;
                }
            }
        }
        let all: Vec<String> = groups.into_iter().flatten().collect();
        Ok(merge(&all, pages))
    }

    /// The pages of the jobs of any number of batch requests, one request at
    /// a time; see [`Pages`].
    pub fn pages(&self, jobs: &Jobs, options: &CallOptions) -> Pages {
        let setup = self.plan(options).and_then(|plan| {
            let timeout_ms = self.call_timeout(options)?;
            let groups = jobs.groups()?;
            Ok((plan, timeout_ms, groups))
        });
        Pages {
            client: self.clone(),
            state: setup.map(|(plan, timeout_ms, groups)| PagesState {
                cursor: PageCursor::start(plan.page),
                plan,
                timeout_ms,
                groups,
                group: 0,
                attribute: jobs.attributes(),
            }),
            done: false,
        }
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
    /// [`ErrorKind::Timeout`] when the wait's deadline passes, carrying the
    /// last response seen ([`Error::last_response`]); [`ErrorKind::Aborted`]
    /// when the signal fires; otherwise the error of a poll that failed after
    /// its retries.
    pub async fn wait_for_jobs(
        &self,
        jobs: &Jobs,
        options: WaitOptions,
    ) -> Result<ListJobsResponse, Error> {
        self.wait_for_jobs_counted(jobs, options)
            .await
            .map(|(response, _)| response)
    }

    pub(crate) async fn wait_for_jobs_counted(
        &self,
        jobs: &Jobs,
        mut options: WaitOptions,
    ) -> Result<(ListJobsResponse, Metadata), Error> {
        let plan = self.plan(&CallOptions {
            signal: options.signal.clone(),
            limit: options.limit,
            max_attempts: options.max_attempts,
            ..CallOptions::default()
        })?;
        let schedule = options.schedule.unwrap_or_default();
        let deadline = Deadline::after(
            now_ms(),
            check_timeout(options.timeout_ms, DEFAULT_WAIT_TIMEOUT_MS)?,
        );
        let mut attempts = 0;
        let mut polls = 0;
        let mut last: Option<ListJobsResponse> = None;
        let give_up = |error: Error, attempts: u32, last: Option<ListJobsResponse>| {
            if error.kind() == ErrorKind::Timeout {
                error.with_last_response(last)
            } else {
                error
            }
            .with_attempts(attempts)
        };
        loop {
            // Each poll has the client's own per-call deadline, cut short by
            // the wait's.
            let poll_deadline = deadline.within(now_ms(), self.config.timeout_ms);
            polls += 1;
            let response = match self
                .collect(jobs, &plan, poll_deadline, &mut attempts)
                .await
            {
                Ok(response) => response,
                Err(error)
                    if error.kind() == ErrorKind::Timeout && deadline.has_passed(now_ms()) =>
                {
                    return Err(give_up(wait_timed_out(deadline), attempts, last));
                }
                Err(error) => return Err(give_up(error, attempts, last)),
            };
            if let Some(on_progress) = options.on_progress.as_mut() {
                on_progress(&response).map_err(|e| e.with_attempts(attempts))?;
            }
            if all_finished(&response) {
                let metadata = Metadata {
                    attempts,
                    polls: Some(polls),
                };
                return Ok((response, metadata));
            }
            last = Some(response);
            let pause = deadline.clip(schedule.delay_ms(polls - 1, random()), now_ms());
            if !sleep(pause, plan.signal.as_ref()).await {
                return Err(aborted().with_attempts(attempts));
            }
            if deadline.has_passed(now_ms()) {
                return Err(give_up(wait_timed_out(deadline), attempts, last));
            }
        }
    }

    /// Sends one request for one page of `ids`, retrying as the policy says
    /// and refreshing the token once on a 401 `APIG.0301`.
    async fn request(
        &self,
        ids: &[String],
        page: Page,
        plan: &Plan,
        deadline: Deadline,
        attempts: &mut u32,
    ) -> Result<ListJobsResponse, Error> {
        let config = &self.config;
        let build = |credential: &Credential| {
            ListJobsRequest::for_ids(&config.endpoint, &config.project_id, ids, page, credential)
        };
        let mut request = build(&self.credential(false).await?)?;
        let call = Call {
            signal: plan.signal.as_ref(),
            deadline,
            fetch: config.fetch.as_ref(),
            max_response_bytes: plan.max_response_bytes,
        };
        let mut refreshed = false;
        let mut tries = 0;
        loop {
            *attempts += 1;
            tries += 1;
            let error = match transport::send(&request, &call).await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if !refreshed && is_expired_token(&error) && matches!(config.auth, Auth::Provider(_)) {
                // A refresh is not a retry: it does not spend the budget.
                refreshed = true;
                tries -= 1;
                request = build(&self.credential(true).await?)?;
                continue;
            }
            let remaining = deadline.remaining_ms(now_ms());
            let Some(delay) = plan.retry.next_delay(tries, &error, remaining, random()) else {
                return Err(error);
            };
            if !sleep(delay, plan.signal.as_ref()).await {
                return Err(aborted());
            }
        }
    }

    /// The credential for the next request, from the client's [`Auth`].
    async fn credential(&self, refresh: bool) -> Result<Credential, Error> {
        let token = match &self.config.auth {
            Auth::Token(token) => return Ok(Credential::Token(token.clone())),
            Auth::AccessKey(credentials) => return Ok(Credential::AccessKey(credentials.clone())),
            Auth::Provider(provider) => provider(refresh).await?,
        };
        Credential::token(&token).map_err(|e| {
            let mut message = String::from("the tokenProvider returned an unusable token: ");
            message.push_str(e.message());
            Error::invalid_input(message)
        })
    }
}

/// Whether the service refused the token as invalid or expired.
fn is_expired_token(error: &Error) -> bool {
    error.status() == Some(401) && error.error_code() == Some("APIG.0301")
}

fn wait_timed_out(deadline: Deadline) -> Error {
    let mut message = String::from("jobs were still running when the wait ended after ");
    crate::json::write_integer(&mut message, i64::from(deadline.timeout_ms()));
    message.push_str(" ms (timeoutMs)");
    Error::new(ErrorKind::Timeout, message)
}

/// Pages of jobs, fetched one request at a time as they are asked for.
///
/// Groups of 20 ids are listed in turn, each page by page until a short
/// page. Each page has its own deadline (`timeout_ms`).
pub struct Pages {
    client: Client,
    state: Result<PagesState, Error>,
    done: bool,
}

struct PagesState {
    plan: Plan,
    timeout_ms: u32,
    groups: Vec<Vec<String>>,
    group: usize,
    cursor: PageCursor,
    /// Whether jobs are marked with their request id: [`Jobs::attributes`].
    attribute: bool,
}

impl Pages {
    /// The next page, or `None` after the last.
    ///
    /// # Errors
    ///
    /// As [`Client::list_jobs`]; the pages end after an error.
    pub async fn next(&mut self) -> Option<Result<ListJobsResponse, Error>> {
        self.next_counted()
            .await
            .map(|result| result.map(|(response, _)| response))
    }

    /// The next page and the HTTP requests it took.
    pub(crate) async fn next_counted(&mut self) -> Option<Result<(ListJobsResponse, u32), Error>> {
        let result = self.step().await;
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }

    async fn step(&mut self) -> Option<Result<(ListJobsResponse, u32), Error>> {
        if self.done {
            return None;
        }
        let state = match &mut self.state {
            Ok(state) => state,
            Err(error) => return Some(Err(error.clone())),
        };
        let mut attempts = 0;
        loop {
            let group = state.groups.get(state.group)?;
            let deadline = Deadline::after(now_ms(), state.timeout_ms);
            let result = self
                .client
                .request(
                    group,
                    state.cursor.page(),
                    &state.plan,
                    deadline,
                    &mut attempts,
                )
                .await;
            let mut response = match result {
                Ok(response) => response,
                Err(error) => return Some(Err(error.with_attempts(attempts))),
            };
            let step = state.cursor.advance(&response);
            if step != PageStep::Repeated && state.attribute {
                attribute(&mut response, group);
            }
            if !matches!(step, PageStep::Next(_)) {
                state.group += 1;
                state.cursor = PageCursor::start(state.plan.page);
            }
            if step == PageStep::Repeated {
                continue;
            }
            return Some(Ok((response, attempts)));
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
