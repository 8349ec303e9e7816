//! Invoices and payments.

use super::keymap::Binding;
use super::screen::ScreenState;

/// Taking payments, voids, refunds and reconciling bring their keys with the billing workflows.
pub const BINDINGS: &[Binding] = &[];

#[derive(Debug, Default)]
pub struct BillingScreen {}

impl ScreenState for BillingScreen {}
