//! The page in each of its languages: its own texts, the form's texts, and numbers, dates
//! and times written as each language writes them.

use leptos::prelude::*;
use serde_json::json;
use stopover_page::api::{ApiError, FormRequest};
use stopover_page::config::PageConfig;
use stopover_page::i18n::{
    browser_date_part_order, browser_format_number, format_number, Lang, Msg,
};
use stopover_page::session::{now_seconds, Session};
use stopover_page::states::RetryNotice;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use crate::forms::*;
use crate::support::*;

/// Each built-in language's file says the order it writes a date in, so a first load builds
/// no `Intl.DateTimeFormat` (about 10 ms); the browser's order is the one it must say.
#[wasm_bindgen_test]
fn every_built_in_language_says_the_date_order_the_browser_writes() {
    for lang in Lang::BUILT_IN {
        assert_eq!(
            lang.info().date_order,
            browser_date_part_order(lang),
            "`language.date_order` of src/i18n/texts/{}.json",
            lang.tag()
        );
    }
}

/// Small whole numbers are written without asking `Intl` (its locale data costs about 10 ms
/// on a first load), and exactly as `Intl` writes them in every built-in language; from
/// 1,000 on, and in an added language, `Intl` writes them.
#[wasm_bindgen_test]
fn small_whole_numbers_are_written_as_the_browser_writes_them_without_asking_it() {
    let he = Lang::add("he").unwrap();
    for lang in Lang::BUILT_IN {
        for value in (0..=1000)
            .map(f64::from)
            .chain([1234.0, 12_345.0, 0.5, 2.25, -3.0])
        {
            assert_eq!(
                format_number(lang, value),
                browser_format_number(lang, value),
                "{value} in {}",
                lang.tag()
            );
        }
    }
    let asked = count_to_locale_string_calls(|| {
        for lang in Lang::BUILT_IN {
            format_number(lang, 0.0);
            format_number(lang, 59.0);
            format_number(lang, 999.0);
        }
    });
    assert_eq!(asked, 0, "small whole numbers of built-in languages");
    let asked = count_to_locale_string_calls(|| {
        format_number(Lang::DE, 1000.0);
        format_number(Lang::DE, 1.5);
        format_number(Lang::DE, -1.0);
        format_number(he, 7.0);
    });
    assert_eq!(asked, 4, "the others");
}

/// How many times `Number.prototype.toLocaleString` is called while `run` runs.
fn count_to_locale_string_calls(run: impl FnOnce()) -> u32 {
    let install = js_sys::Function::new_no_args(
        "const proto = Number.prototype; const real = proto.toLocaleString; \
         globalThis.__calls = 0; \
         proto.toLocaleString = function (...args) { globalThis.__calls++; return real.apply(this, args); }; \
         globalThis.__restore = () => { proto.toLocaleString = real; };",
    );
    install.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    run();
    let global = js_sys::global();
    let calls = js_sys::Reflect::get(&global, &"__calls".into())
        .unwrap()
        .as_f64()
        .unwrap();
    let restore: js_sys::Function = js_sys::Reflect::get(&global, &"__restore".into())
        .unwrap()
        .unchecked_into();
    restore.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    calls as u32
}

#[wasm_bindgen_test]
async fn form_texts_and_page_texts_follow_the_language() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::DE);
    tick().await;
    assert_eq!(page.find("h1").text_content().unwrap(), "Ihr Konto");
    assert!(page
        .find("label[for='field-company']")
        .text_content()
        .unwrap()
        .contains("Firma"));
    assert!(page
        .find("label[for='field-company']")
        .text_content()
        .unwrap()
        .contains("(erforderlich)"));
    page.click("button[type='submit']").await;
    assert!(page
        .find(".error-summary")
        .text_content()
        .unwrap()
        .contains("Es gibt ein Problem"));
    assert_eq!(
        page.find(".error-summary a[href='#field-company']")
            .text_content()
            .unwrap(),
        "Firma: Geben Sie eine Antwort ein.",
        "the summary names the field by its German label"
    );
}

