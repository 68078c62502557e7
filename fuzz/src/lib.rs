//! What the fuzz targets share: a fixed signer configuration, the forms, and the invariants
//! each target asserts on every input. A panic anywhere here is a finding.
//!
//! The configuration is the demo's (`config/demo.toml`) plus a second tenant, so key choice
//! between tenants is exercised; the forms are the demo's two and the protocol crate's
//! every-kind fixture.

use std::sync::LazyLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;
use stopover_protocol::limits::MAX_TOKEN_BYTES;
use stopover_protocol::{validate_answers, CleanAnswers, FormDefinition};
use stopover_signer::config::{issuer_host, Config, Tenant};
use stopover_signer::verify::{verify_session_token, VerifiedSession};

/// The fixed clock of every target: 2027-01-15.
pub const NOW: i64 = 1_800_000_000;
/// The demo tenant's secret while fuzzing.
pub const DEMO_SECRET: &str = "fuzzing-secret-of-the-demo-tenant-0123456789";
/// The second tenant, allowed the `terms` form only.
pub const OTHER_ISSUER: &str = "tenant.example.com";
pub const OTHER_SECRET: &str = "fuzzing-secret-of-the-other-tenant-abcdefghij";
/// A key no tenant has: nothing it signs may ever be accepted.
pub const FOREIGN_SECRET: &str = "a-key-that-belongs-to-nobody-configured-here";

const DEMO_CONFIG: &str = include_str!("../../config/demo.toml");
const EVERY_KIND_FORM: &str = include_str!("../../crates/protocol/tests/common/every_kind.toml");

pub static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    let text = format!(
        "{DEMO_CONFIG}\n[[tenants]]\nissuer = \"{OTHER_ISSUER}\"\nsecret_env = \"FUZZ_OTHER_SECRET\"\nforms = [\"terms\"]\n"
    );
    let env = |name: &str| match name {
        "STOPOVER_DEMO_SECRET" => Some(DEMO_SECRET.to_owned()),
        "FUZZ_OTHER_SECRET" => Some(OTHER_SECRET.to_owned()),
        _ => None,
    };
    Config::from_toml(&text, &env)
        .unwrap_or_else(|error| panic!("the fuzzing configuration is refused: {error}"))
});

/// The demo's forms and the every-kind form.
pub static FORMS: LazyLock<Vec<FormDefinition>> = LazyLock::new(|| {
    let every_kind: FormDefinition = toml::from_str(EVERY_KIND_FORM)
        .unwrap_or_else(|error| panic!("the every-kind form does not parse: {error}"));
    CONFIG.forms.values().cloned().chain([every_kind]).collect()
});

/// The prefill used when an input gives none: values for the forms' hidden fields.
pub fn default_prefill() -> Map<String, Value> {
    let mut prefill = Map::new();
    for (key, value) in [
        ("account_ref", "acct-42"),
        ("tenant", "acme-eu"),
        ("company", "ACME"),
        ("country", "FR"),
    ] {
        prefill.insert(key.to_owned(), Value::String(value.to_owned()));
    }
    prefill
}

/// Target 1: any string as a session token.
pub fn fuzz_raw_token(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    check_verification(&raw);
}

/// Target 2: `header JSON \n claims JSON`, encoded and signed with the key of the tenant the
/// claims' `iss` names (the demo tenant's when none matches), so inputs get past the MAC and
/// reach the header and claim checks. The same parts signed with a key no tenant has must
/// always be refused.
pub fn fuzz_signed_token(data: &[u8]) {
    let Some(split) = data.iter().position(|&byte| byte == b'\n') else {
        return;
    };
    let (header, claims) = (&data[..split], &data[split + 1..]);
    let key = signing_key_for(claims);
    check_verification(&sign(header, claims, key.as_bytes()));

    let forged = sign(header, claims, FOREIGN_SECRET.as_bytes());
    assert!(
        verify_session_token(&forged, &CONFIG.tenants, NOW).is_err(),
        "a token signed with a key no tenant has was accepted"
    );
}

/// Target 3: any JSON as answers (an object), or as `[answers, prefill]`, against every form.
pub fn fuzz_answers(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let (answers, prefill) = match value {
        Value::Object(answers) => (answers, default_prefill()),
        Value::Array(mut pair) if pair.len() == 2 => match (pair.pop(), pair.pop()) {
            (Some(Value::Object(prefill)), Some(Value::Object(answers))) => (answers, prefill),
            _ => return,
        },
        _ => return,
    };
    for form in FORMS.iter() {
        check_validation(form, &answers, &prefill);
    }
}

