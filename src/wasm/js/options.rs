//! The npm package's arguments, read exactly as JavaScript passes them
//! (anything may arrive), and the types of its options, derived here for
//! the `.d.ts`.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use crate::error::Error;
use crate::input::{validate_duration_ms, validate_limit, validate_offset};
use crate::operation::{Auth, Jobs, Kind, Options, Settings, SettingsInput};
use crate::sign::Credentials;
use crate::wait::{PollSchedule, DEFAULT_MAX_DELAY_MS, DEFAULT_MIN_DELAY_MS};
use crate::wasm::client::{Client, Provider};

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
    /// The most jobs `listAllJobs` collects across its pages and ids,
    /// default 100000; with it, the bytes of pages it reads (640 per job:
    /// 61 MiB by default). `paginateJobs`, which holds one page at a time,
    /// follows at most `maxTotalJobs / limit` pages after the first of each
    /// group. Past it the call rejects with kind `"limit-exceeded"`.
    #[tsify(optional)]
    pub max_total_jobs: Option<u32>,
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
    /// The most jobs one poll collects across its pages and ids, default
    /// 100000 (and 640 bytes of pages per job); past it the wait rejects
    /// with kind `"limit-exceeded"`.
    #[tsify(optional)]
    pub max_total_jobs: Option<u32>,
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
    /// The default `maxTotalJobs` of each call that follows pages; 100000.
    #[tsify(optional)]
    pub max_total_jobs: Option<u32>,
    /// A `fetch` to send requests with, e.g. a console's own wrapper; it gets
    /// the request's headers as a plain object in `init.headers`.
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

    fn max_total_jobs(&self) -> Result<Option<u32>, Error> {
        self.integer(
            "maxTotalJobs",
            1.0,
            f64::from(u32::MAX),
            "it must be an integer from 1 to 4294967295",
        )
    }

    fn call_options(&self) -> Result<Options, Error> {
        self.signal()?;
        Ok(Options {
            timeout_ms: self.duration("timeoutMs")?,
            offset: self.number("offset")?.map(validate_offset).transpose()?,
            limit: self.number("limit")?.map(validate_limit).transpose()?,
            max_attempts: self.max_attempts()?,
            max_response_bytes: self.max_response_bytes()?,
            max_total_jobs: self.max_total_jobs()?,
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
            max_total_jobs: self.max_total_jobs()?,
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

/// The client a `CphClientConfig` describes; `in_node` says whether an
/// access key may be used without `allowSecretKeyInBrowser`.
pub(super) fn client_from_config(config: &JsValue, in_node: bool) -> Result<Client, Error> {
    let props = Props::of(config, "config")?;
    let mut input = SettingsInput {
        endpoint: props.string("endpoint")?,
        region: props.string("region")?,
        project_id: Some(props.string("projectId")?.unwrap_or_default()),
        ..SettingsInput::default()
    };
    let credentials = props.get("credentials")?;
    let provider = props.function("tokenProvider")?;
    input.auth = match (props.string("token")?, provider.as_ref(), credentials) {
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
    input.max_total_jobs = props.max_total_jobs()?;
    let fetch = props.function("fetch")?;
    let settings = Settings::new(input)?;
    Ok(Client::from_parts(
        settings,
        provider.map(Provider::Js),
        fetch,
    ))
}

/// A call's arguments, read: which jobs, the core's options, and what stays
/// in JavaScript (the signal and the progress callback).
pub(super) struct Plan {
    /// The batch requests to ask about.
    pub(super) jobs: Jobs,
    /// The options the core checks and keeps.
    pub(super) options: Options,
    /// The caller's `signal`.
    pub(super) signal: Option<AbortSignal>,
    /// A waiter's `onProgress`.
    pub(super) on_progress: Option<Function>,
}

/// Where a call's arguments are.
pub(super) enum Args<'a> {
    /// A free function's `requestId` (a string or an array) and `options`.
    Positional {
        /// The `requestId` argument.
        jobs: &'a JsValue,
        /// The `options` argument.
        options: &'a JsValue,
    },
    /// A client method's one query object: the ids and the options.
    Query(&'a JsValue),
}

/// Reads a call's arguments for a call of `kind`.
pub(super) fn plan(kind: Kind, args: Args<'_>) -> Result<Plan, Error> {
    let (jobs, props) = match args {
        Args::Query(query) => {
            let props = Props::of(query, "query")?;
            if props.object.is_none() {
                return Err(Error::invalid_input(
                    "invalid query: give { requestId } or { requestIds }",
                ));
            }
            (props.jobs()?, props)
        }
        Args::Positional { jobs, options } => (jobs_arg(jobs)?, Props::of(options, "options")?),
    };
    let options = match kind {
        Kind::Wait => props.wait_options()?,
        _ => props.call_options()?,
    };
    Ok(Plan {
        jobs,
        options: Options {
            json: true,
            ..options
        },
        signal: props.signal()?,
        on_progress: match kind {
            Kind::Wait => props.function("onProgress")?,
            _ => None,
        },
    })
}

/// The client of a free function: endpoint, project and token.
pub(super) fn positional_client(
    endpoint: &JsValue,
    project_id: &JsValue,
    token: &JsValue,
) -> Result<Client, Error> {
    let settings = Settings::new(SettingsInput {
        endpoint: Some(string_arg(endpoint, "endpoint")?),
        project_id: Some(string_arg(project_id, "projectId")?),
        auth: Some(Auth::Token(string_arg(token, "token")?)),
        ..SettingsInput::default()
    })?;
    Ok(Client::from_parts(settings, None, None))
}
