//! The checks behind the npm package's `cph-jobs/proxy` handler: a
//! [`ProxyRoute`] built once per proxy, and one synchronous `check` per
//! request. The handler's JavaScript does the I/O (fetch, the body cap, the
//! deadline, the log line) and sends upstream only what `check` returns.

use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::header::Header;
use crate::json::write_string;
use crate::proxy::{Incoming, Outcome, ProxyRoute};

/// A proxy's route, fixed at construction. Not part of the package's typed
/// API: `createProxy` is.
#[wasm_bindgen(js_name = ProxyRoute, skip_typescript)]
pub struct JsProxyRoute {
    route: ProxyRoute,
    redact_ids: bool,
}

#[wasm_bindgen(js_class = ProxyRoute)]
impl JsProxyRoute {
    /// The route to `region`'s official endpoint or to `upstream` (exactly
    /// one of them), serving `base_path`, with CORS for `allowed_origins` (one
    /// origin a line).
    ///
    /// # Errors
    /// A `CphError` of kind `invalid-input` for bad options.
    #[wasm_bindgen(constructor, skip_typescript)]
    pub fn new(
        region: Option<String>,
        upstream: Option<String>,
        base_path: &str,
        allowed_origins: &str,
        redact_ids: bool,
    ) -> Result<JsProxyRoute, JsValue> {
        let origins: Vec<&str> = allowed_origins
            .split('\n')
            .filter(|o| !o.is_empty())
            .collect();
        let route = match (region, upstream) {
            (Some(region), None) => ProxyRoute::for_region(&region, base_path, &origins),
            (None, Some(upstream)) => ProxyRoute::new(&upstream, base_path, &origins),
            _ => Err(Error::invalid_input(
                "invalid options: give exactly one of region and upstream",
            )),
        }?;
        Ok(JsProxyRoute { route, redact_ids })
    }

    /// The upstream every forwarded request goes to.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn upstream(&self) -> String {
        self.route.upstream().to_owned()
    }

    /// The verdict on one request, as JSON text (one crossing, read with
    /// `JSON.parse`): `{cors, forward, headers, log}`, `{cors, preflight}` or
    /// `{cors, status, body}`, `body` the refusal's JSON. `headers` alternates names
    /// and values, one per line, one pair per header line.
    #[wasm_bindgen(skip_typescript)]
    pub fn check(
        &self,
        method: &str,
        target: &str,
        headers: &str,
        has_body: bool,
        own_origin: Option<String>,
    ) -> String {
        // One string rather than an array: no per-item conversion code in
        // the module. A value holding a line feed (which neither fetch's
        // Headers nor Node's parser lets through) would leave an odd line
        // over, and the request is refused as a malformed header.
        let mut lines = headers.split('\n');
        let mut pairs = Vec::new();
        while let Some(name) = lines.next().filter(|n| !n.is_empty()) {
            pairs.push(Header::new(name, lines.next().unwrap_or("\n")));
        }
        let verdict = self.route.check_with(
            &Incoming {
                method,
                target,
                headers: &pairs,
                has_body,
                own_origin: own_origin.as_deref(),
            },
            self.redact_ids,
        );
        let mut out = String::from("{\"cors\":");
        match &verdict.cors_origin {
            Some(origin) => write_string(&mut out, origin),
            None => out.push_str("null"),
        }
        match verdict.outcome {
            Outcome::Forward {
                url,
                headers,
                log_target,
            } => {
                out.push_str(",\"forward\":");
                write_string(&mut out, &url);
                out.push_str(",\"log\":");
                write_string(&mut out, &log_target);
                out.push_str(",\"headers\":[");
                for (i, header) in headers.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(&mut out, header.name);
                    out.push(',');
                    write_string(&mut out, &header.value);
                }
                out.push(']');
            }
            Outcome::Preflight => out.push_str(",\"preflight\":true"),
            Outcome::Refuse(refusal) => {
                out.push_str(",\"status\":");
                crate::json::write_integer(&mut out, i64::from(refusal.status));
                out.push_str(",\"body\":");
                write_string(&mut out, &refusal.to_json());
            }
        }
        out.push('}');
        out
    }
}
