//! The `fetch` transport: one request, a deadline and the caller's signal,
//! and the classification of whatever goes wrong into an error kind.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{ArrayBuffer, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Headers, RequestCache, RequestCredentials, RequestInit,
    RequestRedirect, Response, ResponseType,
};

use crate::error::{Error, ErrorKind};
use crate::model::ListJobsResponse;
use crate::request::ListJobsRequest;
use crate::response::{admit_body, redirect_refused};

#[wasm_bindgen]
extern "C" {
    // The global functions, not `window.fetch`: the same code then runs in a
    // page, a worker and Node.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// Sends one ListJobs request and decodes the answer.
pub(super) async fn send(
    request: &ListJobsRequest,
    signal: Option<&AbortSignal>,
    timeout_ms: u32,
) -> Result<ListJobsResponse, Error> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(aborted());
    }
    let guard = AbortGuard::new(signal, timeout_ms)?;

    let headers = Headers::new().map_err(|e| guard.failure(request, &e))?;
    for (name, value) in request.headers() {
        headers
            .append(name, value)
            .map_err(|_| Error::invalid_argument("token", "a header cannot carry it"))?;
    }
    let init = RequestInit::new();
    init.set_method(request.method());
    init.set_headers(&headers);
    init.set_signal(Some(&guard.controller.signal()));
    // Never follow a redirect: the token would travel to the new location.
    init.set_redirect(RequestRedirect::Manual);
    // Cookies go to a same-origin proxy (which may rely on the console's
    // session) and never to a cross-origin endpoint.
    init.set_credentials(RequestCredentials::SameOrigin);
    // A job list is live state; a cached copy would stall every poller.
    init.set_cache(RequestCache::NoStore);

    let promise = global_fetch(request.url(), &init).map_err(|e| guard.failure(request, &e))?;
    let response: Response = JsFuture::from(promise)
        .await
        .map_err(|e| guard.failure(request, &e))?
        .unchecked_into();
    if response.type_() == ResponseType::Opaqueredirect {
        return Err(redirect_refused(None));
    }
    let status = response.status();
    let headers = response.headers();
    // Scrubbed once here: it is the server's text, and every error below may carry it.
    let request_id = headers
        .get("x-request-id")
        .ok()
        .flatten()
        .map(|id| request.redact(&id).into_owned());
    let request_id = request_id.as_deref();
    // From here on a response has arrived: failures carry its status and id.
    let with_response = |error: Error| {
        error
            .with_status(status)
            .with_request_id(request_id.map(str::to_owned))
    };
    // The core decides from the status and the declared length whether the
    // body is read at all (a redirect's never is); unknown lengths are
    // judged again once read.
    let declared = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|len| len.trim().parse::<u64>().ok())
        .unwrap_or(0);
    if !admit_body(status, declared).map_err(with_response)? {
        return request.decode_response(status, request_id, &[]);
    }
    let body = response
        .array_buffer()
        .map_err(|e| guard.failure(request, &e))?;
    let body: ArrayBuffer = JsFuture::from(body)
        .await
        .map_err(|e| with_response(guard.body_failure(request, &e)))?
        .unchecked_into();
    guard.finished.set(true);
    // Checked again as read: a body may carry no length, or the wrong one.
    if !admit_body(status, u64::from(body.byte_length())).map_err(with_response)? {
        return request.decode_response(status, request_id, &[]);
    }
    let bytes = Uint8Array::new(&body).to_vec();
    request.decode_response(status, request_id, &bytes)
}

