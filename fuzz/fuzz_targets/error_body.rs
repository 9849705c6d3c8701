//! The error-body parser and the status mapping on any bytes: never a panic
//! or a hang, codes and messages capped and never empty, and every non-2xx
//! status an `http` error carrying what the parser found.
#![no_main]

use cph_jobs::{
    decode_list_jobs, decode_response, parse_error_body, ErrorKind, MAX_SERVICE_MESSAGE_BYTES,
};
use libfuzzer_sys::fuzz_target;

fn check_text(value: &Option<String>) {
    if let Some(s) = value {
        assert!(!s.is_empty());
        assert!(s.len() <= MAX_SERVICE_MESSAGE_BYTES + '…'.len_utf8());
    }
}

fuzz_target!(|data: &[u8]| {
    let service = parse_error_body(data);
    check_text(&service.code);
    check_text(&service.message);
    check_text(&service.request_id);
    for status in [200, 302, 400, 404, 429, 503, 599] {
        let header = (status == 404).then_some("hdr-1");
        let error = match decode_response(status, header, data) {
            Ok(response) => {
                assert_eq!(status, 200);
                assert_eq!(decode_list_jobs(data), Ok(response));
                continue;
            }
            Err(error) => error,
        };
        assert!(!error.to_string().is_empty());
        assert_eq!(error.status(), Some(status));
        match status {
            200 => assert_eq!(error.kind(), ErrorKind::Decode),
            302 => {
                assert_eq!(error.kind(), ErrorKind::Http);
                assert_eq!(error.error_code(), None);
            }
            _ => {
                assert_eq!(error.kind(), ErrorKind::Http);
                assert_eq!(error.error_code(), service.code.as_deref());
                assert_eq!(error.error_msg(), service.message.as_deref());
                assert_eq!(error.request_id(), header.or(service.request_id.as_deref()));
            }
        }
    }
});
