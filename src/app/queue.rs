//! Today's queue at the desk: who is expected, waiting, with a doctor, done. Check-in is one key;
//! other desks' bookings and check-ins arrive by themselves (live updates re-read the queue).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::keymap::{self, Binding, Command};
use super::pending::{earliest, Pending, RequestId};
use super::refetch::Refetch;
use super::registry::{ScreenCmd, ScreenId};
use super::screen::{Access, Ctx, Intent, Outcome, Screen};
use super::widgets::List;
use crate::domain::appointment::{
    waiting_room_order, Appointment, AppointmentStatus, QueueCounts, QueueEntry, QueueState,
};
use crate::domain::live::LiveEvent;
use crate::domain::staff::Job;

/// This screen's bindings: the shared declaration with this screen's command.
const fn bind(
    name: &'static str,
    keys: &'static [&'static str],
    desc: &'static str,
    cmd: Cmd,
    footer: Option<&'static str>,
) -> Binding {
    keymap::bind(
        name,
        keys,
        desc,
        Command::Screen(ScreenCmd::Queue(cmd)),
        footer,
    )
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
        "queue.done",
        &["d"],
        "Show or fold away the patients done today",
        Cmd::ToggleDone,
        Some("show done"),
    ),
    bind(
        "queue.refresh",
        &["r", "ctrl-r"],
        "Load again (it also updates by itself)",
        Cmd::Refresh,
        None,
    ),
];

/// What this screen's keys ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    /// Load the screen's data again.
    Refresh,
    CheckIn,
    Open,
    OpenPatient,
    Up,
    Down,
    ToggleDone,
}

/// Database work this screen asks for; run by `crate::effects::appointments`.
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

#[derive(Debug, Default)]
pub struct QueueScreen {
    /// Today's appointments as read, by time.
    pub all: Vec<QueueEntry>,
    /// The rows shown, as a waiting room reads them: waiting (longest first), expected, with a
    /// doctor, then (when shown) done.
    pub entries: List<QueueEntry>,
    pub show_done: bool,
    pub loaded: bool,
    pub loading: Pending,
    /// The re-read after other desks' changes.
    pub refetch: Refetch,
    pub error: Option<String>,
    /// The check-in on its way, with the patient's name.
    pub checking_in: Pending<String>,
    pub live: Option<bool>,
    /// The clock as of the last handler, for waiting times.
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub access: Option<Access>,
}

impl Screen for QueueScreen {
    type Cmd = Cmd;
    type Request = Request;
    type Reply = Reply;
    type Panel = std::convert::Infallible;

    const TITLE: &'static str = "Queue";
    const COMMAND: &'static str = "queue";
    const BINDINGS: &'static [Binding] = BINDINGS;

    /// The desk's own screen.
    fn access(job: Job) -> Option<Access> {
        (job == Job::Receptionist).then_some(Access::Full)
    }

    fn entered(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        self.load(ctx)
    }

