//! Matching bank lines by payer and amount (sql/0021): the open invoices' payers the matcher
//! probes follow the books (an invoice issued, paid, voided; a patient renamed), family names of
//! several words are found whole, and nobody but the matcher reads them.

mod support;

use clinic::db::reconcile;
use clinic::domain::money::Currency;
use clinic::domain::staff::Job;
use clinic::domain::statement::{parse, CsvLayout, ImportSummary};
use support::{sqlstate, TestDb};
use tokio_postgres::Client;

fn eur() -> Currency {
    Currency::parse("EUR").expect("EUR")
}

async fn patient(su: &Client, given: &str, family: &str) -> i64 {
    su.query_one(
        "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                      emergency_contact_name, emergency_contact_phone, insurer, phone)
         VALUES ($1, $2, DATE '1980-01-01', 'female', 'woman', 'Kin', '0123456789', 'Acme', '0201234567')
         RETURNING id",
        &[&family, &given],
    )
    .await
    .expect("a patient")
    .get(0)
}

/// An issued, numbered invoice of `minor` for `patient`.
async fn issued(su: &Client, patient: i64, minor: i64) -> i64 {
    let id: i64 = su
        .query_one(
            "INSERT INTO clinic.invoices (patient_id, currency) VALUES ($1, 'EUR') RETURNING id",
            &[&patient],
        )
        .await
        .expect("invoice")
        .get(0);
    su.execute(
        "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor)
         VALUES ($1, 'Consultation', 1, $2)",
        &[&id, &minor],
    )
    .await
    .expect("line");
    su.batch_execute(&format!(
        "UPDATE clinic.invoices SET status = 'issued', issued_at = now(), due_on = current_date + 30
          WHERE id = {id}; SELECT clinic.number_invoices();"
    ))
    .await
    .expect("issued");
    id
}

async fn import(accounts: &Client, name: &str, csv: &str) -> ImportSummary {
    let statement = parse(csv.as_bytes(), &CsvLayout::default(), eur()).expect("parses");
    reconcile::import(accounts, name, &statement, eur())
        .await
        .expect("imports")
}

/// The invoice suggested for the open line of `amount` whose payer is `payer`, and by which rule.
async fn suggestion(su: &Client, payer: &str, amount: i64) -> Option<(i64, String)> {
    su.query_opt(
        "SELECT suggested_invoice_id, rule FROM clinic.bank_lines
          WHERE payer = $1 AND amount_minor = $2 AND state = 'open' AND suggested_invoice_id IS NOT NULL",
        &[&payer, &amount],
    )
    .await
    .expect("the line")
    .map(|r| (r.get(0), r.get(1)))
}

