//! Billing: the invoice lists, an invoice's detail and every change to the books, as the
//! signed-in person's own login (their grants and policies decide; sql/0017's functions keep the
//! rules).

use deadpool_postgres::Pool;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{read, with_client, words, Run};
use crate::app::billing::{ExportRefused, Exported, Reply, Request};
use crate::app::progress::Progress;
use crate::report;

use crate::db::billing::RefundError;
use crate::db::{billing, billing_reports, reconcile};
use crate::domain::invoice::RefundRefused;
use crate::domain::money::{Currency, NumberFormat};
use crate::domain::statement::{self, CsvLayout, ImportSummary};

impl Run for Request {
    type Reply = Reply;

    async fn run(self, pool: Pool) -> Reply {
        match self {
            Request::Load {
                request,
                filter,
                limit,
            } => Reply::Loaded {
                request,
                result: read(&pool, async |c| billing::invoices(c, &filter, limit).await).await,
            },
            Request::Detail {
                request,
                invoice_id,
            } => Reply::Detail {
                request,
                result: read(&pool, async |c| billing::invoice(c, invoice_id).await)
                    .await
                    .map(Box::new),
            },
            Request::Pay {
                request,
                invoice_id,
                amount_minor,
                method,
                reference,
                key,
            } => Reply::Paid {
                request,
                result: read(&pool, async |c| {
                    billing::record_payment(
                        c,
                        invoice_id,
                        amount_minor,
                        method,
                        reference.as_deref(),
                        &key,
                    )
                    .await
                })
                .await,
            },
            Request::Refund {
                request,
                invoice_id,
                amount_minor,
                method,
                reference,
                key,
            } => Reply::Refunded {
                request,
                result: with_client(&pool, async |c| {
                    billing::record_refund(
                        c,
                        invoice_id,
                        amount_minor,
                        method,
                        reference.as_deref(),
                        &key,
                    )
                    .await
                    .map(|r| r.payment_id)
                })
                .await
                .map_err(refused),
            },
            Request::RefundCredit {
                request,
                patient_id,
                currency,
                amount_minor,
                method,
                reference,
                key,
            } => Reply::Refunded {
                request,
                result: with_client(&pool, async |c| {
                    billing::refund_credit(
                        c,
                        patient_id,
                        currency,
                        amount_minor,
                        method,
                        reference.as_deref(),
                        &key,
                    )
                    .await
                })
                .await
                .map_err(refused),
            },
            Request::Issue {
                request,
                invoice_id,
                due_on,
            } => Reply::Issued {
                request,
                result: read(&pool, async |c| billing::issue(c, invoice_id, due_on).await).await,
            },
            Request::Void {
                request,
                invoice_id,
                version,
                reason,
            } => Reply::Voided {
                request,
                result: read(&pool, async |c| {
                    billing::void(c, invoice_id, version, &reason).await
                })
                .await,
            },
            Request::CreditNote {
                request,
                invoice_id,
                reason,
            } => Reply::Credited {
                request,
                result: read(&pool, async |c| {
                    billing::credit_note(c, invoice_id, &reason).await
                })
                .await,
            },
            Request::Uninvoiced {
                request,
                day,
                currency,
            } => Reply::Uninvoiced {
                request,
                result: read(&pool, async |c| billing::uninvoiced(c, day, currency).await).await,
            },
            Request::InvoiceDay {
                request,
                appointment_ids,
                currency,
                due_on,
            } => Reply::DayInvoiced {
                request,
                result: read(&pool, async |c| {
                    billing::invoice_appointments(c, &appointment_ids, currency, due_on).await
                })
                .await,
            },
            Request::InvoiceAppointment {
                request,
                appointment_id,
                currency,
            } => Reply::AppointmentInvoiced {
                request,
                result: read(&pool, async |c| {
                    billing::invoice_appointment(c, appointment_id, currency).await
                })
                .await,
            },
            Request::Aging {
                request,
                as_of,
                currency,
            } => Reply::Aging {
                request,
                result: read(&pool, async |c| {
                    billing_reports::aging(c, as_of, currency).await
                })
                .await,
            },
            Request::Cash { request, from, to } => Reply::Cash {
                request,
                result: read(&pool, async |c| billing_reports::cash(c, from, to).await).await,
            },
            Request::AddLine {
                request,
                invoice_id,
                line,
            } => Reply::LineSaved {
                request,
                result: read(&pool, async |c| {
                    billing::add_line(c, invoice_id, &line).await
                })
                .await,
            },
            Request::RemoveLine {
                request,
                invoice_id,
                line_id,
            } => Reply::LineSaved {
                request,
                result: read(&pool, async |c| {
                    billing::remove_line(c, invoice_id, line_id).await
                })
                .await,
            },
            Request::NewInvoice {
                request,
                patient_id,
                currency,
            } => Reply::InvoiceCreated {
                request,
                result: read(&pool, async |c| {
                    billing::new_invoice(c, patient_id, currency).await
                })
                .await,
            },
            Request::Prices { request, day } => Reply::Prices {
                request,
                result: read(&pool, async |c| billing::prices(c, day).await).await,
            },
            Request::ChangePrice { request, change } => Reply::PriceChanged {
                request,
                result: read(&pool, async |c| billing::change_price(c, &change).await).await,
            },
            Request::BankLines { request, limit } => Reply::BankLines {
                request,
                result: read(&pool, async |c| reconcile::open_lines(c, limit).await).await,
            },
            Request::Import {
                request,
                path,
                layout,
                currency,
                progress,
            } => Reply::Imported {
                request,
                result: import(&pool, &path, &layout, currency, &progress).await,
            },
            Request::Accept {
                request,
                line_id,
                parts,
            } => Reply::Accepted {
                request,
                result: read(&pool, async |c| reconcile::accept(c, line_id, &parts).await).await,
            },
            Request::Split {
                request,
                line_id,
                currency,
                parts,
            } => Reply::Accepted {
                request,
                result: read(&pool, async |c| {
                    reconcile::split(c, line_id, currency, &parts).await
                })
                .await,
            },
            Request::NotOurs { request, line_id } => Reply::Marked {
                request,
                result: read(&pool, async |c| reconcile::mark(c, line_id, true).await).await,
            },
            Request::Export {
                request,
                from,
                to,
                dir,
                replace,
                progress,
            } => Reply::Exported {
                request,
                result: export(&pool, from, to, &dir, replace, &progress).await,
            },
            Request::Statement {
                request,
                patient_number,
                clinic_name,
                today,
                currency,
                format,
                path,
            } => Reply::Statement {
                request,
                result: statement(
                    &pool,
                    patient_number,
                    &clinic_name,
                    today,
                    currency,
                    format,
                    path,
                )
                .await,
            },
            Request::FindInvoice {
                request,
                number,
                currency,
            } => Reply::FoundInvoice {
                request,
                result: read(&pool, async |c| {
                    reconcile::open_invoice_by_number(c, &number, currency).await
                })
                .await,
            },
        }
    }
}

