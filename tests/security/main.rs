//! Security: every permission in design.md ("Roles and what they may do", "Security rules") asserted
//! by a real login being allowed or refused, the attacks that should fail, catalog checks that hold
//! for every object (not just the ones listed here), and payments racing from several connections.
//!
//! The matrix cells run inside a transaction that is rolled back, so they do not disturb each other.

#[path = "../support/mod.rs"]
mod support;

mod common;

mod attacks;
mod audit;
mod catalog;
mod concurrency;
mod matrix;
mod roles_permissions;
mod workflows;
