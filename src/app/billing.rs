//! Invoices and payments. A placeholder until the billing workflows come: registered like every
//! screen, with nothing to ask of the database yet.

use std::convert::Infallible;

use super::keymap::Binding;
use super::screen::{Access, Ctx, Outcome, Screen};
use crate::domain::staff::Job;

#[derive(Debug, Default)]
pub struct BillingScreen {}

impl Screen for BillingScreen {
    type Cmd = Infallible;
    type Request = Infallible;
    type Reply = Infallible;
    type Panel = Infallible;

    const TITLE: &'static str = "Billing";
    const COMMAND: &'static str = "billing";
    /// Taking payments, voids, refunds and reconciling bring their keys with the billing workflows.
    const BINDINGS: &'static [Binding] = &[];
    const PANELS: &'static [Infallible] = &[];

    fn panel_title(panel: Infallible) -> &'static str {
        match panel {}
    }

    fn panel_bindings(panel: Infallible) -> &'static [Binding] {
        match panel {}
    }

    /// Accountants keep the books; the desk takes payments; admins read. Doctors see no money.
    fn access(job: Job) -> Option<Access> {
        match job {
            Job::Accountant | Job::Receptionist => Some(Access::Full),
            Job::Admin => Some(Access::ReadOnly),
            Job::Doctor => None,
        }
    }

    fn command(&mut self, cmd: Infallible, _ctx: &mut Ctx) -> Outcome<Self> {
        match cmd {}
    }

    fn reply(&mut self, reply: Infallible, _ctx: &mut Ctx) -> Outcome<Self> {
        match reply {}
    }
}
