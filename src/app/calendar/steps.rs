//! The steps taken on one appointment from the grid or its detail: check in, no-show, start and
//! complete, cancel (through a reason form), take back a check-in or a no-show (with a reason) and
//! move (by picking the new slot), each only where the status allows it, the clock agrees and the
//! person's job may (the database checks all three again).

use chrono::{DateTime, Utc};

use super::forms::{cancel_form, take_back_form};
use super::{desk_only, is_desk, CalendarScreen, Cmd, FindFor, Request, Write};
use crate::app::confirm::Confirm;
use crate::app::screen::{Ctx, Outcome};
use crate::domain::appointment::{AppointmentStatus, CalendarEntry, MoveTo};
use crate::domain::schedule::SlotState;
use crate::domain::staff::Job;

impl CalendarScreen {
    /// A status step, a cancellation, a take-back or a move on `entry`, if this person may, the
    /// status allows it and the clock agrees. A no-show, a cancellation and completing a
    /// consultation ask first: none of them is a step to take by a slip of the finger.
    pub(super) fn act_on(
        &mut self,
        cmd: Cmd,
        entry: &CalendarEntry,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        use AppointmentStatus as S;
        let status = entry.status;
        let (to, what) = match cmd {
            Cmd::CheckIn => (S::CheckedIn, "check patients in"),
            Cmd::NoShow => (S::NoShow, "mark no-shows"),
            Cmd::Cancel => (S::Cancelled, "cancel appointments"),
            Cmd::TakeBack => (S::Scheduled, "take back a check-in or a no-show"),
            Cmd::Move => (S::Scheduled, "move appointments"),
            _ => return self.advance(entry, ctx),
        };
        if !is_desk(ctx) {
            return desk_only(ctx, what);
        }
        if cmd == Cmd::Move {
            if !status.is_movable() {
                return Outcome::notice(format!("A {status} appointment cannot be moved."));
            }
            self.detail = None;
            self.moving = Some(entry.clone());
            return Outcome::redraw();
        }
        if !status.can_move_to(to) {
            return Outcome::notice(format!(
                "This appointment is {status}: {}.",
                match to {
                    S::CheckedIn => "it cannot be checked in",
                    S::NoShow => "it cannot be marked no-show",
                    S::Scheduled => "only a check-in or a no-show can be taken back",
                    _ => "it cannot be cancelled",
                }
            ));
        }
        if let Some(why) = status.clock_refusal(to, entry.starts_at, ctx.now, ctx.tz) {
            return Outcome::notice(why);
        }
        let about = describe(entry, ctx);
        match to {
            S::NoShow => self.ask(
                entry,
                Confirm::new(
                    "Mark as no-show?",
                    format!("Mark {about} as a no-show?"),
                    "No-show",
                    "Keep it",
                    Cmd::NoShowConfirmed,
                ),
            ),
            S::Cancelled => self.ask(
                entry,
                Confirm::new(
                    "Cancel the appointment?",
                    format!("Cancel {about}? A reason comes next."),
                    "Cancel it",
                    "Keep it",
                    Cmd::CancelConfirmed,
                ),
            ),
            S::Scheduled => {
                self.form = Some(take_back_form(entry, ctx.tz));
                Outcome::redraw()
            }
            _ => self.set_status(entry, to, ctx),
        }
    }

    /// `s`: a doctor's own consultation, one step along; completing it asks first, so a key
    /// pressed twice starts a consultation without ending it.
    fn advance(&mut self, entry: &CalendarEntry, ctx: &mut Ctx) -> Outcome<Self> {
        use AppointmentStatus as S;
        if ctx.me.job != Job::Doctor {
            return Outcome::notice(
                "Only the patient's doctor starts and completes a consultation.",
            );
        }
        if entry.doctor_id != ctx.me.staff_id {
            return Outcome::notice("That is not your appointment.");
        }
        match entry.status {
            S::CheckedIn => {
                match S::CheckedIn.clock_refusal(S::InProgress, entry.starts_at, ctx.now, ctx.tz) {
                    Some(why) => Outcome::notice(why),
                    None => self.set_status(entry, S::InProgress, ctx),
                }
            }
            S::InProgress => {
                let about = describe(entry, ctx);
                self.ask(
                    entry,
                    Confirm::new(
                        "Complete the consultation?",
                        format!("Complete the consultation of {about}?"),
                        "Complete",
                        "Not yet",
                        Cmd::CompleteConfirmed,
                    ),
                )
            }
            S::Scheduled => Outcome::notice("The patient has not checked in yet."),
            status => Outcome::notice(format!("This appointment is {status}: nothing follows.")),
        }
    }

    fn ask(&mut self, entry: &CalendarEntry, confirm: Confirm<Cmd>) -> Outcome<Self> {
        self.asking = Some(entry.clone());
        Outcome::confirm(confirm)
    }

    /// "Yes" to a question about `asking`.
    pub(super) fn confirmed(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(entry) = self.asking.take() else {
            return Outcome::default();
        };
        match cmd {
            Cmd::NoShowConfirmed => self.set_status(&entry, AppointmentStatus::NoShow, ctx),
            Cmd::CompleteConfirmed => self.set_status(&entry, AppointmentStatus::Completed, ctx),
            Cmd::CancelConfirmed => {
                self.form = Some(cancel_form(&entry, ctx.tz));
                Outcome::redraw()
            }
            _ => Outcome::default(),
        }
    }

    pub(super) fn set_status(
        &mut self,
        entry: &CalendarEntry,
        to: AppointmentStatus,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        if self.writing.in_flight() {
            return Outcome::notice("Still saving the last change.");
        }
        let write = Write::Status {
            patient: entry.patient_name.clone(),
            to,
        };
        let request = ctx.start(&mut self.writing, write);
        Outcome::request(Request::SetStatus {
            request,
            appointment_id: entry.id,
            version: entry.version,
            status: to,
            tz: ctx.tz,
        })
    }

    pub(super) fn put_moved_here(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(entry) = self.moving.clone() else {
            return Outcome::default();
        };
        let Some(cell) = self.grid.cell() else {
            return Outcome::notice("Still loading the calendar.");
        };
        let doctor_id = cell.column.doctor.id;
        let starts_at = cell.from;
        if let SlotState::Booked(other) = cell.state {
            if other.id != entry.id {
                return Outcome::notice("That slot is taken: pick a free one.");
            }
        }
        if self.writing.in_flight() {
            return Outcome::notice("Still saving the last change.");
        }
        let write = Write::Move {
            patient: entry.patient_name.clone(),
        };
        let request = ctx.start(&mut self.writing, write);
        Outcome::request(Request::Move {
            request,
            appointment_id: entry.id,
            version: entry.version,
            to: MoveTo {
                doctor_id,
                starts_at,
                ends_at: starts_at + (entry.ends_at - entry.starts_at),
                squeeze_in: false,
            },
            tz: ctx.tz,
        })
    }

    pub(super) fn find_free(
        &mut self,
        doctor: Option<i64>,
        from: DateTime<Utc>,
        purpose: FindFor,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let request = ctx.start(&mut self.finding, purpose);
        Outcome::request(Request::FindFree {
            request,
            doctor_id: doctor,
            from,
            tz: ctx.tz,
        })
    }
}

/// "Doe, John (Tue 01 Dec 10:30)": the appointment a question is about.
fn describe(entry: &CalendarEntry, ctx: &Ctx) -> String {
    format!(
        "{} ({})",
        entry.patient_name,
        entry
            .starts_at
            .with_timezone(&ctx.tz)
            .format("%a %d %b %H:%M")
    )
}
