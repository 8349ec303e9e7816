//! The encounter being written: the SOAP note in four multi-line editors, the vitals, and the
//! diagnoses and prescriptions added to it, with the allergies in view. The note and vitals are
//! saved as the doctor types (a couple of seconds after the last change, at the version last
//! saved); nothing typed leaves the screen until the database has it.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use ratatui_textarea::{TextArea, WrapMode};
use tui_input::{Input, InputRequest};

use crate::app::action::{Secret, TextInput};
use crate::app::pending::Pending;
use crate::app::widgets::form::{Field, Form};
use crate::app::widgets::List;
use crate::domain::diagnosis::Icd10Code;
use crate::domain::record::{
    drug_matches_allergy, Allergy, Chart, Diagnosis, EncounterNote, NewPrescription, Prescription,
    Severity, VitalField, VitalsInput, VitalsProblem, VitalsValues,
};

/// How long after the last change the draft is saved.
pub const AUTOSAVE_AFTER: TimeDelta = TimeDelta::seconds(2);
/// How long before a failed save is tried again (the connection may be back by then).
pub const RETRY_AFTER: TimeDelta = TimeDelta::seconds(5);

/// Where the cursor is, top to bottom as the form shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Subjective,
    Objective,
    Vitals(VitalField),
    Assessment,
    Diagnoses,
    Plan,
    Prescriptions,
}

impl Section {
    const ORDER: [Section; 14] = [
        Section::Subjective,
        Section::Objective,
        Section::Vitals(VitalField::Systolic),
        Section::Vitals(VitalField::Diastolic),
        Section::Vitals(VitalField::Pulse),
        Section::Vitals(VitalField::Temperature),
        Section::Vitals(VitalField::Respiratory),
        Section::Vitals(VitalField::Spo2),
        Section::Vitals(VitalField::Weight),
        Section::Vitals(VitalField::Height),
        Section::Assessment,
        Section::Diagnoses,
        Section::Plan,
        Section::Prescriptions,
    ];

    /// The note editor this section is (S, O, A, P), by index.
    pub fn note(self) -> Option<usize> {
        match self {
            Section::Subjective => Some(0),
            Section::Objective => Some(1),
            Section::Assessment => Some(2),
            Section::Plan => Some(3),
            _ => None,
        }
    }
}

/// What a save sends: the note and the vitals as they were when it left.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub note: EncounterNote,
    pub vitals: VitalsInput,
}

/// A popup over the form.
#[derive(Debug)]
pub enum Popup {
    /// Finding an ICD-10-CM code: what is typed, the codes found.
    Diagnosis {
        input: Input,
        found: List<Icd10Code>,
        /// When the typed text is due to be searched.
        due: Option<DateTime<Utc>>,
        searching: Pending<String>,
        error: Option<String>,
    },
    Prescription(Box<Form<()>>),
    /// Substance, reaction, severity.
    Allergy(Box<Form<()>>),
    /// The password again, to sign.
    Sign {
        input: Input,
        error: Option<String>,
    },
}

/// Fields of the prescription popup, in order.
pub const RX_FIELDS: [&str; 10] = [
    "Drug",
    "Strength",
    "Form",
    "Dose",
    "Route",
    "Frequency",
    "Days",
    "Quantity",
    "Refills",
    "Instructions",
];

