//! The shell's own steps, whatever the screen: signing in, the lock and unlocking, the connection's
//! pings, the `:` command line, and the clock (what is due when, and doing it when it is).

use chrono::{DateTime, Utc};

use super::command_line::{self, CommandLine, Parsed};
use super::help::HelpState;
use super::lock::{LockReason, LockState, UnlockHash};
use super::pending::{earliest, RequestId};
use super::shell::{Connection, Shell};
use super::{App, Effect, Mode, Popup};
use crate::domain::money::Currency;
use crate::domain::settings::ClinicSettings;
use crate::domain::staff::{LoginError, StaffIdentity};

impl App {
    pub(super) fn sign_in(&mut self) -> Vec<Effect> {
        let now = self.now;
        match &mut self.mode {
            Mode::Login(login) => login.submit(&mut self.ids, now).into_iter().collect(),
            Mode::Shell(_) => Vec::new(),
        }
    }

    pub(super) fn login_done(
        &mut self,
        request: RequestId,
        result: Result<StaffIdentity, LoginError>,
    ) -> Vec<Effect> {
        let Mode::Login(login) = &mut self.mode else {
            tracing::debug!(%request, "dropped a sign-in answer after sign-in");
            return Vec::new();
        };
        if !login.signing_in.is(request) {
            tracing::debug!(%request, "dropped a stale sign-in answer");
            return Vec::new();
        }
        self.dirty = true;
        let me = match result {
            Ok(me) => me,
            Err(error) => {
                login.failed(error.to_string());
                return Vec::new();
            }
        };
        let password = login.succeeded(request);
        let hash_request = self.ids.issue();
        tracing::debug!(job = %me.job, "signed in");
        let mut shell = Shell::new(me, self.now, hash_request);
        let mut effects = vec![Effect::StartSession { request }];
        match password {
            Some(password) => effects.push(Effect::HashPassword {
                request: hash_request,
                password,
            }),
            None => shell.unlock_hash = UnlockHash::Failed,
        }
        effects.push(shell.start_ping(&mut self.ids, self.now));
        self.mode = Mode::Shell(Box::new(shell));
        self.popup = None;
        effects.extend(self.entered_current());
        effects
    }

    /// The database keeps the settings every desk must agree on: the screen follows its time
    /// zone (so "today" on screen is the day the database's rules go by), name and currency; the
    /// idle lock and an emergency access's length stay within the clinic's limits (a desk's config
    /// may only say less).
    pub(super) fn clinic_settings(&mut self, settings: &ClinicSettings) -> Vec<Effect> {
        self.clinic_name.clone_from(&settings.clinic_name);
        if let Some(currency) = Currency::parse(&settings.currency) {
            self.currency = currency;
        }
        self.idle_lock_minutes = settings.idle_lock_for(self.desk.idle_lock_minutes);
        self.break_glass_minutes = settings.break_glass_for(self.desk.break_glass_minutes);
        self.dirty = true;
        let Ok(tz) = settings.time_zone.parse::<chrono_tz::Tz>() else {
            tracing::warn!(zone = %settings.time_zone, "the database's time zone is not one this build knows");
            return Vec::new();
        };
        if tz == self.time_zone {
            return Vec::new();
        }
        tracing::info!(config = %self.time_zone, database = %tz, "the clinic's time zone comes from the database");
        self.time_zone = tz;
        // What is shown was read for the other zone's day.
        self.entered_current()
    }

    pub(super) fn password_hashed(&mut self, request: RequestId, hash: Option<String>) {
        if let Mode::Shell(shell) = &mut self.mode {
            if shell.unlock_hash == UnlockHash::Making(request) {
                shell.unlock_hash = hash.map_or(UnlockHash::Failed, UnlockHash::Ready);
            }
        }
    }

    pub(super) fn ping_done(&mut self, request: RequestId, ok: bool) {
        let now = self.now;
        if let Mode::Shell(shell) = &mut self.mode {
            if shell.ping_done(request, ok, now) {
                self.dirty = true;
            }
        }
    }

    /// A ping now, unless one is on its way or the connection is not in a state `worth_it` asks
    /// about (a ping when the session is locked too: the status bar shows on the lock screen).
    pub(super) fn check_connection_now(
        &mut self,
        worth_it: impl Fn(Connection) -> bool,
    ) -> Vec<Effect> {
        let now = self.now;
        let Mode::Shell(shell) = &mut self.mode else {
            return Vec::new();
        };
        if shell.ping.in_flight() || !worth_it(shell.connection) {
            return Vec::new();
        }
        self.dirty = true;
        vec![shell.start_ping(&mut self.ids, now)]
    }

    pub(super) fn lock(&mut self, reason: LockReason) {
        let Mode::Shell(shell) = &mut self.mode else {
            return;
        };
        if shell.lock.is_some() {
            return;
        }
        // Help would show nothing private, but a confirm is a pending decision: keep it for later.
        let hidden = match self.popup.take() {
            Some(popup @ Popup::Confirm(_)) => Some(popup),
            _ => None,
        };
        shell.lock = Some(LockState::new(reason, hidden));
        self.notice = None;
        self.dirty = true;
        tracing::debug!(?reason, "screen locked");
    }

