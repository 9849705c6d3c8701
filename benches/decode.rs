//! Decode throughput of the native core, in MB/s of JSON: `decode_list_jobs`
//! (the jobs, as the Rust API returns them), with `to_json` after it, and
//! `decode_list_jobs_json` (straight to the camelCase text the npm package
//! hands to `JSON.parse`: the whole in-wasm part of a `listJobs` call).
//!
//!     cargo bench --bench decode [-- --json]
//!
//! A plain harness (no criterion): it runs a few hundred milliseconds per
//! case and prints the median of timed batches. The pages mirror the mock's
//! `bulk-N` scenario: finished jobs with a spread of statuses.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cph_jobs::{decode_list_jobs, decode_list_jobs_json};

const PAGE_SIZES: [usize; 4] = [1, 100, 1_000, 10_000];
/// Time spent per case, split into `BATCHES` timed batches.
const BUDGET: Duration = Duration::from_millis(600);
const BATCHES: usize = 15;

fn main() {
    let json = std::env::args().any(|arg| arg == "--json");
    if !json {
        println!(
            "{:>7} {:>10} {:>14} {:>12} {:>20} {:>12} {:>14} {:>12}",
            "jobs",
            "bytes",
            "decode µs",
            "decode MB/s",
            "decode+to_json µs",
            "MB/s",
            "to text µs",
            "MB/s"
        );
    }
    for jobs in PAGE_SIZES {
        let body = page(jobs);
        let decoded = decode_list_jobs(&body).expect("the bench page decodes");
        assert_eq!(decoded.jobs.len(), jobs);
        let decode = median_per_iteration(|| {
            black_box(decode_list_jobs(black_box(&body)).ok());
        });
        let full = median_per_iteration(|| {
            let response = decode_list_jobs(black_box(&body)).ok();
            black_box(response.map(|r| r.to_json()));
        });
        let text = median_per_iteration(|| {
            black_box(decode_list_jobs_json(black_box(&body), None).ok());
        });
        // Each measure as its time and throughput, in the column order.
        let mbps = |d: Duration| body.len() as f64 / d.as_secs_f64() / 1e6;
        let figures = [("decode", decode), ("decodeToJson", full), ("text", text)];
        if json {
            let mut line = format!("{{\"jobs\":{jobs},\"bytes\":{}", body.len());
            for (name, d) in figures {
                let us = d.as_secs_f64() * 1e6;
                line.push_str(&format!(
                    ",\"{name}Us\":{us:.3},\"{name}MBps\":{:.1}",
                    mbps(d)
                ));
            }
            println!("{line}}}");
        } else {
            let mut line = format!("{jobs:>7} {:>10}", body.len());
            for ((_, d), width) in figures.into_iter().zip([14, 20, 14]) {
                let us = d.as_secs_f64() * 1e6;
                line.push_str(&format!(" {us:>width$.2} {:>12.1}", mbps(d)));
            }
            println!("{line}");
        }
    }
}

/// The median time of one call of `f`, from batches sized to fill `BUDGET`.
fn median_per_iteration(mut f: impl FnMut()) -> Duration {
    // Warm up, and find how many calls fit in one batch.
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < BUDGET / 10 || calls < 3 {
        f();
        calls += 1;
    }
    let per_batch = (u128::from(calls) * (BUDGET / BATCHES as u32).as_nanos()
        / start.elapsed().as_nanos())
    .max(1);
    let per_batch = u32::try_from(per_batch).unwrap_or(u32::MAX);
    let mut samples: Vec<Duration> = (0..BATCHES)
        .map(|_| {
            let batch = Instant::now();
            for _ in 0..per_batch {
                f();
            }
            batch.elapsed() / per_batch
        })
        .collect();
    samples.sort();
    samples[BATCHES / 2]
}

/// A page of `count` jobs shaped like the mock's `bulk-N` answer.
fn page(count: usize) -> Vec<u8> {
    let request_id = format!("bulk-{count}");
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut hex32 = || {
        let mut s = String::with_capacity(32);
        for _ in 0..32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(char::from(b"0123456789abcdef"[(seed % 16) as usize]));
        }
        s
    };
    let mut out = format!("{{\"request_id\":\"{request_id}\",\"jobs\":[");
    for i in 0..count {
        let status = match i % 10 {
            9 => -1,
            8 => 1,
            _ => 2,
        };
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"phone_id\":\"{}\",\"server_id\":\"1e223c8e-3ad0-4bf0-a837-bc90d4f91d01\",\
             \"job_id\":\"{request_id}-{i:06}\",\"begin_time\":\"2026-11-28T10:00:00Z\",\
             \"status\":{status},\"error_code\":\"{}\",\"error_msg\":\"{}\"",
            hex32(),
            if status == -1 { "CPS.0005" } else { "" },
            if status == -1 { "Phone not found." } else { "" },
        ));
        if status != 1 {
            out.push_str(",\"end_time\":\"2026-11-28T10:00:31Z\"");
        }
        if status == 2 {
            out.push_str(&format!(",\"execute_msg\":\"ok {i}\""));
        }
        out.push('}');
    }
    out.push_str("]}");
    out.into_bytes()
}