#[wasm_bindgen_test]
async fn limits_in_messages_are_written_as_each_language_writes_numbers_and_dates() {
    for (lang, too_long, out_of_range, too_late) in [
        (
            Lang::EN,
            "Enter at most 1,000 characters.",
            "Enter a number from 0.5 to 1,500.",
            "Enter a date from January 1, 1900 to December 31, 2012.",
        ),
        (
            Lang::FR,
            "Saisissez au plus 1 000 caractères.",
            "Saisissez un nombre entre 0,5 et 1 500.",
            "Saisissez une date entre le 1 janvier 1900 et le 31 décembre 2012.",
        ),
        (
            Lang::DE,
            "Geben Sie höchstens 1.000 Zeichen ein.",
            "Geben Sie eine Zahl von 0,5 bis 1.500 ein.",
            "Geben Sie ein Datum zwischen dem 1. Januar 1900 und dem 31. Dezember 2012 ein.",
        ),
    ] {
        let page = mount_form(bounds_form(), Session::default(), lang);
        tick().await;
        let note = page.input("#field-note");
        type_into(&note, &"x".repeat(1001)).await;
        leave(&note).await;
        let amount = page.input("#field-amount");
        type_into(&amount, "2000").await;
        leave(&amount).await;
        for (part, typed) in [("day", "29"), ("month", "2"), ("year", "2020")] {
            type_into(&page.input(&format!("#field-day-{part}")), typed).await;
        }
        move_focus(&page.input("#field-day-year"), None).await;

        for (id, expected) in [
            ("note", too_long),
            ("amount", out_of_range),
            ("day", too_late),
        ] {
            let shown = spaces(
                &page
                    .find(&format!("#field-{id}-error"))
                    .text_content()
                    .unwrap(),
            );
            assert!(shown.ends_with(expected), "{lang:?} {id}: {shown:?}");
        }
    }
}

#[wasm_bindgen_test]
async fn the_countdown_and_the_wait_use_the_languages_digits() {
    let session = Session {
        expires_at: Some(now_seconds() + 100),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::FR);
    tick().await;
    let countdown = page.find(".countdown").text_content().unwrap();
    assert!(countdown.starts_with("Temps restant : 1:"), "{countdown}");
    drop(page);

    let retry_at = now_seconds() + 600;
    let page = mount(move || {
        provide_context(Lang::DE);
        view! {
            <RetryNotice error=ApiError::RateLimited { retry_after_secs: 600 } retry_at
                on_retry=Callback::new(|()| ()) />
        }
    });
    tick().await;
    assert!(
        page.text().contains("Bitte warten Sie 600 Sekunden"),
        "{}",
        page.text()
    );
}

#[wasm_bindgen_test]
async fn each_language_is_picked_from_the_locale_claim() {
    for (locale, lang, dir, heading) in [
        ("fr-FR", "fr", "ltr", "Cette connexion a expiré"),
        ("de", "de", "ltr", "Diese Anmeldung ist abgelaufen"),
        ("en-GB", "en", "ltr", "This sign-in has expired"),
        ("pt-PT", "pt-BR", "ltr", "Este login expirou"),
        ("ja-JP", "ja", "ltr", "このサインインは有効期限が切れました"),
        ("ar-EG", "ar", "rtl", "انتهت صلاحية تسجيل الدخول هذا"),
    ] {
        let token = mint(
            "a-secret-that-is-only-used-for-decoding!!",
            json!({"locale": locale}),
            -5,
        );
        let page = mount_app(Ok(launch_with("st-2", &token)), PageConfig::default());
        tick().await;
        assert_eq!(
            page.find("h1").text_content().unwrap(),
            heading,
            "locale {locale}"
        );
        let html = document().document_element().unwrap();
        assert_eq!(attr(&html, "lang"), lang, "locale {locale}");
        assert_eq!(attr(&html, "dir"), dir, "locale {locale}");
    }
}