#[tokio::test]
async fn payers_and_amounts_follow_the_books_and_whole_family_names() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    su.batch_execute("UPDATE clinic.settings SET time_zone = 'UTC'")
        .await
        .expect("settings");
    let adam = db.connect(&db.staff("adam", Job::Accountant).await).await;

    let van_der_berg = patient(&su, "Jan", "van der Berg").await;
    let berg = patient(&su, "Karl", "Berg").await;
    let lopez = patient(&su, "María", "García-López").await;
    let vdb_45 = issued(&su, van_der_berg, 4_500).await;
    let berg_45 = issued(&su, berg, 4_500).await;
    let lopez_70 = issued(&su, lopez, 7_000).await;
    // Paid in full before the statement: no longer open, so no longer a payer to find.
    let berg_60 = issued(&su, berg, 6_000).await;
    adam.execute(
        "SELECT clinic.record_payment($1, 6000, 'cash', NULL, gen_random_uuid())",
        &[&berg_60],
    )
    .await
    .expect("paid at the desk");

    let first = import(
        &adam,
        "one.csv",
        "date,amount,reference,payer\n\
         2026-11-14,45.00,thanks,J VAN DER BERG\n\
         2026-11-14,45.00,thanks,K BERG\n\
         2026-11-14,70.00,consulta,Maria Garcia Lopez\n\
         2026-11-14,60.00,again,K BERG\n",
    )
    .await;
    assert_eq!(first.by_name, 3, "{first:?}");
    let name = |id: i64| Some((id, "name_amount".to_string()));
    // Both Bergs owe 45.00 and both family names are among J VAN DER BERG's words: the whole name
    // decides, and the other way round "van der Berg" is not among K BERG's.
    assert_eq!(suggestion(&su, "J VAN DER BERG", 4_500).await, name(vdb_45));
    assert_eq!(suggestion(&su, "K BERG", 4_500).await, name(berg_45));
    assert_eq!(
        suggestion(&su, "Maria Garcia Lopez", 7_000).await,
        name(lopez_70),
        "a double-barrelled name typed with a space and without its accents"
    );
    // 60.00 is owed by nobody now (and is not a unique open amount either).
    assert_eq!(suggestion(&su, "K BERG", 6_000).await, None);

    // Partly paid: the payer is found by what is still owed, not by the total.
    adam.execute(
        "SELECT clinic.record_payment($1, 2000, 'cash', NULL, gen_random_uuid())",
        &[&lopez_70],
    )
    .await
    .expect("part paid");
    // Renamed: found by the new name, no longer by the old.
    su.execute(
        "UPDATE clinic.patients SET family_name = 'Mertens' WHERE id = $1",
        &[&berg],
    )
    .await
    .expect("renamed");
    import(
        &adam,
        "two.csv",
        "date,amount,reference,payer\n\
         2026-11-20,50.00,rest,M GARCIA-LOPEZ\n\
         2026-11-20,45.00,new name,K MERTENS\n\
         2026-11-20,45.00,old name,KARL BERG\n",
    )
    .await;
    assert_eq!(
        suggestion(&su, "M GARCIA-LOPEZ", 5_000).await,
        name(lopez_70)
    );
    assert_eq!(suggestion(&su, "K MERTENS", 4_500).await, name(berg_45));
    let old = suggestion(&su, "KARL BERG", 4_500).await;
    assert_ne!(
        old,
        name(berg_45),
        "the old name no longer finds the renamed patient"
    );

    // Voided: gone from the payers too.
    su.batch_execute(&format!(
        "UPDATE clinic.invoices SET status = 'void', void_reason = 'typed twice' WHERE id = {vdb_45}"
    ))
    .await
    .expect("void");
    let open: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.open_invoice_payers WHERE invoice_id = ANY($1)",
            &[&vec![vdb_45, berg_45, lopez_70, berg_60]],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(open, 2, "berg_45 and lopez_70 are the ones still open");
    let rebuilt: i64 = su
        .query_one("SELECT clinic.rebuild_open_invoice_payers()", &[])
        .await
        .expect("rebuild")
        .get(0);
    assert_eq!(rebuilt, 2, "a rebuild finds what the triggers kept");
}

#[tokio::test]
async fn nobody_reads_the_payers_but_the_matcher() {
    let db = TestDb::new().await;
    for (name, job) in [
        ("adam", Job::Accountant),
        ("rita", Job::Receptionist),
        ("ada", Job::Admin),
        ("alice", Job::Doctor),
    ] {
        let c = db.connect(&db.staff(name, job).await).await;
        for sql in [
            "SELECT * FROM clinic.open_invoice_payers",
            "SELECT clinic.rebuild_open_invoice_payers()",
            "DELETE FROM clinic.open_invoice_payers",
        ] {
            let e = c
                .execute(sql, &[])
                .await
                .expect_err(&format!("{name}: {sql}"));
            assert_eq!(sqlstate(&e), "42501", "{name}: {sql}: {e}");
        }
    }
}

#[tokio::test]
async fn a_name_half_the_clinic_shares_is_told_apart_by_the_whole_name_or_left_alone() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    su.batch_execute("UPDATE clinic.settings SET time_zone = 'UTC'")
        .await
        .expect("settings");
    let adam = db.connect(&db.staff("adam", Job::Accountant).await).await;
    // Three Nguyens owe 30.00: the given name picks the one.
    let mut thirties = Vec::new();
    for given in ["Bich", "Van An", "Thi Mai"] {
        let p = patient(&su, given, "Nguyen").await;
        thirties.push(issued(&su, p, 3_000).await);
    }
    // Fifty-one owe 45.00: too many namesakes for a name to tell apart.
    for k in 0..51 {
        let p = patient(&su, &format!("Minh {k}"), "Nguyen").await;
        issued(&su, p, 4_500).await;
    }
    let s = import(
        &adam,
        "many.csv",
        "date,amount,reference,payer\n\
         2026-11-14,30.00,school,BICH NGUYEN\n\
         2026-11-14,45.00,visit,MINH 7 NGUYEN\n",
    )
    .await;
    assert_eq!(s.by_name, 1, "{s:?}");
    assert_eq!(
        suggestion(&su, "BICH NGUYEN", 3_000).await,
        Some((thirties[0], "name_amount".to_string()))
    );
    assert_eq!(
        suggestion(&su, "MINH 7 NGUYEN", 4_500).await,
        None,
        "51 Nguyens owe 45.00: the accountant picks"
    );
}

