//! The Action's plan: what the post-login Action needs from this configuration to decide
//! whether a login stops over and with which form, written by `stopover-signer action-plan`
//! as JSON the operator pastes into the Action's `STOPOVER_PLAN` secret
//! (docs/operators.md#the-actions-plan). The Action keeps no form ids, versions or metadata
//! keys of its own, so a new terms version is one change, in the TOML, and a new plan.
//!
//! The rules of the plan live here and nowhere else:
//! - forms come in the order the Action asks for them: forms with a consent first (a document
//!   not accepted blocks more than a missing detail), then the others, each group in the
//!   tenant's `forms` order;
//! - an answer lives where the signer writes it (back-channel delivery, `stored_by:
//!   "signer"`) or, travelling in the token, where the Action writes it (`stored_by:
//!   "action"`): a consent at `app_metadata.consents.{document}` (`accept_terms` and `terms`
//!   both record `consents.terms`), anything else at `user_metadata.{field}`;
//! - a field is asked for when missing (`ask_if_missing`) when the person must answer it:
//!   required (a consent always is), answered by the person, and shown unconditionally;
//! - a consent names the document version its record must have, and how many days an
//!   acceptance lasts when the document says (`expires_after_days`);
//! - a field the person answers names its `prefill` key, under which the Action passes the
//!   value kept for it (what a form with `max_fields_per_login` counts as known).

use serde::Serialize;
use stopover_protocol::form::{Field, FieldKind, FormDefinition};

use crate::config::{Config, Delivery, Tenant};

/// The plan's format; the Action refuses any other.
pub const PLAN_FORMAT: u32 = 1;

/// One tenant's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionPlan {
    /// [`PLAN_FORMAT`].
    pub plan: u32,
    /// The tenant's issuer host, as configured.
    pub issuer: String,
    /// The form field `/continue` reads the continue token from (`tokenParameterName`).
    pub token_parameter: String,
    /// The forms, in the order the Action asks for them.
    pub forms: Vec<PlannedForm>,
}

/// One form the Action may ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedForm {
    pub id: String,
    /// The version the signer serves: the continue token's `form.version` must be this.
    pub version: String,
    /// The fields that take an answer, in the form's order.
    pub fields: Vec<PlannedField>,
}

/// Where one field's answer is kept on the user, and when its absence makes the Action ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedField {
    pub id: String,
    /// `user_metadata` or `app_metadata`.
    pub metadata: &'static str,
    /// The dotted path in that object (`consents.terms`).
    pub key: String,
    /// Who writes the answer there.
    pub stored_by: StoredBy,
    /// A person without a value there is asked for this form.
    pub ask_if_missing: bool,
    /// The field's `prefill` key, for a field the person answers: the Action passes the
    /// value kept for it under this key, so a form with `max_fields_per_login` does not ask
    /// it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefill: Option<String>,
    /// For a consent: the document version that must have been accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<PlannedConsent>,
}

/// Who writes an answer to the user's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredBy {
    /// The Action's `onContinuePostLogin`, from the continue token.
    Action,
    /// The signer, through the Management API (back-channel delivery).
    Signer,
}

/// What a stored consent record must say to count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedConsent {
    /// The record's `version` must equal this.
    pub document_version: String,
    /// The record's `accepted_at` must be less than this many days ago (the document's
    /// `expires_after_days`); no limit when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_after_days: Option<u32>,
}

/// Why no plan can be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the configuration has several tenants ({0}): choose one with --issuer")]
    ChooseTenant(String),
    #[error("no tenant has the issuer `{0}`; the configured issuers are {1}")]
    UnknownIssuer(String, String),
}

