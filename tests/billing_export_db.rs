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
