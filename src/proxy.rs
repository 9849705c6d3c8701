//! The checks of a same-origin ListJobs proxy, with no I/O.
//!
//! CPH sends no CORS headers, so a browser console reaches it through a proxy
//! on its own origin. A hand-written forwarder easily becomes an open proxy:
//! any path to any host, cookies passed on, the token in its logs. A
//! [`ProxyRoute`] decides, for one incoming request, whether it is exactly a
//! ListJobs call and what to send upstream: the upstream is fixed when the
//! route is built, the URL is rebuilt from validated values (the validators
//! of [`ListJobsRequest`]), and only `X-Auth-Token` and `X-Request-Id` are
//! forwarded. The npm package's `cph-jobs/proxy` does the I/O around it.
//!
//! ```
//! use cph_jobs::proxy::{Incoming, Outcome, ProxyRoute};
//! use cph_jobs::Header;
//!
//! let route = ProxyRoute::new("https://cph.cn-north-4.myhuaweicloud.com", "/cph-proxy", &[])?;
//! let headers = [
//!     Header::new("x-auth-token", "my-iam-token"),
//!     Header::new("cookie", "session=1"),
//! ];
//! let verdict = route.check(&Incoming {
//!     method: "GET",
//!     target: "/cph-proxy/v1/0123456789abcdef/cloud-phone/jobs?request_id=6837531f&limit=10",
//!     headers: &headers,
//!     has_body: false,
//!     own_origin: None,
//! });
//! let Outcome::Forward { url, headers, .. } = verdict.outcome else { panic!() };
//! assert_eq!(
//!     url,
//!     "https://cph.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef/cloud-phone/jobs?request_id=6837531f&limit=10"
//! );
//! // The cookie stays behind.
//! assert_eq!(headers, [Header::new("X-Auth-Token", "my-iam-token".to_owned())]);
//! # Ok::<(), cph_jobs::Error>(())
//! ```

use crate::auth::Auth;
use crate::error::Error;
use crate::header::Header;
use crate::input::{validate_id, validate_limit, validate_offset, Page};
use crate::regions::region_endpoint;
use crate::request::{ListJobsRequest, AUTH_HEADER};
use crate::url::{has_dot_segment, Endpoint};

/// The longest request target (path and query) accepted: 20 ids of 64
/// characters and a page fit in well under half of it.
pub const MAX_TARGET_BYTES: usize = 4096;

/// The most header bytes (names and values) accepted. IAM tokens are large
/// (often 5 to 10 KB), so this leaves room for one and the usual browser
/// headers, and no more.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The request headers a browser may ask to send across origins.
const ALLOWED_REQUEST_HEADERS: [&str; 3] = ["x-auth-token", "x-request-id", "accept"];

/// Headers that make some servers and frameworks route a request to another
/// path or method than its request line says; a request that carries one is
/// refused rather than trusted to mean what its line says.
const OVERRIDE_HEADERS: [&str; 5] = [
    "x-original-url",
    "x-rewrite-url",
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

/// The fixed upstream, the served path and the allowed origins of a proxy.
#[derive(Debug, Clone)]
pub struct ProxyRoute {
    upstream: Endpoint,
    base_path: String,
    allowed_origins: Vec<String>,
}

/// One incoming request, as the server read it.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// The method, as sent (`GET`, `OPTIONS`, ...).
    pub method: &'a str,
    /// The request target as sent: path and query, not yet normalized (so
    /// that `..` and `%2e%2e` are still visible).
    pub target: &'a str,
    /// Every header, one entry per header line, names in any case.
    pub headers: &'a [Header<&'a str, &'a str>],
    /// Whether the request carries a body (or announces one).
    pub has_body: bool,
    /// The proxy's own origin, e.g. `https://console.example.com`: a page of
    /// that origin needs no CORS and may send an `Origin` header.
    pub own_origin: Option<&'a str>,
}

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The origin to name in `Access-Control-Allow-Origin` (with
    /// `Vary: Origin` and `X-Request-Id` exposed), when the request came
    /// from an allowed origin; `None` sends no CORS headers.
    pub cors_origin: Option<String>,
    /// Forward, answer a preflight, or refuse.
    pub outcome: Outcome,
}

