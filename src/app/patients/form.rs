//! The registration and edit form: one input per field, the message for a bad field kept beside
//! it, and the steps of a save (duplicate check, then the save itself) with their popups.
//!
//! Nothing typed is ever thrown away by a refusal: a bad field, a likely duplicate, a stale
//! version or a lost connection all leave the inputs as they were.

use chrono::{DateTime, Utc};
use tui_input::{Input, InputRequest};

use super::summary::title_name;
use super::{view_of, Cmd, PatientsScreen, Request, SaveTarget, SummaryView};
use crate::app::action::{Effect, RequestId};
use crate::app::screen::{Ctx, Outcome};
use crate::db::patients::DuplicateCandidate;
use crate::domain::patient::{FieldError, Patient, PatientDraft, PatientField, ValidPatient};

/// Why a save did not happen, as the form needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveFailure {
    /// Another desk saved this patient first.
    Stale(Box<StaleInfo>),
    /// The database refused one field's value.
    Field(FieldError),
    /// Anything else (no connection, not allowed, gone), in words.
    Refused(String),
}

/// Someone else's save that came between opening the form and saving it.
#[derive(Debug, Clone, PartialEq)]
pub struct StaleInfo {
    /// What is stored now; its version is the one the next save names.
    pub current: Patient,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
    /// (field, theirs, yours) for each field that differs.
    pub differences: Vec<(PatientField, String, String)>,
}

/// The step of a save that is waiting for the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Duplicates,
    Save,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FormPopup {
    /// Likely duplicates of what is about to be saved; nothing saved yet.
    Duplicates {
        candidates: Vec<DuplicateCandidate>,
        selected: usize,
        /// What `s` (save anyway) saves.
        details: Box<ValidPatient>,
        /// Enter was pressed: asking before the form is discarded for the chosen patient.
        confirm_open: bool,
    },
    Stale(Box<StaleInfo>),
    /// Esc on a form with changes.
    Discard,
}

#[derive(Debug)]
pub struct Form {
    /// The stored version an edit started from (moved on when someone else's save is seen);
    /// `None` for a registration.
    pub editing: Option<Box<Patient>>,
    /// One per field, in `PatientField::ALL`'s order.
    pub inputs: Vec<Input>,
    /// What the fields held when the form opened, to tell whether anything was typed.
    initial: Vec<String>,
    pub focus: usize,
    pub errors: Vec<FieldError>,
    /// Why the last save did not happen, when it is not one field's fault.
    pub failure: Option<String>,
    pub busy: Option<(RequestId, Step)>,
    /// What the duplicate check is running for.
    pub pending: Option<ValidPatient>,
    pub popup: Option<FormPopup>,
    /// After someone else's save: the fields this desk had not edited, which took their values.
    pub adopted: Vec<PatientField>,
}

fn draft_values(d: &PatientDraft) -> Vec<String> {
    PatientField::ALL
        .into_iter()
        .map(|f| draft_field(d, f).clone())
        .collect()
}

fn draft_field(d: &PatientDraft, field: PatientField) -> &String {
    match field {
        PatientField::FamilyName => &d.family_name,
        PatientField::GivenNames => &d.given_names,
        PatientField::PreferredName => &d.preferred_name,
        PatientField::DateOfBirth => &d.date_of_birth,
        PatientField::Sex => &d.sex,
        PatientField::GenderIdentity => &d.gender_identity,
        PatientField::Phone => &d.phone,
        PatientField::Email => &d.email,
        PatientField::AddressLine1 => &d.address_line1,
        PatientField::AddressLine2 => &d.address_line2,
        PatientField::City => &d.city,
        PatientField::Postcode => &d.postcode,
        PatientField::EmergencyContactName => &d.emergency_contact_name,
        PatientField::EmergencyContactPhone => &d.emergency_contact_phone,
        PatientField::Insurer => &d.insurer,
        PatientField::InsuranceNumber => &d.insurance_number,
    }
}

