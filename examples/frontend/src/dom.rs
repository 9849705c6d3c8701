//! The calls and the DOM: `wasm32` only.

use cph_jobs::wasm::{CallOptions, Client, Jobs, WaitOptions};
use cph_jobs::{Error, JobStatus};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

use crate::{row, View, COLUMNS};

/// Lists every job of one batch request, all pages, as a [`View`].
pub async fn load(client: &Client, request_id: &str) -> View {
    let jobs = Jobs::from(request_id);
    View::of(client.list_all_jobs(&jobs, &CallOptions::default()).await)
}

/// Lists the jobs of one batch request and renders them into `container`.
///
/// # Errors
///
/// A DOM call failed, e.g. the container is in no document. A failed call
/// to the service is not an error here: it is rendered.
pub async fn show(client: &Client, request_id: &str, container: &Element) -> Result<(), JsValue> {
    render(container, &View::Loading)?;
    render(container, &load(client, request_id).await)
}

/// Follows a batch request until no job is running, rendering the jobs after
/// every poll, then the final jobs or the error that ended the wait.
///
/// `options.on_progress` is replaced by the rendering.
///
/// # Errors
///
/// As [`show`].
pub async fn follow(
    client: &Client,
    request_id: &str,
    container: &Element,
    options: WaitOptions,
) -> Result<(), JsValue> {
    render(container, &View::Loading)?;
    let target = container.clone();
    let options = WaitOptions {
        on_progress: Some(Box::new(move |response| {
            // The waiter stops on an `Err`, and a page that cannot show the
            // jobs has no reason to keep polling.
            render(&target, &View::Jobs(response.clone()))
                .map_err(|_| Error::invalid_input("could not render the jobs"))
        })),
        ..options
    };
    let result = client.wait_for_jobs(&Jobs::from(request_id), options).await;
    render(container, &View::of(result))
}

/// The page's entry (see `index.html`): follows a batch request into
/// `container`, with a client made from the form's fields.
///
/// # Errors
///
/// As [`show`]; a bad field is rendered like any failed call.
#[wasm_bindgen(js_name = followJobs)]
pub async fn follow_jobs(
    container: Element,
    endpoint: String,
    project_id: String,
    request_id: String,
    token: String,
) -> Result<(), JsValue> {
    let client = Client::builder()
        .endpoint(&endpoint)
        .project_id(&project_id)
        .token(&token)
        .build();
    match client {
        Ok(client) => follow(&client, &request_id, &container, WaitOptions::default()).await,
        Err(error) => render(&container, &View::of(Err(error))),
    }
}

/// Renders `view` into `container`, replacing what it held. Every text goes
/// in as text, never as HTML, so nothing the service sends can add markup.
///
/// # Errors
///
/// A DOM call failed, e.g. the container is in no document.
pub fn render(container: &Element, view: &View) -> Result<(), JsValue> {
    let document = container
        .owner_document()
        .ok_or_else(|| JsValue::from_str("the container is in no document"))?;
    let content = match view {
        View::Loading => {
            let note = element(&document, "p", "loading", Some("Loading jobs…"))?;
            note.set_attribute("aria-busy", "true")?;
            note
        }
        View::Failed(text) => {
            let alert = element(&document, "p", "error", Some(text))?;
            alert.set_attribute("role", "alert")?;
            alert
        }
        View::Jobs(response) => {
            let table = element(&document, "table", "jobs", None)?;
            table.set_attribute("data-request-id", &response.request_id)?;
            let running = response
                .jobs
                .iter()
                .filter(|job| job.status == JobStatus::Running)
                .count();
            let caption = format!(
                "{} jobs of request {}, {running} running",
                response.jobs.len(),
                response.request_id
            );
            child(&document, &table, "caption", Some(&caption))?;
            let thead = child(&document, &table, "thead", None)?;
            let head = child(&document, &thead, "tr", None)?;
            for name in COLUMNS {
                child(&document, &head, "th", Some(name))?;
            }
            let body = child(&document, &table, "tbody", None)?;
            for job in &response.jobs {
                let tr = child(&document, &body, "tr", None)?;
                tr.set_attribute("data-status", &job.status.code().to_string())?;
                for cell in row(job) {
                    child(&document, &tr, "td", Some(&cell))?;
                }
            }
            table
        }
    };
    container.replace_children_with_node_1(&content);
    Ok(())
}

fn element(
    document: &Document,
    tag: &str,
    class: &str,
    text: Option<&str>,
) -> Result<Element, JsValue> {
    let element = document.create_element(tag)?;
    if !class.is_empty() {
        element.set_class_name(class);
    }
    element.set_text_content(text);
    Ok(element)
}

/// A new element appended to `parent`.
fn child(
    document: &Document,
    parent: &Element,
    tag: &str,
    text: Option<&str>,
) -> Result<Element, JsValue> {
    let element = element(document, tag, "", text)?;
    parent.append_child(&element)?;
    Ok(element)
}
