//! Finding, registering and editing patients as the desk does, through real logins: every shape of
//! lookup (name in any order and with accents or a typo, date of birth, phone tail, patient number,
//! email), its ranking, the duplicate check, two desks editing one patient, the accountant's
//! narrower view, and that no lookup form reads the whole patients table.

#[path = "../support/mod.rs"]
mod support;

mod common;

mod access;
mod duplicates;
mod editing;
mod lookup;
mod name_forms;
mod plans;
