//! The registration and edit form (the one form, one field per `PatientField`) and the steps of a
//! save: the duplicate check, then the save itself, with their popups.
//!
//! Nothing typed is ever thrown away by a refusal: a bad field, a likely duplicate, a stale
//! version or a lost connection all leave the inputs as they were.

use chrono::{DateTime, Utc};

use super::summary::title_name;
use super::{view_of, Cmd, PatientsScreen, Request, SaveTarget, SummaryView};
use crate::app::confirm::Confirm;
use crate::app::pending::{Pending, RequestId};
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::{self, Field, List};
use crate::domain::patient::{
    date_of_birth_warning, format_date, DuplicateCandidate, FieldError, Patient, PatientDraft,
    PatientField, ValidPatient,
};

/// The registration/edit form: the shared form with what a patient's save needs besides.
pub type Form = widgets::Form<Registration>;

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

#[derive(Debug, Clone, PartialEq)]
pub enum FormPopup {
    /// Likely duplicates of what is about to be saved; nothing saved yet.
    Duplicates {
        candidates: List<DuplicateCandidate>,
        /// What `s` (save anyway) saves.
        details: Box<ValidPatient>,
    },
    Stale(Box<StaleInfo>),
}

/// What a patient form knows besides its fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Registration {
    /// The stored version an edit started from (moved on when someone else's save is seen);
    /// `None` for a registration.
    pub editing: Option<Box<Patient>>,
    /// The duplicate check on its way, with the details it checks (what the save then saves).
    pub checking: Pending<ValidPatient>,
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

/// The words after a field that say how to type it.
fn hint(field: PatientField, date_format: &str) -> Option<String> {
    match field {
        PatientField::Sex => Some("f/m/i/u".into()),
        PatientField::DateOfBirth => {
            let local = chrono::NaiveDate::from_ymd_opt(1985, 6, 15)
                .and_then(|d| format_date(d, date_format))
                .filter(|s| s != "1985-06-15");
            Some(match local {
                Some(local) => format!("1985-06-15 or {local}"),
                None => "1985-06-15".into(),
            })
        }
        _ => None,
    }
}

fn required(field: PatientField) -> bool {
    matches!(
        field,
        PatientField::FamilyName
            | PatientField::GivenNames
            | PatientField::DateOfBirth
            | PatientField::Sex
    )
}

pub fn field_index(field: PatientField) -> usize {
    PatientField::ALL
        .iter()
        .position(|f| *f == field)
        .unwrap_or_default()
}

impl Form {
    fn from_draft(draft: &PatientDraft, editing: Option<Box<Patient>>, date_format: &str) -> Self {
        let fields = PatientField::ALL
            .into_iter()
            .map(|f| {
                Field::text(f.label(), draft_field(draft, f).clone())
                    .with_hint(hint(f, date_format))
                    .required(required(f))
            })
            .collect();
        let title = match &editing {
            Some(p) => format!(
                "Edit {}, {} · patient {}",
                p.family_name.to_uppercase(),
                p.given_names,
                p.patient_number
            ),
            None => "New patient".to_string(),
        };
        let kind = Registration {
            editing,
            ..Registration::default()
        };
        widgets::Form::new(title, kind, fields, 0)
    }

    /// A registration, with whatever the lookup already knew (a name, a date of birth, a phone, an
    /// email). What was carried over is still in the lookup box, so it counts as the form's starting
    /// point: Esc on a form nobody has typed into closes it at once.
    pub fn register(prefill: PatientDraft, date_format: &str) -> Self {
        let mut form = Self::from_draft(&PatientDraft::default(), None, date_format);
        for (i, value) in draft_values(&prefill).into_iter().enumerate() {
            if !value.is_empty() {
                form.set_text(i, value);
            }
        }
        let opened = (0..PatientField::ALL.len())
            .map(|i| form.value(i).to_owned())
            .collect();
        form.rebase(opened);
        form
    }

    pub fn edit_of(patient: &Patient, date_format: &str) -> Self {
        Self::from_draft(
            &PatientDraft::from_patient(patient, date_format),
            Some(Box::new(patient.clone())),
            date_format,
        )
    }

