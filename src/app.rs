//! The page from start to finish: which state to show, from the link, the token's claims,
//! the deploy-time configuration and the signer's answers.

use leptos::prelude::*;
use stopover_protocol::SessionCheck;

use crate::api::{self, ApiError, FormRequest};
use crate::config::{Brand, PageConfig, CONFIG_PATH};
use crate::continue_form::HandoffMode;
use crate::form_page::FormPage;
use crate::i18n::{Lang, Msg};
use crate::launch::{Launch, LaunchError, LaunchQuery};
use crate::preview::PreviewQuery;
use crate::retry::Failure;
use crate::session::{now_seconds, Session};
use crate::states::{
    AlreadyDone, Expired, Finished, LinkProblem, NotVerified, RetryNotice, UnknownForm,
};
use crate::tab_memory;

/// The page as `main` mounts it: loads `stopover.json` (preloaded), takes the launch values
/// from the captured query with its `token_parameter` (removing them from the address bar),
/// then shows [`Stopover`].
#[component]
pub fn App(
    /// The query the page was opened with, captured at start.
    query: LaunchQuery,
) -> impl IntoView {
    // Loaded once (so the address bar is cleared once); "Loading…" until then. A signal set
    // from `spawn_local` rather than a `LocalResource` in `<Suspense>`: the same behaviour for
    // 13.5 kB less brotli wasm (43.6 kB raw; docs/architecture.md, "Page size and start-up").
    let started = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        let config = PageConfig::load().await;
        // A preview has no login to take (docs/operators.md, "Writing forms"); only a page
        // built with the `preview` feature has preview mode.
        #[cfg(feature = "preview")]
        let preview = config.preview.then(PreviewQuery::capture);
        #[cfg(not(feature = "preview"))]
        let preview: Option<PreviewQuery> = None;
        let launch = match preview {
            Some(_) => Err(LaunchError::NoLogin),
            None => query.take(config.token_parameter()),
        };
        started.set(Some((launch, config, preview)));
    });
    // Until then `index.html`'s skeleton says "Loading…" in the person's language.
    move || {
        started.get().map(|(launch, config, preview)| {
            view! { <Stopover launch config handoff=HandoffMode::Automatic preview /> }
        })
    }
}

/// Everything below the configuration: adds the operator's languages, picks one, applies
/// the brand, and shows the form or the state that stands in its way. Provides what the form
/// needs to the components below it: the [`Lang`], the [`PageConfig`], the [`HandoffMode`], and, when the
/// link is usable, its [`Launch`] and [`Session`].
#[component]
pub fn Stopover(
    /// What the page was opened with; without a login, the login this tab remembers.
    launch: Result<Launch, LaunchError>,
    /// The deploy-time configuration.
    config: PageConfig,
    /// Whether the `/continue` form submits itself.
    #[prop(optional)]
    handoff: HandoffMode,
    /// Preview mode (`stopover.json`'s `preview`): what the address asks to preview, shown
    /// without a login in place of the login's form.
    #[prop(default = None)]
    preview: Option<PreviewQuery>,
) -> impl IntoView {
    let (launch, session, locale) = match &preview {
        Some(query) => (launch, None, query.lang.clone()),
        None => {
            let launch = tab_memory::resume(launch);
            let session = launch
                .as_ref()
                .ok()
                .map(|launch| Session::read_untrusted(&launch.session_token));
            let locale = match &session {
                Some(Ok(session)) => session.locale.clone(),
                _ => None,
            };
            (launch, session, locale)
        }
    };
    for problem in config
        .languages
        .iter()
        .filter_map(|tag| Lang::add(tag).err())
    {
        leptos::logging::error!("{CONFIG_PATH}: {problem}");
    }
    for problem in crate::i18n::apply_overrides(&config.texts) {
        leptos::logging::error!(
            "{CONFIG_PATH}: {problem}; the built-in texts of that language are used"
        );
    }
    config.brand.apply_to_document();
    if !config.brand.name.is_empty() {
        document().set_title(&config.brand.name);
    }
    let brand = config.brand.clone();
    provide_context(config);
    provide_context(handoff);

    // The page speaks once the texts of the language it picked are at hand (fetched, unless
    // English): the person's first preference whose texts load, English at the latest.
    // Until then `index.html`'s skeleton still says "Loading…".
    let preferences = Lang::preferences(locale.as_deref(), &Lang::browser_languages());
    let spoken = RwSignal::new(None);
    if crate::i18n::is_loaded(preferences[0]) {
        spoken.set(Some(preferences[0]));
    } else {
        leptos::task::spawn_local(async move {
            for lang in preferences {
                if crate::i18n::load_language(lang).await {
                    spoken.set(Some(lang));
                    return;
                }
            }
        });
    }
    move || {
        spoken.get().map(|lang| {
            lang.apply_to_document();
            provide_context(lang);
            view! {
                {remove_boot_skeleton()}
                <BrandHeader brand=brand.clone() />
                <main id="main" class="page">
                    {match preview.clone() {
                        Some(query) => crate::preview::page(query),
                        None => body(launch.clone(), session.clone()),
                    }}
                </main>
            }
        })
    }
}

