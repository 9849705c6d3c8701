//! Property tests of the sans-IO core, with proptest:
//!
//! * the ListJobs decoder and the error-body parser never panic, on arbitrary
//!   bytes, on JSON-like token soup and on mutated valid documents, and their
//!   errors always render;
//! * valid documents round-trip: decode(encode(x)) == x, with the wire text
//!   written by a test encoder that picks escapes, white space and field order
//!   at random, and the camelCase `to_json()` reads back to the same values;
//! * the validators accept exactly their documented grammar, checked against
//!   oracles written here on inputs drawn from the grammar and near misses;
//! * no accepted input changes the path or the query structure of the URL;
//! * however a server echoes the token (JSON escapes, overlapping copies),
//!   it never comes back in an error;
//! * the AK/SK signer's canonical forms keep their rules on any input, and
//!   signing never panics or shows the secret key.
//!
//! The case counts keep the file to seconds; `PROPTEST_CASES=N cargo test
//! --test props` runs N cases of every property instead.
#![cfg(not(target_arch = "wasm32"))]

use std::net::Ipv6Addr;

use cph_jobs::{
    decode_list_jobs, decode_list_jobs_json, decode_response, parse_error_body, validate_id,
    validate_timeout_ms, validate_token, Endpoint, Error, ErrorKind, Job, JobStatus,
    ListJobsRequest, ListJobsResponse, ServiceError, MAX_SERVICE_MESSAGE_BYTES, MAX_TIMEOUT_MS,
};
use proptest::prelude::*;
use proptest::sample::Index;

/// `cases` per property, unless `PROPTEST_CASES` asks for another number.
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}

/// `Number.MAX_SAFE_INTEGER`: the documented status range is ±this.
const MAX_SAFE: i64 = (1 << 53) - 1;

const OPTIONAL_WIRE: [&str; 10] = [
    "phone_id",
    "server_id",
    "node_id",
    "encode_server_id",
    "begin_time",
    "end_time",
    "error_code",
    "error_msg",
    "execute_msg",
    "request_id",
];
const OPTIONAL_CAMEL: [&str; 10] = [
    "phoneId",
    "serverId",
    "nodeId",
    "encodeServerId",
    "beginTime",
    "endTime",
    "errorCode",
    "errorMsg",
    "executeMsg",
    "requestId",
];
const JOB_KEYS: &[&str] = &[
    "job_id",
    "status",
    "phone_id",
    "server_id",
    "node_id",
    "encode_server_id",
    "begin_time",
    "end_time",
    "error_code",
    "error_msg",
    "execute_msg",
    "request_id",
];
const TOP_KEYS: &[&str] = &["request_id", "jobs"];

// ---------------------------------------------------------------------------
// A wire encoder that varies everything JSON lets vary.

/// xorshift64*: the encoder's choices, reproducible from a generated seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

fn ws(out: &mut String, rng: &mut Rng) {
    out.push_str(["", "", "", " ", "\n", "\t", "\r\n  "][rng.below(7)]);
}

fn hex_escape(out: &mut String, unit: u16, rng: &mut Rng) {
    let hex = format!("\\u{unit:04x}");
    if rng.one_in(2) {
        out.push_str(&hex.to_ascii_uppercase().replace("\\U", "\\u"));
    } else {
        out.push_str(&hex);
    }
}

/// `s` as a JSON string literal: what must be escaped is, in either of its
/// forms, and any other character may be written as `\uXXXX` (a surrogate
/// pair beyond the BMP) or, for `/`, as `\/`.
fn encode_str(out: &mut String, s: &str, rng: &mut Rng) {
    out.push('"');
    for c in s.chars() {
        let as_unicode = rng.one_in(8);
        let short = match c {
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{8}' => Some('b'),
            '\u{c}' => Some('f'),
            '\n' => Some('n'),
            '\r' => Some('r'),
            '\t' => Some('t'),
            '/' if rng.one_in(3) => Some('/'),
            _ => None,
        };
        match short {
            Some(letter) if !as_unicode => {
                out.push('\\');
                out.push(letter);
            }
            _ if as_unicode || c < ' ' || short.is_some() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    hex_escape(out, *unit, rng);
                }
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

fn encoded(s: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    encode_str(&mut out, s, rng);
    out
}

/// An object of already-encoded values, in a random order.
fn encode_object(out: &mut String, mut fields: Vec<(String, String)>, rng: &mut Rng) {
    for i in (1..fields.len()).rev() {
        fields.swap(i, rng.below(i + 1));
    }
    out.push('{');
    ws(out, rng);
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
            ws(out, rng);
        }
        encode_str(out, key, rng);
        ws(out, rng);
        out.push(':');
        ws(out, rng);
        out.push_str(value);
        ws(out, rng);
    }
    out.push('}');
}

/// An optional field as the wire may carry it.
#[derive(Debug, Clone)]
enum Opt {
    Missing,
    Null,
    Text(String),
}

#[derive(Debug, Clone)]
struct WireJob {
    job_id: String,
    status: i64,
    optional: [Opt; 10],
    /// Unknown fields: a key and a JSON value, already written.
    extras: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
struct WireDoc {
    request_id: String,
    jobs: Vec<WireJob>,
    extras: Vec<(String, String)>,
    seed: u64,
    bom: bool,
}

impl WireDoc {
    /// The snake_case wire text, with a BOM when `bom` is set.
    fn encode(&self) -> Vec<u8> {
        let mut rng = Rng::new(self.seed);
        let mut jobs = String::from("[");
        ws(&mut jobs, &mut rng);
        for (i, job) in self.jobs.iter().enumerate() {
            if i > 0 {
                jobs.push(',');
                ws(&mut jobs, &mut rng);
            }
            let mut fields = vec![
                ("job_id".to_owned(), encoded(&job.job_id, &mut rng)),
                ("status".to_owned(), job.status.to_string()),
            ];
            for (name, value) in OPTIONAL_WIRE.iter().zip(&job.optional) {
                match value {
                    Opt::Missing => {}
                    Opt::Null => fields.push((name.to_string(), "null".to_owned())),
                    Opt::Text(s) => fields.push((name.to_string(), encoded(s, &mut rng))),
                }
            }
            fields.extend(job.extras.iter().cloned());
            encode_object(&mut jobs, fields, &mut rng);
        }
        jobs.push(']');
        let mut fields = vec![
            ("request_id".to_owned(), encoded(&self.request_id, &mut rng)),
            ("jobs".to_owned(), jobs),
        ];
        fields.extend(self.extras.iter().cloned());
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        ws(&mut out, &mut rng);
        encode_object(&mut out, fields, &mut rng);
        ws(&mut out, &mut rng);
        out.into_bytes()
    }

