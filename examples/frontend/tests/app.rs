//! The app's model and its calls against the mock CPH service. No DOM, so
//! the same suite runs in Node (`wasm-pack test --node`) and in headless
//! Chromium (`wasm-pack test --headless --chrome` with
//! `WASM_BINDGEN_USE_BROWSER=1`); see the Makefile's `test-frontend`.
//! The mock's URL is fixed at compile time through `CPH_MOCK_URL`.
#![cfg(target_arch = "wasm32")]

use cph_jobs::wasm::{CallOptions, Client, Jobs};
use cph_jobs::{ErrorKind, JobStatus};
use cph_jobs_frontend_example::{describe, load, row, View, COLUMNS};
use wasm_bindgen_test::wasm_bindgen_test;

const MOCK: &str = match option_env!("CPH_MOCK_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:9",
};
const TOKEN: &str = "MIIT-frontend-test-token-7d1c5a";

fn client(token: &str) -> Client {
    Client::builder()
        .endpoint(MOCK)
        .project_id("proj_1")
        .token(token)
        .max_attempts(1)
        .build()
        .expect("the test settings are valid")
}

#[wasm_bindgen_test]
async fn lists_the_documented_example_as_rows() {
    let View::Jobs(response) = load(&client(TOKEN), "doc-example").await else {
        panic!("doc-example should list jobs");
    };
    // Every page merged: the id is the one asked about.
    assert_eq!(response.request_id, "doc-example");
    let rows: Vec<_> = response.jobs.iter().map(row).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].len(), COLUMNS.len());
    assert_eq!(
        rows[0],
        [
            "1564567b8bab40f34711234cb80d0123",
            "Failed",
            "1234567b8bab40ffb711234cb80d0234",
            "2017-10-25T00:00:00Z",
            "2017-10-25T00:00:30Z",
            "CPS0005: Phone not found.",
        ]
    );
    assert_eq!(rows[1][1], "Succeeded");
    assert_eq!(rows[1][5], "", "an empty error code shows no message");
}

#[wasm_bindgen_test]
async fn absent_fields_are_empty_cells_and_unknown_statuses_are_named() {
    let View::Jobs(response) = load(&client(TOKEN), "nulls").await else {
        panic!("nulls should list jobs");
    };
    let rows: Vec<_> = response.jobs.iter().map(row).collect();
    assert_eq!(
        rows[0],
        ["j-null", "Running", "", "", "", ""],
        "null fields are empty cells"
    );
    assert_eq!(response.jobs[3].status, JobStatus::Unknown(3));
    assert_eq!(rows[3][1], "unknown (3)");
}

#[wasm_bindgen_test]
async fn follows_every_page() {
    let View::Jobs(response) = load(&client(TOKEN), "jobs-250").await else {
        panic!("jobs-250 should list jobs");
    };
    assert_eq!(response.jobs.len(), 250);
    assert_eq!(response.jobs[249].job_id, "jobs-250-000249");
}

#[wasm_bindgen_test]
async fn a_refused_token_is_described_without_the_token() {
    let view = load(&client("bad-token"), "doc-example").await;
    let View::Failed(text) = view else {
        panic!("a bad token should fail, got {view:?}");
    };
    assert!(text.starts_with("http error: "), "{text}");
    assert!(text.contains("401"), "{text}");
    assert!(text.contains("(request id "), "{text}");
}

#[wasm_bindgen_test]
async fn a_token_echoed_by_the_service_never_reaches_the_page() {
    let error = client(TOKEN)
        .list_jobs(&Jobs::from("echo-token"), &CallOptions::default())
        .await
        .expect_err("echo-token answers 403");
    assert_eq!(error.kind(), ErrorKind::Http);
    assert_eq!(error.status(), Some(403));
    let text = describe(&error);
    assert!(!text.contains(TOKEN), "token leaked into {text}");
    let View::Failed(shown) = load(&client(TOKEN), "echo-token").await else {
        panic!("echo-token should fail");
    };
    assert!(!shown.contains(TOKEN), "token leaked into {shown}");
}

#[wasm_bindgen_test]
async fn bad_input_fails_before_anything_is_sent() {
    let View::Failed(text) = load(&client(TOKEN), "not an id").await else {
        panic!("a bad request id should fail");
    };
    assert!(text.starts_with("invalid-input error: "), "{text}");
    assert!(text.contains("requestId"), "{text}");
}
