//! Billing's reports and export for scripts and cron, outside the TUI: the same database
//! functions as the screen, through the person's own login, so the same permissions hold.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use deadpool_postgres::Pool;
use tokio_postgres::IsolationLevel;

use crate::db::billing_reports::{self, ExportCounts, ExportError};
use crate::db::DbError;
use crate::domain::invoice::method_word;
use crate::domain::money::{Currency, Money, NumberFormat};
use crate::domain::receivables::{cash_totals, BUCKETS};

async fn client(pool: &Pool) -> Result<deadpool_postgres::Object, DbError> {
    pool.get().await.map_err(DbError::from)
}

/// The aging as a text table: one line per patient, then the totals.
pub async fn aging_text(
    pool: &Pool,
    as_of: NaiveDate,
    currency: Currency,
    format: NumberFormat,
) -> Result<String, DbError> {
    let c = client(pool).await?;
    let aging = billing_reports::aging(&**c, as_of, currency).await?;
    let amount = |minor| Money::new(minor, currency).amount(format);
    let mut out = format!(
        "Accounts receivable aging as of {as_of}, in {currency} (days after the due date)\n\n{:<8} {:<28} {:>12} {:>12} {:>12} {:>12} {:>12}\n",
        "number", "patient", BUCKETS[0], BUCKETS[1], BUCKETS[2], BUCKETS[3], "total"
    );
    for r in &aging.rows {
        out.push_str(&format!(
            "{:<8} {:<28} {:>12} {:>12} {:>12} {:>12} {:>12}\n",
            r.patient_number,
            r.patient_name.chars().take(28).collect::<String>(),
            amount(r.buckets[0]),
            amount(r.buckets[1]),
            amount(r.buckets[2]),
            amount(r.buckets[3]),
            amount(r.total_minor)
        ));
    }
    let (buckets, total) = aging.totals().map_err(|e| DbError::Other(e.to_string()))?;
    out.push_str(&format!(
        "{:<8} {:<28} {:>12} {:>12} {:>12} {:>12} {:>12}\n",
        "",
        format!("total, {} patients", aging.rows.len()),
        buckets[0].amount(format),
        buckets[1].amount(format),
        buckets[2].amount(format),
        buckets[3].amount(format),
        total.amount(format)
    ));
    Ok(out)
}

/// The cash report as text: per day, method and desk, then per method and in total.
pub async fn cash_text(
    pool: &Pool,
    from: NaiveDate,
    to: NaiveDate,
    currency: Currency,
    format: NumberFormat,
) -> Result<String, DbError> {
    let c = client(pool).await?;
    let rows = billing_reports::cash(&**c, from, to).await?;
    let mut out = format!(
        "Cash report {from} to {to}, in {currency}\n\n{:<10} {:<16} {:<24} {:>8} {:>12}\n",
        "day", "method", "taken by", "count", "amount"
    );
    for r in rows.iter().filter(|r| r.currency == currency) {
        out.push_str(&format!(
            "{:<10} {:<16} {:<24} {:>8} {:>12}\n",
            r.day.format("%Y-%m-%d"),
            method_word(&r.method),
            r.received_by.chars().take(24).collect::<String>(),
            r.payments,
            r.amount().amount(format)
        ));
    }
    let (per, total) = cash_totals(&rows, currency).map_err(|e| DbError::Other(e.to_string()))?;
    out.push('\n');
    for (method, sum) in per {
        out.push_str(&format!(
            "{:<10} {:<16} {:<24} {:>8} {:>12}\n",
            "",
            method_word(&method),
            "",
            "",
            sum.amount(format)
        ));
    }
    out.push_str(&format!(
        "{:<10} {:<16} {:<24} {:>8} {:>12}\n",
        "",
        "total",
        "",
        "",
        total.amount(format)
    ));
    Ok(out)
}

/// The three files an export writes into `dir`.
pub fn export_paths(dir: &Path) -> [PathBuf; 3] {
    [
        dir.join("invoices.csv"),
        dir.join("invoice_lines.csv"),
        dir.join("payments.csv"),
    ]
}

