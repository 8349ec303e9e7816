//! Invoices and payments. The accounts office lists open invoices, drafts or everything, opens one
//! (its lines, its payments, what is owed), issues drafts, voids and credits with a reason,
//! invoices a day's completed appointments after a preview, and takes payments; the desk takes
//! payments only (from a patient's summary, or here); admins read. Every total, status and number
//! is the database's (sql/0017): this screen only shows what it answered and asks in its words.

mod day;
mod export;
mod keys;
mod keys_parts;
mod lines;
mod money;
mod popups;
mod prices;
mod reconcile;
mod reports;
mod requests;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tui_input::InputRequest;

pub use day::DayInvoicing;
pub use export::{
    expand_home, last_month, shown, ExportAsk, ExportRefused, ExportRun, Exported, StatementView,
    EXPORT_DIR, EXPORT_FROM, EXPORT_TO,
};
pub use keys::{Panel, BINDINGS};
pub use lines::{LINE_CODE, LINE_DESCRIPTION, LINE_DISCOUNT, LINE_PRICE, LINE_QUANTITY, LINE_TAX};
pub use money::{MoneyFor, MoneyForm, Unanswered, PAY_AMOUNT, PAY_METHOD, PAY_REF};
pub use popups::{Popup, ReasonFor};
pub use prices::{PriceForm, PricesView};
pub use reconcile::{PickInvoice, ReconcileView, LINES_LIMIT};
pub use reports::{AgingView, CashView, Tab};
pub use requests::{Cmd, Reply, Request};

use super::confirm::Confirm;
use super::keymap::Binding;
use super::pending::{earliest, Pending};
use super::screen::{Access, Ctx, Intent, Outcome, Screen};
use super::widgets::List;
use crate::domain::invoice::{InvoiceDetail, InvoiceFilter, InvoiceRow, InvoiceStatus};
use crate::domain::money::{Currency, Money, NumberFormat};
use crate::domain::staff::Job;

/// Most invoices a list holds; the list says "500+" when there are more.
pub const LIST_LIMIT: i64 = 500;

/// An invoice open on the screen.
#[derive(Debug)]
pub struct DetailView {
    pub invoice_id: i64,
    pub detail: Option<Box<InvoiceDetail>>,
    pub loading: Pending,
    pub error: Option<String>,
    /// Lines scrolled past at the top.
    pub scroll: u16,
    /// The line chosen on a draft (to take off).
    pub line: usize,
}

impl DetailView {
    /// The invoice `invoice_id`, to be read.
    pub fn of(invoice_id: i64) -> Self {
        Self {
            invoice_id,
            detail: None,
            loading: Pending::default(),
            error: None,
            scroll: 0,
            line: 0,
        }
    }
}

#[derive(Debug, Default)]
pub struct BillingScreen {
    /// The part in front: invoices, aging or cash.
    pub tab: Tab,
    pub aging: AgingView,
    pub cash: CashView,
    pub reconcile: ReconcileView,
    pub prices: PricesView,
    pub filter: InvoiceFilter,
    pub invoices: List<InvoiceRow>,
    /// The list stopped at its limit.
    pub more: bool,
    pub loaded: bool,
    pub loading: Pending,
    pub error: Option<String>,
    pub detail: Option<DetailView>,
    pub popup: Option<Popup>,
    /// An issue, a void, a credit note or a day's invoicing on its way, in words.
    pub asking: Pending<String>,
    /// The invoice a question is about (id, version), so "yes" acts on what was asked about.
    asked_about: Option<(i64, i32)>,
    /// Money sent whose answer never came (or came as an error), with its key. The same money
    /// typed again, even in a new form, is sent with the same key, so money the database did
    /// record is never recorded twice.
    pub uncertain: Option<Unanswered>,
    /// An export being written, and how far it got.
    pub export: ExportRun,
    /// A statement on its way: the patient's name.
    pub statement: Pending<String>,
    /// Open the payment form once the list of a patient handed over from the desk is here.
    pay_when_loaded: bool,
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub number_format: NumberFormat,
    pub currency: Option<Currency>,
    pub job: Option<Job>,
    pub access: Option<Access>,
}

impl Screen for BillingScreen {
    type Cmd = Cmd;
    type Request = Request;
    type Reply = Reply;
    type Panel = Panel;

