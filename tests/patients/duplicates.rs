//! The duplicate check: likely duplicates, with their reasons, likeliest first.

use clinic::db::patients;
use clinic::domain::patient::DuplicateCandidate;
use clinic::domain::staff::Job;

use crate::common::{details, register, register_sample};
use crate::support::TestDb;

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
