//! Finding, registering and editing patients as the desk does, through real logins: every shape of
//! lookup (name in any order and with accents or a typo, date of birth, phone tail, patient number,
//! email), its ranking, the duplicate check, two desks editing one patient, the accountant's
//! narrower view, and that no lookup form reads the whole patients table.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use clinic::db::patients::{self, SaveError, UpdateError};
use clinic::db::DbError;
use clinic::domain::patient::{DuplicateCandidate, PatientHit};
use clinic::domain::patient::{Patient, PatientDraft, PatientField, SearchQuery, ValidPatient};
use clinic::domain::staff::Job;
use support::TestDb;
use tokio_postgres::Client;

const LOCAL: &str = "%d/%m/%Y";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn details(family: &str, given: &str, dob: &str, phone: &str, email: &str) -> ValidPatient {
    PatientDraft {
        family_name: family.into(),
        given_names: given.into(),
        date_of_birth: dob.into(),
        sex: "u".into(),
        phone: phone.into(),
        email: email.into(),
        ..PatientDraft::default()
    }
    .validate(today(), LOCAL)
    .unwrap_or_else(|e| panic!("{family}, {given}: {e:?}"))
}

async fn register(
    c: &Client,
    family: &str,
    given: &str,
    dob: &str,
    phone: &str,
    email: &str,
) -> Patient {
    patients::insert(c, &details(family, given, dob, phone, email))
        .await
        .unwrap_or_else(|e| panic!("register {given} {family}: {e}"))
}

async fn find(c: &Client, typed: &str) -> Vec<PatientHit> {
    patients::search(c, &SearchQuery::parse(typed, LOCAL), 20)
        .await
        .unwrap_or_else(|e| panic!("search {typed:?}: {e}"))
}

/// "Given Family" of each hit, in order.
async fn names(c: &Client, typed: &str) -> Vec<String> {
    find(c, typed)
        .await
        .iter()
        .map(|h| format!("{} {}", h.given_names, h.family_name))
        .collect()
}

/// A small clinic's worth of look-alikes.
async fn register_sample(c: &Client) -> Vec<Patient> {
    let mut out = Vec::new();
    for (family, given, dob, phone, email) in [
        (
            "Müller",
            "Anna",
            "1985-06-15",
            "+44 (0)20 7946-0958",
            "anna.mueller@example.com",
        ),
        (
            "Doe",
            "John",
            "1990-01-02",
            "555-123-4567",
            "john.doe@example.com",
        ),
        ("Doe", "Jane", "1992-03-04", "555 987 6543", ""),
        ("Dowe", "Jon", "1970-07-07", "", "jon@dowe.test"),
        ("Smith", "John", "1961-11-30", "07700 900123", ""),
        (
            "Smith",
            "Mary Ann",
            "1964-02-29",
            "07700 900456",
            "mary.smith@example.org",
        ),
        ("Smithson", "Peter", "1950-05-05", "", ""),
        ("Smit", "Karel", "1977-12-24", "", ""),
        (
            "García Márquez",
            "José",
            "2001-09-09",
            "(0161) 496 0000",
            "",
        ),
        (
            "O'Brien",
            "Siobhán",
            "1999-12-31",
            "",
            "siobhan@obrien.test",
        ),
        ("Johnson", "Doe", "1980-08-08", "", ""),
    ] {
        out.push(register(c, family, given, dob, phone, email).await);
    }
    out
}

