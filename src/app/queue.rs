//! Today's queue at the desk: who is expected, waiting, with a doctor, done. Check-in is one key;
//! other desks' bookings and check-ins arrive by themselves (live updates re-read the queue).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use tui_input::InputRequest;

use super::action::{Effect, RequestId};
use super::keymap::{self, Binding, Command};
use super::screen::{Access, Ctx, Intent, Outcome, ScreenState};
use crate::db::listen::ListenEvent;
use crate::domain::appointment::{Appointment, AppointmentStatus, QueueCounts, QueueEntry};
use crate::domain::staff::Job;

/// This screen's bindings: the shared declaration with this screen's command.
const fn bind(
    name: &'static str,
    keys: &'static [&'static str],
    desc: &'static str,
    cmd: Cmd,
    footer: Option<&'static str>,
) -> Binding {
    keymap::bind(name, keys, desc, Command::Queue(cmd), footer)
}

/// This screen's keys: declared once, feeding the footer, the help and the key lookup.
pub const BINDINGS: &[Binding] = &[
    bind(
        "queue.check_in",
        &["c"],
        "Check the selected patient in",
        Cmd::CheckIn,
        Some("check in"),
    ),
    bind(
        "queue.open",
        &["enter"],
        "Open the appointment (history, no-show, ...)",
        Cmd::Open,
        Some("open"),
    ),
    bind(
        "queue.patient",
        &["o"],
        "Open the patient",
        Cmd::OpenPatient,
        Some("patient"),
    ),
    bind(
        "queue.down",
        &["down", "j"],
        "Next patient",
        Cmd::Down,
        None,
    ),
    bind("queue.up", &["up", "k"], "Previous patient", Cmd::Up, None),
    bind(
        "queue.refresh",
        &["r", "ctrl-r"],
        "Load again (it also updates by itself)",
        Cmd::Refresh,
        None,
    ),
];

/// What this screen's keys ask for (wrapped in `keymap::Command`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    /// Load the screen's data again.
    Refresh,
    CheckIn,
    Open,
    OpenPatient,
    Up,
    Down,
}

/// Database work this screen asks for; run by `crate::effects::queue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Load {
        request: RequestId,
        today: NaiveDate,
        tz: Tz,
    },
    CheckIn {
        request: RequestId,
        appointment_id: i64,
        version: i32,
        tz: Tz,
    },
}

/// The answers, each carrying the request id it answers so a stale one is dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Loaded {
        request: RequestId,
        result: Result<Vec<QueueEntry>, String>,
    },
    CheckedIn {
        request: RequestId,
        result: Result<Appointment, String>,
    },
}

impl Reply {
    pub fn request(&self) -> RequestId {
        match self {
            Reply::Loaded { request, .. } | Reply::CheckedIn { request, .. } => *request,
        }
    }
}

#[derive(Debug, Default)]
pub struct QueueScreen {
    pub entries: Vec<QueueEntry>,
    /// The selected row.
    pub selected: usize,
    pub loaded: bool,
    pub loading: Option<RequestId>,
    reload_again: bool,
    pub error: Option<String>,
    /// The check-in on its way: (request, patient).
    pub checking_in: Option<(RequestId, String)>,
    pub live: Option<bool>,
    /// The clock as of the last tick, for waiting times.
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub access: Option<Access>,
}

impl ScreenState for QueueScreen {}

impl QueueScreen {
    pub fn counts(&self) -> QueueCounts {
        QueueCounts::of(&self.entries)
    }

    fn sync(&mut self, ctx: &Ctx) {
        self.now = ctx.now;
        self.tz = ctx.tz;
        self.access = Some(ctx.access);
    }

    /// The screen came to the front.
    pub fn entered(&mut self, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        self.load(ctx)
    }

    fn load(&mut self, ctx: &mut Ctx) -> Outcome {
        let request = ctx.request();
        self.loading = Some(request);
        self.reload_again = false;
        Outcome::effect(Effect::Queue(Request::Load {
            request,
            today: ctx.today(),
            tz: ctx.tz,
        }))
    }

    fn selected_entry(&self) -> Option<&QueueEntry> {
        self.entries.get(self.selected)
    }

