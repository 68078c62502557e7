//! The claims of the two tokens: the session token an Auth0 Action encodes, and the continue
//! token the signer mints for `/continue`.
//!
//! These are the custom claims beside the registered time claims (`iat`, `exp`, `nbf`), which
//! jwt-compact's `Claims<T>` carries itself.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::answer_values::CleanAnswers;

/// Claim names, one definition for every part.
pub mod names {
    pub const SUBJECT: &str = "sub";
    pub const ISSUER: &str = "iss";
    pub const ISSUED_AT: &str = "iat";
    pub const EXPIRES: &str = "exp";
    pub const NOT_BEFORE: &str = "nbf";
    pub const STATE: &str = "state";
    pub const FORM: &str = "form";
    pub const PREFILL: &str = "prefill";
    pub const LOCALE: &str = "locale";
    pub const CONTINUE_HOST: &str = "continue_host";
    pub const CONTINUE_URI: &str = "continue_uri";
    pub const PREVIOUS_CONSENTS: &str = "previous_consents";
    /// The person's IP address, as Auth0 writes it into the session token.
    pub const IP: &str = "ip";
}

/// What `api.redirect.encodeToken` puts in the session token (beside `iat` and `exp`), and
/// the optional claims Stopover understands in its payload (docs/contract.md#session-claims):
/// the claims the signer has verified, `sub` and `iss` required.
pub type SessionClaims = SessionClaimsOf<String>;

/// The session token's claims as read by someone who cannot check its signature (the page):
/// the same claims, but `sub` and `iss` may be absent too. Nothing read here is trusted; it
/// only picks the form and the language, prefills fields and shows the time left.
pub type UntrustedSessionClaims = SessionClaimsOf<Option<String>>;

/// The session token's claims, one definition for [`SessionClaims`] and
/// [`UntrustedSessionClaims`]; `Id` is the type of `sub` and `iss`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionClaimsOf<Id> {
    /// The user id.
    pub sub: Id,
    /// The tenant's host name, e.g. `tenant.eu.auth0.com`.
    pub iss: Id,
    /// The person's IP address as Auth0 saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Which form to show; the first configured one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// Field values to start with: prefill key -> value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Map<String, Value>>,
    /// The person's language (BCP 47).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// A custom domain to continue on; used only when configured for the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_host: Option<String>,
    /// The same as a URL, `https://host/continue`, the convention of Auth0's own redirect
    /// examples; its host is used only when configured for the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_uri: Option<String>,
    /// The acceptances this form asks to renew, by consent field id: the version the person
    /// accepted before and when, so the page can say so beside the new version. Only shown,
    /// never trusted: the signer does not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_consents: Option<BTreeMap<String, PreviousConsent>>,
}

/// An earlier acceptance of a consent's document (`previous_consents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousConsent {
    /// The document version accepted then.
    pub version: String,
    /// Unix seconds of that acceptance.
    pub accepted_at: i64,
}

impl SessionClaims {
    /// The custom domain this token asks to continue on: `continue_host`, else the host of a
    /// `continue_uri` of the form `https://host/continue` (anything else asks for nothing).
    /// Only a hint: the signer uses it when the tenant's configuration lists the host.
    pub fn requested_continue_host(&self) -> Option<&str> {
        self.continue_host.as_deref().or_else(|| {
            let uri = self.continue_uri.as_deref()?;
            let rest = uri
                .strip_prefix("https://")
                .or_else(|| uri.strip_prefix("http://"))?;
            rest.strip_suffix("/continue")
                .filter(|host| !host.is_empty() && !host.contains(['/', '?', '#', '@']))
        })
    }
}

/// The custom claims of the continue token the signer mints (beside `iat` and `exp`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinueClaims {
    /// The tenant's configured issuer (by default the session token's `iss`).
    pub iss: String,
    /// The session token's `sub`: `/continue` requires the same user.
    pub sub: String,
    /// Must equal the `state` parameter `/continue` receives.
    pub state: String,
    /// Random, unique per token.
    pub jti: String,
    /// The form that was answered.
    pub form: FormRef,
    /// The validated, normalised answers.
    pub answers: CleanAnswers,
}

/// Which form, at which version, the answers were given to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRef {
    /// The form's id.
    pub id: String,
    /// The form's `version`.
    pub version: String,
    /// The questions this login asked, by id, when the form sets `max_fields_per_login`
    /// ([`FormDefinition::asked_fields`](crate::FormDefinition::asked_fields)): an answer
    /// missing from `answers` for one of them was left blank, not skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<Vec<String>>,
}
