//! Staff administration and the audit trail.

use ratatui::layout::{Position, Rect};
use ratatui::Frame;

use crate::app::admin::AdminScreen;
use crate::app::screen::Access;
use crate::domain::staff::Job;
use crate::ui::widgets::placeholder;
use crate::ui::{View, ViewEnv};

/// What this screen holds for `job`, until its workflow replaces the placeholder.
pub fn purpose(job: Job, access: Access) -> &'static str {
    let _ = (job, access);
    "Staff logins and their jobs, and the audit trail of who did what."
}

impl View for AdminScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        let purpose = purpose(env.job, env.access);
        placeholder::draw(frame, area, "Admin", env.access, purpose, env.theme);
        None
    }
}
