//! The decisions behind retries, waiting, batches and pages: pure functions of
//! their inputs, so every edge is pinned here without a clock or a server.

use cph_jobs::{
    all_finished, attribute, chunk_ids, is_retryable, merge, parse_retry_after, region_endpoint,
    validate_limit, validate_offset, Auth, Deadline, Endpoint, Error, ErrorKind, Job, JobStatus,
    ListJobsRequest, ListJobsResponse, Page, PageCursor, PageStep, PollSchedule, RetryPolicy,
    DEFAULT_MAX_ATTEMPTS, REGIONS,
};

fn http(status: u16, code: Option<&str>) -> Error {
    Error::new(ErrorKind::Http, "x")
        .with_status(status)
        .with_service_error(code.map(str::to_owned), None)
}

fn job(id: &str, status: JobStatus) -> Job {
    Job::new(id, status)
}

fn page(ids: std::ops::Range<usize>) -> ListJobsResponse {
    ListJobsResponse {
        request_id: "r".into(),
        jobs: ids
            .map(|i| job(&format!("j{i}"), JobStatus::Succeeded))
            .collect(),
    }
}

mod retries {
    use super::*;

    #[test]
    fn retries_what_a_retry_can_fix_and_nothing_else() {
        let network = Error::new(ErrorKind::Network, "refused");
        assert!(is_retryable(&network));
        for status in [429, 500, 502, 503, 504] {
            assert!(is_retryable(&http(status, None)), "{status}");
        }
        assert!(
            is_retryable(&http(403, Some("APIG.0308"))),
            "throttled by code"
        );
        for status in [400, 401, 403, 404, 405, 409, 501, 505, 302] {
            assert!(!is_retryable(&http(status, None)), "{status}");
        }
        for kind in [
            ErrorKind::Timeout,
            ErrorKind::Aborted,
            ErrorKind::Decode,
            ErrorKind::InvalidInput,
        ] {
            assert!(!is_retryable(&Error::new(kind, "x")), "{kind}");
        }
    }

    #[test]
    fn full_jitter_stays_within_a_doubling_capped_ceiling() {
        let policy = RetryPolicy::default().with_delays(100, 1000);
        for retry in 0..40 {
            let ceiling = (100u64 << retry.min(20)).min(1000);
            assert_eq!(policy.backoff_ms(retry, 0.0), 0);
            assert!(policy.backoff_ms(retry, 0.999_999) <= ceiling);
            assert!(policy.backoff_ms(retry, 0.999_999) >= ceiling * 99 / 100);
        }
        assert_eq!(policy.backoff_ms(0, 0.5), 50);
        assert_eq!(policy.backoff_ms(1, 0.5), 100);
        assert_eq!(policy.backoff_ms(3, 0.5), 400);
        assert_eq!(policy.backoff_ms(4, 0.5), 500, "capped at 1000");
        assert_eq!(policy.backoff_ms(u32::MAX, 2.0), 1000, "random is clamped");
    }

