//! The books' CSV export against a real database, as the accounts office's own login: credit
//! paid back is money gone in payments.csv as it is in the cash report, a void invoice and a
//! credit note owe nothing, lines end in CRLF (RFC 4180), and a folder or file that cannot be
//! written is named in the error.

mod support;

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate, Utc};
use clinic::db::{billing, billing_reports};
use clinic::domain::invoice::{IdempotencyKey, PaymentMethod};
use clinic::domain::money::Currency;
use clinic::domain::staff::Job;
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
    su: Client,
    patient: i64,
    patient_number: i64,
}

async fn books() -> Books {
    let db = TestDb::new().await;
    let login = db.staff("adam", Job::Accountant).await;
    let adam =
        clinic::db::connect_as(&db.server_config(), &login.user, &login.password).expect("a pool");
    let su = db.superuser().await;
    let row = su
        .query_one(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, phone)
             VALUES ('Okoye', 'Ada', DATE '1980-01-01', 'female', 'woman', 'Kin', '0123456789', '0201234567')
             RETURNING id, patient_number",
            &[],
        )
        .await
        .expect("a patient");
    su.batch_execute("UPDATE clinic.settings SET time_zone = 'UTC'")
        .await
        .expect("settings");
    Books {
        _db: db,
        adam,
        su,
        patient: row.get(0),
        patient_number: row.get(1),
    }
}

impl Books {
    /// An issued EUR invoice of `total`, numbered, due in 30 days.
    async fn issued(&self, total: i64) -> i64 {
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
                 SELECT clinic.number_invoices();"
            ))
            .await
            .expect("issued");
        id
    }
}

/// A fresh folder for one test's export.
fn folder(name: &str, b: &Books) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "clinic-{name}-{}-{}",
        std::process::id(),
        b.patient
    ));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

fn read(p: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(p).expect("a csv");
    let header = r.headers().expect("a header").clone();
    let rows = r.records().map(|r| r.expect("a record")).collect();
    (header, rows)
}

