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
    assert_eq!(tenant.forms, ["profile", "terms"]);
    for form in config.forms.values() {
        for field in &form.fields {
            for text in field.label.iter().chain(&field.help) {
                let languages: Vec<_> = text.languages().collect();
                assert_eq!(
                    languages,
                    ["de", "en", "fr"],
                    "form {} field {}",
                    form.id.0,
                    field.id
                );
            }
        }
        assert_eq!(
            form.title.languages().collect::<Vec<_>>(),
            ["de", "en", "fr"]
        );
    }
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
        config.tenant(common::ISSUER).unwrap().secret.expose(),
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
fn issuer_must_be_a_host_not_a_url() {
    let toml = config_toml("memory").replace(
        &format!("issuer = \"{}\"", common::ISSUER),
        "issuer = \"https://tenant.example.com/\"",
    );
    assert!(problems(&toml, &env).contains(&ConfigProblem::Issuer(
        "https://tenant.example.com/".to_owned()
    )));
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
