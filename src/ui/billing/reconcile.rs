//! The statement lines still open, surest suggestion first: the day, the amount, what the payer
//! wrote, and the invoice suggested with how sure the match is (a number, readable without
//! colour).

use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::tab_bar;
use crate::app::billing::{BillingScreen, PickInvoice};
use crate::domain::money::Money;
use crate::ui::theme::Theme;
use crate::ui::widgets::list::{position, scroll_offset};
use crate::ui::widgets::text_field::labelled_input;
use crate::ui::widgets::{centered, popup_block, truncate};

pub fn draw(frame: &mut Frame, area: Rect, state: &BillingScreen, theme: Theme) {
    let width = usize::from(area.width);
    let view = &state.reconcile;
    let fmt = state.number_format;
    let right = if view.loaded {
        format!("{} open lines ", view.open)
    } else {
        String::new()
    };
    let mut lines = vec![tab_bar(state, &right, width, theme)];
    if let Some((file, s)) = &view.last_import {
        lines.push(Line::styled(
            truncate(
                &format!(
                    " {file}: {} read · {} new · {} by number · {} by name · {} by amount",
                    s.lines_read, s.lines_new, s.by_number, s.by_name, s.by_amount
                ),
                width,
            ),
            theme.dim(),
        ));
    }
    if let Some(e) = &view.error {
        lines.push(Line::styled(
            truncate(&format!(" {e}"), width),
            theme.error(),
        ));
    }
    lines.push(Line::styled(
        format!(
            " {:<10} {:>9} {:<24} {:<11} {:<14} {:>4}",
            "booked", "amount", "what the payer wrote", "invoice", "patient", "sure"
        ),
        theme.dim(),
    ));
    if !view.loaded {
        lines.push(Line::raw(" loading…"));
    } else if view.lines.is_empty() {
        lines.push(Line::raw(
            " Nothing to review: i imports a bank statement (CSV or CAMT.053).",
        ));
    }
    // The line chosen, in full, above the footer: who paid, what they wrote, where it came from.
    let detail = view.lines.selected_item().map(|l| {
        let mut d = vec![
            Line::raw(truncate(
                &format!(
                    " From {} · {} line {}",
                    if l.payer.is_empty() { "?" } else { &l.payer },
                    l.source,
                    l.line_no
                ),
                width,
            )),
            Line::raw(truncate(
                &format!(
                    " \"{}\"",
                    if l.reference.is_empty() {
                        "(no text)"
                    } else {
                        &l.reference
                    }
                ),
                width,
            )),
        ];
        if let Some(sg) = &l.suggestion {
            let by = match sg.rule.as_str() {
                "number" => "number",
                "name_amount" => "payer+amount",
                "amount" => "amount",
                _ => "chosen",
            };
            d.push(Line::styled(
                truncate(
                    &format!(
                        " -> {} {}, owes {} ({by}, {}%)",
                        sg.number.as_deref().unwrap_or("(not numbered yet)"),
                        sg.patient_name,
                        Money::new(sg.owed_minor, l.currency).display(fmt),
                        sg.confidence
                    ),
                    width,
                ),
                theme.dim(),
            ));
        }
        d
    });
    let detail_rows = detail.as_ref().map_or(0, |d| d.len() + 1);
    let room = usize::from(area.height).saturating_sub(lines.len() + 1 + detail_rows);
    let top = scroll_offset(view.lines.selected(), view.lines.len(), room);
    for (i, l) in view.lines.iter().enumerate().skip(top).take(room) {
        let selected = i == view.lines.selected();
        let said = match (l.reference.is_empty(), l.payer.is_empty()) {
            (false, false) => format!("\"{}\" {}", l.reference, l.payer),
            (false, true) => format!("\"{}\"", l.reference),
            _ => l.payer.clone(),
        };
        let (invoice, patient, sure) = match &l.suggestion {
            Some(s) => (
                s.number.clone().unwrap_or_default(),
                s.patient_name.clone(),
                format!("{}%", s.confidence),
            ),
            None => ("-".into(), "no suggestion".into(), String::new()),
        };
        let text = format!(
            "{}{:<10} {:>9} {:<24} {:<11} {:<14} {:>4}",
            if selected { ">" } else { " " },
            l.booked_on.format("%Y-%m-%d"),
            Money::new(l.amount_minor, l.currency).amount(fmt),
            truncate(&said, 24),
            truncate(&invoice, 11),
            truncate(&patient, 14),
            sure
        );
        let mut style = match &l.suggestion {
            Some(s) if s.confidence >= 90 => theme.good(),
            Some(_) => Style::new(),
            None => theme.dim(),
        };
        if selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::styled(format!("{text:<width$}"), style));
    }
    while lines.len() < usize::from(area.height).saturating_sub(1 + detail_rows) {
        lines.push(Line::raw(""));
    }
    if let Some(d) = detail {
        lines.push(Line::raw(""));
        lines.extend(d);
    }
    let mut footer = String::new();
    if let Some(what) = view.working.what() {
        footer = format!(" working ({what})…");
    }
    let pos = format!(
        "{} ",
        position(
            view.lines.selected(),
            view.lines.len(),
            i64::try_from(view.lines.len()).unwrap_or(i64::MAX) < view.open,
            "lines"
        )
    );
    let gap = width.saturating_sub(footer.chars().count() + pos.chars().count());
    lines.push(Line::styled(
        format!("{footer}{}{pos}", " ".repeat(gap)),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

fn boxed(frame: &mut Frame, area: Rect, title: &str, height: u16, theme: Theme) -> Rect {
    let outer = centered(area, 72, height);
    frame.render_widget(Clear, outer);
    let b = popup_block(title, theme.title(), theme);
    let inner = b.inner(outer);
    frame.render_widget(b, outer);
    inner
}

fn rows_from(inner: Rect, y: u16) -> Rect {
    Rect {
        y: inner.y + y.min(inner.height),
        height: inner.height.saturating_sub(y),
        ..inner
    }
}

pub fn draw_import(
    frame: &mut Frame,
    area: Rect,
    path: &tui_input::Input,
    error: Option<&str>,
    working: Option<&crate::app::progress::Progress>,
    theme: Theme,
) -> Option<Position> {
    let inner = boxed(frame, area, "Import a bank statement", 12, theme);
    frame.render_widget(
        Paragraph::new(
            "CSV (laid out as [billing.bank_csv] says) or CAMT.053 XML. Lines already imported are \
             recognised and left as they are; a file with a bad line is refused whole.",
        )
        .wrap(Wrap { trim: true }),
        Rect {
            height: 3.min(inner.height),
            ..inner
        },
    );
    let cursor = labelled_input(frame, rows_from(inner, 4), "File ", path, false, theme);
    let note = match (working, error) {
        (Some(p), _) => Some((
            p.words()
                .map_or_else(|| "Reading the file…".to_string(), |w| format!("{w}…")),
            theme.warning(),
        )),
        (None, Some(e)) => Some((e.to_string(), theme.error())),
        _ => None,
    };
    if let Some((text, style)) = note {
        frame.render_widget(
            Paragraph::new(Line::styled(text, style)).wrap(Wrap { trim: true }),
            rows_from(inner, 6),
        );
    }
    cursor
}

pub fn draw_pick(
    frame: &mut Frame,
    area: Rect,
    pick: &PickInvoice,
    state: &BillingScreen,
    theme: Theme,
) -> Option<Position> {
    let inner = boxed(frame, area, "Put the line on an invoice", 10, theme);
    let fmt = state.number_format;
    let l = &pick.line;
    frame.render_widget(
        Paragraph::new(truncate(
            &format!(
                "{} {} from {} \"{}\"",
                l.booked_on.format("%Y-%m-%d"),
                Money::new(l.amount_minor, l.currency).display(fmt),
                if l.payer.is_empty() { "?" } else { &l.payer },
                l.reference
            ),
            usize::from(inner.width),
        )),
        Rect { height: 1, ..inner },
    );
    let cursor = labelled_input(
        frame,
        rows_from(inner, 2),
        "Invoice no. ",
        &pick.number,
        false,
        theme,
    );
    let note = if let Some(e) = &pick.error {
        Some(Line::styled(e.clone(), theme.error()))
    } else if let Some((number, _, name, owed)) = &pick.found {
        Some(Line::styled(
            format!(
                "{number}: {name}, owes {}. Enter puts the line on it.",
                Money::new(*owed, l.currency).display(fmt)
            ),
            theme.good(),
        ))
    } else if pick.looking.in_flight() {
        Some(Line::raw("Looking…"))
    } else {
        Some(Line::styled("Enter finds the invoice.", theme.dim()))
    };
    if let Some(line) = note {
        frame.render_widget(
            Paragraph::new(line).wrap(Wrap { trim: true }),
            rows_from(inner, 4),
        );
    }
    cursor
}
