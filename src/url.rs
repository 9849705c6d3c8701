//! The one URL parser of the crate: the endpoint check ([`Endpoint`]) and
//! the signer read a URL through it, so the host, port and path that are
//! checked are the ones that are signed.
//!
//! It reads only what the crate builds or accepts: an absolute `http(s)` URL
//! with an ASCII host name or an IP address. The callers add their own rules
//! on top (an endpoint carries no query and uses plain http only to a
//! loopback host; a signed URL keeps its query).

use core::net::{Ipv4Addr, Ipv6Addr};
use std::fmt;

use crate::error::Error;

/// An absolute `http(s)` URL, split into the parts the crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Url<'u> {
    /// Whether the scheme is `https` (else it is `http`).
    pub https: bool,
    /// The host as written: a name, a dotted quad, or `[v6]` with brackets.
    pub host: &'u str,
    /// The text after the host's `:`, unchecked beyond its digits: the
    /// callers differ on port 0 and on an empty port.
    pub port: Option<&'u str>,
    /// The path, from its `/`; empty when the URL has none.
    pub path: &'u str,
    /// The text after `?` (without it), if there is a `?`.
    pub query: Option<&'u str>,
    /// Whether the URL has a fragment (`#...`).
    pub fragment: bool,
}

/// Why a text is not a URL [`Url::parse`] reads; each caller words it for
/// its own input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlError {
    /// No `scheme://`.
    NotAbsolute,
    /// A scheme other than `http` or `https`.
    Scheme,
    /// A backslash before the query, which `fetch` reads as a `/`.
    Backslash,
    /// A user name or password before the host.
    UserInfo,
    /// No host.
    HostMissing,
    /// A host that is not an ASCII name or an IPv4 address.
    HostChars,
    /// A `[` with no `]`.
    Ipv6Unclosed,
    /// Text after `]` that is not a port.
    AfterIpv6,
    /// A bracketed host that is not an IPv6 address.
    Ipv6Invalid,
}

impl UrlError {
    /// The reason, worded for any URL.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            UrlError::NotAbsolute => "it is not an absolute http(s) URL",
            UrlError::Scheme => "the scheme must be http or https",
            UrlError::Backslash => "it contains a backslash",
            UrlError::UserInfo => "it must not carry a user name or password",
            UrlError::HostMissing => "the host is missing",
            UrlError::HostChars => {
                "the host must be an ASCII name (use punycode for international names) or an IP address"
            }
            UrlError::Ipv6Unclosed => "an IPv6 host is missing its closing ']'",
            UrlError::AfterIpv6 => "unexpected text after the IPv6 host",
            UrlError::Ipv6Invalid => "the IPv6 host is not a valid address",
        }
    }
}

impl<'u> Url<'u> {
    /// Splits `url` into its parts, checking the scheme and the host's
    /// syntax. A fragment is cut off first and the query next, so neither
    /// can hide a host or a path.
    pub(crate) fn parse(url: &'u str) -> Result<Self, UrlError> {
        let (url, fragment) = match url.split_once('#') {
            Some((before, _)) => (before, true),
            None => (url, false),
        };
        // `get`, not indexing: the positions are of ASCII bytes and always
        // valid, and a checked slice keeps the panic path out of the download.
        let at = crate::error::find(url.as_bytes(), b"://").ok_or(UrlError::NotAbsolute)?;
        let scheme = url.get(..at).unwrap_or("");
        let rest = url.get(at + 3..).unwrap_or("");
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err(UrlError::Scheme);
        };
        let (before_query, query) = match rest.split_once('?') {
            Some((before, query)) => (before, Some(query)),
            None => (rest, None),
        };
        if before_query.contains('\\') {
            return Err(UrlError::Backslash);
        }
        let (authority, path) = match before_query.find('/') {
            Some(i) => before_query
                .split_at_checked(i)
                .unwrap_or((before_query, "")),
            None => (before_query, ""),
        };
        if authority.contains('@') {
            return Err(UrlError::UserInfo);
        }
        let (host, port) = split_host_port(authority)?;
        check_host_syntax(host)?;
        Ok(Url {
            https,
            host,
            port,
            path,
            query,
            fragment,
        })
    }

    /// The IP address of the host, when it is one: `[v6]` or a dotted quad.
    pub(crate) fn ip(&self) -> Option<IpHost> {
        match self.host.strip_prefix('[') {
            Some(v6) => v6
                .strip_suffix(']')
                .and_then(|v6| v6.parse().ok())
                .map(IpHost::V6),
            None => self.host.parse().ok().map(IpHost::V4),
        }
    }
}

/// An IP address as a URL's host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpHost {
    /// A dotted quad.
    V4(Ipv4Addr),
    /// A bracketed IPv6 address.
    V6(Ipv6Addr),
}

impl IpHost {
    /// Whether the address is a loopback one: `127.0.0.0/8`, `::1`, or an
    /// IPv4 loopback address mapped into IPv6 (`::ffff:127.x.y.z`).
    pub(crate) fn is_loopback(self) -> bool {
        match self {
            IpHost::V4(v4) => v4.is_loopback(),
            IpHost::V6(v6) => {
                v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
        }
    }
}

/// Splits `host[:port]` or `[v6][:port]`.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), UrlError> {
    if let Some(v6) = authority.strip_prefix('[') {
        let end = v6.find(']').ok_or(UrlError::Ipv6Unclosed)?;
        let after = v6.get(end + 1..).unwrap_or("");
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err(UrlError::AfterIpv6),
        };
        return Ok((authority.get(..end + 2).unwrap_or(authority), port));
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// The host's syntax: a valid `[v6]`, or a non-empty run of the characters
/// of a name or a dotted quad.
fn check_host_syntax(host: &str) -> Result<(), UrlError> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').unwrap_or(inner);
        return match inner.parse::<Ipv6Addr>() {
            Ok(_) => Ok(()),
            Err(_) => Err(UrlError::Ipv6Invalid),
        };
    }
    if host.is_empty() {
        return Err(UrlError::HostMissing);
    }
    let valid = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(UrlError::HostChars)
    }
}

