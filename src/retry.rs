//! Whether a failed request is tried again, and after how long.
//!
//! Decided here, without I/O, so the schedule is tested natively; the
//! transport only sleeps for the delay it is given.

use crate::error::{Error, ErrorKind};

/// Attempts per call unless the caller says otherwise: the first request and
/// two retries.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// The most attempts a caller may ask for: beyond this a retry loop only
/// hides an outage.
pub const MAX_ATTEMPTS_LIMIT: u32 = 10;

/// The first retry waits up to this long (full jitter: anywhere from zero).
pub const RETRY_BASE_DELAY_MS: u64 = 250;

/// No retry waits longer than this, unless the server's `Retry-After` asks.
pub const RETRY_MAX_DELAY_MS: u64 = 8_000;

/// How many times a call is tried, and how long it waits between tries.
///
/// Between attempts it waits a "full jitter" delay: a uniformly random time
/// from zero to `min(cap, base * 2^retry)`, so that many clients throttled at
/// the same moment do not all come back at the same moment. A `Retry-After`
/// from the server replaces the random delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay_ms: u64,
    max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay_ms: RETRY_BASE_DELAY_MS,
            max_delay_ms: RETRY_MAX_DELAY_MS,
        }
    }
}

impl RetryPolicy {
    /// A policy of `max_attempts` tries in all; `1` disables retries.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] unless `max_attempts` is from 1 to
    /// [`MAX_ATTEMPTS_LIMIT`].
    pub fn new(max_attempts: u32) -> Result<Self, Error> {
        if !(1..=MAX_ATTEMPTS_LIMIT).contains(&max_attempts) {
            return Err(Error::invalid_argument(
                "maxAttempts",
                "it must be an integer from 1 to 10",
            ));
        }
        Ok(RetryPolicy {
            max_attempts,
            ..RetryPolicy::default()
        })
    }

    /// The same policy with other delays: `base_ms` for the first retry's
    /// ceiling, doubling up to `cap_ms`.
    #[must_use]
    pub fn with_delays(self, base_ms: u64, cap_ms: u64) -> Self {
        RetryPolicy {
            base_delay_ms: base_ms,
            max_delay_ms: cap_ms.max(base_ms),
            ..self
        }
    }

