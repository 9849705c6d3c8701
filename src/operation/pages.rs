//! Step 5 of a call: what follows an answer. A page either ends its group
//! or asks for the next; a call over many groups merges them; a waiter
//! pauses and polls again until no job is running.

use super::{Action, Kind, Operation, State};
use crate::error::{Error, ErrorKind};
use crate::json::write_integer;
use crate::model::ListJobsResponse;
use crate::paging::{attribute, merge, PageCursor, PageStep, BYTES_PER_CAPPED_JOB};
use crate::wait::{all_finished, Deadline, PollSchedule};

/// What a call that follows pages has collected so far (of one poll, for a
/// waiter), against its `max_total_jobs`: the per-response cap alone lets a
/// server whose pages never end fill memory.
#[derive(Debug, Default)]
pub(super) struct Collected {
    /// Jobs of the pages kept.
    jobs: u64,
    /// Bytes of the 2xx bodies read.
    bytes: u64,
    /// Pages followed by offset, for [`Kind::Pages`], which keeps none.
    followed: u64,
}

#[derive(Debug)]
pub(super) struct Waiting {
    pub(super) deadline: Deadline,
    pub(super) schedule: PollSchedule,
    pub(super) polls: u32,
    pub(super) last: Option<ListJobsResponse>,
}

impl Operation {
    /// A pause ([`Action::Sleep`]) ended at `now_ms`.
    pub fn woke(&mut self, now_ms: u64) -> Action {
        match self.state {
            State::RetryPause => self.send(now_ms),
            State::PollPause => {
                let passed = self
                    .waiting
                    .as_ref()
                    .is_some_and(|w| w.deadline.has_passed(now_ms));
                if passed {
                    let error = self.wait_timed_out();
                    self.fail(error, now_ms)
                } else {
                    self.poll(now_ms)
                }
            }
            _ => self.current(),
        }
    }

    /// Goes on after [`Action::Progress`] or [`Action::Page`].
    pub fn resume(&mut self, now_ms: u64) -> Action {
        match self.state {
            State::Progress => self.after_poll(now_ms),
            State::Page => {
                self.outcome = None;
                self.next_page(now_ms, true)
            }
            _ => self.current(),
        }
    }

    /// One poll of a waiter: every page of every group, with the client's
    /// per-call deadline cut short by the wait's.
    pub(super) fn poll(&mut self, now_ms: u64) -> Action {
        let Some(waiting) = &mut self.waiting else {
            return self.begin_request(now_ms);
        };
        waiting.polls += 1;
        self.deadline = waiting.deadline.within(now_ms, self.settings.timeout_ms);
        self.group = 0;
        self.cursor = PageCursor::start(self.page);
        self.pages.clear();
        self.collected = Collected::default();
        self.begin_request(now_ms)
    }

    /// Counts a 2xx body of `len` bytes that a collecting call read: the
    /// error that ends the call once the bytes pass their cap.
    pub(super) fn count_bytes(&mut self, len: usize) -> Option<Error> {
        if !matches!(self.kind, Kind::All | Kind::Wait) {
            return None;
        }
        self.collected.bytes = self.collected.bytes.saturating_add(len as u64);
        let cap = u64::from(self.max_total_jobs).saturating_mul(BYTES_PER_CAPPED_JOB);
        (self.collected.bytes > cap).then(|| {
            let mut why = String::from("read more than ");
            write_integer(&mut why, i64::try_from(cap).unwrap_or(i64::MAX));
            why.push_str(" bytes of pages (640 per job of maxTotalJobs)");
            over_limit(&why)
        })
    }

