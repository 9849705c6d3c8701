//! The Rust API on wasm32 (`cph_jobs::wasm::Client`, the one Rust frontends
//! use) against the mock CPH service, in Node and in headless Chromium (the
//! same file runs in both; see the Makefile's `test-wasm`). The mock's URL
//! is fixed at compile time through `CPH_MOCK_URL`. The npm package's own
//! driver is tested through the installed tarball (tests/js, tests/e2e).
#![cfg(target_arch = "wasm32")]

use cph_jobs::wasm::{list_jobs, CallOptions, Client, Jobs};
use cph_jobs::{Error, ErrorKind, JobStatus, ListJobsResponse};
use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::AbortController;

const MOCK: &str = match option_env!("CPH_MOCK_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:9",
};
const CLOSED: &str = match option_env!("CPH_CLOSED_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:9",
};
const TOKEN: &str = "MIIT-wasm-test-token-2f6c1e0b9d";

fn client(endpoint: &str, token: &str) -> Result<Client, Error> {
    Client::builder()
        .endpoint(endpoint)
        .project_id("proj_1")
        .token(token)
        .build()
}

async fn list(
    endpoint: &str,
    request_id: &str,
    token: &str,
    options: CallOptions,
) -> Result<ListJobsResponse, Error> {
    client(endpoint, token)?
        .list_jobs(&Jobs::from(request_id), &options)
        .await
}

async fn ok(request_id: &str) -> ListJobsResponse {
    list(MOCK, request_id, TOKEN, CallOptions::default())
        .await
        .expect("call should succeed")
}

async fn fail(request_id: &str, options: CallOptions) -> Error {
    let err = list(MOCK, request_id, TOKEN, options)
        .await
        .expect_err("call should fail");
    assert_no_token(&err);
    err
}

fn once() -> CallOptions {
    CallOptions {
        max_attempts: Some(1),
        ..CallOptions::default()
    }
}

fn assert_no_token(err: &Error) {
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(TOKEN), "token leaked into {text}");
    }
    // As JavaScript sees it too: the same error as a CphError.
    let js: JsValue = err.clone().into();
    assert_eq!(Reflect::get(&js, &"name".into()).unwrap(), "CphError");
    assert!(js.is_instance_of::<js_sys::Error>());
    let message = Reflect::get(&js, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(!message.contains(TOKEN));
}

#[wasm_bindgen_test]
async fn decodes_the_documentation_example() {
    let response = ok("doc-example").await;
    assert_eq!(response.request_id, "6a63a18b8bab40ffb71ebd9cb80d0085");
    assert_eq!(response.jobs.len(), 2);
    let first = &response.jobs[0];
    assert_eq!(first.job_id, "1564567b8bab40f34711234cb80d0123");
    assert_eq!(first.status, JobStatus::Failed);
    assert_eq!(first.error_code.as_deref(), Some("CPS0005"));
    assert_eq!(
        response.jobs[1].error_msg.as_deref(),
        Some(""),
        "empty strings stay empty"
    );
}

#[wasm_bindgen_test]
async fn leaves_null_and_missing_fields_absent_and_keeps_unknown_statuses() {
    let jobs = ok("nulls").await.jobs;
    assert_eq!(jobs[0].phone_id, None);
    assert_eq!(jobs[0].execute_msg, None);
    assert_eq!(jobs[3].status, JobStatus::from_code(3));
    assert_eq!(jobs[3].encode_server_id.as_deref(), Some("enc-1"));
}

#[wasm_bindgen_test]
async fn reports_http_errors_with_service_details() {
    let err = fail("err-404", CallOptions::default()).await;
    assert_eq!(err.kind(), ErrorKind::Http);
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.error_code(), Some("CPS.0404"));
    assert_eq!(err.error_msg(), Some("Mock error 404."));
    assert_eq!(err.request_id().map(str::len), Some(32));

    let err = list(MOCK, "demo", "bad-token", CallOptions::default())
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(401)));
    assert_eq!(err.error_code(), Some("APIG.0301"));

    for (id, status, code) in [
        ("shape-nested", 401, Some("APIG.0301")),
        ("shape-flat", 404, Some("CPS.0005")),
        ("shape-camel", 403, Some("CPS.0013")),
        ("throttled", 429, Some("APIG.0308")),
        ("html-502", 502, None),
        ("empty-503", 503, None),
    ] {
        let err = fail(id, once()).await;
        assert_eq!(err.kind(), ErrorKind::Http, "{id}");
        assert_eq!(err.status(), Some(status), "{id}");
        assert_eq!(err.error_code(), code, "{id}");
        assert_eq!(err.attempts(), 1, "{id}");
    }
}

