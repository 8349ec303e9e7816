//! Medical records of the doctor's patients.

use ratatui::layout::{Position, Rect};
use ratatui::Frame;

use crate::app::records::RecordsScreen;
use crate::app::screen::Access;
use crate::domain::staff::Job;
use crate::ui::widgets::placeholder;
use crate::ui::{View, ViewEnv};

/// What this screen holds for `job`, until its workflow replaces the placeholder.
pub fn purpose(job: Job, access: Access) -> &'static str {
    let _ = (job, access);
    "Medical records of the patients in your care: write, sign and amend them."
}

impl View for RecordsScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        let purpose = purpose(env.job, env.access);
        placeholder::draw(frame, area, "Records", env.access, purpose, env.theme);
        None
    }
}
