//! The Billing screen's popups: the receipt the database answered, the reason for a void or a
//! credit note, and the keys of the others (the money forms are in money.rs, invoicing a day in
//! day.rs).

use chrono::{NaiveDate, TimeDelta};
use tui_input::{Input, InputRequest};

use super::{BillingScreen, Cmd, DayInvoicing, DetailView, Reply, Request};
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::form::Form;
use crate::domain::invoice::{InvoiceRow, InvoiceStatus, Receipt};
use crate::domain::money::Currency;
use crate::domain::staff::Job;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonFor {
    Void,
    CreditNote,
}

#[derive(Debug)]
pub enum Popup {
    /// A payment, a refund or credit paid back (what for is in the form).
    Money(Box<super::MoneyForm>),
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

impl BillingScreen {
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
            Some(Popup::Money(p)) => {
                let changed = p.form.edit(request, ctx.now, ctx.date_format);
                if changed && p.form.focus == super::PAY_AMOUNT {
                    p.form.fields[super::PAY_AMOUNT].warning = None;
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
                // The popup's text rows: the body less its frame, border and the file's line.
                let shown = ctx.body_rows.saturating_sub(6).max(1);
                let page = i32::from(shown);
                self.scroll_statement(
                    match cmd {
                        Cmd::Up => -1,
                        Cmd::Down => 1,
                        Cmd::PageUp => -page,
                        _ => page,
                    },
                    shown,
                )
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
                Some(Popup::Money(_) | Popup::Line(_) | Popup::Split { .. } | Popup::Price(_)),
                Cmd::Discard,
            )
            | (Some(Popup::Receipt { .. } | Popup::Statement(_)), Cmd::Close) => {
                self.popup = None;
                Outcome::redraw()
            }
            (Some(Popup::Money(p)), Cmd::NextField | Cmd::PreviousField) => {
                p.form.next_field(cmd == Cmd::NextField, true);
                Outcome::redraw()
            }
            (Some(Popup::Money(p)), Cmd::FormUp | Cmd::FormDown) => {
                p.form.step(cmd == Cmd::FormDown);
                if p.form.focus == super::PAY_METHOD {
                    p.method_moved(ctx.number_format);
                }
                Outcome::redraw()
            }
            (Some(Popup::Money(p)), Cmd::FormEnter) if p.form.focus + 1 < p.form.fields.len() => {
                p.form.next_field(true, false);
                Outcome::redraw()
            }
            (Some(Popup::Money(_)), Cmd::FormEnter | Cmd::Save) => self.save_money(ctx, false),
            (Some(Popup::Money(_)), Cmd::MoneyConfirmed) => self.save_money(ctx, true),
            (Some(Popup::Reason { .. }), Cmd::Submit) => self.submit_reason(ctx),
            (Some(Popup::Import { .. }), Cmd::Submit) => self.submit_import(ctx),
            (Some(Popup::Pick(_)), Cmd::Submit) => self.submit_pick(ctx),
            (Some(Popup::Day(_)), _) => self.day_command(cmd, ctx),
            _ => Outcome::default(),
        }
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
        let request = ctx.start(&mut self.asking, invoice.label());
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
            Reply::Paid { .. } | Reply::Refunded { .. } => self.money_reply(reply, ctx),
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
                let Some(label) = self.asking.finish(request) else {
                    return Outcome::default();
                };
                self.reason_done(result.map(|()| None), &label, ctx)
            }
            Reply::Credited { request, result } => {
                let Some(label) = self.asking.finish(request) else {
                    return Outcome::default();
                };
                self.reason_done(result.map(Some), &label, ctx)
            }
            Reply::Uninvoiced { .. }
            | Reply::DayInvoiced { .. }
            | Reply::AppointmentInvoiced { .. } => self.day_reply(reply, ctx),
            _ => Outcome::default(),
        }
    }

    /// A void (None) or a credit note (its id) done, or refused at the reason.
    fn reason_done(
        &mut self,
        result: Result<Option<i64>, String>,
        label: &str,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        match result {
            Ok(None) => {
                self.popup = None;
                self.reload(ctx)
                    .with_notice(format!("{label} voided, with the reason kept."))
            }
            Ok(Some(credit_note)) => {
                self.popup = None;
                self.detail = Some(DetailView::of(credit_note));
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
