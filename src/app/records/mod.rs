//! The doctor's side: their day (who is booked, who waits for them and since when, live), a
//! patient's chart, and the encounter of a consultation, written as a draft that saves itself and
//! signed with the password. Every read of a chart is the database's audited clinic.chart; every
//! write one of its functions (sql/0014), which decide whether this doctor may.

mod encounter;
mod keys;
mod popups;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use tui_input::{Input, InputRequest};

pub use encounter::{
    EncounterForm, PatientLine, Popup, Section, Snapshot, AUTOSAVE_AFTER, RETRY_AFTER, RX_FIELDS,
};
pub use keys::{Panel, BINDINGS};
pub use popups::{reason_problem, ScreenPopup, FIND_LIMIT};

use super::action::{Secret, TextInput};
use super::confirm::Confirm;
use super::keymap::Binding;
use super::pending::{earliest, Pending, RequestId};
use super::screen::{Access, Ctx, Outcome, Screen};
use super::widgets::{List, PatientPicker, PatientSearch};
use crate::domain::appointment::AppointmentStatus;
use crate::domain::diagnosis::{Icd10Code, Icd10Query};
use crate::domain::live::LiveEvent;
use crate::domain::patient::{PatientHit, SearchQuery};
use crate::domain::record::{
    Chart, DayVisit, NewPrescription, Severity, UnsignedRecord, VitalsValues,
};
use crate::domain::staff::Job;

/// How long after the last keystroke the diagnosis box is searched.
pub const ICD_DEBOUNCE: TimeDelta = TimeDelta::milliseconds(150);

/// What this screen's keys ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Refresh,
    Up,
    Down,
    PageUp,
    PageDown,
    PreviousDay,
    NextDay,
    Today,
    Open,
    Start,
    EditDraft,
    NextSection,
    PreviousSection,
    Save,
    Sign,
    AddDiagnosis,
    AddPrescription,
    AddAllergy,
    Remove,
    /// The popup's main step: add the code, add the prescription, sign.
    Pick,
    /// "Yes" to the allergy question: prescribe it anyway.
    PrescribeAnyway,
    /// Find any patient (a walk-in) and open their chart.
    Find,
    /// Emergency access to the chart on screen.
    BreakGlass,
    /// A new note for the patient on screen (a walk-in, or a call).
    NewNote,
    /// Amend one of the patient's signed records.
    Amend,
}

/// Database work this screen asks for; run by `crate::effects::records`.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Day {
        request: RequestId,
        day: NaiveDate,
    },
    Chart {
        request: RequestId,
        patient_id: i64,
    },
    Start {
        request: RequestId,
        appointment_id: i64,
        patient_id: i64,
    },
    Save {
        request: RequestId,
        record_id: i64,
        version: i32,
        patient_id: i64,
        snapshot: Box<Snapshot>,
        vitals: Option<VitalsValues>,
    },
    SearchIcd {
        request: RequestId,
        query: Icd10Query,
    },
    AddDiagnosis {
        request: RequestId,
        record_id: i64,
        code: Icd10Code,
        primary: bool,
    },
    RemoveDiagnosis {
        request: RequestId,
        diagnosis_id: i64,
    },
    Prescribe {
        request: RequestId,
        record_id: i64,
        prescription: Box<NewPrescription>,
        allergy_confirmed: bool,
    },
    RemovePrescription {
        request: RequestId,
        prescription_id: i64,
    },
    RecordAllergy {
        request: RequestId,
        patient_id: i64,
        substance: String,
        reaction: Option<String>,
        severity: Severity,
    },
    SearchPatients {
        request: RequestId,
        query: SearchQuery,
        limit: i64,
    },
    BreakGlass {
        request: RequestId,
        patient_id: i64,
        reason: String,
        minutes: i32,
    },
    NewNote {
        request: RequestId,
        patient_id: i64,
    },
    Amend {
        request: RequestId,
        record_id: i64,
        patient_id: i64,
        summary: String,
        text: String,
    },
    /// Check the password against the sign-in's hash, save what is typed, then sign.
    Sign {
        request: RequestId,
        record_id: i64,
        password: Secret,
        hash: String,
        save: Option<Box<Request>>,
    },
}

/// What a prescription's save came back with.
#[derive(Debug, Clone, PartialEq)]
pub enum Prescribed {
    Added(i64),
    /// The drug matches a recorded allergy: the allergy, in words.
    Allergy(String),
}

