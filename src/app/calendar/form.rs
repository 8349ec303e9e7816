//! The calendar's small forms: one column of labelled fields, each keeping what was typed and
//! showing its own message under it (screens.md, "Forms"). The booking form adds the patient
//! lookup on its first field.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use tui_input::{Input, InputRequest};

use super::super::action::RequestId;
use crate::db::availability::Stored;
use crate::db::patients::PatientHit;
use crate::domain::appointment::CalendarEntry;
use crate::domain::patient::parse_date;

/// One labelled field: free text, or a choice among fixed values (cycled with the arrows).
#[derive(Debug, Clone)]
pub struct Field {
    pub label: &'static str,
    pub input: Input,
    /// Non-empty for a choice field; `choice` indexes it.
    pub choices: Vec<String>,
    pub choice: usize,
    /// Why the value was refused, shown under the field.
    pub error: Option<String>,
}

impl Field {
    pub fn text(label: &'static str, value: impl Into<String>) -> Self {
        Self {
            label,
            input: Input::new(value.into()),
            choices: Vec::new(),
            choice: 0,
            error: None,
        }
    }

    pub fn choice(label: &'static str, choices: Vec<String>, choice: usize) -> Self {
        Self {
            label,
            input: Input::default(),
            choice: choice.min(choices.len().saturating_sub(1)),
            choices,
            error: None,
        }
    }

    pub fn is_choice(&self) -> bool {
        !self.choices.is_empty()
    }

    pub fn value(&self) -> &str {
        match self.choices.get(self.choice) {
            Some(c) if self.is_choice() => c,
            _ => self.input.value(),
        }
    }
}

/// What a form is for, and what it needs to know besides its fields.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    /// Fields: patient, doctor, date, time, minutes, reason.
    Book(Box<Booking>),
    /// Fields: reason.
    Cancel { entry: CalendarEntry },
    /// Fields: date.
    GoTo,
    /// Fields: day, from, to, slot minutes. `existing` is the row being changed (id, version).
    Hours {
        doctor_id: i64,
        existing: Option<(i64, i32)>,
    },
    /// Fields: kind, from date, from time, to date, to time, note.
    TimeOff { doctor_id: i64 },
}

/// The booking form's patient lookup and choices.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Booking {
    /// The doctors offered, as (id, "Dr ..."), in the doctor field's order.
    pub doctors: Vec<(i64, String)>,
    /// The patient picked (id, "Family, Given"); typing in the field drops it.
    pub patient: Option<(i64, String)>,
    pub hits: Vec<PatientHit>,
    pub hit: usize,
    /// The lookup to send once typing pauses.
    pub search_due: Option<DateTime<Utc>>,
    pub search: Option<RequestId>,
    /// The last refusal was blocked time or outside hours: the next save squeezes the patient in.
    pub squeeze_offered: bool,
}

pub const PATIENT: usize = 0;
pub const DOCTOR: usize = 1;
pub const DATE: usize = 2;
pub const TIME: usize = 3;
pub const MINUTES: usize = 4;
pub const REASON: usize = 5;

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A message about the whole form (a refusal that names no field).
    pub error: Option<String>,
    /// The save on its way.
    pub saving: Option<RequestId>,
    /// Esc was pressed once on a form with typed input: the next Esc throws it away.
    pub discard_armed: bool,
    /// Something was typed since the form opened.
    pub touched: bool,
}

impl Form {
    pub fn new(title: impl Into<String>, kind: FormKind, fields: Vec<Field>, focus: usize) -> Self {
        Self {
            title: title.into(),
            kind,
            focus: focus.min(fields.len().saturating_sub(1)),
            fields,
            error: None,
            saving: None,
            discard_armed: false,
            touched: false,
        }
    }

    pub fn booking(&self) -> Option<&Booking> {
        match &self.kind {
            FormKind::Book(b) => Some(b),
            _ => None,
        }
    }