#[wasm_bindgen_test]
async fn a_number_takes_the_plural_form_its_language_gives_it() {
    for (lang, seconds, expected) in [
        (Lang::PL, 1.0, "Proszę odczekać 1 sekundę"),
        (Lang::PL, 3.0, "Proszę odczekać 3 sekundy"),
        (Lang::PL, 5.0, "Proszę odczekać 5 sekund"),
        (Lang::PT_BR, 1.0, "Aguarde 1 segundo"),
        (Lang::PT_BR, 2.0, "Aguarde 2 segundos"),
        (Lang::JA, 3.0, "3秒待って"),
    ] {
        let said = Msg::RateLimitedWait.count(lang, seconds);
        assert!(said.starts_with(expected), "{lang:?} {seconds}: {said}");
    }
}

#[wasm_bindgen_test]
async fn a_right_to_left_page_mirrors_its_layout() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::AR);
    Lang::AR.apply_to_document();
    tick().await;
    let html = document().document_element().unwrap();
    assert_eq!(attr(&html, "dir"), "rtl");
    // The submit button sits at the right edge of the form, where a right-to-left reader
    // starts, and a field's label is right-aligned like its text.
    let form = page.find("form.stopover-form").get_bounding_client_rect();
    let button = page
        .find("button[type='submit']")
        .get_bounding_client_rect();
    assert!(
        (form.right() - button.right()).abs() < 1.0,
        "button {}..{} in form {}..{}",
        button.left(),
        button.right(),
        form.left(),
        form.right()
    );
    let label = page.find("label[for='field-company']");
    let style = window().get_computed_style(&label).unwrap().unwrap();
    assert_eq!(style.get_property_value("direction").unwrap(), "rtl");
    Lang::EN.apply_to_document();
}

#[wasm_bindgen_test]
async fn an_operator_changes_a_text_in_stopover_json_and_a_bad_override_changes_nothing() {
    let token = mint(
        "a-secret-that-is-only-used-for-decoding!!",
        json!({"locale": "fr"}),
        -5,
    );
    let config: PageConfig = serde_json::from_value(json!({
        "texts": {"fr": {"expired_title": "Votre session a expiré"}}
    }))
    .unwrap();
    let page = mount_app(Ok(launch_with("st-3", &token)), config);
    tick().await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "Votre session a expiré"
    );
    drop(page);

    let config: PageConfig = serde_json::from_value(json!({
        "texts": {"fr": {"expired_title": "Votre session a expiré", "time_left": "{minutes}"}}
    }))
    .unwrap();
    let page = mount_app(Ok(launch_with("st-3", &token)), config);
    tick().await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "Cette connexion a expiré",
        "a language with a bad override keeps its own texts"
    );
    drop(page);
    stopover_page::i18n::apply_overrides(&Default::default());
}

/// Hands the page `source` as `texts/{tag}.json`, the way `index.html`'s start-up script
/// hands over the file it fetched (the test server has no such file).
fn preload_texts(tag: &str, source: &str) {
    let preload = js_sys::Object::new();
    let file = js_sys::Object::new();
    let set = |target: &js_sys::Object, key: &str, value: &wasm_bindgen::JsValue| {
        js_sys::Reflect::set(target, &key.into(), value).unwrap();
    };
    let text = js_sys::Promise::resolve(&wasm_bindgen::JsValue::from_str(source));
    set(&file, "path", &format!("texts/{tag}.json").into());
    set(&file, "text", &text.into());
    set(&preload, "texts", &js_sys::Promise::resolve(&file).into());
    set(window().unchecked_ref(), "stopoverPreload", &preload.into());
}

#[wasm_bindgen_test]
async fn a_language_the_operator_adds_is_spoken_in_its_own_direction() {
    let token = mint(
        "a-secret-that-is-only-used-for-decoding!!",
        json!({"locale": "he-IL"}),
        -5,
    );
    preload_texts("he", include_str!("../../examples/languages/he.json"));
    let config: PageConfig = serde_json::from_value(json!({"languages": ["he"]})).unwrap();
    let page = mount_app(Ok(launch_with("st-he", &token)), config);
    let heading = page.wait_for("h1").await;
    assert_eq!(heading.text_content().unwrap(), "תוקף ההתחברות הזו פג");
    let html = document().document_element().unwrap();
    assert_eq!(attr(&html, "lang"), "he");
    assert_eq!(attr(&html, "dir"), "rtl");
    let style = window().get_computed_style(&heading).unwrap().unwrap();
    assert_eq!(style.get_property_value("direction").unwrap(), "rtl");
    drop(page);
    Lang::EN.apply_to_document();
}