/// The decision about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Send `GET url` upstream with exactly these headers, no body, no
    /// redirects followed.
    Forward {
        /// The upstream URL, rebuilt from the validated ids and page.
        url: String,
        /// `X-Auth-Token`, and `X-Request-Id` when the client sent one.
        headers: Vec<Header>,
        /// What a log line may show of the request: its path and query as
        /// rebuilt, with the ids replaced when the route was asked to
        /// redact them.
        log_target: String,
    },
    /// Answer an allowed preflight with 204 and these CORS headers.
    Preflight,
    /// Answer with this status and a JSON body in the API's error shape;
    /// nothing goes upstream.
    Refuse(Refusal),
}

/// Why a request was refused, in the API's own error shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status: 400, 401, 403, 404, 405, 414 or 431.
    pub status: u16,
    /// A stable code, `CPH.PROXY.{status}`-style, for `error_code`.
    pub error_code: &'static str,
    /// What was wrong, for `error_msg`; it never quotes a header's value.
    pub error_msg: String,
}

impl Refusal {
    fn new(status: u16, error_code: &'static str, error_msg: &str) -> Self {
        Refusal {
            status,
            error_code,
            error_msg: error_msg.to_owned(),
        }
    }

    /// The body to send: `{"error_code":...,"error_msg":...}`.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"error_code\":");
        crate::json::write_string(&mut out, self.error_code);
        out.push_str(",\"error_msg\":");
        crate::json::write_string(&mut out, &self.error_msg);
        out.push('}');
        out
    }
}

fn bad_request(why: &str) -> Refusal {
    Refusal::new(400, "CPH.PROXY.0400", why)
}

fn invalid(error: &Error) -> Refusal {
    bad_request(error.message())
}

