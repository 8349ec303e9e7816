//! The Billing screen's effects against a real database, as real logins: what the screen asks for
//! (`clinic::effects::billing`) and the replies it gets, for the accounts office, the desk and an
//! admin.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use clinic::app::billing::{Reply, Request};
use clinic::app::RequestId;
use clinic::domain::invoice::{
    IdempotencyKey, InvoiceFilter, InvoiceKind, InvoiceStatus, PaymentMethod, Receipt,
};
use clinic::domain::money::Currency;
use clinic::domain::staff::Job;
use clinic::effects::Run;
use deadpool_postgres::Pool;
use support::TestDb;
use tokio_postgres::Client;

const EUR: &str = "EUR";

fn eur() -> Currency {
    Currency::parse(EUR).expect("a currency")
}

fn r(n: u64) -> RequestId {
    RequestId(n)
}

fn key(n: u8) -> IdempotencyKey {
    IdempotencyKey::from_bytes([n; 16])
}

struct Books {
    db: TestDb,
    adam: Pool,
    rita: Pool,
    ada: Pool,
    su: Client,
    patient: i64,
    doctor: i64,
}

async fn books() -> Books {
    let db = TestDb::new().await;
    let pools = {
        let mut out = Vec::new();
        for (name, job) in [
            ("adam", Job::Accountant),
            ("rita", Job::Receptionist),
            ("ada", Job::Admin),
        ] {
            let login = db.staff(name, job).await;
            out.push(
                clinic::db::connect_as(&db.server_config(), &login.user, &login.password)
                    .expect("a pool"),
            );
        }
        out
    };
    let doctor = db.staff("alice", Job::Doctor).await.staff_id.expect("id");
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
    su.batch_execute(
        "UPDATE clinic.settings SET time_zone = 'UTC';
         INSERT INTO clinic.services (code, description, price_minor, currency, tax_rate, valid_from, suggested_for)
         VALUES ('CONSULT', 'Consultation', 5000, 'EUR', 10, '2026-01-01', '{Check-up}')",
    )
    .await
    .expect("settings and a fee schedule");
    let mut pools = pools.into_iter();
    let (adam, rita, ada) = (
        pools.next().expect("adam"),
        pools.next().expect("rita"),
        pools.next().expect("ada"),
    );
    Books {
        db,
        adam,
        rita,
        ada,
        su,
        patient,
        doctor,
    }
}

impl Books {
    /// An issued invoice of `unit` x 1, numbered, due in 30 days.
    async fn issued(&self, unit: i64) -> i64 {
        self.issued_due(unit, 30).await
    }

    /// An issued invoice of `unit` x 1, numbered, due `days` from today (negative: overdue).
    async fn issued_due(&self, unit: i64, days: i32) -> i64 {
        self.issued_to(self.patient, unit, days).await
    }

    async fn issued_to(&self, patient: i64, unit: i64, days: i32) -> i64 {
        let id: i64 = self
            .su
            .query_one(
                "INSERT INTO clinic.invoices (patient_id, currency) VALUES ($1, 'EUR') RETURNING id",
                &[&patient],
            )
            .await
            .expect("invoice")
            .get(0);
        self.su
            .execute(
                "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor)
                 VALUES ($1, 'Consultation', 1, $2)",
                &[&id, &unit],
            )
            .await
            .expect("line");
        self.su
            .batch_execute(&format!(
                "UPDATE clinic.invoices SET status = 'issued', issued_at = now(), due_on = current_date + {days}
                  WHERE id = {id}; SELECT clinic.number_invoices();"
            ))
            .await
            .expect("issued");
        id
    }

    async fn completed_yesterday(&self, hour: i32) -> i64 {
        self.su
            .query_one(
                "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status, reason)
                 VALUES ($1, $2, date_trunc('day', now()) - interval '1 day' + make_interval(hours => $3),
                         date_trunc('day', now()) - interval '1 day' + make_interval(hours => $3, mins => 15),
                         'completed', 'Check-up')
                 RETURNING id",
                &[&self.patient, &self.doctor, &hour],
            )
            .await
            .expect("appointment")
            .get(0)
    }
}

async fn pay(
    pool: &Pool,
    invoice_id: i64,
    amount_minor: i64,
    method: PaymentMethod,
    k: u8,
) -> Result<Receipt, String> {
    let reply = Request::Pay {
        request: r(1),
        invoice_id,
        amount_minor,
        method,
        reference: Some("slip 1".into()),
        key: key(k),
    }
    .run(pool.clone())
    .await;
    match reply {
        Reply::Paid { result, .. } => result,
        other => panic!("expected Paid, got {other:?}"),
    }
}

