//! The AK/SK signer with fixed vectors: published hashes, the API signing
//! guide's own example, a signature checked by hand with `openssl dgst`, and
//! each canonicalization rule. tests/sign_differential.rs compares whole
//! signatures with the official SDK's.

use cph_jobs::sign::{
    canonical_headers, canonical_query, canonical_request, canonical_uri, decode_query,
    format_sdk_date, parse_sdk_date, sha256_hex, sign, signature, string_to_sign, uri_encode,
    Credentials, Header, Param, RequestToSign, EMPTY_BODY_SHA256,
};
use cph_jobs::ErrorKind;

const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "gQpjbi1ub3J0aC00ixHkYXRhIjoiU1RTIn0-example-security-token";

fn credentials() -> Credentials {
    Credentials::new("HPUAEXAMPLEACCESSKEY", SK, None).unwrap()
}

fn sts_credentials() -> Credentials {
    Credentials::new("HPUATEMPORARYACCESSK", SK, Some(TOKEN)).unwrap()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Query parameters as `decode_query` returns them.
fn params(list: &[(&str, &str)]) -> Vec<Param> {
    list.iter()
        .map(|(n, v)| Param {
            name: n.to_string(),
            value: v.to_string(),
        })
        .collect()
}

/// Headers as `sign` returns them.
fn added(list: &[(&'static str, &str)]) -> Vec<Header> {
    list.iter()
        .map(|(n, v)| Header::new(*n, v.to_string()))
        .collect()
}

const NO_HEADERS: [(&str, &str); 0] = [];

mod hashes {
    use super::*;

    #[test]
    fn the_empty_body_hash_is_the_published_sha256_of_nothing() {
        assert_eq!(
            EMPTY_BODY_SHA256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(sha256_hex(b""), EMPTY_BODY_SHA256);
    }

    #[test]
    fn sha256_matches_the_fips_180_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_signature_is_hmac_sha256_as_in_rfc_4231() {
        // RFC 4231, test case 2: key "Jefe".
        let jefe = Credentials::new("AK", "Jefe", None).unwrap();
        assert_eq!(
            signature(&jefe, "what do ya want for nothing?").unwrap(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

/// The API Request Signing Guide's example: the VPC list call.
mod signing_guide_example {
    use super::*;

    const URL: &str = "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0";
    const CANONICAL: &str = "GET\n\
        /v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n\
        limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n\
        content-type:application/json\n\
        host:service.region.example.com\n\
        x-sdk-date:20191115T033655Z\n\
        \n\
        content-type;host;x-sdk-date\n\
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn builds_the_guides_canonical_request_and_string_to_sign() {
        let headers = [
            ("Content-Type", "application/json"),
            ("Host", "service.region.example.com"),
            ("X-Sdk-Date", "20191115T033655Z"),
        ];
        let canonical = canonical_request(&RequestToSign::new("GET", URL, &headers, b"")).unwrap();
        assert_eq!(canonical, CANONICAL);
        // The hash the guide prints in its string to sign.
        assert_eq!(
            string_to_sign("20191115T033655Z", &canonical),
            "SDK-HMAC-SHA256\n20191115T033655Z\n\
             b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
    }

    #[test]
    fn signs_it_as_openssl_does() {
        // printf 'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e6...cd7a' |
        //   openssl dgst -sha256 -hmac 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
        let headers = sign(
            &credentials(),
            &RequestToSign::new("GET", URL, &[("Content-Type", "application/json")], b""),
            "20191115T033655Z",
        )
        .unwrap();
        assert_eq!(
            headers,
            added(&[
                ("X-Sdk-Date", "20191115T033655Z"),
                ("Host", "service.region.example.com"),
                (
                    "Authorization",
                    "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, \
                     SignedHeaders=content-type;host;x-sdk-date, \
                     Signature=28757768ffed602e84317b001b8fc980cef10feda942cbc58a2fcebecd92779d"
                ),
            ])
        );
    }
}

mod canonical_uri {
    use super::*;

    #[test]
    fn always_ends_in_a_slash() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/v1/p/jobs"), "/v1/p/jobs/");
        assert_eq!(canonical_uri("/v1/p/jobs/"), "/v1/p/jobs/");
        assert_eq!(canonical_uri("//a//"), "//a//");
    }

    #[test]
    fn decodes_then_encodes_each_segment_keeping_only_unreserved_characters() {
        assert_eq!(canonical_uri("/a-b_c.d~e"), "/a-b_c.d~e/");
        assert_eq!(canonical_uri("/%7E%41%2d"), "/~A-/");
        assert_eq!(canonical_uri("/a b"), "/a%20b/");
        assert_eq!(canonical_uri("/a%20b"), "/a%20b/");
        assert_eq!(
            canonical_uri("/!$&'()*+,;=:@"),
            "/%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40/"
        );
        assert_eq!(canonical_uri("/caf%c3%a9"), "/caf%C3%A9/");
        assert_eq!(canonical_uri("/日本"), "/%E6%97%A5%E6%9C%AC/");
    }

    #[test]
    fn reads_an_escaped_slash_as_a_separator_like_the_sdk() {
        assert_eq!(canonical_uri("/a%2Fb"), "/a/b/");
        assert_eq!(canonical_uri("/a%2fb%2F"), "/a/b/");
    }

    #[test]
    fn keeps_a_broken_escape_as_text_and_replaces_bytes_that_are_not_utf8() {
        assert_eq!(canonical_uri("/%zz/%4/%"), "/%25zz/%254/%25/");
        assert_eq!(canonical_uri("/%%41"), "/%25A/");
        assert_eq!(canonical_uri("/%FF"), "/%EF%BF%BD/");
        // One replacement character per maximal invalid subsequence.
        assert_eq!(canonical_uri("/%E2%82"), "/%EF%BF%BD/");
        assert_eq!(canonical_uri("/%ED%A0%80"), "/%EF%BF%BD%EF%BF%BD%EF%BF%BD/");
    }

    #[test]
    fn uri_encode_is_pythons_quote_with_tilde_safe() {
        assert_eq!(uri_encode("a/b c~"), "a%2Fb%20c~");
        assert_eq!(uri_encode("ü"), "%C3%BC");
        assert_eq!(uri_encode(""), "");
    }
}

mod canonical_query {
    use super::*;

    #[test]
    fn sorts_by_name_then_value_keeping_repeats_and_empty_values() {
        let pairs = pairs(&[("b", "2"), ("a", ""), ("b", "1"), ("A", "x"), ("a", "z")]);
        assert_eq!(canonical_query(&pairs), "A=x&a=&a=z&b=1&b=2");
        assert_eq!(canonical_query(&NO_HEADERS), "");
    }

    #[test]
    fn sorts_on_the_decoded_text_not_the_encoded_one() {
        // Encoded, "%2B" < "-"; decoded, "+" (0x2B) < "-" (0x2D) as well; but
        // "~" (0x7E) sorts after "a" although "%7E" would not be encoded.
        let pairs = pairs(&[("k~", "1"), ("ka", "2"), ("k ", "3")]);
        assert_eq!(canonical_query(&pairs), "k%20=3&ka=2&k~=1");
    }

    #[test]
    fn encodes_reserved_and_non_ascii_characters() {
        let pairs = pairs(&[("k", "a b+c&d=e/f?g#h~i%j"), ("名", "値")]);
        assert_eq!(
            canonical_query(&pairs),
            "k=a%20b%2Bc%26d%3De%2Ff%3Fg%23h~i%25j&%E5%90%8D=%E5%80%A4"
        );
    }

    #[test]
    fn decode_query_reads_pairs_in_order() {
        assert_eq!(
            decode_query("b=2&a&&c=x=y&%41=%7e&p=a+b&").unwrap(),
            params(&[
                ("b", "2"),
                ("a", ""),
                ("c", "x=y"),
                ("A", "~"),
                ("p", "a+b")
            ])
        );
        assert_eq!(decode_query("").unwrap(), params(&[]));
        assert_eq!(decode_query("=v").unwrap(), params(&[("", "v")]));
        assert_eq!(
            decode_query("k=caf%C3%A9 ü").unwrap(),
            params(&[("k", "café ü")])
        );
    }

    #[test]
    fn decode_query_refuses_broken_escapes_and_non_utf8() {
        for query in ["a=%zz", "a=%4", "%=1", "a=%FF", "a=%C3"] {
            let e = decode_query(query).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{query}");
        }
    }
}

mod canonical_headers {
    use super::*;

    #[test]
    fn lowercases_sorts_trims_and_skips_names_with_underscores() {
        let headers = [
            ("X-Zeta", "  z  "),
            ("Accept", "\tapplication/json\t"),
            ("X_Skipped", "v"),
            ("x-wide", "\u{3000}wide\u{00a0}"),
            ("X-Inner", "a  b\tc"),
            ("X-Empty", ""),
        ];
        let c = canonical_headers(&headers).unwrap();
        assert_eq!(
            c.canonical,
            "accept:application/json\nx-empty:\nx-inner:a  b\tc\nx-wide:wide\nx-zeta:z\n"
        );
        assert_eq!(c.signed_headers, "accept;x-empty;x-inner;x-wide;x-zeta");
    }

    #[test]
    fn refuses_duplicate_names_bad_names_and_control_characters() {
        for headers in [
            vec![("Accept", "a"), ("accept", "b")],
            vec![("Bad Name", "v")],
            vec![("", "v")],
            vec![("Bad:Name", "v")],
            vec![("X-Ok", "a\r\nX-Injected: 1")],
            vec![("X-Ok", "a\0b")],
        ] {
            let e = canonical_headers(&headers).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{headers:?}");
            assert!(!e.message().contains("Injected"), "{e}");
        }
    }
}

mod signing {
    use super::*;

    const URL: &str =
        "https://cph.cn-north-4.myhuaweicloud.com/v1/proj/cloud-phone/jobs?request_id=r1";
    const DATE: &str = "20261128T101500Z";

    fn names(headers: &[Header]) -> Vec<&str> {
        headers.iter().map(|header| header.name).collect()
    }

    fn authorization(headers: &[Header]) -> &str {
        &headers.last().unwrap().value
    }

    #[test]
    fn adds_the_date_the_host_and_the_authorization() {
        let headers = sign(
            &credentials(),
            &RequestToSign::new("GET", URL, &NO_HEADERS, b""),
            DATE,
        )
        .unwrap();
        assert_eq!(names(&headers), ["X-Sdk-Date", "Host", "Authorization"]);
        assert_eq!(headers[1].value, "cph.cn-north-4.myhuaweicloud.com");
        assert!(authorization(&headers).starts_with(
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=host;x-sdk-date, Signature="
        ));
        let signature = authorization(&headers).rsplit('=').next().unwrap();
        assert_eq!(signature.len(), 64);
        assert!(signature
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }

    #[test]
    fn sends_and_signs_the_security_token_of_temporary_credentials() {
        let headers = sign(
            &sts_credentials(),
            &RequestToSign::new("GET", URL, &NO_HEADERS, b""),
            DATE,
        )
        .unwrap();
        assert_eq!(
            names(&headers),
            ["X-Sdk-Date", "Host", "X-Security-Token", "Authorization"]
        );
        assert_eq!(headers[2].value, TOKEN);
        assert!(authorization(&headers).contains("SignedHeaders=host;x-sdk-date;x-security-token,"));
    }

    #[test]
    fn signs_host_as_fetch_sends_it() {
        let host = |url: &str| {
            sign(
                &credentials(),
                &RequestToSign::new("GET", url, &NO_HEADERS, b""),
                DATE,
            )
            .unwrap()[1]
                .value
                .clone()
        };
        assert_eq!(host("https://CPH.Example.COM:443/x"), "cph.example.com");
        assert_eq!(host("http://cph.example.com:80/x"), "cph.example.com");
        assert_eq!(host("HTTP://127.0.0.1:08080/x"), "127.0.0.1:8080");
        assert_eq!(host("https://cph.example.com:80/x"), "cph.example.com:80");
        assert_eq!(host("https://[::1]:8443/x"), "[::1]:8443");
        assert_eq!(host("https://[::1]/x"), "[::1]");
        assert_eq!(host("https://cph.example.com"), "cph.example.com");
    }

    #[test]
    fn uses_a_given_host_header_instead_of_the_urls() {
        let headers = sign(
            &credentials(),
            &RequestToSign::new("GET", URL, &[("host", "proxy.example.com")], b""),
            DATE,
        )
        .unwrap();
        assert_eq!(names(&headers), ["X-Sdk-Date", "Authorization"]);
        let canonical = canonical_request(&RequestToSign::new(
            "GET",
            URL,
            &[("host", "proxy.example.com"), ("X-Sdk-Date", DATE)],
            b"",
        ))
        .unwrap();
        assert!(canonical.contains("\nhost:proxy.example.com\n"));
    }

    #[test]
    fn signature_does_not_depend_on_query_order_or_escaping() {
        let a = sign(
            &credentials(),
            &RequestToSign::new(
                "GET",
                "https://h.example.com/p?b=2&a=%7E%20x",
                &NO_HEADERS,
                b"",
            ),
            DATE,
        )
        .unwrap();
        let b = sign(
            &credentials(),
            &RequestToSign::new(
                "get",
                "https://h.example.com/p/?a=~%20x&b=2#frag",
                &NO_HEADERS,
                b"",
            ),
            DATE,
        )
        .unwrap();
        assert_eq!(a, b);
        let c = sign(
            &credentials(),
            &RequestToSign::new(
                "GET",
                "https://h.example.com/p?b=3&a=%7E%20x",
                &NO_HEADERS,
                b"",
            ),
            DATE,
        )
        .unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn hashes_a_json_body_and_leaves_other_bodies_unsigned_as_the_sdks_do() {
        let body = br#"{"a":1}"#;
        let json = sign(
            &credentials(),
            &RequestToSign::new(
                "POST",
                URL,
                &[("Content-Type", "application/json;charset=UTF-8")],
                body,
            ),
            DATE,
        )
        .unwrap();
        assert_eq!(names(&json), ["X-Sdk-Date", "Host", "Authorization"]);
        let other_body = sign(
            &credentials(),
            &RequestToSign::new(
                "POST",
                URL,
                &[("Content-Type", "application/json;charset=UTF-8")],
                b"{}",
            ),
            DATE,
        )
        .unwrap();
        assert_ne!(json, other_body);

        let text = sign(
            &credentials(),
            &RequestToSign::new("POST", URL, &[("Content-Type", "text/plain")], body),
            DATE,
        )
        .unwrap();
        assert_eq!(
            names(&text),
            [
                "X-Sdk-Date",
                "Host",
                "X-Sdk-Content-Sha256",
                "Authorization"
            ]
        );
        assert_eq!(text[2].value, "UNSIGNED-PAYLOAD");
        let canonical = canonical_request(&RequestToSign::new(
            "POST",
            URL,
            &[
                ("Content-Type", "text/plain"),
                ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"),
                ("X-Sdk-Date", DATE),
            ],
            body,
        ))
        .unwrap();
        assert!(canonical.ends_with("\nUNSIGNED-PAYLOAD"));
    }

    #[test]
    fn refuses_headers_the_signer_sets() {
        for (name, credentials) in [
            ("x-sdk-date", credentials()),
            ("Authorization", credentials()),
            ("X-Security-Token", sts_credentials()),
        ] {
            let e = sign(
                &credentials,
                &RequestToSign::new("GET", URL, &[(name, "v")], b""),
                DATE,
            )
            .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            assert!(
                e.message().starts_with("invalid headers: the signer sets "),
                "{e}"
            );
        }
        // Without a token it is just another header.
        assert!(sign(
            &credentials(),
            &RequestToSign::new("GET", URL, &[("X-Security-Token", "t")], b""),
            DATE
        )
        .is_ok());
    }

    #[test]
    fn refuses_urls_fetch_would_rewrite_or_cannot_send() {
        for url in [
            "cph.example.com/v1",
            "ftp://cph.example.com/v1",
            "https://user:pass@cph.example.com/v1",
            "https:///v1",
            "https://cph.example.com:99999/v1",
            "https://cph.example.com:x/v1",
            "https://bücher.example/v1",
            "https://[::1/v1",
            "https://[::g]:80/v1",
            "https://a:b:c/v1",
            "https://cph.example.com/v1/../x",
            "https://cph.example.com/v1/%2E/x",
            "https://cph.example.com/v1\\x",
            "https://cph.example.com/v1?a=%zz",
        ] {
            let e = sign(
                &credentials(),
                &RequestToSign::new("GET", url, &NO_HEADERS, b""),
                DATE,
            )
            .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{url}");
            assert!(e.message().starts_with("invalid url: "), "{url}: {e}");
            assert!(!e.message().contains("user:pass"), "{e}");
        }
    }

    #[test]
    fn refuses_a_bad_method_or_date() {
        for method in ["", "GE T", "GÉT"] {
            assert!(
                sign(
                    &credentials(),
                    &RequestToSign::new(method, URL, &NO_HEADERS, b""),
                    DATE
                )
                .is_err(),
                "{method:?}"
            );
        }
        let e = sign(
            &credentials(),
            &RequestToSign::new("GET", URL, &NO_HEADERS, b""),
            "2026-11-28T10:15:00Z",
        )
        .unwrap_err();
        assert!(e.message().starts_with("invalid sdkDate: "), "{e}");
    }
}

mod credentials {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret_key_or_the_token() {
        let shown = format!("{:?} {:#?}", sts_credentials(), sts_credentials());
        assert!(shown.contains("HPUATEMPORARYACCESSK"));
        assert!(!shown.contains(SK) && !shown.contains(TOKEN), "{shown}");
        assert!(shown.contains("[REDACTED]"));
        assert!(format!("{:?}", credentials()).contains("security_token: None"));
    }

    #[test]
    fn redact_scrubs_both_secrets() {
        let c = sts_credentials();
        let text = format!("echo {SK} and {TOKEN}.");
        assert_eq!(c.redact(&text), "echo [REDACTED] and [REDACTED].");
        assert_eq!(c.redact("nothing here"), "nothing here");
    }

    #[test]
    fn refuses_unusable_keys_without_quoting_them() {
        for (ak, sk, token, what) in [
            ("", SK, None, "accessKey"),
            ("AK WITH SPACE", SK, None, "accessKey"),
            ("AK,COMMA", SK, None, "accessKey"),
            ("AK", "", None, "secretKey"),
            ("AK", SK, Some(""), "securityToken"),
            ("AK", SK, Some("tok\nen"), "securityToken"),
            ("AK", SK, Some(" token"), "securityToken"),
        ] {
            let e = Credentials::new(ak, sk, token).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            assert!(e.message().starts_with(&format!("invalid {what}: ")), "{e}");
            assert!(!e.message().contains(SK));
        }
    }
}

mod sdk_date {
    use super::*;

    #[test]
    fn formats_unix_milliseconds_in_utc() {
        assert_eq!(format_sdk_date(0).unwrap(), "19700101T000000Z");
        assert_eq!(
            format_sdk_date(951_782_400_000).unwrap(),
            "20000229T000000Z"
        );
        assert_eq!(
            format_sdk_date(1_709_251_199_999).unwrap(),
            "20240229T235959Z"
        );
        assert_eq!(
            format_sdk_date(1_795_861_234_567).unwrap(),
            "20261128T102034Z"
        );
        assert_eq!(
            format_sdk_date(4_102_444_800_000).unwrap(),
            "21000101T000000Z"
        );
        assert_eq!(
            format_sdk_date(253_402_300_799_999).unwrap(),
            "99991231T235959Z"
        );
        assert!(format_sdk_date(253_402_300_800_000).is_err());
        assert!(format_sdk_date(u64::MAX).is_err());
    }

    #[test]
    fn parses_what_it_formats() {
        // Every day from 1970 to 2400 at a moving time of day, leap days and
        // century rules included.
        let mut ms = 0u64;
        while ms < 13_569_465_600_000 {
            let text = format_sdk_date(ms).unwrap();
            assert_eq!(parse_sdk_date(&text).unwrap(), ms / 1000, "{text}");
            ms += 86_400_000 + 1_234_567;
        }
    }

    #[test]
    fn refuses_anything_but_a_real_basic_format_time() {
        for text in [
            "",
            "20261128T101500",
            "20261128t101500Z",
            "2026-11-28T10:15:00Z",
            "20261328T101500Z",
            "20261100T101500Z",
            "20230229T101500Z",
            "21000229T101500Z",
            "20261128T241500Z",
            "20261128T106000Z",
            "20261128T101560Z",
            "19691231T235959Z",
            "2026112８T101500Z",
        ] {
            assert!(parse_sdk_date(text).is_err(), "{text:?}");
        }
        assert!(parse_sdk_date("20240229T235959Z").is_ok());
        assert!(parse_sdk_date("20000229T000000Z").is_ok());
    }
}
