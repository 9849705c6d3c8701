//! The canonical forms the signature covers: the canonical request and its
//! parts (URI, query, headers), each as the SDKs write it.

use std::borrow::Cow;

use super::{
    sha256_hex, NameValue, RequestToSign, RequestUrl, CONTENT_SHA256_HEADER, EMPTY_BODY_SHA256,
};
use crate::error::Error;

/// The canonical request of a request whose headers are all in `request.headers`
/// (the added `X-Sdk-Date` and `Host` included): the text whose SHA-256 the
/// signature covers. See the [module docs](super) for its layout.
///
/// The payload hash is [`EMPTY_BODY_SHA256`] for an empty body, else the
/// (trimmed, non-empty) value of an `X-Sdk-Content-Sha256` header, else the
/// body's hex SHA-256.
///
/// # Errors
/// As [`sign`](super::sign), for the method, the URL, the query and the headers.
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

/// Percent-encodes `text` as the SDKs do (Python's `quote(text, safe='~')`):
/// every UTF-8 byte except `A-Z a-z 0-9 - . _ ~` becomes `%XX`, upper-case.
#[must_use]
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
#[must_use]
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

/// Inserts `item` after every element `before_or_equal` puts before it: a
/// stable binary insertion sort. A request has a handful of query parameters
/// and headers, and this is a fraction of the size of the standard library's
/// sorts in the wasm download.
fn insert_sorted<T>(sorted: &mut Vec<T>, item: T, before_or_equal: impl Fn(&T, &T) -> bool) {
    let at = sorted.partition_point(|x| before_or_equal(x, &item));
    sorted.insert(at, item);
}
