//! A report's chart, chosen by what fits: a horizontal bar per doctor with their names beside,
//! vertical bars for days or months (labelled under each when the labels fit, every few bars
//! when not), and a sparkline when even one column per bar does not fit (each column then the
//! mean of a few bars, said in the title). A hidden small count has no bar (its height would
//! give it away) and says "<5" where there is room. Under ASCII the bars are drawn with # = - .

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols;
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, Block, Paragraph, Sparkline};
use ratatui::Frame;

use crate::domain::report::{Cell, Figures};
use crate::ui::theme::Theme;

/// Bars for terminals that draw ASCII only (partial heights as smaller marks).
const ASCII_BARS: symbols::bar::Set = symbols::bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "#",
    five_eighths: "=",
    half: "=",
    three_eighths: "-",
    one_quarter: "-",
    one_eighth: ".",
    empty: " ",
};

/// The widest a vertical bar is drawn.
const MAX_BAR_WIDTH: u16 = 7;

/// How the bars fit in a chart's inner area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// One row per bar, its label before it.
    Horizontal { gap: u16 },
    /// One column (or a few) per bar; `labelled` when each label fits under its bar.
    Vertical {
        width: u16,
        gap: u16,
        labelled: bool,
    },
    /// One column per `per` bars.
    Sparkline { per: usize },
}

/// The figure as written on a bar: "12", "<5", "16.7%".
pub fn bar_text(cell: Cell) -> String {
    match cell {
        Cell::Permille(p) => format!("{}.{}%", p / 10, p % 10),
        other => other.to_string(),
    }
}

/// How `n` bars with labels up to `label` characters wide fit in `width` x `height`.
pub fn fit(n: usize, label: usize, by_name: bool, width: u16, height: u16) -> Fit {
    let n16 = u16::try_from(n).unwrap_or(u16::MAX);
    if by_name && n16 <= height {
        let gap = u16::from(n16.saturating_mul(2).saturating_sub(1) <= height);
        return Fit::Horizontal { gap };
    }
    let label16 = u16::try_from(label).unwrap_or(u16::MAX).max(1);
    // The widest bars that fit with a gap of one between them, up to the label's width (or
    // MAX_BAR_WIDTH when the label is shorter than a figure).
    let most = (width.saturating_add(1) / n16.max(1)).saturating_sub(1);
    if most >= 1 {
        let width = most.min(MAX_BAR_WIDTH.max(label16)).min(MAX_BAR_WIDTH);
        return Fit::Vertical {
            width,
            gap: 1,
            labelled: width >= label16,
        };
    }
    Fit::Sparkline {
        per: n.div_ceil(usize::from(width.max(1))),
    }
}