async fn detail(
    pool: &Pool,
    invoice_id: i64,
) -> Result<Box<clinic::domain::invoice::InvoiceDetail>, String> {
    match (Request::Detail {
        request: r(2),
        invoice_id,
    })
    .run(pool.clone())
    .await
    {
        Reply::Detail { result, .. } => result,
        other => panic!("expected Detail, got {other:?}"),
    }
}

async fn list(
    pool: &Pool,
    filter: InvoiceFilter,
) -> Result<Vec<clinic::domain::invoice::InvoiceRow>, String> {
    match (Request::Load {
        request: r(3),
        filter,
        limit: 500,
    })
    .run(pool.clone())
    .await
    {
        Reply::Loaded { result, .. } => result,
        other => panic!("expected Loaded, got {other:?}"),
    }
}

/// The desk takes a payment and gets the receipt the database recorded; an overpayment becomes
/// the patient's credit, which then pays another invoice; a retry with the same key records
/// nothing twice and answers alike; the list and the detail show the money as it is.
#[tokio::test]
async fn payments_from_the_screen_add_up_to_the_cent() {
    let b = books().await;
    let first = b.issued(12_000).await;
    let second = b.issued(3_000).await;

    let open = list(&b.rita, InvoiceFilter::Open)
        .await
        .expect("the desk lists");
    assert_eq!(
        open.iter().map(|r| r.id).collect::<Vec<_>>(),
        [first, second]
    );
    assert!(open
        .iter()
        .all(|r| r.number.as_deref().is_some_and(|n| n.len() == 11)));

    let receipt = pay(&b.rita, first, 5_000, PaymentMethod::Cash, 1)
        .await
        .expect("the desk takes a payment");
    assert_eq!(
        (
            receipt.amount_minor,
            receipt.applied_minor,
            receipt.credit_minor
        ),
        (5_000, 5_000, 0)
    );
    let again = pay(&b.rita, first, 5_000, PaymentMethod::Cash, 1)
        .await
        .expect("a retry answers");
    assert_eq!(again, receipt, "a retry answers as the first did");

    let over = pay(&b.adam, first, 9_000, PaymentMethod::Card, 2)
        .await
        .expect("an overpayment is taken");
    assert_eq!((over.applied_minor, over.credit_minor), (7_000, 2_000));

    let d = detail(&b.adam, first).await.expect("the detail");
    assert_eq!(d.row.status, InvoiceStatus::Paid);
    assert_eq!(d.row.balance().minor(), 0);
    assert_eq!(d.payments.len(), 2, "the retry recorded nothing");
    assert_eq!(d.payments[0].received_by.as_deref(), Some("Rita"));
    assert_eq!(d.patient_credit_minor, 2_000);
    assert_eq!(d.lines[0].amount_minor, 12_000);

    // The credit pays the second invoice; no more than is held.
    let refused = pay(&b.adam, second, 2_500, PaymentMethod::Credit, 3).await;
    assert!(refused.is_err(), "more credit than held: {refused:?}");
    let from_credit = pay(&b.adam, second, 2_000, PaymentMethod::Credit, 4)
        .await
        .expect("credit pays");
    assert_eq!(from_credit.applied_minor, 2_000);
    let d2 = detail(&b.rita, second).await.expect("the desk reads it");
    assert_eq!(
        (d2.row.status, d2.row.balance().minor()),
        (InvoiceStatus::PartiallyPaid, 1_000)
    );
    assert_eq!(d2.patient_credit_minor, 0);

    let open = list(&b.ada, InvoiceFilter::Open)
        .await
        .expect("the admin reads");
    assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), [second]);
    let mine = list(
        &b.rita,
        InvoiceFilter::Patient {
            patient_id: b.patient,
            name: "Okoye, Ada".into(),
        },
    )
    .await
    .expect("a patient's invoices");
    assert_eq!(mine.first().map(|r| r.id), Some(second), "open ones first");
    assert_eq!(mine.len(), 2);

    // An admin reads but takes nothing; the refusal comes back in words.
    let admin = pay(&b.ada, second, 100, PaymentMethod::Cash, 5).await;
    let words = admin.expect_err("an admin takes no money");
    assert!(
        words.ends_with('.') && words.starts_with(char::is_uppercase),
        "{words}"
    );
    drop(b.db);
}