/// Pairs an `AbortController` with the deadline timer and the caller's
/// signal, and remembers which of the two fired, so a rejected `fetch` or
/// body read can be told apart as a timeout, an abort or a network failure.
/// Dropping it clears the timer, detaches the listener and, unless the body
/// was read to the end, aborts the request so its connection is released.
struct AbortGuard {
    controller: AbortController,
    cause: Rc<Cell<Option<ErrorKind>>>,
    /// Set once the whole body has arrived: nothing is left to abort, and an
    /// abort would only cost an AbortError and an event for every call.
    finished: Cell<bool>,
    timeout_ms: u32,
    timer: JsValue,
    _on_timeout: Closure<dyn FnMut()>,
    caller: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl AbortGuard {
    fn new(signal: Option<&AbortSignal>, timeout_ms: u32) -> Result<Self, Error> {
        let controller = AbortController::new()
            .map_err(|_| Error::new(ErrorKind::Network, "AbortController is not available here"))?;
        let cause = Rc::new(Cell::new(None));

        let fire = |kind: ErrorKind| {
            let controller = controller.clone();
            let cause = Rc::clone(&cause);
            move || {
                if cause.get().is_none() {
                    cause.set(Some(kind));
                }
                controller.abort();
            }
        };
        let on_timeout = Closure::<dyn FnMut()>::new(fire(ErrorKind::Timeout));
        let timer = set_timeout(
            on_timeout.as_ref().unchecked_ref(),
            i32::try_from(timeout_ms).unwrap_or(i32::MAX),
        );
        let caller = signal.map(|signal| {
            let on_abort = Closure::<dyn FnMut()>::new(fire(ErrorKind::Aborted));
            // Cannot fail for a real AbortSignal; a failure would only mean the
            // caller's signal is ignored, never a crash.
            let _ =
                signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
            (signal.clone(), on_abort)
        });
        Ok(AbortGuard {
            controller,
            cause,
            finished: Cell::new(false),
            timeout_ms,
            timer,
            _on_timeout: on_timeout,
            caller,
        })
    }

    /// Turns a rejection from `fetch` into the right error.
    fn failure(&self, request: &ListJobsRequest, error: &JsValue) -> Error {
        self.classify(request, error, "network error: no response from ")
    }

    /// Turns a rejection while reading the body into the right error.
    fn body_failure(&self, request: &ListJobsRequest, error: &JsValue) -> Error {
        self.classify(
            request,
            error,
            "network error: the connection broke while reading the response body from ",
        )
    }

    fn classify(&self, request: &ListJobsRequest, error: &JsValue, network_prefix: &str) -> Error {
        match self.cause.get() {
            Some(ErrorKind::Timeout) => {
                let mut message = String::from("the call did not complete within ");
                crate::json::write_integer(&mut message, i64::from(self.timeout_ms));
                message.push_str(" ms (timeoutMs)");
                Error::new(ErrorKind::Timeout, message)
            }
            Some(_) => aborted(),
            None => network(request, error, network_prefix),
        }
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let Some((signal, on_abort)) = &self.caller {
            let _ = signal
                .remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
        if !self.finished.get() {
            self.controller.abort();
        }
    }
}

fn aborted() -> Error {
    Error::new(ErrorKind::Aborted, "the call was aborted by its signal")
}

/// A failure with no response: refused connection, DNS, TLS, reset, or (in
/// a browser, where the reason is hidden) most often a CORS refusal.
fn network(request: &ListJobsRequest, error: &JsValue, prefix: &str) -> Error {
    let mut message = String::from(prefix);
    message.push_str(request.url());
    let detail = js_message(error);
    let cause = Reflect::get(error, &JsValue::from_str("cause"))
        .ok()
        .filter(JsValue::is_object)
        .and_then(|cause| js_message(&cause));
    for part in [detail, cause].into_iter().flatten() {
        message.push_str(" (");
        // The platform's text is not ours; it must not carry the token either.
        message.push_str(&request.redact(&part));
        message.push(')');
    }
    if !is_node() {
        message.push_str(
            ". In a browser this is most often CORS: the CPH API sends no CORS headers, \
             so call it through a same-origin proxy and pass the proxy's URL as the endpoint",
        );
    }
    Error::new(ErrorKind::Network, message)
}

/// `error.message`, when the value has one.
fn js_message(error: &JsValue) -> Option<String> {
    let message = Reflect::get(error, &JsValue::from_str("message"))
        .ok()?
        .as_string()?;
    (!message.is_empty()).then_some(message)
}

/// Whether this is Node (`process.versions.node`), where CORS does not apply.
fn is_node() -> bool {
    let global = js_sys::global();
    Reflect::get(&global, &JsValue::from_str("process"))
        .and_then(|p| Reflect::get(&p, &JsValue::from_str("versions")))
        .and_then(|v| Reflect::get(&v, &JsValue::from_str("node")))
        .is_ok_and(|n| n.is_string())
}