    /// The value the wire text stands for.
    fn model(&self) -> ListJobsResponse {
        let jobs = self
            .jobs
            .iter()
            .map(|wire| {
                let mut job = Job::new(wire.job_id.clone(), JobStatus::from_code(wire.status));
                let slots = [
                    &mut job.phone_id,
                    &mut job.server_id,
                    &mut job.node_id,
                    &mut job.encode_server_id,
                    &mut job.begin_time,
                    &mut job.end_time,
                    &mut job.error_code,
                    &mut job.error_msg,
                    &mut job.execute_msg,
                    &mut job.request_id,
                ];
                for (slot, value) in slots.into_iter().zip(&wire.optional) {
                    if let Opt::Text(s) = value {
                        *slot = Some(s.clone());
                    }
                }
                job
            })
            .collect();
        ListJobsResponse {
            request_id: self.request_id.clone(),
            jobs,
        }
    }
}

/// The camelCase document `to_json()` must write, built from the fields.
fn camel_value(response: &ListJobsResponse) -> serde_json::Value {
    use serde_json::{Map, Value};
    let jobs = response
        .jobs
        .iter()
        .map(|job| {
            let mut object = Map::new();
            object.insert("jobId".into(), Value::from(job.job_id.clone()));
            object.insert("status".into(), Value::from(job.status.code()));
            let values = [
                &job.phone_id,
                &job.server_id,
                &job.node_id,
                &job.encode_server_id,
                &job.begin_time,
                &job.end_time,
                &job.error_code,
                &job.error_msg,
                &job.execute_msg,
                &job.request_id,
            ];
            for (name, value) in OPTIONAL_CAMEL.iter().zip(values) {
                if let Some(v) = value {
                    object.insert(name.to_string(), Value::from(v.clone()));
                }
            }
            Value::Object(object)
        })
        .collect();
    let mut top = Map::new();
    top.insert("requestId".into(), Value::from(response.request_id.clone()));
    top.insert("jobs".into(), Value::Array(jobs));
    Value::Object(top)
}

// ---------------------------------------------------------------------------
// Strategies for documents.

/// Text with what JSON makes hard: quotes, backslashes, control characters,
/// line separators, a BOM, non-BMP characters.
fn text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '"',
        '\\',
        '/',
        '\n',
        '\r',
        '\t',
        '\u{0}',
        '\u{8}',
        '\u{c}',
        '\u{1f}',
        '\u{7f}',
        '\u{2028}',
        '\u{2029}',
        '\u{feff}',
        '\u{fffd}',
        'é',
        '重',
        '🚀',
        '\u{10ffff}',
    ]);
    let c = prop_oneof![
        4 => any::<char>(),
        4 => proptest::char::range(' ', '~'),
        2 => special,
    ];
    prop::collection::vec(c, 0..20).prop_map(String::from_iter)
}

fn status() -> impl Strategy<Value = i64> {
    prop_oneof![
        2 => prop::sample::select(vec![
            1, 2, -1, 0, 3, MAX_SAFE, -MAX_SAFE, MAX_SAFE - 1, 1 - MAX_SAFE
        ]),
        3 => -MAX_SAFE..=MAX_SAFE,
        1 => -1000i64..1000,
    ]
}

fn opt_field() -> impl Strategy<Value = Opt> {
    prop_oneof![
        Just(Opt::Missing),
        Just(Opt::Null),
        text().prop_map(Opt::Text)
    ]
}

/// A key that is none of `known` after unescaping; the near ones (other
/// case, camelCase, a trailing space) must be ignored like any other.
fn extra_key(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        text(),
        prop::sample::select(vec![
            "Status",
            "JOB_ID",
            "jobId",
            "requestId",
            "phoneId",
            "job_id ",
            "jobs2",
            "errorMsg",
            "error",
            "code",
            "request_id\u{0}",
            "",
        ])
        .prop_map(String::from),
    ]
    .prop_map(move |k| {
        if known.contains(&k.as_str()) {
            format!("{k}!")
        } else {
            k
        }
    })
}

/// Any JSON value, as text, for unknown fields.
fn unknown_json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,6})?([eE][+-]?[0-9]{1,4})?",
        (text(), any::<u64>()).prop_map(|(s, seed)| encoded(&s, &mut Rng::new(seed))),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            (prop::collection::vec((text(), inner), 0..4), any::<u64>()).prop_map(
                |(fields, seed)| {
                    let mut out = String::new();
                    encode_object(&mut out, fields, &mut Rng::new(seed));
                    out
                }
            ),
        ]
    })
}

fn wire_job() -> impl Strategy<Value = WireJob> {
    (
        text(),
        status(),
        prop::array::uniform10(opt_field()),
        prop::collection::vec((extra_key(JOB_KEYS), unknown_json()), 0..3),
    )
        .prop_map(|(job_id, status, optional, extras)| WireJob {
            job_id,
            status,
            optional,
            extras,
        })
}

fn wire_doc() -> impl Strategy<Value = WireDoc> {
    (
        text(),
        prop::collection::vec(wire_job(), 0..5),
        prop::collection::vec((extra_key(TOP_KEYS), unknown_json()), 0..3),
        any::<u64>(),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(request_id, jobs, extras, seed, bom)| WireDoc {
            request_id,
            jobs,
            extras,
            seed,
            bom,
        })
}

/// Byte-level edits: truncate, delete, insert, overwrite, copy a slice.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Index),
    Remove(Index),
    Insert(Index, u8),
    Replace(Index, u8),
    Duplicate(Index, Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![
        3 => prop::sample::select(b"{}[]\",:0-9.eE\\u/ntfl \t\n\x00\x1f\x7f\xc3\xa9\xef\xbb\xbf\xed\xa0\x80\xff".to_vec()),
        1 => any::<u8>(),
    ];
    prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        any::<Index>().prop_map(Mutation::Remove),
        (any::<Index>(), byte.clone()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), byte).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, c)| Mutation::Duplicate(a, b, c)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        if bytes.is_empty() {
            return;
        }
        let len = bytes.len();
        match m {
            Mutation::Truncate(i) => bytes.truncate(i.index(len)),
            Mutation::Remove(i) => {
                bytes.remove(i.index(len));
            }
            Mutation::Insert(i, b) => bytes.insert(i.index(len + 1), *b),
            Mutation::Replace(i, b) => bytes[i.index(len)] = *b,
            Mutation::Duplicate(from, size, to) => {
                let start = from.index(len);
                let end = start + size.index(len - start + 1).min(64);
                let slice = bytes[start..end].to_vec();
                let at = to.index(len + 1);
                bytes.splice(at..at, slice);
            }
        }
    }
}

