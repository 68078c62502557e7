//! The simulated users, as Auth0 stores them: a profile, `user_metadata` (what the person may
//! edit: company, phone, ...) and `app_metadata` (what the application records: accepted terms).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One user of the simulated tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestUser {
    /// Auth0's `user_id`, the `sub` of every token about this user.
    pub user_id: String,
    pub name: String,
    pub given_name: String,
    pub email: String,
    /// The person's language (BCP 47), sent as the session token's `locale`.
    pub locale: String,
    pub user_metadata: Map<String, Value>,
    pub app_metadata: Map<String, Value>,
}

impl TestUser {
    /// The short id used in the simulator's URLs: the part after `|`.
    pub fn short_id(&self) -> &str {
        self.user_id
            .split_once('|')
            .map_or(self.user_id.as_str(), |(_, id)| id)
    }

    /// A `user_metadata` entry that holds a non-blank string.
    pub fn metadata_text(&self, key: &str) -> Option<&str> {
        self.user_metadata
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
    }
}
