//! Step 5 of a call: what follows an answer. A page either ends its group
//! or asks for the next; a call over many groups merges them; a waiter
//! pauses and polls again until no job is running.

use super::{Action, Kind, Operation, State};
use crate::error::Error;
use crate::model::ListJobsResponse;
use crate::paging::{attribute, merge, PageCursor, PageStep};
use crate::wait::{all_finished, Deadline, PollSchedule};

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
        self.begin_request(now_ms)
    }

    /// The next page of a [`Kind::Pages`] call, with its own deadline and
    /// count of attempts.
    pub(super) fn next_page(&mut self, now_ms: u64, new_page: bool) -> Action {
        if self.group >= self.groups.len() {
            self.state = State::Finished;
            self.outcome = None;
            return Action::Done;
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
