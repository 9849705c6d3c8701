//! The proxy's checks, natively: what is forwarded, and what is refused with
//! nothing sent upstream.
// On wasm32 the module exists only with the `proxy` feature.
#![cfg(any(not(target_arch = "wasm32"), feature = "proxy"))]

use cph_jobs::proxy::{Incoming, Outcome, ProxyRoute, Verdict, MAX_HEADER_BYTES};
use cph_jobs::Header;

const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const CONSOLE: &str = "https://console.example.com";

fn route() -> ProxyRoute {
    ProxyRoute::new("http://127.0.0.1:9", "/cph-proxy", &[CONSOLE]).unwrap()
}

fn jobs(query: &str) -> String {
    format!("/cph-proxy/v1/{PROJECT}/cloud-phone/jobs?{query}")
}

/// The request's headers as the proxy takes them.
fn named<'a>(headers: &[(&'a str, &'a str)]) -> Vec<Header<&'a str, &'a str>> {
    headers
        .iter()
        .map(|&(name, value)| Header::new(name, value))
        .collect()
}

fn check(method: &str, target: &str, headers: &[(&str, &str)]) -> Verdict {
    route().check(&Incoming {
        method,
        target,
        headers: &named(headers),
        has_body: false,
        own_origin: None,
    })
}

fn status(verdict: &Verdict) -> u16 {
    match &verdict.outcome {
        Outcome::Refuse(refusal) => refusal.status,
        Outcome::Forward { .. } => 200,
        Outcome::Preflight => 204,
    }
}

/// A hostile request: method, target, headers, and the status it must get.
type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, u16);

const TOKEN: (&str, &str) = ("X-Auth-Token", "my-iam-token");

#[test]
fn forwards_the_call_rebuilt_with_only_the_token_and_request_id() {
    let verdict = check(
        "GET",
        &jobs("limit=10&request_id=doc-example&offset=20"),
        &[
            TOKEN,
            ("Cookie", "session=1"),
            ("Authorization", "Basic x"),
            ("X-Request-Id", "abc-123"),
            ("Host", "evil.example"),
        ],
    );
    let Outcome::Forward {
        url,
        headers,
        log_target,
    } = verdict.outcome
    else {
        panic!("{verdict:?}")
    };
    assert_eq!(
        url,
        format!("http://127.0.0.1:9/v1/{PROJECT}/cloud-phone/jobs?request_id=doc-example&offset=20&limit=10")
    );
    assert_eq!(
        headers,
        [
            Header::new("X-Auth-Token", "my-iam-token".to_owned()),
            Header::new("X-Request-Id", "abc-123".to_owned())
        ]
    );
    assert_eq!(
        log_target,
        format!(
            "/cph-proxy/v1/{PROJECT}/cloud-phone/jobs?request_id=doc-example&offset=20&limit=10"
        )
    );
    assert_eq!(verdict.cors_origin, None);
}

#[test]
fn request_ids_and_redaction() {
    let incoming = jobs("request_ids=a%2Cb,c");
    let verdict = route().check_with(
        &Incoming {
            method: "GET",
            target: &incoming,
            headers: &named(&[TOKEN]),
            has_body: false,
            own_origin: None,
        },
        true,
    );
    let Outcome::Forward {
        url, log_target, ..
    } = verdict.outcome
    else {
        panic!("{verdict:?}")
    };
    assert!(
        url.ends_with("/cloud-phone/jobs?request_ids=a,b,c"),
        "{url}"
    );
    assert_eq!(log_target, "/cph-proxy/v1/*/cloud-phone/jobs?request_ids=*");
}

#[test]
fn cors_for_allowed_origins_only() {
    let preflight = [
        ("Origin", CONSOLE),
        ("Access-Control-Request-Method", "GET"),
        ("Access-Control-Request-Headers", "x-auth-token"),
    ];
    let verdict = check("OPTIONS", &jobs("request_id=a"), &preflight);
    assert_eq!(verdict.outcome, Outcome::Preflight);
    assert_eq!(verdict.cors_origin.as_deref(), Some(CONSOLE));

    let mut other = preflight;
    other[0].1 = "https://evil.example";
    let verdict = check("OPTIONS", &jobs("request_id=a"), &other);
    assert_eq!(status(&verdict), 403);
    assert_eq!(verdict.cors_origin, None);

    let verdict = check(
        "GET",
        &jobs("request_id=a"),
        &[TOKEN, ("Origin", "https://evil.example")],
    );
    assert_eq!(status(&verdict), 403);
}

