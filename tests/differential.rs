//! The crate's JSON decoder and writer against serde_json, on generated
//! ListJobs documents and on thousands of corrupted copies of them: the same
//! documents must be accepted with the same values, and the same rejected.

use cph_jobs::{decode_list_jobs, parse_error_body, ListJobsResponse};

/// xorshift64*: deterministic, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    "-",
    "_",
    " ",
    "é",
    "重启",
    "✓",
    "🚀",
    "\\\"",
    "\\\\",
    "\\/",
    "\\n",
    "\\t",
    "\\u0041",
    "\\u00e9",
    "\\ud83d\\ude80",
    "\\u2028",
    "CPS.0005",
    "2026-11-28T10:00:00Z",
];

fn string(rng: &mut Rng) -> String {
    let mut s = String::from("\"");
    for _ in 0..rng.below(12) {
        s.push_str(PIECES[rng.below(PIECES.len() as u64) as usize]);
    }
    s.push('"');
    s
}

/// Unknown values: nested containers, numbers of every form, ASCII strings.
fn unknown_value(rng: &mut Rng, depth: u32) -> String {
    match rng.below(if depth > 3 { 5 } else { 7 }) {
        0 => "null".into(),
        1 => "true".into(),
        2 => format!("{}", rng.below(1000) as i64 - 500),
        3 => "1.5e3".into(),
        4 => "\"ascii \\\" text\"".into(),
        5 => format!(
            "[{}]",
            (0..rng.below(3))
                .map(|_| unknown_value(rng, depth + 1))
                .collect::<Vec<_>>()
                .join(",")
        ),
        _ => format!(
            "{{{}}}",
            (0..rng.below(3))
                .map(|i| format!("\"k{i}\":{}", unknown_value(rng, depth + 1)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

fn ws(rng: &mut Rng) -> &'static str {
    [" ", "", "", "\n  ", "\t"][rng.below(5) as usize]
}

fn job(rng: &mut Rng) -> String {
    let mut fields = vec![
        format!("\"job_id\":{}", string(rng)),
        format!("\"status\":{}", [1, 2, -1, 3, 0, -7][rng.below(6) as usize]),
    ];
    for name in [
        "phone_id",
        "server_id",
        "node_id",
        "encode_server_id",
        "begin_time",
        "end_time",
        "error_code",
        "error_msg",
        "execute_msg",
    ] {
        match rng.below(3) {
            0 => {}
            1 => fields.push(format!("\"{name}\":null")),
            _ => fields.push(format!("\"{name}\":{}", string(rng))),
        }
    }
    if rng.chance(30) {
        fields.push(format!(
            "\"extra_{}\":{}",
            rng.below(9),
            unknown_value(rng, 0)
        ));
    }
    // Field order is free.
    for i in (1..fields.len()).rev() {
        fields.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let sep = format!(",{}", ws(rng));
    format!("{{{}{}}}", ws(rng), fields.join(&sep))
}

fn document(rng: &mut Rng) -> String {
    let jobs: Vec<String> = (0..rng.below(6)).map(|_| job(rng)).collect();
    let mut top = vec![
        format!("\"request_id\":{}", string(rng)),
        format!("\"jobs\":[{}]", jobs.join(",")),
    ];
    if rng.chance(30) {
        top.push(format!("\"meta\":{}", unknown_value(rng, 0)));
    }
    if rng.chance(50) {
        top.reverse();
    }
    format!("{}{{{}}}{}", ws(rng), top.join(","), ws(rng))
}

fn corrupt(rng: &mut Rng, doc: &str) -> Vec<u8> {
    let mut bytes = doc.as_bytes().to_vec();
    for _ in 0..1 + rng.below(3) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len() as u64) as usize;
        match rng.below(4) {
            0 => bytes.truncate(at),
            1 => {
                bytes.remove(at);
            }
            2 => bytes.insert(at, b"{}[]\",:0-\\ex"[rng.below(12) as usize]),
            _ => bytes[at] = b"{}[]\",:0-\\ex"[rng.below(12) as usize],
        }
    }
    bytes
}

#[test]
fn decodes_generated_documents_exactly_as_serde_json() {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    for round in 0..3000 {
        let doc = document(&mut rng);
        let ours = decode_list_jobs(doc.as_bytes())
            .unwrap_or_else(|e| panic!("round {round}: {e}\n{doc}"));
        let reference: ListJobsResponse = serde_json::from_str(&doc).unwrap();
        assert_eq!(ours, reference, "round {round}: {doc}");
        // The writer: the same camelCase document serde would write.
        let written: serde_json::Value = serde_json::from_str(&ours.to_json()).unwrap();
        assert_eq!(
            written,
            serde_json::to_value(&reference).unwrap(),
            "round {round}"
        );
    }
}

#[test]
fn accepts_and_rejects_corrupted_documents_as_serde_json_does() {
    let mut rng = Rng(0x5eed_cafe_f00d_0002);
    let (mut accepted, mut rejected) = (0, 0);
    // DIFFERENTIAL_ROUNDS=1000000 for a longer search than the default run.
    let rounds: u64 = std::env::var("DIFFERENTIAL_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    for round in 0..rounds {
        let doc = document(&mut rng);
        let bytes = corrupt(&mut rng, &doc);
        let ours = decode_list_jobs(&bytes);
        let reference = serde_json::from_slice::<ListJobsResponse>(&bytes);
        match (&ours, &reference) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "round {round}");
                accepted += 1;
            }
            (Err(_), Err(_)) => rejected += 1,
            // The one intended difference: serde_json skips an unknown field's
            // string without checking its UTF-8; this crate refuses any
            // document that is not UTF-8, as JSON requires.
            (Err(e), Ok(_)) if std::str::from_utf8(&bytes).is_err() => {
                assert!(
                    e.message().contains("invalid unicode code point"),
                    "round {round}: {e}"
                );
                rejected += 1;
            }
            _ => panic!(
                "round {round}: ours {:?}, serde_json {:?}\n{}",
                ours.as_ref().map(|_| "ok").map_err(|e| e.to_string()),
                reference.as_ref().map(|_| "ok").map_err(|e| e.to_string()),
                String::from_utf8_lossy(&bytes)
            ),
        }
    }
    assert!(
        accepted > 1000 && rejected > 10_000,
        "accepted {accepted}, rejected {rejected}"
    );
}

#[test]
fn error_bodies_survive_corruption() {
    let mut rng = Rng(0x5eed_cafe_f00d_0003);
    let body = r#"{"error_code":"CPS.0005","error_msg":"Phone not found.","request_id":"r1","error":{"code":"X","message":"y"}}"#;
    for _ in 0..20_000 {
        let bytes = corrupt(&mut rng, body);
        let found = parse_error_body(&bytes);
        if let Some(code) = &found.code {
            assert!(!code.is_empty());
        }
    }
}
