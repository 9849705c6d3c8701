//! AK/SK request signing: `SDK-HMAC-SHA256`, byte for byte as the official
//! Huawei Cloud SDKs sign a request (their Python core's `signer.py` is the
//! reference; `make test` checks this module against it).
//!
//! The signature is `hex(HMAC-SHA256(secret_key, string_to_sign))` over
//!
//! ```text
//! string_to_sign    = "SDK-HMAC-SHA256" \n sdk_date \n hex(SHA-256(canonical_request))
//! canonical_request = METHOD \n canonical URI \n canonical query \n
//!                     canonical headers (each line ends in \n) \n signed headers \n
//!                     hex(SHA-256(body))
//! ```
//!
//! and travels as `Authorization: SDK-HMAC-SHA256 Access=AK,
//! SignedHeaders=a;b;c, Signature=HEX`, next to `X-Sdk-Date` and `Host`. The
//! pieces are public so that tests can check each one.
//!
//! ```
//! use cph_jobs::sign::{sign, Credentials, Header, RequestToSign};
//!
//! let credentials = Credentials::new("MYACCESSKEY", "my-secret-key", None)?;
//! let headers = [Header::new("Accept", "application/json")];
//! let request = RequestToSign::new(
//!     "GET",
//!     "https://cph.cn-north-4.myhuaweicloud.com/v1/proj/cloud-phone/jobs?request_id=r1",
//!     &headers,
//!     b"",
//! );
//! let headers = sign(&credentials, &request, "20261128T101500Z")?;
//! let names: Vec<&str> = headers.iter().map(|header| header.name).collect();
//! assert_eq!(names, ["X-Sdk-Date", "Host", "Authorization"]);
//! assert!(headers[2].value.starts_with(
//!     "SDK-HMAC-SHA256 Access=MYACCESSKEY, SignedHeaders=accept;host;x-sdk-date, Signature="
//! ));
//! # Ok::<(), cph_jobs::Error>(())
//! ```

mod canonical;
mod date;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub use crate::auth::Credentials;
use crate::error::Error;
pub use crate::header::{Header, NameValue};
use crate::url::{has_dot_segment, Url};
pub use canonical::{
    canonical_headers, canonical_query, canonical_request, canonical_uri, decode_query, uri_encode,
    CanonicalHeaders, Param,
};
pub use date::{format_sdk_date, parse_sdk_date};

/// The algorithm name that starts the `Authorization` header and the string
/// to sign.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// The header that carries the signing time, `YYYYMMDDTHHMMSSZ` in UTC.
pub const SDK_DATE_HEADER: &str = "X-Sdk-Date";

/// The header that carries the security token of temporary credentials.
pub const SECURITY_TOKEN_HEADER: &str = "X-Security-Token";

/// The header that, when set on a request with a body, replaces the body's
/// hash in the canonical request (the SDKs set it to [`UNSIGNED_PAYLOAD`]).
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";

/// The value of [`CONTENT_SHA256_HEADER`] for a body that is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The hex SHA-256 of no bytes: the payload hash of a request without a body.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A request to sign, as it will be sent.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct RequestToSign<'a, H> {
    /// The HTTP method.
    pub method: &'a str,
    /// The absolute `http(s)` URL the request is sent to, unchanged.
    pub url: &'a str,
    /// The request's headers: [`Header`]s, or anything else with a
    /// [`NameValue`], such as `(name, value)` pairs.
    pub headers: &'a [H],
    /// The body, empty for none.
    pub body: &'a [u8],
}

impl<'a, H: NameValue> RequestToSign<'a, H> {
    /// The request `method url` with `headers` and `body`.
    pub fn new(method: &'a str, url: &'a str, headers: &'a [H], body: &'a [u8]) -> Self {
        RequestToSign {
            method,
            url,
            headers,
            body,
        }
    }
}

