//! The steps taken on one appointment from the grid or its detail: check in, no-show, start and
//! complete, cancel (through a reason form) and move (by picking the new slot), each only where
//! the status allows it and the person's job may (the database checks both again).

use chrono::{DateTime, Utc};

use super::forms::cancel_form;
use super::{desk_only, is_desk, CalendarScreen, Cmd, FindFor, Request, Write};
use crate::app::screen::{Ctx, Outcome};
use crate::domain::appointment::{AppointmentStatus, CalendarEntry, MoveTo};
use crate::domain::schedule::SlotState;
use crate::domain::staff::Job;

impl CalendarScreen {
    /// A status step, a cancellation or a move on `entry`, if this person may and the status allows.
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
            Cmd::Move => (S::Scheduled, "move appointments"),
            _ => {
                // Advance: a doctor's own consultation, one step along.
                if ctx.me.job != Job::Doctor {
                    return Outcome::notice(
                        "Only the patient's doctor starts and completes a consultation.",
                    );
                }
                if entry.doctor_id != ctx.me.staff_id {
                    return Outcome::notice("That is not your appointment.");
                }
                let to = match status {
                    S::CheckedIn => S::InProgress,
                    S::InProgress => S::Completed,
                    S::Scheduled => {
                        return Outcome::notice("The patient has not checked in yet.");
                    }
                    _ => {
                        return Outcome::notice(format!(
                            "This appointment is {status}: nothing follows."
                        ));
                    }
                };
                return self.set_status(entry, to, ctx);
            }
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
                "This appointment is {status}: it cannot be {}.",
                match to {
                    S::CheckedIn => "checked in",
                    S::NoShow => "marked no-show",
                    _ => "cancelled",
                }
            ));
        }
        if to == S::Cancelled {
            self.form = Some(cancel_form(entry, ctx.tz));
            return Outcome::redraw();
        }
        self.set_status(entry, to, ctx)
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
