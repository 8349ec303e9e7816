//! The doctor's side: their day (who is booked, who waits for them and since when, live), a
//! patient's chart, and the encounter of a consultation, written as a draft that saves itself and
//! signed with the password. Every read of a chart is the database's audited clinic.chart; every
//! write one of its functions (sql/0014), which decide whether this doctor may.

mod chart;
mod encounter;
mod keys;
mod popups;
mod requests;
mod writing;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use tui_input::InputRequest;

pub use encounter::{
    EncounterForm, PatientLine, Popup, Section, Snapshot, AUTOSAVE_AFTER, RETRY_AFTER, RX_FIELDS,
};
pub use keys::{Panel, BINDINGS};
pub use popups::{reason_problem, ScreenPopup, FIND_LIMIT};
pub use requests::{ChartRefusal, Cmd, Prescribed, Reply, Request};

use super::action::TextInput;
use super::confirm::Confirm;
use super::keymap::Binding;
use super::pending::{earliest, Pending};
use super::refetch::Refetch;
use super::screen::{Access, Ctx, Outcome, Screen};
use super::widgets::{List, PatientPicker, PatientSearch};
use crate::domain::appointment::AppointmentStatus;
use crate::domain::diagnosis::Icd10Query;
use crate::domain::live::LiveEvent;
use crate::domain::record::{Chart, DayVisit, NewPrescription, UnsignedRecord};
use crate::domain::staff::Job;

/// How long after the last keystroke the diagnosis box is searched.
pub const ICD_DEBOUNCE: TimeDelta = TimeDelta::milliseconds(150);

/// A chart open on the screen.
#[derive(Debug)]
pub struct ChartView {
    pub patient: PatientLine,
    /// The visit it was opened from, when it was (so `s` starts that one).
    pub visit: Option<DayVisit>,
    pub chart: Option<Chart>,
    pub loading: Pending,
    pub error: Option<String>,
    /// Refused for want of a care relationship: `b` offers emergency access.
    pub no_care: bool,
    /// Lines scrolled past at the top.
    pub scroll: u16,
    /// Open the draft as soon as the chart is here (after a start).
    pub then_edit: Option<i64>,
}

#[derive(Debug, Default)]
pub struct RecordsScreen {
    pub day: Option<NaiveDate>,
    pub visits: List<DayVisit>,
    pub unsigned: Vec<UnsignedRecord>,
    pub loaded: bool,
    pub loading: Pending,
    /// The re-read of the day after other desks' changes.
    pub refetch: Refetch,
    pub error: Option<String>,
    pub live: Option<bool>,
    pub chart: Option<ChartView>,
    pub encounter: Option<EncounterForm>,
    pub starting: Pending<String>,
    /// The prescription that met an allergy, kept for "prescribe anyway".
    pub held_prescription: Option<NewPrescription>,
    /// A popup of the screen itself (find a patient, emergency access, amend).
    pub popup: Option<ScreenPopup>,
    /// Emergency access, a new note or an amendment on its way.
    pub asking: Pending<String>,
    /// How long emergency access lasts here (from the config), for the popup to say.
    pub break_glass_minutes: Option<u16>,
    pub now: DateTime<Utc>,
    pub tz: Tz,
}

impl Screen for RecordsScreen {
    type Cmd = Cmd;
    type Request = Request;
    type Reply = Reply;
    type Panel = Panel;

    const TITLE: &'static str = "Records";
    const COMMAND: &'static str = "records";
    const BINDINGS: &'static [Binding] = BINDINGS;

    /// Clinical access is for doctors only (minimum necessary: admins get none).
    fn access(job: Job) -> Option<Access> {
        (job == Job::Doctor).then_some(Access::Full)
    }

    /// A doctor's day is their home.
    fn home(job: Job) -> bool {
        job == Job::Doctor
    }

    fn entered(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if self.day.is_none() {
            self.day = Some(ctx.today());
        }
        self.load_day(ctx)
    }

