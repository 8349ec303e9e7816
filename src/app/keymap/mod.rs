//! Every key binding, declared once per place with a description.
//!
//! The same resolved list answers three questions: which command a key press means, what the footer
//! hints say, and what the `?` help lists. Defaults are compiled in; `[keys]` in the config file
//! replaces the keys of a named action.

mod declared;
mod key;

use std::collections::{BTreeMap, HashMap};

use crossterm::event::KeyEvent;

pub use declared::{
    bind, Binding, Command, COMMAND_LINE, CONFIRM, GLOBAL, HELP, LOCK, LOGIN, PASSWORD, SHELL,
};
pub use key::KeyCombo;

use super::registry::{Panel, ScreenId};

/// A list of bindings that is active together with others, depending on what is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    Global,
    Shell,
    Login,
    Lock,
    /// Choosing a new password.
    Password,
    CommandLine,
    Confirm,
    Help,
    Screen(ScreenId),
    /// A form or popup of a screen, with keys of its own (see `Screen::Panel`).
    Panel(Panel),
}

impl Place {
    pub fn all() -> Vec<Place> {
        let mut all = vec![
            Place::Global,
            Place::Shell,
            Place::Login,
            Place::Lock,
            Place::Password,
            Place::CommandLine,
            Place::Confirm,
            Place::Help,
        ];
        all.extend(ScreenId::ALL.iter().copied().map(Place::Screen));
        all.extend(Panel::all().into_iter().map(Place::Panel));
        all
    }

    pub fn declared(self) -> &'static [Binding] {
        match self {
            Place::Global => GLOBAL,
            Place::Shell => SHELL,
            Place::Login => LOGIN,
            Place::Lock => LOCK,
            Place::Password => PASSWORD,
            Place::CommandLine => COMMAND_LINE,
            Place::Confirm => CONFIRM,
            Place::Help => HELP,
            Place::Screen(s) => s.bindings(),
            Place::Panel(p) => p.bindings(),
        }
    }

    /// The lists consulted, first match wins, when this place is in front.
    pub fn stack(self) -> Vec<Place> {
        match self {
            Place::Confirm => vec![Place::Confirm],
            Place::Screen(_) | Place::Panel(_) => vec![self, Place::Shell, Place::Global],
            Place::Global => vec![Place::Global],
            _ => vec![self, Place::Global],
        }
    }

    /// Where the focus is a text field, so plain characters are typed rather than looked up.
    pub fn is_text_entry(self) -> bool {
        matches!(
            self,
            Place::Login | Place::Lock | Place::Password | Place::CommandLine
        )
    }

    pub fn title(self) -> &'static str {
        match self {
            Place::Global => "Everywhere",
            Place::Shell => "All screens",
            Place::Login => "Sign in",
            Place::Lock => "Locked",
            Place::Password => "New password",
            Place::CommandLine => "Command line",
            Place::Confirm => "Confirm",
            Place::Help => "Help",
            Place::Screen(s) => s.title(),
            Place::Panel(p) => p.title(),
        }
    }
}

/// A binding with its keys settled (defaults, or the config's replacement).
#[derive(Debug, Clone)]
pub struct ResolvedBinding {
    pub name: &'static str,
    pub desc: &'static str,
    pub command: Command,
    pub footer: Option<&'static str>,
    pub keys: Vec<KeyCombo>,
}

impl ResolvedBinding {
    /// The keys worth showing: in a text field a plain character would be typed, so leave it out.
    pub fn usable_keys(&self, text_entry: bool) -> impl Iterator<Item = &KeyCombo> {
        self.keys
            .iter()
            .filter(move |k| !(text_entry && k.is_printable()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("config [keys]: unknown action {name:?}; the actions are: {known}")]
    UnknownAction { name: String, known: String },
    #[error(
        "config [keys] {action} = {key:?}: {why} (write keys like \"ctrl-q\", \"alt-1\", \"f2\", \"x\" or \"shift-tab\")"
    )]
    BadKey {
        action: String,
        key: String,
        why: String,
    },
    #[error("config [keys]: {key} is bound to both {first} and {second} in the same place")]
    Conflict {
        key: String,
        first: String,
        second: String,
    },
    #[error(
        "config [keys] {action}: every key would be typed into the text field there; add one with ctrl, alt or a function key"
    )]
    OnlyPrintable { action: String },
}

