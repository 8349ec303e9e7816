//! The patients screen's effect runner against a real database, through real logins and the same
//! deadpool pools the app uses: each Request gets the Reply the screen expects, including a save
//! refused because another desk saved first and a summary that asks only for what the job may read.

mod support;

use chrono::{Duration, Utc};
use chrono_tz::Tz;
use clinic::app::patients::{Details, Reply, Request, SaveFailure, SaveTarget, SummaryScope};
use clinic::app::RequestId;
use clinic::db::connect_as;
use clinic::domain::patient::{PatientDraft, PatientField, SearchQuery, ValidPatient};
use clinic::domain::staff::Job;
use clinic::effects::Run;
use deadpool_postgres::Pool;
use support::{Login, TestDb};

const LOCAL: &str = "%d/%m/%Y";

fn details(family: &str, given: &str, dob: &str, phone: &str) -> Box<ValidPatient> {
    let today = Utc::now().date_naive();
    Box::new(
        PatientDraft {
            family_name: family.into(),
            given_names: given.into(),
            date_of_birth: dob.into(),
            sex: "m".into(),
            phone: phone.into(),
            ..PatientDraft::default()
        }
        .validate(today, LOCAL)
        .expect("valid details"),
    )
}

/// A screen's request run as the effect runner runs it.
async fn run<R: Run>(pool: Pool, request: R) -> R::Reply {
    request.run(pool).await
}

fn pool(db: &TestDb, login: &Login) -> Pool {
    connect_as(&db.server_config(), &login.user, &login.password).expect("a pool")
}

fn everything() -> SummaryScope {
    SummaryScope {
        billing_only: false,
        balance: true,
    }
}

async fn register(
    pool: &Pool,
    family: &str,
    given: &str,
    dob: &str,
    phone: &str,
) -> clinic::domain::patient::Patient {
    match run(
        pool.clone(),
        Request::Save {
            request: RequestId(1),
            target: SaveTarget::New,
            details: details(family, given, dob, phone),
        },
    )
    .await
    {
        Reply::Saved {
            request: RequestId(1),
            result: Ok(patient),
        } => *patient,
        other => panic!("register {given} {family}: {other:?}"),
    }
}