#[tokio::test]
async fn names_are_found_whatever_the_case_accents_and_word_order() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    register_sample(&rita).await;

    assert_eq!(names(&rita, "muller").await, vec!["Anna Müller"]);
    assert_eq!(names(&rita, "MÜLLER anna").await, vec!["Anna Müller"]);
    assert_eq!(
        names(&rita, "anna mull").await,
        vec!["Anna Müller"],
        "partial words as typed"
    );
    assert_eq!(
        names(&rita, "jose garcia").await,
        vec!["José García Márquez"]
    );
    assert_eq!(
        names(&rita, "garcia marquez").await,
        vec!["José García Márquez"]
    );
    assert_eq!(names(&rita, "o'brien").await, vec!["Siobhán O'Brien"]);
    assert_eq!(
        names(&rita, "ann smith").await,
        vec!["Mary Ann Smith"],
        "a middle name counts"
    );

    // Both orders put John Doe first; the man whose surname is Johnson and first name Doe follows.
    for typed in ["john doe", "doe john", "Doe, John"] {
        let found = names(&rita, typed).await;
        assert_eq!(
            found.first().map(String::as_str),
            Some("John Doe"),
            "{typed}: {found:?}"
        );
        assert!(
            found.contains(&"Doe Johnson".to_string()),
            "{typed}: {found:?}"
        );
    }
}

#[tokio::test]
async fn small_typos_still_find_the_patient() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    register_sample(&rita).await;

    let found = find(&rita, "jhon doe").await;
    assert_eq!(found[0].given_names, "John", "{found:?}");
    assert_eq!(found[0].family_name, "Doe");
    assert!(
        found[0].similar,
        "marked as a similar name, not what was typed"
    );

    let found = names(&rita, "smiht").await;
    assert!(found.contains(&"John Smith".to_string()), "{found:?}");
    assert!(found.contains(&"Mary Ann Smith".to_string()), "{found:?}");
    assert_eq!(
        names(&rita, "mary smtih").await.first().map(String::as_str),
        Some("Mary Ann Smith")
    );
    assert_eq!(names(&rita, "anna muler").await, vec!["Anna Müller"]);
    // A slip in a surname of two words.
    assert_eq!(
        names(&rita, "jose garcia marqeuz").await,
        vec!["José García Márquez"]
    );
    assert_eq!(
        names(&rita, "garcai marquez").await,
        vec!["José García Márquez"]
    );
    assert_eq!(
        names(&rita, "obrien").await,
        vec!["Siobhán O'Brien"],
        "a dropped apostrophe is a typo too"
    );
    assert!(names(&rita, "zzyzx").await.is_empty());
}

#[tokio::test]
async fn exact_surnames_rank_before_longer_ones_and_before_similar_ones() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    register_sample(&rita).await;

    let found = find(&rita, "smith").await;
    let order: Vec<(&str, bool)> = found
        .iter()
        .map(|h| (h.family_name.as_str(), h.similar))
        .collect();
    assert_eq!(
        order,
        vec![
            ("Smith", false),
            ("Smith", false),
            ("Smithson", false),
            ("Smit", true)
        ],
        "exact, then prefix, then the similar surname"
    );
    // With a first name, that person leads.
    assert_eq!(names(&rita, "smith mary").await[0], "Mary Ann Smith");
    assert_eq!(
        names(&rita, "doe").await,
        vec!["Jane Doe", "John Doe", "Jon Dowe"]
    );
    // One letter, as the first keystroke: a short list, not an error.
    let first = find(&rita, "s").await;
    assert!(
        first.iter().all(|h| h.family_name.starts_with('S')),
        "{first:?}"
    );
}

