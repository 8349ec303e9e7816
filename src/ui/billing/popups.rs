//! The Billing screen's popups: a payment or money paid back (the form, with the invoice it is for
//! and what it owes or can pay back), the receipt as the database recorded it, the reason for a
//! void or a credit note, and a day's invoicing with its preview.

use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::billing::{BillingScreen, DayInvoicing, MoneyFor, Popup, ReasonFor};
use crate::domain::appointment::doctor_title;
use crate::domain::invoice::method_word;
use crate::domain::money::Money;
use crate::ui::theme::Theme;
use crate::ui::widgets::form::{self as form_widget, Layout as FormLayout};
use crate::ui::widgets::text_field::labelled_input;
use crate::ui::widgets::{centered, popup_block, truncate};

/// A popup's box, cleared and framed; its inside.
fn open(frame: &mut Frame, area: Rect, title: &str, size: (u16, u16), theme: Theme) -> Rect {
    let boxed = centered(area, size.0, size.1);
    frame.render_widget(Clear, boxed);
    let b = popup_block(title, theme.title(), theme);
    let inner = b.inner(boxed);
    frame.render_widget(b, boxed);
    inner
}

fn below(inner: Rect, rows: u16) -> Rect {
    Rect {
        y: inner.y + rows.min(inner.height),
        height: inner.height.saturating_sub(rows),
        ..inner
    }
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    popup: &Popup,
    state: &BillingScreen,
    theme: Theme,
) -> Option<Position> {
    let fmt = state.number_format;
    match popup {
        Popup::Money(p) => {
            let inner = open(frame, area, &p.form.title, (72, 11), theme);
            let row = &p.invoice;
            let money = |minor: i64| Money::new(minor, row.currency).display(fmt);
            let about = match p.form.kind {
                MoneyFor::Payment => format!(
                    "Owed {} of {}; more becomes the patient's credit.",
                    row.balance().display(fmt),
                    row.total().amount(fmt)
                ),
                MoneyFor::Refund => format!(
                    "Paid {} of {}, net of refunds: at most that goes back.",
                    money(row.paid_minor),
                    row.total().amount(fmt)
                ),
                MoneyFor::CreditBack => format!(
                    "The patient holds {} of credit: at most that goes back.",
                    money(p.credit_minor.unwrap_or(0))
                ),
            };
            let head = vec![
                Line::raw(truncate(
                    &format!("{} · #{}", row.patient_name, row.patient_number),
                    usize::from(inner.width),
                )),
                Line::styled(about, theme.dim()),
            ];
            frame.render_widget(
                Paragraph::new(head).wrap(Wrap { trim: true }),
                Rect {
                    height: 2.min(inner.height),
                    ..inner
                },
            );
            let mut rest = below(inner, 3);
            if p.form.saving.in_flight() {
                frame.render_widget(
                    Paragraph::new(Line::styled(
                        format!("Recording the {}…", p.form.kind.word()),
                        theme.warning(),
                    )),
                    Rect {
                        y: rest.y + rest.height.saturating_sub(1),
                        height: 1.min(rest.height),
                        ..rest
                    },
                );
                rest.height = rest.height.saturating_sub(1);
            }
            form_widget::draw(
                frame,
                rest,
                &p.form,
                FormLayout {
                    label_width: 12,
                    field_width: Some(26),
                },
                true,
                theme,
            )
        }
        Popup::Receipt {
            receipt,
            invoice,
            patient,
            currency,
        } => {
            let inner = open(frame, area, "Receipt", (60, 10), theme);
            let currency_of = |minor| Money::new(minor, *currency).display(fmt);
            let mut lines = vec![
                Line::styled(
                    format!("Received {}", currency_of(receipt.amount_minor)),
                    theme.title(),
                ),
                Line::raw(format!(
                    "by {} at {}",
                    method_word(&receipt.method),
                    receipt
                        .received_at
                        .with_timezone(&state.tz)
                        .format("%Y-%m-%d %H:%M"),
                )),
                Line::raw(format!("payment no. {}", receipt.payment_id)),
                Line::raw(truncate(
                    &format!("for {invoice}, {patient}"),
                    usize::from(inner.width),
                )),
                Line::raw(""),
                Line::raw(format!(
                    "Paid on the invoice:  {}",
                    currency_of(receipt.applied_minor)
                )),
            ];
            if receipt.credit_minor != 0 {
                lines.push(Line::styled(
                    format!(
                        "Kept as credit:       {}",
                        currency_of(receipt.credit_minor)
                    ),
                    theme.warning(),
                ));
            }
            frame.render_widget(Paragraph::new(lines), inner);
            None
        }
        Popup::Reason {
            what,
            invoice,
            input,
            error,
        } => {
            let title = match what {
                ReasonFor::Void => "Void the invoice",
                ReasonFor::CreditNote => "Credit note",
            };
            let inner = open(frame, area, title, (70, 10), theme);
            let text = match what {
                ReasonFor::Void => format!(
                    "Void {} of {} ({})? It stays on file, marked void.",
                    invoice.label(),
                    invoice.patient_name,
                    invoice.total().display(fmt)
                ),
                ReasonFor::CreditNote => format!(
                    "A draft credit note for {} of {}, with all its lines (issue it to credit).",
                    invoice.label(),
                    invoice.patient_name
                ),
            };
            frame.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: true }),
                Rect {
                    height: 2.min(inner.height),
                    ..inner
                },
            );
            let cursor = labelled_input(frame, below(inner, 3), "Reason ", input, false, theme);
            if let Some(e) = error {
                frame.render_widget(
                    Paragraph::new(Line::styled(e.clone(), theme.error()))
                        .wrap(Wrap { trim: true }),
                    below(inner, 5),
                );
            }
            cursor
        }
        Popup::Day(day) => draw_day(frame, area, day, state, theme),
        Popup::Line(form) => {
            let inner = open(frame, area, &form.title, (72, 16), theme);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "A service code fills in what is left blank: its description, today's price, its tax.",
                    theme.dim(),
                ))
                .wrap(Wrap { trim: true }),
                Rect {
                    height: 2.min(inner.height),
                    ..inner
                },
            );
            form_widget::draw(
                frame,
                below(inner, 3),
                form,
                FormLayout {
                    label_width: 14,
                    field_width: Some(24),
                },
                true,
                theme,
            )
        }
        Popup::Import { path, error } => super::reconcile::draw_import(
            frame,
            area,
            path,
            error.as_deref(),
            state
                .reconcile
                .working
                .in_flight()
                .then_some(&state.reconcile.progress),
            theme,
        ),
        Popup::Pick(pick) => super::reconcile::draw_pick(frame, area, pick, state, theme),
        Popup::Export(form) => draw_export(frame, area, form, state, theme),
        Popup::Statement(view) => {
            draw_statement(frame, area, view, theme);
            None
        }
        Popup::Price(form) => {
            let inner = open(frame, area, &form.title, (72, 14), theme);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "Invoices before the day keep the price they had.",
                    theme.dim(),
                )),
                Rect { height: 1, ..inner },
            );
            form_widget::draw(
                frame,
                below(inner, 2),
                form,
                FormLayout {
                    label_width: 15,
                    field_width: Some(22),
                },
                true,
                theme,
            )
        }
        Popup::Split { line, form } => {
            let inner = open(frame, area, &form.title, (72, 16), theme);
            frame.render_widget(
                Paragraph::new(truncate(
                    &format!(
                        "{} from {} \"{}\": the parts must add up to it.",
                        line.booked_on.format("%Y-%m-%d"),
                        if line.payer.is_empty() {
                            "?"
                        } else {
                            &line.payer
                        },
                        line.reference
                    ),
                    usize::from(inner.width),
                )),
                Rect { height: 1, ..inner },
            );
            form_widget::draw(
                frame,
                below(inner, 2),
                form,
                FormLayout {
                    label_width: 12,
                    field_width: Some(20),
                },
                true,
                theme,
            )
        }
    }
}

