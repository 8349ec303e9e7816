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
        // The encounter's parts and the allergies: nobody touches the tables, with or without a
        // care relationship (the draft's parts are the doctor's own patient's; the other
        // doctor's are not).
    ]
    .into_iter()
    .chain(parts_rows(w))
    .chain(function_rows(w))
    .chain(vec![
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
        // Their reviews (sql/0024): admins read the queue and review through the function only.
        cell(
            "SELECT * FROM clinic.emergency_accesses_to_review()",
            [Allowed, Denied, Denied, Denied],
        ),
        cell(
            "SELECT clinic.review_emergency_access((SELECT min(id) FROM clinic.emergency_access), 'Checked with the ward')",
            [Allowed, Denied, Denied, Denied],
        ),
        cell(
            "SELECT * FROM clinic.emergency_access_reviews",
            [ZeroRows, Denied, Denied, Denied],
        ),
        cell(
            format!(
                "INSERT INTO clinic.emergency_access_reviews (access_id, reviewed_by, note)
                 SELECT min(id), {d}, 'fine' FROM clinic.emergency_access"
            ),
            NONE,
        ),
        cell("UPDATE clinic.emergency_access_reviews SET note = 'other'", NONE),
        cell("DELETE FROM clinic.emergency_access_reviews", NONE),
        cell("TRUNCATE clinic.emergency_access_reviews", NONE),
    ])
    .collect()
}

/// Direct statements on the clinical tables, for a part of the doctor's own patient's draft and
/// of the other doctor's patient's: refused to every job.
fn parts_rows(w: &World) -> Vec<Cell> {
    let (p, po) = (w.p_own, w.p_other);
    let (draft, other) = (w.record_draft, w.record_other);
    let mut rows = Vec::new();
    for (record, patient, [v, dg, rx], allergy) in [
        (draft, p, w.parts_draft, w.allergy_own),
        (other, po, w.parts_other, w.allergy_other),
    ] {
        rows.extend([
            cell(format!("SELECT * FROM clinic.vitals WHERE patient_id = {patient}"), NONE),
            cell(
                format!("INSERT INTO clinic.vitals (record_id, patient_id, pulse_per_min) VALUES ({record}, {patient}, 70)"),
                NONE,
            ),
            cell(format!("UPDATE clinic.vitals SET pulse_per_min = 71 WHERE id = {v}"), NONE),
            cell(format!("DELETE FROM clinic.vitals WHERE id = {v}"), NONE),
            cell(format!("SELECT code FROM clinic.diagnoses WHERE patient_id = {patient}"), NONE),
            cell(
                format!("INSERT INTO clinic.diagnoses (record_id, patient_id, code) VALUES ({record}, {patient}, 'E11.9')"),
                NONE,
            ),
            cell(format!("UPDATE clinic.diagnoses SET note = 'x' WHERE id = {dg}"), NONE),
            cell(format!("DELETE FROM clinic.diagnoses WHERE id = {dg}"), NONE),
            cell(format!("SELECT drug FROM clinic.prescriptions WHERE patient_id = {patient}"), NONE),
            cell(
                format!("INSERT INTO clinic.prescriptions (record_id, patient_id, drug) VALUES ({record}, {patient}, 'Morphine')"),
                NONE,
            ),
            cell(format!("UPDATE clinic.prescriptions SET quantity = 999 WHERE id = {rx}"), NONE),
            cell(format!("DELETE FROM clinic.prescriptions WHERE id = {rx}"), NONE),
            cell(format!("SELECT substance FROM clinic.allergies WHERE patient_id = {patient}"), NONE),
            cell(
                format!("INSERT INTO clinic.allergies (patient_id, substance) VALUES ({patient}, 'Nuts')"),
                NONE,
            ),
            cell(format!("UPDATE clinic.allergies SET severity = 'mild' WHERE id = {allergy}"), NONE),
            cell(format!("DELETE FROM clinic.allergies WHERE id = {allergy}"), NONE),
        ]);
    }
    rows.extend(
        ["vitals", "diagnoses", "prescriptions", "allergies"]
            .map(|t| cell(format!("TRUNCATE clinic.{t} CASCADE"), NONE)),
    );
    rows
}

