//! The bindings to `runtime.js` and the platform: clock, randomness, sleep.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Response};

#[wasm_bindgen(module = "/src/wasm/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn make_error(
        kind: &str,
        message: &str,
        status: Option<u16>,
        error_code: Option<&str>,
        error_msg: Option<&str>,
        request_id: Option<&str>,
        attempts: u32,
        last_response: JsValue,
    ) -> JsValue;

    #[wasm_bindgen(js_name = sleep)]
    fn sleep_promise(ms: f64, signal: Option<&AbortSignal>) -> Promise;

    #[wasm_bindgen(js_name = readCapped)]
    fn read_capped_promise(response: &Response, cap: f64) -> Promise;
}

/// Milliseconds since the UNIX epoch, from the platform's clock.
pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// A random number in `[0, 1)` for jitter; it need not be unpredictable.
pub(crate) fn random() -> f64 {
    js_sys::Math::random()
}

/// Sleeps `ms`; `false` when `signal` aborted the sleep.
pub(crate) async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> bool {
    if ms == 0 {
        return !signal.is_some_and(AbortSignal::aborted);
    }
    JsFuture::from(sleep_promise(ms as f64, signal))
        .await
        .ok()
        .and_then(|slept| slept.as_bool())
        .unwrap_or(false)
}

/// Reads `response`'s whole body at once, for a body whose declared length
/// is known to bound it.
pub(crate) async fn read_whole(response: &Response) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Reads `response`'s body, up to `cap` bytes: `Ok(None)` when it is longer.
pub(crate) async fn read_capped(response: &Response, cap: u64) -> Result<Option<Vec<u8>>, JsValue> {
    let bytes = JsFuture::from(read_capped_promise(response, cap as f64)).await?;
    if bytes.is_null() {
        return Ok(None);
    }
    Ok(Some(bytes.unchecked_into::<Uint8Array>().to_vec()))
}
