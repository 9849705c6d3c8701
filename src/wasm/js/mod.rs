//! The npm package's exports (the `js` feature): `listJobs`, `listAllJobs`,
//! `paginateJobs`, `waitForJobs` and `CphClient` are this module, each call
//! run by the one driver ([`Client`]) that Rust frontends call too. The
//! package's JavaScript only loads the module, wraps the pages in an async
//! iterator and declares the error class.
//!
//! Every export returns a promise and never throws: a bad argument, like
//! every failure, is a rejection with a `CphError`.

mod options;

// The module's allocator: smaller and faster than the default (dlmalloc),
// measured in docs/size-study.md. Only the npm package's build installs it;
// a Rust frontend keeps its own.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

use options::{client_from_config, plan, positional_client, Args, Plan};
pub use options::{
    AccessKeyCredentials, CphClientConfig, JobsQuery, ListJobsOptions, ResponseMetadata,
    WaitForJobsOptions,
};

use super::client::{Client, Progress};
use super::js_error;
use super::platform::{is_node, now_ms, set};
use crate::error::Error;
use crate::operation::{Action, Kind, Operation};

/// Lists one page of the jobs of a batch request (or of up to 20).
#[wasm_bindgen(js_name = listJobs, skip_typescript)]
pub fn list_jobs(
    endpoint: JsValue,
    project_id: JsValue,
    request_id: JsValue,
    token: JsValue,
    options: JsValue,
) -> Promise {
    Positional {
        endpoint,
        project_id,
        request_id,
        token,
        options,
    }
    .call(Kind::List)
}

/// Lists every job of one or many batch requests.
#[wasm_bindgen(js_name = listAllJobs, skip_typescript)]
pub fn list_all_jobs(
    endpoint: JsValue,
    project_id: JsValue,
    request_id: JsValue,
    token: JsValue,
    options: JsValue,
) -> Promise {
    Positional {
        endpoint,
        project_id,
        request_id,
        token,
        options,
    }
    .call(Kind::All)
}

/// Polls until no job of the batch request(s) is running.
#[wasm_bindgen(js_name = waitForJobs, skip_typescript)]
pub fn wait_for_jobs(
    endpoint: JsValue,
    project_id: JsValue,
    request_id: JsValue,
    token: JsValue,
    options: JsValue,
) -> Promise {
    Positional {
        endpoint,
        project_id,
        request_id,
        token,
        options,
    }
    .call(Kind::Wait)
}

/// The pages of the jobs of one or many batch requests, one `next()` at a
/// time; the package wraps them in an async iterator.
#[wasm_bindgen(js_name = paginateJobs, skip_typescript)]
pub fn paginate_jobs(
    endpoint: JsValue,
    project_id: JsValue,
    request_id: JsValue,
    token: JsValue,
    options: JsValue,
) -> JobPages {
    Positional {
        endpoint,
        project_id,
        request_id,
        token,
        options,
    }
    .pages()
}

/// A free function's arguments, as JavaScript passed them.
struct Positional {
    endpoint: JsValue,
    project_id: JsValue,
    request_id: JsValue,
    token: JsValue,
    options: JsValue,
}

impl Positional {
    /// A client of the endpoint, project and token, and the call's arguments.
    fn client(&self) -> (Rc<Result<Client, Error>>, Args<'_>) {
        let client = positional_client(&self.endpoint, &self.project_id, &self.token);
        let args = Args::Positional {
            jobs: &self.request_id,
            options: &self.options,
        };
        (Rc::new(client), args)
    }

    /// Runs a call of `kind`.
    fn call(&self, kind: Kind) -> Promise {
        let (client, args) = self.client();
        call(client, kind, args)
    }

    /// Plans the pages of a `paginateJobs` call.
    fn pages(&self) -> JobPages {
        let (client, args) = self.client();
        JobPages::new(client, args)
    }
}

/// A CPH client for JavaScript: the settings its calls share. It never
/// throws; a bad setting is kept and rejects each call.
#[wasm_bindgen(js_name = CphClient, skip_typescript)]
pub struct JsClient {
    // Shared by its calls: a kept error is reported without being copied.
    client: Rc<Result<Client, Error>>,
}

#[wasm_bindgen(js_class = CphClient)]
impl JsClient {
    /// The client a `CphClientConfig` describes.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsClient {
        JsClient {
            client: Rc::new(client_from_config(&config, is_node())),
        }
    }

    /// Lists one page of the jobs of `{ requestId }` or of up to 20 `{ requestIds }`.
    #[wasm_bindgen(js_name = listJobs)]
    pub fn list_jobs(&self, query: JsValue) -> Promise {
        call(Rc::clone(&self.client), Kind::List, Args::Query(&query))
    }

    /// Lists every job of `{ requestId }` or `{ requestIds }` (any number).
    #[wasm_bindgen(js_name = listAllJobs)]
    pub fn list_all_jobs(&self, query: JsValue) -> Promise {
        call(Rc::clone(&self.client), Kind::All, Args::Query(&query))
    }

    /// Polls until no job of `{ requestId }` or `{ requestIds }` is running.
    #[wasm_bindgen(js_name = waitForJobs)]
    pub fn wait_for_jobs(&self, query: JsValue) -> Promise {
        call(Rc::clone(&self.client), Kind::Wait, Args::Query(&query))
    }

    /// The pages of the jobs of `{ requestId }` or `{ requestIds }`.
    #[wasm_bindgen(js_name = paginateJobs)]
    pub fn paginate_jobs(&self, query: JsValue) -> JobPages {
        JobPages::new(Rc::clone(&self.client), Args::Query(&query))
    }
}

