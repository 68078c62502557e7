//! The tenant's memory: its users, the login transactions waiting at `/continue`, and a
//! record of every login (what the Action asked for, how the login ended).

use std::collections::{BTreeMap, HashMap};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::event::TransactionInfo;
use crate::users::TestUser;

/// How long a login transaction lives, as at Auth0.
pub const TRANSACTION_LIFETIME_SECS: i64 = 3600;

/// The simulated tenant's data, behind one lock in the app state.
#[derive(Debug, Default)]
pub struct Tenant {
    /// By short id (`bruno` for `auth0|bruno`).
    users: BTreeMap<String, TestUser>,
    /// By `state`.
    transactions: HashMap<String, Transaction>,
    /// Every login, oldest first.
    logins: Vec<Login>,
}

/// A login that the Action redirected to a stopover and that waits at `/continue`.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    /// Short id of the user signing in.
    pub user: String,
    /// The browser session cookie it is bound to.
    pub browser: String,
    pub created_at: i64,
    /// The id of its [`Login`] record.
    pub login: String,
    /// The user as the login read them at `/authorize`: `onContinuePostLogin` gets this
    /// `event.user`, not what was written to the user since (by the Management API, say).
    pub user_at_start: TestUser,
    /// `event.transaction`, the same for both hooks.
    pub info: TransactionInfo,
}

/// Why a `state` does not lead to a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StateProblem {
    #[error("The login transaction for this state was not found, or it was already completed. A state can be used once.")]
    Unknown,
    #[error("You may have pressed the back button, refreshed during login, opened too many login dialogs, or there is some issue with cookies, since we couldn't find your session. Try logging in again from the application.")]
    OtherBrowser,
    #[error("The login transaction has expired: a login must finish within one hour.")]
    Expired,
}

/// One login, from `/authorize` on: shown on the callback page and in `/_sim/logins`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Login {
    /// Random; the callback URL carries it.
    pub id: String,
    /// Short id of the user.
    pub user: String,
    pub started_at: i64,
    /// The form the Action asked for: the `form` claim of the session token it encoded.
    pub form_asked: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// How a login stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Redirected by the Action; waiting at `/continue`.
    AtStopover,
    /// Finished: the application got its tokens.
    SignedIn {
        /// What `validateToken` returned at `/continue`, when the login went through a
        /// stopover.
        continued: Option<Continued>,
        /// `api.idToken.setCustomClaim` calls of the Action.
        id_token_claims: Map<String, Value>,
        /// `api.accessToken.setCustomClaim` calls of the Action.
        access_token_claims: Map<String, Value>,
    },
    /// `api.access.deny(reason)`.
    Denied {
        reason: String,
        /// Why `validateToken` threw, if it did (the tenant log's detail).
        validate_token_error: Option<String>,
    },
    /// The Action could not run, or threw.
    Failed { error: String },
}

/// The continue token's claims the callback page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Continued {
    /// `form` (`{"id", "version"}` from the signer), `null` when absent.
    pub form: Value,
    /// `answers`, empty when absent.
    pub answers: Map<String, Value>,
    /// `stored` (`{"user_metadata": [keys], "app_metadata": [keys]}`): what the signer wrote
    /// through the Management API itself.
    pub stored: Option<Value>,
}

impl Continued {
    /// From the claims `validateToken` returned.
    pub fn from_claims(claims: &Map<String, Value>) -> Self {
        Self {
            form: claims.get("form").cloned().unwrap_or(Value::Null),
            answers: claims
                .get("answers")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            stored: claims.get("stored").cloned(),
        }
    }
}

impl Tenant {
    pub fn new(users: Vec<TestUser>) -> Self {
        Self {
            users: users
                .into_iter()
                .map(|user| (user.short_id().to_owned(), user))
                .collect(),
            ..Self::default()
        }
    }

    pub fn users(&self) -> impl Iterator<Item = &TestUser> {
        self.users.values()
    }

    pub fn user(&self, short_id: &str) -> Option<&TestUser> {
        self.users.get(short_id)
    }

    pub fn user_mut(&mut self, short_id: &str) -> Option<&mut TestUser> {
        self.users.get_mut(short_id)
    }

    /// Puts `original` back as it was configured, forgetting what sign-ins stored on it, so a
    /// shared demo can walk the same stopover again. False when the tenant has no such user.
    pub fn reset_user(&mut self, original: &TestUser) -> bool {
        match self.users.get_mut(original.short_id()) {
            Some(user) => {
                *user = original.clone();
                true
            }
            None => false,
        }
    }

