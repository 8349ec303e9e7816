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