#[derive(Debug)]
pub struct EncounterForm {
    pub record_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub patient_number: Option<i64>,
    pub date_of_birth: Option<NaiveDate>,
    pub appointment_id: Option<i64>,
    pub version: i32,
    pub summary: String,
    pub notes: [TextArea<'static>; 4],
    pub vitals: [Input; 8],
    pub problems: Vec<(VitalField, VitalsProblem)>,
    pub focus: Section,
    pub diagnoses: List<Diagnosis>,
    pub prescriptions: List<Prescription>,
    pub allergies: Vec<Allergy>,
    /// What the database holds.
    pub saved: Snapshot,
    /// The last change not yet saved.
    pub changed_at: Option<DateTime<Utc>>,
    pub saving: Pending<Snapshot>,
    pub saved_at: Option<DateTime<Utc>>,
    pub save_error: Option<String>,
    /// A failed save is tried again at this instant.
    pub retry_at: Option<DateTime<Utc>>,
    /// Esc was pressed: close once what is typed is saved.
    pub closing: bool,
    pub popup: Option<Popup>,
    /// A diagnosis or prescription on its way (added or removed).
    pub part: Pending<String>,
    pub signing: Pending,
}

fn editor(text: Option<&str>, placeholder: &str) -> TextArea<'static> {
    let lines: Vec<String> = text
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    let mut t = TextArea::new(lines);
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.set_placeholder_text(placeholder);
    t.set_max_histories(200);
    t
}

impl EncounterForm {
    /// The form over record `record_id` of `chart` (the doctor's own draft).
    pub fn open(chart: &Chart, record_id: i64, patient: PatientLine) -> Option<Self> {
        let r = chart.record(record_id)?;
        let mut vitals_typed = VitalsInput::default();
        if let Some(v) = chart.vitals_of(record_id) {
            let n = |x: Option<i16>| x.map(|x| x.to_string()).unwrap_or_default();
            let d = |x: Option<rust_decimal::Decimal>| x.map(|x| x.to_string()).unwrap_or_default();
            vitals_typed = VitalsInput {
                systolic: n(v.systolic_mmhg),
                diastolic: n(v.diastolic_mmhg),
                pulse: n(v.pulse_per_min),
                temperature: d(v.temperature_c),
                respiratory: n(v.respiratory_per_min),
                spo2: n(v.spo2_pct),
                weight: d(v.weight_kg),
                height: d(v.height_cm),
            };
        }
        let vitals = VitalField::ALL.map(|f| Input::new(vitals_typed.get(f).to_string()));
        let mut form = Self {
            record_id,
            patient_id: patient.patient_id,
            patient_name: patient.name,
            patient_number: patient.number,
            date_of_birth: patient.date_of_birth,
            appointment_id: r.appointment_id,
            version: r.version,
            summary: r.summary.clone(),
            notes: [
                editor(r.subjective.as_deref(), "What the patient says"),
                editor(r.objective.as_deref(), "What you find"),
                editor(r.assessment.as_deref(), "What you think it is"),
                editor(r.plan.as_deref(), "What happens next"),
            ],
            vitals,
            problems: Vec::new(),
            focus: Section::Subjective,
            diagnoses: List::new(chart.diagnoses_of(record_id).cloned().collect()),
            prescriptions: List::new(chart.prescriptions_of(record_id).cloned().collect()),
            allergies: chart.open_allergies().cloned().collect(),
            saved: Snapshot::default(),
            changed_at: None,
            saving: Pending::default(),
            saved_at: None,
            save_error: None,
            retry_at: None,
            closing: false,
            popup: None,
            part: Pending::default(),
            signing: Pending::default(),
        };
        form.saved = form.snapshot();
        form.problems = form.vitals_input().check().1;
        Some(form)
    }

    pub fn note_text(&self, i: usize) -> String {
        self.notes[i].lines().join("\n")
    }

