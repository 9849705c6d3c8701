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

use std::borrow::Cow;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub use crate::auth::Credentials;
use crate::error::Error;
pub use crate::header::{Header, NameValue};
use crate::url::{has_dot_segment, Url};

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

/// The canonical request of a request whose headers are all in `request.headers`
/// (the added `X-Sdk-Date` and `Host` included): the text whose SHA-256 the
/// signature covers. See the [module docs](self) for its layout.
///
/// The payload hash is [`EMPTY_BODY_SHA256`] for an empty body, else the
/// (trimmed, non-empty) value of an `X-Sdk-Content-Sha256` header, else the
/// body's hex SHA-256.
///
/// # Errors
/// As [`sign`], for the method, the URL, the query and the headers.
pub fn canonical_request<H: NameValue>(request: &RequestToSign<'_, H>) -> Result<String, Error> {
    let RequestToSign {
        method,
        url,
        headers,
        body,
    } = *request;
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(Error::invalid_argument(
            "method",
            "it is not an HTTP method name",
        ));
    }
    let target = RequestUrl::parse(url)?;
    let query = canonical_query(&decode_query(target.query)?);
    let CanonicalHeaders {
        canonical,
        signed_headers,
    } = canonical_headers(headers)?;
    let payload_hash = if body.is_empty() {
        Cow::Borrowed(EMPTY_BODY_SHA256)
    } else {
        let declared = headers
            .iter()
            .find(|header| header.name().eq_ignore_ascii_case(CONTENT_SHA256_HEADER))
            .map(|header| trim_like_python(header.value()))
            .filter(|v| !v.is_empty());
        match declared {
            Some(v) if !v.is_ascii() => {
                return Err(Error::invalid_argument(
                    "headers",
                    "X-Sdk-Content-Sha256 must be ASCII",
                ))
            }
            Some(v) => Cow::Borrowed(v),
            None => Cow::Owned(sha256_hex(body)),
        }
    };

    let uri = canonical_uri(target.path);
    let mut out = String::with_capacity(
        method.len() + uri.len() + query.len() + canonical.len() + signed_headers.len() + 70,
    );
    out.push_str(&method.to_ascii_uppercase());
    out.push('\n');
    out.push_str(&uri);
    out.push('\n');
    out.push_str(&query);
    out.push('\n');
    out.push_str(&canonical);
    out.push('\n');
    out.push_str(&signed_headers);
    out.push('\n');
    out.push_str(&payload_hash);
    Ok(out)
}

/// The string whose HMAC is the signature:
/// `SDK-HMAC-SHA256\n{sdk_date}\n{hex SHA-256 of the canonical request}`.
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

/// Percent-encodes `text` as the SDKs do (Python's `quote(text, safe='~')`):
/// every UTF-8 byte except `A-Z a-z 0-9 - . _ ~` becomes `%XX`, upper-case.
pub fn uri_encode(text: &str) -> String {
    encode(text, false)
}

fn encode(text: &str, keep_slash: bool) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
    }
    out
}

/// The canonical URI of a URL path (the part before `?`): the path is
/// `%`-decoded, then each `/`-separated segment is encoded with
/// [`uri_encode`], and a `/` is appended unless it already ends in one.
///
/// Decoding follows the SDKs' (Python's `unquote`) exactly: a `%` not
/// followed by two hex digits stays as it is (and so becomes `%25`), `%2F`
/// turns into a segment separator, and escaped bytes that are not UTF-8
/// become U+FFFD. An empty path is `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = encode(&unquote(path), true);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Python's `urllib.parse.unquote`: each run of ASCII is decoded to bytes and
/// read as UTF-8 with replacement characters; other characters pass as they
/// are.
fn unquote(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !b.is_ascii() {
            out.push_str(&String::from_utf8_lossy(&run));
            run.clear();
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii() {
                i += 1;
            }
            out.push_str(&text[start..i]);
            continue;
        }
        match (b, bytes.get(i + 1..i + 3).and_then(hex_pair)) {
            (b'%', Some(decoded)) => {
                run.push(decoded);
                i += 3;
            }
            _ => {
                run.push(b);
                i += 1;
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(&run));
    Cow::Owned(out)
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    let digit = |c: u8| char::from(c).to_digit(16);
    Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)
}