    pub fn booking_mut(&mut self) -> Option<&mut Booking> {
        match &mut self.kind {
            FormKind::Book(b) => Some(b),
            _ => None,
        }
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// Whether typing goes into the focused field.
    pub fn text_focused(&self) -> bool {
        self.focused().is_some_and(|f| !f.is_choice())
    }

    pub fn next_field(&mut self, forward: bool) {
        let n = self.fields.len().max(1);
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    /// Typing in the focused field. Returns whether the patient lookup's text changed.
    pub fn edit(&mut self, request: InputRequest) -> bool {
        let focus = self.focus;
        let Some(field) = self.fields.get_mut(focus) else {
            return false;
        };
        if field.is_choice() || field.input.handle(request).is_none() {
            return false;
        }
        field.error = None;
        self.error = None;
        self.touched = true;
        self.discard_armed = false;
        let patient_field = focus == PATIENT;
        if let Some(b) = self.booking_mut() {
            b.squeeze_offered = false;
            if patient_field {
                b.patient = None;
                return true;
            }
        }
        false
    }

    /// Up/Down: the next result in the patient lookup, or the next value of a choice field.
    pub fn step(&mut self, down: bool) {
        let focus = self.focus;
        if focus == PATIENT {
            if let Some(b) = self.booking_mut() {
                if !b.hits.is_empty() {
                    let last = b.hits.len() - 1;
                    b.hit = if down {
                        (b.hit + 1).min(last)
                    } else {
                        b.hit.saturating_sub(1)
                    };
                    return;
                }
            }
        }
        if let Some(field) = self.fields.get_mut(focus) {
            if field.is_choice() {
                let n = field.choices.len();
                field.choice = if down {
                    (field.choice + 1) % n
                } else {
                    (field.choice + n - 1) % n
                };
                field.error = None;
                self.touched = true;
            }
        }
    }

    /// Pick the highlighted lookup result as the patient. Returns false when there is none.
    pub fn pick_patient(&mut self) -> bool {
        let Some(b) = self.booking_mut() else {
            return false;
        };
        let Some(hit) = b.hits.get(b.hit) else {
            return false;
        };
        let name = format!("{}, {}", hit.family_name, hit.given_names);
        b.patient = Some((hit.id, name.clone()));
        b.hits.clear();
        b.hit = 0;
        b.search_due = None;
        b.search = None;
        if let Some(f) = self.fields.get_mut(PATIENT) {
            f.input = Input::new(name);
            f.error = None;
        }
        self.touched = true;
        true
    }

    pub fn set_error(&mut self, field: usize, message: impl Into<String>) {
        if let Some(f) = self.fields.get_mut(field) {
            f.error = Some(message.into());
        }
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
    }

    pub fn has_errors(&self) -> bool {
        self.error.is_some() || self.fields.iter().any(|f| f.error.is_some())
    }

    /// Leave the focus on the first field with a message, so the person lands where to fix it.
    pub fn focus_first_error(&mut self) {
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
    }

    pub fn value(&self, field: usize) -> &str {
        self.fields.get(field).map_or("", Field::value)
    }
}

/// A wall-clock time as typed at a desk: "10:30", "1030", "10.30", "9:5" is not one.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    ["%H:%M", "%H.%M", "%H%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(s, f).ok())
        .or_else(|| {
            // A bare hour: "9" or "14".
            s.parse::<u32>()
                .ok()
                .and_then(|h| NaiveTime::from_hms_opt(h, 0, 0))
        })
}

/// A date as typed: ISO, the clinic's own format, or a number of days from `today` ("+7", "-1").
pub fn parse_day(s: &str, today: NaiveDate, local_format: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Some(days) = s
        .strip_prefix('+')
        .or_else(|| s.starts_with('-').then_some(s))
        .and_then(|n| n.parse::<i64>().ok())
    {
        return today.checked_add_signed(chrono::Duration::days(days));
    }
    if s.eq_ignore_ascii_case("today") {
        return Some(today);
    }
    parse_date(s, local_format)
}

/// The rows of a doctor's availability panel, as the form fields show them.
pub fn weekday_names() -> Vec<String> {
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    .iter()
    .map(ToString::to_string)
    .collect()
}

/// The id and version a change to a stored row names.
pub fn key_of<T>(s: &Stored<T>) -> (i64, i32) {
    (s.id, s.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_days_as_typed_at_a_desk() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(parse_time("10:30"), t(10, 30));
        assert_eq!(parse_time("1030"), t(10, 30));
        assert_eq!(parse_time(" 9 "), t(9, 0));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("soon"), None);
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert_eq!(
            parse_day("+7", today, "%d/%m/%Y"),
            NaiveDate::from_ymd_opt(2026, 12, 8)
        );
        assert_eq!(
            parse_day("-1", today, "%d/%m/%Y"),
            NaiveDate::from_ymd_opt(2026, 11, 30)
        );
        assert_eq!(
            parse_day("24/12/2026", today, "%d/%m/%Y"),
            NaiveDate::from_ymd_opt(2026, 12, 24)
        );
        assert_eq!(
            parse_day("2026-12-24", today, "%d/%m/%Y"),
            NaiveDate::from_ymd_opt(2026, 12, 24)
        );
        assert_eq!(parse_day("someday", today, "%d/%m/%Y"), None);
    }
}
