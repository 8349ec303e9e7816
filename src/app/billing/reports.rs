//! The Billing screen's other parts: the aging (what each patient owes and how late; Enter shows
//! their invoices) and the day's cash (per method and desk). Both read the database's report
//! functions (sql/0019), whose grants decide who sees them.

use chrono::NaiveDate;

use super::{BillingScreen, Cmd, Reply, Request};
use crate::app::pending::Pending;
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::List;
use crate::domain::invoice::InvoiceFilter;
use crate::domain::receivables::{Aging, AgingRow, CashRow};
use crate::domain::staff::Job;

/// The parts of the screen, in the order Tab goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Invoices,
    Aging,
    Cash,
    Reconcile,
    /// The fee schedule.
    Prices,
}

impl Tab {
    pub fn word(self) -> &'static str {
        match self {
            Tab::Invoices => "Invoices",
            Tab::Aging => "Aging",
            Tab::Cash => "Cash",
            Tab::Reconcile => "Reconcile",
            Tab::Prices => "Prices",
        }
    }

    /// The parts `job` has: reconciling and the aging are the accounts office's and the admins'
    /// (the database grants them to them only); the desk sees its cash.
    pub fn for_job(job: Option<Job>) -> &'static [Tab] {
        match job {
            Some(Job::Receptionist) => &[Tab::Invoices, Tab::Cash, Tab::Prices],
            _ => &[
                Tab::Invoices,
                Tab::Reconcile,
                Tab::Aging,
                Tab::Cash,
                Tab::Prices,
            ],
        }
    }
}

#[derive(Debug, Default)]
pub struct AgingView {
    pub aging: Option<Aging>,
    pub rows: List<AgingRow>,
    pub loading: Pending,
    pub error: Option<String>,
}

#[derive(Debug, Default)]
pub struct CashView {
    pub day: Option<NaiveDate>,
    pub rows: Option<Vec<CashRow>>,
    pub loading: Pending,
    pub error: Option<String>,
}

impl BillingScreen {
    pub(super) fn switch_tab(&mut self, forward: bool, ctx: &mut Ctx) -> Outcome<Self> {
        let tabs = Tab::for_job(Some(ctx.me.job));
        let at = tabs.iter().position(|t| *t == self.tab).unwrap_or(0);
        let n = tabs.len();
        self.tab = tabs[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }];
        self.load_tab(ctx)
    }

    /// What the part in front shows, read again.
    pub(super) fn load_tab(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        match self.tab {
            Tab::Invoices => self.load(ctx),
            Tab::Aging => {
                let request = ctx.start(&mut self.aging.loading, ());
                Outcome::request(Request::Aging {
                    request,
                    as_of: ctx.today(),
                    currency: ctx.currency,
                })
            }
            Tab::Reconcile => self.load_bank_lines(ctx),
            Tab::Prices => self.load_prices(ctx),
            Tab::Cash => {
                let day = *self.cash.day.get_or_insert(ctx.today());
                let request = ctx.start(&mut self.cash.loading, ());
                Outcome::request(Request::Cash {
                    request,
                    from: day,
                    to: day,
                })
            }
        }
    }

    pub(super) fn report_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let rows = usize::from(ctx.body_rows.saturating_sub(5)).max(1);
        match (self.tab, cmd) {
            (_, Cmd::NextTab | Cmd::PreviousTab) => self.switch_tab(cmd == Cmd::NextTab, ctx),
            (_, Cmd::Refresh) => self.load_tab(ctx),
            (Tab::Reconcile, _) => self.reconcile_command(cmd, ctx),
            (Tab::Prices, _) => self.prices_command(cmd, ctx),
            (Tab::Aging, Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown) => {
                match cmd {
                    Cmd::Up => self.aging.rows.move_by(-1),
                    Cmd::Down => self.aging.rows.move_by(1),
                    Cmd::PageUp => self.aging.rows.page(false, rows),
                    _ => self.aging.rows.page(true, rows),
                }
                Outcome::redraw()
            }
            (Tab::Aging, Cmd::Statement) => self.ask_statement(ctx),
            (Tab::Aging, Cmd::Open) => {
                let Some(row) = self.aging.rows.selected_item() else {
                    return Outcome::notice("Nobody owes anything.");
                };
                self.filter = InvoiceFilter::Patient {
                    patient_id: row.patient_id,
                    name: row.patient_name.clone(),
                };
                self.tab = Tab::Invoices;
                self.invoices.clear();
                self.loaded = false;
                self.load(ctx)
            }
            (Tab::Cash, Cmd::PreviousDay | Cmd::NextDay | Cmd::Today) => {
                let day = self.cash.day.unwrap_or(ctx.today());
                self.cash.day = Some(match cmd {
                    Cmd::PreviousDay => day.pred_opt().unwrap_or(day),
                    Cmd::NextDay => day.succ_opt().unwrap_or(day),
                    _ => ctx.today(),
                });
                self.cash.rows = None;
                self.load_tab(ctx)
            }
            _ => Outcome::default(),
        }
    }

    pub(super) fn report_reply(&mut self, reply: Reply) -> Outcome<Self> {
        match reply {
            Reply::Aging { request, result } => {
                if self.aging.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(aging) => {
                        self.aging
                            .rows
                            .replace(aging.rows.clone(), |r| r.patient_id);
                        self.aging.aging = Some(aging);
                        self.aging.error = None;
                    }
                    Err(e) => self.aging.error = Some(e),
                }
                Outcome::redraw()
            }
            Reply::Cash { request, result } => {
                if self.cash.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(rows) => {
                        self.cash.rows = Some(rows);
                        self.cash.error = None;
                    }
                    Err(e) => self.cash.error = Some(e),
                }
                Outcome::redraw()
            }
            _ => Outcome::default(),
        }
    }
}
