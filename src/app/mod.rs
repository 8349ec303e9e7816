//! The app's state and `update`: an Action in, a state change and Effects out. No IO, no await, no
//! terminal; tui.rs runs the Effects and ui/ draws the state.

pub mod action;
pub mod command_line;
pub mod confirm;
pub mod help;
pub mod keymap;
pub mod lock;
pub mod login;
pub mod screen;
pub mod shell;

pub mod admin;
pub mod billing;
pub mod calendar;
pub mod patients;
pub mod queue;
pub mod records;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

pub use action::{Action, Effect, RequestId, Secret};
use command_line::{CommandLine, Parsed};
use confirm::{Confirm, Confirmed};
use help::HelpState;
use keymap::{Command, Keymap, KeymapError, Place};
use lock::{LockReason, LockState, UnlockHash};
use login::LoginState;
use screen::{Ctx, Intent, Outcome, ScreenId, Screens};
use shell::Shell;

use crate::config::Config;
use crate::db::listen::ListenEvent;
use crate::db::LoginError;
use crate::domain::staff::StaffIdentity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Help(HelpState),
    Confirm(Confirm),
}

#[derive(Debug)]
pub enum Mode {
    Login(Box<LoginState>),
    Shell(Box<Shell>),
}

#[derive(Debug)]
pub struct App {
    pub clinic_name: String,
    pub time_zone: chrono_tz::Tz,
    /// Where the server is, in words, for the login screen.
    pub server_label: String,
    pub idle_lock_minutes: u32,
    /// The clinic's local date format (chrono), besides ISO.
    pub date_format: String,
    pub keymap: Keymap,
    /// The clock as of the last tick; tests set it, so screens render the same every run.
    pub now: DateTime<Utc>,
    pub mode: Mode,
    pub popup: Option<Popup>,
    /// A one-line message for the person, gone at their next key.
    pub notice: Option<String>,
    /// Live updates (LISTEN): `None` before they start, then whether they are working.
    pub live: Option<bool>,
    next_request: u64,
    dirty: bool,
}

