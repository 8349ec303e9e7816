//! The Records screen's own popups, over the day or a chart: finding any patient (a walk-in, or a
//! chart outside today's list), break-the-glass with its reason, and amending a signed record.

use tui_input::Input;

use super::{Cmd, PatientLine, RecordsScreen, Request};
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::app::widgets::PatientPicker;
use crate::domain::record::Chart;

/// Most patients the finder lists.
pub const FIND_LIMIT: i64 = 12;

#[derive(Debug)]
pub enum ScreenPopup {
    /// Find a patient with the desk's lookup; Enter opens their chart.
    Find(Box<PatientPicker>),
    /// Emergency access to `patient`'s chart: why, in a sentence.
    BreakGlass {
        patient: PatientLine,
        reason: Input,
        error: Option<String>,
    },
    /// Which signed record, a one-line summary of the correction, and its text.
    Amend {
        form: Box<Form<()>>,
        /// The signed records offered, in the order of the Record field's choices.
        records: Vec<i64>,
    },
}

/// Whether a stated reason is a sentence, as clinic.break_glass wants it (at least three words
/// and fifteen characters): the message at the field, or None.
pub fn reason_problem(reason: &str) -> Option<&'static str> {
    let r = reason.trim();
    (r.chars().count() < 15 || r.split_whitespace().count() < 3)
        .then_some("say why in a sentence (at least three words), e.g. \"Unconscious, brought in by ambulance\"")
}

impl ScreenPopup {
    /// The amendment form over the signed records of `chart` (newest first), or None when there
    /// is none to amend.
    pub fn amend(chart: &Chart, tz: chrono_tz::Tz) -> Option<Self> {
        let signed: Vec<_> = chart
            .records
            .iter()
            .rev()
            .filter(|r| r.is_signed() && r.amends_id.is_none())
            .collect();
        if signed.is_empty() {
            return None;
        }
        let choices = signed
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.recorded_at.with_timezone(&tz).format("%Y-%m-%d"),
                    r.summary
                )
            })
            .collect();
        let fields = vec![
            Field::choice("Record", choices, 0),
            Field::text("Summary", "").required(true),
            Field::text("Correction", "").required(true),
        ];
        Some(ScreenPopup::Amend {
            form: Box::new(Form::new("Amendment", (), fields, 1)),
            records: signed.iter().map(|r| r.id).collect(),
        })
    }
}

impl RecordsScreen {
    /// A key while one of the screen's own popups is open.
    pub(super) fn popup_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
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
}
