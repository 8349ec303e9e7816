//! What the patient summary reads besides the record itself: the accountant's narrower view of a
//! patient, the patient's appointments around now, and the open balance.
//!
//! Each runs as the caller's own login, so row-level security still decides: a doctor's list holds
//! only their own appointments, and the balance is asked for only by roles that may read invoices.

use chrono::{DateTime, Utc};
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Row};

use super::search::other;
use crate::db::DbError;
use crate::domain::appointment::{AppointmentStatus, PatientAppointment};
use crate::domain::money::{Currency, Money};
use crate::domain::patient::BillingPatient;

/// One patient by id with only the billing columns; `None` when there is none this login may read.
pub async fn get_billing(client: &Client, id: i64) -> Result<Option<BillingPatient>, DbError> {
    let rows = client
        .query_typed(
            "SELECT p.id, p.patient_number, p.family_name, p.given_names, p.preferred_name,
                    p.date_of_birth, p.phone, p.email, p.address_line1, p.address_line2, p.city,
                    p.postcode, p.insurer, p.insurance_number
               FROM clinic.patients p WHERE p.id = $1",
            &[(&id, Type::INT8)],
        )
        .await?;
    rows.first().map(billing_patient).transpose()
}

fn billing_patient(r: &Row) -> Result<BillingPatient, DbError> {
    Ok(BillingPatient {
        id: r.try_get(0).map_err(other)?,
        patient_number: r.try_get(1).map_err(other)?,
        family_name: r.try_get(2).map_err(other)?,
        given_names: r.try_get(3).map_err(other)?,
        preferred_name: r.try_get(4).map_err(other)?,
        date_of_birth: r.try_get(5).map_err(other)?,
        phone: r.try_get(6).map_err(other)?,
        email: r.try_get(7).map_err(other)?,
        address_line1: r.try_get(8).map_err(other)?,
        address_line2: r.try_get(9).map_err(other)?,
        city: r.try_get(10).map_err(other)?,
        postcode: r.try_get(11).map_err(other)?,
        insurer: r.try_get(12).map_err(other)?,
        insurance_number: r.try_get(13).map_err(other)?,
    })
}

/// The patient's appointments around `around`: up to `each` still to come (soonest first, the
/// one under way included) and up to `each` before it (latest first), each list one range of the
/// (patient_id, starts_at) index however long the patient's history is.
pub async fn patient_appointments(
    client: &Client,
    patient_id: i64,
    around: DateTime<Utc>,
    each: i64,
) -> Result<Vec<PatientAppointment>, DbError> {
    appointments_around(client, "a.version, a.reason", patient_id, around, each).await
}

/// The same for billing, with only the columns granted to accountants: the reason can be
/// clinical, and the version is only needed to change an appointment (0 here, `reason` none).
pub async fn patient_appointments_for_billing(
    client: &Client,
    patient_id: i64,
    around: DateTime<Utc>,
    each: i64,
) -> Result<Vec<PatientAppointment>, DbError> {
    appointments_around(client, "0, NULL::text", patient_id, around, each).await
}

async fn appointments_around(
    client: &Client,
    version_and_reason: &str,
    patient_id: i64,
    around: DateTime<Utc>,
    each: i64,
) -> Result<Vec<PatientAppointment>, DbError> {
    let cols = format!("a.id, a.starts_at, a.ends_at, s.full_name, a.status, {version_and_reason}");
    let sql = format!(
        "(SELECT {cols} FROM clinic.appointments a JOIN clinic.staff s ON s.id = a.doctor_id
           WHERE a.patient_id = $1 AND a.starts_at >= $2
           ORDER BY a.starts_at LIMIT $3)
         UNION ALL
         (SELECT {cols} FROM clinic.appointments a JOIN clinic.staff s ON s.id = a.doctor_id
           WHERE a.patient_id = $1 AND a.starts_at < $2
           ORDER BY a.starts_at DESC LIMIT $3)"
    );
    let rows = client
        .query_typed(
            &sql,
            &[
                (&patient_id, Type::INT8),
                (&around, Type::TIMESTAMPTZ),
                (&each, Type::INT8),
            ],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get(4).map_err(other)?;
            Ok(PatientAppointment {
                id: r.try_get(0).map_err(other)?,
                starts_at: r.try_get(1).map_err(other)?,
                ends_at: r.try_get(2).map_err(other)?,
                doctor: r.try_get(3).map_err(other)?,
                status: AppointmentStatus::parse(&status).ok_or_else(|| {
                    DbError::Other(format!("unknown appointment status {status:?}"))
                })?,
                version: r.try_get(5).map_err(other)?,
                reason: r.try_get(6).map_err(other)?,
            })
        })
        .collect()
}

/// What the patient owes on open invoices (kind invoice, issued or partly paid: the total less
/// what was paid and what credit notes took off), per currency (none when nothing is owed): the
/// figure Billing shows as owed for the patient. Only for roles that may read invoices; a
/// doctor's login is refused by the database.
pub async fn open_balance(client: &Client, patient_id: i64) -> Result<Vec<Money>, DbError> {
    let rows = client
        .query_typed(
            "SELECT i.currency::text, pg_catalog.sum(i.total_minor - i.paid_minor - i.credited_minor)::int8
               FROM clinic.invoices i
              WHERE i.patient_id = $1 AND i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid')
              GROUP BY i.currency
             HAVING pg_catalog.sum(i.total_minor - i.paid_minor - i.credited_minor) <> 0
              ORDER BY i.currency",
            &[(&patient_id, Type::INT8)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let code: String = r.try_get(0).map_err(other)?;
            let currency = Currency::parse(&code)
                .ok_or_else(|| DbError::Other(format!("unknown currency {code:?}")))?;
            Ok(Money::new(r.try_get(1).map_err(other)?, currency))
        })
        .collect()
}
