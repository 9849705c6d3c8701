//! Step 2 of a call: the credential (asked of a token provider when there
//! is one) and the request, built for the current group and page and
//! signed at the time it is sent.

use super::failure::timed_out;
use super::{Action, Kind, Operation, State};
use crate::auth::Auth;
use crate::error::Error;
use crate::header::Header;
use crate::request::ListJobsRequest;

impl Operation {
    /// The token the provider gave, or the error it failed with.
    pub fn token(&mut self, token: Result<&str, Error>, now_ms: u64) -> Action {
        if self.state != State::Token {
            return self.current();
        }
        let auth = token.and_then(|token| {
            Auth::token(token).map_err(|e| {
                let mut message = String::from("the tokenProvider returned an unusable token: ");
                message.push_str(e.message());
                Error::invalid_input(message)
            })
        });
        match auth {
            Ok(auth) => {
                self.auth = Some(auth);
                self.build_and_send(now_ms)
            }
            Err(error) => self.fail(error, now_ms),
        }
    }

    /// The request to send, while the action is [`Action::Send`].
    #[must_use]
    pub fn request(&self) -> Option<&ListJobsRequest> {
        self.request.as_ref()
    }

    /// The headers of [`request`](Self::request), signed at `now_ms`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the
    /// request cannot be signed (a clock before 1970); the driver ends the
    /// call with it ([`fail`](Self::fail)).
    pub fn headers_at(&self, now_ms: u64) -> Result<Vec<Header>, Error> {
        match &self.request {
            Some(request) => request.headers_at(now_ms),
            None => Err(Error::invalid_input("no request is being sent")),
        }
    }

    /// How long the request in flight may take, from `now_ms`.
    #[must_use]
    pub fn remaining_ms(&self, now_ms: u64) -> u64 {
        self.deadline.remaining_ms(now_ms)
    }

    /// A request for the current group and page: first the credential.
    pub(super) fn begin_request(&mut self, now_ms: u64) -> Action {
        self.tries = 0;
        self.refreshed = false;
        match &self.settings.auth {
            Auth::Provider => {
                self.state = State::Token;
                Action::Token { refresh: false }
            }
            auth => {
                self.auth = Some(auth.clone());
                self.build_and_send(now_ms)
            }
        }
    }

    pub(super) fn build_and_send(&mut self, now_ms: u64) -> Action {
        let (Some(auth), Some(group)) = (&self.auth, self.groups.get(self.group)) else {
            return self.fail(Error::invalid_input("no request to send"), now_ms);
        };
        let page = match self.kind {
            Kind::List => self.page,
            _ => self.cursor.page(),
        };
        let settings = &self.settings;
        match ListJobsRequest::for_ids(&settings.endpoint, &settings.project_id, group, page, auth)
        {
            Ok(request) => {
                self.request = Some(request);
                self.send(now_ms)
            }
            Err(error) => self.fail(error, now_ms),
        }
    }

    pub(super) fn send(&mut self, now_ms: u64) -> Action {
        self.attempts += 1;
        self.tries += 1;
        self.head = None;
        self.state = State::Sending;
        if self.deadline.remaining_ms(now_ms) == 0 {
            return self.after_error(timed_out(self.deadline), now_ms);
        }
        Action::Send
    }
}