    #[test]
    fn spends_exactly_the_attempt_budget() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_attempts(), DEFAULT_MAX_ATTEMPTS);
        let e = http(503, None);
        assert!(policy.next_delay(1, &e, 60_000, 0.5).is_some());
        assert!(policy.next_delay(2, &e, 60_000, 0.5).is_some());
        assert_eq!(policy.next_delay(3, &e, 60_000, 0.5), None);
        let once = RetryPolicy::new(1).unwrap();
        assert_eq!(
            once.next_delay(1, &e, 60_000, 0.5),
            None,
            "1 disables retries"
        );
        assert_eq!(policy.next_delay(1, &http(403, None), 60_000, 0.5), None);
    }

    #[test]
    fn honours_retry_after_and_never_sleeps_past_the_deadline() {
        let policy = RetryPolicy::default();
        let throttled = http(429, Some("APIG.0308")).with_retry_after_ms(Some(5_000));
        assert_eq!(policy.next_delay(1, &throttled, 60_000, 0.0), Some(5_000));
        assert_eq!(
            policy.next_delay(1, &throttled, 5_000, 0.0),
            None,
            "a wait that ends at the deadline leaves no time to try"
        );
        assert_eq!(policy.next_delay(1, &http(503, None), 0, 0.0), None);
        let delay = policy
            .next_delay(2, &http(503, None), 60_000, 0.999)
            .unwrap();
        assert!(delay < 500, "second retry: up to 2 x 250 ms, got {delay}");
    }

    #[test]
    fn accepts_one_to_ten_attempts() {
        assert!(RetryPolicy::new(0).is_err());
        assert!(RetryPolicy::new(1).is_ok());
        assert!(RetryPolicy::new(10).is_ok());
        let err = RetryPolicy::new(11).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().starts_with("invalid maxAttempts"));
    }

    #[test]
    fn reads_retry_after_in_seconds_and_as_http_dates() {
        // 1994-11-06T08:49:37Z
        let at = 784_111_777_000;
        assert_eq!(parse_retry_after("120", at), Some(120_000));
        assert_eq!(parse_retry_after(" 0 ", at), Some(0));
        assert_eq!(
            parse_retry_after("99999999999999999999999", at),
            Some(u64::MAX / 1000 * 1000),
            "an absurd number saturates, and the deadline check gives up"
        );
        for date in [
            "Sun, 06 Nov 1994 08:49:47 GMT",
            "Sunday, 06-Nov-94 08:49:47 GMT",
            "Sun Nov  6 08:49:47 1994",
        ] {
            assert_eq!(parse_retry_after(date, at), Some(10_000), "{date}");
        }
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", at),
            Some(0),
            "a date in the past means now"
        );
        assert_eq!(
            parse_retry_after("Tue, 29 Feb 2028 00:00:00 GMT", 1_835_308_800_000),
            Some(86_400_000),
            "leap day"
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, at), None, "{bad:?}");
        }
    }

    #[test]
    fn an_http_date_must_have_exactly_its_fields() {
        let at = 784_111_777_000;
        for date in [
            "Sun, 06 Nov 1994  08:49:47 GMT",
            "Sun, 06 Nov 1994 08:49:47 GMT extra",
            "Sun, +6 Nov 1994 08:49:47 GMT",
            "Sun, 06 Nov +994 08:49:47 GMT",
            "Sun, 06 Nov 1994 08:49:+7 GMT",
            "Sun, 06 Nov 1994 08:49:47:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 nov 1994 08:49:47 GMT",
            "Sun, 06 Nov 10000 08:49:47 GMT",
            "Sunday, 06-Nov-1994 08:49:47 GMT",
            "Sunday, 06-Nov-94-1 08:49:47 GMT",
            "Sunday, 06-Nov 08:49:47 GMT",
            "Sun Nov  6 08:49:47 1994 GMT",
            "Sun Nov 08:49:47 1994",
            "Sun Nov  0 08:49:47 1994",
            ",",
            ", ",
        ] {
            assert_eq!(parse_retry_after(date, at), None, "{date:?}");
        }
        // The accepted spellings: a one-digit day, a leap second, and RFC
        // 850's two-digit years on either side of 1970.
        assert_eq!(
            parse_retry_after("Sun, 6 Nov 1994 08:49:47 GMT", at),
            Some(10_000)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:60 GMT", at),
            Some(23_000)
        );
        assert_eq!(
            parse_retry_after("Thursday, 01-Jan-70 00:00:10 GMT", 0),
            Some(10_000)
        );
        assert_eq!(
            parse_retry_after("Friday, 01-Jan-38 00:00:00 GMT", 0),
            Some(2_145_916_800_000)
        );
        assert_eq!(
            parse_retry_after("Sun Nov 6 08:49:47 1994", at),
            Some(10_000)
        );
    }
}

mod waiting {
    use super::*;

    #[test]
    fn deadlines_clip_sleeps_and_nest() {
        let d = Deadline::after(1_000, 500);
        assert_eq!(d.timeout_ms(), 500);
        assert_eq!(d.remaining_ms(1_200), 300);
        assert_eq!(d.remaining_ms(2_000), 0);
        assert!(!d.has_passed(1_499) && d.has_passed(1_500));
        assert_eq!(d.clip(1_000, 1_200), 300);
        assert_eq!(d.clip(100, 1_200), 100);
        assert_eq!(d.clip(100, 9_999), 0);
        assert_eq!(d.within(1_200, 100), Deadline::after(1_200, 100));
        assert_eq!(d.within(1_200, 30_000), d, "the outer deadline wins");
        assert_eq!(Deadline::after(u64::MAX, 5).remaining_ms(0), u64::MAX);
    }