/// A query parameter, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The name, `%`-decoded.
    pub name: String,
    /// The value, `%`-decoded; empty when the parameter has no `=`.
    pub value: String,
}

impl NameValue for Param {
    fn name(&self) -> &str {
        &self.name
    }
    fn value(&self) -> &str {
        &self.value
    }
}

/// Decodes a raw query string (the part after `?`, without the `?`) into
/// [`Param`]s, in order: `&` separates pairs (empty pieces are
/// skipped), the first `=` separates name and value (no `=` means an empty
/// value), and `%XX` escapes are decoded. `+` stays `+`: the SDKs send a
/// space as `%20`.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a `%` not
/// followed by two hex digits, or escapes that do not decode to UTF-8:
/// the server's reading of those cannot be known, so no signature for them
/// can be trusted.
pub fn decode_query(query: &str) -> Result<Vec<Param>, Error> {
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            Ok(Param {
                name: percent_decode(name)?,
                value: percent_decode(value)?,
            })
        })
        .collect()
}

fn percent_decode(text: &str) -> Result<String, Error> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let decoded = bytes
                .get(i + 1..i + 3)
                .and_then(hex_pair)
                .ok_or_else(|| Error::invalid_argument("url", "the query has a broken %-escape"))?;
            out.push(decoded);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| Error::invalid_argument("url", "the query's %-escapes are not UTF-8"))
}

/// The canonical query string of decoded parameters ([`Param`]s, or any
/// [`NameValue`]): sorted by
/// name, then by value (in code point order, on the decoded text, as the
/// SDKs sort), each written `uri_encode(name)=uri_encode(value)`, joined by
/// `&`. A repeated name keeps every value; an empty value gives `name=`.
pub fn canonical_query<P: NameValue>(params: &[P]) -> String {
    let mut sorted: Vec<(&str, &str)> = Vec::with_capacity(params.len());
    for param in params {
        insert_sorted(&mut sorted, (param.name(), param.value()), |a, b| a <= b);
    }
    let mut out = String::new();
    for (i, (name, value)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&uri_encode(name));
        out.push('=');
        out.push_str(&uri_encode(value));
    }
    out
}

/// The header part of a canonical request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalHeaders {
    /// One `name:value\n` line per signed header, sorted by name: the name in
    /// lower case, the value trimmed.
    pub canonical: String,
    /// The signed header names, lower case, sorted, joined by `;`.
    pub signed_headers: String,
}

/// The canonical headers and the signed header list of a request whose
/// headers are all in `headers`. Every header is signed except those whose
/// name contains `_`; values are trimmed of white space as Python's
/// `str.strip()` does (Unicode white space and `\x1c`-`\x1f`).
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a name
/// that is not an HTTP token or that appears twice in any case (the SDKs
/// would sign it twice with one value, which no server reproduces), or a
/// value with a control character other than tab.
pub fn canonical_headers<H: NameValue>(headers: &[H]) -> Result<CanonicalHeaders, Error> {
    let mut lines: Vec<(String, &str)> = Vec::with_capacity(headers.len());
    for header in headers {
        let (name, value) = (header.name(), header.value());
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(Error::invalid_argument(
                "headers",
                "a header name is not an HTTP token",
            ));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            let mut why = String::from("the value of ");
            why.push_str(name);
            why.push_str(" has a control character");
            return Err(Error::invalid_argument("headers", &why));
        }
        let lower = name.to_ascii_lowercase();
        if lines.iter().any(|(seen, _)| *seen == lower) {
            let mut why = String::from("two headers are named ");
            why.push_str(&lower);
            return Err(Error::invalid_argument("headers", &why));
        }
        if !lower.contains('_') {
            lines.push((lower, trim_like_python(value)));
        }
    }
    let mut sorted = Vec::with_capacity(lines.len());
    for line in lines {
        insert_sorted(&mut sorted, line, |a, b| a.0 <= b.0);
    }
    let lines = sorted;
    let mut canonical = String::new();
    let mut signed_headers = String::new();
    for (i, (name, value)) in lines.iter().enumerate() {
        canonical.push_str(name);
        canonical.push(':');
        canonical.push_str(value);
        canonical.push('\n');
        if i > 0 {
            signed_headers.push(';');
        }
        signed_headers.push_str(name);
    }
    Ok(CanonicalHeaders {
        canonical,
        signed_headers,
    })
}

