//! What the driver needs from the platform, bound to its globals (never
//! `window`, so the same code runs in a page, a worker and Node): the clock,
//! randomness, timers a signal can cut short, and body reads.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStreamDefaultReader, ReadableStreamReadResult, Response};

#[wasm_bindgen(module = "/src/wasm/error.js")]
extern "C" {
    /// The package's error class.
    pub(crate) type CphError;

    #[wasm_bindgen(constructor)]
    pub(crate) fn new(kind: &str, message: &str, details: &Object) -> CphError;
}

#[wasm_bindgen]
extern "C" {
    /// `globalThis`, bound once: `js_sys::global()` looks through four
    /// names for it (four imports and their glue), for engines older than
    /// any this package runs on.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: Object;

    #[wasm_bindgen(js_name = setTimeout)]
    pub(super) fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(super) fn clear_timeout(handle: &JsValue);
}

/// Milliseconds since the UNIX epoch, from the platform's clock.
pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// A random number in `[0, 1)` for jitter; it need not be unpredictable.
pub(crate) fn random() -> f64 {
    js_sys::Math::random()
}

/// Whether this is Node (`process.versions.node`), where CORS does not apply
/// and an access key is at home.
pub(crate) fn is_node() -> bool {
    Reflect::get(&global("process"), &JsValue::from_str("versions"))
        .and_then(|v| Reflect::get(&v, &JsValue::from_str("node")))
        .is_ok_and(|n| n.is_string())
}

/// The global `name` (`fetch`, say), or `undefined`.
pub(crate) fn global(name: &str) -> JsValue {
    GLOBAL_THIS
        .with(|global| Reflect::get(global, &JsValue::from_str(name)))
        .unwrap_or(JsValue::UNDEFINED)
}

/// What a thrown value says: a string as it is, an error's non-empty
/// `message`; getters that throw, or odd values, say nothing.
pub(crate) fn thrown_message(value: &JsValue) -> Option<String> {
    if let Some(text) = value.as_string() {
        return Some(text);
    }
    if !value.is_object() {
        return None;
    }
    let message = Reflect::get(value, &JsValue::from_str("message"))
        .ok()?
        .as_string()?;
    (!message.is_empty()).then_some(message)
}

/// Sets `key` on a plain object; setting a property of a fresh object cannot
/// fail, and a failure would only leave it out.
pub(crate) fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// A timer that the caller's signal can cut short: it resolves with `true`
/// when `ms` have passed and `false` as soon as the signal aborts. Dropping
/// it clears the timer and detaches the listener, so a call that ends early
/// leaves nothing behind to keep a process alive.
pub(crate) struct Timer {
    fired: JsFuture,
    handle: JsValue,
    _on_time: Closure<dyn FnMut()>,
    on_abort: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl Timer {
    /// Starts a timer of `ms` milliseconds (clamped to what `setTimeout`
    /// takes) watching `signal`.
    pub(crate) fn new(ms: u64, signal: Option<&AbortSignal>) -> Timer {
        // The executor runs before `Promise::new` returns, so `resolve` is
        // always set; were it not, the timer would only never fire.
        let mut resolve: Option<Function> = None;
        let fired = Promise::new(&mut |ok, _| resolve = Some(ok));
        let settle = |value: bool| {
            let resolve = resolve.clone();
            move || {
                if let Some(resolve) = &resolve {
                    let _ = resolve.call1(&JsValue::UNDEFINED, &JsValue::from_bool(value));
                }
            }
        };
        let on_time = Closure::<dyn FnMut()>::new(settle(true));
        let handle = set_timeout(
            on_time.as_ref().unchecked_ref(),
            i32::try_from(ms).unwrap_or(i32::MAX),
        );
        let on_abort = signal.map(|signal| {
            let on_abort = Closure::<dyn FnMut()>::new(settle(false));
            if signal.aborted() {
                settle(false)();
            } else {
                // Cannot fail for a real AbortSignal; a failure would only
                // mean the signal is not watched, never a crash.
                let _ = signal
                    .add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
            }
            (signal.clone(), on_abort)
        });
        Timer {
            fired: JsFuture::from(fired),
            handle,
            _on_time: on_time,
            on_abort,
        }
    }
}

impl Future for Timer {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        Pin::new(&mut self.fired)
            .poll(cx)
            .map(|fired| fired.ok().and_then(|v| v.as_bool()).unwrap_or(false))
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.handle);
        if let Some((signal, on_abort)) = &self.on_abort {
            let _ = signal
                .remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
    }
}

/// Sleeps `ms`; `false` when `signal` aborted the sleep.
pub(crate) async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> bool {
    if ms == 0 {
        return !signal.is_some_and(AbortSignal::aborted);
    }
    Timer::new(ms, signal).await
}

/// Why a [`race`] ended without the future's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// The time ran out.
    TimedOut,
    /// The signal aborted.
    Aborted,
}

/// Waits for `future`, for at most `ms` and no longer than `signal` allows.
pub(crate) async fn race<F: Future + Unpin>(
    mut future: F,
    ms: u64,
    signal: Option<&AbortSignal>,
) -> Result<F::Output, Cut> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(Cut::Aborted);
    }
    let mut timer = Timer::new(ms, signal);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(value) = Pin::new(&mut future).poll(cx) {
            return Poll::Ready(Ok(value));
        }
        Pin::new(&mut timer)
            .poll(cx)
            .map(|elapsed| Err(if elapsed { Cut::TimedOut } else { Cut::Aborted }))
    })
    .await
}

/// Reads `response`'s whole body at once, for a body whose declared length
/// is known to bound it: one `arrayBuffer()` is much cheaper than a stream.
pub(crate) async fn read_whole(response: &Response) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Reads `response`'s body as a stream, up to `cap` bytes: `Ok(None)`, and
/// the stream cancelled, as soon as more would arrive. Counting the decoded
/// bytes as they come is what stops a body with no `Content-Length`, a wrong
/// one, or a gzip bomb, before it fills memory.
pub(crate) async fn read_capped(response: &Response, cap: u64) -> Result<Option<Vec<u8>>, JsValue> {
    let Some(stream) = response.body() else {
        return Ok(Some(Vec::new()));
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk: ReadableStreamReadResult = JsFuture::from(reader.read()).await?.unchecked_into();
        if chunk.get_done().unwrap_or(true) {
            return Ok(Some(bytes));
        }
        let chunk: Uint8Array = chunk.get_value().unchecked_into();
        let start = bytes.len();
        let end = start + chunk.length() as usize;
        if end as u64 > cap {
            // Its promise settles when the stream is torn down; a rejection
            // there says nothing the caller needs.
            ignore_rejection(&reader.cancel());
            return Ok(None);
        }
        bytes.resize(end, 0);
        chunk.copy_to(&mut bytes[start..]);
    }
}

/// Handles `promise`'s rejection by ignoring it, so that it is not reported
/// as unhandled (which ends a Node process).
fn ignore_rejection(promise: &Promise) {
    let catch = Reflect::get(promise, &JsValue::from_str("catch"))
        .ok()
        .and_then(|catch| catch.dyn_into::<Function>().ok());
    if let Some(catch) = catch {
        // Frees itself after its one call.
        let _ = catch.call1(promise, &Closure::once_into_js(|_: JsValue| {}));
    }
}
