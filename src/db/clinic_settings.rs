//! The clinic's shared settings and the emergency accesses waiting for review (sql/0024, 0027):
//! read by everyone at sign-in (the settings) and changed by an administrator, through the
//! database's checked, audited functions.

use tokio_postgres::GenericClient;

use super::DbError;
pub use crate::domain::settings::AccessToReview;
use crate::domain::settings::ClinicSettings;

const SETTINGS: &str = "SELECT clinic_name, time_zone, currency, idle_lock_minutes,
        break_glass_max_minutes, version, changed_at, changed_by FROM clinic.settings";

fn settings_of(r: &tokio_postgres::Row) -> ClinicSettings {
    ClinicSettings {
        clinic_name: r.get(0),
        time_zone: r.get(1),
        currency: r.get(2),
        idle_lock_minutes: r.get(3),
        break_glass_max_minutes: r.get(4),
        version: r.get(5),
        changed_at: r.get(6),
        changed_by: r.get(7),
    }
}

/// The settings as the database keeps them.
pub async fn read(client: &impl GenericClient) -> Result<ClinicSettings, DbError> {
    let row = client.query_one(SETTINGS, &[]).await?;
    Ok(settings_of(&row))
}

/// An administrator's change; `settings.version` is the one read. The settings as stored after.
pub async fn update(
    client: &impl GenericClient,
    settings: &ClinicSettings,
) -> Result<ClinicSettings, DbError> {
    client
        .execute(
            "SELECT clinic.update_settings($1, $2, $3, $4, $5, $6)",
            &[
                &settings.version,
                &settings.clinic_name,
                &settings.time_zone,
                &settings.currency,
                &settings.idle_lock_minutes,
                &settings.break_glass_max_minutes,
            ],
        )
        .await?;
    read(client).await
}

/// Seed the settings from a config's `[clinic]` while no administrator has changed them (the
/// migration's step, as the owner). Whether the config's values were taken.
pub async fn seed(
    client: &impl GenericClient,
    name: &str,
    time_zone: &str,
    currency: &str,
) -> Result<bool, DbError> {
    let row = client
        .query_one(
            "SELECT clinic.seed_settings($1, $2, $3)",
            &[&name, &time_zone, &currency],
        )
        .await?;
    Ok(row.get(0))
}

/// Record the app's sign-in on the person's staff row (for "last sign-in").
pub async fn note_sign_in(client: &impl GenericClient) -> Result<(), DbError> {
    client.execute("SELECT clinic.note_sign_in()", &[]).await?;
    Ok(())
}

/// The queue, oldest first.
pub async fn accesses_to_review(
    client: &impl GenericClient,
) -> Result<Vec<AccessToReview>, DbError> {
    let rows = client
        .query(
            "SELECT access_id, doctor_name, patient_id, patient_number, patient_name, reason,
                    granted_at, minutes
               FROM clinic.emergency_accesses_to_review()",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| AccessToReview {
            access_id: r.get(0),
            doctor_name: r.get(1),
            patient_id: r.get(2),
            patient_number: r.get(3),
            patient_name: r.get(4),
            reason: r.get(5),
            granted_at: r.get(6),
            minutes: r.get(7),
        })
        .collect())
}

/// Mark one reviewed, with the note (kept in its own append-only table).
pub async fn review(
    client: &impl GenericClient,
    access_id: i64,
    note: &str,
) -> Result<(), DbError> {
    client
        .execute(
            "SELECT clinic.review_emergency_access($1, $2)",
            &[&access_id, &note],
        )
        .await?;
    Ok(())
}
