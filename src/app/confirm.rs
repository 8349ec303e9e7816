//! A yes/no question before a step that cannot be undone. Esc and `n` keep things as they are.
//!
//! The question carries the step it confirms (gitui's ConfirmAction): a screen asks with one of
//! its own commands, and "yes" runs that command, so the popup itself never learns about screens.

use super::keymap::Command;

/// What happens on "yes".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    Quit,
    /// Run this command, as if its key had been pressed where the question was asked.
    Command(Command),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm<A = Confirmed> {
    pub title: String,
    pub question: String,
    /// Words after the yes key, e.g. "Quit".
    pub yes: String,
    /// Words after the no key, e.g. "Keep working".
    pub no: String,
    pub on_yes: A,
}

impl<A> Confirm<A> {
    pub fn new(
        title: impl Into<String>,
        question: impl Into<String>,
        yes: impl Into<String>,
        no: impl Into<String>,
        on_yes: A,
    ) -> Self {
        Self {
            title: title.into(),
            question: question.into(),
            yes: yes.into(),
            no: no.into(),
            on_yes,
        }
    }

    /// The same question with its step said another way (a screen's command as the shell's).
    pub fn map<B>(self, f: impl FnOnce(A) -> B) -> Confirm<B> {
        Confirm {
            title: self.title,
            question: self.question,
            yes: self.yes,
            no: self.no,
            on_yes: f(self.on_yes),
        }
    }

    /// Throwing away a form with typed input.
    pub fn discard(on_yes: A) -> Self {
        Self::new(
            "Discard the form?",
            "What you typed has not been saved. Throw it away?",
            "Discard",
            "Keep editing",
            on_yes,
        )
    }
}

impl Confirm {
    pub fn quit_with_unsaved_input() -> Self {
        Self::new(
            "Quit?",
            "Some input is not saved yet. Quit anyway and lose it?",
            "Quit",
            "Keep working",
            Confirmed::Quit,
        )
    }
}
