//! Money paid back from the Billing screen against a real database, as real logins: the db layer's
//! refunds and credit paid back (a retry with the same key records once, beyond what was paid or
//! is held refused with what can go back), and the screen's requests answering in its terms, for
//! the accounts office and the desk.

mod support;

use clinic::app::billing::{Reply, Request};
use clinic::app::RequestId;
use clinic::db::billing::{self, RefundError};
use clinic::db::DbError;
use clinic::domain::invoice::{IdempotencyKey, PaymentMethod, RefundRefused};
use clinic::domain::money::Currency;
use clinic::domain::staff::Job;
use clinic::effects::Run;
use deadpool_postgres::Pool;
use support::TestDb;
use tokio_postgres::Client;

fn key(n: u8) -> IdempotencyKey {
    IdempotencyKey::from_bytes([n; 16])
}

fn eur() -> Currency {
    Currency::parse("EUR").expect("a currency")
}

struct Books {
    _db: TestDb,
    adam: Pool,
    rita: Pool,
    su: Client,
    patient: i64,
}

async fn books() -> Books {
    let db = TestDb::new().await;
    let mut pools = Vec::new();
    for (name, job) in [("adam", Job::Accountant), ("rita", Job::Receptionist)] {
        let login = db.staff(name, job).await;
        pools.push(
            clinic::db::connect_as(&db.server_config(), &login.user, &login.password)
                .expect("a pool"),
        );
    }
    let su = db.superuser().await;
    let patient: i64 = su
        .query_one(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, insurer, phone)
             VALUES ('Okoye', 'Ada', DATE '1980-01-01', 'female', 'woman', 'Kin', '0123456789',
                     'Acme Health', '0201234567')
             RETURNING id",
            &[],
        )
        .await
        .expect("a patient")
        .get(0);
    let rita = pools.pop().expect("rita");
    let adam = pools.pop().expect("adam");
    Books {
        _db: db,
        adam,
        rita,
        su,
        patient,
    }
}

impl Books {
    /// An issued EUR invoice of `total`, paid `paid` by card (beyond the total: credit).
    async fn paid(&self, total: i64, paid: i64) -> i64 {
        let id: i64 = self
            .su
            .query_one(
                "INSERT INTO clinic.invoices (patient_id, currency) VALUES ($1, 'EUR') RETURNING id",
                &[&self.patient],
            )
            .await
            .expect("invoice")
            .get(0);
        self.su
            .batch_execute(&format!(
                "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor)
                 VALUES ({id}, 'Consultation', 1, {total});
                 UPDATE clinic.invoices SET status = 'issued', issued_at = now(), due_on = current_date + 30
                  WHERE id = {id};
                 SELECT clinic.number_invoices();
                 SELECT clinic.record_payment({id}, {paid}, 'card', NULL, gen_random_uuid());"
            ))
            .await
            .expect("issued and paid");
        id
    }

    /// (paid, status, refunds recorded) of an invoice.
    async fn figures(&self, invoice: i64) -> (i64, String, i64) {
        let row = self
            .su
            .query_one(
                "SELECT i.paid_minor, i.status,
                        (SELECT count(*) FROM clinic.payments p
                          WHERE p.invoice_id = i.id AND p.kind = 'refund')
                   FROM clinic.invoices i WHERE i.id = $1",
                &[&invoice],
            )
            .await
            .expect("figures");
        (row.get(0), row.get(1), row.get(2))
    }

    /// (credit held, entries paid back) of the patient.
    async fn credit(&self) -> (i64, i64) {
        let row = self
            .su
            .query_one(
                "SELECT clinic.credit_balance($1, 'EUR'),
                        (SELECT count(*) FROM clinic.patient_credit
                          WHERE patient_id = $1 AND kind = 'refunded')",
                &[&self.patient],
            )
            .await
            .expect("credit");
        (row.get(0), row.get(1))
    }
}