impl App {
    /// Fails only on a bad `[keys]` section, before anything is drawn.
    pub fn new(
        config: &Config,
        server_label: impl Into<String>,
        username_hint: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Self, KeymapError> {
        Ok(Self {
            clinic_name: config.clinic.name.clone(),
            time_zone: config.time_zone(),
            server_label: server_label.into(),
            idle_lock_minutes: config.session.idle_lock_minutes,
            date_format: config.clinic.date_format.clone(),
            keymap: Keymap::with_overrides(&config.keys)?,
            now,
            mode: Mode::Login(Box::new(LoginState::new(username_hint))),
            popup: None,
            notice: None,
            live: None,
            next_request: 0,
            dirty: true,
        })
    }

    /// Whether anything visible changed since the last call: the loop draws only then.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    fn next_request(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }

    pub fn shell(&self) -> Option<&Shell> {
        match &self.mode {
            Mode::Shell(shell) => Some(shell),
            Mode::Login(_) => None,
        }
    }

    /// What is in front, popups aside.
    pub fn place_under_popup(&self) -> Place {
        match &self.mode {
            Mode::Login(_) => Place::Login,
            Mode::Shell(shell) if shell.lock.is_some() => Place::Lock,
            Mode::Shell(shell) if shell.command_line.is_some() => Place::CommandLine,
            Mode::Shell(shell) => match shell.states.get(shell.current).panel() {
                Some(panel) => Place::Panel(panel),
                None => Place::Screen(shell.current),
            },
        }
    }

    /// The place whose keys are live.
    pub fn front(&self) -> Place {
        match &self.popup {
            Some(Popup::Help(_)) => Place::Help,
            Some(Popup::Confirm(_)) => Place::Confirm,
            None => self.place_under_popup(),
        }
    }

    fn text_entry(&self, place: Place) -> bool {
        match (place, self.shell()) {
            (Place::Screen(id), Some(shell)) => shell.states.get(id).text_focused(),
            (Place::Panel(panel), Some(shell)) => shell.states.get(panel.screen()).text_focused(),
            _ => place.is_text_entry(),
        }
    }

    /// The keymap step: what a key means here. Plain characters go to a focused text field before
    /// any binding, so `q` and `?` can be typed into a name.
    pub fn action_for_key(&self, key: &KeyEvent) -> Action {
        let front = self.front();
        let text = self.text_entry(front);
        if let KeyCode::Char(c) = key.code {
            if text && (key.modifiers - KeyModifiers::SHIFT).is_empty() {
                return Action::Edit(InputRequest::InsertChar(c));
            }
        }
        if let Some(command) = self.keymap.lookup(front, key) {
            return Action::Command(command);
        }
        if text {
            if let Some(request) =
                tui_input::backend::crossterm::to_input_request(&Event::Key(*key))
            {
                return Action::Edit(request);
            }
        }
        Action::Ignored
    }

    pub fn has_unsaved_input(&self) -> bool {
        self.shell().is_some_and(Shell::has_unsaved_input)
    }

    fn can_go_back(&self) -> bool {
        self.popup.is_some()
            || match &self.mode {
                Mode::Login(login) => login.signing_in.is_some(),
                Mode::Shell(shell) => {
                    shell.lock.is_none()
                        && (shell.command_line.is_some()
                            || shell.states.get(shell.current).can_go_back())
                }
            }
    }

    /// The footer: the flagged bindings of the place in front, keys that work there only.
    pub fn footer_hints(&self) -> Vec<(String, &'static str)> {
        let front = self.front();
        let text = self.text_entry(front);
        let back = self.can_go_back();
        front
            .stack()
            .into_iter()
            .flat_map(|p| self.keymap.bindings(p))
            .filter(|b| back || b.command != Command::Back)
            .filter(|b| match (front, self.shell()) {
                (Place::Screen(id), Some(shell)) => shell.states.get(id).offers(b.command),
                _ => true,
            })
            .filter_map(|b| Some((b.usable_keys(text).next()?.to_string(), b.footer?)))
            .take(6)
            .collect()
    }

    /// Something is running that the person should see moving.
    pub fn spinner_visible(&self) -> bool {
        match &self.mode {
            Mode::Login(login) => login.signing_in.is_some(),
            Mode::Shell(shell) => {
                shell.ping_spinner(self.now)
                    || shell.lock.as_ref().is_some_and(|l| l.checking.is_some())
            }
        }
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        if action.is_from_person() {
            let now = self.now;
            if let Mode::Shell(shell) = &mut self.mode {
                shell.last_activity = now;
            }
            if self.notice.take().is_some() {
                self.dirty = true;
            }
        }
        match action {
            Action::Command(command) => self.command(command),
            Action::Edit(request) => self.edit(request),
            Action::Ignored => Vec::new(),
            Action::Tick(now) => self.tick(now),
            Action::Resized => {
                self.dirty = true;
                Vec::new()
            }
            Action::LoginDone { request, result } => self.login_done(request, result),
            Action::PasswordHashed { request, hash } => {
                if let Mode::Shell(shell) = &mut self.mode {
                    if shell.unlock_hash == UnlockHash::Making(request) {
                        shell.unlock_hash = hash.map_or(UnlockHash::Failed, UnlockHash::Ready);
                    }
                }
                Vec::new()
            }
            Action::UnlockChecked { request, ok } => {
                self.unlock_checked(request, ok);
                Vec::new()
            }
            Action::Patients(reply) => {
                self.on_screen(ScreenId::Patients, |s, ctx| s.patients.reply(reply, ctx))
            }
            Action::Calendar(reply) => {
                self.on_screen(ScreenId::Calendar, |s, ctx| s.calendar.reply(reply, ctx))
            }
            Action::Queue(reply) => {
                self.on_screen(ScreenId::Queue, |s, ctx| s.queue.reply(reply, ctx))
            }
            Action::Live(event) => self.live_event(event),
            Action::PingDone { request, ok } => {
                let now = self.now;
                if let Mode::Shell(shell) = &mut self.mode {
                    if shell.ping_done(request, ok, now) {
                        self.dirty = true;
                    } else {
                        tracing::debug!(%request, "dropped a stale ping answer");
                    }
                }
                Vec::new()
            }
        }
    }

    fn command(&mut self, command: Command) -> Vec<Effect> {
        // A command reaches update only from a key live in front; anything else (a test, a
        // future caller) is ignored rather than acting behind a popup.
        let front = self.front();
        let live = front
            .stack()
            .into_iter()
            .any(|p| self.keymap.bindings(p).iter().any(|b| b.command == command));
        if !live {
            tracing::debug!(?command, ?front, "ignored a command not live here");
            return Vec::new();
        }
        self.dirty = true;
        let now = self.now;
        match command {
            Command::Quit => return self.quit(),
            Command::Help => {
                self.popup = match self.popup {
                    Some(Popup::Help(_)) => None,
                    _ => Some(Popup::Help(HelpState::new(self.place_under_popup()))),
                }
            }
            Command::Back => return self.back(),
            Command::Yes => {
                if let Some(Popup::Confirm(confirm)) = self.popup.take() {
                    match confirm.on_yes {
                        Confirmed::Quit => return vec![Effect::Quit],
                    }
                }
            }
            Command::No => self.popup = None,
            Command::ScrollDown | Command::ScrollUp => {
                if let Some(Popup::Help(help)) = &mut self.popup {
                    // Bounded by the list's length so scrolling back up never has slack to undo.
                    let lines: usize = help
                        .sections(&self.keymap)
                        .iter()
                        .map(|(_, b)| b.len() + 2)
                        .sum();
                    let last = u16::try_from(lines).unwrap_or(u16::MAX);
                    help.scroll = if command == Command::ScrollDown {
                        help.scroll.saturating_add(1).min(last)
                    } else {
                        help.scroll.saturating_sub(1)
                    };
                }
            }
            Command::SignIn => {
                let request = self.next_request();
                if let Mode::Login(login) = &mut self.mode {
                    return login.submit(request, now).into_iter().collect();
                }
            }
            Command::NextField | Command::PreviousField => {
                if let Mode::Login(login) = &mut self.mode {
                    login.switch_field();
                }
            }
            Command::Unlock => {
                let request = self.next_request();
                if let Mode::Shell(shell) = &mut self.mode {
                    if let Some(lock) = &mut shell.lock {
                        return lock
                            .submit(request, now, &shell.unlock_hash)
                            .into_iter()
                            .collect();
                    }
                }
            }
            Command::RunCommand => return self.run_command_line(),
            Command::CompleteCommand => {
                if let Some(line) = self.shell_mut().and_then(|s| s.command_line.as_mut()) {
                    let candidates = line.complete();
                    if candidates.len() > 1 {
                        self.notice = Some(format!("Could be: {}.", candidates.join(", ")));
                    }
                }
            }
            Command::CommandLine => {
                if let Some(shell) = self.shell_mut() {
                    shell.command_line = Some(CommandLine::default());
                }
            }
            Command::LockScreen => self.lock(LockReason::Asked),
            Command::Screen(n) => match self.shell_mut().map(|s| s.go_to_position(n)) {
                Some(Err(why)) => self.notice = Some(why),
                Some(Ok(())) => return self.entered_current(),
                None => {}
            },
            Command::Patients(cmd) => {
                return self.on_screen(ScreenId::Patients, |s, ctx| s.patients.command(cmd, ctx))
            }
            Command::Calendar(cmd) => {
                return self.on_screen(ScreenId::Calendar, |s, ctx| s.calendar.command(cmd, ctx))
            }
            Command::Queue(cmd) => {
                return self.on_screen(ScreenId::Queue, |s, ctx| s.queue.command(cmd, ctx))
            }
        }
        Vec::new()
    }

    fn shell_mut(&mut self) -> Option<&mut Shell> {
        match &mut self.mode {
            Mode::Shell(shell) => Some(shell),
            Mode::Login(_) => None,
        }
    }

    fn edit(&mut self, request: InputRequest) -> Vec<Effect> {
        if self.popup.is_some() {
            return Vec::new();
        }
        let changed = match &mut self.mode {
            Mode::Login(login) => login.edit(request),
            Mode::Shell(shell) => match (&mut shell.lock, &mut shell.command_line) {
                (Some(lock), _) => lock.edit(request),
                (None, Some(line)) => line.edit(request),
                (None, None) => {
                    let current = shell.current;
                    return self.on_screen(current, |s, ctx| match current {
                        ScreenId::Patients => s.patients.edit(request, ctx),
                        ScreenId::Calendar => s.calendar.edit(request, ctx),
                        ScreenId::Queue => s.queue.edit(request, ctx),
                        ScreenId::Records | ScreenId::Billing | ScreenId::Admin => {
                            Outcome::default()
                        }
                    });
                }
            },
        };
        self.dirty |= changed;
        Vec::new()
    }

    /// Run a handler of screen `id` with its context, then apply what it hands back. Dropped when
    /// the job has no such screen (an answer arriving after a change of person, say).
    fn on_screen(
        &mut self,
        id: ScreenId,
        handler: impl FnOnce(&mut Screens, &mut Ctx) -> Outcome,
    ) -> Vec<Effect> {
        let Mode::Shell(shell) = &mut self.mode else {
            return Vec::new();
        };
        let Some(access) = shell.access(id) else {
            return Vec::new();
        };
        let mut ctx = Ctx {
            me: &shell.me,
            access,
            now: self.now,
            tz: self.time_zone,
            date_format: &self.date_format,
            next_request: &mut self.next_request,
        };
        let outcome = handler(&mut shell.states, &mut ctx);
        self.apply(outcome)
    }

    fn apply(&mut self, outcome: Outcome) -> Vec<Effect> {
        let Outcome {
            mut effects,
            notice,
            intent,
            redraw,
        } = outcome;
        self.dirty |= redraw || notice.is_some();
        if notice.is_some() {
            self.notice = notice;
        }
        if let Some(intent) = intent {
            effects.extend(self.follow(intent));
        }
        effects
    }

    /// Carry a hand-over to the screen that continues the work, if this job has it. Public so a
    /// test can hand work over the way a screen does.
    pub fn follow(&mut self, intent: Intent) -> Vec<Effect> {
        let target = match intent {
            Intent::Book { .. } | Intent::ShowAppointment { .. } => ScreenId::Calendar,
            Intent::OpenPatient { .. } => ScreenId::Patients,
        };
        if let Some(Err(why)) = self.shell_mut().map(|s| s.go_to(target)) {
            self.notice = Some(why);
            self.dirty = true;
            return Vec::new();
        }
        self.dirty = true;
        // One hop only: what the target hands back is applied without following further intents.
        self.on_screen(target, |s, ctx| {
            let mut outcome = match target {
                ScreenId::Calendar => s.calendar.intent(intent, ctx),
                _ => s.patients.intent(intent, ctx),
            };
            outcome.intent = None;
            outcome
        })
    }

    /// The screen now in front was just opened: it may load its data.
    fn entered_current(&mut self) -> Vec<Effect> {
        let Some(current) = self.shell().map(|s| s.current) else {
            return Vec::new();
        };
        self.on_screen(current, |s, ctx| match current {
            ScreenId::Patients => s.patients.entered(ctx),
            ScreenId::Calendar => s.calendar.entered(ctx),
            ScreenId::Queue => s.queue.entered(ctx),
            ScreenId::Records | ScreenId::Billing | ScreenId::Admin => Outcome::default(),
        })
    }

    /// Another desk changed an appointment, or live updates stopped or (re)started: the screens
    /// that show appointments re-read what they show. Screens this job lacks are skipped.
    fn live_event(&mut self, event: ListenEvent) -> Vec<Effect> {
        let live = match event {
            ListenEvent::Appointment(_) => self.live,
            ListenEvent::Reconnected => Some(true),
            ListenEvent::Lost => Some(false),
        };
        if live != self.live {
            self.live = live;
            self.dirty = true;
        }
        let mut effects =
            self.on_screen(ScreenId::Calendar, |s, ctx| s.calendar.notified(event, ctx));
        effects.extend(self.on_screen(ScreenId::Queue, |s, ctx| s.queue.notified(event, ctx)));
        effects
    }

    fn quit(&mut self) -> Vec<Effect> {
        if self.has_unsaved_input() {
            self.popup = Some(Popup::Confirm(Confirm::quit_with_unsaved_input()));
            Vec::new()
        } else {
            vec![Effect::Quit]
        }
    }

    fn back(&mut self) -> Vec<Effect> {
        if self.popup.take().is_some() {
            return Vec::new();
        }
        match &mut self.mode {
            Mode::Login(login) => {
                // The answer, when it comes, no longer matches and is dropped.
                login.cancel();
            }
            Mode::Shell(shell) if shell.lock.is_none() && shell.command_line.is_some() => {
                shell.command_line = None
            }
            // A screen's own form or half-taken step closes before anything else.
            Mode::Shell(shell) if shell.lock.is_none() => {
                let current = shell.current;
                return self.on_screen(current, |s, ctx| match current {
                    ScreenId::Calendar => s.calendar.back(ctx),
                    ScreenId::Queue => s.queue.back(ctx),
                    ScreenId::Patients => s.patients.back(ctx),
                    ScreenId::Records | ScreenId::Billing | ScreenId::Admin => Outcome::default(),
                });
            }
            Mode::Shell(_) => {}
        }
        Vec::new()
    }

    fn run_command_line(&mut self) -> Vec<Effect> {
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
                self.popup = Some(Popup::Help(HelpState::new(self.place_under_popup())))
            }
            Parsed::Lock => self.lock(LockReason::Asked),
            Parsed::Unknown(word) => {
                let names: Vec<&str> = shell
                    .screens
                    .iter()
                    .map(|(s, _)| s.command_name())
                    .collect();
                shell.command_line = Some(line);
                self.notice = Some(format!(
                    "No command {word:?}. Try {}, lock or quit.",
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

    fn lock(&mut self, reason: LockReason) {
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

    fn unlock_checked(&mut self, request: RequestId, ok: bool) {
        let now = self.now;
        let Mode::Shell(shell) = &mut self.mode else {
            return;
        };
        let Some(lock) = shell.lock.as_mut().filter(|l| l.is_current(request)) else {
            tracing::debug!(%request, "dropped a stale unlock answer");
            return;
        };
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

    fn tick(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
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
        let request = RequestId(self.next_request + 1);
        if let Mode::Shell(shell) = &mut self.mode {
            if shell.ping_due(now) {
                let before = shell.connection;
                self.next_request = request.0;
                effects.push(shell.start_ping(request, now));
                self.dirty |= shell.connection != before;
            }
        }
        self.dirty |= minute_changed || self.spinner_visible();
        let screens: Vec<ScreenId> = self
            .shell()
            .filter(|s| s.lock.is_none())
            .map(|s| s.screens.iter().map(|(id, _)| *id).collect())
            .unwrap_or_default();
        for id in screens {
            effects.extend(self.on_screen(id, |s, ctx| match id {
                ScreenId::Patients => s.patients.tick(ctx),
                ScreenId::Calendar => s.calendar.tick(ctx),
                ScreenId::Queue => s.queue.tick(ctx),
                ScreenId::Records | ScreenId::Billing | ScreenId::Admin => Outcome::default(),
            }));
        }
        effects
    }

    fn login_done(
        &mut self,
        request: RequestId,
        result: Result<StaffIdentity, LoginError>,
    ) -> Vec<Effect> {
        let Mode::Login(login) = &mut self.mode else {
            tracing::debug!(%request, "dropped a sign-in answer after sign-in");
            return Vec::new();
        };
        if !login.is_current(request) {
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
        let password = login.succeeded();
        let hash_request = self.next_request();
        let ping_request = self.next_request();
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
        effects.push(shell.start_ping(ping_request, self.now));
        self.mode = Mode::Shell(Box::new(shell));
        self.popup = None;
        effects.extend(self.entered_current());
        effects
    }
}
