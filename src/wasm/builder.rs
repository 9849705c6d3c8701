//! [`ClientBuilder`]: the settings of a [`Client`], checked when it is built.

use std::rc::Rc;

use js_sys::Function;

use super::client::{Client, Provider, TokenFuture};
use super::platform::is_node;
use crate::auth::{Auth, Credentials};
use crate::error::Error;
use crate::operation::{Settings, SettingsInput};

/// Builds a [`Client`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ClientBuilder {
    endpoint: Option<String>,
    region: Option<String>,
    project_id: Option<String>,
    auth: Option<Auth>,
    /// The function behind `Auth::Provider`.
    provider: Option<Provider>,
    timeout_ms: Option<u32>,
    max_attempts: Option<u32>,
    max_response_bytes: Option<u64>,
    max_total_jobs: Option<u32>,
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
        self.provider = None;
        self
    }

    /// An access key pair to sign requests with, instead of a token.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.auth = Some(Auth::AccessKey(credentials));
        self.provider = None;
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

    /// A function that returns a token, instead of a fixed one. It is asked
    /// before each call (so it should cache), and asked again with `true`
    /// when the service answers 401 `APIG.0301`, after which the call is
    /// tried once more.
    pub fn token_provider(mut self, provider: impl Fn(bool) -> TokenFuture + 'static) -> Self {
        self.auth = Some(Auth::Provider);
        self.provider = Some(Provider::Rust(Rc::new(provider)));
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

    /// The most jobs a call that follows pages collects (default 100,000);
    /// see [`CallOptions::max_total_jobs`](super::CallOptions::max_total_jobs).
    pub fn max_total_jobs(mut self, max_total_jobs: u32) -> Self {
        self.max_total_jobs = Some(max_total_jobs);
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
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the
    /// setting at fault: no endpoint or region, a bad endpoint, unknown
    /// region, bad project id, no token or a bad one, or an out-of-range
    /// number.
    pub fn build(self) -> Result<Client, Error> {
        let provider = self.provider;
        let auth = self.auth;
        let settings = Settings::new(SettingsInput {
            endpoint: self.endpoint,
            region: self.region,
            project_id: self.project_id,
            auth,
            secret_key_allowed: self.allow_secret_key_in_browser || is_node(),
            timeout_ms: self.timeout_ms,
            max_attempts: self.max_attempts,
            max_response_bytes: self.max_response_bytes,
            max_total_jobs: self.max_total_jobs,
        })?;
        Ok(Client::from_parts(settings, provider, self.fetch))
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
}