/// JSON tokens, for token soup that gets further into the decoder than
/// random bytes do.
fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    let token = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\"",
        "\"request_id\"",
        "\"jobs\"",
        "\"job_id\"",
        "\"status\"",
        "\"phone_id\"",
        "\"error\"",
        "\"error_code\"",
        "\"error_msg\"",
        "\"code\"",
        "\"message\"",
        "\"errorCode\"",
        "\"x\"",
        "\"\\u00e9\"",
        "\"\\ud83d\"",
        "\"\\ud83d\\ude80\"",
        "\"\\q\"",
        "null",
        "true",
        "false",
        "nul",
        "1",
        "2",
        "-1",
        "-0",
        "0.5",
        "1e3",
        "9007199254740991",
        "9007199254740992",
        "-9223372036854775808",
        "99999999999999999999",
        "\u{feff}",
        "\\",
        "é",
        "\u{0}",
    ]);
    prop::collection::vec(token, 0..48).prop_map(|tokens| tokens.concat().into_bytes())
}

// ---------------------------------------------------------------------------
// What every decode must satisfy, whatever the input.

/// Decode errors are built from fixed text, field names and positions only:
/// printable ASCII on one line, so they cannot carry body text (or a token a
/// server echoed) into a log.
fn assert_renders_without_body_text(error: &Error) {
    let text = error.to_string();
    assert!(!text.is_empty());
    assert!(
        text.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "not printable ASCII: {text:?}"
    );
    assert!(!format!("{error:?}").is_empty());
}

/// The decoder's invariants, and agreement with serde_json on which
/// documents are ListJobs documents and what they hold.
fn check_list_jobs(body: &[u8]) {
    let ours = decode_list_jobs(body);
    check_json_decoder(body, &ours);
    match &ours {
        Ok(response) => {
            let written: serde_json::Value =
                serde_json::from_str(&response.to_json()).expect("to_json() writes valid JSON");
            assert_eq!(written, camel_value(response));
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Decode);
            assert_renders_without_body_text(e);
        }
    }
    // serde_json refuses a BOM; the crate skips one.
    let plain = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let reference = serde_json::from_slice::<ListJobsResponse>(plain);
    match (&ours, &reference) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        // Intended differences: serde_json skips unknown strings without
        // checking their UTF-8, and gives up past 128 levels of nesting.
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
}

/// The decoder that writes JSON text straight from the body (what the
/// JavaScript API parses) says exactly what decoding then `to_json` says:
/// the same bytes, or the same error; with an attribution too.
fn check_json_decoder(body: &[u8], typed: &Result<ListJobsResponse, Error>) {
    let text = decode_list_jobs_json(body, None);
    assert_eq!(
        text,
        typed
            .as_ref()
            .map(ListJobsResponse::to_json)
            .map_err(Clone::clone)
    );
    // An id the service would issue, and one that needs escapes.
    for id in ["rid-1", "q\"b\\s\n"] {
        let attributed = decode_list_jobs_json(body, Some(id));
        let expected = typed.clone().map(|mut response| {
            cph_jobs::attribute(&mut response, &[id.to_owned()]);
            response.to_json()
        });
        assert_eq!(attributed, expected);
    }
}

fn check_service_text(value: &Option<String>) {
    if let Some(s) = value {
        assert!(!s.is_empty());
        assert!(s.len() <= MAX_SERVICE_MESSAGE_BYTES + '…'.len_utf8());
    }
}

/// The error-body parser and the status mapping, for any body.
fn check_response(status: u16, header: Option<&str>, body: &[u8]) {
    let service = parse_error_body(body);
    check_service_text(&service.code);
    check_service_text(&service.message);
    check_service_text(&service.request_id);
    let header_id = header.filter(|h| !h.is_empty());
    match decode_response(status, header, body) {
        Ok(response) => {
            assert!((200..300).contains(&status));
            assert_eq!(Ok(response), decode_list_jobs(body));
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            assert!(!format!("{e:?}").is_empty());
            assert_eq!(e.status(), Some(status));
            if (200..300).contains(&status) {
                assert_eq!(e.kind(), ErrorKind::Decode);
                assert_eq!(e.request_id(), header_id);
                assert_eq!(Err(e.message().to_owned()), {
                    decode_list_jobs(body).map_err(|e| e.message().to_owned())
                });
            } else if (300..400).contains(&status) {
                assert_eq!(e.kind(), ErrorKind::Http);
                assert_eq!(e.error_code(), None);
            } else {
                assert_eq!(e.kind(), ErrorKind::Http);
                assert_eq!(e.error_code(), service.code.as_deref());
                assert_eq!(e.error_msg(), service.message.as_deref());
                assert_eq!(e.request_id(), header_id.or(service.request_id.as_deref()));
            }
        }
    }
}

fn http_status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => prop::sample::select(vec![200u16, 201, 204, 299, 301, 302, 307, 308, 400, 401, 403, 404, 429, 500, 502, 503, 504]),
        1 => any::<u16>(),
    ]
}

