//! The configuration refuses what the signer must not run with, and says exactly why.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{config_toml, env};
use stopover_signer::config::{Config, ConfigError, ConfigProblem, ReplayStoreConfig, Scheme};

fn problems(toml: &str, env: &dyn Fn(&str) -> Option<String>) -> Vec<ConfigProblem> {
    match Config::from_toml(toml, env) {
        Err(ConfigError::Invalid(problems)) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

fn workspace_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Provides a secret for any `*_SECRET` variable and nothing else.
fn long_secret(name: &str) -> Option<String> {
    name.ends_with("_SECRET")
        .then(|| "a-demo-secret-of-more-than-32-bytes-0123456789".to_owned())
}

#[test]
fn demo_config_passes_check_config() {
    let config = Config::from_toml(&workspace_file("config/demo.toml"), &long_secret).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:8781");
    assert_eq!(config.allowed_origins, ["http://127.0.0.1:8781"]);
    assert_eq!(
        config.static_dir.as_deref(),
        Some(std::path::Path::new("dist"))
    );
    let tenant = config.tenant("127.0.0.1:8780").unwrap();
    assert_eq!(tenant.scheme, Scheme::Http);
    assert_eq!(tenant.forms, ["profile", "terms", "onboarding"]);
    // The demo's people speak every language the page speaks, and its forms are written in
    // all of them (the check above refuses a text without one).
    let mut page_languages: Vec<String> = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src/i18n/texts"),
    )
    .unwrap()
    .map(|entry| {
        let name = entry.unwrap().file_name().into_string().unwrap();
        name.trim_end_matches(".json").to_owned()
    })
    .collect();
    page_languages.sort();
    let mut declared = tenant.languages.clone();
    declared.sort();
    assert_eq!(declared, page_languages);
    assert!(config.summary().contains("tenant 127.0.0.1:8780"));
}

#[test]
fn example_config_passes_check_config() {
    let config = Config::from_toml(
        &workspace_file("config/stopover.example.toml"),
        &long_secret,
    )
    .unwrap();
    assert!(!config.tenants.is_empty());
    assert!(!config.forms.is_empty());
}

#[test]
fn environment_overrides_the_file() {
    let env = |name: &str| match name {
        "STOPOVER_LISTEN" => Some("127.0.0.1:9999".to_owned()),
        "STOPOVER_ALLOWED_ORIGINS" => Some("http://127.0.0.1:5000, https://a.example".to_owned()),
        "STOPOVER_STATIC_DIR" => Some("/srv/page".to_owned()),
        "STOPOVER_REPLAY_STORE" => Some("redis://127.0.0.1:6379/0".to_owned()),
        other => env(other),
    };
    let config = Config::from_toml(&config_toml("memory"), &env).unwrap();
    assert_eq!(config.listen.port(), 9999);
    assert_eq!(
        config.allowed_origins,
        ["http://127.0.0.1:5000", "https://a.example"]
    );
    assert_eq!(
        config.static_dir.as_deref(),
        Some(std::path::Path::new("/srv/page"))
    );
    assert_eq!(
        config.replay,
        ReplayStoreConfig::Redis("redis://127.0.0.1:6379/0".to_owned())
    );
}

#[test]
fn short_secret_is_refused() {
    let env = |name: &str| {
        (name == "TENANT_SECRET")
            .then(|| "too-short".to_owned())
            .or_else(|| env(name))
    };
    let problems = problems(&config_toml("memory"), &env);
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, ConfigProblem::SecretTooShort { length: 9, .. })),
        "{problems:?}"
    );
}

#[test]
fn missing_secret_variable_is_refused() {
    let problems = problems(&config_toml("memory"), &|_| None);
    assert_eq!(
        problems
            .iter()
            .filter(|p| matches!(p, ConfigProblem::SecretEnvMissing { .. }))
            .count(),
        2,
        "both tenants are reported: {problems:?}"
    );
}

