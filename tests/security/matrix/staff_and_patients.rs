//! The staff directory, patient demographics, and the words of patients' names kept for search.

use super::{cell, run_matrix, Cell, ALL, NONE};
use crate::common::{sid, Allowed, Denied, World};

/// The rows of [`matrix_staff_and_patients`].
pub fn rows(w: &World) -> Vec<Cell> {
    let (p, s) = (w.p_own, sid(&w.receptionist));
    let od = sid(&w.other_doctor);
    let hire = format!("{}_hire", w.db.name);
    let verifier = clinic::db::staff::scram_verifier("a new hire's password");
    let billing_cols = "id, patient_number, family_name, given_names, preferred_name, date_of_birth, phone, email, \
                        address_line1, address_line2, city, postcode, insurer, insurance_number";
    vec![
        // staff directory: everyone reads; nobody writes except through add_staff.
        cell("SELECT * FROM clinic.staff", ALL),
        cell(
            "INSERT INTO clinic.staff (login, full_name, job) VALUES ('zed', 'Zed', 'admin')",
            NONE,
        ),
        cell(
            format!("UPDATE clinic.staff SET job = 'admin' WHERE id = {s}"),
            NONE,
        ),
        cell("UPDATE clinic.staff SET active = false", NONE),
        cell(format!("DELETE FROM clinic.staff WHERE id = {s}"), NONE),
        cell("TRUNCATE clinic.staff", NONE),
        cell(
            format!("SELECT clinic.add_staff('{hire}', '{verifier}', 'New Hire', 'doctor')"),
            [Allowed, Denied, Denied, Denied],
        ),
        // The lifecycle (sql/0023): the admin's steps, rolled back after each cell; deactivating
        // ends sessions (not undone by a rollback), so it has its own tests (tests/staff_lifecycle.rs).
        cell(
            format!("SELECT clinic.set_staff_job({od}, 'receptionist')"),
            [Allowed, Denied, Denied, Denied],
        ),
        cell(
            format!("SELECT clinic.reset_staff_password({od}, '{verifier}')"),
            [Allowed, Denied, Denied, Denied],
        ),
        cell(
            format!("SELECT clinic.reactivate_staff({od})"),
            [Allowed, Denied, Denied, Denied],
        ),
        cell(format!("SELECT clinic.change_own_password('{verifier}')"), ALL),
        cell("SELECT * FROM clinic.whoami() WHERE job IS NOT NULL", ALL),
        // The applied migrations' names, for the desks' schema check (sql/0026); clinic_meta itself
        // stays closed.
        cell("SELECT * FROM clinic.schema_migrations()", ALL),
        cell("SELECT * FROM clinic_meta.migrations", NONE),
        cell(
            "SELECT clinic.current_staff_id() WHERE clinic.current_staff_id() IS NOT NULL",
            ALL,
        ),
        // patients: everyone reads, the accountant only the billing columns.
        cell(
            "SELECT * FROM clinic.patients",
            [Allowed, Allowed, Allowed, Denied],
        ),
        cell(format!("SELECT {billing_cols} FROM clinic.patients"), ALL),
        cell(
            "SELECT sex FROM clinic.patients",
            [Allowed, Allowed, Allowed, Denied],
        ),
        cell(
            "SELECT gender_identity FROM clinic.patients",
            [Allowed, Allowed, Allowed, Denied],
        ),
        cell(
            "SELECT emergency_contact_name FROM clinic.patients",
            [Allowed, Allowed, Allowed, Denied],
        ),
        cell(
            "SELECT emergency_contact_phone FROM clinic.patients",
            [Allowed, Allowed, Allowed, Denied],
        ),
        cell(
            "SELECT p FROM clinic.patients p",
            [Allowed, Allowed, Allowed, Denied],
        ),
        cell(
            "SELECT id FROM clinic.patients WHERE sex = 'female'",
            [Allowed, Allowed, Allowed, Denied],
        ),
        // reception registers and edits; nobody deletes.
        cell(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
             VALUES ('New', 'Patient', DATE '1990-05-05', 'male')",
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.patients SET phone = '0209876543' WHERE id = {p}"),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(
            format!("UPDATE clinic.patients SET insurer = 'Other Health' WHERE id = {p}"),
            [Denied, Denied, Allowed, Denied],
        ),
        cell(format!("DELETE FROM clinic.patients WHERE id = {p}"), NONE),
        cell("TRUNCATE clinic.patients CASCADE", NONE),
        // The words of patients' names, for search: everyone reads (the accountant too: names are
        // billing fields); only the database writes them, as patients are registered or renamed.
        cell("SELECT * FROM clinic.patient_name_words", ALL),
        cell(
            "INSERT INTO clinic.patient_name_words (word, variants) VALUES ('zzyzx', ARRAY['zzyzx'])",
            NONE,
        ),
        cell("UPDATE clinic.patient_name_words SET patient_count = 0", NONE),
        cell("DELETE FROM clinic.patient_name_words", NONE),
    ]
}

#[tokio::test]
async fn matrix_staff_and_patients() {
    let w = World::new().await;
    run_matrix(&w, &rows(&w)).await;
}
