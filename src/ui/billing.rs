//! Invoices and payments.

use ratatui::layout::{Position, Rect};
use ratatui::Frame;

use crate::app::billing::BillingScreen;
use crate::app::screen::Access;
use crate::domain::staff::Job;
use crate::ui::widgets::placeholder;
use crate::ui::{View, ViewEnv};

/// What this screen holds for `job`, until its workflow replaces the placeholder.
pub fn purpose(job: Job, access: Access) -> &'static str {
    match (job, access) {
        (Job::Accountant, _) => "Invoices and payments: invoice, void, refund and reconcile.",
        (_, Access::Full) => {
            "Invoices and payments: see what a patient owes and take a payment at the desk."
        }
        (_, Access::ReadOnly) => "Invoices and payments, to read.",
    }
}

impl View for BillingScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        let purpose = purpose(env.job, env.access);
        placeholder::draw(frame, area, "Billing", env.access, purpose, env.theme);
        None
    }
}
