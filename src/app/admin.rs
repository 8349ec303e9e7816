//! Staff logins and jobs, and the audit trail. A placeholder until the admin workflows come:
//! registered like every screen, with nothing to ask of the database yet.

use std::convert::Infallible;

use super::keymap::Binding;
use super::screen::{Access, Ctx, Outcome, Screen};
use crate::domain::staff::Job;

#[derive(Debug, Default)]
pub struct AdminScreen {}

impl Screen for AdminScreen {
    type Cmd = Infallible;
    type Request = Infallible;
    type Reply = Infallible;
    type Panel = Infallible;

    const TITLE: &'static str = "Admin";
    const COMMAND: &'static str = "admin";
    /// Managing staff and reading the audit trail bring their keys with the admin workflows.
    const BINDINGS: &'static [Binding] = &[];
    const PANELS: &'static [Infallible] = &[];

    fn panel_title(panel: Infallible) -> &'static str {
        match panel {}
    }

    fn panel_bindings(panel: Infallible) -> &'static [Binding] {
        match panel {}
    }

    fn access(job: Job) -> Option<Access> {
        (job == Job::Admin).then_some(Access::Full)
    }

    fn command(&mut self, cmd: Infallible, _ctx: &mut Ctx) -> Outcome<Self> {
        match cmd {}
    }

    fn reply(&mut self, reply: Infallible, _ctx: &mut Ctx) -> Outcome<Self> {
        match reply {}
    }
}
