//! A draft's lines, and a draft made by hand: add a line (a service by its code fills in its
//! description, today's price and its tax rate; or anything typed), take one off, start a new
//! draft for the patient. Only drafts change; the database refuses the rest and keeps the totals.

use rust_decimal::Decimal;

use super::{BillingScreen, Cmd, DetailView, Popup, Reply, Request};
use crate::app::confirm::Confirm;
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::domain::invoice::{InvoiceFilter, InvoiceStatus, NewLine};
use crate::domain::money::Money;

/// The line form's fields.
pub const LINE_CODE: usize = 0;
pub const LINE_DESCRIPTION: usize = 1;
pub const LINE_QUANTITY: usize = 2;
pub const LINE_PRICE: usize = 3;
pub const LINE_DISCOUNT: usize = 4;
pub const LINE_TAX: usize = 5;

impl BillingScreen {
    /// The draft open, when the keys may change it; otherwise why not, as the notice to show.
    fn open_draft(&self, ctx: &Ctx) -> Result<i64, Box<Outcome<Self>>> {
        if let Some(no) = self.accounts_only(ctx, "change invoices") {
            return Err(Box::new(no));
        }
        match self.detail.as_ref().and_then(|v| v.detail.as_ref()) {
            Some(d) if d.row.status == InvoiceStatus::Draft => Ok(d.row.id),
            Some(d) => Err(Box::new(Outcome::notice(format!(
                "{} is issued: it never changes (a credit note corrects it).",
                d.row.label()
            )))),
            None => Err(Box::new(Outcome::notice("Open a draft first."))),
        }
    }

