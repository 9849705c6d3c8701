//! The ListJobs document: read from the wire's snake_case JSON, written as
//! the camelCase JSON text that JavaScript callers receive.

use std::borrow::Cow;

use crate::reader::{Integer, JsonError, Kind, Reader};
use crate::write::{write_integer, write_string};

/// The optional job fields: the name on the wire and the name JavaScript
/// sees, in the order [`WireJob::optional`] holds them.
pub const OPTIONAL_FIELDS: [(&str, &str); 10] = [
    ("phone_id", "phoneId"),
    ("server_id", "serverId"),
    ("node_id", "nodeId"),
    ("encode_server_id", "encodeServerId"),
    ("begin_time", "beginTime"),
    ("end_time", "endTime"),
    ("error_code", "errorCode"),
    ("error_msg", "errorMsg"),
    ("execute_msg", "executeMsg"),
    ("request_id", "requestId"),
];

/// The largest magnitude a status may have and still reach JavaScript as the
/// exact same number (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_STATUS: i64 = (1 << 53) - 1;

/// Why a status beyond JavaScript's safe integers is refused.
pub const STATUS_OUT_OF_RANGE: &str = "status is out of range (beyond JavaScript's safe integers)";

/// `code`, if JavaScript can hold it exactly: within ±(2^53 - 1).
///
/// # Errors
/// [`STATUS_OUT_OF_RANGE`] beyond that.
pub fn safe_status(code: i64) -> Result<i64, &'static str> {
    if code.unsigned_abs() > MAX_SAFE_STATUS as u64 {
        return Err(STATUS_OUT_OF_RANGE);
    }
    Ok(code)
}

/// One job as read from the wire: strings borrowed from the body where
/// they hold no escape.
pub struct WireJob<'a> {
    /// `job_id`.
    pub job_id: Cow<'a, str>,
    /// `status`, an integer JavaScript can hold exactly.
    pub status: i64,
    /// In the order of [`OPTIONAL_FIELDS`]; `None` for `null` or missing.
    pub optional: [Option<Cow<'a, str>>; OPTIONAL_FIELDS.len()],
}

/// Reads a ListJobs document (no byte-order mark: the caller strips it),
/// handing each job to `sink` as it is read; returns the document's
/// `request_id`.
///
/// # Errors
/// The first problem, with its JSON path (`jobs[3].status`) and byte offset.
pub fn read_list_jobs<'a>(
    body: &'a [u8],
    sink: &mut dyn FnMut(WireJob<'a>),
) -> Result<String, JsonError> {
    let mut reader = Reader::new(body);
    let request_id = read_document(&mut reader, sink)?;
    reader.end()?;
    Ok(request_id)
}

/// Reads a ListJobs document (as [`read_list_jobs`]) straight into the
/// camelCase JSON text that the JavaScript API hands to `JSON.parse`,
/// without building the jobs: no string is copied out of the body unless it
/// holds an escape. Jobs without a `request_id` get `attribute`.
///
/// # Errors
/// As [`read_list_jobs`].
pub fn to_json_text(body: &[u8], attribute: Option<&str>) -> Result<String, JsonError> {
    // The text is about as long as the body: keys grow a little, spaces go.
    let mut jobs = String::with_capacity(body.len() + body.len() / 8);
    // Borrowed text is written without escaping (see `write_text`), so text
    // that needs escapes is owned.
    let attribute = attribute.map(|id| {
        if id.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
            Cow::Owned(id.to_owned())
        } else {
            Cow::Borrowed(id)
        }
    });
    let mut count = 0usize;
    let request_id = read_list_jobs(body, &mut |mut job: WireJob<'_>| {
        if count > 0 {
            jobs.push(',');
        }
        count += 1;
        if let (None, Some(id)) = (&job.optional[9], &attribute) {
            job.optional[9] = Some(id.clone());
        }
        write_wire_job(&mut jobs, &job);
    })?;
    let mut out = String::with_capacity(jobs.len() + request_id.len() + 32);
    out.push_str("{\"requestId\":");
    write_string(&mut out, &request_id);
    out.push_str(",\"jobs\":[");
    out.push_str(&jobs);
    out.push_str("]}");
    Ok(out)
}

