use super::*;

fn vitals(pairs: &[(VitalField, &str)]) -> VitalsInput {
    let mut v = VitalsInput::default();
    for (f, s) in pairs {
        v.set(*f, (*s).to_string());
    }
    v
}

#[test]
fn vitals_parse_into_the_databases_units_and_bmi_matches_its_rounding() {
    let v = vitals(&[
        (VitalField::Systolic, "128"),
        (VitalField::Diastolic, "82"),
        (VitalField::Temperature, "36,8"),
        (VitalField::Weight, "84"),
        (VitalField::Height, "178"),
    ]);
    let (values, problems) = v.check();
    assert_eq!(problems, vec![]);
    let values = values.expect("valid");
    assert_eq!(values.systolic, Some(128));
    assert_eq!(values.temperature_c, Some(Decimal::new(368, 1)));
    assert_eq!(values.weight_kg, Some(Decimal::new(840, 1)));
    assert_eq!(v.bmi(), Some(Decimal::new(265, 1)));
    assert!(VitalsInput::default().is_empty());
}

#[test]
fn impossible_values_are_refused_at_their_field_and_unusual_ones_warned() {
    let (values, problems) = vitals(&[
        (VitalField::Pulse, "720"),
        (VitalField::Temperature, "36.85"),
        (VitalField::Spo2, "abc"),
        (VitalField::Systolic, "120"),
    ])
    .check();
    assert!(values.is_none());
    let fields: Vec<VitalField> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        vec![
            VitalField::Diastolic,
            VitalField::Pulse,
            VitalField::Temperature,
            VitalField::Spo2
        ]
    );
    assert!(problems
        .iter()
        .all(|(_, p)| matches!(p, VitalsProblem::Error(_))));

    let (values, problems) = vitals(&[(VitalField::Temperature, "41.2")]).check();
    assert!(values.is_some(), "an unusual value is still saved");
    assert!(
        matches!(&problems[..], [(VitalField::Temperature, VitalsProblem::Warning(w))] if w.contains("35.0-40.0"))
    );

    let (_, problems) =
        vitals(&[(VitalField::Systolic, "80"), (VitalField::Diastolic, "90")]).check();
    assert!(matches!(
        &problems[..],
        [(VitalField::Diastolic, VitalsProblem::Error(_))]
    ));
}

#[test]
fn a_drug_matches_an_allergy_by_name_either_way_case_and_accent_blind() {
    assert!(drug_matches_allergy("Penicillin V 250 mg", "penicillin"));
    assert!(drug_matches_allergy("pénicilline", "Penicillin"));
    assert!(!drug_matches_allergy("Amoxicillin", "penicillin"));
    assert!(!drug_matches_allergy("", "penicillin"));
}

#[test]
fn a_prescription_reads_as_one_line() {
    let p = Prescription {
        id: 1,
        record_id: 1,
        drug: "Ibuprofen".into(),
        strength: Some("400 mg".into()),
        form: Some("tablet".into()),
        dose: Some("1".into()),
        route: Some("oral".into()),
        frequency: Some("3x daily".into()),
        duration_days: Some(7),
        quantity: Some(21),
        refills: 0,
        instructions: None,
        allergy_confirmed: false,
        added_at: chrono::DateTime::UNIX_EPOCH,
    };
    assert_eq!(
        p.line(),
        "Ibuprofen 400 mg tablet · 1 oral · 3x daily · 7 days · qty 21"
    );
}

#[test]
fn severity_parses_from_a_prefix() {
    assert_eq!(Severity::parse("mod"), Some(Severity::Moderate));
    assert_eq!(Severity::parse(""), None);
    assert_eq!(Severity::parse("xyz"), None);
}
