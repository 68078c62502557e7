//! The signer configuration the benchmarks run with: `config/demo.toml` (its tenant and its
//! forms), with a bench secret, limits that let one load generator through, and generated
//! forms of 5, 20 and 50 fields for the page's cost growth.

use std::path::Path;

use toml::{Table, Value};

use crate::BenchError;

/// The environment variable the bench tenant's secret is read from.
pub const SECRET_ENV: &str = "STOPOVER_BENCH_SECRET";
/// Field counts of the generated forms.
pub const GROWTH_FIELD_COUNTS: [usize; 3] = [5, 20, 50];
/// The load generator is one client IP: the per-IP rate limit would otherwise answer 429.
pub const RATE_LIMIT_PER_MINUTE: i64 = 1_000_000_000;
/// Every token of a whole run stays remembered (a full memory store answers 503).
pub const REPLAY_MEMORY_CAPACITY: i64 = 20_000_000;

/// The id of the generated form with `fields` fields.
pub fn growth_form_id(fields: usize) -> String {
    format!("bench-{fields}-fields")
}

/// The bench configuration, as TOML: the demo's with the signer on `127.0.0.1:port` (also its
/// only allowed origin), `static_dir` when given, the bench secret, no effective rate limit,
/// and the generated forms added to the tenant.
pub fn bench_config_toml(
    demo_toml: &str,
    port: u16,
    static_dir: Option<&Path>,
) -> Result<String, BenchError> {
    let mut config: Table = toml::from_str(demo_toml)
        .map_err(|error| BenchError::new(format!("config/demo.toml is not TOML: {error}")))?;
    config.insert("listen".into(), Value::String(format!("127.0.0.1:{port}")));
    // The admin listener on a port the system picks: the bench never reads it, and a demo
    // running beside it may hold the default one.
    config.insert("admin_listen".into(), Value::String("127.0.0.1:0".into()));
    config.insert(
        "allowed_origins".into(),
        Value::Array(vec![Value::String(format!("http://127.0.0.1:{port}"))]),
    );
    match static_dir {
        Some(dir) => {
            config.insert(
                "static_dir".into(),
                Value::String(dir.display().to_string()),
            );
        }
        None => {
            config.remove("static_dir");
        }
    }
    let mut limits = Table::new();
    limits.insert(
        "rate_limit_per_minute".into(),
        Value::Integer(RATE_LIMIT_PER_MINUTE),
    );
    limits.insert("request_timeout_ms".into(), Value::Integer(10_000));
    limits.insert(
        "replay_memory_capacity".into(),
        Value::Integer(REPLAY_MEMORY_CAPACITY),
    );
    config.insert("limits".into(), Value::Table(limits));
    let mut replay = Table::new();
    replay.insert("store".into(), Value::String("memory".into()));
    config.insert("replay".into(), Value::Table(replay));

    let tenant = config
        .get_mut("tenants")
        .and_then(Value::as_array_mut)
        .and_then(|tenants| tenants.first_mut())
        .and_then(Value::as_table_mut)
        .ok_or_else(|| BenchError::new("config/demo.toml has no [[tenants]]"))?;
    tenant.remove("secret_file");
    tenant.insert("secret_env".into(), Value::String(SECRET_ENV.into()));
    // The generated forms speak English, French and German only: the demo tenant's
    // `languages` (every language the page speaks) would refuse them.
    tenant.remove("languages");
    let forms = tenant
        .entry("forms")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(forms) = forms else {
        return Err(BenchError::new(
            "config/demo.toml: the tenant's `forms` is not a list",
        ));
    };
    for fields in GROWTH_FIELD_COUNTS {
        forms.push(Value::String(growth_form_id(fields)));
    }

    let definitions = config
        .entry("forms")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(definitions) = definitions else {
        return Err(BenchError::new(
            "config/demo.toml: `forms` is not a list of tables",
        ));
    };
    for fields in GROWTH_FIELD_COUNTS {
        definitions.push(Value::Table(generated_form(fields)));
    }
    toml::to_string(&config)
        .map_err(|error| BenchError::new(format!("cannot write the bench configuration: {error}")))
}

