//! Every binding of the shell, declared once with a description: the keys that work everywhere,
//! after sign-in, at the login and lock screens, the command line and the two popups. Screens
//! declare their own next to their state (`Screen::BINDINGS`, `PanelKind::bindings`).

use crate::app::registry::ScreenCmd;

/// What a bound key asks the app to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    Back,
    /// The n-th screen of the top bar, counted from 1.
    GoTo(u8),
    CommandLine,
    LockScreen,
    SignIn,
    NextField,
    PreviousField,
    Unlock,
    SavePassword,
    RunCommand,
    CompleteCommand,
    Yes,
    No,
    ScrollDown,
    ScrollUp,
    /// A screen's own command, declared in that screen's module.
    Screen(ScreenCmd),
}

/// One declared binding: the name used in the config file, its default keys, and what it does.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub name: &'static str,
    pub keys: &'static [&'static str],
    pub desc: &'static str,
    pub command: Command,
    /// The footer's short label, when the footer shows it; list order is the footer order.
    pub footer: Option<&'static str>,
}

/// Declare a binding; screens wrap this with their own command (`Command::Screen`).
pub const fn bind(
    name: &'static str,
    keys: &'static [&'static str],
    desc: &'static str,
    command: Command,
    footer: Option<&'static str>,
) -> Binding {
    Binding {
        name,
        keys,
        desc,
        command,
        footer,
    }
}

/// Everywhere, including the login and lock screens.
pub const GLOBAL: &[Binding] = &[
    bind(
        "help",
        &["?", "f1"],
        "Show the keys of this place",
        Command::Help,
        Some("help"),
    ),
    bind(
        "quit",
        &["q", "ctrl-c"],
        "Quit (asks first when input is unsaved)",
        Command::Quit,
        Some("quit"),
    ),
    bind(
        "back",
        &["esc"],
        "Close the popup, or go back",
        Command::Back,
        Some("back"),
    ),
];

/// After sign-in, on every screen.
pub const SHELL: &[Binding] = &[
    bind(
        "command_line",
        &[":"],
        "Go to a screen by name (:patients)",
        Command::CommandLine,
        Some("go to screen"),
    ),
    bind(
        "lock_screen",
        &["ctrl-l"],
        "Lock the screen now",
        Command::LockScreen,
        Some("lock"),
    ),
    bind(
        "screen_1",
        &["f2", "alt-1"],
        "Go to screen 1 of the top bar",
        Command::GoTo(1),
        None,
    ),
    bind(
        "screen_2",
        &["f3", "alt-2"],
        "Go to screen 2 of the top bar",
        Command::GoTo(2),
        None,
    ),
    bind(
        "screen_3",
        &["f4", "alt-3"],
        "Go to screen 3 of the top bar",
        Command::GoTo(3),
        None,
    ),
    bind(
        "screen_4",
        &["f5", "alt-4"],
        "Go to screen 4 of the top bar",
        Command::GoTo(4),
        None,
    ),
    bind(
        "screen_5",
        &["f6", "alt-5"],
        "Go to screen 5 of the top bar",
        Command::GoTo(5),
        None,
    ),
];

pub const LOGIN: &[Binding] = &[
    bind(
        "login.sign_in",
        &["enter"],
        "Sign in",
        Command::SignIn,
        Some("sign in"),
    ),
    bind(
        "login.next_field",
        &["tab", "down"],
        "Next field",
        Command::NextField,
        Some("next field"),
    ),
    bind(
        "login.previous_field",
        &["shift-tab", "up"],
        "Previous field",
        Command::PreviousField,
        None,
    ),
];

pub const LOCK: &[Binding] = &[bind(
    "unlock",
    &["enter"],
    "Unlock with your password",
    Command::Unlock,
    Some("unlock"),
)];

/// Choosing a new password (`:password`).
pub const PASSWORD: &[Binding] = &[
    bind(
        "password.save",
        &["enter", "ctrl-s"],
        "Set the new password",
        Command::SavePassword,
        Some("set password"),
    ),
    bind(
        "password.next_field",
        &["tab", "down"],
        "Next field",
        Command::NextField,
        Some("next field"),
    ),
    bind(
        "password.previous_field",
        &["shift-tab", "up"],
        "Previous field",
        Command::PreviousField,
        None,
    ),
];

pub const COMMAND_LINE: &[Binding] = &[
    bind(
        "command.run",
        &["enter"],
        "Run the command",
        Command::RunCommand,
        Some("go"),
    ),
    bind(
        "command.complete",
        &["tab"],
        "Complete the screen name",
        Command::CompleteCommand,
        Some("complete"),
    ),
];

/// A confirm popup answers only these: a stray key must not quit or switch screens under it.
pub const CONFIRM: &[Binding] = &[
    bind(
        "confirm.yes",
        &["y"],
        "Yes, go ahead",
        Command::Yes,
        Some("yes"),
    ),
    bind(
        "confirm.no",
        &["n", "esc"],
        "No, keep things as they are",
        Command::No,
        Some("no"),
    ),
];

pub const HELP: &[Binding] = &[
    bind(
        "help.down",
        &["j", "down"],
        "Scroll down",
        Command::ScrollDown,
        Some("down"),
    ),
    bind(
        "help.up",
        &["k", "up"],
        "Scroll up",
        Command::ScrollUp,
        Some("up"),
    ),
];