#[test]
fn missing_secret_file_is_refused() {
    let toml = config_toml("memory").replace(
        "secret_env = \"TENANT_SECRET\"",
        "secret_file = \"/nonexistent/secret\"",
    );
    let problems = problems(&toml, &env);
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, ConfigProblem::SecretFile { .. })),
        "{problems:?}"
    );
}

#[test]
fn secret_file_is_read_without_its_final_newline() {
    let path = std::env::temp_dir().join(format!("stopover-secret-{}", std::process::id()));
    std::fs::write(&path, format!("{}\n", common::SECRET)).unwrap();
    let toml = config_toml("memory").replace(
        "secret_env = \"TENANT_SECRET\"",
        &format!("secret_file = \"{}\"", path.display()),
    );
    let config = Config::from_toml(&toml, &env).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        config.tenant(common::ISSUER).unwrap().key.as_ref(),
        common::SECRET.as_bytes()
    );
}

#[test]
fn secret_never_appears_in_debug_output() {
    let config = Config::from_toml(&config_toml("redis://:hunter2@127.0.0.1/0"), &env).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains(common::SECRET));
    assert!(!debug.contains("hunter2"));
    assert!(!config.summary().contains(common::SECRET));
}

#[test]
fn invalid_form_is_refused_with_every_definition_error() {
    let toml = config_toml("memory")
        .replace("id = \"newsletter\"", "id = \"company\"")
        .replace("max_length = 50", "max_length = 50\nmin_length = 60");
    let problems = problems(&toml, &env);
    let form_problems: Vec<_> = problems
        .iter()
        .filter(|p| matches!(p, ConfigProblem::Form(_)))
        .collect();
    assert!(form_problems.len() >= 2, "{problems:?}");
}

#[test]
fn tenant_naming_an_unknown_form_is_refused() {
    let toml =
        config_toml("memory").replace("forms = [\"terms\"]", "forms = [\"terms\", \"missing\"]");
    let problems = problems(&toml, &env);
    assert!(problems.contains(&ConfigProblem::UnknownForm {
        issuer: common::OTHER_ISSUER.to_owned(),
        form: "missing".to_owned()
    }));
}

#[test]
fn no_allowed_origin_is_refused() {
    let toml =
        config_toml("memory").replace(&format!("allowed_origins = [\"{}\"]", common::ORIGIN), "");
    assert!(problems(&toml, &env).contains(&ConfigProblem::NoAllowedOrigin));
    let toml = config_toml("memory").replace(common::ORIGIN, "https://page.example/");
    assert!(
        problems(&toml, &env).contains(&ConfigProblem::Origin("https://page.example/".to_owned()))
    );
}

#[test]
fn ttl_outside_60_to_600_is_refused() {
    for ttl in [59, 601, 0] {
        let toml =
            config_toml("memory").replace("ttl_seconds = 300", &format!("ttl_seconds = {ttl}"));
        assert!(
            problems(&toml, &env)
                .iter()
                .any(|p| matches!(p, ConfigProblem::Ttl { .. })),
            "ttl {ttl}"
        );
    }
    for ttl in [60, 600] {
        let toml =
            config_toml("memory").replace("ttl_seconds = 300", &format!("ttl_seconds = {ttl}"));
        assert!(Config::from_toml(&toml, &env).is_ok(), "ttl {ttl}");
    }
}

#[test]
fn http_scheme_is_refused_for_a_public_issuer() {
    let toml = config_toml("memory").replace(
        "token_parameter = \"continue_token\"",
        "token_parameter = \"continue_token\"\nscheme = \"http\"",
    );
    assert!(
        problems(&toml, &env).contains(&ConfigProblem::HttpForPublicIssuer(
            common::OTHER_ISSUER.to_owned()
        ))
    );
    let toml = toml.replace(
        &format!("issuer = \"{}\"", common::OTHER_ISSUER),
        "issuer = \"localhost:8780\"",
    );
    assert!(Config::from_toml(&toml, &env).is_ok());
}