/// The resolved bindings of every place.
#[derive(Debug, Clone)]
pub struct Keymap {
    places: HashMap<Place, Vec<ResolvedBinding>>,
}

impl Keymap {
    /// Apply `[keys]` overrides (action name -> key, or several keys separated by commas).
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Self, KeymapError> {
        let all = Place::all();
        for name in overrides.keys() {
            if !all
                .iter()
                .any(|p| p.declared().iter().any(|b| b.name == name))
            {
                let mut known: Vec<&str> = all
                    .iter()
                    .flat_map(|p| p.declared().iter().map(|b| b.name))
                    .collect();
                known.sort_unstable();
                known.dedup();
                return Err(KeymapError::UnknownAction {
                    name: name.clone(),
                    known: known.join(", "),
                });
            }
        }
        let mut places = HashMap::new();
        for place in all {
            let mut resolved = Vec::new();
            for b in place.declared() {
                let keys = match overrides.get(b.name) {
                    Some(spec) => parse_keys(
                        b.name,
                        spec.split(',').filter(|k| !k.trim().is_empty()),
                        spec,
                    )?,
                    None => parse_keys(b.name, b.keys.iter().copied(), &b.keys.join(", "))?,
                };
                resolved.push(ResolvedBinding {
                    name: b.name,
                    desc: b.desc,
                    command: b.command,
                    footer: b.footer,
                    keys,
                });
            }
            places.insert(place, resolved);
        }
        let keymap = Self { places };
        keymap.check()?;
        Ok(keymap)
    }

    pub fn defaults() -> Self {
        // The compiled-in lists are checked by a unit test, so this cannot fail in a release.
        Self::with_overrides(&BTreeMap::new()).expect("the default key bindings are consistent")
    }