#[tokio::test]
async fn the_exact_name_leads_and_a_typo_prefers_the_common_name() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    for (family, given, dob) in [
        ("Smith", "John Alfie", "1950-01-01"),
        ("Smith", "John", "1960-01-01"),
        ("Smith", "John", "1970-01-01"),
        ("Smit", "John", "1980-01-01"),
        ("Smith", "Anna", "1990-01-01"),
    ] {
        register(&rita, family, given, dob, "", "").await;
    }
    // Exactly what was typed first, then that surname with a longer first name, then similar ones.
    let found = find(&rita, "john smith").await;
    let listed: Vec<(String, bool)> = found
        .iter()
        .map(|h| (format!("{} {}", h.given_names, h.family_name), h.similar))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("John Smith".to_string(), false),
            ("John Smith".to_string(), false),
            ("John Alfie Smith".to_string(), false),
            ("John Smit".to_string(), true),
        ]
    );
    // Smith and Smit are each one slip from "smiht"; Smith is the commoner name here, so likelier.
    let found: Vec<String> = find(&rita, "smiht john")
        .await
        .iter()
        .map(|h| format!("{} {}", h.given_names, h.family_name))
        .collect();
    assert_eq!(
        found,
        vec!["John Smith", "John Smith", "John Alfie Smith", "John Smit"]
    );
    // A patient renamed is found under the new name, typo and all.
    let anna = find(&rita, "anna smith").await.remove(0);
    let mut renamed = patients::get(&rita, anna.id)
        .await
        .expect("get")
        .expect("there")
        .details();
    renamed.family_name = "Kowalczyk".into();
    patients::update(&rita, anna.id, 1, &renamed)
        .await
        .expect("rename");
    assert_eq!(names(&rita, "anna kowalcyzk").await, vec!["Anna Kowalczyk"]);
}

#[tokio::test]
async fn dates_digits_and_emails_find_the_right_patient() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    let sample = register_sample(&rita).await;
    let anna = &sample[0];

    assert_eq!(names(&rita, "1985-06-15").await, vec!["Anna Müller"]);
    assert_eq!(
        names(&rita, "15/06/1985").await,
        vec!["Anna Müller"],
        "the clinic's local format"
    );
    // The phone's tail, typed with or without its punctuation, or in full with the country code.
    for typed in [
        "0958",
        "7946-0958",
        "(020) 7946 0958",
        "+44 20 7946 0958",
        "02079460958",
    ] {
        assert_eq!(names(&rita, typed).await, vec!["Anna Müller"], "{typed}");
    }
    assert_eq!(names(&rita, "555-123-4567").await, vec!["John Doe"]);
    assert_eq!(
        names(&rita, "07700 900").await.len(),
        0,
        "a tail, not a beginning"
    );
    assert_eq!(names(&rita, "900456").await, vec!["Mary Ann Smith"]);
    // The patient number, which staff read out.
    assert_eq!(
        find(&rita, &anna.patient_number.to_string()).await[0].id,
        anna.id
    );
    // Email by its beginning, in any case.
    assert!(
        names(&rita, "anna.mu").await.is_empty(),
        "no '@' yet: that is a name"
    );
    assert_eq!(names(&rita, "ANNA.MUELLER@EX").await, vec!["Anna Müller"]);
    assert_eq!(names(&rita, "jon@").await, vec!["Jon Dowe"]);
    assert!(names(&rita, "nobody@").await.is_empty());
}

#[tokio::test]
async fn a_hit_shows_the_next_appointment_to_those_who_may_see_it() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    let alice = db.staff("alice", Job::Doctor).await;
    let bob = db.connect(&db.staff("bob", Job::Doctor).await).await;
    let anna = register(&rita, "Müller", "Anna", "1985-06-15", "", "").await;
    let su = db.superuser().await;
    let tomorrow = Utc::now() + Duration::days(1);
    for (starts, status, reason) in [
        (tomorrow - Duration::days(30), "completed", None),
        (tomorrow + Duration::days(7), "scheduled", None),
        (tomorrow, "cancelled", Some("patient called")),
        (tomorrow + Duration::hours(2), "scheduled", None),
    ] {
        su.execute(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status, cancel_reason)
             VALUES ($1, $2, $3::timestamptz, $3::timestamptz + interval '15 minutes', $4, $5)",
            &[&anna.id, &alice.staff_id, &starts, &status, &reason],
        )
        .await
        .expect("book");
    }
    let hit = find(&rita, "muller").await.remove(0);
    let next = hit.next_appointment.expect("reception sees the calendar");
    assert_eq!(next.doctor, "Alice");
    assert_eq!(
        next.starts_at.timestamp(),
        (tomorrow + Duration::hours(2)).timestamp(),
        "not the cancelled one"
    );
    // Another doctor finds the patient but not a colleague's appointment.
    let hit = find(&bob, "muller").await.remove(0);
    assert_eq!(hit.id, anna.id);
    assert_eq!(hit.next_appointment, None);
}

