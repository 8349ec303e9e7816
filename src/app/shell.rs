//! Everything after sign-in: the job's screens, the command line, the lock, the connection.

use chrono::{DateTime, TimeDelta, Utc};

use super::action::{Effect, RequestId};
use super::command_line::CommandLine;
use super::lock::{LockState, UnlockHash};
use super::password::PasswordChange;
use super::pending::{Pending, RequestIds};
use super::registry::{screens_for, ScreenId, Screens};
use super::screen::Access;
use crate::domain::staff::StaffIdentity;

/// How often the connection is proved while it works, and retried while it does not.
pub const PING_EVERY: TimeDelta = TimeDelta::seconds(30);
/// Short, so a desk is back within a couple of seconds of its server (issue 11: within 5 s): a
/// refused connection costs a server that is down nothing, and only one ping is ever on its way,
/// so a slow server is never asked faster than it answers.
pub const RETRY_EVERY: TimeDelta = TimeDelta::seconds(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connected,
    /// A retry is on its way after a failure.
    Reconnecting,
    Offline,
}

impl Connection {
    pub fn label(self) -> &'static str {
        match self {
            Connection::Connected => "connected",
            Connection::Reconnecting => "reconnecting",
            Connection::Offline => "offline (retrying)",
        }
    }
}

#[derive(Debug)]
pub struct Shell {
    pub me: StaffIdentity,
    /// The top bar, in order.
    pub screens: Vec<(ScreenId, Access)>,
    pub current: ScreenId,
    pub states: Screens,
    pub command_line: Option<CommandLine>,
    pub lock: Option<LockState>,
    /// Choosing a new password (`:password`, or required after a reset).
    pub password: Option<PasswordChange>,
    pub unlock_hash: UnlockHash,
    pub connection: Connection,
    pub ping: Pending,
    pub last_ping: DateTime<Utc>,
    pub last_activity: DateTime<Utc>,
}

impl Shell {
    pub fn new(me: StaffIdentity, now: DateTime<Utc>, hash_request: RequestId) -> Self {
        let screens = screens_for(me.job);
        Self {
            current: screens
                .iter()
                .find(|(id, _)| id.home(me.job))
                .or(screens.first())
                .map_or(ScreenId::ALL[0], |(id, _)| *id),
            screens,
            me,
            states: Screens::default(),
            command_line: None,
            lock: None,
            password: None,
            unlock_hash: UnlockHash::Making(hash_request),
            connection: Connection::Connected,
            ping: Pending::default(),
            last_ping: now,
            last_activity: now,
        }
    }

    pub fn access(&self, id: ScreenId) -> Option<Access> {
        self.screens.iter().find(|(s, _)| *s == id).map(|(_, a)| *a)
    }

    /// Go to a screen, or say in words why not.
    pub fn go_to(&mut self, id: ScreenId) -> Result<(), String> {
        if self.access(id).is_none() {
            return Err(format!(
                "{} is not open to {}.",
                id.title(),
                self.me.job.label()
            ));
        }
        self.current = id;
        Ok(())
    }

    /// Go to the n-th screen of the top bar (counted from 1).
    pub fn go_to_position(&mut self, n: u8) -> Result<(), String> {
        match self.screens.get(usize::from(n).wrapping_sub(1)) {
            Some((id, _)) => {
                self.current = *id;
                Ok(())
            }
            None => Err(format!(
                "No screen {n} for {}: the top bar has {}.",
                self.me.job.label(),
                self.screens.len()
            )),
        }
    }

    pub fn has_unsaved_input(&self) -> bool {
        self.command_line
            .as_ref()
            .is_some_and(CommandLine::has_text)
            || self
                .screens
                .iter()
                .any(|(id, _)| self.states.get(*id).has_unsaved_input())
    }

    /// When the screen locks if no key comes first (never with 0 minutes, or while locked).
    pub fn idle_lock_at(&self, idle_lock_minutes: u32) -> Option<DateTime<Utc>> {
        (idle_lock_minutes > 0 && self.lock.is_none())
            .then(|| self.last_activity + TimeDelta::minutes(i64::from(idle_lock_minutes)))
    }

    pub fn idle_lock_due(&self, now: DateTime<Utc>, idle_lock_minutes: u32) -> bool {
        self.idle_lock_at(idle_lock_minutes)
            .is_some_and(|at| now >= at)
    }

    /// When the next ping goes out (none while one is on its way).
    pub fn ping_at(&self) -> Option<DateTime<Utc>> {
        let every = match self.connection {
            Connection::Connected => PING_EVERY,
            Connection::Reconnecting | Connection::Offline => RETRY_EVERY,
        };
        (!self.ping.in_flight()).then(|| self.last_ping + every)
    }

    pub fn ping_due(&self, now: DateTime<Utc>) -> bool {
        self.ping_at().is_some_and(|at| now >= at)
    }

    pub fn start_ping(&mut self, ids: &mut RequestIds, now: DateTime<Utc>) -> Effect {
        let request = self.ping.start(ids, now, ());
        self.last_ping = now;
        if self.connection == Connection::Offline {
            self.connection = Connection::Reconnecting;
        }
        Effect::Ping { request }
    }

    /// Returns false for an answer to a ping no longer awaited.
    pub fn ping_done(&mut self, request: RequestId, ok: bool, now: DateTime<Utc>) -> bool {
        if self.ping.finish(request).is_none() {
            return false;
        }
        // The next ping counts from the answer, so a slow server is not pinged back to back.
        self.last_ping = now;
        self.connection = if ok {
            Connection::Connected
        } else {
            Connection::Offline
        };
        true
    }
}
