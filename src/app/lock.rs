//! The idle lock (HIPAA automatic logoff): hides everything and asks for the password again.

use chrono::{DateTime, Utc};
use tui_input::{Input, InputRequest};

use super::action::{Effect, RequestId, Secret};
use super::pending::{Pending, RequestIds};
use super::Popup;

/// The argon2id hash of the password that signed in, which an unlock is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnlockHash {
    Making(RequestId),
    Ready(String),
    Failed,
}

#[derive(Debug)]
pub struct LockState {
    pub password: Input,
    pub error: Option<String>,
    pub checking: Pending,
    /// Why it locked, for the sentence on the lock box.
    pub reason: LockReason,
    /// A confirm popup that was open when the lock came down, given back on unlock.
    pub(super) hidden_popup: Option<Popup>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReason {
    Idle { minutes: u32 },
    Asked,
}

impl LockState {
    pub fn new(reason: LockReason, hidden_popup: Option<Popup>) -> Self {
        Self {
            password: Input::default(),
            error: None,
            checking: Pending::default(),
            reason,
            hidden_popup,
        }
    }

    pub fn edit(&mut self, request: InputRequest) -> bool {
        self.password.handle(request).is_some()
    }

    /// The password leaves the field at once: it is either checked or refused, never kept.
    pub fn submit(
        &mut self,
        ids: &mut RequestIds,
        now: DateTime<Utc>,
        hash: &UnlockHash,
    ) -> Option<Effect> {
        if self.password.value().is_empty() {
            self.error = Some("Type your password.".into());
            return None;
        }
        let password = Secret::new(self.password.value_and_reset());
        match hash {
            UnlockHash::Ready(hash) => {
                self.error = None;
                let request = self.checking.start(ids, now, ());
                Some(Effect::CheckUnlock {
                    request,
                    password,
                    hash: hash.clone(),
                })
            }
            UnlockHash::Making(_) => {
                self.error =
                    Some("Still getting ready to check passwords; try again in a moment.".into());
                None
            }
            UnlockHash::Failed => {
                self.error =
                    Some("This session cannot check passwords. Quit and sign in again.".into());
                None
            }
        }
    }

    pub fn refused(&mut self) {
        self.checking.cancel();
        self.error = Some("Wrong password. The screen stays locked.".into());
    }
}