impl ProxyRoute {
    /// A route to `upstream` (checked as [`Endpoint::parse`] checks any
    /// endpoint: https, or http only to a loopback host), serving
    /// `{base_path}/v1/{project_id}/cloud-phone/jobs`, with CORS for exactly
    /// `allowed_origins` (such as `https://console.example.com`).
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] for a bad upstream, a base path
    /// that is not `""` or `/segments` an endpoint's path could carry, or an
    /// origin that is not `scheme://host[:port]` (a `*` is refused: the
    /// list is exact).
    pub fn new(upstream: &str, base_path: &str, allowed_origins: &[&str]) -> Result<Self, Error> {
        let upstream = Endpoint::parse(upstream)?;
        let base_path = base_path.trim_end_matches('/');
        if !base_path.is_empty() && !base_path.starts_with('/') {
            return Err(Error::invalid_argument(
                "basePath",
                "it must start with '/'",
            ));
        }
        // The path rules of an endpoint, on a fixed host: no dot segments,
        // nothing that needs escaping. No escapes either, since the
        // incoming path is compared byte for byte and may carry none.
        if base_path.contains('%') || has_empty_segment(base_path) {
            return Err(Error::invalid_argument(
                "basePath",
                "it must not contain %-escapes or empty segments",
            ));
        }
        let mut probe = String::from("http://localhost");
        probe.push_str(base_path);
        Endpoint::parse(&probe).map_err(|_| {
            Error::invalid_argument("basePath", "it must be a plain path such as /cph-proxy")
        })?;
        let mut origins = Vec::with_capacity(allowed_origins.len());
        for origin in allowed_origins {
            // An origin is checked as an endpoint is, except that a page
            // may be served over plain http to any host.
            let https = origin.strip_prefix("http://").map(|rest| {
                let mut https = String::from("https://");
                https.push_str(rest);
                https
            });
            let secure = https.as_deref().unwrap_or(origin);
            let parsed = Endpoint::parse(secure)
                .ok()
                .filter(|endpoint| endpoint.as_str() == secure && !has_path(endpoint));
            if parsed.is_none() {
                return Err(Error::invalid_argument(
                    "allowedOrigins",
                    "each must be an exact origin such as https://console.example.com (no path, no '*')",
                ));
            }
            origins.push((*origin).to_owned());
        }
        Ok(ProxyRoute {
            upstream,
            base_path: base_path.to_owned(),
            allowed_origins: origins,
        })
    }

    /// [`ProxyRoute::new`] to the official endpoint of a CPH `region`.
    ///
    /// # Errors
    /// As [`crate::region_endpoint`] and [`ProxyRoute::new`].
    pub fn for_region(
        region: &str,
        base_path: &str,
        allowed_origins: &[&str],
    ) -> Result<Self, Error> {
        Self::new(&region_endpoint(region)?, base_path, allowed_origins)
    }

    /// The upstream every forwarded request goes to.
    pub fn upstream(&self) -> &str {
        self.upstream.as_str()
    }

    /// Decides what to do with `request`.
    pub fn check(&self, request: &Incoming<'_>) -> Verdict {
        self.check_with(request, false)
    }

    /// [`check`](Self::check), with the ids in the log target replaced by
    /// `*` when `redact_ids` is set.
    pub fn check_with(&self, request: &Incoming<'_>, redact_ids: bool) -> Verdict {
        let origin = header(request.headers, "origin");
        let allowed = origin.filter(|o| self.allowed_origins.iter().any(|a| a == o));
        let outcome = self
            .decide(request, origin, allowed.is_some(), redact_ids)
            .unwrap_or_else(Outcome::Refuse);
        Verdict {
            cors_origin: allowed.map(str::to_owned),
            outcome,
        }
    }

    fn decide(
        &self,
        request: &Incoming<'_>,
        origin: Option<&str>,
        allowed: bool,
        redact_ids: bool,
    ) -> Result<Outcome, Refusal> {
        let preflight = match request.method {
            "GET" => false,
            "OPTIONS" => true,
            _ => {
                return Err(Refusal::new(
                    405,
                    "CPH.PROXY.0405",
                    "only GET (and the OPTIONS preflight) is served",
                ))
            }
        };
        check_headers(request.headers)?;
        let (project_id, query) = self.match_target(request.target)?;
        if request.has_body {
            return Err(bad_request("a ListJobs request carries no body"));
        }
        if let Some(origin) = origin {
            if !allowed && request.own_origin != Some(origin) {
                return Err(Refusal::new(
                    403,
                    "CPH.PROXY.0403",
                    "this origin is not among the proxy's allowed origins",
                ));
            }
        }
        if preflight {
            return check_preflight(request.headers, allowed).map(|()| Outcome::Preflight);
        }
        let token = header(request.headers, "x-auth-token")
            .ok_or_else(|| Refusal::new(401, "CPH.PROXY.0401", "X-Auth-Token is required"))?;
        // Headers that were merged ("a, b") or repeated are refused, not
        // guessed at: an IAM token never holds a comma.
        if token.contains(',') {
            return Err(bad_request(
                "X-Auth-Token must be sent once, and holds no comma",
            ));
        }
        let credential = Auth::token(token).map_err(|e| invalid(&e))?;
        let (ids, page) = parse_query(query)?;
        let url = ListJobsRequest::for_ids(&self.upstream, project_id, &ids, page, &credential)
            .map_err(|e| invalid(&e))?
            .url()
            .to_owned();
        let mut headers = vec![Header::new(AUTH_HEADER, token.to_owned())];
        if let Some(id) = header(request.headers, "x-request-id") {
            validate_id("X-Request-Id", id).map_err(|e| invalid(&e))?;
            headers.push(Header::new("X-Request-Id", id.to_owned()));
        }
        let rebuilt = url.get(self.upstream.as_str().len()..).unwrap_or_default();
        let mut log_target = self.base_path.clone();
        if redact_ids {
            log_target.push_str("/v1/*/cloud-phone/jobs?");
            log_target.push_str(if ids.len() == 1 {
                "request_id=*"
            } else {
                "request_ids=*"
            });
            let page = rebuilt.find('&').and_then(|i| rebuilt.get(i..));
            log_target.push_str(page.unwrap_or_default());
        } else {
            log_target.push_str(rebuilt);
        }
        Ok(Outcome::Forward {
            url,
            headers,
            log_target,
        })
    }

    /// Checks the target's syntax and path; returns the project id and query.
    fn match_target<'t>(&self, target: &'t str) -> Result<(&'t str, &'t str), Refusal> {
        if target.len() > MAX_TARGET_BYTES {
            return Err(Refusal::new(
                414,
                "CPH.PROXY.0414",
                "the request target is too long",
            ));
        }
        // Origin-form only: an absolute-form target (`http://host/...`) or
        // `*` could otherwise name a host or mean a server-wide request.
        if !target.starts_with('/') || target.starts_with("//") {
            return Err(bad_request("the request target must be a path"));
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path.contains('%') {
            return Err(bad_request(
                "the path must not contain %-escapes (such as %2f or %2e)",
            ));
        }
        if has_dot_segment(path) || has_empty_segment(path) {
            return Err(bad_request(
                "the path must not contain '.', '..' or empty segments",
            ));
        }
        if !path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-._~".contains(&b))
        {
            return Err(bad_request(
                "the path has a character a ListJobs path never holds",
            ));
        }
        let project_id = path
            .strip_prefix(self.base_path.as_str())
            .and_then(|rest| rest.strip_prefix("/v1/"))
            .and_then(|rest| rest.strip_suffix("/cloud-phone/jobs"))
            .filter(|project| !project.contains('/'))
            .ok_or_else(|| {
                let mut why = String::from("only ");
                why.push_str(&self.base_path);
                why.push_str("/v1/{project_id}/cloud-phone/jobs is served");
                Refusal::new(404, "CPH.PROXY.0404", &why)
            })?;
        validate_id("projectId", project_id).map_err(|e| invalid(&e))?;
        Ok((project_id, query))
    }
}