/// The export form, with the count of rows written while it runs.
fn draw_export(
    frame: &mut Frame,
    area: Rect,
    form: &crate::app::widgets::form::Form<crate::app::billing::ExportAsk>,
    state: &BillingScreen,
    theme: Theme,
) -> Option<Position> {
    let inner = open(frame, area, &form.title, (72, 11), theme);
    frame.render_widget(
        Paragraph::new(Line::styled(
            "invoices.csv, invoice_lines.csv, payments.csv (RFC 4180, UTF-8) from one \
             snapshot of the books.",
            theme.dim(),
        ))
        .wrap(Wrap { trim: true }),
        Rect {
            height: 2.min(inner.height),
            ..inner
        },
    );
    let cursor = form_widget::draw(
        frame,
        below(inner, 3),
        form,
        FormLayout {
            label_width: 11,
            field_width: None,
        },
        true,
        theme,
    );
    let note = if state.export.pending.in_flight() {
        Some((
            state.export.progress.words().map_or_else(
                || "Writing the files…".to_string(),
                |w| format!("Writing {w} rows…"),
            ),
            theme.warning(),
        ))
    } else {
        form.error.clone().map(|e| (e, theme.error()))
    };
    if let Some((text, style)) = note {
        frame.render_widget(
            Paragraph::new(Line::styled(text, style)).wrap(Wrap { trim: true }),
            below(inner, inner.height.saturating_sub(2)),
        );
    }
    cursor
}

