//! Bank statement reconciliation through the database's functions (sql/0020, 0021), as the accounts
//! office's own login: a parsed statement staged and matched in one call, the lines to review with
//! their suggestions, and accepting, splitting or marking a line.

use chrono::NaiveDate;
use tokio_postgres::GenericClient;

use super::DbError;
use crate::domain::money::Currency;
use crate::domain::statement::{BankLine, ImportSummary, Statement, Suggestion};

/// Stage `statement` (its money-in lines) from `source`, and match its new lines: one round trip
/// whatever its size.
pub async fn import(
    client: &impl GenericClient,
    source: &str,
    statement: &Statement,
    currency: Currency,
) -> Result<ImportSummary, DbError> {
    let lines = &statement.lines;
    let keys: Vec<&str> = lines.iter().map(|l| l.key.as_str()).collect();
    let content_keys: Vec<&str> = lines.iter().map(|l| l.content_key.as_str()).collect();
    let nos: Vec<i32> = lines
        .iter()
        .map(|l| i32::try_from(l.line_no).unwrap_or(i32::MAX))
        .collect();
    let days: Vec<NaiveDate> = lines.iter().map(|l| l.booked_on).collect();
    let amounts: Vec<i64> = lines.iter().map(|l| l.amount_minor).collect();
    let references: Vec<String> = lines
        .iter()
        .map(|l| l.reference.chars().take(500).collect())
        .collect();
    let payers: Vec<String> = lines
        .iter()
        .map(|l| l.payer.chars().take(200).collect())
        .collect();
    let source: String = source.chars().take(200).collect();
    let row = client
        .query_one(
            "SELECT r.statement_id, r.lines_read, r.lines_new, r.by_number, r.by_name, r.by_amount
               FROM clinic.import_bank_statement($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) r",
            &[
                &source,
                &statement.format,
                &currency.code(),
                &keys,
                &nos,
                &days,
                &amounts,
                &references,
                &payers,
                &content_keys,
            ],
        )
        .await?;
    Ok(ImportSummary {
        statement_id: row.get(0),
        lines_read: row.get(1),
        lines_new: row.get(2),
        by_number: row.get(3),
        by_name: row.get(4),
        by_amount: row.get(5),
    })
}

/// The lines still open, surest suggestions first, then by day; with how many there are.
pub async fn open_lines(
    client: &impl GenericClient,
    limit: i64,
) -> Result<(Vec<BankLine>, i64), DbError> {
    let rows = client
        .query(
            "SELECT l.id, s.source, l.line_no, l.booked_on, l.amount_minor, l.currency::text,
                    l.reference, l.payer, i.id, i.invoice_number, p.family_name || ', ' || p.given_names,
                    i.total_minor - i.paid_minor - i.credited_minor, l.confidence, l.rule,
                    count(*) OVER ()
               FROM clinic.bank_lines l
               JOIN clinic.bank_statements s ON s.id = l.statement_id
               LEFT JOIN clinic.invoices i ON i.id = l.suggested_invoice_id
                     AND i.status IN ('issued', 'partially_paid') AND i.currency = l.currency
               LEFT JOIN clinic.patients p ON p.id = i.patient_id
              WHERE l.state = 'open'
              ORDER BY l.confidence DESC NULLS LAST, l.booked_on, l.id
              LIMIT $1",
            &[&limit],
        )
        .await?;
    let total = rows.first().map_or(0, |r| r.get(14));
    let lines = rows
        .iter()
        .map(|r| {
            let code: &str = r.get(5);
            Ok(BankLine {
                id: r.get(0),
                source: r.get(1),
                line_no: r.get(2),
                booked_on: r.get(3),
                amount_minor: r.get(4),
                currency: Currency::parse(code)
                    .ok_or_else(|| DbError::Other(format!("unknown currency {code:?}")))?,
                reference: r.get(6),
                payer: r.get(7),
                suggestion: r.get::<_, Option<i64>>(8).map(|invoice_id| Suggestion {
                    invoice_id,
                    number: r.get(9),
                    patient_name: r.get(10),
                    owed_minor: r.get(11),
                    confidence: r.get(12),
                    rule: r.get(13),
                }),
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok((lines, total))
}

/// Put a line's money on invoices, (invoice, amount) pairs adding up to the line: the payments.
pub async fn accept(
    client: &impl GenericClient,
    line_id: i64,
    parts: &[(i64, i64)],
) -> Result<Vec<i64>, DbError> {
    let invoices: Vec<i64> = parts.iter().map(|p| p.0).collect();
    let amounts: Vec<i64> = parts.iter().map(|p| p.1).collect();
    let rows = client
        .query(
            "SELECT clinic.accept_bank_line($1, $2, $3)",
            &[&line_id, &invoices, &amounts],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Mark a line as someone else's money, or open it again.
pub async fn mark(
    client: &impl GenericClient,
    line_id: i64,
    not_ours: bool,
) -> Result<(), DbError> {
    let state = if not_ours { "not_ours" } else { "open" };
    client
        .execute("SELECT clinic.mark_bank_line($1, $2)", &[&line_id, &state])
        .await?;
    Ok(())
}

/// An invoice by its number, for picking one by hand: (id, patient, what it owes), when it is
/// open.
pub async fn open_invoice_by_number(
    client: &impl GenericClient,
    number: &str,
    currency: Currency,
) -> Result<Option<(i64, String, i64)>, DbError> {
    let row = client
        .query_opt(
            "SELECT i.id, p.family_name || ', ' || p.given_names,
                    i.total_minor - i.paid_minor - i.credited_minor
               FROM clinic.invoices i JOIN clinic.patients p ON p.id = i.patient_id
              WHERE i.invoice_number = $1 AND i.kind = 'invoice' AND i.currency = $2
                AND i.status IN ('issued', 'partially_paid')",
            &[&number.trim(), &currency.code()],
        )
        .await?;
    Ok(row.map(|r| (r.get(0), r.get(1), r.get(2))))
}

/// A line put on several invoices named by their numbers: each must be open and in the line's
/// currency; then one accept, so it is all or nothing.
pub async fn split(
    client: &impl GenericClient,
    line_id: i64,
    currency: Currency,
    parts: &[(String, i64)],
) -> Result<Vec<i64>, DbError> {
    let mut by_id = Vec::with_capacity(parts.len());
    for (number, amount) in parts {
        match open_invoice_by_number(client, number, currency).await? {
            Some((id, _, _)) => by_id.push((id, *amount)),
            None => {
                return Err(DbError::Invalid(format!(
                    "no open invoice {} in {currency}: nothing recorded",
                    number.trim()
                )))
            }
        }
    }
    accept(client, line_id, &by_id).await
}