/// Whether an endpoint has a path after its host (an origin has none).
fn has_path(endpoint: &Endpoint) -> bool {
    let text = endpoint.as_str();
    // Past the `://` of the scheme.
    let after_scheme = crate::error::find(text.as_bytes(), b"://").and_then(|i| text.get(i + 3..));
    after_scheme.is_some_and(|rest| rest.contains('/'))
}

/// Whether `path` has `//`. Not `str::contains`: a text pattern brings its
/// general search algorithm into the download, and this needs none.
fn has_empty_segment(path: &str) -> bool {
    path.as_bytes().windows(2).any(|pair| pair == b"//")
}

/// The value of the header `name` (lower case), if the request has it.
fn header<'h>(headers: &[Header<&str, &'h str>], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value)
}

/// Size, syntax, routing overrides, and repeats of the headers that matter.
fn check_headers(headers: &[Header<&str, &str>]) -> Result<(), Refusal> {
    let bytes: usize = headers
        .iter()
        .map(|h| h.name.len() + h.value.len() + 4)
        .sum();
    if bytes > MAX_HEADER_BYTES {
        return Err(Refusal::new(
            431,
            "CPH.PROXY.0431",
            "the request headers are too large",
        ));
    }
    for (i, &Header { name, value }) in headers.iter().enumerate() {
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token || value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(bad_request(
                "a header has an invalid name, or a CR, LF or NUL in its value",
            ));
        }
        if OVERRIDE_HEADERS
            .iter()
            .any(|o| name.eq_ignore_ascii_case(o))
        {
            return Err(bad_request(
                "headers that override the path or method are refused",
            ));
        }
        let once = ["host", "origin", "x-auth-token", "x-request-id"];
        let repeated = headers
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .any(|other| other.name.eq_ignore_ascii_case(name));
        if repeated && once.iter().any(|o| name.eq_ignore_ascii_case(o)) {
            return Err(bad_request(
                "Host, Origin, X-Auth-Token and X-Request-Id may each be sent once",
            ));
        }
        // The Host header must be a plain host[:port]: one that smuggles a
        // path, user info or a second host is refused rather than ignored.
        if name.eq_ignore_ascii_case("host")
            && (value.is_empty()
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b)))
        {
            return Err(bad_request("the Host header is not a plain host[:port]"));
        }
    }
    Ok(())
}

