//! Billing: the invoice lists, an invoice's detail and every change to the books, as the
//! signed-in person's own login (their grants and policies decide; sql/0017's functions keep the
//! rules).

use deadpool_postgres::Pool;

use super::{read, Run};
use crate::app::billing::{Reply, Request};
use crate::db::{billing, billing_reports};

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
        }
    }
}