fn draft_field_mut(d: &mut PatientDraft, field: PatientField) -> &mut String {
    match field {
        PatientField::FamilyName => &mut d.family_name,
        PatientField::GivenNames => &mut d.given_names,
        PatientField::PreferredName => &mut d.preferred_name,
        PatientField::DateOfBirth => &mut d.date_of_birth,
        PatientField::Sex => &mut d.sex,
        PatientField::GenderIdentity => &mut d.gender_identity,
        PatientField::Phone => &mut d.phone,
        PatientField::Email => &mut d.email,
        PatientField::AddressLine1 => &mut d.address_line1,
        PatientField::AddressLine2 => &mut d.address_line2,
        PatientField::City => &mut d.city,
        PatientField::Postcode => &mut d.postcode,
        PatientField::EmergencyContactName => &mut d.emergency_contact_name,
        PatientField::EmergencyContactPhone => &mut d.emergency_contact_phone,
        PatientField::Insurer => &mut d.insurer,
        PatientField::InsuranceNumber => &mut d.insurance_number,
    }
}

/// The fields that make a patient someone else's likely duplicate: changing any of them on an
/// edit runs the duplicate check again.
fn identity_changed(before: &ValidPatient, after: &ValidPatient) -> bool {
    before.family_name != after.family_name
        || before.given_names != after.given_names
        || before.date_of_birth != after.date_of_birth
        || before.phone != after.phone
        || before.email != after.email
}

impl Form {
    fn from_draft(draft: &PatientDraft, editing: Option<Box<Patient>>) -> Self {
        let initial = draft_values(draft);
        Self {
            editing,
            inputs: initial.iter().map(|v| Input::new(v.clone())).collect(),
            initial,
            focus: 0,
            errors: Vec::new(),
            failure: None,
            busy: None,
            pending: None,
            popup: None,
            adopted: Vec::new(),
        }
    }

    /// A registration, with whatever the lookup already knew (a date of birth, a phone, an email).
    pub fn register(prefill: PatientDraft) -> Self {
        let mut form = Self::from_draft(&PatientDraft::default(), None);
        for (field, input) in PatientField::ALL.into_iter().zip(&mut form.inputs) {
            let value = draft_field(&prefill, field);
            if !value.is_empty() {
                *input = Input::new(value.clone());
            }
        }
        form
    }

    pub fn edit(patient: &Patient, date_format: &str) -> Self {
        Self::from_draft(
            &PatientDraft::from_patient(patient, date_format),
            Some(Box::new(patient.clone())),
        )
    }

    pub fn field(&self) -> PatientField {
        PatientField::ALL[self.focus.min(PatientField::ALL.len() - 1)]
    }

    pub fn input(&self, field: PatientField) -> &Input {
        &self.inputs[field_index(field)]
    }

    /// Typed but not saved.
    pub fn changed(&self) -> bool {
        self.inputs
            .iter()
            .zip(&self.initial)
            .any(|(input, initial)| input.value() != initial)
    }

    pub fn error(&self, field: PatientField) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn draft(&self) -> PatientDraft {
        let mut draft = PatientDraft::default();
        for (field, input) in PatientField::ALL.into_iter().zip(&self.inputs) {
            *draft_field_mut(&mut draft, field) = input.value().to_string();
        }
        draft
    }

    pub fn edit_field(&mut self, request: InputRequest) -> bool {
        let focus = self.focus;
        let Some(changed) = self.inputs[focus].handle(request) else {
            return false;
        };
        if changed.value {
            // The message was about what was there before; it comes back at the next save if
            // the new value is still wrong.
            let field = self.field();
            self.errors.retain(|e| e.field != field);
        }
        true
    }

    pub fn next_field(&mut self, wrap: bool) {
        let last = self.inputs.len() - 1;
        self.focus = match (self.focus >= last, wrap) {
            (true, true) => 0,
            (true, false) => last,
            (false, _) => self.focus + 1,
        };
    }

    pub fn previous_field(&mut self, wrap: bool) {
        let last = self.inputs.len() - 1;
        self.focus = match (self.focus == 0, wrap) {
            (true, true) => last,
            (true, false) => 0,
            (false, _) => self.focus - 1,
        };
    }

    pub fn focus_on(&mut self, field: PatientField) {
        self.focus = field_index(field);
    }

