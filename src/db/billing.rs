//! Invoices and payments, as the signed-in person's own login: the lists and an invoice's detail
//! read the tables their grants and policies allow; every change is one of the database's billing
//! functions (sql/0017) or the one column update a void is, so the rules are the database's.

use chrono::{DateTime, NaiveDate, Utc};
use tokio_postgres::error::SqlState;
use tokio_postgres::{GenericClient, Row};

use super::DbError;
use crate::domain::invoice::{
    IdempotencyKey, InvoiceDetail, InvoiceFilter, InvoiceKind, InvoiceLine, InvoiceRow,
    InvoiceStatus, NewLine, PaymentEntry, PaymentMethod, Receipt, UninvoicedVisit,
};
use crate::domain::invoice::{PriceChange, ServicePrice};
use crate::domain::money::Currency;

const ROW_COLUMNS: &str =
    "i.id, i.invoice_number, i.kind, i.status, i.patient_id, p.patient_number,
     p.family_name || ', ' || p.given_names, i.currency::text, i.created_at, i.issued_at, i.due_on,
     i.total_minor, i.paid_minor, i.credited_minor, i.version";

fn invoice_row(r: &Row) -> Result<InvoiceRow, DbError> {
    let kind: &str = r.get(2);
    let status: &str = r.get(3);
    let currency: &str = r.get(7);
    Ok(InvoiceRow {
        id: r.get(0),
        number: r.get(1),
        kind: match kind {
            "credit_note" => InvoiceKind::CreditNote,
            _ => InvoiceKind::Invoice,
        },
        status: InvoiceStatus::parse(status)
            .ok_or_else(|| DbError::Other(format!("unknown invoice status {status:?}")))?,
        patient_id: r.get(4),
        patient_number: r.get(5),
        patient_name: r.get(6),
        currency: Currency::parse(currency)
            .ok_or_else(|| DbError::Other(format!("unknown currency {currency:?}")))?,
        created_at: r.get(8),
        issued_at: r.get(9),
        due_on: r.get(10),
        total_minor: r.get(11),
        paid_minor: r.get(12),
        credited_minor: r.get(13),
        version: r.get(14),
    })
}

/// Up to `limit` invoices of `filter`.
pub async fn invoices(
    client: &impl GenericClient,
    filter: &InvoiceFilter,
    limit: i64,
) -> Result<Vec<InvoiceRow>, DbError> {
    let from = "FROM clinic.invoices i JOIN clinic.patients p ON p.id = i.patient_id";
    let rows = match filter {
        InvoiceFilter::Open => {
            let sql = format!(
                "SELECT {ROW_COLUMNS} {from}
                  WHERE i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid')
                  ORDER BY i.issued_at, i.id LIMIT $1"
            );
            client.query(&sql, &[&limit]).await?
        }
        InvoiceFilter::Drafts => {
            let sql = format!(
                "SELECT {ROW_COLUMNS} {from} WHERE i.status = 'draft'
                  ORDER BY i.created_at DESC, i.id DESC LIMIT $1"
            );
            client.query(&sql, &[&limit]).await?
        }
        InvoiceFilter::Recent => {
            let sql = format!(
                "SELECT {ROW_COLUMNS} {from} ORDER BY i.created_at DESC, i.id DESC LIMIT $1"
            );
            client.query(&sql, &[&limit]).await?
        }
        InvoiceFilter::Patient { patient_id, .. } => {
            let sql = format!(
                "SELECT {ROW_COLUMNS} {from} WHERE i.patient_id = $2
                  ORDER BY (i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid')) DESC,
                           i.created_at DESC, i.id DESC
                  LIMIT $1"
            );
            client.query(&sql, &[&limit, patient_id]).await?
        }
    };
    rows.iter().map(invoice_row).collect()
}

/// One invoice with its lines, its payments and the patient's credit.
pub async fn invoice(client: &impl GenericClient, id: i64) -> Result<InvoiceDetail, DbError> {
    let sql = format!(
        "SELECT {ROW_COLUMNS}, i.tax_minor, i.void_reason, i.credit_reason,
                (SELECT COALESCE(c.invoice_number, 'draft #' || c.id)
                   FROM clinic.invoices c WHERE c.id = i.credits_invoice_id),
                ARRAY(SELECT COALESCE(c.invoice_number, 'draft #' || c.id) || ' (' || c.status || ')'
                        FROM clinic.invoices c WHERE c.credits_invoice_id = i.id ORDER BY c.id),
                clinic.credit_balance(i.patient_id, i.currency::text)
           FROM clinic.invoices i JOIN clinic.patients p ON p.id = i.patient_id
          WHERE i.id = $1"
    );
    let row = client.query_opt(&sql, &[&id]).await?.ok_or_else(|| {
        DbError::Invalid("that invoice is not there (or not yours to see)".into())
    })?;
    let lines = client
        .query(
            "SELECT s.code, l.description, l.quantity, l.unit_price_minor, l.discount_minor,
                    l.tax_rate::text, l.net_minor, l.tax_minor, l.amount_minor, l.id
               FROM clinic.invoice_lines l LEFT JOIN clinic.services s ON s.id = l.service_id
              WHERE l.invoice_id = $1 ORDER BY l.id",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| InvoiceLine {
            id: r.get(9),
            service_code: r.get(0),
            description: r.get(1),
            quantity: r.get(2),
            unit_price_minor: r.get(3),
            discount_minor: r.get(4),
            tax_rate: r.get(5),
            net_minor: r.get(6),
            tax_minor: r.get(7),
            amount_minor: r.get(8),
        })
        .collect();
    let payments = client
        .query(
            "SELECT p.id, p.kind = 'refund', p.amount_minor, p.applied_minor, p.method, p.reference,
                    p.received_at, s.full_name
               FROM clinic.payments p LEFT JOIN clinic.staff s ON s.id = p.received_by
              WHERE p.invoice_id = $1 ORDER BY p.received_at, p.id",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| PaymentEntry {
            id: r.get(0),
            refund: r.get(1),
            amount_minor: r.get(2),
            applied_minor: r.get(3),
            method: r.get(4),
            reference: r.get(5),
            received_at: r.get(6),
            received_by: r.get(7),
        })
        .collect();
    Ok(InvoiceDetail {
        row: invoice_row(&row)?,
        tax_minor: row.get(15),
        void_reason: row.get(16),
        credit_reason: row.get(17),
        credits: row.get(18),
        credit_notes: row.get(19),
        lines,
        payments,
        patient_credit_minor: row.get(20),
    })
}

