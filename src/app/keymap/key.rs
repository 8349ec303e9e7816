//! One key with its modifiers: how the config file spells it, how the terminal reports it, and
//! how it is shown in the footer and help.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers, normalised so that what the terminal reports and what a person writes
/// in the config compare equal (Shift is carried by the character itself, not the modifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    code: KeyCode,
    mods: KeyModifiers,
}

impl KeyCombo {
    pub fn from_event(key: &KeyEvent) -> Self {
        Self::normalised(key.code, key.modifiers)
    }

    fn normalised(code: KeyCode, mods: KeyModifiers) -> Self {
        let mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        match code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => Self {
                code: KeyCode::Char(c.to_ascii_lowercase()),
                mods: mods - KeyModifiers::SHIFT,
            },
            KeyCode::Char(_) | KeyCode::BackTab => Self {
                code,
                mods: mods - KeyModifiers::SHIFT,
            },
            _ => Self { code, mods },
        }
    }

    /// Parse the config spelling: "ctrl-q", "alt-1", "f2", "x", "shift-tab", "enter", "?".
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err("the key is empty".into());
        }
        let mut mods = KeyModifiers::NONE;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix, m) = if lower.starts_with("ctrl-") {
                ("ctrl-", KeyModifiers::CONTROL)
            } else if lower.starts_with("alt-") {
                ("alt-", KeyModifiers::ALT)
            } else if lower.starts_with("shift-") {
                ("shift-", KeyModifiers::SHIFT)
            } else {
                break;
            };
            if rest.len() == prefix.len() {
                break;
            }
            mods |= m;
            rest = &rest[prefix.len()..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if mods.contains(KeyModifiers::SHIFT) => {
                KeyCode::Char(c.to_ascii_uppercase())
            }
            (Some(c), None) => KeyCode::Char(c),
            _ => named_key(&rest.to_ascii_lowercase())
                .ok_or_else(|| format!("{rest:?} is not a key name"))?,
        };
        let code = match code {
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            other => other,
        };
        Ok(Self::normalised(code, mods))
    }

    /// A key that types a character into a text field (so it cannot act as a command there).
    pub fn is_printable(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && self.mods.is_empty()
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    Some(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "minus" => KeyCode::Char('-'),
        f if f.starts_with('f') => {
            let n: u8 = f[1..].parse().ok()?;
            if !(1..=12).contains(&n) {
                return None;
            }
            KeyCode::F(n)
        }
        _ => return None,
    })
}

impl fmt::Display for KeyCombo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Insert => f.write_str("Insert"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn config_spellings_match_what_terminals_send() {
        let cases = [
            ("ctrl-q", key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            ("Ctrl-Q", key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            ("alt-1", key(KeyCode::Char('1'), KeyModifiers::ALT)),
            ("f2", key(KeyCode::F(2), KeyModifiers::NONE)),
            ("x", key(KeyCode::Char('x'), KeyModifiers::NONE)),
            ("shift-tab", key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            ("?", key(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            ("X", key(KeyCode::Char('X'), KeyModifiers::SHIFT)),
            ("space", key(KeyCode::Char(' '), KeyModifiers::NONE)),
            ("-", key(KeyCode::Char('-'), KeyModifiers::NONE)),
        ];
        for (text, event) in cases {
            let combo = KeyCombo::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(combo, KeyCombo::from_event(&event), "{text}");
        }
        assert_ne!(KeyCombo::parse("x"), KeyCombo::parse("X"));
        assert_ne!(KeyCombo::parse("ctrl-x"), KeyCombo::parse("alt-x"));
    }

    #[test]
    fn unreadable_keys_are_refused() {
        for bad in ["", "f13", "ctrl-", "hyper-x", "enterr", "f0", "ctrl-alt-"] {
            assert!(KeyCombo::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn keys_display_the_way_people_write_them() {
        let shown: Vec<String> = ["ctrl-c", "alt-1", "f2", "shift-tab", "?", "esc", "space"]
            .iter()
            .map(|k| {
                KeyCombo::parse(k)
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            shown,
            ["Ctrl-C", "Alt-1", "F2", "Shift-Tab", "?", "Esc", "Space"]
        );
    }
}
