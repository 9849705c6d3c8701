//! Deadlines and the polling schedule of a waiter: when to ask again, and
//! when to stop. Plain arithmetic on milliseconds, tested natively; the edge
//! supplies the clock and the randomness.

use crate::error::Error;
use crate::model::{JobStatus, ListJobsResponse};

/// How long a waiter waits in all unless told otherwise: 10 minutes.
pub const DEFAULT_WAIT_TIMEOUT_MS: u32 = 600_000;

/// The shortest pause between two polls unless told otherwise.
pub const DEFAULT_MIN_DELAY_MS: u32 = 2_000;

/// The longest pause between two polls unless told otherwise.
pub const DEFAULT_MAX_DELAY_MS: u32 = 30_000;

/// A point in time after which a call gives up, in milliseconds of the
/// caller's clock (the edge uses `Date.now()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    at_ms: u64,
    timeout_ms: u32,
}

impl Deadline {
    /// The deadline `timeout_ms` after `now_ms`.
    #[must_use]
    pub fn after(now_ms: u64, timeout_ms: u32) -> Self {
        Deadline {
            at_ms: now_ms.saturating_add(u64::from(timeout_ms)),
            timeout_ms,
        }
    }

    /// The whole timeout this deadline was set with, for messages.
    #[must_use]
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }

    /// Milliseconds left at `now_ms`; zero once it has passed.
    #[must_use]
    pub fn remaining_ms(&self, now_ms: u64) -> u64 {
        self.at_ms.saturating_sub(now_ms)
    }

    /// Whether it has passed at `now_ms`.
    #[must_use]
    pub fn has_passed(&self, now_ms: u64) -> bool {
        now_ms >= self.at_ms
    }

    /// `delay_ms`, shortened so a sleep that starts at `now_ms` never ends
    /// after the deadline.
    #[must_use]
    pub fn clip(&self, delay_ms: u64, now_ms: u64) -> u64 {
        delay_ms.min(self.remaining_ms(now_ms))
    }

    /// The earlier of this deadline and one `timeout_ms` after `now_ms`: the
    /// deadline of one request inside a longer wait.
    #[must_use]
    pub fn within(&self, now_ms: u64, timeout_ms: u32) -> Deadline {
        let own = Deadline::after(now_ms, timeout_ms);
        if own.at_ms <= self.at_ms {
            own
        } else {
            *self
        }
    }
}

/// The pauses between polls: exponential from `min` to `max`, with jitter.
///
/// Pause `n` (from 0) is `min * 1.5^n`, capped at `max`, then moved by up to
/// 20% either way at random (and kept within `min..=max`), so that consoles
/// opened at the same moment drift apart instead of polling in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSchedule {
    min_delay_ms: u32,
    max_delay_ms: u32,
}

impl Default for PollSchedule {
    fn default() -> Self {
        PollSchedule {
            min_delay_ms: DEFAULT_MIN_DELAY_MS,
            max_delay_ms: DEFAULT_MAX_DELAY_MS,
        }
    }
}

impl PollSchedule {
    /// A schedule of pauses from `min_delay_ms` to `max_delay_ms`.
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::InvalidInput`] when `min_delay_ms` is zero or
    /// larger than `max_delay_ms`.
    pub fn new(min_delay_ms: u32, max_delay_ms: u32) -> Result<Self, Error> {
        if min_delay_ms == 0 {
            return Err(Error::invalid_argument(
                "minDelayMs",
                "it must be at least 1",
            ));
        }
        if min_delay_ms > max_delay_ms {
            return Err(Error::invalid_argument(
                "maxDelayMs",
                "it must not be less than minDelayMs",
            ));
        }
        Ok(PollSchedule {
            min_delay_ms,
            max_delay_ms,
        })
    }

    /// The pause after poll number `poll` (0 after the first poll), for a
    /// `random` number in `[0, 1)`.
    #[must_use]
    pub fn delay_ms(&self, poll: u32, random: f64) -> u64 {
        let (min, max) = (f64::from(self.min_delay_ms), f64::from(self.max_delay_ms));
        // 1.5^40 already exceeds any u32 ratio of max to min.
        let ceiling = (min * 1.5f64.powi(poll.min(40) as i32)).min(max);
        // max/min rather than clamp: clamp's panic message would pull float
        // formatting into the wasm, and min <= max holds by construction.
        let jittered = ceiling * (0.8 + 0.4 * random.clamp(0.0, 1.0));
        jittered.max(min).min(max) as u64
    }
}

/// Whether a waiter is done with this response: no job is still running.
///
/// A job with a status the API does not document counts as finished, since
/// nothing says it will change; an empty job list is finished too.
#[must_use]
pub fn all_finished(response: &ListJobsResponse) -> bool {
    !response
        .jobs
        .iter()
        .any(|job| job.status == JobStatus::Running)
}
