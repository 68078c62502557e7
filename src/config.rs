//! The deploy-time configuration: `stopover.json` beside `index.html`.
//!
//! Changing it re-brands the page or points it at another signer without a rebuild.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Where the page finds its configuration, relative to `index.html`.
pub const CONFIG_PATH: &str = "stopover.json";

use stopover_protocol::launch::is_token_parameter_name;
/// The query parameter the session token arrives in unless `stopover.json` names another.
pub use stopover_protocol::launch::DEFAULT_TOKEN_PARAMETER;

/// The contents of `stopover.json`. Every key is optional.
///
/// There is no default form here: when the token names none, the signer decides
/// (`GET /api/forms?issuer=`), by the rule it applies when it mints.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PageConfig {
    /// The signer's base URL; empty means the page's own origin.
    pub signer_url: String,
    /// The query parameter the Action's `sendUserTo` puts the session token in.
    pub token_parameter: String,
    /// Where "Start again" takes the person: the application they were signing in to
    /// (an absolute `https://` or `http://` URL; anything else is ignored).
    pub return_url: Option<String>,
    pub brand: Brand,
    /// The operator's texts by language tag and key (`{"fr": {"expired_title": "..."}}`),
    /// in place of the page's own ([`crate::i18n::apply_overrides`]).
    pub texts: BTreeMap<String, serde_json::Value>,
    /// Languages the operator adds to the built-in ones (`["he", "sv"]`), each with its file
    /// `texts/{tag}.json` beside `index.html` ([`crate::i18n::Lang::add`]).
    pub languages: Vec<String>,
    /// Preview mode for form authors ([`crate::preview`]): only the `stopover.json` that
    /// `stopover-signer preview` serves sets it; a deployment never does.
    pub preview: bool,
}

impl Default for PageConfig {
    fn default() -> Self {
        Self {
            signer_url: String::new(),
            token_parameter: DEFAULT_TOKEN_PARAMETER.to_owned(),
            return_url: None,
            brand: Brand::default(),
            texts: BTreeMap::new(),
            languages: Vec::new(),
            preview: false,
        }
    }
}

/// How the page looks for this deployment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Brand {
    /// Shown in the header and the window title.
    pub name: String,
    pub logo_url: Option<String>,
    /// CSS colours by name; `accent` becomes the custom property `--brand-accent`.
    pub colors: BTreeMap<String, String>,
}

impl PageConfig {
    /// Fetches `stopover.json`. A missing or broken file is not fatal: the page then talks to
    /// its own origin, unbranded.
    /// The start-up script's request is used when there was one (src/preload.rs).
    pub async fn load() -> PageConfig {
        let text = match crate::preload::take_config_text().await {
            Some(text) => text,
            None => match gloo_net::http::Request::get(CONFIG_PATH).send().await {
                Ok(response) if response.ok() => response.text().await.ok(),
                _ => None,
            },
        };
        let Some(text) = text else {
            leptos::logging::warn!("{CONFIG_PATH} could not be loaded; using defaults");
            return PageConfig::default();
        };
        serde_json::from_slice(text.as_bytes()).unwrap_or_else(|_| {
            leptos::logging::warn!("{CONFIG_PATH} is not valid; using defaults");
            PageConfig::default()
        })
    }

    /// The name to read the session token from: `token_parameter` when it is one the signer
    /// accepts too ([`is_token_parameter_name`]), else `session_token`.
    pub fn token_parameter(&self) -> &str {
        let name = self.token_parameter.as_str();
        if is_token_parameter_name(name) {
            name
        } else {
            DEFAULT_TOKEN_PARAMETER
        }
    }

    /// The application to go back to for "Start again", when `return_url` is an absolute
    /// `https://` (or `http://`) URL: never `javascript:` or a path on this page.
    pub fn return_url(&self) -> Option<&str> {
        self.return_url
            .as_deref()
            .map(str::trim)
            .filter(|url| crate::continue_form::is_safe_action(url))
    }