    /// The next page of a [`Kind::Pages`] call, with its own deadline and
    /// count of attempts.
    pub(super) fn next_page(&mut self, now_ms: u64, new_page: bool) -> Action {
        if self.group >= self.groups.len() {
            self.state = State::Finished;
            self.outcome = None;
            return Action::Done;
        }
        // A page after a full one: each holds `limit` jobs, so a batch within
        // maxTotalJobs never needs more than this many.
        let limit = self.cursor.limit().max(1);
        let most = self.max_total_jobs.div_ceil(limit);
        if self.collected.followed > u64::from(most) {
            let mut why = String::from("followed more than ");
            write_integer(&mut why, i64::from(most));
            why.push_str(" pages (maxTotalJobs / limit)");
            return self.fail(over_limit(&why), now_ms);
        }
        if new_page {
            self.attempts = 0;
        }
        self.deadline = Deadline::after(now_ms, self.timeout_ms);
        self.begin_request(now_ms)
    }

    /// A page arrived.
    pub(super) fn received(&mut self, mut response: ListJobsResponse, now_ms: u64) -> Action {
        let Some(group) = self.groups.get(self.group) else {
            return self.fail(Error::invalid_input("no request was sent"), now_ms);
        };
        if self.kind == Kind::List {
            if self.attribute {
                attribute(&mut response, group);
            }
            return self.succeed(response);
        }
        let step = self.cursor.advance(&response);
        if step != PageStep::Repeated && self.attribute {
            attribute(&mut response, group);
        }
        if matches!(step, PageStep::Next(_)) {
            self.collected.followed += 1;
        }
        if !matches!(step, PageStep::Next(_)) {
            self.group += 1;
            self.cursor = PageCursor::start(self.page);
        }
        if self.kind == Kind::Pages {
            if step == PageStep::Repeated {
                // The server ignores `offset`: the repeat is dropped, and
                // the page handed out next is still this one's.
                return self.next_page(now_ms, false);
            }
            self.state = State::Page;
            self.outcome = Some(Ok(response));
            return Action::Page;
        }
        if step != PageStep::Repeated {
            self.collected.jobs += response.jobs.len() as u64;
            if self.collected.jobs > u64::from(self.max_total_jobs) {
                let mut why = String::from("collected more than ");
                write_integer(&mut why, i64::from(self.max_total_jobs));
                why.push_str(" jobs (maxTotalJobs)");
                self.pages.clear();
                return self.fail(over_limit(&why), now_ms);
            }
            self.pages.push(response);
        }
        if self.group < self.groups.len() {
            return self.begin_request(now_ms);
        }
        let ids: Vec<&String> = self.groups.iter().flatten().collect();
        let merged = merge(&ids, std::mem::take(&mut self.pages));
        if self.kind == Kind::All {
            return self.succeed(merged);
        }
        self.outcome = Some(Ok(merged));
        if self.progress {
            self.state = State::Progress;
            return Action::Progress;
        }
        self.after_poll(now_ms)
    }

    /// A waiter's poll was reported: done, or pause before the next.
    pub(super) fn after_poll(&mut self, now_ms: u64) -> Action {
        let response = match self.outcome.take() {
            Some(Ok(response)) => response,
            _ => return self.fail(Error::invalid_input("no poll to go on from"), now_ms),
        };
        if all_finished(&response) {
            return self.succeed(response);
        }
        let random = self.random();
        let Some(waiting) = &mut self.waiting else {
            return self.succeed(response);
        };
        let pause = waiting.deadline.clip(
            waiting
                .schedule
                .delay_ms(waiting.polls.saturating_sub(1), random),
            now_ms,
        );
        waiting.last = Some(response);
        self.state = State::PollPause;
        Action::Sleep(pause)
    }
}

/// The error of a call that passed its `maxTotalJobs`: `why` says which
/// count passed it.
fn over_limit(why: &str) -> Error {
    let mut message = String::from("the call stopped: it ");
    message.push_str(why);
    message.push_str(
        ". Pass a larger maxTotalJobs (default 100000) if the batch really is that large; \
         otherwise the server's pages may never end",
    );
    Error::new(ErrorKind::LimitExceeded, message)
}
