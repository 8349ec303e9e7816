use chrono::NaiveDate;

use super::*;

const LOCAL: &str = "%d/%m/%Y";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn today() -> NaiveDate {
    day(2025, 3, 10)
}

fn draft() -> PatientDraft {
    PatientDraft {
        family_name: "  Müller ".into(),
        given_names: "Anna   Maria".into(),
        date_of_birth: "1985-06-15".into(),
        sex: "F".into(),
        phone: " +44 (0)20 7946-0958 ".into(),
        email: " anna.mueller@example.com ".into(),
        ..PatientDraft::default()
    }
}

fn errors_for(d: &PatientDraft) -> Vec<(PatientField, String)> {
    match d.validate(today(), LOCAL) {
        Ok(v) => panic!("expected errors, got {v:?}"),
        Err(e) => e.into_iter().map(|e| (e.field, e.message)).collect(),
    }
}

fn fields(d: &PatientDraft) -> Vec<PatientField> {
    errors_for(d).into_iter().map(|(f, _)| f).collect()
}

#[test]
fn a_complete_form_is_trimmed_and_empty_optionals_are_none() {
    let v = draft().validate(today(), LOCAL).expect("valid");
    assert_eq!(v.family_name, "Müller");
    assert_eq!(v.given_names, "Anna Maria");
    assert_eq!(v.date_of_birth, day(1985, 6, 15));
    assert_eq!(v.sex, Sex::Female);
    assert_eq!(v.phone.as_deref(), Some("+44 (0)20 7946-0958"));
    assert_eq!(v.email.as_deref(), Some("anna.mueller@example.com"));
    assert_eq!(v.preferred_name, None);
    assert_eq!(v.city, None);
    assert_eq!(v.insurer, None);
}

#[test]
fn names_are_required() {
    let d = PatientDraft {
        family_name: "   ".into(),
        given_names: String::new(),
        ..draft()
    };
    let e = errors_for(&d);
    assert_eq!(e.len(), 2, "{e:?}");
    assert_eq!(
        e[0],
        (
            PatientField::FamilyName,
            "Family name is required.".to_string()
        )
    );
    assert_eq!(e[1].0, PatientField::GivenNames);
}

#[test]
fn every_problem_is_reported_at_once() {
    let d = PatientDraft {
        family_name: String::new(),
        date_of_birth: "yesterday".into(),
        sex: "x".into(),
        phone: "12".into(),
        email: "nope".into(),
        ..draft()
    };
    assert_eq!(
        fields(&d),
        vec![
            PatientField::FamilyName,
            PatientField::DateOfBirth,
            PatientField::Sex,
            PatientField::Phone,
            PatientField::Email
        ]
    );
}

#[test]
fn too_long_values_name_the_limit() {
    let d = PatientDraft {
        family_name: "x".repeat(101),
        postcode: "1".repeat(21),
        ..draft()
    };
    let e = errors_for(&d);
    assert_eq!(
        e[0],
        (
            PatientField::FamilyName,
            "Too long: at most 100 characters.".to_string()
        )
    );
    assert_eq!(e[1].0, PatientField::Postcode);
    // Characters, not bytes: a hundred accented letters are fine.
    let d = PatientDraft {
        family_name: "é".repeat(100),
        ..draft()
    };
    assert!(d.validate(today(), LOCAL).is_ok());
}

#[test]
fn date_of_birth_in_iso_or_the_local_format() {
    for (typed, want) in [
        ("1985-06-15", day(1985, 6, 15)),
        ("15/06/1985", day(1985, 6, 15)),
        (" 1/2/2003 ", day(2003, 2, 1)),
        ("2025-03-10", today()),
    ] {
        let d = PatientDraft {
            date_of_birth: typed.into(),
            ..draft()
        };
        assert_eq!(
            d.validate(today(), LOCAL).expect(typed).date_of_birth,
            want,
            "{typed}"
        );
    }
    // Another clinic's local format.
    let d = PatientDraft {
        date_of_birth: "06.15.1985".into(),
        ..draft()
    };
    assert_eq!(
        d.validate(today(), "%m.%d.%Y")
            .expect("US-style")
            .date_of_birth,
        day(1985, 6, 15)
    );
}

