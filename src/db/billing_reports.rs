//! Billing's reports through the database's functions (sql/0019), as the caller's own login, and
//! the export of invoices, their lines and the money of a date range as CSV (RFC 4180: UTF-8,
//! CRLF) for the clinic's accounting software, streamed row by row so a year takes no more memory
//! than a day.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use futures::{pin_mut, TryStreamExt};
use tokio_postgres::types::ToSql;
use tokio_postgres::GenericClient;

use super::DbError;
use crate::domain::money::{Currency, Money};
use crate::domain::receivables::{Aging, AgingRow, CashRow};

fn currency_of(code: &str) -> Result<Currency, DbError> {
    Currency::parse(code).ok_or_else(|| DbError::Other(format!("unknown currency {code:?}")))
}

/// What each patient owes by how overdue it is, as of `as_of`.
pub async fn aging(
    client: &impl GenericClient,
    as_of: NaiveDate,
    currency: Currency,
) -> Result<Aging, DbError> {
    let rows = client
        .query(
            "SELECT patient_id, patient_number, patient_name, invoices, days_0_30, days_31_60,
                    days_61_90, days_90_plus, total, oldest_due
               FROM clinic.receivables_aging($1, $2)",
            &[&as_of, &currency.code()],
        )
        .await?;
    Ok(Aging {
        as_of,
        currency,
        rows: rows
            .iter()
            .map(|r| AgingRow {
                patient_id: r.get(0),
                patient_number: r.get(1),
                patient_name: r.get(2),
                invoices: r.get(3),
                buckets: [r.get(4), r.get(5), r.get(6), r.get(7)],
                total_minor: r.get(8),
                oldest_due: r.get(9),
            })
            .collect(),
    })
}

/// The money taken from `from` to `to` (clinic days), per day, method and desk.
pub async fn cash(
    client: &impl GenericClient,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CashRow>, DbError> {
    let rows = client
        .query(
            "SELECT day, method, received_by, currency, payments, amount_minor
               FROM clinic.cash_report($1, $2)",
            &[&from, &to],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CashRow {
                day: r.get(0),
                method: r.get(1),
                received_by: r.get(2),
                currency: currency_of(r.get(3))?,
                payments: r.get(4),
                amount_minor: r.get(5),
            })
        })
        .collect()
}

/// How many rows each file of an export will hold, for its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportCounts {
    pub invoices: u64,
    pub lines: u64,
    pub payments: u64,
}

