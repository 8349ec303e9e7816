//! Workflows, step by step, committed.

mod appointments;
mod billing;
mod encounters;
mod payments;
mod records;
