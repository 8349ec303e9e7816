//! Staff logins and jobs, and the audit trail.

use super::keymap::Binding;
use super::screen::ScreenState;

/// Managing staff and reading the audit trail bring their keys with the admin workflows.
pub const BINDINGS: &[Binding] = &[];

#[derive(Debug, Default)]
pub struct AdminScreen {}

impl ScreenState for AdminScreen {}
