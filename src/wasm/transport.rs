//! The `fetch` transport: one request, a deadline and the caller's signal,
//! and the classification of whatever goes wrong into an error kind.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Headers, RequestCache, RequestCredentials, RequestInit,
    RequestRedirect, Response, ResponseType,
};

use super::runtime::{now_ms, read_capped, read_whole};
use crate::error::{Error, ErrorKind};
use crate::model::ListJobsResponse;
use crate::request::ListJobsRequest;
use crate::response::{
    admit_body, body_too_large, length_bounds_body, redirect_refused, MAX_ERROR_BODY_BYTES,
};
use crate::retry::parse_retry_after;
use crate::wait::Deadline;

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

/// How one request is sent: what may cancel it, when it gives up, and with
/// which `fetch`.
pub(super) struct Call<'a> {
    /// The caller's signal.
    pub signal: Option<&'a AbortSignal>,
    /// When the request gives up, body read included.
    pub deadline: Deadline,
    /// A caller's own `fetch` (e.g. a console's wrapper); the global one if `None`.
    pub fetch: Option<&'a Function>,
    /// The most bytes a 2xx body may have.
    pub max_response_bytes: u64,
}

/// Sends one ListJobs request and decodes the answer.
pub(super) async fn send(
    request: &ListJobsRequest,
    call: &Call<'_>,
) -> Result<ListJobsResponse, Error> {
    if call.signal.is_some_and(AbortSignal::aborted) {
        return Err(aborted());
    }
    let remaining = call.deadline.remaining_ms(now_ms());
    if remaining == 0 {
        return Err(timed_out(call.deadline));
    }
    let guard = AbortGuard::new(call.signal, remaining, call.deadline)?;

    let headers = Headers::new().map_err(|e| guard.failure(request, &e))?;
    // Signed now, not when the request was built: a retry after a long
    // Retry-After must not carry a stale X-Sdk-Date.
    for (name, value) in request.headers_at(now_ms())? {
        headers
            .append(name, &value)
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

    let promise = match call.fetch {
        None => global_fetch(request.url(), &init),
        // A thenable or a plain value is accepted as `await` would accept it.
        Some(fetch) => fetch
            .call2(
                &JsValue::UNDEFINED,
                &JsValue::from_str(request.url()),
                &init,
            )
            .map(|value| Promise::resolve(&value)),
    }
    .map_err(|e| guard.failure(request, &e))?;
    let response = JsFuture::from(promise)
        .await
        .map_err(|e| guard.failure(request, &e))?
        .dyn_into::<Response>()
        .map_err(|_| {
            Error::new(
                ErrorKind::Network,
                "the fetch option resolved with something that is not a Response",
            )
        })?;
    let response_type = response.type_();
    if response_type == ResponseType::Opaqueredirect {
        return Err(redirect_refused(None));
    }
    let status = response.status();
    let headers = response.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    // Scrubbed once here: it is the server's text, and every error below may carry it.
    let request_id = header("x-request-id").map(|id| request.redact(&id).into_owned());
    let request_id = request_id.as_deref();
    // From here on a response has arrived: failures carry its status and id.
    let with_response = |error: Error| {
        error
            .with_status(status)
            .with_request_id(request_id.map(str::to_owned))
    };
    // The core decides from the status and the declared length whether the
    // body is read at all (a redirect's never is); then the read itself is
    // capped, since a length may be missing, wrong, or that of a compressed
    // body.
    let declared = header("content-length").and_then(|len| len.trim().parse::<u64>().ok());
    let success = (200..300).contains(&status);
    let decode = |body: &[u8]| {
        request
            .decode_response(status, request_id, body)
            .map_err(|error| {
                let retry_after =
                    header("retry-after").and_then(|v| parse_retry_after(&v, now_ms()));
                error.with_retry_after_ms(retry_after)
            })
    };
    if !admit_body(status, declared.unwrap_or(0), call.max_response_bytes).map_err(with_response)? {
        return decode(&[]);
    }
    let cap = if success {
        call.max_response_bytes
    } else {
        MAX_ERROR_BODY_BYTES as u64
    };
    // One arrayBuffer() read is much cheaper than streaming, when the
    // declared length is known to bound the body.
    let cross_origin = response_type == ResponseType::Cors;
    let body = if length_bounds_body(
        declared,
        cap,
        header("content-encoding").as_deref(),
        cross_origin,
    ) {
        read_whole(&response).await.map(Some)
    } else {
        read_capped(&response, cap).await
    }
    .map_err(|e| with_response(guard.body_failure(request, &e)))?;
    guard.finished.set(true);
    match body {
        Some(bytes) => decode(&bytes),
        None if success => Err(with_response(body_too_large(
            status,
            call.max_response_bytes,
        ))),
        // An error body too large to hold a service code: the status says enough.
        None => decode(&[]),
    }
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
    deadline: Deadline,
    timer: JsValue,
    _on_timeout: Closure<dyn FnMut()>,
    caller: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl AbortGuard {
    fn new(
        signal: Option<&AbortSignal>,
        remaining_ms: u64,
        deadline: Deadline,
    ) -> Result<Self, Error> {
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
            i32::try_from(remaining_ms).unwrap_or(i32::MAX),
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
            deadline,
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
            Some(ErrorKind::Timeout) => timed_out(self.deadline),
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

/// The error of a call whose deadline passed.
fn timed_out(deadline: Deadline) -> Error {
    let mut message = String::from("the call did not complete within ");
    crate::json::write_integer(&mut message, i64::from(deadline.timeout_ms()));
    message.push_str(" ms (timeoutMs)");
    Error::new(ErrorKind::Timeout, message)
}

/// The error of a call its signal stopped.
pub(super) fn aborted() -> Error {
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
pub(super) fn is_node() -> bool {
    let global = js_sys::global();
    Reflect::get(&global, &JsValue::from_str("process"))
        .and_then(|p| Reflect::get(&p, &JsValue::from_str("versions")))
        .and_then(|v| Reflect::get(&v, &JsValue::from_str("node")))
        .is_ok_and(|n| n.is_string())
}
