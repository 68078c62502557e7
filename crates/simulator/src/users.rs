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

    /// What the Action's `api.user.setUserMetadata` and `setAppMetadata` calls asked for,
    /// applied as Auth0 applies them once the Action returns: each top-level key replaced,
    /// and removed when its value is `null`.
    pub fn apply_metadata(
        &mut self,
        user_metadata: &Map<String, Value>,
        app_metadata: &Map<String, Value>,
    ) {
        for (changes, metadata) in [
            (user_metadata, &mut self.user_metadata),
            (app_metadata, &mut self.app_metadata),
        ] {
            for (key, value) in changes {
                if value.is_null() {
                    metadata.remove(key);
                } else {
                    metadata.insert(key.clone(), value.clone());
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_changes_replace_top_level_keys_and_null_removes_one() {
        let mut bruno = crate::config::default_users().remove(1);
        let changes = |value: Value| value.as_object().unwrap().clone();
        bruno.apply_metadata(
            &changes(json!({"phone": "+4930901820", "country": null})),
            &changes(json!({"consents": {"privacy": {"version": "1"}}})),
        );
        assert_eq!(bruno.user_metadata["phone"], "+4930901820");
        assert!(!bruno.user_metadata.contains_key("country"));
        assert_eq!(
            bruno.app_metadata["consents"],
            json!({"privacy": {"version": "1"}}),
            "a key is replaced, not merged"
        );
        assert_eq!(bruno.app_metadata["account_ref"], "ACC-1002");
    }
}
