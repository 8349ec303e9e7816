//! The doctor's side, through the database's functions only (sql/0014): no clinical table is
//! readable or writable directly by any staff role, so every call here is one of clinic.chart,
//! clinic.doctor_day, clinic.start_consultation, clinic.save_encounter, ... and the database
//! decides whether the caller may.

use chrono::{DateTime, NaiveDate, Utc};
use tokio_postgres::error::SqlState;
use tokio_postgres::GenericClient;

use super::DbError;
use crate::domain::appointment::AppointmentStatus;
use crate::domain::record::{
    Chart, DayVisit, EncounterNote, NewPrescription, Severity, UnsignedRecord, VitalsValues,
};

/// SQLSTATE of clinic.add_prescription's allergy warning.
const ALLERGY_WARNING: &str = "CL001";

/// Why a prescription was not added.
#[derive(Debug, thiserror::Error)]
pub enum PrescribeError {
    /// The drug matches a recorded allergy; confirm to prescribe it anyway. The allergy, in words.
    #[error("{0}")]
    Allergy(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The whole chart of a patient, in one audited read (the audit entry is written in the same
/// transaction as the read, whoever calls).
pub async fn chart(client: &impl GenericClient, patient_id: i64) -> Result<Chart, DbError> {
    // As text, parsed straight into the types (no intermediate JSON value for a large chart).
    let row = client
        .query_one("SELECT clinic.chart($1)::text", &[&patient_id])
        .await?;
    let text: &str = row.get(0);
    serde_json::from_str(text).map_err(|e| DbError::Other(format!("the chart's shape: {e}")))
}

/// The caller's appointments of one clinic day.
pub async fn doctor_day(
    client: &impl GenericClient,
    day: NaiveDate,
) -> Result<Vec<DayVisit>, DbError> {
    let rows = client
        .query(
            "SELECT appointment_id, starts_at, ends_at, status, status_changed_at, reason, patient_id,
                    patient_number, family_name, given_names, date_of_birth, has_allergies, record_id,
                    record_signed_at
               FROM clinic.doctor_day($1)",
            &[&day],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.get(3);
            Ok(DayVisit {
                appointment_id: r.get(0),
                starts_at: r.get(1),
                ends_at: r.get(2),
                status: AppointmentStatus::parse(&status).ok_or_else(|| {
                    DbError::Other(format!("unknown appointment status {status:?}"))
                })?,
                status_changed_at: r.get(4),
                reason: r.get(5),
                patient_id: r.get(6),
                patient_number: r.get(7),
                family_name: r.get(8),
                given_names: r.get(9),
                date_of_birth: r.get(10),
                has_allergies: r.get(11),
                record_id: r.get(12),
                record_signed_at: r.get(13),
            })
        })
        .collect()
}

/// The caller's unsigned records, oldest first.
pub async fn my_unsigned(client: &impl GenericClient) -> Result<Vec<UnsignedRecord>, DbError> {
    let rows = client
        .query(
            "SELECT record_id, recorded_at, summary, patient_id, family_name, given_names, appointment_id
               FROM clinic.my_unsigned()",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| UnsignedRecord {
            record_id: r.get(0),
            recorded_at: r.get(1),
            summary: r.get(2),
            patient_id: r.get(3),
            family_name: r.get(4),
            given_names: r.get(5),
            appointment_id: r.get(6),
        })
        .collect())
}

/// Start the consultation of one of the caller's checked-in appointments; its encounter's id
/// (the same one when started again).
pub async fn start_consultation(
    client: &impl GenericClient,
    appointment_id: i64,
) -> Result<i64, DbError> {
    Ok(client
        .query_one("SELECT clinic.start_consultation($1)", &[&appointment_id])
        .await?
        .get(0))
}

/// Save an encounter's note: a new one (a walk-in) when `id` is None, else the caller's draft at
/// `version`. The id and the new version. A stale version is a [`DbError::Conflict`].
pub async fn save_encounter(
    client: &impl GenericClient,
    id: Option<i64>,
    version: Option<i32>,
    patient_id: i64,
    note: &EncounterNote,
) -> Result<(i64, i32), DbError> {
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let row = client
        .query_one(
            "SELECT id, version FROM clinic.save_encounter($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id,
                &version,
                &patient_id,
                &note.summary,
                &text(&note.subjective),
                &text(&note.objective),
                &text(&note.assessment),
                &text(&note.plan),
            ],
        )
        .await?;
    Ok((row.get(0), row.get(1)))
}

