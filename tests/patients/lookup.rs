//! Every shape of lookup: names in any order and with accents or a typo, their ranking, date of
//! birth, phone tail, patient number and email, and the next appointment a hit shows.

use chrono::{Duration, Utc};
use clinic::db::patients;
use clinic::domain::staff::Job;

use crate::common::{find, names, register, register_sample};
use crate::support::TestDb;

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
async fn a_birth_year_or_date_with_the_name_narrows_by_both() {
    let db = TestDb::new().await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    register_sample(&rita).await;
    // A second John Doe, born in another year: the year tells them apart.
    register(&rita, "Doe", "John", "1985-06-15", "", "").await;

    assert_eq!(
        names(&rita, "doe john").await[..2],
        ["John Doe", "John Doe"]
    );
    let by_year = find(&rita, "doe john 1985").await;
    assert_eq!(
        by_year
            .iter()
            .map(|h| (h.given_names.as_str(), h.date_of_birth.to_string()))
            .collect::<Vec<_>>(),
        vec![("John", "1985-06-15".to_string())],
        "only the John Doe born in 1985"
    );
    let by_date = find(&rita, "doe 02/01/1990").await;
    assert_eq!(
        by_date
            .iter()
            .map(|h| (h.given_names.as_str(), h.date_of_birth.to_string()))
            .collect::<Vec<_>>(),
        vec![("John", "1990-01-02".to_string())],
        "Jane Doe and the other John are born on other days"
    );
    assert_eq!(
        names(&rita, "1990-01-02 doe").await,
        vec!["John Doe"],
        "the date may come first"
    );
    // A typo in the name still finds them when the year agrees, not when it does not.
    assert_eq!(names(&rita, "jhon doe 1990").await, vec!["John Doe"]);
    assert!(names(&rita, "smith 1990").await.is_empty());
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
