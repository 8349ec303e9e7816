//! The lookup: the search box with what its text is read as, and the matches with the selected
//! row and "N of M matches".

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

use super::{surname, when, Keys};
use crate::app::patients::{Clock, Cmd, Lookup, LookupFocus, SEARCH_LIMIT};
use crate::app::screen::Access;
use crate::domain::patient::{format_date, SearchQuery};
use crate::ui::theme::Theme;
use crate::ui::widgets::list::{position, scroll_offset};
use crate::ui::widgets::text_field::TextField;
use crate::ui::widgets::{spinner, truncate};

pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    lookup: &Lookup,
    clock: &Clock,
    access: Access,
    keys: &Keys,
    theme: Theme,
) -> Option<Position> {
    let [find, list] = area.layout(&Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(0),
    ]));
    let searching = lookup.focus == LookupFocus::Search;
    let picker = &lookup.picker;
    let reading = match picker.reading {
        Some(reading) => Line::from(vec![
            Span::raw(" read as "),
            Span::styled(reading, theme.title()),
            Span::raw(" "),
        ]),
        None => Line::styled(
            " name · date of birth · phone · number · email ",
            theme.dim(),
        ),
    };
    let mut block = Block::bordered()
        .title(Span::styled(" Find ", theme.title()))
        .title(reading.right_aligned());
    if access == Access::ReadOnly {
        block = block.title_bottom(Line::from(" read only ").right_aligned());
    }
    let inner = block.inner(find);
    frame.render_widget(block, find);
    let cursor = TextField {
        input: &picker.input,
        masked: false,
        focused: searching,
        brackets: false,
    }
    .render(frame, inner, theme);
    draw_list(frame, list, lookup, clock, access, keys, theme);
    cursor
}

fn draw_list(
    frame: &mut Frame,
    area: Rect,
    lookup: &Lookup,
    clock: &Clock,
    access: Access,
    keys: &Keys,
    theme: Theme,
) {
    let picker = &lookup.picker;
    let more = i64::try_from(picker.hits.len()).is_ok_and(|n| n >= SEARCH_LIMIT);
    let mut status = vec![Span::raw(" ")];
    if picker.searching.in_flight() {
        status.push(Span::styled(
            format!("{} searching… ", spinner(clock.now)),
            theme.warning(),
        ));
    }
    if picker.answered.is_some() {
        status.push(Span::raw(format!(
            "{} ",
            position(picker.hits.selected(), picker.hits.len(), more, "matches")
        )));
    }
    let mut block = Block::bordered().title(Span::styled(" Patients ", theme.title()));
    if status.len() > 1 {
        block = block.title_bottom(Line::from(status).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if let Some(error) = &picker.error {
        let [line, rest] = inner.layout(&Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(0),
        ]));
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("! ", theme.error()),
                Span::raw(format!("Could not search: {error}")),
            ]))
            .wrap(Wrap { trim: true }),
            line,
        );
        return draw_rows(frame, rest, lookup, clock, theme);
    }
    if picker.hits.is_empty() {
        let text = match (&picker.answered, picker.searching.in_flight()) {
            (Some(typed), false) => {
                let short_digits = matches!(
                    SearchQuery::parse(typed, &clock.date_format),
                    SearchQuery::Digits(d) if d.len() < 4
                );
                let mut lines = vec![Line::raw(if short_digits {
                    format!(
                        "No patient number {typed}. For a phone number, type at least 4 of its digits."
                    )
                } else {
                    format!(
                        "No patient matches \u{201c}{typed}\u{201d} (read as {}).",
                        picker.reading.unwrap_or("name")
                    )
                })];
                if access == Access::Full {
                    let in_box = lookup.focus == LookupFocus::Search;
                    lines.push(Line::raw(""));
                    lines.push(Line::from(vec![
                        Span::styled(keys.typing(None, Cmd::New, in_box), theme.key()),
                        Span::raw(" registers a new patient with what you typed."),
                    ]));
                }
                lines
            }
            _ => vec![
                Line::raw("Type a name (any order), a date of birth (1985-06-15 or the clinic's"),
                Line::raw(
                    "format), a phone number or its last digits, a patient number or an email.",
                ),
            ],
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.dim())
                .wrap(Wrap { trim: true }),
            inner.inner(ratatui::layout::Margin::new(1, 1)),
        );
        return;
    }
    draw_rows(frame, inner, lookup, clock, theme);
}

fn draw_rows(frame: &mut Frame, area: Rect, lookup: &Lookup, clock: &Clock, theme: Theme) {
    let header = Row::new(["#", "Name", "Born", "Phone", "Next appt"]).style(theme.title());
    let hits = &lookup.picker.hits;
    let rows: Vec<Row> = hits
        .iter()
        .map(|h| {
            // A typo-tolerant match is marked, so a near name is not taken for the one typed.
            let mark = if h.similar { "~" } else { "" };
            let name = format!("{mark}{}, {}", h.family_name.to_uppercase(), h.given_names);
            let next = h.next_appointment.as_ref().map_or_else(
                || "-".to_string(),
                |n| format!("{} {}", when(n.starts_at, clock), surname(&n.doctor)),
            );
            Row::new([
                Cell::from(h.patient_number.to_string()),
                Cell::from(truncate(&name, 22)),
                Cell::from(format_date(h.date_of_birth, "%Y-%m-%d").unwrap_or_default()),
                Cell::from(h.phone.clone().unwrap_or_default()),
                Cell::from(next),
            ])
        })
        .collect();
    let visible = usize::from(area.height.saturating_sub(1));
    let focused = lookup.focus == LookupFocus::List;
    // The selected row is marked with ">" wherever the focus is (Enter opens it from the box
    // too); it is reversed only while the list has the focus.
    let highlight = if focused {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new()
    };
    let table = Table::new(
        rows,
        [
            Constraint::Length(6),
            Constraint::Length(22),
            Constraint::Length(10),
            Constraint::Length(14),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .column_spacing(1)
    .row_highlight_style(highlight)
    .highlight_symbol("> ")
    .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    let mut state = TableState::default()
        .with_offset(scroll_offset(hits.selected(), hits.len(), visible))
        .with_selected(Some(hits.selected()));
    frame.render_stateful_widget(table, area, &mut state);
    if hits.iter().any(|h| h.similar) && area.height > 2 {
        let note = Rect {
            y: area.bottom().saturating_sub(1),
            height: 1,
            ..area
        };
        if hits.len() < visible {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "~ similar spelling, not an exact match",
                    theme.dim(),
                ))
                .right_aligned(),
                note,
            );
        }
    }
}
