//! The config file: any text loads or is refused with an error naming the file, never a panic;
//! the example config loads; whatever loads is usable by the screens that read it.

use std::path::Path;

use chrono::NaiveDate;
use clinic::app::keymap::Keymap;
use clinic::config::{Config, ConfigError};
use clinic::domain::patient::format_date;
use proptest::prelude::*;

use crate::{cases, text};

const EXAMPLE: &str = include_str!("../../config.example.toml");

/// What the app reads from a config that loaded, as the screens do: none of it may panic.
fn use_all_of(config: &Config) {
    let _ = (
        config.currency(),
        config.export_dir(),
        config.time_zone(),
        config.number_format(),
    );
    let _ = (
        config.server.hosts(),
        config.server.on_sockets(),
        config.bank_csv(),
    );
    let _ = Keymap::with_overrides(&config.keys);
    // The billing screens show days in the clinic's own format.
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a day");
    assert!(
        format_date(day, &config.clinic.date_format).is_some(),
        "a config with date_format {:?} loaded, which shows no date",
        config.clinic.date_format
    );
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("/etc/clinic/fuzz.toml");
    match Config::parse(text, path) {
        Ok(config) => use_all_of(&config),
        Err(ConfigError::Parse { path: p, message }) => {
            prop_assert_eq!(p.as_path(), path);
            prop_assert!(!message.is_empty());
        }
        Err(other) => prop_assert!(false, "parse gave {other}"),
    }
    Ok(())
}

/// A key the config has, or nearly.
fn key() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop::sample::select(vec![
        ("clinic", "name"),
        ("clinic", "time_zone"),
        ("clinic", "currency"),
        ("clinic", "date_format"),
        ("clinic", "number_format"),
        ("server", "host"),
        ("server", "port"),
        ("server", "dbname"),
        ("server", "sslmode"),
        ("server", "sslrootcert"),
        ("server", "connect_timeout_secs"),
        ("server", "target_session_attrs"),
        ("session", "idle_lock_minutes"),
        ("records", "break_glass_minutes"),
        ("billing", "payment_terms_days"),
        ("billing", "export_dir"),
        ("billing.bank_csv", "delimiter"),
        ("billing.bank_csv", "header"),
        ("billing.bank_csv", "date"),
        ("billing.bank_csv", "amount"),
        ("billing.bank_csv", "reference"),
        ("billing.bank_csv", "payer"),
        ("billing.bank_csv", "date_formats"),
        ("billing.bank_csv", "decimal"),
        ("display", "colour"),
        ("display", "glyphs"),
        ("keys", "quit"),
        ("keys", "help"),
        ("keys", "no_such_action"),
        ("clinic", "unknown"),
        ("nowhere", "thing"),
    ])
}

/// A TOML value of any type, often one the key might take.
fn value() -> impl Strategy<Value = toml::Value> {
    let string = prop_oneof![
        text(),
        prop::sample::select(vec![
            "UTC",
            "Europe/London",
            "EUR",
            "JPY",
            "%d/%m/%Y",
            "%Q",
            "%",
            "%Y-%m-%d %",
            "1.234,50",
            "1,234.50",
            ";",
            "\t",
            ",",
            ".",
            "verify-full",
            "any",
            "read-write",
            "always",
            "never",
            "auto",
            "ctrl-q",
            "f2",
            "ctrl-",
            "~/exports",
            "/run/postgresql",
            "",
            "a,b",
            "3",
        ])
        .prop_map(String::from),
    ];
    prop_oneof![
        string.clone().prop_map(toml::Value::String),
        any::<i64>().prop_map(toml::Value::Integer),
        (0i64..1000).prop_map(toml::Value::Integer),
        any::<bool>().prop_map(toml::Value::Boolean),
        any::<f64>().prop_map(toml::Value::Float),
        prop::collection::vec(string, 0..3)
            .prop_map(|v| toml::Value::Array(v.into_iter().map(toml::Value::String).collect())),
    ]
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_text_loads_or_is_refused(s in prop_oneof![text(), "(\\[[a-z._]{0,12}\\]\n)?([a-z_]{1,8} ?= ?[\"0-9a-z%\\[\\]{}, .'-]{0,12}\n){0,4}"]) {
        check(&s)?;
    }

    #[test]
    fn any_value_at_any_key_loads_or_is_refused(entries in prop::collection::vec((key(), value()), 0..6)) {
        // One table per entry, so a key given twice is TOML's own refusal, not a panic.
        let text: String = entries.iter().map(|((table, k), v)| format!("[{table}]\n{k} = {v}\n")).collect();
        check(&text)?;
    }

    #[test]
    fn the_example_spoiled_anywhere_loads_or_is_refused(at in 0usize..EXAMPLE.len(), cut in 0usize..40, put in text()) {
        let mut spoiled = EXAMPLE.to_string();
        let start = (0..=at).rev().find(|&i| spoiled.is_char_boundary(i)).unwrap_or(0);
        let end = (start + cut..=spoiled.len()).find(|&i| spoiled.is_char_boundary(i)).unwrap_or(spoiled.len());
        spoiled.replace_range(start..end.max(start), &put);
        check(&spoiled)?;
    }
}

#[test]
fn the_example_config_loads_as_the_defaults() {
    let config =
        Config::parse(EXAMPLE, Path::new("config.example.toml")).expect("the example loads");
    use_all_of(&config);
    assert_eq!(config, Config::default());
}

/// A date format that shows no date loaded, and the billing screens then panicked formatting a
/// due date with it.
#[test]
fn a_date_format_that_shows_no_date_is_refused() {
    for bad in ["%Q", "%", "%d/%m/%", "%Y-%m-%d %"] {
        let text = format!("[clinic]\ndate_format = {bad:?}\n");
        let refused = Config::parse(&text, Path::new("c.toml"))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.contains("clinic.date_format")),
            "{bad:?}: {refused:?}"
        );
    }
}