    fn command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if self.popup.is_some() && self.encounter.is_none() {
            return self.popup_command(cmd, ctx);
        }
        if self.encounter.is_some() {
            return self.encounter_command(cmd, ctx);
        }
        if self.chart.is_some() {
            return self.chart_command(cmd, ctx);
        }
        match cmd {
            Cmd::Refresh => self.load_day(ctx),
            Cmd::Up | Cmd::Down => {
                self.visits.move_by(if cmd == Cmd::Up { -1 } else { 1 });
                Outcome::redraw()
            }
            Cmd::PreviousDay | Cmd::NextDay | Cmd::Today => {
                let today = ctx.today();
                let day = self.day.unwrap_or(today);
                self.day = Some(match cmd {
                    Cmd::PreviousDay => day.pred_opt().unwrap_or(day),
                    Cmd::NextDay => day.succ_opt().unwrap_or(day),
                    _ => today,
                });
                self.visits.clear();
                self.loaded = false;
                self.load_day(ctx)
            }
            Cmd::Open => match self.visits.selected_item().cloned() {
                Some(v) => self.open_chart(v.clone().into(), Some(v), None, ctx),
                None => Outcome::notice("No visit is selected."),
            },
            Cmd::Start => match self.visits.selected_item().cloned() {
                Some(v) => self.start(&v, ctx),
                None => Outcome::notice("No visit is selected."),
            },
            Cmd::Find => {
                self.popup = Some(ScreenPopup::Find(Box::new(PatientPicker::new(FIND_LIMIT))));
                Outcome::redraw()
            }
            _ => Outcome::default(),
        }
    }

    fn edit(&mut self, request: InputRequest, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        let now = ctx.now;
        if self.encounter.is_none() {
            match &mut self.popup {
                Some(ScreenPopup::Find(picker)) => {
                    return Outcome::redraw_if(picker.edit(request, now, ctx.date_format));
                }
                Some(ScreenPopup::BreakGlass { reason, error, .. }) => {
                    reason.handle(request);
                    *error = None;
                    return Outcome::redraw();
                }
                Some(ScreenPopup::Amend { form, .. }) => {
                    return Outcome::redraw_if(form.edit(request, now, ctx.date_format));
                }
                None => {}
            }
        }
        let Some(form) = &mut self.encounter else {
            return Outcome::default();
        };
        match &mut form.popup {
            Some(Popup::Diagnosis {
                input, due, found, ..
            }) => {
                let before = input.value().to_string();
                input.handle(request);
                if input.value() != before {
                    *due = Some(now + ICD_DEBOUNCE);
                    if input.value().trim().is_empty() {
                        found.clear();
                    }
                }
                Outcome::redraw()
            }
            Some(Popup::Prescription(rx)) => {
                let changed = rx.edit(request, now, "");
                if changed {
                    form.refresh_rx_warning();
                }
                Outcome::redraw()
            }
            Some(Popup::Allergy(a)) => {
                a.edit(request, now, "");
                Outcome::redraw()
            }
            Some(Popup::Sign { input, error }) => {
                input.handle(request);
                *error = None;
                Outcome::redraw()
            }
            None => Outcome::redraw_if(form.edit_vitals(request, now)),
        }
    }

    fn edit_text(&mut self, input: TextInput, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match &mut self.encounter {
            Some(form) => Outcome::redraw_if(form.edit_note(input, ctx.now)),
            None => Outcome::default(),
        }
    }

    fn back(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if self.encounter.is_none() && self.popup.take().is_some() {
            return Outcome::redraw();
        }
        if let Some(form) = &mut self.encounter {
            match form.popup.take() {
                Some(Popup::Prescription(rx)) if rx.changed() => {
                    form.popup = Some(Popup::Prescription(rx));
                    return Outcome::confirm(Confirm::discard(Cmd::Remove));
                }
                Some(Popup::Allergy(a)) if a.changed() => {
                    form.popup = Some(Popup::Allergy(a));
                    return Outcome::confirm(Confirm::discard(Cmd::Remove));
                }
                Some(_) => return Outcome::redraw(),
                None => {}
            }
            // Leave once the database has what was typed; nothing typed goes unsaved.
            if form.vitals_blocked() {
                return Outcome::notice(
                    "A vital sign has an error (see under it): fix or clear it before closing.",
                );
            }
            if form.savable().is_some() || form.saving.in_flight() {
                form.closing = true;
                return self.save_now(ctx).with_notice("Saving before closing…");
            }
            return self.close_encounter(ctx);
        }
        if self.chart.take().is_some() {
            return self.load_day(ctx);
        }
        Outcome::default()
    }

    fn reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match reply {
            Reply::Day { request, result } => {
                if self.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                self.refetch.answered(ctx);
                match result {
                    Ok((visits, unsigned)) => {
                        if let Some(view) = &mut self.chart {
                            if let Some(v) = &view.visit {
                                let id = v.appointment_id;
                                view.visit =
                                    visits.iter().find(|n| n.appointment_id == id).cloned();
                            }
                        }
                        self.visits.replace(visits, |v| v.appointment_id);
                        self.unsigned = unsigned;
                        self.loaded = true;
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
                Outcome::redraw()
            }
            Reply::Chart { request, result } => self.chart_loaded(request, result),
            Reply::Patients { request, result } => {
                if let Some(ScreenPopup::Find(picker)) = &mut self.popup {
                    return Outcome::redraw_if(picker.found(request, result));
                }
                Outcome::default()
            }
            Reply::GlassBroken { request, result } => {
                if self.asking.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(until) => {
                        self.popup = None;
                        let until = until.with_timezone(&ctx.tz).format("%H:%M");
                        self.reload_chart(ctx).with_notice(format!(
                            "Emergency access until {until}: every read is logged for review."
                        ))
                    }
                    Err(e) => {
                        if let Some(ScreenPopup::BreakGlass { error, .. }) = &mut self.popup {
                            *error = Some(e);
                        }
                        Outcome::redraw()
                    }
                }
            }
            Reply::NoteStarted { request, result } => {
                if self.asking.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok((record_id, chart)) => {
                        if let Some(view) = &mut self.chart {
                            self.encounter =
                                EncounterForm::open(&chart, record_id, view.patient.clone());
                            view.chart = Some(chart);
                        }
                        Outcome::redraw()
                    }
                    Err(e) => Outcome::notice(e),
                }
            }
            Reply::Amended { request, result } => {
                if self.asking.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(_) => {
                        self.popup = None;
                        self.reload_chart(ctx)
                            .with_notice("Amendment saved, under the record it corrects.")
                    }
                    Err(e) => {
                        if let Some(ScreenPopup::Amend { form, .. }) = &mut self.popup {
                            form.set_error(2, e.clone());
                        }
                        Outcome::notice(e)
                    }
                }
            }
            Reply::Started { request, result } => {
                let Some(name) = self.starting.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok((record_id, chart)) => {
                        // The chart view opened with the start; if it was left meanwhile, the
                        // visit on the day's list names the patient.
                        let patient = self
                            .chart
                            .as_ref()
                            .map(|c| c.patient.clone())
                            .or_else(|| self.visit_for_record(&chart, record_id));
                        self.encounter = patient
                            .and_then(|patient| EncounterForm::open(&chart, record_id, patient));
                        if let Some(view) = &mut self.chart {
                            view.chart = Some(chart);
                        }
                        self.load_day(ctx)
                            .with_notice(format!("Consultation with {name} started."))
                    }
                    Err(e) => Outcome::notice(e),
                }
            }
            other => self.encounter_reply(other, ctx),
        }
    }

    fn notified(&mut self, event: LiveEvent, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match event {
            LiveEvent::Lost => {
                self.live = Some(false);
                return Outcome::redraw();
            }
            LiveEvent::Reconnected => {
                self.live = Some(true);
                // A save that failed while offline goes now rather than at its retry.
                if let Some(form) = &mut self.encounter {
                    if form.save_error.is_some() {
                        form.retry_at = Some(ctx.now);
                    }
                }
            }
            LiveEvent::Appointment(_) => {}
        }
        if !self.loaded && !self.loading.in_flight() {
            return Outcome::redraw();
        }
        // The day is read again soon (`Refetch`), not at once: every desk heard the same change.
        self.refetch.heard(ctx, self.loading.in_flight());
        Outcome::redraw()
    }

    fn deadline(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let waiting = self
            .visits
            .iter()
            .filter(|v| v.status == AppointmentStatus::CheckedIn)
            .filter_map(|v| v.status_changed_at)
            .map(|since| {
                let minutes = (now - since).num_minutes().max(0) + 1;
                since + TimeDelta::minutes(minutes)
            })
            .min();
        let form = self.encounter.as_ref().and_then(|f| {
            let icd = match &f.popup {
                Some(Popup::Diagnosis { due, .. }) => *due,
                _ => None,
            };
            earliest([f.deadline(), icd])
        });
        let find = match &self.popup {
            Some(ScreenPopup::Find(picker)) => picker.deadline(),
            _ => None,
        };
        earliest([waiting, form, find, self.refetch.deadline()])
    }

    fn tick(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let before = self.now;
        self.sync(ctx);
        let mut out = Outcome::redraw_if(self.visits.iter().any(|v| {
            v.status == AppointmentStatus::CheckedIn
                && v.status_changed_at
                    .is_some_and(|s| (before - s).num_minutes() != (ctx.now - s).num_minutes())
        }));
        if let Some(ScreenPopup::Find(picker)) = &mut self.popup {
            if picker.due(ctx.now) {
                if let Some(PatientSearch {
                    request,
                    query,
                    limit,
                }) = picker.search(ctx)
                {
                    out = out.and(Outcome::request(Request::SearchPatients {
                        request,
                        query,
                        limit,
                    }));
                }
                out.redraw = true;
            }
        }
        if self.refetch.due(ctx) {
            out = out.and(self.load_day(ctx));
        }
        if let Some(form) = &mut self.encounter {
            if let Some(Popup::Diagnosis {
                input,
                due,
                searching,
                ..
            }) = &mut form.popup
            {
                if due.is_some_and(|d| d <= ctx.now) {
                    *due = None;
                    let text = input.value().to_string();
                    let query = Icd10Query::parse(&text);
                    if query != Icd10Query::Empty {
                        let request = ctx.start(searching, text);
                        out = out.and(Outcome::request(Request::SearchIcd { request, query }));
                    }
                }
            }
            if form.deadline().is_some_and(|d| d <= ctx.now) {
                out = out.and(self.save_now(ctx));
            }
        }
        out
    }

    fn has_unsaved_input(&self) -> bool {
        self.encounter
            .as_ref()
            .is_some_and(|f| f.dirty() || f.saving.in_flight())
    }

    fn text_focused(&self) -> bool {
        if self.encounter.is_none() {
            match &self.popup {
                Some(ScreenPopup::Amend { form, .. }) => return form.text_focused(),
                Some(_) => return true,
                None => {}
            }
        }
        self.encounter.as_ref().is_some_and(|f| match &f.popup {
            Some(Popup::Prescription(rx)) => rx.text_focused(),
            Some(Popup::Allergy(a)) => a.text_focused(),
            Some(_) => true,
            None => matches!(f.focus, Section::Vitals(_)),
        })
    }

    fn text_area_focused(&self) -> bool {
        self.encounter.as_ref().is_some_and(EncounterForm::in_note)
    }

    fn offers(&self, cmd: Cmd) -> bool {
        match cmd {
            Cmd::Start => match &self.chart {
                Some(view) => view
                    .visit
                    .as_ref()
                    .is_some_and(|v| v.status == AppointmentStatus::CheckedIn),
                None => self
                    .visits
                    .selected_item()
                    .is_some_and(|v| v.status == AppointmentStatus::CheckedIn),
            },
            Cmd::EditDraft => self.chart_draft().is_some(),
            Cmd::BreakGlass => self.chart.as_ref().is_some_and(|c| c.no_care),
            Cmd::NewNote | Cmd::Amend => self.chart.as_ref().is_some_and(|c| c.chart.is_some()),
            Cmd::Remove => self
                .encounter
                .as_ref()
                .is_some_and(|f| matches!(f.focus, Section::Diagnoses | Section::Prescriptions)),
            _ => true,
        }
    }

    fn panel(&self) -> Option<Panel> {
        if let Some(form) = &self.encounter {
            return Some(match (&form.popup, form.focus.note()) {
                (Some(Popup::Diagnosis { .. }), _) => Panel::Diagnosis,
                (Some(Popup::Prescription(_)), _) => Panel::Prescription,
                (Some(Popup::Allergy(_)), _) => Panel::Allergy,
                (Some(Popup::Sign { .. }), _) => Panel::Sign,
                (None, Some(_)) => Panel::Note,
                (None, None) => Panel::Parts,
            });
        }
        match &self.popup {
            Some(ScreenPopup::Find(_)) => return Some(Panel::Find),
            Some(ScreenPopup::BreakGlass { .. }) => return Some(Panel::BreakGlass),
            Some(ScreenPopup::Amend { .. }) => return Some(Panel::Amend),
            None => {}
        }
        self.chart.as_ref().map(|_| Panel::Chart)
    }

    fn spinning(&self, now: DateTime<Utc>) -> bool {
        self.loading.spinning(now)
            || self.starting.spinning(now)
            || self.chart.as_ref().is_some_and(|c| c.loading.spinning(now))
            || self
                .encounter
                .as_ref()
                .is_some_and(|f| f.signing.spinning(now) || f.part.spinning(now))
    }
}

