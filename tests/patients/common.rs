//! What the patients tests share: validated details, registering and finding through the app's own
//! queries, and a small clinic's worth of look-alikes.

use chrono::{NaiveDate, Utc};
use clinic::db::patients;
use clinic::domain::patient::{Patient, PatientDraft, PatientHit, SearchQuery, ValidPatient};
use tokio_postgres::Client;

pub const LOCAL: &str = "%d/%m/%Y";

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub fn details(family: &str, given: &str, dob: &str, phone: &str, email: &str) -> ValidPatient {
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

pub async fn register(
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

pub async fn find(c: &Client, typed: &str) -> Vec<PatientHit> {
    patients::search(c, &SearchQuery::parse(typed, LOCAL), 20)
        .await
        .unwrap_or_else(|e| panic!("search {typed:?}: {e}"))
}

/// "Given Family" of each hit, in order.
pub async fn names(c: &Client, typed: &str) -> Vec<String> {
    find(c, typed)
        .await
        .iter()
        .map(|h| format!("{} {}", h.given_names, h.family_name))
        .collect()
}

/// A small clinic's worth of look-alikes.
pub async fn register_sample(c: &Client) -> Vec<Patient> {
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
