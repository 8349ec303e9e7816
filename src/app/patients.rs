//! Patient lookup and registration: reception's home screen.

use super::keymap::Binding;
use super::screen::ScreenState;

/// Finding, registering and editing patients bring their keys with the patient workflows.
pub const BINDINGS: &[Binding] = &[];

#[derive(Debug, Default)]
pub struct PatientsScreen {}

impl ScreenState for PatientsScreen {}
