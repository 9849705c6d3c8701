//! How much of a response body to read: the caps on a body's size, and the
//! decisions a transport makes from its status and headers before reading
//! it, so a broken or hostile server cannot make a call hold unbounded
//! memory.

use crate::error::{Error, ErrorKind};
use crate::json::write_integer;

/// Error bodies larger than this are not parsed for a service code: real ones
/// are a few hundred bytes, and a proxy's HTML page has none to find.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// The largest 2xx body read, in bytes. A page holds at most 100 jobs of
/// about 350 bytes each, so 8 MiB leaves room for far larger pages while a
/// broken or hostile server cannot make a call take unbounded memory.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// How a transport should treat a body of `len` bytes (from `Content-Length`
/// before reading, 0 when unknown, then again as read): `Ok(true)` read and
/// decode it, `Ok(false)` do not read it and decode the response with an
/// empty body (a redirect, which is refused on its status, or an error body
/// too large to hold a service code).
///
/// # Errors
/// [`ErrorKind::Decode`] for a 2xx body over `max_bytes` (the caller's
/// `maxResponseBytes`, by default [`MAX_RESPONSE_BYTES`]).
pub fn admit_body(status: u16, len: u64, max_bytes: u64) -> Result<bool, Error> {
    let success = (200..300).contains(&status);
    if success && len > max_bytes {
        return Err(body_too_large(status, max_bytes));
    }
    let redirect = (300..400).contains(&status);
    Ok(success || (!redirect && len <= MAX_ERROR_BODY_BYTES as u64))
}

/// Whether a body can be read in one piece rather than streamed against its
/// cap: its `Content-Length` (`declared`) is within `cap` and counts the
/// bytes the client gets, i.e. there is no content coding (else it counts
/// the compressed bytes), and the client can see every header (a
/// cross-origin answer hides `Content-Encoding` unless the server exposes
/// it). An HTTP client refuses a body longer than its `Content-Length`.
#[must_use]
pub fn length_bounds_body(
    declared: Option<u64>,
    cap: u64,
    content_encoding: Option<&str>,
    headers_filtered: bool,
) -> bool {
    let identity = content_encoding.map_or(true, |coding| {
        coding.trim().eq_ignore_ascii_case("identity")
    });
    declared.is_some_and(|len| len > 0 && len <= cap) && identity && !headers_filtered
}

/// The error for a 2xx body that is, or grew while streaming, larger than
/// `max_bytes`.
#[must_use]
pub fn body_too_large(status: u16, max_bytes: u64) -> Error {
    let mut message = String::from("the response body is larger than maxResponseBytes (");
    write_integer(&mut message, i64::try_from(max_bytes).unwrap_or(i64::MAX));
    message.push_str(" bytes); it was not read to the end");
    Error::new(ErrorKind::Decode, message).with_status(status)
}