/// `header.claims.signature` with an HS256 MAC under `key`.
pub fn sign(header: &[u8], claims: &[u8], key: &[u8]) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(signed.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signed}.{signature}")
}

fn signing_key_for(claims: &[u8]) -> &'static str {
    let issuer = serde_json::from_slice::<Value>(claims)
        .ok()
        .and_then(|claims| claims.get("iss").and_then(Value::as_str).map(str::to_owned));
    match issuer.as_deref().and_then(issuer_host) {
        Some(OTHER_ISSUER) => OTHER_SECRET,
        _ => DEMO_SECRET,
    }
}

/// Verifies `raw`; when it is accepted, asserts what acceptance promises.
pub fn check_verification(raw: &str) {
    if let Ok(session) = verify_session_token(raw, &CONFIG.tenants, NOW) {
        assert_accepted_token_is_sound(raw, &session);
    }
}

fn assert_accepted_token_is_sound(raw: &str, session: &VerifiedSession<'_>) {
    let tenant: &Tenant = session.tenant;
    assert!(
        raw.len() <= MAX_TOKEN_BYTES,
        "an oversized token was accepted"
    );
    assert!(
        CONFIG
            .tenants
            .iter()
            .any(|known| std::ptr::eq(known, tenant)),
        "the accepted token's tenant is not a configured one"
    );
    // `host`, `https://host` and `https://host/` name one tenant (docs/contract.md#issuer).
    assert_eq!(
        issuer_host(&session.claims.custom.iss),
        issuer_host(&tenant.issuer),
        "an accepted token does not carry its tenant's configured issuer"
    );
    assert!(
        !session.claims.custom.sub.is_empty(),
        "an accepted token has an empty subject"
    );
    assert!(
        session.expires_at > NOW
            && session.expires_at - NOW <= session.tenant.max_session_lifetime_secs,
        "an accepted token expires at {} (now {NOW})",
        session.expires_at
    );
    if let Some(form) = &session.claims.custom.form {
        assert!(
            tenant.forms.contains(form),
            "an accepted token names a form its tenant may not use"
        );
    }

    let header_part = raw.split('.').next().unwrap_or_default();
    let header: Map<String, Value> = URL_SAFE_NO_PAD
        .decode(header_part)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_else(|| panic!("an accepted token's header is not a JSON object"));
    assert_eq!(
        header.get("alg").and_then(Value::as_str),
        Some("HS256"),
        "an accepted token's alg is not exactly HS256"
    );
    assert!(
        header
            .iter()
            .all(|(name, value)| name == "alg" || (name == "typ" && value == "JWT")),
        "an accepted token's header has a parameter other than alg and typ JWT"
    );

    assert!(
        verify_session_token(raw, &CONFIG.tenants, session.expires_at).is_err(),
        "a token is still accepted at the exact second of its exp"
    );
}

/// Validates `answers` against `form`; asserts the result's shape, that it does not depend
/// on anything but its inputs, and that clean answers are a fixed point.
pub fn check_validation(
    form: &FormDefinition,
    answers: &Map<String, Value>,
    prefill: &Map<String, Value>,
) {
    let first = validate_answers(form, answers, prefill, NOW);
    match &first {
        Ok(clean) => {
            for id in clean.0.keys() {
                assert!(
                    form.field(id).is_some(),
                    "clean answers carry an unknown field {id:?}"
                );
            }
            let again = validate_answers(form, &as_submitted(clean), prefill, NOW);
            assert_eq!(
                again.as_ref(),
                Ok(clean),
                "clean answers do not validate to themselves"
            );
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a refusal without any field error");
            for (id, codes) in errors {
                assert!(
                    form.field(id).is_some() || answers.contains_key(id),
                    "an error names {id:?}, neither a field nor a submitted key"
                );
                assert!(!codes.is_empty(), "field {id:?} refused without a code");
                assert!(
                    codes.windows(2).all(|pair| pair[0] < pair[1]),
                    "field {id:?} has unsorted or repeated codes"
                );
            }
        }
    }
    assert_eq!(
        validate_answers(form, answers, prefill, NOW),
        first,
        "validation gave two results for the same input"
    );
}