/// Money received for an invoice, through clinic.record_payment: a retry with the same key
/// records nothing twice and answers as the first did.
pub async fn record_payment(
    client: &impl GenericClient,
    invoice_id: i64,
    amount_minor: i64,
    method: PaymentMethod,
    reference: Option<&str>,
    key: &IdempotencyKey,
) -> Result<Receipt, DbError> {
    let row = money(
        client,
        "record_payment",
        invoice_id,
        amount_minor,
        method,
        reference,
        key,
    )
    .await?;
    Ok(receipt(&row))
}

/// clinic.record_payment or clinic.record_refund (`function`), with their one argument list and
/// receipt.
async fn money(
    client: &impl GenericClient,
    function: &str,
    invoice_id: i64,
    amount_minor: i64,
    method: PaymentMethod,
    reference: Option<&str>,
    key: &IdempotencyKey,
) -> Result<Row, tokio_postgres::Error> {
    client
        .query_one(
            &format!(
                "SELECT r.payment_id, r.invoice_id, r.amount_minor, r.applied_minor, r.credit_minor,
                        r.method, r.received_at
                   FROM clinic.{function}($1, $2, $3, $4, $5::text::uuid) r"
            ),
            &[
                &invoice_id,
                &amount_minor,
                &method.code(),
                &reference,
                &key.as_str(),
            ],
        )
        .await
}

fn receipt(row: &Row) -> Receipt {
    Receipt {
        payment_id: row.get(0),
        invoice_id: row.get(1),
        amount_minor: row.get(2),
        applied_minor: row.get(3),
        credit_minor: row.get(4),
        method: row.get(5),
        received_at: row.get(6),
    }
}

/// Why money going back was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    /// More than can go back: at most this much can, read again after the refusal.
    #[error("at most {at_most_minor} minor units can go back")]
    TooMuch { at_most_minor: i64 },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The database refused the amount itself (its functions name the column): more than can go back.
fn amount_refused(e: &tokio_postgres::Error) -> bool {
    e.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::CHECK_VIOLATION && db.column() == Some("amount_minor")
    })
}

/// Money paid back from an invoice (a refund entry on it, `amount_minor` > 0 going out), through
/// clinic.record_refund: never more than the invoice was paid net of its refunds, and a retry
/// with the same key records nothing twice and answers as the first did. Refused beyond what
/// was paid: `TooMuch` with what can go back now.
pub async fn record_refund(
    client: &impl GenericClient,
    invoice_id: i64,
    amount_minor: i64,
    method: PaymentMethod,
    reference: Option<&str>,
    key: &IdempotencyKey,
) -> Result<Receipt, RefundError> {
    let answer = money(
        client,
        "record_refund",
        invoice_id,
        amount_minor,
        method,
        reference,
        key,
    )
    .await;
    match answer {
        Ok(row) => Ok(receipt(&row)),
        Err(e) if amount_refused(&e) && amount_minor > 0 => {
            let paid = client
                .query_one(
                    "SELECT paid_minor FROM clinic.invoices WHERE id = $1",
                    &[&invoice_id],
                )
                .await
                .map_err(DbError::from)?;
            Err(RefundError::TooMuch {
                at_most_minor: paid.get(0),
            })
        }
        Err(e) => Err(RefundError::Db(e.into())),
    }
}

