//! How calls authenticate, under two names: [`Credentials`], an access key
//! pair, and [`Auth`], the one choice of token, key pair or token provider
//! that settings, requests and the wasm client all take.

use std::borrow::Cow;
use std::fmt;

use crate::error::{redact, Error, REDACTED};
use crate::input::{validate_secret_header, validate_token};

/// How a call proves who sends it.
///
/// Its `Debug` output hides the token and the secret key.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// An IAM token, sent as `X-Auth-Token`.
    Token(String),
    /// An access key pair: each send is signed (`SDK-HMAC-SHA256`) at the
    /// time it is sent.
    AccessKey(Credentials),
    /// A token provider that the driver asks
    /// ([`Action::Token`](crate::operation::Action::Token)) before each
    /// request, and once more after a 401 `APIG.0301`. A client's setting
    /// only: a single request takes the token it gave, as [`Auth::Token`].
    Provider,
}

impl Auth {
    /// A checked IAM token.
    ///
    /// # Errors
    /// As [`validate_token`].
    pub fn token(token: &str) -> Result<Self, Error> {
        validate_token(token)?;
        Ok(Auth::Token(token.to_owned()))
    }

    /// The texts no error or message may show.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match self {
            Auth::Token(token) => vec![token.as_str()],
            Auth::AccessKey(credentials) => credentials.secrets().collect(),
            Auth::Provider => Vec::new(),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Token(_) => f.write_str("Token([REDACTED])"),
            Auth::AccessKey(credentials) => credentials.fmt(f),
            Auth::Provider => f.write_str("Provider"),
        }
    }
}

/// An access key pair, with the security token of temporary credentials.
///
/// Its `Debug` output shows the access key (an identifier, printed by the
/// SDKs too) and hides the secret key and the security token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub(crate) access_key: String,
    pub(crate) secret_key: String,
    pub(crate) security_token: Option<String>,
}

impl Credentials {
    /// Checks and holds a key pair, and the security token that comes with
    /// temporary (STS) credentials.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an
    /// empty access key or one that cannot sit in the `Authorization` header
    /// (not printable ASCII, or with a space or a comma), an empty secret key,
    /// or a security token that an HTTP header cannot carry unchanged. The
    /// message never quotes the secret key or the token.
    pub fn new(
        access_key: &str,
        secret_key: &str,
        security_token: Option<&str>,
    ) -> Result<Self, Error> {
        if access_key.is_empty() {
            return Err(Error::invalid_argument("accessKey", "it is empty"));
        }
        if !access_key
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b',')
        {
            return Err(Error::invalid_argument(
                "accessKey",
                "only printable ASCII without spaces or commas is allowed",
            ));
        }
        if secret_key.is_empty() {
            return Err(Error::invalid_argument("secretKey", "it is empty"));
        }
        if let Some(token) = security_token {
            validate_secret_header("securityToken", token)?;
        }
        Ok(Credentials {
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
            security_token: security_token.map(str::to_owned),
        })
    }

    /// The access key id, which is sent in the clear in `Authorization`.
    #[must_use]
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// The security token of temporary credentials, sent as
    /// [`X-Security-Token`](crate::sign::SECURITY_TOKEN_HEADER).
    #[must_use]
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// The secrets a request signed with these credentials must never show:
    /// the secret key, and the security token when there is one.
    pub(crate) fn secrets(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.secret_key.as_str()).chain(self.security_token.as_deref())
    }

    /// `text` with the secret key and the security token replaced by
    /// `[REDACTED]`: for text from outside the crate that may echo them.
    #[must_use]
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let text = redact(text, &self.secret_key);
        match &self.security_token {
            Some(token) if text.contains(token.as_str()) => {
                Cow::Owned(text.replace(token, REDACTED))
            }
            _ => text,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &REDACTED)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| REDACTED),
            )
            .finish()
    }
}
