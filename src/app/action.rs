//! What flows into `App::update` (Action) and what comes out of it (Effect).

use std::fmt;

use chrono::{DateTime, Utc};
use tui_input::InputRequest;

pub use ratatui_textarea::Input as TextInput;

use super::keymap::Command;
pub use super::pending::RequestId;
use super::registry::{ScreenReply, ScreenRequest};
use crate::domain::live::LiveEvent;
use crate::domain::staff::{LoginError, StaffIdentity};

/// A password on its way to a task. Debug never shows it, so a stray `{:?}` in a log line cannot
/// leak it, and the bytes are overwritten when it is dropped (best effort: copies made by the
/// allocator or the text field are out of reach).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.fill(0);
        // Keeps the zeroing from being optimised away as a dead store.
        std::hint::black_box(&bytes);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A bound key.
    Command(Command),
    /// Typing or cursor movement in the focused text field.
    Edit(InputRequest),
    /// A key for the focused multi-line editor (a note): typing, newlines, moving, undo.
    EditText(TextInput),
    /// A key with no meaning here; it still counts as the person being at the desk.
    Ignored,
    /// The clock moved on (to a deadline the app asked for, or past one): drives the status-bar
    /// clock, spinners, debounces, pings and the idle lock.
    Tick(DateTime<Utc>),
    /// The terminal's new size (columns, rows).
    Resized {
        width: u16,
        height: u16,
    },
    LoginDone {
        request: RequestId,
        result: Result<StaffIdentity, LoginError>,
    },
    /// `None` when hashing failed; unlocking is then impossible and the lock screen says so.
    PasswordHashed {
        request: RequestId,
        hash: Option<String>,
    },
    UnlockChecked {
        request: RequestId,
        ok: bool,
    },
    PingDone {
        request: RequestId,
        ok: bool,
    },
    /// A screen's request has gone unanswered for a while (the runner's `SLOW_ANSWER`): the
    /// connection is proved now rather than at its next ping, so a network that stalls (where
    /// nothing fails, the answers just stop) turns into "offline" within seconds, not half a
    /// minute. Not from the person.
    AnswerSlow,
    /// The clinic's shared settings as the database keeps them, heard at sign-in: its time zone
    /// (what "today" means on screen from then on, as in the database's rules), name, currency,
    /// the longest idle lock and the emergency-access cap.
    ClinicSettings(Box<crate::domain::settings::ClinicSettings>),
    /// An administrator reset this person's password: they choose a new one before going on.
    MustChangePassword,
    /// The answer to `Effect::ChangePassword`, in words when refused.
    PasswordChanged {
        request: RequestId,
        result: Result<(), String>,
    },
    /// The answer to a screen's own request.
    Screen(ScreenReply),
    /// From the live-updates connection: an appointment changed somewhere, or the connection was
    /// lost or (re)made. Not from the person, so it does not keep the screen awake.
    Live(LiveEvent),
}

impl Action {
    /// Whether this comes from the person at the keyboard (and so resets the idle lock).
    pub fn is_from_person(&self) -> bool {
        matches!(
            self,
            Action::Command(_) | Action::Edit(_) | Action::EditText(_) | Action::Ignored
        )
    }
}

/// Work for the effect runner in tui.rs; plain data, so tests can assert on it.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Sign in on the configured server; answered by `Action::LoginDone`.
    Login {
        request: RequestId,
        username: String,
        password: Secret,
    },
    /// Keep the session that sign-in `request` opened; every later database effect uses it.
    StartSession {
        request: RequestId,
    },
    /// Make the argon2id hash the lock screen checks against; answered by `PasswordHashed`.
    HashPassword {
        request: RequestId,
        password: Secret,
    },
    /// Answered by `UnlockChecked`.
    CheckUnlock {
        request: RequestId,
        password: Secret,
        hash: String,
    },
    /// The person's own new password, sent as a verifier; the session's pool and live updates
    /// take it too. Answered by `PasswordChanged`.
    ChangePassword {
        request: RequestId,
        password: Secret,
    },
    /// Prove the connection works; answered by `PingDone`.
    Ping {
        request: RequestId,
    },
    /// A screen's own database work, run by `crate::effects`; answered by `Action::Screen`.
    Screen(ScreenRequest),
    Quit,
}
