//! The registry: every screen, once. Adding a screen is a line here (its state's field name, the
//! name it goes by, and its type) besides its own files; the shell, the keymap, the effect runner
//! and the view loop over this list and never name a screen.
//!
//! The list is an "X-macro": `screens!(m)` calls the macro `m` with every entry, and each layer
//! generates from it what it needs (this file: the screen ids, the states, the commands, requests,
//! replies and panels of all screens; `effects`: the runner; `ui`: the views). The order is the
//! order of every job's top bar.

use std::fmt::Debug;

use chrono::{DateTime, Utc};
use tui_input::InputRequest;

use super::action::{Effect, TextInput};
use super::confirm::{Confirm, Confirmed};
use super::keymap::{Binding, Command};
use super::screen::{Access, Ctx, Intent, Outcome, PanelKind, Screen};
use crate::domain::live::LiveEvent;
use crate::domain::staff::Job;

/// Calls `$then!` with every screen: `field: Name => Type;`, in top-bar order.
macro_rules! screens {
    ($then:ident) => {
        $then! {
            patients: Patients => $crate::app::patients::PatientsScreen;
            calendar: Calendar => $crate::app::calendar::CalendarScreen;
            queue: Queue => $crate::app::queue::QueueScreen;
            records: Records => $crate::app::records::RecordsScreen;
            billing: Billing => $crate::app::billing::BillingScreen;
            admin: Admin => $crate::app::admin::AdminScreen;
            reports: Reports => $crate::app::reports::ReportsScreen;
        }
    };
}
pub(crate) use screens;

/// A screen as the registry knows it: how its own types are wrapped in the registry's enums.
pub trait Registered: Screen {
    const ID: ScreenId;
    fn wrap_cmd(cmd: Self::Cmd) -> ScreenCmd;
    fn unwrap_cmd(cmd: ScreenCmd) -> Option<Self::Cmd>;
    fn wrap_request(request: Self::Request) -> ScreenRequest;
    fn unwrap_reply(reply: ScreenReply) -> Option<Self::Reply>;
    fn wrap_panel(panel: Self::Panel) -> Panel;
}

