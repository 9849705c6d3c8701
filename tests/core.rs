//! Native tests of the sans-IO core: request building and validation,
//! response decoding and error mapping. No network, no wasm.

use cph_jobs::{
    decode_list_jobs, decode_response, parse_error_body, validate_id, validate_timeout_ms,
    validate_token, Endpoint, Error, ErrorKind, Header, Job, JobStatus, ListJobsRequest,
    ServiceError,
};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

const TOKEN: &str = "MIIT-example-token-0123456789";

mod request {
    use super::*;

    fn url(endpoint: &str) -> String {
        ListJobsRequest::new(endpoint, "proj_1", "req-1", TOKEN)
            .unwrap()
            .url()
            .to_owned()
    }

    #[test]
    fn builds_the_documented_url_and_headers() {
        let request = ListJobsRequest::new(
            "https://cph.cn-north-4.myhuaweicloud.com",
            "0123456789abcdef",
            "6837531fd3f54550927b930180a706bf",
            TOKEN,
        )
        .unwrap();
        assert_eq!(request.method(), "GET");
        assert_eq!(
            request.url(),
            "https://cph.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef/cloud-phone/jobs?request_id=6837531fd3f54550927b930180a706bf"
        );
        assert_eq!(
            request.headers_at(0).unwrap(),
            [
                Header::new("X-Auth-Token", TOKEN.to_owned()),
                Header::new("Accept", "application/json".to_owned())
            ]
        );
    }

    #[test]
    fn keeps_a_base_path_and_drops_trailing_slashes() {
        assert_eq!(
            url("https://console.example.com/cph-proxy/"),
            "https://console.example.com/cph-proxy/v1/proj_1/cloud-phone/jobs?request_id=req-1"
        );
        assert_eq!(
            url("https://host/a/b///"),
            "https://host/a/b/v1/proj_1/cloud-phone/jobs?request_id=req-1"
        );
        assert_eq!(
            url("https://host/"),
            "https://host/v1/proj_1/cloud-phone/jobs?request_id=req-1"
        );
        assert_eq!(
            url("https://host/%7Euser"),
            "https://host/%7Euser/v1/proj_1/cloud-phone/jobs?request_id=req-1"
        );
    }

    #[test]
    fn normalizes_scheme_and_host_case_and_surrounding_spaces() {
        assert_eq!(
            url("  HTTPS://CPH.AP-SOUTHEAST-1.MyHuaweiCloud.com:8443 "),
            "https://cph.ap-southeast-1.myhuaweicloud.com:8443/v1/proj_1/cloud-phone/jobs?request_id=req-1"
        );
    }

