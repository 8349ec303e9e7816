//! Styles, with colour as decoration only: every state also has a word, a symbol or a modifier.
//! What the terminal can do decides the rest: no colour codes at all where it shows none (a
//! vt100, the Linux console, NO_COLOR), and ASCII in place of box drawing and symbols where the
//! locale is not UTF-8. `[display]` in the config can force either.

use ratatui::style::{Color, Modifier, Style};

use crate::config::{DisplayConfig, Setting};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
    ascii: bool,
}

/// Terminals that show no colour (or whose colour the 256-colour codes would garble).
const NO_COLOUR_TERMS: &[&str] = &["dumb", "linux", "ansi", "cons25", "sun"];
/// Terminals known to take 256-colour codes.
const COLOUR_TERMS: &[&str] = &[
    "xterm",
    "screen",
    "tmux",
    "rxvt",
    "alacritty",
    "kitty",
    "wezterm",
    "foot",
    "konsole",
    "gnome",
    "putty",
    "iterm",
    "st-",
    "vte",
    "contour",
];

impl Theme {
    /// From the process's environment and the config's `[display]` settings.
    pub fn from_env(display: &DisplayConfig) -> Self {
        Self::detect(|name| std::env::var(name).ok(), display)
    }

    /// From an environment given as a lookup (tests pass their own).
    pub fn detect(env: impl Fn(&str) -> Option<String>, display: &DisplayConfig) -> Self {
        let set = |name: &str| env(name).filter(|v| !v.is_empty());
        let term = set("TERM").unwrap_or_default().to_lowercase();
        let color = match display.colour {
            Setting::Always => true,
            Setting::Never => false,
            Setting::Auto => {
                set("NO_COLOR").is_none()
                    && !term.is_empty()
                    && !term.starts_with("vt")
                    && !term.contains("mono")
                    && !NO_COLOUR_TERMS.iter().any(|t| term.starts_with(t))
                    && (set("COLORTERM").is_some()
                        || term.contains("color")
                        || term.contains("256")
                        || COLOUR_TERMS.iter().any(|t| term.starts_with(t)))
            }
        };
        let ascii = match display.glyphs {
            Setting::Always => false,
            Setting::Never => true,
            Setting::Auto => {
                // The locale decides (LC_ALL over LC_CTYPE over LANG); an unset one is "C".
                let locale = set("LC_ALL")
                    .or_else(|| set("LC_CTYPE"))
                    .or_else(|| set("LANG"))
                    .unwrap_or_default()
                    .to_lowercase();
                let utf8 = locale.contains("utf-8") || locale.contains("utf8");
                !utf8 || term.starts_with("vt") || term == "dumb"
            }
        };
        Self { color, ascii }
    }

    pub const fn colored() -> Self {
        Self {
            color: true,
            ascii: false,
        }
    }

    pub const fn plain() -> Self {
        Self {
            color: false,
            ascii: false,
        }
    }

    /// The same, drawing ASCII only.
    pub const fn ascii_only(self) -> Self {
        Self {
            ascii: true,
            ..self
        }
    }

    /// Whether to draw ASCII only (no box drawing, no symbols outside ASCII).
    pub const fn ascii(self) -> bool {
        self.ascii
    }

    /// Whether any colour is drawn.
    pub const fn has_colour(self) -> bool {
        self.color
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

    /// A chart's bars: coloured where there is colour; without it the bars are their shape.
    pub fn chart(self) -> Style {
        self.tint(Style::new(), Color::Cyan)
    }

    /// The figure written on a bar: the bar's colours turned round, so it reads on the bar.
    pub fn chart_value(self) -> Style {
        self.chart().add_modifier(Modifier::REVERSED)
    }

    pub fn popup_border(self) -> Style {
        self.tint(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(vars: &[(&str, &str)], display: &DisplayConfig) -> Theme {
        Theme::detect(
            |name| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_string())
            },
            display,
        )
    }

    #[test]
    fn the_terminal_and_the_locale_decide_unless_the_config_does() {
        let auto = DisplayConfig::default();
        let modern = theme(
            &[("TERM", "xterm-256color"), ("LANG", "en_GB.UTF-8")],
            &auto,
        );
        assert!(modern.has_colour() && !modern.ascii());
        for term in ["vt100", "vt220", "linux", "dumb", "xterm-mono", ""] {
            let t = theme(&[("TERM", term), ("LANG", "en_GB.UTF-8")], &auto);
            assert!(!t.has_colour(), "{term}");
        }
        assert!(theme(&[("TERM", "vt100"), ("LANG", "en_US.UTF-8")], &auto).ascii());
        assert!(theme(&[("TERM", "xterm"), ("LANG", "C")], &auto).ascii());
        assert!(theme(&[("TERM", "xterm")], &auto).ascii(), "no locale is C");
        assert!(
            !theme(
                &[("TERM", "xterm"), ("LC_ALL", "de_DE.utf8"), ("LANG", "C")],
                &auto
            )
            .ascii(),
            "LC_ALL wins"
        );
        assert!(!theme(
            &[("TERM", "xterm"), ("NO_COLOR", "1"), ("LANG", "C.UTF-8")],
            &auto
        )
        .has_colour());
        let forced = DisplayConfig {
            colour: Setting::Always,
            glyphs: Setting::Never,
        };
        let t = theme(&[("TERM", "vt100"), ("LANG", "C.UTF-8")], &forced);
        assert!(t.has_colour() && t.ascii());
    }
}