/// Clean answers as the page would send them back: their JSON.
fn as_submitted(clean: &CleanAnswers) -> Map<String, Value> {
    match serde_json::to_value(clean) {
        Ok(Value::Object(map)) => map,
        other => panic!("clean answers do not serialise to an object: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(target: &str, name: &str) -> Vec<u8> {
        let path = format!("{}/corpus/{target}/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
    }

    fn signed_seed(name: &str) -> String {
        let data = seed("verify_signed_token", name);
        let split = data.iter().position(|&byte| byte == b'\n').unwrap();
        let (header, claims) = (&data[..split], &data[split + 1..]);
        sign(header, claims, signing_key_for(claims).as_bytes())
    }

    #[test]
    fn the_signed_target_gets_valid_seeds_past_the_mac() {
        // The URL spellings of both issuers too: one tenant, however the Action writes it.
        for name in [
            "demo_profile",
            "demo_terms_nbf",
            "other_terms",
            "demo_profile_url_issuer",
            "other_terms_url_issuer",
        ] {
            let token = signed_seed(name);
            let session = verify_session_token(&token, &CONFIG.tenants, NOW)
                .unwrap_or_else(|rejection| panic!("seed {name} refused: {rejection}"));
            assert_accepted_token_is_sound(&token, &session);
        }
    }

    #[test]
    fn the_signed_target_seeds_for_refusals_are_refused() {
        for name in ["exp_now", "kid_header", "duplicate_alg"] {
            assert!(
                verify_session_token(&signed_seed(name), &CONFIG.tenants, NOW).is_err(),
                "seed {name} accepted"
            );
        }
    }

    #[test]
    fn the_raw_target_seeds_are_the_signed_seeds_encoded() {
        for name in ["demo_profile", "demo_terms_nbf", "other_terms", "exp_now"] {
            let raw = String::from_utf8(seed("verify_token", name)).unwrap();
            assert_eq!(raw, signed_seed(name), "seed {name}");
        }
    }

    #[test]
    #[should_panic(expected = "does not carry its tenant's configured issuer")]
    fn an_accepted_token_with_another_issuer_breaks_the_invariant() {
        let token = signed_seed("demo_profile");
        let mut session = verify_session_token(&token, &CONFIG.tenants, NOW).unwrap();
        session.claims.custom.iss = OTHER_ISSUER.to_owned();
        assert_accepted_token_is_sound(&token, &session);
    }

    #[test]
    #[should_panic(expected = "still accepted at the exact second of its exp")]
    fn an_accepted_token_that_outlives_its_exp_breaks_the_invariant() {
        let token = signed_seed("demo_profile");
        let mut session = verify_session_token(&token, &CONFIG.tenants, NOW).unwrap();
        session.expires_at -= 1;
        assert_accepted_token_is_sound(&token, &session);
    }

    #[test]
    fn valid_seed_answers_are_accepted_by_their_form() {
        for (name, form_index) in [
            ("demo_profile_valid", "profile"),
            ("demo_terms_accept", "terms"),
        ] {
            let form = &CONFIG.forms[form_index];
            let answers: Map<String, Value> =
                serde_json::from_slice(&seed("validate_answers", name)).unwrap();
            let result = validate_answers(form, &answers, &default_prefill(), NOW);
            assert!(result.is_ok(), "seed {name}: {result:?}");
        }
        let every_kind = FORMS.last().unwrap();
        let answers: Map<String, Value> =
            serde_json::from_slice(&seed("validate_answers", "every_kind_full")).unwrap();
        let result = validate_answers(every_kind, &answers, &default_prefill(), NOW);
        assert!(result.is_ok(), "seed every_kind_full: {result:?}");
    }

    #[test]
    fn every_seed_passes_its_target() {
        for (target, run) in [
            ("verify_token", fuzz_raw_token as fn(&[u8])),
            ("verify_signed_token", fuzz_signed_token),
            ("validate_answers", fuzz_answers),
        ] {
            let dir = format!("{}/corpus/{target}", env!("CARGO_MANIFEST_DIR"));
            for entry in std::fs::read_dir(&dir).unwrap() {
                run(&std::fs::read(entry.unwrap().path()).unwrap());
            }
        }
    }
}
