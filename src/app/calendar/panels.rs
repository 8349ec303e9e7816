//! The panels in front of the grid: one appointment with its status history, and a doctor's
//! availability (weekly working hours and time off), which reception and admins keep.

use chrono::Duration;

use super::form::weekday_names;
use super::forms::{hours_form, time_off_form};
use super::{AppointmentDetail, AvailabilityData, CalendarScreen, Cmd, Request};
use crate::app::confirm::Confirm;
use crate::app::pending::{Pending, RequestId};
use crate::app::screen::{Ctx, Intent, Outcome};
use crate::domain::appointment::doctor_title;
use crate::domain::schedule::day_bounds;
use crate::domain::staff::Job;

/// An appointment's detail: loading, loaded, or why not.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub appointment_id: i64,
    pub loading: Pending,
    pub loaded: Option<AppointmentDetail>,
    pub error: Option<String>,
}

/// A doctor's availability as the panel lists it: working hours first, then time off.
#[derive(Debug, Clone, PartialEq)]
pub struct AvailabilityPanel {
    pub doctor_id: i64,
    pub doctor_name: String,
    pub loading: Pending,
    pub data: Option<AvailabilityData>,
    pub error: Option<String>,
    /// The row under the cursor, counting hours then time off.
    pub selected: usize,
    /// The row a delete was asked about (the confirm popup is up): "yes" deletes that one.
    pub delete_armed: Option<usize>,
    pub saving: Pending,
    /// Reception and admins change it; everyone else reads.
    pub editable: bool,
}

impl AvailabilityPanel {
    pub fn rows(&self) -> usize {
        self.data
            .as_ref()
            .map_or(0, |d| d.hours.len() + d.time_off.len())
    }

    /// Row `i` in words, for a question about it: "Saturday 09:00-12:30", "leave from Mon 07 Dec
    /// 09:00".
    pub fn describe(&self, i: usize, tz: chrono_tz::Tz) -> String {
        let Some(data) = &self.data else {
            return "row".into();
        };
        if let Some(h) = data.hours.get(i) {
            let day = weekday_names()
                .get(usize::from(h.item.weekday.saturating_sub(1)))
                .cloned()
                .unwrap_or_default();
            return format!(
                "{day} {}-{}",
                h.item.starts.format("%H:%M"),
                h.item.ends.format("%H:%M")
            );
        }
        match data.time_off.get(i - data.hours.len().min(i)) {
            Some(x) => format!(
                "{} from {}",
                x.item.kind.as_str(),
                x.item.starts_at.with_timezone(&tz).format("%a %d %b %H:%M")
            ),
            None => "row".into(),
        }
    }
}

impl CalendarScreen {
    pub(super) fn open_detail(&mut self, appointment_id: i64, ctx: &mut Ctx) -> Outcome<Self> {
        self.detail = Some(Detail {
            appointment_id,
            loading: Pending::default(),
            loaded: None,
            error: None,
        });
        self.request_detail(appointment_id, ctx)
    }

    pub(super) fn request_detail(&mut self, appointment_id: i64, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(d) = &mut self.detail else {
            return Outcome::default();
        };
        let request = ctx.start(&mut d.loading, ());
        self.detail_behind = false;
        Outcome::request(Request::Detail {
            request,
            appointment_id,
        })
    }

    pub(super) fn detail_loaded(
        &mut self,
        request: RequestId,
        result: Result<Option<Box<AppointmentDetail>>, String>,
    ) -> Outcome<Self> {
        let Some(d) = self.detail.as_mut() else {
            return Outcome::default();
        };
        if d.loading.finish(request).is_none() {
            return Outcome::default();
        }
        match result {
            Ok(Some(detail)) => {
                d.loaded = Some(*detail);
                d.error = None;
            }
            Ok(None) => {
                d.error =
                    Some("That appointment is not there any more, or not yours to see.".into())
            }
            Err(e) => d.error = Some(e),
        }
        Outcome::redraw()
    }

