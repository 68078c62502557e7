//! The signer's steps on their own, so a regression in one is visible by itself:
//! session-token verification, answer validation and continue-token minting, on the demo
//! configuration's `profile` form. `cargo xtask bench` runs these and reports the medians.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_debug_implementations
)]

use std::hint::black_box;
use std::time::Duration;

use chrono::DateTime;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt as _, Claims, Header};
use serde_json::{json, Map, Value};
use stopover_protocol::{validate_answers, LoginState, SessionClaims};
use stopover_signer::config::Config;
use stopover_signer::mint::{mint_continue_token, MintRequest};
use stopover_signer::verify::verify_session_token;

/// The allocator the binary ships with (src/main.rs), so the figures are the shipped code's.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEMO_CONFIG: &str = include_str!("../../../config/demo.toml");
const SECRET: &str = "benchmark-secret-0123456789abcdef0123456789abcdef";
/// 2027-01-15, a fixed clock.
const NOW: i64 = 1_800_000_000;

fn config() -> Config {
    let env = |name: &str| (name == "STOPOVER_DEMO_SECRET").then(|| SECRET.to_owned());
    Config::from_toml(DEMO_CONFIG, &env).expect("the demo configuration loads")
}

fn prefill() -> Map<String, Value> {
    let Value::Object(prefill) =
        json!({ "company": "Example Ltd", "country": "GB", "account_ref": "acct-0001234" })
    else {
        unreachable!("an object literal")
    };
    prefill
}

fn answers() -> Map<String, Value> {
    let Value::Object(answers) = json!({
        "company": "Example Ltd",
        "phone": "+44 7700 900123",
        "country": "GB",
        "birth_date": "1990-04-01",
        "newsletter": true,
        "topics": "Security engineering and Rust"
    }) else {
        unreachable!("an object literal")
    };
    answers
}

/// A session token as an Auth0 Action's `encodeToken` makes it.
fn session_token(issuer: &str) -> String {
    let mut claims = Claims::new(SessionClaims {
        sub: "auth0|bench0000000001".into(),
        iss: issuer.into(),
        ip: Some("127.0.0.1".into()),
        form: Some("profile".into()),
        prefill: Some(prefill()),
        locale: Some("en".into()),
        continue_host: None,
        continue_uri: None,
        previous_consents: None,
    });
    claims.issued_at = DateTime::from_timestamp(NOW, 0);
    claims.expiration = DateTime::from_timestamp(NOW + 900, 0);
    Hs256
        .token(
            &Header::empty().with_token_type("JWT"),
            &claims,
            &Hs256Key::new(SECRET.as_bytes()),
        )
        .unwrap()
}

fn steps(c: &mut Criterion) {
    let config = config();
    let tenant = &config.tenants[0];
    let form = &config.forms["profile"];
    let token = session_token(&tenant.issuer);
    let answers = answers();
    let prefill = prefill();
    let state = LoginState::parse("hKFo2SBhc3RhdGUtZm9yLWJlbmNobWFya3MtMDEyMzQ1Njc4OQ").unwrap();
    // Each step must succeed here, or its figure would time a refusal.
    verify_session_token(&token, &config.tenants, NOW).expect("the token verifies");
    let clean = validate_answers(form, &answers, &prefill, NOW).expect("the answers are valid");

    let mut group = c.benchmark_group("signer");
    group.bench_function("verify_session_token", |b| {
        b.iter(|| verify_session_token(black_box(&token), &config.tenants, NOW).is_ok());
    });
    group.bench_function("validate_answers", |b| {
        b.iter(|| validate_answers(form, black_box(&answers), &prefill, NOW).is_ok());
    });
    group.bench_function("mint_continue_token", |b| {
        b.iter_batched(
            || clean.clone(),
            |answers| {
                mint_continue_token(MintRequest {
                    tenant,
                    issuer: &tenant.issuer,
                    subject: "auth0|bench0000000001",
                    state: &state,
                    form,
                    answers,
                    answers_claim: &tenant.answers_claim,
                    now: NOW,
                })
                .unwrap()
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Short, so `cargo xtask bench` stays within its time: enough samples for a stable median.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = steps
}
criterion_main!(benches);
