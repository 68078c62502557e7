//! The simulator's HTML: plain server-rendered pages, every dynamic text escaped, styles from
//! one stylesheet, no scripts.

use serde_json::{Map, Value};

use crate::tenant::{Login, Outcome};
use crate::users::TestUser;

/// The stylesheet every page links to.
pub const STYLESHEET_PATH: &str = "/_sim/style.css";

/// The stylesheet's text.
pub const STYLESHEET: &str = r#":root { color-scheme: light dark; --accent: #0b57d0; --text: #1b1b1f; --muted: #44474e; --bg: #f8f9fc; --card: #ffffff; --line: #c4c6d0; }
@media (prefers-color-scheme: dark) { :root { --accent: #a8c7fa; --text: #e3e2e6; --muted: #c4c6d0; --bg: #111318; --card: #1d2024; --line: #44474e; } }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, sans-serif; color: var(--text); background: var(--bg); }
main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
p, li { color: var(--muted); }
.users { list-style: none; padding: 0; display: grid; gap: .75rem; }
.user { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; }
.user p { margin: .25rem 0 .75rem; }
.button { display: inline-block; padding: .6rem 1rem; border-radius: .4rem; background: var(--accent); color: var(--bg); text-decoration: none; font-weight: 600; }
.button:focus-visible, a:focus-visible { outline: 3px solid var(--text); outline-offset: 2px; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, monospace; }
pre { background: var(--card); border: 1px solid var(--line); border-radius: .4rem; padding: .75rem; overflow-x: auto; color: var(--text); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.reset { margin: .75rem 0 0; }
.button.secondary { border: 2px solid var(--accent); background: transparent; color: var(--accent); font: inherit; font-weight: 600; cursor: pointer; }
.error { border-left: .3rem solid #b3261e; padding-left: 1rem; }
"#;

/// What the Action will do at a user's next sign-in, from a dry run of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// A redirect to Stopover, asking for this form (the session token's `form` claim).
    Stopover(Option<String>),
    /// No redirect: the sign-in finishes at once.
    Finish,
    /// `api.access.deny(reason)`.
    Denied(String),
    /// The dry run failed; why.
    Unknown(String),
}

/// The start page: one "Sign in as ..." per user, with where that sign-in will go, and a
/// "Reset" button that forgets what earlier sign-ins stored on the user.
pub fn start_page(users: &[(&TestUser, NextStep)]) -> String {
    let mut items = String::new();
    for (user, next) in users {
        let next = match next {
            NextStep::Stopover(Some(form)) => format!(
                "Next sign-in stops over at the <code>{}</code> form.",
                escape(form)
            ),
            NextStep::Stopover(None) => {
                "Next sign-in stops over (the session token names no form).".to_owned()
            }
            NextStep::Finish => "Next sign-in finishes at once: nothing is missing.".to_owned(),
            NextStep::Denied(reason) => format!("Next sign-in is denied: {}", escape(reason)),
            NextStep::Unknown(problem) => {
                format!("The Action could not be run: {}", escape(problem))
            }
        };
        items.push_str(&format!(
            r#"<li class="user"><h2>{name}</h2><p>{email} · language <code>{locale}</code>. {next}</p><a class="button" href="/authorize?user={id}">Sign in as {name}</a> <a href="/_sim/users/{id}">stored user (JSON)</a><form class="reset" method="post" action="/_sim/users/{id}/reset"><button class="button secondary" type="submit">Reset {name}</button></form></li>"#,
            name = escape(&user.name),
            email = escape(&user.email),
            locale = escape(&user.locale),
            id = escape(user.short_id()),
        ));
    }
    layout(
        "Tenant simulator",
        &format!(
            r#"<h1>Stopover tenant simulator</h1><p>A stand-in for an Auth0 tenant whose post-login Action sends people to Stopover when their profile or consents are incomplete. The Action runs under Node, as it would at Auth0. <a href="/_sim/logins">Every login so far (JSON)</a>.</p><ul class="users">{items}</ul>"#
        ),
    )
}

/// The application's callback after a finished login: who signed in, which form the Action
/// asked for, what the continue token answered, the custom claims the Action added, and the
/// user as stored now.
pub fn signed_in_page(user: &TestUser, login: &Login) -> String {
    let (continued, id_token_claims) = match &login.outcome {
        Outcome::SignedIn {
            continued,
            id_token_claims,
            ..
        } => (continued.as_ref(), Some(id_token_claims)),
        _ => (None, None),
    };
    let stopover = match continued {
        Some(continued) => {
            let asked = match &login.form_asked {
                Some(form) => format!(
                    "The Action asked for the <code>{}</code> form. ",
                    escape(form)
                ),
                None => String::new(),
            };
            format!(
                r#"<h2>Answers stored by the stopover</h2><p>{asked}{}</p>{}"#,
                escape(&describe_form(&continued.form)),
                definition_list(&continued.answers)
            )
        }
        None => "<p>No stopover was needed for this sign-in.</p>".to_owned(),
    };
    let claims = match id_token_claims.filter(|claims| !claims.is_empty()) {
        Some(claims) => format!(
            r#"<h2>Custom claims in the ID token</h2>{}"#,
            definition_list(claims)
        ),
        None => String::new(),
    };
    let profile = serde_json::to_string_pretty(user).unwrap_or_default();
    layout(
        "Signed in",
        &format!(
            r#"<h1>Signed in</h1><p>You are signed in as {name}.</p>{stopover}{claims}<h2>Profile</h2><pre>{profile}</pre><p><a href="/">Back to the start page</a></p>"#,
            name = escape(&user.name),
            profile = escape(&profile),
        ),
    )
}

/// `<dl>` of names and values, every text escaped.
fn definition_list(entries: &Map<String, Value>) -> String {
    let mut rows = String::new();
    for (name, value) in entries {
        rows.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>",
            escape(name),
            escape(&display_value(value))
        ));
    }
    format!("<dl>{rows}</dl>")
}

/// Auth0's error page: the error code and its description.
pub fn error_page(error: &str, description: &str) -> String {
    layout(
        "Error",
        &format!(
            r#"<div class="error"><h1>Oops!, something went wrong</h1><p><code>{}</code>: {}</p></div><p><a href="/">Back to the start page</a></p>"#,
            escape(error),
            escape(description)
        ),
    )
}

/// Text made safe for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{} · Tenant simulator</title><link rel="stylesheet" href="{STYLESHEET_PATH}"></head><body><main>{body}</main></body></html>"#,
        escape(title)
    )
}