/// A form with `count` fields cycling through the common kinds (text, e-mail, phone, select,
/// date, number, checkbox, textarea), each labelled in English, French and German, with help
/// on every other field, so the page renders what a real long form has.
pub fn generated_form(count: usize) -> Table {
    let mut form = Table::new();
    form.insert("id".into(), Value::String(growth_form_id(count)));
    form.insert("version".into(), Value::String("1".into()));
    form.insert(
        "title".into(),
        texts(
            &format!("A form of {count} fields"),
            &format!("Un formulaire de {count} champs"),
            &format!("Ein Formular mit {count} Feldern"),
        ),
    );
    form.insert(
        "submit_label".into(),
        texts("Continue", "Continuer", "Weiter"),
    );
    let fields = (0..count)
        .map(|index| Value::Table(generated_field(index)))
        .collect();
    form.insert("fields".into(), Value::Array(fields));
    form
}

fn generated_field(index: usize) -> Table {
    let number = index + 1;
    let mut field = Table::new();
    field.insert("id".into(), Value::String(format!("field_{number}")));
    field.insert(
        "label".into(),
        texts(
            &format!("Question {number}"),
            &format!("Question {number}"),
            &format!("Frage {number}"),
        ),
    );
    if index % 2 == 0 {
        field.insert(
            "help".into(),
            texts(
                "A short explanation of what to enter.",
                "Une courte explication de ce qu’il faut saisir.",
                "Eine kurze Erklärung, was einzugeben ist.",
            ),
        );
    }
    let kind = match index % 8 {
        0 => {
            field.insert("required".into(), Value::Boolean(true));
            field.insert("max_length".into(), Value::Integer(100));
            "text"
        }
        1 => "email",
        2 => "tel",
        3 => {
            let options = ["DE", "FR", "GB", "other"]
                .iter()
                .map(|value| {
                    let mut option = Table::new();
                    option.insert("value".into(), Value::String((*value).into()));
                    option.insert("label".into(), texts(value, value, value));
                    Value::Table(option)
                })
                .collect();
            field.insert("options".into(), Value::Array(options));
            "select"
        }
        4 => {
            field.insert("min".into(), Value::String("1900-01-01".into()));
            field.insert("max".into(), Value::String("2030-12-31".into()));
            "date"
        }
        5 => {
            field.insert("min".into(), Value::Float(0.0));
            field.insert("max".into(), Value::Float(1000.0));
            "number"
        }
        6 => "checkbox",
        _ => {
            field.insert("max_length".into(), Value::Integer(500));
            "textarea"
        }
    };
    field.insert("kind".into(), Value::String(kind.into()));
    field
}

fn texts(en: &str, fr: &str, de: &str) -> Value {
    let mut text = Table::new();
    text.insert("en".into(), Value::String(en.into()));
    text.insert("fr".into(), Value::String(fr.into()));
    text.insert("de".into(), Value::String(de.into()));
    Value::Table(text)
}

#[cfg(test)]
mod tests {
    use stopover_signer::config::{Config, ReplayStoreConfig};

    use super::*;

    fn demo_toml() -> String {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/demo.toml"
        ))
        .unwrap()
    }

    fn load(toml: &str) -> Config {
        let env = |name: &str| (name == SECRET_ENV).then(|| "s".repeat(48));
        Config::from_toml(toml, &env).unwrap()
    }

    #[test]
    fn the_bench_configuration_passes_the_signers_checks_with_every_generated_form() {
        let config =
            load(&bench_config_toml(&demo_toml(), 9100, Some(Path::new("/tmp/dist"))).unwrap());
        for fields in GROWTH_FIELD_COUNTS {
            let form = &config.forms[&growth_form_id(fields)];
            assert_eq!(form.fields.len(), fields);
            assert!(config.tenants[0].forms.contains(&growth_form_id(fields)));
        }
        assert!(config.forms.contains_key("profile"));
        assert_eq!(config.listen.port(), 9100);
        assert_eq!(config.allowed_origins, ["http://127.0.0.1:9100"]);
        assert_eq!(config.static_dir.as_deref(), Some(Path::new("/tmp/dist")));
        assert_eq!(config.replay, ReplayStoreConfig::Memory);
    }

    #[test]
    fn the_bench_configuration_lifts_the_per_client_rate_limit() {
        let config = load(&bench_config_toml(&demo_toml(), 9100, None).unwrap());
        assert_eq!(
            i64::from(config.limits.rate_limit_per_minute),
            RATE_LIMIT_PER_MINUTE
        );
        assert!(config.static_dir.is_none());
    }
}
