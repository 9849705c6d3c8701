//! Request building on any text: the input is the endpoint, project id,
//! request id and token on four lines, then an error body. Never a panic; an
//! accepted request's URL keeps the documented path and query whatever the
//! input; the endpoint normalizes to itself; and an error body or request id
//! header that echoes the token never brings it into the error.
#![no_main]

use cph_jobs::{Endpoint, ErrorKind, Header, ListJobsRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut fields = text.splitn(5, '\n');
    let mut next = || fields.next().unwrap_or("");
    let (endpoint, project_id, request_id, token, body) = (next(), next(), next(), next(), next());

    if let Ok(parsed) = Endpoint::parse(endpoint) {
        assert_eq!(Endpoint::parse(parsed.as_str()).as_ref(), Ok(&parsed));
    }
    let request = match ListJobsRequest::new(endpoint, project_id, request_id, token) {
        Ok(request) => request,
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            return;
        }
    };

    // The URL: the endpoint, then exactly /v1/{project_id}/cloud-phone/jobs
    // and one request_id parameter.
    let base = Endpoint::parse(endpoint).unwrap();
    let rest = request.url().strip_prefix(base.as_str()).unwrap();
    let (path, query) = rest.split_once('?').unwrap();
    let segments: Vec<&str> = path.split('/').collect();
    assert_eq!(segments, ["", "v1", project_id, "cloud-phone", "jobs"]);
    assert_eq!(query, format!("request_id={request_id}"));
    let (scheme, after) = base.as_str().split_once("://").unwrap();
    assert!(scheme == "https" || scheme == "http");
    assert!(!after.contains(['?', '#', '\\']));
    // No user info; '@' is fine in the path.
    let authority = after.split('/').next().unwrap();
    assert!(!authority.contains('@'));
    let headers = request.headers_at(0).unwrap();
    assert_eq!(headers[0], Header::new("X-Auth-Token", token.to_owned()));

    // A server that echoes the token. Only tokens with a '~' are checked, a
    // character no message template has, so a hit can only be a leak.
    let header = format!("{body}{token}");
    for status in [200, 401, 503] {
        let Err(error) = request.decode_response(status, Some(&header), body.as_bytes()) else {
            continue;
        };
        if token.contains('~') {
            let all = [
                error.to_string(),
                error.error_code().unwrap_or("").to_owned(),
                error.error_msg().unwrap_or("").to_owned(),
                error.request_id().unwrap_or("").to_owned(),
            ];
            for text in all {
                assert!(!text.contains(token), "token in {text:?}");
            }
            // Debug escapes quotes, backslashes and control characters, so
            // it is searched for the token as Debug spells it.
            let debug_token = format!("{token:?}");
            let debug_token = &debug_token[1..debug_token.len() - 1];
            assert!(!format!("{error:?}").contains(debug_token), "{error:?}");
        }
    }
});
