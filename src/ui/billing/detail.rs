//! One invoice: who and when, its lines with what the database computed of each, the totals down
//! to what is owed, the money taken and paid back, and why it was voided or credited.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{amount, capitalised, state_word};
use crate::app::billing::{BillingScreen, DetailView};
use crate::domain::invoice::{method_word, InvoiceDetail};
use crate::domain::money::Money;
use crate::ui::theme::Theme;
use crate::ui::widgets::truncate;

pub fn draw(frame: &mut Frame, area: Rect, view: &DetailView, state: &BillingScreen, theme: Theme) {
    let width = usize::from(area.width);
    let mut lines = match &view.detail {
        Some(d) => lines(d, state, view.line, width, theme),
        None => vec![Line::raw(match &view.error {
            Some(e) => format!(" Could not read the invoice: {e}"),
            None => " loading…".to_string(),
        })],
    };
    if let (Some(e), Some(_)) = (&view.error, &view.detail) {
        lines.insert(
            0,
            Line::styled(truncate(&format!(" {e}"), width), theme.error()),
        );
    }
    let height = usize::from(area.height);
    let scroll = usize::from(view.scroll).min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(height).collect();
    frame.render_widget(Paragraph::new(shown), area);
}

fn lines(
    d: &InvoiceDetail,
    state: &BillingScreen,
    chosen_line: usize,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let row = &d.row;
    let fmt = state.number_format;
    let tz = state.tz;
    let today = state.now.with_timezone(&tz).date_naive();
    let money = |minor: i64| Money::new(minor, row.currency).amount(fmt);
    let mut out = vec![Line::styled(
        truncate(
            &format!(
                " {} · {} · #{}",
                capitalised(&row.label()),
                row.patient_name,
                row.patient_number
            ),
            width,
        ),
        theme.title(),
    )];
    let mut when = vec![format!("state {}", state_word(row, today))];
    if row.kind == crate::domain::invoice::InvoiceKind::CreditNote {
        when[0] = format!("state {}", row.status.word());
    }
    if let Some(at) = row.issued_at {
        when.push(format!(
            "issued {}",
            at.with_timezone(&tz).format("%Y-%m-%d")
        ));
    } else {
        when.push(format!(
            "drafted {}",
            row.created_at.with_timezone(&tz).format("%Y-%m-%d")
        ));
    }
    if let Some(due) = row.due_on {
        when.push(format!("due {}", due.format("%Y-%m-%d")));
    }
    when.push(format!("in {}", row.currency));
    out.push(Line::raw(truncate(
        &format!(" {}", when.join(" · ")),
        width,
    )));
    for (label, text) in [
        ("Credits", d.credits.clone()),
        ("Why credited", d.credit_reason.clone()),
        ("Why void", d.void_reason.clone()),
    ] {
        if let Some(text) = text {
            out.push(Line::styled(
                truncate(&format!(" {label}: {text}"), width),
                theme.warning(),
            ));
        }
    }
    if !d.credit_notes.is_empty() {
        out.push(Line::raw(truncate(
            &format!(" Credit notes: {}", d.credit_notes.join(", ")),
            width,
        )));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        format!(
            " {:<6} {:<24} {:>3} {:>10} {:>9} {:>6} {:>11}",
            "code", "description", "qty", "price", "discount", "tax %", "amount"
        ),
        theme.dim(),
    ));
    if d.lines.is_empty() {
        out.push(Line::raw(" No lines yet."));
    }
    let draft = row.status == crate::domain::invoice::InvoiceStatus::Draft;
    for (i, l) in d.lines.iter().enumerate() {
        let chosen = draft && i == chosen_line;
        let text = format!(
            "{}{:<6} {:<24} {:>3} {} {} {:>6} {}",
            if chosen { ">" } else { " " },
            truncate(l.service_code.as_deref().unwrap_or(""), 6),
            truncate(&l.description, 24),
            l.quantity,
            amount(l.unit_price_minor, row, fmt, 10),
            amount(l.discount_minor, row, fmt, 9),
            l.tax_rate,
            amount(l.amount_minor, row, fmt, 11),
        );
        out.push(if chosen {
            Line::styled(
                text,
                ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::REVERSED),
            )
        } else {
            Line::raw(text)
        });
    }
    let net: i64 = d.lines.iter().map(|l| l.net_minor).sum();
    let totals = [
        ("net", net),
        ("tax", d.tax_minor),
        ("total", row.total_minor),
        ("credited", row.credited_minor),
        ("paid", row.paid_minor),
    ];
    out.push(Line::raw(""));
    let sums: Vec<String> = totals
        .iter()
        .map(|(label, minor)| format!("{label} {}", money(*minor)))
        .collect();
    out.push(Line::raw(truncate(
        &format!(" {}", sums.join(" · ")),
        width,
    )));
    out.push(Line::styled(
        format!(" Owed {}", row.balance().display(fmt)),
        if row.overdue(today) {
            theme.warning()
        } else {
            theme.title()
        },
    ));
    if d.patient_credit_minor != 0 {
        let can_pay = if row.takes_payment() {
            " (it can pay this invoice)"
        } else {
            ""
        };
        out.push(Line::raw(format!(
            " The patient holds {} of credit{can_pay}.",
            Money::new(d.patient_credit_minor, row.currency).display(fmt)
        )));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(" Payments and refunds", theme.dim()));
    if d.payments.is_empty() {
        out.push(Line::raw(" None yet."));
    }
    for p in &d.payments {
        let mut text = format!(
            " {} {:<8} {:<15} {}",
            p.received_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            if p.refund { "refund" } else { "payment" },
            truncate(&method_word(&p.method), 15),
            amount(p.amount_minor, row, fmt, 10)
        );
        if p.amount_minor > p.applied_minor && !p.refund {
            text.push_str(&format!(
                " ({} to credit)",
                money(p.amount_minor - p.applied_minor)
            ));
        }
        if let Some(r) = &p.reference {
            text.push_str(&format!(" ref {r}"));
        }
        if let Some(by) = &p.received_by {
            text.push_str(&format!(" · {by}"));
        }
        out.push(Line::raw(truncate(&text, width)));
    }
    out
}