    #[test]
    fn allows_plain_http_only_to_loopback() {
        for ok in [
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://127.0.0.1:3000/proxy",
            "http://127.200.3.4",
            "http://[::1]:9000",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert!(Endpoint::parse(ok).is_ok(), "{ok} should be accepted");
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://127.1",
            "http://0x7f.0.0.1",
            "http://2130706433",
        ] {
            let err = Endpoint::parse(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn rejects_endpoints_that_are_not_plain_urls() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("cph.cn-north-4.myhuaweicloud.com", "absolute"),
            ("/cph-proxy", "absolute"),
            ("ftp://host", "scheme"),
            ("javascript://x", "scheme"),
            ("https://", "host is missing"),
            ("https://user:pass@host", "user name or password"),
            ("https://user@host/p", "user name or password"),
            ("https://host/p?x=1", "query or fragment"),
            ("https://host/p#frag", "query or fragment"),
            ("https://host:0", "port"),
            ("https://host:65536", "port"),
            ("https://host:", "port"),
            ("https://host:8a", "port"),
            ("https://ho st", "ASCII name"),
            ("https://hôst.example", "ASCII name"),
            ("https://host..example", "empty label"),
            ("https://[::1", "closing"),
            ("https://[zz::1]", "IPv6"),
            ("https://host/a b", "%-escaped"),
            ("https://host/é", "%-escaped"),
            ("https://host/a%zz", "%-escape"),
            ("https://host/a/../b", "'..'"),
            ("https://host/a/%2E%2e", "'..'"),
            ("https://host/.", "'..'"),
            ("https://host\\evil", "backslash"),
            ("https://1.2.3", "dotted-quad"),
        ];
        for (input, why) in cases {
            let err = Endpoint::parse(input).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{input}");
            assert!(
                err.message().starts_with("invalid endpoint: "),
                "{input}: {err}"
            );
            assert!(err.message().contains(why), "{input}: {err}");
        }
    }

    #[test]
    fn never_repeats_a_password_from_the_endpoint() {
        let err = Endpoint::parse("https://admin:hunter2-secret@host/x").unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        assert!(!format!("{err:?}").contains("hunter2"));
    }

    #[test]
    fn validates_ids_by_their_grammar() {
        for ok in ["a", "A-Z_09", &"x".repeat(64)] {
            assert!(validate_id("projectId", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            &"x".repeat(65),
            "a b",
            "a/b",
            "a?b",
            "a&b",
            "a.b",
            "é",
            "a%2F",
        ] {
            let err = validate_id("requestId", bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert!(err.message().starts_with("invalid requestId: "), "{err}");
        }
    }

    #[test]
    fn id_validation_happens_before_anything_is_built() {
        let err = ListJobsRequest::new("https://h", "p/../../x", "r", TOKEN).unwrap_err();
        assert!(err.message().starts_with("invalid projectId"));
        let err = ListJobsRequest::new("https://h", "p", "r&request_ids=a,b", TOKEN).unwrap_err();
        assert!(err.message().starts_with("invalid requestId"));
    }

    #[test]
    fn validates_tokens_without_quoting_them() {
        assert!(validate_token(TOKEN).is_ok());
        assert!(
            validate_token("a b").is_ok(),
            "inner spaces travel unchanged"
        );
        for bad in [
            "",
            "abc\r\nX-Evil: 1",
            "abc\ndef",
            "tab\there",
            "nul\0",
            "del\x7f",
            "tökén",
            " lead-tok-ZZ",
            "trail-tok-ZZ ",
        ] {
            let err = validate_token(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert!(err.message().starts_with("invalid token: "));
            if !bad.trim().is_empty() {
                assert!(!err.message().contains(bad.trim()), "{err}");
            }
        }
    }

    #[test]
    fn validates_timeouts() {
        assert_eq!(validate_timeout_ms(1.0).unwrap(), 1);
        assert_eq!(validate_timeout_ms(0.5).unwrap(), 1);
        assert_eq!(validate_timeout_ms(30_000.0).unwrap(), 30_000);
        assert_eq!(validate_timeout_ms(2_147_483_647.0).unwrap(), 2_147_483_647);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 2_147_483_648.0] {
            assert_eq!(
                validate_timeout_ms(bad).unwrap_err().kind(),
                ErrorKind::InvalidInput
            );
        }
    }

    #[test]
    fn debug_output_hides_the_token() {
        let request = ListJobsRequest::new("https://h", "p", "r", TOKEN).unwrap();
        let debug = format!("{request:?}");
        assert!(!debug.contains(TOKEN), "{debug}");
        assert!(debug.contains("[REDACTED]"));
    }
}

mod decode {
    use super::*;

    #[test]
    fn decodes_the_documentation_example() {
        let response = decode_list_jobs(&fixture("doc-example.json")).unwrap();
        assert_eq!(response.request_id, "6a63a18b8bab40ffb71ebd9cb80d0085");
        assert_eq!(response.jobs.len(), 2);
        let failed = &response.jobs[0];
        assert_eq!(failed.job_id, "1564567b8bab40f34711234cb80d0123");
        assert_eq!(failed.status, JobStatus::Failed);
        assert_eq!(
            failed.phone_id.as_deref(),
            Some("1234567b8bab40ffb711234cb80d0234")
        );
        assert_eq!(
            failed.server_id.as_deref(),
            Some("1e223c8e-3ad0-4bf0-a837-bc90d4f91d01")
        );
        assert_eq!(failed.node_id, failed.server_id);
        assert_eq!(failed.begin_time.as_deref(), Some("2017-10-25T00:00:00Z"));
        assert_eq!(failed.end_time.as_deref(), Some("2017-10-25T00:00:30Z"));
        assert_eq!(failed.error_code.as_deref(), Some("CPS0005"));
        assert_eq!(failed.error_msg.as_deref(), Some("Phone not found."));
        assert_eq!(failed.execute_msg, None);
        let ok = &response.jobs[1];
        assert_eq!(ok.status, JobStatus::Succeeded);
        assert_eq!(
            ok.error_code.as_deref(),
            Some(""),
            "an empty string stays empty"
        );
    }

    #[test]
    fn writes_camel_case_with_absent_optionals() {
        let response = decode_list_jobs(&fixture("nulls-and-unknowns.json")).unwrap();
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "requestId": "r-1",
                "jobs": [
                    {"jobId": "j-null", "status": 1},
                    {"jobId": "j-missing", "status": 2},
                    {"jobId": "j-empty", "status": -1, "errorCode": "", "errorMsg": "", "executeMsg": ""},
                    {"jobId": "j-unknown", "status": 3, "encodeServerId": "enc-1"},
                    {"jobId": "j-unicode", "status": 2, "executeMsg": "重启成功 ✓ 🚀 \"quoted\" \\ back"},
                ]
            })
        );
        let text = serde_json::to_string(&response).unwrap();
        for snake in ["request_id", "job_id", "_msg", "_time", "_code", "_id\""] {
            assert!(!text.contains(snake), "{snake} left in {text}");
        }
    }

    #[test]
    fn keeps_unknown_statuses_and_classifies_known_ones() {
        for (code, status) in [
            (1, JobStatus::Running),
            (2, JobStatus::Succeeded),
            (-1, JobStatus::Failed),
            (0, JobStatus::Unknown(0)),
            (3, JobStatus::Unknown(3)),
            (-2, JobStatus::Unknown(-2)),
        ] {
            assert_eq!(JobStatus::from_code(code), status);
            assert_eq!(status.code(), code);
        }
        assert!(!JobStatus::Running.is_finished());
        assert!(JobStatus::Failed.is_finished());
        assert!(JobStatus::Unknown(7).is_finished());
        let max = (1i64 << 53) - 1;
        let body = format!(
            r#"{{"request_id":"r","jobs":[{{"job_id":"j","status":{max}}},{{"job_id":"k","status":-{max}}}]}}"#
        );
        let response = decode_list_jobs(body.as_bytes()).unwrap();
        assert_eq!(response.jobs[0].status, JobStatus::Unknown(max));
        assert_eq!(response.jobs[1].status, JobStatus::Unknown(-max));
    }

    fn decode_error(body: &str) -> Error {
        let err = decode_list_jobs(body.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
        err
    }

    #[test]
    fn names_the_json_path_of_a_problem() {
        let cases = [
            (
                r#"{"request_id":"r","jobs":[{"job_id":"a","status":2},{"job_id":"b","status":"2"}]}"#,
                "at jobs[1].status: invalid type: string",
            ),
            (
                r#"{"request_id":"r","jobs":[{"job_id":"a","status":2},{"status":1}]}"#,
                "at jobs[1]: missing field `job_id`",
            ),
            (
                r#"{"request_id":"r","jobs":[{"job_id":"a"}]}"#,
                "at jobs[0]: missing field `status`",
            ),
            (
                r#"{"request_id":"r","jobs":[{"job_id":"a","status":null}]}"#,
                "at jobs[0].status: invalid type: null",
            ),
            (
                r#"{"request_id":"r","jobs":[{"job_id":7,"status":1}]}"#,
                "at jobs[0].job_id: invalid type: integer",
            ),
            (
                r#"{"request_id":"r","jobs":[{"job_id":"a","status":1,"phone_id":5}]}"#,
                "at jobs[0].phone_id: invalid type: integer",
            ),
            (
                r#"{"request_id":"r","jobs":[{"job_id":"a","status":1.5}]}"#,
                "at jobs[0].status: invalid type: floating point",
            ),
            (
                r#"{"request_id":"r","jobs":[{"job_id":"a","status":9007199254740992}]}"#,
                "at jobs[0].status: status is out of range",
            ),
            (
                r#"{"request_id":"r","jobs":[{"job_id":"a","status":18446744073709551615}]}"#,
                "at jobs[0].status: status is out of range",
            ),
            (
                r#"{"request_id":"r","jobs":{}}"#,
                "at jobs: invalid type: map",
            ),
            (r#"{"request_id":"r"}"#, "missing field `jobs`"),
            (r#"{"jobs":[]}"#, "missing field `request_id`"),
            (
                r#"{"request_id":"r","jobs":[{"job_id":"a","status":2},{"job_id":"b","sta"#,
                "at jobs[1]",
            ),
            (r#"[]"#, "invalid type: sequence"),
            (r#"42"#, "invalid type: integer"),
            (r#"<html>proxy</html>"#, "expected value at line 1 column 1"),
            (r#"{"request_id":"r","jobs":[]} {"#, "trailing characters"),
            (
                r#"{"request_id":"r","request_id":"s","jobs":[]}"#,
                "duplicate field `request_id`",
            ),
        ];
        for (body, expected) in cases {
            let err = decode_error(body);
            assert!(
                err.message()
                    .starts_with("the response body is not a ListJobs document"),
                "{err}"
            );
            assert!(
                err.message().contains(expected),
                "{body}\n  gave: {err}\n  want: {expected}"
            );
        }
        assert!(decode_error("").message().contains("the body is empty"));
    }

    #[test]
    fn skips_a_byte_order_mark() {
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend(fixture("doc-example.json"));
        assert_eq!(decode_list_jobs(&body).unwrap().jobs.len(), 2);
    }

    #[test]
    fn rejects_invalid_utf8_as_decode() {
        let err = decode_list_jobs(b"{\"request_id\":\"r\xff\",\"jobs\":[]}").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
    }

    #[test]
    fn decodes_ten_thousand_jobs() {
        let jobs: Vec<String> = (0..10_000)
            .map(|i| {
                format!(
                    r#"{{"job_id":"job-{i}","status":{},"phone_id":"p{i}","execute_msg":"{}"}}"#,
                    [1, 2, -1][i % 3],
                    "x".repeat(i % 50)
                )
            })
            .collect();
        let body = format!(r#"{{"request_id":"big","jobs":[{}]}}"#, jobs.join(","));
        let response = decode_list_jobs(body.as_bytes()).unwrap();
        assert_eq!(response.jobs.len(), 10_000);
        assert_eq!(response.jobs[9_999].job_id, "job-9999");
        assert_eq!(response.jobs[9_999].status, JobStatus::Running);
        assert_eq!(response.jobs[9_998].status, JobStatus::Failed);
        assert_eq!(
            response.jobs[9_997].execute_msg.as_deref(),
            Some("x".repeat(9_997 % 50).as_str())
        );
    }

    #[test]
    fn survives_deep_nesting_without_a_crash() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        // Skipped as an unknown field: read without recursion, so no limit is hit.
        let body = format!(r#"{{"request_id":"r","x":{deep},"jobs":[]}}"#);
        assert!(decode_list_jobs(body.as_bytes()).unwrap().jobs.is_empty());
        // Where a value is expected, the first bracket is already the wrong type.
        let body = format!(
            r#"{{"request_id":"r","jobs":[{{"job_id":"a","status":1,"execute_msg":{deep}}}]}}"#
        );
        assert!(decode_error(&body)
            .message()
            .contains("jobs[0].execute_msg: invalid type: sequence"));
        let body = format!(r#"{{"request_id":"r","jobs":{deep}}}"#);
        assert_eq!(decode_error(&body).kind(), ErrorKind::Decode);
    }

    #[test]
    fn round_trips_through_the_wire_shape() {
        let job = Job {
            job_id: "j".into(),
            status: JobStatus::Unknown(42),
            phone_id: Some("p".into()),
            server_id: None,
            node_id: None,
            encode_server_id: Some(String::new()),
            begin_time: Some("2026-11-28T10:00:00Z".into()),
            end_time: None,
            error_code: None,
            error_msg: None,
            execute_msg: Some("ok".into()),
            request_id: None,
        };
        let wire = r#"{"request_id":"r","jobs":[{"job_id":"j","status":42,"phone_id":"p","encode_server_id":"","begin_time":"2026-11-28T10:00:00Z","execute_msg":"ok"}]}"#;
        let decoded = decode_list_jobs(wire.as_bytes()).unwrap();
        assert_eq!(decoded.jobs, vec![job]);
    }
}

mod errors {
    use super::*;

    #[test]
    fn reads_every_error_shape() {
        let cases = [
            ("error-snake.json", "CPS.0005", "Phone not found.", Some("body-rid-1")),
            ("error-nested.json", "APIG.0301", "Incorrect IAM authentication information: decrypt token fail", None),
            ("error-flat.json", "APIG.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:60,time:1 minute", None),
            ("error-camel.json", "CPS.0013", "Insufficient permissions.", None),
        ];
        for (file, code, msg, request_id) in cases {
            let found = parse_error_body(&fixture(file));
            assert_eq!(found.code.as_deref(), Some(code), "{file}");
            assert_eq!(found.message.as_deref(), Some(msg), "{file}");
            assert_eq!(found.request_id.as_deref(), request_id, "{file}");
        }
    }

    #[test]
    fn finds_nothing_in_html_empty_or_odd_bodies() {
        for body in [
            fixture("error-proxy.html"),
            Vec::new(),
            b"null".to_vec(),
            b"[1,2]".to_vec(),
            b"\"text\"".to_vec(),
            b"{\"error\":\"plain string\"}".to_vec(),
            b"{\"error_code\":\"\",\"error_msg\":\"\"}".to_vec(),
            b"{\"error_code\":{},\"error_msg\":[]}".to_vec(),
            b"{\"error_code\":\"X\"".to_vec(),
        ] {
            assert_eq!(
                parse_error_body(&body),
                ServiceError::default(),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
    }

    #[test]
    fn accepts_numeric_codes_and_caps_long_messages() {
        let found = parse_error_body(br#"{"code":401,"message":"denied"}"#);
        assert_eq!(found.code.as_deref(), Some("401"));
        let long = "é".repeat(2000);
        let found =
            parse_error_body(format!(r#"{{"error_code":"X","error_msg":"{long}"}}"#).as_bytes());
        let msg = found.message.unwrap();
        assert!(msg.len() <= cph_jobs::MAX_SERVICE_MESSAGE_BYTES + '…'.len_utf8());
        assert!(msg.ends_with('…'));
        let huge = format!(
            r#"{{"error_code":"X","error_msg":"{}"}}"#,
            "a".repeat(cph_jobs::MAX_ERROR_BODY_BYTES)
        );
        assert_eq!(parse_error_body(huge.as_bytes()), ServiceError::default());
    }

    #[test]
    fn maps_statuses_to_kinds() {
        let ok = decode_response(200, Some("hdr"), &fixture("doc-example.json")).unwrap();
        assert_eq!(ok.jobs.len(), 2);

        let err = decode_response(401, Some("hdr-rid"), &fixture("error-nested.json")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Http);
        assert_eq!(err.status(), Some(401));
        assert_eq!(err.error_code(), Some("APIG.0301"));
        assert_eq!(err.request_id(), Some("hdr-rid"));
        assert_eq!(
            err.message(),
            "HTTP 401 Unauthorized: APIG.0301 Incorrect IAM authentication information: decrypt token fail"
        );

        let err = decode_response(404, None, &fixture("error-snake.json")).unwrap_err();
        assert_eq!(
            err.request_id(),
            Some("body-rid-1"),
            "the body's id when there is no header"
        );
        let err = decode_response(404, Some(""), &fixture("error-snake.json")).unwrap_err();
        assert_eq!(
            err.request_id(),
            Some("body-rid-1"),
            "an empty header does not count"
        );

        let err = decode_response(502, None, &fixture("error-proxy.html")).unwrap_err();
        assert_eq!(
            (err.kind(), err.status(), err.error_code()),
            (ErrorKind::Http, Some(502), None)
        );
        assert_eq!(
            err.message(),
            "HTTP 502 Bad Gateway (the body carries no service error)"
        );

        let err = decode_response(599, None, b"").unwrap_err();
        assert_eq!(
            err.message(),
            "HTTP 599 (the body carries no service error)"
        );

        for status in [301, 302, 303, 307, 308] {
            let err = decode_response(status, None, b"").unwrap_err();
            assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(status)));
            assert!(err.message().contains("redirect"));
        }

        let err = decode_response(200, Some("hdr"), b"<html>").unwrap_err();
        assert_eq!(
            (err.kind(), err.status(), err.request_id()),
            (ErrorKind::Decode, Some(200), Some("hdr"))
        );
        let err = decode_response(204, None, b"").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
    }

    #[test]
    fn scrubs_the_token_from_server_text_before_reading_it() {
        // Real IAM tokens run to kilobytes: longer than the message cut, so
        // scrubbing after the cut would leave most of the token behind.
        let long_token = format!("MIIT{}", "x7Q".repeat(2000));
        for token in [TOKEN, long_token.as_str(), "abc"] {
            let request = ListJobsRequest::new("https://h", "p", "r", token).unwrap();
            let body = format!(
                r#"{{"error_code":"X{token}","error_msg":"token {token} refused","request_id":"{token}"}}"#
            );
            let err = request
                .decode_response(403, None, body.as_bytes())
                .unwrap_err();
            let header = format!("id-{token}");
            let err2 = request
                .decode_response(502, Some(&header), b"<html>")
                .unwrap_err();
            for text in [err.to_string(), format!("{err:?}"), format!("{err2:?}")] {
                assert!(!text.contains(token), "{text}");
                assert!(text.contains(cph_jobs::REDACTED), "{text}");
            }
        }
    }

    // Found by tests/props.rs (an_echoed_token_never_reaches_the_error): the
    // raw body was scrubbed, but JSON may spell the token with escapes, and
    // the reader then wrote the token itself into the error.
    #[test]
    fn scrubs_a_token_the_body_spells_with_json_escapes() {
        // Base64 tokens have '/', which many JSON writers send as "\/".
        let token = "MIIT/aGVsbG8+d29ybGQ=";
        let escaped_slash = token.replace('/', "\\/");
        let unicode: String = token
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        let request = ListJobsRequest::new("https://h", "p", "r", token).unwrap();
        for spelled in [escaped_slash.as_str(), unicode.as_str()] {
            // Past the message cut too: no prefix of the token is left there.
            let padding = "m".repeat(500);
            let body = format!(
                r#"{{"error":{{"code":"C{spelled}","message":"{padding}{spelled}"}},"request_id":"{spelled}"}}"#
            );
            let err = request
                .decode_response(401, None, body.as_bytes())
                .unwrap_err();
            for text in [
                err.to_string(),
                format!("{err:?}"),
                err.error_code().unwrap().to_owned(),
                err.request_id().unwrap().to_owned(),
            ] {
                assert!(!text.contains(&token[..8]), "{text}");
                assert!(text.contains(cph_jobs::REDACTED), "{text}");
            }
            assert!(!err.error_msg().unwrap().contains(&token[..8]));
        }
        // Without a token to scrub, the reader keeps the text as sent.
        let plain =
            cph_jobs::parse_error_body(format!(r#"{{"code":"{escaped_slash}"}}"#).as_bytes());
        assert_eq!(plain.code.as_deref(), Some(token));
    }

    // Found by tests/props.rs too: the marker and the text beside it can spell
    // a token that starts with "]" or ends with "[" all over again.
    #[test]
    fn scrubs_a_token_that_the_marker_spells_again() {
        for (token, text) in [("]tok-1", "]tok-1tok-1"), ("tok-1[", "tok-1tok-1[")] {
            assert_eq!(cph_jobs::redact(text, token), cph_jobs::REDACTED);
            assert_eq!(
                &*cph_jobs::redact_bytes(text.as_bytes(), token),
                cph_jobs::REDACTED.as_bytes()
            );
            let request = ListJobsRequest::new("https://h", "p", "r", token).unwrap();
            for status in [200, 302, 503] {
                let body = format!(r#"{{"code":"{text}","message":"{text}"}}"#);
                let err = request
                    .decode_response(status, Some(text), body.as_bytes())
                    .unwrap_err();
                assert!(!format!("{err:?}").contains(token), "{err:?}");
            }
        }
    }

    #[test]
    fn redacts_text_and_bytes() {
        assert_eq!(
            cph_jobs::redact("a SECRET b SECRET", "SECRET"),
            "a [REDACTED] b [REDACTED]"
        );
        assert_eq!(cph_jobs::redact("nothing here", "SECRET"), "nothing here");
        assert_eq!(cph_jobs::redact("x", ""), "x");
        assert_eq!(
            &*cph_jobs::redact_bytes(b"\xffSECRET\xfe", "SECRET"),
            b"\xff[REDACTED]\xfe"
        );
        assert_eq!(&*cph_jobs::redact_bytes(b"SECRE", "SECRET"), b"SECRE");
        assert_eq!(
            &*cph_jobs::redact_bytes(b"SSECRETT", "SECRET"),
            b"S[REDACTED]T"
        );
    }

    #[test]
    fn admits_bodies_by_size() {
        use cph_jobs::{admit_body, MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES};
        let max = MAX_RESPONSE_BYTES as u64;
        assert!(admit_body(200, 0, max).unwrap());
        assert!(admit_body(200, max, max).unwrap());
        let err = admit_body(200, max + 1, max).unwrap_err();
        assert_eq!((err.kind(), err.status()), (ErrorKind::Decode, Some(200)));
        assert!(err
            .message()
            .contains("larger than maxResponseBytes (8388608 bytes)"));
        let err = admit_body(200, 1001, 1000).unwrap_err();
        assert!(
            err.message().contains("(1000 bytes)"),
            "the caller's cap is named"
        );
        assert!(
            admit_body(404, MAX_ERROR_BODY_BYTES as u64, 10).unwrap(),
            "error bodies have their own cap"
        );
        assert!(
            !admit_body(502, MAX_ERROR_BODY_BYTES as u64 + 1, max).unwrap(),
            "too big to hold a code; not read"
        );
        assert!(!admit_body(502, u64::MAX, max).unwrap());
    }

    #[test]
    fn reads_a_body_whole_only_when_its_length_bounds_it() {
        use cph_jobs::length_bounds_body;
        assert!(length_bounds_body(Some(100), 1000, None, false));
        assert!(length_bounds_body(
            Some(100),
            1000,
            Some(" Identity "),
            false
        ));
        assert!(
            !length_bounds_body(None, 1000, None, false),
            "no length: stream"
        );
        assert!(!length_bounds_body(Some(0), 1000, None, false));
        assert!(!length_bounds_body(Some(1001), 1000, None, false));
        assert!(
            !length_bounds_body(Some(100), 1000, Some("gzip"), false),
            "counts compressed bytes"
        );
        assert!(
            !length_bounds_body(Some(100), 1000, None, true),
            "Content-Encoding may be hidden"
        );
    }

    #[test]
    fn kinds_have_their_javascript_names() {
        let names: Vec<&str> = [
            ErrorKind::InvalidInput,
            ErrorKind::Network,
            ErrorKind::Timeout,
            ErrorKind::Aborted,
            ErrorKind::Http,
            ErrorKind::Decode,
        ]
        .iter()
        .map(|k| k.as_str())
        .collect();
        assert_eq!(
            names,
            [
                "invalid-input",
                "network",
                "timeout",
                "aborted",
                "http",
                "decode"
            ]
        );
    }
}