/// Appends one job as camelCase JSON: `jobId`, `status`, then the optional
/// fields that are present, in the order of [`OPTIONAL_FIELDS`]. The writer
/// of jobs held as Rust strings (cph-jobs' `ListJobsResponse::to_json`); the
/// decoder's text is written by the same steps, so the two cannot drift
/// apart.
pub fn write_job(out: &mut String, job_id: &str, status: i64, optional: &[Option<&str>; 10]) {
    write_fields(out, &job_id, status, optional, |out, text| {
        write_string(out, text)
    });
}

/// [`write_job`] for a job read from the wire.
fn write_wire_job(out: &mut String, job: &WireJob<'_>) {
    write_fields(out, &job.job_id, job.status, &job.optional, write_text);
}

/// The steps of both writers, with `write` for each string. Generic, but
/// private: both callers are here, so it is compiled at this crate's level.
#[inline]
fn write_fields<T>(
    out: &mut String,
    job_id: &T,
    status: i64,
    optional: &[Option<T>; 10],
    write: impl Fn(&mut String, &T),
) {
    out.push_str("{\"jobId\":");
    write(out, job_id);
    out.push_str(",\"status\":");
    write_integer(out, status);
    for ((_, camel), value) in OPTIONAL_FIELDS.iter().zip(optional) {
        if let Some(value) = value {
            out.push_str(",\"");
            out.push_str(camel);
            out.push_str("\":");
            write(out, value);
        }
    }
    out.push('}');
}

/// Text read from the wire, as a JSON string literal.
// A `&Cow`, not a `&str`: whether it is borrowed is what says it needs no escaping.
#[allow(clippy::ptr_arg)]
#[inline]
fn write_text(out: &mut String, text: &Cow<'_, str>) {
    match text {
        // Borrowed from a JSON string that held no escape: it has no quote,
        // backslash or control character, so it is written as it is,
        // exactly as `write_string` would write it.
        Cow::Borrowed(text) => {
            out.push('"');
            out.push_str(text);
            out.push('"');
        }
        Cow::Owned(text) => write_string(out, text),
    }
}

/// A decoding failure: the reader's error, whose JSON path is built up as it
/// travels out through the containers.
type Failure = JsonError;

impl Failure {
    #[cold]
    #[inline(never)]
    fn in_field(self, key: &str) -> Self {
        self.within(String::from(key))
    }

    #[cold]
    #[inline(never)]
    fn in_item(self, index: usize) -> Self {
        let mut head = String::from("[");
        write_integer(&mut head, index as i64);
        head.push(']');
        self.within(head)
    }

    /// Puts `head` in front of the path: `jobs` + `[3].status`, or
    /// `[3]` + `status` with a dot between.
    #[cold]
    #[inline(never)]
    fn within(mut self, mut head: String) -> Self {
        let path = &mut self.path;
        if !path.is_empty() && !path.starts_with('[') {
            head.push('.');
        }
        head.push_str(path);
        *path = head;
        self
    }
}

/// "invalid type: string, expected ...", naming integers and floats apart as
/// serde does.
#[cold]
#[inline(never)]
fn invalid_type(reader: &mut Reader<'_>, kind: Kind, expected: &str) -> Failure {
    // Where the value starts, even when a number is read to name it.
    let offset = reader.offset();
    let mut message = String::from("invalid type: ");
    message.push_str(match kind {
        Kind::Number => match reader.integer() {
            Ok(Integer::Float) => "floating point",
            _ => "integer",
        },
        other => other.name(),
    });
    message.push_str(", expected ");
    message.push_str(expected);
    JsonError::new(message, offset)
}

#[cold]
#[inline(never)]
fn missing(reader: &Reader<'_>, field: &str) -> Failure {
    field_error(reader, "missing field `", field)
}

#[cold]
#[inline(never)]
fn duplicate(reader: &Reader<'_>, field: &str) -> Failure {
    field_error(reader, "duplicate field `", field)
}

#[cold]
#[inline(never)]
fn field_error(reader: &Reader<'_>, what: &str, field: &str) -> Failure {
    let mut message = String::from(what);
    message.push_str(field);
    message.push('`');
    reader.error(message)
}

/// Checks that the next value is of the `wanted` kind.
fn expect(reader: &mut Reader<'_>, wanted: Kind, expected: &str) -> Result<(), Failure> {
    match reader.value_kind()? {
        kind if kind == wanted => Ok(()),
        kind => Err(invalid_type(reader, kind, expected)),
    }
}

