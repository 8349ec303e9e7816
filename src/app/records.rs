//! Medical records of the doctor's own patients.

use super::keymap::Binding;
use super::screen::ScreenState;

/// Writing, signing and amending bring their keys with the records workflow.
pub const BINDINGS: &[Binding] = &[];

#[derive(Debug, Default)]
pub struct RecordsScreen {}

impl ScreenState for RecordsScreen {}
