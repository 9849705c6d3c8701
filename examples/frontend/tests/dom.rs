//! The app in a page: what it renders into the DOM, from the mock CPH
//! service. Browser only; `wasm-pack test --node` skips this suite.
//! The mock's URL is fixed at compile time through `CPH_MOCK_URL`.
#![cfg(target_arch = "wasm32")]

use cph_jobs::wasm::{Client, WaitOptions};
use cph_jobs::PollSchedule;
use cph_jobs_frontend_example::{follow, follow_jobs, render, show, View, COLUMNS};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Document, Element};

wasm_bindgen_test_configure!(run_in_browser);

const MOCK: &str = match option_env!("CPH_MOCK_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:9",
};
const TOKEN: &str = "MIIT-frontend-test-token-7d1c5a";

fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the page, as an app's root element.
fn container() -> Element {
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div
}

fn client() -> Client {
    Client::builder()
        .endpoint(MOCK)
        .project_id("proj_1")
        .token(TOKEN)
        .build()
        .unwrap()
}

fn texts(root: &Element, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .map(|i| nodes.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

fn attributes(root: &Element, selector: &str, name: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .map(|i| {
            let element: Element = nodes.item(i).unwrap().dyn_into().unwrap();
            element.get_attribute(name).unwrap_or_default()
        })
        .collect()
}

/// A request id the mock has not seen, so a demo batch starts afresh.
fn fresh(scenario: &str) -> String {
    format!("{scenario}-{}", (js_sys::Math::random() * 1e9) as u64)
}

#[wasm_bindgen_test]
async fn renders_the_jobs_as_a_table() {
    let root = container();
    show(&client(), "doc-example", &root).await.unwrap();
    assert_eq!(texts(&root, "thead th"), COLUMNS);
    assert_eq!(
        texts(&root, "tbody tr:first-child td"),
        [
            "1564567b8bab40f34711234cb80d0123",
            "Failed",
            "1234567b8bab40ffb711234cb80d0234",
            "2017-10-25T00:00:00Z",
            "2017-10-25T00:00:30Z",
            "CPS0005: Phone not found.",
        ]
    );
    assert_eq!(attributes(&root, "tbody tr", "data-status"), ["-1", "2"]);
    assert_eq!(
        texts(&root, "caption"),
        ["2 jobs of request doc-example, 0 running"]
    );
}

#[wasm_bindgen_test]
async fn shows_a_failure_as_an_alert_and_replaces_the_table() {
    let root = container();
    show(&client(), "doc-example", &root).await.unwrap();
    show(&client(), "err-404", &root).await.unwrap();
    assert!(root.query_selector("table").unwrap().is_none());
    let alerts = texts(&root, "[role=alert]");
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].starts_with("http error: "), "{}", alerts[0]);
    assert!(alerts[0].contains("CPS.0404"), "{}", alerts[0]);
}

#[wasm_bindgen_test]
async fn service_text_is_shown_as_text_not_markup() {
    let root = container();
    let mut job = cph_jobs::Job::new("<img src=x onerror=alert(1)>", cph_jobs::JobStatus::Running);
    job.server_id = Some("<b>server</b>".to_owned());
    let response = cph_jobs::ListJobsResponse {
        request_id: "r-1".to_owned(),
        jobs: vec![job],
    };
    render(&root, &View::Jobs(response)).unwrap();
    assert!(root.query_selector("img, b").unwrap().is_none());
    assert_eq!(texts(&root, "td")[0], "<img src=x onerror=alert(1)>");
    assert_eq!(texts(&root, "td")[2], "<b>server</b>");
}

#[wasm_bindgen_test]
async fn follows_a_batch_until_every_job_has_finished() {
    let root = container();
    let options = WaitOptions {
        schedule: Some(PollSchedule::new(20, 100).unwrap()),
        ..WaitOptions::default()
    };
    follow(&client(), &fresh("demo"), &root, options)
        .await
        .unwrap();
    let statuses = attributes(&root, "tbody tr", "data-status");
    assert_eq!(statuses.len(), 12);
    assert!(
        statuses.iter().all(|s| s == "2" || s == "-1"),
        "every job finished: {statuses:?}"
    );
    assert!(texts(&root, "caption")[0].ends_with(", 0 running"));
}

#[wasm_bindgen_test]
async fn the_page_entry_renders_a_bad_setting_as_an_alert() {
    let root = container();
    follow_jobs(
        root.clone(),
        "ftp://example.com".to_owned(),
        "proj_1".to_owned(),
        "doc-example".to_owned(),
        TOKEN.to_owned(),
    )
    .await
    .unwrap();
    let alerts = texts(&root, "[role=alert]");
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].starts_with("invalid-input error: "),
        "{}",
        alerts[0]
    );
    assert!(!alerts[0].contains(TOKEN));
}

#[wasm_bindgen_test]
async fn a_wait_that_runs_out_shows_why() {
    let root = container();
    let options = WaitOptions {
        timeout_ms: Some(300),
        schedule: Some(PollSchedule::new(20, 50).unwrap()),
        ..WaitOptions::default()
    };
    follow(&client(), &fresh("running"), &root, options)
        .await
        .unwrap();
    let alerts = texts(&root, "[role=alert]");
    assert_eq!(alerts.len(), 1, "the error replaced the running jobs");
    assert!(alerts[0].starts_with("timeout error: "), "{}", alerts[0]);
}
