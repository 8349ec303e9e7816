//! The calendar's forms: the one form (`widgets::Form`) with what each calendar form is for, the
//! booking form's fields, and how times and dates are typed at a desk.

use chrono::{NaiveDate, NaiveTime};

use crate::app::widgets;
use crate::domain::appointment::CalendarEntry;
use crate::domain::patient::parse_date;

/// A calendar form: booking, cancelling, going to a date, working hours, time off.
pub type Form = widgets::Form<FormKind>;

/// What a form is for, and what it needs to know besides its fields.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    /// Fields: patient (the picker), doctor, date, time, minutes, reason.
    Book(Box<Booking>),
    /// Fields: reason.
    Cancel { entry: CalendarEntry },
    /// Fields: reason. Back to scheduled: a check-in by mistake, a no-show marked too soon.
    TakeBack { entry: CalendarEntry },
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

/// What the booking form knows besides its fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Booking {
    /// The doctors offered, as (id, "Dr ..."), in the doctor field's order.
    pub doctors: Vec<(i64, String)>,
    /// The last refusal was blocked time or outside hours: the next save squeezes the patient in.
    pub squeeze_offered: bool,
    /// The last refusal was the patient's other appointment then: the next save books anyway.
    pub overlap_offered: bool,
    /// The doctor a found slot is with, for when the doctor choices arrive after it.
    pub wanted_doctor: Option<i64>,
}

pub const PATIENT: usize = 0;
pub const DOCTOR: usize = 1;
pub const DATE: usize = 2;
pub const TIME: usize = 3;
pub const MINUTES: usize = 4;
pub const REASON: usize = 5;
/// Coming up, or a visit that happened (booked afterwards, deliberately).
pub const VISIT: usize = 6;
/// The choices of the visit field, in order.
pub const VISITS: [&str; 2] = ["coming up", "record a past visit"];

impl Form {
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

    /// The patient picked in a booking form (id, "Family, Given").
    pub fn patient(&self) -> Option<&(i64, String)> {
        self.booking()?;
        self.picker(PATIENT)?.picked.as_ref()
    }

    /// The doctor chosen in a booking form.
    pub fn doctor(&self) -> Option<i64> {
        let b = self.booking()?;
        b.doctors
            .get(self.fields.get(DOCTOR)?.chosen())
            .map(|(id, _)| *id)
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
