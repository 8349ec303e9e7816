//! The Reports screen: the reports as tabs, the period on the line under them, then the chart
//! and its figures (below it at 80 columns, beside it on a wide terminal). Every figure is in the
//! table as well as in the chart, so nothing depends on seeing colour or bar heights.

mod chart;

use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::app::reports::ReportsScreen;
use crate::domain::report::{Cell, Figures};
use crate::ui::theme::Theme;
use crate::ui::widgets::form::{self as form_widget, Layout as FormLayout};
use crate::ui::widgets::{centered, popup_block, spinner, tab_bar, truncate};
use crate::ui::{View, ViewEnv};

/// From this width the figures go beside the chart rather than under it.
const SIDE_BY_SIDE: u16 = 120;

impl View for ReportsScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        let theme = env.theme;
        let width = usize::from(area.width);
        let (Some(kind), Some(period)) = (self.kind, self.period) else {
            frame.render_widget(Paragraph::new(" loading…"), area);
            return None;
        };
        let tabs = self
            .kinds
            .iter()
            .map(|k| (k.title().to_string(), *k == kind));
        let status = if self.loading.in_flight() {
            if self.loading.spinning(env.now) {
                format!("counting {} ", spinner(env.now))
            } else {
                "counting… ".into()
            }
        } else {
            self.read_at.map_or_else(String::new, |t| {
                format!("as of {} ", t.with_timezone(&self.tz).format("%H:%M"))
            })
        };
        let heading = format!(" {} · {}", period.label(), period.span.word());
        let hints = "d w m y +/- period · t today ";
        let fits = heading.chars().count() + hints.chars().count() <= width;
        let gap = width.saturating_sub(heading.chars().count() + hints.chars().count());
        let lines = vec![
            tab_bar(tabs, &status, width, theme),
            Line::from(vec![
                Span::styled(heading, theme.title()),
                Span::raw(" ".repeat(gap)),
                Span::styled(if fits { hints } else { "" }, theme.dim()),
            ]),
        ];
        frame.render_widget(Paragraph::new(lines), Rect { height: 2, ..area });
        let body = Rect {
            y: area.y + 2,
            height: area.height.saturating_sub(2),
            ..area
        };
        match (&self.figures, &self.error) {
            (_, Some(e)) => frame.render_widget(
                Paragraph::new(vec![
                    Line::styled(
                        format!(" Could not count {}: {e}", kind.title()),
                        theme.error(),
                    ),
                    Line::raw(" r counts again."),
                ]),
                body,
            ),
            (Some(f), None) => draw_figures(frame, body, f, self.scroll, theme),
            (None, None) => frame.render_widget(
                Paragraph::new(format!(
                    " Counting {} for {}…",
                    kind.title().to_lowercase(),
                    period.label()
                )),
                body,
            ),
        }
        self.range.as_ref().and_then(|form| {
            let boxed = centered(area, 52, 9);
            frame.render_widget(Clear, boxed);
            let block = popup_block(&form.title, theme.title(), theme);
            let inner = block.inner(boxed);
            frame.render_widget(block, boxed);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "The first and the last day, both counted.",
                    theme.dim(),
                )),
                Rect { height: 1, ..inner },
            );
            form_widget::draw(
                frame,
                Rect {
                    y: inner.y + 2,
                    height: inner.height.saturating_sub(2),
                    ..inner
                },
                form,
                FormLayout {
                    label_width: 9,
                    field_width: Some(14),
                },
                true,
                theme,
            )
        })
    }
}