/// Issue, void and credit notes go through the accounts office only; the desk and an admin are
/// refused by the database, and a void of a paid invoice is refused with its reason.
#[tokio::test]
async fn issuing_voiding_and_crediting_are_the_accounts_office_s() {
    let b = books().await;
    let draft: i64 =
        b.su.query_one(
            "INSERT INTO clinic.invoices (patient_id, currency) VALUES ($1, 'EUR') RETURNING id",
            &[&b.patient],
        )
        .await
        .expect("draft")
        .get(0);
    b.su
        .execute(
            "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor, tax_rate)
             VALUES ($1, 'Dressing', 2, 1250, 10)",
            &[&draft],
        )
        .await
        .expect("line");
    let due = Utc::now().date_naive() + Duration::days(30);
    let issue = |pool: Pool| async move {
        match (Request::Issue {
            request: r(4),
            invoice_id: draft,
            due_on: due,
        })
        .run(pool)
        .await
        {
            Reply::Issued { result, .. } => result,
            other => panic!("{other:?}"),
        }
    };
    assert!(
        issue(b.rita.clone()).await.is_err(),
        "the desk issues nothing"
    );
    assert!(
        issue(b.ada.clone()).await.is_err(),
        "an admin issues nothing"
    );
    let number = issue(b.adam.clone())
        .await
        .expect("accounts issue")
        .expect("numbered at once");
    assert!(
        number.starts_with(&format!("{}-", Utc::now().format("%Y"))),
        "{number}"
    );
    let d = detail(&b.adam, draft).await.expect("detail");
    assert_eq!((d.row.total_minor, d.tax_minor), (2_750, 250));
    assert_eq!(d.row.due_on, Some(due));

    pay(&b.rita, draft, 1_000, PaymentMethod::Card, 9)
        .await
        .expect("paid in part");
    let void = |pool: Pool, version: i32| async move {
        match (Request::Void {
            request: r(5),
            invoice_id: draft,
            version,
            reason: "Billed twice".into(),
        })
        .run(pool)
        .await
        {
            Reply::Voided { result, .. } => result,
            other => panic!("{other:?}"),
        }
    };
    let version = detail(&b.adam, draft).await.expect("detail").row.version;
    let refused = void(b.adam.clone(), version)
        .await
        .expect_err("paid: no void");
    assert!(
        refused.contains("refund") || refused.contains("credit"),
        "{refused}"
    );
    assert!(void(b.rita.clone(), version).await.is_err());

    let credit = |pool: Pool| async move {
        match (Request::CreditNote {
            request: r(6),
            invoice_id: draft,
            reason: "Dressing not used".into(),
        })
        .run(pool)
        .await
        {
            Reply::Credited { result, .. } => result,
            other => panic!("{other:?}"),
        }
    };
    assert!(
        credit(b.rita.clone()).await.is_err(),
        "the desk writes no credit note"
    );
    let cn = credit(b.adam.clone()).await.expect("a credit note");
    let c = detail(&b.adam, cn).await.expect("the credit note");
    assert_eq!(c.row.kind, InvoiceKind::CreditNote);
    assert_eq!(c.row.status, InvoiceStatus::Draft);
    assert_eq!(c.credits.as_deref(), Some(number.as_str()));
    assert_eq!(
        c.row.total_minor, 2_750,
        "all the lines, to reduce or issue"
    );
    let drafts = list(&b.adam, InvoiceFilter::Drafts).await.expect("drafts");
    assert_eq!(drafts.iter().map(|r| r.id).collect::<Vec<_>>(), [cn]);

    // A stale version is a conflict, not a silent void.
    let other = b.issued(500).await;
    let stale = match (Request::Void {
        request: r(7),
        invoice_id: other,
        version: 0,
        reason: "Wrong patient".into(),
    })
    .run(b.adam.clone())
    .await
    {
        Reply::Voided { result, .. } => result,
        other => panic!("{other:?}"),
    };
    assert!(stale.expect_err("stale").contains("changed"));
}

