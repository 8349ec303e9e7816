//! Medical records of the doctor's own patients. A placeholder until the records workflow comes:
//! registered like every screen, with nothing to ask of the database yet.

use std::convert::Infallible;

use super::keymap::Binding;
use super::screen::{Access, Ctx, Outcome, Screen};
use crate::domain::staff::Job;

#[derive(Debug, Default)]
pub struct RecordsScreen {}

impl Screen for RecordsScreen {
    type Cmd = Infallible;
    type Request = Infallible;
    type Reply = Infallible;
    type Panel = Infallible;

    const TITLE: &'static str = "Records";
    const COMMAND: &'static str = "records";
    /// Writing, signing and amending bring their keys with the records workflow.
    const BINDINGS: &'static [Binding] = &[];
    const PANELS: &'static [Infallible] = &[];

    fn panel_title(panel: Infallible) -> &'static str {
        match panel {}
    }

    fn panel_bindings(panel: Infallible) -> &'static [Binding] {
        match panel {}
    }

    /// Clinical access is for doctors only (minimum necessary: admins get none).
    fn access(job: Job) -> Option<Access> {
        (job == Job::Doctor).then_some(Access::Full)
    }

    fn command(&mut self, cmd: Infallible, _ctx: &mut Ctx) -> Outcome<Self> {
        match cmd {}
    }

    fn reply(&mut self, reply: Infallible, _ctx: &mut Ctx) -> Outcome<Self> {
        match reply {}
    }
}
