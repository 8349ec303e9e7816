//! Medical records, their functions, and emergency (break-the-glass) grants.

use super::{cell, run_matrix, Cell, NONE};
use crate::common::{sid, Allowed, Denied, Fails, World, ZeroRows};

/// The rows of [`matrix_clinical`].
pub fn rows(w: &World) -> Vec<Cell> {
    let (p, po, ps) = (w.p_own, w.p_other, w.p_stranger);
    let (draft, signed, d) = (w.record_draft, w.record_signed, sid(&w.doctor));
    vec![
        // Nobody touches medical_records directly.
        cell("SELECT * FROM clinic.medical_records", NONE),
        cell("SELECT id, patient_id FROM clinic.medical_records", NONE),
        cell(
            format!("INSERT INTO clinic.medical_records (patient_id, author_id, summary) VALUES ({p}, {d}, 'Direct')"),
            NONE,
        ),
        cell(format!("UPDATE clinic.medical_records SET notes = 'edited' WHERE id = {draft}"), NONE),
        cell(format!("DELETE FROM clinic.medical_records WHERE id = {draft}"), NONE),
        cell("TRUNCATE clinic.medical_records CASCADE", NONE),
        // Only through the functions, and only by a doctor with a care relationship.
        cell(
            format!("SELECT * FROM clinic.open_chart({p})"),
            [Denied, Allowed, Denied, Denied],
        ),
        cell(format!("SELECT * FROM clinic.open_chart({po})"), NONE),
        cell(format!("SELECT * FROM clinic.open_chart({ps})"), NONE),
        cell(
            format!("SELECT 1 WHERE clinic.has_care_relationship({p})"),
            [Denied, Allowed, Denied, Denied],
        ),
        cell(
            format!("SELECT 1 WHERE clinic.has_care_relationship({ps})"),
            [Denied, ZeroRows, Denied, Denied],
        ),
        cell(
            format!("SELECT clinic.save_record(NULL, NULL, {p}, 'note', 'Phoned with results', NULL, NULL, NULL)"),
            [Denied, Allowed, Denied, Denied],
        ),
        cell(
            format!("SELECT clinic.save_record(NULL, NULL, {ps}, 'note', 'Not my patient', NULL, NULL, NULL)"),
            NONE,
        ),
        cell(
            format!("SELECT clinic.save_record({signed}, 1, {p}, 'consultation', 'Rewritten', NULL, NULL, NULL)"),
            [Denied, Fails("40001"), Denied, Denied],
        ),
        cell(
            format!("SELECT clinic.sign_record({draft})"),
            [Denied, Allowed, Denied, Denied],
        ),
        cell(format!("SELECT clinic.sign_record({signed})"), NONE),
        cell(
            format!("SELECT clinic.break_glass({ps}, 'Unconscious, brought in by ambulance', 15)"),
            [Denied, Allowed, Denied, Denied],
        ),
        // Emergency grants: admins review them; nobody writes them directly.
        cell("SELECT * FROM clinic.emergency_access", [Allowed, Denied, Denied, Denied]),
        cell(
            format!(
                "INSERT INTO clinic.emergency_access (doctor_id, patient_id, reason, expires_at)
                 VALUES ({d}, {ps}, 'I just want to look', now() + interval '1 hour')"
            ),
            NONE,
        ),
        cell("UPDATE clinic.emergency_access SET expires_at = now() + interval '1 hour'", NONE),
        cell("DELETE FROM clinic.emergency_access", NONE),
        cell("TRUNCATE clinic.emergency_access", NONE),
    ]
}

#[tokio::test]
async fn matrix_clinical() {
    let w = World::new().await;
    run_matrix(&w, &rows(&w)).await;
}