/// A patient's statement as it was written to its file.
fn draw_statement(
    frame: &mut Frame,
    area: Rect,
    view: &crate::app::billing::StatementView,
    theme: Theme,
) {
    let width = area.width.saturating_sub(2).min(82);
    let inner = open(
        frame,
        area,
        &format!("Statement: {}", view.patient),
        (width, area.height.saturating_sub(2)),
        theme,
    );
    let w = usize::from(inner.width);
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(
                &format!("Kept as {}", crate::app::billing::shown(&view.path)),
                w,
            ),
            theme.dim(),
        )),
        Rect { height: 1, ..inner },
    );
    let lines: Vec<Line> = view
        .text
        .lines()
        .skip(usize::from(view.scroll))
        .map(|l| Line::raw(truncate(l, w)))
        .collect();
    frame.render_widget(Paragraph::new(lines), below(inner, 2));
}

fn draw_day(
    frame: &mut Frame,
    area: Rect,
    day: &DayInvoicing,
    state: &BillingScreen,
    theme: Theme,
) -> Option<Position> {
    let inner = open(frame, area, "Invoice a day", (78, 18), theme);
    let width = usize::from(inner.width);
    let fmt = state.number_format;
    let cursor = labelled_input(frame, inner, "Day ", &day.date, false, theme);
    let currency = state
        .currency
        .unwrap_or(crate::domain::money::Currency::USD);
    let mut lines = Vec::new();
    if let Some(e) = &day.error {
        lines.push(Line::styled(truncate(e, width), theme.error()));
    }
    match &day.visits {
        None if day.loading.in_flight() => lines.push(Line::raw("Reading the day…")),
        None => lines.push(Line::styled(
            "Enter shows the day's completed appointments not invoiced yet.",
            theme.dim(),
        )),
        Some(v) if v.is_empty() => {
            lines.push(Line::raw(
                "Nothing to invoice: every completed appointment is.",
            ));
        }
        Some(visits) => {
            let n = day.invoiceable().count();
            let total: i64 = day.invoiceable().map(|v| v.total_minor).sum();
            lines.push(Line::styled(
                truncate(
                    &format!(
                        "{n} to invoice, {} with tax · Enter invoices and issues them",
                        Money::new(total, currency).display(fmt)
                    ),
                    width,
                ),
                theme.title(),
            ));
            let room = usize::from(inner.height).saturating_sub(3 + lines.len());
            for (k, v) in visits.iter().skip(day.scroll).take(room).enumerate() {
                let services = if v.services.is_empty() {
                    "no service known: by hand".to_string()
                } else {
                    v.services.clone()
                };
                // The top row is the marked one: Ctrl-O invoices it alone, as a draft.
                lines.push(Line::raw(truncate(
                    &format!(
                        "{}{} {:<20} {:<14} {:<13} {:>10}",
                        if k == 0 { "> " } else { "  " },
                        v.starts_at.with_timezone(&state.tz).format("%H:%M"),
                        truncate(&v.patient_name, 20),
                        truncate(&doctor_title(&v.doctor_name), 14),
                        truncate(&services, 13),
                        Money::new(v.total_minor, currency).amount(fmt)
                    ),
                    width,
                )));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), below(inner, 2));
    cursor
}
