//! The JavaScript API of the npm package (the `js` feature): arguments are
//! read from `JsValue`s exactly as JavaScript passes them (anything may
//! arrive), and results cross back as plain objects in one `JSON.parse`.
//! Rust code may call these functions too, as the wasm tests do.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;

use super::client::{CallOptions, Client, Jobs, Metadata, OnProgress, Pages, WaitOptions};
use super::runtime::{page_iterator, with_metadata};
use super::to_js;
use crate::error::Error;
use crate::model::ListJobsResponse;
use crate::paging::{validate_limit, validate_offset};
use crate::request::validate_duration_ms;
use crate::sign::Credentials;
use crate::wait::{PollSchedule, DEFAULT_MAX_DELAY_MS, DEFAULT_MIN_DELAY_MS};

#[wasm_bindgen(typescript_custom_section)]
const RESULT_TYPE: &str = r#"
/** A response as the package resolves with it: the jobs, plus what the call cost in a non-enumerable `$metadata`. */
export type ListJobsResult = ListJobsResponse & { readonly $metadata: ResponseMetadata };
"#;

/// What a call cost, on every result as the non-enumerable `$metadata`.
#[derive(tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ResponseMetadata {
    /// HTTP requests sent, retries and token refreshes included.
    pub attempts: u32,
    /// For `waitForJobs`: how many times it polled.
    #[tsify(optional)]
    pub polls: Option<u32>,
}

/// Options for one call (`listJobs`, `listAllJobs`, `paginateJobs`).
#[derive(tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ListJobsOptions {
    /// Cancels the call, including the body read and any pause between
    /// retries; it then rejects with a `CphError` of kind `"aborted"`.
    #[tsify(type = "AbortSignal", optional)]
    pub signal: Option<AbortSignal>,
    /// The deadline in milliseconds of the whole call, retries and (for
    /// `listAllJobs`) every page included; `paginateJobs` gives each page its
    /// own. Default 30000. When it passes the call rejects with kind
    /// `"timeout"`.
    #[tsify(optional)]
    pub timeout_ms: Option<u32>,
    /// Jobs to skip, from 0. For many ids, where each group of 20 starts.
    #[tsify(optional)]
    pub offset: Option<u32>,
    /// Jobs per page, 1 to 100 (the service's default is 100).
    #[tsify(optional)]
    pub limit: Option<u32>,
    /// Tries in all, the first included: default 3; 1 disables retries.
    #[tsify(optional)]
    pub max_attempts: Option<u32>,
    /// The most bytes a response body may have; default 8 MiB (8388608). A
    /// longer body fails with kind `"decode"` before it fills memory.
    #[tsify(optional)]
    pub max_response_bytes: Option<u32>,
}

/// Options for `waitForJobs`.
#[derive(tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct WaitForJobsOptions {
    /// Cancels the wait at once, mid-poll or mid-pause; it then rejects with
    /// kind `"aborted"`.
    #[tsify(type = "AbortSignal", optional)]
    pub signal: Option<AbortSignal>,
    /// The whole wait in milliseconds, default 600000 (10 minutes). When it
    /// passes the wait rejects with kind `"timeout"` and `lastResponse`.
    #[tsify(optional)]
    pub timeout_ms: Option<u32>,
    /// The first pause between polls, default 2000.
    #[tsify(optional)]
    pub min_delay_ms: Option<u32>,
    /// The longest pause between polls, default 30000.
    #[tsify(optional)]
    pub max_delay_ms: Option<u32>,
    /// Called with every response the waiter sees, the final one included.
    /// If it throws, the wait rejects with kind `"invalid-input"`.
    #[tsify(type = "(response: ListJobsResponse) => void", optional)]
    pub on_progress: Option<Function>,
    /// Jobs per page, 1 to 100.
    #[tsify(optional)]
    pub limit: Option<u32>,
    /// Tries per request, the first included: default 3.
    #[tsify(optional)]
    pub max_attempts: Option<u32>,
}

/// Which batch requests to ask about: one `requestId`, or `requestIds` of any
/// length (sent 20 at a time).
#[derive(tsify::Tsify)]
#[serde(untagged)]
pub enum JobsQuery {
    /// One batch request.
    One {
        /// The `request_id` the batch operation answered with.
        #[serde(rename = "requestId")]
        request_id: String,
    },
    /// Several batch requests.
    Many {
        /// The `request_id`s of the batch operations.
        #[serde(rename = "requestIds")]
        request_ids: Vec<String>,
    },
}