async fn refund(pool: &Pool, request: Request) -> Result<i64, RefundRefused> {
    match request.run(pool.clone()).await {
        Reply::Refunded { result, .. } => result,
        other => panic!("expected Refunded, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refund_is_recorded_once_and_never_beyond_what_was_paid() {
    let b = books().await;
    let invoice = b.paid(8_000, 8_000).await;
    let adam = b.adam.get().await.expect("a connection");

    let first = billing::record_refund(
        &**adam,
        invoice,
        3_000,
        PaymentMethod::Card,
        Some("back 1"),
        &key(1),
    )
    .await
    .expect("refunded");
    assert_eq!(
        (first.amount_minor, first.method.as_str()),
        (-3_000, "card")
    );
    // The answer was lost: the same key again records nothing and answers as the first did.
    let again = billing::record_refund(
        &**adam,
        invoice,
        3_000,
        PaymentMethod::Card,
        Some("back 1"),
        &key(1),
    )
    .await
    .expect("the same refund");
    assert_eq!(again.payment_id, first.payment_id);
    assert_eq!(
        b.figures(invoice).await,
        (5_000, "partially_paid".into(), 1)
    );

    // The key of another refund is refused, whatever was typed.
    let other = billing::record_refund(&**adam, invoice, 100, PaymentMethod::Card, None, &key(1))
        .await
        .expect_err("another refund's key");
    assert!(
        matches!(other, RefundError::Db(DbError::Conflict(_))),
        "{other:?}"
    );

    // Beyond what is paid now: refused with what can go back, nothing recorded.
    let beyond =
        billing::record_refund(&**adam, invoice, 5_001, PaymentMethod::Cash, None, &key(2))
            .await
            .expect_err("more than was paid");
    assert!(
        matches!(
            beyond,
            RefundError::TooMuch {
                at_most_minor: 5_000
            }
        ),
        "{beyond:?}"
    );
    assert_eq!(b.figures(invoice).await.2, 1);

    // As the screen asks: its reply in the screen's terms.
    let sent = |amount_minor: i64, k: u8| Request::Refund {
        request: RequestId(1),
        invoice_id: invoice,
        amount_minor,
        method: PaymentMethod::BankTransfer,
        reference: None,
        key: key(k),
    };
    assert_eq!(
        refund(&b.adam, sent(6_000, 3)).await,
        Err(RefundRefused::TooMuch {
            at_most_minor: 5_000
        })
    );
    let id = refund(&b.adam, sent(5_000, 4))
        .await
        .expect("the rest back");
    assert_eq!(refund(&b.adam, sent(5_000, 4)).await, Ok(id), "once");
    assert_eq!(b.figures(invoice).await, (0, "issued".into(), 2));

    // The desk pays nothing back (the database refuses; the screen offers no key for it).
    let desk = refund(&b.rita, sent(100, 5)).await;
    assert!(
        matches!(&desk, Err(RefundRefused::Other(e)) if e.contains("not allowed")),
        "{desk:?}"
    );
}

#[tokio::test]
async fn credit_is_paid_back_once_and_never_beyond_what_is_held() {
    let b = books().await;
    b.paid(5_000, 7_000).await; // 20.00 of credit
    assert_eq!(b.credit().await, (2_000, 0));
    let adam = b.adam.get().await.expect("a connection");

    let entry = billing::refund_credit(
        &**adam,
        b.patient,
        eur(),
        1_500,
        PaymentMethod::Cash,
        Some("counter"),
        &key(7),
    )
    .await
    .expect("paid back");
    let again = billing::refund_credit(
        &**adam,
        b.patient,
        eur(),
        1_500,
        PaymentMethod::Cash,
        Some("counter"),
        &key(7),
    )
    .await
    .expect("the same credit paid back");
    assert_eq!(again, entry, "a retry answers as the first did");
    assert_eq!(b.credit().await, (500, 1));

    let beyond = billing::refund_credit(
        &**adam,
        b.patient,
        eur(),
        501,
        PaymentMethod::Cash,
        None,
        &key(8),
    )
    .await
    .expect_err("more than is held");
    assert!(
        matches!(beyond, RefundError::TooMuch { at_most_minor: 500 }),
        "{beyond:?}"
    );

    let sent = |k: u8| Request::RefundCredit {
        request: RequestId(2),
        patient_id: b.patient,
        currency: eur(),
        amount_minor: 500,
        method: PaymentMethod::BankTransfer,
        reference: None,
        key: key(k),
    };
    let desk = refund(&b.rita, sent(9)).await;
    assert!(
        matches!(&desk, Err(RefundRefused::Other(e)) if e.contains("not allowed")),
        "{desk:?}"
    );
    assert!(refund(&b.adam, sent(10)).await.is_ok());
    assert_eq!(b.credit().await, (0, 2));
}