#[wasm_bindgen_test]
async fn an_added_language_whose_file_is_missing_gives_way_to_the_next_choice() {
    // The token asks for Swedish, which the operator declared without putting its file up
    // (the test server answers 404); the browser's languages come next.
    let token = mint(
        "a-secret-that-is-only-used-for-decoding!!",
        json!({"locale": "sv"}),
        -5,
    );
    let config: PageConfig = serde_json::from_value(json!({"languages": ["sv"]})).unwrap();
    let page = mount_app(Ok(launch_with("st-sv", &token)), config);
    let heading = page.wait_for("h1").await;
    let browser = Lang::preferences(None, &Lang::browser_languages())[0];
    assert_ne!(browser.tag(), "sv");
    assert_eq!(
        heading.text_content().unwrap(),
        Msg::ExpiredTitle.text(browser)
    );
    let html = document().document_element().unwrap();
    assert_eq!(attr(&html, "lang"), browser.tag());
    drop(page);
    Lang::EN.apply_to_document();
}

#[wasm_bindgen_test]
async fn a_person_who_asks_for_no_language_the_page_speaks_gets_the_forms_own() {
    let signer = signer();
    let config = signer.config();
    // The token and the browser ask for Finnish only, which the page does not speak (nor
    // adds: another test adds Swedish, and added languages last as long as the page).
    let navigator = window().navigator();
    let descriptor = js_sys::Object::new();
    let set = |key: &str, value: &wasm_bindgen::JsValue| {
        js_sys::Reflect::set(&descriptor, &key.into(), value).unwrap();
    };
    set("value", &js_sys::Array::of1(&"fi-FI".into()).into());
    set("configurable", &true.into());
    let navigator_object: &js_sys::Object = navigator.unchecked_ref();
    js_sys::Object::define_property(navigator_object, &"languages".into(), &descriptor);
    assert_eq!(Lang::browser_languages(), ["fi-FI"]);

    // The tenant's form as the start-up script hands it over: written in French and German.
    let token = mint(signer.secret, json!({"locale": "fi"}), 300);
    let url = config.signer_endpoint(&FormRequest::ForIssuer(signer.issuer.to_owned()).path());
    let form = json!({
        "id": "profile", "version": "1",
        "title": {"fr": "Votre profil", "de": "Ihr Profil"},
        "submit_label": {"fr": "Continuer", "de": "Weiter"},
        "fields": [{"id": "company", "kind": "text", "required": true,
                    "label": {"fr": "Entreprise", "de": "Firma"}}]
    });
    let response = web_sys::Response::new_with_opt_str(Some(&form.to_string())).unwrap();
    let preloaded = js_sys::Object::new();
    js_sys::Reflect::set(&preloaded, &"url".into(), &url.into()).unwrap();
    js_sys::Reflect::set(
        &preloaded,
        &"response".into(),
        &js_sys::Promise::resolve(&response).into(),
    )
    .unwrap();
    let preload = js_sys::Object::new();
    js_sys::Reflect::set(
        &preload,
        &"form".into(),
        &js_sys::Promise::resolve(&preloaded).into(),
    )
    .unwrap();
    js_sys::Reflect::set(
        window().unchecked_ref(),
        &"stopoverPreload".into(),
        &preload,
    )
    .unwrap();

    let page = mount_app(Ok(launch_with("st-form-lang", &token)), config);
    let heading = page.wait_for("h1.form-title").await;
    // The form's own language (its texts' first, by tag), not English: one language on the page.
    assert_eq!(heading.text_content().unwrap(), "Ihr Profil");
    let html = document().document_element().unwrap();
    assert_eq!(attr(&html, "lang"), "de");
    let label = page
        .find("label[for='field-company']")
        .text_content()
        .unwrap();
    assert!(
        label.contains("Firma") && label.contains("(erforderlich)"),
        "{label}"
    );

    drop(page);
    js_sys::Reflect::delete_property(navigator_object, &"languages".into()).unwrap();
    Lang::EN.apply_to_document();
}