/// The settings of a `CphClient`.
#[derive(tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CphClientConfig {
    /// The API's base URL, e.g. `https://cph.cn-north-4.myhuaweicloud.com`
    /// or a same-origin proxy such as `https://console.example.com/cph-proxy`.
    /// It wins over `region`.
    #[tsify(optional)]
    pub endpoint: Option<String>,
    /// A CPH region such as `"cn-north-4"`, when no `endpoint` is given.
    #[tsify(optional)]
    pub region: Option<String>,
    /// The project the jobs belong to.
    pub project_id: String,
    /// A fixed IAM token, sent as `X-Auth-Token`.
    #[tsify(optional)]
    pub token: Option<String>,
    /// Returns a token (or a promise of one). It is asked before each call,
    /// so it should cache; on a 401 `APIG.0301` it is asked again with
    /// `{ refresh: true }` and the call is tried once more.
    #[tsify(
        type = "(request: { refresh: boolean }) => string | PromiseLike<string>",
        optional
    )]
    pub token_provider: Option<Function>,
    /// An access key pair to sign requests with (`SDK-HMAC-SHA256`), instead
    /// of a token: for Node scripts and CI jobs.
    #[tsify(optional)]
    pub credentials: Option<AccessKeyCredentials>,
    /// Allows `credentials` outside Node. A secret key in a web page can be
    /// read by anyone who opens the page, and unlike a token it does not
    /// expire: set it only for a page that is itself private.
    #[tsify(optional)]
    pub allow_secret_key_in_browser: Option<bool>,
    /// The default deadline of each call in milliseconds; default 30000.
    #[tsify(optional)]
    pub timeout_ms: Option<u32>,
    /// Tries per call, the first included: default 3; 1 disables retries.
    #[tsify(optional)]
    pub max_attempts: Option<u32>,
    /// The most bytes a response body may have; default 8 MiB.
    #[tsify(optional)]
    pub max_response_bytes: Option<u32>,
    /// A `fetch` to send requests with, e.g. a console's own wrapper.
    #[tsify(
        type = "(input: string, init: RequestInit) => Promise<Response>",
        optional
    )]
    pub fetch: Option<Function>,
}

/// An access key pair, as the official SDKs read it from
/// `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK` and
/// `HUAWEICLOUD_SDK_SECURITY_TOKEN`.
#[derive(tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyCredentials {
    /// The access key id (AK).
    pub access_key: String,
    /// The secret access key (SK). It never appears in an error.
    pub secret_key: String,
    /// The security token of temporary credentials, sent as
    /// `X-Security-Token`.
    #[tsify(optional)]
    pub security_token: Option<String>,
}

/// Reads the properties of an options object, refusing wrong types with the
/// property's name.
struct Props<'a> {
    object: Option<&'a JsValue>,
}

impl<'a> Props<'a> {
    /// `undefined` and `null` read as an empty object.
    fn of(value: &'a JsValue, what: &str) -> Result<Self, Error> {
        if value.is_null() || value.is_undefined() {
            return Ok(Props { object: None });
        }
        if !value.is_object() {
            return Err(Error::invalid_argument(what, "expected an object"));
        }
        Ok(Props {
            object: Some(value),
        })
    }

    /// The property, or `None` when it is `undefined` or `null`.
    fn get(&self, key: &str) -> Result<Option<JsValue>, Error> {
        let Some(object) = self.object else {
            return Ok(None);
        };
        // A getter that throws must not silently drop, say, the signal.
        let value = Reflect::get(object, &JsValue::from_str(key)).map_err(|_| {
            let mut why = String::from("reading ");
            why.push_str(key);
            why.push_str(" threw");
            Error::invalid_argument("options", &why)
        })?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }

    fn number(&self, key: &str) -> Result<Option<f64>, Error> {
        self.get(key)?
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| Error::invalid_argument(key, "expected a number"))
            })
            .transpose()
    }

    fn string(&self, key: &str) -> Result<Option<String>, Error> {
        self.get(key)?.map(|v| string_arg(&v, key)).transpose()
    }

    fn function(&self, key: &str) -> Result<Option<Function>, Error> {
        self.get(key)?
            .map(|v| {
                v.dyn_into::<Function>()
                    .map_err(|_| Error::invalid_argument(key, "expected a function"))
            })
            .transpose()
    }

    fn signal(&self) -> Result<Option<AbortSignal>, Error> {
        self.get("signal")?
            .map(|v| {
                v.dyn_into::<AbortSignal>()
                    .map_err(|_| Error::invalid_argument("signal", "expected an AbortSignal"))
            })
            .transpose()
    }

    fn duration(&self, key: &str) -> Result<Option<u32>, Error> {
        self.number(key)?
            .map(|ms| validate_duration_ms(key, ms))
            .transpose()
    }

    fn integer(&self, key: &str, min: f64, max: f64, why: &str) -> Result<Option<u32>, Error> {
        self.number(key)?
            .map(|n| {
                if n.fract() == 0.0 && (min..=max).contains(&n) {
                    Ok(n as u32)
                } else {
                    Err(Error::invalid_argument(key, why))
                }
            })
            .transpose()
    }

    fn max_attempts(&self) -> Result<Option<u32>, Error> {
        self.integer(
            "maxAttempts",
            1.0,
            f64::from(crate::MAX_ATTEMPTS_LIMIT),
            "it must be an integer from 1 to 10",
        )
    }

    fn max_response_bytes(&self) -> Result<Option<u64>, Error> {
        Ok(self
            .integer(
                "maxResponseBytes",
                1.0,
                f64::from(u32::MAX),
                "it must be an integer from 1 to 4294967295",
            )?
            .map(u64::from))
    }

    fn call_options(&self) -> Result<CallOptions, Error> {
        Ok(CallOptions {
            signal: self.signal()?,
            timeout_ms: self.duration("timeoutMs")?,
            offset: self.number("offset")?.map(validate_offset).transpose()?,
            limit: self.number("limit")?.map(validate_limit).transpose()?,
            max_attempts: self.max_attempts()?,
            max_response_bytes: self.max_response_bytes()?,
        })
    }

    fn wait_options(&self) -> Result<WaitOptions, Error> {
        let min = self.duration("minDelayMs")?;
        let max = self.duration("maxDelayMs")?;
        // A lone minDelayMs above the default maximum raises the maximum
        // with it, rather than failing on a number the caller never gave.
        let min_delay = min.unwrap_or(DEFAULT_MIN_DELAY_MS);
        let max_delay = max.unwrap_or(DEFAULT_MAX_DELAY_MS.max(min_delay));
        let on_progress = self.function("onProgress")?.map(|callback| {
            Box::new(move |response: &ListJobsResponse| {
                callback
                    .call1(&JsValue::UNDEFINED, &to_js(response))
                    .map(drop)
                    .map_err(|e| thrown("onProgress", &e))
            }) as OnProgress
        });
        Ok(WaitOptions {
            signal: self.signal()?,
            timeout_ms: self.duration("timeoutMs")?,
            schedule: Some(PollSchedule::new(min_delay, max_delay)?),
            on_progress,
            limit: self.number("limit")?.map(validate_limit).transpose()?,
            max_attempts: self.max_attempts()?,
        })
    }

    /// `{ requestId }` or `{ requestIds }`.
    fn jobs(&self) -> Result<Jobs, Error> {
        match (self.get("requestId")?, self.get("requestIds")?) {
            (Some(_), Some(_)) => Err(Error::invalid_input(
                "invalid requestIds: give requestId or requestIds, not both",
            )),
            (Some(id), None) => Ok(Jobs::One(string_arg(&id, "requestId")?)),
            (None, Some(ids)) => ids_arg(&ids, "requestIds"),
            (None, None) => Err(Error::invalid_input(
                "invalid requestId: give requestId or requestIds",
            )),
        }
    }
}

/// An error for a caller's function that threw.
fn thrown(what: &str, error: &JsValue) -> Error {
    let mut message = String::from(what);
    message.push_str(" threw");
    if let Some(text) = Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
    {
        message.push_str(": ");
        message.push_str(&text);
    }
    Error::invalid_input(message)
}

/// Reads a string argument, refusing anything else as invalid input.
fn string_arg(value: &JsValue, name: &str) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| Error::invalid_argument(name, "expected a string"))
}