/// Draws `figures`' chart into `area`, framed with its title.
pub fn draw(frame: &mut Frame, area: Rect, figures: &Figures, theme: Theme) {
    let bars = &figures.bars;
    let label = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let nothing = bars.iter().all(|b| {
        matches!(
            b.value,
            Cell::Count(0) | Cell::Minutes(0) | Cell::Permille(0) | Cell::None
        )
    });
    if nothing {
        let inner = framed(frame, area, &figures.chart_title, theme);
        frame.render_widget(
            Paragraph::new(
                " No bars to draw: each figure is 0, hidden (<5) or none; the table has them.",
            )
            .style(theme.dim()),
            inner,
        );
        return;
    }
    // Bars of things with names (doctors, methods, statements) go one to a row, named.
    let by_name = !matches!(figures.bar_unit, "day" | "month" | "month end");
    // A rate is drawn against 100 % (a full bar is everyone), unless one goes past it.
    let tallest = bars.iter().map(|b| b.value.bar()).max().unwrap_or(0);
    let rates = bars
        .iter()
        .all(|b| matches!(b.value, Cell::Permille(_) | Cell::None | Cell::Small));
    let top = if rates { tallest.max(1000) } else { tallest };
    // Where the bars are too narrow for their figures, the title says what the tallest is.
    let highest = bars
        .iter()
        .max_by_key(|b| b.value.bar())
        .map(|b| bar_text(b.value))
        .unwrap_or_default();
    // The inner area is the frame's less its border.
    let (w, h) = (area.width.saturating_sub(2), area.height.saturating_sub(2));
    let set = if theme.ascii() {
        ASCII_BARS
    } else {
        symbols::bar::NINE_LEVELS
    };
    match fit(bars.len(), label, by_name, w, h) {
        Fit::Horizontal { gap } => {
            let inner = framed(frame, area, &figures.chart_title, theme);
            let chart = BarChart::horizontal(shown_bars(figures, true, theme))
                .max(top)
                .bar_width(1)
                .bar_gap(gap)
                .bar_set(set)
                .bar_style(theme.chart())
                .value_style(theme.chart_value())
                .label_style(Style::new());
            // A bar of no length still says its figure where it begins: ratatui writes it.
            frame.render_widget(chart, inner);
        }
        Fit::Vertical {
            width,
            gap,
            labelled,
        } => {
            let title = if usize::from(width) < highest.chars().count() {
                format!("{}, highest {highest}", figures.chart_title)
            } else {
                figures.chart_title.clone()
            };
            let inner = framed(frame, area, &title, theme);
            let chart_area = if labelled {
                inner
            } else {
                Rect {
                    height: inner.height.saturating_sub(1),
                    ..inner
                }
            };
            let chart = BarChart::vertical(shown_bars(figures, labelled, theme))
                .max(top)
                .bar_width(width)
                .bar_gap(gap)
                .bar_set(set)
                .bar_style(theme.chart())
                .value_style(theme.chart_value())
                .label_style(theme.dim());
            frame.render_widget(chart, chart_area);
            // A bar of no height still says its figure (0, "<5", "-") where it fits, on bars
            // wide enough to read as columns (on thin ones a row of zeros is only noise).
            let row = chart_area.bottom().saturating_sub(1 + u16::from(labelled));
            for (i, b) in (0u16..).zip(bars) {
                let text = bar_text(b.value);
                let fits = width >= 3 && usize::from(width) >= text.chars().count();
                if b.value.bar() == 0 && fits && chart_area.height > 1 {
                    let at = Rect {
                        x: chart_area.x + i * (width + gap),
                        y: row,
                        width,
                        height: 1,
                    };
                    if at.right() <= chart_area.right() {
                        flat(frame, at, b.value, theme);
                    }
                }
            }
            if !labelled && inner.height > 1 {
                let axis = axis(figures, width + gap, label, inner.width);
                frame.render_widget(
                    Paragraph::new(Line::styled(axis, theme.dim())),
                    Rect {
                        y: inner.bottom().saturating_sub(1),
                        height: 1,
                        ..inner
                    },
                );
            }
        }
        Fit::Sparkline { per } => {
            let title = format!(
                "{}, each column the mean of {per} {}s",
                figures.chart_title, figures.bar_unit
            );
            let inner = framed(frame, area, &title, theme);
            let values: Vec<u64> = bars
                .chunks(per)
                .map(|c| {
                    let shown: Vec<u64> = c
                        .iter()
                        .filter(|b| !matches!(b.value, Cell::None | Cell::Small))
                        .map(|b| b.value.bar())
                        .collect();
                    let n = u64::try_from(shown.len()).unwrap_or(1).max(1);
                    shown.iter().sum::<u64>().div_ceil(n)
                })
                .collect();
            let spark_area = Rect {
                height: inner.height.saturating_sub(1),
                ..inner
            };
            frame.render_widget(
                Sparkline::default()
                    .data(&values)
                    .max(
                        if rates {
                            top
                        } else {
                            values.iter().copied().max().unwrap_or(0)
                        }
                        .max(1),
                    )
                    .bar_set(set)
                    .style(theme.chart()),
                spark_area,
            );
            let first = figures.period.from.format("%Y-%m-%d").to_string();
            let last = figures.period.to.format("%Y-%m-%d").to_string();
            let room = usize::from(inner.width)
                .min(values.len())
                .saturating_sub(first.len() + last.len());
            frame.render_widget(
                Paragraph::new(Line::styled(
                    format!("{first}{}{last}", " ".repeat(room)),
                    theme.dim(),
                )),
                Rect {
                    y: inner.bottom().saturating_sub(1),
                    height: 1,
                    ..inner
                },
            );
        }
    }
}

