//! The WebAssembly edge (only on `wasm32`): the JavaScript exports of the npm
//! package and the `fetch` transport under them.
//!
//! Everything that can be decided without I/O happens in the core; this
//! module only moves bytes and builds JS values. Its functions take and return
//! `JsValue`s exactly as JavaScript passes them, so Rust code on wasm32 can
//! call them too.

mod transport;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use crate::error::Error;
use crate::request::{validate_timeout_ms, ListJobsRequest, DEFAULT_TIMEOUT_MS};

#[wasm_bindgen(module = "/src/wasm/cph_error.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(
        kind: &str,
        message: &str,
        status: Option<u16>,
        error_code: Option<String>,
        error_msg: Option<String>,
        request_id: Option<String>,
    ) -> JsValue;
}

impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        make_error(
            error.kind().as_str(),
            error.message(),
            error.status(),
            error.error_code().map(str::to_owned),
            error.error_msg().map(str::to_owned),
            error.request_id().map(str::to_owned),
        )
    }
}

/// Options for one `listJobs` call.
#[derive(tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ListJobsOptions {
    /// Cancels the call, including the body read; it then rejects with a
    /// `CphError` of kind `"aborted"`.
    #[tsify(type = "AbortSignal", optional)]
    pub signal: Option<AbortSignal>,
    /// The whole-call deadline in milliseconds, covering the body read;
    /// default 30000. When it passes the call rejects with kind `"timeout"`.
    #[tsify(optional)]
    pub timeout_ms: Option<u32>,
}

impl ListJobsOptions {
    /// Reads the options object; `undefined` and `null` mean all defaults.
    fn from_js(value: &JsValue) -> Result<Self, Error> {
        let mut options = ListJobsOptions {
            signal: None,
            timeout_ms: None,
        };
        if value.is_null() || value.is_undefined() {
            return Ok(options);
        }
        if !value.is_object() {
            return Err(Error::invalid_argument("options", "expected an object"));
        }
        // A getter that throws must not silently drop, say, the signal.
        let get = |key: &str| {
            Reflect::get(value, &JsValue::from_str(key)).map_err(|_| {
                let mut why = String::from("reading ");
                why.push_str(key);
                why.push_str(" threw");
                Error::invalid_argument("options", &why)
            })
        };
        let signal = get("signal")?;
        if !signal.is_undefined() && !signal.is_null() {
            let signal = signal
                .dyn_into::<AbortSignal>()
                .map_err(|_| Error::invalid_argument("signal", "expected an AbortSignal"))?;
            options.signal = Some(signal);
        }
        let timeout = get("timeoutMs")?;
        if !timeout.is_undefined() && !timeout.is_null() {
            let ms = timeout.as_f64().ok_or_else(|| {
                Error::invalid_argument("timeoutMs", "it must be a number of milliseconds")
            })?;
            options.timeout_ms = Some(validate_timeout_ms(ms)?);
        }
        Ok(options)
    }
}

/// Reads a string argument, refusing anything else as invalid input.
fn string_arg(value: &JsValue, name: &str) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| Error::invalid_argument(name, "expected a string"))
}

/// Lists the jobs of one batch request.
///
/// Sends `GET {endpoint}/v1/{projectId}/cloud-phone/jobs?request_id={requestId}`
/// with the token in `X-Auth-Token`, never follows a redirect, and resolves
/// with the decoded jobs. Every failure, bad input included, is a rejected
/// promise carrying a `CphError`.
#[wasm_bindgen(js_name = listJobs, unchecked_return_type = "ListJobsResponse")]
pub async fn list_jobs(
    #[wasm_bindgen(unchecked_param_type = "string")] endpoint: JsValue,
    #[wasm_bindgen(js_name = projectId, unchecked_param_type = "string")] project_id: JsValue,
    #[wasm_bindgen(js_name = requestId, unchecked_param_type = "string")] request_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ListJobsOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let request = ListJobsRequest::new(
        &string_arg(&endpoint, "endpoint")?,
        &string_arg(&project_id, "projectId")?,
        &string_arg(&request_id, "requestId")?,
        &string_arg(&token, "token")?,
    )?;
    let options = ListJobsOptions::from_js(&options)?;
    let timeout_ms = options.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
    let response = transport::send(&request, options.signal.as_ref(), timeout_ms).await?;
    // One crossing: the engine's JSON.parse builds the objects far faster
    // than setting them up field by field through the boundary.
    js_sys::JSON::parse(&response.to_json())
}