/// Reads an array of request ids.
fn ids_arg(value: &JsValue, name: &str) -> Result<Jobs, Error> {
    if !Array::is_array(value) {
        return Err(Error::invalid_argument(
            name,
            "expected an array of strings",
        ));
    }
    let ids = Array::from(value)
        .iter()
        .map(|id| string_arg(&id, name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Jobs::Many(ids))
}

/// A `requestId` argument that may also be an array of ids.
fn jobs_arg(value: &JsValue) -> Result<Jobs, Error> {
    if Array::is_array(value) {
        ids_arg(value, "requestIds")
    } else {
        Ok(Jobs::One(string_arg(value, "requestId")?))
    }
}

fn result(response: &ListJobsResponse, metadata: Metadata) -> JsValue {
    with_metadata(to_js(response), metadata.attempts, metadata.polls)
}

/// A client for the free functions, from their positional arguments.
fn client_for(endpoint: &JsValue, project_id: &JsValue, token: &JsValue) -> Result<Client, Error> {
    Client::builder()
        .endpoint(&string_arg(endpoint, "endpoint")?)
        .project_id(&string_arg(project_id, "projectId")?)
        .token(&string_arg(token, "token")?)
        .build()
}

/// Lists one page of the jobs of a batch request (or of up to 20, given an
/// array of ids).
///
/// Sends `GET {endpoint}/v1/{projectId}/cloud-phone/jobs?request_id={requestId}`
/// with the token in `X-Auth-Token`, retries network errors, 429 and 5xx
/// answers (honouring `Retry-After`), never follows a redirect, and resolves
/// with the decoded jobs. Every failure, bad input included, is a rejected
/// promise carrying a `CphError`.
#[wasm_bindgen(js_name = listJobs, unchecked_return_type = "Promise<ListJobsResult>")]
pub fn list_jobs(
    #[wasm_bindgen(unchecked_param_type = "string")] endpoint: JsValue,
    #[wasm_bindgen(js_name = projectId, unchecked_param_type = "string")] project_id: JsValue,
    #[wasm_bindgen(js_name = requestId, unchecked_param_type = "string | string[]")]
    request_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ListJobsOptions")] options: JsValue,
) -> Promise {
    run(free_call(
        &endpoint,
        &project_id,
        &request_id,
        &token,
        &options,
        |p| p.call_options().map(Call::List),
    ))
}

/// Lists every job of one or many batch requests: 20 ids per request, every
/// page followed, merged in order.
#[wasm_bindgen(js_name = listAllJobs, unchecked_return_type = "Promise<ListJobsResult>")]
pub fn list_all_jobs(
    #[wasm_bindgen(unchecked_param_type = "string")] endpoint: JsValue,
    #[wasm_bindgen(js_name = projectId, unchecked_param_type = "string")] project_id: JsValue,
    #[wasm_bindgen(js_name = requestId, unchecked_param_type = "string | string[]")]
    request_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ListJobsOptions")] options: JsValue,
) -> Promise {
    run(free_call(
        &endpoint,
        &project_id,
        &request_id,
        &token,
        &options,
        |p| p.call_options().map(Call::All),
    ))
}

/// The pages of the jobs of one or many batch requests, for `for await`; it
/// stops after a short page. Each page is fetched when asked for.
#[wasm_bindgen(
    js_name = paginateJobs,
    unchecked_return_type = "AsyncIterableIterator<ListJobsResult>"
)]
pub fn paginate_jobs(
    #[wasm_bindgen(unchecked_param_type = "string")] endpoint: JsValue,
    #[wasm_bindgen(js_name = projectId, unchecked_param_type = "string")] project_id: JsValue,
    #[wasm_bindgen(js_name = requestId, unchecked_param_type = "string | string[]")]
    request_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ListJobsOptions")] options: JsValue,
) -> JsValue {
    let pages = free_call(&endpoint, &project_id, &request_id, &token, &options, |p| {
        p.call_options()
    })
    .map(|(client, jobs, options)| client.pages(&jobs, &options));
    iterator(pages)
}

/// Polls until no job of the batch request(s) is running, then resolves with
/// the final jobs.
#[wasm_bindgen(js_name = waitForJobs, unchecked_return_type = "Promise<ListJobsResult>")]
pub fn wait_for_jobs(
    #[wasm_bindgen(unchecked_param_type = "string")] endpoint: JsValue,
    #[wasm_bindgen(js_name = projectId, unchecked_param_type = "string")] project_id: JsValue,
    #[wasm_bindgen(js_name = requestId, unchecked_param_type = "string | string[]")]
    request_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "WaitForJobsOptions")] options: JsValue,
) -> Promise {
    run(free_call(
        &endpoint,
        &project_id,
        &request_id,
        &token,
        &options,
        |p| p.wait_options().map(Call::Wait),
    ))
}

/// Bytes of WebAssembly linear memory the package's module holds now. It
/// grows in 64 KiB pages and never shrinks, so a console that polls for
/// hours can check that it stays flat.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
        .into()
}