/// The clinical functions: a doctor with a care relationship, on their own draft, may; on a signed
/// record, another doctor's record or a patient outside their care, nobody may; no other job may
/// call them at all.
fn function_rows(w: &World) -> Vec<Cell> {
    let (p, po, ps) = (w.p_own, w.p_other, w.p_stranger);
    let (draft, signed, other) = (w.record_draft, w.record_signed, w.record_other);
    let doctor_only = [Denied, Allowed, Denied, Denied];
    let vitals =
        "120::smallint, 80::smallint, 70::smallint, 36.8, 14::smallint, 98::smallint, 80.5, 180";
    let rx = "'Paracetamol', '500 mg', 'tablet', '2', 'oral', '4x daily', 5, 40, 0, NULL";
    vec![
        cell(format!("SELECT clinic.chart({p})"), doctor_only),
        cell(format!("SELECT clinic.chart({po})"), NONE),
        cell(format!("SELECT clinic.chart({ps})"), NONE),
        cell(format!("SELECT clinic.save_vitals({draft}, {vitals})"), doctor_only),
        cell(format!("SELECT clinic.save_vitals({signed}, {vitals})"), NONE),
        cell(format!("SELECT clinic.save_vitals({other}, {vitals})"), NONE),
        cell(format!("SELECT clinic.add_diagnosis({draft}, 'e11.9')"), doctor_only),
        cell(format!("SELECT clinic.add_diagnosis({signed}, 'E11.9')"), NONE),
        cell(format!("SELECT clinic.add_diagnosis({other}, 'E11.9')"), NONE),
        cell(format!("SELECT clinic.remove_diagnosis({})", w.parts_draft[1]), doctor_only),
        cell(format!("SELECT clinic.remove_diagnosis({})", w.parts_signed[1]), NONE),
        cell(format!("SELECT clinic.remove_diagnosis({})", w.parts_other[1]), NONE),
        cell(format!("SELECT clinic.add_prescription({draft}, {rx})"), doctor_only),
        cell(format!("SELECT clinic.add_prescription({signed}, {rx})"), NONE),
        cell(format!("SELECT clinic.add_prescription({other}, {rx})"), NONE),
        cell(format!("SELECT clinic.remove_prescription({})", w.parts_draft[2]), doctor_only),
        cell(format!("SELECT clinic.remove_prescription({})", w.parts_signed[2]), NONE),
        cell(format!("SELECT clinic.remove_prescription({})", w.parts_other[2]), NONE),
        cell(format!("SELECT clinic.record_allergy({p}, 'Latex', 'hives', 'mild')"), doctor_only),
        cell(format!("SELECT clinic.record_allergy({ps}, 'Latex', 'hives', 'mild')"), NONE),
        cell(format!("SELECT clinic.end_allergy({}, 'entered in error')", w.allergy_own), doctor_only),
        cell(format!("SELECT clinic.end_allergy({}, 'entered in error')", w.allergy_other), NONE),
        cell(format!("SELECT clinic.start_consultation({})", w.appt_checked_in), doctor_only),
        cell(format!("SELECT clinic.start_consultation({})", w.appt_other), NONE),
        cell(
            format!("SELECT * FROM clinic.save_encounter(NULL, NULL, {p}, 'Walk-in', 'Sore throat', NULL, NULL, NULL)"),
            doctor_only,
        ),
        cell(
            format!("SELECT * FROM clinic.save_encounter(NULL, NULL, {ps}, 'Walk-in', 'Sore throat', NULL, NULL, NULL)"),
            NONE,
        ),
        cell(
            format!("SELECT * FROM clinic.save_encounter({draft}, 1, {p}, NULL, 'S', 'O', 'A', 'P')"),
            doctor_only,
        ),
        cell(
            format!("SELECT * FROM clinic.save_encounter({signed}, 1, {p}, NULL, 'S', 'O', 'A', 'P')"),
            NONE,
        ),
        cell(
            format!("SELECT * FROM clinic.save_encounter({other}, 1, {po}, NULL, 'S', 'O', 'A', 'P')"),
            NONE,
        ),
        cell("SELECT * FROM clinic.doctor_day(current_date)", [Denied, Allowed, Denied, Denied]),
        cell("SELECT * FROM clinic.my_unsigned()", doctor_only),
        cell("SELECT clinic.clinic_now()", super::ALL),
        // The internal helpers are nobody's to call.
        cell(format!("SELECT clinic.my_draft({draft})"), NONE),
        cell(format!("SELECT clinic.chart_access({p})"), NONE),
        cell(format!("SELECT * FROM clinic.matching_allergies({p}, 'penicillin')"), NONE),
        cell("SELECT clinic.audit_seal_visible(h, 1) FROM clinic.audit_head h", NONE),
    ]
}

#[tokio::test]
async fn matrix_clinical() {
    let w = World::new().await;
    run_matrix(&w, &rows(&w)).await;
}