/// The encounter's vitals (all empty removes them).
pub async fn save_vitals(
    client: &impl GenericClient,
    record_id: i64,
    v: &VitalsValues,
) -> Result<(), DbError> {
    client
        .execute(
            "SELECT clinic.save_vitals($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &record_id,
                &v.systolic,
                &v.diastolic,
                &v.pulse,
                &v.temperature_c,
                &v.respiratory,
                &v.spo2,
                &v.weight_kg,
                &v.height_cm,
            ],
        )
        .await?;
    Ok(())
}

pub async fn add_diagnosis(
    client: &impl GenericClient,
    record_id: i64,
    code: &str,
    note: Option<&str>,
    primary: bool,
) -> Result<i64, DbError> {
    Ok(client
        .query_one(
            "SELECT clinic.add_diagnosis($1, $2, $3, $4)",
            &[&record_id, &code, &note, &primary],
        )
        .await?
        .get(0))
}

pub async fn remove_diagnosis(
    client: &impl GenericClient,
    diagnosis_id: i64,
) -> Result<(), DbError> {
    client
        .execute("SELECT clinic.remove_diagnosis($1)", &[&diagnosis_id])
        .await?;
    Ok(())
}

/// Prescribe on the caller's draft; `allergy_confirmed` after the prescriber saw the warning.
pub async fn add_prescription(
    client: &impl GenericClient,
    record_id: i64,
    rx: &NewPrescription,
    allergy_confirmed: bool,
) -> Result<i64, PrescribeError> {
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let result = client
        .query_one(
            "SELECT clinic.add_prescription($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &record_id,
                &rx.drug,
                &text(&rx.strength),
                &text(&rx.form),
                &text(&rx.dose),
                &text(&rx.route),
                &text(&rx.frequency),
                &rx.duration_days,
                &rx.quantity,
                &rx.refills,
                &text(&rx.instructions),
                &allergy_confirmed,
            ],
        )
        .await;
    match result {
        Ok(row) => Ok(row.get(0)),
        Err(e) => match e.as_db_error() {
            Some(db) if db.code() == &SqlState::from_code(ALLERGY_WARNING) => {
                Err(PrescribeError::Allergy(db.message().to_string()))
            }
            _ => Err(PrescribeError::Db(e.into())),
        },
    }
}

pub async fn remove_prescription(
    client: &impl GenericClient,
    prescription_id: i64,
) -> Result<(), DbError> {
    client
        .execute("SELECT clinic.remove_prescription($1)", &[&prescription_id])
        .await?;
    Ok(())
}

pub async fn record_allergy(
    client: &impl GenericClient,
    patient_id: i64,
    substance: &str,
    reaction: Option<&str>,
    severity: Severity,
) -> Result<i64, DbError> {
    Ok(client
        .query_one(
            "SELECT clinic.record_allergy($1, $2, $3, $4)",
            &[&patient_id, &substance, &reaction, &severity.as_str()],
        )
        .await?
        .get(0))
}

pub async fn end_allergy(
    client: &impl GenericClient,
    allergy_id: i64,
    reason: &str,
) -> Result<(), DbError> {
    client
        .execute("SELECT clinic.end_allergy($1, $2)", &[&allergy_id, &reason])
        .await?;
    Ok(())
}

/// Sign the caller's draft (the screen has checked the password again); a consultation's
/// appointment is completed with it.
pub async fn sign(client: &impl GenericClient, record_id: i64) -> Result<(), DbError> {
    client
        .execute("SELECT clinic.sign_record($1)", &[&record_id])
        .await?;
    Ok(())
}

/// An amendment of a signed record: a new record pointing at it. Its id.
pub async fn amend(
    client: &impl GenericClient,
    record_id: i64,
    patient_id: i64,
    summary: &str,
    text: &str,
) -> Result<i64, DbError> {
    Ok(client
        .query_one(
            "SELECT clinic.save_record(NULL, NULL, $1, 'amendment', $2, NULL, NULL, $3, NULL, $4)",
            &[&patient_id, &summary, &text, &record_id],
        )
        .await?
        .get(0))
}

/// Break-the-glass: open a chart outside the care relationship for `minutes`, stating why. Until
/// when the grant lasts.
pub async fn break_glass(
    client: &impl GenericClient,
    patient_id: i64,
    reason: &str,
    minutes: i32,
) -> Result<DateTime<Utc>, DbError> {
    Ok(client
        .query_one(
            "SELECT clinic.break_glass($1, $2, $3)",
            &[&patient_id, &reason, &minutes],
        )
        .await?
        .get(0))
}