#[test]
fn hostile_requests_are_refused() {
    let long_query = jobs(&format!("request_id=a&x={}", "y".repeat(5000)));
    let big = "z".repeat(MAX_HEADER_BYTES);
    let cases: Vec<Case> = vec![
        ("POST", jobs("request_id=a"), vec![TOKEN], 405),
        ("HEAD", jobs("request_id=a"), vec![TOKEN], 405),
        (
            "GET",
            "/cph-proxy/v1/p/cloud-phone/phones".into(),
            vec![TOKEN],
            404,
        ),
        (
            "GET",
            "/v1/p/cloud-phone/jobs?request_id=a".into(),
            vec![TOKEN],
            404,
        ),
        (
            "GET",
            format!("/cph-proxy/v1/{PROJECT}/cloud-phone/x/../jobs?request_id=a"),
            vec![TOKEN],
            400,
        ),
        (
            "GET",
            format!("/cph-proxy/v1/{PROJECT}/cloud-phone/x/%2e%2e/jobs?request_id=a"),
            vec![TOKEN],
            400,
        ),
        (
            "GET",
            format!("/cph-proxy/v1/{PROJECT}%2fcloud-phone/jobs?request_id=a"),
            vec![TOKEN],
            400,
        ),
        ("GET", jobs("request_id=a&request_id=b"), vec![TOKEN], 400),
        ("GET", jobs("request_id=a&request_ids=b"), vec![TOKEN], 400),
        ("GET", jobs("request_id=a&marker=1"), vec![TOKEN], 400),
        ("GET", jobs("request_id=a&limit=1e2"), vec![TOKEN], 400),
        ("GET", jobs("request_id=a&limit=101"), vec![TOKEN], 400),
        ("GET", jobs("request_id=a%26x%3D1"), vec![TOKEN], 400),
        (
            "GET",
            format!("http://evil.example{}", jobs("request_id=a")),
            vec![TOKEN],
            400,
        ),
        (
            "GET",
            jobs("request_id=a"),
            vec![TOKEN, ("Host", "a"), ("host", "b")],
            400,
        ),
        (
            "GET",
            jobs("request_id=a"),
            vec![TOKEN, ("Host", "evil.example/x@y")],
            400,
        ),
        (
            "GET",
            jobs("request_id=a"),
            vec![TOKEN, ("X-Original-URL", "/admin")],
            400,
        ),
        (
            "GET",
            jobs("request_id=a"),
            vec![("X-Auth-Token", "a\r\nX: b")],
            400,
        ),
        (
            "GET",
            jobs("request_id=a"),
            vec![TOKEN, ("X-Auth-Token", "other")],
            400,
        ),
        (
            "GET",
            jobs("request_id=a"),
            vec![TOKEN, ("Cookie", big.as_str())],
            431,
        ),
        ("GET", long_query, vec![TOKEN], 414),
        ("GET", jobs("request_id=a"), vec![], 401),
    ];
    for (method, target, headers, expected) in cases {
        let verdict = check(method, &target, &headers);
        assert_eq!(
            status(&verdict),
            expected,
            "{method} {target:.120} {headers:.80?}"
        );
        if let Outcome::Refuse(refusal) = &verdict.outcome {
            assert!(refusal
                .to_json()
                .starts_with("{\"error_code\":\"CPH.PROXY."));
            assert!(!refusal.error_msg.contains("my-iam-token"));
        }
    }
    let body = route().check(&Incoming {
        method: "GET",
        target: &jobs("request_id=a"),
        headers: &named(&[TOKEN]),
        has_body: true,
        own_origin: None,
    });
    assert_eq!(status(&body), 400);
}

#[test]
fn the_upstream_and_origins_are_checked_at_construction() {
    assert!(ProxyRoute::new("http://cph.example.com", "", &[]).is_err());
    assert!(ProxyRoute::new("https://cph.example.com", "no-slash", &[]).is_err());
    assert!(ProxyRoute::new("https://cph.example.com", "/a/../b", &[]).is_err());
    assert!(ProxyRoute::new("https://cph.example.com", "", &["*"]).is_err());
    assert!(ProxyRoute::new("https://cph.example.com", "", &["https://a.example/path"]).is_err());
    assert!(ProxyRoute::new("https://cph.example.com", "", &["http://intranet:8080"]).is_ok());
    assert!(ProxyRoute::for_region("mars-1", "", &[]).is_err());
    let region = ProxyRoute::for_region("cn-north-4", "/", &[]).unwrap();
    assert_eq!(
        region.upstream(),
        "https://cph.cn-north-4.myhuaweicloud.com"
    );
}
