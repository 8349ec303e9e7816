//! Key overrides from the config's `[keys]`: any key string parses or is refused, and a key reads
//! back from the way the footer and help show it.

use std::collections::BTreeMap;

use clinic::app::keymap::{KeyCombo, Keymap, Place};
use proptest::prelude::*;

use crate::{cases, text};

/// Keys as people write them in the config, with a typo now and then.
fn key_text() -> impl Strategy<Value = String> {
    let modifier = prop::sample::select(vec![
        "ctrl-", "alt-", "shift-", "Ctrl-", "ALT-", "Shift-", "hyper-", "ctrl+",
    ]);
    let name = prop_oneof![
        prop::sample::select(vec![
            "enter",
            "Return",
            "esc",
            "escape",
            "tab",
            "backtab",
            "space",
            "backspace",
            "delete",
            "del",
            "insert",
            "ins",
            "home",
            "end",
            "pageup",
            "PgUp",
            "pagedown",
            "pgdn",
            "up",
            "down",
            "left",
            "right",
            "minus",
            "f0",
            "f1",
            "F12",
            "f13",
            "f255",
            "f256",
            "f-1",
            "f",
            "enterr",
            "-",
            "",
        ])
        .prop_map(String::from),
        any::<char>().prop_map(String::from),
        "[a-zA-Z0-9?/,.;'\\[\\]]",
    ];
    (prop::collection::vec(modifier, 0..4), name, "[ \t]{0,2}")
        .prop_map(|(mods, name, pad)| format!("{pad}{}{name}{pad}", mods.concat()))
}

fn action_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = Place::all()
        .iter()
        .flat_map(|p| p.declared().iter().map(|b| b.name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_key_parses_or_is_refused_and_reads_back_as_shown(s in prop_oneof![key_text(), text()]) {
        match KeyCombo::parse(&s) {
            Ok(key) => {
                let shown = key.to_string();
                prop_assert_eq!(KeyCombo::parse(&shown), Ok(key), "{:?} shown as {:?}", s, shown);
            }
            Err(why) => prop_assert!(!why.is_empty()),
        }
    }

    #[test]
    fn any_overrides_make_a_keymap_or_are_refused(
        overrides in prop::collection::btree_map(
            prop_oneof![4 => prop::sample::select(action_names()).prop_map(String::from), 1 => "[a-z_]{1,12}"],
            prop::collection::vec(key_text(), 0..3).prop_map(|keys| keys.join(",")),
            0..4,
        )
    ) {
        let overrides: BTreeMap<String, String> = overrides;
        match Keymap::with_overrides(&overrides) {
            Ok(keymap) => {
                for place in Place::all() {
                    for b in keymap.bindings(place) {
                        for key in b.usable_keys(place.is_text_entry()) {
                            prop_assert_eq!(KeyCombo::parse(&key.to_string()), Ok(*key));
                        }
                    }
                }
            }
            Err(e) => prop_assert!(e.to_string().starts_with("config [keys]"), "{}", e),
        }
    }
}
