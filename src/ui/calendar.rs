//! The appointment calendar: each doctor's day and week.

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::calendar::CalendarScreen;
use crate::app::screen::Access;
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::placeholder;

/// What this screen holds for `job`, until its workflow replaces the placeholder.
pub fn purpose(job: Job, access: Access) -> &'static str {
    match (job, access) {
        (Job::Doctor, _) => "Your appointments by day and week; mark each one checked in, in progress, done or no-show.",
        (_, Access::Full) => "Every doctor's day and week: book, move, cancel and check in appointments.",
        (_, Access::ReadOnly) => "Every doctor's day and week, to read."
    }
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    _state: &CalendarScreen,
    job: Job,
    access: Access,
    theme: Theme,
) {
    placeholder::draw(frame, area, "Calendar", access, purpose(job, access), theme);
}