/// A day's completed appointments are previewed, then invoiced and issued in one step; a second
/// time finds nothing left to invoice.
#[tokio::test]
async fn a_day_is_previewed_then_invoiced_once() {
    let b = books().await;
    let a1 = b.completed_yesterday(9).await;
    let a2 = b.completed_yesterday(10).await;
    let yesterday: NaiveDate = Utc::now().date_naive() - Duration::days(1);
    let preview = |pool: Pool| async move {
        match (Request::Uninvoiced {
            request: r(8),
            day: yesterday,
            currency: eur(),
        })
        .run(pool)
        .await
        {
            Reply::Uninvoiced { result, .. } => result,
            other => panic!("{other:?}"),
        }
    };
    assert!(
        preview(b.rita.clone()).await.is_err(),
        "the desk does not invoice"
    );
    let visits = preview(b.adam.clone()).await.expect("the preview");
    assert_eq!(
        visits.iter().map(|v| v.appointment_id).collect::<Vec<_>>(),
        [a1, a2]
    );
    assert!(visits
        .iter()
        .all(|v| v.services == "CONSULT" && v.total_minor == 5_500));
    let due = Utc::now().date_naive() + Duration::days(14);
    let made = match (Request::InvoiceDay {
        request: r(9),
        appointment_ids: vec![a1, a2],
        currency: eur(),
        due_on: due,
    })
    .run(b.adam.clone())
    .await
    {
        Reply::DayInvoiced { result, .. } => result.expect("invoiced"),
        other => panic!("{other:?}"),
    };
    assert_eq!(made.len(), 2);
    for id in &made {
        let d = detail(&b.adam, *id).await.expect("detail");
        assert_eq!(d.row.status, InvoiceStatus::Issued);
        assert_eq!((d.row.total_minor, d.row.due_on), (5_500, Some(due)));
        assert!(d.row.number.is_some());
    }
    assert!(preview(b.adam.clone()).await.expect("again").is_empty());
}

/// The aging puts each open balance in its bucket by days after the due date and adds up per
/// patient and in total; the cash report sums per day, method and desk; the export writes what
/// the books hold, and each parses back with a CSV reader to the same cents. Who may read what is
/// the database's: the desk gets no aging, a doctor no cash.
#[tokio::test]
async fn reports_and_the_export_add_up_to_the_cent() {
    use clinic::app::billing::{Reply as R, Request as Q};
    let b = books().await;
    let not_due = b.issued_due(10_000, 10).await;
    let d45 = b.issued_due(2_000, -45).await;
    b.issued_due(3_000, -75).await;
    b.issued_due(4_000, -120).await;
    b.issued_due(555, -30).await;
    pay(&b.rita, not_due, 2_500, PaymentMethod::Cash, 21)
        .await
        .expect("cash");
    pay(&b.adam, d45, 2_000, PaymentMethod::Card, 22)
        .await
        .expect("card");
    let today = Utc::now().date_naive();

    let aging = |pool: Pool| async move {
        match (Q::Aging {
            request: r(10),
            as_of: today,
            currency: eur(),
        })
        .run(pool)
        .await
        {
            R::Aging { result, .. } => result,
            other => panic!("{other:?}"),
        }
    };
    assert!(
        aging(b.rita.clone()).await.is_err(),
        "the desk reads no aging"
    );
    let a = aging(b.ada.clone())
        .await
        .expect("an admin reads the aging");
    assert_eq!(a.rows.len(), 1);
    let row = &a.rows[0];
    // 75.00 not due + 5.55 thirty days late in 0-30; 31-60 paid off; 30.00; 40.00.
    assert_eq!(row.buckets, [7_500 + 555, 0, 3_000, 4_000]);
    assert_eq!(row.total_minor, 15_055);
    assert_eq!(row.invoices, 4, "the paid one is not open");
    assert_eq!(a.totals().expect("sums").1.minor(), 15_055);

    let cash = |pool: Pool| async move {
        match (Q::Cash {
            request: r(11),
            from: today,
            to: today,
        })
        .run(pool)
        .await
        {
            R::Cash { result, .. } => result,
            other => panic!("{other:?}"),
        }
    };
    let doctor = b.db.staff("greg", Job::Doctor).await;
    let greg = clinic::db::connect_as(&b.db.server_config(), &doctor.user, &doctor.password)
        .expect("pool");
    assert!(cash(greg).await.is_err(), "a doctor sees no money");
    let rows = cash(b.rita.clone()).await.expect("the desk reads its cash");
    let seen: Vec<(&str, &str, i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.received_by.as_str(),
                r.payments,
                r.amount_minor,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [("card", "Adam", 1, 2_000), ("cash", "Rita", 1, 2_500)]
    );

    // The export, parsed back.
    let dir = std::env::temp_dir().join(format!("clinic-export-{}", b.patient));
    let mut seen_progress = Vec::new();
    let counts = clinic::report::export(&b.adam, today, today, &dir, |f, done, of| {
        seen_progress.push((f.to_string(), done, of));
    })
    .await
    .expect("export");
    assert_eq!((counts.invoices, counts.lines, counts.payments), (5, 5, 2));
    assert!(seen_progress.contains(&("payments.csv".to_string(), 2, 2)));
    let [inv, lines, payments] = clinic::report::export_paths(&dir);
    let read = |p: &std::path::Path| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(p)
            .expect("a csv")
            .records()
            .map(|r| r.expect("a record"))
            .collect()
    };
    let cents = |s: &str| -> i64 {
        let (whole, frac) = s.split_once('.').expect("two decimals");
        whole.parse::<i64>().expect("whole") * 100 + frac.parse::<i64>().expect("cents")
    };
    let invoices = read(&inv);
    assert_eq!(invoices.len(), 5);
    let owed: i64 = invoices.iter().map(|r| cents(&r[15])).sum();
    assert_eq!(
        owed, 15_055,
        "what the export says is owed is what the aging says"
    );
    let total: i64 = read(&lines).iter().map(|r| cents(&r[9])).sum();
    assert_eq!(total, 10_000 + 2_000 + 3_000 + 4_000 + 555);
    let paid: i64 = read(&payments).iter().map(|r| cents(&r[7])).sum();
    assert_eq!(paid, 4_500);
    assert!(invoices.iter().all(|r| r[0].len() == 11 && &r[7] == "EUR"));
    std::fs::remove_dir_all(&dir).ok();
}