macro_rules! generate {
    ($($field:ident: $name:ident => $state:ty;)*) => {
        /// Which screen.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ScreenId {
            $($name,)*
        }

        impl ScreenId {
            pub const ALL: &'static [ScreenId] = &[$(ScreenId::$name,)*];

            pub fn title(self) -> &'static str {
                match self { $(ScreenId::$name => <$state as Screen>::TITLE,)* }
            }

            /// The word typed at the `:` command line.
            pub fn command_name(self) -> &'static str {
                match self { $(ScreenId::$name => <$state as Screen>::COMMAND,)* }
            }

            pub fn bindings(self) -> &'static [Binding] {
                match self { $(ScreenId::$name => <$state as Screen>::BINDINGS,)* }
            }

            /// Whether `job` has this screen, and how much of it.
            pub fn access(self, job: Job) -> Option<Access> {
                match self { $(ScreenId::$name => <$state as Screen>::access(job),)* }
            }

            /// Whether `job` starts here after signing in.
            pub fn home(self, job: Job) -> bool {
                match self { $(ScreenId::$name => <$state as Screen>::home(job),)* }
            }

            /// Whether work handed over from another screen continues here.
            pub fn takes(self, intent: &Intent) -> bool {
                match self { $(ScreenId::$name => <$state as Screen>::takes(intent),)* }
            }
        }

        /// One state per screen, kept while the person moves between screens.
        #[derive(Debug, Default)]
        pub struct Screens {
            $(pub $field: $state,)*
        }

        impl Screens {
            pub fn get(&self, id: ScreenId) -> &dyn AnyScreen {
                match id { $(ScreenId::$name => &self.$field,)* }
            }

            pub fn get_mut(&mut self, id: ScreenId) -> &mut dyn AnyScreen {
                match id { $(ScreenId::$name => &mut self.$field,)* }
            }
        }

        /// A screen's own command, as a binding carries it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ScreenCmd {
            $($name(<$state as Screen>::Cmd),)*
        }

        /// A screen's database work, as an Effect carries it to `crate::effects`.
        #[derive(Debug, Clone, PartialEq)]
        pub enum ScreenRequest {
            $($name(<$state as Screen>::Request),)*
        }

        /// The answer to a screen's request, as an Action brings it back.
        #[derive(Debug, Clone, PartialEq)]
        pub enum ScreenReply {
            $($name(<$state as Screen>::Reply),)*
        }

        /// A part of a screen with keys of its own (see `Screen::Panel`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Panel {
            $($name(<$state as Screen>::Panel),)*
        }

        impl ScreenCmd {
            pub fn screen(self) -> ScreenId {
                match self { $(ScreenCmd::$name(_) => ScreenId::$name,)* }
            }
        }

        impl ScreenReply {
            pub fn screen(&self) -> ScreenId {
                match self { $(ScreenReply::$name(_) => ScreenId::$name,)* }
            }
        }

        impl Panel {
            /// Every panel of every screen.
            pub fn all() -> Vec<Panel> {
                let mut all = Vec::new();
                $(all.extend(<<$state as Screen>::Panel as PanelKind>::ALL.iter().map(|p| Panel::$name(*p)));)*
                all
            }

            /// The screen the panel belongs to.
            pub fn screen(self) -> ScreenId {
                match self { $(Panel::$name(_) => ScreenId::$name,)* }
            }

            pub fn title(self) -> &'static str {
                match self { $(Panel::$name(p) => p.title(),)* }
            }

            pub fn bindings(self) -> &'static [Binding] {
                match self { $(Panel::$name(p) => p.bindings(),)* }
            }
        }

        $(
            impl Registered for $state {
                const ID: ScreenId = ScreenId::$name;

                fn wrap_cmd(cmd: Self::Cmd) -> ScreenCmd {
                    ScreenCmd::$name(cmd)
                }

                #[allow(unreachable_patterns)]
                fn unwrap_cmd(cmd: ScreenCmd) -> Option<Self::Cmd> {
                    match cmd {
                        ScreenCmd::$name(cmd) => Some(cmd),
                        _ => None,
                    }
                }

                fn wrap_request(request: Self::Request) -> ScreenRequest {
                    ScreenRequest::$name(request)
                }

                #[allow(unreachable_patterns)]
                fn unwrap_reply(reply: ScreenReply) -> Option<Self::Reply> {
                    match reply {
                        ScreenReply::$name(reply) => Some(reply),
                        _ => None,
                    }
                }

                fn wrap_panel(panel: Self::Panel) -> Panel {
                    Panel::$name(panel)
                }
            }
        )*
    };
}

screens!(generate);

/// What a handler of any screen hands back, in the shell's terms: its requests as Effects, its
/// question with a shell command to run on "yes".
#[derive(Debug, Default)]
pub struct Handled {
    pub effects: Vec<Effect>,
    pub notice: Option<String>,
    pub intent: Option<Intent>,
    pub confirm: Option<Confirm>,
    pub redraw: bool,
}

impl<S: Registered> From<Outcome<S>> for Handled {
    fn from(o: Outcome<S>) -> Self {
        Handled {
            effects: o
                .requests
                .into_iter()
                .map(|r| Effect::Screen(S::wrap_request(r)))
                .collect(),
            notice: o.notice,
            intent: o.intent,
            confirm: o
                .confirm
                .map(|c| c.map(|cmd| Confirmed::Command(Command::Screen(S::wrap_cmd(cmd))))),
            redraw: o.redraw,
        }
    }
}

/// Any screen, whatever its own types: the [`Screen`] protocol with commands, replies and
/// panels in the registry's enums. A command or reply of another screen is ignored.
pub trait AnyScreen: Debug {
    fn id(&self) -> ScreenId;
    fn entered(&mut self, ctx: &mut Ctx) -> Handled;
    fn command(&mut self, cmd: ScreenCmd, ctx: &mut Ctx) -> Handled;
    fn edit(&mut self, request: InputRequest, ctx: &mut Ctx) -> Handled;
    fn edit_text(&mut self, input: TextInput, ctx: &mut Ctx) -> Handled;
    fn back(&mut self, ctx: &mut Ctx) -> Handled;
    fn reply(&mut self, reply: ScreenReply, ctx: &mut Ctx) -> Handled;
    fn intent(&mut self, intent: Intent, ctx: &mut Ctx) -> Handled;
    fn notified(&mut self, event: LiveEvent, ctx: &mut Ctx) -> Handled;
    fn deadline(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>>;
    fn tick(&mut self, ctx: &mut Ctx) -> Handled;
    fn has_unsaved_input(&self) -> bool;
    fn text_focused(&self) -> bool;
    fn text_area_focused(&self) -> bool;
    /// Whether the footer offers `command` (commands of other screens and the shell's: yes).
    fn offers(&self, command: Command) -> bool;
    fn panel(&self) -> Option<Panel>;
    fn can_go_back(&self) -> bool;
    fn spinning(&self, now: DateTime<Utc>) -> bool;
}

impl<S: Registered> AnyScreen for S {
    fn id(&self) -> ScreenId {
        S::ID
    }