/// The plan of the tenant of `issuer` (spelt as in the configuration or a token), or of the
/// only tenant when `issuer` is `None`.
pub fn action_plan(config: &Config, issuer: Option<&str>) -> Result<ActionPlan, PlanError> {
    let issuers = || {
        config
            .tenants
            .iter()
            .map(|tenant| format!("`{}`", tenant.issuer))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let tenant = match issuer {
        Some(issuer) => config
            .tenant(issuer)
            .ok_or_else(|| PlanError::UnknownIssuer(issuer.to_owned(), issuers()))?,
        None => match config.tenants.as_slice() {
            [only] => only,
            _ => return Err(PlanError::ChooseTenant(issuers())),
        },
    };
    Ok(plan_for(config, tenant))
}

fn plan_for(config: &Config, tenant: &Tenant) -> ActionPlan {
    let mut forms: Vec<PlannedForm> = tenant
        .forms
        .iter()
        .filter_map(|id| config.forms.get(id))
        .map(|form| planned_form(config, form))
        .collect();
    // A stable sort: each group keeps the tenant's order.
    forms.sort_by_key(|form| !form.fields.iter().any(|field| field.consent.is_some()));
    ActionPlan {
        plan: PLAN_FORMAT,
        issuer: tenant.issuer.clone(),
        token_parameter: tenant.token_parameter.clone(),
        forms,
    }
}

fn planned_form(config: &Config, form: &FormDefinition) -> PlannedForm {
    let delivery = config.delivery(&form.id.0);
    let fields = form
        .fields
        .iter()
        .filter(|field| !matches!(field.kind, FieldKind::Static { .. }))
        .map(|field| {
            let (metadata, key, stored_by) = match delivery.and_then(|d| d.targets.get(&field.id)) {
                Some(target) => (target.delivery, target.path.join("."), StoredBy::Signer),
                None => {
                    let (metadata, key) = action_location(field);
                    (metadata, key, StoredBy::Action)
                }
            };
            PlannedField {
                id: field.id.clone(),
                metadata: match metadata {
                    Delivery::AppMetadata => "app_metadata",
                    Delivery::UserMetadata | Delivery::Token => "user_metadata",
                },
                key,
                stored_by,
                ask_if_missing: must_answer(field),
                prefill: field.prefill.clone().filter(|_| field.kind.takes_answer()),
                consent: match &field.kind {
                    FieldKind::Consent { document } => Some(PlannedConsent {
                        document_version: document.version.clone(),
                        expires_after_days: document.expires_after_days,
                    }),
                    _ => None,
                },
            }
        })
        .collect();
    PlannedForm {
        id: form.id.0.clone(),
        version: form.version.clone(),
        fields,
    }
}

/// Where the Action stores an answer that travels in the token: a consent in `app_metadata`
/// (the person cannot edit it there) under `consents.{document}`, anything else in
/// `user_metadata` under the field's id.
fn action_location(field: &Field) -> (Delivery, String) {
    match field.kind {
        FieldKind::Consent { .. } => {
            let document = field.id.strip_prefix("accept_").unwrap_or(&field.id);
            (Delivery::AppMetadata, format!("consents.{document}"))
        }
        _ => (Delivery::UserMetadata, field.id.clone()),
    }
}

/// Whether the person must answer this field whenever the form is shown.
fn must_answer(field: &Field) -> bool {
    let required = field.required || matches!(field.kind, FieldKind::Consent { .. });
    required && field.kind.takes_answer() && field.show_if.is_none()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &str = "a-test-secret-of-more-than-32-bytes-0123456789";

    /// Every `*_SECRET` variable the configurations name; no other override.
    fn secret_env(name: &str) -> Option<String> {
        name.ends_with("SECRET").then(|| SECRET.to_owned())
    }

    fn config(file: &str) -> Config {
        let path = format!("{}/../../config/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        Config::from_toml(&text, &secret_env).unwrap_or_else(|problem| panic!("{path}: {problem}"))
    }

    fn ids(plan: &ActionPlan) -> Vec<&str> {
        plan.forms.iter().map(|form| form.id.as_str()).collect()
    }

    #[test]
    fn the_demo_plan_asks_for_the_terms_first_then_the_profile_then_the_onboarding() {
        let plan = action_plan(&config("demo.toml"), None).unwrap();
        assert_eq!(plan.issuer, "127.0.0.1:8780");
        assert_eq!(plan.token_parameter, "session_token");
        assert_eq!(ids(&plan), ["terms", "profile", "onboarding"]);
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(
            json["forms"][0],
            json!({"id": "terms", "version": "2026-11", "fields": [
                {"id": "terms", "metadata": "app_metadata", "key": "consents.terms",
                 "stored_by": "action", "ask_if_missing": true,
                 "consent": {"document_version": "2026-11"}},
                {"id": "privacy", "metadata": "app_metadata", "key": "consents.privacy",
                 "stored_by": "action", "ask_if_missing": true,
                 "consent": {"document_version": "2026-11"}},
            ]})
        );
    }

    #[test]
    fn the_demo_profile_asks_for_its_unconditional_required_fields_only() {
        let plan = action_plan(&config("demo.toml"), None).unwrap();
        let profile = &plan.forms[1];
        assert_eq!(profile.version, "1");
        let asked: Vec<&str> = profile
            .fields
            .iter()
            .filter(|field| field.ask_if_missing)
            .map(|field| field.id.as_str())
            .collect();
        assert_eq!(asked, ["company", "phone", "country"]);
        let listed: Vec<&str> = profile.fields.iter().map(|f| f.id.as_str()).collect();
        // The static notice takes no answer; the hidden reference and the optional fields do.
        assert_eq!(
            listed,
            [
                "company",
                "phone",
                "country",
                "birth_date",
                "newsletter",
                "topics",
                "account_ref"
            ]
        );
        assert!(profile
            .fields
            .iter()
            .all(|field| field.metadata == "user_metadata"
                && field.key == field.id
                && field.stored_by == StoredBy::Action));
    }

    #[test]
    fn the_example_plan_follows_its_tenant_and_form_versions() {
        let config = config("stopover.example.toml");
        let plan = action_plan(&config, Some("https://tenant.eu.auth0.com/")).unwrap();
        assert_eq!(plan.issuer, "tenant.eu.auth0.com");
        assert_eq!(ids(&plan), ["terms", "profile"]);
        for form in &plan.forms {
            assert_eq!(form.version, config.forms[&form.id].version);
        }
        let terms = &plan.forms[0].fields[0];
        assert_eq!(terms.key, "consents.terms");
        assert_eq!(
            terms.consent,
            Some(PlannedConsent {
                document_version: "2026-11".into(),
                expires_after_days: Some(730),
            })
        );
    }

    #[test]
    fn a_new_terms_version_in_the_toml_is_a_new_version_in_the_plan() {
        let path = format!("{}/../../config/demo.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path)
            .unwrap()
            .replace("version = \"2026-11\"", "version = \"2027-02\"");
        let config = Config::from_toml(&text, &secret_env).unwrap();
        let plan = action_plan(&config, None).unwrap();
        assert_eq!(plan.forms[0].version, "2027-02");
        for field in &plan.forms[0].fields {
            assert_eq!(field.consent.as_ref().unwrap().document_version, "2027-02");
        }
    }

    #[test]
    fn a_consent_that_expires_says_after_how_many_days() {
        let path = format!("{}/../../config/demo.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap().replace(
            "document = { url = \"https://example.com/legal/privacy/2026-11\", version = \"2026-11\",",
            "document = { expires_after_days = 365, url = \"https://example.com/legal/privacy/2026-11\", version = \"2026-11\",",
        );
        let config = Config::from_toml(&text, &secret_env).unwrap();
        let plan = serde_json::to_value(action_plan(&config, None).unwrap()).unwrap();
        assert_eq!(
            plan["forms"][0]["fields"][1]["consent"],
            json!({"document_version": "2026-11", "expires_after_days": 365})
        );
        assert_eq!(
            plan["forms"][0]["fields"][0]["consent"],
            json!({"document_version": "2026-11"}),
            "no expiry unless the document says"
        );
    }

    #[test]
    fn back_channel_fields_are_where_the_signer_writes_them() {
        let path = format!("{}/../../config/demo.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap().replace(
            "[[forms]]\nid = \"terms\"\n",
            "[[forms]]\nid = \"terms\"\ndelivery = \"app_metadata\"\nmetadata_key = \"legal.{field}\"\n",
        );
        let text = text.replace(
            "languages = [",
            "management = { domain = \"127.0.0.1:8780\", scheme = \"http\", client_id = \"m2m\", client_secret_env = \"M2M_SECRET\" }\nlanguages = [",
        );
        let config =
            Config::from_toml(&text, &secret_env).unwrap_or_else(|problem| panic!("{problem}"));
        let plan = action_plan(&config, None).unwrap();
        let terms = &plan.forms[0].fields[0];
        assert_eq!(
            (terms.metadata, terms.key.as_str(), terms.stored_by),
            ("app_metadata", "legal.terms", StoredBy::Signer)
        );
    }

    #[test]
    fn a_consent_field_named_accept_records_the_document_it_accepts() {
        let field: Field = serde_json::from_value(json!({
            "id": "accept_privacy", "kind": "consent",
            "document": {"url": "https://example.com/p", "version": "3", "title": "Privacy"}
        }))
        .unwrap();
        assert_eq!(
            action_location(&field),
            (Delivery::AppMetadata, "consents.privacy".to_owned())
        );
    }

    #[test]
    fn with_several_tenants_the_issuer_must_be_named() {
        let mut config = config("demo.toml");
        let mut other = config.tenants[0].clone();
        other.issuer = "other.eu.auth0.com".into();
        config.tenants.push(other);
        assert_eq!(
            action_plan(&config, None),
            Err(PlanError::ChooseTenant(
                "`127.0.0.1:8780`, `other.eu.auth0.com`".into()
            ))
        );
        assert_eq!(
            action_plan(&config, Some("https://other.eu.auth0.com/"))
                .unwrap()
                .issuer,
            "other.eu.auth0.com"
        );
        assert_eq!(
            action_plan(&config, Some("nobody.auth0.com")),
            Err(PlanError::UnknownIssuer(
                "nobody.auth0.com".into(),
                "`127.0.0.1:8780`, `other.eu.auth0.com`".into()
            ))
        );
    }

    #[test]
    fn the_questions_of_a_form_with_a_cap_name_their_prefill_keys() {
        let plan = action_plan(&config("demo.toml"), None).unwrap();
        let onboarding = &plan.forms[2];
        let prefills: Vec<(&str, Option<&str>, bool)> = onboarding
            .fields
            .iter()
            .map(|field| {
                let prefill = field.prefill.as_deref();
                (field.id.as_str(), prefill, field.ask_if_missing)
            })
            .collect();
        assert_eq!(
            prefills,
            [
                ("job_title", Some("job_title"), true),
                ("team_size", Some("team_size"), true),
                ("product_news", Some("product_news"), false),
                ("news_frequency", None, false),
                ("heard_from", Some("heard_from"), false),
            ]
        );
    }
}