fn read_document<'a>(
    reader: &mut Reader<'a>,
    sink: &mut dyn FnMut(WireJob<'a>),
) -> Result<String, Failure> {
    expect(reader, Kind::Object, "a ListJobs object")?;
    let mut request_id = None;
    let mut jobs = false;
    reader.object(|reader, key| -> Result<(), Failure> {
        match key.as_ref() {
            "request_id" if request_id.is_some() => Err(duplicate(reader, "request_id")),
            "request_id" => {
                request_id = Some(read_string(reader).map_err(|f| f.in_field("request_id"))?);
                Ok(())
            }
            "jobs" if jobs => Err(duplicate(reader, "jobs")),
            "jobs" => {
                jobs = true;
                read_jobs(reader, sink).map_err(|f| f.in_field("jobs"))
            }
            _ => Ok(reader.skip()?),
        }
    })?;
    match (request_id, jobs) {
        (Some(request_id), true) => Ok(request_id.into_owned()),
        (None, _) => Err(missing(reader, "request_id")),
        (_, false) => Err(missing(reader, "jobs")),
    }
}

fn read_jobs<'a>(
    reader: &mut Reader<'a>,
    sink: &mut dyn FnMut(WireJob<'a>),
) -> Result<(), Failure> {
    expect(reader, Kind::Array, "a list of jobs")?;
    reader.array(|reader, index| -> Result<(), Failure> {
        sink(read_job(reader).map_err(|f| f.in_item(index))?);
        Ok(())
    })
}

fn read_job<'a>(reader: &mut Reader<'a>) -> Result<WireJob<'a>, Failure> {
    expect(reader, Kind::Object, "a job object")?;
    let mut job_id = None;
    let mut status = None;
    let mut optional: [Option<Cow<'a, str>>; OPTIONAL_FIELDS.len()] = Default::default();
    // Which optional fields were present, null or not, to refuse duplicates.
    let mut seen = [false; OPTIONAL_FIELDS.len()];
    reader.object(|reader, key| -> Result<(), Failure> {
        let key = key.as_ref();
        match key {
            "job_id" if job_id.is_some() => Err(duplicate(reader, key)),
            "job_id" => {
                job_id = Some(read_string(reader).map_err(|f| f.in_field(key))?);
                Ok(())
            }
            "status" if status.is_some() => Err(duplicate(reader, key)),
            "status" => {
                status = Some(read_status(reader).map_err(|f| f.in_field(key))?);
                Ok(())
            }
            _ => match OPTIONAL_FIELDS.iter().position(|(wire, _)| *wire == key) {
                Some(i) if std::mem::replace(&mut seen[i], true) => Err(duplicate(reader, key)),
                Some(i) => {
                    optional[i] = read_optional_string(reader).map_err(|f| f.in_field(key))?;
                    Ok(())
                }
                None => Ok(reader.skip()?),
            },
        }
    })?;
    Ok(WireJob {
        job_id: job_id.ok_or_else(|| missing(reader, "job_id"))?,
        status: status.ok_or_else(|| missing(reader, "status"))?,
        optional,
    })
}

fn read_string<'a>(reader: &mut Reader<'a>) -> Result<Cow<'a, str>, Failure> {
    match reader.value_kind()? {
        Kind::String => Ok(reader.string()?),
        kind => Err(invalid_type(reader, kind, "a string")),
    }
}

fn read_optional_string<'a>(reader: &mut Reader<'a>) -> Result<Option<Cow<'a, str>>, Failure> {
    match reader.value_kind()? {
        Kind::String => Ok(Some(reader.string()?)),
        Kind::Null => {
            reader.null()?;
            Ok(None)
        }
        kind => Err(invalid_type(reader, kind, "a string or null")),
    }
}

fn read_status(reader: &mut Reader<'_>) -> Result<i64, Failure> {
    let expected = "an integer status (1 running, 2 succeeded, -1 failed)";
    match reader.value_kind()? {
        Kind::Number => {}
        kind => return Err(invalid_type(reader, kind, expected)),
    }
    let start = reader.offset();
    let failure = |message: String| JsonError::new(message, start);
    match reader.integer()? {
        Integer::Value(code) => safe_status(code).map_err(|why| failure(String::from(why))),
        Integer::TooLarge => Err(failure(String::from(STATUS_OUT_OF_RANGE))),
        Integer::Float => {
            let mut message = String::from("invalid type: floating point, expected ");
            message.push_str(expected);
            Err(failure(message))
        }
    }
}
