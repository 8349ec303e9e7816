//! Doctors' availability and the calendar's days: weekly working hours in the clinic's wall-clock
//! time, exceptions (leave, blocked time), and the free slots they leave between appointments.
//!
//! Everything here is pure. Local times become instants through the clinic's `chrono_tz::Tz`, so a
//! clinic day is right on the days the clocks change: the hours a doctor actually works are the wall
//! clock's, however many real minutes that is.

use std::ops::RangeInclusive;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

mod days;
pub use days::{DayView, Doctor, DoctorDay, SlotState, WeekView};

use super::appointment::doctor_title;

/// One continuous stretch of a doctor's week, e.g. Mondays 09:00-12:30 in 15-minute slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    pub doctor_id: i64,
    /// ISO weekday: 1 = Monday .. 7 = Sunday.
    pub weekday: u8,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
    pub slot_minutes: u16,
}

impl WorkingHours {
    /// The same rules the table's CHECKs hold, in words, for the form.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=7).contains(&self.weekday) {
            return Err("the day must be Monday to Sunday".into());
        }
        if self.starts >= self.ends {
            return Err("the hours must end after they start".into());
        }
        if !(5..=120).contains(&self.slot_minutes) {
            return Err("a slot is 5 to 120 minutes long".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    /// Away: the database refuses appointments in this time.
    Leave,
    /// In, but not seeing patients (a meeting, admin time); reception may still squeeze someone in.
    Blocked,
}

impl ExceptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionKind::Leave => "leave",
            ExceptionKind::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<ExceptionKind> {
        [ExceptionKind::Leave, ExceptionKind::Blocked]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Time taken out of a doctor's working hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleException {
    pub doctor_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub kind: ExceptionKind,
    /// About the doctor ("conference"), never about a patient: every role reads it.
    pub note: Option<String>,
}

impl ScheduleException {
    pub fn check(&self) -> Result<(), String> {
        if self.ends_at <= self.starts_at {
            return Err("the time off must end after it starts".into());
        }
        if self.ends_at - self.starts_at > Duration::days(366) {
            return Err("time off is at most a year; add another for longer".into());
        }
        Ok(())
    }

    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.starts_at < to && from < self.ends_at
    }
}

/// A time a doctor is already taken (a live appointment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub doctor_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A bookable slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    // Field order is the sort order: by time, then doctor.
    pub starts_at: DateTime<Utc>,
    pub doctor_id: i64,
    pub ends_at: DateTime<Utc>,
}

/// Working hours on one date, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub doctor_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub slot_minutes: u16,
}

/// The instant a wall-clock time on `date` means in `tz`. When the clocks go back the time happens
/// twice: `earliest` picks the first (a shift starting then) or the second (a shift ending then).
/// When they go forward it does not happen at all, and the time is pushed later by the gap, as
/// java.time does, so 01:30 on London's spring-forward night is 02:30 BST.
pub fn local_instant(tz: Tz, date: NaiveDate, time: NaiveTime, earliest: bool) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            if earliest {
                a.min(b)
            } else {
                a.max(b)
            }
        }
        chrono::LocalResult::None => {
            // The offset in force before the gap; a day earlier is safely before any transition.
            let before = tz
                .offset_from_utc_datetime(&(naive - Duration::days(1)))
                .fix();
            utc(naive - Duration::seconds(i64::from(before.local_minus_utc())))
        }
    }
}

fn utc(naive: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(naive, Utc)
}

/// The clinic day `date` as a half-open range of instants (23 or 25 hours long on DST days).
pub fn day_bounds(tz: Tz, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = date.succ_opt().unwrap_or(date);
    (
        local_instant(tz, date, NaiveTime::MIN, true),
        local_instant(tz, next, NaiveTime::MIN, true),
    )
}

