//! Who works here and what their job lets them open.

use std::fmt;

/// A staff member's job. Each login is a member of exactly one job's group role in PostgreSQL, and
/// that membership, not this value, is what the database enforces; the app uses it only to decide
/// which screens to offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    Admin,
    Doctor,
    Receptionist,
    Accountant,
}

impl Job {
    pub const ALL: [Job; 4] = [Job::Admin, Job::Doctor, Job::Receptionist, Job::Accountant];

    /// The PostgreSQL group role that carries this job's privileges.
    pub fn group_role(self) -> &'static str {
        match self {
            Job::Admin => "clinic_admin",
            Job::Doctor => "clinic_doctor",
            Job::Receptionist => "clinic_receptionist",
            Job::Accountant => "clinic_accountant",
        }
    }

    /// The value stored in `clinic.staff.job` and returned by `clinic.whoami()`.
    pub fn as_str(self) -> &'static str {
        match self {
            Job::Admin => "admin",
            Job::Doctor => "doctor",
            Job::Receptionist => "receptionist",
            Job::Accountant => "accountant",
        }
    }

    pub fn parse(s: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.as_str() == s)
    }

    /// Short label for the status bar.
    pub fn label(self) -> &'static str {
        match self {
            Job::Admin => "admin",
            Job::Doctor => "doctor",
            Job::Receptionist => "reception",
            Job::Accountant => "accounts",
        }
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `login` is an acceptable PostgreSQL login name for a staff member: lower-case letters,
/// digits and `_`, starting with a letter, at most 63 bytes (so no quoting is ever needed).
pub fn valid_login_name(login: &str) -> bool {
    let mut chars = login.chars();
    matches!(chars.next(), Some('a'..='z'))
        && login.len() <= 63
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// Why `password` will not do for `login`, in words, or None: at least 10 characters, and not
/// the login name in it (the server only ever sees a verifier, so this is checked here).
pub fn password_problem(login: &str, password: &str) -> Option<&'static str> {
    if password.chars().count() < 10 {
        return Some("Use at least 10 characters.");
    }
    if !login.is_empty() && password.to_lowercase().contains(&login.to_lowercase()) {
        return Some("Leave the login name out of the password.");
    }
    None
}

/// One person of the staff directory, with what PostgreSQL knows of their login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub id: i64,
    pub login: String,
    pub full_name: String,
    pub job: String,
    pub active: bool,
    /// Locked out of PostgreSQL too (NOLOGIN), as a deactivated person is.
    pub can_log_in: bool,
    pub must_change_password: bool,
    /// Signed in now: when their oldest open session began (PostgreSQL keeps no last sign-in).
    pub signed_in_since: Option<chrono::DateTime<chrono::Utc>>,
    /// When the app last signed them in (sql/0027; a psql session is not counted).
    pub last_sign_in: Option<chrono::DateTime<chrono::Utc>>,
}

/// The logged-in person, as the database reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffIdentity {
    pub staff_id: i64,
    pub login: String,
    pub full_name: String,
    pub job: Job,
}

/// Why a login did not succeed, each in words for the login screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("Wrong username or password.")]
    BadCredentials,
    #[error("This login has no job at this clinic. Ask an administrator to set you up.")]
    NoJob,
    #[error("Cannot reach the database server at {0}. Is it running?")]
    Unreachable(String),
    #[error("Secure connection failed: {0}")]
    Tls(String),
    #[error("Sign-in failed: {0}")]
    Other(String),
    /// The database has a migration this binary does not know (its name): short enough for the
    /// login screen at 80 columns, the words first.
    #[error("Upgrade clinic: this database is newer ({0}) than this version knows.")]
    UpgradeClinic(String),
    /// The database lacks a migration this binary expects (its name).
    #[error("An admin must run `clinic db migrate` first (the database lacks {0}).")]
    DatabaseBehind(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_round_trip() {
        for job in Job::ALL {
            assert_eq!(Job::parse(job.as_str()), Some(job));
            assert!(job.group_role().ends_with(job.as_str()));
        }
        assert_eq!(Job::parse("janitor"), None);
    }
}