/// A bank's CSV and CAMT.053 exports of the same days hold the same transfers: whichever comes
/// second stages nothing (so nothing can be accepted twice), whatever the case and spacing of its
/// text; and a line naming an invoice that is paid already gets no guess by payer or amount.
#[tokio::test]
async fn the_same_transfers_in_another_format_are_not_staged_twice() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    su.batch_execute("UPDATE clinic.settings SET time_zone = 'UTC'")
        .await
        .expect("settings");
    let adam = db.connect(&db.staff("adam", Job::Accountant).await).await;
    let csv = import(
        &adam,
        "nov.csv",
        "date,amount,reference,payer\n\
         2026-11-14,80.00,INV  2026-000119 garcia,LUIS GARCIA\n\
         2026-11-16,45.00,Doctor visit,L Wilson\n",
    )
    .await;
    assert_eq!((csv.lines_read, csv.lines_new), (2, 2));
    let xml = include_str!("data/camt053-sample.xml");
    let camt = parse(xml.as_bytes(), &CsvLayout::default(), eur()).expect("reads");
    let again = reconcile::import(&adam, "nov.xml", &camt, eur())
        .await
        .expect("imports");
    assert_eq!(
        (again.lines_read, again.lines_new),
        (2, 0),
        "the CAMT export of the same two transfers stages nothing"
    );
    let staged: i64 = su
        .query_one("SELECT count(*) FROM clinic.bank_lines", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(staged, 2);

    // 2026-000119 is paid: a line naming it is not offered to someone owing the same amount.
    let okoye = patient(&su, "Ada", "Okoye").await;
    let paid = issued(&su, okoye, 6_000).await;
    let number: String = su
        .query_one(
            "SELECT invoice_number FROM clinic.invoices WHERE id = $1",
            &[&paid],
        )
        .await
        .expect("number")
        .get(0);
    adam.execute(
        "SELECT clinic.record_payment($1, 6000, 'cash', NULL, gen_random_uuid())",
        &[&paid],
    )
    .await
    .expect("paid");
    let other = issued(&su, okoye, 6_000).await;
    import(
        &adam,
        "dec.csv",
        &format!(
            "date,amount,reference,payer\n\
             2026-12-01,60.00,Invoice {number},A OKOYE\n\
             2026-12-01,60.00,thanks,A OKOYE\n"
        ),
    )
    .await;
    let named = su
        .query_one(
            "SELECT suggested_invoice_id FROM clinic.bank_lines WHERE reference = $1",
            &[&format!("Invoice {number}")],
        )
        .await
        .expect("the line")
        .get::<_, Option<i64>>(0);
    assert_eq!(named, None, "it names a paid invoice: the accountant looks");
    assert_eq!(
        suggestion(&su, "A OKOYE", 6_000).await,
        Some((other, "name_amount".to_string())),
        "the line naming nothing is matched as before"
    );
}

/// An accepted transfer is money received on the day the bank booked it (midday at the clinic),
/// not on the day it was reconciled; nobody but the reconciling functions dates a payment.
#[tokio::test]
async fn a_transfer_is_dated_when_the_bank_booked_it() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    su.batch_execute("UPDATE clinic.settings SET time_zone = 'Europe/Amsterdam'")
        .await
        .expect("settings");
    let adam = db.connect(&db.staff("adam", Job::Accountant).await).await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    let p = patient(&su, "Ada", "Okoye").await;
    let invoice = issued(&su, p, 5_000).await;
    import(
        &adam,
        "nov.csv",
        "date,amount,reference,payer\n2026-11-14,50.00,thanks,A OKOYE\n",
    )
    .await;
    let line: i64 = su
        .query_one("SELECT id FROM clinic.bank_lines", &[])
        .await
        .expect("line")
        .get(0);
    let paid = reconcile::accept(&adam, line, &[(invoice, 5_000)])
        .await
        .expect("accepted");
    let (day, hour): (chrono::NaiveDate, i32) = su
        .query_one(
            "SELECT (received_at AT TIME ZONE 'Europe/Amsterdam')::date,
                    extract(hour FROM received_at AT TIME ZONE 'Europe/Amsterdam')::int
               FROM clinic.payments WHERE id = $1",
            &[&paid[0]],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))
        .expect("the payment");
    assert_eq!(
        (day, hour),
        (
            chrono::NaiveDate::from_ymd_opt(2026, 11, 14).expect("day"),
            12
        )
    );
    for c in [&adam, &rita] {
        let e = c
            .execute(
                "SELECT clinic.record_money_at($1, 'payment', 100, 'cash', NULL, gen_random_uuid(),
                                               now() - interval '30 days')",
                &[&invoice],
            )
            .await
            .expect_err("a backdated payment");
        assert_eq!(sqlstate(&e), "42501", "{e}");
    }
}
