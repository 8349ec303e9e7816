//! What is owed and what came in: the receivables aging per patient with its totals, and the cash
//! taken per day, method and desk. The database computes each row (sql/0019); the totals here are
//! exact sums of those rows, in minor units.

use chrono::NaiveDate;

use super::money::{Currency, Money, MoneyError};

/// The aging's buckets: days after the due date (not yet due counts as 0).
pub const BUCKETS: [&str; 4] = ["0-30", "31-60", "61-90", "90+"];

/// One patient's open balance by how overdue it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingRow {
    pub patient_id: i64,
    pub patient_number: i64,
    pub patient_name: String,
    pub invoices: i64,
    /// Owed in each of `BUCKETS`, in minor units.
    pub buckets: [i64; 4],
    pub total_minor: i64,
    pub oldest_due: Option<NaiveDate>,
}

/// The whole aging: the patients' rows and what they add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aging {
    pub as_of: NaiveDate,
    pub currency: Currency,
    pub rows: Vec<AgingRow>,
}

impl Aging {
    /// Each bucket summed over the patients, and the grand total; an error only when a sum would
    /// not fit (never in a clinic's books, but never wrapped either).
    pub fn totals(&self) -> Result<([Money; 4], Money), MoneyError> {
        let zero = Money::zero(self.currency);
        let mut buckets = [zero; 4];
        let mut total = zero;
        for r in &self.rows {
            for (sum, minor) in buckets.iter_mut().zip(r.buckets) {
                *sum = sum.checked_add(Money::new(minor, self.currency))?;
            }
            total = total.checked_add(Money::new(r.total_minor, self.currency))?;
        }
        Ok((buckets, total))
    }
}

/// Money taken on one day by one method at one desk (refunds count negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashRow {
    pub day: NaiveDate,
    pub method: String,
    pub received_by: String,
    pub currency: Currency,
    pub payments: i64,
    pub amount_minor: i64,
}

impl CashRow {
    pub fn amount(&self) -> Money {
        Money::new(self.amount_minor, self.currency)
    }
}

/// The cash report's totals per method (in the order methods first appear) and overall, for one
/// currency.
pub fn cash_totals(
    rows: &[CashRow],
    currency: Currency,
) -> Result<(Vec<(String, Money)>, Money), MoneyError> {
    let mut per_method: Vec<(String, Money)> = Vec::new();
    let mut total = Money::zero(currency);
    for r in rows.iter().filter(|r| r.currency == currency) {
        match per_method.iter_mut().find(|(m, _)| *m == r.method) {
            Some((_, sum)) => *sum = sum.checked_add(r.amount())?,
            None => per_method.push((r.method.clone(), r.amount())),
        }
        total = total.checked_add(r.amount())?;
    }
    Ok((per_method, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("date")
    }

    #[test]
    fn the_aging_adds_up_per_bucket_and_in_total() {
        let row = |id, buckets: [i64; 4]| AgingRow {
            patient_id: id,
            patient_number: id,
            patient_name: "P".into(),
            invoices: 1,
            buckets,
            total_minor: buckets.iter().sum(),
            oldest_due: None,
        };
        let aging = Aging {
            as_of: day(1),
            currency: Currency::USD,
            rows: vec![row(1, [100, 0, 5, 0]), row(2, [1, 2, 3, 4])],
        };
        let (buckets, total) = aging.totals().expect("sums");
        assert_eq!(buckets.map(Money::minor), [101, 2, 8, 4]);
        assert_eq!(total.minor(), 115);
    }

    #[test]
    fn cash_totals_are_per_method_in_one_currency() {
        let row = |method: &str, amount, currency| CashRow {
            day: day(1),
            method: method.into(),
            received_by: "Rita".into(),
            currency,
            payments: 1,
            amount_minor: amount,
        };
        let eur = Currency::parse("EUR").expect("EUR");
        let rows = [
            row("cash", 1_000, Currency::USD),
            row("card", 2_500, Currency::USD),
            row("cash", -300, Currency::USD),
            row("cash", 9_999, eur),
        ];
        let (per, total) = cash_totals(&rows, Currency::USD).expect("sums");
        assert_eq!(
            per.iter()
                .map(|(m, s)| (m.as_str(), s.minor()))
                .collect::<Vec<_>>(),
            [("cash", 700), ("card", 2_500)]
        );
        assert_eq!(total.minor(), 3_200);
    }
}
