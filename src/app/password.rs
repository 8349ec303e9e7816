//! Choosing one's own new password, from any screen (`:password`) or, after an administrator reset
//! it, before anything else at sign-in. The password is typed twice at hidden fields, checked
//! here (the server only ever sees a SCRAM verifier computed on this machine), and sent through
//! `clinic.change_own_password`; the session's pool and the lock screen then use the new one.

use chrono::{DateTime, Utc};
use tui_input::{Input, InputRequest};

use super::action::{Effect, RequestId, Secret};
use super::pending::{Pending, RequestIds};
use super::{App, Mode};
use crate::domain::staff::password_problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordField {
    New,
    Again,
}

#[derive(Debug)]
pub struct PasswordChange {
    pub new: Input,
    pub again: Input,
    pub focus: PasswordField,
    /// Why the password was refused, at the field it is about.
    pub error: Option<(PasswordField, String)>,
    /// After a reset: it cannot be put off (only quitting leaves it).
    pub required: bool,
    /// The change on its way, with the new password for the session and the lock.
    pub saving: Pending<Secret>,
}

impl PasswordChange {
    pub fn new(required: bool) -> Self {
        Self {
            new: Input::default(),
            again: Input::default(),
            focus: PasswordField::New,
            error: None,
            required,
            saving: Pending::default(),
        }
    }

    pub fn edit(&mut self, request: InputRequest) -> bool {
        let field = match self.focus {
            PasswordField::New => &mut self.new,
            PasswordField::Again => &mut self.again,
        };
        let changed = field.handle(request).is_some();
        if changed {
            self.error = None;
        }
        changed
    }

    pub fn switch_field(&mut self) {
        self.focus = match self.focus {
            PasswordField::New => PasswordField::Again,
            PasswordField::Again => PasswordField::New,
        };
    }

    /// Typed but not sent.
    pub fn has_input(&self) -> bool {
        !self.new.value().is_empty() || !self.again.value().is_empty()
    }

    fn refuse(&mut self, field: PasswordField, why: impl Into<String>) -> Option<Effect> {
        self.error = Some((field, why.into()));
        self.focus = field;
        None
    }

    /// Check what was typed and send it, or say at the field what is wrong. Both fields are
    /// emptied once it is sent (a retry types it again).
    pub fn submit(
        &mut self,
        login: &str,
        ids: &mut RequestIds,
        now: DateTime<Utc>,
    ) -> Option<Effect> {
        if self.saving.in_flight() {
            return self.refuse(self.focus, "Still saving the new password.");
        }
        let new = self.new.value().to_string();
        if let Some(why) = password_problem(login, &new) {
            return self.refuse(PasswordField::New, why);
        }
        if self.again.value() != new {
            self.again.reset();
            return self.refuse(PasswordField::Again, "The two differ: type it again here.");
        }
        self.error = None;
        let password = Secret::new(new);
        self.new.reset();
        self.again.reset();
        self.focus = PasswordField::New;
        let request = self.saving.start(ids, now, password.clone());
        Some(Effect::ChangePassword { request, password })
    }
}

impl App {
    /// `:password`, or a reset's demand at sign-in.
    pub(super) fn open_password_change(&mut self, required: bool) {
        if let Some(shell) = self.shell_mut() {
            match &mut shell.password {
                Some(open) => open.required |= required,
                None => shell.password = Some(PasswordChange::new(required)),
            }
            self.dirty = true;
        }
    }

    pub(super) fn submit_password(&mut self) -> Vec<Effect> {
        let now = self.now;
        let Mode::Shell(shell) = &mut self.mode else {
            return Vec::new();
        };
        let login = shell.me.login.clone();
        match &mut shell.password {
            Some(change) => change
                .submit(&login, &mut self.ids, now)
                .into_iter()
                .collect(),
            None => Vec::new(),
        }
    }

    /// The database's answer: on success the lock screen learns the new password too.
    pub(super) fn password_changed(
        &mut self,
        request: RequestId,
        result: Result<(), String>,
    ) -> Vec<Effect> {
        let Mode::Shell(shell) = &mut self.mode else {
            return Vec::new();
        };
        let Some(change) = shell.password.as_mut() else {
            return Vec::new();
        };
        let Some(password) = change.saving.finish(request) else {
            return Vec::new();
        };
        self.dirty = true;
        match result {
            Ok(()) => {
                shell.password = None;
                self.notice = Some("Your new password is set: use it from now on.".into());
                let hash_request = self.ids.issue();
                shell.unlock_hash = super::lock::UnlockHash::Making(hash_request);
                vec![Effect::HashPassword {
                    request: hash_request,
                    password,
                }]
            }
            Err(e) => {
                change.error = Some((PasswordField::New, e));
                Vec::new()
            }
        }
    }

    /// Esc: put it off, unless it was required.
    pub(super) fn close_password_change(&mut self) {
        let Some(shell) = self.shell_mut() else {
            return;
        };
        match &shell.password {
            Some(change) if change.saving.in_flight() => {
                self.notice = Some("The new password is being set: wait for its answer.".into());
            }
            Some(change) if change.required => {
                self.notice = Some(
                    "Your password was reset: choose a new one to go on (Ctrl-C quits).".into(),
                );
            }
            Some(_) => shell.password = None,
            None => {}
        }
        self.dirty = true;
    }
}