/// A port's number: one to five digits, at most 65535.
pub(crate) fn port_number(port: &str) -> Option<u16> {
    let digits = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| port.parse::<u16>().ok()).flatten()
}

/// Whether `path` has a `.` or `..` segment, either dot written as `%2e` in
/// any case: fetch resolves those away, so the URL sent would not be the
/// one checked (or signed).
pub(crate) fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|segment| {
        matches!(
            segment.to_ascii_lowercase().as_str(),
            "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e"
        )
    })
}

/// A validated CPH endpoint: scheme, host, optional port and base path, with
/// no trailing slash, ready to have `/v1/...` appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: String,
}

impl Endpoint {
    /// Checks an endpoint such as `https://cph.cn-north-4.myhuaweicloud.com` or
    /// a same-origin proxy `https://console.example.com/cph-proxy/`.
    ///
    /// Accepted: `https` to any host, `http` only to a loopback host
    /// (`localhost`, `127.0.0.0/8`, `::1`), an optional port and an optional
    /// base path (one trailing slash or more is dropped). Refused: user info,
    /// a query or fragment, dot segments, and characters a URL cannot carry
    /// unescaped, so nothing in the endpoint can change where the request
    /// goes after it is built.
    ///
    /// # Errors
    /// An [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error
    /// that never repeats the endpoint, since it may hold a password.
    pub fn parse(input: &str) -> Result<Self, Error> {
        // Like the WHATWG URL parser, forgive surrounding spaces (pasted URLs).
        let s = input.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n' || c == '\r');
        if s.is_empty() {
            return Err(invalid_endpoint("it is empty"));
        }
        let url = Url::parse(s).map_err(|error| {
            invalid_endpoint(match error {
                UrlError::Scheme => "the scheme must be https",
                UrlError::UserInfo => {
                    "it must not carry a user name or password; send credentials as the token"
                }
                other => other.reason(),
            })
        })?;
        if url.query.is_some() || url.fragment {
            return Err(invalid_endpoint("it must not carry a query or fragment"));
        }
        if let Some(port) = url.port {
            if port_number(port).unwrap_or(0) == 0 {
                return Err(invalid_endpoint(
                    "the port must be a number from 1 to 65535",
                ));
            }
        }
        let host = url.host.to_ascii_lowercase();
        let loopback = check_host(&url, &host)?;
        if !url.https && !loopback {
            return Err(invalid_endpoint(
                "plain http is allowed only to localhost, 127.0.0.0/8 or ::1; use https",
            ));
        }
        let path = url.path.trim_end_matches('/');
        check_path(path)?;

        let mut base = String::with_capacity(s.len());
        base.push_str(if url.https { "https://" } else { "http://" });
        base.push_str(&host);
        if let Some(port) = url.port {
            base.push(':');
            base.push_str(port);
        }
        base.push_str(path);
        Ok(Endpoint { base })
    }

    /// The normalized base URL, without a trailing slash.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.base
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

fn invalid_endpoint(why: &str) -> Error {
    Error::invalid_argument("endpoint", why)
}

/// The endpoint's rules for a host whose syntax [`Url::parse`] checked
/// (`host` is it in lower case); tells whether it is a loopback host.
fn check_host(url: &Url<'_>, host: &str) -> Result<bool, Error> {
    if host.starts_with('[') {
        return Ok(url.ip().is_some_and(IpHost::is_loopback));
    }
    // WHATWG parsers read a host whose last label is numeric as an IPv4
    // address, in shorthand too ("127.1", "0x7f.1"). Only the plain dotted
    // quad is accepted, so the loopback check sees what fetch will dial.
    let last_label = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    let numeric_last = !last_label.is_empty()
        && (last_label.bytes().all(|b| b.is_ascii_digit())
            || last_label
                .get(..2)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("0x")));
    if numeric_last {
        // std's parser takes exactly the dotted quad: no shorthand, no
        // leading zeros (which some parsers read as octal).
        return match url.ip() {
            Some(ip) => Ok(ip.is_loopback()),
            None => Err(invalid_endpoint(
                "a numeric host must be a dotted-quad IPv4 address",
            )),
        };
    }
    // One trailing dot (a fully-qualified name) is fine; other empty labels are not.
    if host
        .strip_suffix('.')
        .unwrap_or(host)
        .split('.')
        .any(str::is_empty)
    {
        return Err(invalid_endpoint("the host has an empty label"));
    }
    Ok(host == "localhost" || host == "localhost.")
}

/// Checks a base path: only characters a URL path carries unescaped, valid
/// percent escapes, and no dot segments (which fetch would resolve away).
fn check_path(path: &str) -> Result<(), Error> {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return Err(invalid_endpoint("the path has a broken %-escape"));
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b);
        if !allowed {
            return Err(invalid_endpoint(
                "the path has a character that must be %-escaped (space, non-ASCII, quote, ...)",
            ));
        }
        i += 1;
    }
    if has_dot_segment(path) {
        return Err(invalid_endpoint(
            "the path must not contain '.' or '..' segments",
        ));
    }
    Ok(())
}
