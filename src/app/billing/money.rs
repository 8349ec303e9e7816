//! The money forms: a payment taken for an invoice, a refund paid back from it, and a patient's
//! credit paid back. One form for the three (the amount typed the clinic's way and checked at its
//! field, the method, a reference) and one idempotency key per money, made when the form opens
//! and kept through every retry: the same money typed again after a lost answer, even in a new
//! form, goes with the key it went with, so what the database did record is never recorded twice.
//! The database keeps the rules (sql/0017): refunds never beyond what was paid, credit never
//! beyond what is held; this form only says so at the field, in the clinic's words.

use super::{BillingScreen, Cmd, Popup, Reply, Request};
use crate::app::confirm::Confirm;
use crate::app::screen::{Access, Ctx, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::domain::invoice::{
    IdempotencyKey, InvoiceFilter, InvoiceRow, InvoiceStatus, PaymentMethod, RefundRefused,
};
use crate::domain::money::{Currency, Money, NumberFormat};

/// The money form's fields.
pub const PAY_AMOUNT: usize = 0;
pub const PAY_METHOD: usize = 1;
pub const PAY_REF: usize = 2;

/// Longest payment reference the database keeps.
const REFERENCE_MAX: usize = 100;

/// What a money form records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoneyFor {
    /// Money received for the invoice (beyond what it owes, the patient's credit).
    Payment,
    /// Money paid back from the invoice: at most what it was paid, net of its refunds.
    Refund,
    /// The patient's credit paid back: at most what they hold.
    CreditBack,
}

impl MoneyFor {
    /// The methods offered, in the form's order: money goes back as money, never as credit.
    pub fn methods(self) -> &'static [PaymentMethod] {
        match self {
            MoneyFor::Payment => &PaymentMethod::ALL,
            MoneyFor::Refund | MoneyFor::CreditBack => &PaymentMethod::BACK,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            MoneyFor::Payment => "payment",
            MoneyFor::Refund => "refund",
            MoneyFor::CreditBack => "credit paid back",
        }
    }
}

#[derive(Debug)]
pub struct MoneyForm {
    /// Its kind is what the money is for.
    pub form: Form<MoneyFor>,
    /// The invoice as it was when the form opened (credit paid back: the one it was opened on).
    pub invoice: InvoiceRow,
    /// The patient's credit in the invoice's currency, when known: it can pay an invoice, and it
    /// is the most credit paid back can be.
    pub credit_minor: Option<i64>,
    /// Sent with every try of this money: the database records it once.
    pub key: IdempotencyKey,
}

impl MoneyForm {
    /// The method chosen moved: paying with the patient's credit prefills what the credit can
    /// pay (at most what is owed), and moving off it puts what is owed back, unless the person
    /// typed an amount of their own.
    pub(super) fn method_moved(&mut self, fmt: NumberFormat) {
        let (Some(credit), MoneyFor::Payment) = (self.credit_minor, self.form.kind) else {
            return;
        };
        let methods = self.form.kind.methods();
        let chosen = methods[self.form.fields[PAY_METHOD]
            .chosen()
            .min(methods.len().saturating_sub(1))];
        let currency = self.invoice.currency;
        let owed = self.invoice.balance().minor();
        let shown = |minor: i64| Money::new(minor, currency).amount(fmt);
        let (from, to) = (shown(owed), shown(credit.min(owed)));
        let now = self.form.value(PAY_AMOUNT).to_string();
        match chosen {
            PaymentMethod::Credit if now == from => self.form.set_text(PAY_AMOUNT, to),
            PaymentMethod::Credit => {}
            _ if now == to => self.form.set_text(PAY_AMOUNT, from),
            _ => {}
        }
    }

    /// The most that can go back, as last known (a payment has no such limit).
    pub fn at_most(&self) -> Option<i64> {
        match self.form.kind {
            MoneyFor::Payment => None,
            MoneyFor::Refund => Some(self.invoice.paid_minor),
            MoneyFor::CreditBack => self.credit_minor,
        }
    }

    /// The limit as the database answered it, for the next check at the field.
    fn learn_limit(&mut self, at_most_minor: i64) {
        match self.form.kind {
            MoneyFor::Payment => {}
            MoneyFor::Refund => self.invoice.paid_minor = at_most_minor,
            MoneyFor::CreditBack => self.credit_minor = Some(at_most_minor),
        }
    }
}

