//! The registration form's checks: phone numbers, email addresses, and a whole draft of anything.

use chrono::NaiveDate;
use clinic::domain::patient::{date_of_birth_warning, FieldError, PatientDraft, PatientField};
use proptest::prelude::*;

use crate::{cases, date_format, text};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a day")
}

/// A draft that passes, but for what a property puts into it.
fn draft() -> PatientDraft {
    PatientDraft {
        family_name: "Doe".into(),
        given_names: "Jane".into(),
        date_of_birth: "1985-06-15".into(),
        sex: "f".into(),
        ..PatientDraft::default()
    }
}

fn only_on(errors: &[FieldError], field: PatientField) -> bool {
    errors.iter().all(|e| e.field == field)
}

/// A phone number the table accepts: 6 to 30 of digits, spaces and + ( ) . - with 6 digits.
fn phone() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            "[0-9]{1,4}",
            prop::sample::select(vec!["", " ", "-", ".", " (", ") ", "+"]),
        ),
        2..6,
    )
    .prop_map(|parts| {
        parts
            .iter()
            .map(|(d, s)| format!("{s}{d}"))
            .collect::<String>()
    })
    .prop_filter("6 to 30 characters, 6 digits", |p| {
        let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
        (6..=30).contains(&p.len()) && p.chars().filter(char::is_ascii_digit).count() >= 6
    })
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_phone_is_taken_in_the_tables_shape_or_refused(typed in text()) {
        let mut d = draft();
        d.phone = typed.clone();
        d.emergency_contact_phone = typed.clone();
        match d.validate(today(), "%d/%m/%Y") {
            Ok(v) => {
                prop_assert_eq!(&v.phone, &v.emergency_contact_phone);
                match v.phone {
                    None => prop_assert!(typed.trim().is_empty()),
                    Some(p) => {
                        prop_assert!(p.chars().all(|c| c.is_ascii_digit() || " +().-".contains(c)), "{:?}", p);
                        prop_assert!(p.chars().filter(char::is_ascii_digit).count() >= 6);
                        prop_assert!((6..=30).contains(&p.len()));
                        prop_assert_eq!(p, typed.split_whitespace().collect::<Vec<_>>().join(" "));
                    }
                }
            }
            Err(errors) => {
                prop_assert_eq!(errors.len(), 2);
                prop_assert!(errors.iter().all(|e| matches!(e.field, PatientField::Phone | PatientField::EmergencyContactPhone)));
            }
        }
    }

    #[test]
    fn a_phone_number_as_people_write_it_is_taken(typed in phone(), pad in "[ \t]{0,3}") {
        let mut d = draft();
        d.phone = format!("{pad}{typed}{pad}");
        let v = d.validate(today(), "%d/%m/%Y");
        prop_assert!(v.is_ok(), "{:?}: {:?}", typed, v);
        let kept = v.ok().and_then(|v| v.phone);
        prop_assert_eq!(kept, Some(typed.split_whitespace().collect::<Vec<_>>().join(" ")));
    }

    #[test]
    fn any_email_is_taken_in_its_shape_or_refused(typed in prop_oneof![text(), "[a-z@. ]{0,12}", "[a-z]{0,4}@[a-z.@]{0,8}"]) {
        let mut d = draft();
        d.email = typed.clone();
        match d.validate(today(), "%d/%m/%Y") {
            Ok(v) => match v.email {
                None => prop_assert!(typed.trim().is_empty()),
                Some(e) => {
                    prop_assert_eq!(e.as_str(), typed.trim());
                    prop_assert!(!e.contains(char::is_whitespace) && e.chars().count() <= 254);
                    let (local, domain) = e.split_once('@').expect("an @");
                    prop_assert!(!local.is_empty() && !domain.contains('@'));
                    let labels: Vec<&str> = domain.split('.').collect();
                    prop_assert!(labels.len() >= 2 && labels.iter().all(|l| !l.is_empty()), "{:?}", e);
                }
            },
            Err(errors) => prop_assert!(only_on(&errors, PatientField::Email), "{:?}", errors),
        }
    }

    #[test]
    fn an_address_in_the_usual_shape_is_taken(local in "[a-zA-Z0-9._%+-]{1,30}", labels in prop::collection::vec("[a-zA-Z0-9-]{1,12}", 2..5)) {
        let typed = format!("{local}@{}", labels.join("."));
        let mut d = draft();
        d.email = format!(" {typed} ");
        let v = d.validate(today(), "%d/%m/%Y");
        prop_assert_eq!(v.ok().and_then(|v| v.email), Some(typed));
    }

    /// Every field of the form holding anything at all: an answer, never a panic, and every
    /// problem named on its own field.
    #[test]
    fn any_draft_is_validated(fields in prop::collection::vec(text(), 16), f in date_format()) {
        let d = PatientDraft {
            family_name: fields[0].clone(),
            given_names: fields[1].clone(),
            preferred_name: fields[2].clone(),
            date_of_birth: fields[3].clone(),
            sex: fields[4].clone(),
            gender_identity: fields[5].clone(),
            phone: fields[6].clone(),
            email: fields[7].clone(),
            address_line1: fields[8].clone(),
            address_line2: fields[9].clone(),
            city: fields[10].clone(),
            postcode: fields[11].clone(),
            emergency_contact_name: fields[12].clone(),
            emergency_contact_phone: fields[13].clone(),
            insurer: fields[14].clone(),
            insurance_number: fields[15].clone(),
        };
        let _ = date_of_birth_warning(&d.date_of_birth, today(), f);
        match d.validate(today(), f) {
            Ok(v) => {
                prop_assert!(v.date_of_birth <= today());
                prop_assert_eq!(v.family_name, d.family_name.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                prop_assert!(errors.iter().all(|e| !e.message.is_empty()));
            }
        }
    }
}
