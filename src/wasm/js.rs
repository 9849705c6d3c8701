//! The core of the npm package (the `js` feature): synchronous exports that
//! read a call's arguments exactly as JavaScript passes them (anything may
//! arrive), and the [`Operation`] of each call, which the package's
//! JavaScript driver (`pkg-template/driver.js`) runs around `fetch` and
//! `setTimeout`.
//! Nothing here awaits: the module holds no futures, closures or timers,
//! which keeps it small and each call cheap.
//!
//! The package's functions and `CphClient` class are JavaScript; the types
//! of their options are derived here.

use std::rc::Rc;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use crate::error::Error;
use crate::input::{validate_duration_ms, validate_limit, validate_offset};
use crate::operation::{
    Action, Auth, Body, Failure, Jobs, Kind, Operation, Options, ReadPlan, ResponseHead, Settings,
    SettingsInput,
};
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
    /// of a token: for Node scripts and CI jobs. In a browser (with
    /// `allowSecretKeyInBrowser`), the client's first call loads the
    /// package's signing module, which pages that sign nothing never
    /// download.
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

    fn call_options(&self) -> Result<Options, Error> {
        self.signal()?;
        Ok(Options {
            timeout_ms: self.duration("timeoutMs")?,
            offset: self.number("offset")?.map(validate_offset).transpose()?,
            limit: self.number("limit")?.map(validate_limit).transpose()?,
            max_attempts: self.max_attempts()?,
            max_response_bytes: self.max_response_bytes()?,
            ..Options::default()
        })
    }

    fn wait_options(&self) -> Result<Options, Error> {
        let min = self.duration("minDelayMs")?;
        let max = self.duration("maxDelayMs")?;
        // A lone minDelayMs above the default maximum raises the maximum
        // with it, rather than failing on a number the caller never gave.
        let min_delay = min.unwrap_or(DEFAULT_MIN_DELAY_MS);
        let max_delay = max.unwrap_or(DEFAULT_MAX_DELAY_MS.max(min_delay));
        let progress = self.function("onProgress")?.is_some();
        self.signal()?;
        Ok(Options {
            timeout_ms: self.duration("timeoutMs")?,
            schedule: Some(PollSchedule::new(min_delay, max_delay)?),
            progress,
            limit: self.number("limit")?.map(validate_limit).transpose()?,
            max_attempts: self.max_attempts()?,
            ..Options::default()
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

/// A client's checked settings, from a `CphClientConfig` or the free
/// functions' positional arguments. It never throws: a bad setting is kept
/// and fails each call, as every failure of the package is a rejection.
#[wasm_bindgen(skip_typescript)]
pub struct Core {
    settings: Result<Rc<Settings>, Error>,
}

#[wasm_bindgen]
impl Core {
    /// The settings a `CphClientConfig` describes; `in_node` says whether an
    /// access key may be used without `allowSecretKeyInBrowser`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, in_node: bool) -> Core {
        Core {
            settings: settings_from_config(&config, in_node).map(Rc::new),
        }
    }

    /// The settings of a free function: endpoint, project and token.
    pub fn positional(endpoint: JsValue, project_id: JsValue, token: JsValue) -> Core {
        let settings = (|| {
            Settings::new(SettingsInput {
                endpoint: Some(string_arg(&endpoint, "endpoint")?),
                project_id: Some(string_arg(&project_id, "projectId")?),
                auth: Some(Auth::Token(string_arg(&token, "token")?)),
                ..SettingsInput::default()
            })
        })();
        Core {
            settings: settings.map(Rc::new),
        }
    }

    /// Plans a call of `kind` (0 list, 1 all, 2 pages, 3 wait). For a
    /// client's method, `jobs` is the query object, which also holds the
    /// options; for a free function, the `requestId` argument, with the
    /// options apart. `seed` feeds the jitter.
    ///
    /// # Errors
    ///
    /// The `CphError` of a bad setting, id or option.
    pub fn call(
        &self,
        kind: u8,
        jobs: JsValue,
        options: JsValue,
        query: bool,
        seed: f64,
    ) -> Result<Call, JsValue> {
        // A bad setting fails every call with the same error, reported
        // from where it is kept.
        let settings = match &self.settings {
            Ok(settings) => Rc::clone(settings),
            Err(error) => return Err(super::js_error(error)),
        };
        Self::plan(settings, kind, &jobs, &options, query, seed)
            .map(|op| Call {
                op,
                delay: 0,
                cap: 0,
            })
            .map_err(JsValue::from)
    }

    fn plan(
        settings: Rc<Settings>,
        kind: u8,
        jobs: &JsValue,
        options: &JsValue,
        query: bool,
        seed: f64,
    ) -> Result<Operation, Error> {
        let (jobs, props) = if query {
            let props = Props::of(jobs, "query")?;
            if props.object.is_none() {
                return Err(Error::invalid_input(
                    "invalid query: give { requestId } or { requestIds }",
                ));
            }
            (props.jobs()?, props)
        } else {
            (jobs_arg(jobs)?, Props::of(options, "options")?)
        };
        let (kind, options) = match kind {
            0 => (Kind::List, props.call_options()?),
            1 => (Kind::All, props.call_options()?),
            2 => (Kind::Pages, props.call_options()?),
            _ => (Kind::Wait, props.wait_options()?),
        };
        let options = Options {
            json: true,
            ..options
        };
        Operation::new(settings, kind, &jobs, &options, seed as u64)
    }
}

/// One call in progress; the driver feeds it what happened and reads back
/// the next action as a number: 0 ask for a token, 1 ask for a fresh one,
/// 2 send, 3 sleep [`delay`](Self::delay) ms, 4 report progress, 5 a page
/// is ready, 6 done, 7 failed.
#[wasm_bindgen(skip_typescript)]
pub struct Call {
    op: Operation,
    delay: u32,
    cap: u32,
}

/// Milliseconds from JavaScript's clock, whatever arrives.
fn ms(now: f64) -> u64 {
    if now > 0.0 {
        now as u64
    } else {
        0
    }
}

#[wasm_bindgen]
impl Call {
    fn code(&mut self, action: Action) -> u8 {
        match action {
            Action::Token { refresh } => u8::from(refresh),
            Action::Send => 2,
            Action::Sleep(delay) => {
                self.delay = u32::try_from(delay).unwrap_or(u32::MAX);
                3
            }
            Action::Progress => 4,
            Action::Page => 5,
            Action::Done => 6,
            Action::Failed => 7,
        }
    }

    /// Starts the call.
    pub fn start(&mut self, now: f64) -> u8 {
        let action = self.op.start(ms(now));
        self.code(action)
    }

    /// The token provider's answer, whatever it is.
    pub fn token(&mut self, token: JsValue, now: f64) -> u8 {
        let token = token.as_string().ok_or_else(|| {
            Error::invalid_input("the tokenProvider returned something that is not a string")
        });
        let action = self
            .op
            .token(token.as_deref().map_err(Clone::clone), ms(now));
        self.code(action)
    }

    /// The URL of the request to send.
    pub fn url(&self) -> String {
        self.op
            .request()
            .map(|request| request.url().to_owned())
            .unwrap_or_default()
    }

    /// The request's headers signed at `now`, as name, value, name, value
    /// ...; `undefined` when it cannot be signed, and the call has failed.
    pub fn headers(&mut self, now: f64) -> Option<Vec<String>> {
        match self.op.headers_at(ms(now)) {
            Ok(headers) => Some(
                headers
                    .into_iter()
                    .flat_map(|header| [header.name.to_owned(), header.value])
                    .collect(),
            ),
            Err(error) => {
                self.op.fail(error, ms(now));
                None
            }
        }
    }

    /// Milliseconds the request in flight may still take.
    pub fn remaining(&self, now: f64) -> f64 {
        self.op.remaining_ms(ms(now)) as f64
    }

    /// The response's head; says how to read the body: 0 do not, 1 whole,
    /// 2 as a stream capped at [`cap`](Self::cap) bytes, 3 too large.
    #[allow(clippy::too_many_arguments)]
    pub fn head(
        &mut self,
        status: u16,
        request_id: Option<String>,
        retry_after: Option<String>,
        content_length: Option<String>,
        content_encoding: Option<String>,
        cross_origin: bool,
        now: f64,
    ) -> u8 {
        let head = ResponseHead {
            status,
            request_id: request_id.as_deref(),
            retry_after: retry_after.as_deref(),
            content_length: content_length.as_deref(),
            content_encoding: content_encoding.as_deref(),
            cross_origin,
        };
        let plan = self.op.head(&head, ms(now));
        match plan {
            ReadPlan::Skip => 0,
            ReadPlan::Whole => 1,
            ReadPlan::Capped(cap) => {
                self.cap = u32::try_from(cap).unwrap_or(u32::MAX);
                2
            }
            ReadPlan::TooLarge => 3,
        }
    }

    /// The cap of a streamed body read.
    pub fn cap(&self) -> u32 {
        self.cap
    }

    /// The body: `read` 0 not read, 1 these bytes, 2 longer than the cap.
    pub fn body(&mut self, read: u8, bytes: &[u8], now: f64) -> u8 {
        let body = match read {
            1 => Body::Bytes(bytes),
            2 => Body::TooLarge,
            _ => Body::Skipped,
        };
        let action = self.op.body(body, ms(now));
        self.code(action)
    }

    /// The request or a callback failed: `why` 0 network (reading the body
    /// when `reading_body`), 1 timed out, 2 aborted, 3 an opaque redirect,
    /// 4 not a Response, 5 a caller's function named `detail` threw
    /// `cause`.
    #[allow(clippy::too_many_arguments)]
    pub fn failed(
        &mut self,
        why: u8,
        detail: Option<String>,
        cause: Option<String>,
        reading_body: bool,
        in_browser: bool,
        now: f64,
    ) -> u8 {
        let failure = match why {
            1 => Failure::TimedOut,
            2 => Failure::Aborted,
            3 => Failure::Redirected,
            4 => Failure::NotAResponse,
            5 => Failure::Threw {
                what: detail.as_deref().unwrap_or("a callback"),
                message: cause.as_deref(),
            },
            _ => Failure::Network {
                detail: detail.as_deref(),
                cause: cause.as_deref(),
                reading_body,
                in_browser,
            },
        };
        let action = self.op.failed(failure, ms(now));
        self.code(action)
    }

    /// A pause ended.
    pub fn woke(&mut self, now: f64) -> u8 {
        let action = self.op.woke(ms(now));
        self.code(action)
    }

    /// Goes on after progress or a page.
    pub fn resume(&mut self, now: f64) -> u8 {
        let action = self.op.resume(ms(now));
        self.code(action)
    }

    /// The pause the last sleep action asks for, in milliseconds.
    pub fn delay(&self) -> u32 {
        self.delay
    }

    /// The response of a progress, page or done action, as JSON text for
    /// one `JSON.parse`: far faster than building the objects field by
    /// field across the boundary.
    pub fn json(&mut self) -> String {
        self.op.json().unwrap_or_default()
    }

    /// The `CphError` of a failed call.
    pub fn error(&self) -> JsValue {
        match self.op.error() {
            Some(error) => super::js_error(error),
            None => Error::invalid_input("the call has not failed").into(),
        }
    }

    /// HTTP requests sent so far (for pages: this page's).
    pub fn attempts(&self) -> u32 {
        self.op.metadata().attempts
    }

    /// Polls made, for a waiter.
    pub fn polls(&self) -> Option<u32> {
        self.op.metadata().polls
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

/// The settings a `CphClientConfig` describes.
fn settings_from_config(config: &JsValue, in_node: bool) -> Result<Settings, Error> {
    let props = Props::of(config, "config")?;
    let mut input = SettingsInput {
        endpoint: props.string("endpoint")?,
        region: props.string("region")?,
        project_id: Some(props.string("projectId")?.unwrap_or_default()),
        ..SettingsInput::default()
    };
    let credentials = props.get("credentials")?;
    input.auth = match (
        props.string("token")?,
        props.function("tokenProvider")?,
        credentials,
    ) {
        (Some(token), None, None) => Some(Auth::Token(token)),
        (None, Some(_), None) => Some(Auth::Provider),
        (None, None, Some(credentials)) => {
            let keys = Props::of(&credentials, "credentials")?;
            let key = |name: &str| {
                keys.string(name)?
                    .ok_or_else(|| Error::invalid_argument(name, "it is missing"))
            };
            Some(Auth::AccessKey(Credentials::new(
                &key("accessKey")?,
                &key("secretKey")?,
                keys.string("securityToken")?.as_deref(),
            )?))
        }
        (None, None, None) => None,
        _ => {
            return Err(Error::invalid_argument(
                "token",
                "give one of token, tokenProvider and credentials",
            ))
        }
    };
    let allow = match props.get("allowSecretKeyInBrowser")? {
        Some(allow) => allow.as_bool().ok_or_else(|| {
            Error::invalid_argument("allowSecretKeyInBrowser", "expected a boolean")
        })?,
        None => false,
    };
    input.secret_key_allowed = allow || in_node;
    input.timeout_ms = props.duration("timeoutMs")?;
    input.max_attempts = props.max_attempts()?;
    input.max_response_bytes = props.max_response_bytes()?;
    props.function("fetch")?;
    Settings::new(input)
}