/// A preflight is answered only for an allowed origin asking to `GET` with
/// no header beyond the ones the proxy forwards.
fn check_preflight(headers: &[Header<&str, &str>], allowed: bool) -> Result<(), Refusal> {
    let refused = |why| Err(Refusal::new(403, "CPH.PROXY.0403", why));
    if !allowed {
        return refused("a preflight must come from one of the proxy's allowed origins");
    }
    if header(headers, "access-control-request-method") != Some("GET") {
        return refused("only GET may be requested across origins");
    }
    let asked = header(headers, "access-control-request-headers").unwrap_or("");
    let all_allowed = asked
        .split(',')
        .map(|h| h.trim_matches(' '))
        .filter(|h| !h.is_empty())
        .all(|h| {
            ALLOWED_REQUEST_HEADERS
                .iter()
                .any(|a| h.eq_ignore_ascii_case(a))
        });
    if !all_allowed {
        return refused("only X-Auth-Token, X-Request-Id and Accept may be sent");
    }
    Ok(())
}

/// The ids and page of a query, each parameter at most once and nothing
/// else in it; the values are checked by the same validators as a call's.
fn parse_query(query: &str) -> Result<(Vec<String>, Page), Refusal> {
    let (mut ids, mut page) = (None::<Vec<String>>, Page::default());
    let (mut offset_seen, mut limit_seen) = (false, false);
    for pair in query.split('&') {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| bad_request("the query must be name=value pairs"))?;
        let seen = match name {
            "request_id" | "request_ids" => ids.is_some(),
            "offset" => offset_seen,
            "limit" => limit_seen,
            _ => {
                return Err(bad_request(
                    "the query takes only request_id or request_ids, offset and limit",
                ))
            }
        };
        if seen {
            return Err(bad_request(
                "a query parameter is repeated (or both request_id and request_ids are given)",
            ));
        }
        match name {
            "request_id" => {
                validate_id("requestId", value).map_err(|e| invalid(&e))?;
                ids = Some(vec![value.to_owned()]);
            }
            "request_ids" => {
                // `,` is sent as is by this package and as %2C by
                // URLSearchParams; no other escape can occur in an id list.
                let mut list = vec![String::new()];
                for (i, part) in value.split('%').enumerate() {
                    let rest = match (i, part.get(..2), part.get(2..)) {
                        (0, _, _) => part,
                        (_, Some("2C" | "2c"), Some(rest)) => {
                            list.push(String::new());
                            rest
                        }
                        _ => {
                            return Err(bad_request("request_ids may escape only the comma (%2C)"))
                        }
                    };
                    for (j, id) in rest.split(',').enumerate() {
                        if j > 0 {
                            list.push(String::new());
                        }
                        if let Some(last) = list.last_mut() {
                            last.push_str(id);
                        }
                    }
                }
                ids = Some(list);
            }
            "offset" => {
                offset_seen = true;
                page.offset =
                    Some(validate_offset(number(value, "offset")?).map_err(|e| invalid(&e))?);
            }
            _ => {
                limit_seen = true;
                page.limit =
                    Some(validate_limit(number(value, "limit")?).map_err(|e| invalid(&e))?);
            }
        }
    }
    let ids = ids.ok_or_else(|| bad_request("request_id or request_ids is required"))?;
    Ok((ids, page))
}

/// A page parameter as a number: plain decimal digits only, so `1e2`,
/// `+1`, `0x10` and ` 1` are refused rather than read some other way.
fn number(value: &str, what: &str) -> Result<f64, Refusal> {
    if value.is_empty() || value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(&Error::invalid_argument(
            what,
            "it must be decimal digits",
        )));
    }
    Ok(value
        .bytes()
        .fold(0.0, |n, b| n * 10.0 + f64::from(b - b'0')))
}
