//! Invoices and payments.

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::billing::BillingScreen;
use crate::app::screen::Access;
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::placeholder;

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

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    _state: &BillingScreen,
    job: Job,
    access: Access,
    theme: Theme,
) {
    placeholder::draw(frame, area, "Billing", access, purpose(job, access), theme);
}