    fn entered(&mut self, ctx: &mut Ctx) -> Handled {
        Screen::entered(self, ctx).into()
    }

    fn command(&mut self, cmd: ScreenCmd, ctx: &mut Ctx) -> Handled {
        match S::unwrap_cmd(cmd) {
            Some(cmd) => Screen::command(self, cmd, ctx).into(),
            None => Handled::default(),
        }
    }

    fn edit(&mut self, request: InputRequest, ctx: &mut Ctx) -> Handled {
        Screen::edit(self, request, ctx).into()
    }

    fn edit_text(&mut self, input: TextInput, ctx: &mut Ctx) -> Handled {
        Screen::edit_text(self, input, ctx).into()
    }

    fn back(&mut self, ctx: &mut Ctx) -> Handled {
        Screen::back(self, ctx).into()
    }

    fn reply(&mut self, reply: ScreenReply, ctx: &mut Ctx) -> Handled {
        match S::unwrap_reply(reply) {
            Some(reply) => Screen::reply(self, reply, ctx).into(),
            None => Handled::default(),
        }
    }

    fn intent(&mut self, intent: Intent, ctx: &mut Ctx) -> Handled {
        Screen::intent(self, intent, ctx).into()
    }

    fn notified(&mut self, event: LiveEvent, ctx: &mut Ctx) -> Handled {
        Screen::notified(self, event, ctx).into()
    }

    fn deadline(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        Screen::deadline(self, now)
    }

    fn tick(&mut self, ctx: &mut Ctx) -> Handled {
        Screen::tick(self, ctx).into()
    }

    fn has_unsaved_input(&self) -> bool {
        Screen::has_unsaved_input(self)
    }

    fn text_focused(&self) -> bool {
        Screen::text_focused(self)
    }

    fn text_area_focused(&self) -> bool {
        Screen::text_area_focused(self)
    }

    fn offers(&self, command: Command) -> bool {
        match command {
            Command::Screen(cmd) => S::unwrap_cmd(cmd).is_none_or(|cmd| Screen::offers(self, cmd)),
            _ => true,
        }
    }

    fn panel(&self) -> Option<Panel> {
        Screen::panel(self).map(S::wrap_panel)
    }

    fn can_go_back(&self) -> bool {
        Screen::can_go_back(self)
    }

    fn spinning(&self, now: DateTime<Utc>) -> bool {
        Screen::spinning(self, now)
    }
}

/// The top bar of `job`: every screen it has, in the registry's order, with its access.
pub fn screens_for(job: Job) -> Vec<(ScreenId, Access)> {
    ScreenId::ALL
        .iter()
        .filter_map(|id| id.access(job).map(|a| (*id, a)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_gets_at_most_five_screens_and_never_one_twice() {
        // Five is what F2..F6 and Alt-1..Alt-5 can reach.
        for job in Job::ALL {
            let screens = screens_for(job);
            assert!(!screens.is_empty() && screens.len() <= 5, "{job}");
            let mut ids: Vec<ScreenId> = screens.iter().map(|(s, _)| *s).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), screens.len(), "{job}");
        }
        assert!(!screens_for(Job::Admin)
            .iter()
            .any(|(s, _)| *s == ScreenId::Records));
    }

    #[test]
    fn every_screen_has_its_own_name_and_command_word() {
        let mut words: Vec<&str> = ScreenId::ALL.iter().map(|s| s.command_name()).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), ScreenId::ALL.len());
        for p in Panel::all() {
            assert!(!p.title().is_empty() && !p.bindings().is_empty(), "{p:?}");
        }
    }
}