/// What the page shows for the login it was opened with.
fn body(
    launch: Result<Launch, LaunchError>,
    session: Option<Result<Session, crate::session::SessionError>>,
) -> AnyView {
    match (launch, session) {
        (Ok(launch), Some(Ok(session))) => {
            let request = FormRequest::for_claims(
                session.form.as_ref().map(|id| id.0.as_str()),
                session.issuer.as_deref(),
            );
            match request {
                _ if session.is_expired(now_seconds()) => view! { <Expired /> }.into_any(),
                Some(request) => {
                    provide_context(launch);
                    provide_context(session);
                    view! { <FormLoader request /> }.into_any()
                }
                // Neither a form nor an issuer: no signer could accept this token.
                None => view! { <NotVerified /> }.into_any(),
            }
        }
        // A token is there but cannot even be read: say so, not which check failed.
        (Ok(_), _) => view! { <NotVerified /> }.into_any(),
        (Err(LaunchError::NoLogin), _) if tab_memory::finished() => {
            view! { <Finished /> }.into_any()
        }
        (Err(_), _) => view! { <LinkProblem /> }.into_any(),
    }
}

/// Removes `index.html`'s "Loading…" skeleton: the page now speaks for itself.
fn remove_boot_skeleton() {
    if let Some(skeleton) = document().get_element_by_id("boot") {
        skeleton.remove();
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

/// Fetches the form definition from the signer of the context's [`PageConfig`], then shows
/// the form; a failure shows what happened, with a retry when one can help. Meanwhile it asks
/// the signer whether the login can still be completed (`POST /api/session`): a link it
/// refuses, or a step already done, is said now rather than after the form was filled.
#[component]
fn FormLoader(
    /// The form to load: by id, or the one the signer picks for the issuer.
    request: FormRequest,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    // Provided by Stopover, the only component that renders this one.
    let config = expect_context::<PageConfig>();
    let launch = expect_context::<Launch>();
    let session = expect_context::<Session>();
    // The page's language, unless the person asked for none it speaks and the form is
    // written in another: then the form's, so page and form speak one language.
    let form_lang = RwSignal::new(lang);
    let follows_the_form =
        Lang::wanted(session.locale.as_deref(), &Lang::browser_languages()).is_empty();
    // `None` while (re)loading, shown as "Loading…"; a retry clears it and loads again.
    let form = RwSignal::new(None);
    let load = {
        let config = config.clone();
        move || {
            form.set(None);
            let (config, request) = (config.clone(), request.clone());
            leptos::task::spawn_local(async move {
                let loaded = api::fetch_form(&config, &request)
                    .await
                    .map_err(Failure::now);
                let written_in = loaded.as_ref().ok().and_then(|form| lang.of_form(form));
                if let Some(other) = written_in.filter(|_| follows_the_form) {
                    if crate::i18n::load_language(other).await {
                        other.apply_to_document();
                        form_lang.set(other);
                    }
                }
                form.set(Some(loaded));
            });
        }
    };
    load();
    let verdict = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        let check = SessionCheck {
            state: launch.state.as_str().to_owned(),
            session_token: launch.session_token.as_str().to_owned(),
        };
        // Only a verdict on the link counts: when the signer cannot say (offline, busy, an
        // older signer without the check), the form shows and its submit will tell.
        if let Err(error @ (ApiError::InvalidToken | ApiError::AlreadyUsed)) =
            api::check_session(&config, &check).await
        {
            verdict.set(Some(error));
        }
    });
    // The verdict is shown once the form has loaded (no flash of one state before another);
    // an unknown form says so, whatever the verdict (the signer refuses its token too).
    move || match (form.get(), verdict.get()) {
        (None, _) => view! { <Loading lang /> }.into_any(),
        (
            Some(Err(Failure {
                error: ApiError::UnknownForm,
                ..
            })),
            _,
        ) => view! { <UnknownForm /> }.into_any(),
        (Some(_), Some(ApiError::AlreadyUsed)) => {
            tab_memory::finish();
            view! { <AlreadyDone /> }.into_any()
        }
        (Some(_), Some(_)) => view! { <NotVerified /> }.into_any(),
        (Some(Ok(form)), None) => {
            provide_context(form_lang.get_untracked());
            view! { <FormPage form /> }.into_any()
        }
        (Some(Err(Failure { error, retry_at })), None) => {
            let load = load.clone();
            view! { <RetryNotice error retry_at on_retry=Callback::new(move |()| load()) /> }
                .into_any()
        }
    }
}

/// "Loading…", announced to screen readers.
#[component]
fn Loading(
    /// The language to say it in.
    lang: Lang,
) -> impl IntoView {
    view! { <p class="loading" role="status">{Msg::Loading.text(lang)}</p> }
}