#[test]
fn date_of_birth_must_be_real_past_and_not_absurd() {
    let message = |typed: &str| {
        let d = PatientDraft {
            date_of_birth: typed.into(),
            ..draft()
        };
        errors_for(&d).remove(0)
    };
    assert_eq!(
        message("31/02/1990"),
        (
            PatientField::DateOfBirth,
            "Not a date. Enter the date as 1985-06-15 or 15/06/1985.".into()
        )
    );
    assert_eq!(message("2025-03-11").1, "Date of birth is in the future.");
    assert_eq!(
        message("1895-03-09").1,
        "Date of birth is more than 130 years ago."
    );
    assert!(message("").1.starts_with("Date of birth is required."));
    // Exactly 130 years ago is still accepted, as by the database's trigger.
    let d = PatientDraft {
        date_of_birth: "1895-03-10".into(),
        ..draft()
    };
    assert!(d.validate(today(), LOCAL).is_ok());
}

#[test]
fn a_broken_local_format_still_accepts_iso() {
    let d = PatientDraft {
        date_of_birth: "1985-06-15".into(),
        ..draft()
    };
    assert!(d.validate(today(), "%Q").is_ok());
    let d = PatientDraft {
        date_of_birth: "15/06/1985".into(),
        ..draft()
    };
    let e = d.validate(today(), "%Q").expect_err("not ISO");
    assert_eq!(
        e[0].message, "Not a date. Enter the date as 1985-06-15.",
        "no broken example shown"
    );
}

#[test]
fn sex_accepts_words_and_first_letters() {
    for (typed, want) in [
        ("female", Sex::Female),
        ("M", Sex::Male),
        (" i ", Sex::Intersex),
        ("Unknown", Sex::Unknown),
        ("u", Sex::Unknown),
    ] {
        assert_eq!(Sex::parse(typed), Some(want), "{typed}");
    }
    for bad in ["", "x", "fe", "woman", "mf"] {
        assert_eq!(Sex::parse(bad), None, "{bad}");
    }
}

#[test]
fn phone_shapes() {
    let check = |typed: &str| {
        let d = PatientDraft {
            phone: typed.into(),
            ..draft()
        };
        d.validate(today(), LOCAL)
            .map(|v| v.phone)
            .map_err(|e| e[0].message.clone())
    };
    assert_eq!(check(""), Ok(None));
    assert_eq!(check("07700 900123"), Ok(Some("07700 900123".into())));
    assert_eq!(check("(555) 123-4567"), Ok(Some("(555) 123-4567".into())));
    assert_eq!(check("+1.555.123.4567"), Ok(Some("+1.555.123.4567".into())));
    assert_eq!(
        check("12 34 5"),
        Err("A phone number needs at least 6 digits.".into())
    );
    assert_eq!(
        check("0770 CALL ME"),
        Err("A phone number has only digits, spaces and + ( ) . -".into())
    );
    assert_eq!(
        check(&"1".repeat(31)),
        Err("A phone number is at most 30 characters long.".into())
    );
    // The emergency contact's phone follows the same rule, reported against its own field.
    let d = PatientDraft {
        emergency_contact_phone: "abc".into(),
        ..draft()
    };
    assert_eq!(fields(&d), vec![PatientField::EmergencyContactPhone]);
}

#[test]
fn email_shapes() {
    let ok = |typed: &str| {
        let d = PatientDraft {
            email: typed.into(),
            ..draft()
        };
        d.validate(today(), LOCAL).is_ok()
    };
    for good in [
        "",
        "a@b.co",
        "first.last+tag@mail.example.org",
        "ÉLODIE@exemple.fr",
    ] {
        assert!(ok(good), "{good}");
    }
    for bad in [
        "plain",
        "@example.com",
        "a@",
        "a@example",
        "a@@example.com",
        "a b@example.com",
        "a@example.",
        "a@.com",
    ] {
        assert!(!ok(bad), "{bad}");
    }
}

#[test]
fn the_edit_form_round_trips_a_stored_patient() {
    let v = draft().validate(today(), LOCAL).expect("valid");
    let stored = Patient {
        id: 7,
        patient_number: 10007,
        family_name: v.family_name.clone(),
        given_names: v.given_names.clone(),
        preferred_name: None,
        date_of_birth: v.date_of_birth,
        sex: v.sex,
        gender_identity: None,
        phone: v.phone.clone(),
        email: v.email.clone(),
        address_line1: None,
        address_line2: None,
        city: None,
        postcode: None,
        emergency_contact_name: None,
        emergency_contact_phone: None,
        insurer: None,
        insurance_number: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
        created_by: None,
        updated_at: chrono::DateTime::UNIX_EPOCH,
        updated_by: None,
        version: 1,
    };
    let form = PatientDraft::from_patient(&stored, LOCAL);
    assert_eq!(form.date_of_birth, "15/06/1985");
    assert_eq!(form.sex, "female");
    assert_eq!(
        form.validate(today(), LOCAL).expect("still valid"),
        stored.details()
    );

    let mut changed = stored.details();
    changed.phone = None;
    changed.city = Some("Ashford".into());
    assert_eq!(
        stored.details().differences(&changed),
        vec![
            (
                PatientField::Phone,
                "+44 (0)20 7946-0958".into(),
                String::new()
            ),
            (PatientField::City, String::new(), "Ashford".into()),
        ]
    );
}