/// A patient's credit in `currency` paid back (`amount_minor` > 0 going out), through
/// clinic.refund_credit: never more than the credit held, once per key. The credit ledger
/// entry's id; refused beyond the credit: `TooMuch` with the credit held now.
pub async fn refund_credit(
    client: &impl GenericClient,
    patient_id: i64,
    currency: Currency,
    amount_minor: i64,
    method: PaymentMethod,
    reference: Option<&str>,
    key: &IdempotencyKey,
) -> Result<i64, RefundError> {
    let answer = client
        .query_one(
            "SELECT clinic.refund_credit($1, $2, $3, $4, $5, $6::text::uuid)",
            &[
                &patient_id,
                &currency.code(),
                &amount_minor,
                &method.code(),
                &reference,
                &key.as_str(),
            ],
        )
        .await;
    match answer {
        Ok(row) => Ok(row.get(0)),
        Err(e) if amount_refused(&e) && amount_minor > 0 => {
            let credit = client
                .query_one(
                    "SELECT clinic.credit_balance($1, $2)",
                    &[&patient_id, &currency.code()],
                )
                .await
                .map_err(DbError::from)?;
            Err(RefundError::TooMuch {
                at_most_minor: credit.get(0),
            })
        }
        Err(e) => Err(RefundError::Db(e.into())),
    }
}

/// Issue a draft, due on `due_on`: its number, or None while the numberer is busy (the next
/// issue anywhere numbers it).
pub async fn issue(
    client: &impl GenericClient,
    invoice_id: i64,
    due_on: NaiveDate,
) -> Result<Option<String>, DbError> {
    let row = client
        .query_one(
            "SELECT clinic.issue_invoice($1, $2)",
            &[&invoice_id, &due_on],
        )
        .await?;
    Ok(row.get(0))
}

/// Void an invoice as it was read (`version`), with the reason; the database refuses one that
/// was paid or credited.
pub async fn void(
    client: &impl GenericClient,
    invoice_id: i64,
    version: i32,
    reason: &str,
) -> Result<(), DbError> {
    let n = client
        .execute(
            "UPDATE clinic.invoices SET status = 'void', void_reason = $3
              WHERE id = $1 AND version = $2 AND status <> 'void'",
            &[&invoice_id, &version, &reason],
        )
        .await?;
    if n == 0 {
        return Err(DbError::Conflict(
            "the invoice changed since it was read (a payment, or another void): look again".into(),
        ));
    }
    Ok(())
}

/// A draft credit note for an issued invoice, holding all its lines: its id.
pub async fn credit_note(
    client: &impl GenericClient,
    invoice_id: i64,
    reason: &str,
) -> Result<i64, DbError> {
    let row = client
        .query_one("SELECT clinic.credit_note($1, $2)", &[&invoice_id, &reason])
        .await?;
    Ok(row.get(0))
}

/// A day's completed appointments not invoiced yet, with what their invoices would hold.
pub async fn uninvoiced(
    client: &impl GenericClient,
    day: NaiveDate,
    currency: Currency,
) -> Result<Vec<UninvoicedVisit>, DbError> {
    let rows = client
        .query(
            "SELECT appointment_id, starts_at, patient_name, doctor_name, services, total_minor
               FROM clinic.uninvoiced_appointments($1, $2)",
            &[&day, &currency.code()],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| UninvoicedVisit {
            appointment_id: r.get(0),
            starts_at: r.get::<_, DateTime<Utc>>(1),
            patient_name: r.get(2),
            doctor_name: r.get(3),
            services: r.get(4),
            total_minor: r.get(5),
        })
        .collect())
}

/// One completed appointment as a draft with the services its reason suggests, at the prices of
/// its day: the draft's id.
pub async fn invoice_appointment(
    client: &impl GenericClient,
    appointment_id: i64,
    currency: Currency,
) -> Result<i64, DbError> {
    let row = client
        .query_one(
            "SELECT clinic.invoice_appointment($1, $2)",
            &[&appointment_id, &currency.code()],
        )
        .await?;
    Ok(row.get(0))
}