/// The answers, each with the request id it answers so a stale one is dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Day {
        request: RequestId,
        result: Result<(Vec<DayVisit>, Vec<UnsignedRecord>), String>,
    },
    Chart {
        request: RequestId,
        result: Result<Chart, ChartRefusal>,
    },
    Patients {
        request: RequestId,
        result: Result<Vec<PatientHit>, String>,
    },
    GlassBroken {
        request: RequestId,
        result: Result<DateTime<Utc>, String>,
    },
    NoteStarted {
        request: RequestId,
        result: Result<(i64, Chart), String>,
    },
    Amended {
        request: RequestId,
        result: Result<i64, String>,
    },
    Started {
        request: RequestId,
        result: Result<(i64, Chart), String>,
    },
    Saved {
        request: RequestId,
        result: Result<i32, String>,
    },
    IcdFound {
        request: RequestId,
        result: Result<Vec<Icd10Code>, String>,
    },
    DiagnosisAdded {
        request: RequestId,
        result: Result<i64, String>,
    },
    PrescriptionAdded {
        request: RequestId,
        result: Result<Prescribed, String>,
    },
    Removed {
        request: RequestId,
        result: Result<(), String>,
    },
    AllergyRecorded {
        request: RequestId,
        result: Result<i64, String>,
    },
    Signed {
        request: RequestId,
        result: Result<(), String>,
    },
}