proptest! {
    #![proptest_config(config(5000))]

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(
        body in prop::collection::vec(any::<u8>(), 0..256),
        status in http_status(),
        header in prop::option::of(".{0,12}"),
    ) {
        check_list_jobs(&body);
        check_response(status, header.as_deref(), &body);
    }

    #[test]
    fn decoders_never_panic_on_token_soup(body in token_soup(), status in http_status()) {
        check_list_jobs(&body);
        check_response(status, None, &body);
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn decoders_never_panic_on_mutated_documents(
        doc in wire_doc(),
        mutations in prop::collection::vec(mutation(), 1..4),
        status in http_status(),
    ) {
        let mut body = doc.encode();
        mutate(&mut body, &mutations);
        check_list_jobs(&body);
        check_response(status, Some("req-header"), &body);
    }

    #[test]
    fn valid_documents_round_trip(doc in wire_doc()) {
        let body = doc.encode();
        let expected = doc.model();
        let decoded = decode_list_jobs(&body);
        prop_assert_eq!(decoded.as_ref(), Ok(&expected), "{}", String::from_utf8_lossy(&body));
        check_json_decoder(&body, &decoded);
        prop_assert_eq!(decode_response(200, None, &body), Ok(expected.clone()));
        // serde_json agrees on the wire text (it has no BOM support).
        let plain = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
        let reference: ListJobsResponse = serde_json::from_slice(plain).unwrap();
        prop_assert_eq!(&reference, &expected);
        // The camelCase writer: serde_json reads back the same values, the
        // same document serde would write.
        let written: serde_json::Value = serde_json::from_str(&expected.to_json()).unwrap();
        prop_assert_eq!(&written, &camel_value(&expected));
        prop_assert_eq!(&written, &serde_json::to_value(&expected).unwrap());
    }

}

proptest! {
    // Narrow properties: each case changes one status of a document.
    #![proptest_config(config(500))]

    #[test]
    fn statuses_beyond_safe_integers_are_refused(
        doc in wire_doc().prop_filter("has a job", |d| !d.jobs.is_empty()),
        which in any::<Index>(),
        status in prop_oneof![
            (MAX_SAFE as i128 + 1..=i128::from(u64::MAX) * 1000).prop_map(|n| n.to_string()),
            (MAX_SAFE as i128 + 1..=i128::from(u64::MAX) * 1000).prop_map(|n| format!("-{n}")),
            "[1-9][0-9]{20,40}",
            prop::sample::select(vec!["9007199254740992", "-9007199254740992",
                "9223372036854775807", "-9223372036854775808", "18446744073709551616"])
                .prop_map(String::from),
        ],
    ) {
        let mut doc = doc;
        let index = which.index(doc.jobs.len());
        // A marker status, swapped for the out-of-range text after encoding.
        doc.jobs[index].status = 424_242_424_242;
        let body = String::from_utf8(doc.encode()).unwrap();
        let body = body.replace("424242424242", &status);
        let error = decode_list_jobs(body.as_bytes()).unwrap_err();
        prop_assert_eq!(error.kind(), ErrorKind::Decode);
        let path = format!("at jobs[{index}].status: status is out of range");
        prop_assert!(error.message().contains(&path), "{}", error);
    }

    #[test]
    fn non_integer_statuses_are_refused(
        doc in wire_doc().prop_filter("has a job", |d| !d.jobs.is_empty()),
        which in any::<Index>(),
        status in prop_oneof![
            "-?(0|[1-9][0-9]{0,5})\\.[0-9]{1,4}",
            "-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,4})?[eE][+-]?[0-9]{1,3}",
            Just("-0".to_owned()),
        ],
    ) {
        let mut doc = doc;
        let index = which.index(doc.jobs.len());
        doc.jobs[index].status = 424_242_424_242;
        let body = String::from_utf8(doc.encode()).unwrap();
        let body = body.replace("424242424242", &status);
        let error = decode_list_jobs(body.as_bytes()).unwrap_err();
        let path = format!("at jobs[{index}].status: invalid type: floating point");
        prop_assert!(error.message().contains(&path), "{}", error);
    }
}

// ---------------------------------------------------------------------------
// Error bodies: every documented shape yields its code and message.

/// One way an error body may spell a code or a message.
#[derive(Debug, Clone)]
enum Scalar {
    Text(String),
    Int(i64),
    Float,
    Null,
    Object,
}

impl Scalar {
    fn encode(&self, rng: &mut Rng) -> String {
        match self {
            Scalar::Text(s) => encoded(s, rng),
            Scalar::Int(n) => n.to_string(),
            Scalar::Float => "1.5".to_owned(),
            Scalar::Null => "null".to_owned(),
            Scalar::Object => "{\"code\":\"nested\"}".to_owned(),
        }
    }

    /// What the parser reports for it: strings (cut to the cap) and
    /// integers; empty strings and everything else count as absent.
    fn expected(&self) -> Option<String> {
        match self {
            Scalar::Text(s) if s.is_empty() => None,
            Scalar::Text(s) if s.len() > MAX_SERVICE_MESSAGE_BYTES => {
                let mut end = MAX_SERVICE_MESSAGE_BYTES;
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                Some(format!("{}…", &s[..end]))
            }
            Scalar::Text(s) => Some(s.clone()),
            Scalar::Int(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

fn scalar() -> impl Strategy<Value = Scalar> {
    let long = prop::collection::vec(prop_oneof![Just('é'), Just('x'), Just('🚀')], 500..600)
        .prop_map(String::from_iter);
    prop_oneof![
        6 => text().prop_map(Scalar::Text),
        1 => long.prop_map(Scalar::Text),
        2 => any::<i64>().prop_map(Scalar::Int),
        1 => Just(Scalar::Float),
        1 => Just(Scalar::Null),
        1 => Just(Scalar::Object),
    ]
}

/// The shapes, in the order the parser prefers them.
const SHAPES: [(&str, &str); 4] = [
    ("error_code", "error_msg"),
    ("error.code", "error.message"),
    ("errorCode", "errorMsg"),
    ("code", "message"),
];

/// An error body in one or more of the shapes (or none), with unknown fields
/// around, and the service error the parser must find in it.
fn error_body() -> impl Strategy<Value = (String, ServiceError)> {
    let known: &'static [&'static str] = &[
        "error_code",
        "error_msg",
        "error",
        "errorCode",
        "errorMsg",
        "code",
        "message",
        "request_id",
    ];
    (
        prop::collection::vec(
            (
                0..SHAPES.len(),
                prop::option::of(scalar()),
                prop::option::of(scalar()),
            ),
            0..3,
        ),
        prop::option::of(scalar()),
        prop::collection::vec((extra_key(known), unknown_json()), 0..3),
        any::<u64>(),
    )
        .prop_map(|(shapes, request_id, extras, seed)| {
            // One value per shape: a later entry for the same shape replaces it.
            let mut by_shape: [Option<(Option<Scalar>, Option<Scalar>)>; 4] = Default::default();
            for (shape, code, message) in shapes {
                by_shape[shape] = Some((code, message));
            }
            let mut rng = Rng::new(seed);
            let mut fields = extras;
            let mut nested = Vec::new();
            for (shape, entry) in by_shape.iter().enumerate() {
                let Some((code, message)) = entry else {
                    continue;
                };
                for (name, value) in [(SHAPES[shape].0, code), (SHAPES[shape].1, message)] {
                    let Some(value) = value else { continue };
                    let value = value.encode(&mut rng);
                    match name.strip_prefix("error.") {
                        Some(inner) => nested.push((inner.to_owned(), value)),
                        None => fields.push((name.to_owned(), value)),
                    }
                }
            }
            if by_shape[1].is_some() {
                let mut object = String::new();
                encode_object(&mut object, nested, &mut rng);
                fields.push(("error".to_owned(), object));
            }
            if let Some(id) = &request_id {
                fields.push(("request_id".to_owned(), id.encode(&mut rng)));
            }
            let mut body = String::new();
            encode_object(&mut body, fields, &mut rng);

            let expected = |s: &Option<Scalar>| s.as_ref().and_then(Scalar::expected);
            let (code, message) = by_shape
                .iter()
                .flatten()
                .map(|(c, m)| (expected(c), expected(m)))
                .find(|(c, m)| c.is_some() || m.is_some())
                .unwrap_or_default();
            let service = ServiceError {
                code,
                message,
                request_id: expected(&request_id),
            };
            (body, service)
        })
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn error_bodies_yield_their_code_and_message((body, expected) in error_body()) {
        prop_assert_eq!(&parse_error_body(body.as_bytes()), &expected, "{}", body);
        let error = decode_response(503, None, body.as_bytes()).unwrap_err();
        prop_assert_eq!(error.error_code(), expected.code.as_deref());
        prop_assert_eq!(error.error_msg(), expected.message.as_deref());
        prop_assert_eq!(error.request_id(), expected.request_id.as_deref());
    }

    #[test]
    fn error_parser_never_panics_on_mutated_bodies(
        (body, _) in error_body(),
        mutations in prop::collection::vec(mutation(), 1..4),
        status in http_status(),
        header in prop::option::of(".{0,12}"),
    ) {
        let mut body = body.into_bytes();
        mutate(&mut body, &mutations);
        check_response(status, header.as_deref(), &body);
    }
}

// ---------------------------------------------------------------------------
// Validators against oracles of their documented grammar.

fn is_id_char(c: char) -> bool {
    matches!(c, 'A'..='Z' | 'a'..='z' | '0'..='9' | '_' | '-')
}

/// Ids: 1 to 64 of `A-Z a-z 0-9 _ -`.
fn id_oracle(s: &str) -> bool {
    let count = s.chars().count();
    (1..=64).contains(&count) && s.chars().all(is_id_char)
}

/// Tokens: non-empty printable ASCII (space to `~`), no space at either end.
fn token_oracle(s: &str) -> bool {
    let printable = |c: char| (' '..='~').contains(&c);
    !s.is_empty() && s.chars().all(printable) && !s.starts_with(' ') && !s.ends_with(' ')
}

/// Timeouts: a finite number of milliseconds in (0, 2^31 - 1], rounded up.
fn timeout_oracle(v: f64) -> Option<u32> {
    if v.is_nan() || v <= 0.0 || v > 2_147_483_647.0 {
        return None;
    }
    let whole = v.trunc();
    let up = if whole < v { whole + 1.0 } else { whole };
    Some(up as u32)
}

/// Inserts `c` into `s` at the char position `at` picks.
fn insert_char(s: &str, at: Index, c: char) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars.insert(at.index(chars.len() + 1), c);
    chars.into_iter().collect()
}

fn id() -> impl Strategy<Value = String> {
    let bad = prop::sample::select(vec![
        '/', '?', '#', '&', '=', '%', '.', ' ', '+', ':', '@', '\\', '\0', '\n', '\t', 'é',
        '\u{ff3f}', '\u{212a}', '~', '!', '\'', '*',
    ]);
    prop_oneof![
        6 => "[A-Za-z0-9_-]{1,64}",
        1 => "[A-Za-z0-9_-]{63,66}",
        1 => Just(String::new()),
        4 => ("[A-Za-z0-9_-]{0,64}", any::<Index>(), bad).prop_map(|(s, at, c)| insert_char(&s, at, c)),
        1 => prop::sample::select(vec![
            ".", "..", "a/../b", "%2e%2e", "a&request_id=b", "a#b", "a?b", "a%20b", "proj 1",
        ]).prop_map(String::from),
        1 => ".{0,70}",
    ]
}

fn token() -> impl Strategy<Value = String> {
    let bad = prop::sample::select(vec![
        '\t', '\n', '\r', '\0', '\u{7f}', '\u{80}', 'é', '\u{2028}', '\u{feff}', ' ',
    ]);
    prop_oneof![
        6 => "[ -~]{1,48}",
        4 => ("[ -~]{0,48}", any::<Index>(), bad).prop_map(|(s, at, c)| insert_char(&s, at, c)),
        1 => Just(String::new()),
        1 => ".{0,40}",
    ]
}

fn timeout_value() -> impl Strategy<Value = f64> {
    let max = f64::from(MAX_TIMEOUT_MS);
    prop_oneof![
        2 => any::<f64>(),
        2 => 0.0..3e9f64,
        1 => -10.0..10.0f64,
        1 => any::<u32>().prop_map(f64::from),
        1 => prop::sample::select(vec![
            0.0, -0.0, 1.0, 0.5, f64::MIN_POSITIVE, 5e-324, max, max - 0.5, max + 0.5,
            f64::from_bits(max.to_bits() + 1), f64::from_bits(max.to_bits() - 1),
            max + 1.0, 4294967295.0, 4294967296.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN,
            f64::MAX, -1.0,
        ]),
    ]
}

proptest! {
    #![proptest_config(config(5000))]

    #[test]
    fn ids_are_accepted_exactly_by_their_grammar(s in id()) {
        let result = validate_id("requestId", &s);
        prop_assert_eq!(result.is_ok(), id_oracle(&s), "{:?}", s);
        if let Err(e) = result {
            prop_assert_eq!(e.kind(), ErrorKind::InvalidInput);
            prop_assert!(e.message().starts_with("invalid requestId: "), "{}", e);
        }
    }

    #[test]
    fn tokens_are_accepted_exactly_by_their_grammar(s in token()) {
        let result = validate_token(&s);
        prop_assert_eq!(result.is_ok(), token_oracle(&s), "{:?}", s);
        if let Err(e) = result {
            prop_assert_eq!(e.kind(), ErrorKind::InvalidInput);
            if s.len() >= 8 {
                prop_assert!(!e.message().contains(s.as_str()));
            }
        }
    }

    #[test]
    fn timeouts_are_accepted_exactly_by_their_grammar(v in timeout_value()) {
        let result = validate_timeout_ms(v);
        prop_assert_eq!(result.as_ref().ok().copied(), timeout_oracle(v), "{:?}", v);
        if let Err(e) = result {
            prop_assert_eq!(e.kind(), ErrorKind::InvalidInput);
        }
    }
}

// ---------------------------------------------------------------------------
// Endpoints.

/// The documented endpoint grammar, read independently of `Endpoint::parse`:
/// the normalized base URL for an accepted endpoint, `None` for a refused one.
///
/// Accepted: optional surrounding space/tab/CR/LF; `https://` (any case) to
/// any host, or `http://` to a loopback host; a host that is a DNS name of
/// `A-Z a-z 0-9 - _` labels (one trailing dot allowed), a dotted-quad IPv4
/// address (no shorthand, no leading zeros) or a bracketed IPv6 address; an
/// optional port 1-65535 of at most 5 digits; an optional path of URL path
/// characters and %-escapes without `.`/`..` segments (trailing slashes
/// dropped). No user info, query, fragment or backslash anywhere.
fn endpoint_oracle(input: &str) -> Option<String> {
    let s = input.trim_matches([' ', '\t', '\n', '\r']);
    let lower = s.to_ascii_lowercase();
    let (https, rest) = if lower.starts_with("https://") {
        (true, &s[8..])
    } else if lower.starts_with("http://") {
        (false, &s[7..])
    } else {
        return None;
    };
    if rest.contains(['?', '#', '\\']) {
        return None;
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, after) = authority.split_at(close + 1);
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority.as_str(), None),
        }
    };
    if let Some(port) = port {
        let digits = port.chars().all(|c| c.is_ascii_digit());
        if !digits || port.is_empty() || port.len() > 5 {
            return None;
        }
        if !(1..=65535).contains(&port.parse::<u32>().ok()?) {
            return None;
        }
    }
    let loopback = host_oracle(host)?;
    if !https && !loopback {
        return None;
    }
    let path = path.trim_end_matches('/');
    if !path_oracle(path) {
        return None;
    }
    let mut base = String::from(if https { "https://" } else { "http://" });
    base.push_str(host);
    if let Some(port) = port {
        base.push(':');
        base.push_str(port);
    }
    base.push_str(path);
    Some(base)
}