    pub(super) fn detail_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(entry) = self
            .detail
            .as_ref()
            .and_then(|d| d.loaded.as_ref())
            .map(|d| d.entry.clone())
        else {
            return Outcome::notice("Still loading the appointment.");
        };
        match cmd {
            Cmd::OpenPatient => Outcome::hand_over(Intent::OpenPatient {
                patient_id: entry.patient_id,
            }),
            Cmd::CheckIn | Cmd::NoShow | Cmd::Advance | Cmd::Cancel | Cmd::Move | Cmd::TakeBack => {
                self.act_on(cmd, &entry, ctx)
            }
            Cmd::NoShowConfirmed | Cmd::CompleteConfirmed | Cmd::CancelConfirmed => {
                self.confirmed(cmd, ctx)
            }
            _ => Outcome::default(),
        }
    }

    pub(super) fn open_availability(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(doctor) = self.grid.doctor().cloned() else {
            return Outcome::notice("Wait for the calendar to load, then pick a doctor's column.");
        };
        self.availability = Some(AvailabilityPanel {
            doctor_id: doctor.id,
            doctor_name: doctor.name,
            loading: Pending::default(),
            data: None,
            error: None,
            selected: 0,
            delete_armed: None,
            saving: Pending::default(),
            editable: matches!(ctx.me.job, Job::Receptionist | Job::Admin),
        });
        self.load_availability(ctx)
    }

    fn load_availability(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(panel) = &mut self.availability else {
            return Outcome::default();
        };
        let request = ctx.start(&mut panel.loading, ());
        // Time off from the start of today: what has passed no longer matters at the desk.
        let (from, _) = day_bounds(ctx.tz, ctx.today());
        Outcome::request(Request::Availability {
            request,
            doctor_id: panel.doctor_id,
            from,
        })
    }

    pub(super) fn availability_loaded(
        &mut self,
        request: RequestId,
        result: Result<AvailabilityData, String>,
    ) -> Outcome<Self> {
        let Some(panel) = self.availability.as_mut() else {
            return Outcome::default();
        };
        if panel.loading.finish(request).is_none() {
            return Outcome::default();
        }
        match result {
            Ok(data) => {
                panel.data = Some(data);
                panel.error = None;
                panel.selected = panel.selected.min(panel.rows().saturating_sub(1));
            }
            Err(e) => panel.error = Some(e),
        }
        Outcome::redraw()
    }

    pub(super) fn availability_saved(
        &mut self,
        request: RequestId,
        result: Result<(), String>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let Some(panel) = self.availability.as_mut() else {
            return Outcome::default();
        };
        if panel.saving.finish(request).is_none() {
            return Outcome::default();
        }
        let form_is_ours = self.form.as_ref().is_some_and(|f| f.saving.is(request));
        match result {
            Ok(()) => {
                if form_is_ours {
                    self.form = None;
                }
                // The grid shows hours and leave too.
                let panel = self.load_availability(ctx);
                let grid = self.load(ctx);
                panel.and(grid).with_notice("Saved.")
            }
            Err(e) => match self.form.as_mut().filter(|_| form_is_ours) {
                Some(form) => {
                    form.saving.cancel();
                    form.error = Some(e);
                    Outcome::redraw()
                }
                None => self.load_availability(ctx).with_notice(e),
            },
        }
    }

    pub(super) fn availability_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let (date, time) = (self.grid.date, self.grid.cursor_time());
        let Some(panel) = &mut self.availability else {
            return Outcome::default();
        };
        let rows = panel.rows();
        let armed = panel.delete_armed.take();
        match cmd {
            Cmd::Up => panel.selected = panel.selected.saturating_sub(1),
            Cmd::Down => panel.selected = (panel.selected + 1).min(rows.saturating_sub(1)),
            Cmd::AddHours
            | Cmd::AddTimeOff
            | Cmd::EditRow
            | Cmd::DeleteRow
            | Cmd::DeleteConfirmed
                if !panel.editable =>
            {
                return Outcome::notice(
                    "Reception and admins keep the doctors' hours; you can read them.",
                );
            }
            Cmd::AddHours => {
                let doctor = panel.doctor_id;
                self.form = Some(hours_form(doctor, None));
            }
            Cmd::AddTimeOff => {
                let doctor = panel.doctor_id;
                self.form = Some(time_off_form(doctor, date, time));
            }
            Cmd::EditRow => {
                let hours = panel
                    .data
                    .as_ref()
                    .and_then(|d| d.hours.get(panel.selected));
                match hours {
                    Some(h) => {
                        let form = hours_form(panel.doctor_id, Some((h.id, h.version, &h.item)));
                        self.form = Some(form);
                    }
                    None => {
                        return Outcome::notice(
                            "Time off cannot be changed: delete it and add it again.",
                        );
                    }
                }
            }
            Cmd::DeleteRow => {
                if panel.data.is_none() {
                    return Outcome::default();
                }
                if rows == 0 {
                    return Outcome::notice("Nothing to delete.");
                }
                panel.delete_armed = Some(panel.selected);
                let what = panel.describe(panel.selected, ctx.tz);
                return Outcome::confirm(Confirm::new(
                    "Delete?",
                    format!("Delete {}'s {what}?", doctor_title(&panel.doctor_name)),
                    "Delete",
                    "Keep it",
                    Cmd::DeleteConfirmed,
                ));
            }
            Cmd::DeleteConfirmed => {
                let Some(data) = &panel.data else {
                    return Outcome::default();
                };
                if armed != Some(panel.selected) {
                    return Outcome::default();
                }
                let request = ctx.start(&mut panel.saving, ());
                let effect = match data.hours.get(panel.selected) {
                    Some(h) => Request::DeleteHours {
                        request,
                        id: h.id,
                        version: h.version,
                    },
                    None => match data.time_off.get(panel.selected - data.hours.len()) {
                        Some(x) => Request::DeleteTimeOff {
                            request,
                            id: x.id,
                            version: x.version,
                        },
                        None => return Outcome::default(),
                    },
                };
                return Outcome::request(effect);
            }
            _ => return Outcome::default(),
        }
        Outcome::redraw()
    }
}

/// How far ahead the availability panel lists time off.
pub const TIME_OFF_AHEAD: Duration = Duration::days(366);