    /// The field with the focus.
    pub fn field(&self) -> PatientField {
        PatientField::ALL[self.focus.min(PatientField::ALL.len() - 1)]
    }

    /// The note under the date of birth, for one that is allowed but unusual.
    pub fn check_date_of_birth(&mut self, today: chrono::NaiveDate, date_format: &str) {
        let i = field_index(PatientField::DateOfBirth);
        let warning = date_of_birth_warning(self.value(i), today, date_format);
        if let Some(f) = self.fields.get_mut(i) {
            f.warning = warning;
        }
    }

    /// What `field` holds now.
    pub fn text(&self, field: PatientField) -> &str {
        self.value(field_index(field))
    }

    /// The message under `field`, if any.
    pub fn error_of(&self, field: PatientField) -> Option<&str> {
        self.fields
            .get(field_index(field))
            .and_then(|f| f.error.as_deref())
    }

    pub fn focus_on(&mut self, field: PatientField) {
        self.focus = field_index(field);
    }

    /// Something is out: the duplicate check or the save.
    pub fn busy(&self) -> bool {
        self.saving.in_flight() || self.kind.checking.in_flight()
    }

    pub fn draft(&self) -> PatientDraft {
        let mut draft = PatientDraft::default();
        for (i, field) in PatientField::ALL.into_iter().enumerate() {
            *draft_field_mut(&mut draft, field) = self.value(i).to_string();
        }
        draft
    }

    /// Whether saving `details` needs the duplicate check first: always for a registration; for
    /// an edit only when a name, the date of birth, the phone or the email changes.
    pub fn needs_duplicate_check(&self, details: &ValidPatient) -> bool {
        self.kind
            .editing
            .as_ref()
            .is_none_or(|p| identity_changed(&p.details(), details))
    }

    /// Someone else saved first: the next save builds on their version. What was typed stays;
    /// a field left as it was when the form opened takes their value instead, so saving again
    /// does not quietly undo their change to a field this desk never touched.
    pub fn stale(&mut self, info: StaleInfo, date_format: &str) {
        let theirs = draft_values(&PatientDraft::from_patient(&info.current, date_format));
        self.kind.adopted.clear();
        for (i, field) in PatientField::ALL.into_iter().enumerate() {
            if self.untouched(i) && theirs[i] != self.initial(i) {
                self.set_text(i, theirs[i].clone());
                self.kind.adopted.push(field);
            }
        }
        // "Changed" is now measured against what is stored.
        self.rebase(theirs);
        self.kind.editing = Some(Box::new(info.current.clone()));
        self.error = Some(format!(
            "Not saved: {} changed this patient first.",
            info.changed_by
        ));
        self.kind.popup = Some(FormPopup::Stale(Box::new(info)));
    }

    /// Put the stored version into the form, dropping what was typed (asked for with `r`).
    pub fn reload(&mut self, current: &Patient, date_format: &str) {
        *self = Self::edit_of(current, date_format);
    }
}

// ---- the screen's keys and answers while the form is in front -----------------------------------