    pub(super) fn line_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        match cmd {
            Cmd::AddLine => {
                if let Err(no) = self.open_draft(ctx) {
                    return *no;
                }
                let example = Money::new(6_500, ctx.currency).amount(ctx.number_format);
                let fields = vec![
                    Field::text("Service", "").with_hint(Some("code: fills the rest".into())),
                    Field::text("Description", ""),
                    Field::text("Quantity", "1").required(true),
                    Field::text("Unit price", "").with_hint(Some(format!("like {example}"))),
                    Field::text("Discount", "").with_hint(Some("off the line".into())),
                    Field::text("Tax %", "").with_hint(Some("the service's, or 0".into())),
                ];
                let mut form = Form::new("Add a line", (), fields, 0);
                form.rebase(form.fields.iter().map(|f| f.value().to_string()).collect());
                self.popup = Some(Popup::Line(Box::new(form)));
                Outcome::redraw()
            }
            Cmd::RemoveLine => {
                if let Err(no) = self.open_draft(ctx) {
                    return *no;
                }
                let Some(view) = &self.detail else {
                    return Outcome::default();
                };
                let Some(line) = view.detail.as_ref().and_then(|d| d.lines.get(view.line)) else {
                    return Outcome::notice("The draft has no lines.");
                };
                Outcome::confirm(Confirm::new(
                    "Take the line off?",
                    format!("Take \"{}\" off the draft?", line.description),
                    "Take it off",
                    "Keep it",
                    Cmd::RemoveLineConfirmed,
                ))
            }
            Cmd::RemoveLineConfirmed => {
                let Ok(invoice_id) = self.open_draft(ctx) else {
                    return Outcome::default();
                };
                let Some(view) = &self.detail else {
                    return Outcome::default();
                };
                let Some(line_id) = view
                    .detail
                    .as_ref()
                    .and_then(|d| d.lines.get(view.line))
                    .map(|l| l.id)
                else {
                    return Outcome::default();
                };
                if self.asking.in_flight() {
                    return Outcome::notice("Still working on the last step.");
                }
                let request = ctx.start(&mut self.asking, "line".into());
                Outcome::request(Request::RemoveLine {
                    request,
                    invoice_id,
                    line_id,
                })
            }
            Cmd::NewInvoice => {
                if let Some(no) = self.accounts_only(ctx, "make invoices") {
                    return no;
                }
                let patient = match (&self.detail, &self.filter) {
                    (Some(view), _) => view.detail.as_ref().map(|d| d.row.patient_id),
                    (None, InvoiceFilter::Patient { patient_id, .. }) => Some(*patient_id),
                    _ => None,
                };
                let Some(patient_id) = patient else {
                    return Outcome::notice(
                        "A new invoice is for a patient: open one of theirs, or their invoices (Enter on the aging).",
                    );
                };
                if self.asking.in_flight() {
                    return Outcome::notice("Still working on the last step.");
                }
                let request = ctx.start(&mut self.asking, "new invoice".into());
                Outcome::request(Request::NewInvoice {
                    request,
                    patient_id,
                    currency: ctx.currency,
                })
            }
            _ => Outcome::default(),
        }
    }

    /// Ctrl-S (or Enter on the last field) in the line form.
    pub(super) fn save_line(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Ok(invoice_id) = self.open_draft(ctx) else {
            return Outcome::notice("The draft is no longer open.");
        };
        let Some(Popup::Line(form)) = &mut self.popup else {
            return Outcome::default();
        };
        if form.saving.in_flight() {
            return Outcome::notice("Still adding the line.");
        }
        form.clear_errors();
        let text = |i: usize| form.value(i).trim().to_string();
        let code = Some(text(LINE_CODE).to_uppercase()).filter(|c| !c.is_empty());
        let description = Some(text(LINE_DESCRIPTION)).filter(|d| !d.is_empty());
        let money = |i: usize| -> Result<Option<i64>, String> {
            let t = text(i);
            if t.is_empty() {
                return Ok(None);
            }
            Money::parse(&t, ctx.currency, ctx.number_format)
                .map_err(|e| e.to_string())
                .and_then(|m| {
                    if m.is_negative() {
                        Err("More than nothing: a discount takes off.".into())
                    } else {
                        Ok(Some(m.minor()))
                    }
                })
        };
        let mut errors = Vec::new();
        let quantity = match text(LINE_QUANTITY).parse::<i32>() {
            Ok(q) if (1..=1000).contains(&q) => q,
            _ => {
                errors.push((LINE_QUANTITY, "A whole number from 1 to 1000.".to_string()));
                1
            }
        };
        let price = money(LINE_PRICE).unwrap_or_else(|e| {
            errors.push((LINE_PRICE, e));
            None
        });
        let discount = money(LINE_DISCOUNT).unwrap_or_else(|e| {
            errors.push((LINE_DISCOUNT, e));
            None
        });
        let tax = Some(text(LINE_TAX).replace(',', ".")).filter(|t| !t.is_empty());
        if let Some(t) = &tax {
            match t.parse::<Decimal>() {
                Ok(d) if d >= Decimal::ZERO && d <= Decimal::from(100) && d.scale() <= 2 => {}
                _ => errors.push((LINE_TAX, "A percent from 0 to 100, like 8 or 7.5.".into())),
            }
        }
        if code.is_none() {
            if description.is_none() {
                errors.push((
                    LINE_DESCRIPTION,
                    "Say what is charged (or give a service code).".into(),
                ));
            }
            if price.is_none() && !errors.iter().any(|(i, _)| *i == LINE_PRICE) {
                errors.push((LINE_PRICE, "The price (or give a service code).".into()));
            }
        }
        if let (Some(p), Some(d)) = (price, discount) {
            if d > p.saturating_mul(i64::from(quantity)) {
                errors.push((LINE_DISCOUNT, "More than the line comes to.".into()));
            }
        }
        if !errors.is_empty() {
            for (i, e) in errors {
                form.set_error(i, e);
            }
            form.focus_first_error();
            return Outcome::redraw();
        }
        let line = NewLine {
            service_code: code,
            description,
            quantity,
            unit_price_minor: price,
            discount_minor: discount.unwrap_or(0),
            tax_rate: tax,
        };
        let request = ctx.start(&mut form.saving, ());
        Outcome::request(Request::AddLine {
            request,
            invoice_id,
            line,
        })
    }

    pub(super) fn line_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        match reply {
            Reply::LineSaved { request, result } => {
                let form_saving =
                    matches!(&self.popup, Some(Popup::Line(f)) if f.saving.is(request));
                if form_saving {
                    let Some(Popup::Line(form)) = &mut self.popup else {
                        return Outcome::default();
                    };
                    form.saving.finish(request);
                    return match result {
                        Ok(()) => {
                            self.popup = None;
                            self.reload(ctx).with_notice("Line added.")
                        }
                        Err(e) => {
                            form.error = Some(e.clone());
                            Outcome::notice(e)
                        }
                    };
                }
                if self.asking.finish(request).is_none() {
                    return Outcome::default();
                }
                if let Some(view) = &mut self.detail {
                    view.line = view.line.saturating_sub(1);
                }
                match result {
                    Ok(()) => self.reload(ctx).with_notice("Line taken off."),
                    Err(e) => Outcome::notice(e),
                }
            }
            Reply::InvoiceCreated { request, result } => {
                if self.asking.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(id) => {
                        self.detail = Some(DetailView::of(id));
                        self.reload(ctx)
                            .with_notice("A new draft: a adds its lines, i issues it.")
                    }
                    Err(e) => Outcome::notice(e),
                }
            }
            _ => Outcome::default(),
        }
    }

    /// Up and Down on a draft choose a line (drafts are short); elsewhere they scroll.
    pub(super) fn draft_lines(&self) -> Option<usize> {
        let d = self.detail.as_ref()?.detail.as_ref()?;
        (d.row.status == InvoiceStatus::Draft).then_some(d.lines.len())
    }
}