/// The invoices issued in the range (void ones too, as they were numbered), and the money received
/// and paid back in it. Drafts are not the books' yet and are left out.
const ISSUED_IN: &str =
    "i.issued_at >= ($1::date::timestamp AT TIME ZONE clinic.clinic_time_zone())
    AND i.issued_at < (($2::date + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone())";
const RECEIVED_IN: &str =
    "p.received_at >= ($1::date::timestamp AT TIME ZONE clinic.clinic_time_zone())
    AND p.received_at < (($2::date + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone())";
/// Credit paid back in the range: money gone without an invoice (clinic.refund_credit), which the
/// cash report counts too.
const CREDIT_PAID_BACK_IN: &str = "c.kind = 'refunded'
    AND c.at >= ($1::date::timestamp AT TIME ZONE clinic.clinic_time_zone())
    AND c.at < (($2::date + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone())";

pub async fn export_counts(
    client: &impl GenericClient,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<ExportCounts, DbError> {
    let row = client
        .query_one(
            &format!(
                "SELECT (SELECT count(*) FROM clinic.invoices i WHERE {ISSUED_IN}),
                        (SELECT count(*) FROM clinic.invoice_lines l
                           JOIN clinic.invoices i ON i.id = l.invoice_id WHERE {ISSUED_IN}),
                        (SELECT count(*) FROM clinic.payments p WHERE {RECEIVED_IN})
                        + (SELECT count(*) FROM clinic.patient_credit c WHERE {CREDIT_PAID_BACK_IN})"
            ),
            &[&from, &to],
        )
        .await?;
    let n = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or(0);
    Ok(ExportCounts {
        invoices: n(0),
        lines: n(1),
        payments: n(2),
    })
}

/// Why an export stopped. A folder or file that cannot be written is named, so the person can
/// see which path to fix.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot write into {}: {source}", dir.display())]
    Folder {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    File { path: PathBuf, source: csv::Error },
    /// Writing a file not named yet; [`ExportError::in_file`] names it.
    #[error("writing the file: {0}")]
    Write(#[from] csv::Error),
}

impl ExportError {
    /// This error, naming `path` when it was the writing that failed.
    #[must_use]
    pub fn in_file(self, path: &Path) -> Self {
        match self {
            Self::Write(source) => Self::File {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        }
    }
}

/// A CSV writer as RFC 4180 has it: records end in CRLF.
pub fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out)
}

impl From<tokio_postgres::Error> for ExportError {
    fn from(e: tokio_postgres::Error) -> Self {
        ExportError::Db(e.into())
    }
}

/// Rows of `sql` (with the range of days as $1, $2) streamed into `out`, each as text fields, after
/// `header`; `progress` gets the count so far every 1,000 rows and at the end.
async fn stream(
    client: &impl GenericClient,
    sql: &str,
    [from, to]: [NaiveDate; 2],
    header: &[&str],
    out: &mut csv::Writer<impl Write>,
    mut row_fields: impl FnMut(&tokio_postgres::Row) -> Result<Vec<String>, DbError>,
    progress: &mut impl FnMut(u64),
) -> Result<u64, ExportError> {
    out.write_record(header)?;
    let params: [&(dyn ToSql + Sync); 2] = [&from, &to];
    let rows = client.query_raw(sql, params).await?;
    pin_mut!(rows);
    let mut n = 0u64;
    while let Some(row) = rows.try_next().await? {
        out.write_record(row_fields(&row)?)?;
        n += 1;
        if n.is_multiple_of(1_000) {
            progress(n);
        }
    }
    out.flush().map_err(csv::Error::from)?;
    progress(n);
    Ok(n)
}

fn plain(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).plain()
}

fn instant(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(String::new, |t| t.to_rfc3339())
}

fn day(d: Option<NaiveDate>) -> String {
    d.map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

/// invoices.csv: one row per invoice issued in the range.
pub async fn export_invoices(
    client: &impl GenericClient,
    from: NaiveDate,
    to: NaiveDate,
    out: &mut csv::Writer<impl Write>,
    progress: &mut impl FnMut(u64),
) -> Result<u64, ExportError> {
    let sql = format!(
        "SELECT i.invoice_number, i.kind, c.invoice_number, i.status, p.patient_number,
                p.family_name, p.given_names, i.currency::text, i.issued_at, i.due_on,
                i.total_minor - i.tax_minor, i.tax_minor, i.total_minor, i.credited_minor,
                i.paid_minor, i.void_reason, i.credit_reason, i.id,
                -- Only an open invoice owes: not a draft, a void one or a credit note.
                CASE WHEN i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid')
                     THEN i.total_minor - i.paid_minor - i.credited_minor ELSE 0 END
           FROM clinic.invoices i
           JOIN clinic.patients p ON p.id = i.patient_id
           LEFT JOIN clinic.invoices c ON c.id = i.credits_invoice_id
          WHERE {ISSUED_IN}
          ORDER BY i.number_year NULLS LAST, i.number_seq NULLS LAST, i.id"
    );
    let header = [
        "invoice_number",
        "kind",
        "credits_invoice",
        "status",
        "patient_number",
        "family_name",
        "given_names",
        "currency",
        "issued_at",
        "due_on",
        "net",
        "tax",
        "total",
        "credited",
        "paid",
        "owed",
        "void_reason",
        "credit_reason",
        "invoice_id",
    ];
    stream(
        client,
        &sql,
        [from, to],
        &header,
        out,
        |r| {
            let currency = currency_of(r.get(7))?;
            Ok(vec![
                r.get::<_, Option<String>>(0).unwrap_or_default(),
                r.get(1),
                r.get::<_, Option<String>>(2).unwrap_or_default(),
                r.get(3),
                r.get::<_, i64>(4).to_string(),
                r.get(5),
                r.get(6),
                currency.code().to_string(),
                instant(r.get(8)),
                day(r.get(9)),
                plain(r.get(10), currency),
                plain(r.get(11), currency),
                plain(r.get(12), currency),
                plain(r.get(13), currency),
                plain(r.get(14), currency),
                plain(r.get(18), currency),
                r.get::<_, Option<String>>(15).unwrap_or_default(),
                r.get::<_, Option<String>>(16).unwrap_or_default(),
                r.get::<_, i64>(17).to_string(),
            ])
        },
        progress,
    )
    .await
}

/// invoice_lines.csv: the lines of the invoices in invoices.csv.
pub async fn export_lines(
    client: &impl GenericClient,
    from: NaiveDate,
    to: NaiveDate,
    out: &mut csv::Writer<impl Write>,
    progress: &mut impl FnMut(u64),
) -> Result<u64, ExportError> {
    let sql = format!(
        "SELECT i.invoice_number, s.code, l.description, l.quantity, l.unit_price_minor,
                l.discount_minor, l.tax_rate::text, l.net_minor, l.tax_minor, l.amount_minor,
                i.currency::text, i.id
           FROM clinic.invoice_lines l
           JOIN clinic.invoices i ON i.id = l.invoice_id
           LEFT JOIN clinic.services s ON s.id = l.service_id
          WHERE {ISSUED_IN}
          ORDER BY i.number_year NULLS LAST, i.number_seq NULLS LAST, i.id, l.id"
    );
    let header = [
        "invoice_number",
        "service_code",
        "description",
        "quantity",
        "unit_price",
        "discount",
        "tax_rate",
        "net",
        "tax",
        "amount",
        "currency",
        "invoice_id",
    ];
    stream(
        client,
        &sql,
        [from, to],
        &header,
        out,
        |r| {
            let currency = currency_of(r.get(10))?;
            Ok(vec![
                r.get::<_, Option<String>>(0).unwrap_or_default(),
                r.get::<_, Option<String>>(1).unwrap_or_default(),
                r.get(2),
                r.get::<_, i32>(3).to_string(),
                plain(r.get(4), currency),
                plain(r.get(5), currency),
                r.get(6),
                plain(r.get(7), currency),
                plain(r.get(8), currency),
                plain(r.get(9), currency),
                currency.code().to_string(),
                r.get::<_, i64>(11).to_string(),
            ])
        },
        progress,
    )
    .await
}

/// payments.csv: money received and paid back in the range. Refunds are negative; so is credit
/// paid back (kind `credit_refund`: no invoice and no payment, its `credit_entry_id` the patient's
/// credit ledger entry), so the money here, credit used to pay an invoice aside, is the cash
/// report's. Every row's amount is its applied plus its to_credit.
pub async fn export_payments(
    client: &impl GenericClient,
    from: NaiveDate,
    to: NaiveDate,
    out: &mut csv::Writer<impl Write>,
    progress: &mut impl FnMut(u64),
) -> Result<u64, ExportError> {
    let sql = format!(
        "SELECT m.payment_id, m.at, clinic.clinic_date(m.at), m.invoice_number, m.patient_number,
                m.kind, m.method, m.amount_minor, m.applied_minor, m.reference, m.full_name,
                m.currency, m.credit_entry_id
           FROM (SELECT p.id AS payment_id, NULL::bigint AS credit_entry_id, p.received_at AS at,
                        i.invoice_number, pt.patient_number, p.kind, p.method, p.amount_minor,
                        p.applied_minor, p.reference, s.full_name, i.currency::text AS currency
                   FROM clinic.payments p
                   JOIN clinic.invoices i ON i.id = p.invoice_id
                   JOIN clinic.patients pt ON pt.id = i.patient_id
                   LEFT JOIN clinic.staff s ON s.id = p.received_by
                  WHERE {RECEIVED_IN}
                 UNION ALL
                 SELECT NULL, c.id, c.at, NULL, pt.patient_number, 'credit_refund', c.method,
                        c.amount_minor, 0, c.reference, s.full_name, c.currency::text
                   FROM clinic.patient_credit c
                   JOIN clinic.patients pt ON pt.id = c.patient_id
                   LEFT JOIN clinic.staff s ON s.id = c.by_staff
                  WHERE {CREDIT_PAID_BACK_IN}) m
          ORDER BY m.at, m.payment_id NULLS LAST, m.credit_entry_id"
    );
    let header = [
        "payment_id",
        "received_at",
        "day",
        "invoice_number",
        "patient_number",
        "kind",
        "method",
        "amount",
        "applied",
        "to_credit",
        "reference",
        "received_by",
        "currency",
        "credit_entry_id",
    ];
    let id = |n: Option<i64>| n.map_or_else(String::new, |n| n.to_string());
    stream(
        client,
        &sql,
        [from, to],
        &header,
        out,
        |r| {
            let currency = currency_of(r.get(11))?;
            let (amount, applied): (i64, i64) = (r.get(7), r.get(8));
            let kind: String = r.get(5);
            let method: String = r.get(6);
            let to_credit = if kind == "credit_refund" {
                // Paid back out of the patient's credit.
                amount
            } else if method == "credit" || amount < 0 {
                // Credit used is not money received: nothing of it goes to credit again.
                0
            } else {
                amount - applied
            };
            Ok(vec![
                id(r.get(0)),
                instant(r.get(1)),
                day(r.get(2)),
                r.get::<_, Option<String>>(3).unwrap_or_default(),
                r.get::<_, i64>(4).to_string(),
                kind,
                method,
                plain(amount, currency),
                plain(applied, currency),
                plain(to_credit, currency),
                r.get::<_, Option<String>>(9).unwrap_or_default(),
                r.get::<_, Option<String>>(10).unwrap_or_default(),
                currency.code().to_string(),
                id(r.get(12)),
            ])
        },
        progress,
    )
    .await
}
