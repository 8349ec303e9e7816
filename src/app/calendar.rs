//! The appointment calendar: every doctor's day and week.

use super::keymap::Binding;
use super::screen::ScreenState;

/// Booking, moving, cancelling and checking in bring their keys with the calendar workflows.
pub const BINDINGS: &[Binding] = &[];

#[derive(Debug, Default)]
pub struct CalendarScreen {}

impl ScreenState for CalendarScreen {}
