//! The staff directory and the privileged step of creating a staff login.

use tokio_postgres::GenericClient;

use super::DbError;
use crate::domain::staff::Job;

/// Whether `login` is an acceptable PostgreSQL login name for a staff member: lower-case letters,
/// digits and `_`, starting with a letter, at most 63 bytes (so no quoting is ever needed).
pub fn valid_login_name(login: &str) -> bool {
    let mut chars = login.chars();
    matches!(chars.next(), Some('a'..='z'))
        && login.len() <= 63
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

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
    fn the_verifier_hides_the_password() {
        let v = scram_verifier("s3cret");
        assert!(v.starts_with("SCRAM-SHA-256$4096:"));
        assert!(!v.contains("s3cret"));
        assert_ne!(v, scram_verifier("s3cret"), "a fresh salt each time");
    }
}