    /// Whether saving `details` needs the duplicate check first: always for a registration; for
    /// an edit only when a name, the date of birth, the phone or the email changes.
    pub fn needs_duplicate_check(&self, details: &ValidPatient) -> bool {
        self.editing
            .as_ref()
            .is_none_or(|p| identity_changed(&p.details(), details))
    }

    /// Someone else saved first: the next save builds on their version. What was typed stays;
    /// a field left as it was when the form opened takes their value instead, so saving again
    /// does not quietly undo their change to a field this desk never touched.
    pub fn stale(&mut self, info: StaleInfo, date_format: &str) {
        let theirs = draft_values(&PatientDraft::from_patient(&info.current, date_format));
        self.adopted.clear();
        for (i, field) in PatientField::ALL.into_iter().enumerate() {
            let untouched = self.inputs[i].value() == self.initial[i];
            if untouched && theirs[i] != self.initial[i] {
                self.inputs[i] = Input::new(theirs[i].clone());
                self.adopted.push(field);
            }
        }
        // "Changed" is now measured against what is stored.
        self.initial = theirs;
        self.editing = Some(Box::new(info.current.clone()));
        self.failure = Some(format!(
            "Not saved: {} changed this patient first.",
            info.changed_by
        ));
        self.popup = Some(FormPopup::Stale(Box::new(info)));
    }

    /// Put the stored version into the form, dropping what was typed (asked for with `r`).
    pub fn reload(&mut self, current: &Patient, date_format: &str) {
        *self = Self::edit(current, date_format);
    }
}

pub fn field_index(field: PatientField) -> usize {
    PatientField::ALL
        .iter()
        .position(|f| *f == field)
        .unwrap_or_default()
}

// ---- the screen's keys and answers while the form is in front -----------------------------------

