//! Patient lookup and registration: reception's home screen.

use tui_input::InputRequest;

use super::action::RequestId;
use super::keymap::Binding;
use super::screen::{Ctx, Intent, Outcome, ScreenState};

/// This screen's keys: declared once, feeding the footer, the help and the key lookup.
pub const BINDINGS: &[Binding] = &[];

/// What this screen's keys ask for (wrapped in `keymap::Command`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    /// Load the screen's data again.
    Refresh,
}

/// Database work this screen asks for; run by `crate::effects::patients`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {}

/// The answers, each carrying the request id it answers so a stale one is dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {}

impl Reply {
    pub fn request(&self) -> RequestId {
        match *self {}
    }
}

#[derive(Debug, Default)]
pub struct PatientsScreen {}

impl ScreenState for PatientsScreen {}

impl PatientsScreen {
    /// The screen came to the front.
    pub fn entered(&mut self, _ctx: &mut Ctx) -> Outcome {
        Outcome::default()
    }

    pub fn command(&mut self, cmd: Cmd, _ctx: &mut Ctx) -> Outcome {
        match cmd {
            Cmd::Refresh => Outcome::default(),
        }
    }

    /// Typing in the focused text field.
    pub fn edit(&mut self, _request: InputRequest, _ctx: &mut Ctx) -> Outcome {
        Outcome::default()
    }

    pub fn reply(&mut self, reply: Reply, _ctx: &mut Ctx) -> Outcome {
        match reply {}
    }

    /// Work handed over from another screen (e.g. "book this patient").
    pub fn intent(&mut self, _intent: Intent, _ctx: &mut Ctx) -> Outcome {
        Outcome::default()
    }

    /// The clock moved on (debounce timers, waiting times).
    pub fn tick(&mut self, _ctx: &mut Ctx) -> Outcome {
        Outcome::default()
    }
}
