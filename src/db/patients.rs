//! Patients: reading one, registering, and editing with optimistic concurrency; the lookup and the
//! duplicate check are in [`search`].
//!
//! An edit names the version it started from. When another desk saved in between, nothing is
//! overwritten: the caller gets who changed it, when, and which fields now differ from what was
//! typed, and keeps the typed values to try again.

mod names;
mod search;
// The summary's extra reads (billing view, appointments, balance), added by the patients screen.
mod summary;

use chrono::{DateTime, Utc};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row};

use self::search::other;
pub use self::search::{duplicates, explain_duplicates, explain_search, search, sequential_scans};
pub use self::summary::{
    get_billing, open_balance, patient_appointments, patient_appointments_for_billing,
};
use super::DbError;
use crate::domain::patient::{FieldError, Patient, PatientField, Sex, ValidPatient};

/// Every stored column of a patient but the derived search keys, in `Patient`'s order.
const PATIENT_COLS: &str = "p.id, p.patient_number, p.family_name, p.given_names, p.preferred_name, \
     p.date_of_birth, p.sex, p.gender_identity, p.phone, p.email, p.address_line1, p.address_line2, \
     p.city, p.postcode, p.emergency_contact_name, p.emergency_contact_phone, p.insurer, \
     p.insurance_number, p.created_at, p.created_by, p.updated_at, p.updated_by, p.version";

/// The editable columns, in `ValidPatient`'s order; `$1` onwards in `insert` and `$3` onwards in
/// `update`.
const EDITABLE: [&str; 16] = [
    "family_name",
    "given_names",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender_identity",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "postcode",
    "emergency_contact_name",
    "emergency_contact_phone",
    "insurer",
    "insurance_number",
];

/// Why a registration or an edit was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Someone else saved this patient since it was opened. Nothing was written; the typed values
    /// are still the caller's.
    #[error(
        "{changed_by} changed this patient at {changed_at}; look at the differences and save again"
    )]
    Stale {
        current: Box<Patient>,
        /// The full name of whoever saved last ("another user" when no staff member did).
        changed_by: String,
        changed_at: DateTime<Utc>,
        /// (field, what is stored now, what was typed), for the fields that differ.
        differences: Vec<(PatientField, String, String)>,
    },
    /// The database refused a value; the form can point at the field.
    #[error("{0}")]
    Invalid(FieldError),
    /// No such patient (or not one this login may change).
    #[error("that patient is not there")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The edit form's name for the same thing.
pub type UpdateError = SaveError;

impl From<tokio_postgres::Error> for SaveError {
    fn from(e: tokio_postgres::Error) -> Self {
        field_error(&e).map_or_else(|| SaveError::Db(e.into()), SaveError::Invalid)
    }
}

/// A constraint violation as a field and a sentence: a CHECK names its column through its
/// constraint name (`patients_<column>_check`), the date-of-birth trigger and NOT NULL through the
/// error's column.
fn field_error(e: &tokio_postgres::Error) -> Option<FieldError> {
    let db = e.as_db_error()?;
    let code = db.code();
    if *code != SqlState::CHECK_VIOLATION && *code != SqlState::NOT_NULL_VIOLATION {
        return None;
    }
    let field = db
        .column()
        .and_then(PatientField::from_column)
        .or_else(|| {
            db.constraint()
                .and_then(|c| c.strip_prefix("patients_"))
                .and_then(|c| c.strip_suffix("_check"))
                .and_then(PatientField::from_column)
        })?;
    let message = match field {
        // The trigger's own words are already the desk's ("date of birth is in the future").
        PatientField::DateOfBirth if db.column().is_some() => capitalise(db.message()),
        PatientField::Phone | PatientField::EmergencyContactPhone => {
            "A phone number has 6 to 30 characters: digits, spaces and + ( ) . -".to_string()
        }
        PatientField::Email => {
            "That does not look like an email address (name@example.com).".to_string()
        }
        PatientField::Sex => "Enter female, male, intersex or unknown.".to_string(),
        f if *code == SqlState::NOT_NULL_VIOLATION => format!("{} is required.", f.label()),
        f => format!(
            "The {} was not accepted (too long or empty).",
            f.label().to_lowercase()
        ),
    };
    Some(FieldError::new(field, message))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn patient(row: &Row) -> Result<Patient, DbError> {
    let sex: String = row.try_get(6).map_err(other)?;
    Ok(Patient {
        id: row.try_get(0).map_err(other)?,
        patient_number: row.try_get(1).map_err(other)?,
        family_name: row.try_get(2).map_err(other)?,
        given_names: row.try_get(3).map_err(other)?,
        preferred_name: row.try_get(4).map_err(other)?,
        date_of_birth: row.try_get(5).map_err(other)?,
        sex: Sex::parse(&sex).ok_or_else(|| DbError::Other(format!("unknown sex {sex:?}")))?,
        gender_identity: row.try_get(7).map_err(other)?,
        phone: row.try_get(8).map_err(other)?,
        email: row.try_get(9).map_err(other)?,
        address_line1: row.try_get(10).map_err(other)?,
        address_line2: row.try_get(11).map_err(other)?,
        city: row.try_get(12).map_err(other)?,
        postcode: row.try_get(13).map_err(other)?,
        emergency_contact_name: row.try_get(14).map_err(other)?,
        emergency_contact_phone: row.try_get(15).map_err(other)?,
        insurer: row.try_get(16).map_err(other)?,
        insurance_number: row.try_get(17).map_err(other)?,
        created_at: row.try_get(18).map_err(other)?,
        created_by: row.try_get(19).map_err(other)?,
        updated_at: row.try_get(20).map_err(other)?,
        updated_by: row.try_get(21).map_err(other)?,
        version: row.try_get(22).map_err(other)?,
    })
}

/// The editable values as statement parameters, in `EDITABLE`'s order.
fn values(p: &ValidPatient) -> Vec<(&(dyn ToSql + Sync), Type)> {
    vec![
        (&p.family_name, Type::TEXT),
        (&p.given_names, Type::TEXT),
        (&p.preferred_name, Type::TEXT),
        (&p.date_of_birth, Type::DATE),
        (sex_param(p.sex), Type::TEXT),
        (&p.gender_identity, Type::TEXT),
        (&p.phone, Type::TEXT),
        (&p.email, Type::TEXT),
        (&p.address_line1, Type::TEXT),
        (&p.address_line2, Type::TEXT),
        (&p.city, Type::TEXT),
        (&p.postcode, Type::TEXT),
        (&p.emergency_contact_name, Type::TEXT),
        (&p.emergency_contact_phone, Type::TEXT),
        (&p.insurer, Type::TEXT),
        (&p.insurance_number, Type::TEXT),
    ]
}

/// The stored word for `sex`, as a parameter that lives as long as any statement.
fn sex_param(sex: Sex) -> &'static (dyn ToSql + Sync) {
    match sex {
        Sex::Female => &"female",
        Sex::Male => &"male",
        Sex::Intersex => &"intersex",
        Sex::Unknown => &"unknown",
    }
}