impl From<DayVisit> for PatientLine {
    fn from(v: DayVisit) -> Self {
        PatientLine {
            patient_id: v.patient_id,
            name: format!("{}, {}", v.family_name, v.given_names),
            number: Some(v.patient_number),
            date_of_birth: Some(v.date_of_birth),
        }
    }
}

impl RecordsScreen {
    fn sync(&mut self, ctx: &Ctx) {
        self.now = ctx.now;
        self.tz = ctx.tz;
        self.break_glass_minutes = Some(ctx.break_glass_minutes);
    }

    /// Visits waiting for this doctor now, and the longest wait in minutes.
    pub fn waiting(&self) -> (usize, Option<i64>) {
        let waits: Vec<i64> = self
            .visits
            .iter()
            .filter(|v| v.status == AppointmentStatus::CheckedIn)
            .map(|v| {
                v.status_changed_at
                    .map_or(0, |s| (self.now - s).num_minutes().max(0))
            })
            .collect();
        (waits.len(), waits.iter().max().copied())
    }

    fn load_day(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let day = *self.day.get_or_insert(ctx.today());
        let request = ctx.start(&mut self.loading, ());
        self.refetch.started();
        Outcome::request(Request::Day { request, day })
    }

    fn visit_for_record(&self, chart: &Chart, record_id: i64) -> Option<PatientLine> {
        let appointment = chart.record(record_id)?.appointment_id?;
        self.visits
            .iter()
            .find(|v| v.appointment_id == appointment)
            .cloned()
            .map(PatientLine::from)
    }

    fn start(&mut self, v: &DayVisit, ctx: &mut Ctx) -> Outcome<Self> {
        let name = format!("{}, {}", v.family_name, v.given_names);
        match v.status {
            AppointmentStatus::CheckedIn | AppointmentStatus::InProgress => {}
            AppointmentStatus::Scheduled => {
                return Outcome::notice(format!(
                    "{name} is not checked in yet: the desk checks patients in."
                ))
            }
            other => return Outcome::notice(format!("{name}'s visit is {}.", other.word())),
        }
        if self.starting.in_flight() {
            return Outcome::notice("Still starting the last consultation.");
        }
        if self.chart.is_none() {
            self.chart = Some(ChartView {
                patient: v.clone().into(),
                visit: Some(v.clone()),
                chart: None,
                loading: Pending::default(),
                error: None,
                no_care: false,
                scroll: 0,
                then_edit: None,
            });
        }
        let request = ctx.start(&mut self.starting, name);
        Outcome::request(Request::Start {
            request,
            appointment_id: v.appointment_id,
            patient_id: v.patient_id,
        })
    }
}
