//! The Records screen's own popups, over the day or a chart: finding any patient (a walk-in, or a
//! chart outside today's list), break-the-glass with its reason, and amending a signed record.

use tui_input::Input;

use super::PatientLine;
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