    /// `path` on the signer (`/api/...`).
    pub fn signer_endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.signer_url.trim_end_matches('/'))
    }
}

impl Brand {
    /// The CSS custom properties this brand sets on `<html>`: `(--brand-NAME, value)`.
    /// Names other than lowercase letters, digits and `-` are skipped, and so are values
    /// that could end the declaration.
    pub fn css_properties(&self) -> Vec<(String, String)> {
        self.colors
            .iter()
            .filter(|(name, value)| {
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !value.contains([';', '{', '}', '<', '>'])
            })
            .map(|(name, value)| (format!("--brand-{name}"), value.trim().to_owned()))
            .collect()
    }

    /// Sets the brand's custom properties on `<html>` through the CSSOM, which a strict
    /// Content-Security-Policy allows (no `style` attribute is written as HTML).
    pub fn apply_to_document(&self) {
        use wasm_bindgen::JsCast;
        let Some(root) = leptos::prelude::document()
            .document_element()
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let style = root.style();
        for (name, value) in self.css_properties() {
            // An invalid colour is ignored by the browser; the stylesheet's default stays.
            let _ = style.set_property(&name, &value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_again_goes_only_to_an_absolute_web_address() {
        let with = |url: &str| PageConfig {
            return_url: Some(url.to_owned()),
            ..PageConfig::default()
        };
        assert_eq!(
            with(" https://app.example/login ").return_url(),
            Some("https://app.example/login")
        );
        assert_eq!(with("javascript:alert(1)").return_url(), None);
        assert_eq!(with("/login").return_url(), None);
        assert_eq!(PageConfig::default().return_url(), None);
        let read: PageConfig =
            serde_json::from_str(r#"{"return_url": "https://app.example/"}"#).unwrap();
        assert_eq!(read.return_url(), Some("https://app.example/"));
    }

    #[test]
    fn the_documented_shape_is_read() {
        let config: PageConfig = serde_json::from_str(
            r##"{"signer_url": "https://signer.example/", "brand": {"name": "Acme",
                "logo_url": "/logo.svg", "colors": {"accent": "#0b57d0"}}}"##,
        )
        .unwrap();
        assert_eq!(config.brand.name, "Acme");
        assert_eq!(
            config.signer_endpoint("/api/continue"),
            "https://signer.example/api/continue"
        );
        assert_eq!(
            config.brand.css_properties(),
            vec![("--brand-accent".to_owned(), "#0b57d0".to_owned())]
        );
    }

    #[test]
    fn an_empty_signer_url_means_same_origin() {
        let config: PageConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config.signer_endpoint("/api/forms/x"), "/api/forms/x");
    }

    #[test]
    fn the_token_parameter_is_configurable_and_defaults_to_session_token() {
        let config: PageConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config.token_parameter(), "session_token");
        let config: PageConfig =
            serde_json::from_str(r#"{"token_parameter": "stopover_token"}"#).unwrap();
        assert_eq!(config.token_parameter(), "stopover_token");
        for unusable in ["", "state", "a b", "x&state=1", &"t".repeat(65)] {
            let config = PageConfig {
                token_parameter: unusable.to_owned(),
                ..PageConfig::default()
            };
            assert_eq!(config.token_parameter(), "session_token", "{unusable:?}");
        }
    }

    #[test]
    fn an_old_stopover_json_with_default_form_still_loads() {
        let config: PageConfig =
            serde_json::from_str(r#"{"signer_url": "", "default_form": "profile"}"#).unwrap();
        assert_eq!(config, PageConfig::default());
    }

    #[test]
    fn unsafe_brand_names_and_values_are_skipped() {
        let brand = Brand {
            colors: BTreeMap::from([
                ("accent".to_owned(), "red; background: url(x)".to_owned()),
                ("Bad Name".to_owned(), "blue".to_owned()),
                ("text-2".to_owned(), " #222 ".to_owned()),
            ]),
            ..Brand::default()
        };
        assert_eq!(
            brand.css_properties(),
            vec![("--brand-text-2".to_owned(), "#222".to_owned())]
        );
    }
}