    fn check(&self) -> Result<(), KeymapError> {
        for top in Place::all() {
            let mut seen: HashMap<KeyCombo, &str> = HashMap::new();
            for place in top.stack() {
                for b in self.bindings(place) {
                    if top.is_text_entry() && b.usable_keys(true).next().is_none() {
                        return Err(KeymapError::OnlyPrintable {
                            action: b.name.into(),
                        });
                    }
                    for k in &b.keys {
                        if top.is_text_entry() && k.is_printable() {
                            continue;
                        }
                        if let Some(first) = seen.insert(*k, b.name) {
                            if first != b.name {
                                return Err(KeymapError::Conflict {
                                    key: k.to_string(),
                                    first: first.into(),
                                    second: b.name.into(),
                                });
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    pub fn bindings(&self, place: Place) -> &[ResolvedBinding] {
        self.places.get(&place).map_or(&[], Vec::as_slice)
    }

    /// The command `key` means when `top` is in front, if any.
    pub fn lookup(&self, top: Place, key: &KeyEvent) -> Option<Command> {
        let combo = KeyCombo::from_event(key);
        top.stack()
            .into_iter()
            .flat_map(|p| self.bindings(p))
            .find(|b| b.keys.contains(&combo))
            .map(|b| b.command)
    }

    /// The first key of the binding for `command` near `top`, as shown to people.
    pub fn key_for(&self, top: Place, command: Command) -> Option<String> {
        self.key_for_typing(top, command, top.is_text_entry())
    }

    /// The same, when a text field has the focus (`typing`): a key that would be typed into it
    /// does not do what it says, so the first one that works there ("Ctrl-N", not "n").
    pub fn key_for_typing(&self, top: Place, command: Command, typing: bool) -> Option<String> {
        top.stack()
            .into_iter()
            .flat_map(|p| self.bindings(p))
            .find(|b| b.command == command)
            .and_then(|b| b.usable_keys(typing).next())
            .map(ToString::to_string)
    }
}

fn parse_keys<'a>(
    action: &str,
    keys: impl Iterator<Item = &'a str>,
    spec: &str,
) -> Result<Vec<KeyCombo>, KeymapError> {
    let parsed = keys
        .map(|k| {
            KeyCombo::parse(k).map_err(|why| KeymapError::BadKey {
                action: action.into(),
                key: k.trim().into(),
                why,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if parsed.is_empty() {
        return Err(KeymapError::BadKey {
            action: action.into(),
            key: spec.into(),
            why: "no key given".into(),
        });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn the_defaults_have_no_conflicts_and_unique_names() {
        let map = Keymap::defaults();
        let mut names: Vec<&str> = Place::all()
            .into_iter()
            .flat_map(|p| p.declared().iter().map(|b| b.name))
            .collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total, "a binding name is declared twice");
        let f2 = key(KeyCode::F(2), KeyModifiers::NONE);
        assert_eq!(
            map.lookup(Place::Screen(ScreenId::Patients), &f2),
            Some(Command::GoTo(1))
        );
        assert_eq!(map.lookup(Place::Login, &f2), None);
    }

    /// A key that marks a no-show, cancels or completes is a key nowhere else: the desk's fingers
    /// learn `n` as "new patient" on one screen and must not mark a no-show with it on another.
    #[test]
    fn keys_that_change_a_status_mean_nothing_else_on_any_screen() {
        let status_keys = [
            "calendar.no_show",
            "calendar.detail.no_show",
            "calendar.cancel",
            "calendar.detail.cancel",
        ];
        let declared: Vec<&Binding> = Place::all()
            .into_iter()
            .flat_map(|p| p.declared().iter())
            .collect();
        for name in status_keys {
            let binding = declared
                .iter()
                .find(|b| b.name == name)
                .unwrap_or_else(|| panic!("{name} is declared"));
            for key in binding.keys {
                let others: Vec<&str> = declared
                    .iter()
                    .filter(|b| b.keys.contains(key))
                    .map(|b| b.name)
                    .filter(|other| !status_keys.contains(other))
                    .collect();
                assert!(
                    others.is_empty(),
                    "{name}'s key {key:?} also means {others:?}"
                );
            }
        }
    }

    #[test]
    fn overrides_replace_keys_and_errors_name_the_culprit() {
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), "ctrl-q, f10".to_string());
        let map = Keymap::with_overrides(&o).expect("valid override");
        let ctrl_q = key(KeyCode::Char('q'), KeyModifiers::CONTROL);
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.lookup(Place::Login, &ctrl_q), Some(Command::Quit));
        assert_eq!(map.lookup(Place::Login, &ctrl_c), None);

        let mut o = BTreeMap::new();
        o.insert("quitt".to_string(), "ctrl-q".to_string());
        let err = Keymap::with_overrides(&o)
            .expect_err("unknown action")
            .to_string();
        assert!(
            err.contains("\"quitt\"") && err.contains("lock_screen"),
            "{err}"
        );

        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), "ctlr-q".to_string());
        let err = Keymap::with_overrides(&o).expect_err("bad key").to_string();
        assert!(err.contains("quit") && err.contains("ctlr-q"), "{err}");

        let mut o = BTreeMap::new();
        o.insert("lock_screen".to_string(), "f2".to_string());
        let err = Keymap::with_overrides(&o)
            .expect_err("conflict")
            .to_string();
        assert!(
            err.contains("F2") && err.contains("lock_screen") && err.contains("screen_1"),
            "{err}"
        );

        let mut o = BTreeMap::new();
        o.insert("login.sign_in".to_string(), "s".to_string());
        let err = Keymap::with_overrides(&o)
            .expect_err("printable in a text field")
            .to_string();
        assert!(err.contains("login.sign_in"), "{err}");
    }
}

/// The whole key map as Markdown, one table per place, from the same declarations the footer and
/// `?` use: `clinic keys` prints it and README.md carries it (a test keeps the two equal). Keys are
/// written as the config file's `[keys]` section takes them.
pub fn markdown() -> String {
    let mut out = String::new();
    for place in Place::all() {
        let bindings = place.declared();
        if bindings.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n#### {}\n\n| keys | action | does |\n|---|---|---|\n",
            place.title()
        ));
        for b in bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| format!("`{k}`")).collect();
            out.push_str(&format!(
                "| {} | `{}` | {} |\n",
                keys.join(" "),
                b.name,
                b.desc
            ));
        }
    }
    out
}

#[cfg(test)]
mod readme_tests {
    #[test]
    fn the_readme_key_map_is_the_declared_one() {
        let readme = include_str!("../../../README.md");
        let start = readme
            .find("<!-- keys:start -->")
            .expect("README has the keys:start marker");
        let end = readme
            .find("<!-- keys:end -->")
            .expect("README has the keys:end marker");
        let in_readme = readme[start + "<!-- keys:start -->".len()..end].trim();
        assert_eq!(
            in_readme,
            super::markdown().trim(),
            "README.md's key map is stale: replace it with the output of `clinic keys`"
        );
    }
}