/// Whether a (lowercase) host is valid, and then whether it is loopback.
fn host_oracle(host: &str) -> Option<bool> {
    if let Some(inner) = host.strip_prefix('[') {
        let ip: Ipv6Addr = inner.strip_suffix(']')?.parse().ok()?;
        let s = ip.segments();
        let mapped_127 = s[..5] == [0; 5] && s[5] == 0xffff && s[6] >> 8 == 127;
        return Some(s == [0, 0, 0, 0, 0, 0, 0, 1] || mapped_127);
    }
    let name_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c);
    if host.is_empty() || !host.chars().all(name_char) {
        return None;
    }
    // A last label that a URL parser reads as a number makes the host an
    // IPv4 address, which must then be written as a plain dotted quad.
    let last = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    let numeric =
        !last.is_empty() && (last.chars().all(|c| c.is_ascii_digit()) || last.starts_with("0x"));
    if numeric {
        let octets: Vec<&str> = host.split('.').collect();
        let octet = |o: &&str| {
            !o.is_empty()
                && o.len() <= 3
                && o.chars().all(|c| c.is_ascii_digit())
                && (*o == "0" || !o.starts_with('0'))
                && o.parse::<u32>().is_ok_and(|n| n <= 255)
        };
        return (octets.len() == 4 && octets.iter().all(octet)).then(|| octets[0] == "127");
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.split('.').any(str::is_empty) {
        return None;
    }
    Some(name == "localhost")
}