/// A statement is staged and matched in one call: by invoice number, by payer and amount, by
/// amount alone; importing it again, or a file that overlaps it, records nothing twice; accepting
/// records the payment once however often it is sent, a split puts one transfer on two invoices,
/// and a line that is not ours leaves the list. Only the accounts office imports and accepts.
#[tokio::test]
async fn a_statement_is_matched_reviewed_and_never_counted_twice() {
    use clinic::db::reconcile;
    use clinic::domain::statement::{parse, CsvLayout};
    let b = books().await;
    let garcia: i64 = b
        .su
        .query_one(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, insurer, phone)
             VALUES ('Garcia', 'Luis', DATE '1975-03-02', 'male', 'man', 'Kin', '0123456789',
                     'Acme Health', '0207654321')
             RETURNING id",
            &[],
        )
        .await
        .expect("a patient")
        .get(0);
    let by_number = b.issued(8_000).await; // Okoye
    let unique_amount = b.issued(1_234).await; // Okoye
    let garcias = b.issued_to(garcia, 4_500, 30).await;
    let number: String =
        b.su.query_one(
            "SELECT invoice_number FROM clinic.invoices WHERE id = $1",
            &[&by_number],
        )
        .await
        .expect("number")
        .get(0);
    let csv = format!(
        "date,amount,reference,payer\n\
         2026-11-14,80.00,INV {number} thanks,A OKOYE\n\
         2026-11-14,-9.50,fee,\n\
         2026-11-15,12.34,,unknown sender\n\
         2026-11-15,45.00,doctor,L GARCIA\n\
         2026-11-16,999.00,,Nobody Known\n"
    );
    let statement = parse(csv.as_bytes(), &CsvLayout::default(), eur()).expect("parses");
    let import = |pool: Pool, s: clinic::domain::statement::Statement| async move {
        let c = pool.get().await.expect("conn");
        reconcile::import(&**c, "nov.csv", &s, eur()).await
    };
    assert!(
        import(b.rita.clone(), statement.clone()).await.is_err(),
        "the desk imports nothing"
    );
    let first = import(b.adam.clone(), statement.clone())
        .await
        .expect("imports");
    assert_eq!((first.lines_read, first.lines_new), (4, 4));
    assert_eq!((first.by_number, first.by_name, first.by_amount), (1, 1, 1));
    let again = import(b.adam.clone(), statement.clone())
        .await
        .expect("again");
    assert_eq!((again.lines_read, again.lines_new), (4, 0), "nothing twice");

    let c = b.adam.get().await.expect("conn");
    let (lines, total) = reconcile::open_lines(&**c, 100).await.expect("lines");
    assert_eq!(total, 4);
    let suggested: Vec<(i64, Option<i64>, Option<i16>)> = lines
        .iter()
        .map(|l| {
            (
                l.amount_minor,
                l.suggestion.as_ref().map(|s| s.invoice_id),
                l.suggestion.as_ref().map(|s| s.confidence),
            )
        })
        .collect();
    assert_eq!(suggested[0], (8_000, Some(by_number), Some(99)));
    assert_eq!((suggested[1].0, suggested[1].1), (4_500, Some(garcias)));
    assert!(suggested[1].2.is_some_and(|c| (50..=95).contains(&c)));
    assert_eq!(suggested[2], (1_234, Some(unique_amount), Some(30)));
    assert_eq!(suggested[3], (99_900, None, None));

    // Accept, twice (a retry): one payment.
    let line = lines[0].id;
    let p1 = reconcile::accept(&**c, line, &[(by_number, 8_000)])
        .await
        .expect("accept");
    let p2 = reconcile::accept(&**c, line, &[(by_number, 8_000)])
        .await
        .expect("retry");
    assert_eq!(p1, p2);
    let elsewhere = reconcile::accept(&**c, line, &[(unique_amount, 8_000)]).await;
    assert!(
        elsewhere.is_err(),
        "a matched line is not put on another invoice as well"
    );
    let d = detail(&b.adam, by_number).await.expect("detail");
    assert_eq!((d.row.status, d.payments.len()), (InvoiceStatus::Paid, 1));
    assert_eq!(d.payments[0].method, "bank_transfer");
    assert_eq!(
        d.payments[0].received_by.as_deref(),
        Some("Adam"),
        "in the accountant's own name, though the function runs as its owner"
    );

    // A split that does not add up is refused; one that does pays both.
    let big = lines[3].id;
    let other = b.issued(100_000).await;
    let refused = reconcile::accept(&**c, big, &[(other, 50_000), (unique_amount, 1_000)]).await;
    assert!(refused.is_err());
    let twice = reconcile::accept(&**c, big, &[(other, 49_950), (other, 49_950)]).await;
    assert!(twice.is_err(), "one invoice twice in a split is refused");
    let paid = reconcile::accept(&**c, big, &[(other, 98_666), (unique_amount, 1_234)])
        .await
        .expect("split");
    assert_eq!(paid.len(), 2);
    assert_eq!(
        detail(&b.adam, unique_amount).await.expect("d").row.status,
        InvoiceStatus::Paid
    );

    // Not ours leaves the list, and comes back when opened again; admins may not mark.
    let garcia_line = lines[1].id;
    let ada = b.ada.get().await.expect("conn");
    assert!(reconcile::mark(&**ada, garcia_line, true).await.is_err());
    reconcile::mark(&**c, garcia_line, true)
        .await
        .expect("not ours");
    let (left, _) = reconcile::open_lines(&**c, 100).await.expect("lines");
    assert_eq!(left.iter().map(|l| l.id).collect::<Vec<_>>(), [lines[2].id]);
    reconcile::mark(&**c, garcia_line, false)
        .await
        .expect("open again");
    assert_eq!(reconcile::open_lines(&**c, 100).await.expect("l").1, 2);
    assert!(
        reconcile::mark(&**c, line, true).await.is_err(),
        "a matched line stays matched"
    );

    // An overlapping file: its old lines are known, its new one is staged.
    let overlap = format!(
        "date,amount,reference,payer\n\
         2026-11-16,999.00,,Nobody Known\n\
         2026-11-17,20.00,INV {number},A OKOYE\n"
    );
    let s = parse(overlap.as_bytes(), &CsvLayout::default(), eur()).expect("parses");
    let third = import(b.adam.clone(), s).await.expect("imports");
    assert_eq!((third.lines_read, third.lines_new), (2, 1));
    assert_eq!(third.by_number, 0, "a paid invoice is not suggested again");

    // The new line split by invoice numbers: an unknown number records nothing.
    let (open, _) = reconcile::open_lines(&**c, 100).await.expect("lines");
    let new_line = open
        .iter()
        .find(|l| l.amount_minor == 2_000)
        .expect("the 20.00 line");
    let a = b.issued(1_500).await;
    let z = b.issued(900).await;
    let number_of = |id: i64| {
        let su = &b.su;
        async move {
            su.query_one(
                "SELECT invoice_number FROM clinic.invoices WHERE id = $1",
                &[&id],
            )
            .await
            .expect("n")
            .get::<_, String>(0)
        }
    };
    let (na, nz) = (number_of(a).await, number_of(z).await);
    let bad = reconcile::split(
        &**c,
        new_line.id,
        eur(),
        &[(na.clone(), 1_500), ("2026-999999".into(), 500)],
    )
    .await;
    assert!(bad.is_err());
    assert_eq!(
        detail(&b.adam, a).await.expect("d").row.paid_minor,
        0,
        "nothing recorded"
    );
    let paid = reconcile::split(&**c, new_line.id, eur(), &[(na, 1_500), (nz, 500)])
        .await
        .expect("split by numbers");
    assert_eq!(paid.len(), 2);
    assert_eq!(detail(&b.adam, z).await.expect("d").row.paid_minor, 500);
}