#[test]
fn fields_map_to_columns_and_back() {
    for f in PatientField::ALL {
        assert_eq!(PatientField::from_column(f.column()), Some(f));
        assert!(!f.label().is_empty());
    }
    assert_eq!(PatientField::from_column("phone_digits"), None);
}

#[test]
fn search_input_is_routed_by_shape() {
    let parse = |s: &str| SearchQuery::parse(s, LOCAL);
    assert_eq!(parse(""), SearchQuery::Empty);
    assert_eq!(parse("  \t "), SearchQuery::Empty);
    assert_eq!(parse(" , ,"), SearchQuery::Empty);
    assert_eq!(parse("1985-06-15"), SearchQuery::Date(day(1985, 6, 15)));
    assert_eq!(parse("15/06/1985"), SearchQuery::Date(day(1985, 6, 15)));
    assert_eq!(
        parse("Anna.Mueller@"),
        SearchQuery::Email("anna.mueller@".into())
    );
    assert_eq!(parse("anna@exa"), SearchQuery::Email("anna@exa".into()));
    assert_eq!(parse("10042"), SearchQuery::Digits("10042".into()));
    assert_eq!(
        parse("+44 (0)20 7946-0958"),
        SearchQuery::Digits("4402079460958".into())
    );
    assert_eq!(parse("555.0123"), SearchQuery::Digits("5550123".into()));
    // An unfinished ISO date is digits for now; it becomes a date when complete.
    assert_eq!(parse("1985-06"), SearchQuery::Digits("198506".into()));
    assert_eq!(parse("Müller"), SearchQuery::Name(vec!["müller".into()]));
    assert_eq!(
        parse("Doe, John"),
        SearchQuery::Name(vec!["doe".into(), "john".into()])
    );
    assert_eq!(
        parse("  john   DOE "),
        SearchQuery::Name(vec!["john".into(), "doe".into()])
    );
    assert_eq!(parse("O'Brien"), SearchQuery::Name(vec!["o'brien".into()]));
    assert_eq!(
        parse("de la Cruz"),
        SearchQuery::Name(vec!["de".into(), "la".into(), "cruz".into()])
    );
    // Letters with digits are not a phone number.
    assert_eq!(parse("ab12"), SearchQuery::Name(vec!["ab12".into()]));
    assert_eq!(parse("-"), SearchQuery::Empty);
    assert_eq!(parse("smith -"), SearchQuery::Name(vec!["smith".into()]));
    // A birth year or date among the words narrows the name.
    let year = |y| Born {
        from: day(y, 1, 1),
        to: day(y, 12, 31),
    };
    assert_eq!(
        parse("doe john 1985"),
        SearchQuery::NameBorn(vec!["doe".into(), "john".into()], year(1985))
    );
    assert_eq!(
        parse("doe 15/06/1985"),
        SearchQuery::NameBorn(
            vec!["doe".into()],
            Born {
                from: day(1985, 6, 15),
                to: day(1985, 6, 15)
            }
        )
    );
    assert_eq!(
        parse("1985 doe"),
        SearchQuery::NameBorn(vec!["doe".into()], year(1985))
    );
    // A number that is no plausible year stays a word.
    assert_eq!(
        parse("doe 12"),
        SearchQuery::Name(vec!["doe".into(), "12".into()])
    );
}

#[test]
fn a_day_the_month_lacks_is_named() {
    assert_eq!(
        date_problem("2026-11-31", "2026-11-01"),
        "November 2026 has 30 days."
    );
    assert_eq!(
        date_problem("2028-02-30", "x"),
        "February 2028 has 29 days."
    );
    assert_eq!(
        date_problem("2026-13-01", "2026-11-01"),
        "A date, like 2026-11-01."
    );
    assert_eq!(
        date_problem("soon", "2026-11-01"),
        "A date, like 2026-11-01."
    );
}