#[tokio::test]
async fn likely_duplicates_are_listed_with_their_reason() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    let sample = register_sample(&rita).await;
    let anna = &sample[0];
    let reasons = |found: &[DuplicateCandidate]| -> Vec<(i64, String)> {
        found
            .iter()
            .map(|d| (d.patient.id, d.reason.clone()))
            .collect()
    };

    // Same name (accents aside) and date of birth.
    let again = details("Muller", "anna", "15/06/1985", "", "");
    let found = patients::duplicates(&rita, &again, None)
        .await
        .expect("check");
    assert_eq!(
        reasons(&found),
        vec![(anna.id, "same name and date of birth".into())]
    );
    // A typo and the names swapped, same date of birth.
    for (family, given) in [("Müler", "Anna"), ("Anna", "Müller")] {
        let found =
            patients::duplicates(&rita, &details(family, given, "1985-06-15", "", ""), None)
                .await
                .expect("check");
        assert_eq!(
            reasons(&found),
            vec![(anna.id, "similar name and same date of birth".into())],
            "{given} {family}"
        );
    }
    // Another birth date (a slip of the keyboard) but the same phone, written differently.
    let found = patients::duplicates(
        &rita,
        &details("Mueller", "Anna", "1985-06-16", "020 7946 0958", ""),
        None,
    )
    .await
    .expect("check");
    assert_eq!(
        reasons(&found),
        vec![(anna.id, "similar name and same phone number".into())]
    );
    // The same email, whatever the name; several reasons are all given, likeliest first.
    let found = patients::duplicates(
        &rita,
        &details(
            "Müller",
            "Anna",
            "1985-06-15",
            "",
            "Anna.Mueller@Example.com",
        ),
        None,
    )
    .await
    .expect("check");
    assert_eq!(
        reasons(&found),
        vec![(
            anna.id,
            "same name and date of birth; same email address".into()
        )]
    );
    let found = patients::duplicates(
        &rita,
        &details("Smith", "Peter", "2000-01-01", "", "jon@dowe.test"),
        None,
    )
    .await
    .expect("check");
    assert_eq!(
        reasons(&found),
        vec![(sample[3].id, "same email address".into())]
    );
    // Someone new; and a patient being edited is not their own duplicate.
    let new = details(
        "Nakamura",
        "Yuki",
        "2010-10-10",
        "0161 496 0999",
        "yuki@example.jp",
    );
    assert!(patients::duplicates(&rita, &new, None)
        .await
        .expect("check")
        .is_empty());
    assert!(patients::duplicates(&rita, &again, Some(anna.id))
        .await
        .expect("check")
        .is_empty());
    // Likeliest first.
    let john = details("Doe", "John", "1990-01-02", "", "");
    let twin = register(&rita, "Doe", "Jon", "1990-01-02", "", "").await;
    let found = patients::duplicates(&rita, &john, None)
        .await
        .expect("check");
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].patient.id, sample[1].id);
    assert_eq!(found[1].patient.id, twin.id);
    assert!(found[0].score > found[1].score);
}

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

