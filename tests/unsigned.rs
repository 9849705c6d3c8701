//! A build without the `sign` feature (the npm package's plain browser
//! module): an access key is refused as invalid input, never sent unsigned.
//! `make test-native` runs it with `cargo test --no-default-features`; with
//! the feature on it has nothing to test.
#![cfg(not(feature = "sign"))]

use cph_jobs::operation::{Auth, Settings, SettingsInput};
use cph_jobs::{Credentials, Endpoint, ErrorKind, Header, ListJobsRequest, Page};

fn credentials() -> Credentials {
    Credentials::new("AK123", "sk-secret", None).expect("valid keys")
}

/// Settings with an access key, where a secret key is (or is not) allowed.
fn access_key_settings(secret_key_allowed: bool) -> SettingsInput {
    SettingsInput {
        endpoint: Some("https://cph.example.com".into()),
        project_id: Some("proj1".into()),
        auth: Some(Auth::AccessKey(credentials())),
        secret_key_allowed,
        ..SettingsInput::default()
    }
}

#[test]
fn settings_with_an_access_key_are_refused() {
    let error = Settings::new(access_key_settings(true)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.message().contains("cannot sign"), "{error}");
    assert!(!format!("{error:?}").contains("sk-secret"));
}

#[test]
fn outside_node_the_advice_about_secret_keys_comes_first() {
    let error = Settings::new(access_key_settings(false)).unwrap_err();
    assert!(
        error.message().contains("allowSecretKeyInBrowser"),
        "{error}"
    );
}

#[test]
fn a_request_with_an_access_key_has_no_headers_to_send() {
    let endpoint = Endpoint::parse("https://cph.example.com").unwrap();
    let auth = Auth::AccessKey(credentials());
    let request =
        ListJobsRequest::for_ids(&endpoint, "proj1", &["req-1"], Page::default(), &auth).unwrap();
    let error = request.headers_at(1_764_374_400_000).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.message().contains("cannot sign"), "{error}");
}

#[test]
fn a_token_still_works() {
    let request =
        ListJobsRequest::new("https://cph.example.com", "proj1", "req-1", "tok-1").unwrap();
    let headers = request.headers_at(0).unwrap();
    assert!(headers.contains(&Header::new("X-Auth-Token", "tok-1".to_owned())));
}
