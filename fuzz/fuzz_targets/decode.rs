//! The ListJobs decoder on any bytes: it never panics or hangs, its errors
//! carry no body text, what it accepts is written back as valid camelCase
//! JSON, and it agrees with serde_json on what is a ListJobs document.
#![no_main]

use cph_jobs::{decode_list_jobs, decode_response, ErrorKind, ListJobsResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ours = decode_list_jobs(data);
    match &ours {
        Ok(response) => {
            let written: serde_json::Value =
                serde_json::from_str(&response.to_json()).expect("to_json() writes valid JSON");
            assert_eq!(written, serde_json::to_value(response).unwrap());
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Decode);
            let text = e.to_string();
            // Built from fixed text, field names and positions only.
            assert!(!text.is_empty());
            assert!(text.bytes().all(|b| (0x20..0x7f).contains(&b)), "{text:?}");
        }
    }
    assert_eq!(
        decode_response(200, None, data),
        ours.clone().map_err(|e| e.with_status(200))
    );

    // serde_json refuses a BOM, which the crate skips.
    let plain = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let reference = serde_json::from_slice::<ListJobsResponse>(plain);
    match (&ours, &reference) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        // The intended differences: serde_json skips an unknown string without
        // checking its UTF-8, and stops at 128 levels of nesting.
        (Err(e), Ok(_)) if std::str::from_utf8(plain).is_err() => {
            assert!(e.message().contains("invalid unicode code point"), "{e}");
        }
        (Ok(_), Err(e)) if e.to_string().contains("recursion limit") => {}
        _ => panic!(
            "ours {:?}, serde_json {:?}",
            ours.as_ref().map(|_| "ok").map_err(|e| e.to_string()),
            reference.as_ref().map(|_| "ok").map_err(|e| e.to_string()),
        ),
    }
});