/// Money that did not go back: more than could (with what can), or anything else in words.
fn refused(e: RefundError) -> RefundRefused {
    match e {
        RefundError::TooMuch { at_most_minor } => RefundRefused::TooMuch { at_most_minor },
        RefundError::Db(e) => RefundRefused::Other(words(&e)),
    }
}

/// Read the file, parse it off the event loop's threads, and stage it in one call; a bad file is
/// refused whole, in words with its line numbers. Each step is told to `progress`.
pub async fn import(
    pool: &Pool,
    path: &Path,
    layout: &CsvLayout,
    currency: Currency,
    progress: &Progress,
) -> Result<ImportSummary, String> {
    progress.set("Reading the file", 0, 0);
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| words(&format!("cannot read {}: {e}", path.display())))?;
    let layout = layout.clone();
    let parsed = tokio::task::spawn_blocking(move || statement::parse(&bytes, &layout, currency))
        .await
        .map_err(|e| words(&format!("reading the statement stopped: {e}")))?
        .map_err(|e| words(&format!("nothing imported: {e}")))?;
    let lines = u64::try_from(parsed.lines.len()).unwrap_or(u64::MAX);
    progress.set("lines checked; staging and matching them", lines, 0);
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    read(pool, async |c| {
        reconcile::import(c, &source, &parsed, currency).await
    })
    .await
}

/// The period's three CSV files into `dir`, counting rows into `progress`; a folder holding an
/// earlier export is left alone unless `replace`.
async fn export(
    pool: &Pool,
    from: NaiveDate,
    to: NaiveDate,
    dir: &Path,
    replace: bool,
    progress: &Progress,
) -> Result<Exported, ExportRefused> {
    if !replace {
        for path in report::export_paths(dir) {
            if tokio::fs::try_exists(&path).await.unwrap_or(false) {
                return Err(ExportRefused::Exists);
            }
        }
    }
    report::export(pool, from, to, dir, |file, done, of| {
        progress.set(file, done, of);
    })
    .await
    .map(|n| Exported {
        invoices: n.invoices,
        lines: n.lines,
        payments: n.payments,
    })
    .map_err(|e| ExportRefused::Failed(words(&e)))
}

/// A patient's statement as printable text, kept at `path` (its folder made if missing).
async fn statement(
    pool: &Pool,
    patient_number: i64,
    clinic_name: &str,
    today: NaiveDate,
    currency: Currency,
    format: NumberFormat,
    path: PathBuf,
) -> Result<(PathBuf, String), String> {
    let text = report::statement_text(pool, patient_number, clinic_name, today, currency, format)
        .await
        .map_err(|e| words(&e))?;
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| words(&format!("cannot make {}: {e}", dir.display())))?;
    }
    tokio::fs::write(&path, &text)
        .await
        .map_err(|e| words(&format!("cannot write {}: {e}", path.display())))?;
    Ok((path, text))
}