impl PatientsScreen {
    pub(super) fn form_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        match &mut form.popup {
            None => match cmd {
                Cmd::NextField => form.next_field(true),
                Cmd::PreviousField => form.previous_field(true),
                Cmd::Down | Cmd::Open => form.next_field(false),
                Cmd::Up => form.previous_field(false),
                Cmd::Save => return self.submit(ctx),
                _ => return Outcome::default(),
            },
            Some(FormPopup::Duplicates {
                candidates,
                selected,
                details,
                confirm_open,
            }) => match (cmd, *confirm_open) {
                (Cmd::Down, false) => {
                    *selected = (*selected + 1).min(candidates.len().saturating_sub(1));
                }
                (Cmd::Up, false) => *selected = selected.saturating_sub(1),
                (Cmd::Open, false) => *confirm_open = true,
                (Cmd::SaveAnyway, false) => {
                    let details = (**details).clone();
                    form.popup = None;
                    return self.save(details, ctx);
                }
                (Cmd::Discard, true) => {
                    let Some(hit) = candidates.get(*selected) else {
                        return Outcome::default();
                    };
                    let view = view_of(&hit.patient);
                    self.form = None;
                    return self.open_summary(view, ctx);
                }
                (Cmd::KeepEditing, true) => *confirm_open = false,
                _ => return Outcome::default(),
            },
            Some(FormPopup::Stale(info)) => match cmd {
                Cmd::Refresh => {
                    let notice = format!(
                        "Loaded the version {} saved; edit it and save again if needed.",
                        info.changed_by
                    );
                    let current = info.current.clone();
                    form.reload(&current, ctx.date_format);
                    return Outcome::notice(notice);
                }
                Cmd::Save => {
                    form.popup = None;
                    return self.submit(ctx);
                }
                Cmd::KeepEditing => form.popup = None,
                _ => return Outcome::default(),
            },
            Some(FormPopup::Discard) => match cmd {
                Cmd::Discard => self.form = None,
                Cmd::KeepEditing => form.popup = None,
                _ => return Outcome::default(),
            },
        }
        Outcome::redraw()
    }

    /// Ctrl-S: check the fields here first, then (when the person's identity is new or changed)
    /// look for duplicates, then save.
    pub(super) fn submit(&mut self, ctx: &mut Ctx) -> Outcome {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        if form.busy.is_some() {
            return Outcome::notice("Still saving…");
        }
        form.failure = None;
        let details = match form.draft().validate(ctx.today(), ctx.date_format) {
            Ok(details) => details,
            Err(errors) => {
                if let Some(first) = errors.first() {
                    form.focus_on(first.field);
                }
                let n = errors.len();
                form.errors = errors;
                return Outcome::notice(if n == 1 {
                    "Not saved: one field needs a look.".to_string()
                } else {
                    format!("Not saved: {n} fields need a look.")
                });
            }
        };
        form.errors.clear();
        if !form.needs_duplicate_check(&details) {
            return self.save(details, ctx);
        }
        let request = ctx.request();
        form.busy = Some((request, Step::Duplicates));
        form.pending = Some(details.clone());
        Outcome::effect(Effect::Patients(Request::Duplicates {
            request,
            details: Box::new(details),
            exclude: form.editing.as_ref().map(|p| p.id),
        }))
    }

    pub(super) fn save(&mut self, details: ValidPatient, ctx: &mut Ctx) -> Outcome {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        let request = ctx.request();
        form.busy = Some((request, Step::Save));
        form.failure = None;
        let target = form
            .editing
            .as_ref()
            .map_or(SaveTarget::New, |p| SaveTarget::Existing {
                id: p.id,
                version: p.version,
            });
        Outcome::effect(Effect::Patients(Request::Save {
            request,
            target,
            details: Box::new(details),
        }))
    }

    pub(super) fn duplicates_found(
        &mut self,
        request: RequestId,
        result: Result<Vec<DuplicateCandidate>, String>,
        ctx: &mut Ctx,
    ) -> Outcome {
        let Some(form) = self
            .form
            .as_mut()
            .filter(|f| f.busy == Some((request, Step::Duplicates)))
        else {
            tracing::debug!(%request, "dropped a stale duplicate check");
            return Outcome::default();
        };
        form.busy = None;
        let Some(details) = form.pending.take() else {
            return Outcome::default();
        };
        match result {
            Ok(candidates) if candidates.is_empty() => self.save(details, ctx),
            Ok(candidates) => {
                form.popup = Some(FormPopup::Duplicates {
                    candidates,
                    selected: 0,
                    details: Box::new(details),
                    confirm_open: false,
                });
                Outcome::redraw()
            }
            Err(why) => {
                form.failure = Some(format!(
                    "Not saved: the duplicate check failed ({why}). Your input is kept; press Ctrl-S to try again."
                ));
                Outcome::redraw()
            }
        }
    }

    pub(super) fn saved(
        &mut self,
        request: RequestId,
        result: Result<Box<Patient>, SaveFailure>,
        ctx: &mut Ctx,
    ) -> Outcome {
        let Some(form) = self
            .form
            .as_mut()
            .filter(|f| f.busy == Some((request, Step::Save)))
        else {
            tracing::debug!(%request, "dropped a stale save answer");
            return Outcome::default();
        };
        form.busy = None;
        match result {
            Ok(patient) => {
                let registered = form.editing.is_none();
                self.form = None;
                self.lookup.refresh_soon(ctx.now);
                let name = title_name(&patient.family_name, &patient.given_names);
                let view = SummaryView::new(patient.id, &patient.family_name, &patient.given_names);
                let mut outcome = self.open_summary(view, ctx);
                outcome.notice = Some(if registered {
                    format!("Registered {name} as patient {}.", patient.patient_number)
                } else {
                    format!("Saved the changes to {name}.")
                });
                outcome
            }
            Err(SaveFailure::Stale(info)) => {
                form.stale(*info, ctx.date_format);
                Outcome::redraw()
            }
            Err(SaveFailure::Field(error)) => {
                form.focus_on(error.field);
                form.failure = Some(format!(
                    "Not saved: the database refused the {}.",
                    error.field.label().to_lowercase()
                ));
                form.errors = vec![error];
                Outcome::redraw()
            }
            Err(SaveFailure::Refused(why)) => {
                form.failure = Some(format!("Not saved: {why}"));
                Outcome::redraw()
            }
        }
    }
}
