//! The JSON of every type that crosses a wire (docs/contract.md#api), pinned against literal
//! strings: the signer's API bodies, both tokens' claims, clean answers and form definitions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use stopover_protocol::api::{CONTINUE_PATH, FORMS_PATH};
use stopover_protocol::{
    AnswerValue, ApiErrorBody, ApiErrorCode, CleanAnswers, ConsentRecord, ContinueClaims,
    ContinueRequest, ContinueResponse, FieldErrorCode, FormDefinition, FormRef, PreviousConsent,
    SessionClaims,
};

/// `value` serialises to exactly `wire`, and `wire` reads back as `value`.
#[track_caller]
fn assert_wire<T>(value: &T, wire: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    assert_eq!(serde_json::to_string(value).unwrap(), wire);
    assert_eq!(&serde_json::from_str::<T>(wire).unwrap(), value);
}

#[test]
fn api_paths_are_the_specs() {
    assert_eq!(FORMS_PATH, "/api/forms");
    assert_eq!(CONTINUE_PATH, "/api/continue");
}

#[test]
fn invalid_answers_error_carries_per_field_codes() {
    let body = ApiErrorBody::invalid_answers(BTreeMap::from([(
        "phone".to_owned(),
        vec![FieldErrorCode::InvalidFormat],
    )]));
    assert_wire(
        &body,
        r#"{"error":"invalid_answers","message":"Some answers need attention.","fields":{"phone":["invalid_format"]}}"#,
    );
    assert_eq!(body.error.status(), 422);
}

#[test]
fn error_without_fields_omits_the_key() {
    let body = ApiErrorBody {
        error: ApiErrorCode::InvalidToken,
        message: "Start again.".into(),
        fields: None,
    };
    assert_wire(
        &body,
        r#"{"error":"invalid_token","message":"Start again."}"#,
    );
}

