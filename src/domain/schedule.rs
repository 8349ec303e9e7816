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

use super::appointment::{doctor_title, CalendarEntry};

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

/// A doctor as the calendar heads a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doctor {
    pub id: i64,
    /// The staff directory's full name ("Alice Smith"); `appointment::doctor_title` adds "Dr".
    pub name: String,
}

/// One doctor's column on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorDay {
    pub doctor: Doctor,
    pub date: NaiveDate,
    /// That weekday's working hours as set up (wall clock).
    pub hours: Vec<WorkingHours>,
    /// Whether the doctor has working hours on any weekday. A doctor with a rota is closed on the
    /// days it leaves out; one with no rota at all is open all day (nothing set up yet).
    pub has_rota: bool,
    /// The same hours as instants on this date.
    pub periods: Vec<Period>,
    pub exceptions: Vec<ScheduleException>,
    /// Every appointment that day, cancelled ones included, by start time.
    pub appointments: Vec<CalendarEntry>,
}

/// What one calendar cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState<'a> {
    Booked(&'a CalendarEntry),
    Leave(&'a ScheduleException),
    Blocked(&'a ScheduleException),
    /// Only a cancelled appointment here: shown as "[x]", and bookable.
    Cancelled(&'a CalendarEntry),
    Free,
    /// Outside working hours.
    Closed,
}

impl DoctorDay {
    /// The cell for `from..to`: a live appointment first, then leave, blocked time, a cancellation,
    /// then free or closed by the working hours. A doctor with no rota at all is open all day.
    pub fn slot_state(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> SlotState<'_> {
        let here = |e: &&CalendarEntry| e.overlaps(from, to);
        if let Some(e) = self
            .appointments
            .iter()
            .filter(here)
            .find(|e| e.status.occupies_slot())
        {
            return SlotState::Booked(e);
        }
        if let Some(x) = clashing_exception(&self.exceptions, self.doctor.id, from, to) {
            return match x.kind {
                ExceptionKind::Leave => SlotState::Leave(x),
                ExceptionKind::Blocked => SlotState::Blocked(x),
            };
        }
        if let Some(e) = self.appointments.iter().find(here) {
            return SlotState::Cancelled(e);
        }
        let open = !self.has_rota
            || self
                .periods
                .iter()
                .any(|p| p.starts_at <= from && to <= p.ends_at);
        if open {
            SlotState::Free
        } else {
            SlotState::Closed
        }
    }
}

/// All doctors on one date, ordered by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayView {
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub doctors: Vec<DoctorDay>,
}

/// One doctor's week, Monday (or the requested first day) and the six days after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekView {
    pub doctor: Doctor,
    pub days: Vec<DoctorDay>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::appointment::AppointmentStatus;
    use chrono_tz::Europe::London;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }
    fn at(y: i32, mo: u32, day: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, day, h, mi, 0)
            .single()
            .expect("instant")
    }
    fn hours(
        doctor_id: i64,
        weekday: u8,
        starts: NaiveTime,
        ends: NaiveTime,
        slot_minutes: u16,
    ) -> WorkingHours {
        WorkingHours {
            doctor_id,
            weekday,
            starts,
            ends,
            slot_minutes,
        }
    }
    fn local_labels(slots: &[Slot]) -> Vec<String> {
        slots
            .iter()
            .map(|s| {
                s.starts_at
                    .with_timezone(&London)
                    .format("%H:%M %Z")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn an_ordinary_morning_minus_appointments_and_exceptions() {
        // Tuesday 2026-12-01, GMT: local time is UTC.
        let h = [
            hours(1, 2, t(9, 0), t(12, 0), 15),
            hours(2, 2, t(9, 0), t(10, 0), 30),
        ];
        let busy = [
            Busy {
                doctor_id: 1,
                starts_at: at(2026, 12, 1, 10, 0),
                ends_at: at(2026, 12, 1, 10, 30),
            },
            // Off the grid: takes both slots it touches.
            Busy {
                doctor_id: 1,
                starts_at: at(2026, 12, 1, 9, 5),
                ends_at: at(2026, 12, 1, 9, 20),
            },
            // Another doctor's appointment does not take doctor 1's time.
            Busy {
                doctor_id: 2,
                starts_at: at(2026, 12, 1, 11, 0),
                ends_at: at(2026, 12, 1, 11, 15),
            },
        ];
        let blocked = [ScheduleException {
            doctor_id: 1,
            starts_at: at(2026, 12, 1, 11, 0),
            ends_at: at(2026, 12, 1, 11, 15),
            kind: ExceptionKind::Blocked,
            note: Some("practice meeting".into()),
        }];
        let day = d(2026, 12, 1);
        let slots = free_slots(
            &h,
            &blocked,
            &busy,
            London,
            day..=day,
            at(2026, 12, 1, 0, 0),
        );
        let doc1: Vec<_> = slots.iter().filter(|s| s.doctor_id == 1).copied().collect();
        assert_eq!(
            local_labels(&doc1),
            ["09:30", "09:45", "10:30", "10:45", "11:15", "11:30", "11:45"]
                .map(|x| format!("{x} GMT"))
        );
        assert_eq!(slots.iter().filter(|s| s.doctor_id == 2).count(), 2);
        // Ordered by time, then doctor.
        assert_eq!((slots[0].doctor_id, slots[1].doctor_id), (2, 1));
        assert!(slots.windows(2).all(|w| w[0] <= w[1]));
        // Nothing before "now", and nothing on a day with no hours.
        let later = free_slots(
            &h,
            &blocked,
            &busy,
            London,
            day..=day,
            at(2026, 12, 1, 11, 20),
        );
        assert_eq!(local_labels(&later), ["11:30 GMT", "11:45 GMT"]);
        let wednesday = d(2026, 12, 2);
        assert!(free_slots(
            &h,
            &[],
            &[],
            London,
            wednesday..=wednesday,
            at(2026, 1, 1, 0, 0)
        )
        .is_empty());
    }

    #[test]
    fn london_spring_forward_day_keeps_the_wall_clock() {
        // Sunday 2026-03-29: 01:00 GMT becomes 02:00 BST.
        let sunday = d(2026, 3, 29);
        let (from, to) = day_bounds(London, sunday);
        assert_eq!(to - from, Duration::hours(23));
        assert_eq!(from, at(2026, 3, 29, 0, 0));
        // A clinic morning is 09:00 BST, which is 08:00 UTC; the day before it was 09:00 UTC.
        let h = [
            hours(1, 7, t(9, 0), t(10, 0), 15),
            hours(1, 6, t(9, 0), t(10, 0), 15),
        ];
        let slots = free_slots(
            &h,
            &[],
            &[],
            London,
            d(2026, 3, 28)..=sunday,
            from - Duration::days(2),
        );
        assert_eq!(slots[0].starts_at, at(2026, 3, 28, 9, 0));
        assert_eq!(slots[4].starts_at, at(2026, 3, 29, 8, 0));
        assert_eq!(local_labels(&slots[4..5]), ["09:00 BST"]);
        // A night shift across the jump works two real hours: no slot is labelled 01:xx.
        let night = [hours(1, 7, t(0, 0), t(3, 0), 15)];
        let slots = free_slots(&night, &[], &[], London, sunday..=sunday, from);
        assert_eq!(slots.len(), 8);
        assert!(
            local_labels(&slots).iter().all(|l| !l.starts_with("01:")),
            "{:?}",
            local_labels(&slots)
        );
        assert_eq!(local_labels(&slots[4..5]), ["02:00 BST"]);
        // A time that never happens is pushed later by the gap.
        assert_eq!(
            local_instant(London, sunday, t(1, 30), true),
            at(2026, 3, 29, 1, 30)
        );
    }

    #[test]
    fn london_fall_back_day_has_two_one_oclocks() {
        // Sunday 2026-10-25: 02:00 BST becomes 01:00 GMT.
        let sunday = d(2026, 10, 25);
        let (from, to) = day_bounds(London, sunday);
        assert_eq!(to - from, Duration::hours(25));
        let night = [hours(1, 7, t(0, 0), t(3, 0), 30)];
        let slots = free_slots(&night, &[], &[], London, sunday..=sunday, from);
        assert_eq!(
            local_labels(&slots),
            [
                "00:00 BST",
                "00:30 BST",
                "01:00 BST",
                "01:30 BST",
                "01:00 GMT",
                "01:30 GMT",
                "02:00 GMT",
                "02:30 GMT"
            ]
        );
        // The day shift is unaffected: 09:00 GMT.
        let day = [hours(1, 7, t(9, 0), t(9, 30), 30)];
        let slots = free_slots(&day, &[], &[], London, sunday..=sunday, from);
        assert_eq!(slots[0].starts_at, at(2026, 10, 25, 9, 0));
        // Ambiguous 01:30: a shift starting then starts at the first, one ending then ends at the second.
        assert_eq!(
            local_instant(London, sunday, t(1, 30), true),
            at(2026, 10, 25, 0, 30)
        );
        assert_eq!(
            local_instant(London, sunday, t(1, 30), false),
            at(2026, 10, 25, 1, 30)
        );
    }

    #[test]
    fn working_hours_check_joins_adjacent_stretches() {
        let h = [
            hours(1, 2, t(9, 0), t(12, 30), 15),
            hours(1, 2, t(12, 30), t(17, 0), 15),
        ];
        let day = |a, b, c, e| (at(2026, 12, 1, a, b), at(2026, 12, 1, c, e));
        let (s, e) = day(12, 15, 12, 45);
        assert!(!outside_working_hours(&h, London, 1, s, e));
        let (s, e) = day(16, 50, 17, 5);
        assert!(outside_working_hours(&h, London, 1, s, e));
        let (s, e) = day(8, 0, 8, 15);
        assert!(outside_working_hours(&h, London, 1, s, e));
        // Wednesday: no hours that day.
        assert!(outside_working_hours(
            &h,
            London,
            1,
            at(2026, 12, 2, 10, 0),
            at(2026, 12, 2, 10, 15)
        ));
        // A doctor with no hours at all is unrestricted.
        assert!(!outside_working_hours(&h, London, 2, s, e));
        // In summer, 09:00 local is 08:00 UTC.
        let summer = [hours(1, 3, t(9, 0), t(10, 0), 15)];
        assert!(!outside_working_hours(
            &summer,
            London,
            1,
            at(2026, 7, 1, 8, 0),
            at(2026, 7, 1, 8, 15)
        ));
        assert!(outside_working_hours(
            &summer,
            London,
            1,
            at(2026, 7, 1, 9, 0),
            at(2026, 7, 1, 9, 15)
        ));
    }

    #[test]
    fn a_slot_is_judged_leave_first_in_local_words() {
        let alice = Doctor {
            id: 1,
            name: "Alice Smith".into(),
        };
        let h = [hours(1, 3, t(9, 0), t(17, 0), 15)];
        let x = |kind, note: Option<&str>| ScheduleException {
            doctor_id: 1,
            starts_at: at(2026, 7, 1, 11, 0),
            ends_at: at(2026, 7, 1, 12, 0),
            kind,
            note: note.map(Into::into),
        };
        // Wednesday 2026-07-01, BST: 12:00 UTC is 13:00 on the clinic's clock.
        let (s, e) = (at(2026, 7, 1, 11, 30), at(2026, 7, 1, 11, 45));
        assert_eq!(check_slot(&alice, &h, &[], London, s, e), None);
        let blocked = [x(ExceptionKind::Blocked, Some("audit"))];
        assert_eq!(
            check_slot(&alice, &h, &blocked, London, s, e),
            Some(Unavailable::Blocked(
                "Dr Alice Smith's time is blocked from Wed 01 Jul 12:00 to Wed 01 Jul 13:00 (audit).".into()
            ))
        );
        let both = [
            x(ExceptionKind::Blocked, None),
            x(ExceptionKind::Leave, None),
        ];
        assert!(matches!(
            check_slot(&alice, &h, &both, London, s, e),
            Some(Unavailable::OnLeave(_))
        ));
        let early = check_slot(
            &alice,
            &h,
            &[],
            London,
            at(2026, 7, 1, 7, 0),
            at(2026, 7, 1, 7, 15),
        );
        assert_eq!(
            early,
            Some(Unavailable::OutsideHours(
                "Wed 01 Jul 08:00 to 08:15 is outside Dr Alice Smith's working hours.".into()
            ))
        );
    }

    #[test]
    fn cells_show_appointments_then_leave_then_cancellations() {
        let entry = |id, h, status| CalendarEntry {
            id,
            version: 1,
            patient_id: id,
            patient_name: "Doe, John".into(),
            doctor_id: 1,
            starts_at: at(2026, 12, 1, h, 0),
            ends_at: at(2026, 12, 1, h, 15),
            reason: None,
            status,
        };
        let leave = ScheduleException {
            doctor_id: 1,
            starts_at: at(2026, 12, 1, 12, 0),
            ends_at: at(2026, 12, 1, 17, 0),
            kind: ExceptionKind::Leave,
            note: None,
        };
        let h = vec![hours(1, 2, t(9, 0), t(17, 0), 15)];
        let col = DoctorDay {
            doctor: Doctor {
                id: 1,
                name: "Alice Smith".into(),
            },
            date: d(2026, 12, 1),
            periods: working_periods(&h, London, d(2026, 12, 1)),
            hours: h,
            has_rota: true,
            exceptions: vec![leave],
            appointments: vec![
                entry(1, 9, AppointmentStatus::Cancelled),
                entry(2, 9, AppointmentStatus::Scheduled),
                entry(3, 10, AppointmentStatus::Cancelled),
                entry(4, 12, AppointmentStatus::CheckedIn),
            ],
        };
        let cell = |h, m| col.slot_state(at(2026, 12, 1, h, m), at(2026, 12, 1, h, m + 15));
        assert!(matches!(cell(9, 0), SlotState::Booked(e) if e.id == 2));
        assert!(matches!(cell(10, 0), SlotState::Cancelled(e) if e.id == 3));
        assert!(matches!(cell(11, 0), SlotState::Free));
        assert!(
            matches!(cell(12, 0), SlotState::Booked(e) if e.id == 4),
            "a clash with leave stays visible"
        );
        assert!(matches!(cell(13, 0), SlotState::Leave(_)));
        assert!(matches!(cell(8, 0), SlotState::Closed));
    }

    #[test]
    fn exceptions_and_hours_are_validated_in_words() {
        assert!(hours(1, 1, t(9, 0), t(17, 0), 15).check().is_ok());
        assert!(hours(1, 8, t(9, 0), t(17, 0), 15).check().is_err());
        assert!(hours(1, 1, t(17, 0), t(9, 0), 15).check().is_err());
        assert!(hours(1, 1, t(9, 0), t(17, 0), 4).check().is_err());
        let x = ScheduleException {
            doctor_id: 1,
            starts_at: at(2026, 12, 1, 12, 0),
            ends_at: at(2026, 12, 1, 12, 0),
            kind: ExceptionKind::Blocked,
            note: None,
        };
        assert!(x.check().is_err());
        assert_eq!(ExceptionKind::parse("leave"), Some(ExceptionKind::Leave));
        assert_eq!(week_start(d(2026, 12, 3)), d(2026, 11, 30));
        assert_eq!(week_start(d(2026, 11, 30)), d(2026, 11, 30));
        let leave = ScheduleException {
            kind: ExceptionKind::Leave,
            ..x.clone()
        };
        let wide = ScheduleException {
            ends_at: at(2026, 12, 1, 13, 0),
            ..x
        };
        let both = [
            wide.clone(),
            ScheduleException {
                ends_at: at(2026, 12, 1, 13, 0),
                ..leave
            },
        ];
        let hit = clashing_exception(&both, 1, at(2026, 12, 1, 12, 15), at(2026, 12, 1, 12, 30));
        assert_eq!(hit.map(|x| x.kind), Some(ExceptionKind::Leave));
        assert_eq!(
            clashing_exception(&[wide], 2, at(2026, 12, 1, 12, 15), at(2026, 12, 1, 12, 30)),
            None
        );
    }
}
