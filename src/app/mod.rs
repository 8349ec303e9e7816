//! The app's state and `update`: an Action in, a state change and Effects out. No IO, no await, no
//! terminal; tui.rs runs the Effects and ui/ draws the state.
//!
//! This file routes: a key to the place in front, a command or an answer to the screen it belongs
//! to (through the registry, never by a screen's name), a hand-over to the screen that takes it.
//! Signing in, the lock, the command line and the clock are the shell's own steps (`session.rs`).

pub mod action;
pub mod command_line;
pub mod confirm;
pub mod help;
pub mod keymap;
pub mod lock;
pub mod login;
pub mod password;
pub mod pending;
pub mod progress;
pub mod refetch;
pub mod registry;
pub mod screen;
mod session;
pub mod shell;
pub mod widgets;

pub mod admin;
pub mod billing;
pub mod calendar;
pub mod patients;
pub mod queue;
pub mod records;
pub mod reports;

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

use action::TextInput;
pub use action::{Action, Effect, RequestId, Secret};
use confirm::{Confirm, Confirmed};
use help::HelpState;
use keymap::{Command, Keymap, KeymapError, Place};
use lock::UnlockHash;
use login::LoginState;
use pending::RequestIds;
use registry::{AnyScreen, Handled, ScreenId};
use screen::{Ctx, Intent};
use shell::{Connection, Shell};

use crate::config::Config;
use crate::domain::live::LiveEvent;
use crate::domain::money::{Currency, NumberFormat};

/// Rows the shell takes around a screen: the top bar, the status bar and the footer.
pub const SHELL_ROWS: u16 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Help(HelpState),
    Confirm(Confirm),
}