/// A base path: `/`-separated segments of unreserved characters, sub-delims,
/// `:` and `@`, and %-escapes, none of which decodes to `.` or `..`.
fn path_oracle(path: &str) -> bool {
    if path.is_empty() {
        return true;
    }
    let Some(path) = path.strip_prefix('/') else {
        return false;
    };
    path.split('/').all(|segment| {
        let mut decoded = Vec::new();
        let mut chars = segment.chars();
        while let Some(c) = chars.next() {
            if c == '%' {
                let hex: String = chars.by_ref().take(2).collect();
                let Some(byte) = (hex.len() == 2)
                    .then(|| u8::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .filter(|_| hex.chars().all(|h| h.is_ascii_hexdigit()))
                else {
                    return false;
                };
                decoded.push(byte);
            } else if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c) {
                decoded.push(c as u8);
            } else {
                return false;
            }
        }
        decoded != b"." && decoded != b".."
    })
}

fn pick(items: &[&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(items.to_vec())
        .prop_map(String::from)
        .boxed()
}

/// Endpoints built from the grammar's parts; with `near`, near misses are
/// mixed into every part and single characters are inserted at random.
fn endpoint(near: bool) -> BoxedStrategy<String> {
    let space = if near {
        pick(&[
            "", "", "", "", "", "", " ", "\t", "\n", "\r\n", "\u{c}", "\u{a0}", "\u{0}",
        ])
    } else {
        pick(&["", "", "", " ", "\t", "\n", "\r\n"])
    };
    let good_scheme = pick(&["https", "HTTPS", "Https", "http", "HTTP", "hTTp"]);
    let scheme = if near {
        prop_oneof![
            12 => good_scheme,
            1 => pick(&["ftp", "htps", "https:", "", "ws", "https ", "httpss", "file", "h\ttps"]),
        ]
        .boxed()
    } else {
        good_scheme
    };
    let separator = if near {
        prop_oneof![16 => Just("://".to_owned()), 1 => pick(&[":/", ":///", "//", ":\\\\", ":", ":/\\"])]
            .boxed()
    } else {
        Just("://".to_owned()).boxed()
    };
    let user = if near {
        prop_oneof![16 => Just(String::new()), 1 => pick(&["u@", "u:p@", "@", "a%40b@"])].boxed()
    } else {
        Just(String::new()).boxed()
    };
    let label = "[a-zA-Z0-9_-]{1,8}";
    let dns = (prop::collection::vec(label, 1..4), any::<bool>()).prop_map(|(labels, dot)| {
        let mut host = labels.join(".");
        if dot {
            host.push('.');
        }
        host
    });
    let octet = prop_oneof![Just(127u8), Just(0), Just(255), any::<u8>()];
    let ipv4 = (octet.clone(), octet.clone(), octet.clone(), octet)
        .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}"));
    let ipv6 = prop_oneof![
        pick(&[
            "[::1]",
            "[0:0:0:0:0:0:0:1]",
            "[::ffff:127.0.0.1]",
            "[::ffff:7f00:1]",
            "[::FFFF:127.1.2.3]",
            "[2001:db8::1]",
            "[fe80::1]",
            "[::]",
        ]),
        any::<[u16; 8]>().prop_map(|s| format!("[{}]", Ipv6Addr::from(s))),
    ];
    let good_host = prop_oneof![
        4 => dns,
        2 => pick(&["localhost", "LOCALHOST", "localhost.", "LocalHost"]),
        2 => ipv4,
        2 => ipv6,
    ];
    let host = if near {
        prop_oneof![
            8 => good_host,
            1 => pick(&[
                "", ".", "a..b", ".a", "a.", "exa mple", "ex%41mple", "例子.com", "127.1",
                "0x7f.0.0.1", "2130706433", "127.0.0.01", "127.0.0.1.", "1.2.3.256", "1.2.3",
                "1.2.3.4.5", "a.0x1", "a.123", "0x", "foo.0x", "a.0X1f", "[::1", "[::1]x",
                "[fe80::1%25eth0]", "[127.0.0.1]", "[::1]]", "[]", "local\thost", "host\\evil",
                "localhost..", "localhost.localdomain", "127.0.0.1:", "[::1]:",
            ]),
        ]
        .boxed()
    } else {
        good_host.boxed()
    };
    let good_port = prop_oneof![
        3 => Just(String::new()),
        2 => (1u32..=65535).prop_map(|n| format!(":{n}")),
        1 => pick(&[":080", ":00443", ":65535", ":1", ":443", ":80"]),
    ];
    let port = if near {
        prop_oneof![
            12 => good_port,
            1 => (0u32..100_000).prop_map(|n| format!(":{n}")),
            1 => pick(&[":", ":abc", ":000080", ":80:81", ":+80", ": 80", ":８０", ":0", ":65536"]),
        ]
        .boxed()
    } else {
        good_port.boxed()
    };
    let good_segment = prop_oneof![
        4 => "[a-zA-Z0-9._~!$&'()*+,;=:@-]{0,8}",
        1 => "%[0-9a-fA-F]{2}",
        1 => pick(&["cph-proxy", "v1", "%2F", "a%20b"]),
    ];
    let segment = if near {
        prop_oneof![
            10 => good_segment,
            1 => pick(&[
                ".", "..", "%2e", "%2E%2e", ".%2E", "%2e.", " ", "é", "%", "%G1", "%2", "\"",
                "<", ">", "^", "`", "{", "}", "|", "[", "]", "a b", "...",
            ]),
        ]
        .boxed()
    } else {
        good_segment.boxed()
    };
    let path = prop_oneof![
        1 => Just(String::new()),
        3 => (prop::collection::vec(segment, 1..4), 0usize..3)
            .prop_map(|(segments, slashes)| format!("/{}{}", segments.join("/"), "/".repeat(slashes))),
    ];
    let tail = if near {
        prop_oneof![16 => Just(String::new()), 1 => pick(&["?a=1", "#f", "?", "#", "/?x", "/#"])]
            .boxed()
    } else {
        Just(String::new()).boxed()
    };
    let parts = (
        space.clone(),
        scheme,
        separator,
        user,
        host,
        port,
        path,
        tail,
        space,
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i)| [a, b, c, d, e, f, g, h, i].concat());
    if near {
        let bad = prop::sample::select(vec![
            '/', '?', '#', '@', '\\', ':', '%', '.', ' ', '\t', '[', ']', 'é', '\0', 'A', '-',
        ]);
        (
            parts,
            prop_oneof![
                2 => Just(Vec::new()),
                1 => prop::collection::vec((any::<Index>(), bad, 0..3u8), 1..3),
            ],
        )
            .prop_map(|(s, edits)| {
                let mut chars: Vec<char> = s.chars().collect();
                for (at, c, op) in edits {
                    let len = chars.len();
                    match op {
                        0 => chars.insert(at.index(len + 1), c),
                        1 if len > 0 => chars[at.index(len)] = c,
                        _ if len > 0 => {
                            chars.remove(at.index(len));
                        }
                        _ => {}
                    }
                }
                chars.into_iter().collect()
            })
            .boxed()
    } else {
        parts.boxed()
    }
}