    pub fn vitals_input(&self) -> VitalsInput {
        let mut v = VitalsInput::default();
        for (i, f) in VitalField::ALL.into_iter().enumerate() {
            v.set(f, self.vitals[i].value().to_string());
        }
        v
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            note: EncounterNote {
                summary: self.summary.clone(),
                subjective: self.note_text(0),
                objective: self.note_text(1),
                assessment: self.note_text(2),
                plan: self.note_text(3),
            },
            vitals: self.vitals_input(),
        }
    }

    /// Typed and not yet in the database.
    pub fn dirty(&self) -> bool {
        self.snapshot() != self.saved
    }

    /// A note section has the cursor (and no popup covers it).
    pub fn in_note(&self) -> bool {
        self.popup.is_none() && self.focus.note().is_some()
    }

    pub fn move_focus(&mut self, forward: bool) {
        let i = Section::ORDER
            .iter()
            .position(|s| *s == self.focus)
            .unwrap_or(0);
        let n = Section::ORDER.len();
        self.focus = Section::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    /// A key for the note in front; whether its text changed.
    pub fn edit_note(&mut self, input: TextInput, now: DateTime<Utc>) -> bool {
        let Some(i) = self.focus.note() else {
            return false;
        };
        // Ctrl-Z undoes as everywhere else (the editor's own is Ctrl-U); Ctrl-Y redoes.
        let changed = match input {
            TextInput {
                key: ratatui_textarea::Key::Char('z'),
                ctrl: true,
                alt: false,
                ..
            } => self.notes[i].undo(),
            TextInput {
                key: ratatui_textarea::Key::Char('y'),
                ctrl: true,
                alt: false,
                ..
            } => self.notes[i].redo(),
            other => self.notes[i].input(other),
        };
        if changed {
            self.touched(now);
        }
        true
    }

    /// Typing in a vitals field; whether anything changed.
    pub fn edit_vitals(&mut self, request: InputRequest, now: DateTime<Utc>) -> bool {
        let Section::Vitals(f) = self.focus else {
            return false;
        };
        let i = VitalField::ALL.iter().position(|x| *x == f).unwrap_or(0);
        let before = self.vitals[i].value().to_string();
        self.vitals[i].handle(request);
        if self.vitals[i].value() != before {
            self.problems = self.vitals_input().check().1;
            self.touched(now);
        }
        true
    }

    fn touched(&mut self, now: DateTime<Utc>) {
        self.changed_at = Some(now);
        self.retry_at = None;
    }

    /// What a save would leave in the database, and the vitals it sends: the note as typed, and
    /// the vitals when they changed and have no error at a field (with one, the note still goes
    /// and the message stays under the field). None when that is what the database holds.
    pub fn savable(&self) -> Option<(Snapshot, Option<VitalsValues>)> {
        let mut snap = self.snapshot();
        let vitals = if snap.vitals == self.saved.vitals {
            None
        } else {
            self.vitals_input().check().0
        };
        if vitals.is_none() {
            snap.vitals = self.saved.vitals.clone();
        }
        (snap != self.saved).then_some((snap, vitals))
    }

    /// The save to send now, when there is something to save and nothing on its way.
    pub fn due_save(&self) -> Option<(Snapshot, Option<VitalsValues>)> {
        if self.saving.in_flight() {
            return None;
        }
        self.savable()
    }

    /// Vitals typed with an error at a field: they cannot be saved until fixed or cleared.
    pub fn vitals_blocked(&self) -> bool {
        self.snapshot().vitals != self.saved.vitals && self.vitals_input().check().0.is_none()
    }

    /// When the next save is due: a couple of seconds after the last change, or the retry.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.due_save()?;
        match (self.retry_at, self.changed_at) {
            (Some(r), _) => Some(r),
            (None, Some(c)) => Some(c + AUTOSAVE_AFTER),
            (None, None) => None,
        }
    }

    /// The save answered: the database now holds `sent` at `version`.
    pub fn saved_ok(&mut self, sent: Snapshot, version: i32, now: DateTime<Utc>) {
        self.version = version;
        self.saved = sent;
        self.saved_at = Some(now);
        self.save_error = None;
        self.retry_at = None;
    }

    pub fn save_failed(&mut self, error: String, now: DateTime<Utc>) {
        self.save_error = Some(error);
        self.retry_at = Some(now + RETRY_AFTER);
        self.closing = false;
    }

    /// The allergies a drug's name matches.
    pub fn allergies_matching(&self, drug: &str) -> Vec<&Allergy> {
        self.allergies
            .iter()
            .filter(|a| drug_matches_allergy(drug, &a.substance))
            .collect()
    }

    pub fn open_prescription(&mut self) {
        let fields = RX_FIELDS.iter().map(|l| Field::text(l, "")).collect();
        let mut form = Form::new("Prescription", (), fields, 0);
        form.fields[0] = form.fields[0].clone().required(true);
        self.popup = Some(Popup::Prescription(Box::new(form)));
    }

    /// The prescription typed in the popup, or the message for the field that is wrong.
    pub fn typed_prescription(form: &mut Form<()>) -> Option<NewPrescription> {
        form.clear_errors();
        let number = |form: &mut Form<()>, i: usize, max: i32| -> Option<Option<i32>> {
            let t = form.value(i).trim().to_string();
            if t.is_empty() {
                return Some(None);
            }
            match t.parse::<i32>() {
                Ok(n) if (0..=max).contains(&n) => Some(Some(n)),
                _ => {
                    form.set_error(i, format!("a whole number, 0 to {max}"));
                    None
                }
            }
        };
        if form.value(0).trim().is_empty() {
            form.set_error(0, "name the drug");
        }
        let days = number(form, 6, 3650);
        let quantity = number(form, 7, 100_000);
        let refills = number(form, 8, 12);
        if form.has_errors() {
            form.focus_first_error();
            return None;
        }
        Some(NewPrescription {
            drug: form.value(0).trim().to_string(),
            strength: form.value(1).to_string(),
            form: form.value(2).to_string(),
            dose: form.value(3).to_string(),
            route: form.value(4).to_string(),
            frequency: form.value(5).to_string(),
            duration_days: days.flatten().filter(|d| *d > 0),
            quantity: quantity.flatten().filter(|q| *q > 0),
            refills: refills.flatten().unwrap_or(0),
            instructions: form.value(9).to_string(),
        })
    }

    /// The warning beside the drug field: the allergies its name matches.
    pub fn refresh_rx_warning(&mut self) {
        let Some(Popup::Prescription(form)) = &self.popup else {
            return;
        };
        let drug = form.value(0).to_string();
        let warning = {
            let hits = self.allergies_matching(&drug);
            (!hits.is_empty()).then(|| {
                format!(
                    "ALLERGY: {}",
                    hits.iter()
                        .map(|a| a.label())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })
        };
        if let Some(Popup::Prescription(form)) = &mut self.popup {
            form.fields[0].warning = warning;
        }
    }

    pub fn open_allergy(&mut self) {
        let severities = Severity::ALL
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        let fields = vec![
            Field::text("Substance", "").required(true),
            Field::text("Reaction", ""),
            Field::choice("Severity", severities, 3),
        ];
        self.popup = Some(Popup::Allergy(Box::new(Form::new(
            "Allergy",
            (),
            fields,
            0,
        ))));
    }

    /// The allergy typed in the popup: substance, reaction, severity; or the field's message.
    pub fn typed_allergy(form: &mut Form<()>) -> Option<(String, Option<String>, Severity)> {
        form.clear_errors();
        let substance = form.value(0).trim().to_string();
        if substance.is_empty() {
            form.set_error(0, "name the substance (a drug, a food, latex, ...)");
            form.focus_first_error();
            return None;
        }
        let reaction = Some(form.value(1).trim().to_string()).filter(|r| !r.is_empty());
        let severity = Severity::ALL
            .get(form.fields[2].chosen())
            .copied()
            .unwrap_or(Severity::Unknown);
        Some((substance, reaction, severity))
    }

    pub fn open_sign(&mut self) {
        self.popup = Some(Popup::Sign {
            input: Input::default(),
            error: None,
        });
    }

    /// The password typed into the sign popup, taken out of the field.
    pub fn take_password(&mut self) -> Option<Secret> {
        match &mut self.popup {
            Some(Popup::Sign { input, .. }) => {
                let secret = Secret::new(input.value());
                *input = Input::default();
                Some(secret)
            }
            _ => None,
        }
    }
}

/// Who the encounter is about, as the form's header names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientLine {
    pub patient_id: i64,
    pub name: String,
    pub number: Option<i64>,
    pub date_of_birth: Option<NaiveDate>,
}