fn column(header: &csv::StringRecord, name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn cents(s: &str) -> i64 {
    let (whole, frac) = s.split_once('.').expect("two decimals");
    let minor = whole.trim_start_matches('-').parse::<i64>().expect("whole") * 100
        + frac.parse::<i64>().expect("cents");
    if s.starts_with('-') {
        -minor
    } else {
        minor
    }
}

/// The export of `from`..`to` into `dir`: the rows written per file and payments.csv read back.
async fn export(
    b: &Books,
    from: NaiveDate,
    to: NaiveDate,
    dir: &Path,
) -> (
    billing_reports::ExportCounts,
    csv::StringRecord,
    Vec<csv::StringRecord>,
) {
    let mut last = None;
    let counts = clinic::report::export(&b.adam, from, to, dir, |f, done, of| {
        if f == "payments.csv" {
            last = Some((done, of));
        }
    })
    .await
    .expect("exported");
    assert_eq!(
        last,
        Some((counts.payments, counts.payments)),
        "counted ahead as written"
    );
    let [_, _, payments] = clinic::report::export_paths(dir);
    let (header, rows) = read(&payments);
    (counts, header, rows)
}

/// Credit paid back leaves the clinic as money, so payments.csv holds it as a row of its own
/// (kind credit_refund, the patient, no invoice, negative), and for any range the money in the
/// export (credit used to pay an invoice aside) is what the cash report counts.
#[tokio::test]
async fn credit_paid_back_is_in_payments_csv_as_in_the_cash_report() {
    let b = books().await;
    let adam = b.adam.get().await.expect("a connection");
    let first = b.issued(5_000).await;
    billing::record_payment(&**adam, first, 8_000, PaymentMethod::Card, None, &key(1))
        .await
        .expect("paid 30.00 beyond the total");
    let second = b.issued(2_000).await;
    billing::record_payment(&**adam, second, 1_000, PaymentMethod::Credit, None, &key(2))
        .await
        .expect("paid from the credit");
    billing::record_refund(&**adam, first, 500, PaymentMethod::Cash, None, &key(3))
        .await
        .expect("refunded");
    let entry = billing::refund_credit(
        &**adam,
        b.patient,
        eur(),
        1_200,
        PaymentMethod::BankTransfer,
        Some("IBAN DE02 0001"),
        &key(4),
    )
    .await
    .expect("credit paid back");
    // Credit paid back yesterday, as the ledger would hold it (it is append-only).
    b.su.execute(
        "INSERT INTO clinic.patient_credit (patient_id, currency, amount_minor, kind, method,
                                            idempotency_key, at, by_staff)
         SELECT $1, 'EUR', -300, 'refunded', 'cash', gen_random_uuid(), now() - interval '1 day', s.id
           FROM clinic.staff s WHERE s.full_name = 'Adam'",
        &[&b.patient],
    )
    .await
    .expect("yesterday's");

    let today = Utc::now().date_naive();
    let yesterday = today - Duration::days(1);
    let dir = folder("credit-refund", &b);
    let (counts, header, rows) = export(&b, today, today, &dir).await;
    assert_eq!(counts.payments, 4, "{rows:?}");
    let at = |name| column(&header, name);
    let back: Vec<_> = rows
        .iter()
        .filter(|r| &r[at("kind")] == "credit_refund")
        .collect();
    assert_eq!(back.len(), 1, "{rows:?}");
    let r = back[0];
    assert_eq!(&r[at("payment_id")], "", "not a payment");
    assert_eq!(&r[at("credit_entry_id")], entry.to_string());
    assert_eq!(&r[at("invoice_number")], "");
    assert_eq!(&r[at("patient_number")], b.patient_number.to_string());
    assert_eq!(&r[at("amount")], "-12.00");
    assert_eq!(&r[at("applied")], "0.00");
    assert_eq!(&r[at("to_credit")], "-12.00");
    assert_eq!(&r[at("method")], "bank_transfer");
    assert_eq!(&r[at("reference")], "IBAN DE02 0001");
    assert_eq!(&r[at("received_by")], "Adam");
    assert_eq!(&r[at("currency")], "EUR");
    assert_eq!(&r[at("day")], today.format("%Y-%m-%d").to_string());
    assert!(!r[at("received_at")].is_empty());
    for r in &rows {
        assert_eq!(
            cents(&r[at("amount")]),
            cents(&r[at("applied")]) + cents(&r[at("to_credit")]),
            "every row's money is split into applied and credit: {r:?}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();

    for (from, to, expected_rows) in [
        (today, today, 4),
        (yesterday, yesterday, 1),
        (yesterday, today, 5),
    ] {
        let dir = folder("credit-range", &b);
        let (counts, header, rows) = export(&b, from, to, &dir).await;
        assert_eq!(counts.payments, expected_rows, "{from}..{to}: {rows:?}");
        assert_eq!(rows.len() as u64, counts.payments);
        let at = |name| column(&header, name);
        let exported: i64 = rows
            .iter()
            .filter(|r| &r[at("method")] != "credit")
            .map(|r| cents(&r[at("amount")]))
            .sum();
        let cash: i64 = billing_reports::cash(&**adam, from, to)
            .await
            .expect("cash report")
            .iter()
            .map(|c| c.amount_minor)
            .sum();
        assert_eq!(
            exported, cash,
            "{from}..{to}: the export's money is the cash report's"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
    // 80.00 card - 5.00 cash refund - 12.00 and 3.00 credit paid back.
    let cash: i64 = billing_reports::cash(&**adam, yesterday, today)
        .await
        .expect("cash")
        .iter()
        .map(|c| c.amount_minor)
        .sum();
    assert_eq!(cash, 8_000 - 500 - 1_200 - 300);
}

/// Only an open invoice owes: a void invoice, a credit note and the invoice it credited whole
/// export 0.00 owed, and the owed column adds up to the aging.
#[tokio::test]
async fn void_invoices_and_credit_notes_owe_nothing_in_invoices_csv() {
    let b = books().await;
    let adam = b.adam.get().await.expect("a connection");
    let voided = b.issued(3_000).await;
    b.su.execute(
        "UPDATE clinic.invoices SET status = 'void', void_reason = 'wrong patient' WHERE id = $1",
        &[&voided],
    )
    .await
    .expect("void");
    let credited = b.issued(6_000).await;
    let note = billing::credit_note(&**adam, credited, "not done")
        .await
        .expect("a credit note");
    let today = Utc::now().date_naive();
    billing::issue(&**adam, note, today + Duration::days(30))
        .await
        .expect("issued");
    let open = b.issued(1_000).await;
    billing::record_payment(&**adam, open, 400, PaymentMethod::Cash, None, &key(9))
        .await
        .expect("part paid");

    let dir = folder("owed", &b);
    export(&b, today, today, &dir).await;
    let [invoices, ..] = clinic::report::export_paths(&dir);
    let (header, rows) = read(&invoices);
    let at = |name| column(&header, name);
    let owed = |id: i64| -> (String, String, String) {
        let r = rows
            .iter()
            .find(|r| r[at("invoice_id")] == id.to_string())
            .unwrap_or_else(|| panic!("invoice {id} in {rows:?}"));
        (
            r[at("kind")].to_string(),
            r[at("status")].to_string(),
            r[at("owed")].to_string(),
        )
    };
    assert_eq!(
        owed(voided),
        ("invoice".into(), "void".into(), "0.00".into())
    );
    assert_eq!(
        owed(note),
        ("credit_note".into(), "issued".into(), "0.00".into())
    );
    assert_eq!(
        owed(credited),
        ("invoice".into(), "paid".into(), "0.00".into())
    );
    assert_eq!(
        owed(open),
        ("invoice".into(), "partially_paid".into(), "6.00".into())
    );
    assert!(rows
        .iter()
        .all(|r| r[at("patient_number")] == b.patient_number.to_string()));
    let aging = billing_reports::aging(&**adam, today, eur())
        .await
        .expect("aging");
    let total: i64 = rows.iter().map(|r| cents(&r[at("owed")])).sum();
    assert_eq!(total, aging.totals().expect("sums").1.minor());
    std::fs::remove_dir_all(&dir).ok();
}

/// RFC 4180 ends each record with CRLF, the last one too, in all three files.
#[tokio::test]
async fn the_export_ends_every_line_with_crlf() {
    let b = books().await;
    let adam = b.adam.get().await.expect("a connection");
    let invoice = b.issued(2_500).await;
    billing::record_payment(
        &**adam,
        invoice,
        1_000,
        PaymentMethod::Card,
        Some("slip\nwith a line break"),
        &key(5),
    )
    .await
    .expect("paid");
    let today = Utc::now().date_naive();
    let dir = folder("crlf", &b);
    export(&b, today, today, &dir).await;
    for path in clinic::report::export_paths(&dir) {
        let bytes = std::fs::read(&path).expect("written");
        assert!(bytes.ends_with(b"\r\n"), "{}", path.display());
        let text = String::from_utf8(bytes).expect("UTF-8");
        // A line break inside a quoted field is data, not a record's end.
        let records = text.matches("\r\n").count();
        let breaks = text.matches('\n').count();
        let inside = text.matches("slip\nwith").count();
        assert_eq!(breaks, records + inside, "{}: {text:?}", path.display());
        assert_eq!(records, 2, "a header and one row: {}", path.display());
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// An export that cannot make its folder, or create one of its files, says which, and leaves
/// its connection out of the snapshot it stopped in.
#[tokio::test]
async fn an_export_that_cannot_be_written_names_the_path() {
    use clinic::app::billing::{ExportRefused, Reply, Request};
    use clinic::app::progress::Progress;
    use clinic::effects::Run;
    let b = books().await;
    let today = Utc::now().date_naive();
    // Under a file no folder can be made, whoever runs the test (root too).
    let file = folder("not-a-folder", &b);
    std::fs::write(&file, "a file").expect("a file");
    let dir = file.join("exports");
    let err = clinic::report::export(&b.adam, today, today, &dir, |_, _, _| {})
        .await
        .expect_err("no folder");
    let said = err.to_string();
    assert!(
        said.starts_with(&format!("cannot write into {}: ", dir.display())),
        "{said}"
    );
    let reply = Request::Export {
        request: clinic::app::RequestId(1),
        from: today,
        to: today,
        dir: dir.clone(),
        replace: false,
        progress: Progress::default(),
    }
    .run(b.adam.clone())
    .await;
    match reply {
        Reply::Exported {
            result: Err(ExportRefused::Failed(why)),
            ..
        } => assert!(why.contains(&dir.display().to_string()), "{why}"),
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(&file).ok();

    // A folder where a file should go.
    let dir = folder("blocked", &b);
    let [_, _, payments] = clinic::report::export_paths(&dir);
    std::fs::create_dir_all(&payments).expect("a folder named payments.csv");
    let err = clinic::report::export(&b.adam, today, today, &dir, |_, _, _| {})
        .await
        .expect_err("no file");
    // The export stopped inside its read-only snapshot; the pooled connection it used is not
    // handed on still inside it.
    let invoice = b.issued(1_000).await;
    let adam = b.adam.get().await.expect("a connection");
    billing::record_payment(&**adam, invoice, 1_000, PaymentMethod::Cash, None, &key(6))
        .await
        .expect("the pool writes again after a failed export");
    drop(adam);
    let said = err.to_string();
    assert!(
        said.starts_with(&format!("cannot write {}: ", payments.display())),
        "{said}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