/// A URL cut at its delimiters, the way any URL parser first splits one.
#[derive(Debug)]
struct SplitUrl<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split_url(url: &str) -> SplitUrl<'_> {
    let (scheme, rest) = url.split_once("://").expect("an absolute URL");
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    SplitUrl {
        scheme,
        authority,
        path,
        query,
        fragment,
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) if bytes[i] == b'%' => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(config(6000))]

    #[test]
    fn endpoints_are_accepted_exactly_by_their_grammar(
        s in prop_oneof![1 => endpoint(false), 3 => endpoint(true), 1 => ".{0,40}"],
    ) {
        let parsed = Endpoint::parse(&s);
        let expected = endpoint_oracle(&s);
        prop_assert_eq!(
            parsed.as_ref().map(|e| e.as_str().to_owned()).map_err(|e| e.to_string()).ok(),
            expected,
            "{:?} -> {:?}",
            s,
            parsed.as_ref().map_err(|e| e.to_string()),
        );
        match parsed {
            // Normalizing is idempotent: the base parses to itself.
            Ok(endpoint) => {
                let again = Endpoint::parse(endpoint.as_str());
                prop_assert_eq!(again.as_ref(), Ok(&endpoint));
            }
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::InvalidInput);
                prop_assert!(e.message().starts_with("invalid endpoint: "), "{}", e);
            }
        }
    }
}

proptest! {
    #![proptest_config(config(4000))]

    #[test]
    fn no_input_changes_the_url_structure(
        endpoint in prop_oneof![3 => endpoint(false), 1 => endpoint(true)],
        project_id in prop_oneof![3 => "[A-Za-z0-9_-]{1,64}".boxed(), 1 => id().boxed()],
        request_id in prop_oneof![3 => "[A-Za-z0-9_-]{1,64}".boxed(), 1 => id().boxed()],
        token in prop_oneof![3 => "[!-~][ -~]{0,40}[!-~]".boxed(), 1 => token().boxed()],
    ) {
        let request = ListJobsRequest::new(&endpoint, &project_id, &request_id, &token);
        let accepted = endpoint_oracle(&endpoint).is_some()
            && id_oracle(&project_id)
            && id_oracle(&request_id)
            && token_oracle(&token);
        prop_assert_eq!(request.is_ok(), accepted);
        let request = match request {
            Ok(request) => request,
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::InvalidInput);
                if token.len() >= 8 {
                    prop_assert!(!e.message().contains(token.as_str()));
                }
                return Ok(());
            }
        };
        let base = Endpoint::parse(&endpoint).unwrap();
        let base = split_url(base.as_str());
        let url = split_url(request.url());
        prop_assert!(url.scheme == "https" || url.scheme == "http");
        prop_assert_eq!(url.scheme, base.scheme);
        prop_assert_eq!(url.authority, base.authority);
        prop_assert!(!url.authority.contains(['@', '\\']));
        prop_assert_eq!(url.fragment, None);
        // The path is the base path, then exactly four segments.
        let tail = url.path.strip_prefix(base.path);
        prop_assert!(tail.is_some(), "{}", request.url());
        let segments: Vec<&str> = tail.unwrap().split('/').collect();
        prop_assert_eq!(segments.len(), 5, "{}", request.url());
        prop_assert_eq!(segments[0], "");
        prop_assert_eq!(segments[1], "v1");
        prop_assert_eq!(percent_decode(segments[2]), project_id.as_bytes());
        prop_assert_eq!(segments[3], "cloud-phone");
        prop_assert_eq!(segments[4], "jobs");
        // No segment anywhere that fetch would resolve away.
        for segment in url.path.split('/') {
            let decoded = percent_decode(segment);
            prop_assert!(decoded != b"." && decoded != b"..", "{}", request.url());
        }
        // The query is one `request_id` parameter.
        let query = url.query.unwrap_or_default();
        let pairs: Vec<(&str, &str)> = query
            .split('&')
            .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
            .collect();
        prop_assert_eq!(pairs.len(), 1, "{}", request.url());
        prop_assert_eq!(pairs[0].0, "request_id");
        prop_assert_eq!(percent_decode(pairs[0].1), request_id.as_bytes());
        // The token travels only in its header, unchanged.
        let headers = request.headers_at(0).unwrap();
        prop_assert_eq!((headers[0].name, &headers[0].value), ("X-Auth-Token", &token));
        prop_assert!(!request.url().contains(token.as_str()) || token.len() < 8);
    }
}

