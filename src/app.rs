//! The page from start to finish: which state to show, from the link, the token's claims,
//! the deploy-time configuration and the signer's answers.

use leptos::prelude::*;
use leptos::task::spawn_local;
use stopover_protocol::FormDefinition;

use crate::api::{self, ApiError, FormRequest};
use crate::config::{Brand, PageConfig};
use crate::form::FormPage;
use crate::handoff::HandoffMode;
use crate::i18n::{Lang, Msg};
use crate::launch::{Launch, LaunchError, LaunchQuery};
use crate::session::{now_seconds, Session};
use crate::states::{Expired, LinkProblem, NotVerified, RetryNotice, UnknownForm};

/// The page as `main` mounts it: loads `stopover.json` (preloaded), takes the launch values
/// from the captured query with its `token_parameter` (removing them from the address bar),
/// then shows [`Stopover`].
#[component]
pub fn App(
    /// The query the page was opened with, captured at start.
    query: LaunchQuery,
) -> impl IntoView {
    let loaded = RwSignal::new(None::<(Result<Launch, LaunchError>, PageConfig)>);
    spawn_local(async move {
        let config = PageConfig::load().await;
        let launch = query.take(config.token_parameter());
        loaded.set(Some((launch, config)));
    });
    move || match loaded.get() {
        None => {
            view! { <p class="loading" role="status">{Msg::Loading.text(Lang::En)}</p> }.into_any()
        }
        Some((launch, config)) => view! {
            <Stopover launch config handoff=HandoffMode::Automatic />
        }
        .into_any(),
    }
}

/// Everything below the configuration: picks the language, applies the brand, and shows
/// the form or the state that stands in its way.
#[component]
pub fn Stopover(
    /// What the page was opened with.
    launch: Result<Launch, LaunchError>,
    /// The deploy-time configuration.
    config: PageConfig,
    /// Whether the final hand-off submits itself.
    #[prop(optional)]
    handoff: HandoffMode,
) -> impl IntoView {
    let session = launch
        .as_ref()
        .ok()
        .map(|launch| Session::read_untrusted(&launch.session_token));
    let locale = match &session {
        Some(Ok(session)) => session.locale.clone(),
        _ => None,
    };
    let lang = Lang::choose(locale.as_deref(), &Lang::browser_languages());
    lang.apply_to_document();
    config.brand.apply_to_document();
    if !config.brand.name.is_empty() {
        document().set_title(&config.brand.name);
    }
    provide_context(lang);

    let body = match (launch, session) {
        (Ok(launch), Some(Ok(session))) => {
            let request = FormRequest::for_claims(
                session.form.as_ref().map(|id| id.0.as_str()),
                session.issuer.as_deref(),
            );
            match request {
                _ if session.is_expired(now_seconds()) => view! { <Expired /> }.into_any(),
                Some(request) => view! {
                    <FormLoader request launch session config=config.clone() handoff />
                }
                .into_any(),
                // Neither a form nor an issuer: no signer could accept this token.
                None => view! { <NotVerified /> }.into_any(),
            }
        }
        // A token is there but cannot even be read: say so, not which check failed.
        (Ok(_), _) => view! { <NotVerified /> }.into_any(),
        (Err(_), _) => view! { <LinkProblem /> }.into_any(),
    };
    view! {
        <BrandHeader brand=config.brand.clone() />
        <main id="main" class="page">{body}</main>
    }
}

/// The brand's logo and name, when the deployment sets them.
#[component]
fn BrandHeader(
    /// The deployment's brand.
    brand: Brand,
) -> impl IntoView {
    let has_brand = !brand.name.is_empty() || brand.logo_url.is_some();
    has_brand.then(|| {
        view! {
            <header class="brand">
                {brand.logo_url.map(|url| view! { <img class="brand-logo" src=url alt="" /> })}
                <span class="brand-name">{brand.name}</span>
            </header>
        }
    })
}

/// Fetches the form definition, then shows the form; a failure shows what happened, with a
/// retry when one can help.
#[component]
fn FormLoader(
    /// The form to load: by id, or the one the signer picks for the issuer.
    request: FormRequest,
    /// What the page was opened with.
    launch: Launch,
    /// The token's claims.
    session: Session,
    /// Where the signer is.
    config: PageConfig,
    /// Whether the final hand-off submits itself.
    handoff: HandoffMode,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let loaded = RwSignal::new(None::<Result<FormDefinition, (ApiError, i64)>>);
    let request = StoredValue::new((config.clone(), request));
    let load = move || {
        loaded.set(None);
        let (config, request) = request.get_value();
        spawn_local(async move {
            let result = api::fetch_form(&config, &request).await.map_err(|error| {
                let retry_at = match &error {
                    ApiError::RateLimited { retry_after_secs } => {
                        now_seconds() + i64::try_from(*retry_after_secs).unwrap_or(0)
                    }
                    _ => 0,
                };
                (error, retry_at)
            });
            loaded.set(Some(result));
        });
    };
    load();
    let parts = StoredValue::new((launch, session, config));
    move || match loaded.get() {
        None => view! { <p class="loading" role="status">{Msg::Loading.text(lang)}</p> }.into_any(),
        Some(Ok(form)) => {
            let (launch, session, config) = parts.get_value();
            view! { <FormPage form launch session config handoff /> }.into_any()
        }
        Some(Err((ApiError::UnknownForm, _))) => view! { <UnknownForm /> }.into_any(),
        Some(Err((error, retry_at))) => view! {
            <RetryNotice error retry_at on_retry=Callback::new(move |()| load()) />
        }
        .into_any(),
    }
}
