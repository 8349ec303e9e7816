//! Staff logins and jobs, and the audit trail: a placeholder until the admin workflows come.

use super::screen::{placeholder_screen, Access};
use crate::domain::staff::Job;

placeholder_screen!(
    /// Managing staff and reading the audit trail bring their keys with the admin workflows.
    AdminScreen,
    "Admin",
    "admin",
    |job| (job == Job::Admin).then_some(Access::Full)
);
