//! The accountant's narrower view: finds patients, cannot read whole records or edit them.

use clinic::db::patients::{self, SaveError};
use clinic::db::DbError;
use clinic::domain::staff::Job;

use crate::common::{details, find, register_sample};
use crate::support::TestDb;

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