#[test]
fn duplicate_issuer_is_refused() {
    let toml = config_toml("memory").replace(
        &format!("issuer = \"{}\"", common::OTHER_ISSUER),
        &format!("issuer = \"{}\"", common::ISSUER),
    );
    assert!(
        problems(&toml, &env).contains(&ConfigProblem::DuplicateIssuer(common::ISSUER.to_owned()))
    );
}

#[test]
fn issuer_must_be_a_host_or_its_https_url() {
    for issuer in [
        "https://tenant.example.com/login",
        "http://tenant.example.com/",
        "tenant.example.com/",
    ] {
        let toml = config_toml("memory").replace(
            &format!("issuer = \"{}\"", common::ISSUER),
            &format!("issuer = \"{issuer}\""),
        );
        assert!(
            problems(&toml, &env).contains(&ConfigProblem::Issuer(issuer.to_owned())),
            "{issuer}"
        );
    }
    // The URL spellings Actions use are the same tenant (see tests/existing_actions.rs).
    for issuer in ["https://tenant.example.com/", "https://tenant.example.com"] {
        let toml = config_toml("memory").replace(
            &format!("issuer = \"{}\"", common::ISSUER),
            &format!("issuer = \"{issuer}\""),
        );
        let config = Config::from_toml(&toml, &env).unwrap();
        assert_eq!(config.tenants[0].issuer, common::ISSUER);
    }
}

#[test]
fn unknown_keys_and_bad_replay_store_are_refused() {
    assert!(matches!(
        Config::from_toml(&format!("lsiten = 1\n{}", config_toml("memory")), &env),
        Err(ConfigError::Syntax(_))
    ));
    let problems = problems(&config_toml("postgres://user:pw@host/db"), &env);
    assert!(problems.contains(&ConfigProblem::ReplayStore("postgres".to_owned())));
}

#[test]
fn error_message_lists_every_problem() {
    let message = Config::from_toml(&config_toml("memory"), &|_| None)
        .unwrap_err()
        .to_string();
    assert!(message.contains("2 problem(s)"), "{message}");
    assert!(
        message.contains("TENANT_SECRET") && message.contains("OTHER_SECRET"),
        "{message}"
    );
}

/// `config_toml` with a management client for the first tenant and extra text in the
/// profile form.
fn with_back_channel(management: &str, profile_extra: &str) -> String {
    config_toml("memory")
        .replace(
            "forms = [\"profile\", \"terms\"]\n",
            &format!("forms = [\"profile\", \"terms\"]\n{management}"),
        )
        .replace(
            "id = \"profile\"\nversion = \"3\"\n",
            &format!("id = \"profile\"\nversion = \"3\"\n{profile_extra}"),
        )
}

const MANAGEMENT: &str = "\n[tenants.management]\ndomain = \"tenant.eu.auth0.com\"\nclient_id = \"abc\"\nclient_secret_env = \"MGMT_SECRET\"\n";

fn env_with_management(name: &str) -> Option<String> {
    (name == "MGMT_SECRET")
        .then(|| "m2m".to_owned())
        .or_else(|| env(name))
}

#[test]
fn configs_without_delivery_keep_every_answer_in_the_token() {
    let config = Config::from_toml(&config_toml("memory"), &env).unwrap();
    assert!(config.deliveries.is_empty());
    assert!(config.tenants.iter().all(|t| t.management.is_none()));
}

#[test]
fn a_back_channel_form_reads_its_targets_and_the_audience_defaults() {
    let toml = with_back_channel(
        MANAGEMENT,
        "delivery = \"user_metadata\"\nmetadata_key = \"profile.{field}\"\n",
    )
    .replace(
        "id = \"newsletter\"\nkind = \"checkbox\"\n",
        "id = \"newsletter\"\nkind = \"checkbox\"\ndelivery = \"app_metadata\"\nmetadata_key = \"marketing\"\n",
    );
    let config = Config::from_toml(&toml, &env_with_management).unwrap();
    let management = config.tenants[0].management.as_ref().unwrap();
    assert_eq!(management.audience, "https://tenant.eu.auth0.com/api/v2/");
    assert_eq!(management.scheme, Scheme::Https);
    assert!(
        !format!("{management:?}").contains("m2m"),
        "no secret in Debug"
    );
    let delivery = config.delivery("profile").unwrap();
    assert_eq!(delivery.targets["company"].path, ["profile", "company"]);
    assert_eq!(delivery.targets["newsletter"].path, ["marketing"]);
    assert_eq!(
        delivery.targets["newsletter"].delivery,
        stopover_signer::config::Delivery::AppMetadata
    );
    // The definition served to the page never shows where answers go.
    let served = serde_json::to_string(&config.forms["profile"]).unwrap();
    assert!(!served.contains("delivery") && !served.contains("metadata_key"));
}

