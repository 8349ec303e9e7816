//! Styles, with colour as decoration only: every state also has a word, a symbol or a modifier,
//! and with NO_COLOR set no colour is emitted at all.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Colour unless NO_COLOR is set to something non-empty (https://no-color.org).
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self { color: !no_color }
    }

    pub const fn colored() -> Self {
        Self { color: true }
    }

    pub const fn plain() -> Self {
        Self { color: false }
    }

    fn tint(self, style: Style, fg: Color) -> Style {
        if self.color {
            style.fg(fg)
        } else {
            style
        }
    }

    pub fn title(self) -> Style {
        self.tint(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    /// The top and status bars.
    pub fn bar(self) -> Style {
        if self.color {
            Style::new().bg(Color::Blue).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// The current tab, which also gets brackets so it reads without any styling.
    pub fn tab_current(self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::White)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
                .add_modifier(Modifier::BOLD)
                .remove_modifier(Modifier::REVERSED)
        }
    }

    pub fn key(self) -> Style {
        self.tint(Style::new().add_modifier(Modifier::BOLD), Color::Yellow)
    }

    pub fn error(self) -> Style {
        self.tint(Style::new().add_modifier(Modifier::BOLD), Color::LightRed)
    }

    pub fn good(self) -> Style {
        self.tint(Style::new(), Color::LightGreen)
    }

    pub fn warning(self) -> Style {
        self.tint(
            Style::new().add_modifier(Modifier::BOLD),
            Color::LightYellow,
        )
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::Gray)
        } else {
            Style::new()
        }
    }

    pub fn field(self, focused: bool) -> Style {
        let style = Style::new().add_modifier(Modifier::UNDERLINED);
        match (self.color, focused) {
            (true, true) => style.bg(Color::DarkGray).fg(Color::White),
            (true, false) => style,
            (false, true) => style.add_modifier(Modifier::BOLD),
            (false, false) => style,
        }
    }

    pub fn popup_border(self) -> Style {
        self.tint(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }
}
