//! The example post-login Action: `onExecutePostLogin` decides whether a stopover is needed
//! and encodes the session token as `api.redirect.encodeToken` does; `onContinuePostLogin`
//! stores the answers the continue token carries on the user.

use chrono::DateTime;
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, CreationError, Header};
use serde_json::{json, Map, Value};
use stopover_protocol::SessionClaims;

use crate::config::{SimulatorConfig, CURRENT_TERMS_VERSION};
use crate::users::TestUser;
use crate::validate::ValidatedContinue;

/// The form a user must fill in before the login may finish, or `None` to finish at once:
/// `profile` while phone or company is missing, then `terms` until the current terms version
/// is accepted.
pub fn required_form(user: &TestUser) -> Option<&'static str> {
    if user.metadata_text("phone").is_none() || user.metadata_text("company").is_none() {
        return Some("profile");
    }
    let accepted = user
        .app_metadata
        .get("terms_version")
        .and_then(Value::as_str);
    // Stored by the signer through the Management API (`consents.{field}`), the acceptance
    // counts as well.
    let accepted_in_consents = user
        .app_metadata
        .get("consents")
        .and_then(|consents| consents.get("terms"))
        .and_then(consent_version);
    if accepted != Some(CURRENT_TERMS_VERSION)
        && accepted_in_consents != Some(CURRENT_TERMS_VERSION)
    {
        return Some("terms");
    }
    None
}

/// What the Action prefills: the person's e-mail and names, the account reference from
/// `app_metadata`, and every text it already holds in `user_metadata`.
pub fn prefill(user: &TestUser) -> Map<String, Value> {
    let mut prefill = Map::new();
    prefill.insert("email".to_owned(), json!(user.email));
    prefill.insert("given_name".to_owned(), json!(user.given_name));
    prefill.insert("name".to_owned(), json!(user.name));
    if let Some(reference) = user
        .app_metadata
        .get("account_ref")
        .filter(|v| v.is_string())
    {
        prefill.insert("account_ref".to_owned(), reference.clone());
    }
    for (key, value) in &user.user_metadata {
        if value.is_string() {
            prefill.insert(key.clone(), value.clone());
        }
    }
    prefill
}

/// `api.redirect.encodeToken({secret, expiresInSeconds, payload: {form, prefill, locale}})`:
/// header `{"alg":"HS256","typ":"JWT"}`, claims `sub`, `iss`, `iat`, `exp`, `ip` and the
/// payload.
pub fn encode_session_token(
    config: &SimulatorConfig,
    user: &TestUser,
    form: &str,
    ip: Option<String>,
    now: i64,
) -> Result<String, CreationError> {
    let ttl = i64::try_from(config.session_token_ttl_secs).unwrap_or(i64::MAX);
    let mut claims = Claims::new(SessionClaims {
        sub: user.user_id.clone(),
        iss: config.issuer.clone(),
        ip,
        form: Some(form.to_owned()),
        prefill: Some(prefill(user)),
        locale: Some(user.locale.clone()),
        continue_host: None,
        continue_uri: None,
    });
    claims.issued_at = DateTime::from_timestamp(now, 0);
    claims.expiration = DateTime::from_timestamp(now.saturating_add(ttl), 0);
    let header = Header::empty().with_token_type("JWT");
    Hs256.token(&header, &claims, &Hs256Key::new(config.secret.as_bytes()))
}

/// `onContinuePostLogin`: consents go to `app_metadata.consents` (and accepting the current
/// terms version records it as `terms_version`), every other answer to `user_metadata`.
/// A top-level key the token's `stored` record names was written by the signer through the
/// Management API: the Action leaves it alone, so it never overwrites what was stored.
pub fn store_answers(user: &mut TestUser, validated: &ValidatedContinue, now: i64) {
    let stored = |metadata: &str, key: &str| {
        validated
            .stored
            .as_ref()
            .and_then(|stored| stored.get(metadata))
            .and_then(Value::as_array)
            .is_some_and(|keys| keys.iter().any(|stored| stored == key))
    };
    for (field, answer) in &validated.answers {
        match consent_version(answer) {
            Some(_) if stored("app_metadata", "consents") => {}
            None if stored("user_metadata", field) => {}
            Some(version) => {
                if version == CURRENT_TERMS_VERSION {
                    user.app_metadata
                        .insert("terms_version".to_owned(), json!(version));
                }
                let consents = user
                    .app_metadata
                    .entry("consents")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(consents) = consents {
                    consents.insert(field.clone(), answer.clone());
                } else {
                    *consents = json!({ field.clone(): answer.clone() });
                }
            }
            None => {
                user.user_metadata.insert(field.clone(), answer.clone());
            }
        }
    }
    let mut last = json!({ "form": validated.form, "completed_at": now });
    if let Some(stored) = &validated.stored {
        last["stored"] = Value::Object(stored.clone());
    }
    user.app_metadata.insert("last_stopover".to_owned(), last);
}

