//! Applies the ordered SQL migrations in sql/.
//!
//! Each migration runs in its own transaction and is recorded with a checksum of its text; a session
//! advisory lock keeps two runs from interleaving; a migration edited after it was applied is refused.

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// Key of the advisory lock held while migrating ("clinic" in ASCII).
const LOCK_KEY: i64 = 0x636c_696e_6963;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "migration {name} was changed after it was applied to this database \
         (applied checksum {applied}, file now {now}). Put the original text back and make the \
         change in a new migration."
    )]
    Edited {
        name: String,
        applied: String,
        now: String,
    },
    #[error("migration {name} failed: {message}")]
    Failed { name: String, message: String },
    #[error(
        "the database has migration {0}, newer than this clinic knows (it expects schema {SCHEMA}): \
         upgrade clinic on this machine to the version the server was migrated with"
    )]
    Unknown(String),
    #[error(
        "the database has not had migration {0} that this clinic expects (schema {SCHEMA}): an \
         administrator runs `clinic db migrate` with this version first"
    )]
    Behind(String),
    #[error("{0}")]
    Db(#[from] tokio_postgres::Error),
}

/// The database-wide privileges: not copied by `CREATE DATABASE ... TEMPLATE`, so applied on every
/// run rather than recorded as a migration.
pub const DATABASE_GRANTS: &str = r"
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant', current_database());
END $$;
";

/// Seed the clinic's shared settings (name, time zone, currency: `[clinic]`) into the database,
/// where the status rules read "today" from and every desk takes them after sign-in, until an
/// administrator changes them on screen; from then on the database's values stay. The owner's
/// step, run with the migrations. The settings as they now are.
pub async fn seed_settings(
    client: &Client,
    clinic: &crate::config::ClinicConfig,
) -> Result<crate::domain::settings::ClinicSettings, MigrateError> {
    let seeded = |e: super::DbError| MigrateError::Failed {
        name: "clinic settings".into(),
        message: e.to_string(),
    };
    super::clinic_settings::seed(client, &clinic.name, &clinic.time_zone, &clinic.currency)
        .await
        .map_err(seeded)?;
    super::clinic_settings::read(client).await.map_err(seeded)
}

pub fn checksum(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first of `applied` that is not among `known`: a migration from a newer clinic.
fn unknown<'a>(
    mut applied: impl Iterator<Item = &'a str>,
    known: &[(&str, &str)],
) -> Option<String> {
    applied
        .find(|name| !known.iter().any(|(n, _)| n == name))
        .map(str::to_string)
}

/// Whether the database's schema is the one this binary expects, read as any clinic login may
/// (`clinic.schema_migrations()`, sql/0026): refused with words when the database has a
/// migration this binary does not know (upgrade clinic) or lacks one it expects (migrate it).
/// Sign-in and the command line's connections check this before anything else.
pub async fn check_schema(client: &Client) -> Result<(), MigrateError> {
    let applied: Vec<String> = match client.query("SELECT clinic.schema_migrations()", &[]).await {
        Ok(rows) => rows.iter().map(|r| r.get(0)).collect(),
        // A database from before sql/0026 (or never migrated) lacks the function itself.
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_FUNCTION) => {
            Vec::new()
        }
        Err(e) => return Err(e.into()),
    };
    check_applied(&applied, MIGRATIONS)
}

/// [`check_schema`]'s rule over a list of applied names.
pub fn check_applied(applied: &[String], known: &[(&str, &str)]) -> Result<(), MigrateError> {
    if let Some(name) = unknown(applied.iter().map(String::as_str), known) {
        return Err(MigrateError::Unknown(name));
    }
    match known.iter().find(|(n, _)| !applied.iter().any(|a| a == n)) {
        Some((missing, _)) => Err(MigrateError::Behind((*missing).to_string())),
        None => Ok(()),
    }
}

/// Apply what is missing; return the names applied now (empty when up to date).
pub async fn migrate(client: &mut Client) -> Result<Vec<String>, MigrateError> {
    migrate_with(client, MIGRATIONS).await
}

/// [`migrate`] over an explicit list (tests use this to simulate an edited file).
pub async fn migrate_with(
    client: &mut Client,
    migrations: &[(&str, &str)],
) -> Result<Vec<String>, MigrateError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await?;
    let result = apply_all(client, migrations).await;
    // Released even when a migration failed; the session ends soon after anyway.
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
    result
}

async fn apply_all(
    client: &mut Client,
    migrations: &[(&str, &str)],
) -> Result<Vec<String>, MigrateError> {
    client
        .batch_execute(
            "CREATE SCHEMA IF NOT EXISTS clinic_meta;
             REVOKE ALL ON SCHEMA clinic_meta FROM PUBLIC;
             CREATE TABLE IF NOT EXISTS clinic_meta.migrations (
                 name text PRIMARY KEY,
                 checksum text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now(),
                 applied_by text NOT NULL DEFAULT session_user
             );",
        )
        .await?;
    let rows = client
        .query(
            "SELECT name, checksum FROM clinic_meta.migrations ORDER BY name",
            &[],
        )
        .await?;
    let applied: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    if let Some(name) = unknown(applied.iter().map(|(n, _)| n.as_str()), migrations) {
        return Err(MigrateError::Unknown(name));
    }
    let mut done = Vec::new();
    for (name, text) in migrations {
        let now = checksum(text);
        if let Some((_, was)) = applied.iter().find(|(n, _)| n == name) {
            if *was != now {
                return Err(MigrateError::Edited {
                    name: (*name).to_string(),
                    applied: was.clone(),
                    now,
                });
            }
            continue;
        }
        let tx = client.transaction().await?;
        tx.batch_execute(text)
            .await
            .map_err(|e| MigrateError::Failed {
                name: (*name).to_string(),
                message: e.as_db_error().map_or_else(
                    || e.to_string(),
                    |d| format!("{} ({})", d.message(), d.code().code()),
                ),
            })?;
        // A migration may SET ROLE to the owner; the record is written as ourselves.
        tx.batch_execute("RESET ROLE").await?;
        tx.execute(
            "INSERT INTO clinic_meta.migrations (name, checksum) VALUES ($1, $2)",
            &[name, &now],
        )
        .await?;
        tx.commit().await?;
        done.push((*name).to_string());
    }
    client.batch_execute(DATABASE_GRANTS).await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_names_the_last_migration() {
        let last = MIGRATIONS.last().map(|(n, _)| *n).unwrap_or_default();
        assert_eq!(Some(SCHEMA), last.strip_suffix(".sql"));
        assert!(VERSION.starts_with(env!("CARGO_PKG_VERSION")));
        assert!(
            VERSION.ends_with(&format!("(schema {SCHEMA})")),
            "{VERSION}"
        );
    }

    #[test]
    fn a_newer_or_an_older_database_is_refused_in_words() {
        let known = [("0001_a.sql", ""), ("0002_b.sql", "")];
        let all: Vec<String> = known.iter().map(|(n, _)| (*n).to_string()).collect();
        assert!(check_applied(&all, &known).is_ok());
        let mut newer = all.clone();
        newer.push("0003_c.sql".into());
        let e = check_applied(&newer, &known).expect_err("newer");
        assert!(matches!(&e, MigrateError::Unknown(n) if n == "0003_c.sql"));
        assert!(e.to_string().contains("upgrade clinic"), "{e}");
        let e = check_applied(&all[..1], &known).expect_err("older");
        assert!(matches!(&e, MigrateError::Behind(n) if n == "0002_b.sql"));
        assert!(e.to_string().contains("clinic db migrate"), "{e}");
    }
}