/// Money sent whose answer never came (or came as an error), with the key it went with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    pub what: MoneyFor,
    /// The invoice; for credit paid back, the patient (whose credit it is).
    pub on: i64,
    pub currency: Currency,
    pub amount_minor: i64,
    pub method: PaymentMethod,
    pub key: IdempotencyKey,
}

impl Unanswered {
    /// The same money (whatever its reference): it goes again with the same key.
    fn is_same_money(&self, other: &Unanswered) -> bool {
        (
            self.what,
            self.on,
            self.currency,
            self.amount_minor,
            self.method,
        ) == (
            other.what,
            other.on,
            other.currency,
            other.amount_minor,
            other.method,
        )
    }
}

/// More than can go back, in words at the amount.
fn too_much(what: MoneyFor, at_most_minor: i64, currency: Currency, fmt: NumberFormat) -> String {
    let most = Money::new(at_most_minor, currency).display(fmt);
    match what {
        MoneyFor::Refund if at_most_minor <= 0 => {
            "Nothing can go back: the invoice holds no payment now.".into()
        }
        MoneyFor::Refund => {
            format!("At most {most} can go back: what the invoice was paid, net of its refunds.")
        }
        MoneyFor::CreditBack if at_most_minor <= 0 => {
            "Nothing can go back: the patient holds no credit now.".into()
        }
        MoneyFor::CreditBack => {
            format!("At most {most} can go back: the credit the patient holds.")
        }
        MoneyFor::Payment => format!("The patient holds {most} of credit."),
    }
}

/// The question before money goes out (a refund, credit paid back) or in beyond what is owed (a
/// slip of a digit makes ten times the bill the patient's credit): None when nothing needs asking.
fn money_question(
    what: MoneyFor,
    p: &MoneyForm,
    amount: Money,
    method: PaymentMethod,
    fmt: NumberFormat,
) -> Option<Confirm<Cmd>> {
    let shown = amount.display(fmt);
    let row = &p.invoice;
    let (title, question, yes) = match what {
        MoneyFor::Payment => {
            let owed = row.balance();
            let over = amount.minor() - owed.minor();
            if method == PaymentMethod::Credit || over <= 0 {
                return None;
            }
            (
                "More than is owed?",
                format!(
                    "{shown} is {} more than {} owes ({}): take it, the rest kept as {}'s credit?",
                    Money::new(over, row.currency).display(fmt),
                    row.label(),
                    owed.display(fmt),
                    row.patient_name
                ),
                "Take it",
            )
        }
        MoneyFor::Refund => (
            "Pay money back?",
            format!(
                "Pay {shown} back from {} to {} by {}?",
                row.label(),
                row.patient_name,
                method.word()
            ),
            "Pay it back",
        ),
        MoneyFor::CreditBack => (
            "Pay credit back?",
            format!(
                "Pay {shown} of {}'s credit back by {}?",
                row.patient_name,
                method.word()
            ),
            "Pay it back",
        ),
    };
    Some(Confirm::new(
        title,
        question,
        yes,
        "Not yet",
        Cmd::MoneyConfirmed,
    ))
}

fn method_choices(
    what: MoneyFor,
    credit_minor: Option<i64>,
    currency: Currency,
    ctx: &Ctx,
) -> Vec<String> {
    what.methods()
        .iter()
        .map(|m| match (m, credit_minor) {
            (PaymentMethod::Credit, Some(c)) => format!(
                "credit ({} held)",
                Money::new(c, currency).display(ctx.number_format)
            ),
            _ => m.word().to_string(),
        })
        .collect()
}

impl BillingScreen {
    /// The patient's credit as the open detail of `row` shows it.
    fn credit_shown(&self, row: &InvoiceRow) -> Option<i64> {
        self.detail
            .as_ref()
            .and_then(|v| v.detail.as_ref())
            .filter(|d| d.row.id == row.id)
            .map(|d| d.patient_credit_minor)
    }