/// Invoice and issue the previewed appointments in one transaction: the new invoices' ids (the
/// ones without a known service, or invoiced meanwhile, are left out).
pub async fn invoice_appointments(
    client: &impl GenericClient,
    appointment_ids: &[i64],
    currency: Currency,
    due_on: NaiveDate,
) -> Result<Vec<i64>, DbError> {
    let rows = client
        .query(
            "SELECT clinic.invoice_appointments($1, $2, $3)",
            &[&appointment_ids, &currency.code(), &due_on],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// A line added to a draft (the database refuses one on an issued invoice, and keeps the totals).
pub async fn add_line(
    client: &impl GenericClient,
    invoice_id: i64,
    line: &NewLine,
) -> Result<(), DbError> {
    let code = line
        .service_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(code) = code {
        let known = client
            .query_opt(
                "SELECT 1 FROM clinic.services s JOIN clinic.invoices i ON i.currency = s.currency
                  WHERE i.id = $1 AND s.code = upper($2) AND s.valid_from <= current_date
                    AND (s.valid_to IS NULL OR s.valid_to >= current_date)",
                &[&invoice_id, &code],
            )
            .await?;
        if known.is_none() {
            return Err(DbError::Invalid(format!(
                "no service {} has a price today in the invoice's currency",
                code.to_uppercase()
            )));
        }
    }
    client
        .execute(
            "INSERT INTO clinic.invoice_lines (invoice_id, service_id, description, quantity,
                                               unit_price_minor, discount_minor, tax_rate)
             SELECT $1, s.id, COALESCE($3, s.description), $4, COALESCE($5, s.price_minor), $6,
                    COALESCE($7::text::numeric, s.tax_rate, 0)
               FROM (SELECT 1) one
               LEFT JOIN clinic.services s
                 ON s.code = upper($2) AND s.valid_from <= current_date
                AND (s.valid_to IS NULL OR s.valid_to >= current_date)
                AND s.currency = (SELECT i.currency FROM clinic.invoices i WHERE i.id = $1)",
            &[
                &invoice_id,
                &code.unwrap_or(""),
                &line.description,
                &line.quantity,
                &line.unit_price_minor,
                &line.discount_minor,
                &line.tax_rate,
            ],
        )
        .await?;
    Ok(())
}

/// A draft's line taken off again.
pub async fn remove_line(
    client: &impl GenericClient,
    invoice_id: i64,
    line_id: i64,
) -> Result<(), DbError> {
    client
        .execute(
            "DELETE FROM clinic.invoice_lines WHERE id = $1 AND invoice_id = $2",
            &[&line_id, &invoice_id],
        )
        .await?;
    Ok(())
}

/// A new draft for a patient, by hand: its id.
pub async fn new_invoice(
    client: &impl GenericClient,
    patient_id: i64,
    currency: Currency,
) -> Result<i64, DbError> {
    let row = client
        .query_one(
            "INSERT INTO clinic.invoices (patient_id, currency) VALUES ($1, $2) RETURNING id",
            &[&patient_id, &currency.code()],
        )
        .await?;
    Ok(row.get(0))
}

/// The fee schedule from `day` on: the prices in force that day and those to come.
pub async fn prices(
    client: &impl GenericClient,
    day: NaiveDate,
) -> Result<Vec<ServicePrice>, DbError> {
    let rows = client
        .query(
            "SELECT id, code, description, price_minor, currency::text, tax_rate::text, valid_from,
                    valid_to, suggested_for
               FROM clinic.services
              WHERE valid_to IS NULL OR valid_to >= $1
              ORDER BY code, valid_from",
            &[&day],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let code: &str = r.get(4);
            Ok(ServicePrice {
                id: r.get(0),
                code: r.get(1),
                description: r.get(2),
                price_minor: r.get(3),
                currency: Currency::parse(code)
                    .ok_or_else(|| DbError::Other(format!("unknown currency {code:?}")))?,
                tax_rate: r.get(5),
                valid_from: r.get(6),
                valid_to: r.get(7),
                suggested_for: r.get(8),
            })
        })
        .collect()
}

/// A new price (clinic.set_service_price: the old one ends the day before) or a new service.
pub async fn change_price(
    client: &impl GenericClient,
    change: &PriceChange,
) -> Result<(), DbError> {
    match change {
        PriceChange::NewPrice {
            code,
            price_minor,
            tax_rate,
            from,
        } => {
            client
                .execute(
                    "SELECT clinic.set_service_price($1, $2, $3::text::numeric, $4)",
                    &[code, price_minor, tax_rate, from],
                )
                .await?;
        }
        PriceChange::NewService {
            code,
            description,
            price_minor,
            currency,
            tax_rate,
            from,
            suggested_for,
        } => {
            client
                .execute(
                    "INSERT INTO clinic.services (code, description, price_minor, currency, tax_rate,
                                                  valid_from, suggested_for)
                     VALUES ($1, $2, $3, $4, $5::text::numeric, $6, $7)",
                    &[
                        code,
                        description,
                        price_minor,
                        &currency.code(),
                        tax_rate,
                        from,
                        suggested_for,
                    ],
                )
                .await?;
        }
    }
    Ok(())
}
