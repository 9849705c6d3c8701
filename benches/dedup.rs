//! Time to split 100,000 request ids into calls of 20, repeats dropped
//! (`chunk_ids`): what `listAllJobs` and `waitForJobs` do before their first
//! request, so a slow de-duplication delays every large batch.
//!
//!     cargo bench --bench dedup
//!
//! A plain harness (no criterion): the median of a few runs, in milliseconds.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cph_jobs::chunk_ids;

const IDS: usize = 100_000;
const RUNS: usize = 5;

fn main() {
    // Every fifth id repeats an earlier one, so both paths of the check run;
    // the distinct ids are what a quadratic search pays for.
    let ids: Vec<String> = (0..IDS)
        .map(|i| {
            let n = if i % 5 == 4 { i / 2 } else { i };
            format!("{n:032x}")
        })
        .collect();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let groups = chunk_ids(black_box(&ids)).expect("the bench ids are valid");
            let elapsed = start.elapsed();
            black_box(groups);
            elapsed
        })
        .collect();
    times.sort();
    let unique: usize = chunk_ids(&ids).expect("valid").iter().map(Vec::len).sum();
    println!(
        "de-duplicate {IDS} ids ({unique} distinct): median {:.2} ms over {RUNS} runs",
        times[RUNS / 2].as_secs_f64() * 1e3
    );
}