/// The chart, and the table of figures under it (or beside it when the terminal is wide).
fn draw_figures(frame: &mut Frame, area: Rect, f: &Figures, scroll: usize, theme: Theme) {
    // Beside the chart the table takes what it needs; under it, the whole width.
    let wide = area.width >= SIDE_BY_SIDE;
    let table = table_lines(f, if wide { 100 } else { usize::from(area.width) }, theme);
    let table_width = table
        .first()
        .map_or(0, |l| u16::try_from(l.width()).unwrap_or(u16::MAX));
    if wide && table_width + 40 <= area.width {
        let chart_width = area.width - table_width - 1;
        chart::draw(
            frame,
            Rect {
                width: chart_width,
                ..area
            },
            f,
            theme,
        );
        let right = Rect {
            x: area.x + chart_width + 1,
            width: table_width,
            ..area
        };
        draw_table(frame, right, table, scroll);
        return;
    }
    // At 80x24 the chart takes about half; a short table gives the chart the rest.
    let rows = u16::try_from(table.len()).unwrap_or(u16::MAX);
    let chart_height = area
        .height
        .saturating_sub(rows.min(area.height / 2))
        .max(6)
        .min(area.height);
    chart::draw(
        frame,
        Rect {
            height: chart_height,
            ..area
        },
        f,
        theme,
    );
    draw_table(
        frame,
        Rect {
            y: area.y + chart_height,
            height: area.height - chart_height,
            ..area
        },
        table,
        scroll,
    );
}

/// The table's header row stays; the rows under it scroll, and the header says where they are
/// when they do not all fit.
fn draw_table(frame: &mut Frame, area: Rect, mut lines: Vec<Line<'static>>, scroll: usize) {
    if lines.is_empty() || area.height == 0 {
        return;
    }
    let mut header = lines.remove(0);
    let room = usize::from(area.height).saturating_sub(1);
    let top = scroll.min(lines.len().saturating_sub(room));
    if lines.len() > room {
        let last = (top + room).min(lines.len());
        let note = format!("  ↓ {}-{} of {}", top + 1, last, lines.len());
        if header.width() + note.chars().count() <= usize::from(area.width) {
            let style = header.style;
            header.push_span(Span::styled(note, style));
        }
    }
    let mut shown = vec![header];
    shown.extend(lines.into_iter().skip(top).take(room));
    frame.render_widget(Paragraph::new(shown), area);
}

/// The figures as lines of text: a header, then a row per figure row, numbers to the right, a
/// total in bold and a label repeated from the row above left blank.
fn table_lines(f: &Figures, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let labels = f.label_columns.len();
    let header: Vec<String> = f
        .label_columns
        .iter()
        .chain(f.columns.iter())
        .map(|s| s.to_string())
        .collect();
    let mut grid = vec![header];
    for row in &f.rows {
        grid.push(
            row.label
                .iter()
                .cloned()
                .chain(row.cells.iter().map(Cell::to_string))
                .collect(),
        );
    }
    let cols = grid[0].len();
    let mut widths: Vec<usize> = (0..cols)
        .map(|i| {
            grid.iter()
                .map(|l| l.get(i).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    // Room for the figures first: the labels give way, the last (a doctor's name) before the
    // first (the day), each down to 8.
    let used = |w: &[usize]| w.iter().sum::<usize>() + w.len();
    for i in (0..labels).rev() {
        let over = used(&widths).saturating_sub(width);
        widths[i] = widths[i].saturating_sub(over).max(8.min(widths[i]));
    }
    let mut out = Vec::with_capacity(grid.len());
    let mut previous: Vec<String> = Vec::new();
    for (n, cells) in grid.iter().enumerate() {
        let is_total = n > 0 && f.rows[n - 1].total;
        let mut text = String::from(" ");
        for (i, s) in cells.iter().enumerate() {
            let w = widths[i];
            if i < labels {
                // The same day as the row above: left blank, so the rows read as its group.
                let repeat = n > 1 && i + 1 < labels && previous.get(i) == Some(s);
                let s = if repeat {
                    String::new()
                } else {
                    truncate(s, w)
                };
                text.push_str(&format!("{s:<w$} "));
            } else {
                text.push_str(&format!("{s:>w$} "));
            }
        }
        previous = cells.clone();
        let style = if n == 0 {
            theme.dim()
        } else if is_total {
            ratatui::style::Style::new().add_modifier(Modifier::BOLD)
        } else {
            ratatui::style::Style::new()
        };
        out.push(Line::styled(text.trim_end().to_string(), style));
    }
    out
}