// ---------------------------------------------------------------------------
// The token never comes back in an error, however a server echoes it.

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn an_echoed_token_never_reaches_the_error(
        token in prop_oneof![
            3 => "[!-~][ -~]{6,40}[!-~]",
            2 => "[A-Za-z0-9+/]{20,60}={0,2}",
            // Next to the "[REDACTED]" that replaces an earlier copy, these
            // spell themselves again.
            1 => "\\][!-~]{6,20}",
            1 => "[!-~]{6,20}\\[",
        ],
        (body, _) in error_body(),
        mutations in prop::collection::vec(mutation(), 0..2),
        place in prop::collection::vec(0..6usize, 1..4),
        seed in any::<u64>(),
        status in http_status(),
    ) {
        let request = ListJobsRequest::new("https://cph.example.com", "p", "r", &token).unwrap();
        // The token as a JSON encoder may spell it ("\/", "\u0041", ...),
        // or overlapping a copy of itself, in the body's strings and in
        // X-Request-Id.
        let mut rng = Rng::new(seed);
        let spell = |s: &str, rng: &mut Rng| {
            let json = encoded(s, rng);
            json[1..json.len() - 1].to_owned()
        };
        let (head, tail) = token.split_at(token.len() / 2);
        let mut fields = vec![];
        for (i, where_) in place.iter().enumerate() {
            let echo = match where_ {
                0 => spell(&token, &mut rng) + &spell(tail, &mut rng),
                1 => spell(head, &mut rng) + &spell(&token, &mut rng),
                2 => spell(&format!("{}{}", token, &token[1..]), &mut rng),
                3 => spell(&format!("{}{}", &token[..token.len() - 1], token), &mut rng),
                _ => spell(&token, &mut rng),
            };
            let key = ["error_msg", "error_code", "message", "request_id"][(i + where_) % 4];
            fields.push((key.to_owned(), format!("\"{echo}\"")));
        }
        let mut echoed = String::new();
        encode_object(&mut echoed, fields, &mut rng);
        let mut bodies = vec![echoed.into_bytes(), body.into_bytes()];
        mutate(&mut bodies[0], &mutations);
        let header = format!("id-{}{}{}", &token[..token.len() - 1], token, &token[1..]);
        for body in &bodies {
            let Err(error) = request.decode_response(status, Some(&header), body) else {
                continue;
            };
            for text in [
                error.to_string(),
                error.error_code().unwrap_or_default().to_owned(),
                error.error_msg().unwrap_or_default().to_owned(),
                error.request_id().unwrap_or_default().to_owned(),
            ] {
                prop_assert!(!text.contains(token.as_str()), "{:?} in {:?}", token, text);
            }
            // Debug escapes quotes and backslashes: look for the token so spelled.
            let debug_token = format!("{token:?}");
            let debug_token = &debug_token[1..debug_token.len() - 1];
            prop_assert!(!format!("{error:?}").contains(debug_token), "{:?}", error);
        }
    }
}

// ---------------------------------------------------------------------------
// The AK/SK signer's canonical forms: the parts the official SDK's output is
// compared with byte for byte in tests/sign_differential.rs; here, the rules
// they must keep on any input.

mod signer {
    use super::*;
    use cph_jobs::sign::{
        canonical_query, canonical_uri, decode_query, sign, uri_encode, Credentials, RequestToSign,
    };

    fn unreserved_or_escape(text: &str, also: &[u8]) -> bool {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                let hex = bytes.get(i + 1..i + 3);
                if !hex.is_some_and(|h| h.iter().all(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F'))) {
                    return false;
                }
                i += 3;
            } else if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || also.contains(&b) {
                i += 1;
            } else {
                return false;
            }
        }
        true
    }

    fn pair() -> impl Strategy<Value = (String, String)> {
        (any::<String>(), any::<String>())
    }

    proptest! {
        #![proptest_config(config(2000))]

        #[test]
        fn uri_encoding_is_unreserved_or_escapes_and_reversible(text in any::<String>()) {
            let encoded = uri_encode(&text);
            prop_assert!(unreserved_or_escape(&encoded, b""), "{encoded}");
            let query = format!("k={encoded}");
            let decoded = decode_query(&query).unwrap();
            prop_assert_eq!(decoded.len(), 1);
            prop_assert_eq!((decoded[0].name.as_str(), &decoded[0].value), ("k", &text));
        }

        #[test]
        fn the_canonical_uri_is_encoded_segments_ending_in_a_slash(path in any::<String>()) {
            let uri = canonical_uri(&path);
            prop_assert!(uri.ends_with('/'), "{uri}");
            prop_assert!(unreserved_or_escape(&uri, b"/"), "{uri}");
        }

        #[test]
        fn the_canonical_query_ignores_the_order_pairs_come_in(
            pairs in prop::collection::vec(pair(), 0..8),
            seed in any::<u64>(),
        ) {
            let mut shuffled = pairs.clone();
            Rng::new(seed).shuffle(&mut shuffled);
            let canonical = canonical_query(&pairs);
            prop_assert_eq!(&canonical, &canonical_query(&shuffled));
            prop_assert!(unreserved_or_escape(&canonical, b"=&"), "{canonical}");
            // It reads back to the same pairs, sorted.
            let mut sorted = pairs.clone();
            sorted.sort();
            let mut back: Vec<(String, String)> = decode_query(&canonical)
                .unwrap()
                .into_iter()
                .map(|param| (param.name, param.value))
                .collect();
            back.retain(|(name, value)| !(name.is_empty() && value.is_empty()));
            sorted.retain(|(name, value)| !(name.is_empty() && value.is_empty()));
            prop_assert_eq!(back, sorted);
        }

        #[test]
        fn signing_never_panics_and_never_shows_the_secret(
            path in any::<String>(),
            query in any::<String>(),
            name in "[A-Za-z_-]{1,12}",
            value in any::<String>(),
            secret in "[!-~]{8,40}",
        ) {
            let credentials = Credentials::new("AKTEST0000000001", &secret, None).unwrap();
            let url = format!("https://cph.cn-north-4.myhuaweicloud.com/{path}?{query}");
            match sign(&credentials, &RequestToSign::new("GET", &url, &[(name.as_str(), value.as_str())], b""), "20261129T010203Z") {
                Ok(headers) => {
                    let authorization = &headers.last().unwrap().value;
                    prop_assert!(authorization.starts_with("SDK-HMAC-SHA256 Access=AKTEST0000000001, SignedHeaders="));
                    prop_assert!(!authorization.contains(&secret));
                    let signature = authorization.rsplit("Signature=").next().unwrap();
                    prop_assert_eq!(signature.len(), 64);
                    prop_assert!(signature.bytes().all(|b| b.is_ascii_hexdigit()));
                }
                Err(error) => {
                    prop_assert_eq!(error.kind(), ErrorKind::InvalidInput);
                    prop_assert!(!error.message().contains(&secret));
                    let debug = format!("{:?}", error);
                    prop_assert!(!debug.contains(&secret));
                }
            }
        }
    }
}