/// The accepted document version of a consent answer (`{"accepted": true, "version": ..}`).
fn consent_version(answer: &Value) -> Option<&str> {
    let record = answer.as_object()?;
    if record.get("accepted").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    record.get("version").and_then(Value::as_str)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::{default_users, Secret};
    use jwt_compact::UntrustedToken;

    fn user(short_id: &str) -> TestUser {
        default_users()
            .into_iter()
            .find(|user| user.short_id() == short_id)
            .unwrap()
    }

    #[test]
    fn the_default_users_take_each_path_through_the_action() {
        assert_eq!(required_form(&user("amara")), None);
        assert_eq!(required_form(&user("bruno")), Some("profile"));
        assert_eq!(required_form(&user("chloe")), Some("terms"));
    }

    #[test]
    fn session_token_carries_the_documented_header_and_claims() {
        let config = SimulatorConfig::new(
            "127.0.0.1:8780",
            "http://127.0.0.1:8781/",
            Secret::new("a secret of at least thirty-two bytes!"),
        );
        let chloe = user("chloe");
        let token = encode_session_token(&config, &chloe, "terms", Some("127.0.0.1".into()), 1_000)
            .unwrap();
        let untrusted = UntrustedToken::new(&token).unwrap();
        let header = token.split('.').next().unwrap();
        use base64::Engine as _;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap();
        assert_eq!(header, br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = Hs256
            .validator::<Map<String, Value>>(&Hs256Key::new(config.secret.as_bytes()))
            .validate(&untrusted)
            .unwrap()
            .into_parts()
            .1;
        assert_eq!(claims.issued_at.unwrap().timestamp(), 1_000);
        assert_eq!(claims.expiration.unwrap().timestamp(), 1_900);
        assert_eq!(claims.custom["sub"], "auth0|chloe");
        assert_eq!(claims.custom["iss"], "127.0.0.1:8780");
        assert_eq!(claims.custom["ip"], "127.0.0.1");
        assert_eq!(claims.custom["form"], "terms");
        assert_eq!(claims.custom["locale"], "fr");
        assert_eq!(claims.custom["prefill"]["email"], "chloe@example.com");
        assert_eq!(claims.custom["prefill"]["given_name"], "Chloé");
        assert_eq!(claims.custom["prefill"]["account_ref"], "ACC-1003");
        assert_eq!(claims.custom["prefill"]["company"], "Dubois & Fils");
    }

    #[test]
    fn storing_profile_answers_ends_the_profile_stopover() {
        let mut bruno = user("bruno");
        let answers = json!({"company": "Keller AG", "phone": "+4930123456", "newsletter": true});
        store_answers(
            &mut bruno,
            &validated(json!({"id": "profile", "version": "1"}), answers, None),
            5,
        );
        assert_eq!(bruno.user_metadata["company"], "Keller AG");
        assert_eq!(bruno.user_metadata["newsletter"], true);
        assert_eq!(bruno.app_metadata["last_stopover"]["form"]["id"], "profile");
        assert_eq!(required_form(&bruno), None);
    }

    #[test]
    fn accepting_the_current_terms_ends_the_terms_stopover() {
        let mut chloe = user("chloe");
        let answers = json!({
            "terms": {"accepted": true, "version": CURRENT_TERMS_VERSION, "accepted_at": 9},
            "privacy": {"accepted": true, "version": "2024-01", "accepted_at": 9},
        });
        store_answers(
            &mut chloe,
            &validated(json!({"id": "terms"}), answers, None),
            9,
        );
        assert_eq!(chloe.app_metadata["terms_version"], CURRENT_TERMS_VERSION);
        assert_eq!(
            chloe.app_metadata["consents"]["privacy"]["version"],
            "2024-01"
        );
        assert!(!chloe.user_metadata.contains_key("terms"));
        assert_eq!(required_form(&chloe), None);
    }

    #[test]
    fn accepting_an_older_terms_version_does_not_count() {
        let mut chloe = user("chloe");
        let answers = json!({"terms": {"accepted": true, "version": "2020-01", "accepted_at": 1}});
        store_answers(
            &mut chloe,
            &validated(json!({"id": "terms"}), answers, None),
            1,
        );
        assert_eq!(required_form(&chloe), Some("terms"));
    }

    fn validated(form: Value, answers: Value, stored: Option<Value>) -> ValidatedContinue {
        ValidatedContinue {
            form,
            answers: answers.as_object().unwrap().clone(),
            stored: stored.map(|stored| stored.as_object().unwrap().clone()),
        }
    }

    #[test]
    fn keys_the_signer_stored_are_not_overwritten_by_the_action() {
        let mut chloe = user("chloe");
        chloe.app_metadata.insert(
            "consents".into(),
            json!({"terms": {"accepted": true, "version": CURRENT_TERMS_VERSION, "accepted_at": 5}}),
        );
        chloe
            .user_metadata
            .insert("phone".into(), json!("+33100000000"));
        // A stale copy in the token must not replace what the signer stored.
        let answers = json!({
            "phone": "+33999999999",
            "privacy": {"accepted": true, "version": "2024-01", "accepted_at": 1},
            "company": "Dubois SA",
        });
        let stored = json!({"user_metadata": ["phone"], "app_metadata": ["consents"]});
        store_answers(
            &mut chloe,
            &validated(json!({"id": "terms"}), answers, Some(stored)),
            9,
        );
        assert_eq!(chloe.user_metadata["phone"], "+33100000000");
        assert!(chloe.app_metadata["consents"].get("privacy").is_none());
        assert_eq!(chloe.user_metadata["company"], "Dubois SA");
        assert_eq!(
            chloe.app_metadata["last_stopover"]["stored"]["app_metadata"][0],
            "consents"
        );
        assert_eq!(
            required_form(&chloe),
            None,
            "consents.terms counts as accepted"
        );
    }
}