#[wasm_bindgen_test]
async fn retries_a_server_error_within_the_attempt_budget() {
    let err = fail("err-500", CallOptions::default()).await;
    assert_eq!(err.kind(), ErrorKind::Http);
    assert_eq!(err.attempts(), 3);
}

#[wasm_bindgen_test]
async fn reports_bad_bodies_as_decode_errors_naming_the_path() {
    for (id, needle) in [
        ("wrong-type", "jobs[1].status"),
        ("missing-job-id", "jobs[1]: missing field `job_id`"),
        ("truncated", "EOF while parsing"),
        ("not-json", "expected value at line 1 column 1"),
    ] {
        let err = fail(id, CallOptions::default()).await;
        assert_eq!(err.kind(), ErrorKind::Decode, "{id}");
        assert!(err.message().contains(needle), "{id}: {}", err.message());
    }
}

#[wasm_bindgen_test]
async fn rejects_bad_input_before_sending() {
    let cases: [(&str, &str, &str, CallOptions, &str); 6] = [
        ("", "r", TOKEN, CallOptions::default(), "invalid endpoint"),
        (
            "ftp://h",
            "r",
            TOKEN,
            CallOptions::default(),
            "invalid endpoint",
        ),
        (
            "http://example.com",
            "r",
            TOKEN,
            CallOptions::default(),
            "invalid endpoint",
        ),
        (
            MOCK,
            "a/b",
            TOKEN,
            CallOptions::default(),
            "invalid requestId",
        ),
        (
            MOCK,
            "r",
            "bad\r\ntoken",
            CallOptions::default(),
            "invalid token",
        ),
        (
            MOCK,
            "r",
            TOKEN,
            CallOptions {
                limit: Some(0),
                ..CallOptions::default()
            },
            "invalid limit",
        ),
    ];
    for (endpoint, request_id, token, options, needle) in cases {
        let err = list(endpoint, request_id, token, options)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().starts_with(needle), "{}", err.message());
        assert_eq!(err.status(), None);
        assert_eq!(err.attempts(), 0);
    }
    let many: Vec<String> = (0..21).map(|i| format!("id-{i}")).collect();
    let err = client(MOCK, TOKEN)
        .unwrap()
        .list_jobs(&Jobs::Many(many), &CallOptions::default())
        .await
        .unwrap_err();
    assert!(err.message().contains("at most 20"), "{}", err.message());
}

#[wasm_bindgen_test]
async fn times_out_waiting_for_headers_and_for_the_body() {
    for id in ["hang", "hang-body"] {
        let options = CallOptions {
            timeout_ms: Some(300),
            ..CallOptions::default()
        };
        let err = fail(id, options).await;
        assert_eq!(err.kind(), ErrorKind::Timeout, "{id}");
        assert!(err.message().contains("300 ms"), "{}", err.message());
    }
}

#[wasm_bindgen_test]
async fn aborts_before_and_during_the_call() {
    let controller = AbortController::new().unwrap();
    controller.abort();
    let options = CallOptions {
        signal: Some(controller.signal()),
        ..CallOptions::default()
    };
    assert_eq!(fail("demo", options).await.kind(), ErrorKind::Aborted);

    let controller = AbortController::new().unwrap();
    let options = CallOptions {
        signal: Some(controller.signal()),
        ..CallOptions::default()
    };
    let call = list(MOCK, "hang", TOKEN, options);
    let abort_soon = async move {
        sleep(100).await;
        controller.abort();
    };
    let (result, ()) = futures_join(call, abort_soon).await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::Aborted);
}

#[wasm_bindgen_test]
async fn never_follows_redirects() {
    for id in ["redirect", "redirect-cross"] {
        let err = fail(id, CallOptions::default()).await;
        assert_eq!(err.kind(), ErrorKind::Http, "{id}");
        assert!(err.message().contains("redirect"));
    }
}

