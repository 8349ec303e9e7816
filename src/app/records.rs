//! Medical records of the doctor's own patients: a placeholder until the records workflow comes.

use super::screen::{placeholder_screen, Access};
use crate::domain::staff::Job;

placeholder_screen!(
    /// Writing, signing and amending bring their keys with the records workflow. Clinical access
    /// is for doctors only (minimum necessary: admins get none).
    RecordsScreen,
    "Records",
    "records",
    |job| (job == Job::Doctor).then_some(Access::Full)
);