    #[test]
    fn poll_pauses_grow_from_min_to_max_with_bounded_jitter() {
        let s = PollSchedule::default();
        for poll in 0..100 {
            for random in [0.0, 0.25, 0.5, 0.999, 1.0] {
                let d = s.delay_ms(poll, random);
                assert!((2_000..=30_000).contains(&d), "poll {poll}: {d}");
            }
        }
        assert_eq!(s.delay_ms(0, 0.5), 2_000);
        assert_eq!(s.delay_ms(1, 0.5), 3_000);
        assert_eq!(s.delay_ms(2, 0.5), 4_500);
        assert_eq!(s.delay_ms(2, 0.0), 3_600, "20% early");
        assert_eq!(s.delay_ms(2, 1.0), 5_400, "20% late");
        assert_eq!(s.delay_ms(30, 0.5), 30_000);
        assert_eq!(s.delay_ms(u32::MAX, 0.0), 24_000);
        let flat = PollSchedule::new(50, 50).unwrap();
        assert_eq!(flat.delay_ms(7, 0.9), 50);
    }

    #[test]
    fn poll_schedules_need_a_positive_min_not_above_max() {
        assert!(PollSchedule::new(0, 10).is_err());
        let err = PollSchedule::new(10, 5).unwrap_err();
        assert!(err.message().starts_with("invalid maxDelayMs"));
        assert!(PollSchedule::new(1, 1).is_ok());
    }

    #[test]
    fn a_batch_is_finished_when_no_job_runs() {
        let mut response = page(0..3);
        assert!(all_finished(&response));
        response.jobs[1].status = JobStatus::Running;
        assert!(!all_finished(&response));
        response.jobs[1].status = JobStatus::Unknown(7);
        assert!(all_finished(&response), "an unknown status will not change");
        response.jobs.clear();
        assert!(all_finished(&response));
    }
}