#[wasm_bindgen_test]
async fn reports_refused_connections_as_network_errors() {
    let err = list(CLOSED, "demo", TOKEN, once()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(err.status(), None);
    let in_node = Reflect::get(&js_sys::global(), &"process".into()).is_ok_and(|p| p.is_object());
    assert_eq!(
        err.message().contains("CORS"),
        !in_node,
        "{}",
        err.message()
    );
}

#[wasm_bindgen_test]
async fn a_broken_body_keeps_the_status_and_request_id_that_arrived() {
    let err = fail("reset-body", once()).await;
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id().map(str::len), Some(32));
}

#[wasm_bindgen_test]
async fn keeps_the_token_out_of_errors_even_when_the_server_echoes_it() {
    let err = fail("echo-token", CallOptions::default()).await;
    assert!(err.error_msg().unwrap().contains("[REDACTED]"));
}

#[wasm_bindgen_test]
async fn decodes_ten_thousand_jobs() {
    let jobs = ok("bulk-10000").await.jobs;
    assert_eq!(jobs.len(), 10_000);
    assert_eq!(jobs[9_999].job_id, "bulk-10000-009999");
}

#[wasm_bindgen_test]
async fn lists_every_page_of_many_ids_and_pages_one_at_a_time() {
    let client = client(MOCK, TOKEN).unwrap();
    let ids: Vec<String> = (1..=3).map(|n| format!("jobs-{n}")).collect();
    let all = client
        .list_all_jobs(&Jobs::Many(ids), &CallOptions::default())
        .await
        .unwrap();
    let first_ids: Vec<&str> = all.jobs.iter().map(|job| job.job_id.as_str()).collect();
    assert_eq!(
        first_ids,
        ["jobs-1-000000", "jobs-2-000000", "jobs-3-000000"]
    );
    assert_eq!(all.request_id, "jobs-1,jobs-2,jobs-3");

    let options = CallOptions {
        limit: Some(100),
        ..CallOptions::default()
    };
    let mut pages = client.pages(&Jobs::from("jobs-250"), &options);
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        sizes.push(page.unwrap().jobs.len());
    }
    assert_eq!(sizes, [100, 100, 50]);
    assert!(pages.next().await.is_none());
}

#[wasm_bindgen_test]
async fn answers_a_hundred_concurrent_calls_each_with_its_own_result() {
    let calls = Array::new();
    for n in 1..=100u32 {
        let id = format!("jobs-{n}");
        calls.push(&wasm_bindgen_futures::future_to_promise(async move {
            let response = list(MOCK, &id, TOKEN, CallOptions::default()).await?;
            assert_eq!(response.request_id, id);
            Ok(JsValue::from(response.jobs.len() as u32))
        }));
    }
    let results: Array = JsFuture::from(Promise::all(&calls))
        .await
        .unwrap()
        .unchecked_into();
    for (i, count) in results.iter().enumerate() {
        assert_eq!(count, (i + 1) as u32);
    }
}

#[wasm_bindgen_test]
async fn still_answers_after_hundreds_of_failures() {
    for i in 0..300 {
        let id = [
            "err-500",
            "wrong-type",
            "truncated",
            "not-json",
            "a/b",
            "html-502",
        ][i % 6];
        let _ = list(MOCK, id, TOKEN, once()).await.unwrap_err();
    }
    let _ = list("", "r", "", CallOptions::default()).await.unwrap_err();
    let response = list_jobs(MOCK, "proj_1", "doc-example", TOKEN)
        .await
        .unwrap();
    assert_eq!(response.request_id, "6a63a18b8bab40ffb71ebd9cb80d0085");
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout: js_sys::Function = Reflect::get(&global, &"setTimeout".into())
            .unwrap()
            .unchecked_into();
        set_timeout.call2(&global, &resolve, &ms.into()).unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Runs two futures to completion side by side (no executor crate needed).
async fn futures_join<A, B>(a: A, b: B) -> (A::Output, B::Output)
where
    A: std::future::Future + 'static,
    B: std::future::Future + 'static,
    A::Output: 'static,
    B::Output: 'static,
{
    use std::cell::RefCell;
    use std::rc::Rc;
    let a_out = Rc::new(RefCell::new(None));
    let slot = Rc::clone(&a_out);
    let a_done = wasm_bindgen_futures::future_to_promise(async move {
        *slot.borrow_mut() = Some(a.await);
        Ok(JsValue::UNDEFINED)
    });
    let b_out = b.await;
    JsFuture::from(a_done).await.unwrap();
    let a_out = a_out.borrow_mut().take().unwrap();
    (a_out, b_out)
}
