//! The `:` command line: go to a screen by name, plus a few words that work everywhere.

use tui_input::{Input, InputRequest};

use super::registry::ScreenId;

#[derive(Debug, Default)]
pub struct CommandLine {
    pub input: Input,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Empty,
    Screen(ScreenId),
    Quit,
    Help,
    Lock,
    /// Choose a new password.
    Password,
    Unknown(String),
    Ambiguous(Vec<&'static str>),
}

const WORDS: &[&str] = &["quit", "help", "lock", "password"];

fn all_words() -> impl Iterator<Item = &'static str> {
    ScreenId::ALL
        .iter()
        .map(|s| s.command_name())
        .chain(WORDS.iter().copied())
}

fn meaning(word: &str) -> Parsed {
    match word {
        "quit" => Parsed::Quit,
        "help" => Parsed::Help,
        "lock" => Parsed::Lock,
        "password" => Parsed::Password,
        _ => ScreenId::ALL
            .iter()
            .find(|s| s.command_name() == word)
            .map_or_else(|| Parsed::Unknown(word.to_string()), |s| Parsed::Screen(*s)),
    }
}

/// An exact word wins, then a unique prefix ("pat" is patients); `q` is quit, as in vi.
pub fn parse(text: &str) -> Parsed {
    let word = text.trim().to_lowercase();
    if word.is_empty() {
        return Parsed::Empty;
    }
    if word == "q" {
        return Parsed::Quit;
    }
    if all_words().any(|w| w == word) {
        return meaning(&word);
    }
    let matches: Vec<&'static str> = all_words().filter(|w| w.starts_with(&word)).collect();
    match matches.as_slice() {
        [] => Parsed::Unknown(text.trim().to_string()),
        [one] => meaning(one),
        _ => Parsed::Ambiguous(matches),
    }
}

impl CommandLine {
    pub fn edit(&mut self, request: InputRequest) -> bool {
        self.input.handle(request).is_some()
    }

    pub fn has_text(&self) -> bool {
        !self.input.value().trim().is_empty()
    }

    /// Completes to the one word the typed prefix allows; returns the candidates otherwise.
    pub fn complete(&mut self) -> Vec<&'static str> {
        let typed = self.input.value().trim().to_lowercase();
        let matches: Vec<&'static str> = all_words().filter(|w| w.starts_with(&typed)).collect();
        if let [one] = matches.as_slice() {
            self.input = Input::new((*one).to_string());
        }
        matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_prefixes() {
        assert_eq!(parse(" Patients "), Parsed::Screen(ScreenId::Patients));
        assert_eq!(parse("cal"), Parsed::Screen(ScreenId::Calendar));
        assert_eq!(parse("q"), Parsed::Quit);
        assert_eq!(parse("qu"), Parsed::Ambiguous(vec!["queue", "quit"]));
        assert_eq!(parse("que"), Parsed::Screen(ScreenId::Queue));
        assert_eq!(parse("zebra"), Parsed::Unknown("zebra".into()));
        assert_eq!(parse("  "), Parsed::Empty);
    }

    #[test]
    fn tab_completes_a_unique_prefix_only() {
        let mut line = CommandLine {
            input: Input::new("rec".into()),
        };
        assert_eq!(line.complete(), vec!["records"]);
        assert_eq!(line.input.value(), "records");
        let mut line = CommandLine {
            input: Input::new("q".into()),
        };
        assert_eq!(line.complete().len(), 2);
        assert_eq!(line.input.value(), "q");
    }
}