/// What a call does, once its arguments are read.
enum Call {
    List(CallOptions),
    All(CallOptions),
    Wait(WaitOptions),
}

/// Runs a call. Every export goes through this one future type, so the
/// download holds one copy of the call machinery instead of one per export.
fn run(setup: Result<(Client, Jobs, Call), Error>) -> Promise {
    promise(async move {
        let (client, jobs, call) = setup?;
        let (response, metadata) = match call {
            Call::List(options) => client.list_jobs_counted(&jobs, &options).await?,
            Call::All(options) => client.list_all_jobs_counted(&jobs, &options).await?,
            Call::Wait(options) => client.wait_for_jobs_counted(&jobs, options).await?,
        };
        Ok(result(&response, metadata))
    })
}

/// The client, jobs and options of a free function's positional arguments,
/// read in the order they are declared.
fn free_call<T>(
    endpoint: &JsValue,
    project_id: &JsValue,
    request_id: &JsValue,
    token: &JsValue,
    options: &JsValue,
    read: impl FnOnce(&Props<'_>) -> Result<T, Error>,
) -> Result<(Client, Jobs, T), Error> {
    let client = client_for(endpoint, project_id, token)?;
    let jobs = jobs_arg(request_id)?;
    Ok((client, jobs, read(&Props::of(options, "options")?)?))
}

/// Runs a call as a promise. The call is boxed, so every export shares one
/// copy of the executor glue instead of one per future type: each copy costs
/// kilobytes of download.
fn promise(call: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    let call: Pin<Box<dyn Future<Output = Result<JsValue, Error>>>> = Box::pin(call);
    future_to_promise(async move { call.await.map_err(JsValue::from) })
}

/// The async iterator over `pages`; a setup error rejects the first `next()`.
fn iterator(pages: Result<Pages, Error>) -> JsValue {
    let cursor = PageCursorJs {
        pages: Rc::new(Cell::new(Some(pages))),
    };
    page_iterator(cursor.into())
}

/// The Rust side of a page iterator; `runtime.js` wraps it in the
/// async-iterator protocol and calls `next()` one at a time.
#[wasm_bindgen(skip_typescript)]
pub struct PageCursorJs {
    pages: Rc<Cell<Option<Result<Pages, Error>>>>,
}

#[wasm_bindgen]
impl PageCursorJs {
    /// The next page, or `undefined` after the last.
    pub fn next(&self) -> Promise {
        let slot = Rc::clone(&self.pages);
        promise(async move {
            // Taken out while a page is fetched; runtime.js never overlaps calls.
            let mut pages = match slot.take() {
                Some(Ok(pages)) => pages,
                Some(Err(error)) => return Err(error),
                None => return Ok(JsValue::UNDEFINED),
            };
            let next = pages.next_counted().await;
            slot.set(Some(Ok(pages)));
            match next {
                None => Ok(JsValue::UNDEFINED),
                Some(Ok((response, attempts))) => Ok(result(
                    &response,
                    Metadata {
                        attempts,
                        polls: None,
                    },
                )),
                Some(Err(error)) => Err(error),
            }
        })
    }
}

/// A CPH client: the endpoint (or region), project and token its calls share.
/// It keeps no state between calls, so one client serves concurrent calls.
///
/// A bad setting is reported by each call's rejected promise, as every
/// failure of the package is.
#[wasm_bindgen(js_name = CphClient)]
pub struct CphClient {
    client: Result<Client, Error>,
}

#[wasm_bindgen(js_class = CphClient)]
impl CphClient {
    /// Creates a client; it never throws.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CphClientConfig")] config: JsValue,
    ) -> CphClient {
        CphClient {
            client: client_from_config(&config),
        }
    }

    /// Lists one page of the jobs of `{ requestId }` or of up to 20 `{ requestIds }`.
    #[wasm_bindgen(js_name = listJobs, unchecked_return_type = "Promise<ListJobsResult>")]
    pub fn list_jobs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JobsQuery & ListJobsOptions")] query: JsValue,
    ) -> Promise {
        run(self.setup(&query, |p| p.call_options().map(Call::List)))
    }

    /// Lists every job of `{ requestId }` or `{ requestIds }` (any number).
    #[wasm_bindgen(js_name = listAllJobs, unchecked_return_type = "Promise<ListJobsResult>")]
    pub fn list_all_jobs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JobsQuery & ListJobsOptions")] query: JsValue,
    ) -> Promise {
        run(self.setup(&query, |p| p.call_options().map(Call::All)))
    }

    /// The pages of the jobs of `{ requestId }` or `{ requestIds }`, for `for await`.
    #[wasm_bindgen(
        js_name = paginateJobs,
        unchecked_return_type = "AsyncIterableIterator<ListJobsResult>"
    )]
    pub fn paginate_jobs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JobsQuery & ListJobsOptions")] query: JsValue,
    ) -> JsValue {
        let pages = self
            .setup(&query, |p| p.call_options())
            .map(|(client, jobs, options)| client.pages(&jobs, &options));
        iterator(pages)
    }

    /// Polls until no job of `{ requestId }` or `{ requestIds }` is running.
    #[wasm_bindgen(js_name = waitForJobs, unchecked_return_type = "Promise<ListJobsResult>")]
    pub fn wait_for_jobs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "JobsQuery & WaitForJobsOptions")] query: JsValue,
    ) -> Promise {
        run(self.setup(&query, |p| p.wait_options().map(Call::Wait)))
    }

    fn setup<T>(
        &self,
        query: &JsValue,
        options: impl FnOnce(&Props<'_>) -> Result<T, Error>,
    ) -> Result<(Client, Jobs, T), Error> {
        let client = self.client.clone()?;
        let props = Props::of(query, "query")?;
        if props.object.is_none() {
            return Err(Error::invalid_input(
                "invalid query: give { requestId } or { requestIds }",
            ));
        }
        Ok((client, props.jobs()?, options(&props)?))
    }
}