/// Why a chart did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartRefusal {
    /// No appointment with this doctor and no record of theirs: break-the-glass is the way in.
    NoCare,
    Other(String),
}

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
    reload_again: bool,
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
                if std::mem::take(&mut self.reload_again) {
                    return self.load_day(ctx);
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
                        let patient = self
                            .chart
                            .as_ref()
                            .map(|c| c.patient.clone())
                            .or_else(|| self.visit_for_record(&chart, record_id))
                            .unwrap_or(PatientLine {
                                patient_id: 0,
                                name: name.clone(),
                                number: None,
                                date_of_birth: None,
                            });
                        self.encounter = EncounterForm::open(&chart, record_id, patient);
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
        if self.loading.in_flight() {
            self.reload_again = true;
            return Outcome::redraw();
        }
        self.load_day(ctx)
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
        earliest([waiting, form, find])
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
        self.reload_again = false;
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

    fn open_chart(
        &mut self,
        patient: PatientLine,
        visit: Option<DayVisit>,
        then_edit: Option<i64>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let mut view = ChartView {
            patient,
            visit,
            chart: None,
            loading: Pending::default(),
            error: None,
            no_care: false,
            scroll: 0,
            then_edit,
        };
        let request = ctx.start(&mut view.loading, ());
        let patient_id = view.patient.patient_id;
        self.chart = Some(view);
        Outcome::request(Request::Chart {
            request,
            patient_id,
        })
    }

    fn chart_loaded(
        &mut self,
        request: RequestId,
        result: Result<Chart, ChartRefusal>,
    ) -> Outcome<Self> {
        let Some(view) = &mut self.chart else {
            return Outcome::default();
        };
        if view.loading.finish(request).is_none() {
            return Outcome::default();
        }
        match result {
            Ok(chart) => {
                if let Some(record_id) = view.then_edit.take() {
                    self.encounter = EncounterForm::open(&chart, record_id, view.patient.clone());
                }
                view.chart = Some(chart);
                view.error = None;
                view.no_care = false;
            }
            Err(ChartRefusal::NoCare) => {
                view.chart = None;
                view.no_care = true;
                view.error = Some(format!(
                    "{} is not in your care (no appointment with you, no record of yours). In an \
                     emergency, b opens the chart for a while with a stated reason, logged for review.",
                    view.patient.name
                ));
            }
            Err(ChartRefusal::Other(e)) => view.error = Some(e),
        }
        self.lists_from_chart();
        Outcome::redraw()
    }

    /// The caller's unsigned record of the visit the chart was opened from, or their latest
    /// unsigned record in it.
    fn chart_draft(&self) -> Option<i64> {
        let view = self.chart.as_ref()?;
        let chart = view.chart.as_ref()?;
        let of_visit = view.visit.as_ref().and_then(|v| v.record_id);
        chart
            .records
            .iter()
            .rev()
            .filter(|r| !r.is_signed() && r.kind != "amendment")
            .find(|r| of_visit.is_none_or(|id| id == r.id))
            .map(|r| r.id)
    }

    fn chart_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let page = i32::from(ctx.body_rows.saturating_sub(4).max(1));
        let Some(view) = &mut self.chart else {
            return Outcome::default();
        };
        let scroll = |view: &mut ChartView, by: i32| {
            view.scroll = u16::try_from((i32::from(view.scroll) + by).max(0)).unwrap_or(0);
            Outcome::redraw()
        };
        match cmd {
            Cmd::Down => scroll(view, 1),
            Cmd::Up => scroll(view, -1),
            Cmd::PageDown => scroll(view, page),
            Cmd::PageUp => scroll(view, -page),
            Cmd::EditDraft => match (self.chart_draft(), &self.chart) {
                (Some(id), Some(view)) => {
                    let patient = view.patient.clone();
                    match view.chart.as_ref() {
                        Some(chart) => {
                            self.encounter = EncounterForm::open(chart, id, patient);
                            Outcome::redraw()
                        }
                        None => Outcome::default(),
                    }
                }
                _ => {
                    Outcome::notice("No unsigned draft of yours here: signed records are amended.")
                }
            },
            Cmd::Start => match view.visit.clone() {
                Some(v) => self.start(&v, ctx),
                None => Outcome::notice("Open the chart from today's visit to start it."),
            },
            Cmd::Refresh => self.reload_chart(ctx),
            Cmd::BreakGlass => {
                if !view.no_care {
                    return Outcome::notice("This chart is open to you already.");
                }
                self.popup = Some(ScreenPopup::BreakGlass {
                    patient: view.patient.clone(),
                    reason: Input::default(),
                    error: None,
                });
                Outcome::redraw()
            }
            Cmd::NewNote => {
                if view.chart.is_none() {
                    return Outcome::notice("Open the chart first.");
                }
                if self.asking.in_flight() {
                    return Outcome::notice("Still on it.");
                }
                let patient_id = view.patient.patient_id;
                let request = ctx.start(&mut self.asking, "new note".into());
                Outcome::request(Request::NewNote {
                    request,
                    patient_id,
                })
            }
            Cmd::Amend => match view
                .chart
                .as_ref()
                .and_then(|c| ScreenPopup::amend(c, ctx.tz))
            {
                Some(popup) => {
                    self.popup = Some(popup);
                    Outcome::redraw()
                }
                None => Outcome::notice("Nothing signed to amend: a draft is edited instead."),
            },
            _ => Outcome::default(),
        }
    }

    fn reload_chart(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        match &mut self.chart {
            Some(view) => {
                let request = ctx.start(&mut view.loading, ());
                Outcome::request(Request::Chart {
                    request,
                    patient_id: view.patient.patient_id,
                })
            }
            None => Outcome::redraw(),
        }
    }

    /// A key while one of the screen's own popups is open.
    fn popup_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        match (&mut self.popup, cmd) {
            (Some(ScreenPopup::Find(picker)), Cmd::Up | Cmd::Down) => {
                picker.hits.move_by(if cmd == Cmd::Up { -1 } else { 1 });
                Outcome::redraw()
            }
            (Some(ScreenPopup::Find(picker)), Cmd::Pick) => {
                let Some(hit) = picker.selected_hit().cloned() else {
                    return Outcome::notice(
                        "Type a name, a date of birth or a number, then choose.",
                    );
                };
                self.popup = None;
                let patient = PatientLine {
                    patient_id: hit.id,
                    name: format!("{}, {}", hit.family_name, hit.given_names),
                    number: Some(hit.patient_number),
                    date_of_birth: Some(hit.date_of_birth),
                };
                self.open_chart(patient, None, None, ctx)
            }
            (
                Some(ScreenPopup::BreakGlass {
                    patient,
                    reason,
                    error,
                }),
                Cmd::Pick,
            ) => {
                if let Some(problem) = reason_problem(reason.value()) {
                    *error = Some(problem.into());
                    return Outcome::redraw();
                }
                if self.asking.in_flight() {
                    return Outcome::notice("Still asking.");
                }
                let (patient_id, reason) = (patient.patient_id, reason.value().trim().to_string());
                let request = ctx.start(&mut self.asking, "emergency access".into());
                Outcome::request(Request::BreakGlass {
                    request,
                    patient_id,
                    reason,
                    minutes: i32::from(ctx.break_glass_minutes),
                })
            }
            (Some(ScreenPopup::Amend { form, .. }), Cmd::NextSection | Cmd::PreviousSection) => {
                form.next_field(cmd == Cmd::NextSection, true);
                Outcome::redraw()
            }
            (Some(ScreenPopup::Amend { form, .. }), Cmd::Up | Cmd::Down) => {
                form.step(cmd == Cmd::Down);
                Outcome::redraw()
            }
            (Some(ScreenPopup::Amend { form, records }), Cmd::Pick) => {
                form.clear_errors();
                for (i, what) in [
                    (1, "a line saying what is corrected"),
                    (2, "the correction"),
                ] {
                    if form.value(i).trim().is_empty() {
                        form.set_error(i, what);
                    }
                }
                if form.has_errors() {
                    form.focus_first_error();
                    return Outcome::redraw();
                }
                let Some(record_id) = records.get(form.fields[0].chosen()).copied() else {
                    return Outcome::default();
                };
                let (summary, text) = (
                    form.value(1).trim().to_string(),
                    form.value(2).trim().to_string(),
                );
                let Some(patient_id) = self.chart.as_ref().map(|c| c.patient.patient_id) else {
                    return Outcome::default();
                };
                let request = ctx.start(&mut self.asking, "amendment".into());
                Outcome::request(Request::Amend {
                    request,
                    record_id,
                    patient_id,
                    summary,
                    text,
                })
            }
            _ => Outcome::default(),
        }
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

    fn save_now(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.encounter else {
            return Outcome::default();
        };
        let Some(request) = save_request(form, ctx) else {
            return Outcome::redraw();
        };
        Outcome::request(request)
    }

    fn close_encounter(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.encounter = None;
        // The chart shows what was just written.
        match &mut self.chart {
            Some(view) => {
                let request = ctx.start(&mut view.loading, ());
                let patient_id = view.patient.patient_id;
                Outcome::request(Request::Chart {
                    request,
                    patient_id,
                })
                .and(self.load_day(ctx))
            }
            None => self.load_day(ctx),
        }
    }

    fn encounter_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.encounter else {
            return Outcome::default();
        };
        if cmd == Cmd::PrescribeAnyway {
            return match self.held_prescription.take() {
                Some(prescription) => {
                    let request = ctx.start(&mut form.part, prescription.drug.clone());
                    Outcome::request(Request::Prescribe {
                        request,
                        record_id: form.record_id,
                        prescription: Box::new(prescription),
                        allergy_confirmed: true,
                    })
                }
                None => Outcome::default(),
            };
        }
        match (&mut form.popup, cmd) {
            (Some(Popup::Diagnosis { found, .. }), Cmd::Up | Cmd::Down) => {
                found.move_by(if cmd == Cmd::Up { -1 } else { 1 });
                return Outcome::redraw();
            }
            (Some(Popup::Diagnosis { found, .. }), Cmd::Pick) => {
                let Some(code) = found.selected_item().cloned() else {
                    return Outcome::notice("Type a code or words of the diagnosis first.");
                };
                if !code.billable {
                    return Outcome::notice(format!(
                        "{} is a category: choose one of its codes.",
                        code.code
                    ));
                }
                let primary = form.diagnoses.is_empty();
                let request = ctx.start(&mut form.part, code.code.clone());
                form.popup = None;
                return Outcome::request(Request::AddDiagnosis {
                    request,
                    record_id: form.record_id,
                    code,
                    primary,
                });
            }
            (Some(Popup::Prescription(rx)), Cmd::NextSection | Cmd::PreviousSection) => {
                rx.next_field(cmd == Cmd::NextSection, true);
                return Outcome::redraw();
            }
            (Some(Popup::Prescription(rx)), Cmd::Pick) => {
                let Some(prescription) = EncounterForm::typed_prescription(rx) else {
                    return Outcome::redraw();
                };
                let request = ctx.start(&mut form.part, prescription.drug.clone());
                return Outcome::request(Request::Prescribe {
                    request,
                    record_id: form.record_id,
                    prescription: Box::new(prescription),
                    allergy_confirmed: false,
                });
            }
            (Some(Popup::Allergy(a)), Cmd::NextSection | Cmd::PreviousSection) => {
                a.next_field(cmd == Cmd::NextSection, true);
                return Outcome::redraw();
            }
            (Some(Popup::Allergy(a)), Cmd::Up | Cmd::Down) => {
                a.step(cmd == Cmd::Down);
                return Outcome::redraw();
            }
            (Some(Popup::Allergy(a)), Cmd::Pick) => {
                let Some((substance, reaction, severity)) = EncounterForm::typed_allergy(a) else {
                    return Outcome::redraw();
                };
                let request = ctx.start(&mut form.part, substance.clone());
                return Outcome::request(Request::RecordAllergy {
                    request,
                    patient_id: form.patient_id,
                    substance,
                    reaction,
                    severity,
                });
            }
            (Some(Popup::Prescription(_) | Popup::Allergy(_)), Cmd::Remove) => {
                // "Discard" from the question asked by Esc.
                form.popup = None;
                return Outcome::redraw();
            }
            (Some(Popup::Sign { .. }), Cmd::Pick) => return self.sign(ctx),
            (Some(_), _) => return Outcome::default(),
            (None, _) => {}
        }
        match cmd {
            Cmd::NextSection | Cmd::PreviousSection => {
                form.move_focus(cmd == Cmd::NextSection);
                Outcome::redraw()
            }
            Cmd::Up | Cmd::Down => {
                let by = if cmd == Cmd::Up { -1 } else { 1 };
                match form.focus {
                    Section::Diagnoses => form.diagnoses.move_by(by),
                    Section::Prescriptions => form.prescriptions.move_by(by),
                    _ => form.move_focus(by > 0),
                }
                Outcome::redraw()
            }
            Cmd::Save => self.save_now(ctx),
            Cmd::AddDiagnosis => {
                form.popup = Some(Popup::Diagnosis {
                    input: Input::default(),
                    found: List::default(),
                    due: None,
                    searching: Pending::default(),
                    error: None,
                });
                Outcome::redraw()
            }
            Cmd::AddPrescription => {
                form.open_prescription();
                Outcome::redraw()
            }
            Cmd::AddAllergy => {
                form.open_allergy();
                Outcome::redraw()
            }
            Cmd::Remove => {
                if form.part.in_flight() {
                    return Outcome::notice("Still saving the last change to the lists.");
                }
                let request = match form.focus {
                    Section::Diagnoses => form
                        .diagnoses
                        .selected_item()
                        .map(|d| (d.code.clone(), d.id, true)),
                    Section::Prescriptions => form
                        .prescriptions
                        .selected_item()
                        .map(|p| (p.drug.clone(), p.id, false)),
                    _ => None,
                };
                match request {
                    Some((what, id, diagnosis)) => {
                        let request = ctx.start(&mut form.part, what);
                        Outcome::request(if diagnosis {
                            Request::RemoveDiagnosis {
                                request,
                                diagnosis_id: id,
                            }
                        } else {
                            Request::RemovePrescription {
                                request,
                                prescription_id: id,
                            }
                        })
                    }
                    None => Outcome::notice("Select a diagnosis or a prescription to remove."),
                }
            }
            Cmd::Sign => {
                if ctx.password_hash.is_none() {
                    return Outcome::notice(
                        "Your password check is not ready yet; try again in a moment.",
                    );
                }
                form.open_sign();
                Outcome::redraw()
            }
            _ => Outcome::default(),
        }
    }

    fn sign(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(hash) = ctx.password_hash.map(str::to_string) else {
            return Outcome::notice("Your password check is not ready yet; try again in a moment.");
        };
        let Some(form) = &mut self.encounter else {
            return Outcome::default();
        };
        if form.signing.in_flight() {
            return Outcome::notice("Still signing.");
        }
        let Some(password) = form.take_password() else {
            return Outcome::default();
        };
        let save = save_request(form, ctx).map(Box::new);
        let request = ctx.start(&mut form.signing, ());
        Outcome::request(Request::Sign {
            request,
            record_id: form.record_id,
            password,
            hash,
            save,
        })
    }

    fn encounter_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        let now = ctx.now;
        let Some(form) = &mut self.encounter else {
            return Outcome::default();
        };
        match reply {
            Reply::Saved { request, result } => {
                let Some(sent) = form.saving.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(version) => {
                        form.saved_ok(sent, version, now);
                        if form.closing {
                            if form.savable().is_none() {
                                return self.close_encounter(ctx);
                            }
                            return self.save_now(ctx);
                        }
                        Outcome::redraw()
                    }
                    Err(e) => {
                        form.save_failed(e.clone(), now);
                        Outcome::notice(format!("Not saved yet (kept here, trying again): {e}"))
                    }
                }
            }
            Reply::IcdFound { request, result } => {
                if let Some(Popup::Diagnosis {
                    found,
                    searching,
                    error,
                    ..
                }) = &mut form.popup
                {
                    if searching.finish(request).is_none() {
                        return Outcome::default();
                    }
                    match result {
                        Ok(codes) => {
                            found.reset(codes);
                            *error = None;
                        }
                        Err(e) => *error = Some(e),
                    }
                }
                Outcome::redraw()
            }
            Reply::DiagnosisAdded { request, result } => {
                let Some(code) = form.part.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(_) => self
                        .refresh_chart(ctx)
                        .with_notice(sentence(&format!("{code} added."))),
                    Err(e) => Outcome::notice(e),
                }
            }
            Reply::PrescriptionAdded { request, result } => {
                let Some(drug) = form.part.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(Prescribed::Added(_)) => {
                        form.popup = None;
                        self.held_prescription = None;
                        self.refresh_chart(ctx)
                            .with_notice(sentence(&format!("{drug} prescribed.")))
                    }
                    Ok(Prescribed::Allergy(words)) => {
                        self.held_prescription = match &mut form.popup {
                            Some(Popup::Prescription(rx)) => EncounterForm::typed_prescription(rx),
                            _ => None,
                        };
                        Outcome::confirm(Confirm::new(
                            "Recorded allergy",
                            format!("{}. Prescribe {drug} anyway?", sentence(&words)),
                            "Prescribe anyway",
                            "Change it",
                            Cmd::PrescribeAnyway,
                        ))
                    }
                    Err(e) => {
                        if let Some(Popup::Prescription(rx)) = &mut form.popup {
                            rx.set_error(0, e.clone());
                        }
                        Outcome::notice(e)
                    }
                }
            }
            Reply::AllergyRecorded { request, result } => {
                let Some(substance) = form.part.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(_) => {
                        form.popup = None;
                        self.refresh_chart(ctx)
                            .with_notice(sentence(&format!("{substance}: allergy recorded.")))
                    }
                    Err(e) => {
                        if let Some(Popup::Allergy(a)) = &mut form.popup {
                            a.set_error(0, e.clone());
                        }
                        Outcome::notice(e)
                    }
                }
            }
            Reply::Removed { request, result } => {
                let Some(what) = form.part.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(()) => self
                        .refresh_chart(ctx)
                        .with_notice(sentence(&format!("{what} removed."))),
                    Err(e) => Outcome::notice(e),
                }
            }
            Reply::Signed { request, result } => {
                if form.signing.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(()) => {
                        // What was typed went with the signature.
                        form.saved = form.snapshot();
                        let name = form.patient_name.clone();
                        self.close_encounter(ctx)
                            .with_notice(format!("Signed: {name}'s encounter is final now."))
                    }
                    Err(e) => {
                        form.open_sign();
                        if let Some(Popup::Sign { error, .. }) = &mut form.popup {
                            *error = Some(e.clone());
                        }
                        Outcome::redraw()
                    }
                }
            }
            _ => Outcome::default(),
        }
    }

    /// Re-read the chart after a change to the encounter's lists; the form takes the new lists
    /// and keeps everything typed.
    fn refresh_chart(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        match &mut self.chart {
            Some(view) => {
                let request = ctx.start(&mut view.loading, ());
                Outcome::request(Request::Chart {
                    request,
                    patient_id: view.patient.patient_id,
                })
            }
            None => Outcome::redraw(),
        }
    }

    /// The chart came back while an encounter is open: take its lists.
    pub fn lists_from_chart(&mut self) {
        if let (Some(form), Some(chart)) = (
            &mut self.encounter,
            self.chart.as_ref().and_then(|c| c.chart.as_ref()),
        ) {
            form.diagnoses
                .replace(chart.diagnoses_of(form.record_id).cloned().collect(), |d| {
                    d.id
                });
            form.prescriptions.replace(
                chart.prescriptions_of(form.record_id).cloned().collect(),
                |p| p.id,
            );
            form.allergies = chart.open_allergies().cloned().collect();
        }
    }
}

/// `text` with a capital first letter, as a message starts.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The save of what the form holds now, or None when nothing needs saving or one is on its way.
fn save_request(form: &mut EncounterForm, ctx: &mut Ctx) -> Option<Request> {
    let (snapshot, vitals) = form.due_save()?;
    let request = ctx.start(&mut form.saving, snapshot.clone());
    Some(Request::Save {
        request,
        record_id: form.record_id,
        version: form.version,
        patient_id: form.patient_id,
        snapshot: Box::new(snapshot),
        vitals,
    })
}

#[cfg(test)]
mod tests;