impl PatientsScreen {
    pub(super) fn form_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        match &mut form.kind.popup {
            None => match cmd {
                Cmd::NextField => form.next_field(true, true),
                Cmd::PreviousField => form.next_field(false, true),
                Cmd::Down | Cmd::Open => form.next_field(true, false),
                Cmd::Up => form.next_field(false, false),
                Cmd::Save => return self.submit(ctx),
                Cmd::Discard => self.form = None,
                _ => return Outcome::default(),
            },
            Some(FormPopup::Duplicates {
                candidates,
                details,
            }) => match cmd {
                Cmd::Down => candidates.move_by(1),
                Cmd::Up => candidates.move_by(-1),
                Cmd::Open => {
                    let Some(c) = candidates.selected_item() else {
                        return Outcome::default();
                    };
                    let question = format!(
                        "Open {}, {} (patient {}) instead? The form and everything typed in it will be discarded.",
                        c.patient.family_name.to_uppercase(),
                        c.patient.given_names,
                        c.patient.patient_number
                    );
                    return Outcome::confirm(Confirm::new(
                        "Open the existing patient?",
                        question,
                        "Open it",
                        "Keep editing",
                        Cmd::OpenInstead,
                    ));
                }
                Cmd::OpenInstead => {
                    let Some(hit) = candidates.selected_item() else {
                        return Outcome::default();
                    };
                    let view = view_of(&hit.patient);
                    self.form = None;
                    return self.open_summary(view, ctx);
                }
                Cmd::SaveAnyway => {
                    let details = (**details).clone();
                    form.kind.popup = None;
                    return self.save(details, ctx);
                }
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
                    form.kind.popup = None;
                    return self.submit(ctx);
                }
                Cmd::KeepEditing => form.kind.popup = None,
                _ => return Outcome::default(),
            },
        }
        Outcome::redraw()
    }

    /// Ctrl-S: check the fields here first, then (when the person's identity is new or changed)
    /// look for duplicates, then save.
    pub(super) fn submit(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        if form.busy() {
            return Outcome::notice("Still saving…");
        }
        form.clear_errors();
        let details = match form.draft().validate(ctx.today(), ctx.date_format) {
            Ok(details) => details,
            Err(errors) => {
                if let Some(first) = errors.first() {
                    form.focus_on(first.field);
                }
                let n = errors.len();
                for e in errors {
                    form.set_error(field_index(e.field), e.message);
                }
                return Outcome::notice(if n == 1 {
                    "Not saved: one field needs a look.".to_string()
                } else {
                    format!("Not saved: {n} fields need a look.")
                });
            }
        };
        if !form.needs_duplicate_check(&details) {
            return self.save(details, ctx);
        }
        let exclude = form.kind.editing.as_ref().map(|p| p.id);
        let request = ctx.start(&mut form.kind.checking, details.clone());
        Outcome::request(Request::Duplicates {
            request,
            details: Box::new(details),
            exclude,
        })
    }

    pub(super) fn save(&mut self, details: ValidPatient, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        form.error = None;
        let target = form
            .kind
            .editing
            .as_ref()
            .map_or(SaveTarget::New, |p| SaveTarget::Existing {
                id: p.id,
                version: p.version,
            });
        let request = ctx.start(&mut form.saving, ());
        Outcome::request(Request::Save {
            request,
            target,
            details: Box::new(details),
        })
    }

    pub(super) fn duplicates_found(
        &mut self,
        request: RequestId,
        result: Result<Vec<DuplicateCandidate>, String>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let Some(form) = self.form.as_mut() else {
            return Outcome::default();
        };
        let Some(details) = form.kind.checking.finish(request) else {
            return Outcome::default();
        };
        match result {
            Ok(candidates) if candidates.is_empty() => self.save(details, ctx),
            Ok(candidates) => {
                form.kind.popup = Some(FormPopup::Duplicates {
                    candidates: List::new(candidates),
                    details: Box::new(details),
                });
                Outcome::redraw()
            }
            Err(why) => {
                form.error = Some(format!(
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
    ) -> Outcome<Self> {
        let Some(form) = self.form.as_mut() else {
            return Outcome::default();
        };
        if form.saving.finish(request).is_none() {
            return Outcome::default();
        }
        match result {
            Ok(patient) => {
                let registered = form.kind.editing.is_none();
                self.form = None;
                self.lookup.picker.refresh_soon(ctx.now);
                let name = title_name(&patient.family_name, &patient.given_names);
                let view = SummaryView::new(patient.id, &patient.family_name, &patient.given_names);
                self.open_summary(view, ctx).with_notice(if registered {
                    format!("Registered {name} as patient {}.", patient.patient_number)
                } else {
                    format!("Saved the changes to {name}.")
                })
            }
            Err(SaveFailure::Stale(info)) => {
                form.stale(*info, ctx.date_format);
                Outcome::redraw()
            }
            Err(SaveFailure::Field(error)) => {
                form.focus_on(error.field);
                form.error = Some(format!(
                    "Not saved: the database refused the {}.",
                    error.field.label().to_lowercase()
                ));
                form.set_error(field_index(error.field), error.message);
                Outcome::redraw()
            }
            Err(SaveFailure::Refused(why)) => {
                form.error = Some(format!("Not saved: {why}"));
                Outcome::redraw()
            }
        }
    }
}