/// Signs a request and returns the headers to add to it, in this order:
/// [`X-Sdk-Date`](SDK_DATE_HEADER) (`sdk_date`), `Host` (unless `headers`
/// has one), [`X-Security-Token`](SECURITY_TOKEN_HEADER) (with temporary
/// credentials), [`X-Sdk-Content-Sha256`](CONTENT_SHA256_HEADER)`:
/// UNSIGNED-PAYLOAD` (when the SDKs add it, see below) and `Authorization`.
///
/// * `request.url` is the absolute `http(s)` URL the request is sent to, unchanged;
///   its fragment is ignored. The `Host` value is its host and port as
///   `fetch` sends them: lower case, without the scheme's default port.
/// * `request.headers` are the request's other headers, all of which are signed
///   except those whose name contains `_` (as the SDKs do). Their values
///   must be sent as given; the signature covers them trimmed. A non-ASCII
///   value is signed as UTF-8, which is how the SDKs send it; `fetch` sends
///   Latin-1 bytes or refuses, so keep signed values ASCII there.
/// * `sdk_date` is the signing time in `YYYYMMDDTHHMMSSZ` form (see
///   [`format_sdk_date`]); the service refuses one that is more than
///   15 minutes off its clock.
///
/// Like the SDKs, a body sent with a non-empty `Content-Type` that starts
/// with neither `application/json` nor `application/bson` is not signed: the
/// request then carries `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (unless
/// `headers` already set that header, whose value then stands in for the
/// body's hash).
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a method
/// that is not an HTTP token, a URL that is not absolute `http(s)` or whose
/// path has `.` or `..` segments or a backslash (which `fetch` would rewrite,
/// breaking the signature), a query with a broken `%`-escape or one that is
/// not UTF-8, a header name that is not an HTTP token or appears twice in
/// any case, a header value with a control character, a header the signer
/// sets itself (`X-Sdk-Date`, `Authorization`, and `X-Security-Token` with
/// temporary credentials), or a malformed `sdk_date`. No message quotes a
/// header value or a secret.
pub fn sign<H: NameValue>(
    credentials: &Credentials,
    request: &RequestToSign<'_, H>,
    sdk_date: &str,
) -> Result<Vec<Header>, Error> {
    let headers = request.headers;
    parse_sdk_date(sdk_date)?;
    let target = RequestUrl::parse(request.url)?;
    check_path(target.path)?;
    let has = |name: &str| {
        headers
            .iter()
            .any(|header| header.name().eq_ignore_ascii_case(name))
    };
    for reserved in [SDK_DATE_HEADER, "Authorization"] {
        if has(reserved) {
            return Err(set_by_signer(reserved));
        }
    }
    if credentials.security_token.is_some() && has(SECURITY_TOKEN_HEADER) {
        return Err(set_by_signer(SECURITY_TOKEN_HEADER));
    }

    let mut added: Vec<Header> = Vec::with_capacity(5);
    added.push(Header::new(SDK_DATE_HEADER, sdk_date.to_owned()));
    if !has("Host") {
        added.push(Header::new("Host", target.host));
    }
    if let Some(token) = &credentials.security_token {
        added.push(Header::new(SECURITY_TOKEN_HEADER, token.clone()));
    }
    let content_type = headers
        .iter()
        .find(|header| header.name().eq_ignore_ascii_case("Content-Type"))
        .map(NameValue::value);
    if content_type.is_some_and(|t| {
        !t.is_empty() && !t.starts_with("application/json") && !t.starts_with("application/bson")
    }) && !has(CONTENT_SHA256_HEADER)
    {
        added.push(Header::new(
            CONTENT_SHA256_HEADER,
            UNSIGNED_PAYLOAD.to_owned(),
        ));
    }

    let all: Vec<Header<&str, &str>> = headers
        .iter()
        .map(|h| Header::new(h.name(), h.value()))
        .chain(added.iter().map(|h| Header::new(h.name, h.value.as_str())))
        .collect();
    let canonical = canonical_request(&RequestToSign::new(
        request.method,
        request.url,
        &all,
        request.body,
    ))?;
    let signature = signature(credentials, &string_to_sign(sdk_date, &canonical))?;
    let signed = canonical_headers(&all)?.signed_headers;

    let mut authorization = String::with_capacity(96 + signed.len());
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Access=");
    authorization.push_str(&credentials.access_key);
    authorization.push_str(", SignedHeaders=");
    authorization.push_str(&signed);
    authorization.push_str(", Signature=");
    authorization.push_str(&signature);
    added.push(Header::new("Authorization", authorization));
    Ok(added)
}

fn set_by_signer(name: &str) -> Error {
    let mut why = String::from("the signer sets ");
    why.push_str(name);
    why.push_str(" itself");
    Error::invalid_argument("headers", &why)
}

/// The string whose HMAC is the signature:
/// `SDK-HMAC-SHA256\n{sdk_date}\n{hex SHA-256 of the canonical request}`.
#[must_use]
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + sdk_date.len() + 66);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(sdk_date);
    out.push('\n');
    out.push_str(&sha256_hex(canonical_request.as_bytes()));
    out
}

/// The lower-case hex SHA-256 of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The signature: the lower-case hex HMAC-SHA256 of `string_to_sign`, keyed
/// with the UTF-8 bytes of the secret key.
///
/// # Errors
/// None in practice: HMAC takes a key of any length. The error exists
/// because the crate maps rather than unwraps, so it never panics.
pub fn signature(credentials: &Credentials, string_to_sign: &str) -> Result<String, Error> {
    let mut mac = Hmac::<Sha256>::new_from_slice(credentials.secret_key.as_bytes())
        .map_err(|_| Error::invalid_argument("secretKey", "it cannot be used as an HMAC key"))?;
    mac.update(string_to_sign.as_bytes());
    Ok(hex(&mac.finalize().into_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// The parts of a request URL that the signature covers.
struct RequestUrl<'u> {
    /// `host[:port]` as `fetch` sends it in `Host`.
    host: String,
    path: &'u str,
    query: &'u str,
}

impl<'u> RequestUrl<'u> {
    /// Reads `url` with the crate's one URL parser, the endpoint check's.
    fn parse(url: &'u str) -> Result<Self, Error> {
        let bad = |why| Error::invalid_argument("url", why);
        let parts = Url::parse(url).map_err(|error| bad(error.reason()))?;
        let default_port = if parts.https { 443 } else { 80 };
        let mut host = parts.host.to_ascii_lowercase();
        // An empty port (`host:`) is the default one, as for `fetch`.
        if let Some(port) = parts.port.filter(|port| !port.is_empty()) {
            let number = port
                .parse::<u16>()
                .ok()
                .filter(|_| port.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| bad("the port must be a number from 0 to 65535"))?;
            if number != default_port {
                host.push(':');
                host.push_str(&number.to_string());
            }
        }
        Ok(RequestUrl {
            host,
            path: if parts.path.is_empty() {
                "/"
            } else {
                parts.path
            },
            query: parts.query.unwrap_or(""),
        })
    }
}

/// Refuses what `fetch` would rewrite before sending, so that the path the
/// server sees is the one that was signed. (A backslash, which it reads as
/// `/`, is refused by the URL parser.)
fn check_path(path: &str) -> Result<(), Error> {
    if has_dot_segment(path) {
        return Err(Error::invalid_argument(
            "url",
            "the path must not contain '.' or '..' segments",
        ));
    }
    Ok(())
}
