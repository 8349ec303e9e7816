//! The panels in front of the grid: one appointment with its status history, and a doctor's
//! availability (weekly working hours and time off), which reception and admins keep.

use chrono::Duration;

use super::booking::{hours_form, time_off_form};
use super::{AppointmentDetail, AvailabilityData, CalendarScreen, Cmd, Request};
use crate::app::action::{Effect, RequestId};
use crate::app::screen::{Ctx, Intent, Outcome};
use crate::domain::schedule::day_bounds;
use crate::domain::staff::Job;

/// An appointment's detail: loading, loaded, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub appointment_id: i64,
    pub request: Option<RequestId>,
    pub loaded: Option<AppointmentDetail>,
    pub error: Option<String>,
}

/// A doctor's availability as the panel lists it: working hours first, then time off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityPanel {
    pub doctor_id: i64,
    pub doctor_name: String,
    pub request: Option<RequestId>,
    pub data: Option<AvailabilityData>,
    pub error: Option<String>,
    /// The row under the cursor, counting hours then time off.
    pub selected: usize,
    /// `d` was pressed once on this row: the next `d` deletes it.
    pub delete_armed: Option<usize>,
    pub saving: Option<RequestId>,
    /// Reception and admins change it; everyone else reads.
    pub editable: bool,
}

impl AvailabilityPanel {
    pub fn rows(&self) -> usize {
        self.data
            .as_ref()
            .map_or(0, |d| d.hours.len() + d.time_off.len())
    }
}

impl CalendarScreen {
    pub(super) fn open_detail(&mut self, appointment_id: i64, ctx: &mut Ctx) -> Outcome {
        self.detail = Some(Detail {
            appointment_id,
            request: None,
            loaded: None,
            error: None,
        });
        self.request_detail(appointment_id, ctx)
    }

    pub(super) fn request_detail(&mut self, appointment_id: i64, ctx: &mut Ctx) -> Outcome {
        let request = ctx.request();
        if let Some(d) = &mut self.detail {
            d.request = Some(request);
        }
        Outcome::effect(Effect::Calendar(Request::Detail {
            request,
            appointment_id,
        }))
    }

    pub(super) fn detail_loaded(
        &mut self,
        request: RequestId,
        result: Result<Option<Box<AppointmentDetail>>, String>,
    ) -> Outcome {
        let Some(d) = self.detail.as_mut().filter(|d| d.request == Some(request)) else {
            return Outcome::default();
        };
        d.request = None;
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

    pub(super) fn detail_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome {
        let Some(entry) = self
            .detail
            .as_ref()
            .and_then(|d| d.loaded.as_ref())
            .map(|d| d.entry.clone())
        else {
            return Outcome::notice("Still loading the appointment.");
        };
        match cmd {
            Cmd::OpenPatient => Outcome {
                intent: Some(Intent::OpenPatient {
                    patient_id: entry.patient_id,
                }),
                redraw: true,
                ..Outcome::default()
            },
            Cmd::CheckIn | Cmd::NoShow | Cmd::Advance | Cmd::Cancel | Cmd::Move => {
                self.act_on(cmd, &entry, ctx)
            }
            _ => Outcome::default(),
        }
    }

    pub(super) fn open_availability(&mut self, ctx: &mut Ctx) -> Outcome {
        let Some(doctor) = self.grid.doctor().cloned() else {
            return Outcome::notice("Wait for the calendar to load, then pick a doctor's column.");
        };
        self.availability = Some(AvailabilityPanel {
            doctor_id: doctor.id,
            doctor_name: doctor.name,
            request: None,
            data: None,
            error: None,
            selected: 0,
            delete_armed: None,
            saving: None,
            editable: matches!(ctx.me.job, Job::Receptionist | Job::Admin),
        });
        self.load_availability(ctx)
    }

    fn load_availability(&mut self, ctx: &mut Ctx) -> Outcome {
        let Some(panel) = &mut self.availability else {
            return Outcome::default();
        };
        let request = ctx.request();
        panel.request = Some(request);
        // Time off from the start of today: what has passed no longer matters at the desk.
        let (from, _) = day_bounds(ctx.tz, ctx.today());
        Outcome::effect(Effect::Calendar(Request::Availability {
            request,
            doctor_id: panel.doctor_id,
            from,
        }))
    }

    pub(super) fn availability_loaded(
        &mut self,
        request: RequestId,
        result: Result<AvailabilityData, String>,
    ) -> Outcome {
        let Some(panel) = self
            .availability
            .as_mut()
            .filter(|p| p.request == Some(request))
        else {
            return Outcome::default();
        };
        panel.request = None;
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
    ) -> Outcome {
        let Some(panel) = self
            .availability
            .as_mut()
            .filter(|p| p.saving == Some(request))
        else {
            return Outcome::default();
        };
        panel.saving = None;
        let form_is_ours = self
            .form
            .as_ref()
            .is_some_and(|f| f.saving == Some(request));
        match result {
            Ok(()) => {
                if form_is_ours {
                    self.form = None;
                }
                // The grid shows hours and leave too.
                let mut out = self.load_availability(ctx);
                out.effects.extend(self.load(ctx).effects);
                out.notice = Some("Saved.".into());
                out
            }
            Err(e) => match self.form.as_mut().filter(|_| form_is_ours) {
                Some(form) => {
                    form.saving = None;
                    form.error = Some(e);
                    Outcome::redraw()
                }
                None => {
                    let mut out = self.load_availability(ctx);
                    out.notice = Some(e);
                    out
                }
            },
        }
    }

    pub(super) fn availability_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome {
        let (date, time) = (self.grid.date, self.grid.time);
        let Some(panel) = &mut self.availability else {
            return Outcome::default();
        };
        let rows = panel.rows();
        let armed = panel.delete_armed.take();
        match cmd {
            Cmd::Up => panel.selected = panel.selected.saturating_sub(1),
            Cmd::Down => panel.selected = (panel.selected + 1).min(rows.saturating_sub(1)),
            Cmd::AddHours | Cmd::AddTimeOff | Cmd::EditRow | Cmd::DeleteRow if !panel.editable => {
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
                let Some(data) = &panel.data else {
                    return Outcome::default();
                };
                if rows == 0 {
                    return Outcome::notice("Nothing to delete.");
                }
                if armed != Some(panel.selected) {
                    panel.delete_armed = Some(panel.selected);
                    return Outcome::notice(
                        "Press d again to delete this row; any other key keeps it.",
                    );
                }
                let request = ctx.request();
                panel.saving = Some(request);
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
                return Outcome::effect(Effect::Calendar(effect));
            }
            _ => return Outcome::default(),
        }
        Outcome::redraw()
    }
}

/// How far ahead the availability panel lists time off.
pub const TIME_OFF_AHEAD: Duration = Duration::days(366);
