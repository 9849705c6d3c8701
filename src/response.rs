//! Response decoding and error mapping: from status, headers and body bytes to
//! a [`ListJobsResponse`] or an [`Error`], with no I/O.

use std::borrow::Cow;

use crate::json::{self, write_integer, Integer, JsonError, Kind, Reader, WireJob};

use crate::body::MAX_ERROR_BODY_BYTES;
use crate::error::{redact_all, Error, ErrorKind};
use crate::model::{Job, JobStatus, ListJobsResponse};

/// Service messages are cut to this many bytes before they reach an error, so
/// a hostile or broken server cannot make every log line megabytes long.
pub const MAX_SERVICE_MESSAGE_BYTES: usize = 512;

/// The service code and message found in an error body, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceError {
    /// The service or gateway code, e.g. `CPS.0005` or `APIG.0301`.
    pub code: Option<String>,
    /// The human-readable message that goes with the code.
    pub message: Option<String>,
    /// The body's `request_id`, when it carries one.
    pub request_id: Option<String>,
}

/// Decodes a 2xx ListJobs body.
///
/// A leading UTF-8 byte-order mark is skipped. Unknown fields are ignored;
/// `null` optional fields become `None`.
///
/// # Errors
/// [`ErrorKind::Decode`] with the JSON path of the first problem, e.g.
/// `at jobs[3].status: invalid type: string, expected an integer status`,
/// with the line and column.
pub fn decode_list_jobs(body: &[u8]) -> Result<ListJobsResponse, Error> {
    let body = without_bom(body);
    let mut jobs = Vec::new();
    let request_id = json::read_list_jobs(body, &mut |job: WireJob<'_>| jobs.push(into_job(job)))
        .map_err(|failure| not_list_jobs(body, &failure))?;
    Ok(ListJobsResponse { request_id, jobs })
}

/// Decodes a 2xx ListJobs body straight into the camelCase JSON text that
/// [`ListJobsResponse::to_json`] writes for [`decode_list_jobs`]'s result,
/// byte for byte, without building the jobs: no string is copied out of
/// the body unless it holds an escape. Jobs without a `request_id` get
/// `attribute`, as [`attribute`](crate::attribute) would give them.
///
/// This is what the JavaScript API hands to `JSON.parse`.
///
/// # Errors
/// As [`decode_list_jobs`], with the same messages.
pub fn decode_list_jobs_json(body: &[u8], attribute: Option<&str>) -> Result<String, Error> {
    let body = without_bom(body);
    json::to_json_text(body, attribute).map_err(|failure| not_list_jobs(body, &failure))
}

fn without_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

fn into_job(wire: WireJob<'_>) -> Job {
    let mut job = Job::new(wire.job_id.into_owned(), JobStatus::from_code(wire.status));
    for (field, value) in job.optional_values_mut().into_iter().zip(wire.optional) {
        *field = value.map(Cow::into_owned);
    }
    job
}

/// The error for a body that is not a ListJobs document: where, and why.
fn not_list_jobs(body: &[u8], failure: &JsonError) -> Error {
    let mut message = String::from("the response body is not a ListJobs document");
    if body.is_empty() {
        message.push_str(": the body is empty");
        return Error::new(ErrorKind::Decode, message);
    }
    if !failure.path.is_empty() {
        message.push_str(" at ");
        message.push_str(&failure.path);
    }
    message.push_str(": ");
    message.push_str(&failure.message);
    let (line, column) = json::line_column(body, failure.offset);
    message.push_str(" at line ");
    write_integer(&mut message, line as i64);
    message.push_str(" column ");
    write_integer(&mut message, column as i64);
    Error::new(ErrorKind::Decode, message)
}

/// Maps a complete HTTP exchange to its result.
///
/// * 2xx: the body is decoded with [`decode_list_jobs`].
/// * 3xx: refused, since following a redirect would hand the token to a URL
///   the caller never chose.
/// * anything else: an [`ErrorKind::Http`] error carrying the service code and
///   message found by [`parse_error_body`].
///
/// `request_id_header` is the `X-Request-Id` response header; it wins over an
/// error body's `request_id`.
///
/// # Errors
/// [`ErrorKind::Decode`] or [`ErrorKind::Http`], as above.
pub fn decode_response(
    status: u16,
    request_id_header: Option<&str>,
    body: &[u8],
) -> Result<ListJobsResponse, Error> {
    decode_response_with(status, request_id_header, body, &[], decode_list_jobs)
}

/// [`decode_response`], with `decode` for a 2xx body (the jobs, or their
/// JSON text: [`decode_list_jobs_json`]), and with `secrets` scrubbed from
/// all the server's text that reaches the error: the header, and the code,
/// message and request id as read from the body. Scrubbing the raw body
/// alone is not enough, since JSON can spell the secret with escapes (`\/`
/// for `/`, `\u0041` ...).
pub(crate) fn decode_response_with<T>(
    status: u16,
    request_id_header: Option<&str>,
    body: &[u8],
    secrets: &[&str],
    decode: impl FnOnce(&[u8]) -> Result<T, Error>,
) -> Result<T, Error> {
    let header_id = request_id_header
        .filter(|s| !s.is_empty())
        .map(|s| redact_all(s, secrets).into_owned());
    if (200..300).contains(&status) {
        return decode(body).map_err(|e| e.with_status(status).with_request_id(header_id));
    }
    if (300..400).contains(&status) {
        return Err(redirect_refused(Some(status)).with_request_id(header_id));
    }
    let service = read_error_body(body, secrets);
    let mut message = String::from("HTTP ");
    write_integer(&mut message, i64::from(status));
    if let Some(reason) = reason_phrase(status) {
        message.push(' ');
        message.push_str(reason);
    }
    match (&service.code, &service.message) {
        (None, None) => message.push_str(" (the body carries no service error)"),
        (code, msg) => {
            message.push(':');
            for part in [code, msg].into_iter().flatten() {
                message.push(' ');
                message.push_str(part);
            }
        }
    }
    // The code and message are clean, but the space between them could
    // still join two halves of a secret that has a space.
    if !secrets.is_empty() {
        message = redact_all(&message, secrets).into_owned();
    }
    Err(Error::new(ErrorKind::Http, message)
        .with_status(status)
        .with_request_id(header_id.or(service.request_id))
        .with_service_error(service.code, service.message))
}

/// The error for a redirect that was not followed. `status` is absent where
/// the platform hides it (a browser's opaque redirect).
#[must_use]
pub fn redirect_refused(status: Option<u16>) -> Error {
    let error = Error::new(
        ErrorKind::Http,
        "the endpoint answered with a redirect, which is never followed so the token \
         cannot reach another URL; point the endpoint at the final address",
    );
    match status {
        Some(status) => error.with_status(status),
        None => error,
    }
}

/// Finds the service code and message in an error body of any of the shapes
/// the CPH API and its gateway use:
/// `{error_code, error_msg}`, `{error: {code, message}}`, `{code, message}`
/// and `{errorCode, errorMsg}`, plus an optional `request_id`.
///
/// Anything else (HTML from a proxy, an empty body, a huge body) yields an
/// empty [`ServiceError`]; this never fails. Numbers are accepted as codes,
/// empty strings count as absent, and messages are cut to
/// [`MAX_SERVICE_MESSAGE_BYTES`].
#[must_use]
pub fn parse_error_body(body: &[u8]) -> ServiceError {
    read_error_body(body, &[])
}

/// [`parse_error_body`], with `secrets` scrubbed from each string found
/// before it is cut to length, so no part of a secret survives at the cut.
fn read_error_body(body: &[u8], secrets: &[&str]) -> ServiceError {
    if body.len() > MAX_ERROR_BODY_BYTES {
        return ServiceError::default();
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = Reader::new(body);
    // error_code, error_msg, error.code, error.message, errorCode, errorMsg,
    // code, message, request_id: in the order the shapes are tried.
    let mut found: [Option<String>; 9] = Default::default();
    let read = reader.value_kind().and_then(|kind| {
        if kind != Kind::Object {
            return Err(reader.error("not an object"));
        }
        reader.object(|reader, key| {
            let slot = match key.as_ref() {
                "error_code" => 0,
                "error_msg" => 1,
                "error" => {
                    if reader.value_kind()? != Kind::Object {
                        return reader.skip();
                    }
                    return reader.object(|reader, key| match key.as_ref() {
                        "code" => read_scalar(reader).map(|v| found[2] = v),
                        "message" => read_scalar(reader).map(|v| found[3] = v),
                        _ => reader.skip(),
                    });
                }
                "errorCode" => 4,
                "errorMsg" => 5,
                "code" => 6,
                "message" => 7,
                "request_id" => 8,
                _ => return reader.skip(),
            };
            found[slot] = read_scalar(reader)?;
            Ok(())
        })?;
        reader.end()
    });
    if read.is_err() {
        return ServiceError::default();
    }
    // A loop, not `found.map`: that would copy the cleaning into the
    // module nine times.
    for value in &mut found {
        *value = clean(value.take(), secrets);
    }
    let [error_code, error_msg, nested_code, nested_msg, camel_code, camel_msg, code, message, request_id] =
        found;
    let pairs = [
        (error_code, error_msg),
        (nested_code, nested_msg),
        (camel_code, camel_msg),
        (code, message),
    ];
    let mut service = ServiceError {
        request_id,
        ..ServiceError::default()
    };
    if let Some((code, message)) = pairs.into_iter().find(|(c, m)| c.is_some() || m.is_some()) {
        service.code = code;
        service.message = message;
    }
    service
}

/// A string found in an error body, scrubbed of `secrets` and cut to
/// length; an empty one counts as absent.
fn clean(value: Option<String>, secrets: &[&str]) -> Option<String> {
    value.filter(|s| !s.is_empty()).map(|s| {
        let s = if secrets.is_empty() {
            s
        } else {
            redact_all(&s, secrets).into_owned()
        };
        truncate(s, MAX_SERVICE_MESSAGE_BYTES)
    })
}

/// A code or message: a string, or an integer written as one. Anything else
/// (an object, a float, `null`) counts as absent.
fn read_scalar(reader: &mut Reader<'_>) -> Result<Option<String>, JsonError> {
    match reader.value_kind()? {
        Kind::String => Ok(Some(reader.string()?.into_owned())),
        Kind::Number => Ok(match reader.integer()? {
            Integer::Value(n) => {
                let mut text = String::new();
                write_integer(&mut text, n);
                Some(text)
            }
            Integer::Float | Integer::TooLarge => None,
        }),
        _ => reader.skip().map(|()| None),
    }
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// The reason phrases of the statuses this API and its gateways use; HTTP/2
/// carries none, so they cannot come from the response.
fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}
