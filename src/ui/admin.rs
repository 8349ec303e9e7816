//! Staff administration and the audit trail.

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::admin::AdminScreen;
use crate::app::screen::Access;
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::placeholder;

/// What this screen holds for `job`, until its workflow replaces the placeholder.
pub fn purpose(job: Job, access: Access) -> &'static str {
    let _ = (job, access);
    "Staff logins and their jobs, and the audit trail of who did what."
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    _state: &AdminScreen,
    job: Job,
    access: Access,
    theme: Theme,
) {
    placeholder::draw(frame, area, "Admin", access, purpose(job, access), theme);
}