/// The figure of a bar with no height, in its place, centred.
fn flat(frame: &mut Frame, at: Rect, value: Cell, theme: Theme) {
    frame.render_widget(
        Paragraph::new(bar_text(value))
            .style(theme.dim())
            .alignment(ratatui::layout::Alignment::Center),
        at,
    );
}

/// The chart's frame with its title; the area inside it.
fn framed(frame: &mut Frame, area: Rect, title: &str, theme: Theme) -> Rect {
    let block = Block::bordered()
        .border_style(theme.dim())
        .title(Line::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// The bars as ratatui draws them: a hidden count at height 0 saying "<5", a missing figure at
/// 0 saying "-".
fn shown_bars(figures: &Figures, labelled: bool, theme: Theme) -> Vec<Bar<'static>> {
    figures
        .bars
        .iter()
        .map(|b| {
            let bar = Bar::default()
                .value(b.value.bar())
                .text_value(bar_text(b.value));
            let bar = match b.value {
                Cell::Small | Cell::None => bar.value_style(theme.dim()),
                _ => bar,
            };
            if labelled {
                bar.label(Line::raw(b.label.clone()))
            } else {
                bar
            }
        })
        .collect()
}

/// The labels under bars `step` columns apart that are too narrow for them: every few bars, as
/// many as fit without touching.
fn axis(figures: &Figures, step: u16, label: usize, width: u16) -> String {
    let step = usize::from(step.max(1));
    let every = (label + 1).div_ceil(step).max(1);
    let mut line = String::new();
    for (i, b) in figures.bars.iter().enumerate().step_by(every) {
        let x = i * step;
        if x + label > usize::from(width) {
            break;
        }
        let pad = x.saturating_sub(line.chars().count());
        line.push_str(&" ".repeat(pad));
        line.push_str(&b.label);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fit_by_name_by_column_or_as_a_sparkline() {
        // Three doctors in eight rows: one row each with a gap.
        assert_eq!(fit(3, 8, true, 76, 8), Fit::Horizontal { gap: 1 });
        assert_eq!(fit(8, 8, true, 76, 8), Fit::Horizontal { gap: 0 });
        // Twenty doctors do not fit as rows: columns, their names too wide to go under them.
        assert_eq!(
            fit(20, 8, true, 76, 8),
            Fit::Vertical {
                width: 2,
                gap: 1,
                labelled: false
            }
        );
        // A week of days: wide bars, labelled.
        assert_eq!(
            fit(7, 2, false, 76, 8),
            Fit::Vertical {
                width: 7,
                gap: 1,
                labelled: true
            }
        );
        // A month of days at 80 columns: one column each, labels every few bars.
        assert_eq!(
            fit(31, 2, false, 76, 8),
            Fit::Vertical {
                width: 1,
                gap: 1,
                labelled: false
            }
        );
        // A year of days: a sparkline, five days to a column.
        assert_eq!(fit(365, 2, false, 76, 8), Fit::Sparkline { per: 5 });
    }

    #[test]
    fn figures_on_bars_are_short() {
        assert_eq!(bar_text(Cell::Permille(167)), "16.7%");
        assert_eq!(bar_text(Cell::Small), "<5");
        assert_eq!(bar_text(Cell::Count(12)), "12");
    }
}