/// One patient by id; `None` when there is none this login may read.
pub async fn get(client: &Client, id: i64) -> Result<Option<Patient>, DbError> {
    let sql = format!("SELECT {PATIENT_COLS} FROM clinic.patients p WHERE p.id = $1");
    let row = client.query_typed(&sql, &[(&id, Type::INT8)]).await?;
    row.first().map(patient).transpose()
}

/// Register a patient. The database assigns the id and patient number and records who did it.
pub async fn insert(client: &Client, p: &ValidPatient) -> Result<Patient, SaveError> {
    let placeholders: Vec<String> = (1..=EDITABLE.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO clinic.patients AS p ({}) VALUES ({}) RETURNING {PATIENT_COLS}",
        EDITABLE.join(", "),
        placeholders.join(", ")
    );
    let rows = client.query_typed(&sql, &values(p)).await?;
    let row = rows.first().ok_or(SaveError::NotFound)?;
    Ok(patient(row)?)
}

/// Save an edit made to version `expected_version` of patient `id`. Only that version is changed;
/// if someone saved in between, nothing is written and [`SaveError::Stale`] says who, when and
/// what differs.
pub async fn update(
    client: &Client,
    id: i64,
    expected_version: i32,
    p: &ValidPatient,
) -> Result<Patient, SaveError> {
    let sets: Vec<String> = EDITABLE
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 3))
        .collect();
    let sql = format!(
        "UPDATE clinic.patients AS p SET {} WHERE p.id = $1 AND p.version = $2 RETURNING {PATIENT_COLS}",
        sets.join(", ")
    );
    let mut params: Vec<(&(dyn ToSql + Sync), Type)> =
        vec![(&id, Type::INT8), (&expected_version, Type::INT4)];
    params.extend(values(p));
    let rows = client.query_typed(&sql, &params).await?;
    if let Some(row) = rows.first() {
        return Ok(patient(row)?);
    }
    // Nothing matched: gone, or someone saved first. Read what is there now, and who saved it.
    let sql = format!(
        "SELECT {PATIENT_COLS}, s.full_name FROM clinic.patients p LEFT JOIN clinic.staff s ON s.id = p.updated_by
          WHERE p.id = $1"
    );
    let rows = client.query_typed(&sql, &[(&id, Type::INT8)]).await?;
    let row = rows.first().ok_or(SaveError::NotFound)?;
    let current = patient(row)?;
    if current.version == expected_version {
        // Readable, at the expected version, and yet not updatable: row security said no.
        return Err(SaveError::Db(DbError::Forbidden));
    }
    let changed_by: Option<String> = row
        .try_get(PATIENT_COLS.split(',').count())
        .map_err(other)?;
    Err(SaveError::Stale {
        differences: current.details().differences(p),
        changed_by: changed_by.unwrap_or_else(|| "another user".to_string()),
        changed_at: current.updated_at,
        current: Box::new(current),
    })
}