#[test]
fn a_metadata_form_for_a_tenant_without_a_management_client_is_refused() {
    let toml = with_back_channel("", "delivery = \"user_metadata\"\n");
    let message = Config::from_toml(&toml, &env).unwrap_err().to_string();
    assert!(
        message.contains("tenant `tenant.example.com`: form `profile` stores answers in user_metadata but the tenant has no [tenants.management] client"),
        "{message}"
    );
}

#[test]
fn bad_delivery_settings_are_refused_with_exact_messages() {
    let toml = with_back_channel(MANAGEMENT, "delivery = \"cookie\"\n");
    assert!(
        problems(&toml, &env_with_management).contains(&ConfigProblem::Delivery {
            form: "profile".into(),
            field: None,
            value: "cookie".into(),
        })
    );
    let toml = with_back_channel(
        MANAGEMENT,
        "delivery = \"user_metadata\"\nmetadata_key = \"a..b\"\n",
    );
    let message = Config::from_toml(&toml, &env_with_management)
        .unwrap_err()
        .to_string();
    assert!(message.contains("form `profile`, field `company`: metadata_key `a..b` must be 1 to 4 dot-separated names"), "{message}");
    let toml = with_back_channel(
        MANAGEMENT,
        "delivery = \"user_metadata\"\nmetadata_key = \"same\"\n",
    );
    let message = Config::from_toml(&toml, &env_with_management)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("are both stored at user_metadata.same"),
        "{message}"
    );
}

#[test]
fn bad_management_clients_are_refused_with_exact_messages() {
    let missing = with_back_channel(MANAGEMENT, "");
    let message = Config::from_toml(&missing, &env).unwrap_err().to_string();
    assert!(message.contains("tenant `tenant.example.com`: environment variable `MGMT_SECRET` (the management client secret) is not set"), "{message}");

    let http = with_back_channel(&format!("{MANAGEMENT}scheme = \"http\"\n"), "");
    assert!(problems(&http, &env_with_management).contains(
        &ConfigProblem::ManagementHttpForPublicDomain("tenant.example.com".into())
    ));

    let url = with_back_channel(
        &MANAGEMENT.replace("tenant.eu.auth0.com", "https://tenant.eu.auth0.com/"),
        "",
    );
    let message = Config::from_toml(&url, &env_with_management)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("management domain `https://tenant.eu.auth0.com/` must be a host name"),
        "{message}"
    );

    let both = with_back_channel(&format!("{MANAGEMENT}client_secret_file = \"/x\"\n"), "");
    assert!(problems(&both, &env_with_management).contains(
        &ConfigProblem::ManagementSecretSource("tenant.example.com".into())
    ));
}

#[test]
fn admin_listener_is_loopback_by_default_and_overridable() {
    let config = Config::from_toml(&config_toml("memory"), &env).unwrap();
    assert_eq!(config.admin_listen.to_string(), "127.0.0.1:8782");
    assert!(config.summary().contains("admin listen: 127.0.0.1:8782"));
    let env = |name: &str| match name {
        "STOPOVER_ADMIN_LISTEN" => Some("[::1]:9100".to_owned()),
        other => env(other),
    };
    let config = Config::from_toml(&config_toml("memory"), &env).unwrap();
    assert_eq!(config.admin_listen.to_string(), "[::1]:9100");
}