/// The client a `CphClientConfig` describes.
fn client_from_config(config: &JsValue) -> Result<Client, Error> {
    let props = Props::of(config, "config")?;
    let mut builder = Client::builder();
    if let Some(endpoint) = props.string("endpoint")? {
        builder = builder.endpoint(&endpoint);
    }
    if let Some(region) = props.string("region")? {
        builder = builder.region(&region);
    }
    builder = builder.project_id(&props.string("projectId")?.unwrap_or_default());
    let credentials = props.get("credentials")?;
    match (
        props.string("token")?,
        props.function("tokenProvider")?,
        credentials,
    ) {
        (Some(token), None, None) => builder = builder.token(&token),
        (None, Some(provider), None) => {
            builder = builder.token_provider(js_token_provider(provider))
        }
        (None, None, Some(credentials)) => {
            let keys = Props::of(&credentials, "credentials")?;
            let key = |name: &str| {
                keys.string(name)?
                    .ok_or_else(|| Error::invalid_argument(name, "it is missing"))
            };
            builder = builder.credentials(Credentials::new(
                &key("accessKey")?,
                &key("secretKey")?,
                keys.string("securityToken")?.as_deref(),
            )?);
        }
        (None, None, None) => {}
        _ => {
            return Err(Error::invalid_argument(
                "token",
                "give one of token, tokenProvider and credentials",
            ))
        }
    }
    if let Some(allow) = props.get("allowSecretKeyInBrowser")? {
        let allow = allow.as_bool().ok_or_else(|| {
            Error::invalid_argument("allowSecretKeyInBrowser", "expected a boolean")
        })?;
        builder = builder.allow_secret_key_in_browser(allow);
    }
    if let Some(ms) = props.duration("timeoutMs")? {
        builder = builder.timeout_ms(ms);
    }
    if let Some(n) = props.max_attempts()? {
        builder = builder.max_attempts(n);
    }
    if let Some(max) = props.max_response_bytes()? {
        builder = builder.max_response_bytes(max);
    }
    if let Some(fetch) = props.function("fetch")? {
        builder = builder.fetch(fetch);
    }
    builder.build()
}

/// A JS `tokenProvider` as the client's provider: it may return a string or
/// a promise of one.
fn js_token_provider(provider: Function) -> impl Fn(bool) -> super::client::TokenFuture {
    move |refresh| {
        let provider = provider.clone();
        Box::pin(async move {
            let request = Object::new();
            let _ = Reflect::set(&request, &"refresh".into(), &refresh.into());
            let value = provider
                .call1(&JsValue::UNDEFINED, &request)
                .map_err(|e| thrown("tokenProvider", &e))?;
            let token = JsFuture::from(Promise::resolve(&value))
                .await
                .map_err(|e| thrown("tokenProvider", &e))?;
            token.as_string().ok_or_else(|| {
                Error::invalid_input("the tokenProvider returned something that is not a string")
            })
        })
    }
}
