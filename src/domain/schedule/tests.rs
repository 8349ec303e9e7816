//! The schedule's rules on real calendars: clock changes, leave, blocked time, free slots.

use super::*;
use crate::domain::appointment::{AppointmentStatus, CalendarEntry};
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
        ["09:30", "09:45", "10:30", "10:45", "11:15", "11:30", "11:45"].map(|x| format!("{x} GMT"))
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
            "Dr Alice Smith's time is blocked from Wed 01 Jul 12:00 to Wed 01 Jul 13:00 (audit)."
                .into()
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