#[tokio::test]
async fn an_accountant_finds_patients_but_cannot_edit_them() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    let adam = db.connect(&db.staff("adam", Job::Accountant).await).await;
    let sample = register_sample(&rita).await;
    let anna = &sample[0];
    for typed in [
        "muller anna",
        "anna muler",
        "1985-06-15",
        "7946 0958",
        "anna.mueller@",
        &anna.patient_number.to_string(),
    ] {
        let found = find(&adam, typed).await;
        assert_eq!(found.first().map(|h| h.id), Some(anna.id), "{typed}");
    }
    let dups = patients::duplicates(
        &adam,
        &details("Müller", "Anna", "1985-06-15", "", ""),
        None,
    )
    .await;
    assert_eq!(dups.expect("the check reads only billing columns").len(), 1);
    // Reading the whole record or changing it is not theirs.
    assert!(matches!(
        patients::get(&adam, anna.id).await,
        Err(DbError::Forbidden)
    ));
    let err = patients::update(&adam, anna.id, anna.version, &anna.details())
        .await
        .expect_err("read only");
    assert!(matches!(err, SaveError::Db(DbError::Forbidden)), "{err:?}");
    let err = patients::insert(&adam, &anna.details())
        .await
        .expect_err("read only");
    assert!(matches!(err, SaveError::Db(DbError::Forbidden)), "{err:?}");
}

/// With enough patients that the planner weighs its options as it would at a million, every
/// lookup form, and the duplicate check, reads patients through an index.
#[tokio::test]
async fn no_lookup_reads_the_whole_patients_table() {
    let db = TestDb::new().await;
    let login = db.staff("rita", Job::Receptionist).await;
    let rita = db.connect(&login).await;
    let sample = register_sample(&rita).await;
    let su = db.superuser().await;
    su.batch_execute(
        "ALTER TABLE clinic.patients DISABLE TRIGGER USER;
         INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, phone, email)
         SELECT (ARRAY['Smith','Jones','Müller','García','Nguyen','Okafor','Dubois','Kowalski'])[1 + i % 8]
                  || CASE WHEN i % 3 = 0 THEN '' ELSE 'son' || (i % 4000)::text END,
                (ARRAY['Anna','John','Zoë','José','Mei','Ngozi','Pierre','Ola'])[1 + (i / 8) % 8],
                date '1930-01-01' + (i * 7919) % 32000,
                'unknown',
                '07' || lpad(((i::bigint * 104729) % 1000000000)::text, 9, '0'),
                CASE WHEN i % 2 = 0 THEN 'p' || i || '@example.com' END
           FROM generate_series(1, 40000) AS i;
         ALTER TABLE clinic.patients ENABLE TRIGGER USER;
         SELECT clinic.rebuild_name_words();
         ANALYZE;",
    )
    .await
    .expect("bulk patients");

    // The check sees a sequential scan when there is one: the naive substring search has one.
    let naive: serde_json::Value = rita
        .query_one(
            "EXPLAIN (FORMAT JSON) SELECT id FROM clinic.patients WHERE family_name ILIKE '%mit%'",
            &[],
        )
        .await
        .expect("explain")
        .get(0);
    assert_eq!(patients::sequential_scans(&naive), vec!["patients"]);

    let anna = &sample[0];
    let number = anna.patient_number.to_string();
    for typed in [
        "s",
        "smith",
        "smithson12",
        "john smith",
        "smith john",
        "jhon smiht",
        "zoe muller",
        "anna mary smith jones",
        "1985-06-15",
        "15/06/1985",
        "0958",
        "+44 20 7946 0958",
        &number,
        "anna.mueller@ex",
        "p12@",
    ] {
        let query = SearchQuery::parse(typed, LOCAL);
        let plans = patients::explain_search(&rita, &query, 20)
            .await
            .expect("explain");
        assert!(!plans.is_empty(), "{typed}");
        for plan in &plans {
            let scans = patients::sequential_scans(plan);
            assert!(
                !scans.iter().any(|t| t == "patients"),
                "{typed}: sequential scan of patients in\n{plan:#}"
            );
        }
    }
    let plans = patients::explain_duplicates(&rita, &anna.details(), None)
        .await
        .expect("explain");
    for plan in &plans {
        assert!(
            !patients::sequential_scans(plan)
                .iter()
                .any(|t| t == "patients"),
            "duplicates:\n{plan:#}"
        );
    }
    // And the forms still answer on the larger table.
    assert_eq!(find(&rita, "muller anna").await[0].id, anna.id);
    assert_eq!(find(&rita, "jhon smiht").await[0].given_names, "John");
}
