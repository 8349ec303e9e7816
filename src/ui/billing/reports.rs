//! The aging and the day's cash, as tables that read without colour: the totals first, so the
//! figure that matters is on screen however long the list.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::tab_bar;
use crate::app::billing::BillingScreen;
use crate::domain::invoice::method_word;
use crate::domain::money::{Currency, Money};
use crate::domain::receivables::{cash_totals, BUCKETS};
use crate::ui::theme::Theme;
use crate::ui::widgets::list::scroll_offset;
use crate::ui::widgets::truncate;

fn fill(lines: &mut Vec<Line<'static>>, height: u16) {
    while lines.len() < usize::from(height) {
        lines.push(Line::raw(""));
    }
}

pub fn draw_aging(frame: &mut Frame, area: Rect, state: &BillingScreen, theme: Theme) {
    let width = usize::from(area.width);
    let view = &state.aging;
    let fmt = state.number_format;
    let right = match &view.aging {
        Some(a) => format!(
            "as of {} · {} · {} patients ",
            a.as_of.format("%Y-%m-%d"),
            a.currency,
            a.rows.len()
        ),
        None => String::new(),
    };
    let mut lines = vec![tab_bar(state, &right, width, theme)];
    let Some(aging) = &view.aging else {
        lines.push(Line::raw(match &view.error {
            Some(e) => format!(" Could not read the aging: {e}"),
            None => " loading…".into(),
        }));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    if let Some(e) = &view.error {
        lines.push(Line::styled(
            truncate(&format!(" {e}"), width),
            theme.error(),
        ));
    }
    let amount = |minor: i64| format!("{:>10}", Money::new(minor, aging.currency).amount(fmt));
    lines.push(Line::styled(
        format!(
            " {:<6} {:<16} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "number", "patient", BUCKETS[0], BUCKETS[1], BUCKETS[2], BUCKETS[3], "total"
        ),
        theme.dim(),
    ));
    match aging.totals() {
        Ok((buckets, total)) => lines.push(Line::styled(
            format!(
                " {:<6} {:<16} {} {} {} {} {}",
                "",
                "all patients",
                amount(buckets[0].minor()),
                amount(buckets[1].minor()),
                amount(buckets[2].minor()),
                amount(buckets[3].minor()),
                amount(total.minor())
            ),
            theme.title(),
        )),
        Err(e) => lines.push(Line::styled(format!(" {e}"), theme.error())),
    }
    if view.rows.is_empty() {
        lines.push(Line::raw(" Nothing is owed on an issued invoice."));
    }
    let room = usize::from(area.height).saturating_sub(lines.len());
    let top = scroll_offset(view.rows.selected(), view.rows.len(), room);
    for (i, r) in view.rows.iter().enumerate().skip(top).take(room) {
        let selected = i == view.rows.selected();
        let text = format!(
            "{}{:<6} {:<16} {} {} {} {} {}",
            if selected { ">" } else { " " },
            r.patient_number,
            truncate(&r.patient_name, 16),
            amount(r.buckets[0]),
            amount(r.buckets[1]),
            amount(r.buckets[2]),
            amount(r.buckets[3]),
            amount(r.total_minor)
        );
        let mut style = if r.buckets[3] > 0 {
            theme.warning()
        } else {
            Style::new()
        };
        if selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::styled(format!("{text:<width$}"), style));
    }
    fill(&mut lines, area.height);
    frame.render_widget(Paragraph::new(lines), area);
}

pub fn draw_cash(frame: &mut Frame, area: Rect, state: &BillingScreen, theme: Theme) {
    let width = usize::from(area.width);
    let view = &state.cash;
    let fmt = state.number_format;
    let currency = state.currency.unwrap_or(Currency::USD);
    let right = view
        .day
        .map_or_else(String::new, |d| format!("{} ", d.format("%a %Y-%m-%d")));
    let mut lines = vec![tab_bar(state, &right, width, theme)];
    let Some(rows) = &view.rows else {
        lines.push(Line::raw(match &view.error {
            Some(e) => format!(" Could not read the day's cash: {e}"),
            None => " loading…".into(),
        }));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    match cash_totals(rows, currency) {
        Ok((per, total)) => {
            lines.push(Line::styled(
                format!(" Taken {}", total.display(fmt)),
                theme.title(),
            ));
            let mut spans = vec![Span::raw(" ")];
            for (i, (method, sum)) in per.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::raw(" · "));
                }
                spans.push(Span::raw(format!(
                    "{} {}",
                    method_word(method),
                    sum.amount(fmt)
                )));
            }
            lines.push(Line::from(spans));
        }
        Err(e) => lines.push(Line::styled(format!(" {e}"), theme.error())),
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            " {:<16} {:<30} {:>6} {:>12}",
            "method", "taken by", "count", "amount"
        ),
        theme.dim(),
    ));
    if rows.is_empty() {
        lines.push(Line::raw(" No money was taken or paid back that day."));
    }
    for r in rows.iter().filter(|r| r.currency == currency) {
        lines.push(Line::raw(format!(
            " {:<16} {:<30} {:>6} {:>12}",
            truncate(&method_word(&r.method), 16),
            truncate(&r.received_by, 30),
            r.payments,
            r.amount().amount(fmt)
        )));
    }
    fill(&mut lines, area.height);
    frame.render_widget(Paragraph::new(lines), area);
}

/// The fee schedule: each service's price in force and any to come, with its tax and the
/// reasons that suggest it.
pub fn draw_prices(frame: &mut Frame, area: Rect, state: &BillingScreen, theme: Theme) {
    let width = usize::from(area.width);
    let view = &state.prices;
    let fmt = state.number_format;
    let right = if view.loaded {
        format!("{} prices ", view.rows.len())
    } else {
        String::new()
    };
    let mut lines = vec![tab_bar(state, &right, width, theme)];
    if let Some(e) = &view.error {
        lines.push(Line::styled(
            truncate(&format!(" {e}"), width),
            theme.error(),
        ));
    }
    lines.push(Line::styled(
        format!(
            " {:<8} {:<22} {:>9} {:>6} {:<10} {:<10} {}",
            "code", "description", "price", "tax %", "from", "to", "suggested for"
        ),
        theme.dim(),
    ));
    if !view.loaded {
        lines.push(Line::raw(" loading…"));
    }
    let room = usize::from(area.height).saturating_sub(lines.len());
    let top = scroll_offset(view.rows.selected(), view.rows.len(), room);
    for (i, p) in view.rows.iter().enumerate().skip(top).take(room) {
        let selected = i == view.rows.selected();
        let text = format!(
            "{}{:<8} {:<22} {:>9} {:>6} {:<10} {:<10} {}",
            if selected { ">" } else { " " },
            truncate(&p.code, 8),
            truncate(&p.description, 22),
            Money::new(p.price_minor, p.currency).amount(fmt),
            p.tax_rate,
            p.valid_from.format("%Y-%m-%d"),
            p.valid_to
                .map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string()),
            p.suggested_for.join(", ")
        );
        let text = truncate(&text, width);
        lines.push(if selected {
            Line::styled(
                format!("{text:<width$}"),
                Style::new().add_modifier(Modifier::REVERSED),
            )
        } else {
            Line::raw(text)
        });
    }
    fill(&mut lines, area.height);
    frame.render_widget(Paragraph::new(lines), area);
}
