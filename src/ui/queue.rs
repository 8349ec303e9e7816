//! Today's queue at the desk.

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::queue::QueueScreen;
use crate::app::screen::Access;
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::placeholder;

/// What this screen holds for `job`, until its workflow replaces the placeholder.
pub fn purpose(job: Job, access: Access) -> &'static str {
    let _ = (job, access);
    "Today's arrivals: expected, waiting, with a doctor, done; check patients in as they come."
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    _state: &QueueScreen,
    job: Job,
    access: Access,
    theme: Theme,
) {
    placeholder::draw(frame, area, "Queue", access, purpose(job, access), theme);
}
