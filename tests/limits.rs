//! The total caps of calls that follow pages (`max_total_jobs` and the bytes
//! it allows), driven through `Operation` by hand as in `tests/operation.rs`:
//! a server whose full pages never end is stopped, a batch within the cap is not.

use std::rc::Rc;

use cph_jobs::operation::{
    Action, Auth, Body, Jobs, Kind, Operation, Options, ReadPlan, ResponseHead, Settings,
    SettingsInput,
};
use cph_jobs::{Error, ErrorKind, ListJobsResponse, PollSchedule};

const NOW: u64 = 1_764_374_400_000;

fn settings(max_total_jobs: Option<u32>) -> Rc<Settings> {
    Rc::new(
        Settings::new(SettingsInput {
            endpoint: Some("https://cph.example.com".into()),
            project_id: Some("proj1".into()),
            auth: Some(Auth::Token("tok".into())),
            max_total_jobs,
            ..SettingsInput::default()
        })
        .expect("valid settings"),
    )
}

fn operation(kind: Kind, settings: Rc<Settings>, options: Options) -> Operation {
    Operation::new(settings, kind, &Jobs::from("r1"), &options, 1).expect("a valid plan")
}

/// A page of `n` jobs from `from`, each with `pad` bytes of `execute_msg`.
fn page(from: usize, n: usize, pad: usize, status: i64) -> String {
    let msg = "x".repeat(pad);
    let jobs: Vec<String> = (from..from + n)
        .map(|i| format!(r#"{{"job_id":"j{i}","status":{status},"execute_msg":"{msg}"}}"#))
        .collect();
    format!(r#"{{"request_id":"r1","jobs":[{}]}}"#, jobs.join(","))
}

fn respond(op: &mut Operation, now: u64, body: &str) -> Action {
    let length = body.len().to_string();
    let head = ResponseHead {
        status: 200,
        content_length: Some(&length),
        ..ResponseHead::default()
    };
    match op.head(&head, now) {
        ReadPlan::Whole | ReadPlan::Capped(_) => op.body(Body::Bytes(body.as_bytes()), now),
        ReadPlan::TooLarge => op.body(Body::TooLarge, now),
        ReadPlan::Skip => op.body(Body::Skipped, now),
    }
}

fn offset(op: &Operation) -> Option<u32> {
    let url = op.request()?.url().to_owned();
    let at = url.find("offset=")? + "offset=".len();
    url[at..].split('&').next()?.parse().ok()
}

fn failed(op: &mut Operation) -> Error {
    match op.finish() {
        Some(Err(error)) => error,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Answers every request with a full page of `limit` new jobs, as a hostile
/// server would, until the call stops; returns the last action and the
/// number of requests.
fn endless(op: &mut Operation, limit: usize, pad: usize, status: i64) -> (Action, usize) {
    let mut action = op.start(NOW);
    let mut sent = 0;
    let mut now = NOW;
    while sent < 100_000 {
        action = match action {
            Action::Send => {
                let from = offset(op).unwrap_or(0) as usize;
                sent += 1;
                now += 1;
                respond(op, now, &page(from, limit, pad, status))
            }
            Action::Page | Action::Progress => op.resume(now),
            Action::Sleep(ms) => {
                now += ms;
                op.woke(now)
            }
            other => return (other, sent),
        };
    }
    panic!("the call never stopped");
}

fn assert_limit(error: &Error, names: &str) {
    assert_eq!(error.kind(), ErrorKind::LimitExceeded, "{error}");
    assert_eq!(error.kind().as_str(), "limit-exceeded");
    assert!(error.message().contains(names), "{error}");
    assert!(error.message().contains("larger maxTotalJobs"), "{error}");
}

#[test]
fn list_all_stops_past_max_total_jobs() {
    let options = Options {
        max_total_jobs: Some(250),
        ..Options::default()
    };
    let mut op = operation(Kind::All, settings(None), options);
    let (action, sent) = endless(&mut op, 100, 0, 2);
    assert_eq!(action, Action::Failed);
    // 100, 200, then 300 > 250.
    assert_eq!(sent, 3);
    let error = failed(&mut op);
    assert_limit(&error, "collected more than 250 jobs (maxTotalJobs)");
    assert_eq!(error.attempts(), 3);
}

#[test]
fn the_client_sets_the_default_and_a_call_overrides_it() {
    let (action, sent) = endless(
        &mut operation(Kind::All, settings(Some(150)), Options::default()),
        100,
        0,
        2,
    );
    assert_eq!((action, sent), (Action::Failed, 2));
    let options = Options {
        max_total_jobs: Some(450),
        ..Options::default()
    };
    let mut op = operation(Kind::All, settings(Some(150)), options);
    assert_eq!(endless(&mut op, 100, 0, 2), (Action::Failed, 5));
}

#[test]
fn the_default_stops_a_hostile_server_after_100_000_jobs_or_61_mib() {
    // Small jobs: the job count stops it.
    let mut op = operation(Kind::All, settings(None), Options::default());
    assert_eq!(endless(&mut op, 100, 0, 2), (Action::Failed, 1001));
    assert_limit(&failed(&mut op), "more than 100000 jobs");
    // Jobs of 1 KiB: the bytes (640 per job of the cap) stop it first.
    let mut op = operation(Kind::All, settings(None), Options::default());
    let (action, sent) = endless(&mut op, 100, 1024, 2);
    assert_eq!(action, Action::Failed);
    let error = failed(&mut op);
    assert_limit(&error, "more than 64000000 bytes of pages");
    // Pages of about 107 KB (their job ids grow): some 600 of them.
    let page_len = page(0, 100, 1024, 2).len();
    assert!((590..=64_000_000 / page_len + 1).contains(&sent), "{sent}");
}

#[test]
fn a_batch_of_exactly_max_total_jobs_succeeds() {
    let options = Options {
        max_total_jobs: Some(300),
        ..Options::default()
    };
    let mut op = operation(Kind::All, settings(None), options);
    let mut action = op.start(NOW);
    for from in [0, 100, 200, 300] {
        assert_eq!(action, Action::Send);
        assert_eq!(offset(&op), Some(from as u32));
        let n = if from < 300 { 100 } else { 0 };
        action = respond(&mut op, NOW, &page(from, n, 0, 2));
    }
    assert_eq!(action, Action::Done);
    let response: ListJobsResponse = op.finish().expect("a result").expect("success");
    assert_eq!(response.jobs.len(), 300);
}

#[test]
fn every_poll_of_a_waiter_has_its_own_count() {
    // 3 polls of 200 running jobs, then 200 finished: each within 250.
    let options = Options {
        max_total_jobs: Some(250),
        schedule: Some(PollSchedule::new(10, 10).expect("a schedule")),
        ..Options::default()
    };
    let mut op = operation(Kind::Wait, settings(None), options);
    let mut action = op.start(NOW);
    let mut now = NOW;
    for poll in 0..4 {
        let status = if poll == 3 { 2 } else { 1 };
        for (from, n) in [(0, 100), (100, 100), (200, 0)] {
            assert_eq!(action, Action::Send, "poll {poll}");
            action = respond(&mut op, now, &page(from, n, 0, status));
        }
        if let Action::Sleep(ms) = action {
            now += ms;
            action = op.woke(now);
        }
    }
    assert_eq!(action, Action::Done);
    // A server that never ends a poll's pages stops the wait.
    let mut op = operation(Kind::Wait, settings(None), options);
    let (action, sent) = endless(&mut op, 100, 0, 1);
    assert_eq!((action, sent), (Action::Failed, 3));
    assert_limit(&failed(&mut op), "collected more than 250 jobs");
}

#[test]
fn pages_caps_only_the_pages_it_follows() {
    // maxTotalJobs 250 with pages of 100: 3 pages after the first at most.
    let options = Options {
        max_total_jobs: Some(250),
        ..Options::default()
    };
    let mut op = operation(Kind::Pages, settings(None), options);
    let mut action = op.start(NOW);
    let mut pages = 0;
    while action == Action::Send {
        let from = offset(&op).unwrap_or(0) as usize;
        action = respond(&mut op, NOW, &page(from, 100, 0, 2));
        if action == Action::Page {
            pages += 1;
            assert!(op.finish().is_some());
            action = op.resume(NOW);
        }
    }
    assert_eq!(action, Action::Failed);
    assert_eq!(pages, 4);
    assert_limit(
        &failed(&mut op),
        "followed more than 3 pages (maxTotalJobs / limit)",
    );
    // Large jobs do not stop it: it holds one page at a time.
    let options = Options {
        max_total_jobs: Some(1_000),
        ..Options::default()
    };
    let mut op = operation(Kind::Pages, settings(None), options);
    assert_eq!(endless(&mut op, 100, 4096, 2), (Action::Failed, 11));
}

#[test]
fn zero_is_refused() {
    let options = Options {
        max_total_jobs: Some(0),
        ..Options::default()
    };
    let error = Operation::new(settings(None), Kind::All, &Jobs::from("r1"), &options, 1)
        .expect_err("refused");
    assert!(
        error.message().starts_with("invalid maxTotalJobs"),
        "{error}"
    );
    let error = Settings::new(SettingsInput {
        endpoint: Some("https://cph.example.com".into()),
        project_id: Some("proj1".into()),
        auth: Some(Auth::Token("tok".into())),
        max_total_jobs: Some(0),
        ..SettingsInput::default()
    })
    .expect_err("refused");
    assert!(
        error.message().starts_with("invalid maxTotalJobs"),
        "{error}"
    );
}
