//! Today's queue at the desk: who is expected, waiting, with a doctor, done.

use super::keymap::Binding;
use super::screen::ScreenState;

/// Check-in and opening a visit bring their keys with the queue workflow.
pub const BINDINGS: &[Binding] = &[];

#[derive(Debug, Default)]
pub struct QueueScreen {}

impl ScreenState for QueueScreen {}
