//! The `fetch` transport of the Rust API: sends the request an
//! [`Operation`] asks for, with its deadline and the caller's signal, and
//! feeds back what happened. What a failure means is the core's decision.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Response, ResponseType};

use super::platform::{
    clear_timeout, global, is_node, now_ms, read_capped, read_whole, set, set_timeout,
    thrown_message,
};
use crate::error::Error;
use crate::operation::{Action, Body, Failure, Operation, ReadPlan, ResponseHead};

#[wasm_bindgen]
extern "C" {
    // The global functions, not `window.fetch`: the same code then runs in a
    // page, a worker and Node.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &Object) -> Result<Promise, JsValue>;
}

/// Sends the request `op` asks for ([`Action::Send`]) with `fetch` (the
/// global one if `None`), and returns the operation's next action.
pub(super) async fn send(
    op: &mut Operation,
    signal: Option<&AbortSignal>,
    fetch: Option<&Function>,
) -> Action {
    if signal.is_some_and(AbortSignal::aborted) {
        return op.failed(Failure::Aborted, now_ms());
    }
    let Some(request) = op.request() else {
        return op.fail(Error::invalid_input("no request to send"), now_ms());
    };
    // Jest's jsdom environment, for one, has no fetch: say so, and what to do.
    if fetch.is_none() && !has_global_fetch() {
        return op.failed(no_fetch(), now_ms());
    }
    let url = request.url().to_owned();
    // Signed now, not when the request was built: a retry after a long
    // Retry-After must not carry a stale X-Sdk-Date.
    let signed = match op.headers_at(now_ms()) {
        Ok(headers) => headers,
        Err(error) => return op.fail(error, now_ms()),
    };
    let guard = match AbortGuard::new(signal, op.remaining_ms(now_ms())) {
        Some(guard) => guard,
        None => return op.failed(unsupported(), now_ms()),
    };
    // A plain object, not a `Headers`: two imports fewer (128 B of the page
    // after gzip), and a caller's `fetch` wrapper can spread it. Only names
    // and values the core has already checked reach here.
    let headers = Object::new();
    for header in signed {
        set(&headers, header.name, &JsValue::from_str(&header.value));
    }
    // The init as a plain object too, set through the one `Reflect.set`
    // import, not a `RequestInit`, whose six setters are an import each.
    let init = Object::new();
    set(&init, "method", &JsValue::from_str("GET"));
    set(&init, "headers", &headers);
    set(&init, "signal", &guard.controller.signal());
    // Never follow a redirect: the token would travel to the new location.
    set(&init, "redirect", &JsValue::from_str("manual"));
    // Cookies go to a same-origin proxy (which may rely on the console's
    // session) and never to a cross-origin endpoint.
    set(&init, "credentials", &JsValue::from_str("same-origin"));
    // A job list is live state; a cached copy would stall every poller.
    set(&init, "cache", &JsValue::from_str("no-store"));

    let promise = match fetch {
        None => global_fetch(&url, &init),
        // A thenable or a plain value is accepted as `await` would accept it.
        Some(fetch) => fetch
            .call2(&JsValue::UNDEFINED, &JsValue::from_str(&url), &init)
            .map(|value| Promise::resolve(&value)),
    };
    let response = match promise {
        Ok(promise) => JsFuture::from(promise).await,
        Err(error) => Err(error),
    };
    let response = match response {
        Ok(response) => response,
        Err(error) => return guard.failure(op, &error, false),
    };
    // Where there is no global Response, wasm-bindgen's `instanceof` check
    // catches the ReferenceError and answers false: not a Response.
    let Ok(response) = response.dyn_into::<Response>() else {
        return op.failed(Failure::NotAResponse, now_ms());
    };
    let response_type = response.type_();
    if response_type == ResponseType::Opaqueredirect {
        return op.failed(Failure::Redirected, now_ms());
    }
    let headers = response.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    let (request_id, retry_after) = (header("x-request-id"), header("retry-after"));
    let (content_length, content_encoding) = (header("content-length"), header("content-encoding"));
    let head = ResponseHead {
        status: response.status(),
        request_id: request_id.as_deref(),
        retry_after: retry_after.as_deref(),
        content_length: content_length.as_deref(),
        content_encoding: content_encoding.as_deref(),
        cross_origin: response_type == ResponseType::Cors,
    };
    let plan = op.head(&head, now_ms());
    let body = match plan {
        ReadPlan::Skip => return op.body(Body::Skipped, now_ms()),
        ReadPlan::TooLarge => return op.body(Body::TooLarge, now_ms()),
        // One arrayBuffer() read is much cheaper than streaming, when the
        // declared length is known to bound the body.
        ReadPlan::Whole => read_whole(&response).await.map(Some),
        ReadPlan::Capped(cap) => read_capped(&response, cap).await,
    };
    match body {
        Ok(body) => {
            guard.finished.set(true);
            match body {
                Some(bytes) => op.body(Body::Bytes(&bytes), now_ms()),
                None => op.body(Body::TooLarge, now_ms()),
            }
        }
        Err(error) => guard.failure(op, &error, true),
    }
}