mod batches_and_pages {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("r{i}")).collect()
    }

    #[test]
    fn splits_ids_into_groups_of_twenty() {
        let sizes =
            |n| -> Vec<usize> { chunk_ids(&ids(n)).unwrap().iter().map(Vec::len).collect() };
        assert!(chunk_ids::<String>(&[]).is_err(), "0 ids");
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(20), [20]);
        assert_eq!(sizes(21), [20, 1]);
        assert_eq!(sizes(45), [20, 20, 5]);
        let groups = chunk_ids(&ids(45)).unwrap();
        assert_eq!(groups.concat(), ids(45), "order kept");
    }

    #[test]
    fn drops_repeated_ids_and_refuses_bad_ones() {
        let groups = chunk_ids(&["a", "b", "a", "c", "b"]).unwrap();
        assert_eq!(groups, [["a", "b", "c"]]);
        let err = chunk_ids(&["ok", "no/slash"]).unwrap_err();
        assert!(err.message().starts_with("invalid requestIds"));
    }

    #[test]
    fn offsets_and_limits_are_checked() {
        assert_eq!(validate_offset(0.0).unwrap(), 0);
        assert_eq!(validate_offset(250.0).unwrap(), 250);
        for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, 5e9] {
            assert!(validate_offset(bad).is_err(), "{bad}");
        }
        assert_eq!(validate_limit(1.0).unwrap(), 1);
        assert_eq!(validate_limit(100.0).unwrap(), 100);
        for bad in [0.0, 101.0, 2.5, -3.0, f64::NAN] {
            let err = validate_limit(bad).unwrap_err();
            assert!(err.message().starts_with("invalid limit"), "{bad}");
        }
    }

    #[test]
    fn stops_after_a_short_page() {
        let mut cursor = PageCursor::new(0, 100);
        assert_eq!(cursor.advance(&page(0..100)), PageStep::Next(100));
        assert_eq!(cursor.advance(&page(100..200)), PageStep::Next(200));
        assert_eq!(cursor.advance(&page(200..250)), PageStep::Last);
        let mut exact = PageCursor::new(0, 100);
        assert_eq!(exact.advance(&page(0..100)), PageStep::Next(100));
        assert_eq!(
            exact.advance(&page(0..0)),
            PageStep::Last,
            "an empty page ends it"
        );
        let mut from = PageCursor::new(40, 10);
        assert_eq!(from.advance(&page(40..50)), PageStep::Next(50));
    }

    #[test]
    fn stops_when_the_server_does_not_page() {
        let mut cursor = PageCursor::new(0, 10);
        assert_eq!(
            cursor.advance(&page(0..30)),
            PageStep::Last,
            "more than asked: everything came at once"
        );
        let mut cursor = PageCursor::new(0, 10);
        assert_eq!(cursor.advance(&page(0..10)), PageStep::Next(10));
        assert_eq!(
            cursor.advance(&page(0..10)),
            PageStep::Repeated,
            "offset ignored: the same page again is dropped"
        );
        let mut end = PageCursor::new(u32::MAX - 5, 10);
        assert_eq!(end.advance(&page(0..10)), PageStep::Last, "no overflow");
    }

    #[test]
    fn attributes_jobs_only_when_the_api_allows() {
        let mut one = page(0..3);
        one.jobs[2].request_id = Some("from-the-wire".into());
        attribute(&mut one, &["req-1".to_owned()]);
        assert_eq!(one.jobs[0].request_id.as_deref(), Some("req-1"));
        assert_eq!(one.jobs[2].request_id.as_deref(), Some("from-the-wire"));
        let mut many = page(0..3);
        attribute(&mut many, &["a".to_owned(), "b".to_owned()]);
        assert!(many.jobs.iter().all(|j| j.request_id.is_none()));
    }

    #[test]
    fn merges_pages_in_order_under_every_id() {
        let merged = merge(&["a", "b"], vec![page(0..2), page(2..3), page(3..3)]);
        assert_eq!(merged.request_id, "a,b");
        let ids: Vec<&str> = merged.jobs.iter().map(|j| j.job_id.as_str()).collect();
        assert_eq!(ids, ["j0", "j1", "j2"]);
    }

    #[test]
    fn builds_request_id_request_ids_offset_and_limit() {
        let endpoint = Endpoint::parse("https://cph.cn-north-4.myhuaweicloud.com/").unwrap();
        let base = "https://cph.cn-north-4.myhuaweicloud.com/v1/p/cloud-phone/jobs?";
        let url = |ids: &[&str], page: Page| {
            ListJobsRequest::for_ids(&endpoint, "p", ids, page, &Auth::token("t").unwrap())
                .map(|r| r.url().strip_prefix(base).unwrap().to_owned())
        };
        assert_eq!(url(&["a"], Page::default()).unwrap(), "request_id=a");
        assert_eq!(
            url(&["a", "b"], Page::default()).unwrap(),
            "request_ids=a,b"
        );
        let paged = Page {
            offset: Some(200),
            limit: Some(100),
        };
        assert_eq!(
            url(&["a"], paged).unwrap(),
            "request_id=a&offset=200&limit=100"
        );
        let twenty: Vec<String> = ids(20);
        let twenty: Vec<&str> = twenty.iter().map(String::as_str).collect();
        assert!(url(&twenty, Page::default()).is_ok());
        let mut twenty_one = twenty.clone();
        twenty_one.push("x");
        let err = url(&twenty_one, Page::default()).unwrap_err();
        assert!(err.message().contains("at most 20"), "{}", err.message());
        assert!(url(&[], Page::default()).is_err());
        let bad_limit = Page {
            offset: None,
            limit: Some(101),
        };
        assert!(url(&["a"], bad_limit).is_err());
        let err = url(&["a", "b,c"], Page::default()).unwrap_err();
        assert!(
            err.message().starts_with("invalid requestIds"),
            "a comma cannot smuggle in another id"
        );
    }
}

#[test]
fn regions_map_to_their_endpoints() {
    assert_eq!(REGIONS.len(), 13);
    assert_eq!(
        region_endpoint("cn-north-4").unwrap(),
        "https://cph.cn-north-4.myhuaweicloud.com"
    );
    for region in REGIONS {
        Endpoint::parse(&region_endpoint(region).unwrap()).unwrap();
    }
    let err = region_endpoint("mars-1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("pass endpoint"));
}

#[test]
fn errors_carry_attempts_retry_after_and_the_last_response() {
    let e = http(429, None);
    assert_eq!(
        (e.attempts(), e.retry_after_ms(), e.last_response()),
        (0, None, None)
    );
    let e = e
        .with_attempts(3)
        .with_retry_after_ms(Some(1_000))
        .with_last_response(Some(page(0..1)));
    assert_eq!(e.attempts(), 3);
    assert_eq!(e.retry_after_ms(), Some(1_000));
    assert_eq!(e.last_response().unwrap().jobs.len(), 1);
}
