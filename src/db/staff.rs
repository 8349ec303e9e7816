//! The staff directory and the privileged steps of its lifecycle (sql/0001, 0023): creating a
//! staff login, moving it to another job, resetting its password, deactivating and reactivating
//! it, each through the database's security-definer function, as the caller's own login.

use tokio_postgres::GenericClient;

use super::DbError;
use crate::domain::staff::Job;
pub use crate::domain::staff::{password_problem, valid_login_name, StaffRow};

/// The SCRAM-SHA-256 verifier for a password, computed here so the password itself never reaches
/// the server or its logs.
pub fn scram_verifier(password: &str) -> String {
    postgres_protocol::password::scram_sha_256(password.as_bytes())
}

/// Create a staff member with their own login in `job`'s group role, through the security-definer
/// function `clinic.add_staff` (an admin, or the owner/superuser when bootstrapping).
pub async fn add_staff(
    client: &impl GenericClient,
    login: &str,
    password: &str,
    full_name: &str,
    job: Job,
) -> Result<i64, DbError> {
    if !valid_login_name(login) {
        return Err(DbError::Invalid(format!(
            "{login:?} is not a usable login name: use lower-case letters, digits and _, starting with a letter"
        )));
    }
    let row = client
        .query_one(
            "SELECT clinic.add_staff($1, $2, $3, $4)",
            &[&login, &scram_verifier(password), &full_name, &job.as_str()],
        )
        .await?;
    Ok(row.get(0))
}

/// The staff directory, by login.
pub async fn list_staff(client: &impl GenericClient) -> Result<Vec<StaffRow>, DbError> {
    let rows = client
        .query(
            "SELECT s.id, s.login, s.full_name, s.job, s.active, COALESCE(r.rolcanlogin, false),
                    s.must_change_password,
                    (SELECT min(a.backend_start) FROM pg_stat_activity a WHERE a.usename = s.login),
                    s.last_sign_in_at
               FROM clinic.staff s LEFT JOIN pg_roles r ON r.rolname = s.login
              ORDER BY s.login",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| StaffRow {
            id: r.get(0),
            login: r.get(1),
            full_name: r.get(2),
            job: r.get(3),
            active: r.get(4),
            can_log_in: r.get(5),
            must_change_password: r.get(6),
            signed_in_since: r.get(7),
            last_sign_in: r.get(8),
        })
        .collect())
}

/// The staff id of `login`.
pub async fn staff_id(client: &impl GenericClient, login: &str) -> Result<i64, DbError> {
    client
        .query_opt("SELECT id FROM clinic.staff WHERE login = $1", &[&login])
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| DbError::Invalid(format!("no staff member has the login {login:?}")))
}

/// Move a person to another job (their group and staff row together).
pub async fn set_job(client: &impl GenericClient, staff_id: i64, job: Job) -> Result<(), DbError> {
    client
        .execute(
            "SELECT clinic.set_staff_job($1, $2)",
            &[&staff_id, &job.as_str()],
        )
        .await?;
    Ok(())
}

/// A new password for a person (they choose their own at the next sign-in).
pub async fn reset_password(
    client: &impl GenericClient,
    staff_id: i64,
    password: &str,
) -> Result<(), DbError> {
    client
        .execute(
            "SELECT clinic.reset_staff_password($1, $2)",
            &[&staff_id, &scram_verifier(password)],
        )
        .await?;
    Ok(())
}

/// The signed-in person's own new password (any job), sent only as a verifier; clears the
/// "choose a new password" mark a reset left.
pub async fn change_own_password(
    client: &impl GenericClient,
    password: &str,
) -> Result<(), DbError> {
    client
        .execute(
            "SELECT clinic.change_own_password($1)",
            &[&scram_verifier(password)],
        )
        .await?;
    Ok(())
}

/// Lock a person out of the app and of PostgreSQL: the number of their sessions ended. `client`
/// must not be inside a transaction: the second call ends what connected before the first one's
/// NOLOGIN was committed (sql/0034).
pub async fn deactivate(client: &impl GenericClient, staff_id: i64) -> Result<i32, DbError> {
    let ended: i32 = client
        .query_one("SELECT clinic.deactivate_staff($1)", &[&staff_id])
        .await?
        .get(0);
    let late: i32 = client
        .query_one("SELECT clinic.end_inactive_sessions($1)", &[&staff_id])
        .await?
        .get(0);
    Ok(ended + late)
}

pub async fn reactivate(client: &impl GenericClient, staff_id: i64) -> Result<(), DbError> {
    client
        .execute("SELECT clinic.reactivate_staff($1)", &[&staff_id])
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names() {
        assert!(valid_login_name("rita"));
        assert!(valid_login_name("dr_smith2"));
        for bad in [
            "",
            "Rita",
            "2rita",
            "ri ta",
            "rita;drop",
            "ri\"ta",
            &"a".repeat(64),
        ] {
            assert!(!valid_login_name(bad), "{bad}");
        }
    }

    #[test]
    fn passwords_are_long_and_leave_the_login_out() {
        assert_eq!(
            password_problem("rita", "short"),
            Some("Use at least 10 characters.")
        );
        assert_eq!(
            password_problem("rita", "Rita-2026-spring"),
            Some("Leave the login name out of the password.")
        );
        assert_eq!(password_problem("rita", "correct horse battery"), None);
    }

    #[test]
    fn the_verifier_hides_the_password() {
        let v = scram_verifier("s3cret");
        assert!(v.starts_with("SCRAM-SHA-256$4096:"));
        assert!(!v.contains("s3cret"));
        assert_ne!(v, scram_verifier("s3cret"), "a fresh salt each time");
    }
}
