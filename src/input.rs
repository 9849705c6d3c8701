//! The checks of what a caller passes in (ids, token, durations, pages),
//! with the limits they hold to. A leaf: every module that builds a request
//! reads it, and it reads none of them.

use crate::error::Error;

/// The default whole-call deadline, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// The longest deadline accepted, in milliseconds: the largest delay a JS
/// timer can hold (2^31 - 1 ms, about 24.8 days) before it fires at once.
pub const MAX_TIMEOUT_MS: u32 = i32::MAX as u32;

/// The most request ids one call may carry in `request_ids`.
pub const MAX_IDS_PER_CALL: usize = 20;

/// The largest page the API serves, and its default page size.
pub const MAX_LIMIT: u32 = 100;

/// Checks a project id or request id: 1 to 64 of `A-Z a-z 0-9 _ -`.
///
/// The grammar is what the service issues, and it also guarantees that an id
/// pasted into the URL cannot add a path segment or a query parameter.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput), naming `what`.
pub fn validate_id(what: &str, value: &str) -> Result<(), Error> {
    let why = if value.is_empty() {
        Some("it is empty")
    } else if value.len() > 64 {
        Some("it is longer than 64 characters")
    } else if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Some("only A-Z, a-z, 0-9, '_' and '-' are allowed")
    } else {
        None
    };
    why.map_or(Ok(()), |why| Err(Error::invalid_argument(what, why)))
}

/// Checks that a token can travel in an HTTP header unchanged: non-empty,
/// printable ASCII, no leading or trailing space (fetch would trim it).
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput); the message
/// never quotes the token.
pub fn validate_token(token: &str) -> Result<(), Error> {
    validate_secret_header("token", token)
}

/// The rules of [`validate_token`] for any secret sent in a header (the IAM
/// token, the security token of temporary credentials), named `what`.
pub(crate) fn validate_secret_header(what: &str, value: &str) -> Result<(), Error> {
    let why = if value.is_empty() {
        Some("it is empty")
    } else if !value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Some("it contains a character an HTTP header cannot carry (control character, CR/LF or non-ASCII)")
    } else if value.starts_with(' ') || value.ends_with(' ') {
        Some("it has leading or trailing spaces")
    } else {
        None
    };
    why.map_or(Ok(()), |why| Err(Error::invalid_argument(what, why)))
}

/// Checks a deadline given in milliseconds (a JS number).
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) unless it is a
/// finite number from 1 to [`MAX_TIMEOUT_MS`]; fractions are rounded up.
pub fn validate_timeout_ms(value: f64) -> Result<u32, Error> {
    validate_duration_ms("timeoutMs", value)
}

/// Checks any duration in milliseconds (a JS number) named `what`, as
/// [`validate_timeout_ms`] does.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) unless it is a
/// finite number from 1 to [`MAX_TIMEOUT_MS`].
pub fn validate_duration_ms(what: &str, value: f64) -> Result<u32, Error> {
    if value.is_finite() && value > 0.0 && value <= f64::from(MAX_TIMEOUT_MS) {
        Ok(value.ceil() as u32)
    } else {
        Err(Error::invalid_argument(
            what,
            "it must be a number of milliseconds from 1 to 2147483647",
        ))
    }
}

/// Checks an `offset` (an integer from 0).
///
/// # Errors
///
/// [`crate::ErrorKind::InvalidInput`] for a negative, fractional or too large
/// number.
pub fn validate_offset(value: f64) -> Result<u32, Error> {
    if value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value) {
        Ok(value as u32)
    } else {
        Err(Error::invalid_argument(
            "offset",
            "it must be an integer from 0",
        ))
    }
}

/// Checks a `limit` (an integer from 1 to 100).
///
/// # Errors
///
/// [`crate::ErrorKind::InvalidInput`] for anything else.
pub fn validate_limit(value: f64) -> Result<u32, Error> {
    if value.fract() == 0.0 && (1.0..=f64::from(MAX_LIMIT)).contains(&value) {
        Ok(value as u32)
    } else {
        Err(Error::invalid_argument(
            "limit",
            "it must be an integer from 1 to 100",
        ))
    }
}

/// Which page of a ListJobs answer to ask for. `None` leaves the parameter
/// out, so the service applies its own default (offset 0, limit 100) and
/// older API versions, which know neither, are not confused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    /// Jobs to skip (`offset`, from 0).
    pub offset: Option<u32>,
    /// Jobs per page (`limit`, 1 to 100).
    pub limit: Option<u32>,
}