/// Reads the arguments now (a caller may change its objects once the call
/// has begun) and runs the call.
fn call(client: Rc<Result<Client, Error>>, kind: Kind, args: Args<'_>) -> Promise {
    let planned = plan(kind, args);
    promise(async move {
        let client = client.as_ref().as_ref().map_err(js_error)?;
        let plan = planned?;
        let Plan {
            jobs,
            options,
            signal,
            on_progress,
        } = plan;
        let mut op = client.operation(kind, &jobs, &options)?;
        let progress = on_progress.as_ref().map_or(Progress::Nobody, Progress::Js);
        let action = op.start(now_ms());
        let last = client
            .drive(&mut op, action, signal.as_ref(), progress)
            .await;
        result(&mut op, last)
    })
}

/// The promise of a call or a page. One future type for both, so the
/// module holds one copy of the executor's glue rather than one per type.
fn promise(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let future: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(future);
    future_to_promise(future)
}

/// What a call resolves with after its last action: the response with its
/// `$metadata`, `undefined` after the last page, or the `CphError`.
fn result(op: &mut Operation, last: Action) -> Result<JsValue, JsValue> {
    match last {
        Action::Done | Action::Page => {
            let Some(json) = op.json() else {
                return Ok(JsValue::UNDEFINED);
            };
            let response = js_sys::JSON::parse(&json)?;
            let metadata = op.metadata();
            let hidden = Object::new();
            set(&hidden, "attempts", &metadata.attempts.into());
            if let Some(polls) = metadata.polls {
                set(&hidden, "polls", &polls.into());
            }
            // Non-enumerable, so it stays out of JSON, spreads and deep
            // equality checks.
            let descriptor = Object::new();
            set(&descriptor, "value", &Object::freeze(&hidden));
            Object::define_property(
                response.unchecked_ref::<Object>(),
                &JsValue::from_str("$metadata"),
                &descriptor,
            );
            Ok(response)
        }
        _ => Err(match op.error() {
            Some(error) => js_error(error),
            None => Error::invalid_input("the call ended without a result").into(),
        }),
    }
}

/// The pages of a `paginateJobs` call, fetched one `next()` at a time.
#[wasm_bindgen(skip_typescript)]
pub struct JobPages {
    pages: Rc<RefCell<PagesState>>,
}

struct PagesState {
    client: Rc<Result<Client, Error>>,
    op: Option<Result<(Operation, Plan), Error>>,
    started: bool,
}

impl JobPages {
    fn new(client: Rc<Result<Client, Error>>, args: Args<'_>) -> JobPages {
        // Planned now, as a call is, and started on the first `next()`; a
        // bad setting is the client's to report.
        let op = match client.as_ref() {
            Ok(client) => Some(plan(Kind::Pages, args).and_then(|plan| {
                let op = client.operation(Kind::Pages, &plan.jobs, &plan.options)?;
                Ok((op, plan))
            })),
            Err(_) => None,
        };
        JobPages {
            pages: Rc::new(RefCell::new(PagesState {
                client,
                op,
                started: false,
            })),
        }
    }
}

#[wasm_bindgen]
impl JobPages {
    /// The next page, or `undefined` after the last; after an error, every
    /// later `next()` resolves with `undefined`.
    // The borrow is held across the page's awaits on purpose: it is taken
    // with `try_borrow_mut`, so a second `next()` meanwhile is refused.
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn next(&self) -> Promise {
        let pages = Rc::clone(&self.pages);
        promise(async move {
            // The async iterator asks for one page at a time; a second
            // `next()` before the first settles is refused, not a crash.
            let Ok(mut state) = pages.try_borrow_mut() else {
                return Err(Error::invalid_input("a page is already being fetched").into());
            };
            let state = &mut *state;
            let client = match state.client.as_ref() {
                Ok(client) => client,
                // Reported once, as a call's error is; the pages then end.
                Err(error) if !state.started => {
                    state.started = true;
                    return Err(js_error(error));
                }
                Err(_) => return Ok(JsValue::UNDEFINED),
            };
            let Some(Ok((op, plan))) = state.op.as_mut() else {
                return match state.op.take() {
                    Some(Err(error)) => Err(js_error(&error)),
                    _ => Ok(JsValue::UNDEFINED),
                };
            };
            let action = if state.started {
                op.resume(now_ms())
            } else {
                state.started = true;
                op.start(now_ms())
            };
            let last = if action == Action::Done {
                action
            } else {
                client
                    .drive(op, action, plan.signal.as_ref(), Progress::Nobody)
                    .await
            };
            let page = result(op, last);
            if last != Action::Page {
                state.op = None;
            }
            page
        })
    }
}

/// Bytes of WebAssembly linear memory the package's module holds now. It
/// grows in 64 KiB pages and never shrinks, so a console that polls for
/// hours can check that it stays flat.
#[wasm_bindgen(js_name = memoryBytes, skip_typescript)]
pub fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
        .into()
}
