//! The wasm edge against the mock CPH service, in Node and in headless
//! Chromium (the same file runs in both; see the Makefile's `wasm-test`).
//! The mock's URL is fixed at compile time through `CPH_MOCK_URL`.
#![cfg(all(target_arch = "wasm32", feature = "js"))]

use js_sys::{Array, Object, Promise, Reflect, JSON};
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

fn prop(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

/// Calls the exported `listJobs` exactly as JavaScript would.
async fn list(
    endpoint: &str,
    request_id: &str,
    token: &str,
    opts: JsValue,
) -> Result<JsValue, JsValue> {
    JsFuture::from(cph_jobs::wasm::js::list_jobs(
        endpoint.into(),
        "proj_1".into(),
        request_id.into(),
        token.into(),
        opts,
    ))
    .await
}

async fn ok(request_id: &str) -> JsValue {
    list(MOCK, request_id, TOKEN, JsValue::UNDEFINED)
        .await
        .expect("call should succeed")
}

async fn fail(request_id: &str, opts: JsValue) -> JsValue {
    let err = list(MOCK, request_id, TOKEN, opts)
        .await
        .expect_err("call should fail");
    assert_eq!(prop(&err, "name"), "CphError");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_no_token(&err);
    err
}

fn assert_no_token(err: &JsValue) {
    let texts = [
        prop(err, "message").as_string().unwrap_or_default(),
        prop(err, "stack").as_string().unwrap_or_default(),
        String::from(err.unchecked_ref::<Object>().to_string()),
        JSON::stringify(err).map(String::from).unwrap_or_default(),
    ];
    for text in texts {
        assert!(!text.contains(TOKEN), "token leaked into {text}");
    }
}

fn kind(err: &JsValue) -> String {
    prop(err, "kind").as_string().unwrap()
}

#[wasm_bindgen_test]
async fn decodes_the_documentation_example_to_camel_case() {
    let response = ok("doc-example").await;
    assert_eq!(
        prop(&response, "requestId"),
        "6a63a18b8bab40ffb71ebd9cb80d0085"
    );
    let jobs: Array = prop(&response, "jobs").unchecked_into();
    assert_eq!(jobs.length(), 2);
    let first = jobs.get(0);
    assert_eq!(prop(&first, "jobId"), "1564567b8bab40f34711234cb80d0123");
    assert_eq!(prop(&first, "status"), -1);
    assert_eq!(prop(&first, "errorCode"), "CPS0005");
    assert_eq!(
        prop(&jobs.get(1), "errorMsg"),
        "",
        "empty strings stay empty"
    );
    let text: String = JSON::stringify(&response).unwrap().into();
    assert!(
        !text.contains("job_id") && !text.contains("request_id"),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn leaves_null_and_missing_fields_absent_and_keeps_unknown_statuses() {
    let jobs: Array = prop(&ok("nulls").await, "jobs").unchecked_into();
    let null_job = jobs.get(0);
    assert_eq!(
        Object::keys(null_job.unchecked_ref::<Object>()).length(),
        2,
        "only jobId and status"
    );
    assert!(!Reflect::has(&null_job, &"phoneId".into()).unwrap());
    assert_eq!(prop(&jobs.get(3), "status"), 3);
    assert_eq!(prop(&jobs.get(3), "encodeServerId"), "enc-1");
    assert!(!Reflect::has(&jobs.get(3), &"future_field".into()).unwrap());
}

#[wasm_bindgen_test]
async fn reports_http_errors_with_service_details() {
    let err = fail("err-404", JsValue::UNDEFINED).await;
    assert_eq!(kind(&err), "http");
    assert_eq!(prop(&err, "status"), 404);
    assert_eq!(prop(&err, "errorCode"), "CPS.0404");
    assert_eq!(prop(&err, "errorMsg"), "Mock error 404.");
    assert_eq!(
        prop(&err, "requestId").as_string().map(|s| s.len()),
        Some(32)
    );

    let err = list(MOCK, "demo", "bad-token", JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert_eq!(
        (kind(&err), prop(&err, "status")),
        ("http".to_owned(), JsValue::from(401))
    );
    assert_eq!(prop(&err, "errorCode"), "APIG.0301");

    for (id, status, code) in [
        ("shape-nested", 401, Some("APIG.0301")),
        ("shape-flat", 404, Some("CPS.0005")),
        ("shape-camel", 403, Some("CPS.0013")),
        ("throttled", 429, Some("APIG.0308")),
        ("html-502", 502, None),
        ("empty-503", 503, None),
    ] {
        let err = fail(id, options(&[("maxAttempts", 1.into())])).await;
        assert_eq!(kind(&err), "http", "{id}");
        assert_eq!(prop(&err, "status"), status, "{id}");
        assert_eq!(prop(&err, "errorCode").as_string().as_deref(), code, "{id}");
    }
}

#[wasm_bindgen_test]
async fn reports_bad_bodies_as_decode_errors_naming_the_path() {
    for (id, needle) in [
        ("wrong-type", "jobs[1].status"),
        ("missing-job-id", "jobs[1]: missing field `job_id`"),
        ("truncated", "EOF while parsing"),
        ("not-json", "expected value at line 1 column 1"),
    ] {
        let err = fail(id, JsValue::UNDEFINED).await;
        assert_eq!(kind(&err), "decode", "{id}");
        let message = prop(&err, "message").as_string().unwrap();
        assert!(message.contains(needle), "{id}: {message}");
    }
}

#[wasm_bindgen_test]
async fn rejects_bad_input_before_sending_and_never_throws() {
    let cases: [(JsValue, &str, &str, JsValue, &str); 8] = [
        (
            "".into(),
            "r",
            TOKEN,
            JsValue::UNDEFINED,
            "invalid endpoint",
        ),
        (
            "ftp://h".into(),
            "r",
            TOKEN,
            JsValue::UNDEFINED,
            "invalid endpoint",
        ),
        (
            "http://example.com".into(),
            "r",
            TOKEN,
            JsValue::UNDEFINED,
            "invalid endpoint",
        ),
        (
            42.into(),
            "r",
            TOKEN,
            JsValue::UNDEFINED,
            "invalid endpoint: expected a string",
        ),
        (
            MOCK.into(),
            "a/b",
            TOKEN,
            JsValue::UNDEFINED,
            "invalid requestId",
        ),
        (
            MOCK.into(),
            "r",
            "bad\r\ntoken",
            JsValue::UNDEFINED,
            "invalid token",
        ),
        (
            MOCK.into(),
            "r",
            TOKEN,
            options(&[("timeoutMs", (-5).into())]),
            "invalid timeoutMs",
        ),
        (
            MOCK.into(),
            "r",
            TOKEN,
            options(&[("signal", "nope".into())]),
            "invalid signal",
        ),
    ];
    for (endpoint, request_id, token, opts, needle) in cases {
        let promise = JsFuture::from(cph_jobs::wasm::js::list_jobs(
            endpoint,
            "proj_1".into(),
            request_id.into(),
            token.into(),
            opts,
        ));
        let err = promise.await.unwrap_err();
        assert_eq!(kind(&err), "invalid-input");
        let message = prop(&err, "message").as_string().unwrap();
        assert!(message.starts_with(needle), "{message}");
        assert!(!Reflect::has(&err, &"status".into()).unwrap());
    }
}

#[wasm_bindgen_test]
async fn times_out_waiting_for_headers_and_for_the_body() {
    for id in ["hang", "hang-body"] {
        let err = fail(id, options(&[("timeoutMs", 300.into())])).await;
        assert_eq!(kind(&err), "timeout", "{id}");
    }
}

#[wasm_bindgen_test]
async fn aborts_before_and_during_the_call() {
    let controller = AbortController::new().unwrap();
    controller.abort();
    let err = fail("demo", options(&[("signal", controller.signal().into())])).await;
    assert_eq!(kind(&err), "aborted");

    let controller = AbortController::new().unwrap();
    let signal = controller.signal();
    let call = list(MOCK, "hang", TOKEN, options(&[("signal", signal.into())]));
    let abort_soon = async move {
        sleep(100).await;
        controller.abort();
    };
    let (result, ()) = futures_join(call, abort_soon).await;
    assert_eq!(kind(&result.unwrap_err()), "aborted");
}

#[wasm_bindgen_test]
async fn never_follows_redirects() {
    for id in ["redirect", "redirect-cross"] {
        let err = fail(id, JsValue::UNDEFINED).await;
        assert_eq!(kind(&err), "http", "{id}");
        assert!(prop(&err, "message")
            .as_string()
            .unwrap()
            .contains("redirect"));
    }
}

#[wasm_bindgen_test]
async fn reports_refused_connections_as_network_errors() {
    let err = list(CLOSED, "demo", TOKEN, JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "network");
    assert!(!Reflect::has(&err, &"status".into()).unwrap());
    let message = prop(&err, "message").as_string().unwrap();
    let in_node = Reflect::get(&js_sys::global(), &"process".into()).is_ok_and(|p| p.is_object());
    assert_eq!(message.contains("CORS"), !in_node, "{message}");
}

#[wasm_bindgen_test]
async fn a_broken_body_keeps_the_status_and_request_id_that_arrived() {
    let err = fail("reset-body", JsValue::UNDEFINED).await;
    assert_eq!(kind(&err), "network");
    assert_eq!(prop(&err, "status"), 200);
    assert_eq!(
        prop(&err, "requestId").as_string().map(|s| s.len()),
        Some(32)
    );
}

#[wasm_bindgen_test]
async fn keeps_the_token_out_of_errors_even_when_the_server_echoes_it() {
    let err = fail("echo-token", JsValue::UNDEFINED).await;
    assert!(prop(&err, "errorMsg")
        .as_string()
        .unwrap()
        .contains("[REDACTED]"));
}

#[wasm_bindgen_test]
async fn decodes_ten_thousand_jobs() {
    let jobs: Array = prop(&ok("bulk-10000").await, "jobs").unchecked_into();
    assert_eq!(jobs.length(), 10_000);
    assert_eq!(prop(&jobs.get(9_999), "jobId"), "bulk-10000-009999");
}

#[wasm_bindgen_test]
async fn answers_a_hundred_concurrent_calls_each_with_its_own_result() {
    let calls = Array::new();
    for n in 1..=100u32 {
        let id = format!("jobs-{n}");
        calls.push(&wasm_bindgen_futures::future_to_promise(async move {
            list(MOCK, &id, TOKEN, JsValue::UNDEFINED).await
        }));
    }
    let results: Array = JsFuture::from(Promise::all(&calls))
        .await
        .unwrap()
        .unchecked_into();
    for (i, response) in results.iter().enumerate() {
        let n = i + 1;
        assert_eq!(prop(&response, "requestId"), format!("jobs-{n}"));
        assert_eq!(Array::from(&prop(&response, "jobs")).length() as usize, n);
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
        let once = options(&[("maxAttempts", 1.into())]);
        let _ = list(MOCK, id, TOKEN, once).await.unwrap_err();
    }
    let _ = list("", "r", "", JsValue::UNDEFINED).await.unwrap_err();
    assert_eq!(
        prop(&ok("doc-example").await, "requestId"),
        "6a63a18b8bab40ffb71ebd9cb80d0085"
    );
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout: js_sys::Function = prop(&global, "setTimeout").unchecked_into();
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
