//! Patient lookup: find as you type, register, edit.

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::patients::PatientsScreen;
use crate::app::screen::Access;
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::placeholder;

/// What this screen holds for `job`, until its workflow replaces the placeholder.
pub fn purpose(job: Job, access: Access) -> &'static str {
    match (job, access) {
        (_, Access::Full) => "Find patients as you type (name, birth date, phone, number, email); register and edit them.",
        (Job::Accountant, Access::ReadOnly) => "Find patients and read the details that billing needs.",
        (_, Access::ReadOnly) => "Find patients and read their details."
    }
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    _state: &PatientsScreen,
    job: Job,
    access: Access,
    theme: Theme,
) {
    placeholder::draw(frame, area, "Patients", access, purpose(job, access), theme);
}
