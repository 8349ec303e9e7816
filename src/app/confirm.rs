//! A yes/no question before a step that cannot be undone. Esc and `n` keep things as they are.

/// What happens on "yes". Later destructive steps (cancel an appointment, void an invoice) add
/// their own variant, so the popup itself never changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub question: String,
    /// Words after the yes key, e.g. "Quit".
    pub yes: String,
    /// Words after the no key, e.g. "Keep working".
    pub no: String,
    pub on_yes: Confirmed,
}

impl Confirm {
    pub fn quit_with_unsaved_input() -> Self {
        Self {
            title: "Quit?".into(),
            question: "Some input is not saved yet. Quit anyway and lose it?".into(),
            yes: "Quit".into(),
            no: "Keep working".into(),
            on_yes: Confirmed::Quit,
        }
    }
}