    pub(super) fn unlock(&mut self) -> Vec<Effect> {
        let now = self.now;
        let Mode::Shell(shell) = &mut self.mode else {
            return Vec::new();
        };
        match &mut shell.lock {
            Some(lock) => lock
                .submit(&mut self.ids, now, &shell.unlock_hash)
                .into_iter()
                .collect(),
            None => Vec::new(),
        }
    }

    pub(super) fn unlock_checked(&mut self, request: RequestId, ok: bool) {
        let now = self.now;
        let Mode::Shell(shell) = &mut self.mode else {
            return;
        };
        let Some(lock) = shell.lock.as_mut() else {
            return;
        };
        if lock.checking.finish(request).is_none() {
            return;
        }
        self.dirty = true;
        if ok {
            let hidden = lock.hidden_popup.take();
            shell.lock = None;
            shell.last_activity = now;
            self.popup = hidden;
        } else {
            lock.refused();
        }
    }

    pub(super) fn open_command_line(&mut self) {
        if let Some(shell) = self.shell_mut() {
            shell.command_line = Some(CommandLine::default());
        }
    }

    pub(super) fn complete_command_line(&mut self) {
        if let Some(line) = self.shell_mut().and_then(|s| s.command_line.as_mut()) {
            let candidates = line.complete();
            if candidates.len() > 1 {
                self.notice = Some(format!("Could be: {}.", candidates.join(", ")));
            }
        }
    }

    pub(super) fn run_command_line(&mut self) -> Vec<Effect> {
        let Some(shell) = self.shell_mut() else {
            return Vec::new();
        };
        let Some(line) = shell.command_line.take() else {
            return Vec::new();
        };
        match command_line::parse(line.input.value()) {
            Parsed::Empty => {}
            Parsed::Screen(id) => {
                if let Err(why) = shell.go_to(id) {
                    self.notice = Some(why);
                } else {
                    return self.entered_current();
                }
            }
            Parsed::Quit => return self.quit(),
            Parsed::Help => {
                self.popup = Some(Popup::Help(HelpState::new(self.place_under_popup())));
            }
            Parsed::Lock => self.lock(LockReason::Asked),
            Parsed::Password => self.open_password_change(false),
            Parsed::Unknown(word) => {
                let names: Vec<&str> = shell
                    .screens
                    .iter()
                    .map(|(s, _)| s.command_name())
                    .collect();
                shell.command_line = Some(line);
                self.notice = Some(format!(
                    "No command {word:?}. Try {}, password, lock or quit.",
                    names.join(", ")
                ));
            }
            Parsed::Ambiguous(words) => {
                shell.command_line = Some(line);
                self.notice = Some(format!("Could be: {}.", words.join(", ")));
            }
        }
        Vec::new()
    }

    /// Something is running that the person should see moving (a sign-in, a slow ping, an
    /// unlock being checked).
    pub fn spinner_visible(&self) -> bool {
        match &self.mode {
            Mode::Login(login) => login.signing_in.in_flight(),
            Mode::Shell(shell) => {
                shell.ping.spinning(self.now)
                    || shell.lock.as_ref().is_some_and(|l| l.checking.in_flight())
            }
        }
    }

    /// When the app next needs the clock, if ever: the loop sleeps until then (or a key, an
    /// answer, a live event), then sends `Action::Tick`. Nothing is polled.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        let now = self.now;
        let next_minute = DateTime::from_timestamp((now.timestamp().div_euclid(60) + 1) * 60, 0);
        match &self.mode {
            Mode::Login(login) => earliest([next_minute, login.signing_in.next_frame(now)]),
            Mode::Shell(shell) => {
                let locked = shell.lock.as_ref();
                let screens = shell
                    .screens
                    .iter()
                    .filter(|_| locked.is_none())
                    .map(|(id, _)| shell.states.get(*id).deadline(now));
                earliest(
                    [
                        next_minute,
                        shell.idle_lock_at(self.idle_lock_minutes),
                        shell.ping_at(),
                        shell.ping.next_frame(now),
                        locked.and_then(|l| l.checking.next_frame(now)),
                    ]
                    .into_iter()
                    .chain(screens),
                )
            }
        }
    }

    /// The loop's reading of the clock before it handles a key or an answer: whatever fell due
    /// meanwhile is done first (a tick), else the clock just moves on, so what the event does is
    /// stamped with the time it happened.
    pub fn clock(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        if self.deadline().is_some_and(|at| now >= at) {
            self.tick(now)
        } else {
            self.now = now;
            Vec::new()
        }
    }

    pub(super) fn tick(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let minute_changed = now.timestamp().div_euclid(60) != self.now.timestamp().div_euclid(60);
        self.now = now;
        let mut effects = Vec::new();
        let idle_lock_minutes = self.idle_lock_minutes;
        if let Mode::Shell(shell) = &mut self.mode {
            if shell.idle_lock_due(now, idle_lock_minutes) {
                self.lock(LockReason::Idle {
                    minutes: idle_lock_minutes,
                });
            }
        }
        if let Mode::Shell(shell) = &mut self.mode {
            if shell.ping_due(now) {
                let before = shell.connection;
                effects.push(shell.start_ping(&mut self.ids, now));
                self.dirty |= shell.connection != before;
            }
        }
        self.dirty |= minute_changed || self.spinner_visible();
        if self.shell().is_some_and(|s| s.lock.is_none()) {
            effects.extend(self.each_screen(|s, ctx| s.tick(ctx)));
        }
        effects
    }
}
