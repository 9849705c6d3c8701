//! Response decoding and error mapping: from status, headers and body bytes to
//! a [`ListJobsResponse`] or an [`Error`], with no I/O.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::model::ListJobsResponse;

/// Error bodies larger than this are not parsed for a service code: real ones
/// are a few hundred bytes, and a proxy's HTML page has none to find.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

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
/// `jobs[3].status: invalid type: string "2", expected an integer status`.
pub fn decode_list_jobs(body: &[u8]) -> Result<ListJobsResponse, Error> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    // The fast path decodes without tracking where it is; only a failed
    // document is read again, with the path tracked, to say where it broke.
    match serde_json::from_slice(body) {
        Ok(doc) => Ok(doc),
        Err(_) => Err(explain_decode_failure(body)),
    }
}

/// Decodes `body` again with the JSON path tracked, for the error message.
#[cold]
fn explain_decode_failure(body: &[u8]) -> Error {
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, inner) = match serde_path_to_error::deserialize::<_, ListJobsResponse>(&mut de) {
        // Trailing garbage after the document (a concatenated second body) is
        // as wrong as a truncated one.
        Ok(_) => match de.end() {
            Err(e) => (String::from("."), e),
            Ok(()) => {
                return Error::new(
                    ErrorKind::Decode,
                    "the response body is not a ListJobs document",
                )
            }
        },
        Err(err) => (err.path().to_string(), err.into_inner()),
    };
    let mut message = String::from("the response body is not a ListJobs document");
    if body.is_empty() {
        message.push_str(": the body is empty");
    } else {
        if path != "." {
            message.push_str(" at ");
            message.push_str(&path);
        }
        message.push_str(": ");
        message.push_str(&inner.to_string());
    }
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
    let header_id = request_id_header
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if (200..300).contains(&status) {
        return decode_list_jobs(body)
            .map_err(|e| e.with_status(status).with_request_id(header_id));
    }
    if (300..400).contains(&status) {
        return Err(redirect_refused(Some(status)).with_request_id(header_id));
    }
    let service = parse_error_body(body);
    let mut message = String::from("HTTP ");
    message.push_str(&status.to_string());
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
    Err(Error::new(ErrorKind::Http, message)
        .with_status(status)
        .with_request_id(header_id.or(service.request_id))
        .with_service_error(service.code, service.message))
}

/// The error for a redirect that was not followed. `status` is absent where
/// the platform hides it (a browser's opaque redirect).
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
pub fn parse_error_body(body: &[u8]) -> ServiceError {
    if body.len() > MAX_ERROR_BODY_BYTES {
        return ServiceError::default();
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    // Only an object can carry a service error; the derived struct would also
    // read a JSON array positionally, so anything else stops here.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return ServiceError::default();
    }
    let Ok(doc) = serde_json::from_slice::<ErrorBody>(body) else {
        return ServiceError::default();
    };
    let pairs = [
        (doc.error_code, doc.error_msg),
        (doc.error.code, doc.error.message),
        (doc.error_code_camel, doc.error_msg_camel),
        (doc.code, doc.message),
    ];
    let mut found = ServiceError::default();
    for (code, message) in pairs {
        let (code, message) = (code.into_text(), message.into_text());
        if code.is_some() || message.is_some() {
            found.code = code;
            found.message = message;
            break;
        }
    }
    found.request_id = doc.request_id.into_text();
    found
}

/// Every key any error shape uses. Each value is read leniently (see
/// [`Scalar`]) so one odd field cannot hide the others.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorBody {
    error_code: Scalar,
    error_msg: Scalar,
    request_id: Scalar,
    error: NestedError,
    #[serde(rename = "errorCode")]
    error_code_camel: Scalar,
    #[serde(rename = "errorMsg")]
    error_msg_camel: Scalar,
    code: Scalar,
    message: Scalar,
}

/// `{"error": {"code", "message"}}`; any other `error` value counts as absent.
#[derive(Default)]
struct NestedError {
    code: Scalar,
    message: Scalar,
}

impl<'de> Deserialize<'de> for NestedError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NestedVisitor;
        impl<'de> Visitor<'de> for NestedVisitor {
            type Value = NestedError;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NestedError, A::Error> {
                let mut nested = NestedError::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "code" => nested.code = map.next_value()?,
                        "message" => nested.message = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(nested)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<NestedError, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| NestedError::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<NestedError, E> {
                Ok(NestedError::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<NestedError, E> {
                Ok(NestedError::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<NestedError, E> {
                Ok(NestedError::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<NestedError, E> {
                Ok(NestedError::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<NestedError, E> {
                Ok(NestedError::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<NestedError, E> {
                Ok(NestedError::default())
            }
        }
        deserializer.deserialize_any(NestedVisitor)
    }
}

/// A code or message: a string, or an integer written as one. Anything else
/// (an object, a float, `null`, an empty string) counts as absent.
#[derive(Default)]
struct Scalar(Option<String>);

impl Scalar {
    fn into_text(self) -> Option<String> {
        self.0
            .filter(|s| !s.is_empty())
            .map(|s| truncate(s, MAX_SERVICE_MESSAGE_BYTES))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_owned())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar, A::Error> {
                IgnoredAny.visit_map(map).map(|_| Scalar(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scalar, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Scalar(None))
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
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