#[tokio::test]
async fn search_summary_save_and_a_concurrent_edit_through_the_effect_runner() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let dana = db.staff("dana", Job::Receptionist).await;
    let desk_one = pool(&db, &rita);
    let desk_two = pool(&db, &dana);

    let john = register(&desk_one, "Doe", "John", "1985-06-15", "123 456 7890").await;
    register(&desk_one, "Müller", "Anna", "1970-01-02", "").await;

    // Search: the reply answers the request it was asked with.
    for (typed, expected) in [
        ("doe jo", "John"),
        ("1985-06-15", "John"),
        ("7890", "John"),
        ("muller", "Anna"),
    ] {
        match run(
            desk_one.clone(),
            Request::Search {
                request: RequestId(7),
                query: SearchQuery::parse(typed, LOCAL),
                limit: 100,
            },
        )
        .await
        {
            Reply::Found {
                request: RequestId(7),
                result: Ok(hits),
            } => assert_eq!(
                hits.first().map(|h| h.given_names.as_str()),
                Some(expected),
                "{typed}"
            ),
            other => panic!("{typed}: {other:?}"),
        }
    }

    // Summary: the whole record, appointments (none yet) and the balance (nothing owed).
    match run(
        desk_one.clone(),
        Request::Summary {
            request: RequestId(8),
            patient_id: john.id,
            scope: everything(),
            around: Utc::now(),
        },
    )
    .await
    {
        Reply::Summary {
            request: RequestId(8),
            result: Ok(summary),
        } => {
            assert!(
                matches!(&summary.details, Details::Full(p) if p.id == john.id && p.version == 1)
            );
            assert!(summary.appointments.is_empty());
            assert_eq!(summary.balance, Some(Vec::new()));
        }
        other => panic!("{other:?}"),
    }

    // The duplicate check finds John for a second John Doe born the same day.
    match run(
        desk_one.clone(),
        Request::Duplicates {
            request: RequestId(9),
            details: details("Doe", "John", "1985-06-15", ""),
            exclude: None,
        },
    )
    .await
    {
        Reply::Duplicates {
            result: Ok(candidates),
            ..
        } => assert_eq!(candidates.first().map(|c| c.patient.id), Some(john.id)),
        other => panic!("{other:?}"),
    }

    // Two desks edit John from version 1: the second save is refused with who and what differs.
    let theirs = run(
        desk_two.clone(),
        Request::Save {
            request: RequestId(10),
            target: SaveTarget::Existing {
                id: john.id,
                version: 1,
            },
            details: details("Doe", "John", "1985-06-15", "555 010 1111"),
        },
    )
    .await;
    assert!(
        matches!(&theirs, Reply::Saved { result: Ok(p), .. } if p.version == 2),
        "{theirs:?}"
    );
    let mut mine = details("Doe", "Johnny", "1985-06-15", "123 456 7890");
    match run(
        desk_one.clone(),
        Request::Save {
            request: RequestId(11),
            target: SaveTarget::Existing {
                id: john.id,
                version: 1,
            },
            details: mine.clone(),
        },
    )
    .await
    {
        Reply::Saved {
            request: RequestId(11),
            result: Err(SaveFailure::Stale(info)),
        } => {
            assert_eq!(info.changed_by, "Dana");
            assert_eq!(info.current.version, 2);
            assert!((Utc::now() - info.changed_at) < Duration::minutes(5));
            let fields: Vec<PatientField> = info.differences.iter().map(|d| d.0).collect();
            assert_eq!(fields, vec![PatientField::GivenNames, PatientField::Phone]);
            assert!(info.differences.contains(&(
                PatientField::Phone,
                "555 010 1111".into(),
                "123 456 7890".into()
            )));
        }
        other => panic!("expected a stale refusal, got {other:?}"),
    }
    // Saving again over the version now stored goes through.
    mine.phone = Some("555 010 2222".into());
    match run(
        desk_one.clone(),
        Request::Save {
            request: RequestId(12),
            target: SaveTarget::Existing {
                id: john.id,
                version: 2,
            },
            details: mine,
        },
    )
    .await
    {
        Reply::Saved { result: Ok(p), .. } => {
            assert_eq!((p.given_names.as_str(), p.version), ("Johnny", 3));
        }
        other => panic!("{other:?}"),
    }

    // A value the database refuses comes back as that field's message.
    let mut future = details("Doe", "Baby", "2020-01-01", "");
    future.date_of_birth = Utc::now().date_naive() + Duration::days(30);
    match run(
        desk_one.clone(),
        Request::Save {
            request: RequestId(13),
            target: SaveTarget::New,
            details: future,
        },
    )
    .await
    {
        Reply::Saved {
            result: Err(SaveFailure::Field(error)),
            ..
        } => assert_eq!(error.field, PatientField::DateOfBirth),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_summary_reads_only_what_each_job_may_and_check_in_works() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let greg = db.staff("greg", Job::Doctor).await;
    let adam = db.staff("adam", Job::Accountant).await;
    let desk = pool(&db, &rita);
    let john = register(&desk, "Doe", "John", "1985-06-15", "123 456 7890").await;

    // An appointment with Greg today (booked by the superuser, as the calendar would) and an
    // issued invoice with 40.00 open.
    let su = db.superuser().await;
    let starts = Utc::now() + Duration::hours(1);
    let row = su
        .query_one(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, reason)
             VALUES ($1, $2, $3, $4, 'check-up') RETURNING id",
            &[
                &john.id,
                &greg.staff_id.expect("staff"),
                &starts,
                &(starts + Duration::minutes(15)),
            ],
        )
        .await
        .expect("book");
    let appointment: i64 = row.get(0);
    // Amounts come from lines only, and an invoice is issued after its lines are in.
    su.batch_execute(&format!(
        "WITH inv AS (INSERT INTO clinic.invoices (patient_id, currency) VALUES ({}, 'USD') RETURNING id)
         INSERT INTO clinic.invoice_lines (invoice_id, description, unit_price_minor)
         SELECT id, 'Consultation', 4000 FROM inv;
         UPDATE clinic.invoices SET status = 'issued', issued_at = now() WHERE patient_id = {};",
        john.id, john.id
    ))
    .await
    .expect("invoice");

    let summary = |pool: Pool, scope: SummaryScope| async move {
        match run(
            pool,
            Request::Summary {
                request: RequestId(1),
                patient_id: john.id,
                scope,
                around: Utc::now() - Duration::hours(12),
            },
        )
        .await
        {
            Reply::Summary { result, .. } => result,
            other => panic!("{other:?}"),
        }
    };

    let full = summary(desk.clone(), everything())
        .await
        .expect("reception reads it all");
    assert_eq!(full.appointments.len(), 1);
    assert_eq!(full.appointments[0].doctor, "Greg");
    assert_eq!(full.balance.as_ref().map(|b| b[0].minor()), Some(4000));

    // The doctor: the whole record, their appointment, and no balance asked for.
    let doctor = summary(
        pool(&db, &greg),
        SummaryScope {
            billing_only: false,
            balance: false,
        },
    )
    .await
    .expect("a doctor reads demographics");
    assert!(matches!(doctor.details, Details::Full(_)));
    assert_eq!((doctor.appointments.len(), doctor.balance), (1, None));
    // Had the app asked, the database would have said no: the scope is not a courtesy.
    let refused = summary(pool(&db, &greg), everything()).await;
    assert!(refused.is_err(), "{refused:?}");

    // The accountant: billing columns only, and the balance.
    let billing = summary(
        pool(&db, &adam),
        SummaryScope {
            billing_only: true,
            balance: true,
        },
    )
    .await
    .expect("billing fields are granted");
    assert!(
        matches!(&billing.details, Details::Billing(p) if p.phone.as_deref() == Some("123 456 7890"))
    );
    assert!(
        summary(pool(&db, &adam), everything()).await.is_err(),
        "the whole record is not theirs"
    );

    // Check in from the summary.
    let tz: Tz = "America/New_York".parse().expect("tz");
    match run(
        desk.clone(),
        Request::CheckIn {
            request: RequestId(2),
            appointment_id: appointment,
            version: 1,
            tz,
        },
    )
    .await
    {
        Reply::CheckedIn {
            result: Ok(words), ..
        } => assert!(words.starts_with("Checked in for "), "{words}"),
        other => panic!("{other:?}"),
    }
    // A second check-in of the same version is refused in words.
    match run(
        desk,
        Request::CheckIn {
            request: RequestId(3),
            appointment_id: appointment,
            version: 1,
            tz,
        },
    )
    .await
    {
        Reply::CheckedIn {
            result: Err(words), ..
        } => assert!(!words.is_empty()),
        other => panic!("{other:?}"),
    }
}