    const TITLE: &'static str = "Billing";
    const COMMAND: &'static str = "billing";
    const BINDINGS: &'static [Binding] = BINDINGS;

    /// Accountants keep the books; the desk takes payments; admins read; doctors see no money.
    fn access(job: Job) -> Option<Access> {
        match job {
            Job::Accountant | Job::Receptionist => Some(Access::Full),
            Job::Admin => Some(Access::ReadOnly),
            Job::Doctor => None,
        }
    }

    /// The accounts office starts on its books.
    fn home(job: Job) -> bool {
        job == Job::Accountant
    }

    fn entered(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if self.tab != Tab::Invoices && self.detail.is_none() {
            return self.load_tab(ctx);
        }
        let list = self.load(ctx);
        match &self.detail {
            Some(_) => list.and(self.load_detail(ctx)),
            None => list,
        }
    }

    fn command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if self.popup.is_some() {
            return self.popup_command(cmd, ctx);
        }
        if self.tab != Tab::Invoices && self.detail.is_none() {
            return self.report_command(cmd, ctx);
        }
        match cmd {
            Cmd::NextTab | Cmd::PreviousTab => self.switch_tab(cmd == Cmd::NextTab, ctx),
            Cmd::Refresh => match &self.detail {
                Some(_) => self.load_detail(ctx),
                None => self.load(ctx),
            },
            Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown => {
                let rows = usize::from(ctx.body_rows.saturating_sub(5)).max(1);
                let draft_lines = self.draft_lines();
                match &mut self.detail {
                    Some(view) if draft_lines.is_some() => {
                        let n = draft_lines.unwrap_or(0);
                        view.line = match cmd {
                            Cmd::Up | Cmd::PageUp => view.line.saturating_sub(1),
                            _ => (view.line + 1).min(n.saturating_sub(1)),
                        };
                    }
                    Some(view) => {
                        let by: i32 = match cmd {
                            Cmd::Up => -1,
                            Cmd::Down => 1,
                            Cmd::PageUp => -i32::from(ctx.body_rows),
                            _ => i32::from(ctx.body_rows),
                        };
                        let next = (i32::from(view.scroll) + by).clamp(0, i32::from(u16::MAX));
                        view.scroll = u16::try_from(next).unwrap_or(0);
                    }
                    None => match cmd {
                        Cmd::Up => self.invoices.move_by(-1),
                        Cmd::Down => self.invoices.move_by(1),
                        Cmd::PageUp => self.invoices.page(false, rows),
                        _ => self.invoices.page(true, rows),
                    },
                }
                Outcome::redraw()
            }
            Cmd::Open => match self.invoices.selected_item() {
                Some(row) => {
                    self.detail = Some(DetailView::of(row.id));
                    self.load_detail(ctx)
                }
                None => Outcome::notice("No invoice is selected."),
            },
            Cmd::NextFilter => {
                self.filter = match self.filter {
                    InvoiceFilter::Open => InvoiceFilter::Drafts,
                    InvoiceFilter::Drafts => InvoiceFilter::Recent,
                    _ => InvoiceFilter::Open,
                };
                self.invoices.clear();
                self.loaded = false;
                self.load(ctx)
            }
            Cmd::Pay => self.open_money(MoneyFor::Payment, ctx),
            Cmd::Refund => self.open_money(MoneyFor::Refund, ctx),
            Cmd::RefundCredit => self.open_money(MoneyFor::CreditBack, ctx),
            Cmd::Export => self.open_export(ctx),
            Cmd::Statement => self.ask_statement(ctx),
            Cmd::Issue => self.ask_issue(ctx),
            Cmd::IssueConfirmed => self.issue(ctx),
            Cmd::Void | Cmd::CreditNote => self.ask_reason(cmd, ctx),
            Cmd::InvoiceDay => self.open_day(ctx),
            Cmd::AddLine | Cmd::RemoveLine | Cmd::RemoveLineConfirmed | Cmd::NewInvoice => {
                self.line_command(cmd, ctx)
            }
            _ => Outcome::default(),
        }
    }

    fn edit(&mut self, request: InputRequest, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        self.popup_edit(request, ctx)
    }

    fn back(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match self.popup.take() {
            Some(Popup::Money(p)) if p.form.changed() && !p.form.saving.in_flight() => {
                self.popup = Some(Popup::Money(p));
                return Outcome::confirm(Confirm::discard(Cmd::Discard));
            }
            Some(Popup::Line(form)) if form.changed() && !form.saving.in_flight() => {
                self.popup = Some(Popup::Line(form));
                return Outcome::confirm(Confirm::discard(Cmd::Discard));
            }
            Some(Popup::Price(form)) if form.changed() && !form.saving.in_flight() => {
                self.popup = Some(Popup::Price(form));
                return Outcome::confirm(Confirm::discard(Cmd::Discard));
            }
            Some(Popup::Split { line, form }) if form.changed() => {
                self.popup = Some(Popup::Split { line, form });
                return Outcome::confirm(Confirm::discard(Cmd::Discard));
            }
            Some(Popup::Money(p)) if p.form.saving.in_flight() => {
                // The money is on its way: its answer (the receipt) must be seen.
                let what = p.form.kind.word();
                self.popup = Some(Popup::Money(p));
                return Outcome::notice(format!(
                    "The {what} is being recorded: wait for its answer."
                ));
            }
            Some(Popup::Export(_)) if self.export.pending.in_flight() => {
                return Outcome::notice("The export goes on: you are told when it is written.");
            }
            Some(_) => return Outcome::redraw(),
            None => {}
        }
        if self.detail.take().is_some() {
            return self.load(ctx);
        }
        // A patient's invoices (from the aging or the desk): back to the open ones.
        if matches!(self.filter, InvoiceFilter::Patient { .. }) {
            self.filter = InvoiceFilter::Open;
            self.invoices.clear();
            self.loaded = false;
            return self.load(ctx);
        }
        if self.tab != Tab::Invoices {
            self.tab = Tab::Invoices;
            return self.load(ctx);
        }
        Outcome::default()
    }

    fn reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match reply {
            Reply::Loaded { request, result } => {
                if self.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(rows) => {
                        self.more = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= LIST_LIMIT;
                        self.invoices.replace(rows, |r| r.id);
                        self.loaded = true;
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
                if std::mem::take(&mut self.pay_when_loaded) && self.error.is_none() {
                    return self.pay_for_patient(ctx);
                }
                Outcome::redraw()
            }
            Reply::Detail { request, result } => {
                let Some(view) = &mut self.detail else {
                    return Outcome::default();
                };
                if view.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(d) => {
                        view.detail = Some(d);
                        view.error = None;
                    }
                    Err(e) => view.error = Some(e),
                }
                Outcome::redraw()
            }
            Reply::Aging { .. } | Reply::Cash { .. } => self.report_reply(reply),
            Reply::LineSaved { .. } | Reply::InvoiceCreated { .. } => self.line_reply(reply, ctx),
            Reply::Prices { .. } | Reply::PriceChanged { .. } => self.prices_reply(reply, ctx),
            Reply::BankLines { .. }
            | Reply::Imported { .. }
            | Reply::Accepted { .. }
            | Reply::Marked { .. }
            | Reply::FoundInvoice { .. } => self.reconcile_reply(reply, ctx),
            Reply::Exported { .. } | Reply::Statement { .. } => self.export_reply(reply),
            other => self.popup_reply(other, ctx),
        }
    }

    fn takes(intent: &Intent) -> bool {
        matches!(
            intent,
            Intent::TakePayment { .. } | Intent::PatientInvoices { .. }
        )
    }

    /// From the patient's summary at the desk: their invoices, and the payment form on the one
    /// that is open.
    fn intent(&mut self, intent: Intent, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        let (patient_id, patient_name, pay) = match intent {
            Intent::TakePayment {
                patient_id,
                patient_name,
            } => (patient_id, patient_name, true),
            Intent::PatientInvoices {
                patient_id,
                patient_name,
            } => (patient_id, patient_name, false),
            _ => return Outcome::default(),
        };
        self.popup = None;
        self.detail = None;
        self.tab = Tab::Invoices;
        self.filter = InvoiceFilter::Patient {
            patient_id,
            name: patient_name,
        };
        self.invoices.clear();
        self.loaded = false;
        self.pay_when_loaded = pay;
        self.load(ctx)
    }

    fn can_go_back(&self) -> bool {
        self.panel().is_some()
            || self.detail.is_some()
            || matches!(self.filter, InvoiceFilter::Patient { .. })
    }

    fn has_unsaved_input(&self) -> bool {
        match &self.popup {
            Some(Popup::Money(p)) => p.form.changed() || p.form.saving.in_flight(),
            Some(Popup::Line(form)) => form.changed() || form.saving.in_flight(),
            Some(Popup::Split { form, .. }) => form.changed(),
            Some(Popup::Price(form)) => form.changed() || form.saving.in_flight(),
            // Quitting would leave the files half written.
            _ => self.export.pending.in_flight(),
        }
    }

    fn text_focused(&self) -> bool {
        match &self.popup {
            Some(Popup::Money(p)) => p.form.text_focused(),
            Some(Popup::Line(form) | Popup::Split { form, .. }) => form.text_focused(),
            Some(Popup::Price(form)) => form.text_focused(),
            Some(Popup::Export(form)) => form.text_focused(),
            Some(Popup::Statement(_)) => false,
            Some(Popup::Reason { .. } | Popup::Day(_) | Popup::Import { .. } | Popup::Pick(_)) => {
                true
            }
            Some(Popup::Receipt { .. }) | None => false,
        }
    }

    fn offers(&self, cmd: Cmd) -> bool {
        let accounts = self.job == Some(Job::Accountant);
        let takes_money = self.access == Some(Access::Full);
        let target = self.target();
        match cmd {
            Cmd::Pay => takes_money && target.is_some_and(InvoiceRow::takes_payment),
            Cmd::Refund => {
                accounts && takes_money && target.is_some_and(InvoiceRow::can_be_refunded)
            }
            Cmd::RefundCredit => {
                accounts
                    && takes_money
                    && self
                        .detail
                        .as_ref()
                        .and_then(|v| v.detail.as_ref())
                        .is_some_and(|d| d.patient_credit_minor > 0)
            }
            Cmd::Issue => accounts && target.is_some_and(|r| r.status == InvoiceStatus::Draft),
            Cmd::Void => accounts && target.is_some_and(InvoiceRow::can_be_voided),
            Cmd::CreditNote => accounts && target.is_some_and(InvoiceRow::can_be_credited),
            Cmd::InvoiceDay
            | Cmd::NewInvoice
            | Cmd::Accept
            | Cmd::Pick
            | Cmd::Split
            | Cmd::NotOurs
            | Cmd::Import
            | Cmd::NewPrice
            | Cmd::NewService => accounts && takes_money,
            Cmd::AddLine | Cmd::RemoveLine => accounts && self.draft_lines().is_some(),
            Cmd::Export => matches!(self.job, Some(Job::Accountant | Job::Admin)),
            Cmd::Statement => match self.tab {
                Tab::Aging => self.aging.rows.selected_item().is_some(),
                _ => target.is_some(),
            },
            _ => true,
        }
    }

    fn panel(&self) -> Option<Panel> {
        match &self.popup {
            Some(Popup::Money(_)) => Some(Panel::Payment),
            Some(Popup::Line(_)) => Some(Panel::Line),
            Some(Popup::Split { .. }) => Some(Panel::Split),
            Some(Popup::Price(_)) => Some(Panel::Price),
            Some(Popup::Receipt { .. }) => Some(Panel::Receipt),
            Some(Popup::Reason { .. }) => Some(Panel::Reason),
            Some(Popup::Day(_)) => Some(Panel::Day),
            Some(Popup::Import { .. }) => Some(Panel::Import),
            Some(Popup::Pick(_)) => Some(Panel::Pick),
            Some(Popup::Export(_)) => Some(Panel::Export),
            Some(Popup::Statement(_)) => Some(Panel::Statement),
            None if self.detail.is_some() => Some(Panel::Detail),
            None => match self.tab {
                Tab::Invoices => None,
                Tab::Aging => Some(Panel::Aging),
                Tab::Cash => Some(Panel::Cash),
                Tab::Reconcile => Some(Panel::Reconcile),
                Tab::Prices => Some(Panel::Prices),
            },
        }
    }

    fn spinning(&self, now: DateTime<Utc>) -> bool {
        self.loading.spinning(now)
            || self.asking.spinning(now)
            || self
                .detail
                .as_ref()
                .is_some_and(|d| d.loading.spinning(now))
            || matches!(&self.popup, Some(Popup::Money(p)) if p.form.saving.spinning(now))
            || self.export.pending.spinning(now)
            || self.statement.spinning(now)
            || self.reconcile.working.spinning(now)
    }

    /// A long step's count is drawn at each spinner frame while it runs.
    fn deadline(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        earliest([
            self.export.pending.next_frame(now),
            self.reconcile.working.next_frame(now),
        ])
    }

    fn tick(&mut self, _ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::redraw_if(self.export.pending.in_flight() || self.reconcile.working.in_flight())
    }
}

