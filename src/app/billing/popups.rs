//! The Billing screen's popups: taking a payment (its key made when the form opens, so a retry
//! after a lost answer records it once), the receipt the database answered, the reason for a void
//! or a credit note, and the keys of the others (invoicing a day is in day.rs).

use chrono::{NaiveDate, TimeDelta};
use tui_input::{Input, InputRequest};

use super::{BillingScreen, Cmd, DayInvoicing, DetailView, Reply, Request};
use crate::app::pending::Pending;
use crate::app::screen::{Access, Ctx, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::domain::invoice::{
    IdempotencyKey, InvoiceFilter, InvoiceRow, InvoiceStatus, PaymentMethod, Receipt,
};
use crate::domain::money::{Currency, Money};
use crate::domain::staff::Job;

/// The payment form's fields.
pub const PAY_AMOUNT: usize = 0;
pub const PAY_METHOD: usize = 1;
pub const PAY_REF: usize = 2;

/// Longest payment reference the database keeps.
const REFERENCE_MAX: usize = 100;

#[derive(Debug)]
pub struct PaymentForm {
    pub form: Form<()>,
    /// The invoice as it was when the form opened.
    pub invoice: InvoiceRow,
    /// The patient's credit in the invoice's currency, when known (it can pay the invoice).
    pub credit_minor: Option<i64>,
    /// Sent with every try of this payment: the database records it once.
    pub key: IdempotencyKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonFor {
    Void,
    CreditNote,
}

#[derive(Debug)]
pub enum Popup {
    Payment(Box<PaymentForm>),
    /// What the database recorded, for the invoice named.
    Receipt {
        receipt: Receipt,
        invoice: String,
        patient: String,
        currency: Currency,
    },
    Reason {
        what: ReasonFor,
        invoice: InvoiceRow,
        input: Input,
        error: Option<String>,
    },
    Day(Box<DayInvoicing>),
    /// A line for the draft open.
    Line(Box<Form<()>>),
    /// A statement file to import: its path.
    Import {
        path: Input,
        error: Option<String>,
    },
    /// A new price, or a new service.
    Price(Box<Form<super::PriceForm>>),
    /// A statement line put on several invoices by their numbers.
    Split {
        line: Box<crate::domain::statement::BankLine>,
        form: Box<Form<()>>,
    },
    /// A statement line put on an invoice typed by its number.
    Pick(Box<super::PickInvoice>),
    /// The period and folder of a CSV export.
    Export(Box<Form<super::ExportAsk>>),
    /// A patient's statement, shown once kept as a file.
    Statement(Box<super::StatementView>),
}

/// An issue today is due this many days on (`[billing] payment_terms_days`).
pub fn due_date(ctx: &Ctx) -> NaiveDate {
    ctx.today() + TimeDelta::days(i64::from(ctx.payment_terms_days))
}

fn method_choices(credit_minor: Option<i64>, currency: Currency, ctx: &Ctx) -> Vec<String> {
    PaymentMethod::ALL
        .iter()
        .map(|m| match (m, credit_minor) {
            (PaymentMethod::Credit, Some(c)) => format!(
                "{} ({} held)",
                m.word(),
                Money::new(c, currency).display(ctx.number_format)
            ),
            _ => m.word().to_string(),
        })
        .collect()
}

impl BillingScreen {
    pub(super) fn open_payment(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if ctx.access != Access::Full {
            return Outcome::notice(
                "Billing is read-only for you: the desk and the accounts office take payments.",
            );
        }
        let Some(row) = self.target().cloned() else {
            return Outcome::notice("No invoice is selected.");
        };
        if !row.takes_payment() {
            let why = match row.status {
                InvoiceStatus::Draft => "it is a draft: it is issued first",
                InvoiceStatus::Paid => "it is paid in full",
                InvoiceStatus::Void => "it is void",
                _ => "a credit note is not paid",
            };
            return Outcome::notice(format!("No payment for {}: {why}.", row.label()));
        }
        let credit_minor = self
            .detail
            .as_ref()
            .and_then(|v| v.detail.as_ref())
            .filter(|d| d.row.id == row.id)
            .map(|d| d.patient_credit_minor);
        let example = ctx.number_format.example();
        let fields = vec![
            Field::text("Amount", row.balance().amount(ctx.number_format))
                .required(true)
                .with_hint(Some(format!("{} like {example}", row.currency))),
            Field::choice("Method", method_choices(credit_minor, row.currency, ctx), 0),
            Field::text("Reference", "").with_hint(Some("slip or transfer no.".into())),
        ];
        let mut form = Form::new(format!("Payment for {}", row.label()), (), fields, 0);
        // Prefilled with what is owed: that is not "typed", so Esc closes without asking.
        form.rebase(form.fields.iter().map(|f| f.value().to_string()).collect());
        self.popup = Some(Popup::Payment(Box::new(PaymentForm {
            form,
            invoice: row,
            credit_minor,
            key: IdempotencyKey::from_bytes(rand::random()),
        })));
        Outcome::redraw()
    }

    /// The desk handed a patient over: their one open invoice gets the payment form.
    pub(super) fn pay_for_patient(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let name = match &self.filter {
            InvoiceFilter::Patient { name, .. } => name.clone(),
            _ => return Outcome::redraw(),
        };
        let open: Vec<usize> = (0..self.invoices.len())
            .filter(|&i| self.invoices.get(i).is_some_and(InvoiceRow::takes_payment))
            .collect();
        match open.as_slice() {
            [] => Outcome::notice(format!("{name} owes nothing: no invoice is open.")),
            [one] => {
                self.invoices.select(*one);
                self.open_payment(ctx)
            }
            [first, ..] => {
                self.invoices.select(*first);
                Outcome::notice(format!(
                    "{name} has {} open invoices: choose one and press p.",
                    open.len()
                ))
            }
        }
    }

    pub(super) fn ask_reason(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let (what, words) = match cmd {
            Cmd::Void => (ReasonFor::Void, "void invoices"),
            _ => (ReasonFor::CreditNote, "write credit notes"),
        };
        if let Some(no) = self.accounts_only(ctx, words) {
            return no;
        }
        let Some(row) = self.target().cloned() else {
            return Outcome::notice("No invoice is selected.");
        };
        let refusal = match what {
            ReasonFor::Void if row.status == InvoiceStatus::Void => Some("it is void already"),
            ReasonFor::Void if !row.can_be_voided() => {
                Some("money was taken or credited: refund it or write a credit note")
            }
            ReasonFor::CreditNote if !row.can_be_credited() => Some(
                "a credit note corrects an issued invoice (a draft is voided or changed instead)",
            ),
            _ => None,
        };
        if let Some(why) = refusal {
            return Outcome::notice(format!("Not for {}: {why}.", row.label()));
        }
        self.popup = Some(Popup::Reason {
            what,
            invoice: row,
            input: Input::default(),
            error: None,
        });
        Outcome::redraw()
    }

    pub(super) fn popup_edit(&mut self, request: InputRequest, ctx: &mut Ctx) -> Outcome<Self> {
        match &mut self.popup {
            Some(Popup::Payment(p)) => {
                let changed = p.form.edit(request, ctx.now, ctx.date_format);
                if changed && p.form.focus == PAY_AMOUNT {
                    p.form.fields[PAY_AMOUNT].warning = None;
                }
                Outcome::redraw_if(changed)
            }
            Some(Popup::Reason { input, error, .. }) => {
                input.handle(request);
                *error = None;
                Outcome::redraw()
            }
            Some(Popup::Day(day)) => {
                day.date.handle(request);
                day.error = None;
                Outcome::redraw()
            }
            Some(Popup::Line(form) | Popup::Split { form, .. }) => {
                Outcome::redraw_if(form.edit(request, ctx.now, ctx.date_format))
            }
            Some(Popup::Price(form)) => {
                Outcome::redraw_if(form.edit(request, ctx.now, ctx.date_format))
            }
            Some(Popup::Export(form)) => {
                let changed = form.edit(request, ctx.now, ctx.date_format);
                if changed {
                    self.export_edited();
                }
                Outcome::redraw_if(changed)
            }
            Some(Popup::Import { path, error }) => {
                path.handle(request);
                *error = None;
                Outcome::redraw()
            }
            Some(Popup::Pick(pick)) => {
                pick.number.handle(request);
                pick.error = None;
                if pick
                    .found
                    .as_ref()
                    .is_some_and(|f| f.0 != pick.number.value().trim())
                {
                    pick.found = None;
                }
                Outcome::redraw()
            }
            _ => Outcome::default(),
        }
    }

    pub(super) fn popup_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        match (&mut self.popup, cmd) {
            (Some(Popup::Price(form)), Cmd::NextField | Cmd::PreviousField) => {
                form.next_field(cmd == Cmd::NextField, true);
                Outcome::redraw()
            }
            (Some(Popup::Price(form)), Cmd::FormEnter) if form.focus + 1 < form.fields.len() => {
                form.next_field(true, false);
                Outcome::redraw()
            }
            (Some(Popup::Price(_)), Cmd::FormEnter | Cmd::Save) => self.save_price(ctx),
            (Some(Popup::Export(form)), Cmd::NextField | Cmd::PreviousField) => {
                form.next_field(cmd == Cmd::NextField, true);
                Outcome::redraw()
            }
            (Some(Popup::Export(form)), Cmd::FormEnter) if form.focus + 1 < form.fields.len() => {
                form.next_field(true, false);
                Outcome::redraw()
            }
            (Some(Popup::Export(_)), Cmd::FormEnter | Cmd::Save) => self.save_export(ctx),
            (Some(Popup::Statement(_)), Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown) => {
                let page = i32::from(ctx.body_rows.saturating_sub(6)).max(1);
                self.scroll_statement(match cmd {
                    Cmd::Up => -1,
                    Cmd::Down => 1,
                    Cmd::PageUp => -page,
                    _ => page,
                })
            }
            (Some(Popup::Split { form, .. }), Cmd::NextField | Cmd::PreviousField) => {
                form.next_field(cmd == Cmd::NextField, true);
                Outcome::redraw()
            }
            (Some(Popup::Split { form, .. }), Cmd::FormEnter)
                if form.focus + 1 < form.fields.len() =>
            {
                form.next_field(true, false);
                Outcome::redraw()
            }
            (Some(Popup::Split { .. }), Cmd::FormEnter | Cmd::Save) => self.submit_split(ctx),
            (Some(Popup::Line(form)), Cmd::NextField | Cmd::PreviousField) => {
                form.next_field(cmd == Cmd::NextField, true);
                Outcome::redraw()
            }
            (Some(Popup::Line(form)), Cmd::FormEnter) if form.focus + 1 < form.fields.len() => {
                form.next_field(true, false);
                Outcome::redraw()
            }
            (Some(Popup::Line(_)), Cmd::FormEnter | Cmd::Save) => self.save_line(ctx),
            (
                Some(Popup::Payment(_) | Popup::Line(_) | Popup::Split { .. } | Popup::Price(_)),
                Cmd::Discard,
            )
            | (Some(Popup::Receipt { .. } | Popup::Statement(_)), Cmd::Close) => {
                self.popup = None;
                Outcome::redraw()
            }
            (Some(Popup::Payment(p)), Cmd::NextField | Cmd::PreviousField) => {
                p.form.next_field(cmd == Cmd::NextField, true);
                Outcome::redraw()
            }
            (Some(Popup::Payment(p)), Cmd::FormUp | Cmd::FormDown) => {
                p.form.step(cmd == Cmd::FormDown);
                Outcome::redraw()
            }
            (Some(Popup::Payment(p)), Cmd::FormEnter) if p.form.focus + 1 < p.form.fields.len() => {
                p.form.next_field(true, false);
                Outcome::redraw()
            }
            (Some(Popup::Payment(_)), Cmd::FormEnter | Cmd::Save) => self.save_payment(ctx),
            (Some(Popup::Reason { .. }), Cmd::Submit) => self.submit_reason(ctx),
            (Some(Popup::Import { .. }), Cmd::Submit) => self.submit_import(ctx),
            (Some(Popup::Pick(_)), Cmd::Submit) => self.submit_pick(ctx),
            (Some(Popup::Day(_)), _) => self.day_command(cmd, ctx),
            _ => Outcome::default(),
        }
    }

    fn save_payment(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Payment(p)) = &mut self.popup else {
            return Outcome::default();
        };
        if p.form.saving.in_flight() {
            return Outcome::notice("Still recording the payment.");
        }
        p.form.clear_errors();
        let currency = p.invoice.currency;
        let method = PaymentMethod::ALL[p.form.fields[PAY_METHOD].chosen().min(4)];
        let amount = match Money::parse(p.form.value(PAY_AMOUNT), currency, ctx.number_format) {
            Ok(m) if m.minor() <= 0 => {
                p.form.set_error(
                    PAY_AMOUNT,
                    "A payment is more than nothing (refunds are the accounts office's).",
                );
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                p.form.set_error(PAY_AMOUNT, e.to_string());
                None
            }
        };
        if let (Some(m), PaymentMethod::Credit) = (amount, method) {
            match p.credit_minor {
                Some(c) if m.minor() > c => p.form.set_error(
                    PAY_AMOUNT,
                    format!(
                        "The patient holds {} of credit.",
                        Money::new(c, currency).display(ctx.number_format)
                    ),
                ),
                _ => {}
            }
        }
        let reference = p.form.value(PAY_REF).trim().to_string();
        if reference.chars().count() > REFERENCE_MAX {
            p.form
                .set_error(PAY_REF, "A reference is 100 characters at most.");
        }
        if p.form.has_errors() {
            p.form.focus_first_error();
            return Outcome::redraw();
        }
        let Some(amount) = amount else {
            return Outcome::redraw();
        };
        let invoice_id = p.invoice.id;
        let key = match &self.uncertain {
            Some((i, a, m, k)) if *i == invoice_id && *a == amount.minor() && *m == method => {
                k.clone()
            }
            _ => p.key.clone(),
        };
        self.uncertain = Some((invoice_id, amount.minor(), method, key.clone()));
        let Some(Popup::Payment(p)) = &mut self.popup else {
            return Outcome::default();
        };
        let request = ctx.start(&mut p.form.saving, ());
        Outcome::request(Request::Pay {
            request,
            invoice_id,
            amount_minor: amount.minor(),
            method,
            reference: (!reference.is_empty()).then_some(reference),
            key,
        })
    }

    fn submit_reason(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Reason {
            what,
            invoice,
            input,
            error,
        }) = &mut self.popup
        else {
            return Outcome::default();
        };
        let reason = input.value().trim().to_string();
        if reason.chars().count() < 5 {
            *error = Some("Say why, in a few words (it is kept with the invoice).".into());
            return Outcome::redraw();
        }
        if reason.chars().count() > 200 {
            *error = Some("A reason is 200 characters at most.".into());
            return Outcome::redraw();
        }
        if self.asking.in_flight() {
            return Outcome::notice("Still working on the last step.");
        }
        let (what, invoice_id, version) = (*what, invoice.id, invoice.version);
        let request = ctx.start(&mut self.asking, "reason".into());
        Outcome::request(match what {
            ReasonFor::Void => Request::Void {
                request,
                invoice_id,
                version,
                reason,
            },
            ReasonFor::CreditNote => Request::CreditNote {
                request,
                invoice_id,
                reason,
            },
        })
    }

    pub(super) fn popup_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        match reply {
            Reply::Paid { request, result } => {
                let Some(Popup::Payment(p)) = &mut self.popup else {
                    return Outcome::default();
                };
                if p.form.saving.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(receipt) => {
                        self.uncertain = None;
                        self.popup = Some(Popup::Receipt {
                            receipt,
                            invoice: p.invoice.label(),
                            patient: p.invoice.patient_name.clone(),
                            currency: p.invoice.currency,
                        });
                        self.reload(ctx)
                    }
                    Err(e) => {
                        // Kept as typed, with the same key: saving again records it once.
                        if e.contains("amount") || e.contains("credit") {
                            p.form.set_error(PAY_AMOUNT, e.clone());
                        } else {
                            p.form.error = Some(e.clone());
                        }
                        Outcome::notice(e)
                    }
                }
            }
            Reply::Issued { request, result } => {
                if self.asking.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(Some(number)) => {
                        self.reload(ctx).with_notice(format!("Issued as {number}."))
                    }
                    Ok(None) => self
                        .reload(ctx)
                        .with_notice("Issued; its number follows in a moment (r shows it)."),
                    Err(e) => Outcome::notice(e),
                }
            }
            Reply::Voided { request, result } => {
                if self.asking.finish(request).is_none() {
                    return Outcome::default();
                }
                self.reason_done(result.map(|()| None), ctx)
            }
            Reply::Credited { request, result } => {
                if self.asking.finish(request).is_none() {
                    return Outcome::default();
                }
                self.reason_done(result.map(Some), ctx)
            }
            Reply::Uninvoiced { .. } | Reply::DayInvoiced { .. } => self.day_reply(reply, ctx),
            _ => Outcome::default(),
        }
    }

    /// A void (None) or a credit note (its id) done, or refused at the reason.
    fn reason_done(&mut self, result: Result<Option<i64>, String>, ctx: &mut Ctx) -> Outcome<Self> {
        match result {
            Ok(None) => {
                self.popup = None;
                self.reload(ctx)
                    .with_notice("Voided, with the reason kept.")
            }
            Ok(Some(credit_note)) => {
                self.popup = None;
                self.detail = Some(DetailView {
                    invoice_id: credit_note,
                    detail: None,
                    loading: Pending::default(),
                    error: None,
                    scroll: 0,
                    line: 0,
                });
                let msg = if ctx.me.job == Job::Accountant {
                    "Credit note drafted with all the invoice's lines: Delete takes one off, i issues it."
                } else {
                    "Credit note drafted."
                };
                self.reload(ctx).with_notice(msg)
            }
            Err(e) => {
                if let Some(Popup::Reason { error, .. }) = &mut self.popup {
                    *error = Some(e.clone());
                }
                Outcome::notice(e)
            }
        }
    }
}
