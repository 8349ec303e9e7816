//! Invoicing a day from the Billing screen: the day typed (yesterday to begin with), the preview
//! of its completed appointments not invoiced yet, then one question, and all of them invoiced
//! and issued in one step (clinic.invoice_appointments).

use chrono::NaiveDate;
use tui_input::Input;

use super::popups::due_date;
use super::{BillingScreen, Cmd, DetailView, Popup, Reply, Request};
use crate::app::confirm::Confirm;
use crate::app::pending::Pending;
use crate::app::screen::{Ctx, Outcome};
use crate::domain::invoice::{InvoiceFilter, UninvoicedVisit};
use crate::domain::money::Money;
use crate::domain::patient::{day_beyond_month, parse_date};

/// A day's completed appointments to invoice: the day typed, then its preview.
#[derive(Debug)]
pub struct DayInvoicing {
    pub date: Input,
    /// The day the preview is of.
    pub day: Option<NaiveDate>,
    pub visits: Option<Vec<UninvoicedVisit>>,
    pub error: Option<String>,
    pub loading: Pending,
    pub scroll: usize,
}

impl DayInvoicing {
    /// The previewed appointments that will be invoiced (those with a known service).
    pub fn invoiceable(&self) -> impl Iterator<Item = &UninvoicedVisit> {
        self.visits
            .iter()
            .flatten()
            .filter(|v| !v.services.is_empty())
    }
}

impl BillingScreen {
    pub(super) fn open_day(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if let Some(no) = self.accounts_only(ctx, "invoice appointments") {
            return no;
        }
        let yesterday = ctx.today().pred_opt().unwrap_or(ctx.today());
        let mut day = DayInvoicing {
            date: Input::new(yesterday.format("%Y-%m-%d").to_string()),
            day: None,
            visits: None,
            error: None,
            loading: Pending::default(),
            scroll: 0,
        };
        let out = Self::preview(&mut day, yesterday, ctx);
        self.popup = Some(Popup::Day(Box::new(day)));
        out
    }

    fn preview(day: &mut DayInvoicing, date: NaiveDate, ctx: &mut Ctx) -> Outcome<Self> {
        day.day = Some(date);
        day.visits = None;
        day.error = None;
        day.scroll = 0;
        let request = ctx.start(&mut day.loading, ());
        Outcome::request(Request::Uninvoiced {
            request,
            day: date,
            currency: ctx.currency,
        })
    }

    /// A key while the day's popup is open.
    pub(super) fn day_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Day(day)) = &mut self.popup else {
            return Outcome::default();
        };
        match cmd {
            Cmd::Up | Cmd::Down => {
                day.scroll = if cmd == Cmd::Up {
                    day.scroll.saturating_sub(1)
                } else {
                    (day.scroll + 1).min(day.visits.as_ref().map_or(0, Vec::len).saturating_sub(1))
                };
                Outcome::redraw()
            }
            Cmd::PreviousDay | Cmd::NextDay => {
                let base = day.day.unwrap_or(ctx.today());
                let next = if cmd == Cmd::PreviousDay {
                    base.pred_opt()
                } else {
                    base.succ_opt()
                }
                .unwrap_or(base);
                day.date = Input::new(next.format("%Y-%m-%d").to_string());
                Self::preview(day, next, ctx)
            }
            Cmd::Submit => {
                let typed = day.date.value().trim().to_string();
                let Some(date) = parse_date(&typed, ctx.date_format) else {
                    day.error = Some(day_beyond_month(&typed).unwrap_or_else(|| {
                        format!(
                            "Not a date: write it like {} or {}.",
                            ctx.today().format("%Y-%m-%d"),
                            ctx.today().format(ctx.date_format)
                        )
                    }));
                    // What was previewed is of another day: it goes.
                    day.visits = None;
                    return Outcome::redraw();
                };
                if date > ctx.today() {
                    day.error = Some("That day is still to come: nothing is completed yet.".into());
                    return Outcome::redraw();
                }
                if day.day != Some(date) || day.visits.is_none() {
                    return Self::preview(day, date, ctx);
                }
                let n = day.invoiceable().count();
                if n == 0 {
                    day.error = Some("Nothing on that day can be invoiced from here.".into());
                    return Outcome::redraw();
                }
                let total = day
                    .invoiceable()
                    .try_fold(Money::zero(ctx.currency), |sum, v| {
                        sum.checked_add(Money::new(v.total_minor, ctx.currency))
                    })
                    .map_or_else(|e| e.to_string(), |m| m.display(ctx.number_format));
                Outcome::confirm(Confirm::new(
                    "Invoice the day?",
                    format!(
                        "Invoice and issue {n} appointment{} of {} for {total}, due on {}?",
                        if n == 1 { "" } else { "s" },
                        date.format(ctx.date_format),
                        due_date(ctx).format(ctx.date_format)
                    ),
                    "Invoice them",
                    "Not yet",
                    Cmd::InvoiceDayConfirmed,
                ))
            }
            Cmd::InvoiceOne => {
                let Some(visit) = day.visits.as_ref().and_then(|v| v.get(day.scroll)) else {
                    day.error =
                        Some("Preview a day first (Enter), then mark an appointment.".into());
                    return Outcome::redraw();
                };
                let appointment_id = visit.appointment_id;
                if self.asking.in_flight() {
                    return Outcome::notice("Still working on the last step.");
                }
                let request = ctx.start(&mut self.asking, visit.patient_name.clone());
                Outcome::request(Request::InvoiceAppointment {
                    request,
                    appointment_id,
                    currency: ctx.currency,
                })
            }
            Cmd::InvoiceDayConfirmed => {
                let ids: Vec<i64> = day.invoiceable().map(|v| v.appointment_id).collect();
                if self.asking.in_flight() {
                    return Outcome::notice("Still working on the last step.");
                }
                let request = ctx.start(&mut self.asking, "day".into());
                Outcome::request(Request::InvoiceDay {
                    request,
                    appointment_ids: ids,
                    currency: ctx.currency,
                    due_on: due_date(ctx),
                })
            }
            _ => Outcome::default(),
        }
    }

    pub(super) fn day_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        match reply {
            Reply::Uninvoiced { request, result } => {
                let Some(Popup::Day(day)) = &mut self.popup else {
                    return Outcome::default();
                };
                if day.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(visits) => day.visits = Some(visits),
                    Err(e) => day.error = Some(e),
                }
                Outcome::redraw()
            }
            Reply::AppointmentInvoiced { request, result } => {
                let Some(patient) = self.asking.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(invoice_id) => {
                        self.popup = None;
                        self.filter = InvoiceFilter::Drafts;
                        self.detail = Some(DetailView::of(invoice_id));
                        self.reload(ctx).with_notice(format!(
                            "A draft for {patient}: a adds a line, i issues it."
                        ))
                    }
                    Err(e) => {
                        if let Some(Popup::Day(day)) = &mut self.popup {
                            day.error = Some(e.clone());
                        }
                        Outcome::notice(e)
                    }
                }
            }
            Reply::DayInvoiced { request, result } => {
                if self.asking.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(ids) => {
                        self.popup = None;
                        self.filter = InvoiceFilter::Recent;
                        self.load(ctx).with_notice(format!(
                            "{} invoice{} issued.",
                            ids.len(),
                            if ids.len() == 1 { "" } else { "s" }
                        ))
                    }
                    Err(e) => {
                        if let Some(Popup::Day(day)) = &mut self.popup {
                            day.error = Some(e.clone());
                        }
                        Outcome::notice(e)
                    }
                }
            }
            _ => Outcome::default(),
        }
    }
}
