//! The ListJobs response document.
//!
//! The structs read the wire's snake_case JSON and write the camelCase shape
//! that JavaScript callers receive; the TypeScript interfaces are derived from
//! these same definitions, so the two cannot drift apart.

use crate::json::{self, write_string, OPTIONAL_FIELDS, STATUS_OUT_OF_RANGE};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The state of one job.
///
/// On the wire and in JavaScript it is a plain integer: `1` running,
/// `2` succeeded, `-1` failed. A status the API may add later is kept as
/// [`JobStatus::Unknown`] with its number, never rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// `1`: the job is still executing.
    Running,
    /// `2`: the job finished successfully.
    Succeeded,
    /// `-1`: the job finished with an error; see `error_code` and `error_msg`.
    Failed,
    /// Any other integer the service sent.
    Unknown(i64),
}

impl JobStatus {
    /// The integer the API uses for this status.
    #[must_use]
    pub const fn code(self) -> i64 {
        match self {
            JobStatus::Running => 1,
            JobStatus::Succeeded => 2,
            JobStatus::Failed => -1,
            JobStatus::Unknown(n) => n,
        }
    }

    /// The status for an API integer.
    #[must_use]
    pub const fn from_code(code: i64) -> Self {
        match code {
            1 => JobStatus::Running,
            2 => JobStatus::Succeeded,
            -1 => JobStatus::Failed,
            n => JobStatus::Unknown(n),
        }
    }

    /// The status for an integer read from the wire: any integer JavaScript
    /// can hold exactly.
    ///
    /// # Errors
    /// Beyond ±(2^53 - 1) the number would change on its way into JavaScript.
    pub fn from_wire(code: i64) -> Result<Self, &'static str> {
        json::safe_status(code).map(JobStatus::from_code)
    }

    /// Whether the job has stopped running, successfully or not.
    ///
    /// An unknown status counts as finished: only `1` is documented as
    /// "running", and a waiter must not spin forever on a value it cannot read.
    #[must_use]
    pub const fn is_finished(self) -> bool {
        !matches!(self, JobStatus::Running)
    }
}

impl Serialize for JobStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for JobStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StatusVisitor;

        impl serde::de::Visitor<'_> for StatusVisitor {
            type Value = JobStatus;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an integer status (1 running, 2 succeeded, -1 failed)")
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<JobStatus, E> {
                JobStatus::from_wire(v).map_err(E::custom)
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<JobStatus, E> {
                match i64::try_from(v) {
                    Ok(v) => self.visit_i64(v),
                    Err(_) => Err(E::custom(STATUS_OUT_OF_RANGE)),
                }
            }
        }

        deserializer.deserialize_i64(StatusVisitor)
    }
}

/// One job of a batch operation, as the service reports it.
///
/// An optional field the service sent as `null` or left out is absent
/// (`None` in Rust); an empty string stays an empty string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase", deserialize = "snake_case"))]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Job {
    /// The unique id of the job.
    pub job_id: String,
    /// `1` running, `2` succeeded, `-1` failed; compare with `JobStatus`.
    /// Other integers are passed through unchanged.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number"))]
    pub status: JobStatus,
    /// The cloud phone the job acts on, for phone jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_id: Option<String>,
    /// The cloud phone server the job acts on, for server jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    /// @deprecated The service keeps this only for old clients; use `serverId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// The encoding server the job acts on, for encoding-server jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encode_server_id: Option<String>,
    /// When processing began, UTC `YYYY-MM-DDTHH:MM:SSZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<String>,
    /// When processing ended, UTC `YYYY-MM-DDTHH:MM:SSZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The job's error code, for a failed job (e.g. `CPS.0005`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The description of `errorCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// What the job's command returned, at most 1024 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execute_msg: Option<String>,
    /// For calls given several request ids: the one this job belongs to,
    /// when known. The service says so only for a request that carried a
    /// single id, so jobs of a multi-id request leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The answer to one ListJobs call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase", deserialize = "snake_case"))]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ListJobsResponse {
    /// The request id the jobs belong to, as the service echoes it.
    pub request_id: String,
    /// The jobs of that request, in the service's order.
    pub jobs: Vec<Job>,
}

impl Job {
    /// A job with only its id and status; every optional field absent.
    pub fn new(job_id: impl Into<String>, status: JobStatus) -> Self {
        Job {
            job_id: job_id.into(),
            status,
            phone_id: None,
            server_id: None,
            node_id: None,
            encode_server_id: None,
            begin_time: None,
            end_time: None,
            error_code: None,
            error_msg: None,
            execute_msg: None,
            request_id: None,
        }
    }

    /// The optional fields, in the order of [`OPTIONAL_FIELDS`].
    fn optional_values(&self) -> [Option<&str>; 10] {
        [
            self.phone_id.as_deref(),
            self.server_id.as_deref(),
            self.node_id.as_deref(),
            self.encode_server_id.as_deref(),
            self.begin_time.as_deref(),
            self.end_time.as_deref(),
            self.error_code.as_deref(),
            self.error_msg.as_deref(),
            self.execute_msg.as_deref(),
            self.request_id.as_deref(),
        ]
    }

    /// The optional fields, in the order of [`OPTIONAL_FIELDS`], to fill in.
    pub(crate) fn optional_values_mut(&mut self) -> [&mut Option<String>; 10] {
        [
            &mut self.phone_id,
            &mut self.server_id,
            &mut self.node_id,
            &mut self.encode_server_id,
            &mut self.begin_time,
            &mut self.end_time,
            &mut self.error_code,
            &mut self.error_msg,
            &mut self.execute_msg,
            &mut self.request_id,
        ]
    }

    /// The optional fields that are present, with their camelCase names.
    fn present_fields(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        OPTIONAL_FIELDS
            .iter()
            .zip(self.optional_values())
            .filter_map(|((_, camel), value)| value.map(|v| (*camel, v)))
    }

    /// The bytes of this job's text and keys, about its size as JSON.
    fn text_len(&self) -> usize {
        let present = self
            .present_fields()
            .map(|(name, value)| name.len() + value.len() + 6);
        self.job_id.len() + 40 + present.sum::<usize>()
    }
}

impl ListJobsResponse {
    /// The response as camelCase JSON text: the exact shape the JavaScript API
    /// resolves with, and what `serde_json::to_string` makes of it.
    ///
    /// The WebAssembly edge hands this text to `JSON.parse`, so the objects
    /// cross into JavaScript in one step; it is written by hand to keep a
    /// general serializer out of the download.
    pub fn to_json(&self) -> String {
        // Sized from the content (escapes aside), so the reservation can
        // never exceed what the document really needs.
        let text: usize = self.jobs.iter().map(Job::text_len).sum();
        let mut out = String::with_capacity(32 + self.request_id.len() + text);
        out.push_str("{\"requestId\":");
        write_string(&mut out, &self.request_id);
        out.push_str(",\"jobs\":[");
        for (i, job) in self.jobs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json::write_job(
                &mut out,
                &job.job_id,
                job.status.code(),
                &job.optional_values(),
            );
        }
        out.push_str("]}");
        out
    }
}
