//! The fee schedule, kept by the accounts office: the prices in force and those to come, a new
//! price from a day on (the one in force ends the day before, so no past invoice changes), and a
//! new service. The database refuses the rest (sql/0015).

use chrono::TimeDelta;
use rust_decimal::Decimal;

use super::{BillingScreen, Cmd, Popup, Reply, Request};
use crate::app::pending::Pending;
use crate::app::screen::{Access, Ctx, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::app::widgets::List;
use crate::domain::invoice::{PriceChange, ServicePrice};
use crate::domain::money::{Currency, Money};
use crate::domain::patient::parse_date;
use crate::domain::staff::Job;

#[derive(Debug, Default)]
pub struct PricesView {
    pub rows: List<ServicePrice>,
    pub loaded: bool,
    pub loading: Pending,
    pub error: Option<String>,
}

/// What the price form changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceForm {
    /// A new price of this service (its code and currency).
    NewPrice {
        code: String,
        currency: Currency,
    },
    NewService,
}

impl BillingScreen {
    pub(super) fn load_prices(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let request = ctx.start(&mut self.prices.loading, ());
        Outcome::request(Request::Prices {
            request,
            day: ctx.today(),
        })
    }

    pub(super) fn prices_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let rows = usize::from(ctx.body_rows.saturating_sub(4)).max(1);
        match cmd {
            Cmd::Up => self.prices.rows.move_by(-1),
            Cmd::Down => self.prices.rows.move_by(1),
            Cmd::PageUp => self.prices.rows.page(false, rows),
            Cmd::PageDown => self.prices.rows.page(true, rows),
            Cmd::NewPrice | Cmd::NewService => {
                if ctx.me.job != Job::Accountant || ctx.access != Access::Full {
                    return Outcome::notice("The accounts office keeps the fee schedule.");
                }
                let tomorrow = ctx.today() + TimeDelta::days(1);
                let example = Money::new(6_500, ctx.currency).amount(ctx.number_format);
                let form = if cmd == Cmd::NewPrice {
                    let Some(s) = self.prices.rows.selected_item() else {
                        return Outcome::notice("No service is selected: n adds one.");
                    };
                    Form::new(
                        format!("New price of {}", s.code),
                        PriceForm::NewPrice {
                            code: s.code.clone(),
                            currency: s.currency,
                        },
                        vec![
                            Field::text("Price", "")
                                .required(true)
                                .with_hint(Some(format!(
                                    "now {}",
                                    Money::new(s.price_minor, s.currency).amount(ctx.number_format)
                                ))),
                            Field::text("Tax %", "").with_hint(Some(format!("now {}", s.tax_rate))),
                            Field::text("From", tomorrow.format("%Y-%m-%d").to_string())
                                .required(true)
                                .with_hint(Some("the old price ends the day before".into())),
                        ],
                        0,
                    )
                } else {
                    Form::new(
                        "A new service",
                        PriceForm::NewService,
                        vec![
                            Field::text("Code", "")
                                .required(true)
                                .with_hint(Some("e.g. ECG".into())),
                            Field::text("Description", "").required(true),
                            Field::text("Price", "")
                                .required(true)
                                .with_hint(Some(format!("like {example}"))),
                            Field::text("Tax %", "0"),
                            Field::text("Suggested for", "")
                                .with_hint(Some("reasons, comma between".into())),
                            Field::text("From", ctx.today().format("%Y-%m-%d").to_string())
                                .required(true),
                        ],
                        0,
                    )
                };
                let mut form = form;
                form.rebase(form.fields.iter().map(|f| f.value().to_string()).collect());
                self.popup = Some(Popup::Price(Box::new(form)));
            }
            _ => return Outcome::default(),
        }
        Outcome::redraw()
    }

    pub(super) fn save_price(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Price(form)) = &mut self.popup else {
            return Outcome::default();
        };
        if form.saving.in_flight() {
            return Outcome::notice("Still saving.");
        }
        form.clear_errors();
        let last = form.fields.len() - 1;
        let text = |i: usize| form.value(i).trim().to_string();
        let (price_field, tax_field) = match form.kind {
            PriceForm::NewPrice { .. } => (0, 1),
            PriceForm::NewService => (2, 3),
        };
        let currency = match &form.kind {
            PriceForm::NewPrice { currency, .. } => *currency,
            PriceForm::NewService => ctx.currency,
        };
        let mut errors: Vec<(usize, String)> = Vec::new();
        let price = match Money::parse(&text(price_field), currency, ctx.number_format) {
            Ok(m) if !m.is_negative() => m.minor(),
            Ok(_) => {
                errors.push((price_field, "A price is not below nothing.".into()));
                0
            }
            Err(e) => {
                errors.push((price_field, e.to_string()));
                0
            }
        };
        let tax = Some(text(tax_field).replace(',', ".")).filter(|t| !t.is_empty());
        if let Some(t) = &tax {
            if !t
                .parse::<Decimal>()
                .is_ok_and(|d| d >= Decimal::ZERO && d <= Decimal::from(100) && d.scale() <= 2)
            {
                errors.push((tax_field, "A percent from 0 to 100, like 8 or 7.5.".into()));
            }
        }
        let from = parse_date(&text(last), ctx.date_format);
        match from {
            None => errors.push((last, "A date, like 2027-01-01.".into())),
            Some(d) if d < ctx.today() => {
                errors.push((
                    last,
                    "A price starts today or later: past invoices keep theirs.".into(),
                ));
            }
            _ => {}
        }
        let change = match &form.kind {
            PriceForm::NewPrice { code, .. } => PriceChange::NewPrice {
                code: code.clone(),
                price_minor: price,
                tax_rate: tax,
                from: from.unwrap_or(ctx.today()),
            },
            PriceForm::NewService => {
                let code = text(0).to_uppercase();
                if !(1..=20).contains(&code.len())
                    || !code.chars().all(|c| {
                        c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '.'
                    })
                {
                    errors.push((0, "Letters, digits, - and . (up to 20), e.g. ECG.".into()));
                }
                if text(1).is_empty() {
                    errors.push((1, "Say what the service is.".into()));
                }
                PriceChange::NewService {
                    code,
                    description: text(1),
                    price_minor: price,
                    currency,
                    tax_rate: tax.unwrap_or_else(|| "0".into()),
                    from: from.unwrap_or(ctx.today()),
                    suggested_for: text(4)
                        .split(',')
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty())
                        .collect(),
                }
            }
        };
        if !errors.is_empty() {
            for (i, e) in errors {
                form.set_error(i, e);
            }
            form.focus_first_error();
            return Outcome::redraw();
        }
        let request = ctx.start(&mut form.saving, ());
        Outcome::request(Request::ChangePrice { request, change })
    }

    pub(super) fn prices_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        match reply {
            Reply::Prices { request, result } => {
                if self.prices.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(rows) => {
                        self.prices.rows.replace(rows, |r| r.id);
                        self.prices.loaded = true;
                        self.prices.error = None;
                    }
                    Err(e) => self.prices.error = Some(e),
                }
                Outcome::redraw()
            }
            Reply::PriceChanged { request, result } => {
                let Some(Popup::Price(form)) = &mut self.popup else {
                    return Outcome::default();
                };
                if form.saving.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(()) => {
                        self.popup = None;
                        self.load_prices(ctx)
                            .with_notice("Saved: invoices from that day take it.")
                    }
                    Err(e) => {
                        form.error = Some(e.clone());
                        Outcome::notice(e)
                    }
                }
            }
            _ => Outcome::default(),
        }
    }
}