    /// The number of tries in all, the first included.
    #[must_use]
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The full-jitter delay before retry number `retry` (0 for the first
    /// retry), for a `random` number in `[0, 1)`.
    #[must_use]
    pub fn backoff_ms(&self, retry: u32, random: f64) -> u64 {
        let ceiling = self
            .base_delay_ms
            .saturating_mul(1u64 << retry.min(32))
            .min(self.max_delay_ms);
        (random.clamp(0.0, 1.0) * ceiling as f64) as u64
    }

    /// After `attempts_made` tries that ended in `error`, how long to wait
    /// before trying again, or `None` to give up and report `error`.
    ///
    /// It gives up when the attempts are spent, when the error is not one a
    /// retry can fix (see [`is_retryable`]), or when the wait would not end
    /// before the call's deadline, `remaining_ms` from now: the deadline
    /// covers every attempt.
    #[must_use]
    pub fn next_delay(
        &self,
        attempts_made: u32,
        error: &Error,
        remaining_ms: u64,
        random: f64,
    ) -> Option<u64> {
        if attempts_made >= self.max_attempts || !is_retryable(error) {
            return None;
        }
        let delay = error
            .retry_after_ms()
            .unwrap_or_else(|| self.backoff_ms(attempts_made.saturating_sub(1), random));
        (delay < remaining_ms).then_some(delay)
    }
}

/// Whether a retry may fix `error`: no response at all (a network error), a
/// throttled call (429, `APIG.0308`), or a 500, 502, 503 or 504.
///
/// Never a 4xx other than 429 (the request itself is at fault), a decode
/// error, a timeout (the deadline is spent) or an abort (the caller asked to
/// stop).
#[must_use]
pub fn is_retryable(error: &Error) -> bool {
    match error.kind() {
        ErrorKind::Network => true,
        ErrorKind::Http => {
            matches!(error.status(), Some(429 | 500 | 502 | 503 | 504))
                || error.error_code() == Some("APIG.0308")
        }
        _ => false,
    }
}

/// Reads a `Retry-After` header into milliseconds from now.
///
/// Takes both forms HTTP allows: a number of seconds (`"120"`), or a date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`, also in the two obsolete formats HTTP
/// recipients must accept), which is compared with `now_unix_ms`. A date in
/// the past means "now", `Some(0)`. Anything else is `None`, as if the
/// header were absent.
#[must_use]
pub fn parse_retry_after(value: &str, now_unix_ms: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Beyond any sane wait; the deadline check turns it into "give up".
        let seconds: u64 = value.parse().unwrap_or(u64::MAX / 1000);
        return Some(seconds.saturating_mul(1000));
    }
    let at_ms = parse_http_date(value)?.checked_mul(1000)?;
    Some(at_ms.saturating_sub(now_unix_ms))
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// An HTTP date (RFC 9110 §5.6.7) as seconds since the UNIX epoch:
/// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, RFC 850
/// `Sunday, 06-Nov-94 08:49:37 GMT`, or asctime `Sun Nov  6 08:49:37 1994`.
///
/// Read byte by byte, without `str::split_once` or `str::parse`: this runs
/// only for a throttled call, and the two-way string searcher would otherwise
/// be in the browser's download for it alone; `digits` also refuses the `+`
/// sign that `str::parse` takes.
fn parse_http_date(value: &str) -> Option<u64> {
    let bytes = value.as_bytes();
    let mut fields = [&bytes[..0]; 5];
    let (day, month, year, time) = match bytes.windows(2).position(|pair| pair == b", ") {
        Some(comma) => match split(bytes.get(comma + 2..)?, b' ', &mut fields)? {
            // IMF-fixdate
            [day, month, year, time, b"GMT"] => (*day, *month, digits(year)?, *time),
            // RFC 850: two-digit years are read as the nearest past century.
            [date, time, b"GMT"] => {
                let mut parts = [&date[..0]; 3];
                let [day, month, year] = split(date, b'-', &mut parts)? else {
                    return None;
                };
                if year.len() != 2 {
                    return None;
                }
                let yy = digits(year)?;
                (
                    *day,
                    *month,
                    if yy < 70 { 2000 + yy } else { 1900 + yy },
                    *time,
                )
            }
            _ => return None,
        },
        None => {
            // asctime: the day is space-padded, so runs of spaces are one.
            let words = bytes
                .split(u8::is_ascii_whitespace)
                .filter(|w| !w.is_empty());
            match fill(words, &mut fields)? {
                [_, month, day, time, year] => (*day, *month, digits(year)?, *time),
                _ => return None,
            }
        }
    };
    let day = digits(day).filter(|d| (1..=31).contains(d))?;
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let mut hms = [&time[..0]; 3];
    let [h, m, s] = split(time, b':', &mut hms)? else {
        return None;
    };
    let field = |f: &[u8], max: u32| digits(f).filter(|v| f.len() == 2 && *v <= max);
    let (h, m, s) = (field(h, 23)?, field(m, 59)?, field(s, 60)?);
    if !(1970..=9999).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + u64::from(h * 3600 + m * 60 + s))
}

/// `bytes` split at every `separator` into `out`, as [`fill`] does; one
/// function for the three separators, where closures would make three.
fn split<'o, 'b>(
    bytes: &'b [u8],
    separator: u8,
    out: &'o mut [&'b [u8]],
) -> Option<&'o [&'b [u8]]> {
    fill(bytes.split(|b| *b == separator), out)
}

/// The `pieces` put into `out`, as the filled part of it; `None` when there
/// are more than `out` holds.
fn fill<'o, 'b>(
    pieces: impl Iterator<Item = &'b [u8]>,
    out: &'o mut [&'b [u8]],
) -> Option<&'o [&'b [u8]]> {
    let mut count = 0;
    for piece in pieces {
        *out.get_mut(count)? = piece;
        count += 1;
    }
    out.get(..count)
}

/// A number of one to nine ASCII digits, nothing else.
fn digits(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 9 {
        return None;
    }
    text.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian
/// calendar (Howard Hinnant's algorithm), for years from 1970.
fn days_from_civil(year: u32, month: u32, day: u32) -> u64 {
    let y = u64::from(if month <= 2 { year - 1 } else { year });
    let era = y / 400;
    let yoe = y - era * 400;
    let m = u64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + u64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