/// The clinic's calendar date at an instant.
pub fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The Monday of the week holding `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Every doctor's working periods on `date`, ordered by doctor then time.
pub fn working_periods(hours: &[WorkingHours], tz: Tz, date: NaiveDate) -> Vec<Period> {
    let weekday = u8::try_from(date.weekday().number_from_monday()).unwrap_or(0);
    let mut out: Vec<Period> = hours
        .iter()
        .filter(|h| h.weekday == weekday)
        .map(|h| Period {
            doctor_id: h.doctor_id,
            starts_at: local_instant(tz, date, h.starts, true),
            ends_at: local_instant(tz, date, h.ends, false),
            slot_minutes: h.slot_minutes,
        })
        .filter(|p| p.starts_at < p.ends_at)
        .collect();
    out.sort_by_key(|p| (p.doctor_id, p.starts_at));
    out
}

/// Sorted, merged (touching ones joined) intervals, so "first one ending after t" is a binary search.
fn merged(mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    spans.sort();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn clashes(
    taken: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    let i = taken.partition_point(|(_, e)| *e <= from);
    taken.get(i).is_some_and(|(s, _)| *s < to)
}

/// The free slots of every doctor in `hours` over `days` (clinic dates), starting no earlier than
/// `not_before`, ordered by time then doctor. A slot is free when it lies in working hours and
/// overlaps no exception (leave or blocked) and no busy time. Slots follow each period's own grid
/// from its start; an off-grid appointment takes every slot it touches.
pub fn free_slots(
    hours: &[WorkingHours],
    exceptions: &[ScheduleException],
    busy: &[Busy],
    tz: Tz,
    days: RangeInclusive<NaiveDate>,
    not_before: DateTime<Utc>,
) -> Vec<Slot> {
    let mut doctors: Vec<i64> = hours.iter().map(|h| h.doctor_id).collect();
    doctors.sort_unstable();
    doctors.dedup();
    let dates: Vec<NaiveDate> = days
        .start()
        .iter_days()
        .take_while(|d| d <= days.end())
        .collect();
    let mut out = Vec::new();
    for doctor in doctors {
        let mine: Vec<WorkingHours> = hours
            .iter()
            .filter(|h| h.doctor_id == doctor)
            .cloned()
            .collect();
        let taken = merged(
            exceptions
                .iter()
                .filter(|x| x.doctor_id == doctor)
                .map(|x| (x.starts_at, x.ends_at))
                .chain(
                    busy.iter()
                        .filter(|b| b.doctor_id == doctor)
                        .map(|b| (b.starts_at, b.ends_at)),
                )
                .collect(),
        );
        for date in &dates {
            for p in working_periods(&mine, tz, *date) {
                let step = Duration::minutes(i64::from(p.slot_minutes.max(1)));
                let mut s = p.starts_at;
                while s + step <= p.ends_at {
                    let e = s + step;
                    if s >= not_before && !clashes(&taken, s, e) {
                        out.push(Slot {
                            starts_at: s,
                            ends_at: e,
                            doctor_id: doctor,
                        });
                    }
                    s = e;
                }
            }
        }
    }
    out.sort();
    out
}

/// Whether `from..to` falls outside the doctor's working hours. A doctor with no hours set up at all
/// is unrestricted (false). Adjacent stretches count as one (12:15-12:45 fits 09:00-12:30 + 12:30-17:00).
pub fn outside_working_hours(
    hours: &[WorkingHours],
    tz: Tz,
    doctor_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    let mine: Vec<WorkingHours> = hours
        .iter()
        .filter(|h| h.doctor_id == doctor_id)
        .cloned()
        .collect();
    if mine.is_empty() {
        return false;
    }
    let first = local_date(tz, from)
        .pred_opt()
        .unwrap_or(local_date(tz, from));
    let last = local_date(tz, to);
    let periods = merged(
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .flat_map(|d| working_periods(&mine, tz, d))
            .map(|p| (p.starts_at, p.ends_at))
            .collect(),
    );
    !periods.iter().any(|(s, e)| *s <= from && to <= *e)
}

/// The exception `from..to` runs into for that doctor, leave before blocked time.
pub fn clashing_exception(
    exceptions: &[ScheduleException],
    doctor_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<&ScheduleException> {
    let mut hits: Vec<&ScheduleException> = exceptions
        .iter()
        .filter(|x| x.doctor_id == doctor_id && x.overlaps(from, to))
        .collect();
    hits.sort_by_key(|x| (x.kind != ExceptionKind::Leave, x.starts_at));
    hits.first().copied()
}

/// Why a time does not suit a doctor, in words naming the doctor and the clinic's local times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// Away: no booking, however urgent (the database refuses it too).
    OnLeave(String),
    /// Blocked time: only when squeezing an urgent patient in.
    Blocked(String),
    /// Outside working hours: only when squeezing an urgent patient in.
    OutsideHours(String),
}

/// Whether `from..to` suits `doctor`, judged on their hours and exceptions (as the booking form
/// or the calendar has them loaded, so the desk is warned before asking the server). The worst
/// problem wins: leave, then blocked time, then hours.
pub fn check_slot(
    doctor: &Doctor,
    hours: &[WorkingHours],
    exceptions: &[ScheduleException],
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<Unavailable> {
    let title = doctor_title(&doctor.name);
    let day_time = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %d %b %H:%M").to_string();
    let span = |x: &ScheduleException| {
        let note = x
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        format!("{} to {}{note}", day_time(x.starts_at), day_time(x.ends_at))
    };
    if let Some(x) = clashing_exception(exceptions, doctor.id, from, to) {
        return Some(match x.kind {
            ExceptionKind::Leave => {
                Unavailable::OnLeave(format!("{title} is on leave from {}.", span(x)))
            }
            ExceptionKind::Blocked => {
                Unavailable::Blocked(format!("{title}'s time is blocked from {}.", span(x)))
            }
        });
    }
    outside_working_hours(hours, tz, doctor.id, from, to).then(|| {
        let until = to.with_timezone(&tz).format("%H:%M");
        Unavailable::OutsideHours(format!(
            "{} to {until} is outside {title}'s working hours.",
            day_time(from)
        ))
    })
}

#[cfg(test)]
mod tests;
