//! Medical records of the doctor's patients.

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::records::RecordsScreen;
use crate::app::screen::Access;
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::placeholder;

/// What this screen holds for `job`, until its workflow replaces the placeholder.
pub fn purpose(job: Job, access: Access) -> &'static str {
    let _ = (job, access);
    "Medical records of the patients in your care: write, sign and amend them."
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    _state: &RecordsScreen,
    job: Job,
    access: Access,
    theme: Theme,
) {
    placeholder::draw(frame, area, "Records", access, purpose(job, access), theme);
}
