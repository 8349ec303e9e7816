//! The sign-in screen: username, password, and the answer from the database.

use chrono::{DateTime, Utc};
use tui_input::{Input, InputRequest};

use super::action::{Effect, RequestId, Secret};
use super::pending::{Pending, RequestIds};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginField {
    Username,
    Password,
}

#[derive(Debug)]
pub struct LoginState {
    pub username: Input,
    pub password: Input,
    pub focus: LoginField,
    /// The sentence from the last failed attempt.
    pub error: Option<String>,
    /// A sign-in on its way, with the password kept for the lock-screen hash (made once it
    /// succeeds).
    pub signing_in: Pending<Secret>,
}

impl LoginState {
    pub fn new(username_hint: Option<&str>) -> Self {
        let username = Input::new(username_hint.unwrap_or_default().trim().to_string());
        let focus = if username.value().is_empty() {
            LoginField::Username
        } else {
            LoginField::Password
        };
        Self {
            username,
            password: Input::default(),
            focus,
            error: None,
            signing_in: Pending::default(),
        }
    }

    pub fn edit(&mut self, request: InputRequest) -> bool {
        let field = match self.focus {
            LoginField::Username => &mut self.username,
            LoginField::Password => &mut self.password,
        };
        field.handle(request).is_some()
    }

    pub fn switch_field(&mut self) {
        self.focus = match self.focus {
            LoginField::Username => LoginField::Password,
            LoginField::Password => LoginField::Username,
        };
    }

    /// Start signing in, or say what is missing. A second Enter while one is running starts a new
    /// attempt with what is typed now; the first one's answer will then be dropped as stale.
    pub fn submit(&mut self, ids: &mut RequestIds, now: DateTime<Utc>) -> Option<Effect> {
        let username = self.username.value().trim().to_string();
        if username.is_empty() {
            self.error = Some("Type your username.".into());
            self.focus = LoginField::Username;
            return None;
        }
        if self.password.value().is_empty() {
            self.error = Some("Type your password.".into());
            self.focus = LoginField::Password;
            return None;
        }
        self.error = None;
        let password = Secret::new(self.password.value());
        let request = self.signing_in.start(ids, now, password.clone());
        Some(Effect::Login {
            request,
            username,
            password,
        })
    }

    pub fn cancel(&mut self) -> bool {
        self.signing_in.cancel().is_some()
    }

    /// The username stays for the next try; the password never does.
    pub fn failed(&mut self, message: String) {
        self.signing_in.cancel();
        self.error = Some(message);
        self.password.reset();
        self.focus = LoginField::Password;
    }

    /// The password that signed in (sign-in `request`), for the lock-screen hash.
    pub fn succeeded(&mut self, request: RequestId) -> Option<Secret> {
        self.password.reset();
        self.signing_in.finish(request)
    }
}