    fn command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match cmd {
            Cmd::Refresh => self.load(ctx),
            Cmd::Up => {
                self.entries.move_by(-1);
                Outcome::redraw()
            }
            Cmd::Down => {
                self.entries.move_by(1);
                Outcome::redraw()
            }
            Cmd::Open | Cmd::OpenPatient => match self.entries.selected_item() {
                Some(e) => Outcome::hand_over(if cmd == Cmd::Open {
                    Intent::ShowAppointment {
                        appointment_id: e.appointment_id,
                        back_to: Some(ScreenId::Queue),
                    }
                } else {
                    Intent::OpenPatient {
                        patient_id: e.patient_id,
                    }
                }),
                None => Outcome::notice("Nobody is in today's queue."),
            },
            Cmd::CheckIn => self.check_in(ctx),
            Cmd::ToggleDone => {
                self.show_done = !self.show_done;
                self.arrange();
                Outcome::redraw()
            }
        }
    }

    fn reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match reply {
            Reply::Loaded { request, result } => {
                if self.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                self.refetch.answered(ctx);
                match result {
                    Ok(entries) => {
                        self.all = entries;
                        self.arrange();
                        self.loaded = true;
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
                Outcome::redraw()
            }
            Reply::CheckedIn { request, result } => {
                let Some(patient) = self.checking_in.finish(request) else {
                    return Outcome::default();
                };
                self.load(ctx).with_notice(match result {
                    Ok(_) => format!("{patient} checked in."),
                    Err(e) => e,
                })
            }
        }
    }

    /// Another desk booked or changed an appointment, or live updates came back: re-read, soon
    /// (`Refetch`).
    fn notified(&mut self, event: LiveEvent, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match event {
            LiveEvent::Lost => {
                self.live = Some(false);
                return Outcome::redraw();
            }
            LiveEvent::Reconnected => self.live = Some(true),
            LiveEvent::Appointment(_) => {}
        }
        if !self.loaded && !self.loading.in_flight() {
            // Never opened: it loads when it comes to the front.
            return Outcome::redraw();
        }
        self.refetch.heard(ctx, self.loading.in_flight());
        Outcome::redraw()
    }

    /// A wait shown in hours and minutes moves on a whole minute after its check-in; a re-read
    /// after another desk's change goes out at its moment.
    fn deadline(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let waiting = self
            .all
            .iter()
            .filter_map(|e| match e.state {
                QueueState::Arrived { since } => {
                    let minutes = (now - since).num_minutes().max(0) + 1;
                    Some(since + chrono::TimeDelta::minutes(minutes))
                }
                _ => None,
            })
            .min();
        earliest([waiting, self.refetch.deadline()])
    }

    fn tick(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let before = self.now;
        self.now = ctx.now;
        let moved = self
            .all
            .iter()
            .any(|e| e.waiting_minutes(before) != e.waiting_minutes(ctx.now));
        let out = Outcome::redraw_if(moved);
        if self.refetch.due(ctx) {
            return out.and(self.load(ctx));
        }
        out
    }
}

impl QueueScreen {
    pub fn counts(&self) -> QueueCounts {
        QueueCounts::of(&self.all)
    }

    /// The rows shown, from what was read; the same appointment stays selected when rows come and
    /// go above it (and moves with its patient as they go from waiting to the doctor).
    fn arrange(&mut self) {
        let mut shown: Vec<QueueEntry> = self
            .all
            .iter()
            .filter(|e| self.show_done || !e.is_over())
            .cloned()
            .collect();
        waiting_room_order(&mut shown);
        self.entries.replace(shown, |e| e.appointment_id);
    }

    fn sync(&mut self, ctx: &Ctx) {
        self.now = ctx.now;
        self.tz = ctx.tz;
        self.access = Some(ctx.access);
    }

    fn load(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let request = ctx.start(&mut self.loading, ());
        self.refetch.started();
        Outcome::request(Request::Load {
            request,
            today: ctx.today(),
            tz: ctx.tz,
        })
    }

    fn check_in(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if ctx.me.job != Job::Receptionist || ctx.access != Access::Full {
            return Outcome::notice("Only the desk checks patients in.");
        }
        let Some(e) = self.entries.selected_item() else {
            return Outcome::notice("Nobody is in today's queue.");
        };
        if !e.status.can_move_to(AppointmentStatus::CheckedIn) {
            return Outcome::notice(format!(
                "{} is {}: there is nothing to check in.",
                e.patient_name, e.status
            ));
        }
        if self.checking_in.in_flight() {
            return Outcome::notice("Still checking in the last patient.");
        }
        let (appointment_id, version, name) = (e.appointment_id, e.version, e.patient_name.clone());
        let request = ctx.start(&mut self.checking_in, name);
        Outcome::request(Request::CheckIn {
            request,
            appointment_id,
            version,
            tz: ctx.tz,
        })
    }
}
