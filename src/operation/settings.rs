//! Step 1 of a call: what a client and a call are given, checked before
//! anything is sent.

use crate::auth::Auth;
use crate::body::MAX_RESPONSE_BYTES;
use crate::error::Error;
use crate::input::{validate_id, validate_timeout_ms, validate_token, DEFAULT_TIMEOUT_MS};
use crate::paging::{chunk_ids, DEFAULT_MAX_TOTAL_JOBS};
use crate::regions::region_endpoint;
use crate::retry::{RetryPolicy, DEFAULT_MAX_ATTEMPTS};
use crate::url::Endpoint;
use crate::wait::PollSchedule;

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
    /// The most jobs a call that follows pages collects (default 100,000).
    pub max_total_jobs: Option<u32>,
}

/// A client's checked settings: what all its calls share.
#[derive(Debug, Clone)]
pub struct Settings {
    pub(super) endpoint: Endpoint,
    pub(super) project_id: String,
    pub(super) auth: Auth,
    pub(super) timeout_ms: u32,
    pub(super) retry: RetryPolicy,
    pub(super) max_response_bytes: u64,
    pub(super) max_total_jobs: u32,
}

impl Settings {
    /// Checks the settings, in the order a reader meets them: the endpoint
    /// (or region), the project, the credentials, then the numbers.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting at fault.
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
            max_total_jobs: check_max_total_jobs(input.max_total_jobs)?
                .unwrap_or(DEFAULT_MAX_TOTAL_JOBS),
        })
    }

    /// The endpoint calls go to.
    #[must_use]
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The project the jobs belong to.
    #[must_use]
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// How calls authenticate.
    #[must_use]
    pub fn auth(&self) -> &Auth {
        &self.auth
    }
}

/// A timeout in milliseconds, or `default`.
pub(super) fn check_timeout(timeout_ms: Option<u32>, default: u32) -> Result<u32, Error> {
    match timeout_ms {
        None => Ok(default),
        Some(ms) => validate_timeout_ms(f64::from(ms)),
    }
}

pub(super) fn check_max_bytes(max: Option<u64>) -> Result<Option<u64>, Error> {
    match max {
        Some(0) => Err(Error::invalid_argument(
            "maxResponseBytes",
            "it must be at least 1",
        )),
        other => Ok(other),
    }
}

pub(super) fn check_max_total_jobs(max: Option<u32>) -> Result<Option<u32>, Error> {
    match max {
        Some(0) => Err(Error::invalid_argument(
            "maxTotalJobs",
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
    pub(super) fn groups(&self) -> Result<Vec<Vec<String>>, Error> {
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

/// A call's own options; `None` takes the client's setting or the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The deadline of the call (of each page for [`Kind::Pages`](super::Kind::Pages), of the
    /// whole wait for [`Kind::Wait`](super::Kind::Wait)).
    pub timeout_ms: Option<u32>,
    /// Where to start; for many ids, where each group of 20 starts.
    pub offset: Option<u32>,
    /// Jobs per page, 1 to 100.
    pub limit: Option<u32>,
    /// Tries per request, the first included.
    pub max_attempts: Option<u32>,
    /// The most bytes a response body may have.
    pub max_response_bytes: Option<u64>,
    /// The most jobs a call that follows pages collects, and with it the
    /// bytes of pages it reads (640 per job); for
    /// [`Kind::Pages`](super::Kind::Pages), which holds one page at a time,
    /// the pages it follows (this divided by the page size).
    pub max_total_jobs: Option<u32>,
    /// The pauses between polls, for [`Kind::Wait`](super::Kind::Wait).
    pub schedule: Option<PollSchedule>,
    /// Whether a waiter reports every response ([`Action::Progress`](super::Action::Progress)).
    pub progress: bool,
    /// Whether the driver takes results as camelCase JSON text
    /// ([`Operation::json`](super::Operation::json)) rather than as a
    /// [`ListJobsResponse`](crate::ListJobsResponse): a
    /// [`Kind::List`](super::Kind::List) call then decodes its body straight to that text.
    pub json: bool,
}
