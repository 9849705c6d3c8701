//! `X-Sdk-Date`: the signing time, written and read back.

use crate::error::Error;

/// Formats a UNIX time in milliseconds as an `X-Sdk-Date`:
/// `YYYYMMDDTHHMMSSZ` in UTC, the milliseconds dropped.
///
/// ```
/// assert_eq!(cph_jobs::sign::format_sdk_date(0)?, "19700101T000000Z");
/// assert_eq!(cph_jobs::sign::format_sdk_date(1_795_861_234_567)?, "20261128T102034Z");
/// # Ok::<(), cph_jobs::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a time
/// after the year 9999, which four digits cannot write.
pub fn format_sdk_date(unix_ms: u64) -> Result<String, Error> {
    const LAST_MS: u64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    if unix_ms > LAST_MS {
        return Err(Error::invalid_argument("time", "it is after the year 9999"));
    }
    let secs = unix_ms / 1000;
    let (year, month, day) = civil_from_days(secs / 86_400);
    let of_day = secs % 86_400;
    let mut out = String::with_capacity(16);
    for (value, width) in [(year, 4), (month, 2), (day, 2)] {
        push_padded(&mut out, value, width);
    }
    out.push('T');
    for value in [of_day / 3600, of_day / 60 % 60, of_day % 60] {
        push_padded(&mut out, value, 2);
    }
    out.push('Z');
    Ok(out)
}

fn push_padded(out: &mut String, value: u64, width: usize) {
    let digits = value.to_string();
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

/// Reads an `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`, UTC) back into UNIX seconds.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) unless it is
/// exactly that form, with a real date and time, from 1970 on.
pub fn parse_sdk_date(sdk_date: &str) -> Result<u64, Error> {
    let bad = || {
        Error::invalid_argument(
            "sdkDate",
            "it must be a UTC time written YYYYMMDDTHHMMSSZ, from 1970 on",
        )
    };
    let b = sdk_date.as_bytes();
    let shape_ok = b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit);
    if !shape_ok {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
    };
    let (year, month, day) = (number(0..4), number(4..6), number(6..8));
    let (hour, minute, second) = (number(9..11), number(11..13), number(13..15));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year < 1970 || day == 0 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second)
}

// Howard Hinnant's civil-calendar algorithms, for days since 1970-01-01
// (never negative here), with March-based years so leap days come last.

fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = year - u64::from(month <= 2);
    let era = year / 400;
    let yoe = year - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
