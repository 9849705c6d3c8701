//! Input validation and request building: everything before the first byte is
//! sent, with no I/O.

use core::net::{Ipv4Addr, Ipv6Addr};
use std::borrow::Cow;
use std::fmt;

use crate::error::{redact_all, Error};
use crate::json::write_integer;
use crate::model::ListJobsResponse;
use crate::paging::{MAX_IDS_PER_CALL, MAX_LIMIT};
use crate::response::{decode_list_jobs, decode_list_jobs_json, decode_response_with};
use crate::sign::Credentials;
#[cfg(feature = "sign")]
use crate::sign::{format_sdk_date, sign};

/// The default whole-call deadline, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// The longest deadline accepted, in milliseconds: the largest delay a JS
/// timer can hold (2^31 - 1 ms, about 24.8 days) before it fires at once.
pub const MAX_TIMEOUT_MS: u32 = i32::MAX as u32;

/// The header that carries the IAM token.
pub const AUTH_HEADER: &str = "X-Auth-Token";

/// Why an access key cannot be used by a build without the `sign` feature.
#[cfg(not(feature = "sign"))]
pub(crate) const NOT_SIGNING: &str =
    "invalid credentials: this build of cph-jobs cannot sign requests (the `sign` feature is off)";

/// A validated CPH endpoint: scheme, host, optional port and base path, with
/// no trailing slash, ready to have `/v1/...` appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: String,
}

impl Endpoint {
    /// Checks an endpoint such as `https://cph.cn-north-4.myhuaweicloud.com` or
    /// a same-origin proxy `https://console.example.com/cph-proxy/`.
    ///
    /// Accepted: `https` to any host, `http` only to a loopback host
    /// (`localhost`, `127.0.0.0/8`, `::1`), an optional port and an optional
    /// base path (one trailing slash or more is dropped). Refused: user info,
    /// a query or fragment, dot segments, and characters a URL cannot carry
    /// unescaped, so nothing in the endpoint can change where the request
    /// goes after it is built.
    ///
    /// # Errors
    /// An [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error
    /// that never repeats the endpoint, since it may hold a password.
    pub fn parse(input: &str) -> Result<Self, Error> {
        // Like the WHATWG URL parser, forgive surrounding spaces (pasted URLs).
        let s = input.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n' || c == '\r');
        if s.is_empty() {
            return Err(invalid_endpoint("it is empty"));
        }
        // `get`, not indexing, here and below: the positions are of ASCII
        // bytes and always valid, and a checked slice keeps the panic path
        // (and its formatting code) out of the download.
        let (scheme, rest) = match crate::error::find(s.as_bytes(), b"://") {
            Some(i) => (s.get(..i).unwrap_or(""), s.get(i + 3..).unwrap_or("")),
            None => return Err(invalid_endpoint("it is not an absolute http(s) URL")),
        };
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err(invalid_endpoint("the scheme must be https"));
        };
        if rest.contains('?') || rest.contains('#') {
            return Err(invalid_endpoint("it must not carry a query or fragment"));
        }
        if rest.contains('\\') {
            return Err(invalid_endpoint("it contains a backslash"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at_checked(i).unwrap_or((rest, "")),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(invalid_endpoint(
                "it must not carry a user name or password; send credentials as the token",
            ));
        }
        let (host, port) = split_host_port(authority)?;
        let loopback = check_host(&host)?;
        if !https && !loopback {
            return Err(invalid_endpoint(
                "plain http is allowed only to localhost, 127.0.0.0/8 or ::1; use https",
            ));
        }
        let path = path.trim_end_matches('/');
        check_path(path)?;

        let mut base = String::with_capacity(s.len());
        base.push_str(if https { "https://" } else { "http://" });
        base.push_str(&host);
        if let Some(port) = port {
            base.push(':');
            base.push_str(port);
        }
        base.push_str(path);
        Ok(Endpoint { base })
    }

    /// The normalized base URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.base
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

fn invalid_endpoint(why: &str) -> Error {
    Error::invalid_argument("endpoint", why)
}

/// Splits `host[:port]` or `[v6][:port]`, checking the port.
fn split_host_port(authority: &str) -> Result<(String, Option<&str>), Error> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6
            .find(']')
            .ok_or_else(|| invalid_endpoint("an IPv6 host is missing its closing ']'"))?;
        let after = v6.get(end + 1..).unwrap_or("");
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(invalid_endpoint("unexpected text after the IPv6 host")),
        };
        (authority.get(..end + 2).unwrap_or(authority), port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if let Some(p) = port {
        let valid = !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
        if !valid {
            return Err(invalid_endpoint(
                "the port must be a number from 1 to 65535",
            ));
        }
    }
    Ok((host.to_ascii_lowercase(), port))
}

/// Checks the host's syntax and tells whether it is a loopback host.
fn check_host(host: &str) -> Result<bool, Error> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').unwrap_or(inner);
        let address: Ipv6Addr = inner
            .parse()
            .map_err(|_| invalid_endpoint("the IPv6 host is not a valid address"))?;
        // `::1`, or an IPv4 loopback address mapped into IPv6 (`::ffff:127.x.y.z`).
        let mapped_loopback = address.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback());
        return Ok(address.is_loopback() || mapped_loopback);
    }
    if host.is_empty() {
        return Err(invalid_endpoint("the host is missing"));
    }
    let valid_chars = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if !valid_chars {
        return Err(invalid_endpoint(
            "the host must be an ASCII name (use punycode for international names) or an IP address",
        ));
    }
    // WHATWG parsers read a host whose last label is numeric as an IPv4
    // address, in shorthand too ("127.1", "0x7f.1"). Only the plain dotted
    // quad is accepted, so the loopback check sees what fetch will dial.
    let last_label = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    let numeric_last = !last_label.is_empty()
        && (last_label.bytes().all(|b| b.is_ascii_digit())
            || last_label
                .get(..2)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("0x")));
    if numeric_last {
        // std's parser takes exactly the dotted quad: no shorthand, no
        // leading zeros (which some parsers read as octal).
        let address: Ipv4Addr = host
            .parse()
            .map_err(|_| invalid_endpoint("a numeric host must be a dotted-quad IPv4 address"))?;
        return Ok(address.is_loopback());
    }
    // One trailing dot (a fully-qualified name) is fine; other empty labels are not.
    if host
        .strip_suffix('.')
        .unwrap_or(host)
        .split('.')
        .any(str::is_empty)
    {
        return Err(invalid_endpoint("the host has an empty label"));
    }
    Ok(host == "localhost" || host == "localhost.")
}

