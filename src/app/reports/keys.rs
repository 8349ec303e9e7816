//! The Reports screen's keys: going through the reports and their periods, scrolling the figures,
//! exporting them; and the keys of the form that takes a range of dates.

use super::Cmd;
use crate::app::keymap::{self, Binding, Command};
use crate::app::registry::ScreenCmd;
use crate::app::screen::PanelKind;
use crate::domain::report::Span;

const fn bind(
    name: &'static str,
    keys: &'static [&'static str],
    desc: &'static str,
    cmd: Cmd,
    footer: Option<&'static str>,
) -> Binding {
    keymap::bind(
        name,
        keys,
        desc,
        Command::Screen(ScreenCmd::Reports(cmd)),
        footer,
    )
}

/// The screen's own keys. `q` quits everywhere, so a quarter is reached by widening a month
/// (`+`) or narrowing a year (`-`) rather than by a letter of its own.
pub const BINDINGS: &[Binding] = &[
    bind(
        "reports.next",
        &["tab"],
        "Next report",
        Cmd::NextReport,
        Some("report"),
    ),
    bind(
        "reports.previous",
        &["shift-tab"],
        "Previous report",
        Cmd::PreviousReport,
        None,
    ),
    bind(
        "reports.earlier",
        &["left", "["],
        "The period before",
        Cmd::Earlier,
        Some("earlier"),
    ),
    bind(
        "reports.later",
        &["right", "]"],
        "The period after",
        Cmd::Later,
        Some("later"),
    ),
    bind("reports.day", &["d"], "A day", Cmd::Span(Span::Day), None),
    bind(
        "reports.week",
        &["w"],
        "A week (Monday to Sunday)",
        Cmd::Span(Span::Week),
        None,
    ),
    bind(
        "reports.month",
        &["m"],
        "A month",
        Cmd::Span(Span::Month),
        None,
    ),
    bind(
        "reports.year",
        &["y"],
        "A year",
        Cmd::Span(Span::Year),
        None,
    ),
    bind(
        "reports.wider",
        &["+", "="],
        "A longer period: day, week, month, quarter, year",
        Cmd::Wider,
        None,
    ),
    bind(
        "reports.narrower",
        &["-"],
        "A shorter period: year, quarter, month, week, day",
        Cmd::Narrower,
        None,
    ),
    bind(
        "reports.today",
        &["t"],
        "The period holding today",
        Cmd::Today,
        None,
    ),
    bind(
        "reports.range",
        &["p"],
        "Type the first and last day of the period",
        Cmd::Range,
        Some("dates"),
    ),
    bind(
        "reports.export",
        &["e"],
        "Write the figures shown to a CSV file",
        Cmd::Export,
        Some("export CSV"),
    ),
    bind(
        "reports.down",
        &["down", "j"],
        "Scroll the figures down",
        Cmd::Down,
        None,
    ),
    bind(
        "reports.up",
        &["up", "k"],
        "Scroll the figures up",
        Cmd::Up,
        None,
    ),
    bind(
        "reports.page_down",
        &["pagedown"],
        "A page of figures down",
        Cmd::PageDown,
        None,
    ),
    bind(
        "reports.page_up",
        &["pageup"],
        "A page of figures up",
        Cmd::PageUp,
        None,
    ),
    bind(
        "reports.refresh",
        &["r", "ctrl-r"],
        "Count again (figures are read when asked, not live)",
        Cmd::Refresh,
        None,
    ),
];

/// The range form's keys.
pub const RANGE: &[Binding] = &[
    bind(
        "reports.range.save",
        &["ctrl-s"],
        "Show the report for these dates",
        Cmd::RangeSave,
        Some("show"),
    ),
    bind(
        "reports.range.enter",
        &["enter"],
        "Next field; on the last, show the report",
        Cmd::RangeEnter,
        Some("next"),
    ),
    bind(
        "reports.range.next",
        &["tab", "down"],
        "Next field",
        Cmd::NextField,
        None,
    ),
    bind(
        "reports.range.previous",
        &["shift-tab", "up"],
        "Previous field",
        Cmd::PreviousField,
        None,
    ),
];

/// The parts of the screen with keys of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panel {
    /// The form for a range of dates.
    Range,
}

impl PanelKind for Panel {
    const ALL: &'static [Panel] = &[Panel::Range];

    fn title(self) -> &'static str {
        match self {
            Panel::Range => "A period of your own",
        }
    }

    fn bindings(self) -> &'static [Binding] {
        match self {
            Panel::Range => RANGE,
        }
    }
}
