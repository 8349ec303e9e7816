//! Invoices and payments: a placeholder until the billing workflows come.

use super::screen::{placeholder_screen, Access};
use crate::domain::staff::Job;

placeholder_screen!(
    /// Taking payments, voids, refunds and reconciling bring their keys with the billing
    /// workflows. Accountants keep the books; the desk takes payments; admins read; doctors see
    /// no money.
    BillingScreen,
    "Billing",
    "billing",
    |job| match job {
        Job::Accountant | Job::Receptionist => Some(Access::Full),
        Job::Admin => Some(Access::ReadOnly),
        Job::Doctor => None,
    }
);