/// A patient's statement lists their open invoices with what each owes and the total, in the
/// clinic's format; a doctor may not print one.
#[tokio::test]
async fn a_patient_statement_adds_up() {
    let b = books().await;
    let first = b.issued_due(12_000, -40).await;
    b.issued_due(3_050, 10).await;
    pay(&b.rita, first, 2_000, PaymentMethod::Cash, 31)
        .await
        .expect("paid in part");
    let number: i64 =
        b.su.query_one(
            "SELECT patient_number FROM clinic.patients WHERE id = $1",
            &[&b.patient],
        )
        .await
        .expect("number")
        .get(0);
    let today = Utc::now().date_naive();
    let fmt = clinic::domain::money::NumberFormat::default();
    let text = clinic::report::statement_text(&b.adam, number, "Test Clinic", today, eur(), fmt)
        .await
        .expect("a statement");
    assert!(text.starts_with("Test Clinic\n"), "{text}");
    assert!(text.contains("Ada Okoye"), "{text}");
    assert!(text.contains("100.00  overdue"), "{text}");
    assert!(text.contains("Total owed: EUR 130.50"), "{text}");
    let doctor = b.db.staff("greg", Job::Doctor).await;
    let greg = clinic::db::connect_as(&b.db.server_config(), &doctor.user, &doctor.password)
        .expect("pool");
    assert!(
        clinic::report::statement_text(&greg, number, "Test Clinic", today, eur(), fmt)
            .await
            .is_err()
    );
}