/// The summary's balance is what Billing shows as owed for the patient: what the open invoices
/// (issued, overdue, partly paid, refunded back to partly paid) still owe after payments and
/// credit notes, with a paid invoice, a void one and a credit note owing nothing.
#[tokio::test]
async fn the_summary_balance_is_what_billing_shows_owed() {
    use clinic::app::billing::{Reply as BillingReply, Request as BillingRequest};
    use clinic::domain::invoice::InvoiceFilter;

    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let adam = db.staff("adam", Job::Accountant).await;
    let desk = pool(&db, &rita);
    let accounts = pool(&db, &adam);
    let john = register(&desk, "Doe", "John", "1985-06-15", "123 456 7890").await;
    let su = db.superuser().await;
    let issued = |total: i64, due_in: i32| {
        let su = &su;
        async move {
            let id: i64 = su
                .query_one(
                    "INSERT INTO clinic.invoices (patient_id, currency) VALUES ($1, 'USD') RETURNING id",
                    &[&john.id],
                )
                .await
                .expect("invoice")
                .get(0);
            su.batch_execute(&format!(
                "INSERT INTO clinic.invoice_lines (invoice_id, description, unit_price_minor)
                 VALUES ({id}, 'Consultation', {total});
                 UPDATE clinic.invoices SET status = 'issued', issued_at = now(),
                        due_on = current_date + {due_in} WHERE id = {id};
                 SELECT clinic.number_invoices();"
            ))
            .await
            .expect("issued");
            id
        }
    };
    let overdue = issued(5_000, -10).await;
    let part_paid = issued(10_000, 30).await;
    let refunded = issued(3_000, 30).await;
    let paid = issued(2_000, 30).await;
    let voided = issued(1_500, 30).await;
    let credited = issued(4_000, 30).await;
    let c = accounts.get().await.expect("a connection");
    c.batch_execute(&format!(
        "SELECT clinic.record_payment({part_paid}, 4000, 'card', NULL, gen_random_uuid());
         SELECT clinic.record_payment({refunded}, 3000, 'cash', NULL, gen_random_uuid());
         SELECT clinic.record_refund({refunded}, 600, 'cash', NULL, gen_random_uuid());
         SELECT clinic.record_payment({paid}, 2000, 'card', NULL, gen_random_uuid());
         UPDATE clinic.invoices SET status = 'void', void_reason = 'wrong patient' WHERE id = {voided};"
    ))
    .await
    .expect("payments, a refund and a void");
    // A credit note taking 10.00 off: the note itself owes nothing, its invoice 30.00.
    let note: i64 = c
        .query_one(
            "SELECT clinic.credit_note($1, 'shorter visit')",
            &[&credited],
        )
        .await
        .expect("a credit note")
        .get(0);
    c.batch_execute(&format!(
        "UPDATE clinic.invoice_lines SET unit_price_minor = 1000 WHERE invoice_id = {note};
         SELECT clinic.issue_invoice({note}, current_date + 30);"
    ))
    .await
    .expect("the note issued");
    let status: String = su
        .query_one(
            "SELECT status FROM clinic.invoices WHERE id = $1",
            &[&refunded],
        )
        .await
        .expect("status")
        .get(0);
    assert_eq!(status, "partially_paid", "refunded back to partly paid");

    // Billing's owed for the patient, as the screen adds it up.
    let rows = match (BillingRequest::Load {
        request: RequestId(1),
        filter: InvoiceFilter::Patient {
            patient_id: john.id,
            name: "Doe, John".into(),
        },
        limit: 500,
    })
    .run(accounts.clone())
    .await
    {
        BillingReply::Loaded { result, .. } => result.expect("the patient's invoices"),
        other => panic!("{other:?}"),
    };
    let billing_owed: i64 = rows
        .iter()
        .filter(|r| r.takes_payment())
        .map(|r| r.balance().minor())
        .sum();
    // 50.00 overdue + 60.00 part paid + 6.00 after the refund + 30.00 after the credit note.
    assert_eq!(billing_owed, 5_000 + 6_000 + 600 + 3_000);
    let today = Utc::now().date_naive();
    assert!(rows.iter().any(|r| r.id == overdue && r.overdue(today)));
    let listed_owed: i64 = rows.iter().map(|r| r.balance().minor()).sum();
    assert_eq!(listed_owed, billing_owed, "nothing else in the list owes");

    for (who, p, scope) in [
        ("the desk", desk.clone(), everything()),
        (
            "accounts",
            accounts.clone(),
            SummaryScope {
                billing_only: true,
                balance: true,
            },
        ),
    ] {
        let summary = match run(
            p,
            Request::Summary {
                request: RequestId(2),
                patient_id: john.id,
                scope,
                around: Utc::now(),
            },
        )
        .await
        {
            Reply::Summary { result, .. } => result.expect("a summary"),
            other => panic!("{other:?}"),
        };
        let balance = summary.balance.expect("asked for");
        assert_eq!(balance.len(), 1, "{who}: {balance:?}");
        assert_eq!(balance[0].minor(), billing_owed, "{who}");
        assert_eq!(balance[0].currency().code(), "USD", "{who}");
    }
}