#[test]
fn a_public_admin_address_is_refused_unless_allowed() {
    let public = format!("admin_listen = \"0.0.0.0:8782\"\n{}", config_toml("memory"));
    assert!(problems(&public, &env)
        .iter()
        .any(|problem| matches!(problem, ConfigProblem::PublicAdmin(_))));
    let allowed = format!(
        "admin_listen = \"10.0.0.5:8782\"\n{}\n[server]\nallow_public_admin = true\n",
        config_toml("memory")
    );
    let config = Config::from_toml(&allowed, &env).unwrap();
    assert_eq!(config.admin_listen.to_string(), "10.0.0.5:8782");
    assert!(config.summary().contains("NOT LOOPBACK"));
}

#[test]
fn the_admin_address_cannot_be_the_public_one() {
    let toml =
        config_toml("memory").replace("listen = \"127.0.0.1:0\"", "listen = \"127.0.0.1:8782\"");
    assert!(problems(&toml, &env)
        .iter()
        .any(|problem| matches!(problem, ConfigProblem::AdminSameAsListen(_))));
}

#[test]
fn server_settings_have_defaults_and_bounds() {
    let config = Config::from_toml(&config_toml("memory"), &env).unwrap();
    assert_eq!(
        config.server,
        stopover_signer::config::ServerSettings::default()
    );
    assert_eq!(config.server.trusted_proxy_hops, 0);
    let toml = format!(
        "{}\n[server]\nmax_connections = 0\nheader_read_timeout_ms = 5\nbody_read_timeout_ms = 20000\ntrusted_proxy_hops = 11\n",
        config_toml("memory")
    );
    let problems = problems(&toml, &env);
    let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    for expected in [
        "max_connections",
        "header_read_timeout_ms",
        "body_read_timeout_ms must be below limits.request_timeout_ms",
        "trusted_proxy_hops",
    ] {
        assert!(
            texts.iter().any(|text| text.contains(expected)),
            "{expected}: {texts:?}"
        );
    }
}

#[test]
fn a_typed_answer_goes_to_app_metadata_only_with_an_explicit_opt_in() {
    let toml = with_back_channel(MANAGEMENT, "delivery = \"app_metadata\"\n");
    let refused = problems(&toml, &env_with_management);
    assert!(
        refused.contains(&ConfigProblem::PersonValueInAppMetadata {
            form: "profile".to_owned(),
            field: "company".to_owned(),
        }),
        "{refused:?}"
    );
    // The checkbox and the hidden value may go there without one.
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0]
        .to_string()
        .contains("app_metadata_opt_in = true"));

    let toml = with_back_channel(
        MANAGEMENT,
        "delivery = \"app_metadata\"\napp_metadata_opt_in = true\n",
    );
    let config = Config::from_toml(&toml, &env_with_management).unwrap();
    assert_eq!(
        config.delivery("profile").unwrap().targets["company"].delivery,
        stopover_signer::config::Delivery::AppMetadata
    );
    let served = serde_json::to_string(&config.forms["profile"]).unwrap();
    assert!(!served.contains("opt_in"), "{served}");

    let toml = with_back_channel(
        MANAGEMENT,
        "delivery = \"app_metadata\"\napp_metadata_opt_in = \"yes\"\n",
    );
    let problems = problems(&toml, &env_with_management);
    assert!(problems.iter().any(|problem| problem.to_string()
        == "form `profile`: `app_metadata_opt_in` must be true or false"));
}

#[test]
fn a_declared_language_missing_from_a_form_text_is_named_and_refused() {
    let toml = config_toml("memory").replacen(
        "[[tenants]]",
        "[[tenants]]\nlanguages = [\"en\", \"ja\"]",
        1,
    );
    let said: Vec<String> = problems(&toml, &env)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(!said.is_empty());
    for problem in &said {
        assert!(
            problem.contains("lists `ja` in `languages`, but form `")
                && problem.ends_with("has no `ja` text"),
            "{problem}"
        );
    }
    assert!(
        said.iter()
            .any(|problem| problem.contains(": title has no `ja` text")),
        "{said:#?}"
    );
}