/// A desk's own idle lock and emergency-access length, as its config says.
#[derive(Debug, Clone, Copy)]
struct DeskLimits {
    idle_lock_minutes: u32,
    break_glass_minutes: u16,
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
    /// Lines under the login form (the demo's logins and password).
    pub login_notes: Vec<String>,
    pub idle_lock_minutes: u32,
    /// What this desk's config asked for, before the clinic's limits (sql/0027) apply.
    desk: DeskLimits,
    /// `[records] break_glass_minutes`.
    pub break_glass_minutes: u16,
    /// `[billing] payment_terms_days`.
    pub payment_terms_days: u16,
    /// `[billing.bank_csv]`: how the bank's CSV statements are read.
    pub bank_csv: crate::domain::statement::CsvLayout,
    /// `[billing] export_dir`: where exports and statements are written.
    pub export_dir: std::path::PathBuf,
    /// The clinic's local date format (chrono), besides ISO.
    pub date_format: String,
    pub number_format: NumberFormat,
    pub currency: Currency,
    pub keymap: Keymap,
    /// The clock as of the last tick; tests set it, so screens render the same every run.
    pub now: DateTime<Utc>,
    pub mode: Mode,
    pub popup: Option<Popup>,
    /// A one-line message for the person, gone at their next key.
    pub notice: Option<String>,
    /// Live updates (LISTEN): `None` before they start, then whether they are working.
    pub live: Option<bool>,
    /// The terminal's size (columns, rows), for lists that page by what they show.
    pub size: (u16, u16),
    /// This desk's wait before a screen re-reads after another desk's change: the loop draws it
    /// at random per desk (`refetch::desk_delay`); tests keep the longest, so they run the same.
    pub refetch_delay: TimeDelta,
    ids: RequestIds,
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
            login_notes: Vec::new(),
            idle_lock_minutes: config.session.idle_lock_minutes,
            desk: DeskLimits {
                idle_lock_minutes: config.session.idle_lock_minutes,
                break_glass_minutes: config.records.break_glass_minutes,
            },
            break_glass_minutes: config.records.break_glass_minutes,
            payment_terms_days: config.billing.payment_terms_days,
            bank_csv: config.bank_csv(),
            export_dir: config.export_dir(),
            date_format: config.clinic.date_format.clone(),
            number_format: config.number_format(),
            currency: config.currency(),
            keymap: Keymap::with_overrides(&config.keys)?,
            now,
            mode: Mode::Login(Box::new(LoginState::new(username_hint))),
            popup: None,
            notice: None,
            live: None,
            size: (80, 24),
            refetch_delay: refetch::LATEST,
            ids: RequestIds::default(),
            dirty: true,
        })
    }

    /// Whether anything visible changed since the last call: the loop draws only then.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    pub fn shell(&self) -> Option<&Shell> {
        match &self.mode {
            Mode::Shell(shell) => Some(shell),
            Mode::Login(_) => None,
        }
    }

    fn shell_mut(&mut self) -> Option<&mut Shell> {
        match &mut self.mode {
            Mode::Shell(shell) => Some(shell),
            Mode::Login(_) => None,
        }
    }

    /// The screen in front, when the shell shows one (not locked).
    fn current_screen(&self) -> Option<&dyn AnyScreen> {
        self.shell()
            .filter(|s| s.lock.is_none())
            .map(|s| s.states.get(s.current))
    }

    /// What is in front, popups aside.
    pub fn place_under_popup(&self) -> Place {
        match &self.mode {
            Mode::Login(_) => Place::Login,
            Mode::Shell(shell) if shell.lock.is_some() => Place::Lock,
            Mode::Shell(shell) if shell.password.is_some() => Place::Password,
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

    fn text_area_entry(&self, place: Place) -> bool {
        matches!(place, Place::Screen(_) | Place::Panel(_))
            && self
                .current_screen()
                .is_some_and(AnyScreen::text_area_focused)
    }

    fn text_entry(&self, place: Place) -> bool {
        match (place, self.current_screen()) {
            (Place::Screen(_) | Place::Panel(_), Some(screen)) => screen.text_focused(),
            _ => place.is_text_entry(),
        }
    }

    /// The keymap step: what a key means here. Plain characters go to a focused text field before
    /// any binding, so `q` and `?` can be typed into a name.
    pub fn action_for_key(&self, key: &KeyEvent) -> Action {
        let front = self.front();
        if self.text_area_entry(front) {
            // A note: plain characters are typed, bindings come next, and every other key
            // (Enter, arrows, Backspace, Ctrl-Z ...) is the editor's.
            if matches!(key.code, KeyCode::Char(_))
                && (key.modifiers - KeyModifiers::SHIFT).is_empty()
            {
                return Action::EditText(TextInput::from(*key));
            }
            if let Some(command) = self.keymap.lookup(front, key) {
                return Action::Command(command);
            }
            return Action::EditText(TextInput::from(*key));
        }
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
                Mode::Login(login) => login.signing_in.in_flight(),
                Mode::Shell(shell) => {
                    shell.lock.is_none()
                        && (shell.command_line.is_some()
                            || shell.password.as_ref().is_some_and(|p| !p.required)
                            || shell.states.get(shell.current).can_go_back())
                }
            }
    }

    /// The footer: the flagged bindings of the place in front, keys that work there only.
    pub fn footer_hints(&self) -> Vec<(String, &'static str)> {
        let front = self.front();
        let text = self.text_entry(front);
        let back = self.can_go_back();
        let screen = match front {
            Place::Screen(_) | Place::Panel(_) => self.current_screen(),
            _ => None,
        };
        front
            .stack()
            .into_iter()
            .flat_map(|p| self.keymap.bindings(p))
            .filter(|b| back || b.command != Command::Back)
            .filter(|b| screen.is_none_or(|s| s.offers(b.command)))
            .filter_map(|b| Some((b.usable_keys(text).next()?.to_string(), b.footer?)))
            .take(6)
            .collect()
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
            Action::EditText(input) => self.edit_text(input),
            Action::Ignored => Vec::new(),
            Action::Tick(now) => self.tick(now),
            Action::Resized { width, height } => {
                self.size = (width, height);
                self.dirty = true;
                Vec::new()
            }
            Action::LoginDone { request, result } => self.login_done(request, result),
            Action::PasswordHashed { request, hash } => {
                self.password_hashed(request, hash);
                Vec::new()
            }
            Action::UnlockChecked { request, ok } => {
                self.unlock_checked(request, ok);
                Vec::new()
            }
            Action::PingDone { request, ok } => {
                self.ping_done(request, ok);
                Vec::new()
            }
            Action::AnswerSlow => self.check_connection_now(|c| c == Connection::Connected),
            Action::ClinicSettings(settings) => self.clinic_settings(&settings),
            Action::MustChangePassword => {
                self.open_password_change(true);
                Vec::new()
            }
            Action::PasswordChanged { request, result } => self.password_changed(request, result),
            Action::Screen(reply) => self.on_screen(reply.screen(), |s, ctx| s.reply(reply, ctx)),
            Action::Live(event) => self.live_event(event),
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
                    return match confirm.on_yes {
                        Confirmed::Quit => vec![Effect::Quit],
                        Confirmed::Command(command) => self.confirmed(command),
                    };
                }
            }
            Command::No => self.popup = None,
            Command::ScrollDown | Command::ScrollUp => self.scroll_help(command),
            Command::SignIn => return self.sign_in(),
            Command::NextField | Command::PreviousField => match &mut self.mode {
                Mode::Login(login) => login.switch_field(),
                Mode::Shell(shell) => {
                    if let Some(change) = &mut shell.password {
                        change.switch_field();
                    }
                }
            },
            Command::SavePassword => return self.submit_password(),
            Command::Unlock => return self.unlock(),
            Command::RunCommand => return self.run_command_line(),
            Command::CompleteCommand => self.complete_command_line(),
            Command::CommandLine => self.open_command_line(),
            Command::LockScreen => self.lock(lock::LockReason::Asked),
            Command::GoTo(n) => match self.shell_mut().map(|s| s.go_to_position(n)) {
                Some(Err(why)) => self.notice = Some(why),
                Some(Ok(())) => return self.entered_current(),
                None => {}
            },
            Command::Screen(cmd) => {
                return self.on_screen(cmd.screen(), |s, ctx| s.command(cmd, ctx))
            }
        }
        Vec::new()
    }

    /// "Yes" to a screen's question: its command runs as though its key were pressed there.
    fn confirmed(&mut self, command: Command) -> Vec<Effect> {
        match command {
            Command::Screen(cmd) => self.on_screen(cmd.screen(), |s, ctx| s.command(cmd, ctx)),
            other => self.command(other),
        }
    }

    fn edit_text(&mut self, input: TextInput) -> Vec<Effect> {
        match &self.mode {
            Mode::Shell(shell)
                if self.popup.is_none() && shell.lock.is_none() && shell.command_line.is_none() =>
            {
                let current = shell.current;
                self.on_screen(current, |s, ctx| s.edit_text(input, ctx))
            }
            _ => Vec::new(),
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
                (None, _) if shell.password.is_some() => {
                    shell.password.as_mut().is_some_and(|p| p.edit(request))
                }
                (None, Some(line)) => line.edit(request),
                (None, None) => {
                    let current = shell.current;
                    return self.on_screen(current, |s, ctx| s.edit(request, ctx));
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
        handler: impl FnOnce(&mut dyn AnyScreen, &mut Ctx) -> Handled,
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
            number_format: self.number_format,
            currency: self.currency,
            body_rows: self.size.1.saturating_sub(SHELL_ROWS),
            break_glass_minutes: self.break_glass_minutes,
            payment_terms_days: self.payment_terms_days,
            bank_csv: &self.bank_csv,
            export_dir: &self.export_dir,
            clinic_name: &self.clinic_name,
            front: shell.current == id,
            refetch_delay: self.refetch_delay,
            password_hash: match &shell.unlock_hash {
                UnlockHash::Ready(hash) => Some(hash.as_str()),
                _ => None,
            },
            ids: &mut self.ids,
        };
        let handled = handler(shell.states.get_mut(id), &mut ctx);
        self.apply(handled)
    }

    fn apply(&mut self, handled: Handled) -> Vec<Effect> {
        let Handled {
            mut effects,
            notice,
            intent,
            confirm,
            redraw,
        } = handled;
        self.dirty |= redraw || notice.is_some() || confirm.is_some();
        if notice.is_some() {
            self.notice = notice;
        }
        if let Some(confirm) = confirm {
            self.popup = Some(Popup::Confirm(confirm));
        }
        if let Some(intent) = intent {
            effects.extend(self.follow(intent));
        }
        effects
    }

    /// Carry a hand-over to the screen that continues the work, if this job has it. Public so a
    /// test can hand work over the way a screen does.
    pub fn follow(&mut self, intent: Intent) -> Vec<Effect> {
        if let Intent::ClinicSettings(settings) = &intent {
            return self.clinic_settings(settings);
        }
        if let Intent::Return { to } = intent {
            return match self.shell_mut().map(|s| s.go_to(to)) {
                Some(Ok(())) => self.entered_current(),
                _ => Vec::new(),
            };
        }
        let Some(target) = ScreenId::ALL.iter().copied().find(|id| id.takes(&intent)) else {
            return Vec::new();
        };
        if let Some(Err(why)) = self.shell_mut().map(|s| s.go_to(target)) {
            self.notice = Some(why);
            self.dirty = true;
            return Vec::new();
        }
        self.dirty = true;
        // One hop only: what the target hands back is applied without following further intents.
        self.on_screen(target, |s, ctx| {
            let mut handled = s.intent(intent, ctx);
            handled.intent = None;
            handled
        })
    }

    /// The screen now in front was just opened: it may load its data.
    fn entered_current(&mut self) -> Vec<Effect> {
        let Some(current) = self.shell().map(|s| s.current) else {
            return Vec::new();
        };
        self.on_screen(current, |s, ctx| s.entered(ctx))
    }

    /// Another desk changed something, or live updates stopped or (re)started: every screen of
    /// the job hears it and re-reads what it shows if it cares.
    fn live_event(&mut self, event: LiveEvent) -> Vec<Effect> {
        let live = match event {
            LiveEvent::Appointment(_) => self.live,
            LiveEvent::Reconnected => Some(true),
            LiveEvent::Lost => Some(false),
        };
        if live != self.live {
            self.live = live;
            self.dirty = true;
        }
        // The live-updates connection is the first to hear the server go (it is told, or its
        // socket closes) and come back: the status bar says so now, not at the next ping (up to
        // 30 s while connected, a few seconds while offline).
        let mut effects = match event {
            LiveEvent::Lost => self.check_connection_now(|c| c == Connection::Connected),
            LiveEvent::Reconnected => self.check_connection_now(|c| c != Connection::Connected),
            LiveEvent::Appointment(_) => Vec::new(),
        };
        effects.extend(self.each_screen(|s, ctx| s.notified(event, ctx)));
        effects
    }

    /// Run a handler on every screen of the job, in top-bar order.
    fn each_screen(
        &mut self,
        handler: impl Fn(&mut dyn AnyScreen, &mut Ctx) -> Handled,
    ) -> Vec<Effect> {
        let ids: Vec<ScreenId> = self
            .shell()
            .map(|s| s.screens.iter().map(|(id, _)| *id).collect())
            .unwrap_or_default();
        ids.into_iter()
            .flat_map(|id| self.on_screen(id, &handler))
            .collect()
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
            Mode::Shell(shell) if shell.lock.is_none() && shell.password.is_some() => {
                self.close_password_change();
            }
            Mode::Shell(shell) if shell.lock.is_none() && shell.command_line.is_some() => {
                shell.command_line = None;
            }
            // A screen's own form or half-taken step closes before anything else.
            Mode::Shell(shell) if shell.lock.is_none() => {
                let current = shell.current;
                return self.on_screen(current, |s, ctx| s.back(ctx));
            }
            Mode::Shell(_) => {}
        }
        Vec::new()
    }

    fn scroll_help(&mut self, command: Command) {
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
}