/// Checks a base path: only characters a URL path carries unescaped, valid
/// percent escapes, and no dot segments (which fetch would resolve away).
fn check_path(path: &str) -> Result<(), Error> {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return Err(invalid_endpoint("the path has a broken %-escape"));
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b);
        if !allowed {
            return Err(invalid_endpoint(
                "the path has a character that must be %-escaped (space, non-ASCII, quote, ...)",
            ));
        }
        i += 1;
    }
    if has_dot_segment(path) {
        return Err(invalid_endpoint(
            "the path must not contain '.' or '..' segments",
        ));
    }
    Ok(())
}

/// Whether `path` has a `.` or `..` segment, either dot written as `%2e` in
/// any case: fetch resolves those away, so the URL sent would not be the
/// one checked (or signed).
pub(crate) fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|segment| {
        matches!(
            segment.to_ascii_lowercase().as_str(),
            "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e"
        )
    })
}

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

/// A ListJobs request, ready for any HTTP client: `GET` [`url`](Self::url)
/// with the [`headers_at`](Self::headers_at) the current time, no body, and no redirects followed.
///
/// Its `Debug` output hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ListJobsRequest {
    url: String,
    credential: Credential,
}

/// How a request proves who sends it.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// An IAM token, sent as `X-Auth-Token`.
    Token(String),
    /// An access key pair: each send is signed (`SDK-HMAC-SHA256`) at the
    /// time it is sent.
    AccessKey(Credentials),
}

impl Credential {
    /// A checked IAM token.
    ///
    /// # Errors
    /// As [`validate_token`].
    pub fn token(token: &str) -> Result<Self, Error> {
        validate_token(token)?;
        Ok(Credential::Token(token.to_owned()))
    }

