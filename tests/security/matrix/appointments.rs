//! Appointments, their status history, and the rota (working hours and schedule exceptions).

use super::{cell, run_matrix, Cell, ALL, NONE};
use crate::common::{sid, Allowed, Denied, Fails, World, ZeroRows};

/// The rows of [`matrix_appointments`].
pub fn rows(w: &World) -> Vec<Cell> {
    let (own, ip, sch, oth) = (
        w.appt_checked_in,
        w.appt_in_progress,
        w.appt_scheduled,
        w.appt_other,
    );
    let (d, od, ps) = (sid(&w.doctor), sid(&w.other_doctor), w.p_stranger);
    let (hours, blocked, desk) = (w.hours_monday, w.blocked_meeting, sid(&w.receptionist));
    vec![
        // Reading: the doctor sees only their own; billing sees who was seen when, never why.
        cell("SELECT * FROM clinic.appointments", [Allowed, Allowed, Allowed, Denied]),
        cell(
            format!("SELECT * FROM clinic.appointments WHERE doctor_id = {d}"),
            [Allowed, Allowed, Allowed, Denied],
        ),
        cell(
            format!("SELECT * FROM clinic.appointments WHERE doctor_id <> {d}"),
            [Allowed, ZeroRows, Allowed, Denied],
        ),
        cell(
            format!("SELECT * FROM clinic.appointments WHERE id = {oth}"),
            [Allowed, ZeroRows, Allowed, Denied],
        ),
        cell(
            format!(
                "SELECT id, patient_id, doctor_id, starts_at, ends_at, status FROM clinic.appointments WHERE id = {oth}"
            ),
            [Allowed, ZeroRows, Allowed, Allowed],
        ),
        cell("SELECT reason FROM clinic.appointments", [Allowed, Allowed, Allowed, Denied]),
        // Booking: reception only, and a new appointment starts as scheduled.
        cell(
            format!(
                "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
                 VALUES ({ps}, {d}, '2030-02-01 09:00+00', '2030-02-01 09:15+00')"
            ),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!(
                "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status)
                 VALUES ({ps}, {d}, '2030-02-01 09:00+00', '2030-02-01 09:15+00', 'completed')"
            ),
            // The status column is not reception's to set on insert: every booking starts scheduled.
            [Denied, Denied, Denied, Denied],
        ),
        // Moving, reassigning, cancelling, checking in: reception only.
        cell(
            format!(
                "UPDATE clinic.appointments SET starts_at = starts_at + interval '1 hour',
                        ends_at = ends_at + interval '1 hour' WHERE id = {oth}"
            ),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET starts_at = starts_at + interval '2 days',
                        ends_at = ends_at + interval '2 days' WHERE id = {own}"),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET doctor_id = {od} WHERE id = {own}"),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET patient_id = {ps} WHERE id = {own}"),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET reason = 'Follow-up' WHERE id = {oth}"),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET status = 'checked_in' WHERE id = {oth}"),
            [Denied, ZeroRows, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET status = 'checked_in' WHERE id = {sch}"),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET status = 'no_show' WHERE id = {sch}"),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!(
                "UPDATE clinic.appointments SET status = 'cancelled', cancel_reason = 'Patient called' WHERE id = {sch}"
            ),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET status = 'cancelled' WHERE id = {sch}"),
            [Denied, Denied, Fails("23514"), Denied],
        ),
        // The doctor's own consultation: checked_in -> in_progress -> completed, nothing else.
        // (Reception is not stopped from these two moves either: see the report.)
        cell(
            format!("UPDATE clinic.appointments SET status = 'in_progress' WHERE id = {own}"),
            [Denied, Allowed, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET status = 'completed' WHERE id = {ip}"),
            [Denied, Allowed, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET status = 'scheduled' WHERE id = {ip}"),
            [Denied, Fails("23514"), Fails("23514"), Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET status = 'in_progress' WHERE id = {oth}"),
            [Denied, ZeroRows, Fails("23514"), Denied],
        ),
        // Taking a check-in back: the desk's, with a reason; never the doctor's.
        cell(
            format!(
                "UPDATE clinic.appointments SET status = 'scheduled', status_reason = 'Checked in by mistake' WHERE id = {own}"
            ),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET status = 'scheduled' WHERE id = {own}"),
            [Denied, Denied, Fails("23514"), Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET status_reason = 'Whatever' WHERE id = {sch}"),
            [Denied, Denied, Fails("23514"), Denied],
        ),
        cell(
            format!("UPDATE clinic.appointments SET doctor_id = {d} WHERE id = {oth}"),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(format!("DELETE FROM clinic.appointments WHERE id = {sch}"), NONE),
        cell("TRUNCATE clinic.appointments CASCADE", NONE),
        // Status history: written by the database only.
        cell(
            format!("SELECT * FROM clinic.appointment_status_history WHERE appointment_id = {own}"),
            [Allowed, Allowed, Allowed, Denied],
        ),
        cell(
            format!("SELECT * FROM clinic.appointment_status_history WHERE appointment_id = {oth}"),
            [Allowed, ZeroRows, Allowed, Denied],
        ),
        cell(
            format!(
                "INSERT INTO clinic.appointment_status_history (appointment_id, to_status) VALUES ({own}, 'completed')"
            ),
            NONE,
        ),
        cell("UPDATE clinic.appointment_status_history SET reason = 'rewritten'", NONE),
        cell("DELETE FROM clinic.appointment_status_history", NONE),
        cell("TRUNCATE clinic.appointment_status_history", NONE),
        // The rota (working hours, leave and blocked time): admins and reception keep it, doctors
        // and accountants read it, every doctor's (it says nothing about patients).
        cell("SELECT * FROM clinic.working_hours", ALL),
        cell(
            format!(
                "INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends) VALUES ({d}, 2, '09:00', '12:00')"
            ),
            [Allowed, Denied, Allowed, Denied],
        ),
        cell(
            format!(
                "INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends) VALUES ({desk}, 2, '09:00', '12:00')"
            ),
            // Working hours belong to a doctor.
            [Fails("23503"), Denied, Fails("23503"), Denied],
        ),
        cell(
            format!("UPDATE clinic.working_hours SET ends = '13:00' WHERE id = {hours}"),
            [Allowed, Denied, Allowed, Denied],
        ),
        cell(
            format!("DELETE FROM clinic.working_hours WHERE id = {hours}"),
            [Allowed, Denied, Allowed, Denied],
        ),
        cell("SELECT * FROM clinic.schedule_exceptions", ALL),
        cell(
            format!(
                "INSERT INTO clinic.schedule_exceptions (doctor_id, starts_at, ends_at, kind)
                 VALUES ({od}, '2031-03-03 00:00+00', '2031-03-08 00:00+00', 'leave')"
            ),
            [Allowed, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.schedule_exceptions SET note = 'Board meeting' WHERE id = {blocked}"),
            [Allowed, Denied, Allowed, Denied],
        ),
        cell(
            format!("DELETE FROM clinic.schedule_exceptions WHERE id = {blocked}"),
            [Allowed, Denied, Allowed, Denied],
        ),
    ]
}

#[tokio::test]
async fn matrix_appointments() {
    let w = World::new().await;
    run_matrix(&w, &rows(&w)).await;
}
