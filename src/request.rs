//! Request building: the URL and headers of a ListJobs call from checked
//! inputs, and the decoding of its answer with its secrets scrubbed; no I/O.

use std::borrow::Cow;
use std::fmt;

use crate::auth::Auth;
use crate::error::{redact_all, Error};
use crate::header::Header;
use crate::input::{validate_id, Page, MAX_IDS_PER_CALL, MAX_LIMIT};
use crate::json::write_integer;
use crate::model::ListJobsResponse;
use crate::response::{decode_list_jobs, decode_list_jobs_json, decode_response_with};
#[cfg(feature = "sign")]
use crate::sign::{format_sdk_date, sign, RequestToSign};
use crate::url::Endpoint;

/// The header that carries the IAM token.
pub const AUTH_HEADER: &str = "X-Auth-Token";

/// Why an access key cannot be used by a build without the `sign` feature.
#[cfg(not(feature = "sign"))]
pub(crate) const NOT_SIGNING: &str =
    "invalid credentials: this build of cph-jobs cannot sign requests (the `sign` feature is off)";

/// A ListJobs request, ready for any HTTP client: `GET` [`url`](Self::url)
/// with the [`headers_at`](Self::headers_at) the current time, no body, and no redirects followed.
///
/// Its `Debug` output hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ListJobsRequest {
    url: String,
    auth: Auth,
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
        let auth = Auth::token(token)?;
        Ok(ListJobsRequest { url, auth })
    }

    /// Builds the request for one page of the jobs of up to 20 request ids:
    /// one id goes in `request_id`, several in `request_ids`.
    ///
    /// `auth` is a token or an access key; a token provider's token is
    /// passed as [`Auth::Token`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad
    /// project id, request id or page, no ids, or more than 20, or for
    /// [`Auth::Provider`], which a single request cannot ask.
    pub fn for_ids<S: AsRef<str>>(
        endpoint: &Endpoint,
        project_id: &str,
        request_ids: &[S],
        page: Page,
        auth: &Auth,
    ) -> Result<Self, Error> {
        if *auth == Auth::Provider {
            return Err(Error::invalid_argument(
                "auth",
                "a request takes the token a provider gave, as Auth::Token",
            ));
        }
        Ok(ListJobsRequest {
            url: query_url(endpoint, project_id, request_ids, page)?,
            auth: auth.clone(),
        })
    }

    /// The HTTP method: always `GET`.
    #[must_use]
    pub fn method(&self) -> &'static str {
        "GET"
    }

    /// The full request URL.
    #[must_use]
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
    pub fn headers_at(&self, now_unix_ms: u64) -> Result<Vec<Header>, Error> {
        const ACCEPT: Header<&str, &str> = Header {
            name: "Accept",
            value: "application/json",
        };
        let accept = || Header::new(ACCEPT.name, ACCEPT.value.to_owned());
        match &self.auth {
            Auth::Token(token) => Ok(vec![Header::new(AUTH_HEADER, token.clone()), accept()]),
            // Refused when the request was built; never reached.
            Auth::Provider => Err(Error::invalid_input(
                "a token provider cannot sign a request",
            )),
            #[cfg(not(feature = "sign"))]
            Auth::AccessKey(_) => {
                let _ = now_unix_ms; // only a signature needs the time
                Err(Error::invalid_input(NOT_SIGNING))
            }
            #[cfg(feature = "sign")]
            Auth::AccessKey(credentials) => {
                let date = format_sdk_date(now_unix_ms)?;
                let request = RequestToSign::new(self.method(), &self.url, &[ACCEPT], &[]);
                let mut headers = sign(credentials, &request, &date)?;
                // Host is set by the client from the URL.
                headers.retain(|header| header.name != "Host");
                headers.insert(0, accept());
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
            &self.auth.secrets(),
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
            &self.auth.secrets(),
            |body| decode_list_jobs_json(body, attribute),
        )
    }

    /// Scrubs this request's token from text from outside the crate, such as
    /// a platform's network error message.
    #[must_use]
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        redact_all(text, &self.auth.secrets())
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
            .field("auth", &self.auth)
            .finish()
    }
}