    /// Why `what` is not for the invoice the keys act on (or for this person), or None.
    fn money_refusal(&self, what: MoneyFor, row: &InvoiceRow) -> Option<String> {
        match what {
            MoneyFor::Payment if row.takes_payment() => None,
            MoneyFor::Payment => {
                let why = match row.status {
                    InvoiceStatus::Draft => "it is a draft: it is issued first",
                    InvoiceStatus::Paid => "it is paid in full",
                    InvoiceStatus::Void => "it is void",
                    _ => "a credit note is not paid",
                };
                Some(format!("No payment for {}: {why}.", row.label()))
            }
            MoneyFor::Refund if row.can_be_refunded() => None,
            MoneyFor::Refund => Some(format!(
                "Nothing to pay back on {}: nothing is paid on it.",
                row.label()
            )),
            MoneyFor::CreditBack => match self.credit_shown(row) {
                Some(c) if c > 0 => None,
                Some(_) => Some(format!("{} holds no credit to pay back.", row.patient_name)),
                None => Some(
                    "Open one of the patient's invoices: it shows the credit they hold.".into(),
                ),
            },
        }
    }

    /// The money form for the invoice the keys act on: a payment (the desk and the accounts
    /// office), a refund or credit paid back (the accounts office only).
    pub(super) fn open_money(&mut self, what: MoneyFor, ctx: &mut Ctx) -> Outcome<Self> {
        if what == MoneyFor::Payment && ctx.access != Access::Full {
            return Outcome::notice(
                "Billing is read-only for you: the desk and the accounts office take payments.",
            );
        }
        if what != MoneyFor::Payment {
            if let Some(no) = self.accounts_only(ctx, "pay money back") {
                return no;
            }
        }
        let Some(row) = self.target().cloned() else {
            return Outcome::notice("No invoice is selected.");
        };
        if let Some(why) = self.money_refusal(what, &row) {
            return Outcome::notice(why);
        }
        let credit_minor = self.credit_shown(&row);
        let prefill = match what {
            MoneyFor::Payment => row.balance().minor(),
            MoneyFor::Refund => row.paid_minor,
            MoneyFor::CreditBack => credit_minor.unwrap_or(0),
        };
        let example = ctx.number_format.example();
        let fields = vec![
            Field::text(
                "Amount",
                Money::new(prefill, row.currency).amount(ctx.number_format),
            )
            .required(true)
            .with_hint(Some(format!("{} like {example}", row.currency))),
            Field::choice(
                "Method",
                method_choices(what, credit_minor, row.currency, ctx),
                0,
            ),
            Field::text("Reference", "").with_hint(Some("slip or transfer no.".into())),
        ];
        let title = match what {
            MoneyFor::Payment => format!("Payment for {}", row.label()),
            MoneyFor::Refund => format!("Refund from {}", row.label()),
            MoneyFor::CreditBack => format!("Credit paid back to {}", row.patient_name),
        };
        let mut form = Form::new(title, what, fields, 0);
        // Prefilled with what is owed (or can go back): that is not "typed", so Esc closes
        // without asking.
        form.rebase(form.fields.iter().map(|f| f.value().to_string()).collect());
        self.popup = Some(Popup::Money(Box::new(MoneyForm {
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
                self.open_money(MoneyFor::Payment, ctx)
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

    /// Ctrl-S (or Enter on the last field): every field checked where it was typed, then the
    /// money sent with its key.
    pub(super) fn save_money(&mut self, ctx: &mut Ctx, confirmed: bool) -> Outcome<Self> {
        let Some(Popup::Money(p)) = &mut self.popup else {
            return Outcome::default();
        };
        let what = p.form.kind;
        if p.form.saving.in_flight() {
            return Outcome::notice(format!("Still recording the {}.", what.word()));
        }
        p.form.clear_errors();
        let currency = p.invoice.currency;
        let fmt = ctx.number_format;
        let methods = what.methods();
        let method = methods[p.form.fields[PAY_METHOD]
            .chosen()
            .min(methods.len().saturating_sub(1))];
        let amount = match Money::parse(p.form.value(PAY_AMOUNT), currency, fmt) {
            Ok(m) if m.minor() <= 0 => {
                p.form.set_error(
                    PAY_AMOUNT,
                    match what {
                        MoneyFor::Payment => {
                            "A payment is more than nothing (refunds are the accounts office's)."
                        }
                        _ => "Type the amount paid back, more than nothing.",
                    },
                );
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                p.form.set_error(PAY_AMOUNT, e.to_string());
                None
            }
        };
        let limit = match what {
            MoneyFor::Payment if method == PaymentMethod::Credit => p.credit_minor,
            _ => p.at_most(),
        };
        if let (Some(m), Some(most)) = (amount, limit) {
            if m.minor() > most {
                p.form
                    .set_error(PAY_AMOUNT, too_much(what, most, currency, fmt));
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
        let mut money = Unanswered {
            what,
            on: match what {
                MoneyFor::CreditBack => p.invoice.patient_id,
                _ => p.invoice.id,
            },
            currency,
            amount_minor: amount.minor(),
            method,
            key: p.key.clone(),
        };
        let retry = self.uncertain.as_ref().filter(|u| u.is_same_money(&money));
        // Asked once: the same money sent again after a lost answer is not asked about again.
        if !confirmed && retry.is_none() {
            if let Some(question) = money_question(what, p, amount, method, fmt) {
                return Outcome::confirm(question);
            }
        }
        if let Some(before) = retry {
            money.key = before.key.clone();
        }
        self.uncertain = Some(money.clone());
        let Some(Popup::Money(p)) = &mut self.popup else {
            return Outcome::default();
        };
        let request = ctx.start(&mut p.form.saving, ());
        let reference = (!reference.is_empty()).then_some(reference);
        Outcome::request(match what {
            MoneyFor::Payment => Request::Pay {
                request,
                invoice_id: money.on,
                amount_minor: money.amount_minor,
                method,
                reference,
                key: money.key,
            },
            MoneyFor::Refund => Request::Refund {
                request,
                invoice_id: money.on,
                amount_minor: money.amount_minor,
                method,
                reference,
                key: money.key,
            },
            MoneyFor::CreditBack => Request::RefundCredit {
                request,
                patient_id: money.on,
                currency,
                amount_minor: money.amount_minor,
                method,
                reference,
                key: money.key,
            },
        })
    }

    /// What came of a payment (its receipt) or of money paid back (the detail read again).
    pub(super) fn money_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Money(p)) = &mut self.popup else {
            return Outcome::default();
        };
        match reply {
            Reply::Paid { request, result } => {
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
                        let at_amount = e.contains("amount") || e.contains("credit");
                        refused(&mut p.form, e, at_amount)
                    }
                }
            }
            Reply::Refunded { request, result } => {
                if p.form.saving.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(_) => {
                        self.uncertain = None;
                        let amount = Money::parse(
                            p.form.value(PAY_AMOUNT),
                            p.invoice.currency,
                            ctx.number_format,
                        )
                        .map(|m| m.display(ctx.number_format))
                        .unwrap_or_default();
                        let method = p.form.value(PAY_METHOD).to_string();
                        let done = match p.form.kind {
                            MoneyFor::CreditBack => format!(
                                "{amount} of {}'s credit paid back by {method}.",
                                p.invoice.patient_name
                            ),
                            _ => format!(
                                "{amount} paid back from {} by {method}.",
                                p.invoice.label()
                            ),
                        };
                        self.popup = None;
                        self.reload(ctx).with_notice(done)
                    }
                    Err(RefundRefused::TooMuch { at_most_minor }) => {
                        p.learn_limit(at_most_minor);
                        let why = too_much(
                            p.form.kind,
                            at_most_minor,
                            p.invoice.currency,
                            ctx.number_format,
                        );
                        // The figures changed under the form: the detail behind it is read again.
                        let _ = refused(&mut p.form, why.clone(), true);
                        self.load_detail(ctx).with_notice(why)
                    }
                    Err(RefundRefused::Other(e)) => {
                        let at_amount = e.contains("amount");
                        refused(&mut p.form, e, at_amount)
                    }
                }
            }
            _ => Outcome::default(),
        }
    }
}

/// A refusal kept with everything as typed (and the same key: saving again records it once), at
/// the amount when it is about the amount.
fn refused(form: &mut Form<MoneyFor>, why: String, at_amount: bool) -> Outcome<BillingScreen> {
    if at_amount {
        form.set_error(PAY_AMOUNT, why.clone());
        form.focus = PAY_AMOUNT;
    } else {
        form.error = Some(why.clone());
    }
    Outcome::notice(why)
}
