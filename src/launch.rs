//! The two values the Auth0 Action sends the person here with: `state` and the session token
//! (in `session_token`, or the parameter `stopover.json`'s `token_parameter` names).
//!
//! The query is captured once, at start; as soon as `stopover.json` (preloaded beside the
//! wasm) says which parameter holds the token, it is parsed and both values are removed from
//! the address bar (so they do not linger in history, bookmarks or screenshots). They are
//! never logged.

use std::fmt;

use stopover_protocol::launch::STATE_PARAMETER;
pub use stopover_protocol::{LoginState, SessionToken};
use stopover_protocol::{SessionTokenError, StateError};

/// The address bar's query as the page was opened, kept only until the token's parameter name
/// is known. Its `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct LaunchQuery(String);

/// What the page was opened with: a valid-looking state and a session token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub state: LoginState,
    pub session_token: SessionToken,
}

/// Why the page cannot start: the link it was opened with is incomplete or damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LaunchError {
    #[error("the page was opened without a login")]
    NoLogin,
    #[error("the link has no `state`")]
    MissingState,
    #[error("the link's `state` is malformed")]
    MalformedState,
    #[error("the link has no session token")]
    MissingToken,
    #[error("the link's session token is too long")]
    TokenTooLong,
}

impl LaunchQuery {
    /// The query of the address bar now (`location.search`).
    pub fn capture() -> Self {
        Self(
            leptos::prelude::window()
                .location()
                .search()
                .unwrap_or_default(),
        )
    }

    /// A query given as text (`?a=b&c=d`).
    pub fn from_search(search: &str) -> Self {
        Self(search.to_owned())
    }

    /// Reads the launch values, the token from `token_parameter`, and removes `state` and
    /// that parameter from the address bar straight away, whether or not they are valid.
    pub fn take(self, token_parameter: &str) -> Result<Launch, LaunchError> {
        let launch = parse_query(&self.0, token_parameter);
        forget_launch_parameters(&leptos::prelude::window(), token_parameter);
        launch
    }
}

impl fmt::Debug for LaunchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LaunchQuery({} bytes)", self.0.len())
    }
}

/// Reads the launch values from a query string (`?a=b&c=d`, the leading `?` optional), the
/// token from the parameter `token_parameter`. Names and values are
/// `application/x-www-form-urlencoded` (`+` is a space, `%XX` a byte, a broken `%` sequence
/// stays as written); the first occurrence of each name counts.
pub fn parse_query(search: &str, token_parameter: &str) -> Result<Launch, LaunchError> {
    let query = search.trim_start_matches('?');
    let first = |wanted: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.into_owned())
    };
    let state = first(STATE_PARAMETER).filter(|s| !s.is_empty());
    let token = first(token_parameter).unwrap_or_default();
    let state = match state {
        Some(state) => state,
        None if token.is_empty() => return Err(LaunchError::NoLogin),
        None => return Err(LaunchError::MissingState),
    };
    let state = LoginState::parse(&state).map_err(|error| match error {
        StateError::Empty => LaunchError::MissingState,
        StateError::TooLong | StateError::InvalidCharacters => LaunchError::MalformedState,
    })?;
    let session_token = SessionToken::parse(&token).map_err(|error| match error {
        SessionTokenError::Empty => LaunchError::MissingToken,
        SessionTokenError::TooLong => LaunchError::TokenTooLong,
    })?;
    Ok(Launch {
        state,
        session_token,
    })
}