/// invoices.csv, invoice_lines.csv and payments.csv for the range, into `dir` (made if
/// missing); `progress(file, done, of)` as rows go out. The rows written per file. A folder or
/// file that cannot be written is named in the error.
pub async fn export(
    pool: &Pool,
    from: NaiveDate,
    to: NaiveDate,
    dir: &Path,
    mut progress: impl FnMut(&str, u64, u64),
) -> Result<ExportCounts, ExportError> {
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Folder {
        dir: dir.to_path_buf(),
        source,
    })?;
    let mut c = client(pool).await?;
    let pg: &mut tokio_postgres::Client = &mut c;
    // One snapshot for all three files, so they agree with each other; rolled back when dropped
    // on a failure, so the pooled connection is not handed on inside it.
    let tx = pg
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(DbError::from)?;
    let expected = billing_reports::export_counts(&tx, from, to).await?;
    let [inv, lines, pay] = export_paths(dir);
    let writer = |p: &Path| -> Result<csv::Writer<BufWriter<File>>, ExportError> {
        let f = File::create(p).map_err(|e| ExportError::from(csv::Error::from(e)).in_file(p))?;
        Ok(billing_reports::csv_writer(BufWriter::new(f)))
    };
    let invoices = billing_reports::export_invoices(&tx, from, to, &mut writer(&inv)?, &mut |n| {
        progress("invoices.csv", n, expected.invoices)
    })
    .await
    .map_err(|e| e.in_file(&inv))?;
    let lines_written =
        billing_reports::export_lines(&tx, from, to, &mut writer(&lines)?, &mut |n| {
            progress("invoice_lines.csv", n, expected.lines)
        })
        .await
        .map_err(|e| e.in_file(&lines))?;
    let payments = billing_reports::export_payments(&tx, from, to, &mut writer(&pay)?, &mut |n| {
        progress("payments.csv", n, expected.payments)
    })
    .await
    .map_err(|e| e.in_file(&pay))?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(ExportCounts {
        invoices,
        lines: lines_written,
        payments,
    })
}

/// A patient's statement as printable text: who, where, each open invoice with what it owes, the
/// credit held, and the total; for posting or handing over.
pub async fn statement_text(
    pool: &Pool,
    patient_number: i64,
    clinic_name: &str,
    today: NaiveDate,
    currency: Currency,
    format: NumberFormat,
) -> Result<String, DbError> {
    let c = client(pool).await?;
    let patient = c
        .query_opt(
            "SELECT id, given_names || ' ' || family_name, address_line1, address_line2,
                    concat_ws(' ', postcode, city)
               FROM clinic.patients WHERE patient_number = $1",
            &[&patient_number],
        )
        .await
        .map_err(DbError::from)?
        .ok_or_else(|| DbError::Invalid(format!("no patient number {patient_number}")))?;
    let patient_id: i64 = patient.get(0);
    let invoices = c
        .query(
            "SELECT invoice_number, clinic.clinic_date(issued_at), due_on, total_minor, paid_minor + credited_minor,
                    total_minor - paid_minor - credited_minor
               FROM clinic.invoices
              WHERE patient_id = $1 AND kind = 'invoice' AND status IN ('issued', 'partially_paid')
                AND currency = $2
              ORDER BY issued_at, id",
            &[&patient_id, &currency.code()],
        )
        .await
        .map_err(DbError::from)?;
    let credit: i64 = c
        .query_one(
            "SELECT clinic.credit_balance($1, $2)",
            &[&patient_id, &currency.code()],
        )
        .await
        .map_err(DbError::from)?
        .get(0);
    let amount = |minor: i64| Money::new(minor, currency).amount(format);
    let mut out = format!("{clinic_name}\n\nStatement of account, {today}\n\n");
    out.push_str(&format!("{}\n", patient.get::<_, String>(1)));
    for i in 2..5 {
        if let Some(line) = patient
            .get::<_, Option<String>>(i)
            .filter(|l| !l.trim().is_empty())
        {
            out.push_str(&format!("{line}\n"));
        }
    }
    out.push_str(&format!(
        "Patient no. {patient_number}\n\n{:<11} {:<10} {:<10} {:>9} {:>9} {:>9}\n",
        "invoice", "issued", "due", "total", "paid", "owed"
    ));
    let mut owed = Money::zero(currency);
    for r in &invoices {
        let issued: Option<NaiveDate> = r.get(1);
        let due: Option<NaiveDate> = r.get(2);
        let left: i64 = r.get(5);
        owed = owed
            .checked_add(Money::new(left, currency))
            .map_err(|e| DbError::Other(e.to_string()))?;
        out.push_str(&format!(
            "{:<11} {:<10} {:<10} {:>9} {:>9} {:>9}{}\n",
            r.get::<_, Option<String>>(0).unwrap_or_default(),
            issued.map_or_else(String::new, |d| d.to_string()),
            due.map_or_else(String::new, |d| d.to_string()),
            amount(r.get(3)),
            amount(r.get(4)),
            amount(left),
            if due.is_some_and(|d| d < today) {
                "  overdue"
            } else {
                ""
            }
        ));
    }
    if invoices.is_empty() {
        out.push_str("Nothing is owed.\n");
    }
    out.push('\n');
    if credit > 0 {
        out.push_str(&format!(
            "Credit held for you: {}\n",
            Money::new(credit, currency).display(format)
        ));
    }
    out.push_str(&format!("Total owed: {}\n", owed.display(format)));
    Ok(out)
}