    /// The texts no error or message may show.
    fn secrets(&self) -> Vec<&str> {
        match self {
            Credential::Token(token) => vec![token.as_str()],
            Credential::AccessKey(credentials) => credentials.secrets().collect(),
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Token(_) => f.write_str("Token([REDACTED])"),
            Credential::AccessKey(credentials) => credentials.fmt(f),
        }
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

impl ListJobsRequest {
    /// Validates every input and builds the request for one ListJobs call.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad
    /// endpoint, project id, request id or token.
    pub fn new(
        endpoint: &str,
        project_id: &str,
        request_id: &str,
        token: &str,
    ) -> Result<Self, Error> {
        let endpoint = Endpoint::parse(endpoint)?;
        let url = query_url(&endpoint, project_id, &[request_id], Page::default())?;
        let credential = Credential::token(token)?;
        Ok(ListJobsRequest { url, credential })
    }

    /// Builds the request for one page of the jobs of up to 20 request ids:
    /// one id goes in `request_id`, several in `request_ids`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad
    /// project id, request id or page, no ids, or more than 20.
    pub fn for_ids<S: AsRef<str>>(
        endpoint: &Endpoint,
        project_id: &str,
        request_ids: &[S],
        page: Page,
        credential: &Credential,
    ) -> Result<Self, Error> {
        Ok(ListJobsRequest {
            url: query_url(endpoint, project_id, request_ids, page)?,
            credential: credential.clone(),
        })
    }

    /// The HTTP method: always `GET`.
    pub fn method(&self) -> &'static str {
        "GET"
    }

    /// The full request URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The headers to send at `now_unix_ms`: `Accept`, and the token in
    /// `X-Auth-Token`, or for an access key the signature headers
    /// (`X-Sdk-Date`, `X-Security-Token` with temporary credentials, and
    /// `Authorization`). `Host` is signed but not listed: HTTP clients set it
    /// from the URL, and `fetch` refuses to.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the
    /// request cannot be signed, e.g. for a clock before 1970.
    pub fn headers_at(&self, now_unix_ms: u64) -> Result<Vec<(&'static str, String)>, Error> {
        const ACCEPT: (&str, &str) = ("Accept", "application/json");
        match &self.credential {
            Credential::Token(token) => Ok(vec![
                (AUTH_HEADER, token.clone()),
                (ACCEPT.0, ACCEPT.1.to_owned()),
            ]),
            #[cfg(not(feature = "sign"))]
            Credential::AccessKey(_) => {
                let _ = now_unix_ms; // only a signature needs the time
                Err(Error::invalid_input(NOT_SIGNING))
            }
            #[cfg(feature = "sign")]
            Credential::AccessKey(credentials) => {
                let date = format_sdk_date(now_unix_ms)?;
                let added = sign(credentials, self.method(), &self.url, &[ACCEPT], &[], &date)?;
                let mut headers = vec![(ACCEPT.0, ACCEPT.1.to_owned())];
                for (name, value) in added {
                    let name = match name.as_str() {
                        "X-Sdk-Date" => "X-Sdk-Date",
                        "X-Security-Token" => "X-Security-Token",
                        "Authorization" => "Authorization",
                        // Host (set by the client from the URL) and nothing else.
                        _ => continue,
                    };
                    headers.push((name, value));
                }
                Ok(headers)
            }
        }
    }

    /// Maps the answer to this request to its result, like
    /// [`decode_response`](crate::decode_response), after scrubbing this
    /// request's token from the text the server sent back for an error (the
    /// body and `X-Request-Id`), so that no error can carry it.
    ///
    /// # Errors
    /// As [`decode_response`](crate::decode_response).
    pub fn decode_response(
        &self,
        status: u16,
        request_id_header: Option<&str>,
        body: &[u8],
    ) -> Result<ListJobsResponse, Error> {
        // Every string read from the body, and the header, is scrubbed as it
        // is read: that also catches a secret spelled with JSON escapes.
        decode_response_with(
            status,
            request_id_header,
            body,
            &self.credential.secrets(),
            decode_list_jobs,
        )
    }

    /// [`decode_response`](Self::decode_response), with a 2xx body decoded
    /// straight to its camelCase JSON text
    /// ([`decode_list_jobs_json`](crate::decode_list_jobs_json)), each job
    /// without a `request_id` given `attribute`.
    ///
    /// # Errors
    /// As [`decode_response`](crate::decode_response).
    pub fn decode_response_json(
        &self,
        status: u16,
        request_id_header: Option<&str>,
        body: &[u8],
        attribute: Option<&str>,
    ) -> Result<String, Error> {
        decode_response_with(
            status,
            request_id_header,
            body,
            &self.credential.secrets(),
            |body| decode_list_jobs_json(body, attribute),
        )
    }

    /// Scrubs this request's token from text from outside the crate, such as
    /// a platform's network error message.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        redact_all(text, &self.credential.secrets())
    }
}

/// Checks the project, the ids and the page, and writes the URL that asks
/// for them: one id in `request_id`, several in `request_ids`.
fn query_url<S: AsRef<str>>(
    endpoint: &Endpoint,
    project_id: &str,
    request_ids: &[S],
    page: Page,
) -> Result<String, Error> {
    validate_id("projectId", project_id)?;
    let (param, what) = match request_ids {
        [] => {
            return Err(Error::invalid_argument(
                "requestIds",
                "it must hold at least one request id",
            ))
        }
        [_] => ("request_id", "requestId"),
        ids if ids.len() > MAX_IDS_PER_CALL => {
            return Err(Error::invalid_argument(
                "requestIds",
                "one call takes at most 20 ids; listAllJobs and waitForJobs take any number",
            ))
        }
        _ => ("request_ids", "requestIds"),
    };
    for id in request_ids {
        validate_id(what, id.as_ref())?;
    }
    if let Some(limit) = page.limit {
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::invalid_argument(
                "limit",
                "it must be an integer from 1 to 100",
            ));
        }
    }
    let ids_len: usize = request_ids.iter().map(|id| id.as_ref().len() + 1).sum();
    let mut url = String::with_capacity(endpoint.as_str().len() + 80 + project_id.len() + ids_len);
    url.push_str(endpoint.as_str());
    url.push_str("/v1/");
    url.push_str(project_id);
    url.push_str("/cloud-phone/jobs?");
    url.push_str(param);
    url.push('=');
    for (i, id) in request_ids.iter().enumerate() {
        if i > 0 {
            url.push(',');
        }
        url.push_str(id.as_ref());
    }
    for (name, value) in [("&offset=", page.offset), ("&limit=", page.limit)] {
        if let Some(value) = value {
            url.push_str(name);
            write_integer(&mut url, i64::from(value));
        }
    }
    Ok(url)
}

impl fmt::Debug for ListJobsRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListJobsRequest")
            .field("method", &self.method())
            .field("url", &self.url)
            .field("credential", &self.credential)
            .finish()
    }
}