    pub fn command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        match cmd {
            Cmd::Refresh => self.load(ctx),
            Cmd::Up => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::redraw()
            }
            Cmd::Down => {
                self.selected = (self.selected + 1).min(self.entries.len().saturating_sub(1));
                Outcome::redraw()
            }
            Cmd::Open | Cmd::OpenPatient => match self.selected_entry() {
                Some(e) => Outcome {
                    intent: Some(if cmd == Cmd::Open {
                        Intent::ShowAppointment {
                            appointment_id: e.appointment_id,
                        }
                    } else {
                        Intent::OpenPatient {
                            patient_id: e.patient_id,
                        }
                    }),
                    redraw: true,
                    ..Outcome::default()
                },
                None => Outcome::notice("Nobody is in today's queue."),
            },
            Cmd::CheckIn => self.check_in(ctx),
        }
    }

    fn check_in(&mut self, ctx: &mut Ctx) -> Outcome {
        if ctx.me.job != Job::Receptionist || ctx.access != Access::Full {
            return Outcome::notice("Only the desk checks patients in.");
        }
        let Some(e) = self.selected_entry() else {
            return Outcome::notice("Nobody is in today's queue.");
        };
        if !e.status.can_move_to(AppointmentStatus::CheckedIn) {
            return Outcome::notice(format!(
                "{} is {}: there is nothing to check in.",
                e.patient_name, e.status
            ));
        }
        if self.checking_in.is_some() {
            return Outcome::notice("Still checking in the last patient.");
        }
        let request = ctx.request();
        let (appointment_id, version) = (e.appointment_id, e.version);
        self.checking_in = Some((request, e.patient_name.clone()));
        Outcome::effect(Effect::Queue(Request::CheckIn {
            request,
            appointment_id,
            version,
            tz: ctx.tz,
        }))
    }

    /// Esc: nothing of its own to close.
    pub fn back(&mut self, _ctx: &mut Ctx) -> Outcome {
        Outcome::default()
    }

    /// Typing in the focused text field.
    pub fn edit(&mut self, _request: InputRequest, _ctx: &mut Ctx) -> Outcome {
        Outcome::default()
    }

    pub fn reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        match reply {
            Reply::Loaded { request, result } => {
                if self.loading != Some(request) {
                    tracing::debug!(%request, "dropped a stale queue");
                    return Outcome::default();
                }
                self.loading = None;
                match result {
                    Ok(entries) => {
                        // Keep the same appointment selected when rows come and go above it.
                        let kept = self.selected_entry().map(|e| e.appointment_id);
                        self.entries = entries;
                        self.selected = kept
                            .and_then(|id| self.entries.iter().position(|e| e.appointment_id == id))
                            .unwrap_or(self.selected)
                            .min(self.entries.len().saturating_sub(1));
                        self.loaded = true;
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
                if std::mem::take(&mut self.reload_again) {
                    return self.load(ctx);
                }
                Outcome::redraw()
            }
            Reply::CheckedIn { request, result } => {
                let Some((_, patient)) = self.checking_in.take_if(|(r, _)| *r == request) else {
                    return Outcome::default();
                };
                let mut out = self.load(ctx);
                out.notice = Some(match result {
                    Ok(_) => format!("{patient} checked in."),
                    Err(e) => e,
                });
                out
            }
        }
    }

    /// Work handed over from another screen.
    pub fn intent(&mut self, _intent: Intent, _ctx: &mut Ctx) -> Outcome {
        Outcome::default()
    }

    /// Another desk booked or changed an appointment, or live updates came back: re-read.
    pub fn notified(&mut self, event: ListenEvent, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        let mut out = Outcome::redraw();
        match event {
            ListenEvent::Lost => {
                self.live = Some(false);
                return out;
            }
            ListenEvent::Reconnected => self.live = Some(true),
            ListenEvent::Appointment(_) => {}
        }
        if !self.loaded && self.loading.is_none() {
            // Never opened: it loads when it comes to the front.
            return out;
        }
        if self.loading.is_some() {
            self.reload_again = true;
        } else {
            out.effects = self.load(ctx).effects;
        }
        out
    }

    /// The clock moved on: waiting times count up once a second.
    pub fn tick(&mut self, ctx: &mut Ctx) -> Outcome {
        let second_changed = ctx.now.timestamp() != self.now.timestamp();
        self.now = ctx.now;
        let waiting = self
            .entries
            .iter()
            .any(|e| e.waiting_minutes(ctx.now).is_some());
        Outcome {
            redraw: second_changed && waiting,
            ..Outcome::default()
        }
    }
}
