//! The tenant's memory: its users, the login transactions waiting at `/continue`, and the
//! logins that finished.

use std::collections::{BTreeMap, HashMap};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use serde_json::{Map, Value};

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
    /// By the random id the callback URL carries.
    logins: HashMap<String, CompletedLogin>,
}

/// A login that the Action redirected to a stopover and that waits at `/continue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// Short id of the user signing in.
    pub user: String,
    /// The browser session cookie it is bound to.
    pub browser: String,
    pub created_at: i64,
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

/// A finished login, shown on the callback page.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedLogin {
    pub user: String,
    /// The stopover's form claim, when the login went through one.
    pub form: Option<Value>,
    /// The answers the stopover sent, when the login went through one.
    pub answers: Option<Map<String, Value>>,
    /// The continue token's `stored` record: metadata keys the signer wrote itself.
    pub stored: Option<Map<String, Value>>,
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

    /// Opens a transaction for `user` in `browser` and returns its new single-use `state`.
    pub fn start_transaction(&mut self, user: &str, browser: &str, now: i64) -> String {
        self.transactions
            .retain(|_, transaction| !transaction.expired(now));
        let state = random_id();
        self.transactions.insert(
            state.clone(),
            Transaction {
                user: user.to_owned(),
                browser: browser.to_owned(),
                created_at: now,
            },
        );
        state
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

    /// Records a finished login and returns the id its callback URL carries.
    pub fn complete(&mut self, login: CompletedLogin) -> String {
        let id = random_id();
        self.logins.insert(id.clone(), login);
        id
    }

    pub fn login(&self, id: &str) -> Option<&CompletedLogin> {
        self.logins.get(id)
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

    #[test]
    fn a_state_is_single_use() {
        let mut tenant = Tenant::new(default_users());
        let state = tenant.start_transaction("bruno", "b1", 0);
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
        let state = tenant.start_transaction("bruno", "b1", 0);
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
        let state = tenant.start_transaction("bruno", "b1", 0);
        assert!(tenant.take_transaction(&state, Some("b1"), 3600).is_ok());
        let state = tenant.start_transaction("bruno", "b1", 0);
        assert_eq!(
            tenant.take_transaction(&state, Some("b1"), 3601),
            Err(StateProblem::Expired)
        );
    }

    #[test]
    fn states_are_random_and_url_safe() {
        let (a, b) = (random_id(), random_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(stopover_protocol::State::parse(&a).is_ok());
    }
}
