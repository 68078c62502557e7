//! The `event` object a post-login Action receives, built from what the tenant knows: the
//! user, the HTTP request (`/authorize` or `/continue`), the login transaction, the Action's
//! secrets and the tenant. The fields are the ones Auth0 documents for `event.user`,
//! `event.request`, `event.transaction`, `event.secrets` and `event.tenant`.

use std::net::IpAddr;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::config::SimulatorConfig;
use crate::params::Params;
use crate::users::TestUser;

/// The login transaction as the Action sees it (`event.transaction`); kept with the
/// transaction so `onContinuePostLogin` sees the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionInfo {
    /// `oidc-basic-profile` for a browser login; `?protocol=` on `/authorize` picks another
    /// (e.g. `oauth2-refresh-token`) to see what the Action does without a browser.
    pub protocol: String,
    /// `?prompt=` on `/authorize`, split at spaces (`["none"]` for silent authentication).
    pub prompt: Vec<String>,
    /// The language of this login: `?ui_locales=` first, else the person's browser language.
    pub locale: String,
    /// `?ui_locales=` on `/authorize`, split at spaces.
    pub ui_locales: Vec<String>,
    pub requested_scopes: Vec<String>,
    pub redirect_uri: String,
    pub response_type: Vec<String>,
}

impl TransactionInfo {
    /// The transaction `/authorize?{query}` starts for `user`.
    pub fn from_authorize(query: &Params, user: &TestUser) -> Self {
        let words = |name: &str| -> Vec<String> {
            query
                .get(name)
                .map(|value| value.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let ui_locales = words("ui_locales");
        Self {
            protocol: query
                .get("protocol")
                .filter(|protocol| !protocol.is_empty())
                .unwrap_or("oidc-basic-profile")
                .to_owned(),
            prompt: words("prompt"),
            locale: ui_locales
                .first()
                .cloned()
                .unwrap_or_else(|| user.locale.clone()),
            ui_locales,
            requested_scopes: vec!["openid".into(), "profile".into(), "email".into()],
            redirect_uri: "/callback".to_owned(),
            response_type: vec!["code".into()],
        }
    }
}

/// The HTTP request the Action runs in (`event.request`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    pub method: &'static str,
    /// The peer's address, as Auth0 would see it.
    pub ip: Option<IpAddr>,
    /// The query parameters, the first value of each name.
    pub query: Params,
    /// The URL-encoded form body's parameters (empty for a GET).
    pub body: Params,
    /// The person's browser language.
    pub language: String,
}

/// `event` for `user` in `transaction`, during `request`.
pub fn event(
    config: &SimulatorConfig,
    user: &TestUser,
    request: &RequestInfo,
    transaction: &TransactionInfo,
) -> Value {
    json!({
        "user": {
            "user_id": user.user_id,
            "email": user.email,
            "email_verified": true,
            "name": user.name,
            "given_name": user.given_name,
            "user_metadata": user.user_metadata,
            "app_metadata": user.app_metadata,
        },
        "request": {
            "hostname": config.issuer,
            "ip": request.ip.map(|ip| ip.to_string()).unwrap_or_default(),
            "method": request.method,
            "language": request.language,
            "query": request.query.to_object(),
            "body": request.body.to_object(),
            "user_agent": "Mozilla/5.0 (tenant simulator)",
        },
        "transaction": transaction,
        "secrets": secrets(config),
        "tenant": { "id": tenant_id(&config.issuer) },
        "client": { "client_id": "stopover-simulator-app", "name": "Simulated application" },
        "connection": { "name": "Username-Password-Authentication", "strategy": "auth0" },
    })
}

/// The Action's secrets: the one it shares with the signer, where Stopover is, and the plan
/// of what to ask when the tenant has one.
fn secrets(config: &SimulatorConfig) -> Map<String, Value> {
    let mut secrets = Map::new();
    secrets.insert("STOPOVER_SECRET".into(), json!(config.secret.expose()));
    secrets.insert("STOPOVER_URL".into(), json!(config.stopover_url));
    if let Some(plan) = &config.action_plan {
        secrets.insert("STOPOVER_PLAN".into(), json!(plan));
    }
    secrets
}

/// `tenant` of `tenant.eu.auth0.com`; the host itself when it is an address.
fn tenant_id(issuer: &str) -> &str {
    match issuer.split_once('.') {
        Some((first, _)) if !first.chars().all(|c| c.is_ascii_digit()) => first,
        _ => issuer,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::{default_users, Secret};

    #[test]
    fn the_event_carries_what_auth0_documents_and_the_secrets() {
        let mut config = SimulatorConfig::new(
            "tenant.eu.auth0.com",
            "https://stopover.example/",
            Secret::new("s".repeat(32)),
        );
        config.action_plan = Some(r#"{"plan":1}"#.to_owned());
        let chloe = default_users().remove(2);
        let query = Params::parse(Some("user=chloe&prompt=login%20consent")).unwrap();
        let transaction = TransactionInfo::from_authorize(&query, &chloe);
        let request = RequestInfo {
            method: "GET",
            ip: Some([127, 0, 0, 1].into()),
            query,
            body: Params::default(),
            language: chloe.locale.clone(),
        };
        let event = event(&config, &chloe, &request, &transaction);
        assert_eq!(event["user"]["user_id"], "auth0|chloe");
        assert_eq!(event["user"]["given_name"], "Chloé");
        assert_eq!(event["user"]["app_metadata"]["account_ref"], "ACC-1003");
        assert_eq!(event["request"]["hostname"], "tenant.eu.auth0.com");
        assert_eq!(event["request"]["ip"], "127.0.0.1");
        assert_eq!(event["request"]["query"]["user"], "chloe");
        assert_eq!(event["transaction"]["prompt"], json!(["login", "consent"]));
        assert_eq!(event["transaction"]["locale"], "fr");
        assert_eq!(event["transaction"]["protocol"], "oidc-basic-profile");
        assert_eq!(
            event["secrets"]["STOPOVER_URL"],
            "https://stopover.example/"
        );
        assert_eq!(event["secrets"]["STOPOVER_SECRET"], "s".repeat(32));
        assert_eq!(event["secrets"]["STOPOVER_PLAN"], r#"{"plan":1}"#);
        assert_eq!(event["tenant"]["id"], "tenant");
    }

    #[test]
    fn ui_locales_choose_the_transactions_language() {
        let chloe = default_users().remove(2);
        let query = Params::parse(Some("ui_locales=de%20en")).unwrap();
        assert_eq!(TransactionInfo::from_authorize(&query, &chloe).locale, "de");
    }
}