/// Whether the global scope has a `fetch` function.
fn has_global_fetch() -> bool {
    global("fetch").is_function()
}

/// The failure of a platform with no `fetch` and none in the options.
fn no_fetch() -> Failure<'static> {
    Failure::Network {
        detail: Some(
            "this JavaScript environment has no fetch: give it one (globalThis.fetch), \
             or give CphClient its `fetch` option",
        ),
        cause: None,
        reading_body: false,
        in_browser: !is_node(),
    }
}

/// The failure of a platform without the parts `fetch` needs.
fn unsupported() -> Failure<'static> {
    Failure::Network {
        detail: Some("AbortController is not available here"),
        cause: None,
        reading_body: false,
        in_browser: !is_node(),
    }
}

/// Pairs an `AbortController` with the deadline timer and the caller's
/// signal, and remembers which of the two fired, so a rejected `fetch` or
/// body read can be told apart as a timeout, an abort or a network failure.
/// Dropping it clears the timer, detaches the listener and, unless the body
/// was read to the end, aborts the request so its connection is released.
struct AbortGuard {
    controller: AbortController,
    /// Which fired first: the deadline ([`Failure::TimedOut`]) or the
    /// caller's signal ([`Failure::Aborted`]).
    cause: Rc<Cell<Option<Failure<'static>>>>,
    /// Set once the whole body has arrived: nothing is left to abort, and an
    /// abort would only cost an AbortError and an event for every call.
    finished: Cell<bool>,
    timer: JsValue,
    _on_timeout: Closure<dyn FnMut()>,
    caller: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl AbortGuard {
    fn new(signal: Option<&AbortSignal>, remaining_ms: u64) -> Option<Self> {
        let controller = AbortController::new().ok()?;
        let cause = Rc::new(Cell::new(None));
        let fire = |why: Failure<'static>| {
            let controller = controller.clone();
            let cause = Rc::clone(&cause);
            move || {
                if cause.get().is_none() {
                    cause.set(Some(why));
                }
                controller.abort();
            }
        };
        let on_timeout = Closure::<dyn FnMut()>::new(fire(Failure::TimedOut));
        let timer = set_timeout(
            on_timeout.as_ref().unchecked_ref(),
            i32::try_from(remaining_ms).unwrap_or(i32::MAX),
        );
        let caller = signal.map(|signal| {
            let on_abort = Closure::<dyn FnMut()>::new(fire(Failure::Aborted));
            // Cannot fail for a real AbortSignal; a failure would only mean the
            // caller's signal is ignored, never a crash.
            let _ =
                signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
            (signal.clone(), on_abort)
        });
        Some(AbortGuard {
            controller,
            cause,
            finished: Cell::new(false),
            timer,
            _on_timeout: on_timeout,
            caller,
        })
    }

    /// Feeds a rejection from `fetch` or the body read to `op`, as what it is.
    fn failure(&self, op: &mut Operation, error: &JsValue, reading_body: bool) -> Action {
        if let Some(fired) = self.cause.get() {
            return op.failed(fired, now_ms());
        }
        let detail = thrown_message(error);
        let cause = Reflect::get(error, &JsValue::from_str("cause"))
            .ok()
            .filter(JsValue::is_object)
            .and_then(|cause| thrown_message(&cause));
        let failure = Failure::Network {
            detail: detail.as_deref(),
            cause: cause.as_deref(),
            reading_body,
            in_browser: !is_node(),
        };
        op.failed(failure, now_ms())
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