impl BillingScreen {
    fn sync(&mut self, ctx: &Ctx) {
        self.now = ctx.now;
        self.tz = ctx.tz;
        self.number_format = ctx.number_format;
        self.currency = Some(ctx.currency);
        self.job = Some(ctx.me.job);
        self.access = Some(ctx.access);
    }

    /// The invoice the keys act on: the one open, or the one selected.
    pub fn target(&self) -> Option<&InvoiceRow> {
        match &self.detail {
            Some(view) => view.detail.as_ref().map(|d| &d.row),
            None => self.invoices.selected_item(),
        }
    }

    /// What the open invoices of the list owe in the clinic's currency (other currencies are left
    /// out); only for a list that holds them all.
    pub fn owed(&self) -> Option<Money> {
        let currency = self.currency?;
        let whole = matches!(
            self.filter,
            InvoiceFilter::Open | InvoiceFilter::Patient { .. }
        );
        if !whole || self.more || !self.loaded {
            return None;
        }
        self.invoices
            .iter()
            .filter(|r| r.takes_payment() && r.currency == currency)
            .try_fold(Money::zero(currency), |sum, r| sum.checked_add(r.balance()))
            .ok()
    }

    fn load(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let request = ctx.start(&mut self.loading, ());
        Outcome::request(Request::Load {
            request,
            filter: self.filter.clone(),
            limit: LIST_LIMIT,
        })
    }

