//! The audit trail's one-line summary of an entry's `detail`: any JSON at all is summarised
//! without a panic, and no value is shown that the summary does not know to be safe.

use clinic::domain::audit_trail::summary;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use crate::cases;

/// The keys the summary knows, and others.
const KEYS: &[&str] = &[
    "columns",
    "minutes",
    "sessions_ended",
    "entries",
    "access",
    "login",
    "job",
    "from",
    "to",
    "clinic_name",
    "time_zone",
    "currency",
    "idle_lock_minutes",
    "break_glass_max_minutes",
    "migration",
    "patient",
    "phone",
    "note",
    "name",
    "old",
    "new",
];

/// Marks a string that stands for something private: the summary may show it only where it
/// shows a setting's old and new value.
const SECRET: &str = "Secret ";

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        // Strings a safe shape would take if only they were not marked.
        prop::sample::select(vec![
            "care",
            "emergency",
            "doctor",
            "admin",
            "rita",
            "0025_audit",
            "phone",
            ""
        ])
        .prop_map(|s| Value::from(format!("{SECRET}{s}"))),
        "\\PC{0,10}".prop_map(|s| Value::from(format!("{SECRET}{s}"))),
        // And strings in the safe shapes themselves.
        prop::sample::select(vec![
            "care",
            "emergency",
            "doctor",
            "receptionist",
            "rita",
            "0025_audit",
            "aéébcdef",
            "1234_",
            "é"
        ])
        .prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS).prop_map(String::from),
                        "\\PC{0,6}"
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A detail as the database writes them: an object with known keys holding anything.
fn detail() -> impl Strategy<Value = Value> {
    prop_oneof![
        json(),
        prop::collection::vec((prop::sample::select(KEYS), json()), 0..6).prop_map(|kv| {
            Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
        }),
    ]
}

/// The strings the summary may show as they are: a setting's `[old, new]` of plain values.
fn shown_settings(detail: &Value) -> Vec<String> {
    let settings = [
        "clinic_name",
        "time_zone",
        "currency",
        "idle_lock_minutes",
        "break_glass_max_minutes",
    ];
    let Value::Object(map) = detail else {
        return Vec::new();
    };
    settings
        .iter()
        .filter_map(|k| map.get(*k)?.as_array())
        .flat_map(|pair| pair.iter().filter_map(|v| v.as_str().map(String::from)))
        .collect()
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_detail_is_summarised_showing_only_what_is_safe(d in detail()) {
        let said = summary(Some(&d));
        prop_assert!(!said.contains('\n'));
        // What is left once the settings' own values are taken out shows nothing marked.
        let mut allowed = shown_settings(&d);
        allowed.sort_by_key(|a| std::cmp::Reverse(a.len()));
        let rest = allowed.iter().fold(said.clone(), |rest, a| rest.replace(a.as_str(), ""));
        prop_assert!(!rest.contains(SECRET), "{:?} of {}", said, d);
    }

    #[test]
    fn any_json_at_all_is_summarised(d in json()) {
        let _ = summary(Some(&d));
        let _ = summary(None);
    }
}

/// A migration name with a letter of two bytes where the four digits go panicked (it was sliced
/// at a byte inside the letter).
#[test]
fn a_migration_name_in_any_script_is_not_shown() {
    for name in ["aéébcdef", "00é1_x", "é0000_abc"] {
        let said = summary(Some(&json!({ "migration": name })));
        assert_eq!(said, "1 other detail not shown", "{name}");
    }
    assert_eq!(
        summary(Some(&json!({ "migration": "0025_audit" }))),
        "migration 0025_audit"
    );
}