/// A draft by hand: a line by service code takes today's price and tax, one typed in full keeps
/// what was typed, one comes off again; an issued invoice takes no line, and the desk adds none.
#[tokio::test]
async fn drafts_by_hand_take_lines_until_they_are_issued() {
    use clinic::domain::invoice::NewLine;
    let b = books().await;
    let made = match (Request::NewInvoice {
        request: r(40),
        patient_id: b.patient,
        currency: eur(),
    })
    .run(b.adam.clone())
    .await
    {
        Reply::InvoiceCreated { result, .. } => result.expect("a draft"),
        other => panic!("{other:?}"),
    };
    let add = |pool: Pool, invoice_id: i64, line: NewLine| async move {
        match (Request::AddLine {
            request: r(41),
            invoice_id,
            line,
        })
        .run(pool)
        .await
        {
            Reply::LineSaved { result, .. } => result,
            other => panic!("{other:?}"),
        }
    };
    let by_code = NewLine {
        service_code: Some("consult".into()),
        description: None,
        quantity: 2,
        unit_price_minor: None,
        discount_minor: 1_000,
        tax_rate: None,
    };
    add(b.adam.clone(), made, by_code.clone())
        .await
        .expect("by code");
    let typed = NewLine {
        service_code: None,
        description: Some("Dressing".into()),
        quantity: 1,
        unit_price_minor: Some(250),
        discount_minor: 0,
        tax_rate: Some("7.5".into()),
    };
    add(b.adam.clone(), made, typed.clone())
        .await
        .expect("typed");
    let unknown = NewLine {
        service_code: Some("NOPE".into()),
        ..by_code.clone()
    };
    let e = add(b.adam.clone(), made, unknown)
        .await
        .expect_err("unknown code");
    assert!(e.contains("NOPE"), "{e}");
    assert!(
        add(b.rita.clone(), made, typed.clone()).await.is_err(),
        "the desk adds no line"
    );
    let d = detail(&b.adam, made).await.expect("detail");
    // 2 x 50.00 - 10.00 = 90.00 at 10%: 99.00; 2.50 at 7.5%: 0.1875 rounds to 0.19.
    assert_eq!(d.lines.len(), 2);
    assert_eq!(
        (d.lines[0].amount_minor, d.lines[1].amount_minor),
        (9_900, 269)
    );
    assert_eq!(d.row.total_minor, 10_169);
    match (Request::RemoveLine {
        request: r(42),
        invoice_id: made,
        line_id: d.lines[1].id,
    })
    .run(b.adam.clone())
    .await
    {
        Reply::LineSaved { result, .. } => result.expect("taken off"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        detail(&b.adam, made).await.expect("d").row.total_minor,
        9_900
    );
    let issued = b.issued(500).await;
    assert!(
        add(b.adam.clone(), issued, typed).await.is_err(),
        "an issued invoice never changes"
    );
}

/// The fee schedule from the screen: a new price from a day on ends the old one the day before,
/// a new service is added; the desk changes neither.
#[tokio::test]
async fn the_fee_schedule_changes_from_a_day_on() {
    use clinic::domain::invoice::PriceChange;
    let b = books().await;
    let change = |pool: Pool, change: PriceChange| async move {
        match (Request::ChangePrice {
            request: r(50),
            change,
        })
        .run(pool)
        .await
        {
            Reply::PriceChanged { result, .. } => result,
            other => panic!("{other:?}"),
        }
    };
    let from = Utc::now().date_naive() + Duration::days(10);
    let new_price = PriceChange::NewPrice {
        code: "CONSULT".into(),
        price_minor: 5_500,
        tax_rate: None,
        from,
    };
    assert!(change(b.rita.clone(), new_price.clone()).await.is_err());
    change(b.adam.clone(), new_price)
        .await
        .expect("a new price");
    change(
        b.adam.clone(),
        PriceChange::NewService {
            code: "ECG".into(),
            description: "Electrocardiogram".into(),
            price_minor: 4_000,
            currency: eur(),
            tax_rate: "0".into(),
            from: Utc::now().date_naive(),
            suggested_for: vec!["Chest pain".into()],
        },
    )
    .await
    .expect("a new service");
    let rows = match (Request::Prices {
        request: r(51),
        day: Utc::now().date_naive(),
    })
    .run(b.rita.clone())
    .await
    {
        Reply::Prices { result, .. } => result.expect("the desk reads prices"),
        other => panic!("{other:?}"),
    };
    let consult: Vec<_> = rows.iter().filter(|p| p.code == "CONSULT").collect();
    assert_eq!(consult.len(), 2);
    assert_eq!(consult[0].valid_to, Some(from - Duration::days(1)));
    assert_eq!(
        (consult[1].price_minor, consult[1].valid_from),
        (5_500, from)
    );
    assert!(rows
        .iter()
        .any(|p| p.code == "ECG" && p.suggested_for == ["Chest pain"]));
}

/// What the screen's `e` and `s` ask, run as the person: the three files written with the rows
/// counted as they go, a folder holding an export refused unless replacing was asked for, and a
/// statement kept as a file with the text shown.
#[tokio::test]
async fn the_screen_exports_and_keeps_statements() {
    use clinic::app::billing::{ExportRefused, Reply as R, Request as Q};
    use clinic::app::progress::Progress;
    let b = books().await;
    let open = b.issued(7_000).await;
    pay(&b.rita, open, 2_500, PaymentMethod::Cash, 41)
        .await
        .expect("cash");
    let today = Utc::now().date_naive();
    let dir = std::env::temp_dir().join(format!("clinic-screen-export-{}", b.patient));
    std::fs::remove_dir_all(&dir).ok();
    let export = |pool: Pool, replace: bool, progress: Progress| {
        let dir = dir.clone();
        async move {
            match (Q::Export {
                request: r(50),
                from: today,
                to: today,
                dir,
                replace,
                progress,
            })
            .run(pool)
            .await
            {
                R::Exported { result, .. } => result,
                other => panic!("{other:?}"),
            }
        }
    };
    let progress = Progress::default();
    let first = export(b.adam.clone(), false, progress.clone())
        .await
        .expect("written");
    assert_eq!((first.invoices, first.lines, first.payments), (1, 1, 1));
    assert_eq!(progress.get(), Some(("payments.csv".to_string(), 1, 1)));
    let again = export(b.adam.clone(), false, Progress::default()).await;
    assert_eq!(again, Err(ExportRefused::Exists), "an earlier export stays");
    export(b.adam.clone(), true, Progress::default())
        .await
        .expect("replaced when asked");
    let doctor = b.db.staff("greg", Job::Doctor).await;
    let greg = clinic::db::connect_as(&b.db.server_config(), &doctor.user, &doctor.password)
        .expect("pool");
    assert!(
        matches!(
            export(greg, true, Progress::default()).await,
            Err(ExportRefused::Failed(_))
        ),
        "a doctor exports no books"
    );

    let number: i64 =
        b.su.query_one(
            "SELECT patient_number FROM clinic.patients WHERE id = $1",
            &[&b.patient],
        )
        .await
        .expect("number")
        .get(0);
    let path = dir.join("statements").join("statement.txt");
    let (kept, text) = match (Q::Statement {
        request: r(51),
        patient_number: number,
        clinic_name: "Test Clinic".into(),
        today,
        currency: eur(),
        format: clinic::domain::money::NumberFormat::default(),
        path: path.clone(),
    })
    .run(b.adam.clone())
    .await
    {
        R::Statement { result, .. } => result.expect("a statement"),
        other => panic!("{other:?}"),
    };
    assert_eq!(kept, path);
    assert!(text.contains("Total owed: EUR 45.00"), "{text}");
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), text);
    std::fs::remove_dir_all(&dir).ok();
}