    fn load_detail(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(view) = &mut self.detail else {
            return Outcome::default();
        };
        let invoice_id = view.invoice_id;
        let request = ctx.start(&mut view.loading, ());
        Outcome::request(Request::Detail {
            request,
            invoice_id,
        })
    }

    /// The list, and the invoice open, read again after a change.
    pub(super) fn reload(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.load(ctx).and(self.load_detail(ctx))
    }

    /// Why `job` may not do an accounts-office step, or None when it may.
    pub(super) fn accounts_only(&self, ctx: &Ctx, what: &str) -> Option<Outcome<Self>> {
        match (ctx.me.job, ctx.access) {
            (Job::Accountant, Access::Full) => None,
            (Job::Receptionist, _) => Some(Outcome::notice(format!(
                "Only the accounts office can {what}: the desk takes payments."
            ))),
            _ => Some(Outcome::notice(format!(
                "Billing is read-only for you: the accounts office can {what}."
            ))),
        }
    }

    fn ask_issue(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if let Some(no) = self.accounts_only(ctx, "issue invoices") {
            return no;
        }
        let Some(row) = self.target() else {
            return Outcome::notice("No invoice is selected.");
        };
        if row.status != InvoiceStatus::Draft {
            return Outcome::notice(format!(
                "{} is {}: only a draft is issued.",
                row.label(),
                row.status.word()
            ));
        }
        if row.total_minor == 0 {
            return Outcome::notice(format!(
                "{} has nothing charged: add its lines before issuing it.",
                row.label()
            ));
        }
        let due = popups::due_date(ctx);
        let question = format!(
            "Issue {} to {} for {}, due on {}? An issued invoice never changes: corrections are credit notes.",
            row.label(),
            row.patient_name,
            row.total().display(ctx.number_format),
            due.format(ctx.date_format)
        );
        let title = match row.kind {
            crate::domain::invoice::InvoiceKind::CreditNote => "Issue the credit note?",
            crate::domain::invoice::InvoiceKind::Invoice => "Issue the invoice?",
        };
        self.asked_about = Some((row.id, row.version));
        Outcome::confirm(Confirm::new(
            title,
            question,
            "Issue",
            "Not yet",
            Cmd::IssueConfirmed,
        ))
    }

    fn issue(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some((invoice_id, _)) = self.asked_about.take() else {
            return Outcome::default();
        };
        if self.asking.in_flight() {
            return Outcome::notice("Still working on the last step.");
        }
        let request = ctx.start(&mut self.asking, "issue".into());
        Outcome::request(Request::Issue {
            request,
            invoice_id,
            due_on: popups::due_date(ctx),
        })
    }
}