/// Python's `str.strip()`: Rust's white space plus the separators
/// `\x1c`-`\x1f`, which Python also counts.
fn trim_like_python(value: &str) -> &str {
    value.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
}

/// RFC 9110 `tchar`: what a method or a header name is made of.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
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

/// Formats a UNIX time in milliseconds as an `X-Sdk-Date`:
/// `YYYYMMDDTHHMMSSZ` in UTC, the milliseconds dropped.
///
/// ```
/// assert_eq!(cph_jobs::sign::format_sdk_date(0)?, "19700101T000000Z");
/// assert_eq!(cph_jobs::sign::format_sdk_date(1_795_861_234_567)?, "20261128T102034Z");
/// # Ok::<(), cph_jobs::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a time
/// after the year 9999, which four digits cannot write.
pub fn format_sdk_date(unix_ms: u64) -> Result<String, Error> {
    const LAST_MS: u64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    if unix_ms > LAST_MS {
        return Err(Error::invalid_argument("time", "it is after the year 9999"));
    }
    let secs = unix_ms / 1000;
    let (year, month, day) = civil_from_days(secs / 86_400);
    let of_day = secs % 86_400;
    let mut out = String::with_capacity(16);
    for (value, width) in [(year, 4), (month, 2), (day, 2)] {
        push_padded(&mut out, value, width);
    }
    out.push('T');
    for value in [of_day / 3600, of_day / 60 % 60, of_day % 60] {
        push_padded(&mut out, value, 2);
    }
    out.push('Z');
    Ok(out)
}

fn push_padded(out: &mut String, value: u64, width: usize) {
    let digits = value.to_string();
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

/// Reads an `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`, UTC) back into UNIX seconds.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) unless it is
/// exactly that form, with a real date and time, from 1970 on.
pub fn parse_sdk_date(sdk_date: &str) -> Result<u64, Error> {
    let bad = || {
        Error::invalid_argument(
            "sdkDate",
            "it must be a UTC time written YYYYMMDDTHHMMSSZ, from 1970 on",
        )
    };
    let b = sdk_date.as_bytes();
    let shape_ok = b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit);
    if !shape_ok {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
    };
    let (year, month, day) = (number(0..4), number(4..6), number(6..8));
    let (hour, minute, second) = (number(9..11), number(11..13), number(13..15));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year < 1970 || day == 0 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second)
}

// Howard Hinnant's civil-calendar algorithms, for days since 1970-01-01
// (never negative here), with March-based years so leap days come last.

fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = year - u64::from(month <= 2);
    let era = year / 400;
    let yoe = year - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inserts `item` after every element `before_or_equal` puts before it: a
/// stable binary insertion sort. A request has a handful of query parameters
/// and headers, and this is a fraction of the size of the standard library's
/// sorts in the wasm download.
fn insert_sorted<T>(sorted: &mut Vec<T>, item: T, before_or_equal: impl Fn(&T, &T) -> bool) {
    let at = sorted.partition_point(|x| before_or_equal(x, &item));
    sorted.insert(at, item);
}
