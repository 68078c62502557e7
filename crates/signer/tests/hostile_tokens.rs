//! Hostile session tokens: each one is refused with the same opaque 401, and none panics.
//!
//! Built by hand (base64url of crafted JSON, HMAC where the attack needs a valid MAC), one
//! family per check of docs/contract.md#verification: algorithm variants, refused header
//! parameters, signature tampering, strict base64url and part count, claim types and missing
//! claims, time bounds, issuer variants and oversized tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};
use stopover_signer::verify::{verify_session_token, Rejection};

/// A token with the standard header and `claims` changed by `edit`, signed with the secret.
fn claims_edited(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut claims = claims();
    edit(claims.as_object_mut().unwrap());
    token_with(&claims)
}

fn with_header(header: &str) -> String {
    sign_raw(header, &claims().to_string(), SECRET.as_bytes())
}

fn hostile_tokens() -> Vec<(&'static str, String, Rejection)> {
    let good = token();
    let (signed, signature) = good.rsplit_once('.').unwrap();
    let parts: Vec<&str> = good.split('.').collect();
    let claims_text = claims().to_string();
    let unsigned = |header: &str| format!("{}.{}.", b64(header), b64(&claims_text));
    let mut flipped = signature.as_bytes().to_vec();
    flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();

    vec![
        // Algorithm variants.
        (
            "alg none, no signature",
            unsigned(r#"{"alg":"none","typ":"JWT"}"#),
            Rejection::Structure,
        ),
        (
            "alg none with a signature",
            with_header(r#"{"alg":"none","typ":"JWT"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg None",
            with_header(r#"{"alg":"None"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg NONE",
            with_header(r#"{"alg":"NONE"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg hs256 lowercase",
            with_header(r#"{"alg":"hs256","typ":"JWT"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg Hs256",
            with_header(r#"{"alg":"Hs256"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg with a space",
            with_header(r#"{"alg":"HS256 "}"#),
            Rejection::Algorithm,
        ),
        (
            "alg HS384",
            with_header(r#"{"alg":"HS384","typ":"JWT"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg HS512",
            with_header(r#"{"alg":"HS512","typ":"JWT"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg RS256 (key confusion)",
            with_header(r#"{"alg":"RS256","typ":"JWT"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg ES256",
            with_header(r#"{"alg":"ES256"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg PS256",
            with_header(r#"{"alg":"PS256"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg EdDSA",
            with_header(r#"{"alg":"EdDSA"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg missing",
            with_header(r#"{"typ":"JWT"}"#),
            Rejection::Algorithm,
        ),
        (
            "alg null",
            with_header(r#"{"alg":null}"#),
            Rejection::Algorithm,
        ),
        (
            "alg as a list",
            with_header(r#"{"alg":["HS256"]}"#),
            Rejection::Algorithm,
        ),
        (
            "alg duplicated",
            with_header(r#"{"alg":"none","alg":"HS256"}"#),
            Rejection::DuplicateKey,
        ),
        (
            "alg duplicated, same value",
            with_header(r#"{"alg":"HS256","alg":"HS256"}"#),
            Rejection::DuplicateKey,
        ),
        (
            "typ JWS",
            with_header(r#"{"alg":"HS256","typ":"JWS"}"#),
            Rejection::TokenType,
        ),
        (
            "typ jwt lowercase",
            with_header(r#"{"alg":"HS256","typ":"jwt"}"#),
            Rejection::TokenType,
        ),
        (
            "header is a list",
            with_header(r#"["HS256"]"#),
            Rejection::HeaderNotJson,
        ),
        (
            "header is not JSON",
            with_header("alg=HS256"),
            Rejection::HeaderNotJson,
        ),
        // Header parameters that must be refused.
        (
            "crit",
            with_header(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#),
            Rejection::RefusedHeaderParameter,
        ),
        (
            "jku",
            with_header(r#"{"alg":"HS256","jku":"https://evil.example/jwks"}"#),
            Rejection::RefusedHeaderParameter,
        ),
        (
            "jwk",
            with_header(r#"{"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}}"#),
            Rejection::RefusedHeaderParameter,
        ),
        (
            "kid",
            with_header(r#"{"alg":"HS256","kid":"../../dev/null"}"#),
            Rejection::RefusedHeaderParameter,
        ),
        (
            "x5u",
            with_header(r#"{"alg":"HS256","x5u":"https://evil.example/cert"}"#),
            Rejection::RefusedHeaderParameter,
        ),
        (
            "x5c",
            with_header(r#"{"alg":"HS256","x5c":["MIIB"]}"#),
            Rejection::RefusedHeaderParameter,
        ),
        (
            "b64 false",
            with_header(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#),
            Rejection::RefusedHeaderParameter,
        ),
        (
            "zip",
            with_header(r#"{"alg":"HS256","zip":"DEF"}"#),
            Rejection::RefusedHeaderParameter,
        ),
        (
            "cty",
            with_header(r#"{"alg":"HS256","cty":"CBOR"}"#),
            Rejection::RefusedHeaderParameter,
        ),
        (
            "unknown header parameter",
            with_header(r#"{"alg":"HS256","role":"admin"}"#),
            Rejection::UnexpectedHeaderParameter,
        ),
        // Signature stripped, truncated, flipped, from another key.
        (
            "signature stripped",
            format!("{signed}."),
            Rejection::Structure,
        ),
        ("two parts", signed.to_owned(), Rejection::Structure),
        (
            "signature truncated",
            format!("{signed}.{}", &signature[..signature.len() - 4]),
            Rejection::BadSignature,
        ),
        (
            "signature one char short",
            format!("{signed}.{}", &signature[..signature.len() - 1]),
            Rejection::Base64,
        ),
        (
            "signature extended",
            format!("{signed}.{signature}AAAA"),
            Rejection::BadSignature,
        ),
        (
            "signature flipped",
            format!("{signed}.{flipped}"),
            Rejection::BadSignature,
        ),
        (
            "signature of zeros",
            format!("{signed}.{}", b64([0u8; 32])),
            Rejection::BadSignature,
        ),
        (
            "signed with another tenant's key",
            sign_raw(HEADER, &claims_text, OTHER_SECRET.as_bytes()),
            Rejection::BadSignature,
        ),
        (
            "signed with an empty key",
            sign_raw(HEADER, &claims_text, b""),
            Rejection::BadSignature,
        ),
        (
            "signed with a common password",
            sign_raw(HEADER, &claims_text, b"secret"),
            Rejection::BadSignature,
        ),
        (
            "signed with the issuer as key",
            sign_raw(HEADER, &claims_text, ISSUER.as_bytes()),
            Rejection::BadSignature,
        ),
        (
            "claims swapped after signing",
            format!(
                "{}.{}.{signature}",
                parts[0],
                b64(claims_text.replace("user-1", "admin"))
            ),
            Rejection::BadSignature,
        ),
        // Strict base64url and part count.
        (
            "four parts",
            format!("{good}.{}", parts[2]),
            Rejection::Structure,
        ),
        (
            "empty header part",
            format!(".{}.{}", parts[1], parts[2]),
            Rejection::Structure,
        ),
        (
            "padding",
            format!("{signed}.{signature}="),
            Rejection::Base64,
        ),
        (
            "standard alphabet",
            format!(
                "{}.{}.{}",
                parts[0],
                parts[1],
                signature.replace('-', "+").replace('_', "/") + "+"
            ),
            Rejection::Base64,
        ),
        (
            "whitespace inside",
            format!("{} .{}.{}", parts[0], parts[1], parts[2]),
            Rejection::Base64,
        ),
        ("trailing newline", format!("{good}\n"), Rejection::Base64),
        (
            "non-canonical trailing bits",
            format!("{}.{}.{}", parts[0], parts[1], non_canonical(signature)),
            Rejection::Base64,
        ),
        (
            "unicode",
            format!("{}.{}.{}é", parts[0], parts[1], parts[2]),
            Rejection::Base64,
        ),
        ("empty", String::new(), Rejection::Empty),
        ("dots only", "..".to_owned(), Rejection::Structure),
        // Claim types and missing claims.
        (
            "claims not JSON",
            sign_raw(HEADER, "not json", SECRET.as_bytes()),
            Rejection::ClaimsNotJson,
        ),
        (
            "claims a list",
            sign_raw(HEADER, "[1,2]", SECRET.as_bytes()),
            Rejection::ClaimsNotJson,
        ),
        (
            "exp missing",
            claims_edited(|c| {
                c.remove("exp");
            }),
            Rejection::MissingExpiry,
        ),
        (
            "exp a string",
            claims_edited(|c| {
                c.insert("exp".into(), json!((NOW + 900).to_string()));
            }),
            Rejection::ClaimType,
        ),
        (
            "exp a float",
            claims_edited(|c| {
                c.insert("exp".into(), json!(NOW as f64 + 900.5));
            }),
            Rejection::ClaimType,
        ),
        (
            "exp null",
            claims_edited(|c| {
                c.insert("exp".into(), Value::Null);
            }),
            Rejection::ClaimType,
        ),
        (
            "exp huge",
            claims_edited(|c| {
                c.insert("exp".into(), json!(i64::MAX));
            }),
            Rejection::LifetimeTooLong,
        ),
        (
            "exp u64 max",
            claims_edited(|c| {
                c.insert("exp".into(), json!(u64::MAX));
            }),
            Rejection::ClaimType,
        ),
        (
            "exp 1e300",
            sign_raw(
                HEADER,
                &claims_text.replace(&format!("\"exp\":{}", NOW + 890), "\"exp\":1e300"),
                SECRET.as_bytes(),
            ),
            Rejection::ClaimType,
        ),
        (
            "iat missing",
            claims_edited(|c| {
                c.remove("iat");
            }),
            Rejection::MissingIssuedAt,
        ),
        (
            "iat a string",
            claims_edited(|c| {
                c.insert("iat".into(), json!("yesterday"));
            }),
            Rejection::ClaimType,
        ),
        (
            "sub missing",
            claims_edited(|c| {
                c.remove("sub");
            }),
            Rejection::MissingSubject,
        ),
        (
            "sub empty",
            claims_edited(|c| {
                c.insert("sub".into(), json!(""));
            }),
            Rejection::MissingSubject,
        ),
        (
            "sub a number",
            claims_edited(|c| {
                c.insert("sub".into(), json!(42));
            }),
            Rejection::ClaimType,
        ),
        (
            "iss missing",
            claims_edited(|c| {
                c.remove("iss");
            }),
            Rejection::MissingIssuer,
        ),
        (
            "iss a list",
            claims_edited(|c| {
                c.insert("iss".into(), json!([ISSUER]));
            }),
            Rejection::ClaimType,
        ),
        (
            "prefill a string",
            claims_edited(|c| {
                c.insert("prefill".into(), json!("x"));
            }),
            Rejection::ClaimType,
        ),
        (
            "form a number",
            claims_edited(|c| {
                c.insert("form".into(), json!(1));
            }),
            Rejection::ClaimType,
        ),
        (
            "iss duplicated",
            sign_raw(
                HEADER,
                &claims_text.replacen('{', &format!("{{\"iss\":\"{OTHER_ISSUER}\","), 1),
                SECRET.as_bytes(),
            ),
            Rejection::DuplicateKey,
        ),
        // Time claims at and around their bounds.
        (
            "exp now (the exact second)",
            claims_edited(|c| {
                c.insert("exp".into(), json!(NOW));
            }),
            Rejection::Expired,
        ),
        (
            "exp a second ago",
            claims_edited(|c| {
                c.insert("exp".into(), json!(NOW - 1));
            }),
            Rejection::Expired,
        ),
        (
            "exp long ago",
            claims_edited(|c| {
                c.insert("exp".into(), json!(0));
            }),
            Rejection::Expired,
        ),
        (
            "exp negative",
            claims_edited(|c| {
                c.insert("exp".into(), json!(i64::MIN));
            }),
            Rejection::Expired,
        ),
        (
            "lifetime a second over the hour a login lives",
            claims_edited(|c| {
                c.insert("exp".into(), json!(NOW - 10 + 3601));
            }),
            Rejection::LifetimeTooLong,
        ),
        (
            "iat long ago, exp within the hour from now",
            claims_edited(|c| {
                c.insert("iat".into(), json!(NOW - 7200));
                c.insert("exp".into(), json!(NOW + 600));
            }),
            Rejection::LifetimeTooLong,
        ),
        (
            "exp over a day ahead",
            claims_edited(|c| {
                c.insert("exp".into(), json!(NOW + 86_401));
            }),
            Rejection::LifetimeTooLong,
        ),
        (
            "iat 31 s ahead",
            claims_edited(|c| {
                c.insert("iat".into(), json!(NOW + 31));
            }),
            Rejection::IssuedInFuture,
        ),
        (
            "iat far ahead",
            claims_edited(|c| {
                c.insert("iat".into(), json!(i64::MAX));
            }),
            Rejection::IssuedInFuture,
        ),
        (
            "nbf 31 s ahead",
            claims_edited(|c| {
                c.insert("nbf".into(), json!(NOW + 31));
            }),
            Rejection::NotYetValid,
        ),
        (
            "nbf extreme (jwt-compact panics)",
            claims_edited(|c| {
                c.insert("nbf".into(), json!(i64::MAX));
            }),
            Rejection::NotYetValid,
        ),
        (
            "nbf a string",
            claims_edited(|c| {
                c.insert("nbf".into(), json!("now"));
            }),
            Rejection::ClaimType,
        ),
        // Issuer variants.
        (
            // `https://host/` is the tenant's own spelling (tests/existing_actions.rs); any
            // other URL is not.
            "iss with another scheme",
            claims_edited(|c| {
                c.insert("iss".into(), json!(format!("http://{ISSUER}/")));
            }),
            Rejection::UnknownIssuer,
        ),
        (
            "iss with trailing slash",
            claims_edited(|c| {
                c.insert("iss".into(), json!(format!("{ISSUER}/")));
            }),
            Rejection::UnknownIssuer,
        ),
        (
            "iss in capitals",
            claims_edited(|c| {
                c.insert("iss".into(), json!(ISSUER.to_uppercase()));
            }),
            Rejection::UnknownIssuer,
        ),
        (
            "iss with a port",
            claims_edited(|c| {
                c.insert("iss".into(), json!(format!("{ISSUER}:443")));
            }),
            Rejection::UnknownIssuer,
        ),
        (
            "iss with trailing dot",
            claims_edited(|c| {
                c.insert("iss".into(), json!(format!("{ISSUER}.")));
            }),
            Rejection::UnknownIssuer,
        ),
        (
            "iss empty",
            claims_edited(|c| {
                c.insert("iss".into(), json!(""));
            }),
            Rejection::UnknownIssuer,
        ),
        (
            "iss of the other tenant, our key",
            claims_edited(|c| {
                c.insert("iss".into(), json!(OTHER_ISSUER));
            }),
            Rejection::BadSignature,
        ),
        (
            "form of another tenant",
            claims_edited(|c| {
                c.insert("form".into(), json!("secret-admin-form"));
            }),
            Rejection::FormNotAllowed,
        ),
        // Oversized tokens.
        (
            "oversized",
            format!("{}.{}.{}", parts[0], "A".repeat(9000), parts[2]),
            Rejection::TooLarge,
        ),
        (
            "oversized but validly signed",
            claims_edited(|c| {
                c.insert("pad".into(), json!("x".repeat(7000)));
            }),
            Rejection::TooLarge,
        ),
        (
            "a megabyte of dots",
            ".".repeat(1 << 20),
            Rejection::TooLarge,
        ),
        (
            "deeply nested claims",
            sign_raw(
                HEADER,
                &format!("{}{}", "[".repeat(1000), "]".repeat(1000)),
                SECRET.as_bytes(),
            ),
            Rejection::ClaimsNotJson,
        ),
    ]
}

/// The same signature with its last character's unused low bits set.
fn non_canonical(signature: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = signature.as_bytes().to_vec();
    let last = bytes.len() - 1;
    let index = ALPHABET.iter().position(|c| *c == bytes[last]).unwrap();
    // 43 characters carry 256 bits: the last one uses 4 bits, so its 2 low bits must be 0.
    bytes[last] = ALPHABET[index | 0b11];
    String::from_utf8(bytes).unwrap()
}

#[test]
fn the_untouched_token_is_accepted() {
    let config = config();
    let session = verify_session_token(&token(), &config.tenants, NOW).unwrap();
    assert_eq!(session.tenant.issuer, ISSUER);
    assert_eq!(session.expires_at, NOW + 890);
}

#[test]
fn time_claims_just_inside_their_bounds_are_accepted() {
    let config = config();
    for (name, value) in [
        ("exp", NOW + 1),
        ("iat", NOW + 30),
        ("nbf", NOW + 30),
        // `claims()` is issued at NOW - 10: a lifetime of exactly an hour.
        ("exp", NOW - 10 + 3600),
    ] {
        let mut claims = claims();
        claims[name] = json!(value);
        assert!(
            verify_session_token(&token_with(&claims), &config.tenants, NOW).is_ok(),
            "{name} = {value}"
        );
    }
}

#[test]
fn each_hostile_token_is_refused_for_its_reason() {
    let config = config();
    let tokens = hostile_tokens();
    assert!(tokens.len() >= 40, "only {} hostile tokens", tokens.len());
    for (name, token, reason) in tokens {
        let result = std::panic::catch_unwind(|| {
            verify_session_token(&token, &config.tenants, NOW).map(|_| ())
        });
        assert_eq!(result.expect(name), Err(reason), "{name}");
    }
}

#[test]
fn duplicate_keys_inside_a_claim_are_refused() {
    let claims = claims().to_string().replace(
        r#""account":"acct-42""#,
        r#""account":"acct-42","account":"acct-1""#,
    );
    let token = sign_raw(HEADER, &claims, SECRET.as_bytes());
    assert_eq!(
        verify_session_token(&token, &config().tenants, NOW).map(|_| ()),
        Err(Rejection::DuplicateKey)
    );
}

#[tokio::test]
async fn each_hostile_token_gets_the_same_opaque_401() {
    let state = state();
    let mut bodies = std::collections::BTreeSet::new();
    for (name, token, _) in hostile_tokens() {
        let reply = post_continue(&state, continue_body(&token, &good_answers())).await;
        if name.starts_with("oversized")
            || name == "a megabyte of dots"
            || name == "deeply nested claims"
        {
            // Within the 16 KiB body these are 401; beyond it the body limit answers first.
            assert!(
                matches!(
                    reply.status,
                    StatusCode::UNAUTHORIZED | StatusCode::PAYLOAD_TOO_LARGE
                ),
                "{name}: {}",
                reply.status
            );
            continue;
        }
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{name}: {}",
            reply.text
        );
        bodies.insert(reply.text);
    }
    assert_eq!(
        bodies.len(),
        1,
        "every token failure has the same body: {bodies:?}"
    );
}