    /// Opens `transaction` under its single-use `state`.
    pub fn open_transaction(&mut self, state: String, transaction: Transaction) {
        let now = transaction.created_at;
        self.transactions
            .retain(|_, transaction| !transaction.expired(now));
        self.transactions.insert(state, transaction);
    }

    /// Takes the transaction of `state` out, so it cannot be used again. A request from
    /// another browser leaves it in place: that browser never had it.
    pub fn take_transaction(
        &mut self,
        state: &str,
        browser: Option<&str>,
        now: i64,
    ) -> Result<Transaction, StateProblem> {
        let transaction = self.transactions.get(state).ok_or(StateProblem::Unknown)?;
        if browser != Some(transaction.browser.as_str()) {
            return Err(StateProblem::OtherBrowser);
        }
        let transaction = self
            .transactions
            .remove(state)
            .ok_or(StateProblem::Unknown)?;
        if transaction.expired(now) {
            return Err(StateProblem::Expired);
        }
        Ok(transaction)
    }

    /// Records a login, or replaces the record with the same id.
    pub fn record(&mut self, login: Login) {
        match self.logins.iter_mut().find(|known| known.id == login.id) {
            Some(known) => *known = login,
            None => self.logins.push(login),
        }
    }

    pub fn login(&self, id: &str) -> Option<&Login> {
        self.logins.iter().find(|login| login.id == id)
    }

    /// Every login, oldest first.
    pub fn logins(&self) -> &[Login] {
        &self.logins
    }
}

impl Transaction {
    fn expired(&self, now: i64) -> bool {
        now.saturating_sub(self.created_at) > TRANSACTION_LIFETIME_SECS
    }
}

/// 256 random bits, URL-safe: states, browser sessions and login ids.
pub fn random_id() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::default_users;
    use crate::params::Params;

    fn open(tenant: &mut Tenant, user: &str, browser: &str, now: i64) -> String {
        let state = random_id();
        let user_at_start = tenant.user(user).unwrap().clone();
        let info = TransactionInfo::from_authorize(&Params::default(), &user_at_start);
        tenant.open_transaction(
            state.clone(),
            Transaction {
                user: user.to_owned(),
                browser: browser.to_owned(),
                created_at: now,
                login: random_id(),
                user_at_start,
                info,
            },
        );
        state
    }

    #[test]
    fn a_state_is_single_use() {
        let mut tenant = Tenant::new(default_users());
        let state = open(&mut tenant, "bruno", "b1", 0);
        assert_eq!(
            tenant.take_transaction(&state, Some("b1"), 1).unwrap().user,
            "bruno"
        );
        assert_eq!(
            tenant.take_transaction(&state, Some("b1"), 2),
            Err(StateProblem::Unknown)
        );
    }

    #[test]
    fn a_state_from_another_browser_is_refused_and_kept() {
        let mut tenant = Tenant::new(default_users());
        let state = open(&mut tenant, "bruno", "b1", 0);
        assert_eq!(
            tenant.take_transaction(&state, Some("b2"), 1),
            Err(StateProblem::OtherBrowser)
        );
        assert_eq!(
            tenant.take_transaction(&state, None, 1),
            Err(StateProblem::OtherBrowser)
        );
        assert!(tenant.take_transaction(&state, Some("b1"), 1).is_ok());
    }

    #[test]
    fn a_transaction_lives_one_hour() {
        let mut tenant = Tenant::new(default_users());
        let state = open(&mut tenant, "bruno", "b1", 0);
        assert!(tenant.take_transaction(&state, Some("b1"), 3600).is_ok());
        let state = open(&mut tenant, "bruno", "b1", 0);
        assert_eq!(
            tenant.take_transaction(&state, Some("b1"), 3601),
            Err(StateProblem::Expired)
        );
    }

    #[test]
    fn a_login_record_is_replaced_by_id() {
        let mut tenant = Tenant::new(default_users());
        let login = |outcome| Login {
            id: "l1".into(),
            user: "bruno".into(),
            started_at: 0,
            form_asked: Some("profile".into()),
            outcome,
        };
        tenant.record(login(Outcome::AtStopover));
        tenant.record(login(Outcome::Failed { error: "x".into() }));
        assert_eq!(tenant.logins().len(), 1);
        assert_eq!(
            tenant.login("l1").unwrap().outcome,
            Outcome::Failed { error: "x".into() }
        );
    }

    #[test]
    fn states_are_random_and_url_safe() {
        let (a, b) = (random_id(), random_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(stopover_protocol::LoginState::parse(&a).is_ok());
    }
}
