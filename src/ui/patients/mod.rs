//! The patients screen: the lookup, a patient's summary over it, and the registration/edit form
//! over both, each drawn from the app's state alone.

mod form;
mod lookup;
mod summary;

use chrono::{DateTime, Utc};
use ratatui::layout::{Position, Rect};
use ratatui::Frame;

use crate::app::keymap::{Command, Keymap, Place};
use crate::app::patients::{Clock, Cmd, Panel, PatientsScreen};
use crate::app::registry::{self, ScreenCmd, ScreenId};
use crate::ui::{View, ViewEnv};

impl View for PatientsScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        draw(frame, area, self, env)
    }
}

fn draw(frame: &mut Frame, area: Rect, state: &PatientsScreen, env: &ViewEnv) -> Option<Position> {
    let (job, access, theme) = (env.job, env.access, env.theme);
    let keys = Keys { keymap: env.keymap };
    if let Some(form) = &state.form {
        return form::draw(frame, area, form, &state.clock, &keys, theme);
    }
    if let Some(summary) = &state.summary {
        summary::draw(
            frame,
            area,
            summary,
            &state.clock,
            (job, access),
            &keys,
            theme,
        );
        return None;
    }
    lookup::draw(
        frame,
        area,
        &state.lookup,
        &state.clock,
        access,
        &keys,
        theme,
    )
}

/// The keys as the keymap has them now (the config may have moved them), for the hints drawn
/// inside the screen.
struct Keys<'a> {
    keymap: &'a Keymap,
}

impl Keys<'_> {
    fn of(&self, panel: Option<Panel>, cmd: Cmd) -> String {
        self.typing(panel, cmd, false)
    }

    /// The key for `cmd` where a text field has the focus (`typing`): one that is not typed.
    fn typing(&self, panel: Option<Panel>, cmd: Cmd, typing: bool) -> String {
        let place = match panel {
            Some(p) => Place::Panel(registry::Panel::Patients(p)),
            None => Place::Screen(ScreenId::Patients),
        };
        self.keymap
            .key_for_typing(place, Command::Screen(ScreenCmd::Patients(cmd)), typing)
            .unwrap_or_else(|| "?".into())
    }

    fn back(&self) -> String {
        self.keymap
            .key_for(Place::Global, Command::Back)
            .unwrap_or_else(|| "Esc".into())
    }
}

/// "Smith" of "Alice Smith": the list's next-appointment column has room for a surname.
fn surname(full_name: &str) -> &str {
    full_name.split_whitespace().last().unwrap_or(full_name)
}

/// When an appointment is, compactly and relative to today: "today 10:30", "Tue 10:30" within a
/// week, else the date.
fn when(at: DateTime<Utc>, clock: &Clock) -> String {
    let local = at.with_timezone(&clock.tz);
    let today = clock.now.with_timezone(&clock.tz).date_naive();
    let days = (local.date_naive() - today).num_days();
    match days {
        0 => local.format("today %H:%M").to_string(),
        1..=6 => local.format("%a %H:%M").to_string(),
        _ => local.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_the_desk_says_them() {
        assert_eq!(surname("Alice Smith"), "Smith");
        assert_eq!(surname("Okafor"), "Okafor");
    }
}
