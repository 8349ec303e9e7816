//! Registering and editing: every field read back as saved, the database's refusals named by
//! field, and two desks editing one patient.

use chrono::Duration;
use clinic::db::patients::{self, SaveError, UpdateError};
use clinic::domain::patient::PatientField;
use clinic::domain::staff::Job;

use crate::common::{details, register, today};
use crate::support::TestDb;

#[tokio::test]
async fn registering_and_reading_back_keeps_every_field() {
    let db = TestDb::new().await;
    let login = db.staff("rita", Job::Receptionist).await;
    let rita = db.connect(&login).await;
    let mut v = details(
        "  Müller ",
        "Anna  Maria",
        "15/06/1985",
        "+44 20 7946 0958",
        "anna@example.com",
    );
    v.city = Some("Ashford".into());
    v.insurance_number = Some("AH-1".into());
    let p = patients::insert(&rita, &v).await.expect("register");
    assert_eq!(p.family_name, "Müller");
    assert_eq!(p.given_names, "Anna Maria");
    assert_eq!(p.version, 1);
    assert!(p.patient_number >= 10001);
    assert_eq!(p.created_by, login.staff_id);
    assert_eq!(p.details(), v);
    assert_eq!(
        patients::get(&rita, p.id).await.expect("get"),
        Some(p.clone())
    );
    assert_eq!(patients::get(&rita, p.id + 1000).await.expect("get"), None);
}

#[tokio::test]
async fn the_database_refusing_a_value_names_the_field() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    // Values that skipped the form's checks (another client, an old form).
    let mut v = details("Doe", "John", "1990-01-02", "", "");
    v.date_of_birth = today() + Duration::days(1);
    match patients::insert(&rita, &v).await {
        Err(SaveError::Invalid(e)) => {
            assert_eq!(e.field, PatientField::DateOfBirth);
            assert_eq!(e.message, "Date of birth is in the future");
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    let mut v = details("Doe", "John", "1990-01-02", "", "");
    v.phone = Some("call me".into());
    match patients::insert(&rita, &v).await {
        Err(SaveError::Invalid(e)) => assert_eq!(e.field, PatientField::Phone),
        other => panic!("expected a field error, got {other:?}"),
    }
    let p = register(&rita, "Doe", "John", "1990-01-02", "", "").await;
    let mut v = p.details();
    v.email = Some("not an email".into());
    match patients::update(&rita, p.id, p.version, &v).await {
        Err(SaveError::Invalid(e)) => assert_eq!(e.field, PatientField::Email),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn two_desks_editing_one_patient_never_overwrite_each_other() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    let rosa = db.connect(&db.staff("rosa", Job::Receptionist).await).await;
    let opened = register(&rita, "Doe", "John", "1990-01-02", "555-123-4567", "").await;

    // Both desks open version 1. Rita saves a new phone number first.
    let mut ritas = opened.details();
    ritas.phone = Some("555-000-1111".into());
    let saved = patients::update(&rita, opened.id, opened.version, &ritas)
        .await
        .expect("first save");
    assert_eq!(saved.version, opened.version + 1);
    assert_eq!(saved.phone.as_deref(), Some("555-000-1111"));

    // Rosa, still on version 1, adds a city: refused, told who and when, and what differs.
    let mut rosas = opened.details();
    rosas.city = Some("Ashford".into());
    let err = patients::update(&rosa, opened.id, opened.version, &rosas)
        .await
        .expect_err("stale");
    match &err {
        UpdateError::Stale {
            current,
            changed_by,
            changed_at,
            differences,
        } => {
            assert_eq!(changed_by, "Rita");
            assert_eq!(*changed_at, saved.updated_at);
            assert_eq!(current.version, saved.version);
            assert_eq!(current.phone.as_deref(), Some("555-000-1111"));
            assert_eq!(
                differences,
                &vec![
                    (
                        PatientField::Phone,
                        "555-000-1111".to_string(),
                        "555-123-4567".to_string()
                    ),
                    (PatientField::City, String::new(), "Ashford".to_string()),
                ]
            );
        }
        other => panic!("expected Stale, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with("Rita changed this patient at "),
        "{err}"
    );
    // Nothing of Rosa's was written, and Rita's change stands.
    let now = patients::get(&rita, opened.id)
        .await
        .expect("get")
        .expect("there");
    assert_eq!(now, saved);
    // Rosa keeps what she typed, takes Rita's phone, and saves on the current version.
    rosas.phone = saved.phone.clone();
    let merged = patients::update(&rosa, opened.id, saved.version, &rosas)
        .await
        .expect("second save");
    assert_eq!(merged.city.as_deref(), Some("Ashford"));
    assert_eq!(merged.phone.as_deref(), Some("555-000-1111"));
    assert_eq!(merged.version, saved.version + 1);
    // A patient that is not there.
    assert!(matches!(
        patients::update(&rosa, opened.id + 1000, 1, &rosas).await,
        Err(SaveError::NotFound)
    ));
}