#[test]
fn error_body_without_message_reads_as_empty_message() {
    let body: ApiErrorBody = serde_json::from_str(r#"{"error":"unknown_form"}"#).unwrap();
    assert_eq!(body.error, ApiErrorCode::UnknownForm);
    assert_eq!(body.message, "");
    assert_eq!(body.fields, None);
}

#[test]
fn api_error_codes_and_statuses_are_the_specs() {
    let expected = [
        (ApiErrorCode::BadRequest, "bad_request", 400),
        (ApiErrorCode::InvalidToken, "invalid_token", 401),
        (ApiErrorCode::OriginNotAllowed, "origin_not_allowed", 403),
        (ApiErrorCode::UnknownForm, "unknown_form", 404),
        (ApiErrorCode::NotFound, "not_found", 404),
        (ApiErrorCode::AlreadyUsed, "already_used", 409),
        (ApiErrorCode::PayloadTooLarge, "payload_too_large", 413),
        (
            ApiErrorCode::UnsupportedMediaType,
            "unsupported_media_type",
            415,
        ),
        (ApiErrorCode::InvalidAnswers, "invalid_answers", 422),
        (ApiErrorCode::RateLimited, "rate_limited", 429),
        (ApiErrorCode::Internal, "internal", 500),
        (ApiErrorCode::Unavailable, "unavailable", 503),
    ];
    for (code, wire, status) in expected {
        assert_wire(&code, &format!("\"{wire}\""));
        assert_eq!(code.status(), status, "{wire}");
    }
}

#[test]
fn field_error_codes_are_snake_case_and_as_str_agrees() {
    let expected = [
        (FieldErrorCode::Required, "required"),
        (FieldErrorCode::TooLong, "too_long"),
        (FieldErrorCode::TooShort, "too_short"),
        (FieldErrorCode::InvalidFormat, "invalid_format"),
        (FieldErrorCode::InvalidType, "invalid_type"),
        (FieldErrorCode::InvalidCharacters, "invalid_characters"),
        (FieldErrorCode::NotAnOption, "not_an_option"),
        (FieldErrorCode::OutOfRange, "out_of_range"),
        (FieldErrorCode::TooFewSelected, "too_few_selected"),
        (FieldErrorCode::TooManySelected, "too_many_selected"),
        (FieldErrorCode::MustAccept, "must_accept"),
        (FieldErrorCode::UnknownField, "unknown_field"),
        (FieldErrorCode::ReadOnly, "read_only"),
    ];
    for (code, wire) in expected {
        assert_wire(&code, &format!("\"{wire}\""));
        assert_eq!(code.as_str(), wire);
    }
}

#[test]
fn continue_request_is_state_token_and_answers() {
    let request = ContinueRequest {
        state: "abc-123".into(),
        session_token: "eyJ.x.y".into(),
        answers: common::object(json!({"phone": "+33 6 12 34 56 78", "terms": true})),
    };
    assert_wire(
        &request,
        r#"{"state":"abc-123","session_token":"eyJ.x.y","answers":{"phone":"+33 6 12 34 56 78","terms":true}}"#,
    );
}

#[test]
fn continue_request_without_answers_is_refused() {
    assert!(
        serde_json::from_str::<ContinueRequest>(r#"{"state":"a","session_token":"t"}"#).is_err()
    );
}

#[test]
fn continue_response_is_url_and_fields() {
    let response = ContinueResponse {
        continue_url: "https://tenant.eu.auth0.com/continue?state=abc-123".into(),
        fields: BTreeMap::from([
            ("state".to_owned(), "abc-123".to_owned()),
            ("session_token".to_owned(), "eyJ.a.b".to_owned()),
        ]),
    };
    assert_wire(
        &response,
        r#"{"continue_url":"https://tenant.eu.auth0.com/continue?state=abc-123","fields":{"session_token":"eyJ.a.b","state":"abc-123"}}"#,
    );
}

#[test]
fn session_claims_with_only_the_standard_claims() {
    let claims = SessionClaims {
        sub: "auth0|123".into(),
        iss: "tenant.eu.auth0.com".into(),
        ip: None,
        form: None,
        prefill: None,
        locale: None,
        continue_host: None,
        continue_uri: None,
        previous_consents: None,
    };
    assert_wire(
        &claims,
        r#"{"sub":"auth0|123","iss":"tenant.eu.auth0.com"}"#,
    );
}

#[test]
fn session_claims_with_stopovers_payload_claims() {
    let claims = SessionClaims {
        sub: "auth0|123".into(),
        iss: "tenant.eu.auth0.com".into(),
        ip: Some("203.0.113.7".into()),
        form: Some("profile".into()),
        prefill: Some(common::object(json!({"company": "ACME", "seats": 5}))),
        locale: Some("fr-CA".into()),
        continue_host: Some("login.example.com".into()),
        continue_uri: None,
        previous_consents: Some(
            [(
                "terms".to_owned(),
                PreviousConsent {
                    version: "2025-03".into(),
                    accepted_at: 1_764_547_200,
                },
            )]
            .into(),
        ),
    };
    assert_wire(
        &claims,
        r#"{"sub":"auth0|123","iss":"tenant.eu.auth0.com","ip":"203.0.113.7","form":"profile","prefill":{"company":"ACME","seats":5},"locale":"fr-CA","continue_host":"login.example.com","previous_consents":{"terms":{"version":"2025-03","accepted_at":1764547200}}}"#,
    );
}

#[test]
fn session_claims_ignore_claims_they_do_not_know() {
    // What encodeToken produces, time claims and a custom claim included.
    let wire =
        r#"{"sub":"auth0|1","iss":"t.auth0.com","iat":1,"exp":2,"ip":"::1","custom":{"x":1}}"#;
    let claims: SessionClaims = serde_json::from_str(wire).unwrap();
    assert_eq!(claims.sub, "auth0|1");
    assert_eq!(claims.ip.as_deref(), Some("::1"));
}

#[test]
fn continue_claims_carry_form_and_clean_answers() {
    let answers = CleanAnswers(BTreeMap::from([
        ("company".to_owned(), AnswerValue::Text("ACME".into())),
        ("newsletter".to_owned(), AnswerValue::Bool(false)),
        ("seats".to_owned(), AnswerValue::Number(12.0)),
        ("ratio".to_owned(), AnswerValue::Number(0.5)),
        (
            "topics".to_owned(),
            AnswerValue::Choices(vec!["security".into(), "news".into()]),
        ),
        (
            "terms".to_owned(),
            AnswerValue::Consent(ConsentRecord {
                accepted: true,
                version: "2026-11".into(),
                accepted_at: 1795000000,
                document: Some("https://example.com/terms/2026-11".into()),
                language: Some("fr".into()),
            }),
        ),
    ]));
    let claims = ContinueClaims {
        iss: "tenant.eu.auth0.com".into(),
        sub: "auth0|123".into(),
        state: "abc-123".into(),
        jti: "r4nd0m".into(),
        form: FormRef {
            id: "profile".into(),
            version: "3".into(),
            asked: None,
        },
        answers,
    };
    assert_wire(
        &claims,
        concat!(
            r#"{"iss":"tenant.eu.auth0.com","sub":"auth0|123","state":"abc-123","jti":"r4nd0m","#,
            r#""form":{"id":"profile","version":"3"},"#,
            r#""answers":{"company":"ACME","newsletter":false,"ratio":0.5,"seats":12.0,"#,
            r#""terms":{"accepted":true,"version":"2026-11","accepted_at":1795000000,"#,
            r#""document":"https://example.com/terms/2026-11","language":"fr"},"#,
            r#""topics":["security","news"]}}"#
        ),
    );
}

#[test]
fn integer_answers_read_back_as_numbers() {
    let answers: CleanAnswers = serde_json::from_str(r#"{"seats":12,"code":"12"}"#).unwrap();
    assert_eq!(answers.0["seats"], AnswerValue::Number(12.0));
    assert_eq!(answers.0["code"], AnswerValue::Text("12".into()));
}

const SMALL_FORM: &str = concat!(
    r#"{"id":"terms","version":"2026-11","title":{"de":"Bedingungen","en":"Terms"},"#,
    r#""introduction":{"en":"One more step."},"submit_label":{"en":"Accept and continue"},"#,
    r#""fields":["#,
    r#"{"id":"intro","kind":"static","text":{"en":"Please read."}},"#,
    r#"{"id":"tos","label":{"en":"I accept the terms"},"kind":"consent","document":{"url":"https://example.com/tos","version":"2026-11","title":{"en":"Terms of service"}}},"#,
    r#"{"id":"phone","label":{"en":"Phone"},"kind":"tel","required":true,"help":{"en":"With country code."},"placeholder":{"en":"+33 6 12 34 56 78"},"autocomplete":"tel","prefill":"phone_number"},"#,
    r#"{"id":"size","label":{"en":"Size"},"kind":"select","options":[{"value":"s","label":{"en":"Small"}},{"value":"l","label":{"en":"Large"}}],"default":"s"},"#,
    r#"{"id":"why","label":{"en":"Why large?"},"kind":"textarea","max_length":200,"show_if":{"field":"size","equals":"l"}},"#,
    r#"{"id":"ref","kind":"hidden","value":"web"}"#,
    r#"]}"#
);

#[test]
fn form_definition_json_is_pinned() {
    let form: FormDefinition = serde_json::from_str(SMALL_FORM).unwrap();
    assert_eq!(form.check(), Ok(()));
    assert_eq!(serde_json::to_string(&form).unwrap(), SMALL_FORM);
}

#[test]
fn form_definition_with_every_kind_round_trips_through_json() {
    let form = common::every_kind_form();
    let json = serde_json::to_string(&form).unwrap();
    let back: FormDefinition = serde_json::from_str(&json).unwrap();
    assert_eq!(back, form);
}

#[test]
fn form_definition_refuses_unknown_keys() {
    let typo = SMALL_FORM.replace(r#""max_length":200"#, r#""max_lenght":200"#);
    assert!(serde_json::from_str::<FormDefinition>(&typo).is_err());
    let typo = SMALL_FORM.replace(r#""submit_label""#, r#""submit""#);
    assert!(serde_json::from_str::<FormDefinition>(&typo).is_err());
}
