//! The accounts office's reports (sql/0032) laid out as rows of figures and chart bars, as
//! `db::reports` does for the desk's: amounts exact in the clinic currency's minor units.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use tokio_postgres::{GenericClient, Row};

use super::DbError;
use crate::domain::money::Currency;
use crate::domain::report::{Bar, Cell, FigureRow, Figures};

/// The decimals of the clinic's currency (clinic.settings), for the amounts.
pub async fn exponent(client: &impl GenericClient) -> Result<u32, DbError> {
    let code: String = client
        .query_one("SELECT currency FROM clinic.settings", &[])
        .await?
        .try_get(0)?;
    Currency::parse(&code)
        .map(Currency::exponent)
        .ok_or_else(|| DbError::Other(format!("the clinic's currency {code:?} is unknown")))
}

fn month_label(m: Option<NaiveDate>) -> String {
    m.map_or_else(|| "period".into(), |m| m.format("%Y-%m").to_string())
}

fn method_words(method: &str) -> &str {
    match method {
        "bank_transfer" => "bank transfer",
        other => other,
    }
}

/// Per month: net invoiced by service, then received by method; then the period's. The chart:
/// net invoiced per month over several months, received by method over one.
pub fn revenue(f: &mut Figures, rows: &[Row], exponent: u32) -> Result<(), DbError> {
    f.label_columns = vec!["month", "invoiced (service) or received (method)"];
    f.columns = vec!["amount"];
    let money = |minor: i64| Cell::Money { minor, exponent };
    // (month, service before method, item: None is the total, last) -> amount
    let mut cells: BTreeMap<(Option<NaiveDate>, bool, Option<String>), i64> = BTreeMap::new();
    for r in rows {
        let month: Option<NaiveDate> = r.try_get(0)?;
        let breakdown: String = r.try_get(1)?;
        let item: Option<String> = r.try_get(2)?;
        let amount: i64 = r.try_get(3)?;
        cells.insert((month, breakdown == "method", item), amount);
    }
    // Months in order, the period's last; in each, invoiced then received; a total after its items.
    let mut keys: Vec<_> = cells.keys().cloned().collect();
    keys.sort_by(|a, b| {
        (a.0.is_none(), a.0, a.1, a.2.is_none(), &a.2).cmp(&(
            b.0.is_none(),
            b.0,
            b.1,
            b.2.is_none(),
            &b.2,
        ))
    });
    let mut billed_by_month = BTreeMap::new();
    let mut received_by_method = Vec::new();
    for key in keys {
        let amount = cells[&key];
        let (month, received, item) = key;
        let what = match (&item, received) {
            (Some(i), false) => i.clone(),
            (Some(m), true) => format!("received by {}", method_words(m)),
            (None, false) => "invoiced, all services".into(),
            (None, true) => "received, all methods".into(),
        };
        match (month, &item, received) {
            (Some(m), None, false) => {
                billed_by_month.insert(m, money(amount));
            }
            (None, Some(m), true) => received_by_method.push(Bar {
                label: method_words(m).to_string(),
                value: money(amount),
            }),
            _ => {}
        }
        f.rows.push(FigureRow {
            label: vec![month_label(month), what],
            cells: vec![money(amount)],
            total: item.is_none(),
        });
    }
    if f.period.to - f.period.from > chrono::TimeDelta::days(31) {
        f.chart_title = "net invoiced per month".into();
        f.bar_unit = "month";
        f.bars = super::reports::every_month(f.period, &billed_by_month, money(0));
    } else {
        f.chart_title = "money received by method".into();
        f.bar_unit = "method";
        f.bars = received_by_method;
    }
    Ok(())
}

/// A row per point (each month's end, the period's last day); bars of what was owed then.
pub fn receivables(f: &mut Figures, rows: &[Row], exponent: u32) -> Result<(), DbError> {
    f.label_columns = vec!["as of"];
    f.columns = vec![
        "0-30",
        "31-60",
        "61-90",
        "over 90",
        "owed",
        "DSO days",
        "collected %",
    ];
    f.chart_title = "owed at each month's end".into();
    f.bar_unit = "month end";
    let money = |minor: i64| Cell::Money { minor, exponent };
    for r in rows {
        let as_of: NaiveDate = r.try_get(0)?;
        let owed = money(r.try_get(5)?);
        let dso: Option<i32> = r.try_get(7)?;
        let rate: Option<i32> = r.try_get(10)?;
        f.bars.push(Bar {
            label: as_of.format("%d %b").to_string(),
            value: owed,
        });
        f.rows.push(FigureRow {
            label: vec![as_of.format("%Y-%m-%d").to_string()],
            cells: vec![
                money(r.try_get(1)?),
                money(r.try_get(2)?),
                money(r.try_get(3)?),
                money(r.try_get(4)?),
                owed,
                dso.map_or(Cell::None, |d| Cell::Days(i64::from(d))),
                rate.map_or(Cell::None, |p| Cell::Permille(i64::from(p))),
            ],
            total: false,
        });
    }
    Ok(())
}

/// A row per statement imported in the period, then the backlog they leave; bars of each
/// statement's open lines.
pub fn reconciliation(f: &mut Figures, rows: &[Row]) -> Result<(), DbError> {
    f.label_columns = vec!["imported", "statement"];
    f.columns = vec!["lines", "matched", "not ours", "open", "oldest open, days"];
    f.chart_title = "lines still to review per statement".into();
    f.bar_unit = "statement";
    for r in rows {
        let id: Option<i64> = r.try_get(0)?;
        let day: Option<NaiveDate> = r.try_get(1)?;
        let source: Option<String> = r.try_get(2)?;
        let open = Cell::Count(r.try_get(6)?);
        let oldest: Option<i32> = r.try_get(7)?;
        if let (Some(id), Some(d)) = (id, day) {
            f.bars.push(Bar {
                label: format!("{} #{id}", d.format("%m-%d")),
                value: open,
            });
        }
        f.rows.push(FigureRow {
            label: vec![
                day.map_or_else(|| "period".into(), |d| d.format("%Y-%m-%d").to_string()),
                source.unwrap_or_else(|| "all statements".into()),
            ],
            cells: vec![
                Cell::Count(r.try_get(3)?),
                Cell::Count(r.try_get(4)?),
                Cell::Count(r.try_get(5)?),
                open,
                oldest.map_or(Cell::None, |d| Cell::Days(i64::from(d))),
            ],
            total: id.is_none(),
        });
    }
    Ok(())
}