/// `Form profile, version 1.` from the continue token's `form` claim.
fn describe_form(form: &Value) -> String {
    match (form["id"].as_str(), form["version"].as_str()) {
        (Some(id), Some(version)) => format!("Form {id}, version {version}."),
        _ => format!("Form {}.", display_value(form)),
    }
}

/// A string as itself, anything else as compact JSON.
fn display_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::tenant::Continued;
    use serde_json::json;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn answers_and_claims_are_shown_as_text_never_as_html() {
        let user = crate::config::default_users().remove(1);
        let mut answers = Map::new();
        answers.insert("company".into(), json!("<script>alert(1)</script>"));
        let mut claims = Map::new();
        claims.insert("https://example.com/<b>".into(), json!("<i>x</i>"));
        let login = Login {
            id: "l".into(),
            user: "bruno".into(),
            started_at: 0,
            form_asked: Some("profile".into()),
            outcome: Outcome::SignedIn {
                continued: Some(Continued {
                    form: json!({"id": "profile", "version": "1"}),
                    answers,
                    stored: None,
                }),
                id_token_claims: claims,
                access_token_claims: Map::new(),
            },
        };
        let page = signed_in_page(&user, &login);
        assert!(!page.contains("<script>") && !page.contains("<b>") && !page.contains("<i>"));
        assert!(page.contains("The Action asked for the <code>profile</code> form."));
        assert!(page.contains("Form profile, version 1."));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("Custom claims in the ID token"));
    }

    #[test]
    fn the_start_page_says_what_the_dry_run_found() {
        let users = crate::config::default_users();
        let rows = vec![
            (&users[0], NextStep::Finish),
            (&users[1], NextStep::Stopover(Some("profile".into()))),
            (&users[2], NextStep::Unknown("<node> missing".into())),
        ];
        let page = start_page(&rows);
        assert!(page.contains("finishes at once"));
        assert!(page.contains("<code>profile</code>"));
        assert!(page.contains("The Action could not be run: &lt;node&gt; missing"));
    }
}