/// Rewrites the address without `state` and the token's parameter, keeping everything else.
fn forget_launch_parameters(window: &web_sys::Window, token_parameter: &str) {
    let Ok(href) = window.location().href() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    let params = url.search_params();
    params.delete(STATE_PARAMETER);
    params.delete(token_parameter);
    url.set_search(&String::from(params.to_string()));
    if let Ok(history) = window.history() {
        // Nothing to recover if the browser refuses: the page still works, only the address
        // keeps the values.
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "session_token";

    #[test]
    fn state_and_token_are_read_from_the_query() {
        let launch = parse_query("?state=abc-123&session_token=eyJ.x.y&other=1", TOKEN).unwrap();
        assert_eq!(launch.state.as_str(), "abc-123");
        assert_eq!(launch.session_token.as_str(), "eyJ.x.y");
    }

    #[test]
    fn the_token_is_read_from_the_configured_parameter_only() {
        let query = "?state=s&session_token=default.x.y&stopover_token=configured.x.y";
        let launch = parse_query(query, "stopover_token").unwrap();
        assert_eq!(launch.session_token.as_str(), "configured.x.y");
        assert_eq!(
            parse_query("?state=s&session_token=a.b.c", "stopover_token"),
            Err(LaunchError::MissingToken)
        );
        let launch = parse_query("?state=s&stopover%5Ftoken=x.y.z", "stopover_token").unwrap();
        assert_eq!(
            launch.session_token.as_str(),
            "x.y.z",
            "names are decoded too"
        );
    }

    #[test]
    fn the_first_occurrence_of_a_parameter_counts() {
        let launch = parse_query(
            "?state=first&state=second&session_token=a&session_token=b",
            TOKEN,
        )
        .unwrap();
        assert_eq!(launch.state.as_str(), "first");
        assert_eq!(launch.session_token.as_str(), "a");
    }

    #[test]
    fn debug_output_never_shows_the_query() {
        let query = LaunchQuery::from_search("?state=s&session_token=secret");
        assert_eq!(format!("{query:?}"), "LaunchQuery(29 bytes)");
    }

    #[test]
    fn percent_encoded_values_are_decoded() {
        let launch = parse_query("session_token=a%2Eb%2ec&state=x%7Ey", TOKEN).unwrap();
        assert_eq!(launch.state.as_str(), "x~y");
        assert_eq!(launch.session_token.as_str(), "a.b.c");
    }

    #[test]
    fn a_link_without_state_is_refused() {
        assert_eq!(
            parse_query("?session_token=t", TOKEN),
            Err(LaunchError::MissingState)
        );
        assert_eq!(
            parse_query("?state=&session_token=t", TOKEN),
            Err(LaunchError::MissingState)
        );
    }

    #[test]
    fn a_query_with_neither_value_carries_no_login() {
        assert_eq!(parse_query("", TOKEN), Err(LaunchError::NoLogin));
        assert_eq!(
            parse_query("?other=1&state=", TOKEN),
            Err(LaunchError::NoLogin)
        );
        assert_eq!(
            parse_query("?session_token=t", "stopover_token"),
            Err(LaunchError::NoLogin),
            "a token in another parameter is not this deployment's"
        );
    }

    #[test]
    fn a_link_without_token_is_refused() {
        assert_eq!(
            parse_query("?state=s", TOKEN),
            Err(LaunchError::MissingToken)
        );
        assert_eq!(
            parse_query("?state=s&session_token=", TOKEN),
            Err(LaunchError::MissingToken)
        );
    }

    #[test]
    fn a_state_with_unsafe_characters_is_refused() {
        assert_eq!(
            parse_query("?state=a%3Cb&session_token=t", TOKEN),
            Err(LaunchError::MalformedState)
        );
        assert_eq!(
            parse_query("?state=a+b&session_token=t", TOKEN),
            Err(LaunchError::MalformedState)
        );
    }

    #[test]
    fn an_oversized_token_is_refused() {
        let query = format!(
            "?state=s&session_token={}",
            "a".repeat(stopover_protocol::limits::MAX_TOKEN_BYTES + 1)
        );
        assert_eq!(parse_query(&query, TOKEN), Err(LaunchError::TokenTooLong));
    }

    #[test]
    fn a_broken_percent_sequence_is_kept_literally() {
        let token =
            |query: &str| parse_query(query, TOKEN).map(|l| l.session_token.as_str().to_owned());
        assert_eq!(token("?state=s&session_token=100%").as_deref(), Ok("100%"));
        assert_eq!(token("?state=s&session_token=%zz").as_deref(), Ok("%zz"));
        assert_eq!(token("?state=s&session_token=%C3%A9").as_deref(), Ok("é"));
        assert_eq!(
            parse_query("?state=%FF&session_token=t", TOKEN),
            Err(LaunchError::MalformedState),
            "a state whose bytes are not UTF-8 is refused"
        );
    }
}
